//! A model that parses but does not make sense is refused with the place in its file: the
//! included model file or the set file holding it inline, the line and column of the key at
//! fault; a rule's `when` that does not parse names the line `when` is written on.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use riskgrade_model::{ModelError, ModelSet, Problem, examples};
use riskgrade_rules::RuleError;

/// The line (1-based) of `text` on which byte `needle_at` stands.
fn line_of(text: &str, at: usize) -> usize {
    text[..at].matches('\n').count() + 1
}

/// Loads the reference set from a folder where `name` holds `text` instead.
fn load_with(dir: &Path, name: &str, text: &str) -> ModelError {
    for (f, t) in examples::FILES {
        std::fs::write(dir.join(f), if f == name { text } else { t }).unwrap();
    }
    ModelSet::from_file(dir.join("reference.toml")).unwrap_err()
}

/// Every node of every reference model, its weight made negative one at a time: the error
/// names that model's file and the very line of that weight.
#[test]
fn every_bad_weight_is_placed_on_its_own_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut seen = 0;
    for name in [
        "general.toml",
        "food_production.toml",
        "special_equipment.toml",
    ] {
        let text = examples::FILES.iter().find(|(f, _)| *f == name).unwrap().1;
        for (at, _) in text.match_indices("\nweight = ") {
            let line_start = at + 1;
            let end = text[line_start..].find('\n').unwrap() + line_start;
            let broken = format!("{}weight = -1{}", &text[..line_start], &text[end..]);
            let e = load_with(dir.path(), name, &broken);
            let ModelError::Invalid {
                problem, at: pos, ..
            } = &e
            else {
                panic!("{name}: {e}");
            };
            assert!(matches!(problem, Problem::BadWeight { .. }), "{e}");
            assert_eq!(
                pos.file.as_deref(),
                Some(dir.path().join(name).as_path()),
                "{e}"
            );
            assert_eq!(pos.line, line_of(&broken, line_start), "{e}");
            assert_eq!(pos.column, 1);
            assert!(e.to_string().starts_with(&format!(
                "{}:{}:1: model `",
                dir.path().join(name).display(),
                pos.line
            )));
            seen += 1;
        }
    }
    assert!(seen > 60, "{seen}");
}

/// A model written inline in a set file is placed in the set file; each kind of problem at
/// its own key: the score of a leaf, an input's declaration, the classes, `[insufficient]`.
#[test]
fn problems_of_an_inline_model_are_placed_in_the_set_file() {
    let set = r#"
default = "m"

[[model]]
id = "m"
scale = { min = 0, max = 100, higher = "risk" }
defaults = { missing = 0 }

[model.inputs.penalties]
type = "count"

[[model.node]]
path = "supervision"
weight = 1

[[model.node]]
path = "supervision.penalties"
weight = 1
input = "penalties"
score = { type = "bins", edges = [1, 2, 4], points = [0, 40, 70, 100] }
"#;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("set.toml");
    let cases = [
        ("edges = [1, 2, 4]", "edges = [1, 2, 2]", "score = "),
        ("input = \"penalties\"", "input = \"penalty\"", "input = "),
        (
            "type = \"count\"",
            "type = \"count\"\nderive = { fn = \"count\" }",
            "[model.inputs.penalties]",
        ),
        ("weight = 1\ninput", "weight = 0.5\ninput", "weight = 0.5"),
        (
            "defaults = { missing = 0 }",
            "defaults = { missing = 0 }\n[model.insufficient]\nmin_known = 9\naction = \"flag\"",
            "[model.insufficient]",
        ),
    ];
    for (from, to, key) in cases {
        let text = set.replace(from, to);
        assert_ne!(text, set, "{from}");
        std::fs::write(&file, &text).unwrap();
        let e = ModelSet::from_file(&file).unwrap_err();
        let ModelError::Invalid { at, .. } = &e else {
            panic!("{e}")
        };
        assert_eq!(at.file.as_deref(), Some(file.as_path()), "{e}");
        let expected = line_of(&text, text.find(key).unwrap());
        assert_eq!(at.line, expected, "{from}: {e}");
    }
}

/// A `when` that does not parse names the rule file and the line `when` is on; the column
/// stays the column in the condition, under which the message draws its caret.
#[test]
fn a_bad_when_names_its_line_in_the_rule_file() {
    let dir = tempfile::tempdir().unwrap();
    let rules = examples::REFERENCE_RULES.replace(
        "when = \"abnormal_entries_3y >= 2\"",
        "when = \"abnormal_entries_3y >= 2 &&\"",
    );
    assert_ne!(rules, examples::REFERENCE_RULES);
    let e = load_with(dir.path(), "reference_rules.toml", &rules);
    let ModelError::Rule(r) = &e else {
        panic!("{e}")
    };
    let RuleError::When {
        rule, file, line, ..
    } = r.as_ref()
    else {
        panic!("{e}")
    };
    assert_eq!(rule, "repeated_abnormal_listing");
    let expected = line_of(
        &rules,
        rules
            .find("when = \"abnormal_entries_3y >= 2 &&\"")
            .unwrap(),
    );
    assert_eq!(*line, expected);
    let file = file.as_deref().unwrap();
    assert!(file.ends_with("reference_rules.toml"));
    assert!(
        e.to_string()
            .contains(&format!("({}:{expected}): in `when`", file.display())),
        "{e}"
    );
}

/// Models from JSON, or built in code, have no lines: the error still names the model and path.
#[test]
fn a_json_model_names_model_and_path_without_a_line() {
    let mut json: serde_json::Value =
        serde_json::from_str(&examples::reference().unwrap().to_json()).unwrap();
    json["model"][0]["node"][0]["weight"] = serde_json::json!(-1);
    let e = ModelSet::from_json_str(&json.to_string()).unwrap_err();
    let ModelError::Invalid { model, at, .. } = &e else {
        panic!("{e}")
    };
    assert_eq!((&**model, at.line), ("general", 0));
    assert!(
        e.to_string()
            .starts_with("model `general`: weight of `basic`"),
        "{e}"
    );
}

/// A model with no `[[node]]` left (a file cut short) is refused at its `id`, not with an
/// empty position.
#[test]
fn a_model_without_indicators_is_placed_at_its_id() {
    let cut = examples::HENAN
        .find("[[node]]")
        .map(|at| &examples::HENAN[..at])
        .unwrap();
    let e = ModelSet::from_toml_str(cut).unwrap_err();
    let ModelError::Invalid {
        problem, at: pos, ..
    } = &e
    else {
        panic!("{e}");
    };
    assert!(matches!(problem, Problem::Empty), "{e}");
    let id_line = line_of(cut, cut.find("\nid = ").unwrap() + 1);
    assert_eq!((pos.line, pos.column), (id_line, 1), "{e}");
}
