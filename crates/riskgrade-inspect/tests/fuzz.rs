//! Fuzzing the plan loader: the embedded plans, mutated (see
//! `riskgrade-model/tests/support/mutate.rs`), must load or be refused with a positioned
//! error — never a panic: a syntax error, an unknown key, a wrong type or text that is not
//! UTF-8 with the file, line and column (the first bad byte for the latter); a plan that
//! breaks a rule with its id and the field at fault. A plan that loads can be used: its
//! digest, notes, ratios and exclusion window are computed without a panic.
//!
//! Inputs that once failed are in `tests/corpus/fuzz/`, replayed by
//! [`the_corpus_of_inputs_that_once_failed_is_refused_with_a_position`]. Cases per property:
//! `PROPTEST_CASES` (1,000 by default); see `docs/fuzzing.md`.
#![allow(clippy::unwrap_used)]

#[path = "../../riskgrade-model/tests/support/mutate.rs"]
mod mutate;

use std::path::Path;

use mutate::{apply, first_bad_byte, mutations};
use proptest::prelude::*;
use riskgrade_inspect::{Plan, PlanError, examples};

/// Loads `bytes` as plan file `name`: from memory when the text is UTF-8, else from a file.
fn load(name: &str, bytes: &[u8]) -> Result<Plan, PlanError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Plan::from_toml_str(text, Some(Path::new(name))),
        Err(_) => {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            Plan::from_file(&path)
        }
    }
}

/// Uses every part of a loaded plan that a draw reads.
fn use_plan(plan: &Plan) {
    let classes: Vec<String> = plan.classes().map(str::to_string).collect();
    for class in &classes {
        let _ = (
            plan.effective_ratio(class),
            plan.min_per_year(class),
            plan.max_per_year(class),
            plan.is_full_coverage(class),
        );
    }
    for date in ["2026-11-01", "2000-03-31", "2099-12-31"] {
        let _ = plan.exclusion_cutoff(date.parse().unwrap());
    }
    let _ = (
        plan.digest(),
        plan.notes(),
        plan.forced_caps(),
        plan.per_task(),
    );
}

fn check(name: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    let result = load(name, bytes);
    let shown = || String::from_utf8_lossy(bytes).into_owned();
    match (&result, first_bad_byte(bytes)) {
        (Ok(_), Some(_)) => prop_assert!(false, "{name}: text that is not UTF-8 loaded"),
        (Err(e), Some((line, column))) => {
            let ok = matches!(e, PlanError::Syntax { at, .. }
                if at.line == line && at.column == column && at.file.as_deref().is_some_and(|f| f.ends_with(name)));
            prop_assert!(
                ok,
                "{name}: not UTF-8 at line {line}, column {column}, but {e:?}"
            );
        }
        (Err(e), None) => {
            let ok = match e {
                PlanError::Syntax { at, .. } => at.line >= 1 && at.column >= 1 && at.file.is_some(),
                PlanError::Invalid { file, .. } => file.is_some(),
                _ => false,
            };
            prop_assert!(ok, "{name}: refused without a position: {e:?}\n{}", shown());
        }
        (Ok(plan), None) => use_plan(plan),
    }
    Ok(())
}

proptest! {
    #![proptest_config(mutate::config(1000))]

    #[test]
    fn mutated_plans_load_or_are_refused_with_a_position(
        which in 0..examples::PLANS.len(),
        edits in mutations(4),
    ) {
        let (name, text) = examples::PLANS[which];
        let bytes = apply(text.as_bytes().to_vec(), &edits);
        check(name, &bytes)?;
    }
}

#[test]
fn the_corpus_of_inputs_that_once_failed_is_refused_with_a_position() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/fuzz");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let bytes = std::fs::read(&path).unwrap();
        check(&name, &bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        seen += 1;
    }
    assert!(seen > 0);
}
