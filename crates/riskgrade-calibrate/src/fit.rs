//! Logistic calibration of leaf weights on inspection outcomes, in named stages.

use std::fmt;

use riskgrade_core::Date;
use riskgrade_inspect::{Evaluation, Outcome, evaluate};
use riskgrade_model::{Direction as Scale, Model, ModelSet, ProvenanceSpec};
use riskgrade_weights::logistic::{self, Fit};
use sha2::{Digest, Sha256};

use super::data::join;
use super::{
    CalibrateError, Change, CutoffOutcome, Indicators, InputsDigest, Pct, Recut, model_of, num,
    path_cell, path_width, provenance, text, tree_weights,
};

/// Options of [`fit_outcomes`].
#[derive(Debug, Clone)]
pub struct FitOptions {
    /// The model (default: the set's default model).
    pub model: Option<String>,
    /// The share of inspections held out of the fit to evaluate it (default 0.3); 0 evaluates on
    /// the inspections the weights were fitted on, which flatters the new weights.
    pub holdout: f64,
    /// Chooses the held-out inspections (by a hash of the seed and the enterprise id).
    pub seed: u64,
    /// The experts' share α in `α·expert + (1 − α)·fitted` (default 0).
    pub expert_share: f64,
    /// The logistic regression's options (ridge, sign check, correlation threshold).
    pub logistic: logistic::FitOptions,
    /// How the classes are cut after the weights change (models with share cut-offs are cut
    /// per batch anyway and are left as they are).
    pub recut: Recut,
    /// The date recorded in the provenance.
    pub date: Option<Date>,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            model: None,
            holdout: 0.3,
            seed: 0,
            expert_share: 0.0,
            logistic: logistic::FitOptions::default(),
            recut: Recut::default(),
            date: None,
        }
    }
}

/// One leaf in a calibration.
#[derive(Debug, Clone, PartialEq)]
pub struct LeafFit {
    /// The leaf's path.
    pub path: String,
    /// Its absolute weight before.
    pub before: f64,
    /// Its coefficient per point (0 when constant or dropped by the sign check).
    pub coefficient: f64,
    /// Its z statistic.
    pub z: Option<f64>,
    /// Its p-value.
    pub p_value: Option<f64>,
    /// Its absolute weight as written.
    pub after: f64,
    /// Why it got no fitted weight, if it did not.
    pub note: Option<&'static str>,
}

/// What [`fit_outcomes`] did.
#[derive(Debug, Clone)]
pub struct FitOutcome {
    /// The model.
    pub model: String,
    /// Inspections the weights were fitted on.
    pub fitted_on: usize,
    /// Inspections held out.
    pub held_out: usize,
    /// Outcomes whose enterprise was not among the graded ones (left out).
    pub unmatched: usize,
    /// The logistic regression.
    pub fit: Fit,
    /// The leaves, in the model's order.
    pub leaves: Vec<LeafFit>,
    /// Pairs of correlated leaves (paths and r): their weights are not separately identified.
    pub correlated: Vec<(String, String, f64)>,
    /// Detection rates, AUC, KS and Gini with the weights before, on the evaluation inspections.
    pub before: Evaluation,
    /// The same with the new weights (and the same cut-offs).
    pub after: Evaluation,
    /// Whether the evaluation inspections were held out of the fit.
    pub evaluated_on_holdout: bool,
    /// The change to write: the new weights.
    pub change: Change,
    /// The new cut-offs, unless they were kept.
    pub cutoffs: Option<CutoffOutcome>,
}

impl FitOutcome {
    /// The changes to write, in order: the weights, then the cut-offs.
    pub fn changes(&self) -> Vec<Change> {
        let mut out = vec![self.change.clone()];
        out.extend(self.cutoffs.iter().map(|c| c.change.clone()));
        out
    }
}

fn held_out(seed: u64, id: &str, share: f64) -> bool {
    if share <= 0.0 {
        return false;
    }
    let mut h = Sha256::new();
    h.update(seed.to_le_bytes());
    h.update(id.as_bytes());
    let d = h.finalize();
    let mut b = [0u8; 8];
    b.copy_from_slice(&d[..8]);
    (u64::from_le_bytes(b) as f64 / u64::MAX as f64) < share
}

