//! Integration tests: files in, frames and profiles out, and back.

use std::path::Path;
use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, DictionaryArray, Float32Array, Float64Array, Int32Array,
    Int64Array, RecordBatch, StringArray, StringViewArray, TimestampMillisecondArray,
};
use arrow_schema::DataType;
use riskgrade_core::{
    Column, ColumnBuilder, Frame, Identity, InputSpec, InputType, MISSING_CODE, Problem, RawValue,
    Schema,
};
use riskgrade_io::{
    IoError, OutColumn, OutData, frame_from_batches, frame_to_columns, parse_profiles_jsonl,
    read_frame, read_profiles, table_to_batch, write_profiles_jsonl, write_table,
};

fn spec(ty: InputType) -> InputSpec {
    InputSpec {
        ty,
        derive: None,
        attribute: None,
        column: None,
        description: None,
    }
}

fn schema(inputs: &[(&str, InputType)]) -> Schema {
    Schema::new(inputs.iter().map(|(n, t)| (n.to_string(), spec(*t))))
}

fn full_schema() -> Schema {
    schema(&[
        ("capital", InputType::Number),
        ("employees", InputType::Integer),
        ("penalties_3y", InputType::Count),
        ("listed", InputType::Bool),
        ("scale", InputType::Category),
        ("registered", InputType::Date),
    ])
}

/// A frame built directly, with awkward text and missing values.
fn sample_frame(schema: &Schema) -> Frame {
    let n = 7;
    let identity = Identity {
        ids: (0..n).map(|i| format!("E{i:07}")).collect(),
        names: vec![
            "Plain Foods".into(),
            "Commas, Inc.".into(),
            "Quote \"Q\" Ltd".into(),
            "北京食品有限公司".into(),
            "".into(),
            "line\nbreak".into(),
            "x".into(),
        ],
        industries: vec!["C14".into(); n],
        districts: vec![
            "东城区".into(),
            "".into(),
            "Xicheng".into(),
            "".into(),
            "".into(),
            "a".into(),
            "b".into(),
        ],
    };
    let raw: Vec<Vec<RawValue<'static>>> = vec![
        // capital
        vec![
            RawValue::Number(500.0),
            RawValue::Number(0.1),
            RawValue::Number(1.0 / 3.0),
            RawValue::Missing,
            RawValue::Number(-2.5e-8),
            RawValue::Number(1e20),
            RawValue::Number(123456.789),
        ],
        // employees
        vec![
            RawValue::Integer(12),
            RawValue::Integer(0),
            RawValue::Missing,
            RawValue::Integer(-3),
            RawValue::Integer(1_000_000),
            RawValue::Integer(7),
            RawValue::Integer(8),
        ],
        // penalties_3y
        vec![
            RawValue::Integer(0),
            RawValue::Integer(2),
            RawValue::Integer(5),
            RawValue::Missing,
            RawValue::Integer(1),
            RawValue::Integer(0),
            RawValue::Integer(3),
        ],
        // listed
        vec![
            RawValue::Bool(true),
            RawValue::Bool(false),
            RawValue::Missing,
            RawValue::Bool(false),
            RawValue::Bool(true),
            RawValue::Bool(false),
            RawValue::Bool(true),
        ],
        // scale
        vec![
            RawValue::Text("small"),
            RawValue::Text("large, listed"),
            RawValue::Missing,
            RawValue::Text("微型"),
            RawValue::Text("small"),
            RawValue::Text("medium"),
            RawValue::Text("large, listed"),
        ],
        // registered
        vec![
            RawValue::Text("2015-06-01"),
            RawValue::Text("1999-12-31"),
            RawValue::Text("2024-02-29"),
            RawValue::Missing,
            RawValue::Text("1970-01-01"),
            RawValue::Text("1950-03-04"),
            RawValue::Text("2026-11-27"),
        ],
    ];
    let columns = schema
        .inputs()
        .iter()
        .zip(raw)
        .map(|((name, spec), values)| {
            let mut b = ColumnBuilder::new(name, spec.ty);
            values.into_iter().for_each(|v| b.push(v));
            let (col, issues) = b.finish();
            assert!(issues.is_empty(), "{name}: {issues:?}");
            (name.clone(), spec.ty, col, issues)
        })
        .collect();
    Frame::from_parts(identity, columns, Vec::new(), None)
}

