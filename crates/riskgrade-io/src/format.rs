//! File formats by extension, and the text forms of values shared by the writers.

use std::io::Write;
use std::path::Path;

/// Extensions [`crate::read_frame`] handles.
pub(crate) const FRAME_FORMATS: &[&str] = &["csv", "parquet"];
/// Extensions [`crate::read_profiles`] handles.
pub(crate) const PROFILE_FORMATS: &[&str] = &["json", "jsonl", "ndjson"];
/// Extensions [`crate::write_table`] and [`crate::read_table`] handle.
pub(crate) const TABLE_FORMATS: &[&str] = &["csv", "parquet", "json", "jsonl", "ndjson"];

/// A file format, known from the file's extension (case-insensitive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Csv,
    Parquet,
    Json,
    Jsonl,
}

impl Format {
    pub(crate) fn of(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(Format::Csv),
            "parquet" => Some(Format::Parquet),
            "json" => Some(Format::Json),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            _ => None,
        }
    }
}

/// Writes `x` for CSV: whole numbers without a fraction, others in their
/// shortest round-trip form (`0.1`, `1e-7`); NaN as nothing, infinities as `inf`/`-inf`.
pub(crate) fn csv_number(buf: &mut Vec<u8>, x: f64) {
    if x.is_infinite() {
        buf.extend_from_slice(if x > 0.0 { b"inf" } else { b"-inf" });
    } else if !x.is_nan() {
        finite_number(buf, x);
    }
}

/// Writes `x` as a JSON number, or `null` when it is not finite.
pub(crate) fn json_number(buf: &mut Vec<u8>, x: f64) {
    if x.is_finite() {
        finite_number(buf, x);
    } else {
        buf.extend_from_slice(b"null");
    }
}

fn finite_number(buf: &mut Vec<u8>, x: f64) {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        integer(buf, x as i64);
    } else {
        // serde_json prints floats with `ryu` (shortest round trip); writing into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *buf, &x);
    }
}

/// Writes an integer.
pub(crate) fn integer(buf: &mut Vec<u8>, x: i64) {
    let _ = serde_json::to_writer(&mut *buf, &x);
}

/// Characters a spreadsheet takes as the start of a formula (the OWASP
/// CSV-injection list: `=`, `+`, `-`, `@`, tab, carriage return). A carriage
/// return never starts a CSV cell (it is written escaped), so it needs no guard.
pub(crate) const FORMULA_STARTS: [char; 5] = ['=', '+', '-', '@', '\t'];

/// Whether `s` needs a `'` in front in CSV: it starts with a formula character
/// once its own leading `'`s are set aside (so that reading back can remove
/// exactly one `'` and get `s`).
pub(crate) fn needs_formula_guard(s: &str) -> bool {
    s.trim_start_matches('\'')
        .starts_with(|c: char| FORMULA_STARTS.contains(&c))
}

/// Whether CSV holds `c` escaped: every control character (Unicode `Cc`:
/// U+0000–U+001F, U+007F–U+009F) but the line feed and the tab, which a
/// quoted CSV field holds as they are.
fn csv_escaped(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// Writes `s` as a CSV field: control characters other than line feed and
/// tab as `\uXXXX`, a `'` in front of a formula start, and quoted when it
/// holds a comma, a quote, a line feed or a tab, or is guarded.
pub(crate) fn csv_text(buf: &mut Vec<u8>, s: &str) {
    let guarded = needs_formula_guard(s);
    let needs_quotes = guarded || s.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\t'));
    if needs_quotes {
        buf.push(b'"');
    }
    if guarded {
        buf.push(b'\'');
    }
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if !(csv_escaped(c) || c == '"') {
            continue;
        }
        buf.extend_from_slice(&s.as_bytes()[start..i]);
        if c == '"' {
            buf.extend_from_slice(b"\"\"");
        } else {
            let _ = write!(buf, "\\u{:04x}", u32::from(c));
        }
        start = i + c.len_utf8();
    }
    buf.extend_from_slice(&s.as_bytes()[start..]);
    if needs_quotes {
        buf.push(b'"');
    }
}

/// Writes `s` as a JSON string, quoted and escaped; every control character
/// (C0, DEL and C1) is escaped, so none reaches a terminal raw.
pub(crate) fn json_string(buf: &mut Vec<u8>, s: &str) {
    buf.push(b'"');
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let esc: &[u8] = match c {
            '"' => b"\\\"",
            '\\' => b"\\\\",
            '\n' => b"\\n",
            '\r' => b"\\r",
            '\t' => b"\\t",
            c if c.is_control() => b"",
            _ => continue,
        };
        buf.extend_from_slice(&s.as_bytes()[start..i]);
        if esc.is_empty() {
            let _ = write!(buf, "\\u{:04x}", u32::from(c));
        } else {
            buf.extend_from_slice(esc);
        }
        start = i + c.len_utf8();
    }
    buf.extend_from_slice(&s.as_bytes()[start..]);
    buf.push(b'"');
}

