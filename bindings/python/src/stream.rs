//! `Model.classify_stream`: Arrow batches graded as they are pulled, for inputs larger than memory.

use std::sync::{Arc, Mutex};

use arrow_array::{RecordBatch, RecordBatchReader};
use arrow_schema::SchemaRef;
use pyo3::exceptions::PyStopIteration;
use pyo3::prelude::*;
use pyo3_arrow::{PyRecordBatch, PySchema};
use riskgrade::{EvalError, Frame, Grader, ModelSet};

use crate::errors::{data_error, eval_err, io_err};
use crate::input::Ask;

/// The results of an input stream, one results batch per input batch, graded when pulled.
struct Graded {
    input: Box<dyn RecordBatchReader + Send>,
    grader: Grader,
    set: Arc<ModelSet>,
    ask: Ask,
    schema: SchemaRef,
    /// Rows of the input before the next batch, so errors name the input's row.
    offset: usize,
    /// The first results batch, graded when the stream was made (so bad columns raise at once).
    first: Option<RecordBatch>,
}

/// Why a batch could not be graded.
enum Failed {
    Io(riskgrade::io::IoError),
    Eval(EvalError),
}

impl Failed {
    fn py(self) -> PyErr {
        match self {
            Failed::Io(e) => io_err(&e),
            Failed::Eval(e) => eval_err(&e),
        }
    }
}

impl Graded {
    /// Grades one input batch into one results batch.
    fn grade(&mut self, batch: &RecordBatch) -> Result<RecordBatch, Failed> {
        let filled = crate::routed::fill_unrouted(&self.set, std::slice::from_ref(batch));
        let frame = crate::input::arrow_frame(&filled, self.set.schema(), self.ask.as_of)
            .map_err(Failed::Io)?;
        let offset = self.offset;
        self.offset += batch.num_rows();
        let grades = self
            .grader
            .grade(&frame, self.ask.as_of, &self.ask.options)
            .map_err(|e| Failed::Eval(e.map_row(|r| r + offset)))?;
        let table = riskgrade::results_table(&grades, &frame, self.ask.columns);
        riskgrade::io::table_to_batch(&table).map_err(Failed::Io)
    }
}

impl Graded {
    /// The next results batch: `None` at the end of the input.
    fn next_batch(&mut self) -> Result<Option<RecordBatch>, PyErr> {
        if let Some(first) = self.first.take() {
            return Ok(Some(first));
        }
        match self.input.next() {
            None => Ok(None),
            Some(Err(e)) => Err(data_error(
                format!("reading the Arrow stream: {e}"),
                None,
                None,
            )),
            Some(Ok(batch)) => self.grade(&batch).map(Some).map_err(Failed::py),
        }
    }
}

/// `Model.classify_stream`'s results: an iterator of `pyarrow.RecordBatch`, each graded when
/// it is pulled (without the GIL). A batch that cannot be graded raises the same typed error
/// as `classify` (a `DataError` whose `row` counts from the stream's first row, 0-based, as
/// its message does), not an Arrow error.
#[pyclass(module = "riskgrade._riskgrade", name = "GradedStream")]
pub(crate) struct GradedStream {
    graded: Mutex<Graded>,
    schema: SchemaRef,
}

#[pymethods]
impl GradedStream {
    /// The results' schema, that of `classify`'s results.
    #[getter]
    fn schema<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        PySchema::new(Arc::clone(&self.schema)).into_pyarrow(py)
    }

    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        // Graded on a worker without the GIL: a panic is an `EvaluationError`, Ctrl-C stops it.
        let next = crate::input::detached(py, |_| match self.graded.lock() {
            Ok(mut g) => g.next_batch(),
            Err(_) => Err(crate::errors::EvaluationError::new_err(
                "internal error (please report it): an earlier batch of this stream failed",
            )),
        })?;
        match next {
            Some(batch) => PyRecordBatch::new(batch).into_pyarrow(py),
            None => Err(PyStopIteration::new_err(())),
        }
    }
}

/// A stream of results over `input`'s batches, graded one at a time as they are read.
pub(crate) fn classify_stream(
    set: &Arc<ModelSet>,
    input: Box<dyn RecordBatchReader + Send>,
    ask: Ask,
) -> PyResult<GradedStream> {
    if let Some(model) = riskgrade::share_model(set) {
        let e = riskgrade::StreamError::ShareClasses {
            model: model.to_string(),
        };
        return Err(data_error(e.to_string(), None, None));
    }
    let grader = Grader::new(Arc::clone(set));
    // The results' schema does not depend on the rows: that of an empty batch.
    let empty = Frame::from_profiles(&[], set.schema(), ask.as_of, set.effect_periods());
    let grades = grader
        .grade(&empty, ask.as_of, &ask.options)
        .map_err(|e| eval_err(&e))?;
    let table = riskgrade::results_table(&grades, &empty, ask.columns);
    let schema = riskgrade::io::table_to_batch(&table)
        .map_err(|e| io_err(&e))?
        .schema();
    let mut graded = Graded {
        input,
        grader,
        set: Arc::clone(set),
        ask,
        schema,
        offset: 0,
        first: None,
    };
    // The first batch now: a missing column or a bad option raises here, typed.
    if let Some(batch) = graded.input.next() {
        let batch =
            batch.map_err(|e| data_error(format!("reading the Arrow stream: {e}"), None, None))?;
        graded.first = Some(graded.grade(&batch).map_err(Failed::py)?);
    }
    let schema = Arc::clone(&graded.schema);
    Ok(GradedStream {
        graded: Mutex::new(graded),
        schema,
    })
}
