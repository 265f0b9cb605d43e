//! A table written batch by batch is the table written at once: same bytes
//! for CSV and JSON, same values for Parquet, for every split of the rows;
//! dictionary, Arrow and plain columns write the same text.

use std::sync::Arc;

use riskgrade_io::arrow::builder::{ListBuilder, StringBuilder};
use riskgrade_io::arrow::types::Int32Type;
use riskgrade_io::arrow::{DictionaryArray, Float64Array, Int32Array, StringArray};
use riskgrade_io::{Cell, IoError, OutColumn, OutData, TableWriter, read_table, write_table};

/// Rows `range` of a table with every kind of column.
fn table(range: std::ops::Range<usize>) -> Vec<OutColumn> {
    let classes = Arc::new(StringArray::from(vec!["A", "B", "=C"]));
    let keys: Int32Array = range
        .clone()
        .map(|i| (i % 4 != 3).then_some((i % 3) as i32))
        .collect();
    let dict = DictionaryArray::<Int32Type>::try_new(keys, classes).expect("dictionary");
    let mut lists = ListBuilder::new(StringBuilder::new());
    for i in range.clone() {
        for k in 0..i % 3 {
            lists.values().append_value(format!("label, {k} \"{i}\""));
        }
        lists.append(true);
    }
    let n = |f: &dyn Fn(usize) -> Option<f64>| range.clone().map(f).collect::<Vec<_>>();
    vec![
        OutColumn::new(
            "id",
            OutData::Text(range.clone().map(|i| Some(format!("E{i}"))).collect()),
        ),
        OutColumn::new("class", OutData::Dictionary(dict)),
        OutColumn::new(
            "class_text",
            OutData::Text(
                range
                    .clone()
                    .map(|i| (i % 4 != 3).then(|| ["A", "B", "=C"][i % 3].to_string()))
                    .collect(),
            ),
        ),
        OutColumn::new(
            "score",
            OutData::Float64(Float64Array::from(n(&|i| {
                (i % 5 != 0).then_some(i as f64 / 7.0)
            }))),
        ),
        OutColumn::new(
            "score_plain",
            OutData::Number(n(&|i| (i % 5 != 0).then_some(i as f64 / 7.0))),
        ),
        OutColumn::new("labels", OutData::Lists(lists.finish())),
        OutColumn::new(
            "labels_plain",
            OutData::List(
                range
                    .map(|i| (0..i % 3).map(|k| format!("label, {k} \"{i}\"")).collect())
                    .collect(),
            ),
        ),
    ]
}

fn write_split(path: &std::path::Path, rows: usize, batch: usize) {
    let mut w = TableWriter::create(path).expect("create");
    let mut start = 0;
    loop {
        let end = (start + batch).min(rows);
        w.write(&table(start..end)).expect("write");
        start = end;
        if start >= rows {
            break;
        }
    }
    w.finish().expect("finish");
}

#[test]
fn batches_write_the_bytes_of_one_table_in_every_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    for ext in ["csv", "jsonl", "json", "parquet"] {
        let whole = dir.path().join(format!("whole.{ext}"));
        write_table(&whole, &table(0..37)).expect("write whole");
        let whole_cells = read_table(&whole).expect("read whole");
        for batch in [1, 5, 36, 37, 100] {
            let split = dir.path().join(format!("split{batch}.{ext}"));
            write_split(&split, 37, batch);
            if ext == "parquet" {
                assert_eq!(read_table(&split).expect("read"), whole_cells, "{batch}");
            } else {
                assert_eq!(
                    std::fs::read(&split).expect("read"),
                    std::fs::read(&whole).expect("read"),
                    "{ext}, batches of {batch}"
                );
            }
        }
    }
}

#[test]
fn dictionary_arrow_and_plain_columns_read_back_alike() {
    let dir = tempfile::tempdir().expect("tempdir");
    for ext in ["csv", "jsonl", "json", "parquet"] {
        let path = dir.path().join(format!("t.{ext}"));
        write_table(&path, &table(0..23)).expect("write");
        let t = read_table(&path).expect("read");
        let col = |name: &str| -> Vec<Cell> {
            let j = t.column(name).expect("column");
            t.rows.iter().map(|r| r[j].clone()).collect()
        };
        assert_eq!(col("class"), col("class_text"), "{ext}");
        assert_eq!(col("score"), col("score_plain"), "{ext}");
        assert_eq!(col("labels"), col("labels_plain"), "{ext}");
        assert_eq!(col("class")[2], Cell::Text("=C".into()), "{ext}");
        assert_eq!(col("class")[3], Cell::Missing, "{ext}");
    }
}

