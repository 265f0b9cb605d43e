//! List columns and hostile text in every output format: lists stay lists,
//! no control character or spreadsheet formula reaches a CSV cell, and
//! reading back gives what was written.

use std::path::Path;

use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use riskgrade_io::{Cell, OutColumn, OutData, read_table, write_table};

/// Texts a rule author or a data file could produce.
fn hostile() -> Vec<String> {
    [
        "=cmd|' /C calc'!A0",
        "+1+1",
        "-2",
        "@SUM(A1:A9)",
        "\t=1",
        "\r=1",
        "'=already quoted",
        "a | b",
        "c, d",
        "say \"hi\"",
        "row 99, enterprise E1: forged\nrow 100",
        "\u{1b}[2J\u{0}\u{7f}\u{9b}31m",
        "重点监管",
        "",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn table() -> Vec<OutColumn> {
    let texts = hostile();
    let n = texts.len();
    let lists: Vec<Vec<String>> = (0..n)
        .map(|i| texts.iter().skip(i).take(3).cloned().collect())
        .collect();
    vec![
        OutColumn::new(
            "id",
            OutData::Text((0..n).map(|i| Some(format!("E{i}"))).collect()),
        ),
        OutColumn::new("note", OutData::Text(texts.into_iter().map(Some).collect())),
        OutColumn::new("labels", OutData::List(lists)),
    ]
}

fn list_of(cell: &Cell) -> Vec<String> {
    match cell {
        Cell::Text(t) => serde_json::from_str(t).expect("a JSON array of strings"),
        other => panic!("expected a list as text, got {other:?}"),
    }
}

fn check_round_trip(path: &Path, exact_text: bool) {
    let cols = table();
    write_table(path, &cols).expect("write");
    let back = read_table(path).expect("read");
    assert_eq!(back.columns, ["id", "note", "labels"]);
    let (OutData::Text(notes), OutData::List(lists)) = (&cols[1].data, &cols[2].data) else {
        unreachable!()
    };
    for (r, row) in back.rows.iter().enumerate() {
        assert_eq!(list_of(&row[2]), lists[r], "{}: row {r}", path.display());
        let want = notes[r].as_deref().unwrap_or_default();
        let got = match &row[1] {
            Cell::Text(t) => t.as_str(),
            Cell::Missing => "",
            other => panic!("{other:?}"),
        };
        let escaped_in_csv = want
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t');
        if exact_text || !escaped_in_csv {
            assert_eq!(got, want, "{}: row {r}", path.display());
        }
    }
}

#[test]
fn lists_and_hostile_text_round_trip_through_every_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    check_round_trip(&dir.path().join("t.csv"), false);
    for name in ["t.jsonl", "t.json", "t.parquet"] {
        check_round_trip(&dir.path().join(name), true);
    }
}

#[test]
fn csv_cells_hold_no_control_character_and_start_no_formula() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("t.csv");
    write_table(&path, &table()).expect("write");
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(
        !text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t'),
        "{text:?}"
    );
    let mut reader = csv::ReaderBuilder::new().from_path(&path).expect("csv");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("record")).collect();
    assert_eq!(rows.len(), hostile().len(), "one line per row");
    for row in &rows {
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a cell a spreadsheet would run: {cell:?}"
            );
        }
    }
    // The list column's cells are JSON arrays, whatever separators the items hold.
    assert_eq!(&rows[7][2], r#"["a | b","c, d","say \"hi\""]"#);
}

#[test]
fn parquet_and_json_lines_hold_real_lists() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("t.parquet");
    write_table(&path, &table()).expect("write");
    let file = std::fs::File::open(&path).expect("open");
    let reader = ParquetRecordBatchReaderBuilder::try_new(file).expect("parquet");
    let field = reader
        .schema()
        .field_with_name("labels")
        .expect("labels")
        .clone();
    assert_eq!(field.data_type().to_string(), "List(non-null Utf8)");

    let path = dir.path().join("t.jsonl");
    write_table(&path, &table()).expect("write");
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "{text:?}"
    );
    let first: serde_json::Value =
        serde_json::from_str(text.lines().next().expect("a line")).expect("json");
    assert_eq!(
        first["labels"],
        serde_json::json!(["=cmd|' /C calc'!A0", "+1+1", "-2"])
    );
}
