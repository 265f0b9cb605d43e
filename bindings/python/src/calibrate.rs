//! `calibrate`: a model's weights set from a graded batch (entropy, CRITIC) or from inspection
//! outcomes (logistic), by the calibration crate's method and re-cut.

use pyo3::prelude::*;
use riskgrade::calibrate::{self as cal, Method, Recut, WeightOptions};
use riskgrade::{Frame, Grades, ModelSet, ProvenanceSpec};
use serde::Serialize;

use crate::errors::calibrate_err;
use crate::grade::PyModel;
use crate::input::{Ask, Batch, PyOutcomes, detached, parse_date};

/// The native result of a calibration: (new model, report, leaves JSON, provenance JSON).
type CalibrationOut = (PyModel, String, String, String);

/// One leaf's absolute weight before and after, as `Calibration.weights` reads it.
#[derive(Serialize)]
struct LeafWeights<'a> {
    leaf: &'a str,
    before: f64,
    after: f64,
}

/// Calibrates the model on graded data: the new set, the report, leaves JSON, provenance JSON.
fn calibrate_graded(
    set: &ModelSet,
    grades: &Grades,
    frame: &Frame,
    method: Method,
    outcomes: Option<&[(String, bool)]>,
    options: &WeightOptions,
) -> PyResult<(ModelSet, String, String, String)> {
    let bad = |e: cal::CalibrateError| calibrate_err(&e);
    let model = cal::model_of(set, options.model.as_deref()).map_err(bad)?;
    let ind = cal::Indicators::from_grades(grades, frame, model.id()).map_err(bad)?;
    let outcome = cal::weights_from_data(set, &ind, method, outcomes, options).map_err(bad)?;
    let changes = outcome.changes();
    let new = cal::apply_all(set, &changes).map_err(bad)?;
    let after = cal::model_of(&new, Some(model.id())).map_err(bad)?;
    let leaves: Vec<LeafWeights<'_>> = model
        .leaves()
        .iter()
        .zip(after.leaves())
        .map(|(a, b)| LeafWeights {
            leaf: &a.path,
            before: a.weight,
            after: b.weight,
        })
        .collect();
    let prov: Vec<&ProvenanceSpec> = changes.iter().map(|c| &c.provenance).collect();
    Ok((
        new,
        outcome.to_string(),
        serde_json::to_string(&leaves).unwrap_or_default(),
        serde_json::to_string(&prov).unwrap_or_default(),
    ))
}

/// Grades one batch (Arrow data, or profiles as JSON text) and sets the model's weights from it
/// (entropy, CRITIC) or from inspection outcomes (logistic): (the new model, the report, the
/// leaves' absolute weights before and after as JSON, the provenance entries as JSON).
#[pyfunction]
#[pyo3(signature = (model, data, as_of, *, method, model_id=None, outcomes=None, under=None, expert_share=0.0, holdout=0.3, seed=0, shares=None, keep_bands=false))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn calibrate(
    py: Python<'_>,
    model: &PyModel,
    data: Batch,
    as_of: &str,
    method: &str,
    model_id: Option<String>,
    outcomes: Option<PyOutcomes>,
    under: Option<String>,
    expert_share: f64,
    holdout: f64,
    seed: u64,
    shares: Option<Vec<f64>>,
    keep_bands: bool,
) -> PyResult<CalibrationOut> {
    let as_of = parse_date(as_of)?;
    let bad = |e: cal::CalibrateError| calibrate_err(&e);
    let method: Method = method.parse().map_err(bad)?;
    let outcomes = outcomes.map(PyOutcomes::pairs).transpose()?;
    let options = WeightOptions {
        model: model_id,
        under,
        expert_share,
        holdout,
        seed,
        recut: Recut::from_settings(shares, keep_bands).map_err(bad)?,
        date: Some(as_of),
        ..WeightOptions::default()
    };
    let loaded = data.load()?;
    let (set, text, leaves, prov) = detached(py, |cancel| {
        let (grades, frame) = model.grade(&loaded.parse()?, &Ask::plain(as_of, true), cancel)?;
        calibrate_graded(
            &model.set,
            &grades,
            &frame,
            method,
            outcomes.as_deref(),
            &options,
        )
    })?;
    Ok((PyModel::new(set), text, leaves, prov))
}
