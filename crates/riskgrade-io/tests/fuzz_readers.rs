//! Fuzzing the readers: valid CSV, JSON Lines and Parquet files, mutated byte by byte
//! (flipped and inserted bytes, quotes, line breaks, bytes that are not UTF-8, cuts), must
//! read without a panic, and no enterprise may be lost: every line that still holds a whole
//! enterprise comes out as a row, read or named as unreadable.
//!
//! Inputs that once failed are kept in `tests/corpus/readers/` and replayed by
//! [`the_corpus_of_inputs_that_once_failed_reads_cleanly`]. The number of cases per property
//! is `PROPTEST_CASES` (2,000 by default: about ten seconds in all, well under a minute on a
//! loaded machine); see
//! `docs/fuzzing.md` for longer runs.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::Path;

use proptest::prelude::*;
use proptest::sample::Index;
use riskgrade_core::{Frame, InputSpec, InputType, Problem, Schema};
use riskgrade_io::{
    OutColumn, OutData, parse_profiles_jsonl, read_frame, read_profiles, write_table,
};

fn schema() -> Schema {
    let spec = |ty| InputSpec {
        ty,
        derive: None,
        attribute: None,
        column: None,
        description: None,
    };
    Schema::new([
        ("x".to_string(), spec(InputType::Number)),
        ("size".to_string(), spec(InputType::Category)),
        ("penalties".to_string(), spec(InputType::Count)),
    ])
}

const HEADER: &str = "id,industry,name,district,x,size,penalties,notes";

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(2000);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// A valid CSV of `n` enterprises `E0000`…, with quoted names, some holding commas.
fn valid_csv(n: usize, seed: u64) -> Vec<u8> {
    let mut text = format!("{HEADER}\n");
    for i in 0..n {
        let k = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(i as u64)
            >> 33;
        text.push_str(&format!(
            "E{i:04},C14,\"Firm {i}, Ltd\",D{},{}.5,{},{},note {k}\n",
            k % 7,
            k % 1000,
            ["small", "large"][(k % 2) as usize],
            k % 4
        ));
    }
    text.into_bytes()
}

/// A valid JSON Lines file of `n` profiles.
fn valid_jsonl(n: usize) -> Vec<u8> {
    (0..n)
        .map(|i| {
            format!(
                "{{\"id\": \"E{i:04}\", \"industry\": \"C14\", \"name\": \"Firm {i}\", \"records\": \
                 [{{\"kind\": \"complaint\", \"date\": \"2026-0{}-01\"}}]}}\n",
                1 + i % 9
            )
        })
        .collect::<String>()
        .into_bytes()
}

/// One change to a file.
#[derive(Debug, Clone)]
enum Mutation {
    /// Overwrite a byte.
    Set(Index, u8),
    /// Insert bytes that matter to the formats.
    Insert(Index, &'static [u8]),
    /// Remove up to this many bytes.
    Delete(Index, usize),
    /// Cut the file here.
    Truncate(Index),
}

const TOKENS: &[&[u8]] = &[
    b"\"",
    b"\n",
    b"\r\n",
    b"\r",
    b",",
    b"\"\"",
    b"\xff",
    b"\xe5",
    b"\x8c\x97",
    b"\xb1\xb1",
    b"\0",
    b"{",
    b"}",
    b"\\",
    b"\"id\": ",
    b"\n\n",
    b"E9999,",
];

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        4 => (any::<Index>(), prop::sample::select(TOKENS)).prop_map(|(i, t)| Mutation::Insert(i, t)),
        2 => (any::<Index>(), 1usize..40).prop_map(|(i, n)| Mutation::Delete(i, n)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
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
        Mutation::Delete(i, n) => {
            let at = i.index(bytes.len());
            let end = (at + n).min(bytes.len());
            bytes.drain(at..end);
        }
        Mutation::Truncate(i) => bytes.truncate(i.index(bytes.len() + 1)),
    }
}

