//! Objective weights (entropy weight, CRITIC) from a batch of enterprises, optionally combined
//! with the experts' weights.

use std::collections::BTreeMap;
use std::fmt;

use rayon::prelude::*;
use riskgrade_core::Date;
use riskgrade_model::{Direction as Scale, Model, ModelSet, ProvenanceSpec, ScoreSpec, Source};
use riskgrade_weights::objective::{self as obj, Direction};

use super::fit::{check_data, check_expert_share};
use super::{
    CalibrateError, Change, Indicators, InputsDigest, Pct, is_below, model_of, node_index, num,
    path_cell, path_width, provenance, text, tree_weights,
};

/// Which objective method ([`crate::Method`] names every method that sets weights from data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObjectiveMethod {
    /// Entropy weight: indicators whose values vary more across enterprises weigh more.
    Entropy,
    /// CRITIC: contrast (standard deviation) times conflict (1 − correlation) with the others.
    Critic,
}

impl ObjectiveMethod {
    /// `entropy` or `critic`.
    pub fn name(self) -> &'static str {
        match self {
            ObjectiveMethod::Entropy => "entropy",
            ObjectiveMethod::Critic => "critic",
        }
    }
}

/// Options of [`objective`].
#[derive(Debug, Clone, Default)]
pub struct ObjectiveOptions {
    /// The model (default: the set's default model).
    pub model: Option<String>,
    /// Only the leaves below this node get new weights (default: the whole model).
    pub under: Option<String>,
    /// The experts' share α in `α·expert + (1 − α)·objective` (default 0: objective only).
    pub expert_share: f64,
    /// Directions that differ from the ones read off the scoring functions, by leaf path.
    pub directions: BTreeMap<String, Direction>,
    /// The date recorded in the provenance.
    pub date: Option<Date>,
}

/// One leaf's weights under an objective method.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectiveLeaf {
    /// The leaf's path.
    pub path: String,
    /// Benefit or cost, and whether it was given rather than read off the scoring function.
    pub direction: Direction,
    /// Whether `direction` was given by the caller.
    pub given: bool,
    /// Its share of the scope's weight before.
    pub expert: f64,
    /// Its share under the method.
    pub objective: f64,
    /// Its share after combining and rounding (as written).
    pub new: f64,
    /// Entropy `e_j` (entropy method) or information `C_j` (CRITIC).
    pub statistic: f64,
    /// Whether its values were the same for every enterprise (it gets no objective weight).
    pub constant: bool,
}

/// What [`objective`] did.
#[derive(Debug, Clone)]
pub struct ObjectiveOutcome {
    /// The method.
    pub method: ObjectiveMethod,
    /// The model.
    pub model: String,
    /// The scope (`None`: the whole model).
    pub under: Option<String>,
    /// The leaves in scope.
    pub leaves: Vec<ObjectiveLeaf>,
    /// Rows used.
    pub rows: usize,
    /// Leaves with missing values and how many: a missing value counts as the observed value
    /// whose points are closest to the leaf's missing points.
    pub imputed: Vec<(String, usize)>,
    /// The experts' share.
    pub expert_share: f64,
    /// The change to write.
    pub change: Change,
}

/// Benefit or cost, read off a leaf's scoring function: an indicator whose points move towards
/// risk as its value grows is a cost indicator (more is worse).
fn direction_of(spec: Option<&ScoreSpec>, scale: Scale, component: bool) -> Direction {
    let rise = match spec {
        Some(ScoreSpec::Bins { points, .. }) => {
            points.last().copied().unwrap_or(0.0) - points.first().copied().unwrap_or(0.0)
        }
        Some(ScoreSpec::Linear { y, .. }) => {
            y.last().copied().unwrap_or(0.0) - y.first().copied().unwrap_or(0.0)
        }
        Some(ScoreSpec::Boolean { if_true, if_false }) => if_true - if_false,
        // Categories are scored by their points, a component model by its score: both already
        // point the way of the scale.
        Some(ScoreSpec::Category { .. }) | None => {
            let _ = component;
            1.0
        }
    };
    let risky = match scale {
        Scale::Risk => rise >= 0.0,
        Scale::Safety => rise < 0.0,
    };
    if risky {
        Direction::Cost
    } else {
        Direction::Benefit
    }
}

