//! [`compare_models`]: one batch graded by two model sets (or one set with and
//! without its rules) and compared, from profiles or from a frame.

use std::borrow::Cow;
use std::fmt;

use riskgrade_core::{Date, Enterprise, Frame};

use super::{CompareError, Comparison, compare};
use crate::{EvalError, Grader, Grades, Options};

/// The batch [`compare_models`] grades with both sets.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum CompareInput<'a> {
    /// Nested profiles: each set derives its own frame from them (its own
    /// inputs and effect periods; one frame when the two sets agree), and
    /// rules can read the records.
    Profiles {
        /// The enterprises.
        profiles: &'a [Enterprise],
        /// Profiles that could not be read, as (id, message): appended to each
        /// frame as rows that are reported, not graded ([`Frame::with_unreadable`]).
        unreadable: &'a [(String, String)],
    },
    /// A columnar batch holding every input both sets read, e.g. read with the
    /// inputs of both: `Schema::new(a.schema().inputs().iter().chain(b.schema().inputs()).cloned())`.
    Frame(&'a Frame),
}

impl<'a> CompareInput<'a> {
    /// Profiles, all readable.
    pub fn profiles(profiles: &'a [Enterprise]) -> CompareInput<'a> {
        CompareInput::Profiles {
            profiles,
            unreadable: &[],
        }
    }
}

/// One side of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// The baseline (the migration matrix's rows).
    Before,
    /// The candidate (the migration matrix's columns).
    After,
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::Before => "before",
            Side::After => "after",
        })
    }
}

/// The same batch graded by two model sets, and their comparison: see [`compare_models`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ModelComparison {
    /// The grades of the `before` set (the matrix's rows).
    pub before: Grades,
    /// The grades of the `after` set (the matrix's columns).
    pub after: Grades,
    /// The comparison, the movers' industries filled in.
    pub comparison: Comparison,
}

/// Grades one batch with two model sets (or one set with and without its
/// rules) and compares the grades: the one way the CLI, Rust programs and
/// Python compare models.
///
/// `options` are `(before, after)`: e.g. `Options::default().rules(false)` on
/// one side compares a set without its rules against itself with them.
///
/// With [`CompareInput::Profiles`] each set grades the frame derived for its
/// own inputs, so sets with different inputs compare on the same enterprises.
/// With [`CompareInput::Frame`] both sets grade the one frame, which must hold
/// every input both read: its columns are checked for both sides before
/// anything is graded.
///
/// # Errors
/// [`CompareError::Grade`] when a side cannot grade the batch, naming the side
/// and the [`EvalError`]: with a frame, [`EvalError::MissingColumn`] (or
/// [`EvalError::RuleColumn`]) names the first input the frame lacks and the
/// indicator (or rule) that reads it; [`EvalError::AsOfMismatch`] when the
/// frame was derived for another date; [`EvalError::Cancelled`] and the
/// rest as [`Grader::grade_with`].
///
/// ```
/// use std::sync::Arc;
/// use riskgrade_core::Enterprise;
/// use riskgrade_engine::{CompareInput, Grader, Options, compare_models};
///
/// let grader = Grader::new(Arc::new(riskgrade_model::examples::reference()?));
/// let profiles: Vec<Enterprise> = serde_json::from_str(r#"[
///   {"id": "E1", "industry": "F5211", "registered": "2012-04-01"},
///   {"id": "E2", "industry": "F5211", "registered": "2012-04-01",
///    "records": [{"kind": "dishonest_list", "date": "2026-03-01", "action": "entry"}]}
/// ]"#)?;
/// let without_rules = Options::default().rules(false);
/// let c = compare_models(
///     &grader,
///     &grader,
///     CompareInput::profiles(&profiles),
///     "2026-11-01".parse()?,
///     (&without_rules, &Options::default()),
/// )?;
/// assert_eq!(c.after.class(1), Some("D"));
/// let moved = &c.comparison.movers()[0];
/// assert_eq!((moved.id.as_str(), moved.industry.as_deref()), ("E2", Some("F5211")));
/// println!("{}", c.comparison.labels("without rules", "with rules").top(5));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn compare_models(
    before: &Grader,
    after: &Grader,
    input: CompareInput<'_>,
    as_of: Date,
    options: (&Options, &Options),
) -> Result<ModelComparison, CompareError> {
    let (before, after, frame) = match input {
        CompareInput::Frame(frame) => {
            let (b, a) = grade_frame((before, after), frame, as_of, options)?;
            (b, a, Cow::Borrowed(frame))
        }
        CompareInput::Profiles {
            profiles,
            unreadable,
        } => {
            let (b, a, frame) =
                grade_profiles((before, after), profiles, unreadable, as_of, options)?;
            (b, a, Cow::Owned(frame))
        }
    };
    let comparison = compare(&before, &after)?.with_industries(&frame)?;
    Ok(ModelComparison {
        before,
        after,
        comparison,
    })
}

/// Wraps a side's grading error.
fn failed(side: Side) -> impl Fn(EvalError) -> CompareError {
    move |e| CompareError::Grade {
        side,
        error: Box::new(e),
    }
}

/// Both sides grade the one frame, once each has found every column it reads.
fn grade_frame(
    (before, after): (&Grader, &Grader),
    frame: &Frame,
    as_of: Date,
    options: (&Options, &Options),
) -> Result<(Grades, Grades), CompareError> {
    before
        .check_columns(frame, options.0)
        .map_err(failed(Side::Before))?;
    after
        .check_columns(frame, options.1)
        .map_err(failed(Side::After))?;
    let b = before
        .grade_with(frame, None, as_of, options.0)
        .map_err(failed(Side::Before))?;
    let a = after
        .grade_with(frame, None, as_of, options.1)
        .map_err(failed(Side::After))?;
    Ok((b, a))
}

/// Each side grades the frame derived for its inputs (one frame when the sets
/// agree on inputs and effect periods); returns the after side's frame.
fn grade_profiles(
    (before, after): (&Grader, &Grader),
    profiles: &[Enterprise],
    unreadable: &[(String, String)],
    as_of: Date,
    options: (&Options, &Options),
) -> Result<(Grades, Grades, Frame), CompareError> {
    let frame_of = |g: &Grader| {
        let set = g.model_set();
        Frame::from_profiles(profiles, set.schema(), as_of, set.effect_periods())
            .with_unreadable(unreadable.to_vec())
    };
    let after_frame = frame_of(after);
    let (bs, as_) = (before.model_set(), after.model_set());
    let before_frame = (bs.schema() != as_.schema() || bs.effect_periods() != as_.effect_periods())
        .then(|| frame_of(before));
    let b = before
        .grade_with(
            before_frame.as_ref().unwrap_or(&after_frame),
            Some(profiles),
            as_of,
            options.0,
        )
        .map_err(failed(Side::Before))?;
    let a = after
        .grade_with(&after_frame, Some(profiles), as_of, options.1)
        .map_err(failed(Side::After))?;
    Ok((b, a, after_frame))
}
