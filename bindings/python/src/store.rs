//! `Store`: the history store of the monthly cycle, read from Python as Arrow tables built here.
//!
//! Opened read-only by default ([`riskgrade::store::Store::open_read_only`]: nothing is written
//! to the file or its folder); `writable=True` opens it as the CLI's writing commands do.
//! Every table is built from the store crate's own readers, so Python sees what the CLI prints.

use std::path::PathBuf;
use std::sync::Mutex;

use pyo3::exceptions::{PyKeyError, PyValueError};
use pyo3::prelude::*;
use riskgrade::Month;
use riskgrade::io::{OutColumn, OutData};
use riskgrade::store::{Store, StoreError};

use crate::errors::{Attr, data_error, eval_err, io_err, with_attrs};
use crate::grade::PyModel;
use crate::input::{Batch, detached, parse_date, to_pyarrow};

/// A history store. Thread-safe: one connection behind a lock.
#[pyclass(module = "riskgrade._riskgrade", name = "Store", frozen)]
pub(crate) struct PyStore {
    store: Mutex<Store>,
    path: PathBuf,
    writable: bool,
}

/// A store error as a `DataError` naming the store's file.
fn store_err(e: &StoreError, file: &std::path::Path) -> PyErr {
    with_attrs(
        data_error(e.to_string(), None, None),
        &[("file", Attr::Text(file.display().to_string()))],
    )
}

/// A monthly run that could not be made: grading errors as `classify`'s, the rest `DataError`s.
fn monthly_err(e: &riskgrade::MonthlyError, file: &std::path::Path) -> PyErr {
    match e {
        riskgrade::MonthlyError::Eval(e) => eval_err(e),
        riskgrade::MonthlyError::Store(e) => store_err(e, file),
        other => data_error(other.to_string(), None, None),
    }
}

/// A period as `YYYY-MM`.
fn month(period: &str) -> PyResult<Month> {
    period
        .parse()
        .map_err(|e| PyValueError::new_err(format!("period `{period}`: {e}")))
}

/// Text cells.
fn text<T: ToString>(v: impl IntoIterator<Item = Option<T>>) -> OutData {
    OutData::Text(v.into_iter().map(|x| x.map(|s| s.to_string())).collect())
}

/// Integer cells.
fn int(v: impl IntoIterator<Item = Option<i64>>) -> OutData {
    OutData::Integer(v.into_iter().collect())
}

/// A list of texts split from a stored `sep`-separated text.
fn split(s: &str, sep: &str) -> Vec<String> {
    s.split(sep)
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

/// Columns as a `pyarrow.Table`.
fn table(py: Python<'_>, cols: Vec<OutColumn>) -> PyResult<Py<PyAny>> {
    let batch = riskgrade::io::table_to_batch(&cols).map_err(|e| io_err(&e))?;
    to_pyarrow(py, batch)
}

impl PyStore {
    /// Runs `f` on the store (with the GIL released), mapping its error.
    fn with<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&Store) -> Result<T, StoreError> + Send,
    ) -> PyResult<T> {
        let out = py.detach(|| {
            let store = self.store.lock().unwrap_or_else(|p| p.into_inner());
            f(&store)
        });
        out.map_err(|e| store_err(&e, &self.path))
    }

    /// `period`, or a `KeyError` when the store has no run of it.
    fn stored(&self, py: Python<'_>, period: &str) -> PyResult<Month> {
        let p = month(period)?;
        match self.with(py, |s| s.run(p))? {
            Some(_) => Ok(p),
            None => Err(PyKeyError::new_err(format!(
                "no run of {p} in {}",
                self.path.display()
            ))),
        }
    }
}

#[pymethods]
impl PyStore {
    /// Opens a store: read-only unless `writable`.
    #[new]
    #[pyo3(signature = (path, *, writable=false))]
    fn new(py: Python<'_>, path: PathBuf, writable: bool) -> PyResult<PyStore> {
        let opened = py.detach(|| {
            if writable {
                Store::open(&path)
            } else {
                Store::open_read_only(&path)
            }
        });
        let store = opened.map_err(|e| store_err(&e, &path))?;
        Ok(PyStore {
            store: Mutex::new(store),
            path,
            writable,
        })
    }

    /// The store's file.
    #[getter]
    fn path(&self) -> String {
        self.path.display().to_string()
    }

    /// Whether the store was opened for writing.
    #[getter]
    fn writable(&self) -> bool {
        self.writable
    }