/// Entropy or CRITIC weights for a model's leaves from a batch of graded enterprises.
///
/// The data are the leaves' values ([`Indicators::values`]); a missing value counts as the
/// observed value of that leaf whose points are closest to the leaf's missing points (so "no
/// penalty yet" counts as a long time since the last one), and is counted in the report. Each leaf is a cost indicator (more is riskier) or a benefit one, as
/// its scoring function says unless `options.directions` says otherwise. The objective weights
/// of the leaves in scope are combined with their current (expert) shares,
/// `α·expert + (1 − α)·objective`, and turned into sibling weights from the scope down.
///
/// # Errors
/// [`CalibrateError::NoModel`], [`CalibrateError::NoNode`], [`CalibrateError::NotALeaf`] or
/// [`CalibrateError::NothingBelow`] for an unknown model, node or leaf;
/// [`CalibrateError::Argument`] for an experts' share out of range or indicators of another
/// model; [`CalibrateError::Method`] when fewer than two complete rows remain or every indicator
/// is constant.
pub fn objective(
    set: &ModelSet,
    data: &Indicators,
    method: ObjectiveMethod,
    options: &ObjectiveOptions,
) -> Result<ObjectiveOutcome, CalibrateError> {
    let model = model_of(set, options.model.as_deref())?;
    check_data(model, data)?;
    check_expert_share(options.expert_share)?;
    let (under, scope) = scope_of(model, options)?;
    if data.len() < 2 {
        return Err(CalibrateError::method(
            method.name(),
            format!(
                "{} enterprises graded by model `{}`: at least 2 are needed",
                data.len(),
                model.id()
            ),
        ));
    }
    let (directions, given) = leaf_directions(model, &scope, options);
    let (columns, imputed) = fill_missing(model, data, &scope, &directions);
    let found = method_weights(method, &columns, &directions, data, &scope)?;
    let expert = expert_shares(model, &scope);
    let combined = obj::combine(&expert, &found.weights, options.expert_share)
        .map_err(|e| CalibrateError::method(method.name(), e.to_string()))?;
    let leaf_abs: Vec<(usize, f64)> = scope.iter().copied().zip(combined).collect();
    let new_weights = tree_weights(model, under, &leaf_abs);
    let change = Change {
        model: model.id().to_string(),
        provenance: objective_provenance(
            set,
            data,
            method,
            options,
            Written {
                scope: &scope,
                columns: &columns,
                directions: &directions,
                constant: &found.constant,
                weights: &new_weights,
            },
        ),
        weights: new_weights,
        bands: None,
    };
    // Shares as written (rounded), for the report.
    let applied = change.apply(set)?;
    let new_model = model_of(&applied, Some(model.id()))?;
    let new_total: f64 = scope.iter().map(|&l| new_model.leaves()[l].weight).sum();
    let leaves = scope
        .iter()
        .enumerate()
        .map(|(j, &l)| ObjectiveLeaf {
            path: data.paths[l].clone(),
            direction: directions[j],
            given: given[j],
            expert: expert[j],
            objective: found.weights[j],
            new: if new_total > 0.0 {
                new_model.leaves()[l].weight / new_total
            } else {
                0.0
            },
            statistic: found.statistic[j],
            constant: found.constant.contains(&j),
        })
        .collect();
    Ok(ObjectiveOutcome {
        method,
        model: model.id().to_string(),
        under: options.under.clone(),
        leaves,
        rows: data.len(),
        imputed: scope
            .iter()
            .zip(&imputed)
            .filter(|(_, n)| **n > 0)
            .map(|(&l, &n)| (data.paths[l].clone(), n))
            .collect(),
        expert_share: options.expert_share,
        change,
    })
}

