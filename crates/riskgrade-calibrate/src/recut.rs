//! [`Recut`]: how the classes are cut again once a model's weights have changed.

use riskgrade_core::Date;
use riskgrade_model::{Cutoffs, Model, ModelSet};

use crate::fit::{classes, scores};
use crate::{CalibrateError, CutoffOutcome, Indicators, cutoffs_from_shares};

/// How the classes are cut once the weights have changed.
///
/// ```
/// use riskgrade_calibrate::Recut;
/// assert_eq!(Recut::from_settings(None, false)?, Recut::SameShares);
/// assert_eq!(Recut::from_settings(None, true)?, Recut::KeepCutoffs);
/// assert_eq!(Recut::from_settings(Some(vec![0.7, 0.2, 0.07, 0.03]), false)?,
///            Recut::Shares(vec![0.7, 0.2, 0.07, 0.03]));
/// assert!(Recut::from_settings(Some(vec![0.5, 0.5]), true).is_err());
/// # Ok::<(), riskgrade_calibrate::CalibrateError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Recut {
    /// Cut the new scores so that each class keeps its share of the data under the old weights,
    /// so that the classes before and after are compared at equal size (the default).
    #[default]
    SameShares,
    /// Cut the new scores to these shares, least risky class first.
    Shares(Vec<f64>),
    /// Keep the model's cut-offs as they are (new weights may fill the bands very differently).
    KeepCutoffs,
}

impl Recut {
    /// The re-cut the usual settings ask for: `shares` to cut to, or `keep_bands`, or neither
    /// (the old shares).
    ///
    /// # Errors
    /// [`CalibrateError::Argument`] when both are given.
    pub fn from_settings(
        shares: Option<Vec<f64>>,
        keep_bands: bool,
    ) -> Result<Recut, CalibrateError> {
        match (shares, keep_bands) {
            (Some(_), true) => Err(CalibrateError::argument(
                "shares",
                "shares to cut to and keeping the bands exclude each other: give one",
            )),
            (Some(s), false) => Ok(Recut::Shares(s)),
            (None, true) => Ok(Recut::KeepCutoffs),
            (None, false) => Ok(Recut::SameShares),
        }
    }

    /// The shares to cut to, for a model with banded classes (`None`: leave the bands; models
    /// with share cut-offs are cut per batch anyway). The old shares are those of `before` on
    /// `data`.
    fn shares(&self, before: &Model, data: &Indicators) -> Option<Vec<f64>> {
        if !matches!(before.classes().cutoffs(), Cutoffs::Bands(_)) {
            return None;
        }
        match self {
            Recut::KeepCutoffs => None,
            Recut::Shares(s) => Some(s.clone()),
            Recut::SameShares => {
                let old = classes(before, &scores(before, data));
                let n = old.len().max(1) as f64;
                Some(
                    before
                        .classes()
                        .names()
                        .iter()
                        .map(|c| old.iter().filter(|x| *x == c).count() as f64 / n)
                        .collect(),
                )
            }
        }
    }

    /// New cut-offs for model `before` of `after` (the set with the new weights) on `data`, or
    /// `None` when the bands stay.
    ///
    /// # Errors
    /// As [`cutoffs_from_shares`].
    pub fn cutoffs(
        &self,
        before: &Model,
        after: &ModelSet,
        data: &Indicators,
        date: Option<Date>,
    ) -> Result<Option<CutoffOutcome>, CalibrateError> {
        self.shares(before, data)
            .map(|s| cutoffs_from_shares(after, Some(before.id()), data, &s, date))
            .transpose()
    }
}
