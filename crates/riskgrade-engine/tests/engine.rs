//! Integration tests of batch grading: properties, bad rows, determinism.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use proptest::prelude::*;
use riskgrade_core::{ColumnBuilder, Date, Frame, Identity, InputType, RawValue};
use riskgrade_engine::{EvalError, Grader, Grades, Options};
use riskgrade_model::{Direction, ModelSet, ScoreFn, Source, examples};

fn reference() -> Arc<ModelSet> {
    Arc::new(examples::reference().unwrap())
}

fn as_of() -> Date {
    "2026-11-01".parse().unwrap()
}

/// A tiny deterministic generator, so that frames are reproducible from a seed.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn unit(&mut self) -> f64 {
        self.next() as f64 / (1u64 << 31) as f64
    }
}

/// A frame with plausible random values for every input of the set; ~3% missing.
fn random_frame(set: &ModelSet, n: usize, seed: u64) -> Frame {
    let mut rng = Lcg(seed);
    let industries = ["F5211", "C1431", "I6513", "C1511", "E4790"];
    let identity = Identity {
        ids: (0..n).map(|i| format!("E{i:06}")).collect(),
        names: vec![String::new(); n],
        industries: (0..n)
            .map(|_| industries[rng.below(5) as usize].to_string())
            .collect(),
        districts: vec![String::new(); n],
    };
    let mut cols = Vec::new();
    for (name, spec) in set.schema().inputs() {
        let mut b = ColumnBuilder::new(name, spec.ty);
        let cats: Vec<String> = set
            .models()
            .iter()
            .flat_map(|m| m.leaves())
            .filter(|l| matches!(&l.source, Source::Input { name: x, .. } if x == name))
            .flat_map(|l| match &l.func {
                ScoreFn::Category { map, .. } => map.keys().cloned().collect(),
                _ => Vec::new(),
            })
            .collect();
        for _ in 0..n {
            if rng.below(33) == 0 {
                b.push(RawValue::Missing);
                continue;
            }
            match spec.ty {
                InputType::Count => b.push(RawValue::Integer(if rng.below(3) == 0 {
                    rng.below(8) as i64
                } else {
                    0
                })),
                InputType::Integer => b.push(RawValue::Integer(rng.below(20) as i64)),
                InputType::Number => b.push(RawValue::Number(rng.unit() * 2.0 - 0.5)),
                InputType::Bool => b.push(RawValue::Bool(rng.below(4) == 0)),
                InputType::Date => b.push(RawValue::Number(0.0)),
                InputType::Category => {
                    let label = cats
                        .get(rng.below(cats.len().max(1) as u64) as usize)
                        .cloned()
                        .unwrap_or_default();
                    b.push(RawValue::Text(&label));
                }
            }
        }
        let (col, issues) = b.finish();
        cols.push((name.clone(), spec.ty, col, issues));
    }
    Frame::from_parts(identity, cols, Vec::new(), None)
}

fn grade(set: &Arc<ModelSet>, frame: &Frame) -> Grades {
    Grader::new(Arc::clone(set))
        .grade(frame, as_of(), &Options::default().contributions(true))
        .unwrap()
}

