//! Checks of a script's text made when the rules compile, so that mistakes
//! Rhai would only meet on some enterprise later are refused now, with a
//! position: every call names a known function with a right number of
//! arguments, and no number is compared with text.

use std::collections::HashMap;

use rhai::Engine;
use riskgrade_core::did_you_mean;

use crate::catalog::{Catalog, Kind};
use crate::scan::{ScanError, Tok, Token};

/// Words followed by `(` that are not calls of registered functions: Rhai's
/// keywords and its built-in keyword functions, which the engine itself resolves.
const KEYWORDS: [&str; 31] = [
    "if",
    "else",
    "while",
    "loop",
    "do",
    "until",
    "for",
    "in",
    "switch",
    "return",
    "throw",
    "try",
    "catch",
    "let",
    "const",
    "fn",
    "private",
    "import",
    "export",
    "as",
    "this",
    "global",
    "Fn",
    "call",
    "curry",
    "type_of",
    "print",
    "debug",
    "is_def_var",
    "is_def_fn",
    "eval",
];

/// Every function the engine knows, by name, with the numbers of arguments it takes.
pub(crate) struct Known {
    arities: HashMap<String, Vec<usize>>,
}

impl Known {
    /// The functions registered in `engine` (its own and its packages').
    pub(crate) fn of(engine: &Engine) -> Known {
        let mut arities: HashMap<String, Vec<usize>> = HashMap::new();
        for sig in engine.gen_fn_signatures(true) {
            let Some((name, rest)) = sig.split_once('(') else {
                continue;
            };
            if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let params = rest.rsplit_once(')').map_or(rest, |(p, _)| p);
            let n = if params.trim().is_empty() {
                0
            } else {
                params.matches(", ").count() + 1
            };
            let list = arities.entry(name.to_string()).or_default();
            if !list.contains(&n) {
                list.push(n);
            }
        }
        arities.entry("is_shared".into()).or_default().push(1);
        Known { arities }
    }
}

fn error(t: &Token, message: String, hint: Option<String>) -> ScanError {
    ScanError {
        line: t.line,
        column: t.column,
        message,
        hint,
    }
}

fn ident(t: Option<&Token>) -> Option<&str> {
    match t.map(|t| &t.tok) {
        Some(Tok::Ident(s)) => Some(s),
        _ => None,
    }
}

fn is(t: Option<&Token>, c: char) -> bool {
    t.is_some_and(|t| t.tok == Tok::Punct(c))
}

/// Functions the script defines (name and arities) and the names it binds
/// (`let`, `const`, `for`, parameters), which may hold function pointers.
fn definitions(toks: &[Token]) -> (HashMap<&str, Vec<usize>>, Vec<&str>) {
    let mut fns: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut locals = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        match ident(Some(t)) {
            Some("fn") => {
                if let Some(name) = ident(toks.get(i + 1))
                    && is(toks.get(i + 2), '(')
                {
                    let params: Vec<&str> = toks[i + 3..]
                        .iter()
                        .take_while(|t| t.tok != Tok::Punct(')'))
                        .filter_map(|t| ident(Some(t)))
                        .collect();
                    fns.entry(name).or_default().push(params.len());
                    locals.extend(params);
                }
            }
            Some("let" | "const") => locals.extend(ident(toks.get(i + 1))),
            Some("for") => locals.extend(
                toks[i + 1..]
                    .iter()
                    .take_while(|t| ident(Some(t)) != Some("in"))
                    .filter_map(|t| ident(Some(t))),
            ),
            _ => {}
        }
    }
    // Closure parameters: `|a, b|` where an argument or value starts.
    for (i, t) in toks.iter().enumerate() {
        if t.tok == Tok::Punct('|')
            && (i == 0 || matches!(toks[i - 1].tok, Tok::Punct('(' | ',' | '=')))
        {
            locals.extend(
                toks[i + 1..]
                    .iter()
                    .take_while(|t| t.tok != Tok::Punct('|'))
                    .filter_map(|t| ident(Some(t))),
            );
        }
    }
    (fns, locals)
}

/// The number of arguments of the call whose `(` is at `open`.
fn count_args(toks: &[Token], open: usize) -> usize {
    let mut depth = 0usize;
    let mut args = 0usize;
    let mut any = false;
    let mut j = open + 1;
    while let Some(t) = toks.get(j) {
        match t.tok {
            Tok::Punct('(' | '[' | '{') => depth += 1,
            Tok::Punct(')' | ']' | '}') if depth == 0 => break,
            Tok::Punct(')' | ']' | '}') => depth -= 1,
            Tok::Punct(',') if depth == 0 => args += 1,
            Tok::Punct('|') if depth == 0 && matches!(toks[j - 1].tok, Tok::Punct('(' | ',')) => {
                // A closure's parameters: skip to the closing `|`.
                j += 1;
                while toks.get(j).is_some_and(|t| t.tok != Tok::Punct('|')) {
                    j += 1;
                }
            }
            _ => {}
        }
        any = true;
        j += 1;
    }
    if any { args + 1 } else { 0 }
}