/// Frames are equal, NaN equal to NaN.
fn assert_same(a: &Frame, b: &Frame) {
    assert_eq!(a.ids(), b.ids());
    assert_eq!(a.names(), b.names());
    assert_eq!(a.industries(), b.industries());
    assert_eq!(a.districts(), b.districts());
    assert_eq!(a.issues(), b.issues());
    let ca: Vec<_> = a.columns().collect();
    let cb: Vec<_> = b.columns().collect();
    assert_eq!(ca.len(), cb.len());
    for ((na, ta, xa), (nb, tb, xb)) in ca.into_iter().zip(cb) {
        assert_eq!((na, ta), (nb, tb));
        match (xa, xb) {
            (Column::Number(x), Column::Number(y)) => {
                assert_eq!(x.len(), y.len());
                for (i, (p, q)) in x.iter().zip(y).enumerate() {
                    assert!(
                        p.to_bits() == q.to_bits() || (p.is_nan() && q.is_nan()),
                        "{na}[{i}]: {p} != {q}"
                    );
                }
            }
            (x, y) => assert_eq!(x, y, "{na}"),
        }
    }
}

#[test]
fn csv_round_trip() {
    let schema = full_schema();
    let frame = sample_frame(&schema);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("frame.csv");
    write_table(&path, &frame_to_columns(&frame)).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with(
        "id,name,industry,district,capital,employees,penalties_3y,listed,scale,registered\n"
    ));
    assert!(
        text.contains("E0000000,Plain Foods,C14,东城区,500,12,0,true,small,2015-06-01\n"),
        "{text}"
    );
    assert!(text.contains("\"Quote \"\"Q\"\" Ltd\""));
    let back = read_frame(&path, &schema).unwrap();
    assert_same(&frame, &back);
}

#[test]
fn parquet_round_trip() {
    let schema = full_schema();
    let frame = sample_frame(&schema);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("frame.parquet");
    write_table(&path, &frame_to_columns(&frame)).unwrap();
    let back = read_frame(&path, &schema).unwrap();
    assert_same(&frame, &back);
}

#[test]
fn json_outputs() {
    let schema = full_schema();
    let frame = sample_frame(&schema);
    let dir = tempfile::tempdir().unwrap();
    let cols = frame_to_columns(&frame);
    let jsonl = dir.path().join("frame.jsonl");
    write_table(&jsonl, &cols).unwrap();
    let rows: Vec<serde_json::Value> = std::fs::read_to_string(&jsonl)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 7);
    assert_eq!(rows[0]["capital"], serde_json::json!(500));
    assert_eq!(rows[2]["capital"].as_f64(), Some(1.0 / 3.0));
    assert_eq!(rows[3]["capital"], serde_json::Value::Null);
    assert_eq!(rows[5]["name"], "line\nbreak");
    assert_eq!(rows[2]["listed"], serde_json::Value::Null);

    let json = dir.path().join("frame.JSON");
    write_table(&json, &cols).unwrap();
    let array: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(array, rows);

    let empty = dir.path().join("empty.json");
    write_table(&empty, &[OutColumn::new("a", OutData::Integer(vec![]))]).unwrap();
    assert_eq!(std::fs::read_to_string(&empty).unwrap(), "[]\n");
}

#[test]
fn many_rows_round_trip() {
    // More rows than one CSV chunk and one Parquet row group.
    let n = 140_000;
    let cols = vec![
        OutColumn::new(
            "id",
            OutData::Text((0..n).map(|i| Some(format!("E{i}"))).collect()),
        ),
        OutColumn::new(
            "industry",
            OutData::Text((0..n).map(|i| Some(format!("C{}", i % 3))).collect()),
        ),
        OutColumn::new(
            "x",
            OutData::Number(
                (0..n)
                    .map(|i| (i % 10 != 0).then_some(i as f64 / 7.0))
                    .collect(),
            ),
        ),
        OutColumn::new(
            "k",
            OutData::Integer((0..n).map(|i| Some(i as i64 % 5 - 1)).collect()),
        ),
    ];
    let schema = schema(&[("x", InputType::Number), ("k", InputType::Count)]);
    let dir = tempfile::tempdir().unwrap();
    let mut frames = Vec::new();
    for ext in ["csv", "parquet"] {
        let path = dir.path().join(format!("many.{ext}"));
        write_table(&path, &cols).unwrap();
        let f = read_frame(&path, &schema).unwrap();
        assert_eq!(f.len(), n);
        assert_eq!(f.ids()[n - 1], format!("E{}", n - 1));
        let x = f.number("x").unwrap();
        assert!(x[0].is_nan());
        assert_eq!(x[n - 1], (n - 1) as f64 / 7.0);
        // k = -1 every fifth row: a negative count.
        assert_eq!(f.issues().len(), n / 5);
        assert!(
            f.issues()
                .iter()
                .all(|i| i.row % 5 == 0 && i.problem == Problem::Negative(-1.0))
        );
        frames.push(f);
    }
    assert_same(&frames[0], &frames[1]);
}