fn same_row(a: &Grades, ra: usize, b: &Grades, rb: usize) -> bool {
    a.id(ra) == b.id(rb)
        && a.score(ra).map(f64::to_bits) == b.score(rb).map(f64::to_bits)
        && a.class(ra) == b.class(rb)
        && a.reasons(ra) == b.reasons(rb)
        && a.effects(ra) == b.effects(rb)
        && a.issues_of(ra)
            .map(|i| (&i.column, &i.problem))
            .eq(b.issues_of(rb).map(|i| (&i.column, &i.problem)))
        && a.contributions(ra)
            .map(|c| c.iter().map(|x| x.to_bits()).collect::<Vec<_>>())
            == b.contributions(rb)
                .map(|c| c.iter().map(|x| x.to_bits()).collect::<Vec<_>>())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Scores stay inside the scale, and contributions add up to the score.
    #[test]
    fn scores_stay_inside_the_scale(seed in any::<u64>(), n in 1usize..3000) {
        let set = reference();
        let frame = random_frame(&set, n, seed);
        let g = grade(&set, &frame);
        for r in 0..n {
            let Some(s) = g.score(r) else { continue };
            let m = g.model(r).unwrap();
            prop_assert!(s >= m.scale().min - 1e-9 && s <= m.scale().max + 1e-9, "row {r}: {s}");
            // Contributions and dimensions add up to the indicators' score; rules'
            // adjustments move the final score from there, inside the scale.
            let b = g.base_score(r).unwrap();
            let total: f64 = g.contributions(r).unwrap().iter().sum();
            prop_assert!((total - b).abs() < 1e-6 * (1.0 + b.abs()));
            let dims: f64 = g.dimension_points(r).iter().map(|d| d.1).sum();
            prop_assert!((dims - b).abs() < 1e-6 * (1.0 + b.abs()));
            let adjust: f64 = g.effects(r).iter().map(|e| match e.action {
                riskgrade_rules::Action::Adjust { points, .. } => points,
                _ => 0.0,
            }).sum();
            let expect = (b + adjust).clamp(m.scale().min, m.scale().max);
            prop_assert!((expect - s).abs() < 1e-9, "row {r}: {b} + {adjust} vs {s}");
            if r < 200 {
                // The explanation recomputes every leaf with the scalar definition.
                let ex = g.explain(&frame, r);
                let scalar: f64 = ex.indicators.iter().map(|i| i.contribution).sum();
                prop_assert!((scalar - b).abs() < 1e-6 * (1.0 + b.abs()), "row {r}: kernel {b} vs scalar {scalar}");
            }
        }
    }

    /// Results do not depend on row order: a permuted batch gives bit-identical rows.
    #[test]
    fn results_do_not_depend_on_row_order(seed in any::<u64>(), n in 2usize..2500) {
        let set = reference();
        let frame = random_frame(&set, n, seed);
        let mut order: Vec<usize> = (0..n).collect();
        let mut rng = Lcg(seed ^ 0x9e37);
        for i in (1..n).rev() {
            order.swap(i, rng.below(i as u64 + 1) as usize);
        }
        let a = grade(&set, &frame);
        let b = grade(&set, &frame.take(&order));
        for (new, &old) in order.iter().enumerate() {
            prop_assert!(same_row(&a, old, &b, new), "row {old} differs after permutation");
        }
    }

    /// Worsening one risk input never lowers the score or the class when the leaf's points are monotone.
    #[test]
    fn worsening_an_input_never_lowers_the_class(seed in any::<u64>(), leaf_pick in any::<usize>(), bump in 1u32..5) {
        let set = reference();
        let general = set.model("general").unwrap();
        // Leaves with bins whose points never fall as the input rises.
        let monotone: Vec<&riskgrade_model::Leaf> = general
            .leaves()
            .iter()
            .filter(|l| matches!(&l.func, ScoreFn::Bins { points, .. } if points.windows(2).all(|w| w[0] <= w[1])))
            .filter(|l| matches!(l.source, Source::Input { ty: InputType::Count, .. }))
            .collect();
        prop_assume!(!monotone.is_empty());
        let leaf = monotone[leaf_pick % monotone.len()];
        let Source::Input { name, .. } = &leaf.source else { unreachable!() };
        let n = 200;
        let frame = random_frame(&set, n, seed);
        let g0 = grade(&set, &frame);
        // Rebuild the frame with the chosen count raised by `bump` on every row.
        let identity = Identity {
            ids: frame.ids().to_vec(),
            names: frame.names().to_vec(),
            industries: vec!["F5211".into(); n],
            districts: frame.districts().to_vec(),
        };
        let base = Frame::from_parts(identity.clone(), rebuild(&frame, None, 0.0), Vec::new(), None);
        let worse = Frame::from_parts(identity, rebuild(&frame, Some(name), f64::from(bump)), Vec::new(), None);
        let _ = g0;
        let a = grade(&set, &base);
        let b = grade(&set, &worse);
        for r in 0..n {
            if let (Some(sa), Some(sb)) = (a.score(r), b.score(r)) {
                prop_assert!(sb >= sa - 1e-9, "row {r}: score fell from {sa} to {sb} when `{name}` rose");
                prop_assert!(b.class_index(r) >= a.class_index(r), "row {r}: class fell when `{name}` rose");
            }
        }
    }
}