/// The ids of the lines that still hold a whole enterprise as written, under the header as
/// written: an unquoted id first, then every field, all of it UTF-8.
fn intact_ids(bytes: &[u8]) -> BTreeSet<String> {
    let fields = HEADER.split(',').count();
    if !bytes.starts_with(format!("{HEADER}\n").as_bytes()) {
        // Another header names other columns: the lines mean something else.
        return BTreeSet::new();
    }
    bytes
        .split(|&b| b == b'\n' || b == b'\r')
        .skip(1)
        .filter_map(|line| std::str::from_utf8(line).ok())
        .filter(|line| {
            line.len() > 6
                && line.starts_with('E')
                && line.as_bytes()[1..5].iter().all(u8::is_ascii_digit)
                && line.as_bytes()[5] == b','
                && line.matches(',').count() >= fields - 1
        })
        .map(|line| line[..5].to_string())
        .collect()
}

/// What must hold of a frame read from `bytes`.
fn check_frame(bytes: &[u8], frame: &Frame) -> Result<(), TestCaseError> {
    let ids: BTreeSet<&str> = frame.ids().iter().map(String::as_str).collect();
    for id in intact_ids(bytes) {
        prop_assert!(
            ids.contains(id.as_str()),
            "`{id}` was lost from {:?}\nrows {:?}",
            String::from_utf8_lossy(bytes),
            frame.ids()
        );
    }
    // Each row comes from a line of its own (ended by `\n`, `\r\n` or `\r`, as CSV
    // readers take them): never more rows than lines.
    let text = String::from_utf8_lossy(bytes).replace("\r\n", "\n");
    let lines = text
        .split(['\n', '\r'])
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .count();
    prop_assert!(
        frame.len() <= lines,
        "{} rows from {lines} lines",
        frame.len()
    );
    // A row that could not be read is named: by its id, or by its line.
    for issue in frame.issues() {
        prop_assert!(issue.row < frame.len());
        if matches!(issue.problem, Problem::Unreadable(_)) {
            prop_assert!(!frame.ids()[issue.row].is_empty(), "{issue}");
        }
    }
    Ok(())
}

fn read_csv_bytes(dir: &Path, bytes: &[u8]) -> Result<Frame, riskgrade_io::IoError> {
    let path = dir.join("batch.csv");
    std::fs::write(&path, bytes).unwrap();
    read_frame(&path, &schema())
}

/// JSON Lines: every non-blank line is one profile, read or named as an issue.
fn check_jsonl(bytes: &[u8]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("profiles.jsonl");
    std::fs::write(&path, bytes).unwrap();
    let p = riskgrade_io::read_profiles(&path, false).unwrap();
    let body = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let lines = body
        .split(|&b| b == b'\n')
        .filter(|l| !l.trim_ascii().is_empty())
        .count();
    prop_assert_eq!(p.enterprises.len() + p.issues.len(), lines);
    if let Ok(text) = std::str::from_utf8(bytes) {
        prop_assert_eq!(&parse_profiles_jsonl(text, false).unwrap(), &p);
    }
    Ok(())
}

