//! Class cut-offs: from target shares, or from desired detection rates among the inspected.

use std::fmt;

use riskgrade_core::Date;
use riskgrade_model::{Direction as Scale, Model, ModelSet};
use riskgrade_weights::cutoffs;

use super::data::join;
use super::fit::scores;
use super::{CalibrateError, Change, Indicators, InputsDigest, Pct, model_of, num, provenance};

/// The provenance method of cut-offs from shares.
const SHARES: &str = "cutoffs-shares";
/// The provenance method of cut-offs from detection rates.
const RATES: &str = "cutoffs-rates";

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
/// [`CalibrateError::Argument`] when the shares do not fit the model's classes;
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
        return Err(CalibrateError::argument(
            "shares",
            format!(
                "{} shares for the {} classes of model `{}` ({})",
                shares.len(),
                names.len(),
                model.id(),
                names.join(", ")
            ),
        ));
    }
    let s = scores(model, data);
    let risk: Vec<f64> = s.iter().map(|&x| model.classes().risk_value(x)).collect();
    let cut = cutoffs::from_shares(&risk, shares)
        .map_err(|e| CalibrateError::method(SHARES, e.to_string()))?;
    let bands = bands_from(model, &risk, &cut.thresholds);
    let mut digest = InputsDigest::new(SHARES);
    digest.numbers(&s);
    digest.numbers(shares);
    let mut change = cutoff_change(set, model, SHARES, bands.clone(), digest.finish(), date);
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
        method: SHARES,
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
/// [`CalibrateError::Argument`] when the rates do not fit the classes; [`CalibrateError::Method`]
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
        return Err(CalibrateError::argument(
            "rates",
            format!(
                "{} rates for the {} classes of model `{}` ({})",
                rates.len(),
                names.len(),
                model.id(),
                names.join(", ")
            ),
        ));
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
        CalibrateError::method(RATES, msg)
    })?;
    let risk_all: Vec<f64> = s.iter().map(|&x| model.classes().risk_value(x)).collect();
    let bands = bands_from(model, &risk_all, &cut.thresholds);
    let mut digest = InputsDigest::new(RATES);
    digest.numbers(&s);
    for (sc, p) in &inspected {
        digest.numbers(&[*sc, f64::from(u8::from(*p))]);
    }
    let mut change = cutoff_change(set, model, RATES, bands.clone(), digest.finish(), date);
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
        method: RATES,
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
            if self.method == SHARES {
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
