//! Streaming classification gives the results of grading the input whole:
//! the same bytes in every output format, for every batch size (1, sizes that
//! do not divide the input, the input's size and more), with issue rows
//! counted from the input's first row; share-cut models are refused.

use std::path::Path;
use std::sync::Arc;

use riskgrade_core::{Date, Enterprise, Frame};
use riskgrade_engine::{Grader, Options, ResultColumns, StreamError, classify_file, results_table};
use riskgrade_io::{frame_to_columns, read_table, write_table};
use riskgrade_model::ModelSet;

fn as_of() -> Date {
    "2026-11-01".parse().expect("date")
}

fn reference() -> Arc<ModelSet> {
    Arc::new(riskgrade_model::examples::reference().expect("reference"))
}

/// A synthetic population of `n` with a few bad values.
fn population(n: usize) -> Vec<Enterprise> {
    riskgrade_synth::generate(&riskgrade_synth::SynthConfig::new(n, 11, as_of())).enterprises
}

/// The whole input graded at once and written to `out`.
fn whole(set: &Arc<ModelSet>, frame: &Frame, profiles: Option<&[Enterprise]>, out: &Path) {
    let options = Options::default();
    let grades = Grader::new(Arc::clone(set))
        .grade_with(frame, profiles, as_of(), &options)
        .expect("grade");
    write_table(
        out,
        &results_table(&grades, frame, ResultColumns::default()),
    )
    .expect("write");
}

fn stream(
    set: &Arc<ModelSet>,
    input: &Path,
    out: &Path,
    rows: usize,
) -> riskgrade_engine::StreamReport {
    classify_file(
        set,
        input,
        Some(out),
        as_of(),
        &Options::default(),
        ResultColumns::default(),
        rows,
    )
    .expect("stream")
}

#[test]
fn parquet_streamed_in_any_batch_size_gives_the_whole_results() {
    let set = reference();
    let dir = tempfile_dir("parquet");
    let frame = Frame::from_profiles(
        &population(300),
        set.schema(),
        as_of(),
        set.effect_periods(),
    );
    let mut cols = frame_to_columns(&frame);
    // Bad values: a negative count and a NaN, at rows far apart.
    for c in cols.iter_mut().filter(|c| c.name == "complaints_1y") {
        if let riskgrade_io::OutData::Number(v) = &mut c.data {
            v[5] = Some(-3.0);
            v[260] = Some(f64::NAN);
        }
    }
    let input = dir.join("in.parquet");
    write_table(&input, &cols).expect("input");
    let read = riskgrade_io::read_frame(&input, set.schema()).expect("read");
    assert!(read.issues().len() >= 2);
    for ext in ["csv", "jsonl", "parquet"] {
        let expected = dir.join(format!("whole.{ext}"));
        whole(&set, &read, None, &expected);
        for rows in [1, 7, 64, 299, 300, 1000] {
            let out = dir.join(format!("streamed{rows}.{ext}"));
            let report = stream(&set, &input, &out, rows);
            assert_eq!(report.batches, 300usize.div_ceil(rows));
            assert_eq!(report.summary.total, 300);
            let rows_of: Vec<usize> = report.issues.iter().map(|i| i.row).collect();
            let expected_rows: Vec<usize> = read.issues().iter().map(|i| i.row).collect();
            assert_eq!(rows_of, expected_rows, "batches of {rows}");
            if ext == "parquet" {
                assert_eq!(
                    read_table(&out).expect("out"),
                    read_table(&expected).expect("whole")
                );
            } else {
                assert!(
                    std::fs::read(&out).expect("out") == std::fs::read(&expected).expect("whole"),
                    "{ext}, batches of {rows}"
                );
            }
        }
    }
    std::fs::remove_dir_all(&dir).expect("clean");
}

#[test]
fn json_lines_streamed_keep_unreadable_profiles_last_with_their_lines() {
    let set = reference();
    let dir = tempfile_dir("jsonl");
    let people = population(50);
    let mut text = String::new();
    for (i, e) in people.iter().enumerate() {
        if i % 13 == 4 {
            text.push_str(&format!("{{\"id\": \"{}\", \"industry\": \n", e.id));
        } else {
            text.push_str(&serde_json::to_string(e).expect("json"));
            text.push('\n');
        }
    }
    let input = dir.join("in.jsonl");
    std::fs::write(&input, &text).expect("input");
    let p = riskgrade_io::read_profiles(&input, false).expect("profiles");
    let frame = Frame::from_profiles(&p.enterprises, set.schema(), as_of(), set.effect_periods())
        .with_unreadable(p.unreadable());
    let expected = dir.join("whole.csv");
    whole(&set, &frame, Some(&p.enterprises), &expected);
    for rows in [1, 3, 49, 50, 51] {
        let out = dir.join(format!("streamed{rows}.csv"));
        let report = stream(&set, &input, &out, rows);
        assert_eq!(report.summary.failed, 4, "batches of {rows}");
        assert!(
            report.issues.iter().all(|i| i.row >= 46),
            "{:?}",
            report.issues
        );
        assert_eq!(
            std::fs::read_to_string(&out).expect("out"),
            std::fs::read_to_string(&expected).expect("whole"),
            "batches of {rows}"
        );
    }
    std::fs::remove_dir_all(&dir).expect("clean");
}

#[test]
fn a_share_cut_model_is_refused_before_anything_is_written() {
    let text = riskgrade_model::examples::HENAN
        .replace("band = [0, 200]", "share = 0.6")
        .replace("band = [200, 500]", "share = 0.25")
        .replace("band = [500, 750]", "share = 0.1")
        .replace("band = [750, 1000]", "share = 0.05");
    let set = Arc::new(ModelSet::from_toml_str(&text).expect("share model"));
    assert!(riskgrade_engine::share_model(&set).is_some());
    let dir = tempfile_dir("shares");
    let input = dir.join("in.jsonl");
    std::fs::write(&input, "{\"id\":\"E1\",\"industry\":\"F5211\"}\n").expect("input");
    let out = dir.join("out.csv");
    let err = classify_file(
        &set,
        &input,
        Some(&out),
        as_of(),
        &Options::default(),
        ResultColumns::default(),
        10,
    )
    .expect_err("shares need the whole input");
    assert!(matches!(err, StreamError::ShareClasses { .. }), "{err}");
    assert!(err.to_string().contains("shares of the batch"), "{err}");
    assert!(!out.exists());
    std::fs::remove_dir_all(&dir).expect("clean");
}

/// A fresh scratch folder for one test.
fn tempfile_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("riskgrade-stream-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch");
    dir
}
