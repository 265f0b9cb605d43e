//! The methods that set weights from data, by name, and one entry that runs any of them.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use riskgrade_core::Date;
use riskgrade_model::ModelSet;
use riskgrade_weights::objective::Direction;

use crate::{
    CalibrateError, Change, FitOptions, FitOutcome, Indicators, ObjectiveMethod, ObjectiveOptions,
    ObjectiveOutcome, Recut, fit_outcomes, objective,
};

/// A method that sets a model's weights from data.
///
/// ```
/// use riskgrade_calibrate::Method;
/// let m: Method = "critic".parse()?;
/// assert_eq!(m, Method::Critic);
/// assert!(!m.needs_outcomes() && Method::Logistic.needs_outcomes());
/// assert!("magic".parse::<Method>().unwrap_err().to_string().contains("not known"));
/// # Ok::<(), riskgrade_calibrate::CalibrateError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Method {
    /// Entropy weight, from a batch: indicators whose values vary more weigh more.
    Entropy,
    /// CRITIC, from a batch: contrast times conflict with the other indicators.
    Critic,
    /// Logistic calibration on inspection outcomes.
    Logistic,
}

impl Method {
    /// Every method, in the order they are listed to users.
    pub const ALL: [Method; 3] = [Method::Entropy, Method::Critic, Method::Logistic];

    /// `entropy`, `critic` or `logistic`.
    pub fn name(self) -> &'static str {
        match self {
            Method::Entropy => "entropy",
            Method::Critic => "critic",
            Method::Logistic => "logistic",
        }
    }

    /// Whether the method reads inspection outcomes.
    pub fn needs_outcomes(self) -> bool {
        matches!(self, Method::Logistic)
    }

    /// The objective method, for entropy and CRITIC.
    pub fn objective(self) -> Option<ObjectiveMethod> {
        match self {
            Method::Entropy => Some(ObjectiveMethod::Entropy),
            Method::Critic => Some(ObjectiveMethod::Critic),
            Method::Logistic => None,
        }
    }

    /// The names, for messages: `"entropy", "critic" or "logistic"`.
    pub(crate) fn known() -> String {
        let names: Vec<String> = Method::ALL
            .iter()
            .map(|m| format!("\"{}\"", m.name()))
            .collect();
        match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => names.join(""),
        }
    }
}

impl From<ObjectiveMethod> for Method {
    fn from(m: ObjectiveMethod) -> Method {
        match m {
            ObjectiveMethod::Entropy => Method::Entropy,
            ObjectiveMethod::Critic => Method::Critic,
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Method {
    type Err = CalibrateError;

    /// `entropy`, `critic` or `logistic` (any case).
    fn from_str(s: &str) -> Result<Method, CalibrateError> {
        Method::ALL
            .into_iter()
            .find(|m| m.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| CalibrateError::UnknownMethod {
                given: s.to_string(),
            })
    }
}

/// Settings of [`weights_from_data`]; each method reads the ones it uses.
#[derive(Debug, Clone)]
pub struct WeightOptions {
    /// The model (default: the set's default model).
    pub model: Option<String>,
    /// Entropy, CRITIC: only the leaves below this node get new weights.
    pub under: Option<String>,
    /// The experts' share α in `α·expert + (1 − α)·method` (default 0).
    pub expert_share: f64,
    /// Entropy, CRITIC: leaf directions that differ from the scoring functions'.
    pub directions: BTreeMap<String, Direction>,
    /// Logistic: the share of inspections held out to evaluate the fit (default 0.3).
    pub holdout: f64,
    /// Logistic: chooses the held-out inspections.
    pub seed: u64,
    /// Logistic: how the classes are cut after the weights change.
    pub recut: Recut,
    /// The date recorded in the provenance.
    pub date: Option<Date>,
}

impl Default for WeightOptions {
    fn default() -> Self {
        let fit = FitOptions::default();
        WeightOptions {
            model: None,
            under: None,
            expert_share: 0.0,
            directions: BTreeMap::new(),
            holdout: fit.holdout,
            seed: fit.seed,
            recut: fit.recut,
            date: None,
        }
    }
}

/// What [`weights_from_data`] did: the method's own report.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum WeightsOutcome {
    /// Entropy or CRITIC.
    Objective(Box<ObjectiveOutcome>),
    /// Logistic calibration on outcomes (with the re-cut classes, unless kept).
    Outcomes(Box<FitOutcome>),
}

impl WeightsOutcome {
    /// The changes to write, in order (the weights, then any new cut-offs).
    pub fn changes(&self) -> Vec<Change> {
        match self {
            WeightsOutcome::Objective(o) => vec![o.change.clone()],
            WeightsOutcome::Outcomes(f) => f.changes(),
        }
    }

    /// The model whose weights changed.
    pub fn model(&self) -> &str {
        match self {
            WeightsOutcome::Objective(o) => &o.model,
            WeightsOutcome::Outcomes(f) => &f.model,
        }
    }
}

impl fmt::Display for WeightsOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WeightsOutcome::Objective(o) => o.fmt(f),
            WeightsOutcome::Outcomes(o) => o.fmt(f),
        }
    }
}

/// Sets a model's weights from data with `method`: entropy and CRITIC read `data`
/// ([`objective`]), logistic calibration fits on `outcomes` ([`fit_outcomes`]).
///
/// # Errors
/// [`CalibrateError::Argument`] when the logistic calibration gets no outcomes; otherwise as the
/// method's function.
pub fn weights_from_data(
    set: &ModelSet,
    data: &Indicators,
    method: Method,
    outcomes: Option<&[(String, bool)]>,
    options: &WeightOptions,
) -> Result<WeightsOutcome, CalibrateError> {
    match (method.objective(), outcomes) {
        (Some(m), _) => {
            let o = ObjectiveOptions {
                model: options.model.clone(),
                under: options.under.clone(),
                expert_share: options.expert_share,
                directions: options.directions.clone(),
                date: options.date,
            };
            objective(set, data, m, &o).map(|x| WeightsOutcome::Objective(Box::new(x)))
        }
        (None, Some(outcomes)) => {
            let o = FitOptions {
                model: options.model.clone(),
                holdout: options.holdout,
                seed: options.seed,
                expert_share: options.expert_share,
                recut: options.recut.clone(),
                date: options.date,
                ..FitOptions::default()
            };
            fit_outcomes(set, data, outcomes, &o).map(|f| WeightsOutcome::Outcomes(Box::new(f)))
        }
        (None, None) => Err(CalibrateError::argument(
            "outcomes",
            format!("the {method} calibration needs outcomes (inspection results to calibrate on)"),
        )),
    }
}
