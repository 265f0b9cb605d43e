//! `Model.classify_stream`: Arrow batches graded as they are pulled, for inputs larger than memory.

use std::sync::Arc;

use arrow_array::{RecordBatch, RecordBatchReader};
use arrow_schema::{ArrowError, SchemaRef};
use pyo3::prelude::*;
use pyo3_arrow::PyRecordBatchReader;
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
    fn arrow(self) -> ArrowError {
        ArrowError::ExternalError(match self {
            Failed::Io(e) => e.to_string().into(),
            Failed::Eval(e) => e.to_string().into(),
        })
    }
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
        let frame =
            riskgrade::io::frame_from_batches(&filled, self.set.schema()).map_err(Failed::Io)?;
        let offset = self.offset;
        self.offset += batch.num_rows();
        let grades = self
            .grader
            .grade(&frame, self.ask.as_of, &self.ask.options)
            .map_err(|e| match e {
                EvalError::Strict { count, mut first } => {
                    first.row += offset;
                    Failed::Eval(EvalError::Strict { count, first })
                }
                other => Failed::Eval(other),
            })?;
        let table = riskgrade::results_table(&grades, &frame, self.ask.columns);
        riskgrade::io::table_to_batch(&table).map_err(Failed::Io)
    }
}

impl Iterator for Graded {
    type Item = Result<RecordBatch, ArrowError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(first) = self.first.take() {
            return Some(Ok(first));
        }
        let batch = match self.input.next()? {
            Ok(b) => b,
            Err(e) => return Some(Err(e)),
        };
        Some(self.grade(&batch).map_err(Failed::arrow))
    }
}

impl RecordBatchReader for Graded {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }
}

/// A stream of results over `input`'s batches, graded one at a time as they are read.
pub(crate) fn classify_stream(
    set: &Arc<ModelSet>,
    input: Box<dyn RecordBatchReader + Send>,
    ask: Ask,
) -> PyResult<PyRecordBatchReader> {
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
    Ok(PyRecordBatchReader::new(Box::new(graded)))
}