/// The node limiting the method (if any) and the leaves in scope; checks the directions given.
fn scope_of(
    model: &Model,
    options: &ObjectiveOptions,
) -> Result<(Option<usize>, Vec<usize>), CalibrateError> {
    let under = options
        .under
        .as_deref()
        .map(|p| node_index(model, p))
        .transpose()?;
    if let Some(path) = options
        .directions
        .keys()
        .find(|path| !model.leaves().iter().any(|l| &l.path == *path))
    {
        return Err(CalibrateError::NotALeaf {
            model: model.id().to_string(),
            path: path.clone(),
        });
    }
    let scope: Vec<usize> = (0..model.leaves().len())
        .filter(|&l| under.is_none_or(|u| is_below(model, model.leaves()[l].node, u)))
        .collect();
    if scope.is_empty() {
        return Err(CalibrateError::NothingBelow {
            model: model.id().to_string(),
            node: options.under.clone().unwrap_or_default(),
        });
    }
    Ok((under, scope))
}

/// Each leaf's direction (given, or read off its scoring function), and whether it was given.
fn leaf_directions(
    model: &Model,
    scope: &[usize],
    options: &ObjectiveOptions,
) -> (Vec<Direction>, Vec<bool>) {
    let spec_of = |path: &str| {
        model
            .spec()
            .nodes
            .iter()
            .find(|n| n.path == path)
            .and_then(|n| n.score.as_ref())
    };
    scope
        .iter()
        .map(|&l| {
            let leaf = &model.leaves()[l];
            match options.directions.get(&leaf.path) {
                Some(d) => (*d, true),
                None => (
                    direction_of(
                        spec_of(&leaf.path),
                        model.scale().higher,
                        matches!(leaf.source, Source::Model(_)),
                    ),
                    false,
                ),
            }
        })
        .unzip()
}

/// The leaves' values with each missing value counted as a value that scores like it: the
/// observed value whose points are closest to the leaf's missing points (the least risky such
/// value on ties). Returns the columns and how many values were filled per leaf.
fn fill_missing(
    model: &Model,
    data: &Indicators,
    scope: &[usize],
    directions: &[Direction],
) -> (Vec<Vec<f64>>, Vec<usize>) {
    scope
        .par_iter()
        .enumerate()
        .map(|(j, &l)| {
            let (vals, pts) = (&data.values[l], &data.points[l]);
            let missing = model.leaves()[l].missing_points();
            let cost = directions[j] == Direction::Cost;
            let mut best: Option<(f64, f64)> = None;
            for (&v, &p) in vals.iter().zip(pts) {
                if !v.is_finite() {
                    continue;
                }
                let d = (p - missing).abs();
                let better = match best {
                    None => true,
                    Some((bd, bv)) => d < bd || (d == bd && if cost { v < bv } else { v > bv }),
                };
                if better {
                    best = Some((d, v));
                }
            }
            let fill = best.map_or(0.0, |(_, v)| v);
            let n = vals.iter().filter(|v| !v.is_finite()).count();
            let col = vals
                .iter()
                .map(|&v| if v.is_finite() { v } else { fill })
                .collect();
            (col, n)
        })
        .unzip()
}

/// The method's weights, per-leaf statistic and constant leaves (indices into the scope).
struct Found {
    weights: Vec<f64>,
    statistic: Vec<f64>,
    constant: Vec<usize>,
}

/// Runs entropy or CRITIC on the filled columns.
fn method_weights(
    method: ObjectiveMethod,
    columns: &[Vec<f64>],
    directions: &[Direction],
    data: &Indicators,
    scope: &[usize],
) -> Result<Found, CalibrateError> {
    let slices: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
    let failed = |e: obj::ObjectiveError| {
        CalibrateError::method(method.name(), name_indicators(&e.to_string(), data, scope))
    };
    Ok(match method {
        ObjectiveMethod::Entropy => {
            let e = obj::entropy(&slices, directions).map_err(failed)?;
            Found {
                weights: e.weights,
                statistic: e.entropy,
                constant: e.constant,
            }
        }
        ObjectiveMethod::Critic => {
            let c = obj::critic(&slices, directions).map_err(failed)?;
            Found {
                weights: c.weights,
                statistic: c.information,
                constant: c.constant,
            }
        }
    })
}

/// The leaves' current shares of the scope's weight (equal shares when the scope weighs 0).
fn expert_shares(model: &Model, scope: &[usize]) -> Vec<f64> {
    let total: f64 = scope.iter().map(|&l| model.leaves()[l].weight).sum();
    scope
        .iter()
        .map(|&l| {
            if total > 0.0 {
                model.leaves()[l].weight / total
            } else {
                1.0 / scope.len() as f64
            }
        })
        .collect()
}

