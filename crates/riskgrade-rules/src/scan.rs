//! A light reading of a script's text, before Rhai compiles it: which variables
//! it reads (only those are passed in when it runs) and the host helpers it
//! calls, whose arguments are checked now rather than on some enterprise later.

use riskgrade_core::{
    ChangeField, FeatureDef, FeatureFn, InspectionResult, ListAction, Period, RecordType, Severity,
    did_you_mean,
};
use serde::Deserialize;
use serde::de::IntoDeserializer;

use crate::catalog::{Catalog, Var};

/// Functions of Rhai's standard library that read the clock, wait or end the
/// script early: grades must be a pure function of the set, the data and the
/// as-of date, so rules may not call them (refused when the rules compile,
/// and failing if reached through a computed name).
pub(crate) const FORBIDDEN: [(&str, &str); 4] = [
    ("timestamp", "reads the clock"),
    ("elapsed", "reads the clock"),
    ("sleep", "waits"),
    ("exit", "ends the script early"),
];

/// A host helper a script can call. Its arguments are written as quoted text,
/// so they are checked when the rules compile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Helper {
    /// `count(selector)` or `count(selector, window)`: records in effect (inside the window).
    Count,
    /// `days_since(selector)`: days since the latest record in effect; a very large number when none.
    DaysSince,
    /// `listed(list)`: on the list now (`abnormal_list`, `dishonest_list`, `judgment_defaulter`).
    Listed,
    /// `has_licence(type)`: holds a licence of this type that is valid on the as-of date.
    HasLicence,
    /// `points(indicator)`: the indicator's points before weighting; `()` when the model lacks it.
    Points,
    /// `contribution(indicator)`: the indicator's weighted points; `()` when the model lacks it.
    Contribution,
}

impl Helper {
    /// Every helper.
    pub const ALL: [Helper; 6] = [
        Helper::Count,
        Helper::DaysSince,
        Helper::Listed,
        Helper::HasLicence,
        Helper::Points,
        Helper::Contribution,
    ];

    /// The function's name in scripts.
    pub fn name(self) -> &'static str {
        match self {
            Helper::Count => "count",
            Helper::DaysSince => "days_since",
            Helper::Listed => "listed",
            Helper::HasLicence => "has_licence",
            Helper::Points => "points",
            Helper::Contribution => "contribution",
        }
    }

    fn example(self) -> &'static str {
        match self {
            Helper::Count => "count(\"penalty.major\", \"1y\")",
            Helper::DaysSince => "days_since(\"inspection.problem\")",
            Helper::Listed => "listed(\"abnormal_list\")",
            Helper::HasLicence => "has_licence(\"food_production\")",
            Helper::Points => "points(\"supervision.penalties.major\")",
            Helper::Contribution => "contribution(\"supervision.penalties.major\")",
        }
    }

    fn arity(self) -> (usize, usize) {
        match self {
            Helper::Count => (1, 2),
            _ => (1, 1),
        }
    }

    /// Whether the helper reads the enterprise's records or licences.
    pub fn reads_records(self) -> bool {
        !matches!(self, Helper::Points | Helper::Contribution)
    }
}

/// One call of a helper in a script, with its checked arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    /// The helper.
    pub helper: Helper,
    /// The arguments as written.
    pub args: Vec<String>,
    /// For the record and licence helpers: the feature the call computes.
    pub feature: Option<FeatureDef>,
}

/// A problem found by the scan: 1-based line and column.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ScanError {
    pub line: u32,
    pub column: u32,
    pub message: String,
    pub hint: Option<String>,
}

/// What the scan found.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    pub vars: Vec<Var>,
    pub sites: Vec<Site>,
    pub acts: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    Ident(String),
    Str(String),
    Punct(char),
    Num,
    Other,
}

pub(crate) struct Token {
    pub(crate) tok: Tok,
    pub(crate) line: u32,
    pub(crate) column: u32,
}

/// The tokens of a script, or the line and column of a template nested too deep.
pub(crate) fn tokens(src: &str) -> Result<Vec<Token>, (u32, u32)> {
    lex(src, 0)
}