#[test]
fn csv_bad_values_keep_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.csv");
    std::fs::write(
        &path,
        "id,industry,district,penalties_3y,capital,registered,listed,unused\n\
         E1,C14,东城区,2,100.5,2015-06-01,yes,?\n\
         E2,C14,,many,100,2015-06-01,no,?\n\
         E3,C14,,-1,NaN,2015-13-01,1,\n\
         E4,C14,,,,,,\n\
         E5,C14,, 3 ,1e3,2020-01-02T10:00:00,maybe,\n",
    )
    .unwrap();
    let schema = schema(&[
        ("penalties_3y", InputType::Count),
        ("capital", InputType::Number),
        ("registered", InputType::Date),
        ("listed", InputType::Bool),
    ]);
    let f = read_frame(&path, &schema).unwrap();
    assert_eq!(f.len(), 5);
    assert_eq!(f.names(), ["", "", "", "", ""]);
    assert_eq!(f.districts()[0], "东城区");
    let issues: Vec<String> = f.issues().iter().map(ToString::to_string).collect();
    assert_eq!(
        issues,
        [
            "row 2, enterprise `E2`, column `penalties_3y`: `many` is not a valid count",
            "row 3, enterprise `E3`, column `capital`: `NaN` is not a finite number",
            "row 3, enterprise `E3`, column `penalties_3y`: negative count -1",
            "row 3, enterprise `E3`, column `registered`: `2015-13-01` is not a valid date (YYYY-MM-DD)",
            "row 5, enterprise `E5`, column `listed`: `maybe` is not a valid boolean",
        ]
    );
    assert_eq!(f.issues()[0].row, 1);
    assert_eq!(f.issues()[0].column, "penalties_3y");
    let p = f.number("penalties_3y").unwrap();
    assert_eq!(p[0], 2.0);
    assert!(p[1].is_nan() && p[2].is_nan() && p[3].is_nan());
    assert_eq!(p[4], 3.0);
    assert_eq!(f.number("capital").unwrap()[4], 1000.0);
    assert_eq!(f.number("listed").unwrap()[..3], [1.0, 0.0, 1.0]);
}

#[test]
fn missing_column_suggests_closest_header() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("typo.csv");
    std::fs::write(&path, "id,industry,penalty_3y,complaints_1y\nE1,C14,1,2\n").unwrap();
    let schema = schema(&[
        ("complaints_1y", InputType::Count),
        ("penalties_3y", InputType::Count),
    ]);
    let err = read_frame(&path, &schema).unwrap_err();
    assert_eq!(
        err,
        IoError::MissingColumn {
            file: path.clone(),
            column: "penalties_3y".into(),
            suggestion: Some("penalty_3y".into()),
        }
    );
    assert!(
        err.to_string()
            .ends_with("has no column `penalties_3y` (did you mean `penalty_3y`?)")
    );

    // A `column` rename is what is looked for.
    let mut renamed = spec(InputType::Count);
    renamed.column = Some("penalty_3y".into());
    let ok = Schema::new([("penalties_3y".to_string(), renamed)]);
    assert_eq!(
        read_frame(&path, &ok)
            .unwrap()
            .number("penalties_3y")
            .unwrap(),
        [1.0]
    );

    // Identity columns are required too; nothing close means no suggestion.
    std::fs::write(&path, "id,sector\nE1,C14\n").unwrap();
    let err = read_frame(&path, &Schema::default()).unwrap_err();
    assert!(
        matches!(err, IoError::MissingColumn { ref column, suggestion: None, .. } if column == "industry")
    );
}

