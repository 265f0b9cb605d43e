//! `riskgrade._riskgrade`: the native module behind the `riskgrade` Python package.
//!
//! The Python package (`python/riskgrade/__init__.py`) is the public, typed
//! API; this module is private. Batches arrive as Arrow streams (the Arrow
//! PyCapsule interface, through pyo3-arrow, without copying) or as profile
//! JSON, are graded on a worker thread with the GIL released, and come back as
//! a `pyarrow.Table`. Ctrl-C stops a long batch. Every Rust error becomes an
//! exception of the `RiskgradeError` tree, and a panic becomes an
//! `EvaluationError`, never a crash.
// pyo3's macros expand to FFI glue that uses `unsafe`; this crate has no unsafe code of its own.
#![allow(unsafe_code)]

use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::time::Duration;

use arrow_array::RecordBatch;
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3_arrow::PyTable;
use pyo3_arrow::input::AnyRecordBatch;
use riskgrade::io::IoError;
use riskgrade::{
    Date, Enterprise, ErrorPolicy, EvalError, Frame, Grader, Grades, ModelError as SetError,
    ModelSet, Options, ResultColumns, RuleError, RuleTests,
};
use serde_json::{Value, json};

create_exception!(
    _riskgrade,
    RiskgradeError,
    PyException,
    "Base class of every riskgrade error."
);
create_exception!(
    _riskgrade,
    ModelError,
    RiskgradeError,
    "A model or model set that cannot be loaded; `file`, `line`, `column` when known."
);
create_exception!(
    _riskgrade,
    RuleCompileError,
    ModelError,
    "A rule that does not compile; `rule_id`, `file`, `line`, `column`."
);
create_exception!(
    _riskgrade,
    DataError,
    RiskgradeError,
    "Input data that cannot be graded; `row` and `column` when known."
);
create_exception!(
    _riskgrade,
    EvaluationError,
    RiskgradeError,
    "A batch that could not be evaluated; `row` and `rule_id` when a rule stopped it."
);

fn with_attrs(err: PyErr, attrs: &[(&str, Option<Value>)]) -> PyErr {
    Python::attach(|py| {
        let value = err.value(py);
        for (name, v) in attrs {
            let obj: Py<PyAny> = match v {
                None | Some(Value::Null) => py.None(),
                Some(Value::Number(n)) if n.is_u64() => n
                    .as_u64()
                    .unwrap_or(0)
                    .into_pyobject(py)
                    .map_or_else(|_| py.None(), |o| o.into_any().unbind()),
                Some(v) => v
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string())
                    .into_pyobject(py)
                    .map_or_else(|_| py.None(), |o| o.into_any().unbind()),
            };
            let _ = value.setattr(*name, obj);
        }
    });
    err
}

fn model_err(e: &SetError) -> PyErr {
    match e {
        SetError::Rule(r) => rule_err(r),
        SetError::Syntax {
            file, line, column, ..
        } => with_attrs(
            ModelError::new_err(format!("bad model: {e}")),
            &[
                (
                    "file",
                    file.as_ref().map(|f| json!(f.display().to_string())),
                ),
                ("line", Some(json!(line))),
                ("column", Some(json!(column))),
            ],
        ),
        SetError::Io { file, .. } => with_attrs(
            ModelError::new_err(format!("bad model: {e}")),
            &[
                ("file", Some(json!(file.display().to_string()))),
                ("line", None),
                ("column", None),
            ],
        ),
        _ => with_attrs(
            ModelError::new_err(format!("bad model: {e}")),
            &[("file", None), ("line", None), ("column", None)],
        ),
    }
}

fn rule_err(e: &RuleError) -> PyErr {
    let (file, line, column) = match e {
        RuleError::Compile {
            file, line, column, ..
        }
        | RuleError::Runtime {
            file, line, column, ..
        } => (file.clone(), Some(*line), Some(*column)),
        RuleError::When { file, column, .. } => (file.clone(), None, Some(*column)),
        _ => (None, None, None),
    };
    with_attrs(
        RuleCompileError::new_err(e.to_string()),
        &[
            ("rule_id", Some(json!(e.rule()))),
            ("file", file.map(|f| json!(f))),
            ("line", line.map(|l| json!(l))),
            ("column", column.map(|c| json!(c))),
        ],
    )
}

fn io_err(e: &IoError) -> PyErr {
    let column = match e {
        IoError::MissingColumn { column, .. } => Some(json!(column)),
        _ => None,
    };
    with_attrs(
        DataError::new_err(e.to_string()),
        &[("row", None), ("column", column)],
    )
}