/// Risk-oriented points: on a safety scale fewer points are riskier.
fn risk_points(model: &Model, p: f64) -> f64 {
    match model.scale().higher {
        Scale::Risk => p,
        Scale::Safety => model.scale().max - p,
    }
}

/// Scores of every row under `model`'s leaf weights, from the points.
pub(crate) fn scores(model: &Model, data: &Indicators) -> Vec<f64> {
    let mut s = vec![0.0; data.len()];
    for (leaf, col) in model.leaves().iter().zip(&data.points) {
        for (acc, p) in s.iter_mut().zip(col) {
            *acc += leaf.weight * p;
        }
    }
    s
}

/// Classes of every row (by score, before rules; share cut-offs from these rows).
pub(crate) fn classes(model: &Model, scores: &[f64]) -> Vec<String> {
    let c = model.classes();
    let risk: Vec<f64> = scores.iter().map(|&s| c.risk_value(s)).collect();
    let t = c.thresholds(&risk);
    risk.iter()
        .map(|&r| c.names()[c.class_of(r, &t)].clone())
        .collect()
}

fn evaluation(model: &Model, data: &Indicators, rows: &[(usize, bool)]) -> Evaluation {
    let s = scores(model, data);
    let cl = classes(model, &s);
    let outcomes: Vec<Outcome> = rows
        .iter()
        .map(|&(r, problem)| Outcome {
            enterprise: data.ids[r].clone(),
            class: cl[r].clone(),
            score: Some(s[r]),
            problem,
        })
        .collect();
    evaluate(
        &outcomes,
        model.classes().names(),
        model.scale().higher == Scale::Risk,
    )
}

/// Fits a model's leaf weights on inspection outcomes.
///
/// `data` are the model's indicators over the graded enterprises (the inspected ones, and
/// the rest of the population for share cut-offs); `outcomes` say, per inspection, whether a
/// problem was found. A logistic regression of "problem" on the leaves' risk points gives
/// coefficients per point; since the score is linear in the points, the calibrated absolute
/// weights are the coefficients normalised to sum to 1. The sign check drops leaves whose
/// coefficient comes out negative (a riskier value made a problem less likely) and refits; leaves
/// that do not vary among the inspected keep their weight, the others share the rest.
///
/// A share of the inspections (`holdout`, chosen by a hash of the enterprise id) is kept out of
/// the fit, and the detection rate per class, AUC, KS and Gini before and after are computed on
/// it — classes by score before rules, with the model's cut-offs.
///
/// Inspected enterprises are a sample chosen by class: that does not bias the fitted weights
/// when the logistic model is right, but the detection rates are those of the inspected.
///
/// # Errors
/// [`CalibrateError::Argument`] for a hold-out or experts' share out of range or indicators of
/// another model; [`CalibrateError::Method`] when too few outcomes match graded enterprises, all
/// outcomes are the same, or no leaf can be estimated.
pub fn fit_outcomes(
    set: &ModelSet,
    data: &Indicators,
    outcomes: &[(String, bool)],
    options: &FitOptions,
) -> Result<FitOutcome, CalibrateError> {
    let model = model_of(set, options.model.as_deref())?;
    check_fit_options(model, data, options)?;
    let rows = Inspections::split(model, data, outcomes, options)?;
    let (fit, columns) = fit_logistic(model, data, &rows.train, options)?;
    let fitted_abs = fitted_weights(model, &fit, options)?;
    let leaf_abs: Vec<(usize, f64)> = fitted_abs.iter().copied().enumerate().collect();
    let new_weights = tree_weights(model, None, &leaf_abs);
    let mut change = Change {
        model: model.id().to_string(),
        provenance: fit_provenance(set, data, &rows, &fit, &columns, &new_weights, options),
        weights: new_weights,
        bands: None,
    };
    let applied = change.apply(set)?;
    let cutoffs = options.recut.cutoffs(model, &applied, data, options.date)?;
    let applied = match &cutoffs {
        Some(c) => c.change.apply(&applied)?,
        None => applied,
    };
    let new_model = model_of(&applied, Some(model.id()))?;
    let eval_rows = rows.evaluated();
    let before = evaluation(model, data, eval_rows);
    let after = evaluation(new_model, data, eval_rows);
    record_evaluation(&mut change, &before, &after, !rows.test.is_empty());
    Ok(FitOutcome {
        model: model.id().to_string(),
        fitted_on: rows.train.len(),
        held_out: rows.test.len(),
        unmatched: rows.unmatched,
        leaves: leaf_fits(model, new_model, data, &fit),
        correlated: fit
            .correlated
            .iter()
            .map(|&(a, b, r)| (data.paths[a].clone(), data.paths[b].clone(), r))
            .collect(),
        fit,
        before,
        after,
        evaluated_on_holdout: !rows.test.is_empty(),
        change,
        cutoffs,
    })
}