/// How deep templates may nest inside `${...}` of other templates.
const MAX_TEMPLATE_DEPTH: usize = 8;

/// The tokens of `src`, or the line and column of a template nested more than
/// [`MAX_TEMPLATE_DEPTH`] deep.
fn lex(src: &str, depth: usize) -> Result<Vec<Token>, (u32, u32)> {
    let chars: Vec<char> = src.chars().collect();
    let mut lexer = Lexer {
        chars: &chars,
        i: 0,
        line: 1,
        col: 1,
        depth,
        too_deep: None,
        out: Vec::new(),
    };
    lexer.run();
    match lexer.too_deep {
        Some(at) => Err(at),
        None => Ok(lexer.out),
    }
}

/// The lexer's state: the text, the position in it and the tokens so far.
struct Lexer<'a> {
    chars: &'a [char],
    i: usize,
    line: u32,
    col: u32,
    /// How many templates enclose this text.
    depth: usize,
    /// Where a template nests too deep, when one does.
    too_deep: Option<(u32, u32)>,
    out: Vec<Token>,
}

impl Lexer<'_> {
    /// Reads the whole text, one token (or space or comment) at a time.
    fn run(&mut self) {
        while let Some(&c) = self.chars.get(self.i) {
            if self.too_deep.is_some() {
                break;
            }
            let (l0, c0) = (self.line, self.col);
            if c.is_whitespace() {
                self.step();
            } else if c == '/' && self.next_is('/') {
                self.line_comment();
            } else if c == '/' && self.next_is('*') {
                self.block_comment();
            } else if c == '"' || c == '\'' {
                self.quoted(c, l0, c0);
            } else if c == '`' {
                self.template();
            } else if c.is_ascii_alphabetic() || c == '_' {
                self.word(l0, c0);
            } else if c.is_ascii_digit() {
                self.number(l0, c0);
            } else {
                self.step();
                self.push(Tok::Punct(c), l0, c0);
            }
        }
    }

    /// Moves over one character, tracking the position.
    fn step(&mut self) {
        if self.chars.get(self.i) == Some(&'\n') {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        self.i += 1;
    }

    /// Whether the character after the current one is `c`.
    fn next_is(&self, c: char) -> bool {
        self.chars.get(self.i + 1) == Some(&c)
    }

    /// Whether the current character exists and is not `c`.
    fn more_until(&self, c: char) -> bool {
        self.i < self.chars.len() && self.chars[self.i] != c
    }

    /// Adds a token that starts at `line`, `column`.
    fn push(&mut self, tok: Tok, line: u32, column: u32) {
        self.out.push(Token { tok, line, column });
    }

    /// Skips a `//` comment up to the end of the line.
    fn line_comment(&mut self) {
        while self.more_until('\n') {
            self.step();
        }
    }

    /// Skips a `/* … */` comment, which may nest.
    fn block_comment(&mut self) {
        let mut depth = 0usize;
        while self.i < self.chars.len() {
            if self.chars[self.i] == '/' && self.next_is('*') {
                depth += 1;
                self.step();
            } else if self.chars[self.i] == '*' && self.next_is('/') {
                depth -= 1;
                self.step();
                if depth == 0 {
                    self.step();
                    break;
                }
            }
            self.step();
        }
    }

    /// A string in `"` (its text is kept) or a character in `'`.
    fn quoted(&mut self, quote: char, l0: u32, c0: u32) {
        self.step();
        let mut s = String::new();
        while self.more_until(quote) {
            if self.chars[self.i] == '\\' && self.i + 1 < self.chars.len() {
                self.step();
                s.push(match self.chars[self.i] {
                    'n' => '\n',
                    't' => '\t',
                    other => other,
                });
            } else {
                s.push(self.chars[self.i]);
            }
            self.step();
        }
        self.step();
        let tok = if quote == '"' {
            Tok::Str(s)
        } else {
            Tok::Other
        };
        self.push(tok, l0, c0);
    }

    /// A template: the code inside `${...}` is read like any other code.
    fn template(&mut self) {
        self.step();
        while self.more_until('`') {
            if self.chars[self.i] == '$' && self.next_is('{') {
                self.interpolation();
            }
            self.step();
        }
        self.step();
    }

    /// The code of one `${...}` in a template, lexed at its place in the text.
    fn interpolation(&mut self) {
        self.step();
        self.step();
        let (l1, c1) = (self.line, self.col);
        let start = self.i;
        let mut depth = 1usize;
        while let Some(&c) = self.chars.get(self.i) {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            self.step();
        }
        if self.depth >= MAX_TEMPLATE_DEPTH {
            self.too_deep.get_or_insert((l1, c1));
            return;
        }
        let inner: String = self.chars[start..self.i].iter().collect();
        let tokens = match lex(&inner, self.depth + 1) {
            Ok(t) => t,
            Err((l, c)) => {
                let c = if l == 1 { c + c1 - 1 } else { c };
                self.too_deep.get_or_insert((l + l1 - 1, c));
                return;
            }
        };
        for mut t in tokens {
            if t.line == 1 {
                t.column += c1 - 1;
            }
            t.line += l1 - 1;
            self.out.push(t);
        }
        // A separator, so that the inner code does not run into what follows.
        self.push(Tok::Other, self.line, self.col);
    }

    /// An identifier or keyword.
    fn word(&mut self, l0: u32, c0: u32) {
        let mut w = String::new();
        while let Some(&c) = self.chars.get(self.i) {
            if !(c.is_ascii_alphanumeric() || c == '_') {
                break;
            }
            w.push(c);
            self.step();
        }
        self.push(Tok::Ident(w), l0, c0);
    }

    /// A number literal.
    fn number(&mut self, l0: u32, c0: u32) {
        while let Some(&c) = self.chars.get(self.i) {
            if !(c.is_ascii_alphanumeric() || c == '_') {
                break;
            }
            self.step();
        }
        self.push(Tok::Num, l0, c0);
    }
}