/// The line a problem names is the record's own line, whatever the line endings (Excel
/// writes `\r\n`), blank lines before it, line breaks inside quoted names above it, or a
/// last line without its line break.
#[test]
fn csv_problems_name_the_line_the_record_is_on() {
    let dir = tempfile::tempdir().unwrap();
    let schema = schema(&[("x", InputType::Number)]);
    let lines = [
        "id,industry,name,x",
        "E1,C14,\"two\nlines\",1",
        "",
        "",
        "E2,C14",
        "E3,C14,b,3",
        "E4,C14,c,x",
        "E5,C14",
    ];
    for (ending, last_break) in [("\n", true), ("\r\n", true), ("\n", false), ("\r\n", false)] {
        let mut text = lines.join(ending);
        if last_break {
            text.push_str(ending);
        }
        let path = dir.path().join("lines.csv");
        std::fs::write(&path, &text).unwrap();
        let frame = read_frame(&path, &schema).unwrap();
        let issues: Vec<String> = frame.issues().iter().map(ToString::to_string).collect();
        assert_eq!(
            issues,
            [
                "row 2, enterprise `E2`, column `(row)`: unreadable: line 6 has 2 fields but the header has 4",
                "row 4, enterprise `E4`, column `x`: `x` is not a valid number",
                "row 5, enterprise `E5`, column `(row)`: unreadable: line 9 has 2 fields but the header has 4",
            ],
            "line endings {ending:?}, last line break {last_break}"
        );
    }
}

#[test]
fn csv_file_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ragged.csv");
    std::fs::write(&path, "id,industry,x\nE1,C14,1\nE2,C14\nE3,C14,3\n").unwrap();
    let schema = schema(&[("x", InputType::Number)]);
    // A line with the wrong number of fields is kept as a reported row, not fatal.
    let frame = read_frame(&path, &schema).unwrap();
    assert_eq!(frame.len(), 3);
    let issues: Vec<String> = frame.issues().iter().map(ToString::to_string).collect();
    assert_eq!(
        issues,
        [
            "row 2, enterprise `E2`, column `(row)`: unreadable: line 3 has 2 fields but the header has 3"
        ]
    );
    assert_eq!(frame.number("x").unwrap()[2], 3.0);

    let gbk = dir.path().join("gbk.csv");
    let mut bytes = b"id,industry,name,x\nE1,C14,ok,1\nE2,C14,".to_vec();
    bytes.extend_from_slice(&[0xb1, 0xb1, 0xbe, 0xa9]); // 北京 in GBK
    bytes.extend_from_slice(b",2\n");
    std::fs::write(&gbk, bytes).unwrap();
    // A cell that is not UTF-8 is its row's problem; the others are read.
    let frame = read_frame(&gbk, &schema).unwrap();
    assert_eq!(frame.ids(), ["E1", "E2"]);
    let issues: Vec<String> = frame.issues().iter().map(ToString::to_string).collect();
    assert_eq!(
        issues,
        [
            "row 2, enterprise `E2`, column `name`: unreadable: line 3: text is not valid UTF-8, save the file as UTF-8"
        ]
    );
    assert_eq!(frame.names()[1], "\u{fffd}\u{fffd}\u{fffd}\u{fffd}");

    // Past the first chunk; text that is not UTF-8 in an unused column is ignored.
    let mut bytes = b"id,industry,x,notes\n".to_vec();
    for i in 0..5000 {
        bytes.extend_from_slice(format!("E{i},C14,{i},").as_bytes());
        bytes.extend_from_slice(&[0xb1, 0xb1, b'\n']);
    }
    bytes.extend_from_slice(b"E5000,C14,\xff,\n");
    std::fs::write(&gbk, &bytes).unwrap();
    let frame = read_frame(&gbk, &schema).unwrap();
    assert_eq!(frame.len(), 5001);
    assert_eq!(frame.issues().len(), 1);
    let issue = &frame.issues()[0];
    assert_eq!((issue.row, issue.column.as_str()), (5000, "x"));
    assert!(
        issue
            .to_string()
            .contains("line 5002: text is not valid UTF-8")
    );
    assert!(frame.number("x").unwrap()[5000].is_nan());
    bytes.truncate(bytes.len() - b"E5000,C14,\xff,\n".len());
    std::fs::write(&gbk, &bytes).unwrap();
    assert_eq!(read_frame(&gbk, &schema).unwrap().len(), 5000);

    let err = read_frame(&dir.path().join("absent.csv"), &schema).unwrap_err();
    assert!(
        matches!(
            err,
            IoError::Io {
                kind: std::io::ErrorKind::NotFound,
                ..
            }
        ),
        "{err:?}"
    );

    // A byte-order mark and padded headers are tolerated.
    let bom = dir.path().join("bom.csv");
    std::fs::write(&bom, "\u{feff}id , industry,x\r\nE1,C14,1\r\n").unwrap();
    assert_eq!(read_frame(&bom, &schema).unwrap().ids(), ["E1"]);

    // Only a header: an empty frame.
    std::fs::write(&bom, "id,industry,x\n").unwrap();
    assert!(read_frame(&bom, &schema).unwrap().is_empty());
}

