//! Rules that need no interpreter: a script that is a straight sequence of
//! action calls whose arguments are constants or simple templates over the
//! rule's variables compiles to a [`Plan`], which the batch engine applies to
//! every row where the rule's `when` holds without building a scope or
//! calling Rhai. Any other script keeps the interpreter; [`NotCompiled`] says why.
//!
//! What a plan may hold, and why each is the interpreter's result:
//! - string literals `"…"` and templates `` `…${var}…` `` without escapes
//!   (a backslash keeps the interpreter), whose variables are text
//!   (categories, dates, `id`, `industry`, `district`, `model`, `as_of`,
//!   `class`) or whole numbers (counts and integers), rendered as Rhai
//!   renders them: the text itself, or the integer in decimal;
//! - numbers written as `12`, `-3` or `2.5` (no exponent, no `_`), and a
//!   numeric input as `adjust`'s points;
//! - one call per statement, each `;`-terminated (the last may omit it), with
//!   `//` comments between them.
//!
//! Every plan is also checked when the rules compile: the script is run by
//! the interpreter with sample values and must give exactly the plan's actions.

use crate::action::{Action, Severity};
use crate::catalog::{Catalog, Var};
use riskgrade_core::InputType;

/// A piece of a text argument.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    /// Literal text.
    Text(String),
    /// The value of the rule's variable at this index of [`crate::Rule::vars`].
    Var(usize),
}

/// A text argument of an action: constant, or a template over the rule's variables.
#[derive(Debug, Clone, PartialEq)]
pub enum Text {
    /// The same text for every enterprise.
    Const(String),
    /// Literal text and variables, joined.
    Template(Vec<Piece>),
}

/// The points of an `adjust`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Points {
    /// The same points for every enterprise.
    Const(f64),
    /// The value of the rule's variable at this index of [`crate::Rule::vars`]
    /// (a whole-number input is read as a whole number, as scripts read it).
    Var(usize),
}

/// One action call of a compiled rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// `adjust(points, reason)`.
    Adjust {
        /// Points added.
        points: Points,
        /// Why.
        reason: Text,
    },
    /// `force_class(class, reason)`.
    ForceClass {
        /// The class.
        class: String,
        /// Why.
        reason: Text,
    },
    /// `at_least(class, reason)`.
    AtLeast {
        /// The class.
        class: String,
        /// Why.
        reason: Text,
    },
    /// `at_most(class, reason)`.
    AtMost {
        /// The class.
        class: String,
        /// Why.
        reason: Text,
    },
    /// `promote(reason)` (-1) or `demote(reason)` (+1).
    Shift {
        /// Classes moved.
        steps: i64,
        /// Why.
        reason: Text,
    },
    /// `label(label)`.
    Label {
        /// The label.
        label: Text,
    },
    /// `alert(topic, message, severity)`.
    Alert {
        /// The topic.
        topic: String,
        /// The message.
        message: Text,
        /// How urgent.
        severity: Severity,
    },
}

/// A rule compiled to a straight sequence of actions.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    steps: Vec<Step>,
    consts: Vec<Option<Action>>,
}

impl Plan {
    /// The actions, in the order the script calls them.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Per step, the action when every argument is a constant (the same
    /// action for every enterprise), else `None`.
    pub fn constants(&self) -> &[Option<Action>] {
        &self.consts
    }

    /// Whether every action is the same for every enterprise.
    pub fn is_constant(&self) -> bool {
        self.consts.iter().all(Option::is_some)
    }

    /// The actions for variable values given by `value` (`None`: the
    /// interpreter must run instead, e.g. for a missing value).
    pub fn actions(&self, value: impl Fn(usize) -> Option<Value>) -> Option<Vec<Action>> {
        self.steps
            .iter()
            .zip(&self.consts)
            .map(|(s, c)| match c {
                Some(a) => Some(a.clone()),
                None => s.render(&value),
            })
            .collect()
    }
}

/// A variable's value as a plan reads it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Text.
    Text(String),
    /// A whole number.
    Int(i64),
    /// A real number.
    Float(f64),
}

impl Text {
    /// The text for these variable values (`None` when a value is not text or a whole number).
    pub fn render(&self, value: &impl Fn(usize) -> Option<Value>) -> Option<String> {
        match self {
            Text::Const(s) => Some(s.clone()),
            Text::Template(pieces) => {
                let mut out = String::new();
                for p in pieces {
                    match p {
                        Piece::Text(s) => out.push_str(s),
                        Piece::Var(k) => match value(*k)? {
                            Value::Text(s) => out.push_str(&s),
                            Value::Int(i) => out.push_str(&i.to_string()),
                            Value::Float(_) => return None,
                        },
                    }
                }
                Some(out)
            }
        }
    }
}