fn takes(n: &[usize]) -> String {
    let mut n: Vec<usize> = n.to_vec();
    n.sort_unstable();
    let words: Vec<String> = n.iter().map(ToString::to_string).collect();
    let s = if n == [1] { "" } else { "s" };
    format!("{} argument{s}", words.join(" or "))
}

/// Every call in the script names a function the engine knows or the script
/// defines, with a number of arguments it takes; a method call counts its
/// object as the first argument.
pub(crate) fn check_calls(toks: &[Token], known: &Known) -> Result<(), ScanError> {
    let (fns, locals) = definitions(toks);
    for (i, t) in toks.iter().enumerate() {
        let Some(name) = ident(Some(t)) else { continue };
        if !is(toks.get(i + 1), '(')
            || KEYWORDS.contains(&name)
            || locals.contains(&name)
            || (i > 0 && ident(toks.get(i - 1)) == Some("fn"))
        {
            continue;
        }
        let method = i > 0 && is(toks.get(i - 1), '.');
        let self_arg = usize::from(method);
        let n = count_args(toks, i + 1) + self_arg;
        let arities = fns.get(name).or_else(|| known.arities.get(name));
        let shown = |a: &[usize]| -> Vec<usize> {
            a.iter()
                .filter(|&&k| k >= self_arg)
                .map(|k| k - self_arg)
                .collect()
        };
        match arities {
            Some(a) if a.contains(&n) => {}
            Some(a) => {
                return Err(error(
                    t,
                    format!("`{name}` takes {}, not {}", takes(&shown(a)), n - self_arg),
                    None,
                ));
            }
            None => {
                let names = fns
                    .keys()
                    .copied()
                    .chain(known.arities.keys().map(String::as_str));
                let what = if method { "method" } else { "function" };
                return Err(error(
                    t,
                    format!("unknown {what} `{name}`"),
                    Some(did_you_mean(name, names).map_or_else(
                        || "rules can call the actions, the helpers, Rhai's standard functions and functions the script defines".to_string(),
                        |s| format!("did you mean `{s}`?"),
                    )),
                ));
            }
        }
    }
    Ok(())
}

/// The comparison operator starting at token `i` and its length in tokens.
fn comparison(toks: &[Token], i: usize) -> Option<usize> {
    let c = match toks.get(i)?.tok {
        Tok::Punct(c) => c,
        _ => return None,
    };
    let eq = is(toks.get(i + 1), '=');
    match (c, eq) {
        ('<' | '>', false) => Some(1),
        ('<' | '>' | '=' | '!', true) => Some(2),
        _ => None,
    }
}

/// No number (an input, `score`, or a `let` of a number) is compared with text:
/// `n >= "3"` is never true in Rhai, so it is refused rather than silently false.
pub(crate) fn check_comparisons(
    toks: &[Token],
    catalog: &Catalog,
    after: bool,
) -> Result<(), ScanError> {
    let mut numbers: Vec<&str> = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        if matches!(ident(Some(t)), Some("let" | "const"))
            && let Some(name) = ident(toks.get(i + 1))
            && is(toks.get(i + 2), '=')
            && toks.get(i + 3).is_some_and(|t| t.tok == Tok::Num)
            && toks.get(i + 4).is_none_or(|t| t.tok == Tok::Punct(';'))
        {
            numbers.push(name);
        }
    }
    let number = |k: usize| -> Option<&str> {
        let name = ident(toks.get(k))?;
        if k > 0 && is(toks.get(k - 1), '.') || is(toks.get(k + 1), '(') || is(toks.get(k + 1), '.')
        {
            return None;
        }
        let input = catalog
            .var(name)
            .is_some_and(|v| (after || !v.after_only()) && v.kind(catalog) == Kind::Number);
        (input || numbers.contains(&name)).then_some(name)
    };
    for i in 0..toks.len() {
        let Some(len) = comparison(toks, i) else {
            continue;
        };
        let (left, right) = (i.checked_sub(1), i + len);
        let pair = match (left.and_then(number), toks.get(right).map(|t| &t.tok)) {
            (Some(n), Some(Tok::Str(s))) => Some((n, s, &toks[right])),
            _ => match (left.map(|l| &toks[l].tok), number(right)) {
                (Some(Tok::Str(s)), Some(n)) => Some((n, s, &toks[i - 1])),
                _ => None,
            },
        };
        if let Some((n, s, at)) = pair {
            return Err(error(
                at,
                format!(
                    "`{n}` is a number, compared here with text {s:?}: this comparison never holds as meant"
                ),
                Some(match s.trim().parse::<f64>() {
                    Ok(_) => format!("write {} without quotes", s.trim()),
                    Err(_) => format!("compare `{n}` with a number"),
                }),
            ));
        }
    }
    Ok(())
}
