//! Setting weights and cut-offs scientifically, and writing the result as a new model version.
//!
//! Each method takes one model of a set and returns a [`Change`]: new sibling weights for some
//! nodes, or new class bands, and a [`ProvenanceSpec`] that records how they were set (method,
//! date, the version it started from, a digest of its inputs, parameters and results). A change
//! applies to a set in memory ([`Change::apply`]) — to grade with the candidate before adopting
//! it — and is written as a new version of the set's files by [`write_version`], which keeps
//! every comment and appends the provenance to the model file.
//!
//! | method | from | function |
//! |---|---|---|
//! | AHP | pairwise judgements per node (`ahp.toml`) | [`ahp`] |
//! | entropy weight, CRITIC | a batch of enterprises | [`objective`] |
//! | logistic calibration | inspection outcomes | [`fit_outcomes`] |
//! | any of the three above, by [`Method`] | a batch, and outcomes for logistic | [`weights_from_data`] |
//! | cut-offs | target shares, or desired detection rates | [`cutoffs_from_shares`], [`cutoffs_from_rates`] |
//! | re-cut after new weights | old shares, given shares, or kept bands | [`Recut`] |
//! | champion vs challenger | two sets on the same outcomes | [`challenge`] |
//!
//! Modules: `ahp` (judgement files), `objective` (entropy, CRITIC), `fit` (logistic), `method`
//! (the method by name and one entry for all), `recut` and `cutoffs` (class bands), `data`
//! (indicators and outcomes), `challenge`, `write` (new versions), `error`.
//!
//! Weights are written rounded to 4 decimals, siblings by largest remainder so that they still
//! sum to 1; the reports are computed on the weights as written.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod ahp;
mod challenge;
mod cutoffs;
mod data;
mod error;
mod fit;
mod method;
mod objective;
mod recut;
mod write;

use std::collections::BTreeMap;
use std::fmt;

use riskgrade_model::{ClassSpec, Model, ModelSet, ModelSetSpec, ProvenanceSpec, ProvenanceValue};
use sha2::{Digest, Sha256};

pub use ahp::{AhpFile, AhpNode, AhpOptions, AhpOutcome, Matrix, ahp};
pub use challenge::{Challenge, challenge};
pub use cutoffs::{CutoffOutcome, cutoffs_from_rates, cutoffs_from_shares};
pub use data::{
    Indicators, OutcomeColumn, outcome_from_flag, outcome_from_text, outcomes_from_cells,
    read_outcome_labels, store_outcomes,
};
pub use error::{CalibrateError, RefusedMatrix};
pub use fit::{FitOptions, FitOutcome, LeafFit, fit_outcomes};
pub use method::{Method, WeightOptions, WeightsOutcome, weights_from_data};
pub use objective::{
    ObjectiveLeaf, ObjectiveMethod, ObjectiveOptions, ObjectiveOutcome, objective,
};
pub use recut::Recut;
pub use riskgrade_weights::ahp::RiTable;
pub use riskgrade_weights::objective::Direction as IndicatorDirection;
pub use write::write_version;

pub(crate) use fit::write_before_after;

/// New weights or cut-offs for one model, with how they were set.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The model's id.
    pub model: String,
    /// New weights among siblings, by node path. Each node's siblings are all listed, and sum to 1.
    pub weights: Vec<(String, f64)>,
    /// New class bands, least risky class first (the classes keep their names and labels).
    pub bands: Option<Vec<[f64; 2]>>,
    /// The provenance entry appended to the model.
    pub provenance: ProvenanceSpec,
}

impl Change {
    /// The set with this change applied, validated and compiled.
    ///
    /// # Errors
    /// [`CalibrateError::NoModel`] or [`CalibrateError::NoNode`] for an unknown model or node;
    /// [`CalibrateError::Model`] if the result does not validate.
    pub fn apply(&self, set: &ModelSet) -> Result<ModelSet, CalibrateError> {
        Ok(ModelSet::from_spec(self.apply_spec(set.spec())?)?)
    }