/// Writes a list of texts as a JSON array of strings (a list cell in CSV and JSON).
pub(crate) fn json_list<'a>(buf: &mut Vec<u8>, items: impl IntoIterator<Item = &'a str>) {
    buf.push(b'[');
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        json_string(buf, item);
    }
    buf.push(b']');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(x: f64) -> String {
        let mut b = Vec::new();
        csv_number(&mut b, x);
        String::from_utf8(b).unwrap()
    }

    #[test]
    fn numbers() {
        assert_eq!(csv(3.0), "3");
        assert_eq!(csv(-0.0), "0");
        assert_eq!(csv(0.1), "0.1");
        assert_eq!(csv(1e-7).parse::<f64>().unwrap(), 1e-7);
        assert!(csv(1e20).len() < 8, "{}", csv(1e20));
        assert_eq!(csv(f64::NAN), "");
        assert_eq!(csv(f64::NEG_INFINITY), "-inf");
        for x in [
            0.1,
            1.0 / 3.0,
            1e-300,
            1e20,
            -2.5e-8,
            1e15 + 0.5,
            123456.789,
            2.5e-8,
            f64::MAX,
            f64::MIN_POSITIVE,
        ] {
            assert_eq!(csv(x).parse::<f64>().unwrap(), x);
        }
        let mut b = Vec::new();
        json_number(&mut b, f64::INFINITY);
        assert_eq!(b, b"null");
    }

    fn csv_cell(s: &str) -> String {
        let mut b = Vec::new();
        csv_text(&mut b, s);
        String::from_utf8(b).unwrap()
    }

    #[test]
    fn csv_fields() {
        let mut b = Vec::new();
        for s in ["plain", "a,b", "say \"hi\"", "东城区", ""] {
            csv_text(&mut b, s);
            b.push(b'|');
        }
        assert_eq!(
            String::from_utf8(b).unwrap(),
            "plain|\"a,b\"|\"say \"\"hi\"\"\"|东城区||"
        );
    }

    #[test]
    fn csv_cells_hold_no_control_character_but_quoted_line_feeds_and_tabs() {
        for c in (0u32..0x20).chain(0x7f..0xa0).filter_map(char::from_u32) {
            let cell = csv_cell(&format!("a{c}b"));
            if c == '\n' || c == '\t' {
                assert_eq!(cell, format!("\"a{c}b\""));
            } else {
                assert!(!cell.chars().any(char::is_control), "{c:?}: {cell:?}");
                assert_eq!(cell, format!("a\\u{:04x}b", u32::from(c)));
            }
        }
        assert_eq!(csv_cell("\u{1b}[31mred"), "\\u001b[31mred");
    }

    #[test]
    fn csv_cells_never_start_a_formula() {
        for s in [
            "=cmd|' /C calc'!A0",
            "+1",
            "-2+3",
            "@SUM(A1)",
            "\t=1",
            "'=1",
            "''@x",
        ] {
            let cell = csv_cell(s);
            let text = cell.trim_start_matches('"');
            assert!(text.starts_with('\''), "{s:?} -> {cell:?}");
            assert!(cell.starts_with('"'), "{s:?} -> {cell:?}");
        }
        assert_eq!(csv_cell("=1+1"), "\"'=1+1\"");
        assert_eq!(csv_cell("\t=1"), "\"'\t=1\"");
        // A carriage return is escaped, so it starts no formula.
        assert_eq!(csv_cell("\r=1"), "\\u000d=1");
        assert_eq!(csv_cell("'=1"), "\"''=1\"");
        for s in ["plain", "a-b", "'quoted'", "1-2"] {
            assert_eq!(csv_cell(s), s);
        }
    }

    #[test]
    fn json_lists_escape_every_control_character() {
        let mut b = Vec::new();
        let items = ["a | b".to_string(), "c,d".into(), "\u{9b}2J\u{7f}".into()];
        json_list(&mut b, items.iter().map(String::as_str));
        let s = String::from_utf8(b).unwrap();
        assert!(!s.chars().any(char::is_control), "{s:?}");
        assert_eq!(serde_json::from_str::<Vec<String>>(&s).unwrap(), items);
    }

    #[test]
    fn json_strings() {
        let mut b = Vec::new();
        json_string(&mut b, "a\"b\\c\nd\u{1}é");
        let s = String::from_utf8(b).unwrap();
        assert_eq!(
            serde_json::from_str::<String>(&s).unwrap(),
            "a\"b\\c\nd\u{1}é"
        );
    }

    #[test]
    fn formats() {
        assert_eq!(Format::of(Path::new("a/B.CSV")), Some(Format::Csv));
        assert_eq!(Format::of(Path::new("a.ndjson")), Some(Format::Jsonl));
        assert_eq!(Format::of(Path::new("a.xlsx")), None);
        assert_eq!(Format::of(Path::new("csv")), None);
    }
}