impl Step {
    /// The action for these variable values (`None`: not for a plan, e.g. a
    /// missing value or points out of range; the interpreter runs instead).
    pub fn render(&self, value: &impl Fn(usize) -> Option<Value>) -> Option<Action> {
        Some(match self {
            Step::Adjust { points, reason } => Action::Adjust {
                points: match points {
                    Points::Const(p) => *p,
                    Points::Var(k) => match value(*k)? {
                        Value::Int(i) => i as f64,
                        Value::Float(x) => x,
                        Value::Text(_) => return None,
                    },
                },
                reason: reason.render(value)?,
            },
            Step::ForceClass { class, reason } => Action::ForceClass {
                class: class.clone(),
                reason: reason.render(value)?,
            },
            Step::AtLeast { class, reason } => Action::AtLeast {
                class: class.clone(),
                reason: reason.render(value)?,
            },
            Step::AtMost { class, reason } => Action::AtMost {
                class: class.clone(),
                reason: reason.render(value)?,
            },
            Step::Shift { steps, reason } => Action::Shift {
                steps: *steps,
                reason: reason.render(value)?,
            },
            Step::Label { label } => Action::Label {
                label: label.render(value)?,
            },
            Step::Alert {
                topic,
                message,
                severity,
            } => Action::Alert {
                topic: topic.clone(),
                message: message.render(value)?,
                severity: *severity,
            },
        })
        .filter(|a| match a {
            Action::Adjust { points, .. } => {
                points.is_finite() && points.abs() <= crate::host::MAX_ADJUST
            }
            _ => true,
        })
    }
}

/// Why a rule runs with the interpreter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NotCompiled {
    /// The script holds something other than action calls: a `let`, an
    /// `if`, a loop, an expression, a function, a block comment.
    #[error("line {line}: not a plain action call (`{found}`)")]
    NotAStep {
        /// 1-based line in the script.
        line: u32,
        /// The line's text (its first 40 characters).
        found: String,
    },
    /// A call of something other than an action (a helper, a standard function).
    #[error("line {line}: calls `{name}`, which is not an action")]
    Call {
        /// 1-based line in the script.
        line: u32,
        /// The function called.
        name: String,
    },
    /// An argument that is not a constant, a plain template or an input as points.
    #[error("line {line}: argument {arg} of `{name}` is computed")]
    Argument {
        /// 1-based line in the script.
        line: u32,
        /// The action.
        name: String,
        /// 1-based position of the argument.
        arg: usize,
    },
    /// The script calls no action.
    #[error("calls no action")]
    Empty,
    /// The interpreter, run with sample values, does not give the plan's
    /// actions (or fails): the rule keeps the interpreter.
    #[error("its actions for sample values differ from the interpreter's")]
    Differs,
}

/// A token of the plain-call grammar.
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Tpl(Vec<TplPart>),
    Num(String),
    Punct(char),
}

#[derive(Debug, Clone, PartialEq)]
enum TplPart {
    Text(String),
    Var(String),
}

/// The script's tokens with their lines; `Err` with the line of the first
/// text outside the grammar.
fn lex(src: &str) -> Result<Vec<(Tok, u32)>, u32> {
    let b: Vec<char> = src.chars().collect();
    let (mut i, mut line) = (0usize, 1u32);
    let mut out = Vec::new();
    let bad = |line: u32, _at: usize| line;
    while i < b.len() {
        let c = b[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && b.get(i + 1) == Some(&'/') {
            while i < b.len() && b[i] != '\n' {
                i += 1;
            }
        } else if c.is_ascii_alphabetic() || c == '_' {
            let s = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == '_') {
                i += 1;
            }
            out.push((Tok::Ident(b[s..i].iter().collect()), line));
        } else if c == '"' {
            let s = i + 1;
            i = s;
            while i < b.len() && b[i] != '"' {
                if matches!(b[i], '\\' | '\n' | '\r') {
                    return Err(bad(line, s - 1));
                }
                i += 1;
            }
            if i >= b.len() {
                return Err(bad(line, s - 1));
            }
            out.push((Tok::Str(b[s..i].iter().collect()), line));
            i += 1;
        } else if c == '`' {
            let (parts, end) = template(&b, i + 1).ok_or_else(|| bad(line, i))?;
            out.push((Tok::Tpl(parts), line));
            line += b[i..end].iter().filter(|&&c| c == '\n').count() as u32;
            i = end;
        } else if c.is_ascii_digit() || (c == '-' && b.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let s = i;
            i += 1;
            while i < b.len() && (b[i].is_ascii_digit() || b[i] == '.') {
                i += 1;
            }
            if i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == '_') {
                return Err(bad(line, s));
            }
            out.push((Tok::Num(b[s..i].iter().collect()), line));
        } else if matches!(c, '(' | ')' | ',' | ';') {
            out.push((Tok::Punct(c), line));
            i += 1;
        } else {
            return Err(bad(line, i));
        }
    }
    Ok(out)
}

