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
use riskgrade::store::{NewDecision, Resolution, Store, StoreError};

use crate::cycle;
use crate::errors::{
    Attr, data_error, eval_err, inspection_err, io_err, plan_err, store_err, with_attrs,
};
use crate::grade::PyModel;
use crate::input::{Batch, batches_to_pyarrow, detached, parse_date, to_pyarrow};

/// A history store. Thread-safe: one connection behind a lock.
#[pyclass(module = "riskgrade._riskgrade", name = "Store", frozen)]
pub(crate) struct PyStore {
    store: Mutex<Store>,
    path: PathBuf,
    writable: bool,
}

/// A monthly run that could not be made: grading errors as `classify`'s, the rest `DataError`s.
fn monthly_err(e: &riskgrade::MonthlyError, file: &std::path::Path) -> PyErr {
    match e {
        riskgrade::MonthlyError::Eval(e) => eval_err(e),
        riskgrade::MonthlyError::Store(e) => store_err(e, file),
        riskgrade::MonthlyError::DrawnPeriod { period, draws } => data_error(
            format!(
                "period {period} is stored and inspection draw(s) {} are based on it; replacing it means they no longer verify against the store: pass replace=True to go ahead",
                draws
                    .iter()
                    .map(|d| format!("#{d}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None,
            None,
        ),
        other => data_error(other.to_string(), None, None),
    }
}

/// A pool: a file, CSV text converted from a frame, or the embedded reference pool.
fn pool_of(file: Option<PathBuf>, csv: Option<String>) -> cycle::Pool {
    match (file, csv) {
        (Some(f), _) => cycle::Pool::File(f),
        (None, Some(text)) => cycle::Pool::Csv(text),
        (None, None) => cycle::Pool::Reference,
    }
}

/// A plan by file or embedded name.
fn load_plan(name: &str) -> PyResult<riskgrade::inspect::Plan> {
    match cycle::plan(name) {
        Ok(loaded) => loaded.map_err(|e| plan_err(&e)),
        Err(message) => Err(PyValueError::new_err(message)),
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

    /// Runs `f` on the store opened for writing (with the GIL released, Ctrl-C checked); a
    /// read-only store refuses with a `ValueError` naming `what`.
    fn writing<T: Send>(
        &self,
        py: Python<'_>,
        what: &str,
        f: impl FnOnce(&mut Store) -> PyResult<T> + Send,
    ) -> PyResult<T> {
        if !self.writable {
            return Err(PyValueError::new_err(format!(
                "the store is open read-only: open it with writable=True to {what}"
            )));
        }
        detached(py, |_| {
            let mut store = self.store.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut store)
        })
    }

    /// Records a decision as `riskgrade decide` does; returns its number.
    fn decide(&self, py: Python<'_>, d: NewDecision) -> PyResult<i64> {
        self.writing(py, "record a decision", |s| {
            s.decide(d).map_err(|e| store_err(&e, &self.path))
        })
    }

    /// `period`, or a `KeyError` when the store has no run of it.
    fn stored(&self, py: Python<'_>, period: &str) -> PyResult<Month> {
        let p = month(period)?;
        match self.with(py, |s| s.run(p))? {
            Some(_) => Ok(p),
            None => Err(crate::errors::with_attrs(
                PyKeyError::new_err(format!("no run of {p} in {}", self.path.display())),
                &[
                    ("period", crate::errors::Attr::Text(p.to_string())),
                    (
                        "file",
                        crate::errors::Attr::Text(self.path.display().to_string()),
                    ),
                ],
            )),
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
        // The parts decoded in parallel become the table's record batches, not joined.
        let parts = self.with(py, |s| s.result_column_parts(p))?;
        let batches = py
            .detach(|| {
                parts
                    .into_iter()
                    .map(results_batch)
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(|e| {
                pyo3::exceptions::PyRuntimeError::new_err(format!("results of {p}: {e}"))
            })?;
        batches_to_pyarrow(py, batches)
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
        if h.iter().all(|e| e.result.is_none()) {
            return Err(pyo3::exceptions::PyKeyError::new_err(format!(
                "enterprise {id} is in none of the stored periods"
            )));
        }
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
        from_: &str,
        to: &str,
    ) -> PyResult<(String, Py<PyAny>, Py<PyAny>, String)> {
        let (a, b) = (self.stored(py, from_)?, self.stored(py, to)?);
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
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (model, data, period, as_of=None, replace=false, progress=None))]
    fn run_month(
        &self,
        py: Python<'_>,
        model: &PyModel,
        data: Batch,
        period: &str,
        as_of: Option<&str>,
        replace: bool,
        progress: Option<Bound<'_, PyAny>>,
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
        let ticks = std::sync::Arc::new(crate::progress::Ticks::default());
        let mut options = riskgrade::Options::default();
        if progress.is_some() {
            options = ticks.hook(options);
        }
        crate::progress::detached(py, progress.as_ref(), Some(&ticks), |cancel| {
            let options = options.cancel_on(cancel);
            let parsed = loaded.parse()?;
            let (frame, profiles) = parsed.frame(&set, set.schema(), as_of)?;
            let input = match profiles {
                Some(ps) => riskgrade::MonthInput::Profiles(ps),
                None => riskgrade::MonthInput::Frame(&frame),
            };
            let mut store = self.store.lock().unwrap_or_else(|p| p.into_inner());
            let month = riskgrade::MonthOptions::default().replace_drawn(replace);
            let report =
                riskgrade::run_month_with(&mut store, &set, input, p, as_of, &options, &month)
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

    /// Every draw, oldest first: number, period, date, plan, seed, tasks, the commitment it was
    /// drawn under and the digests of its inputs.
    fn draws(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let cols = self.with(py, cycle::draws_table)?;
        table(py, cols)
    }

    /// A draw's tasks by number, with the enterprise's score and the outcome once recorded.
    fn tasks(&self, py: Python<'_>, draw: i64) -> PyResult<Py<PyAny>> {
        let cols = self.with(py, |s| cycle::tasks_table(s, draw))?;
        table(py, cols)
    }

    /// Stores the commitment to a draw's inputs (before the seed exists), as `riskgrade draw
    /// commit` does; returns (its number, its digest, the digests as JSON).
    #[pyo3(signature = (period, *, plan, pool_file=None, pool_csv=None, date=None, by))]
    #[allow(clippy::too_many_arguments)]
    fn commit(
        &self,
        py: Python<'_>,
        period: &str,
        plan: &str,
        pool_file: Option<PathBuf>,
        pool_csv: Option<String>,
        date: Option<&str>,
        by: &str,
    ) -> PyResult<(i64, String, String)> {
        let p = month(period)?;
        let plan = load_plan(plan)?;
        let date = date
            .map(parse_date)
            .transpose()?
            .unwrap_or_else(|| p.next().first_day());
        let pool = pool_of(pool_file, pool_csv);
        self.writing(py, "commit to a draw", |s| {
            let inspectors = pool.read().map_err(|e| inspection_err(&e, &self.path))?;
            let (id, c, _) = riskgrade::commit_period(s, p, &plan, &inspectors, date, by)
                .map_err(|e| inspection_err(&e, &self.path))?;
            let digests = serde_json::json!({
                "plan": c.digests.plan, "candidates": c.digests.candidates,
                "pool": c.digests.pool, "history": c.digests.history,
            });
            Ok((id, c.digest, digests.to_string()))
        })
    }

    /// Draws enterprises and inspectors and records the draw, as `riskgrade draw` does: from
    /// `period` by `plan` on `date`, or under stored `commitment`; returns its number.
    #[pyo3(signature = (*, seed, by, period=None, plan=None, commitment=None, pool_file=None, pool_csv=None, date=None))]
    #[allow(clippy::too_many_arguments)]
    fn draw(
        &self,
        py: Python<'_>,
        seed: &str,
        by: &str,
        period: Option<&str>,
        plan: Option<&str>,
        commitment: Option<i64>,
        pool_file: Option<PathBuf>,
        pool_csv: Option<String>,
        date: Option<&str>,
    ) -> PyResult<i64> {
        let of = match (commitment, period) {
            (Some(c), None) if plan.is_none() && date.is_none() => cycle::DrawOf::Commitment(c),
            (None, Some(period)) => {
                let p = month(period)?;
                let plan = load_plan(plan.unwrap_or("henan-2021"))?;
                let date = date
                    .map(parse_date)
                    .transpose()?
                    .unwrap_or_else(|| p.next().first_day());
                cycle::DrawOf::Period(p, Box::new(plan), date)
            }
            _ => {
                return Err(PyValueError::new_err(
                    "draw: give a period (with a plan and a date), or a commitment, which fixes them",
                ));
            }
        };
        let pool = pool_of(pool_file, pool_csv);
        self.writing(py, "draw", |s| {
            let inspectors = pool.read().map_err(|e| inspection_err(&e, &self.path))?;
            cycle::draw(s, of, &inspectors, seed, by).map_err(|e| inspection_err(&e, &self.path))
        })
    }

    /// Re-draws a stored draw and checks its inputs and tasks, as `riskgrade verify` does:
    /// (the summary as JSON, the differing tasks).
    #[pyo3(signature = (draw, *, pool_file=None, pool_csv=None))]
    fn verify(
        &self,
        py: Python<'_>,
        draw: i64,
        pool_file: Option<PathBuf>,
        pool_csv: Option<String>,
    ) -> PyResult<(String, Py<PyAny>)> {
        let pool = pool_of(pool_file, pool_csv);
        let (summary, cols) = detached(py, |_| {
            let inspectors = pool.read().map_err(|e| inspection_err(&e, &self.path))?;
            let store = self.store.lock().unwrap_or_else(|p| p.into_inner());
            let v = riskgrade::verify_draw(&store, draw, &inspectors)
                .map_err(|e| inspection_err(&e, &self.path))?;
            Ok(cycle::verification(&v))
        })?;
        Ok((summary.to_string(), table(py, cols)?))
    }

    /// Closes tasks of `draw` with what the inspections found, all or nothing, as `riskgrade
    /// outcomes` does; returns (tasks closed, tasks still open).
    #[pyo3(signature = (draw, enterprise, date, result, severity, note, *, by))]
    #[allow(clippy::too_many_arguments)]
    fn record_outcomes(
        &self,
        py: Python<'_>,
        draw: i64,
        enterprise: Vec<Option<String>>,
        date: Vec<Option<String>>,
        result: Vec<Option<String>>,
        severity: Vec<Option<String>>,
        note: Vec<Option<String>>,
        by: &str,
    ) -> PyResult<(usize, usize)> {
        let n = enterprise.len();
        if [date.len(), result.len(), severity.len(), note.len()]
            .iter()
            .any(|&k| k != n)
        {
            return Err(PyValueError::new_err(
                "outcomes: the columns differ in length",
            ));
        }
        let mut cells = (
            date.into_iter(),
            result.into_iter(),
            severity.into_iter(),
            note.into_iter(),
        );
        let rows = enterprise
            .into_iter()
            .map(|enterprise| cycle::OutcomeRow {
                enterprise,
                date: cells.0.next().flatten(),
                result: cells.1.next().flatten(),
                severity: cells.2.next().flatten(),
                note: cells.3.next().flatten(),
            })
            .collect();
        let outcomes = cycle::outcomes(draw, rows).map_err(|(row, column, value, problem)| {
            with_attrs(
                data_error(
                    format!("outcomes: row {}, column `{column}`: {problem}", row + 1),
                    Some(row),
                    Some(column),
                ),
                &[("value", Attr::Text(value))],
            )
        })?;
        self.writing(py, "record outcomes", |s| {
            cycle::record_outcomes(s, draw, &outcomes, by).map_err(|e| store_err(&e, &self.path))
        })
    }

    /// Evaluates a draw's closed tasks against the classes and scores they were drawn with, as
    /// `riskgrade evaluate` does: (the evaluation as JSON, its printed table).
    #[pyo3(signature = (draw, *, random_only=false))]
    fn evaluate(&self, py: Python<'_>, draw: i64, random_only: bool) -> PyResult<(String, String)> {
        let e = self.with(py, |s| riskgrade::evaluate_draw(s, draw, random_only))?;
        let json = serde_json::to_string(&e).map_err(|e| data_error(e.to_string(), None, None))?;
        Ok((json, e.to_string()))
    }

    /// Records a class override (`riskgrade decide override`); returns its number.
    #[pyo3(signature = (id, class_, *, effective, by, reason, until=None))]
    #[allow(clippy::too_many_arguments)]
    fn override_class(
        &self,
        py: Python<'_>,
        id: &str,
        class_: &str,
        effective: &str,
        by: &str,
        reason: &str,
        until: Option<&str>,
    ) -> PyResult<i64> {
        let mut d = NewDecision::overriding(id, class_, parse_date(effective)?, by, reason);
        d.until = until.map(parse_date).transpose()?;
        self.decide(py, d)
    }

    /// Records a credit repair (`riskgrade decide repair`); returns its number.
    #[pyo3(signature = (id, *, record, record_date, repaired, by, reason))]
    #[allow(clippy::too_many_arguments)]
    fn repair(
        &self,
        py: Python<'_>,
        id: &str,
        record: &str,
        record_date: &str,
        repaired: &str,
        by: &str,
        reason: &str,
    ) -> PyResult<i64> {
        let kind = riskgrade::RecordType::ALL
            .into_iter()
            .find(|t| t.name() == record)
            .ok_or_else(|| {
                PyValueError::new_err(format!(
                    "`{record}` is not a record kind; one of {}",
                    riskgrade::RecordType::ALL
                        .map(riskgrade::RecordType::name)
                        .join(", ")
                ))
            })?;
        let d = NewDecision::repair(
            id,
            kind,
            parse_date(record_date)?,
            parse_date(repaired)?,
            by,
            reason,
        );
        self.decide(py, d)
    }

    /// Files an objection (`riskgrade decide objection`); returns its number.
    #[pyo3(signature = (id, period, *, filed, by, reason))]
    fn objection(
        &self,
        py: Python<'_>,
        id: &str,
        period: &str,
        filed: &str,
        by: &str,
        reason: &str,
    ) -> PyResult<i64> {
        let d = NewDecision::objection(id, month(period)?, parse_date(filed)?, by, reason);
        self.decide(py, d)
    }

    /// Resolves an open objection (`riskgrade decide resolve`); returns the number of the
    /// override that records an upheld objection's new class.
    #[pyo3(signature = (decision, *, upheld, by, note, class_=None, effective=None))]
    #[allow(clippy::too_many_arguments)]
    fn resolve(
        &self,
        py: Python<'_>,
        decision: i64,
        upheld: bool,
        by: &str,
        note: &str,
        class_: Option<String>,
        effective: Option<&str>,
    ) -> PyResult<Option<i64>> {
        let resolution = match (upheld, &class_, effective) {
            (false, None, None) => Resolution::Rejected,
            (false, _, _) => {
                return Err(PyValueError::new_err(
                    "class_ and effective go with an upheld objection: a rejected one keeps the grade",
                ));
            }
            (true, Some(_), None) => {
                return Err(PyValueError::new_err(
                    "an upheld objection with a new class needs `effective`, the day it counts from",
                ));
            }
            (true, _, _) => Resolution::Upheld {
                class: class_,
                effective: effective
                    .map(parse_date)
                    .transpose()?
                    .unwrap_or_else(|| riskgrade::Date::from_days(0)),
            },
        };
        self.writing(py, "resolve an objection", |s| {
            s.resolve(decision, resolution, by, note)
                .map_err(|e| store_err(&e, &self.path))
        })
    }

    /// Withdraws an active override or repair (`riskgrade decide revoke`).
    #[pyo3(signature = (decision, *, by, why))]
    fn revoke(&self, py: Python<'_>, decision: i64, by: &str, why: &str) -> PyResult<()> {
        self.writing(py, "revoke a decision", |s| {
            s.revoke(decision, by, why)
                .map_err(|e| store_err(&e, &self.path))
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

/// A period's stored columns as the table `Store.results` returns: the
/// store's Arrow arrays as they are, plus each row's status.
fn results_batch(
    c: riskgrade::store::ResultColumns,
) -> Result<arrow_array::RecordBatch, arrow_schema::ArrowError> {
    use std::sync::Arc;

    use arrow_array::types::Int32Type;
    use arrow_array::{Array, ArrayRef, DictionaryArray};
    // One dictionary for every batch of a table: `graded`, then `error`.
    let keys: arrow_array::Int32Array = (0..c.len())
        .map(|i| Some(i32::from(c.class.is_null(i) || !c.error.is_null(i))))
        .collect();
    let status = DictionaryArray::<Int32Type>::try_new(
        keys,
        Arc::new(arrow_array::StringArray::from(vec!["graded", "error"])),
    )?;
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("id", Arc::new(c.id)),
        ("industry", Arc::new(c.industry)),
        ("district", Arc::new(c.district)),
        ("model", Arc::new(c.model)),
        ("score", Arc::new(c.score)),
        ("score_before_rules", Arc::new(c.base_score)),
        ("class", Arc::new(c.class)),
        ("reasons", Arc::new(c.reasons)),
        ("labels", Arc::new(c.labels)),
        ("alerts", Arc::new(c.alerts)),
        ("rules", Arc::new(c.rules)),
        ("manual_decision", Arc::new(c.manual)),
        ("status", Arc::new(status)),
        ("error", Arc::new(c.error)),
    ];
    let fields: Vec<arrow_schema::Field> = columns
        .iter()
        .map(|(name, a)| arrow_schema::Field::new(*name, a.data_type().clone(), true))
        .collect();
    arrow_array::RecordBatch::try_new(
        Arc::new(arrow_schema::Schema::new(fields)),
        columns.into_iter().map(|(_, a)| a).collect(),
    )
}
