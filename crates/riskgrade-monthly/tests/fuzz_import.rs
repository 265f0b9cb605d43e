//! Fuzzing `import`: a shared result set (schema `riskgrade.shared/2`) exported as CSV, JSON
//! Lines and Parquet, mutated (see `riskgrade-model/tests/support/mutate.rs`), and imported
//! into an empty store. Each import must either store every row of the file (rows in = rows
//! stored, ids kept) or be refused as a whole with a positioned error — never a panic, and
//! nothing stored: a file that does not parse with its line (and column), a row that breaks
//! the schema with its row and column, a column missing by its name, a Parquet file that
//! cannot be decoded by its file.
//!
//! Inputs that once failed are in `tests/corpus/shared/`, replayed by
//! [`the_corpus_of_inputs_that_once_failed_imports_or_is_refused_with_a_position`]. Cases per
//! property: `PROPTEST_CASES` (500 by default); see `docs/fuzzing.md`.
#![allow(clippy::unwrap_used, clippy::result_large_err)]

#[path = "../../riskgrade-model/tests/support/mutate.rs"]
mod mutate;

use std::path::Path;
use std::sync::OnceLock;

use mutate::{apply, mutations};
use proptest::prelude::*;
use riskgrade_core::Month;
use riskgrade_io::{IoError, read_table};
use riskgrade_monthly::{SchemaProblem, ShareError, export_period, import_period};
use riskgrade_store::{NewRun, ResultRow, Store};

const FORMATS: [&str; 3] = ["csv", "jsonl", "parquet"];

fn period() -> Month {
    "2026-10".parse().unwrap()
}

/// A period of 12 enterprises exported in each format: graded ones with labels, alerts and
/// rules, names and credit codes, and one not graded.
fn exported() -> &'static [Vec<u8>; 3] {
    static FILES: OnceLock<[Vec<u8>; 3]> = OnceLock::new();
    FILES.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("a.db")).unwrap();
        let classes: Vec<String> = ["A", "B", "C", "D"].map(String::from).to_vec();
        let run = NewRun::new(period(), "2026-10-31".parse().unwrap(), "v1", classes);
        let mut w = store.begin_run(run).unwrap();
        for i in 0..12 {
            let class = ["A", "B", "C", "D"][i % 4];
            let mut r =
                ResultRow::graded(&format!("E{i}"), "general", 100.0 + i as f64 * 37.5, class);
            r.district = "110108".into();
            r.industry = "C1411".into();
            if i % 3 == 0 {
                r.labels = vec!["重点监管".into(), "食品安全".into()];
                r.alerts = vec!["food_safety -> Food Production Safety Division".into()];
                r.rules = vec!["veto_dishonest_list".into(), "recent_major_penalty".into()];
            }
            w.insert(&r).unwrap();
        }
        w.insert(&ResultRow::failed(
            "E12",
            "column `industry`: `ZZ99` is not an industry code",
        ))
        .unwrap();
        w.commit().unwrap();
        FORMATS.map(|ext| {
            let path = dir.path().join(format!("shared.{ext}"));
            export_period(&store, period(), &path).unwrap();
            std::fs::read(&path).unwrap()
        })
    })
}

/// Why `e` is not positioned, if it is not.
fn unpositioned(e: &ShareError) -> Option<String> {
    let ok = match e {
        ShareError::Schema {
            row,
            column,
            problem,
            ..
        } => {
            row.is_some()
                || column.is_some()
                || matches!(
                    problem,
                    SchemaProblem::MissingColumn(_) | SchemaProblem::NoRows
                )
        }
        ShareError::Io(io) => match io {
            IoError::Json { line, .. }
            | IoError::Csv { line, .. }
            | IoError::NotUtf8 { line, .. } => *line >= 1,
            IoError::Arrow { .. } | IoError::ColumnType { .. } | IoError::MissingColumn { .. } => {
                true
            }
            _ => false,
        },
        _ => false,
    };
    (!ok).then(|| format!("{e:?}"))
}

fn check(ext: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("shared.{ext}"));
    std::fs::write(&path, bytes).unwrap();
    let mut store = Store::in_memory().unwrap();
    let shown = || String::from_utf8_lossy(bytes).into_owned();
    match import_period(&mut store, &path, None, false) {
        Ok(info) => {
            let table = read_table(&path).unwrap();
            prop_assert_eq!(
                info.enterprises as usize,
                table.rows.len(),
                "rows lost\n{}",
                shown()
            );
            let stored = store.runs().unwrap();
            prop_assert_eq!(stored.len(), 1);
        }
        Err(e) => {
            prop_assert!(
                unpositioned(&e).is_none(),
                "refused without a position: {e:?}\n{}",
                shown()
            );
            prop_assert!(
                store.runs().unwrap().is_empty(),
                "a refused import stored a run"
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(mutate::config(500))]

    #[test]
    fn mutated_shared_files_import_whole_or_are_refused_with_a_position(
        format in 0..FORMATS.len(),
        edits in mutations(3),
    ) {
        let bytes = apply(exported()[format].clone(), &edits);
        check(FORMATS[format], &bytes)?;
    }
}

/// Each corpus file is imported as the format of its extension.
#[test]
fn the_corpus_of_inputs_that_once_failed_imports_or_is_refused_with_a_position() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/shared");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let ext = path.extension().unwrap().to_str().unwrap().to_string();
        let bytes = std::fs::read(&path).unwrap();
        check(&ext, &bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}