/// Copies a frame's input columns, adding `delta` to the non-missing values of one column.
fn rebuild(frame: &Frame, bump: Option<&String>, delta: f64) -> Vec<riskgrade_core::InputColumn> {
    frame
        .columns()
        .map(|(name, ty, col)| {
            let mut col = col.clone();
            if Some(&name.to_string()) == bump
                && let riskgrade_core::Column::Number(v) = &mut col
            {
                for x in v.iter_mut().filter(|x| !x.is_nan()) {
                    *x += delta;
                }
            }
            (name.to_string(), ty, col, Vec::new())
        })
        .collect()
}

#[test]
fn results_do_not_depend_on_thread_count() {
    let set = reference();
    let frame = random_frame(&set, 20_000, 7);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| grade(&set, &frame))
    };
    let one = run(1);
    let two = run(2);
    let four = run(4);
    for r in 0..frame.len() {
        assert!(
            same_row(&one, r, &two, r),
            "row {r} differs between 1 and 2 threads"
        );
        assert!(
            same_row(&one, r, &four, r),
            "row {r} differs between 1 and 4 threads"
        );
    }
}

#[test]
fn bad_rows_are_reported_and_the_others_graded() {
    let set = reference();
    let schema = set.schema();
    let n = 6;
    let identity = Identity {
        ids: (0..n).map(|i| format!("E{i}")).collect(),
        names: vec![String::new(); n],
        industries: vec![
            "F5211".into(),
            "F5211".into(),
            "F5211".into(),
            "Z".into(),
            "".into(),
            "C1431".into(),
        ],
        districts: vec![String::new(); n],
    };
    let mut cols = Vec::new();
    for (name, spec) in schema.inputs() {
        let mut b = ColumnBuilder::new(name, spec.ty);
        for r in 0..n {
            let v = match (name.as_str(), r) {
                ("penalties_3y", 0) => RawValue::Text("three"),
                ("penalties_3y", 1) => RawValue::Number(-2.0),
                ("debt_ratio", 2) => RawValue::Number(f64::NAN),
                _ => RawValue::Missing,
            };
            b.push(v);
        }
        let (col, issues) = b.finish();
        cols.push((name.clone(), spec.ty, col, issues));
    }
    // "Z" is no GB/T 4754 code: under the reference set's `[codes] industry = "error"`
    // it is bad data, never silently graded by the default model.
    let frame = Frame::from_parts(identity, cols, Vec::new(), None);
    let g = Grader::new(Arc::clone(&set))
        .grade(&frame, as_of(), &Options::default())
        .unwrap();
    let msgs: Vec<String> = g.issues().iter().map(ToString::to_string).collect();
    assert_eq!(
        msgs,
        [
            "row 1, enterprise `E0`, column `penalties_3y`: `three` is not a valid count",
            "row 2, enterprise `E1`, column `penalties_3y`: negative count -2",
            "row 3, enterprise `E2`, column `debt_ratio`: `NaN` is not a finite number",
            "row 4, enterprise `E3`, column `industry`: industry `Z` is not in GB/T 4754-2017",
            "row 5, enterprise `E4`, column `industry`: missing value",
        ]
    );
    assert_eq!((0..n).filter(|&r| g.is_graded(r)).collect::<Vec<_>>(), [5]);
    assert_eq!(g.model(5).unwrap().id(), "food");
    let summary = g.summary();
    assert_eq!((summary.graded, summary.failed), (1, 5));

    let strict =
        Grader::new(Arc::clone(&set)).grade(&frame, as_of(), &Options::default().strict(true));
    match strict {
        Err(EvalError::Strict { count, first }) => {
            assert_eq!(count, 5);
            assert_eq!(first.row, 0);
        }
        other => panic!("expected a strict-mode error, got {other:?}"),
    }
}

