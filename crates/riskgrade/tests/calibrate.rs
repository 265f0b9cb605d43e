//! Setting weights and cut-offs, and writing new model versions with their provenance.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use riskgrade::calibrate::{
    self as cal, AhpFile, AhpOptions, CalibrateError, FitOptions, Indicators, ObjectiveMethod,
    ObjectiveOptions,
};
use riskgrade::{Grader, ModelSet, Options, challenge, synth};

fn models() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/models")
}

fn reference() -> ModelSet {
    ModelSet::from_file(models().join("reference.toml")).unwrap()
}

fn judgements() -> AhpFile {
    AhpFile::from_file(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/weights/general-ahp.toml"),
    )
    .unwrap()
}

fn weight(set: &ModelSet, model: &str, path: &str) -> f64 {
    set.model(model)
        .unwrap()
        .nodes()
        .iter()
        .find(|n| n.path == path)
        .unwrap()
        .weight
}

#[test]
fn ahp_writes_a_new_version_with_its_provenance_and_keeps_comments() {
    let set = reference();
    let outcome = cal::ahp(&set, &judgements(), &AhpOptions::default()).unwrap();
    assert_eq!(outcome.nodes.len(), 2);
    for n in &outcome.nodes {
        assert!(n.consistent && n.result.cr.unwrap() < 0.1, "{n:?}");
        assert!((n.result.weights.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    }
    // Two experts judged `supervision`: each has a CR of their own.
    assert_eq!(outcome.nodes[1].expert_cr.len(), 2);
    // Supervision is judged the most important dimension.
    let top = &outcome.nodes[0];
    let sup = top
        .children
        .iter()
        .position(|c| c == "supervision")
        .unwrap();
    assert!(
        top.result
            .weights
            .iter()
            .all(|&w| w <= top.result.weights[sup])
    );

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("v2");
    let (path, version) = cal::write_version(
        &set,
        &models().join("reference.toml"),
        &outcome.changes,
        &out,
    )
    .unwrap();
    let v2 = ModelSet::from_file(&path).unwrap();
    assert_eq!(v2.version_id(), version);
    assert_ne!(version, set.version_id());
    let (_, rounded) = outcome.changes[0]
        .weights
        .iter()
        .find(|(p, _)| p == "supervision")
        .unwrap();
    assert_eq!(weight(&v2, "general", "supervision"), *rounded);
    // The food model and the rules are copied unchanged.
    assert_eq!(
        v2.model("food").unwrap().spec(),
        set.model("food").unwrap().spec()
    );
    assert_eq!(v2.rules().len(), set.rules().len());
    // Provenance: one entry per judged node, naming the weights it set and its CR.
    let prov = &v2.model("general").unwrap().spec().provenance;
    assert_eq!(prov.len(), 2);
    assert_eq!(prov[0].method, "ahp");
    assert_eq!(prov[0].derived_from.as_deref(), Some(set.version_id()));
    assert!(
        prov[1]
            .weights
            .iter()
            .all(|w| w.starts_with("supervision."))
    );
    assert!(prov[1].metrics.contains_key("cr"));
    // Comments of the original file are kept.
    let text = std::fs::read_to_string(out.join("general.toml")).unwrap();
    assert!(text.contains(
        "# At provincial scale, following the public Guangdong structure (5 first-level"
    ));
    // A folder that already holds the files is refused.
    let again = cal::write_version(
        &set,
        &models().join("reference.toml"),
        &outcome.changes,
        &out,
    );
    assert!(
        matches!(again, Err(CalibrateError::Write { message, .. }) if message.contains("already exists"))
    );
}

const INCONSISTENT: &str = r#"
[[matrix]]
node = "supervision.inspections"
order = ["problems", "refused", "not_reachable", "awaiting_correction"]
rows = [
  [1,     9,     "1/9", 1],
  ["1/9", 1,     9,     1],
  [9,     "1/9", 1,     1],
  [1,     1,     1,     1],
]
"#;

#[test]
fn ahp_refuses_inconsistent_judgements_and_says_which() {
    let set = reference();
    let file = AhpFile::from_str_named(INCONSISTENT, "j.toml").unwrap();
    let err = cal::ahp(&set, &file, &AhpOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(
            "j.toml:2: the judgements for `supervision.inspections` are inconsistent: CR = "
        ),
        "{err}"
    );
    assert!(err.contains("judged 9") && err.contains("(try "), "{err}");
    // Accepted on purpose: the provenance says so.
    let ok = cal::ahp(
        &set,
        &file,
        &AhpOptions {
            accept_inconsistent: true,
            ..AhpOptions::default()
        },
    )
    .unwrap();
    assert!(!ok.nodes[0].consistent);
    assert!(
        ok.changes[0]
            .provenance
            .note
            .as_deref()
            .unwrap()
            .contains("accepted on purpose")
    );
}

#[test]
fn ahp_errors_name_the_matrix_and_cell() {
    let set = reference();
    let run = |text: &str| {
        let file = AhpFile::from_str_named(text, "j.toml").unwrap();
        cal::ahp(&set, &file, &AhpOptions::default())
            .unwrap_err()
            .to_string()
    };
    let typo = INCONSISTENT.replace("\"problems\"", "\"problem\"");
    let e = run(&typo);
    assert!(e.contains("j.toml:2: `problem` is not a child of `supervision.inspections` (did you mean `problems`?)"), "{e}");
    let off = INCONSISTENT.replace("[1,     9,     \"1/9\", 1]", "[1,     12,    \"1/9\", 1]");
    let e = run(&off);
    assert!(
        e.contains("row 1, column 2: 12 is off Saaty's scale"),
        "{e}"
    );
    let short = INCONSISTENT.replace(", \"awaiting_correction\"]", "]");
    let e = run(&short);
    assert!(
        e.contains("`order` leaves out `awaiting_correction`"),
        "{e}"
    );
    let syntax = AhpFile::from_str_named("[[matrix]]\norder = [\"a\"\n", "j.toml").unwrap_err();
    assert!(syntax.to_string().starts_with("j.toml:2:"), "{syntax}");
}

fn graded(n: usize) -> (Arc<ModelSet>, Indicators) {
    let set = Arc::new(reference());
    let as_of = "2026-11-01".parse().unwrap();
    let s = synth::generate(&synth::SynthConfig::new(n, 11, as_of));
    let frame =
        riskgrade::Frame::from_profiles(&s.enterprises, set.schema(), as_of, set.effect_periods());
    let g = Grader::new(Arc::clone(&set))
        .grade_with(&frame, Some(&s.enterprises), as_of, &Options::default())
        .unwrap();
    let ind = Indicators::from_grades(&g, &frame, "general").unwrap();
    (set, ind)
}

#[test]
fn objective_weights_under_a_node_change_only_that_subtree() {
    let (set, ind) = graded(3000);
    for method in [ObjectiveMethod::Entropy, ObjectiveMethod::Critic] {
        let o = cal::objective(
            &set,
            &ind,
            method,
            &ObjectiveOptions {
                under: Some("supervision.penalties".into()),
                ..ObjectiveOptions::default()
            },
        )
        .unwrap();
        assert!(
            o.change
                .weights
                .iter()
                .all(|(p, _)| p.starts_with("supervision.penalties."))
        );
        let sum: f64 = o.change.weights.iter().map(|(_, w)| w).sum();
        assert!((sum - 1.0).abs() < 1e-9, "{sum}");
        let shares: f64 = o.leaves.iter().map(|l| l.new).sum();
        assert!((shares - 1.0).abs() < 1e-9);
        // Recency is days since the last penalty: more days is better.
        let recency = o
            .leaves
            .iter()
            .find(|l| l.path.ends_with("recency"))
            .unwrap();
        assert_eq!(
            recency.direction,
            riskgrade::calibrate::IndicatorDirection::Benefit
        );
        let v2 = o.change.apply(&set).unwrap();
        for path in [
            "supervision",
            "supervision.lists",
            "social.complaints.count",
        ] {
            assert_eq!(
                weight(&v2, "general", path),
                weight(&set, "general", path),
                "{path}"
            );
        }
    }
    // All weight to the experts: nothing moves beyond rounding.
    let o = cal::objective(
        &set,
        &ind,
        ObjectiveMethod::Entropy,
        &ObjectiveOptions {
            expert_share: 1.0,
            ..ObjectiveOptions::default()
        },
    )
    .unwrap();
    for (path, w) in &o.change.weights {
        assert!((w - weight(&set, "general", path)).abs() <= 1e-4, "{path}");
    }
    // A direction for something that is not a leaf is refused.
    let bad = cal::objective(
        &set,
        &ind,
        ObjectiveMethod::Entropy,
        &ObjectiveOptions {
            directions: [(
                "supervision.penalties".to_string(),
                riskgrade::calibrate::IndicatorDirection::Cost,
            )]
            .into(),
            ..ObjectiveOptions::default()
        },
    );
    assert!(
        matches!(&bad, Err(CalibrateError::NotALeaf { path, .. }) if path == "supervision.penalties")
    );
    assert!(bad.unwrap_err().to_string().contains("not a leaf"));
}

const FOUR: &str = r#"
id = "four"
[scale]
min = 0
max = 100
higher = "risk"
[defaults]
missing = 0
[[classes]]
name = "A"
band = [0, 40]
[[classes]]
name = "B"
band = [40, 55]
[[classes]]
name = "C"
band = [55, 70]
[[classes]]
name = "D"
band = [70, 100]
[inputs.x1]
type = "number"
[inputs.x2]
type = "number"
[inputs.x3]
type = "number"
[inputs.x4]
type = "number"
[[node]]
path = "a"
weight = 0.5
[[node]]
path = "a.x1"
weight = 0.5
input = "x1"
score = { type = "linear", x = [0, 100], y = [0, 100] }
[[node]]
path = "a.x2"
weight = 0.5
input = "x2"
score = { type = "linear", x = [0, 100], y = [0, 100] }
[[node]]
path = "b"
weight = 0.5
[[node]]
path = "b.x3"
weight = 0.5
input = "x3"
score = { type = "linear", x = [0, 100], y = [0, 100] }
[[node]]
path = "b.x4"
weight = 0.5
input = "x4"
score = { type = "linear", x = [0, 100], y = [0, 100] }
"#;

/// 20,000 enterprises with four uniform indicators and problems drawn from known weights.
fn known_weights() -> (Arc<ModelSet>, Indicators, Vec<(String, bool)>) {
    let truth = [0.4, 0.3, 0.2, 0.1];
    let set = Arc::new(ModelSet::from_toml_str(FOUR).unwrap());
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let mut csv = String::from("id,industry,x1,x2,x3,x4\n");
    let mut outcomes = Vec::new();
    for i in 0..20_000 {
        let x: Vec<f64> = (0..4).map(|_| rng.random_range(0.0..100.0)).collect();
        let score: f64 = x.iter().zip(truth).map(|(x, w)| x * w).sum();
        let p = 1.0 / (1.0 + (-(-6.0 + 0.08 * score)).exp());
        let id = format!("E{i:05}");
        csv.push_str(&format!("{id},F5211,{},{},{},{}\n", x[0], x[1], x[2], x[3]));
        outcomes.push((id, rng.random::<f64>() < p));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("batch.csv");
    std::fs::write(&path, csv).unwrap();
    let frame = riskgrade::io::read_frame(&path, set.schema()).unwrap();
    let as_of = "2026-11-01".parse().unwrap();
    let g = Grader::new(Arc::clone(&set))
        .grade(&frame, as_of, &Options::default())
        .unwrap();
    let ind = Indicators::from_grades(&g, &frame, "four").unwrap();
    (set, ind, outcomes)
}

#[test]
fn calibration_on_outcomes_recovers_known_weights() {
    let (set, ind, outcomes) = known_weights();
    let fit = cal::fit_outcomes(&set, &ind, &outcomes, &FitOptions::default()).unwrap();
    let after: Vec<f64> = fit.leaves.iter().map(|l| l.after).collect();
    for (got, want) in after.iter().zip([0.4, 0.3, 0.2, 0.1]) {
        assert!((got - want).abs() < 0.03, "{after:?}");
    }
    assert!(fit.evaluated_on_holdout && fit.held_out > 4000 && fit.fitted_on > 12000);
    // Equal weights were wrong: the fitted ones rank problems better on the held-out inspections.
    assert!(
        fit.after.auc.unwrap() > fit.before.auc.unwrap() + 0.01,
        "{fit}"
    );
    assert!(fit.fit.negative.is_empty() && fit.correlated.is_empty());
    // The tree: dimension a carries x1 and x2.
    let v2 = fit.change.apply(&set).unwrap();
    assert!((weight(&v2, "four", "a") - 0.7).abs() < 0.03);
    assert!(fit.change.provenance.metrics.contains_key("auc_after"));
    // Outcomes for enterprises that are not in the data are counted, not silently used.
    let mut more = outcomes.clone();
    more.push(("NOPE".into(), true));
    let fit2 = cal::fit_outcomes(&set, &ind, &more, &FitOptions::default()).unwrap();
    assert_eq!(fit2.unmatched, 1);
    // All the same outcome: nothing to calibrate on.
    let none: Vec<(String, bool)> = outcomes.iter().map(|(id, _)| (id.clone(), false)).collect();
    let err = cal::fit_outcomes(&set, &ind, &none, &FitOptions::default()).unwrap_err();
    assert!(err.to_string().contains("found no problem"), "{err}");
}

#[test]
fn cut_offs_from_shares_and_from_detection_rates() {
    let (set, ind, outcomes) = known_weights();
    let c = cal::cutoffs_from_shares(&set, None, &ind, &[0.65, 0.25, 0.07, 0.03], None).unwrap();
    let n = ind.len() as f64;
    for (got, want) in c.counts.iter().zip([0.65, 0.25, 0.07, 0.03]) {
        assert!((*got as f64 / n - want).abs() < 0.005, "{:?}", c.counts);
    }
    let v2 = c.change.apply(&set).unwrap();
    assert!(
        v2.model("four")
            .unwrap()
            .spec()
            .classes
            .iter()
            .all(|k| k.band.is_some())
    );

    let rates = [None, Some(0.1), Some(0.2), Some(0.35)];
    let r = cal::cutoffs_from_rates(&set, None, &ind, &outcomes, &rates, 100, None).unwrap();
    let (ins, pro) = r.inspected.clone().unwrap();
    for c in 1..4 {
        assert!(ins[c] >= 100);
        assert!(pro[c] as f64 / ins[c] as f64 >= rates[c].unwrap(), "{r}");
    }
    // An unreachable rate names the class.
    let err = cal::cutoffs_from_rates(
        &set,
        None,
        &ind,
        &outcomes,
        &[None, Some(0.1), Some(0.2), Some(0.99)],
        100,
        None,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("class D"), "{err}");
}

#[test]
fn champion_and_challenger_on_the_same_outcomes() {
    let (set, ind, outcomes) = known_weights();
    let fit = cal::fit_outcomes(&set, &ind, &outcomes, &FitOptions::default()).unwrap();
    let challenger = Arc::new(fit.change.apply(&set).unwrap());
    // Re-grade the same rows with both sets.
    let mut csv = String::from("id,industry,x1,x2,x3,x4\n");
    for r in 0..ind.len() {
        let v: Vec<String> = (0..4).map(|l| ind.values[l][r].to_string()).collect();
        csv.push_str(&format!("{},F5211,{}\n", ind.ids[r], v.join(",")));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("batch.csv");
    std::fs::write(&path, csv).unwrap();
    let frame = riskgrade::io::read_frame(&path, set.schema()).unwrap();
    let as_of = "2026-11-01".parse().unwrap();
    let a = Grader::new(Arc::clone(&set))
        .grade(&frame, as_of, &Options::default())
        .unwrap();
    let b = Grader::new(challenger)
        .grade(&frame, as_of, &Options::default())
        .unwrap();
    let c = challenge(&a, &b, &outcomes).unwrap();
    assert_eq!(c.matched, outcomes.len());
    assert!(c.challenger.auc.unwrap() > c.champion.auc.unwrap());
    assert!(c.score_psi.is_some() && c.class_psi >= 0.0);
    let text = c.to_string();
    assert!(text.contains("champion → challenger: AUC"), "{text}");
}