fn eval_err(e: &EvalError) -> PyErr {
    match e {
        EvalError::MissingColumn { input, .. } | EvalError::RuleColumn { input, .. } => with_attrs(
            DataError::new_err(e.to_string()),
            &[("row", None), ("column", Some(json!(input)))],
        ),
        EvalError::Strict { first, .. } => with_attrs(
            DataError::new_err(e.to_string()),
            &[
                ("row", Some(json!(first.row))),
                ("column", Some(json!(first.column))),
            ],
        ),
        EvalError::Rule { row, error, .. } => with_attrs(
            EvaluationError::new_err(e.to_string()),
            &[
                ("row", Some(json!(row))),
                ("rule_id", Some(json!(error.rule()))),
            ],
        ),
        EvalError::Cancelled => pyo3::exceptions::PyKeyboardInterrupt::new_err(e.to_string()),
        _ => with_attrs(
            EvaluationError::new_err(e.to_string()),
            &[("row", None), ("rule_id", None)],
        ),
    }
}

/// Runs `work` on a worker thread with the GIL released, checking for Ctrl-C
/// every 50 ms; a signal sets the cancel flag, waits for the worker to stop,
/// and raises. A panic in the worker becomes an `EvaluationError`.
fn detached<T: Send>(
    py: Python<'_>,
    work: impl FnOnce(Arc<AtomicBool>) -> PyResult<T> + Send,
) -> PyResult<T> {
    let flag = Arc::new(AtomicBool::new(false));
    std::thread::scope(|s| {
        let (tx, rx) = channel();
        let f = Arc::clone(&flag);
        s.spawn(move || {
            let r = std::panic::catch_unwind(AssertUnwindSafe(|| work(f)));
            let _ = tx.send(r);
        });
        let mut rx = Some(rx);
        loop {
            let (got, back) = match rx.take() {
                Some(r) => py.detach(move || (r.recv_timeout(Duration::from_millis(50)), r)),
                None => {
                    return Err(EvaluationError::new_err(
                        "internal error (please report it): no worker",
                    ));
                }
            };
            rx = Some(back);
            match got {
                Ok(Ok(r)) => return r,
                Ok(Err(panic)) => {
                    let msg = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default();
                    return Err(EvaluationError::new_err(format!(
                        "internal error (please report it): {msg}"
                    )));
                }
                Err(RecvTimeoutError::Timeout) => {
                    if let Err(e) = py.check_signals() {
                        flag.store(true, Ordering::Relaxed);
                        if let Some(r) = rx.take() {
                            let _ = py.detach(move || r.recv());
                        }
                        return Err(e);
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(EvaluationError::new_err(
                        "internal error (please report it): the worker stopped",
                    ));
                }
            }
        }
    })
}

fn parse_date(s: &str) -> PyResult<Date> {
    s.parse().map_err(|e: riskgrade::DateError| {
        with_attrs(
            DataError::new_err(format!("as_of: {e}")),
            &[("row", None), ("column", Some(json!("as_of")))],
        )
    })
}

/// How a batch is graded and what the results hold.
#[derive(Clone)]
struct Ask {
    as_of: Date,
    options: Options,
    columns: ResultColumns,
}

#[allow(clippy::too_many_arguments)]
fn ask(
    as_of: &str,
    reasons: bool,
    max_reasons: Option<usize>,
    contributions: bool,
    dimensions: bool,
    strict: bool,
    rules: bool,
    on_rule_error: &str,
) -> PyResult<Ask> {
    let policy: ErrorPolicy = on_rule_error
        .parse()
        .map_err(pyo3::exceptions::PyValueError::new_err)?;
    let mut options = Options::default()
        .reasons(reasons)
        .contributions(contributions)
        .strict(strict)
        .rules(rules)
        .on_rule_error(policy);
    if let Some(k) = max_reasons {
        options = options.max_reasons(k);
    }
    Ok(Ask {
        as_of: parse_date(as_of)?,
        options,
        columns: ResultColumns::default()
            .dimensions(dimensions)
            .contributions(contributions),
    })
}

/// Profiles that could not be read: (id or line, message).
type Unreadable = Vec<(String, String)>;

/// Profiles from JSON text: an array, or one object per line.
fn parse_profiles(text: &str) -> PyResult<(Vec<Enterprise>, Unreadable)> {
    if text.trim_start().starts_with('[') {
        let v: Vec<Enterprise> = serde_json::from_str(text).map_err(|e| {
            with_attrs(
                DataError::new_err(format!("profiles: {e}")),
                &[("row", None), ("column", None)],
            )
        })?;
        return Ok((v, Vec::new()));
    }
    let p = riskgrade::io::parse_profiles_jsonl(text, false).map_err(|e| io_err(&e))?;
    let unreadable = p
        .issues
        .iter()
        .map(|i| {
            (
                i.id.clone().unwrap_or_else(|| format!("(line {})", i.line)),
                format!("line {}: {}", i.line, i.message),
            )
        })
        .collect();
    Ok((p.enterprises, unreadable))
}

fn collect_batches(data: AnyRecordBatch) -> PyResult<Vec<RecordBatch>> {
    let reader = data.into_reader()?;
    reader
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| DataError::new_err(format!("reading the Arrow stream: {e}")))
}

