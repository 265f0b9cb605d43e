//! Model files: loading, validation messages, round trips and version ids.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use riskgrade_model::{ModelError, ModelSet, examples};

fn err(text: &str) -> String {
    ModelSet::from_toml_str(text).unwrap_err().to_string()
}

const BASE: &str = r#"
id = "m"
scale = { min = 0, max = 100, higher = "risk" }
defaults = { missing = 0 }

[inputs.penalties]
type = "count"

[inputs.kind]
type = "category"

[[node]]
path = "supervision"
weight = 1

[[node]]
path = "supervision.penalties"
weight = 0.6
input = "penalties"
score = { type = "bins", edges = [1, 2, 4], points = [0, 40, 70, 100] }

[[node]]
path = "supervision.kind"
weight = 0.4
input = "kind"
score = { type = "category", map = { sole = 60, llc = 20 }, other = 40 }
"#;

#[test]
fn the_base_model_loads() {
    let set = ModelSet::from_toml_str(BASE).unwrap();
    assert_eq!(set.models()[0].leaves().len(), 2);
    assert_eq!(set.models()[0].classes().names(), ["A", "B", "C", "D"]);
}

#[test]
fn validation_errors_name_the_path_and_the_fix() {
    insta::assert_snapshot!(err(&BASE.replace("weight = 0.4", "weight = 0.33")), @"line 18, column 1: model `m`: weights of `supervision` sum to 0.93, expected 1");
    insta::assert_snapshot!(err(&BASE.replace("edges = [1, 2, 4]", "edges = [1, 2, 2]")), @"line 20, column 1: model `m`: bin edges of `supervision.penalties` are not increasing at index 2");
    insta::assert_snapshot!(err(&BASE.replace("points = [0, 40, 70, 100]", "points = [0, 40, 70]")), @"line 20, column 1: model `m`: `supervision.penalties` has 3 bin edges and 3 points; bins need at least one edge and one more point than edges");
    insta::assert_snapshot!(err(&BASE.replace("input = \"penalties\"", "input = \"penalty\"")), @"line 19, column 1: model `m`: `supervision.penalties` reads input `penalty`, which is not declared under [inputs] (did you mean `penalties`?)");
    insta::assert_snapshot!(err(&BASE.replace("points = [0, 40, 70, 100]", "points = [0, 40, 70, 120]")), @"line 20, column 1: model `m`: points 120 of `supervision.penalties` lie outside the scale [0, 100]");
    insta::assert_snapshot!(err(&BASE.replace("input = \"kind\"", "input = \"penalties\"")), @"line 25, column 1: model `m`: `supervision.kind` scores `category` on input `penalties` of type `count`; use `bins` or `linear` for numbers, `boolean` for flags");
    insta::assert_snapshot!(err(&BASE.replace("path = \"supervision.kind\"", "path = \"supervison.kind\"")), @"line 23, column 1: model `m`: `supervison.kind` has no parent node `supervison`; declare it with its weight");
    insta::assert_snapshot!(err(&BASE.replace("defaults = { missing = 0 }\n", "")), @r#"line 19, column 1: model `m`: `supervision.penalties` has no missing-value policy; add `missing = "error"` or `missing = <points>` to it or to [defaults]"#);
    insta::assert_snapshot!(err(&BASE.replace("type = \"count\"", "type = \"count\"\nderive = { fn = \"count\", record = \"penalty\", severity = \"big\" }")), @"line 8, column 57: unknown variant `big`, expected one of `minor`, `general`, `major`");
    insta::assert_snapshot!(err(&BASE.replace("type = \"count\"", "type = \"count\"\nderive = { fn = \"count\" }")), @r#"line 6, column 9: model `m`: input `penalties`: `count` needs `record`, e.g. `record = "penalty"`"#);
}

#[test]
fn unknown_keys_are_errors_with_a_position() {
    insta::assert_snapshot!(err(&BASE.replace("weight = 0.6", "weight = 0.6\nwieght = 1")), @"line 19, column 1: unknown field `wieght`, expected one of `path`, `weight`, `name`, `input`, `model`, `score`, `missing`, `reason`");
    insta::assert_snapshot!(err(&BASE.replace("higher = \"risk\"", "higher = \"riskier\"")), @"line 3, column 40: unknown variant `riskier`, expected `risk` or `safety`");
    insta::assert_snapshot!(err(&BASE.replace("score = { type = \"bins\"", "score = { type = \"bin\"")), @"line 20, column 18: unknown variant `bin`, expected one of `bins`, `linear`, `boolean`, `category`");
    insta::assert_snapshot!(err("id = \"m\"\nscale = { min = 0, max = 100, higher = \"risk\" \n"), @"line 2, column 46: unclosed inline table, expected `}`");
}

#[test]
fn class_bands_must_cover_the_scale() {
    let with = |bands: &str| {
        err(&BASE.replace(
            "defaults = { missing = 0 }",
            &format!("defaults = {{ missing = 0 }}\n{bands}"),
        ))
    };
    let four = |a: &str, b: &str, c: &str, d: &str| {
        format!(
            "[[classes]]\nname = \"A\"\nband = {a}\n[[classes]]\nname = \"B\"\nband = {b}\n[[classes]]\nname = \"C\"\nband = {c}\n[[classes]]\nname = \"D\"\nband = {d}\n"
        )
    };
    insta::assert_snapshot!(with(&four("[0, 20]", "[25, 50]", "[50, 75]", "[75, 100]")), @"line 5, column 3: model `m`: classes: gap between class `A` [0, 20) and class `B` [25, 50); bands must meet with no gap or overlap");
    insta::assert_snapshot!(with(&four("[0, 30]", "[25, 50]", "[50, 75]", "[75, 100]")), @"line 5, column 3: model `m`: classes: overlap between class `A` [0, 30) and class `B` [25, 50); bands must meet with no gap or overlap");
    insta::assert_snapshot!(with(&four("[0, 25]", "[25, 50]", "[50, 75]", "[75, 90]")), @"line 5, column 3: model `m`: classes: the highest-risk class `D` must end at 100, but its band is [75, 90)");
    insta::assert_snapshot!(with(&four("[75, 100]", "[50, 75]", "[25, 50]", "[0, 25]")), @"line 5, column 3: model `m`: classes: the lowest-risk class `A` must start at 0 on a higher-is-riskier scale, but its band is [75, 100)");
    // On a higher-is-safer scale the same bands are right.
    let safer = BASE
        .replace("higher = \"risk\"", "higher = \"safety\"")
        .replace(
            "defaults = { missing = 0 }",
            &format!(
                "defaults = {{ missing = 0 }}\n{}",
                four("[75, 100]", "[50, 75]", "[25, 50]", "[0, 25]")
            ),
        );
    assert!(ModelSet::from_toml_str(&safer).is_ok());
}

#[test]
fn set_errors() {
    let food_alone = ModelSet::from_toml_str(examples::FOOD).unwrap_err();
    assert_eq!(
        food_alone.to_string(),
        "model set: `general_credit` in model `food` names model `general`, which is not in the set"
    );
    let typo = examples::REFERENCE.replace("model = \"food\"", "model = \"fod\"");
    let e = ModelSet::from_toml_str_with(&typo, |n| {
        examples::FILES.iter().find(|f| f.0 == n).map(|f| f.1)
    })
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "model set: line 24, column 1: route 1 to `fod` names a model that is not in the set (did you mean `food`?)"
    );
    let missing = ModelSet::from_file("/nonexistent/model.toml").unwrap_err();
    assert!(matches!(missing, ModelError::Io { .. }));
}

#[test]
fn every_example_loads_and_round_trips() {
    let mut sets = vec![examples::reference().unwrap()];
    sets.push(ModelSet::from_toml_str(examples::GENERAL).unwrap());
    sets.push(ModelSet::from_toml_str(examples::HENAN).unwrap());
    for set in sets {
        let toml = set.to_toml().unwrap();
        let again = ModelSet::from_toml_str(&toml).unwrap();
        assert_eq!(again.spec(), set.spec());
        assert_eq!(again.version_id(), set.version_id());
        let json = ModelSet::from_json_str(&set.to_json()).unwrap();
        assert_eq!(json.spec(), set.spec());
        assert_eq!(json.version_id(), set.version_id());
    }
}

#[test]
fn files_on_disk_match_the_embedded_ones() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/models");
    let from_disk = ModelSet::from_file(format!("{dir}/reference.toml")).unwrap();
    assert_eq!(
        from_disk.version_id(),
        examples::reference().unwrap().version_id()
    );
}

