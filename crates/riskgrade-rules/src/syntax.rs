//! Positions for Rhai's syntax errors: where a statement really ends, where an
//! unclosed block opened, and the end of a script.

use crate::scan::{Tok, tokens};

/// 1-based line and column of the character just after the last
/// non-blank, non-comment character before `line`, `column`: where a missing
/// `;` belongs. Rhai reports it at the next token, often a line late.
pub(crate) fn end_before(script: &str, line: u32, column: u32) -> (u32, u32) {
    let Ok(toks) = tokens(script) else {
        return (line, column);
    };
    let before = toks
        .iter()
        .take_while(|t| (t.line, t.column) < (line, column))
        .last();
    let Some(t) = before else {
        return (line, column);
    };
    // The token's end: the rest of its line up to the first blank or comment.
    let text = script.lines().nth(t.line as usize - 1).unwrap_or("");
    let rest: String = text.chars().skip(t.column as usize - 1).collect();
    let code = rest.split("//").next().unwrap_or(&rest).trim_end();
    let len = if t.line < line {
        code.chars().count()
    } else {
        code.split(char::is_whitespace)
            .next()
            .map_or(1, |w| w.chars().count().max(1))
    };
    (t.line, t.column + len as u32)
}

/// The 1-based line and column of the first `{` that is never closed.
pub(crate) fn unclosed_brace(script: &str) -> Option<(u32, u32)> {
    let toks = tokens(script).ok()?;
    let mut open = Vec::new();
    for t in &toks {
        match t.tok {
            Tok::Punct('{') => open.push((t.line, t.column)),
            Tok::Punct('}') => {
                open.pop();
            }
            _ => {}
        }
    }
    open.first().copied()
}

/// Just after the last character of the script's last non-blank line.
pub(crate) fn end_of(script: &str) -> (u32, u32) {
    script
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .last()
        .map_or((1, 1), |(n, l)| {
            (n as u32 + 1, l.trim_end().chars().count() as u32 + 1)
        })
}