const ACTIONS: [&str; 8] = [
    "force_class",
    "at_least",
    "at_most",
    "adjust",
    "promote",
    "demote",
    "label",
    "alert",
];

fn qualifier<'de, T: Deserialize<'de>>(s: &'de str) -> Option<T> {
    T::deserialize(IntoDeserializer::<serde::de::value::Error>::into_deserializer(s)).ok()
}

/// `penalty`, `penalty.major`, `inspection.refused`, `change.address`, `abnormal_list.entry`.
fn selector(func: FeatureFn, sel: &str) -> Result<FeatureDef, (String, String)> {
    let (kind, sub) = match sel.split_once('.') {
        Some((k, s)) => (k, Some(s)),
        None => (sel, None),
    };
    let names: Vec<&str> = RecordType::ALL.iter().map(|t| t.name()).collect();
    let Some(record) = qualifier::<RecordType>(kind) else {
        return Err((
            format!("no record type `{kind}`"),
            did_you_mean(kind, names.iter().copied()).map_or_else(
                || format!("the record types are {}", names.join(", ")),
                |s| format!("did you mean `{s}`?"),
            ),
        ));
    };
    let mut def = FeatureDef::new(func, Some(record));
    if let Some(sub) = sub {
        let ok = match record {
            RecordType::Penalty => qualifier::<Severity>(sub).map(|s| def.severity = Some(s)),
            RecordType::Inspection => {
                qualifier::<InspectionResult>(sub).map(|s| def.result = Some(s))
            }
            RecordType::Change => qualifier::<ChangeField>(sub).map(|s| def.field = Some(s)),
            t if t.is_list() => qualifier::<ListAction>(sub).map(|s| def.action = Some(s)),
            _ => None,
        };
        if ok.is_none() {
            let allowed = match record {
                RecordType::Penalty => "minor, general, major",
                RecordType::Inspection => "no_problem, problem, not_reachable, refused",
                RecordType::Change => "legal_representative, address, business_scope, name",
                t if t.is_list() => "entry, removal",
                _ => "nothing: this record type has no detail to select",
            };
            return Err((
                format!("`{sub}` is not a detail of `{kind}` records"),
                format!("after `{kind}.` write one of: {allowed}"),
            ));
        }
    }
    Ok(def)
}