#[test]
fn unknown_industry_and_required_values() {
    // The food model alone, without a default: other industries are unknown.
    let text = examples::FOOD
        .replace(
            "model = \"general\"\nscore = { type = \"bins\", edges = [75, 130, 190], points = [5, 40, 75, 100] }",
            "input = \"penalties_3y\"\nscore = { type = \"bins\", edges = [1], points = [0, 100] }",
        )
        .replace(
            "[[node]]\npath = \"static.production_scale\"",
            "[[node]]\npath = \"static.production_scale\"\nmissing = \"error\"",
        );
    let single = ModelSet::from_toml_str(&text).unwrap();
    let spec = riskgrade_model::ModelSetSpec {
        name: None,
        default: None,
        routes: vec![riskgrade_model::RouteSpec {
            industries: vec!["C14".into()],
            licences: Vec::new(),
            model: "food".into(),
        }],
        models: single.spec().models.clone(),
        rules: Vec::new(),
        routing: Default::default(),
        rule_limits: Default::default(),
        codes: Default::default(),
    };
    let set = Arc::new(ModelSet::from_spec(spec).unwrap());
    let profiles: Vec<riskgrade_core::Enterprise> = [
        r#"{"id":"A","industry":"C1431","attributes":{"production_scale":"large"}}"#,
        r#"{"id":"B","industry":"F5211","attributes":{"production_scale":"large"}}"#,
        r#"{"id":"C","industry":"C1431"}"#,
        r#"{"id":"D","industry":"C1431","attributes":{"production_scale":"large","product_category":7}}"#,
    ]
    .iter()
    .map(|s| serde_json::from_str(s).unwrap())
    .collect();
    let g = Grader::new(set)
        .grade_profiles(&profiles, as_of(), &Options::default())
        .unwrap();
    let msgs: Vec<String> = g.issues().iter().map(ToString::to_string).collect();
    assert_eq!(
        msgs,
        [
            "row 2, enterprise `B`, column `industry`: unknown industry `F5211`",
            "row 3, enterprise `C`, column `production_scale`: missing value",
        ]
    );
    assert!(g.is_graded(0) && g.is_graded(3));
}

#[test]
fn shares_cut_the_batch_by_quantiles_whatever_the_order() {
    let text = examples::HENAN
        .replace("band = [0, 200]", "share = 0.6")
        .replace("band = [200, 500]", "share = 0.25")
        .replace("band = [500, 750]", "share = 0.1")
        .replace("band = [750, 1000]", "share = 0.05");
    let set = Arc::new(ModelSet::from_toml_str(&text).unwrap());
    let frame = random_frame(&set, 5000, 11);
    let g = grade(&set, &frame);
    let s = g.summary();
    let graded = s.graded as f64;
    let share: Vec<f64> = s.overall.iter().map(|(_, c)| *c as f64 / graded).collect();
    // Ties keep equal scores together, so shares are met as closely as ties allow;
    // every class boundary must still be ordered by score.
    assert!(share[0] >= 0.4, "{share:?}");
    for r in 0..frame.len() {
        for q in 0..frame.len().min(200) {
            if let (Some(a), Some(b)) = (g.score(r), g.score(q))
                && a < b
            {
                assert!(g.class_index(r) <= g.class_index(q));
            }
        }
    }
    let rev: Vec<usize> = (0..frame.len()).rev().collect();
    let h = grade(&set, &frame.take(&rev));
    for (new, &old) in rev.iter().enumerate() {
        assert!(same_row(&g, old, &h, new));
    }
}

