//! `read_table`: every format `write_table` writes, read back; and its errors.

use std::sync::Arc;

use arrow_array::{ArrayRef, Date32Array, RecordBatch, StringArray};
use riskgrade_io::{Cell, IoError, OutColumn, OutData, TextTable, read_table, write_table};

fn text(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

fn sample() -> Vec<OutColumn> {
    vec![
        OutColumn::new(
            "id",
            OutData::Text(vec![Some("E1".into()), Some("E, \"2\"".into()), None]),
        ),
        OutColumn::new(
            "score",
            OutData::Number(vec![Some(61.25), None, Some(f64::NAN)]),
        ),
        OutColumn::new("count", OutData::Integer(vec![Some(-3), Some(0), None])),
        OutColumn::new("veto", OutData::Bool(vec![Some(true), None, Some(false)])),
        OutColumn::new(
            "grade",
            OutData::Utf8(StringArray::from(vec![Some("A"), None, Some("")])),
        ),
    ]
}

fn write_read(name: &str, columns: &[OutColumn]) -> TextTable {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join(name);
    write_table(&path, columns).expect("write_table");
    read_table(&path).expect("read_table")
}

#[test]
fn typed_formats_round_trip() {
    use Cell::{Bool, Missing, Number};
    let expected = vec![
        vec![
            text("E1"),
            Number(61.25),
            Number(-3.0),
            Bool(true),
            text("A"),
        ],
        vec![text("E, \"2\""), Missing, Number(0.0), Missing, Missing],
        vec![Missing, Missing, Missing, Bool(false), text("")],
    ];
    for name in ["t.parquet", "t.jsonl", "t.ndjson", "t.json"] {
        let t = write_read(name, &sample());
        assert_eq!(
            t.columns,
            ["id", "score", "count", "veto", "grade"],
            "{name}"
        );
        assert_eq!(t.rows, expected, "{name}");
        assert_eq!(t.column("veto"), Some(3));
    }
}

#[test]
fn csv_round_trip_is_text() {
    let t = write_read("t.csv", &sample());
    assert_eq!(t.columns, ["id", "score", "count", "veto", "grade"]);
    // No number guessing; empty text and NaN come back missing.
    assert_eq!(
        t.rows,
        vec![
            vec![
                text("E1"),
                text("61.25"),
                text("-3"),
                text("true"),
                text("A")
            ],
            vec![
                text("E, \"2\""),
                Cell::Missing,
                text("0"),
                Cell::Missing,
                Cell::Missing
            ],
            vec![
                Cell::Missing,
                Cell::Missing,
                Cell::Missing,
                text("false"),
                Cell::Missing
            ],
        ]
    );
}

#[test]
fn empty_and_large_tables() {
    let none = [OutColumn::new("a", OutData::Number(vec![]))];
    assert_eq!(write_read("e.csv", &none).columns, ["a"]);
    assert_eq!(write_read("e.parquet", &none).columns, ["a"]);
    assert_eq!(write_read("e.json", &none), TextTable::default());
    // Many rows: several Arrow batches and rendering chunks.
    let n = 10_000;
    let cols = [
        OutColumn::new("i", OutData::Integer((0..n).map(Some).collect())),
        OutColumn::new(
            "s",
            OutData::Text((0..n).map(|i| Some(i.to_string())).collect()),
        ),
    ];
    for name in ["l.parquet", "l.jsonl", "l.csv"] {
        let t = write_read(name, &cols);
        assert_eq!(t.rows.len(), n as usize);
        let last = &t.rows[n as usize - 1];
        assert_eq!(last[1], text("9999"), "{name}");
        assert!(matches!(&last[0], Cell::Number(x) if *x == 9999.0) || last[0] == text("9999"));
    }
}

#[test]
fn jsonl_union_of_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.jsonl");
    std::fs::write(
        &path,
        "\u{feff}{\"id\": \"E1\", \"x\": 1}\n\n{\"y\": true, \"id\": \"E2\"}\r\n{}\n",
    )
    .unwrap();
    let t = read_table(&path).unwrap();
    assert_eq!(t.columns, ["id", "x", "y"]);
    assert_eq!(
        t.rows,
        vec![
            vec![text("E1"), Cell::Number(1.0), Cell::Missing],
            vec![text("E2"), Cell::Missing, Cell::Bool(true)],
            vec![Cell::Missing; 3],
        ]
    );
}