#[test]
fn a_dictionary_column_stays_a_dictionary_in_parquet() {
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("t.parquet");
    write_split(&path, 10, 4);
    let file = std::fs::File::open(&path).expect("open");
    let b = ParquetRecordBatchReaderBuilder::try_new(file).expect("parquet");
    let field = b.schema().field_with_name("class").expect("class").clone();
    assert!(matches!(
        field.data_type(),
        arrow_schema::DataType::Dictionary(k, v)
            if **k == arrow_schema::DataType::Int32 && **v == arrow_schema::DataType::Utf8
    ));
}

/// The encodings of each column chunk of a Parquet file's first row group, by column name.
fn chunk_encodings(path: &std::path::Path) -> Vec<(String, Vec<parquet::basic::Encoding>)> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let reader =
        SerializedFileReader::new(std::fs::File::open(path).expect("open")).expect("parquet");
    let group = reader.metadata().row_group(0);
    group
        .columns()
        .iter()
        .map(|c| (c.column_path().string(), c.encodings().collect()))
        .collect()
}

#[test]
fn mostly_distinct_text_is_written_without_a_dictionary() {
    use parquet::basic::Encoding;
    let dir = tempfile::tempdir().expect("tempdir");
    let rows = 5000;
    let columns = |n: usize| {
        vec![
            OutColumn::new(
                "id",
                OutData::Text((0..n).map(|i| Some(format!("E{i:07}"))).collect()),
            ),
            OutColumn::new(
                "reasons",
                OutData::Utf8(
                    (0..n)
                        .map(|i| Some(format!("young enterprise ({}.{} years)", i % 97, i % 89)))
                        .collect(),
                ),
            ),
            OutColumn::new(
                "class",
                OutData::Text(
                    (0..n)
                        .map(|i| Some(["A", "B", "C", "D"][i % 4].to_string()))
                        .collect(),
                ),
            ),
            OutColumn::new(
                "model",
                OutData::Utf8((0..n).map(|i| (i % 9 != 0).then_some("general")).collect()),
            ),
        ]
    };
    let path = dir.path().join("t.parquet");
    write_table(&path, &columns(rows)).expect("write");
    let dictionary = |e: &[Encoding]| {
        e.iter()
            .any(|e| matches!(e, Encoding::RLE_DICTIONARY | Encoding::PLAIN_DICTIONARY))
    };
    for (name, encodings) in chunk_encodings(&path) {
        let repeats = name == "class" || name == "model";
        assert_eq!(dictionary(&encodings), repeats, "{name}: {encodings:?}");
    }
    assert_eq!(read_table(&path).expect("read").rows.len(), rows);
    // A first batch too small to judge keeps every dictionary.
    let small = dir.path().join("small.parquet");
    write_table(&small, &columns(10)).expect("write");
    for (name, encodings) in chunk_encodings(&small) {
        assert!(dictionary(&encodings), "{name}: {encodings:?}");
    }
}

#[test]
fn a_batch_with_other_columns_is_refused_and_no_file_is_left() {
    let dir = tempfile::tempdir().expect("tempdir");
    for ext in ["csv", "parquet"] {
        let path = dir.path().join(format!("t.{ext}"));
        let mut w = TableWriter::create(&path).expect("create");
        w.write(&table(0..3)).expect("first");
        let mut other = table(3..5);
        other.swap(0, 1);
        let err = w.write(&other).expect_err("columns differ");
        assert!(matches!(err, IoError::BatchColumns { .. }), "{err}");
        drop(w);
        assert!(!path.exists());
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0);
    }
}

#[test]
fn no_batch_at_all_writes_an_empty_table() {
    let dir = tempfile::tempdir().expect("tempdir");
    let json = dir.path().join("t.json");
    TableWriter::create(&json)
        .expect("create")
        .finish()
        .expect("finish");
    assert_eq!(std::fs::read_to_string(&json).expect("read"), "[]\n");
    let pq = dir.path().join("t.parquet");
    TableWriter::create(&pq)
        .expect("create")
        .finish()
        .expect("finish");
    assert_eq!(read_table(&pq).expect("read").rows.len(), 0);
}
