//! The demo's simulation: what inspections of synthetic enterprises find. (The demo's
//! inspector pool is the embedded `examples/inspectors/beijing-pool.csv`, read by
//! `riskgrade_monthly::pool_from_csv`.)
//!
//! A simulated inspection finds a problem with the enterprise's hidden true
//! propensity ([`Truth::propensity`]); every number comes from
//! [`riskgrade_core::rng`], so the same seed finds the same problems.

use riskgrade_core::Date;
use riskgrade_core::rng::{splitmix64, to_unit, unit};

use crate::Truth;

/// Whether the inspection of task number `task`, drawn on `date`, finds a
/// problem at an enterprise whose true yearly violation probability is
/// `propensity`.
///
/// ```
/// use riskgrade_synth::inspection_finds;
/// let date = "2026-01-01".parse().unwrap();
/// assert!(!inspection_finds(42, 7, date, 0.0));
/// assert!(inspection_finds(42, 7, date, 1.0));
/// assert_eq!(inspection_finds(42, 7, date, 0.5), inspection_finds(42, 7, date, 0.5));
/// ```
#[must_use]
pub fn inspection_finds(seed: u64, task: u32, date: Date, propensity: f64) -> bool {
    // The day number's bit pattern, as the draw dates its tasks.
    let day = u64::from(date.days() as u32);
    let u = to_unit(splitmix64(seed ^ splitmix64(u64::from(task) ^ (day << 32))));
    u < propensity
}

/// Simulated inspections of about a tenth of a synthetic population, picked at
/// random: each finds a problem with the enterprise's hidden true probability.
/// Returns (enterprise id, problem found), in population order.
///
/// ```
/// use riskgrade_synth::{SynthConfig, generate, simulated_outcomes};
/// let synth = generate(&SynthConfig::new(2_000, 1, "2026-01-01".parse().unwrap()));
/// let outcomes = simulated_outcomes(&synth.truth, 1);
/// assert!((100..300).contains(&outcomes.len()));
/// assert_eq!(outcomes, simulated_outcomes(&synth.truth, 1));
/// ```
#[must_use]
pub fn simulated_outcomes(truth: &[Truth], seed: u64) -> Vec<(String, bool)> {
    truth
        .iter()
        .enumerate()
        .filter(|(i, _)| unit(seed, 2 * *i as u64) < 0.1)
        .map(|(i, t)| (t.id.clone(), unit(seed, 2 * i as u64 + 1) < t.propensity))
        .collect()
}