/// The provenance method of a logistic calibration.
const LOGISTIC: &str = "logistic";

/// Checks that the data are the model's and the shares are in range.
fn check_fit_options(
    model: &Model,
    data: &Indicators,
    options: &FitOptions,
) -> Result<(), CalibrateError> {
    check_data(model, data)?;
    if !(0.0..1.0).contains(&options.holdout) {
        return Err(CalibrateError::argument(
            "holdout",
            format!(
                "the held-out share is {}; it must be at least 0 and below 1",
                options.holdout
            ),
        ));
    }
    check_expert_share(options.expert_share)
}

/// Checks that `data` are indicators of `model`.
pub(crate) fn check_data(model: &Model, data: &Indicators) -> Result<(), CalibrateError> {
    if data.model == model.id() {
        return Ok(());
    }
    Err(CalibrateError::argument(
        "data",
        format!(
            "the data are indicators of model `{}`, not of `{}`",
            data.model,
            model.id()
        ),
    ))
}

/// Checks that the experts' share is in [0, 1].
pub(crate) fn check_expert_share(share: f64) -> Result<(), CalibrateError> {
    if (0.0..=1.0).contains(&share) {
        return Ok(());
    }
    Err(CalibrateError::argument(
        "expert_share",
        format!("the experts' share is {share}; it must be between 0 and 1"),
    ))
}

/// The inspections matched to graded rows, split into those fitted on and those held out.
struct Inspections {
    /// Every matched inspection: (row, problem found).
    all: Vec<(usize, bool)>,
    /// The ones the weights are fitted on.
    train: Vec<(usize, bool)>,
    /// The ones held out for the evaluation.
    test: Vec<(usize, bool)>,
    /// Outcomes whose enterprise has no indicators.
    unmatched: usize,
}

impl Inspections {
    /// Matches the outcomes to rows and holds out a share by a hash of the enterprise id.
    fn split(
        model: &Model,
        data: &Indicators,
        outcomes: &[(String, bool)],
        options: &FitOptions,
    ) -> Result<Inspections, CalibrateError> {
        let (all, unmatched) = join(data, outcomes);
        if all.is_empty() {
            return Err(CalibrateError::method(
                LOGISTIC,
                format!(
                    "none of the {} outcomes names an enterprise that model `{}` graded in the data",
                    outcomes.len(),
                    model.id()
                ),
            ));
        }
        let (train, test): (Vec<_>, Vec<_>) = all
            .iter()
            .partition(|&&(r, _)| !held_out(options.seed, &data.ids[r], options.holdout));
        if train.len() < 10 {
            return Err(CalibrateError::method(
                LOGISTIC,
                format!(
                    "{} inspections to fit on (after holding out {}): too few to calibrate",
                    train.len(),
                    test.len()
                ),
            ));
        }
        Ok(Inspections {
            all,
            train,
            test,
            unmatched,
        })
    }

    /// The inspections the evaluation is made on: the held-out ones, or all fitted on if none.
    fn evaluated(&self) -> &[(usize, bool)] {
        if self.test.is_empty() {
            &self.train
        } else {
            &self.test
        }
    }
}

/// The logistic regression of "problem" on the leaves' risk points over the fitted inspections;
/// returns the fit and its columns.
fn fit_logistic(
    model: &Model,
    data: &Indicators,
    train: &[(usize, bool)],
    options: &FitOptions,
) -> Result<(Fit, Vec<Vec<f64>>), CalibrateError> {
    let columns: Vec<Vec<f64>> = (0..model.leaves().len())
        .map(|l| {
            train
                .iter()
                .map(|&(r, _)| risk_points(model, data.points[l][r]))
                .collect()
        })
        .collect();
    let y: Vec<bool> = train.iter().map(|&(_, p)| p).collect();
    let slices: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
    let fit = logistic::fit(&slices, &y, &options.logistic).map_err(|e| {
        let mut msg = e.to_string();
        for (l, path) in data.paths.iter().enumerate().rev() {
            msg = msg.replace(&format!("indicator `{l}`"), &format!("`{path}`"));
        }
        CalibrateError::method(LOGISTIC, msg)
    })?;
    Ok((fit, columns))
}