fn to_pyarrow(py: Python<'_>, batch: RecordBatch) -> PyResult<Py<PyAny>> {
    let schema = batch.schema();
    let table = PyTable::try_new(vec![batch], schema)?;
    Ok(table.into_pyarrow(py)?.unbind())
}

/// A compiled model set. Immutable and thread-safe; pickles through its canonical JSON.
#[pyclass(module = "riskgrade._riskgrade", name = "Model", frozen)]
struct PyModel {
    set: Arc<ModelSet>,
}

impl PyModel {
    /// The batch's frame from Arrow record batches.
    fn arrow_frame(&self, batches: &[RecordBatch]) -> PyResult<Frame> {
        riskgrade::io::frame_from_batches(batches, self.set.schema()).map_err(|e| io_err(&e))
    }

    /// The batch's frame derived from profiles as of `as_of`; unreadable profiles stay as reported rows.
    fn profiles_frame(&self, ps: &[Enterprise], unreadable: &Unreadable, as_of: Date) -> Frame {
        Frame::from_profiles(ps, self.set.schema(), as_of, self.set.effect_periods())
            .with_unreadable(unreadable.clone())
    }

    fn grade_frame(
        &self,
        frame: &Frame,
        profiles: Option<&[Enterprise]>,
        ask: &Ask,
        cancel: Arc<AtomicBool>,
    ) -> PyResult<Grades> {
        Grader::new(Arc::clone(&self.set))
            .grade_with(
                frame,
                profiles,
                ask.as_of,
                &ask.options.clone().cancel_on(cancel),
            )
            .map_err(|e| eval_err(&e))
    }

    fn table(&self, grades: &Grades, frame: &Frame, ask: &Ask) -> PyResult<RecordBatch> {
        let cols = riskgrade::results_table(grades, frame, ask.columns);
        riskgrade::io::table_to_batch(&cols).map_err(|e| io_err(&e))
    }
}

fn explanation_json(grades: &Grades, frame: &Frame, row: usize) -> String {
    let ex = grades.explain(frame, row);
    let v = json!({
        "id": ex.id,
        "name": ex.name,
        "industry": ex.industry,
        "model": ex.model.0,
        "model_name": ex.model.1,
        "version": ex.version,
        "as_of": ex.as_of.to_string(),
        "score": ex.score,
        "base_score": ex.base_score,
        "class": ex.class.as_ref().map(|c| c.0.clone()),
        "class_label": ex.class.as_ref().map(|c| c.1.clone()),
        "dimensions": ex.dimensions.iter().map(|d| json!({
            "path": d.path, "name": d.name, "points": d.points, "share": d.share,
        })).collect::<Vec<_>>(),
        "indicators": ex.indicators.iter().map(|i| json!({
            "path": i.path, "name": i.name, "value": i.value, "points": i.points,
            "weight": i.weight, "contribution": i.contribution, "share": i.share,
        })).collect::<Vec<_>>(),
        "rules": ex.rules,
        "labels": ex.labels,
        "reasons": ex.reasons,
        "issues": ex.issues,
        "text": ex.to_string(),
    });
    v.to_string()
}

#[pymethods]
impl PyModel {
    /// Loads a model or model set file (TOML or JSON); `include` and `rule_files` paths are relative to it.
    #[staticmethod]
    fn from_path(py: Python<'_>, path: PathBuf) -> PyResult<PyModel> {
        let set = py
            .detach(|| ModelSet::from_file(&path))
            .map_err(|e| model_err(&e))?;
        Ok(PyModel { set: Arc::new(set) })
    }

    /// Loads a model or a self-contained model set from TOML text.
    #[staticmethod]
    fn from_toml(text: &str) -> PyResult<PyModel> {
        let set = ModelSet::from_toml_str(text).map_err(|e| model_err(&e))?;
        Ok(PyModel { set: Arc::new(set) })
    }

