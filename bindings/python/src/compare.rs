//! `compare`: one batch graded by two model sets (or one with and without rules), and with
//! inspection outcomes the champion vs challenger report.

use std::sync::Arc;

use pyo3::prelude::*;
use riskgrade::{Challenge, Grader, Schema};
use riskgrade_engine::{CompareInput, ModelComparison, compare_models};
use serde::Serialize;

use crate::errors::{compare_err, io_err};
use crate::grade::PyModel;
use crate::input::{Ask, Batch, Parsed, PyOutcomes, detached, parse_date, to_pyarrow};

/// The native result of a comparison: (matrix JSON, movers, printed report, outcome report JSON).
type ComparisonOut = (String, Py<PyAny>, String, Option<String>);

/// The migration matrix, as `Comparison` reads it.
#[derive(Serialize)]
struct Matrix<'a> {
    classes: &'a [String],
    matrix: &'a [Vec<usize>],
    total: usize,
}

/// The champion vs challenger report, as `Comparison.outcomes` reads it.
#[derive(Serialize)]
struct Judged<'a> {
    champion: &'a riskgrade::inspect::Evaluation,
    challenger: &'a riskgrade::inspect::Evaluation,
    class_psi: f64,
    score_psi: Option<f64>,
    matched: usize,
    unmatched: usize,
}

/// Grades one batch (Arrow data, or profiles as JSON text) with two model sets (or with and
/// without rules) and compares: (matrix JSON, movers as a `pyarrow.Table`, the printed report,
/// the champion vs challenger report as JSON when `outcomes` are given).
#[pyfunction]
#[pyo3(signature = (before, after, data, as_of, *, before_rules=true, after_rules=true, top=10, outcomes=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn compare(
    py: Python<'_>,
    before: &PyModel,
    after: &PyModel,
    data: Batch,
    as_of: &str,
    before_rules: bool,
    after_rules: bool,
    top: usize,
    outcomes: Option<PyOutcomes>,
) -> PyResult<ComparisonOut> {
    let as_of = parse_date(as_of)?;
    let outcomes = outcomes.map(PyOutcomes::pairs).transpose()?;
    let loaded = data.load()?;
    let (c, judged) = detached(py, |cancel| {
        let sides = (
            Ask::plain(as_of, before_rules)
                .options
                .cancel_on(Arc::clone(&cancel)),
            Ask::plain(as_of, after_rules).options.cancel_on(cancel),
        );
        let graders = (
            Grader::new(Arc::clone(&before.set)),
            Grader::new(Arc::clone(&after.set)),
        );
        let parsed = loaded.parse()?;
        let c = match &parsed {
            Parsed::Arrow(batches) => {
                // One frame holding every input both sets read.
                let schema = Schema::new(
                    before
                        .set
                        .schema()
                        .inputs()
                        .iter()
                        .chain(after.set.schema().inputs())
                        .cloned(),
                );
                let frame =
                    crate::input::arrow_frame(batches, &schema, as_of).map_err(|e| io_err(&e))?;
                let input = CompareInput::Frame(&frame);
                compare_models(&graders.0, &graders.1, input, as_of, (&sides.0, &sides.1))
            }
            Parsed::Profiles(profiles, unreadable, _) => {
                let input = CompareInput::Profiles {
                    profiles,
                    unreadable,
                };
                compare_models(&graders.0, &graders.1, input, as_of, (&sides.0, &sides.1))
            }
        }
        .map_err(|e| compare_err(&e))?;
        let judged = match &outcomes {
            Some(pairs) => Some(challenge(&c, pairs, top)?),
            None => None,
        };
        Ok((c, judged))
    })?;
    let comparison = c.comparison.top(top);
    let text = match &judged {
        Some(ch) => ch.to_string(),
        None => comparison.to_string(),
    };
    let report = judged.as_ref().map(|ch| {
        serde_json::to_string(&Judged {
            champion: &ch.champion,
            challenger: &ch.challenger,
            class_psi: ch.class_psi,
            score_psi: ch.score_psi,
            matched: ch.matched,
            unmatched: ch.unmatched,
        })
        .unwrap_or_default()
    });
    let matrix = serde_json::to_string(&Matrix {
        classes: comparison.classes(),
        matrix: comparison.matrix(),
        total: comparison.total(),
    })
    .unwrap_or_default();
    let batch =
        riskgrade::io::table_to_batch(&comparison.movers_table()).map_err(|e| io_err(&e))?;
    Ok((matrix, to_pyarrow(py, batch)?, text, report))
}

/// Both sides judged on the same inspection outcomes.
fn challenge(c: &ModelComparison, pairs: &[(String, bool)], top: usize) -> PyResult<Challenge> {
    Ok(riskgrade::challenge(&c.before, &c.after, pairs)
        .map_err(|e| compare_err(&e))?
        .with_comparison(c.comparison.clone().top(top)))
}