fn check_site(
    helper: Helper,
    args: &[String],
    catalog: &Catalog,
) -> Result<Option<FeatureDef>, (usize, String, String)> {
    match helper {
        Helper::Count | Helper::DaysSince => {
            let func = if helper == Helper::Count {
                FeatureFn::Count
            } else {
                FeatureFn::DaysSinceLast
            };
            let mut def = selector(func, &args[0]).map_err(|(m, h)| (0, m, h))?;
            if let Some(w) = args.get(1) {
                def.window = Some(w.parse::<Period>().map_err(|e| {
                    (
                        1,
                        format!("`{w}`: {e}"),
                        "write a period such as \"90d\", \"6m\" or \"1y\"".into(),
                    )
                })?);
            }
            Ok(Some(def))
        }
        Helper::Listed => {
            let def = selector(FeatureFn::Listed, &args[0]).map_err(|(m, h)| (0, m, h))?;
            if !def.record.is_some_and(RecordType::is_list) || args[0].contains('.') {
                return Err((
                    0,
                    format!("`{}` is not a list", args[0]),
                    "write \"abnormal_list\", \"dishonest_list\" or \"judgment_defaulter\"".into(),
                ));
            }
            Ok(Some(def))
        }
        Helper::HasLicence => {
            let mut def = FeatureDef::new(FeatureFn::LicencesValid, None);
            def.licence = Some(args[0].clone());
            Ok(Some(def))
        }
        Helper::Points | Helper::Contribution => {
            let paths = catalog.indicator_paths();
            if paths.iter().any(|p| *p == args[0]) {
                Ok(None)
            } else {
                Err((
                    0,
                    format!("no indicator `{}`", args[0]),
                    did_you_mean(&args[0], paths.iter().map(String::as_str)).map_or_else(
                        || "name an indicator by its full path, e.g. \"supervision.penalties.major\"".into(),
                        |s| format!("did you mean `{s}`?"),
                    ),
                ))
            }
        }
    }
}

/// Reads a script: its variables, helper calls (checked) and whether it can act.
pub(crate) fn scan(src: &str, catalog: &Catalog, after: bool) -> Result<Scan, ScanError> {
    let toks = lex(src, 0).map_err(|(line, column)| ScanError {
        line,
        column,
        message: format!("templates nest more than {MAX_TEMPLATE_DEPTH} levels deep"),
        hint: Some("build the text in steps with `let`".into()),
    })?;
    let mut out = Scan::default();
    for (i, t) in toks.iter().enumerate() {
        let Tok::Ident(name) = &t.tok else { continue };
        let after_dot = i > 0 && toks[i - 1].tok == Tok::Punct('.');
        let call = toks.get(i + 1).is_some_and(|n| n.tok == Tok::Punct('('));
        if (call || after_dot)
            && let Some((_, why)) = FORBIDDEN.iter().find(|(f, _)| f == name)
        {
            return Err(error_at(
                t,
                format!("`{name}` {why}, which rules may not do"),
                Some("a grade must depend only on the model set, the data and the as-of date; read `as_of` for the date".into()),
            ));
        }
        if after_dot {
            continue;
        }
        if !call {
            if let Some(v) = catalog.var(name)
                && (after || !v.after_only())
                && !out.vars.contains(&v)
            {
                out.vars.push(v);
            }
            continue;
        }
        let (args, end) = call_args(&toks, i + 2);
        if ACTIONS.contains(&name.as_str()) {
            out.acts = true;
            check_action(name, &args, &toks, i, catalog)?;
            continue;
        }
        let Some(helper) = Helper::ALL.into_iter().find(|h| h.name() == name) else {
            continue;
        };
        let site = check_helper_call(helper, &args, &toks[i..end.min(toks.len())], catalog)?;
        if !out.sites.contains(&site) {
            out.sites.push(site);
        }
    }
    Ok(out)
}

/// A scan error at token `t`.
fn error_at(t: &Token, message: String, hint: Option<String>) -> ScanError {
    ScanError {
        line: t.line,
        column: t.column,
        message,
        hint,
    }
}