#[test]
fn unknown_extensions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("batch.xlsx");
    let err = read_frame(&path, &Schema::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "`{}`: unknown format, expected a file ending in `.csv` or `.parquet`",
            path.display()
        )
    );
    let err = read_frame(Path::new("profiles.jsonl"), &Schema::default()).unwrap_err();
    assert!(matches!(err, IoError::UnknownFormat { .. }));
    let err = read_profiles(&dir.path().join("p.csv"), false).unwrap_err();
    assert!(
        err.to_string()
            .ends_with("expected a file ending in `.json`, `.jsonl` or `.ndjson`"),
        "{err}"
    );
    let err = write_table(&path, &[]).unwrap_err();
    assert!(
        err.to_string()
            .ends_with("`.csv`, `.parquet`, `.json`, `.jsonl` or `.ndjson`"),
        "{err}"
    );
    assert!(!path.exists());
}

#[test]
fn table_errors() {
    let cols = [
        OutColumn::new("a", OutData::Number(vec![Some(1.0), None])),
        OutColumn::new("b", OutData::Bool(vec![Some(true)])),
    ];
    let err = table_to_batch(&cols).unwrap_err();
    assert_eq!(
        err,
        IoError::ColumnLength {
            column: "b".into(),
            rows: 1,
            expected: 2
        }
    );
    assert_eq!(
        err.to_string(),
        "column `b` has 1 rows, expected 2 like the first column"
    );
    let dir = tempfile::tempdir().unwrap();
    assert!(write_table(&dir.path().join("t.csv"), &cols).is_err());
    let batch = table_to_batch(&[]).unwrap();
    assert_eq!(batch.num_rows(), 0);
}

const PROFILES: &str = r#"{"id": "E0000001", "name": "Example Foods Ltd", "industry": "C14", "registered": "2015-06-01", "licences": [{"type": "food_production", "department": "market_regulation", "valid_until": "2027-01-01"}], "attributes": {"registered_capital": 500.0, "listed": false}, "records": [{"kind": "penalty", "date": "2025-03-01", "amount": 20000, "severity": "major"}]}