    /// The stored periods, oldest first, with their counts per class.
    fn periods(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let runs = self.with(py, |s| s.runs())?;
        let mut classes: Vec<String> = Vec::new();
        for r in &runs {
            for c in &r.classes {
                if !classes.contains(c) {
                    classes.push(c.clone());
                }
            }
        }
        let n =
            |f: fn(&riskgrade::store::RunInfo) -> u64| int(runs.iter().map(|r| Some(f(r) as i64)));
        let mut cols = vec![
            OutColumn::new("period", text(runs.iter().map(|r| Some(r.period)))),
            OutColumn::new("as_of", text(runs.iter().map(|r| Some(r.as_of)))),
            OutColumn::new(
                "model_version",
                text(runs.iter().map(|r| Some(&r.version_id))),
            ),
            OutColumn::new("source", text(runs.iter().map(|r| Some(&r.source)))),
            OutColumn::new("enterprises", n(|r| r.enterprises)),
            OutColumn::new("graded", n(|r| r.graded)),
            OutColumn::new("errors", n(|r| r.errors)),
        ];
        for c in &classes {
            let counts = runs.iter().map(|r| {
                let at = r.classes.iter().position(|x| x == c);
                Some(
                    at.and_then(|i| r.class_counts.get(i))
                        .map_or(0, |&k| k as i64),
                )
            });
            cols.push(OutColumn::new(format!("class:{c}"), int(counts)));
        }
        table(py, cols)
    }

    /// The results of a stored period, in id order.
    fn results(&self, py: Python<'_>, period: &str) -> PyResult<Py<PyAny>> {
        let p = self.stored(py, period)?;
        let rows = self.with(py, |s| {
            let mut rows = Vec::new();
            s.scan_results::<StoreError>(p, |r| {
                rows.push(r);
                Ok(())
            })?;
            Ok(rows)
        })?;
        let cols = vec![
            OutColumn::new("id", text(rows.iter().map(|r| Some(&r.id)))),
            OutColumn::new("industry", text(rows.iter().map(|r| Some(&r.industry)))),
            OutColumn::new("district", text(rows.iter().map(|r| Some(&r.district)))),
            OutColumn::new("model", text(rows.iter().map(|r| r.model.as_ref()))),
            OutColumn::new(
                "score",
                OutData::Number(rows.iter().map(|r| r.score).collect()),
            ),
            OutColumn::new(
                "score_before_rules",
                OutData::Number(rows.iter().map(|r| r.base_score).collect()),
            ),
            OutColumn::new("class", text(rows.iter().map(|r| r.class.as_ref()))),
            OutColumn::new("reasons", text(rows.iter().map(|r| Some(&r.reasons)))),
            OutColumn::new(
                "labels",
                OutData::List(rows.iter().map(|r| split(&r.labels, "; ")).collect()),
            ),
            OutColumn::new(
                "alerts",
                OutData::List(rows.iter().map(|r| split(&r.alerts, "; ")).collect()),
            ),
            OutColumn::new(
                "rules",
                OutData::List(rows.iter().map(|r| split(&r.rules, " ")).collect()),
            ),
            OutColumn::new("manual_decision", int(rows.iter().map(|r| r.manual))),
            OutColumn::new(
                "status",
                text(rows.iter().map(|r| {
                    Some(if r.class.is_none() || r.error.is_some() {
                        "error"
                    } else {
                        "graded"
                    })
                })),
            ),
            OutColumn::new("error", text(rows.iter().map(|r| r.error.as_ref()))),
        ];
        table(py, cols)
    }

    /// Why classes changed in a stored period (against the period before it).
    #[pyo3(signature = (period, id=None))]
    fn changes(&self, py: Python<'_>, period: &str, id: Option<&str>) -> PyResult<Py<PyAny>> {
        let p = self.stored(py, period)?;
        let notes = self.with(py, |s| s.changes(p, id))?;
        let cols = vec![
            OutColumn::new("id", text(notes.iter().map(|c| Some(&c.id)))),
            OutColumn::new(
                "from_class",
                text(notes.iter().map(|c| c.from_class.as_ref())),
            ),
            OutColumn::new("to_class", text(notes.iter().map(|c| c.to_class.as_ref()))),
            OutColumn::new("kind", text(notes.iter().map(|c| Some(c.kind.name())))),
            OutColumn::new("detail", text(notes.iter().map(|c| Some(&c.detail)))),
        ];
        table(py, cols)
    }