#[test]
fn the_version_changes_with_the_content() {
    let a = ModelSet::from_toml_str(BASE).unwrap();
    let b = ModelSet::from_toml_str(
        &BASE.replace("points = [0, 40, 70, 100]", "points = [0, 45, 70, 100]"),
    )
    .unwrap();
    let c = ModelSet::from_toml_str(&BASE.replace("\n\n", "\n\n# a comment\n")).unwrap();
    assert_ne!(a.version_id(), b.version_id());
    assert_eq!(
        a.version_id(),
        c.version_id(),
        "comments and layout do not change the version"
    );
}

fn arb_model() -> impl Strategy<Value = String> {
    // A random two-level tree with random weights (normalised) and random monotone bins.
    (1usize..5, proptest::collection::vec((1usize..4, 0.05f64..1.0), 1..5), any::<u64>()).prop_map(|(_, dims, seed)| {
        let mut s = String::from("id = \"r\"\nscale = { min = 0, max = 1000, higher = \"risk\" }\ndefaults = { missing = 0 }\n");
        let mut inputs = String::new();
        let mut nodes = String::new();
        let total: f64 = dims.iter().map(|d| d.1).sum();
        let mut dw: Vec<f64> = dims.iter().map(|d| d.1 / total).collect();
        let fix = 1.0 - dw[..dw.len() - 1].iter().sum::<f64>();
        let last = dw.len() - 1;
        dw[last] = fix;
        let mut x = seed;
        for (i, ((leaves, _), w)) in dims.iter().zip(&dw).enumerate() {
            nodes.push_str(&format!("[[node]]\npath = \"d{i}\"\nweight = {w:?}\n"));
            for j in 0..*leaves {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
                let e = (x >> 40) % 50 + 1;
                inputs.push_str(&format!("[inputs.x{i}_{j}]\ntype = \"count\"\n"));
                let lw = if j + 1 == *leaves { 1.0 - (*leaves as f64 - 1.0) * (1.0 / *leaves as f64) } else { 1.0 / *leaves as f64 };
                nodes.push_str(&format!(
                    "[[node]]\npath = \"d{i}.l{j}\"\nweight = {lw:?}\ninput = \"x{i}_{j}\"\nscore = {{ type = \"bins\", edges = [{e}, {}], points = [0, {}, 1000] }}\n",
                    e * 2,
                    (x >> 20) % 1000
                ));
            }
        }
        s.push_str(&inputs);
        s.push_str(&nodes);
        s
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// load → save → load is identical and the version id is stable.
    #[test]
    fn random_models_round_trip(text in arb_model()) {
        let set = ModelSet::from_toml_str(&text).unwrap();
        let again = ModelSet::from_toml_str(&set.to_toml().unwrap()).unwrap();
        prop_assert_eq!(again.spec(), set.spec());
        prop_assert_eq!(again.to_json(), set.to_json());
        prop_assert_eq!(again.version_id(), set.version_id());
        let json = ModelSet::from_json_str(&again.to_json()).unwrap();
        prop_assert_eq!(json.version_id(), set.version_id());
    }
}

/// Every flag of the reference models read from the enterprise says what a missing value is
/// graded as: none takes, silently, the points of `true` or `false` from `[defaults]`.
#[test]
fn no_reference_flag_grades_a_missing_value_as_true_or_false_silently() {
    let henan = ModelSet::from_toml_str(examples::HENAN).unwrap();
    let reference = examples::reference().unwrap();
    let silent: Vec<String> = reference
        .models()
        .iter()
        .chain(henan.models())
        .flat_map(|m| m.silent_missing_flags())
        .map(|s| s.to_string())
        .collect();
    assert!(silent.is_empty(), "{silent:#?}");
    // And the check can find one: the general model with its flags' own policies removed.
    let text = examples::GENERAL.replace("missing = 350\n", "");
    assert_ne!(text, examples::GENERAL);
    let files = |n: &str| {
        if n == "general.toml" {
            Some(text.as_str())
        } else {
            examples::FILES
                .iter()
                .find(|(f, _)| *f == n)
                .map(|(_, t)| *t)
        }
    };
    let set = ModelSet::from_toml_str_with(examples::REFERENCE, files).unwrap();
    assert!(!set.models()[0].silent_missing_flags().is_empty());
}
