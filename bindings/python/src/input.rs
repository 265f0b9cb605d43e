//! What Python hands the native module: a batch (Arrow data or profile JSON), grading settings,
//! inspection outcomes; and the worker thread that grades with the GIL released.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use arrow_array::RecordBatch;
use pyo3::prelude::*;
use pyo3_arrow::PyTable;
use pyo3_arrow::input::AnyRecordBatch;
use riskgrade::calibrate::{OutcomeColumn, outcomes_from_cells};
use riskgrade::io::Cell;
use riskgrade::{Date, Enterprise, ErrorPolicy, Frame, ModelSet, Options, ResultColumns, Schema};

use crate::errors::{calibrate_err, data_error, date_err, io_err};

/// A batch as Python hands it: profile JSON text (an array, or one object per line), or Arrow
/// data (anything with the Arrow PyCapsule interface).
#[derive(FromPyObject)]
pub(crate) enum Batch {
    /// Profiles as JSON text.
    Profiles(String),
    /// An Arrow table, batch or stream.
    Arrow(AnyRecordBatch),
}

/// Profiles that could not be read: (id or line, message).
pub(crate) type Unreadable = Vec<(String, String)>;

/// A batch read into memory (Arrow streams are drained while the GIL is held).
pub(crate) enum Loaded {
    /// Profile JSON, parsed on the worker.
    Profiles(String),
    /// The Arrow record batches.
    Arrow(Vec<RecordBatch>),
}

/// A batch parsed on the worker: the Arrow batches, or the profiles and the unreadable ones.
pub(crate) enum Parsed<'a> {
    /// Arrow record batches.
    Arrow(&'a [RecordBatch]),
    /// Profiles.
    /// The profiles read, those that could not be read, and the place in the input of each
    /// row of the frame (empty when every profile was read: the rows are in input order).
    Profiles(Vec<Enterprise>, Unreadable, Vec<usize>),
}

impl Batch {
    /// Reads an Arrow stream to its end (profile text is kept as is).
    pub(crate) fn load(self) -> PyResult<Loaded> {
        match self {
            Batch::Profiles(text) => Ok(Loaded::Profiles(text)),
            Batch::Arrow(data) => {
                let reader = data.into_reader()?;
                let batches = reader.collect::<Result<Vec<_>, _>>().map_err(|e| {
                    data_error(format!("reading the Arrow stream: {e}"), None, None)
                })?;
                Ok(Loaded::Arrow(batches))
            }
        }
    }
}

impl Loaded {
    /// Parses profile text (on the worker).
    pub(crate) fn parse(&self) -> PyResult<Parsed<'_>> {
        match self {
            Loaded::Arrow(b) => Ok(Parsed::Arrow(b)),
            Loaded::Profiles(text) => {
                let (ps, unreadable, positions) = parse_profiles(text)?;
                Ok(Parsed::Profiles(ps, unreadable, positions))
            }
        }
    }
}

impl Parsed<'_> {
    /// The place in the input of each row of the frame, when it is not the row's own.
    pub(crate) fn positions(&self) -> &[usize] {
        match self {
            Parsed::Profiles(_, _, positions) => positions,
            Parsed::Arrow(_) => &[],
        }
    }

    /// The frame of `schema`'s inputs as of `as_of`, and the profiles when there are some.
    pub(crate) fn frame(
        &self,
        set: &ModelSet,
        schema: &Schema,
        as_of: Date,
    ) -> PyResult<(Frame, Option<&[Enterprise]>)> {
        match self {
            Parsed::Arrow(b) => Ok((
                // A model no row is routed to demands no columns.
                arrow_frame(&crate::routed::fill_unrouted(set, b), schema, as_of)
                    .map_err(|e| io_err(&e))?,
                None,
            )),
            Parsed::Profiles(ps, unreadable, _) => Ok((
                Frame::from_profiles(ps, schema, as_of, set.effect_periods())
                    .with_unreadable(unreadable.clone()),
                Some(ps),
            )),
        }
    }
}

/// The frame of Arrow batches as of `as_of`: NaN in a float column is a missing value, as
/// pandas has it, whichever library made the frame.
pub(crate) fn arrow_frame(
    batches: &[RecordBatch],
    schema: &Schema,
    as_of: Date,
) -> Result<Frame, riskgrade::io::IoError> {
    let options = riskgrade::io::ArrowOptions::default()
        .as_of(as_of)
        .nan_is_missing(true);
    riskgrade::io::frame_from_batches_with(batches, schema, options)
}

/// Profiles from JSON text: an array, or one object per line. A profile that cannot be read
/// (a record's date that does not parse, an unknown field) is its own error row, named by the
/// line it starts on; the others are graded.
fn parse_profiles(text: &str) -> PyResult<(Vec<Enterprise>, Unreadable, Vec<usize>)> {
    let p = if text.trim_start().starts_with('[') {
        riskgrade::io::parse_profiles_json(text, false)
    } else {
        riskgrade::io::parse_profiles_jsonl(text, false)
    }
    .map_err(|e| io_err(&e))?;
    let unreadable = p.unreadable();
    let positions = if unreadable.is_empty() {
        Vec::new()
    } else {
        p.positions()
    };
    Ok((p.enterprises, unreadable, positions))
}