/// A backtick template starting after its opening backtick at `i`: its parts
/// and the index after its closing backtick.
fn template(b: &[char], mut i: usize) -> Option<(Vec<TplPart>, usize)> {
    let mut parts = Vec::new();
    let mut text = String::new();
    while i < b.len() {
        match b[i] {
            '`' => {
                if !text.is_empty() {
                    parts.push(TplPart::Text(text));
                }
                return Some((parts, i + 1));
            }
            '\\' | '\r' => return None,
            '$' if b.get(i + 1) == Some(&'{') => {
                let s = i + 2;
                let mut e = s;
                while e < b.len() && (b[e].is_ascii_alphanumeric() || b[e] == '_') {
                    e += 1;
                }
                let first_ok = b
                    .get(s)
                    .is_some_and(|c| c.is_ascii_alphabetic() || *c == '_');
                if !first_ok || b.get(e) != Some(&'}') {
                    return None;
                }
                if !text.is_empty() {
                    parts.push(TplPart::Text(std::mem::take(&mut text)));
                }
                parts.push(TplPart::Var(b[s..e].iter().collect()));
                i = e + 1;
            }
            c => {
                text.push(c);
                i += 1;
            }
        }
    }
    None
}

/// The statements: each a call `name(args…)`, `;`-separated.
fn calls(toks: &[(Tok, u32)]) -> Result<Vec<(String, Vec<Tok>, u32)>, u32> {
    let mut out = Vec::new();
    let mut k = 0;
    let found = |k: usize| toks.get(k).or(toks.last()).map_or(1, |t| t.1);
    while k < toks.len() {
        let (Tok::Ident(name), line) = &toks[k] else {
            return Err(found(k));
        };
        if toks.get(k + 1).map(|t| &t.0) != Some(&Tok::Punct('(')) {
            return Err(found(k));
        }
        k += 2;
        let mut args = Vec::new();
        loop {
            match toks.get(k).map(|t| &t.0) {
                Some(Tok::Punct(')')) if args.is_empty() => break,
                Some(Tok::Punct(_)) | None => return Err(found(k)),
                Some(t) => args.push(t.clone()),
            }
            k += 1;
            match toks.get(k).map(|t| &t.0) {
                Some(Tok::Punct(',')) => k += 1,
                Some(Tok::Punct(')')) => break,
                _ => return Err(found(k)),
            }
        }
        k += 1; // the `)`
        match toks.get(k).map(|t| &t.0) {
            Some(Tok::Punct(';')) => k += 1,
            None => {}
            _ => return Err(found(k)),
        }
        out.push((name.clone(), args, *line));
    }
    Ok(out)
}

/// The statement at `line` of `script`, for [`NotCompiled::NotAStep`].
fn not_a_step(script: &str, line: u32) -> NotCompiled {
    let text = script.lines().nth(line as usize - 1).unwrap_or("").trim();
    let mut found: String = text.chars().take(40).collect();
    if found.len() < text.len() {
        found.push('…');
    }
    NotCompiled::NotAStep { line, found }
}

/// How a rule's variables may appear in a plan.
struct Vars<'a> {
    vars: &'a [Var],
    catalog: &'a Catalog,
}

