//! Mutations of definition files for the loaders' fuzz harnesses (model sets, plans, AHP
//! judgements, rule tests, shared result sets). A valid file is changed by a few edits:
//! bytes overwritten, tokens of TOML, JSON and CSV inserted, a value replaced by a hostile
//! one (`nan`, `1e308`, `-1`, a huge integer, an empty string, a table), lines dropped,
//! doubled or swapped, bytes that are not UTF-8, cuts. The harnesses include this file with
//! `#[path]`; `docs/fuzzing.md` says how to run them longer (`PROPTEST_CASES`).
#![allow(dead_code)]

use proptest::prelude::*;
use proptest::sample::Index;

/// The number of cases per property: `PROPTEST_CASES`, else `default`.
pub fn config(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// One edit of a file.
#[derive(Debug, Clone)]
pub enum Mutation {
    /// Overwrite a byte.
    Set(Index, u8),
    /// Insert a token that matters to the formats.
    Insert(Index, &'static [u8]),
    /// Replace the value after the n-th `=` or `:` (to the end of its line, a `,`, `]` or `}`).
    Value(Index, &'static str),
    /// Remove up to this many bytes.
    Delete(Index, usize),
    /// Drop a line.
    DropLine(Index),
    /// Write a line twice.
    DoubleLine(Index),
    /// Swap two lines.
    SwapLines(Index, Index),
    /// Cut the file here.
    Truncate(Index),
}

/// Tokens of TOML, JSON and CSV, and bytes that are not UTF-8.
pub const TOKENS: &[&[u8]] = &[
    b"\"",
    b"'",
    b"'''",
    b"\n",
    b"\r\n",
    b"\r",
    b",",
    b"=",
    b"[",
    b"]",
    b"[[",
    b"]]",
    b"{",
    b"}",
    b".",
    b"#",
    b"\\",
    b"\\u",
    b"\0",
    b"\t",
    b"\xff",
    b"\xe5",
    b"\xb1\xb1",
    b"\xf0\x9f",
    b"\xef\xbb\xbf",
    b"\xe2\x80\xae",
    b"\n[x]\n",
    b"\n[[x]]\n",
    b"-",
    b"0",
    b"9",
    b"e",
];

/// Values that are often wrong where a value belongs.
pub const VALUES: &[&str] = &[
    "nan",
    "inf",
    "-inf",
    "1e308",
    "-1e308",
    "1e-320",
    "-1",
    "0",
    "0.0",
    "1",
    "99999999999999999999999",
    "9223372036854775807",
    "-9223372036854775808",
    "\"\"",
    "\"x\"",
    "\"1/0\"",
    "\"0/1\"",
    "\"1/3\"",
    "\"ZZ99\"",
    "\"2026-02-30\"",
    "\"9999-12-31\"",
    "true",
    "[]",
    "[[]]",
    "{}",
    "[1, \"a\"]",
    "\"\u{202e}\"",
    "'''\n'''",
];

/// Up to `n` edits.
pub fn mutations(n: usize) -> impl Strategy<Value = Vec<Mutation>> {
    prop::collection::vec(mutation(), 1..=n)
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        4 => (any::<Index>(), prop::sample::select(TOKENS)).prop_map(|(i, t)| Mutation::Insert(i, t)),
        6 => (any::<Index>(), prop::sample::select(VALUES)).prop_map(|(i, v)| Mutation::Value(i, v)),
        2 => (any::<Index>(), 1usize..40).prop_map(|(i, n)| Mutation::Delete(i, n)),
        2 => any::<Index>().prop_map(Mutation::DropLine),
        2 => any::<Index>().prop_map(Mutation::DoubleLine),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
    ]
}

/// `bytes` with the edits applied in order.
pub fn apply(mut bytes: Vec<u8>, edits: &[Mutation]) -> Vec<u8> {
    for m in edits {
        apply_one(&mut bytes, m);
    }
    bytes
}

fn apply_one(bytes: &mut Vec<u8>, m: &Mutation) {
    if bytes.is_empty() {
        return;
    }
    match m {
        Mutation::Set(i, b) => {
            let at = i.index(bytes.len());
            bytes[at] = *b;
        }
        Mutation::Insert(i, t) => {
            let at = i.index(bytes.len() + 1);
            bytes.splice(at..at, t.iter().copied());
        }
        Mutation::Value(i, v) => replace_value(bytes, i, v.as_bytes()),
        Mutation::Delete(i, n) => {
            let at = i.index(bytes.len());
            let end = (at + n).min(bytes.len());
            bytes.drain(at..end);
        }
        Mutation::DropLine(i) => {
            let lines = lines(bytes);
            let (a, b) = lines[i.index(lines.len())];
            bytes.drain(a..b);
        }
        Mutation::DoubleLine(i) => {
            let lines = lines(bytes);
            let (a, b) = lines[i.index(lines.len())];
            let line: Vec<u8> = bytes[a..b].to_vec();
            bytes.splice(b..b, line);
        }
        Mutation::SwapLines(i, j) => {
            let lines = lines(bytes);
            let (x, y) = (i.index(lines.len()), j.index(lines.len()));
            let (x, y) = (x.min(y), x.max(y));
            if x != y {
                let (a, b) = lines[x];
                let (c, d) = lines[y];
                let mut out = bytes[..a].to_vec();
                out.extend_from_slice(&bytes[c..d]);
                out.extend_from_slice(&bytes[b..c]);
                out.extend_from_slice(&bytes[a..b]);
                out.extend_from_slice(&bytes[d..]);
                *bytes = out;
            }
        }
        Mutation::Truncate(i) => bytes.truncate(i.index(bytes.len() + 1)),
    }
}

/// Each line's byte range, its line break included.
fn lines(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'\n' {
            out.push((start, i + 1));
            start = i + 1;
        }
    }
    if start < bytes.len() || out.is_empty() {
        out.push((start, bytes.len()));
    }
    out
}

/// Replaces the value after the n-th `=` or `:` (n picked by `i`) with `v`.
fn replace_value(bytes: &mut Vec<u8>, i: &Index, v: &[u8]) {
    let marks: Vec<usize> = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| matches!(b, b'=' | b':'))
        .map(|(k, _)| k + 1)
        .collect();
    if marks.is_empty() {
        return;
    }
    let mut start = marks[i.index(marks.len())];
    while bytes.get(start) == Some(&b' ') {
        start += 1;
    }
    let mut end = start;
    let mut quoted = false;
    while let Some(&b) = bytes.get(end) {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' => break,
            b',' | b']' | b'}' if !quoted => break,
            _ => {}
        }
        end += 1;
    }
    bytes.splice(start..end, v.iter().copied());
}

/// The one-based line and column of the first byte of `bytes` that is not UTF-8, if any.
pub fn first_bad_byte(bytes: &[u8]) -> Option<(usize, usize)> {
    let good = std::str::from_utf8(bytes).err()?.valid_up_to();
    let line = 1 + bytes[..good].iter().filter(|&&b| b == b'\n').count();
    let start = bytes[..good]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let column = 1 + String::from_utf8_lossy(&bytes[start..good]).chars().count();
    Some((line, column))
}
