//! Calibration on inspection outcomes, and class cut-offs.

use std::fmt;

use riskgrade_core::Date;
use riskgrade_inspect::{Evaluation, Outcome, evaluate};
use riskgrade_model::{Direction as Scale, Model, ModelSet};
use riskgrade_weights::cutoffs;
use riskgrade_weights::logistic::{self, Fit};
use sha2::{Digest, Sha256};

use super::data::join;
use super::{
    CalibrateError, Change, Indicators, InputsDigest, Pct, model_of, num, path_width, provenance,
    text, tree_weights,
};

/// How the classes are cut once the weights have changed.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Recut {
    /// Cut the new scores so that each class keeps its share of the data under the old weights,
    /// so that the classes before and after are compared at equal size (the default).
    #[default]
    SameShares,
    /// Cut the new scores to these shares, least risky class first.
    Shares(Vec<f64>),
    /// Keep the model's cut-offs as they are (new weights may fill the bands very differently).
    KeepCutoffs,
}

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
fn scores(model: &Model, data: &Indicators) -> Vec<f64> {
    let mut s = vec![0.0; data.len()];
    for (leaf, col) in model.leaves().iter().zip(&data.points) {
        for (acc, p) in s.iter_mut().zip(col) {
            *acc += leaf.weight * p;
        }
    }
    s
}