/// The arguments of a call whose first argument token is at `start`, each
/// `Some` when it is plain quoted text, and the index of the closing `)`.
fn call_args(toks: &[Token], start: usize) -> (Vec<Option<String>>, usize) {
    let literal = |current: &[&Tok]| match current {
        [Tok::Str(s)] => Some(s.clone()),
        _ => None,
    };
    let mut args: Vec<Option<String>> = Vec::new();
    let mut j = start;
    let mut depth = 0usize;
    let mut current: Vec<&Tok> = Vec::new();
    while let Some(tk) = toks.get(j) {
        match &tk.tok {
            Tok::Punct('(' | '[' | '{') => depth += 1,
            Tok::Punct(')' | ']' | '}') if depth > 0 => depth -= 1,
            Tok::Punct(')') => break,
            _ => {}
        }
        if depth == 0 && tk.tok == Tok::Punct(',') {
            args.push(literal(&current));
            current.clear();
        } else {
            current.push(&tk.tok);
        }
        j += 1;
    }
    if !current.is_empty() {
        args.push(literal(&current));
    }
    (args, j)
}

/// Checks the literal class of `force_class`, `at_least` and `at_most` and the
/// literal severity of `alert`, called by the token at `i`.
fn check_action(
    name: &str,
    args: &[Option<String>],
    toks: &[Token],
    i: usize,
    catalog: &Catalog,
) -> Result<(), ScanError> {
    let classes = catalog.class_names();
    if matches!(name, "force_class" | "at_least" | "at_most")
        && let Some(Some(c)) = args.first()
        && !classes.is_empty()
        && !classes.contains(c)
    {
        return Err(error_at(
            &toks[i + 2],
            format!("no class `{c}`"),
            Some(format!("the classes are {}", classes.join(", "))),
        ));
    }
    if name == "adjust"
        && let Some(Some(s)) = args.first()
    {
        return Err(error_at(
            &toks[i + 2],
            format!("adjust() takes a number of points, not text {s:?}"),
            Some(match s.trim().parse::<f64>() {
                Ok(_) => format!("write {} without quotes", s.trim()),
                Err(_) => "write a number, e.g. `adjust(5, \"reason\")`".into(),
            }),
        ));
    }
    if name == "alert"
        && let Some(Some(s)) = args.get(2)
        && !matches!(s.as_str(), "info" | "warning" | "critical")
    {
        return Err(error_at(
            &toks[i],
            format!("alert severity `{s}` is not known"),
            Some("use \"info\", \"warning\" or \"critical\"".into()),
        ));
    }
    Ok(())
}

/// Checks one helper call, whose tokens (from the helper's name to the closing
/// `)`) are `call`: its arity, that its arguments are quoted text, and their meaning.
fn check_helper_call(
    helper: Helper,
    args: &[Option<String>],
    call: &[Token],
    catalog: &Catalog,
) -> Result<Site, ScanError> {
    let t = &call[0];
    let (lo, hi) = helper.arity();
    let literal: Option<Vec<String>> = args.iter().cloned().collect();
    let Some(literal) = literal.filter(|a| a.len() >= lo && a.len() <= hi) else {
        return Err(error_at(
            t,
            format!(
                "`{}` takes {} written as text in quotes",
                helper.name(),
                if lo == hi {
                    format!("{lo} argument")
                } else {
                    format!("{lo} or {hi} arguments")
                }
            ),
            Some(format!(
                "e.g. {}; the arguments are checked when the rules compile",
                helper.example()
            )),
        ));
    };
    let feature = check_site(helper, &literal, catalog).map_err(|(k, m, h)| {
        // Point at the offending argument: the k-th string after the `(`.
        let at = call
            .get(2..)
            .unwrap_or_default()
            .iter()
            .filter(|tk| matches!(tk.tok, Tok::Str(_)))
            .nth(k)
            .unwrap_or(t);
        error_at(at, m, Some(h))
    })?;
    Ok(Site {
        helper,
        args: literal,
        feature,
    })
}
