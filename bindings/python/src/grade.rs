//! `Model`: a compiled model set; loading, describing, grading, explaining, rule tests.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use arrow_array::RecordBatch;
use pyo3::prelude::*;
use pyo3_arrow::input::AnyRecordBatch;
use riskgrade::{Enterprise, EvalError, Frame, Grader, Grades, ModelSet, RuleTests};
use serde_json::{Value, json};

use crate::describe::{describe, explanation_json};
use crate::errors::{eval_err, io_err, model_err, rule_tests_err};
use crate::input::{Ask, Batch, Parsed, Settings, detached, to_pyarrow};
use crate::progress::Ticks;

/// A compiled model set. Immutable and thread-safe; pickles through its canonical JSON.
#[pyclass(module = "riskgrade._riskgrade", name = "Model", frozen)]
pub(crate) struct PyModel {
    pub(crate) set: Arc<ModelSet>,
}

impl PyModel {
    /// A new model object for a set.
    pub(crate) fn new(set: ModelSet) -> PyModel {
        PyModel { set: Arc::new(set) }
    }

    /// Grades a parsed batch: the grades and the frame graded.
    pub(crate) fn grade(
        &self,
        batch: &Parsed<'_>,
        ask: &Ask,
        cancel: Arc<AtomicBool>,
    ) -> PyResult<(Grades, Frame)> {
        let (frame, profiles) = batch.frame(&self.set, self.set.schema(), ask.as_of)?;
        let grades = self.grade_frame(&frame, profiles, ask, cancel, batch.positions())?;
        Ok((grades, frame))
    }

    fn grade_frame(
        &self,
        frame: &Frame,
        profiles: Option<&[Enterprise]>,
        ask: &Ask,
        cancel: Arc<AtomicBool>,
        positions: &[usize],
    ) -> PyResult<Grades> {
        Grader::new(Arc::clone(&self.set))
            .grade_with(
                frame,
                profiles,
                ask.as_of,
                &ask.options.clone().cancel_on(cancel),
            )
            .map_err(|e| {
                // Counted in the input's order: a row that could not be read is named where it stands.
                eval_err(&e.map_row(|r| positions.get(r).copied().unwrap_or(r)))
            })
    }

    /// The results table, its rows in the input's order (`positions`: see [`Parsed::positions`]).
    fn table(
        grades: &Grades,
        frame: &Frame,
        ask: &Ask,
        positions: &[usize],
    ) -> PyResult<RecordBatch> {
        let cols = riskgrade::results_table(grades, frame, ask.columns);
        let batch = riskgrade::io::table_to_batch(&cols).map_err(|e| io_err(&e))?;
        if positions.is_empty() {
            return Ok(batch);
        }
        // Row `positions[r]` of the input is the frame's row `r`: take the frame's rows in input order.
        let mut rows = vec![0u32; positions.len()];
        for (r, &p) in positions.iter().enumerate() {
            rows[p] = u32::try_from(r).unwrap_or(u32::MAX);
        }
        arrow_select::take::take_record_batch(&batch, &arrow_array::UInt32Array::from(rows))
            .map_err(|e| {
                crate::errors::EvaluationError::new_err(format!(
                    "internal error (please report it): {e}"
                ))
            })
    }
}

#[pymethods]
impl PyModel {
    /// Loads a model or model set file (TOML or JSON); `include` and `rule_files` paths are relative to it.
    #[staticmethod]
    fn from_path(py: Python<'_>, path: PathBuf) -> PyResult<PyModel> {
        let set = py
            .detach(|| ModelSet::from_file(&path))
            .map_err(|e| model_err(&e))?;
        Ok(PyModel::new(set))
    }

    /// Loads a model or a self-contained model set from TOML text.
    #[staticmethod]
    fn from_toml(text: &str) -> PyResult<PyModel> {
        let set = ModelSet::from_toml_str(text).map_err(|e| model_err(&e))?;
        Ok(PyModel::new(set))
    }

    /// Loads a model set from JSON text (e.g. its canonical form).
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<PyModel> {
        let set = ModelSet::from_json_str(text).map_err(|e| model_err(&e))?;
        Ok(PyModel::new(set))
    }

    /// The embedded reference set: general and food-production models, reference rules and routing.
    #[staticmethod]
    fn reference() -> PyResult<PyModel> {
        let set = riskgrade::examples::reference().map_err(|e| model_err(&e))?;
        Ok(PyModel::new(set))
    }

    /// The version id: the first 16 hex digits of the SHA-256 of the canonical JSON.
    #[getter]
    fn version_id(&self) -> String {
        self.set.version_id().to_string()
    }

    /// The canonical JSON; `from_json` of it gives an identical model.
    fn to_json(&self) -> String {
        self.set.to_json()
    }

    /// The canonical TOML.
    fn to_toml(&self) -> PyResult<String> {
        self.set.to_toml().map_err(|e| model_err(&e))
    }