    /// One enterprise's class period by period, oldest first, with why it changed.
    fn history(&self, py: Python<'_>, id: &str) -> PyResult<Py<PyAny>> {
        let h = self.with(py, |s| s.history(id))?;
        let res = |f: fn(&riskgrade::store::ResultRow) -> Option<String>| {
            text(h.iter().map(|e| e.result.as_ref().and_then(f)))
        };
        let cols = vec![
            OutColumn::new("period", text(h.iter().map(|e| Some(e.period)))),
            OutColumn::new("as_of", text(h.iter().map(|e| Some(e.as_of)))),
            OutColumn::new("model_version", text(h.iter().map(|e| Some(&e.version_id)))),
            OutColumn::new("class", res(|r| r.class.clone())),
            OutColumn::new(
                "score",
                OutData::Number(
                    h.iter()
                        .map(|e| e.result.as_ref().and_then(|r| r.score))
                        .collect(),
                ),
            ),
            OutColumn::new("error", res(|r| r.error.clone())),
            OutColumn::new(
                "changes",
                OutData::List(
                    h.iter()
                        .map(|e| e.changes.iter().map(|c| c.detail.clone()).collect())
                        .collect(),
                ),
            ),
        ];
        table(py, cols)
    }

    /// The manual decisions (of one enterprise), oldest first.
    #[pyo3(signature = (enterprise=None))]
    fn decisions(&self, py: Python<'_>, enterprise: Option<&str>) -> PyResult<Py<PyAny>> {
        let ds = self.with(py, |s| s.decisions(enterprise))?;
        let cols = vec![
            OutColumn::new("id", int(ds.iter().map(|d| Some(d.id)))),
            OutColumn::new("enterprise", text(ds.iter().map(|d| Some(&d.enterprise)))),
            OutColumn::new("kind", text(ds.iter().map(|d| Some(d.kind.name())))),
            OutColumn::new("class", text(ds.iter().map(|d| d.class.as_ref()))),
            OutColumn::new("period", text(ds.iter().map(|d| d.period))),
            OutColumn::new("effective", text(ds.iter().map(|d| Some(d.effective)))),
            OutColumn::new("until", text(ds.iter().map(|d| d.until))),
            OutColumn::new("reason", text(ds.iter().map(|d| Some(&d.reason)))),
            OutColumn::new("decided_by", text(ds.iter().map(|d| Some(&d.decided_by)))),
            OutColumn::new("status", text(ds.iter().map(|d| Some(d.status.name())))),
            OutColumn::new("outcome", text(ds.iter().map(|d| d.outcome.as_ref()))),
            OutColumn::new("follows", int(ds.iter().map(|d| d.follows))),
            OutColumn::new("description", text(ds.iter().map(|d| Some(d.describe())))),
        ];
        table(py, cols)
    }

    /// The audit trail (of one enterprise), in order.
    #[pyo3(signature = (enterprise=None))]
    fn audit(&self, py: Python<'_>, enterprise: Option<&str>) -> PyResult<Py<PyAny>> {
        let a = self.with(py, |s| s.audit_trail(enterprise))?;
        let cols = vec![
            OutColumn::new("seq", int(a.iter().map(|e| Some(e.seq)))),
            OutColumn::new("at", int(a.iter().map(|e| Some(e.at)))),
            OutColumn::new("actor", text(a.iter().map(|e| Some(&e.actor)))),
            OutColumn::new("action", text(a.iter().map(|e| Some(&e.action)))),
            OutColumn::new("decision", int(a.iter().map(|e| e.decision))),
            OutColumn::new("enterprise", text(a.iter().map(|e| e.enterprise.as_ref()))),
            OutColumn::new("detail", text(a.iter().map(|e| Some(&e.detail)))),
        ];
        table(py, cols)
    }

    /// Each department's queue of the period's routed alerts: one row per department and
    /// enterprise (only `department`'s when given).
    #[pyo3(signature = (period, department=None))]
    fn queue(&self, py: Python<'_>, period: &str, department: Option<&str>) -> PyResult<Py<PyAny>> {
        let p = self.stored(py, period)?;
        let q = self.with(py, |s| riskgrade::store::queues(s, p))?;
        let mut rows = Vec::new();
        for d in &q.departments {
            if department.is_some_and(|want| want != d.department) {
                continue;
            }
            for it in &d.items {
                rows.push((&d.department, it));
            }
        }
        let cols = vec![
            OutColumn::new("department", text(rows.iter().map(|(d, _)| Some(*d)))),
            OutColumn::new("id", text(rows.iter().map(|(_, i)| Some(&i.id)))),
            OutColumn::new("class", text(rows.iter().map(|(_, i)| i.class.as_ref()))),
            OutColumn::new(
                "topics",
                OutData::List(rows.iter().map(|(_, i)| i.topics.clone()).collect()),
            ),
            OutColumn::new(
                "labels",
                OutData::List(rows.iter().map(|(_, i)| i.labels.clone()).collect()),
            ),
        ];
        table(py, cols)
    }

