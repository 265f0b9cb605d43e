//! Fuzzing the rule-tests loader: the reference rules' test file, mutated (see
//! `riskgrade-model/tests/support/mutate.rs`), must be refused with its file, line and column
//! (a syntax error, an unknown key, a wrong type, a bad date), or be read and run against the
//! reference set — never a panic — with one result per case: passed, or failed with what
//! differed (a case whose inputs cannot be graded fails with the input named, it does not stop
//! the others).
//!
//! Inputs that once failed are in `tests/corpus/rule_tests/`, replayed by
//! [`the_corpus_of_inputs_that_once_failed_runs_or_is_refused_with_a_position`]. Cases per
//! property: `PROPTEST_CASES` (300 by default: each case grades the file's 25 cases); see
//! `docs/fuzzing.md`.
#![allow(clippy::unwrap_used)]

#[path = "../../riskgrade-model/tests/support/mutate.rs"]
mod mutate;

use std::path::Path;
use std::sync::{Arc, OnceLock};

use mutate::{apply, mutations};
use proptest::prelude::*;
use riskgrade_engine::RuleTests;
use riskgrade_model::{ModelSet, examples};

const NAME: &str = "reference_rules.tests.toml";

fn set() -> &'static Arc<ModelSet> {
    static SET: OnceLock<Arc<ModelSet>> = OnceLock::new();
    SET.get_or_init(|| Arc::new(examples::reference().unwrap()))
}

fn check(text: &str) -> Result<(), TestCaseError> {
    match RuleTests::from_toml_str(text, NAME) {
        Err(e) => {
            prop_assert!(
                e.at.line >= 1 && e.at.column >= 1 && e.at.file.as_deref() == Some(Path::new(NAME)),
                "refused without a position: {e:?}\n{text}"
            );
            prop_assert!(!e.message.is_empty());
        }
        Ok(tests) => {
            let results = tests.run(set());
            prop_assert_eq!(results.len(), tests.cases.len(), "a case was lost");
            for (r, case) in results.iter().zip(&tests.cases) {
                prop_assert_eq!(&r.name, &case.name);
                prop_assert!(r.failures.iter().all(|f| !f.is_empty()), "{r:?}");
                let _ = r.to_string();
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(mutate::config(300))]

    #[test]
    fn mutated_rule_tests_run_or_are_refused_with_a_position(edits in mutations(4)) {
        let bytes = apply(examples::REFERENCE_RULE_TESTS.as_bytes().to_vec(), &edits);
        // The loader takes text: bytes that are not UTF-8 are refused by whoever reads the file.
        if let Ok(text) = std::str::from_utf8(&bytes) {
            check(text)?;
        }
    }
}

#[test]
fn the_corpus_of_inputs_that_once_failed_runs_or_is_refused_with_a_position() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/rule_tests");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        check(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}