/// Classes of every row (by score, before rules; share cut-offs from these rows).
fn classes(model: &Model, scores: &[f64]) -> Vec<String> {
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
/// [`CalibrateError::Method`] when too few outcomes match graded enterprises, all outcomes are
/// the same, or no leaf can be estimated.
pub fn fit_outcomes(
    set: &ModelSet,
    data: &Indicators,
    outcomes: &[(String, bool)],
    options: &FitOptions,
) -> Result<FitOutcome, CalibrateError> {
    let model = model_of(set, options.model.as_deref())?;
    if data.model != model.id() {
        return Err(CalibrateError::Input(format!(
            "the data are indicators of model `{}`, not of `{}`",
            data.model,
            model.id()
        )));
    }
    if !(0.0..1.0).contains(&options.holdout) {
        return Err(CalibrateError::Input(format!(
            "the held-out share is {}; it must be at least 0 and below 1",
            options.holdout
        )));
    }
    if !(0.0..=1.0).contains(&options.expert_share) {
        return Err(CalibrateError::Input(format!(
            "the experts' share is {}; it must be between 0 and 1",
            options.expert_share
        )));
    }
    let (rows, unmatched) = join(data, outcomes);
    if rows.is_empty() {
        return Err(CalibrateError::Method(format!(
            "none of the {} outcomes names an enterprise that model `{}` graded in the data",
            outcomes.len(),
            model.id()
        )));
    }
    type Rows = Vec<(usize, bool)>;
    let (train, test): (Rows, Rows) = rows
        .iter()
        .partition(|&&(r, _)| !held_out(options.seed, &data.ids[r], options.holdout));
    if train.len() < 10 {
        return Err(CalibrateError::Method(format!(
            "{} inspections to fit on (after holding out {}): too few to calibrate",
            train.len(),
            test.len()
        )));
    }
    let k = model.leaves().len();
    let columns: Vec<Vec<f64>> = (0..k)
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
        CalibrateError::Method(msg)
    })?;
    let fitted = fit.weights().ok_or_else(|| {
        CalibrateError::Method(
            "no indicator raises the chance of a problem among the inspected: nothing to calibrate"
                .into(),
        )
    })?;

    // Constant leaves keep their weight; the others share the rest by the fit.
    let before: Vec<f64> = model.leaves().iter().map(|l| l.weight).collect();
    let kept: f64 = fit.constant.iter().map(|&l| before[l]).sum();
    let mut fitted_abs: Vec<f64> = (0..k)
        .map(|l| {
            if fit.constant.contains(&l) {
                before[l]
            } else {
                fitted[l] * (1.0 - kept)
            }
        })
        .collect();
    if options.expert_share > 0.0 {
        fitted_abs =
            riskgrade_weights::objective::combine(&before, &fitted_abs, options.expert_share)
                .map_err(|e| CalibrateError::Method(e.to_string()))?;
    }
    let leaf_abs: Vec<(usize, f64)> = fitted_abs.iter().copied().enumerate().collect();
    let new_weights = tree_weights(model, None, &leaf_abs);

    let mut digest = InputsDigest::new("logistic");
    let names: Vec<&str> = data.paths.iter().map(String::as_str).collect();
    digest.columns(&names, &slices);
    for &(r, p) in &rows {
        digest.text(&data.ids[r]);
        digest.text(if p { "1" } else { "0" });
    }
    let mut p = provenance("logistic", set, options.date, digest.finish());
    p.weights = new_weights.iter().map(|(path, _)| path.clone()).collect();
    p.parameters
        .insert("inspections".into(), num(rows.len() as f64));
    p.parameters
        .insert("fitted_on".into(), num(train.len() as f64));
    p.parameters
        .insert("held_out".into(), num(test.len() as f64));
    p.parameters
        .insert("holdout_seed".into(), num(options.seed as f64));
    p.parameters
        .insert("ridge".into(), num(options.logistic.ridge));
    p.parameters
        .insert("expert_share".into(), num(options.expert_share));
    p.metrics.insert("events".into(), num(fit.events as f64));
    p.metrics.insert("pseudo_r2".into(), num(fit.pseudo_r2()));
    if !fit.negative.is_empty() {
        p.metrics.insert(
            "sign_check_dropped".into(),
            text(
                fit.negative
                    .iter()
                    .map(|v| data.paths[v.indicator].clone())
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
        );
    }
    let mut change = Change {
        model: model.id().to_string(),
        weights: new_weights,
        bands: None,
        provenance: p,
    };
    let applied = change.apply(set)?;
    let banded = matches!(
        model.classes().cutoffs(),
        riskgrade_model::Cutoffs::Bands(_)
    );
    let shares = match (&options.recut, banded) {
        (Recut::KeepCutoffs, _) | (_, false) => None,
        (Recut::Shares(s), true) => Some(s.clone()),
        (Recut::SameShares, true) => {
            let old = classes(model, &scores(model, data));
            let names = model.classes().names();
            let n = old.len().max(1) as f64;
            Some(
                names
                    .iter()
                    .map(|c| old.iter().filter(|x| *x == c).count() as f64 / n)
                    .collect(),
            )
        }
    };
    let cutoffs = match shares {
        Some(s) => Some(cutoffs_from_shares(
            &applied,
            Some(model.id()),
            data,
            &s,
            options.date,
        )?),
        None => None,
    };
    let applied = match &cutoffs {
        Some(c) => c.change.apply(&applied)?,
        None => applied,
    };
    let new_model = model_of(&applied, Some(model.id()))?;
    let eval_rows = if test.is_empty() { &train } else { &test };
    let before_eval = evaluation(model, data, eval_rows);
    let after_eval = evaluation(new_model, data, eval_rows);
    for (name, e) in [("before", &before_eval), ("after", &after_eval)] {
        if let Some(auc) = e.auc {
            change
                .provenance
                .metrics
                .insert(format!("auc_{name}"), num(auc));
        }
        if let Some(ks) = e.ks {
            change
                .provenance
                .metrics
                .insert(format!("ks_{name}"), num(ks));
        }
    }
    change.provenance.metrics.insert(
        "evaluated_on".into(),
        text(if test.is_empty() {
            "fitted inspections"
        } else {
            "held-out inspections"
        }),
    );

    let leaves = (0..k)
        .map(|l| LeafFit {
            path: data.paths[l].clone(),
            before: before[l],
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
        .collect();
    let correlated = fit
        .correlated
        .iter()
        .map(|&(a, b, r)| (data.paths[a].clone(), data.paths[b].clone(), r))
        .collect();
    Ok(FitOutcome {
        model: model.id().to_string(),
        fitted_on: train.len(),
        held_out: test.len(),
        unmatched,
        fit,
        leaves,
        correlated,
        before: before_eval,
        after: after_eval,
        evaluated_on_holdout: !test.is_empty(),
        change,
        cutoffs,
    })
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
            "  {:<w$}  {:>7}  {:>7}  {:>10}  {:>7}  {:>8}",
            "leaf", "before", "after", "β/point", "z", "p"
        )?;
        for l in &self.leaves {
            writeln!(
                f,
                "  {:<w$}  {:>7}  {:>7}  {:>10.5}  {:>7}  {:>8}{}",
                l.path,
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

/// What a cut-off method did.
#[derive(Debug, Clone)]
pub struct CutoffOutcome {
    /// The model.
    pub model: String,
    /// The method: `cutoffs-shares` or `cutoffs-rates`.
    pub method: &'static str,
    /// The classes, least risky first.
    pub classes: Vec<String>,
    /// The new bands.
    pub bands: Vec<[f64; 2]>,
    /// Enterprises per class in the data, with the new bands.
    pub counts: Vec<usize>,
    /// Inspected and problems per class (detection-rate cut-offs).
    pub inspected: Option<(Vec<usize>, Vec<usize>)>,
    /// The change to write.
    pub change: Change,
}

/// A boundary strictly above `below` and at most `at`, as round as possible.
fn boundary(below: f64, at: f64) -> f64 {
    let mid = (below + at) / 2.0;
    for d in 0..=6 {
        let u = 10f64.powi(d);
        let r = (mid * u).round() / u;
        if r > below && r <= at {
            return r;
        }
    }
    mid
}

/// Bands from thresholds on risk values (each the lowest risk value of its class).
fn bands_from(model: &Model, risk: &[f64], thresholds: &[f64]) -> Vec<[f64; 2]> {
    let mut sorted: Vec<f64> = risk.to_vec();
    sorted.sort_by(f64::total_cmp);
    let cuts: Vec<f64> = thresholds
        .iter()
        .map(|&t| {
            let i = sorted.partition_point(|&x| x < t);
            let below = if i == 0 { t - 1.0 } else { sorted[i - 1] };
            boundary(below, t)
        })
        .collect();
    let (min, max) = (model.scale().min, model.scale().max);
    let k = thresholds.len() + 1;
    match model.scale().higher {
        Scale::Risk => (0..k)
            .map(|c| {
                [
                    if c == 0 { min } else { cuts[c - 1] },
                    if c == k - 1 { max } else { cuts[c] },
                ]
            })
            .collect(),
        // Risk is the negated score: a cut at risk t is a score of −t; class c runs from the
        // next cut's score up to its own.
        Scale::Safety => {
            let score_cuts: Vec<f64> = cuts.iter().map(|&t| -boundary(-t - 1e-9, -t)).collect();
            (0..k)
                .map(|c| {
                    [
                        if c == k - 1 { min } else { -score_cuts[c] },
                        if c == 0 { max } else { -score_cuts[c - 1] },
                    ]
                })
                .map(|[lo, hi]| [lo.min(hi), hi.max(lo)])
                .collect()
        }
    }
}

fn cutoff_change(
    set: &ModelSet,
    model: &Model,
    method: &'static str,
    bands: Vec<[f64; 2]>,
    digest: String,
    date: Option<Date>,
) -> Change {
    let mut p = provenance(method, set, date, digest);
    p.cutoffs = true;
    Change {
        model: model.id().to_string(),
        weights: Vec::new(),
        bands: Some(bands),
        provenance: p,
    }
}

fn counts(model: &Model, scores: &[f64], bands: &[[f64; 2]]) -> Vec<usize> {
    let mut out = vec![0; bands.len()];
    let max = model.scale().max;
    for &s in scores {
        if let Some(c) = bands
            .iter()
            .position(|b| s >= b[0] && (s < b[1] || (b[1] == max && s <= max)))
        {
            out[c] += 1;
        }
    }
    out
}

/// Class bands that give each class its target share of the enterprises in `data`, scored with
/// `set`'s weights (enterprises with equal scores share a class, so shares are met as closely as
/// ties allow).
///
/// # Errors
/// [`CalibrateError::Input`] when the shares do not fit the model's classes;
/// [`CalibrateError::Method`] when the scores cannot be split so.
pub fn cutoffs_from_shares(
    set: &ModelSet,
    model: Option<&str>,
    data: &Indicators,
    shares: &[f64],
    date: Option<Date>,
) -> Result<CutoffOutcome, CalibrateError> {
    let model = model_of(set, model)?;
    let names = model.classes().names().to_vec();
    if shares.len() != names.len() {
        return Err(CalibrateError::Input(format!(
            "{} shares for the {} classes of model `{}` ({})",
            shares.len(),
            names.len(),
            model.id(),
            names.join(", ")
        )));
    }
    let s = scores(model, data);
    let risk: Vec<f64> = s.iter().map(|&x| model.classes().risk_value(x)).collect();
    let cut =
        cutoffs::from_shares(&risk, shares).map_err(|e| CalibrateError::Method(e.to_string()))?;
    let bands = bands_from(model, &risk, &cut.thresholds);
    let mut digest = InputsDigest::new("cutoffs-shares");
    digest.numbers(&s);
    digest.numbers(shares);
    let mut change = cutoff_change(
        set,
        model,
        "cutoffs-shares",
        bands.clone(),
        digest.finish(),
        date,
    );
    for (n, (want, got)) in names.iter().zip(shares.iter().zip(&cut.shares)) {
        change
            .provenance
            .parameters
            .insert(format!("share_{n}"), num(*want));
        change
            .provenance
            .metrics
            .insert(format!("achieved_{n}"), num(*got));
    }
    change
        .provenance
        .parameters
        .insert("enterprises".into(), num(s.len() as f64));
    Ok(CutoffOutcome {
        model: model.id().to_string(),
        method: "cutoffs-shares",
        counts: counts(model, &s, &bands),
        classes: names,
        bands,
        inspected: None,
        change,
    })
}

/// Class bands that reach desired detection rates among the inspected: from the riskiest class
/// down, each class starts at the lowest score at which the inspected enterprises from there up
/// to the next class found problems at the desired rate, with at least `min_inspected` of them,
/// while the classes below can still reach theirs.
/// `rates` has one entry per class, least risky first; the first is `None` (the rest).
///
/// # Errors
/// [`CalibrateError::Input`] when the rates do not fit the classes; [`CalibrateError::Method`]
/// naming the class whose rate cannot be reached, and the best rate it could have.
pub fn cutoffs_from_rates(
    set: &ModelSet,
    model: Option<&str>,
    data: &Indicators,
    outcomes: &[(String, bool)],
    rates: &[Option<f64>],
    min_inspected: usize,
    date: Option<Date>,
) -> Result<CutoffOutcome, CalibrateError> {
    let model = model_of(set, model)?;
    let names = model.classes().names().to_vec();
    if rates.len() != names.len() {
        return Err(CalibrateError::Input(format!(
            "{} rates for the {} classes of model `{}` ({})",
            rates.len(),
            names.len(),
            model.id(),
            names.join(", ")
        )));
    }
    let s = scores(model, data);
    let (rows, _) = join(data, outcomes);
    let inspected: Vec<(f64, bool)> = rows
        .iter()
        .map(|&(r, p)| (model.classes().risk_value(s[r]), p))
        .collect();
    let cut = cutoffs::from_detection_rates(&inspected, rates, min_inspected).map_err(|e| {
        let mut msg = e.to_string();
        for (c, n) in names.iter().enumerate().rev() {
            msg = msg.replace(&format!("class {c}"), &format!("class {n}"));
        }
        CalibrateError::Method(msg)
    })?;
    let risk_all: Vec<f64> = s.iter().map(|&x| model.classes().risk_value(x)).collect();
    let bands = bands_from(model, &risk_all, &cut.thresholds);
    let mut digest = InputsDigest::new("cutoffs-rates");
    digest.numbers(&s);
    for (sc, p) in &inspected {
        digest.numbers(&[*sc, f64::from(u8::from(*p))]);
    }
    let mut change = cutoff_change(
        set,
        model,
        "cutoffs-rates",
        bands.clone(),
        digest.finish(),
        date,
    );
    change
        .provenance
        .parameters
        .insert("min_inspected".into(), num(min_inspected as f64));
    for (c, n) in names.iter().enumerate() {
        if let Some(r) = rates[c] {
            change
                .provenance
                .parameters
                .insert(format!("rate_{n}"), num(r));
        }
        if let Some(r) = cut.rates[c] {
            change
                .provenance
                .metrics
                .insert(format!("achieved_{n}"), num(r));
        }
    }
    Ok(CutoffOutcome {
        model: model.id().to_string(),
        method: "cutoffs-rates",
        counts: counts(model, &s, &bands),
        classes: names,
        bands,
        inspected: Some((cut.inspected, cut.problems)),
        change,
    })
}

impl fmt::Display for CutoffOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total: usize = self.counts.iter().sum();
        writeln!(
            f,
            "class cut-offs for model `{}` ({})",
            self.model,
            if self.method == "cutoffs-shares" {
                "from target shares"
            } else {
                "from desired detection rates"
            }
        )?;
        for (c, name) in self.classes.iter().enumerate() {
            let [lo, hi] = self.bands[c];
            write!(
                f,
                "  {name:<4} [{}, {})  {:>9} enterprises {:>7}",
                riskgrade_core::format_number(lo),
                riskgrade_core::format_number(hi),
                self.counts[c],
                Pct(if total > 0 {
                    self.counts[c] as f64 / total as f64
                } else {
                    0.0
                })
            )?;
            if let Some((ins, pro)) = &self.inspected {
                let rate = if ins[c] > 0 {
                    format!("{:.2}%", pro[c] as f64 / ins[c] as f64 * 100.0)
                } else {
                    "-".into()
                };
                write!(
                    f,
                    "   {} of {} inspected found a problem ({rate})",
                    pro[c], ins[c]
                )?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}
