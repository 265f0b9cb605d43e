//! Damaged input files: every enterprise in the file comes out, read or named as unreadable.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::Path;

use riskgrade_core::{Frame, InputSpec, InputType, Problem, Schema};
use riskgrade_io::{parse_profiles_jsonl, read_frame, read_profiles};

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
    ])
}

const HEADER: &str = "id,industry,name,district,x,size,notes\n";

/// Ten good rows, E1..E10, on lines 2..11.
fn rows() -> Vec<String> {
    (1..=10)
        .map(|i| format!("E{i},C14,Firm {i},D1,{i},small,note {i}\n"))
        .collect()
}

fn read(dir: &Path, bytes: &[u8]) -> Frame {
    let path = dir.join("batch.csv");
    std::fs::write(&path, bytes).unwrap();
    read_frame(&path, &schema()).unwrap()
}

/// The rows with an `Unreadable` issue, by id.
fn unreadable(frame: &Frame) -> BTreeSet<String> {
    frame
        .issues()
        .iter()
        .filter(|i| matches!(i.problem, Problem::Unreadable(_)))
        .map(|i| frame.ids()[i.row].clone())
        .collect()
}

fn ids(frame: &Frame) -> BTreeSet<String> {
    frame.ids().iter().cloned().collect()
}

fn all_ids() -> BTreeSet<String> {
    (1..=10).map(|i| format!("E{i}")).collect()
}

#[test]
fn a_cell_that_is_not_utf8_is_its_rows_problem_in_every_column() {
    let dir = tempfile::tempdir().unwrap();
    // Each column in turn gets a GBK cell in row E4; the id column's damage keeps the rest of the id.
    for column in 0..7 {
        let mut bytes = HEADER.as_bytes().to_vec();
        for (i, row) in rows().iter().enumerate() {
            if i != 3 {
                bytes.extend_from_slice(row.as_bytes());
                continue;
            }
            let cells: Vec<&str> = row.trim_end().split(',').collect();
            for (c, cell) in cells.iter().enumerate() {
                if c > 0 {
                    bytes.push(b',');
                }
                bytes.extend_from_slice(cell.as_bytes());
                if c == column {
                    bytes.extend_from_slice(&[0xb1, 0xb1]);
                }
            }
            bytes.push(b'\n');
        }
        let frame = read(dir.path(), &bytes);
        assert_eq!(frame.len(), 10, "column {column}");
        if column == 6 {
            // `notes` is not read: nothing is wrong.
            assert!(frame.issues().is_empty(), "{:?}", frame.issues());
            continue;
        }
        let bad: Vec<_> = frame.issues().iter().collect();
        assert_eq!(bad.len(), 1, "column {column}: {bad:?}");
        assert_eq!(bad[0].row, 3);
        assert!(
            bad[0]
                .to_string()
                .contains("line 5: text is not valid UTF-8"),
            "{}",
            bad[0]
        );
        assert!(frame.ids()[3].starts_with("E4"), "{:?}", frame.ids()[3]);
        for r in (0..10).filter(|&r| r != 3) {
            assert_eq!(frame.number("x").unwrap()[r], (r + 1) as f64);
        }
    }
}

#[test]
fn a_character_split_between_two_cells_is_not_read_as_text() {
    // `\xe5` ends one cell and `\x8c\x97` starts the next: together they are valid UTF-8 (北),
    // apart neither is.
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = b"id,industry,name,district,x,size\nE1,C14,a\xe5,\x8c\x97,1,small\n".to_vec();
    bytes.extend_from_slice(b"E2,C14,b,D,2,small\n");
    let frame = read(dir.path(), &bytes);
    assert_eq!(frame.ids(), ["E1", "E2"]);
    assert_eq!(unreadable(&frame), BTreeSet::from(["E1".to_string()]));
}