/// A valid Parquet file of `n` enterprises.
fn valid_parquet(dir: &Path, n: usize) -> Vec<u8> {
    let text = |f: &dyn Fn(usize) -> String| OutData::Text((0..n).map(|i| Some(f(i))).collect());
    let path = dir.join("valid.parquet");
    write_table(
        &path,
        &[
            OutColumn::new("id", text(&|i| format!("E{i:04}"))),
            OutColumn::new("industry", text(&|_| "C14".into())),
            OutColumn::new(
                "x",
                OutData::Number((0..n).map(|i| Some(i as f64)).collect()),
            ),
            OutColumn::new("size", text(&|i| ["small", "large"][i % 2].into())),
            OutColumn::new(
                "penalties",
                OutData::Number((0..n).map(|i| Some((i % 3) as f64)).collect()),
            ),
        ],
    )
    .unwrap();
    std::fs::read(path).unwrap()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn mutated_csv_never_panics_and_loses_no_enterprise(
        n in 1usize..40,
        seed in any::<u64>(),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let mut bytes = valid_csv(n, seed);
        for m in &mutations {
            apply(&mut bytes, m);
        }
        let dir = tempfile::tempdir().unwrap();
        // A file whose header no longer names the columns is refused as a whole.
        if let Ok(frame) = read_csv_bytes(dir.path(), &bytes) {
            check_frame(&bytes, &frame)?;
        }
    }

    #[test]
    fn mutated_json_lines_never_panic_and_name_every_line(
        n in 1usize..30,
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let mut bytes = valid_jsonl(n);
        for m in &mutations {
            apply(&mut bytes, m);
        }
        check_jsonl(&bytes)?;
    }

    /// A `.json` array whose profiles get bytes that are not UTF-8 inside their strings: every
    /// damaged profile is named on its line, every other one is read.
    #[test]
    fn json_array_profiles_that_are_not_utf8_are_named_and_the_others_read(
        n in 1usize..30,
        damage in prop::collection::vec((any::<Index>(), any::<Index>(), prop::sample::select(&[b"\xff" as &[u8], b"\xb1\xb1", b"\xe5", b"\xf0\x9f"][..])), 1..5),
    ) {
        // `valid_jsonl` lines joined into an array: profile i is on line i + 2.
        let lines: Vec<Vec<u8>> = valid_jsonl(n).split(|&b| b == b'\n').filter(|l| !l.is_empty()).map(<[u8]>::to_vec).collect();
        let mut damaged = BTreeSet::new();
        let mut lines = lines;
        for (which, at, bytes) in &damage {
            let i = which.index(n);
            // Inside the name's text, `Firm …`.
            let start = lines[i].windows(9).position(|w| w == b"\"name\": \"").unwrap() + 9;
            let at = start + at.index(4);
            lines[i].splice(at..at, bytes.iter().copied());
        }
        // Insertions may also join into a valid character: a line is damaged if it is not UTF-8.
        for (i, l) in lines.iter().enumerate() {
            if std::str::from_utf8(l).is_err() {
                damaged.insert(i);
            }
        }
        let mut file = b"[\n".to_vec();
        for (i, l) in lines.iter().enumerate() {
            file.extend_from_slice(l);
            file.extend_from_slice(if i + 1 < n { b",\n" } else { b"\n" });
        }
        file.extend_from_slice(b"]\n");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("profiles.json");
        std::fs::write(&path, &file).unwrap();
        let p = read_profiles(&path, false).unwrap();
        let named: BTreeSet<String> = p.issues.iter().map(|i| i.id.clone().unwrap()).collect();
        let expected: BTreeSet<String> = damaged.iter().map(|i| format!("E{i:04}")).collect();
        prop_assert_eq!(named, expected);
        for issue in &p.issues {
            let i: usize = issue.id.as_deref().unwrap()[1..].parse().unwrap();
            prop_assert_eq!(issue.line, i + 2);
        }
        prop_assert_eq!(p.enterprises.len() + p.issues.len(), n);
    }

    #[test]
    fn mutated_parquet_never_panics(
        n in 1usize..50,
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = valid_parquet(dir.path(), n);
        for m in &mutations {
            apply(&mut bytes, m);
        }
        let path = dir.path().join("mutated.parquet");
        std::fs::write(&path, &bytes).unwrap();
        // A damaged Parquet file is refused with an error or read; a panic fails the test.
        if let Ok(frame) = read_frame(&path, &schema()) {
            prop_assert!(frame.len() <= n.max(1) * 2);
        }
    }
}

#[test]
fn the_corpus_of_inputs_that_once_failed_reads_cleanly() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/readers");
    let mut seen = 0;
    for entry in std::fs::read_dir(&corpus).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let name = path.display().to_string();
        match path.extension().and_then(|e| e.to_str()) {
            Some("csv") => {
                let frame = read_frame(&path, &schema()).unwrap_or_else(|e| panic!("{name}: {e}"));
                check_frame(&bytes, &frame).unwrap_or_else(|e| panic!("{name}: {e}"));
            }
            Some("jsonl") => check_jsonl(&bytes).unwrap_or_else(|e| panic!("{name}: {e}")),
            Some("parquet") => {
                // Once a panic in the Arrow schema decoder: the schema is a hint, the data reads.
                let frame = read_frame(&path, &schema()).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(frame.ids(), ["E0000", "E0001", "E0002"], "{name}");
            }
            _ => continue,
        }
        seen += 1;
    }
    assert!(seen >= 4, "{seen} inputs in {}", corpus.display());
}