impl Vars<'_> {
    fn index(&self, name: &str) -> Option<(usize, Var)> {
        self.vars
            .iter()
            .position(|v| v.name(self.catalog) == name)
            .map(|k| (k, self.vars[k]))
    }

    /// Text or whole numbers, as a template renders them.
    fn text_var(&self, name: &str) -> Option<usize> {
        let (k, v) = self.index(name)?;
        let ok = match v {
            Var::Input(i) => matches!(
                self.catalog.inputs()[i].1,
                InputType::Category | InputType::Date | InputType::Count | InputType::Integer
            ),
            Var::Score => false,
            _ => true,
        };
        ok.then_some(k)
    }

    /// A numeric input, as `adjust`'s points.
    fn number_var(&self, name: &str) -> Option<usize> {
        let (k, v) = self.index(name)?;
        let ok = match v {
            Var::Input(i) => matches!(
                self.catalog.inputs()[i].1,
                InputType::Number | InputType::Count | InputType::Integer
            ),
            _ => false,
        };
        ok.then_some(k)
    }

    fn text(&self, t: &Tok) -> Option<Text> {
        match t {
            Tok::Str(s) => Some(Text::Const(s.clone())),
            Tok::Tpl(parts) => {
                let mut pieces = Vec::new();
                for p in parts {
                    pieces.push(match p {
                        TplPart::Text(s) => Piece::Text(s.clone()),
                        TplPart::Var(n) => Piece::Var(self.text_var(n)?),
                    });
                }
                if pieces.iter().all(|p| matches!(p, Piece::Text(_))) {
                    let s: String = parts
                        .iter()
                        .map(|p| match p {
                            TplPart::Text(s) | TplPart::Var(s) => s.as_str(),
                        })
                        .collect();
                    Some(Text::Const(s))
                } else {
                    Some(Text::Template(pieces))
                }
            }
            _ => None,
        }
    }

    fn points(&self, t: &Tok) -> Option<Points> {
        match t {
            Tok::Num(s) if s.contains('.') => {
                let (int, frac) = s.trim_start_matches('-').split_once('.')?;
                if int.is_empty() || frac.is_empty() || frac.contains('.') {
                    return None;
                }
                s.parse::<f64>().ok().map(Points::Const)
            }
            Tok::Num(s) => s.parse::<i64>().ok().map(|i| Points::Const(i as f64)),
            Tok::Ident(n) => self.number_var(n).map(Points::Var),
            _ => None,
        }
    }
}

fn constant(t: &Tok) -> Option<String> {
    match t {
        Tok::Str(s) => Some(s.clone()),
        _ => None,
    }
}

/// One call as a step, or why it cannot be one.
fn step(v: &Vars<'_>, name: &str, args: &[Tok], line: u32) -> Result<Step, NotCompiled> {
    let arg = |k: usize| NotCompiled::Argument {
        line,
        name: name.to_string(),
        arg: k + 1,
    };
    let text = |k: usize| v.text(&args[k]).ok_or_else(|| arg(k));
    let cons = |k: usize| constant(&args[k]).ok_or_else(|| arg(k));
    let arity = match name {
        "adjust" | "force_class" | "at_least" | "at_most" => 2,
        "promote" | "demote" | "label" => 1,
        "alert" => 3,
        _ => usize::MAX,
    };
    if args.len() != arity {
        return Err(NotCompiled::Call {
            line,
            name: name.to_string(),
        });
    }
    Ok(match name {
        "adjust" => Step::Adjust {
            points: v.points(&args[0]).ok_or_else(|| arg(0))?,
            reason: text(1)?,
        },
        "force_class" => Step::ForceClass {
            class: cons(0)?,
            reason: text(1)?,
        },
        "at_least" => Step::AtLeast {
            class: cons(0)?,
            reason: text(1)?,
        },
        "at_most" => Step::AtMost {
            class: cons(0)?,
            reason: text(1)?,
        },
        "promote" | "demote" => Step::Shift {
            steps: if name == "promote" { -1 } else { 1 },
            reason: text(0)?,
        },
        "label" => Step::Label { label: text(0)? },
        _ => Step::Alert {
            topic: cons(0)?,
            message: text(1)?,
            severity: Severity::parse(&cons(2)?).ok_or_else(|| arg(2))?,
        },
    })
}

/// The plan of a script, or why it has none. `vars` are the variables the
/// script reads ([`crate::Rule::vars`]).
pub(crate) fn classify(script: &str, vars: &[Var], catalog: &Catalog) -> Result<Plan, NotCompiled> {
    let toks = lex(script).map_err(|l| not_a_step(script, l))?;
    let v = Vars { vars, catalog };
    let mut steps = Vec::new();
    for (name, args, line) in calls(&toks).map_err(|l| not_a_step(script, l))? {
        steps.push(step(&v, &name, &args, line)?);
    }
    if steps.is_empty() {
        return Err(NotCompiled::Empty);
    }
    let none = |_: usize| None;
    let consts = steps.iter().map(|s| s.render(&none)).collect();
    Ok(Plan { steps, consts })
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