/// Absolute leaf weights from the fit: constant leaves keep theirs, the others share the rest
/// by the fit, mixed with the experts' weights by their share.
fn fitted_weights(
    model: &Model,
    fit: &Fit,
    options: &FitOptions,
) -> Result<Vec<f64>, CalibrateError> {
    let fitted = fit.weights().ok_or_else(|| {
        CalibrateError::method(
            LOGISTIC,
            "no indicator raises the chance of a problem among the inspected: nothing to calibrate",
        )
    })?;
    let before: Vec<f64> = model.leaves().iter().map(|l| l.weight).collect();
    let kept: f64 = fit.constant.iter().map(|&l| before[l]).sum();
    let fitted_abs: Vec<f64> = (0..before.len())
        .map(|l| {
            if fit.constant.contains(&l) {
                before[l]
            } else {
                fitted[l] * (1.0 - kept)
            }
        })
        .collect();
    if options.expert_share > 0.0 {
        return riskgrade_weights::objective::combine(&before, &fitted_abs, options.expert_share)
            .map_err(|e| CalibrateError::method(LOGISTIC, e.to_string()));
    }
    Ok(fitted_abs)
}

/// The provenance of the new weights: inputs' digest, settings and the fit's statistics.
fn fit_provenance(
    set: &ModelSet,
    data: &Indicators,
    rows: &Inspections,
    fit: &Fit,
    columns: &[Vec<f64>],
    new_weights: &[(String, f64)],
    options: &FitOptions,
) -> ProvenanceSpec {
    let mut digest = InputsDigest::new(LOGISTIC);
    let names: Vec<&str> = data.paths.iter().map(String::as_str).collect();
    let slices: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
    digest.columns(&names, &slices);
    for &(r, p) in &rows.all {
        digest.text(&data.ids[r]);
        digest.text(if p { "1" } else { "0" });
    }
    let mut p = provenance(LOGISTIC, set, options.date, digest.finish());
    p.weights = new_weights.iter().map(|(path, _)| path.clone()).collect();
    for (key, x) in [
        ("inspections", rows.all.len() as f64),
        ("fitted_on", rows.train.len() as f64),
        ("held_out", rows.test.len() as f64),
        ("holdout_seed", options.seed as f64),
        ("ridge", options.logistic.ridge),
        ("expert_share", options.expert_share),
    ] {
        p.parameters.insert(key.into(), num(x));
    }
    p.metrics.insert("events".into(), num(fit.events as f64));
    p.metrics.insert("pseudo_r2".into(), num(fit.pseudo_r2()));
    if !fit.negative.is_empty() {
        let dropped: Vec<&str> = fit
            .negative
            .iter()
            .map(|v| data.paths[v.indicator].as_str())
            .collect();
        p.metrics
            .insert("sign_check_dropped".into(), text(dropped.join(" ")));
    }
    p
}

/// Records AUC and KS before and after, and what they were computed on, in the provenance.
fn record_evaluation(change: &mut Change, before: &Evaluation, after: &Evaluation, holdout: bool) {
    let metrics = &mut change.provenance.metrics;
    for (name, e) in [("before", before), ("after", after)] {
        if let Some(auc) = e.auc {
            metrics.insert(format!("auc_{name}"), num(auc));
        }
        if let Some(ks) = e.ks {
            metrics.insert(format!("ks_{name}"), num(ks));
        }
    }
    metrics.insert(
        "evaluated_on".into(),
        text(if holdout {
            "held-out inspections"
        } else {
            "fitted inspections"
        }),
    );
}

/// Each leaf's weights before and after, its coefficient and why it got no fitted weight.
fn leaf_fits(model: &Model, new_model: &Model, data: &Indicators, fit: &Fit) -> Vec<LeafFit> {
    (0..model.leaves().len())
        .map(|l| LeafFit {
            path: data.paths[l].clone(),
            before: model.leaves()[l].weight,
            coefficient: fit.coefficients[l],
            z: fit.z[l],
            p_value: fit.p_values[l],
            after: new_model.leaves()[l].weight,
            note: if fit.constant.contains(&l) {
                Some("the same for every inspected enterprise: kept its weight")
            } else if fit.negative.iter().any(|v| v.indicator == l) {
                Some("sign check: made a problem less likely, dropped")
            } else {
                None
            },
        })
        .collect()
}