    /// The set's spec with this change applied (not validated).
    ///
    /// # Errors
    /// [`CalibrateError::NoModel`] or [`CalibrateError::NoNode`] for an unknown model or node;
    /// [`CalibrateError::Argument`] for bands that do not fit the classes.
    pub fn apply_spec(&self, spec: &ModelSetSpec) -> Result<ModelSetSpec, CalibrateError> {
        let mut spec = spec.clone();
        let known: Vec<String> = spec.models.iter().map(|m| m.id.clone()).collect();
        let m = spec
            .models
            .iter_mut()
            .find(|m| m.id == self.model)
            .ok_or_else(|| CalibrateError::NoModel {
                wanted: Some(self.model.clone()),
                known,
            })?;
        for (path, w) in &self.weights {
            let node = m
                .nodes
                .iter_mut()
                .find(|n| &n.path == path)
                .ok_or_else(|| CalibrateError::NoNode {
                    model: self.model.clone(),
                    node: path.clone(),
                    suggestion: None,
                })?;
            node.weight = *w;
        }
        if let Some(bands) = &self.bands {
            if m.classes.is_empty() {
                m.classes = riskgrade_model::default_classes();
            }
            if bands.len() != m.classes.len() {
                return Err(CalibrateError::argument(
                    "bands",
                    format!(
                        "{} bands for the {} classes of model `{}`",
                        bands.len(),
                        m.classes.len(),
                        self.model
                    ),
                ));
            }
            for (c, b) in m.classes.iter_mut().zip(bands) {
                *c = ClassSpec {
                    band: Some(*b),
                    share: None,
                    ..c.clone()
                };
            }
        }
        m.provenance.push(self.provenance.clone());
        Ok(spec)
    }
}

/// Applies changes in order.
///
/// # Errors
/// As [`Change::apply`].
pub fn apply_all(set: &ModelSet, changes: &[Change]) -> Result<ModelSet, CalibrateError> {
    let mut spec = set.spec().clone();
    for c in changes {
        spec = c.apply_spec(&spec)?;
    }
    Ok(ModelSet::from_spec(spec)?)
}

/// The model `id` of the set, or its default model (or its only one) when `id` is `None`.
///
/// # Errors
/// [`CalibrateError::NoModel`] naming the models the set has.
pub fn model_of<'a>(set: &'a ModelSet, id: Option<&str>) -> Result<&'a Model, CalibrateError> {
    let no_model = |wanted: Option<&str>| CalibrateError::NoModel {
        wanted: wanted.map(str::to_string),
        known: set.models().iter().map(|m| m.id().to_string()).collect(),
    };
    let wanted = match (id, &set.spec().default, set.models()) {
        (Some(id), _, _) => id,
        (None, Some(d), _) => d.as_str(),
        (None, None, [m]) => m.id(),
        (None, None, _) => return Err(no_model(None)),
    };
    set.model(wanted).ok_or_else(|| no_model(Some(wanted)))
}

/// Rounds weights to `decimals` so that they still sum to exactly 1 (largest remainder).
pub(crate) fn round_to_sum_one(ws: &[f64], decimals: i32) -> Vec<f64> {
    let unit = 10f64.powi(decimals);
    let total: f64 = ws.iter().sum();
    if ws.is_empty() || total <= 0.0 {
        return ws.to_vec();
    }
    let scaled: Vec<f64> = ws.iter().map(|w| w / total * unit).collect();
    let mut units: Vec<i64> = scaled.iter().map(|s| s.floor() as i64).collect();
    let mut left = unit.round() as i64 - units.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..ws.len()).collect();
    order.sort_by(|&a, &b| {
        (scaled[b] - scaled[b].floor())
            .total_cmp(&(scaled[a] - scaled[a].floor()))
            .then(a.cmp(&b))
    });
    for &i in order.iter().cycle() {
        if left <= 0 {
            break;
        }
        units[i] += 1;
        left -= 1;
    }
    units.iter().map(|&u| u as f64 / unit).collect()
}

/// Sibling weights of every node in scope from absolute leaf weights within the scope.
///
/// `leaf_abs[l]` is the share of the scope's weight that leaf `l` (index into the model's leaves)
/// gets; leaves outside the scope are ignored. A node whose parent gets nothing keeps its weight.
pub(crate) fn tree_weights(
    model: &Model,
    under: Option<usize>,
    leaf_abs: &[(usize, f64)],
) -> Vec<(String, f64)> {
    let nodes = model.nodes();
    let mut sum = vec![0.0; nodes.len()];
    for &(l, w) in leaf_abs {
        let mut n = Some(model.leaves()[l].node);
        while let Some(i) = n {
            sum[i] += w;
            n = nodes[i].parent;
        }
    }
    let in_scope = |mut i: usize| -> bool {
        match under {
            None => true,
            Some(u) => {
                while let Some(p) = nodes[i].parent {
                    if p == u {
                        return true;
                    }
                    i = p;
                }
                false
            }
        }
    };
    // Group the nodes in scope by parent, in file order.
    let mut groups: BTreeMap<Option<usize>, Vec<usize>> = BTreeMap::new();
    for (i, n) in nodes.iter().enumerate() {
        if in_scope(i) {
            groups.entry(n.parent).or_default().push(i);
        }
    }
    let mut out = Vec::new();
    for kids in groups.values() {
        let total: f64 = kids.iter().map(|&k| sum[k]).sum();
        let raw: Vec<f64> = if total > 0.0 {
            kids.iter().map(|&k| sum[k] / total).collect()
        } else {
            kids.iter().map(|&k| nodes[k].weight).collect()
        };
        for (&k, w) in kids.iter().zip(round_to_sum_one(&raw, 4)) {
            out.push((nodes[k].path.clone(), w));
        }
    }
    out
}

