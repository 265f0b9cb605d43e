//! Fuzzing the model loader: the reference set's files (the set, its two models and its rules)
//! in TOML, the set as JSON, and a single model, mutated (see `support/mutate.rs`), must load
//! or be refused with a positioned error — never a panic:
//!
//! - a syntax error, an unknown key, a wrong type or text that is not UTF-8: the file, a line
//!   and a column (the first byte that is not UTF-8 for the latter);
//! - a model that does not validate: the model's id and the path, input or part at fault;
//! - a rule that does not compile: its id and its line, or its column in `when`;
//! - an included file that cannot be read: that file.
//!
//! Inputs that once failed are in `tests/corpus/fuzz/`, replayed by
//! [`the_corpus_of_inputs_that_once_failed_is_refused_with_a_position`]. Cases per property:
//! `PROPTEST_CASES` (500 by default); see `docs/fuzzing.md`.
#![allow(clippy::unwrap_used)]

#[path = "support/mutate.rs"]
mod mutate;

use std::path::Path;

use mutate::{apply, first_bad_byte, mutations};
use proptest::prelude::*;
use riskgrade_model::{ModelError, ModelSet, Problem, examples};
use riskgrade_rules::RuleError;

/// The files of the reference set that a mutation may hit.
const SET_FILES: [&str; 4] = [
    "reference.toml",
    "general.toml",
    "food_production.toml",
    "reference_rules.toml",
];

fn embedded(name: &str) -> &'static str {
    examples::FILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .unwrap()
}

/// Why `e` is not positioned, if it is not.
fn unpositioned(e: &ModelError) -> Option<String> {
    unplaced(e, true)
}

/// Why `e` is not positioned, if it is not; a semantic problem of a JSON model names its
/// model and path but has no line (`toml` false).
fn unplaced(e: &ModelError, toml: bool) -> Option<String> {
    let ok = match e {
        ModelError::Io { file, .. } => !file.as_os_str().is_empty(),
        ModelError::Syntax { at, .. } => at.line >= 1 && at.column >= 1,
        // A semantic problem is placed in the file it comes from (a tree with no node at
        // all has no place).
        ModelError::Invalid { model, at, problem } => {
            !model.is_empty() && (at.line >= 1 || !toml || matches!(problem, Problem::Empty))
        }
        ModelError::Set(_) => true,
        ModelError::Rule(r) => rule_positioned(r),
        _ => false,
    };
    (!ok).then(|| format!("{e:?}"))
}

fn rule_positioned(e: &RuleError) -> bool {
    match e {
        RuleError::Compile { rule, at, .. } | RuleError::Runtime { rule, at, .. } => {
            !rule.is_empty() && at.line >= 1
        }
        RuleError::When { rule, column, .. } => !rule.is_empty() && *column >= 1,
        _ => !e.to_string().is_empty(),
    }
}

/// Loads the reference set with `name` replaced by `bytes`: from memory when the text is
/// UTF-8, else from files on disk.
fn load(name: &str, bytes: &[u8]) -> Result<ModelSet, ModelError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            let files = |n: &str| {
                if n == name {
                    Some(text)
                } else {
                    examples::FILES
                        .iter()
                        .find(|(f, _)| *f == n)
                        .map(|(_, t)| *t)
                }
            };
            let top = if name == "reference.toml" {
                text
            } else {
                embedded("reference.toml")
            };
            ModelSet::from_toml_str_with(top, files)
        }
        Err(_) => {
            let dir = tempfile::tempdir().unwrap();
            for f in SET_FILES {
                std::fs::write(dir.path().join(f), embedded(f)).unwrap();
            }
            std::fs::write(dir.path().join(name), bytes).unwrap();
            ModelSet::from_file(dir.path().join("reference.toml"))
        }
    }
}