impl fmt::Display for FitOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "logistic calibration of model `{}` on {} inspections ({} found a problem); {} held out for evaluation{}",
            self.model,
            self.fitted_on,
            self.fit.events,
            self.held_out,
            if self.unmatched > 0 {
                format!(
                    "; {} outcomes name no enterprise graded by this model and were left out",
                    self.unmatched
                )
            } else {
                String::new()
            }
        )?;
        writeln!(
            f,
            "  McFadden pseudo-R² {:.3}, {} Newton iterations{}",
            self.fit.pseudo_r2(),
            self.fit.iterations,
            if self.fit.converged {
                ""
            } else {
                " (NOT converged)"
            }
        )?;
        let w = path_width(self.leaves.iter().map(|l| l.path.as_str()));
        writeln!(
            f,
            "  {}  {:>7}  {:>7}  {:>10}  {:>7}  {:>8}",
            path_cell("leaf", w),
            "before",
            "after",
            "β/point",
            "z",
            "p"
        )?;
        for l in &self.leaves {
            writeln!(
                f,
                "  {}  {:>7}  {:>7}  {:>10.5}  {:>7}  {:>8}{}",
                path_cell(&l.path, w),
                Pct(l.before),
                Pct(l.after),
                l.coefficient,
                l.z.map_or("-".into(), |z| format!("{z:.2}")),
                l.p_value.map_or("-".into(), |p| format!("{p:.4}")),
                l.note.map(|n| format!("  {n}")).unwrap_or_default()
            )?;
        }
        for (a, b, r) in &self.correlated {
            writeln!(
                f,
                "  warning: `{a}` and `{b}` are correlated (r = {r:.2}): their weights are not separately identified"
            )?;
        }
        if let Some(c) = &self.cutoffs {
            writeln!(f, "\nwith the new weights, {c}")?;
        }
        writeln!(
            f,
            "on the {} (classes by score before rules{}):",
            if self.evaluated_on_holdout {
                "held-out inspections"
            } else {
                "inspections fitted on (no hold-out: flatters the new weights)"
            },
            if self.cutoffs.is_some() {
                ", after with the new cut-offs"
            } else {
                ", the same cut-offs"
            }
        )?;
        write_before_after(f, &self.before, &self.after, ("before", "after"))
    }
}

/// Detection rate per class and AUC/KS/Gini, before and after, side by side.
pub(crate) fn write_before_after(
    f: &mut fmt::Formatter<'_>,
    before: &Evaluation,
    after: &Evaluation,
    labels: (&str, &str),
) -> fmt::Result {
    writeln!(f, "  {:<6} {:^29}   {:^29}", "", labels.0, labels.1)?;
    writeln!(
        f,
        "  {:<6} {:>9} {:>9} {:>9}   {:>9} {:>9} {:>9}",
        "class", "inspected", "problems", "rate", "inspected", "problems", "rate"
    )?;
    let rate = |r: Option<f64>| r.map_or("-".to_string(), |r| format!("{:.2}%", r * 100.0));
    for (b, a) in before.classes.iter().zip(&after.classes) {
        writeln!(
            f,
            "  {:<6} {:>9} {:>9} {:>9}   {:>9} {:>9} {:>9}",
            b.class,
            b.inspected,
            b.problems,
            rate(b.detection_rate),
            a.inspected,
            a.problems,
            rate(a.detection_rate)
        )?;
    }
    let m = |x: Option<f64>| x.map_or("-".to_string(), |x| format!("{x:.3}"));
    writeln!(
        f,
        "  {} → {}: AUC {} → {}, KS {} → {}, Gini {} → {}; rates rise from class to class: {} → {}",
        labels.0,
        labels.1,
        m(before.auc),
        m(after.auc),
        m(before.ks),
        m(after.ks),
        m(before.gini),
        m(after.gini),
        if before.monotone { "yes" } else { "no" },
        if after.monotone { "yes" } else { "no" }
    )
}