#[test]
fn jsonl_lines_that_are_not_utf8_are_their_profiles_issues() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("profiles.jsonl");
    let mut bytes = b"{\"id\": \"E1\", \"industry\": \"C14\"}\n".to_vec();
    bytes.extend_from_slice(b"{\"id\": \"E2\", \"industry\": \"C14\", \"name\": \"\xb1\xb1\"}\n");
    bytes.extend_from_slice(b"\xff\n");
    bytes.extend_from_slice(b"{\"id\": \"E3\", \"industry\": \"C14\"}\n");
    std::fs::write(&path, &bytes).unwrap();
    let p = read_profiles(&path, false).unwrap();
    let read: Vec<&str> = p.enterprises.iter().map(|e| e.id.0.as_str()).collect();
    assert_eq!(read, ["E1", "E3"]);
    let issues: Vec<String> = p.issues.iter().map(ToString::to_string).collect();
    assert_eq!(
        issues,
        [
            "line 2, enterprise `E2`: text is not valid UTF-8 at column 42, save the file as UTF-8",
            "line 3: text is not valid UTF-8 at column 1, save the file as UTF-8"
        ]
    );
    assert!(read_profiles(&path, true).is_err());
}

#[test]
fn json_array_profiles_that_are_not_utf8_are_their_profiles_issues() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("profiles.json");
    // Five profiles, one per line from line 2; the damaged ones hold GBK bytes or a lone byte in
    // a string: in the name, in a record, in the id itself, the first and the last profile.
    let profile = |i: usize, name: &[u8]| {
        let mut p =
            format!("  {{\"id\": \"E{i}\", \"industry\": \"C14\", \"name\": \"").into_bytes();
        p.extend_from_slice(name);
        p.extend_from_slice(b"\"}");
        p
    };
    for bad in [vec![1], vec![3], vec![5], vec![1, 2, 3, 4, 5], vec![2, 4]] {
        let mut bytes = b"\xef\xbb\xbf[\n".to_vec();
        for i in 1..=5 {
            let name: &[u8] = if bad.contains(&i) {
                b"\xb1\xb1 Foods"
            } else {
                b"Foods"
            };
            bytes.extend_from_slice(&profile(i, name));
            bytes.extend_from_slice(if i < 5 { b",\n" } else { b"\n" });
        }
        bytes.extend_from_slice(b"]\n");
        std::fs::write(&path, &bytes).unwrap();
        let p = read_profiles(&path, false).unwrap();
        let read: Vec<String> = p.enterprises.iter().map(|e| e.id.0.clone()).collect();
        let expected: Vec<String> = (1..=5)
            .filter(|i| !bad.contains(i))
            .map(|i| format!("E{i}"))
            .collect();
        assert_eq!(read, expected, "damaged {bad:?}");
        let issues: Vec<String> = p.issues.iter().map(ToString::to_string).collect();
        let expected: Vec<String> = bad
            .iter()
            .map(|i| format!("line {}, enterprise `E{i}`: text is not valid UTF-8 at column 44, save the file as UTF-8", i + 1))
            .collect();
        assert_eq!(issues, expected, "damaged {bad:?}");
        assert!(read_profiles(&path, true).is_err());
    }
    // In the id: the profile is named by its line.
    std::fs::write(
        &path,
        b"[{\"id\": \"E1\", \"industry\": \"C14\"},\n {\"id\": \"E\xff2\", \"industry\": \"C14\"}]",
    )
    .unwrap();
    let p = read_profiles(&path, false).unwrap();
    assert_eq!(p.enterprises.len(), 1);
    assert_eq!(p.issues[0].line, 2);
    assert!(
        p.unreadable()[0]
            .1
            .starts_with("line 2: text is not valid UTF-8 at column 11"),
        "{:?}",
        p.unreadable()
    );
    // Damage between profiles breaks the JSON: the file is refused at that line.
    std::fs::write(
        &path,
        b"[{\"id\": \"E1\", \"industry\": \"C14\"},\n\xff{\"id\": \"E2\", \"industry\": \"C14\"}]",
    )
    .unwrap();
    let err = read_profiles(&path, false).unwrap_err();
    assert!(
        matches!(err, riskgrade_io::IoError::NotUtf8 { line: 2, .. }),
        "{err:?}"
    );
    // A single profile that is not UTF-8 is that profile's issue too.
    std::fs::write(
        &path,
        b"{\"id\": \"E1\", \"industry\": \"C14\", \"name\": \"\xb1\"}",
    )
    .unwrap();
    let p = read_profiles(&path, false).unwrap();
    assert_eq!((p.enterprises.len(), p.issues.len()), (0, 1));
}

