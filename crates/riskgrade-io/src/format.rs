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

/// Writes `s` as a CSV field, quoted when it holds a comma, a quote or a line break.
pub(crate) fn csv_text(buf: &mut Vec<u8>, s: &str) {
    if s.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        buf.push(b'"');
        for part in s.split('"').enumerate() {
            if part.0 > 0 {
                buf.extend_from_slice(b"\"\"");
            }
            buf.extend_from_slice(part.1.as_bytes());
        }
        buf.push(b'"');
    } else {
        buf.extend_from_slice(s.as_bytes());
    }
}

/// Writes `s` as a JSON string, quoted and escaped.
pub(crate) fn json_string(buf: &mut Vec<u8>, s: &str) {
    buf.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1f => b"",
            _ => continue,
        };
        buf.extend_from_slice(&bytes[start..i]);
        if esc.is_empty() {
            let _ = write!(buf, "\\u{b:04x}");
        } else {
            buf.extend_from_slice(esc);
        }
        start = i + 1;
    }
    buf.extend_from_slice(&bytes[start..]);
    buf.push(b'"');
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

    #[test]
    fn csv_fields() {
        let mut b = Vec::new();
        for s in ["plain", "a,b", "say \"hi\"", "two\nlines", "东城区", ""] {
            csv_text(&mut b, s);
            b.push(b'|');
        }
        assert_eq!(
            String::from_utf8(b).unwrap(),
            "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"two\nlines\"|东城区||"
        );
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