/// The node index of `path`, or an error with a suggestion.
pub(crate) fn node_index(model: &Model, path: &str) -> Result<usize, CalibrateError> {
    model
        .nodes()
        .iter()
        .position(|n| n.path == path)
        .ok_or_else(|| CalibrateError::NoNode {
            model: model.id().to_string(),
            node: path.to_string(),
            suggestion: riskgrade_core::did_you_mean(
                path,
                model.nodes().iter().map(|n| n.path.as_str()),
            )
            .map(str::to_string),
        })
}

/// Whether node `i` is `under` or below it.
pub(crate) fn is_below(model: &Model, mut i: usize, under: usize) -> bool {
    loop {
        if i == under {
            return true;
        }
        match model.nodes()[i].parent {
            Some(p) => i = p,
            None => return false,
        }
    }
}

/// A SHA-256 digest being built over a method's inputs.
pub(crate) struct InputsDigest(Sha256);

impl InputsDigest {
    pub(crate) fn new(method: &str) -> Self {
        let mut h = Sha256::new();
        h.update(method.as_bytes());
        InputsDigest(h)
    }
    pub(crate) fn text(&mut self, s: &str) {
        self.0.update((s.len() as u64).to_le_bytes());
        self.0.update(s.as_bytes());
    }
    pub(crate) fn numbers(&mut self, xs: &[f64]) {
        self.0.update(numbers_digest(xs));
    }

    /// Several columns, each by its own digest (computed in parallel), in order.
    pub(crate) fn columns(&mut self, names: &[&str], columns: &[&[f64]]) {
        use rayon::prelude::*;
        let digests: Vec<[u8; 32]> = columns.par_iter().map(|c| numbers_digest(c)).collect();
        for (name, d) in names.iter().zip(digests) {
            self.text(name);
            self.0.update(d);
        }
    }
    pub(crate) fn finish(self) -> String {
        let d = self.0.finalize();
        let hex: String = d.iter().map(|b| format!("{b:02x}")).collect();
        format!("sha256:{hex}")
    }
}

/// SHA-256 of numbers as little-endian bytes, fed in blocks.
fn numbers_digest(xs: &[f64]) -> [u8; 32] {
    let mut h = Sha256::new();
    let mut buf = [0u8; 8 * 1024];
    for chunk in xs.chunks(1024) {
        for (b, x) in buf.chunks_exact_mut(8).zip(chunk) {
            b.copy_from_slice(&x.to_le_bytes());
        }
        h.update(&buf[..chunk.len() * 8]);
    }
    h.finalize().into()
}

/// A provenance entry with the common fields filled in.
pub(crate) fn provenance(
    method: &str,
    set: &ModelSet,
    date: Option<riskgrade_core::Date>,
    digest: String,
) -> ProvenanceSpec {
    ProvenanceSpec {
        method: method.to_string(),
        date: date.map(|d| d.to_string()),
        derived_from: Some(set.version_id().to_string()),
        inputs_digest: Some(digest),
        weights: Vec::new(),
        cutoffs: false,
        parameters: BTreeMap::new(),
        metrics: BTreeMap::new(),
        note: None,
    }
}

pub(crate) fn num(x: f64) -> ProvenanceValue {
    // Six significant decimals are plenty for a record, and keep the file readable.
    ProvenanceValue::Number((x * 1e6).round() / 1e6)
}

pub(crate) fn text(s: impl Into<String>) -> ProvenanceValue {
    ProvenanceValue::Text(s.into())
}

/// The width of a report's path column: the widest path, at least 4, at most
/// [`display::MAX_CELL`](riskgrade_core::display::MAX_CELL).
pub(crate) fn path_width<'a>(paths: impl Iterator<Item = &'a str>) -> usize {
    riskgrade_core::display::column_width(paths, 4)
}

/// A report's path cell: escaped, cut and padded to `w` columns.
pub(crate) fn path_cell(path: &str, w: usize) -> String {
    riskgrade_core::display::pad(path, w, riskgrade_core::display::Align::Left)
}

/// Formats a weight table row for reports.
pub(crate) struct Pct(pub f64);

impl fmt::Display for Pct {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = format!("{:.1}%", self.0 * 100.0);
        match f.width() {
            Some(w) => write!(f, "{s:>w$}"),
            None => f.write_str(&s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_keeps_the_sum_at_one() {
        let w = round_to_sum_one(&[1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0], 4);
        assert_eq!(w, vec![0.3334, 0.3333, 0.3333]);
        let w = round_to_sum_one(&[0.12344, 0.12346, 0.7531], 4);
        assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12, "{w:?}");
        assert_eq!(w, vec![0.1234, 0.1235, 0.7531]);
    }
}