/// Row E4 (line 5) with a quote opened in `column` and closed `close_after` lines later (or never).
fn unterminated(column: usize, close_after: Option<usize>) -> Vec<u8> {
    let mut text = HEADER.to_string();
    for (i, row) in rows().iter().enumerate() {
        let mut row = row.clone();
        if i == 3 {
            let mut cells: Vec<String> = row.trim_end().split(',').map(String::from).collect();
            cells[column].insert(0, '"');
            row = cells.join(",") + "\n";
        }
        if let Some(k) = close_after
            && i == 3 + k
        {
            // The quote closes at the end of this line's `name`.
            row = row.replacen(",D1,", "\",D1,", 1);
        }
        text.push_str(&row);
    }
    text.into_bytes()
}

#[test]
fn an_unterminated_quote_loses_no_enterprise_and_names_every_line() {
    let dir = tempfile::tempdir().unwrap();
    for (column, crlf) in (0..7).flat_map(|c| [(c, false), (c, true)]) {
        for close in [None, Some(2), Some(5)] {
            let mut bytes = unterminated(column, close);
            if crlf {
                bytes = String::from_utf8(bytes)
                    .unwrap()
                    .replace('\n', "\r\n")
                    .into_bytes();
            }
            let frame = read(dir.path(), &bytes);
            let what = format!("quote in column {column}, closed after {close:?}, crlf {crlf}");
            // Every enterprise is in the frame, read or unreadable.
            assert_eq!(ids(&frame), all_ids(), "{what}");
            let bad = unreadable(&frame);
            let last = close.map_or(10, |k| 4 + k);
            let expected: BTreeSet<String> = (4..=last).map(|i| format!("E{i}")).collect();
            assert_eq!(bad, expected, "{what}: {:?}", frame.issues());
            // The row that opens the quote says where the field runs.
            let opener = frame.issues().iter().find(|i| i.row == 3).unwrap();
            assert!(
                opener
                    .to_string()
                    .contains(&format!("lines 5-{}: the quoted field", last + 1)),
                "{what}: {opener}"
            );
            // The swallowed lines each name their line.
            for i in 5..=last {
                let row = frame.ids().iter().position(|id| *id == format!("E{i}"));
                let issue = frame.issues().iter().find(|is| Some(is.row) == row);
                assert!(
                    issue.is_some_and(|is| is
                        .to_string()
                        .contains(&format!("line {}: read as part of the quoted field", i + 1))),
                    "{what}: {issue:?}"
                );
            }
            // Rows before the quote, and after it closes, are read as usual.
            assert_eq!(frame.number("x").unwrap()[2], 3.0, "{what}");
        }
    }
}

#[test]
fn text_over_several_lines_is_kept_where_text_may_have_them() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{HEADER}E1,C14,\"Plain\nFoods\",D1,1,small,\"two\r\nlines, of notes\"\nE2,C14,x,D1,2,small,n\n"
    );
    let frame = read(dir.path(), text.as_bytes());
    assert_eq!(frame.ids(), ["E1", "E2"]);
    assert!(frame.issues().is_empty(), "{:?}", frame.issues());
    assert_eq!(frame.names()[0], "Plain\nFoods");

    // Not in an input: its values are one line.
    let text = format!("{HEADER}E1,C14,n,D1,\"1\n\",small,n\nE2,C14,x,D1,2,small,n\n");
    let frame = read(dir.path(), text.as_bytes());
    assert_eq!(unreadable(&frame), BTreeSet::from(["E1".to_string()]));
}

#[test]
fn header_only_and_empty_files_read_no_enterprise() {
    let dir = tempfile::tempdir().unwrap();
    assert!(read(dir.path(), HEADER.as_bytes()).is_empty());
    let path = dir.path().join("empty.csv");
    std::fs::write(&path, b"").unwrap();
    assert!(read_frame(&path, &schema()).is_err());
    assert!(
        parse_profiles_jsonl("\n\n", false)
            .unwrap()
            .enterprises
            .is_empty()
    );
}
