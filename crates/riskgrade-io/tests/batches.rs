//! A file read in batches holds the rows, values and issues of the file read
//! whole, for every batch size (1, sizes that do not divide the rows, more than the rows).

use riskgrade_core::{DataIssue, InputSpec, InputType, Schema};
use riskgrade_io::{
    InputBatch, OutColumn, OutData, parse_profiles_jsonl, read_batches, read_frame, read_profiles,
    write_table,
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
        ("penalties_3y".to_string(), spec(InputType::Count)),
        ("scale".to_string(), spec(InputType::Category)),
    ])
}

/// 41 rows, every seventh with a negative count (an issue).
fn write_input(path: &std::path::Path) {
    let n = 41;
    write_table(
        path,
        &[
            OutColumn::new(
                "id",
                OutData::Text((0..n).map(|i| Some(format!("E{i}"))).collect()),
            ),
            OutColumn::new("industry", OutData::Text(vec![Some("C14".into()); n])),
            OutColumn::new(
                "penalties_3y",
                OutData::Number(
                    (0..n)
                        .map(|i| Some(if i % 7 == 3 { -1.0 } else { (i % 4) as f64 }))
                        .collect(),
                ),
            ),
            OutColumn::new(
                "scale",
                OutData::Text(
                    (0..n)
                        .map(|i| (i % 5 != 0).then(|| ["small", "large"][i % 2].into()))
                        .collect(),
                ),
            ),
        ],
    )
    .expect("write");
}

#[test]
fn parquet_batches_hold_the_whole_files_rows_and_issues() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("in.parquet");
    write_input(&path);
    let whole = read_frame(&path, &schema()).expect("whole");
    assert_eq!(whole.issues().len(), 6);
    for size in [1, 3, 7, 40, 41, 1000] {
        let (mut ids, mut issues, mut counts, mut scales) = (vec![], vec![], vec![], vec![]);
        let mut sizes = vec![];
        for b in read_batches(&path, &schema(), size).expect("open") {
            let InputBatch::Columns(f) = b.expect("batch") else {
                panic!("columns expected")
            };
            let offset = ids.len();
            sizes.push(f.len());
            issues.extend(f.issues().iter().map(|i| DataIssue {
                row: i.row + offset,
                ..i.clone()
            }));
            ids.extend_from_slice(f.ids());
            counts.extend_from_slice(f.number("penalties_3y").expect("counts"));
            let (_, col) = f.column("scale").expect("scale");
            scales.extend((0..f.len()).map(|r| col.display(r, InputType::Category)));
        }
        assert!(sizes.iter().all(|&s| s <= size), "{sizes:?}");
        assert_eq!(ids, whole.ids(), "batches of {size}");
        assert_eq!(issues, whole.issues(), "batches of {size}");
        let whole_counts = whole.number("penalties_3y").expect("counts");
        assert!(
            counts
                .iter()
                .zip(whole_counts)
                .all(|(a, b)| a.to_bits() == b.to_bits())
        );
        let (_, col) = whole.column("scale").expect("scale");
        let whole_scales: Vec<_> = (0..whole.len())
            .map(|r| col.display(r, InputType::Category))
            .collect();
        assert_eq!(scales, whole_scales, "batches of {size}");
    }
}

#[test]
fn json_lines_batches_keep_the_files_line_numbers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("in.jsonl");
    let mut text = String::from("\u{feff}");
    for i in 0..23 {
        if i % 6 == 2 {
            text.push_str(&format!("{{\"id\": \"E{i}\", \"industry\": }}\n"));
        } else {
            text.push_str(&format!("{{\"id\": \"E{i}\", \"industry\": \"C14\"}}\n"));
        }
        if i % 5 == 0 {
            text.push('\n');
        }
    }
    std::fs::write(&path, &text).expect("write");
    let whole = read_profiles(&path, false).expect("whole");
    assert_eq!(whole, parse_profiles_jsonl(&text, false).expect("text"));
    assert_eq!(whole.issues.len(), 4);
    for size in [1, 2, 5, 22, 23, 50] {
        let (mut enterprises, mut issues) = (vec![], vec![]);
        for b in read_batches(&path, &Schema::default(), size).expect("open") {
            let InputBatch::Profiles(p) = b.expect("batch") else {
                panic!("profiles expected")
            };
            assert!(p.enterprises.len() + p.issues.len() <= size);
            enterprises.extend(p.enterprises);
            issues.extend(p.issues);
        }
        assert_eq!(enterprises, whole.enterprises, "batches of {size}");
        assert_eq!(issues, whole.issues, "batches of {size}");
    }
}

#[test]
fn a_missing_column_is_refused_before_any_batch() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("in.parquet");
    write_table(
        &path,
        &[OutColumn::new("id", OutData::Text(vec![Some("E1".into())]))],
    )
    .expect("write");
    let err = read_batches(&path, &schema(), 10)
        .err()
        .expect("no industry");
    assert!(err.to_string().contains("industry"), "{err}");
}
