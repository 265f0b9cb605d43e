//! Text for terminals and aligned tables: escaping and padding by display width.
//!
//! Every table riskgrade prints pads its cells through [`pad`], and every
//! untrusted text it prints (rule ids, enterprise ids, class names, indicator
//! paths, labels, alerts) goes through [`escape`], so that:
//!
//! - no text can forge terminal output: ESC, CR, NUL, newlines and every other
//!   control character, and the bidirectional overrides that reorder a line,
//!   are shown escaped (`\e`, `\r`, `\0`, `\n`, `\u{202e}`);
//! - no text can break a table: a column is at most [`MAX_CELL`] display
//!   columns wide and a longer cell is cut with `…`, whatever its length (the
//!   standard library's `{:<w$}` panics once `w` exceeds 65,535).
//!
//! Widths are display widths: a CJK character takes two columns, a combining
//! accent none.
//!
//! ```
//! use riskgrade_core::display::{Align, escape, pad};
//!
//! assert_eq!(escape("late\r\x1b[2Kpaid"), "late\\r\\e[2Kpaid");
//! assert_eq!(pad("A", 3, Align::Left), "A  ");
//! assert_eq!(pad("7", 3, Align::Right), "  7");
//! assert_eq!(pad("abcdef", 4, Align::Left), "abc…");
//! ```

use std::borrow::Cow;
use std::fmt::Write as _;

use unicode_width::UnicodeWidthChar;

/// The widest a table column gets, in display columns; longer cells are cut with `…`.
pub const MAX_CELL: usize = 64;

/// Where a cell's text sits in its column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Text first, spaces after.
    Left,
    /// Spaces first, text after.
    Right,
}

/// Whether a character must be shown escaped: every control character (C0,
/// DEL, C1) and the bidirectional embedding, override and isolate marks.
fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every control character and bidirectional mark escaped.
///
/// `\n`, `\r`, `\t`, `\0` and ESC (`\e`) get their usual short forms; any
/// other such character is written `\u{…}` in hexadecimal. Text without them
/// is returned as it is, without copying.
///
/// ```
/// use riskgrade_core::display::escape;
///
/// assert_eq!(escape("row 1\nrow 99, enterprise X"), "row 1\\nrow 99, enterprise X");
/// assert_eq!(escape("\u{202e}fdp.exe"), "\\u{202e}fdp.exe");
/// assert_eq!(escape("plain"), "plain");
/// ```
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            '\u{1b}' => out.push_str("\\e"),
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// The number of terminal columns `text` takes once escaped.
///
/// ```
/// use riskgrade_core::display::width;
///
/// assert_eq!(width("abc"), 3);
/// assert_eq!(width("信用"), 4);
/// assert_eq!(width("a\nb"), 4);
/// ```
pub fn width(text: &str) -> usize {
    escape(text).chars().map(char_width).sum()
}

fn char_width(c: char) -> usize {
    c.width().unwrap_or(0)
}

/// The width of a column holding `cells`: the widest cell, at least `min`, at most [`MAX_CELL`].
///
/// ```
/// use riskgrade_core::display::{MAX_CELL, column_width};
///
/// assert_eq!(column_width(["a", "abc"], 4), 4);
/// assert_eq!(column_width(["a", "abcdef"], 4), 6);
/// let long = "x".repeat(70_000);
/// assert_eq!(column_width([long.as_str()], 4), MAX_CELL);
/// ```
pub fn column_width<'a>(cells: impl IntoIterator<Item = &'a str>, min: usize) -> usize {
    cells
        .into_iter()
        .map(|c| width(c).min(MAX_CELL))
        .max()
        .unwrap_or(0)
        .max(min)
        .min(MAX_CELL.max(min))
}

/// `text` escaped, cut to `columns` display columns (ending in `…` when cut) and padded to
/// exactly `columns` with spaces on the side `align` says.
///
/// Never panics, whatever the lengths: the padding is built by hand, not by `{:<w$}`.
///
/// ```
/// use riskgrade_core::display::{Align, pad};
///
/// assert_eq!(pad("信用", 5, Align::Left), "信用 ");
/// assert_eq!(pad("a\tb", 6, Align::Right), "  a\\tb");
/// assert_eq!(pad(&"y".repeat(70_000), 5, Align::Left), "yyyy…");
/// ```
pub fn pad(text: &str, columns: usize, align: Align) -> String {
    let escaped = escape(text);
    let shown = fit(&escaped, columns);
    let fill = columns.saturating_sub(shown.chars().map(char_width).sum());
    let mut out = String::with_capacity(shown.len() + fill);
    if align == Align::Right {
        out.extend(std::iter::repeat_n(' ', fill));
    }
    out.push_str(&shown);
    if align == Align::Left {
        out.extend(std::iter::repeat_n(' ', fill));
    }
    out
}

/// `text` (already escaped) cut to at most `columns` display columns, the last being `…`.
fn fit(text: &str, columns: usize) -> Cow<'_, str> {
    if text.chars().map(char_width).sum::<usize>() <= columns {
        return Cow::Borrowed(text);
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = char_width(c);
        if used + w + 1 > columns {
            break;
        }
        out.push(c);
        used += w;
    }
    if columns > 0 {
        out.push('…');
    }
    Cow::Owned(out)
}

/// `text` escaped and cut to [`MAX_CELL`] display columns.
///
/// ```
/// use riskgrade_core::display::{MAX_CELL, clip, width};
///
/// assert_eq!(clip("ok\r"), "ok\\r");
/// assert_eq!(width(&clip(&"z".repeat(100_000))), MAX_CELL);
/// ```
pub fn clip(text: &str) -> String {
    clip_to(text, MAX_CELL)
}

/// `text` escaped and cut to at most `columns` display columns (ending in `…` when cut),
/// without padding: for a free-text last column.
///
/// ```
/// use riskgrade_core::display::clip_to;
///
/// assert_eq!(clip_to("+veto_a, +veto_b", 10), "+veto_a, …");
/// assert_eq!(clip_to("short", 10), "short");
/// ```
pub fn clip_to(text: &str, columns: usize) -> String {
    fit(&escape(text), columns).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_control_character_is_escaped() {
        for c in (0u32..0x20).chain(0x7f..0xa0).filter_map(char::from_u32) {
            let s = escape(&c.to_string()).into_owned();
            assert!(s.starts_with('\\'), "{c:?} shown as {s:?}");
            assert!(!s.chars().any(needs_escape), "{c:?} shown as {s:?}");
        }
    }

    #[test]
    fn long_text_pads_without_panicking() {
        let long = "e".repeat(70_000);
        for align in [Align::Left, Align::Right] {
            let w = column_width([long.as_str(), "id"], 4);
            assert_eq!(width(&pad(&long, w, align)), MAX_CELL);
            assert_eq!(pad("id", w, align).len(), MAX_CELL);
        }
        // The width asked for is honoured even beyond the cap, without `{:w$}`.
        assert_eq!(pad("x", 70_000, Align::Left).len(), 70_000);
    }

    proptest! {
        #[test]
        fn a_padded_cell_is_exactly_its_column(text in "\\PC*|[\\x00-\\x1f\\x7f\\u{202e}]*", columns in 0usize..80) {
            let cell = pad(&text, columns, Align::Left);
            let shown: usize = cell.chars().map(char_width).sum();
            prop_assert_eq!(shown, columns);
            prop_assert!(!cell.chars().any(needs_escape));
        }
    }
}