/// The loader's verdict on `bytes` as file `name` must be a set or a positioned refusal; text
/// that is not UTF-8 is refused at its first bad byte.
fn check(name: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    let result = load(name, bytes);
    let shown = || String::from_utf8_lossy(bytes).into_owned();
    match (&result, first_bad_byte(bytes)) {
        (Ok(_), Some(_)) => {
            prop_assert!(false, "{name}: text that is not UTF-8 loaded\n{}", shown())
        }
        (Err(e), Some((line, column))) => {
            let ok = matches!(e, ModelError::Syntax { at, .. }
                if at.line == line && at.column == column && at.file.as_deref().is_some_and(|f| f.ends_with(name)));
            prop_assert!(
                ok,
                "{name}: not UTF-8 at line {line}, column {column}, but {e:?}"
            );
        }
        (Err(e), None) => {
            if let Some(why) = unpositioned(e) {
                prop_assert!(
                    false,
                    "{name}: refused without a position: {why}\n{}",
                    shown()
                );
            }
            prop_assert!(!e.to_string().is_empty());
        }
        (Ok(_), None) => {}
    }
    Ok(())
}

proptest! {
    #![proptest_config(mutate::config(500))]

    /// The reference set's TOML files, mutated.
    #[test]
    fn mutated_set_files_load_or_are_refused_with_a_position(
        file in 0..SET_FILES.len(),
        edits in mutations(4),
    ) {
        let name = SET_FILES[file];
        let bytes = apply(embedded(name).as_bytes().to_vec(), &edits);
        check(name, &bytes)?;
    }

    /// The reference set as one JSON file, mutated.
    #[test]
    fn a_mutated_json_set_loads_or_is_refused_with_a_position(edits in mutations(4)) {
        let json = examples::reference().unwrap().to_json();
        let bytes = apply(json.into_bytes(), &edits);
        if let Ok(text) = std::str::from_utf8(&bytes)
            && let Err(e) = ModelSet::from_json_str(text)
        {
            prop_assert!(unplaced(&e, false).is_none(), "{e:?}\n{text}");
        }
    }

    /// A single model (the Henan model), mutated.
    #[test]
    fn a_mutated_single_model_loads_or_is_refused_with_a_position(edits in mutations(4)) {
        let bytes = apply(examples::HENAN.as_bytes().to_vec(), &edits);
        if let Ok(text) = std::str::from_utf8(&bytes)
            && let Err(e) = ModelSet::from_toml_str(text)
        {
            prop_assert!(unpositioned(&e).is_none(), "{e:?}\n{text}");
        }
    }
}

/// Each corpus file is `<set file>.<case>.toml`: the reference set with that file replaced.
#[test]
fn the_corpus_of_inputs_that_once_failed_is_refused_with_a_position() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/fuzz");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_name().unwrap().to_str().unwrap();
        let name = SET_FILES
            .iter()
            .find(|f| stem.starts_with(f.trim_end_matches(".toml")))
            .unwrap();
        let bytes = std::fs::read(&path).unwrap();
        check(name, &bytes).unwrap_or_else(|e| panic!("{stem}: {e}"));
        seen += 1;
    }
    assert!(seen > 0);
}

/// serde_json places an error at the end of the text, after a line break, at column 0: the
/// loader says column 1 (found by the JSON property).
#[test]
fn json_errors_at_the_end_of_the_text_have_a_column() {
    for text in ["", "{", "{\n", "{\"default\": \n\n"] {
        let e = ModelSet::from_json_str(text).unwrap_err();
        assert!(unpositioned(&e).is_none(), "{text:?}: {e:?}");
    }
}

#[test]
fn the_first_byte_that_is_not_utf8_is_found_by_line_and_column() {
    assert_eq!(first_bad_byte(b"a\nb\xffc"), Some((2, 2)));
    assert_eq!(
        first_bad_byte(&[b"\xc3\xa9\n\xe9\x95\xbf" as &[u8], b"\xb1"].concat()),
        Some((2, 2))
    );
    assert_eq!(first_bad_byte(b"ok"), None);
}