#[test]
fn features_age_between_two_dates() {
    let set = reference();
    let e: riskgrade_core::Enterprise = serde_json::from_str(
        r#"{"id":"E1","industry":"F5211","registered":"2010-01-01","records":[
            {"kind":"penalty","date":"2026-09-01","severity":"minor","amount":500},
            {"kind":"penalty","date":"2024-01-15","severity":"major","amount":300000}]}"#,
    )
    .unwrap();
    let clean: riskgrade_core::Enterprise =
        serde_json::from_str(r#"{"id":"E2","industry":"F5211","registered":"2010-01-01"}"#)
            .unwrap();
    let grader = Grader::new(set);
    let at = |d: &str| {
        let g = grader
            .grade_profiles(
                &[e.clone(), clean.clone()],
                d.parse().unwrap(),
                &Options::default(),
            )
            .unwrap();
        (g.score(0).unwrap(), g.score(1).unwrap())
    };
    let (both, _) = at("2026-11-01");
    let (major_only, _) = at("2026-12-15");
    let (none, clean_score) = at("2027-01-20");
    assert!(
        both > major_only,
        "the minor penalty ages out after 3 months: {both} vs {major_only}"
    );
    assert!(
        major_only > none,
        "the major penalty ages out after 3 years: {major_only} vs {none}"
    );
    assert_eq!(
        none, clean_score,
        "with every record aged out the enterprise scores as a clean one"
    );
}

