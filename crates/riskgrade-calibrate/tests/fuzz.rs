//! Fuzzing the AHP judgement loader: the general model's judgement file, mutated (see
//! `riskgrade-model/tests/support/mutate.rs`), read and turned into weights for the reference
//! set, must give weights or a positioned refusal — never a panic: a syntax error, an unknown
//! key, a wrong type or text that is not UTF-8 with the file, line and column; a matrix that
//! does not fit (a child that is not the node's, a judgement off Saaty's scale, an inconsistent
//! matrix) with the file and the line of its `[[matrix]]`; a file-wide setting with its key;
//! a node or model that the set does not have by its name. Weights that come out are finite,
//! positive and sum to 1.
//!
//! Inputs that once failed are in `tests/corpus/fuzz/`, replayed by
//! [`the_corpus_of_inputs_that_once_failed_is_refused_with_a_position`]. Cases per property:
//! `PROPTEST_CASES` (1,000 by default); see `docs/fuzzing.md`.
#![allow(clippy::unwrap_used, clippy::result_large_err)]

#[path = "../../riskgrade-model/tests/support/mutate.rs"]
mod mutate;

use std::path::Path;
use std::sync::OnceLock;

use mutate::{apply, first_bad_byte, mutations};
use proptest::prelude::*;
use riskgrade_calibrate::{AhpFile, AhpOptions, CalibrateError, ahp};
use riskgrade_model::{ModelSet, examples};

const NAME: &str = "general-ahp.toml";

fn judgements() -> &'static str {
    include_str!("../../../examples/weights/general-ahp.toml")
}

fn set() -> &'static ModelSet {
    static SET: OnceLock<ModelSet> = OnceLock::new();
    SET.get_or_init(|| examples::reference().unwrap())
}

fn read(bytes: &[u8]) -> Result<AhpFile, CalibrateError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => AhpFile::from_str_named(text, NAME),
        Err(_) => {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join(NAME);
            std::fs::write(&path, bytes).unwrap();
            AhpFile::from_file(&path)
        }
    }
}

/// Why `e` is not positioned, if it is not.
fn unpositioned(e: &CalibrateError) -> Option<String> {
    let ok = match e {
        CalibrateError::Judgements { at, message } => {
            at.file.as_deref().is_some_and(|f| f.ends_with(NAME))
                && (at.line >= 1
                    || message.starts_with("ri_table")
                    || message.starts_with("no [[matrix]]"))
        }
        CalibrateError::Inconsistent { refused } => refused.iter().all(|r| r.at.line >= 1),
        CalibrateError::NoModel { .. } | CalibrateError::NoNode { .. } => true,
        _ => false,
    };
    (!ok).then(|| format!("{e:?}"))
}

fn check(bytes: &[u8]) -> Result<(), TestCaseError> {
    let shown = || String::from_utf8_lossy(bytes).into_owned();
    let file = match (read(bytes), first_bad_byte(bytes)) {
        (Ok(_), Some(_)) => return Err(TestCaseError::fail("text that is not UTF-8 was read")),
        (Err(e), Some((line, column))) => {
            let ok = matches!(&e, CalibrateError::Judgements { at, .. }
                if at.line == line && at.column == column && at.file.as_deref().is_some_and(|f| f.ends_with(NAME)));
            prop_assert!(ok, "not UTF-8 at line {line}, column {column}, but {e:?}");
            return Ok(());
        }
        (Err(e), None) => {
            prop_assert!(
                unpositioned(&e).is_none(),
                "refused without a position: {e:?}\n{}",
                shown()
            );
            return Ok(());
        }
        (Ok(file), None) => file,
    };
    for accept_inconsistent in [false, true] {
        let options = AhpOptions {
            accept_inconsistent,
            ..AhpOptions::default()
        };
        match ahp(set(), &file, &options) {
            Err(e) => prop_assert!(
                unpositioned(&e).is_none(),
                "refused without a position: {e:?}\n{}",
                shown()
            ),
            Ok(outcome) => {
                for node in &outcome.nodes {
                    let w = &node.result.weights;
                    let sum: f64 = w.iter().sum();
                    prop_assert!(
                        w.iter().all(|x| x.is_finite() && *x > 0.0),
                        "{w:?}\n{}",
                        shown()
                    );
                    prop_assert!((sum - 1.0).abs() < 1e-9, "{w:?}\n{}", shown());
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(mutate::config(1000))]

    #[test]
    fn mutated_judgements_give_weights_or_are_refused_with_a_position(edits in mutations(4)) {
        let bytes = apply(judgements().as_bytes().to_vec(), &edits);
        check(&bytes)?;
    }
}

#[test]
fn the_corpus_of_inputs_that_once_failed_is_refused_with_a_position() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/fuzz");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        check(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        seen += 1;
    }
    assert!(seen > 0);
}