    /// Loads a model set from JSON text (e.g. its canonical form).
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<PyModel> {
        let set = ModelSet::from_json_str(text).map_err(|e| model_err(&e))?;
        Ok(PyModel { set: Arc::new(set) })
    }

    /// The embedded reference set: general and food-production models, reference rules and routing.
    #[staticmethod]
    fn reference() -> PyResult<PyModel> {
        let set = riskgrade::examples::reference().map_err(|e| model_err(&e))?;
        Ok(PyModel { set: Arc::new(set) })
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
        let set = &self.set;
        let models: Vec<Value> = set
            .models()
            .iter()
            .map(|m| {
                let classes = m.classes();
                json!({
                    "id": m.id(),
                    "name": m.name(),
                    "scale": [m.scale().min, m.scale().max],
                    "higher_is": match m.scale().higher {
                        riskgrade::Direction::Risk => "risk",
                        riskgrade::Direction::Safety => "safety",
                    },
                    "classes": classes.names().iter().zip(classes.labels()).map(|(n, l)| json!({"name": n, "label": l})).collect::<Vec<_>>(),
                    "indicators": m.leaves().iter().map(|l| json!({
                        "path": l.path,
                        "name": l.name,
                        "weight": l.weight,
                        "dimension": m.nodes()[m.dimensions()[l.dimension]].path,
                        "source": match &l.source {
                            riskgrade::Source::Input { name, .. } => json!({"input": name}),
                            riskgrade::Source::Model(id) => json!({"model": id}),
                        },
                        "score": match &l.func {
                            riskgrade::ScoreFn::Bins { .. } => "bins",
                            riskgrade::ScoreFn::Linear { .. } => "linear",
                            riskgrade::ScoreFn::Boolean { .. } => "boolean",
                            riskgrade::ScoreFn::Category { .. } => "category",
                        },
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        let inputs: Vec<Value> = set
            .schema()
            .inputs()
            .iter()
            .map(|(n, s)| {
                json!({
                    "name": n,
                    "type": s.ty.name(),
                    "derive": s.derive.as_ref().and_then(|d| serde_json::to_value(d).ok()),
                    "description": s.description,
                })
            })
            .collect();
        let rules: Vec<Value> = set
            .rules()
            .rules()
            .iter()
            .map(|r| {
                let s = r.spec();
                json!({
                    "id": s.id,
                    "description": s.description,
                    "stage": match s.stage { riskgrade::Stage::Before => "before", riskgrade::Stage::After => "after" },
                    "priority": s.priority,
                    "enabled": s.enabled,
                    "effective": s.effective.map(|d| d.to_string()),
                    "expires": s.expires.map(|d| d.to_string()),
                    "when": s.when,
                    "file": s.file,
                })
            })
            .collect();
        json!({
            "version_id": set.version_id(),
            "name": set.spec().name,
            "models": models,
            "inputs": inputs,
            "rules": rules,
        })
        .to_string()
    }

    /// Grades an Arrow batch or stream; returns the results as a `pyarrow.Table`.
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (data, as_of, *, reasons=true, max_reasons=None, contributions=false, dimensions=true, strict=false, rules=true, on_rule_error="fail-row"))]
    fn classify_arrow(
        &self,
        py: Python<'_>,
        data: AnyRecordBatch,
        as_of: &str,
        reasons: bool,
        max_reasons: Option<usize>,
        contributions: bool,
        dimensions: bool,
        strict: bool,
        rules: bool,
        on_rule_error: &str,
    ) -> PyResult<Py<PyAny>> {
        let ask = ask(
            as_of,
            reasons,
            max_reasons,
            contributions,
            dimensions,
            strict,
            rules,
            on_rule_error,
        )?;
        let batches = collect_batches(data)?;
        let out = detached(py, |cancel| {
            let frame = self.arrow_frame(&batches)?;
            drop(batches);
            let grades = self.grade_frame(&frame, None, &ask, cancel)?;
            self.table(&grades, &frame, &ask)
        })?;
        to_pyarrow(py, out)
    }

    /// Grades nested profiles (JSON text: an array, or one object per line); returns a `pyarrow.Table`.
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (profiles, as_of, *, reasons=true, max_reasons=None, contributions=false, dimensions=true, strict=false, rules=true, on_rule_error="fail-row"))]
    fn classify_profiles(
        &self,
        py: Python<'_>,
        profiles: &str,
        as_of: &str,
        reasons: bool,
        max_reasons: Option<usize>,
        contributions: bool,
        dimensions: bool,
        strict: bool,
        rules: bool,
        on_rule_error: &str,
    ) -> PyResult<Py<PyAny>> {
        let ask = ask(
            as_of,
            reasons,
            max_reasons,
            contributions,
            dimensions,
            strict,
            rules,
            on_rule_error,
        )?;
        let out = detached(py, |cancel| {
            let (ps, unreadable) = parse_profiles(profiles)?;
            let frame = self.profiles_frame(&ps, &unreadable, ask.as_of);
            let grades = self.grade_frame(&frame, Some(&ps), &ask, cancel)?;
            self.table(&grades, &frame, &ask)
        })?;
        to_pyarrow(py, out)
    }

    /// Explains one enterprise of an Arrow batch; returns the explanation as JSON.
    #[pyo3(signature = (data, as_of, id, *, rules=true, on_rule_error="fail-row"))]
    fn explain_arrow(
        &self,
        py: Python<'_>,
        data: AnyRecordBatch,
        as_of: &str,
        id: &str,
        rules: bool,
        on_rule_error: &str,
    ) -> PyResult<String> {
        let ask = ask(as_of, true, None, false, true, false, rules, on_rule_error)?;
        let batches = collect_batches(data)?;
        detached(py, |cancel| {
            let frame = self.arrow_frame(&batches)?;
            let grades = self.grade_frame(&frame, None, &ask, cancel)?;
            let row = grades
                .row_of(id)
                .ok_or_else(|| eval_err(&EvalError::UnknownEnterprise(id.to_string())))?;
            Ok(explanation_json(&grades, &frame, row))
        })
    }

    /// Explains one enterprise of a batch of profiles; returns the explanation as JSON.
    #[pyo3(signature = (profiles, as_of, id, *, rules=true, on_rule_error="fail-row"))]
    fn explain_profiles(
        &self,
        py: Python<'_>,
        profiles: &str,
        as_of: &str,
        id: &str,
        rules: bool,
        on_rule_error: &str,
    ) -> PyResult<String> {
        let ask = ask(as_of, true, None, false, true, false, rules, on_rule_error)?;
        detached(py, |cancel| {
            let (ps, unreadable) = parse_profiles(profiles)?;
            let frame = self.profiles_frame(&ps, &unreadable, ask.as_of);
            let grades = self.grade_frame(&frame, Some(&ps), &ask, cancel)?;
            let row = grades
                .row_of(id)
                .ok_or_else(|| eval_err(&EvalError::UnknownEnterprise(id.to_string())))?;
            Ok(explanation_json(&grades, &frame, row))
        })
    }

    /// Runs rule tests (the TOML text of a `.tests.toml` file); returns the results as JSON.
    #[pyo3(signature = (text, name="<tests>"))]
    fn test_rules(&self, py: Python<'_>, text: &str, name: &str) -> PyResult<String> {
        let tests = RuleTests::from_toml_str(text, name).map_err(|e| {
            with_attrs(
                DataError::new_err(e.to_string()),
                &[("row", None), ("column", None)],
            )
        })?;
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

/// One side of a comparison: a model and whether its rules run.
fn side(rules: bool, as_of: Date) -> Ask {
    Ask {
        as_of,
        options: Options::default().reasons(false).rules(rules),
        columns: ResultColumns::default(),
    }
}

/// Compared grades, and with outcomes the champion/challenger report.
type Compared = (riskgrade::Comparison, Option<riskgrade::Challenge>);

/// The native result of a comparison: (matrix JSON, movers, printed report, outcome report JSON).
type ComparisonOut = (String, Py<PyAny>, String, Option<String>);

fn challenge_of(
    a: &Grades,
    b: &Grades,
    c: &riskgrade::Comparison,
    outcomes: Option<&(Vec<String>, Vec<bool>)>,
) -> PyResult<Option<riskgrade::Challenge>> {
    let Some((ids, problems)) = outcomes else {
        return Ok(None);
    };
    if ids.len() != problems.len() {
        return Err(pyo3::exceptions::PyValueError::new_err(format!(
            "outcomes: {} enterprise ids and {} problem flags",
            ids.len(),
            problems.len()
        )));
    }
    let pairs: Vec<(String, bool)> = ids.iter().cloned().zip(problems.iter().copied()).collect();
    let ch = riskgrade::challenge(a, b, &pairs)
        .map_err(|e| EvaluationError::new_err(e.to_string()))?
        .with_comparison(c.clone());
    Ok(Some(ch))
}

fn comparison_out(py: Python<'_>, (c, ch): Compared) -> PyResult<ComparisonOut> {
    let text = match &ch {
        Some(ch) => ch.to_string(),
        None => c.to_string(),
    };
    let outcome = ch.as_ref().map(|ch| {
        json!({
            "champion": ch.champion,
            "challenger": ch.challenger,
            "class_psi": ch.class_psi,
            "score_psi": ch.score_psi,
            "matched": ch.matched,
            "unmatched": ch.unmatched,
        })
        .to_string()
    });
    let matrix = json!({
        "classes": c.classes(),
        "matrix": c.matrix(),
        "total": c.total(),
    })
    .to_string();
    let batch = riskgrade::io::table_to_batch(&c.movers_table()).map_err(|e| io_err(&e))?;
    Ok((matrix, to_pyarrow(py, batch)?, text, outcome))
}

/// Grades one Arrow batch with two model sets (or with and without rules) and
/// compares: (matrix JSON, movers as a `pyarrow.Table`, the printed report).
#[pyfunction]
#[pyo3(signature = (before, after, data, as_of, *, before_rules=true, after_rules=true, top=10, outcomes=None))]
#[allow(clippy::too_many_arguments)]
fn compare_arrow(
    py: Python<'_>,
    before: &PyModel,
    after: &PyModel,
    data: AnyRecordBatch,
    as_of: &str,
    before_rules: bool,
    after_rules: bool,
    top: usize,
    outcomes: Option<(Vec<String>, Vec<bool>)>,
) -> PyResult<ComparisonOut> {
    let as_of = parse_date(as_of)?;
    let batches = collect_batches(data)?;
    let c = detached(py, |cancel| {
        let grade = |m: &PyModel, rules: bool| -> PyResult<(Grades, Frame)> {
            let frame = m.arrow_frame(&batches)?;
            let g = m.grade_frame(&frame, None, &side(rules, as_of), Arc::clone(&cancel))?;
            Ok((g, frame))
        };
        let (a, frame) = grade(before, before_rules)?;
        let (b, _) = grade(after, after_rules)?;
        let c = riskgrade::compare(&a, &b)
            .and_then(|c| c.top(top).with_industries(&frame))
            .map_err(|e| EvaluationError::new_err(e.to_string()))?;
        let ch = challenge_of(&a, &b, &c, outcomes.as_ref())?;
        Ok((c, ch))
    })?;
    comparison_out(py, c)
}

/// As `compare_arrow`, for profiles (JSON text).
#[pyfunction]
#[pyo3(signature = (before, after, profiles, as_of, *, before_rules=true, after_rules=true, top=10, outcomes=None))]
#[allow(clippy::too_many_arguments)]
fn compare_profiles(
    py: Python<'_>,
    before: &PyModel,
    after: &PyModel,
    profiles: &str,
    as_of: &str,
    before_rules: bool,
    after_rules: bool,
    top: usize,
    outcomes: Option<(Vec<String>, Vec<bool>)>,
) -> PyResult<ComparisonOut> {
    let as_of = parse_date(as_of)?;
    let c = detached(py, |cancel| {
        let (ps, unreadable) = parse_profiles(profiles)?;
        let grade = |m: &PyModel, rules: bool| -> PyResult<(Grades, Frame)> {
            let frame = m.profiles_frame(&ps, &unreadable, as_of);
            let g = m.grade_frame(&frame, Some(&ps), &side(rules, as_of), Arc::clone(&cancel))?;
            Ok((g, frame))
        };
        let (a, frame) = grade(before, before_rules)?;
        let (b, _) = grade(after, after_rules)?;
        let c = riskgrade::compare(&a, &b)
            .and_then(|c| c.top(top).with_industries(&frame))
            .map_err(|e| EvaluationError::new_err(e.to_string()))?;
        let ch = challenge_of(&a, &b, &c, outcomes.as_ref())?;
        Ok((c, ch))
    })?;
    comparison_out(py, c)
}

/// What a calibration asks for.
struct CalibrationAsk {
    method: String,
    model_id: Option<String>,
    outcomes: Option<(Vec<String>, Vec<bool>)>,
    under: Option<String>,
    expert_share: f64,
    holdout: f64,
    seed: u64,
    shares: Option<Vec<f64>>,
    keep_bands: bool,
}

/// The native result of a calibration: (new model, report, leaves JSON, provenance JSON).
type CalibrationOut = (PyModel, String, String, String);

fn calibrate_graded(
    set: &Arc<ModelSet>,
    grades: &Grades,
    frame: &Frame,
    ask: &CalibrationAsk,
) -> PyResult<(ModelSet, String, String, String)> {
    use riskgrade::calibrate as cal;
    let bad = |e: cal::CalibrateError| match e {
        cal::CalibrateError::Method(_) => DataError::new_err(e.to_string()),
        _ => pyo3::exceptions::PyValueError::new_err(e.to_string()),
    };
    let model = cal::model_of(set, ask.model_id.as_deref()).map_err(bad)?;
    let id = model.id().to_string();
    let ind = cal::Indicators::from_grades(grades, frame, &id).map_err(bad)?;
    let (changes, text) = match ask.method.as_str() {
        "entropy" | "critic" => {
            let method = if ask.method == "entropy" {
                cal::Method::Entropy
            } else {
                cal::Method::Critic
            };
            let o = cal::objective(
                set,
                &ind,
                method,
                &cal::ObjectiveOptions {
                    model: Some(id.clone()),
                    under: ask.under.clone(),
                    expert_share: ask.expert_share,
                    directions: Default::default(),
                    date: Some(grades.as_of()),
                },
            )
            .map_err(bad)?;
            (vec![o.change.clone()], o.to_string())
        }
        "logistic" => {
            let Some((ids, problems)) = &ask.outcomes else {
                return Err(pyo3::exceptions::PyValueError::new_err(
                    "method=\"logistic\" needs outcomes= (inspection results to calibrate on)",
                ));
            };
            if ids.len() != problems.len() {
                return Err(pyo3::exceptions::PyValueError::new_err(format!(
                    "outcomes: {} enterprise ids and {} problem flags",
                    ids.len(),
                    problems.len()
                )));
            }
            let pairs: Vec<(String, bool)> =
                ids.iter().cloned().zip(problems.iter().copied()).collect();
            let recut = match (&ask.shares, ask.keep_bands) {
                (_, true) => cal::Recut::KeepCutoffs,
                (Some(s), false) => cal::Recut::Shares(s.clone()),
                (None, false) => cal::Recut::SameShares,
            };
            let f = cal::fit_outcomes(
                set,
                &ind,
                &pairs,
                &cal::FitOptions {
                    model: Some(id.clone()),
                    holdout: ask.holdout,
                    seed: ask.seed,
                    expert_share: ask.expert_share,
                    recut,
                    date: Some(grades.as_of()),
                    ..cal::FitOptions::default()
                },
            )
            .map_err(bad)?;
            (f.changes(), f.to_string())
        }
        other => {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "method `{other}` is not known; use \"entropy\", \"critic\" or \"logistic\""
            )));
        }
    };
    let new = cal::apply_all(set, &changes).map_err(bad)?;
    let after = cal::model_of(&new, Some(&id)).map_err(bad)?;
    let leaves: Vec<serde_json::Value> = model
        .leaves()
        .iter()
        .zip(after.leaves())
        .map(|(a, b)| json!({"leaf": a.path, "before": a.weight, "after": b.weight}))
        .collect();
    let prov: Vec<&riskgrade::ProvenanceSpec> = changes.iter().map(|c| &c.provenance).collect();
    let prov = serde_json::to_string(&prov).map_err(|e| EvaluationError::new_err(e.to_string()))?;
    Ok((new, text, serde_json::Value::from(leaves).to_string(), prov))
}

/// Grades one Arrow batch and sets the model's weights from it (entropy, CRITIC) or from
/// inspection outcomes (logistic): (the new model, the report, the leaves' absolute weights
/// before and after as JSON, the provenance entries as JSON).
#[pyfunction]
#[pyo3(signature = (model, data, as_of, *, method, model_id=None, outcomes=None, under=None, expert_share=0.0, holdout=0.3, seed=0, shares=None, keep_bands=false))]
#[allow(clippy::too_many_arguments)]
fn calibrate_arrow(
    py: Python<'_>,
    model: &PyModel,
    data: AnyRecordBatch,
    as_of: &str,
    method: String,
    model_id: Option<String>,
    outcomes: Option<(Vec<String>, Vec<bool>)>,
    under: Option<String>,
    expert_share: f64,
    holdout: f64,
    seed: u64,
    shares: Option<Vec<f64>>,
    keep_bands: bool,
) -> PyResult<CalibrationOut> {
    let as_of = parse_date(as_of)?;
    let batches = collect_batches(data)?;
    let ask = CalibrationAsk {
        method,
        model_id,
        outcomes,
        under,
        expert_share,
        holdout,
        seed,
        shares,
        keep_bands,
    };
    let (set, text, leaves, prov) = detached(py, |cancel| {
        let frame = model.arrow_frame(&batches)?;
        let g = model.grade_frame(&frame, None, &side(true, as_of), cancel)?;
        calibrate_graded(&model.set, &g, &frame, &ask)
    })?;
    Ok((PyModel { set: Arc::new(set) }, text, leaves, prov))
}

/// As `calibrate_arrow`, for profiles (JSON text).
#[pyfunction]
#[pyo3(signature = (model, profiles, as_of, *, method, model_id=None, outcomes=None, under=None, expert_share=0.0, holdout=0.3, seed=0, shares=None, keep_bands=false))]
#[allow(clippy::too_many_arguments)]
fn calibrate_profiles(
    py: Python<'_>,
    model: &PyModel,
    profiles: &str,
    as_of: &str,
    method: String,
    model_id: Option<String>,
    outcomes: Option<(Vec<String>, Vec<bool>)>,
    under: Option<String>,
    expert_share: f64,
    holdout: f64,
    seed: u64,
    shares: Option<Vec<f64>>,
    keep_bands: bool,
) -> PyResult<CalibrationOut> {
    let as_of = parse_date(as_of)?;
    let ask = CalibrationAsk {
        method,
        model_id,
        outcomes,
        under,
        expert_share,
        holdout,
        seed,
        shares,
        keep_bands,
    };
    let (set, text, leaves, prov) = detached(py, |cancel| {
        let (ps, unreadable) = parse_profiles(profiles)?;
        let frame = model.profiles_frame(&ps, &unreadable, as_of);
        let g = model.grade_frame(&frame, Some(&ps), &side(true, as_of), cancel)?;
        calibrate_graded(&model.set, &g, &frame, &ask)
    })?;
    Ok((PyModel { set: Arc::new(set) }, text, leaves, prov))
}

/// A synthetic population as of a date: the model's input columns (with the
/// hidden true propensity and segment), or profiles as JSON Lines.
#[pyfunction]
#[pyo3(signature = (n, *, seed=42, as_of="2026-11-01", model=None, profiles=false))]
fn synthesize(
    py: Python<'_>,
    n: usize,
    seed: u64,
    as_of: &str,
    model: Option<&PyModel>,
    profiles: bool,
) -> PyResult<Py<PyAny>> {
    let as_of = parse_date(as_of)?;
    let set = match model {
        Some(m) => Arc::clone(&m.set),
        None => Arc::new(riskgrade::examples::reference().map_err(|e| model_err(&e))?),
    };
    if profiles {
        let text = detached(py, |_| {
            let synth =
                riskgrade::synth::generate(&riskgrade::synth::SynthConfig::new(n, seed, as_of));
            let mut out = String::new();
            for e in &synth.enterprises {
                out.push_str(&serde_json::to_string(e).unwrap_or_default());
                out.push('\n');
            }
            Ok(out)
        })?;
        return Ok(text.into_pyobject(py)?.into_any().unbind());
    }
    let batch = detached(py, |_| {
        let synth = riskgrade::synth::generate(&riskgrade::synth::SynthConfig::new(n, seed, as_of));
        let frame = Frame::from_profiles(
            &synth.enterprises,
            set.schema(),
            as_of,
            set.effect_periods(),
        );
        let mut cols = riskgrade::io::frame_to_columns(&frame);
        cols.push(riskgrade::io::OutColumn::new(
            "true_propensity",
            riskgrade::io::OutData::Number(
                synth.truth.iter().map(|t| Some(t.propensity)).collect(),
            ),
        ));
        cols.push(riskgrade::io::OutColumn::new(
            "true_segment",
            riskgrade::io::OutData::Text(
                synth
                    .truth
                    .iter()
                    .map(|t| Some(t.segment.to_string()))
                    .collect(),
            ),
        ));
        riskgrade::io::table_to_batch(&cols).map_err(|e| io_err(&e))
    })?;
    to_pyarrow(py, batch)
}

/// The native module.
#[pymodule]
fn _riskgrade(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<PyModel>()?;
    m.add_function(wrap_pyfunction!(compare_arrow, m)?)?;
    m.add_function(wrap_pyfunction!(compare_profiles, m)?)?;
    m.add_function(wrap_pyfunction!(calibrate_arrow, m)?)?;
    m.add_function(wrap_pyfunction!(calibrate_profiles, m)?)?;
    m.add_function(wrap_pyfunction!(synthesize, m)?)?;
    m.add("RiskgradeError", py.get_type::<RiskgradeError>())?;
    m.add("ModelError", py.get_type::<ModelError>())?;
    m.add("RuleCompileError", py.get_type::<RuleCompileError>())?;
    m.add("DataError", py.get_type::<DataError>())?;
    m.add("EvaluationError", py.get_type::<EvaluationError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