/// What the provenance records of an objective method's result.
struct Written<'a> {
    scope: &'a [usize],
    columns: &'a [Vec<f64>],
    directions: &'a [Direction],
    constant: &'a [usize],
    weights: &'a [(String, f64)],
}

/// The provenance: inputs' digest, settings, benefit leaves and constant ones.
fn objective_provenance(
    set: &ModelSet,
    data: &Indicators,
    method: ObjectiveMethod,
    options: &ObjectiveOptions,
    w: Written<'_>,
) -> ProvenanceSpec {
    let mut digest = InputsDigest::new(method.name());
    let names: Vec<&str> = w.scope.iter().map(|&l| data.paths[l].as_str()).collect();
    let cols: Vec<&[f64]> = w.columns.iter().map(Vec::as_slice).collect();
    digest.columns(&names, &cols);
    let mut p = provenance(method.name(), set, options.date, digest.finish());
    p.weights = w.weights.iter().map(|(path, _)| path.clone()).collect();
    p.parameters
        .insert("expert_share".into(), num(options.expert_share));
    p.parameters.insert("rows".into(), num(data.len() as f64));
    if let Some(u) = &options.under {
        p.parameters.insert("under".into(), text(u.clone()));
    }
    let benefit: Vec<&str> = w
        .scope
        .iter()
        .zip(w.directions)
        .filter(|(_, d)| **d == Direction::Benefit)
        .map(|(&l, _)| data.paths[l].as_str())
        .collect();
    if !benefit.is_empty() {
        p.parameters
            .insert("benefit".into(), text(benefit.join(" ")));
    }
    if !w.constant.is_empty() {
        let constant: Vec<&str> = w
            .constant
            .iter()
            .map(|&j| data.paths[w.scope[j]].as_str())
            .collect();
        p.metrics
            .insert("constant".into(), text(constant.join(" ")));
    }
    p
}

/// Replaces "indicator N" in a method's message by the leaf's path.
fn name_indicators(message: &str, data: &Indicators, scope: &[usize]) -> String {
    let mut out = message.to_string();
    for (j, &l) in scope.iter().enumerate().rev() {
        out = out.replace(&format!("indicator {j}"), &format!("`{}`", data.paths[l]));
    }
    out
}

impl fmt::Display for ObjectiveOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let stat = match self.method {
            ObjectiveMethod::Entropy => "entropy",
            ObjectiveMethod::Critic => "information",
        };
        writeln!(
            f,
            "{} weights for model `{}`{} from {} enterprises; experts' share {}",
            self.method.name(),
            self.model,
            self.under
                .as_deref()
                .map(|u| format!(" below `{u}`"))
                .unwrap_or_default(),
            self.rows,
            self.expert_share
        )?;
        for (path, n) in &self.imputed {
            writeln!(
                f,
                "  `{path}`: {n} missing values counted as the value scored like a missing one"
            )?;
        }
        let w = path_width(self.leaves.iter().map(|l| l.path.as_str()));
        writeln!(
            f,
            "  {}  {:<8}  {:>8}  {:>9}  {:>8}  {:>11}",
            path_cell("leaf", w),
            "kind",
            "expert",
            "objective",
            "new",
            stat
        )?;
        for l in &self.leaves {
            let kind = match (l.direction, l.given) {
                (Direction::Cost, false) => "cost",
                (Direction::Benefit, false) => "benefit",
                (Direction::Cost, true) => "cost*",
                (Direction::Benefit, true) => "benefit*",
            };
            writeln!(
                f,
                "  {}  {:<8}  {:>8}  {:>9}  {:>8}  {:>11.4}{}",
                path_cell(&l.path, w),
                kind,
                Pct(l.expert),
                Pct(l.objective),
                Pct(l.new),
                l.statistic,
                if l.constant {
                    "  constant: no information"
                } else {
                    ""
                }
            )?;
        }
        if self.leaves.iter().any(|l| l.given) {
            writeln!(f, "  * direction given, not read off the scoring function")?;
        }
        Ok(())
    }
}