    /// Compares two stored periods as `riskgrade changes` does: (classes, migration matrix,
    /// entered, left as JSON; the movers with their reasons; PSI of scores and indicators; the
    /// printed report).
    fn compare(
        &self,
        py: Python<'_>,
        from: &str,
        to: &str,
    ) -> PyResult<(String, Py<PyAny>, Py<PyAny>, String)> {
        let (a, b) = (self.stored(py, from)?, self.stored(py, to)?);
        let c = self.with(py, |s| riskgrade::compare_periods(s, a, b))?;
        let summary = serde_json::json!({
            "from": a.to_string(), "to": b.to_string(), "classes": c.classes,
            "matrix": c.matrix, "entered": c.entered, "left": c.left,
        });
        let m = &c.movers;
        let movers = vec![
            OutColumn::new("id", text(m.iter().map(|x| Some(&x.id)))),
            OutColumn::new("from_class", text(m.iter().map(|x| Some(&x.from)))),
            OutColumn::new("to_class", text(m.iter().map(|x| Some(&x.to)))),
            OutColumn::new("steps", int(m.iter().map(|x| Some(x.steps)))),
            OutColumn::new(
                "score_before",
                OutData::Number(m.iter().map(|x| x.scores.0).collect()),
            ),
            OutColumn::new(
                "score_after",
                OutData::Number(m.iter().map(|x| x.scores.1).collect()),
            ),
            OutColumn::new(
                "reasons",
                OutData::List(
                    m.iter()
                        .map(|x| {
                            x.reasons
                                .iter()
                                .map(|(k, d)| format!("{}: {d}", k.name()))
                                .collect()
                        })
                        .collect(),
                ),
            ),
        ];
        let psi: Vec<&riskgrade::Stability> = c.score_psi.iter().chain(&c.indicator_psi).collect();
        let stability = vec![
            OutColumn::new("model", text(psi.iter().map(|x| Some(&x.model)))),
            OutColumn::new("what", text(psi.iter().map(|x| Some(&x.what)))),
            OutColumn::new(
                "psi",
                OutData::Number(psi.iter().map(|x| Some(x.psi)).collect()),
            ),
            OutColumn::new("band", text(psi.iter().map(|x| Some(x.band())))),
        ];
        Ok((
            summary.to_string(),
            table(py, movers)?,
            table(py, stability)?,
            c.to_string(),
        ))
    }

    /// Grades a month into the store (writable only) as `riskgrade run` does: decisions in
    /// effect apply, the period replaces an earlier run of it atomically, and what changed since
    /// the previous period is stored. Returns the report's text and its figures as JSON.
    #[pyo3(signature = (model, data, period, as_of=None))]
    fn run_month(
        &self,
        py: Python<'_>,
        model: &PyModel,
        data: Batch,
        period: &str,
        as_of: Option<&str>,
    ) -> PyResult<(String, String)> {
        if !self.writable {
            return Err(PyValueError::new_err(
                "the store is open read-only: open it with writable=True to run a month",
            ));
        }
        let p = month(period)?;
        let as_of = match as_of {
            Some(d) => parse_date(d)?,
            None => p.last_day(),
        };
        let set = std::sync::Arc::clone(&model.set);
        let loaded = data.load()?;
        detached(py, |_| {
            let parsed = loaded.parse()?;
            let (frame, profiles) = parsed.frame(&set, set.schema(), as_of)?;
            let input = match profiles {
                Some(ps) => riskgrade::MonthInput::Profiles(ps),
                None => riskgrade::MonthInput::Frame(&frame),
            };
            let mut store = self.store.lock().unwrap_or_else(|p| p.into_inner());
            let options = riskgrade::Options::default();
            let report = riskgrade::run_month(&mut store, &set, input, p, as_of, &options)
                .map_err(|e| monthly_err(&e, &self.path))?;
            let figures = serde_json::json!({
                "period": report.run.period.to_string(),
                "as_of": report.run.as_of.to_string(),
                "enterprises": report.run.enterprises,
                "graded": report.run.graded,
                "errors": report.run.errors,
                "previous": report.previous.as_ref().map(|r| r.period.to_string()),
                "riskier": report.riskier,
                "less_risky": report.less_risky,
                "new": report.new,
                "gone": report.gone,
            });
            Ok((report.to_string(), figures.to_string()))
        })
    }

    fn __repr__(&self) -> String {
        let mode = if self.writable {
            "writable"
        } else {
            "read-only"
        };
        format!("Store('{}', {mode})", self.path.display())
    }
}