{"id": "E0000012", "industry": "C14", "recrods": []}
{"id": "E0000013", "industry": "C14", "records": [{"kind": "complaint", "date": "2026-01-02"}]}
{"id": "E0000014", "industry": "C1
"#;

#[test]
fn jsonl_broken_lines_are_reported() {
    let p = parse_profiles_jsonl(PROFILES, false).unwrap();
    let ids: Vec<&str> = p.enterprises.iter().map(|e| e.id.0.as_str()).collect();
    assert_eq!(ids, ["E0000001", "E0000013"]);
    assert_eq!(p.issues.len(), 2);
    assert_eq!(p.issues[0].line, 3);
    assert_eq!(p.issues[0].id.as_deref(), Some("E0000012"));
    assert!(
        p.issues[0]
            .to_string()
            .starts_with("line 3, enterprise `E0000012`: unknown field `recrods`, expected one of"),
        "{}",
        p.issues[0]
    );
    assert_eq!(p.issues[1].line, 5);
    assert_eq!(p.issues[1].id.as_deref(), Some("E0000014"));

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("profiles.ndjson");
    std::fs::write(&path, PROFILES).unwrap();
    assert_eq!(read_profiles(&path, false).unwrap(), p);
    let err = read_profiles(&path, true).unwrap_err();
    match &err {
        IoError::BadProfiles { file, count, first } => {
            assert_eq!(file, &path);
            assert_eq!(*count, 2);
            assert!(first.starts_with("line 3, enterprise `E0000012`: unknown field `recrods`"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn json_arrays_and_round_trip() {
    let good: Vec<&str> = PROFILES
        .lines()
        .filter(|l| l.contains("\"records\""))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let array = dir.path().join("profiles.json");
    std::fs::write(&array, format!("\u{feff}[\n{}\n]\n", good.join(",\n"))).unwrap();
    let p = read_profiles(&array, true).unwrap();
    assert_eq!(p.enterprises.len(), 2);

    let single = dir.path().join("one.json");
    std::fs::write(&single, good[0]).unwrap();
    assert_eq!(
        read_profiles(&single, true).unwrap().enterprises,
        p.enterprises[..1]
    );

    std::fs::write(&single, "[{\"id\": \"E1\",\n \"industry\": }]").unwrap();
    let err = read_profiles(&single, false).unwrap_err();
    assert!(
        matches!(
            err,
            IoError::Json {
                line: 2,
                column: 14,
                ..
            }
        ),
        "{err:?}"
    );

    let out = dir.path().join("out.jsonl");
    write_profiles_jsonl(&out, &p.enterprises).unwrap();
    assert_eq!(read_profiles(&out, true).unwrap(), p);
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 2);
}

#[test]
fn arrow_types_convert() {
    let dict: DictionaryArray<Int32Type> = vec![Some("small"), None, Some("large"), Some("small")]
        .into_iter()
        .collect();
    let batch = RecordBatch::try_from_iter([
        (
            "id",
            Arc::new(Int64Array::from(vec![101, 102, 103, 104])) as ArrayRef,
        ),
        (
            "industry",
            Arc::new(StringViewArray::from(vec!["C14", "C14", "C13", "C14"])) as ArrayRef,
        ),
        (
            "name",
            Arc::new(StringArray::from(vec![
                Some(" A "),
                None,
                Some("C"),
                Some("D"),
            ])) as ArrayRef,
        ),
        (
            "penalties",
            Arc::new(Int32Array::from(vec![Some(1), None, Some(-2), Some(0)])) as ArrayRef,
        ),
        (
            "capital",
            Arc::new(Float32Array::from(vec![
                Some(1.5),
                Some(f32::NAN),
                None,
                Some(2.0),
            ])) as ArrayRef,
        ),
        (
            "ratio",
            Arc::new(Float64Array::from(vec![0.5, 1.0, 2.0, 3.0])) as ArrayRef,
        ),
        ("scale", Arc::new(dict) as ArrayRef),
        (
            "grade",
            Arc::new(StringViewArray::from(vec![
                Some("A"),
                Some("B"),
                None,
                Some("A"),
            ])) as ArrayRef,
        ),
        (
            "opened",
            Arc::new(Date32Array::from(vec![
                Some(16_587),
                None,
                Some(0),
                Some(-1),
            ])) as ArrayRef,
        ),
        (
            "listed",
            Arc::new(BooleanArray::from(vec![
                Some(true),
                None,
                Some(false),
                Some(true),
            ])) as ArrayRef,
        ),
        (
            "amount",
            Arc::new(StringArray::from(vec![
                Some("1.25"),
                Some("x"),
                None,
                Some(" 4 "),
            ])) as ArrayRef,
        ),
    ])
    .unwrap();
    let schema = schema(&[
        ("penalties", InputType::Count),
        ("capital", InputType::Number),
        ("ratio", InputType::Number),
        ("scale", InputType::Category),
        ("grade", InputType::Category),
        ("opened", InputType::Date),
        ("listed", InputType::Bool),
        ("amount", InputType::Number),
    ]);
    let half = [batch.slice(0, 2), batch.slice(2, 2)];
    let f = frame_from_batches(&half, &schema).unwrap();
    assert_eq!(f.ids(), ["101", "102", "103", "104"]);
    assert_eq!(f.industries(), ["C14", "C14", "C13", "C14"]);
    assert_eq!(f.names(), ["A", "", "C", "D"]);
    assert_eq!(f.districts(), ["", "", "", ""]);
    let p = f.number("penalties").unwrap();
    assert!(p[0] == 1.0 && p[1].is_nan() && p[2].is_nan() && p[3] == 0.0);
    let c = f.number("capital").unwrap();
    assert!(c[0] == 1.5 && c[1].is_nan() && c[2].is_nan() && c[3] == 2.0);
    assert_eq!(f.number("ratio").unwrap(), [0.5, 1.0, 2.0, 3.0]);
    let (_, scale) = f.column("scale").unwrap();
    assert_eq!(
        scale,
        &Column::Category {
            codes: vec![0, MISSING_CODE, 1, 0],
            dict: vec!["small".into(), "large".into()]
        }
    );
    let (_, grade) = f.column("grade").unwrap();
    assert_eq!(
        grade,
        &Column::Category {
            codes: vec![0, 1, MISSING_CODE, 0],
            dict: vec!["A".into(), "B".into()]
        }
    );
    let o = f.number("opened").unwrap();
    assert!(o[0] == 16_587.0 && o[1].is_nan() && o[2] == 0.0 && o[3] == -1.0);
    let l = f.number("listed").unwrap();
    assert!(l[0] == 1.0 && l[1].is_nan() && l[2] == 0.0);
    let a = f.number("amount").unwrap();
    assert!(a[0] == 1.25 && a[1].is_nan() && a[3] == 4.0);
    let issues: Vec<String> = f.issues().iter().map(ToString::to_string).collect();
    assert_eq!(
        issues,
        [
            "row 2, enterprise `102`, column `amount`: `x` is not a valid number",
            "row 2, enterprise `102`, column `capital`: `NaN` is not a finite number",
            "row 3, enterprise `103`, column `penalties`: negative count -2",
        ]
    );
    // The same through Parquet.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("types.parquet");
    let file = std::fs::File::create(&path).unwrap();
    let mut w = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    let g = read_frame(&path, &schema).unwrap();
    let text = |f: &Frame| {
        f.issues()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(text(&g), text(&f));
    assert_eq!(g.column("scale"), f.column("scale"));
    assert_eq!(frame_from_batches(&[], &schema).unwrap().len(), 0);
}

#[test]
fn arrow_timestamps_and_bad_types() {
    let ts = |tz: Option<&str>| {
        let day = 19_723i64 * 86_400_000; // 2024-01-01T00:00:00Z
        let a =
            TimestampMillisecondArray::from(vec![Some(day - 8 * 3_600_000), Some(day + 1), None]);
        Arc::new(match tz {
            Some(tz) => a.with_timezone(tz),
            None => a,
        }) as ArrayRef
    };
    let ids = Arc::new(StringArray::from(vec!["E1", "E2", "E3"])) as ArrayRef;
    let schema = schema(&[("opened", InputType::Date)]);
    let frame = |opened: ArrayRef| {
        let batch = RecordBatch::try_from_iter([
            ("id", ids.clone()),
            ("industry", ids.clone()),
            ("opened", opened),
        ])
        .unwrap();
        frame_from_batches(&[batch], &schema)
    };
    let utc = frame(ts(None)).unwrap();
    assert_eq!(utc.number("opened").unwrap()[..2], [19_722.0, 19_723.0]);
    let cst = frame(ts(Some("Asia/Shanghai"))).unwrap();
    assert_eq!(cst.number("opened").unwrap()[..2], [19_723.0, 19_723.0]);
    let fixed = frame(ts(Some("+08:00"))).unwrap();
    assert_eq!(fixed.number("opened").unwrap()[..2], [19_723.0, 19_723.0]);
    let err = frame(ts(Some("Europe/Paris"))).unwrap_err();
    assert!(
        matches!(err, IoError::UnsupportedType { ref column, .. } if column == "opened"),
        "{err:?}"
    );

    let err = frame(Arc::new(Float64Array::from(vec![1.0, 2.0, 3.0]))).unwrap_err();
    assert_eq!(
        err,
        IoError::UnsupportedType {
            column: "opened".into(),
            data_type: DataType::Float64.to_string(),
            expected: "`Date32`, `Date64`, a `Timestamp` in UTC, a fixed offset or China time, or strings for a date input",
        }
    );
    let counts = schema_with_count();
    let batch = RecordBatch::try_from_iter([
        ("id", ids.clone()),
        ("industry", ids.clone()),
        (
            "n",
            Arc::new(BooleanArray::from(vec![true, false, true])) as ArrayRef,
        ),
    ])
    .unwrap();
    let err = frame_from_batches(&[batch], &counts).unwrap_err();
    assert_eq!(
        err.to_string(),
        "column `n` has type `Boolean`, expected floats, integers, `Decimal128` or strings for a numeric input"
    );
    let batch = RecordBatch::try_from_iter([("id", ids.clone()), ("industry", ids)]).unwrap();
    let err = frame_from_batches(&[batch], &counts).unwrap_err();
    assert_eq!(err.to_string(), "`<arrow>` has no column `n`");
}

fn schema_with_count() -> Schema {
    schema(&[("n", InputType::Count)])
}

/// Loads 1M rows × 45 columns; run with `cargo test --release -p riskgrade-io -- --ignored --nocapture`.
#[test]
#[ignore = "slow; measures load and write speed"]
fn large_csv_speed() {
    let n = 1_000_000;
    let k = 45;
    let mut cols = vec![
        OutColumn::new(
            "id",
            OutData::Text((0..n).map(|i| Some(format!("E{i:08}"))).collect()),
        ),
        OutColumn::new(
            "name",
            OutData::Text((0..n).map(|i| Some(format!("Enterprise {i}"))).collect()),
        ),
        OutColumn::new(
            "industry",
            OutData::Text((0..n).map(|i| Some(format!("C{}", 13 + i % 3))).collect()),
        ),
    ];
    let mut inputs = Vec::new();
    for c in 0..k {
        let name = format!("x{c}");
        let data = match c % 3 {
            0 => OutData::Number(
                (0..n)
                    .map(|i| Some(((i * 7919 + c) % 100_003) as f64 / 97.0))
                    .collect(),
            ),
            1 => OutData::Integer((0..n).map(|i| Some(((i + c) % 13) as i64)).collect()),
            _ => OutData::Text(
                (0..n)
                    .map(|i| Some(["small", "medium", "large"][(i + c) % 3].to_string()))
                    .collect(),
            ),
        };
        inputs.push((
            name.clone(),
            if c % 3 == 2 {
                InputType::Category
            } else {
                InputType::Number
            },
        ));
        cols.push(OutColumn::new(name, data));
    }
    let schema = Schema::new(inputs.into_iter().map(|(n, t)| (n, spec(t))));
    let dir = tempfile::tempdir().unwrap();
    for ext in ["csv", "parquet"] {
        let path = dir.path().join(format!("large.{ext}"));
        let t = std::time::Instant::now();
        write_table(&path, &cols).unwrap();
        let written = t.elapsed();
        let t = std::time::Instant::now();
        let f = read_frame(&path, &schema).unwrap();
        let read = t.elapsed();
        let size = std::fs::metadata(&path).unwrap().len();
        println!("{ext}: {} MB, write {written:?}, read {read:?}", size >> 20);
        assert_eq!(f.len(), n);
        assert!(f.issues().is_empty());
    }
}

/// With `nan_is_missing`, NaN in any float column (64- or 32-bit, with or without nulls,
/// read as a number or a category) is a missing value and no issue; by default each is one.
#[test]
fn nan_is_missing_in_every_float_column_when_asked() {
    use riskgrade_io::{ArrowOptions, frame_from_batches_with};
    let batch = RecordBatch::try_from_iter([
        (
            "id",
            Arc::new(StringArray::from(vec!["E1", "E2", "E3"])) as ArrayRef,
        ),
        (
            "industry",
            Arc::new(StringArray::from(vec!["C14", "C14", "C14"])) as ArrayRef,
        ),
        (
            "ratio",
            Arc::new(Float64Array::from(vec![Some(f64::NAN), None, Some(0.5)])) as ArrayRef,
        ),
        (
            "capital",
            Arc::new(Float32Array::from(vec![1.5, f32::NAN, 2.0])) as ArrayRef,
        ),
        (
            "scale",
            Arc::new(Float64Array::from(vec![1.0, 2.0, f64::NAN])) as ArrayRef,
        ),
    ])
    .unwrap();
    let schema = schema(&[
        ("ratio", InputType::Number),
        ("capital", InputType::Number),
        ("scale", InputType::Category),
    ]);
    let strict = frame_from_batches_with(
        std::slice::from_ref(&batch),
        &schema,
        ArrowOptions::default(),
    )
    .unwrap();
    let bad: Vec<(usize, &str)> = strict
        .issues()
        .iter()
        .map(|i| (i.row, i.column.as_str()))
        .collect();
    assert_eq!(bad, [(0, "ratio"), (1, "capital"), (2, "scale")]);
    let lenient = frame_from_batches_with(
        &[batch],
        &schema,
        ArrowOptions::default().nan_is_missing(true),
    )
    .unwrap();
    assert!(lenient.issues().is_empty(), "{:?}", lenient.issues());
    let r = lenient.number("ratio").unwrap();
    assert!(r[0].is_nan() && r[1].is_nan() && r[2] == 0.5);
    let c = lenient.number("capital").unwrap();
    assert!(c[0] == 1.5 && c[1].is_nan() && c[2] == 2.0);
    let (_, scale) = lenient.column("scale").unwrap();
    assert!(!scale.is_missing(0) && !scale.is_missing(1) && scale.is_missing(2));
}