#[test]
fn errors_name_file_and_position() {
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str, content: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        let err = read_table(&path).unwrap_err();
        let msg = err.to_string();
        let file = format!("`{}`", path.display());
        assert!(msg.starts_with(&file), "{msg}");
        (err, msg[file.len()..].to_string())
    };

    let (err, msg) = at("bad.csv", b"id,score\nE1,1\nE2,2,extra\n");
    assert!(matches!(err, IoError::Csv { line: 3, .. }), "{err:?}");
    assert_eq!(msg, " line 3: found 3 fields, expected 2 as in the header");
    // The line is the record's own, with Excel's `\r\n` endings and blank lines before it.
    for text in [
        "id,score\r\nE1,1\r\nE2,2,extra\r\n",
        "id,score\n\n\nE1,1\n\nE2,2,extra",
        "id,score\r\n\r\nE1,\"1\r\n\"\r\n\r\nE2,2,extra\r\n",
    ] {
        let (err, msg) = at("lines.csv", text.as_bytes());
        let line = text.matches('\n').count() + usize::from(!text.ends_with('\n'));
        assert!(
            matches!(err, IoError::Csv { line: l, .. } if l == line),
            "{text:?}: {err:?}"
        );
        assert!(
            msg.starts_with(&format!(" line {line}: found 3")),
            "{text:?}: {msg}"
        );
    }
    let (_, msg) = at("gbk.csv", b"id,name\nE1,ok\nE2,\xd6\xd0\n");
    assert_eq!(
        msg,
        " line 3, column `name`: text is not valid UTF-8, save the file as UTF-8"
    );
    let (_, msg) = at("gbk.csv", b"id,name\r\nE1,ok\r\n\r\nE2,\xd6\xd0\r\n");
    assert_eq!(
        msg,
        " line 4, column `name`: text is not valid UTF-8, save the file as UTF-8"
    );

    let (err, msg) = at("bad.jsonl", b"{\"id\": \"E1\"}\n[1, 2]\n");
    assert!(matches!(err, IoError::Json { line: 2, .. }), "{err:?}");
    assert!(msg.starts_with(" line 2, column "), "{msg}");
    assert!(
        msg.ends_with(": invalid type: sequence, expected a JSON object (one row)"),
        "{msg}"
    );
    let (_, msg) = at("broken.jsonl", b"{\"id\": \"E1\"}\n\n{\"id\": \n");
    assert!(msg.starts_with(" line 3, column "), "{msg}");
    let (_, msg) = at(
        "nested.json",
        b"[\n{\"id\": \"E1\"},\n{\"id\": \"E2\", \"tags\": [1]}\n]\n",
    );
    assert!(msg.starts_with(" line 3, column "), "{msg}");
    assert!(
        msg.ends_with(
            ": `tags` holds an object or an array of non-strings, expected a string, number, boolean, null or array of strings"
        ),
        "{msg}"
    );
    let (_, msg) = at("object.json", b"{\"id\": \"E1\"}");
    assert!(msg.contains("expected a sequence"), "{msg}");

    let (err, msg) = at("grades.xlsx", b"");
    assert!(matches!(err, IoError::UnknownFormat { .. }));
    assert_eq!(
        msg,
        ": unknown format, expected a file ending in `.csv`, `.parquet`, `.json`, `.jsonl` or `.ndjson`"
    );

    // A Parquet column of another type.
    let path = dir.path().join("dates.parquet");
    let batch = RecordBatch::try_from_iter([(
        "opened",
        Arc::new(Date32Array::from(vec![Some(1), None])) as ArrayRef,
    )])
    .unwrap();
    let mut w = parquet::arrow::ArrowWriter::try_new(
        std::fs::File::create(&path).unwrap(),
        batch.schema(),
        None,
    )
    .unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    let err = read_table(&path).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "`{}` column `opened` has type `Date32`, expected strings, numbers or booleans",
            path.display()
        )
    );

    let err = read_table(&dir.path().join("absent.csv")).unwrap_err();
    assert!(matches!(
        err,
        IoError::Io {
            kind: std::io::ErrorKind::NotFound,
            ..
        }
    ));
}

/// Parquet files cut by a few bytes (found by the `import` fuzz harness) made the decoder
/// panic inside `read_table`; they are refused with an error naming the file. Every other
/// cut of a shared result set is too, or reads.
#[test]
fn damaged_parquet_tables_are_refused_not_panicked() {
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/tables");
    for name in [
        "parquet_table_cut_header.parquet",
        "parquet_table_cut_page.parquet",
    ] {
        let path = corpus.join(name);
        match read_table(&path) {
            Err(IoError::Arrow { file, .. }) => assert_eq!(file, path),
            other => panic!("{name}: {other:?}"),
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole.parquet");
    write_table(&whole, &sample()).unwrap();
    let bytes = std::fs::read(&whole).unwrap();
    let cut = dir.path().join("cut.parquet");
    for at in 0..bytes.len() {
        let mut b = bytes.clone();
        b.drain(at..(at + 32).min(bytes.len()));
        std::fs::write(&cut, &b).unwrap();
        let _ = read_table(&cut);
    }
}
