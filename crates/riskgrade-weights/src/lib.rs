//! # riskgrade-weights
//!
//! How a weight comes to be what it is. Regulators must "adjust indicators and weights
//! scientifically" and show why; this crate holds the numerical methods, free of models and files:
//!
//! | module | owns |
//! |---|---|
//! | [`ahp`] | the analytic hierarchy process: weights from a pairwise comparison matrix (Saaty's 1–9 scale), λmax, CI, CR against a named random-index table, the most inconsistent judgements |
//! | [`objective`] | objective weights from a batch of data: entropy weight and CRITIC, with benefit/cost directions; the convex combination of expert and objective weights |
//! | [`logistic`] | calibration on inspection outcomes: logistic regression of "problem found" on the indicators, sign checks, warnings for correlated indicators |
//! | [`cutoffs`] | class cut-offs from target shares or from desired detection rates |
//!
//! Every method returns weights that are non-negative and sum to 1, or an error that says why not.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod ahp;
pub mod cutoffs;
pub mod logistic;
pub mod objective;