/// The grading date.
pub(crate) fn parse_date(s: &str) -> PyResult<Date> {
    s.parse().map_err(|e| date_err(&e))
}

/// How a batch is graded and what the results hold.
#[derive(Clone)]
pub(crate) struct Ask {
    /// The grading date.
    pub(crate) as_of: Date,
    /// The grading options.
    pub(crate) options: Options,
    /// The result columns.
    pub(crate) columns: ResultColumns,
}

/// The grading settings Python passes by keyword.
#[derive(Clone, Copy)]
pub(crate) struct Settings<'a> {
    pub(crate) reasons: bool,
    pub(crate) max_reasons: Option<usize>,
    pub(crate) contributions: bool,
    pub(crate) dimensions: bool,
    pub(crate) strict: bool,
    pub(crate) rules: bool,
    pub(crate) on_rule_error: &'a str,
}

impl Ask {
    /// The settings checked and turned into options.
    pub(crate) fn new(as_of: &str, s: Settings<'_>) -> PyResult<Ask> {
        let policy: ErrorPolicy = s
            .on_rule_error
            .parse()
            .map_err(pyo3::exceptions::PyValueError::new_err)?;
        // Strict covers rule failures too: the first one stops the batch (an
        // `EvaluationError` with its row and rule) unless the caller chose to skip them.
        let policy = match policy {
            ErrorPolicy::FailRow if s.strict => ErrorPolicy::Abort,
            other => other,
        };
        let mut options = Options::default()
            .reasons(s.reasons)
            .contributions(s.contributions)
            .strict(s.strict)
            .rules(s.rules)
            .on_rule_error(policy);
        if let Some(k) = s.max_reasons {
            options = options.max_reasons(k);
        }
        Ok(Ask {
            as_of: parse_date(as_of)?,
            options,
            columns: ResultColumns::default()
                .dimensions(s.dimensions)
                .contributions(s.contributions),
        })
    }

    /// One side of a comparison or a calibration's grading: no reasons, rules on or off.
    pub(crate) fn plain(as_of: Date, rules: bool) -> Ask {
        Ask {
            as_of,
            options: Options::default().reasons(false).rules(rules),
            columns: ResultColumns::default(),
        }
    }
}

/// One cell of an outcome column as Python holds it.
#[derive(FromPyObject)]
pub(crate) enum PyCell {
    /// `True`/`False` (also NumPy's).
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// Text.
    Text(String),
}

impl PyCell {
    /// The cell as the calibration crate reads it (`None` and NaN are missing).
    fn cell(c: Option<PyCell>) -> Cell {
        match c {
            None => Cell::Missing,
            Some(PyCell::Bool(b)) => Cell::Bool(b),
            Some(PyCell::Int(i)) => Cell::Number(i as f64),
            Some(PyCell::Float(x)) if x.is_nan() => Cell::Missing,
            Some(PyCell::Float(x)) => Cell::Number(x),
            Some(PyCell::Text(s)) => Cell::Text(s),
        }
    }
}

/// Inspection outcomes as Python hands them: the `enterprise` column, the name of the column
/// that says what was found (`result` or `problem`), and that column.
#[derive(FromPyObject)]
pub(crate) struct PyOutcomes(Vec<Option<PyCell>>, String, Vec<Option<PyCell>>);

impl PyOutcomes {
    /// The outcomes as (enterprise, problem found), read by the calibration crate's rules.
    pub(crate) fn pairs(self) -> PyResult<Vec<(String, bool)>> {
        let PyOutcomes(ids, column, values) = self;
        let column = match column.as_str() {
            "result" => OutcomeColumn::Result,
            "problem" => OutcomeColumn::Problem,
            other => {
                return Err(pyo3::exceptions::PyValueError::new_err(format!(
                    "outcomes: `{other}` is not an outcome column; use `result` or `problem`"
                )));
            }
        };
        let ids: Vec<Cell> = ids.into_iter().map(PyCell::cell).collect();
        let values: Vec<Cell> = values.into_iter().map(PyCell::cell).collect();
        outcomes_from_cells(&ids, column, &values).map_err(|e| calibrate_err(&e))
    }
}

/// Runs `work` on a worker thread with the GIL released, checking for Ctrl-C
/// every 50 ms; a signal sets the cancel flag, waits for the worker to stop,
/// and raises. A panic in the worker becomes an `EvaluationError`.
pub(crate) fn detached<T: Send>(
    py: Python<'_>,
    work: impl FnOnce(Arc<AtomicBool>) -> PyResult<T> + Send,
) -> PyResult<T> {
    crate::progress::detached(py, None, None, work)
}

/// A record batch as a `pyarrow.Table`.
pub(crate) fn to_pyarrow(py: Python<'_>, batch: RecordBatch) -> PyResult<Py<PyAny>> {
    batches_to_pyarrow(py, vec![batch])
}

/// Record batches of one schema as one `pyarrow.Table`, a chunk per batch (no copy).
pub(crate) fn batches_to_pyarrow(py: Python<'_>, batches: Vec<RecordBatch>) -> PyResult<Py<PyAny>> {
    let schema = batches.first().map(RecordBatch::schema).ok_or_else(|| {
        pyo3::exceptions::PyRuntimeError::new_err("a table needs at least one record batch")
    })?;
    let table = PyTable::try_new(batches, schema)?;
    Ok(table.into_pyarrow(py)?.unbind())
}