    fn __reduce__(slf: &Bound<'_, Self>) -> PyResult<(Py<PyAny>, (String,))> {
        let py = slf.py();
        let ctor = py.get_type::<PyModel>().getattr("from_json")?.unbind();
        Ok((ctor, (slf.get().set.to_json(),)))
    }

    fn __repr__(&self) -> String {
        let ids: Vec<&str> = self.set.models().iter().map(|m| m.id()).collect();
        format!(
            "Model(version_id='{}', models={ids:?}, rules={})",
            self.set.version_id(),
            self.set.rules().len()
        )
    }

    /// What the set holds, as JSON: models, indicators, classes, inputs, rules.
    fn describe(&self) -> String {
        describe(&self.set)
    }

    /// Grades a batch (Arrow data, or profiles as JSON text: an array, or one object per
    /// line); returns the results as a `pyarrow.Table`. `progress(done, total)`, when given,
    /// is called on this thread as enterprises are graded ([`crate::progress`]).
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (data, as_of, *, reasons=true, max_reasons=None, contributions=false, dimensions=true, strict=false, rules=true, on_rule_error="fail-row", progress=None))]
    fn classify(
        &self,
        py: Python<'_>,
        data: Batch,
        as_of: &str,
        reasons: bool,
        max_reasons: Option<usize>,
        contributions: bool,
        dimensions: bool,
        strict: bool,
        rules: bool,
        on_rule_error: &str,
        progress: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let settings = Settings {
            reasons,
            max_reasons,
            contributions,
            dimensions,
            strict,
            rules,
            on_rule_error,
        };
        let mut ask = Ask::new(as_of, settings)?;
        let ticks = Arc::new(Ticks::default());
        if progress.is_some() {
            ask.options = ticks.hook(ask.options);
        }
        let loaded = data.load()?;
        let out = crate::progress::detached(py, progress.as_ref(), Some(&ticks), |cancel| {
            let parsed = loaded.parse()?;
            let (grades, frame) = self.grade(&parsed, &ask, cancel)?;
            Self::table(&grades, &frame, &ask, parsed.positions())
        })?;
        to_pyarrow(py, out)
    }

    /// Grades an Arrow stream batch by batch as the results are read; returns the results as
    /// an Arrow stream (`__arrow_c_stream__`) of one results batch per input batch.
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (data, as_of, *, reasons=true, max_reasons=None, contributions=false, dimensions=true, strict=false, rules=true, on_rule_error="fail-row"))]
    fn classify_stream(
        &self,
        data: AnyRecordBatch,
        as_of: &str,
        reasons: bool,
        max_reasons: Option<usize>,
        contributions: bool,
        dimensions: bool,
        strict: bool,
        rules: bool,
        on_rule_error: &str,
    ) -> PyResult<crate::stream::GradedStream> {
        let settings = Settings {
            reasons,
            max_reasons,
            contributions,
            dimensions,
            strict,
            rules,
            on_rule_error,
        };
        let ask = Ask::new(as_of, settings)?;
        let input = data.into_reader()?;
        // The first batch is graded now (so a missing column raises here, typed); the rest as read.
        crate::stream::classify_stream(&self.set, input, ask)
    }

    /// Explains one enterprise of a batch; returns the explanation as JSON.
    #[pyo3(signature = (data, as_of, id, *, rules=true, on_rule_error="fail-row"))]
    fn explain(
        &self,
        py: Python<'_>,
        data: Batch,
        as_of: &str,
        id: &str,
        rules: bool,
        on_rule_error: &str,
    ) -> PyResult<String> {
        let settings = Settings {
            reasons: true,
            max_reasons: None,
            contributions: false,
            dimensions: true,
            strict: false,
            rules,
            on_rule_error,
        };
        let ask = Ask::new(as_of, settings)?;
        let loaded = data.load()?;
        detached(py, |cancel| {
            let (grades, frame) = self.grade(&loaded.parse()?, &ask, cancel)?;
            let row = grades.row_of(id).ok_or_else(|| {
                let e = EvalError::UnknownEnterprise(id.to_string());
                pyo3::exceptions::PyKeyError::new_err(e.to_string())
            })?;
            Ok(explanation_json(&grades, &frame, row))
        })
    }

    /// Runs rule tests (the TOML text of a `.tests.toml` file); returns the results as JSON.
    #[pyo3(signature = (text, name="<tests>"))]
    fn test_rules(&self, py: Python<'_>, text: &str, name: &str) -> PyResult<String> {
        let tests = RuleTests::from_toml_str(text, name).map_err(|e| rule_tests_err(&e))?;
        detached(py, |_| {
            let results: Vec<Value> = tests
                .run(&self.set)
                .iter()
                .map(|r| {
                    json!({
                        "name": r.name,
                        "passed": r.passed(),
                        "failures": r.failures,
                        "effects": r.effects,
                        "class": r.graded.as_ref().map(|g| g.0.clone()),
                        "score": r.graded.as_ref().map(|g| g.1),
                        "report": r.to_string(),
                    })
                })
                .collect();
            Ok(Value::Array(results).to_string())
        })
    }
}