#[test]
fn explanation_names_the_reasons() {
    let set = reference();
    let e: riskgrade_core::Enterprise = serde_json::from_str(
        r#"{"id":"E9","name":"Example Trading Co.","industry":"F5211","registered":"2025-06-01",
            "attributes":{"annual_report_on_time":false,"registered_capital":500,"shareholders":3,
                          "paid_in_ratio":1,"debt_ratio":0.3,"insured_staff":40},
            "records":[{"kind":"abnormal_list","date":"2026-03-01","action":"entry"},
                       {"kind":"penalty","date":"2026-05-01","severity":"major","amount":120000}]}"#,
    )
    .unwrap();
    let frame = Frame::from_profiles(
        std::slice::from_ref(&e),
        set.schema(),
        as_of(),
        set.effect_periods(),
    );
    let g = Grader::new(set)
        .grade(&frame, as_of(), &Options::default())
        .unwrap();
    // Enough attributes on file for the general model's minimum evidence.
    assert!(g.insufficient(0).is_none());
    let texts = g.reason_texts(&frame, 0);
    // By hand: 0.45·0.22·0.30·1000 = 29.7 (listed), 0.45·0.22·0.20·700 = 13.86 (one major
    // penalty), 0.45·0.22·0.15·800 = 11.88 (fines of 120000), ahead of recency (10.395) and
    // count (9.9).
    assert_eq!(
        texts,
        [
            "on the abnormal-operations list",
            "1 major penalties in effect",
            "fines of 120000 yuan in effect"
        ]
    );
    let ex = g.explain(&frame, 0);
    assert_eq!(ex.indicators.len(), 72);
    assert_eq!(ex.dimensions.len(), 5);
    let shares: f64 = ex.dimensions.iter().map(|d| d.share).sum();
    assert!((shares - 1.0).abs() < 1e-9);
    let text = ex.to_string();
    assert!(
        text.contains("top reasons:\n  1. on the abnormal-operations list"),
        "{text}"
    );
    assert_eq!(ex.scale.2, Direction::Risk);
    // The dimension and indicator tables line up whatever the longest path
    // (`supervision.other_departments.social_insurance_arrears`) or the width of a
    // dimension's Chinese name: every row of a table is as wide as its header.
    for header in ["dimension ", "indicator "] {
        let rows: Vec<usize> = text
            .lines()
            .skip_while(|l| !l.starts_with(header))
            .take_while(|l| !l.is_empty())
            .map(riskgrade_core::display::width)
            .collect();
        assert!(rows.len() > 5, "{header}: {rows:?}");
        assert!(
            rows.iter().all(|&w| w == rows[0]),
            "{header}: {rows:?}\n{text}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// The top reasons are the leaves with the largest weighted distance from their least
    /// risky points, ties by leaf order, whatever `max_reasons` is.
    #[test]
    fn reasons_are_the_top_k_by_risk(seed in any::<u64>(), k in 1usize..8) {
        let set = reference();
        let frame = random_frame(&set, 300, seed);
        let g = Grader::new(Arc::clone(&set)).grade(&frame, as_of(), &Options::default().max_reasons(k)).unwrap();
        for r in 0..frame.len() {
            if !g.is_graded(r) {
                continue;
            }
            let m = g.model(r).unwrap();
            let ex = g.explain(&frame, r);
            let mut want: Vec<(usize, f64)> = m
                .leaves()
                .iter()
                .zip(&ex.indicators)
                .enumerate()
                .map(|(l, (leaf, line))| (l, leaf.weight * (line.points - leaf.best).abs()))
                .filter(|(_, risk)| *risk > 1e-9)
                .collect();
            want.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            want.truncate(k);
            let got: Vec<usize> = g.reasons(r).iter().map(|x| x.leaf as usize).collect();
            prop_assert_eq!(got, want.iter().map(|w| w.0).collect::<Vec<_>>(), "row {}", r);
        }
    }
}

mod compare_models {
    use super::*;
    use riskgrade_core::{Enterprise, Schema};
    use riskgrade_engine::{CompareError, CompareInput, Side, compare, compare_models};

    fn profiles() -> Vec<Enterprise> {
        riskgrade_synth::generate(&riskgrade_synth::SynthConfig::new(400, 7, as_of())).enterprises
    }

    fn henan() -> Arc<ModelSet> {
        Arc::new(ModelSet::from_toml_str(examples::HENAN).unwrap())
    }

    #[test]
    fn profiles_give_each_set_its_own_frame() {
        let (reference, henan) = (Grader::new(reference()), Grader::new(henan()));
        assert_ne!(reference.model_set().schema(), henan.model_set().schema());
        let ps = profiles();
        let (without, with) = (Options::default().rules(false), Options::default());
        let got = compare_models(
            &reference,
            &henan,
            CompareInput::profiles(&ps),
            as_of(),
            (&without, &with),
        )
        .unwrap();
        // The same as grading each side on its own and comparing.
        let before = reference.grade_profiles(&ps, as_of(), &without).unwrap();
        let after = henan.grade_profiles(&ps, as_of(), &with).unwrap();
        let frame = Frame::from_profiles(
            &ps,
            henan.model_set().schema(),
            as_of(),
            henan.model_set().effect_periods(),
        );
        let want = compare(&before, &after)
            .unwrap()
            .with_industries(&frame)
            .unwrap();
        assert_eq!(got.comparison, want);
        for r in 0..ps.len() {
            assert!(same_row(&got.before, r, &before, r), "row {r}");
            assert!(same_row(&got.after, r, &after, r), "row {r}");
        }
        assert!(got.before.rule_stats().is_empty());
        assert!(!got.comparison.movers().is_empty());
        assert!(got.comparison.movers().iter().all(|m| m.industry.is_some()));
    }

    #[test]
    fn rules_on_one_side_only() {
        let grader = Grader::new(reference());
        let ps = profiles();
        let without = Options::default().rules(false);
        let c = compare_models(
            &grader,
            &grader,
            CompareInput::profiles(&ps),
            as_of(),
            (&without, &Options::default()),
        )
        .unwrap();
        let before = grader.grade_profiles(&ps, as_of(), &without).unwrap();
        let after = grader
            .grade_profiles(&ps, as_of(), &Options::default())
            .unwrap();
        assert_eq!(
            c.comparison,
            compare(&before, &after)
                .unwrap()
                .with_industries(&Frame::from_profiles(
                    &ps,
                    grader.model_set().schema(),
                    as_of(),
                    grader.model_set().effect_periods()
                ))
                .unwrap()
        );
        assert_eq!(c.after.effects(0), after.effects(0));
    }

    #[test]
    fn unreadable_profiles_are_rows_graded_on_neither_side() {
        let grader = Grader::new(reference());
        let ps = profiles();
        let unreadable = vec![("E-bad".to_string(), "line 9: not valid JSON".to_string())];
        let c = compare_models(
            &grader,
            &Grader::new(henan()),
            CompareInput::Profiles {
                profiles: &ps,
                unreadable: &unreadable,
            },
            as_of(),
            (&Options::default(), &Options::default()),
        )
        .unwrap();
        let last = ps.len();
        assert_eq!(c.before.len(), last + 1);
        assert_eq!(c.after.id(last), "E-bad");
        assert!(!c.before.is_graded(last) && !c.after.is_graded(last));
        assert_eq!(c.comparison.count(None, None), 1);
    }

    #[test]
    fn a_frame_needs_the_inputs_of_both_sets() {
        let (reference, henan) = (Grader::new(reference()), Grader::new(henan()));
        let ps = profiles();
        let o = Options::default();
        // A frame of the Henan inputs only: the reference set lacks columns, found before grading.
        let narrow = Frame::from_profiles(
            &ps,
            henan.model_set().schema(),
            as_of(),
            henan.model_set().effect_periods(),
        );
        let e = compare_models(
            &reference,
            &henan,
            CompareInput::Frame(&narrow),
            as_of(),
            (&o, &o),
        )
        .unwrap_err();
        let CompareError::Grade { side, error } = &e else {
            panic!("expected a grading error, got {e:?}");
        };
        assert_eq!(*side, Side::Before);
        let EvalError::MissingColumn { input, .. } = &**error else {
            panic!("expected a missing column, got {error:?}");
        };
        assert!(reference.model_set().schema().get(input).is_some());
        assert!(henan.model_set().schema().get(input).is_none());
        assert!(
            e.to_string()
                .starts_with(&format!("grading with the before set: no column `{input}`")),
            "{e}"
        );
        // The other way round the after side is named.
        let e = compare_models(
            &henan,
            &reference,
            CompareInput::Frame(&narrow),
            as_of(),
            (&o, &o),
        )
        .unwrap_err();
        assert!(
            matches!(
                e,
                CompareError::Grade {
                    side: Side::After,
                    ..
                }
            ),
            "{e:?}"
        );

        // A frame with both sets' inputs grades as the profiles do (the sets agree on their shared inputs).
        let both = Schema::new(
            reference
                .model_set()
                .schema()
                .inputs()
                .iter()
                .chain(henan.model_set().schema().inputs())
                .cloned(),
        );
        let frame =
            Frame::from_profiles(&ps, &both, as_of(), reference.model_set().effect_periods());
        let without = Options::default().rules(false);
        let from_frame = compare_models(
            &reference,
            &henan,
            CompareInput::Frame(&frame),
            as_of(),
            (&without, &without),
        )
        .unwrap();
        let from_profiles = compare_models(
            &reference,
            &henan,
            CompareInput::profiles(&ps),
            as_of(),
            (&without, &without),
        )
        .unwrap();
        assert_eq!(from_frame.comparison, from_profiles.comparison);
    }

    #[test]
    fn a_rule_column_missing_from_the_frame_is_named_with_its_rule() {
        // The Henan model with an input no indicator reads, and a rule that reads it.
        let model = format!(
            "{}\n[inputs.on_watch_list]\ntype = \"bool\"\n",
            examples::HENAN
        );
        let text = r#"
default = "henan"
include = ["henan.toml"]

[[rule]]
id = "watched"
stage = "after"
when = "on_watch_list"
script = 'label("watched");'
"#;
        let set = ModelSet::from_toml_str_with(text, |name| {
            (name == "henan.toml").then_some(model.as_str())
        })
        .unwrap();
        let grader = Grader::new(Arc::new(set));
        let schema = Schema::new(
            grader
                .model_set()
                .schema()
                .inputs()
                .iter()
                .filter(|(n, _)| n != "on_watch_list")
                .cloned(),
        );
        let frame = Frame::from_profiles(
            &profiles(),
            &schema,
            as_of(),
            grader.model_set().effect_periods(),
        );
        let without = Options::default().rules(false);
        // Without rules on either side the frame is enough.
        compare_models(
            &grader,
            &grader,
            CompareInput::Frame(&frame),
            as_of(),
            (&without, &without),
        )
        .unwrap();
        let e = compare_models(
            &grader,
            &grader,
            CompareInput::Frame(&frame),
            as_of(),
            (&without, &Options::default()),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "grading with the after set: no column `on_watch_list` (read by rule `watched`)"
        );
        match e {
            CompareError::Grade {
                side: Side::After,
                error,
            } => assert!(matches!(*error, EvalError::RuleColumn { .. }), "{error:?}"),
            other => panic!("expected a rule column error, got {other:?}"),
        }
    }
}
