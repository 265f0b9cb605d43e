//! Deterministic synthetic enterprise profiles with a hidden "true risk".
//!
//! # Overview
//!
//! [`generate`] builds `n` realistic [`Enterprise`] profiles of the kind a
//! market regulator's information system holds (Beijing districts, GB/T 4754
//! industries, licences, typed attributes and five years of dated records), and
//! for each one a [`Truth`]: the latent annual probability that the enterprise
//! violates the rules. The truth is what a classification model should recover,
//! so the demo, tests and benchmarks can measure AUC, KS and hit rates per class.
//!
//! Each enterprise draws a latent propensity `p` from a four-segment mixture
//! (about 65% `clean` with p ≈ 0.01–0.04, 23% `sloppy` 0.05–0.15, 9% `risky`
//! 0.15–0.4 and 3% `rogue` 0.4–0.9); the rates of penalties, listings, failed
//! inspections, complaints, lawsuits, registration changes and pledges, and the
//! skew of the attributes, all rise with `p`.
//!
//! Output is a pure function of the [`SynthConfig`]: each enterprise has its own
//! ChaCha8 stream keyed by the seed and numbered by its index, so the result does
//! not depend on the number of rayon threads.
//!
//! # Usage
//!
//! ```
//! use riskgrade_core::{AttrValue, Date};
//! use riskgrade_synth::{SynthConfig, generate};
//!
//! let as_of: Date = "2026-11-27".parse().unwrap();
//! let synth = generate(&SynthConfig::new(1_000, 42, as_of));
//! assert_eq!(synth.enterprises.len(), 1_000);
//! assert_eq!(synth.enterprises[0].id.0, "E0000001");
//! assert_eq!(synth.truth[0].id, "E0000001");
//!
//! // Same config, same data.
//! assert_eq!(generate(&SynthConfig::new(1_000, 42, as_of)).enterprises, synth.enterprises);
//!
//! // Every record lies in the history, and attributes are typed.
//! let e = &synth.enterprises[0];
//! assert!(e.records.iter().all(|r| r.date <= as_of));
//! assert!(matches!(e.attributes["registered_capital"], AttrValue::Number(_)));
//! assert!(synth.truth.iter().all(|t| t.propensity > 0.0 && t.propensity < 1.0));
//! ```
//!
//! # What is produced
//!
//! Identity: `id` `E0000001`…, a name such as `Haidian Xinda Trading Co., Ltd.`,
//! an 18-character unified social credit code (`91`, district code, an organisation
//! code with its GB 11714 check character, the GB 32100 check character; unique in a batch), an industry code (6% food:
//! C13–C15), one of Beijing's 16 districts and a registration date since 1995
//! (about 8% younger than one year).
//!
//! Licences (0–3, by industry): `food_production`, `food_business`,
//! `special_equipment`, `hazardous_chemicals`, `road_transport`,
//! `construction_qualification`, `pollutant_discharge`, `public_health`, each
//! naming its issuing department as licences do (`食品生产安全监督管理处`,
//! `食品经营安全监督管理处`, `特种设备安全监察处`, `应急管理局`, `交通委员会`,
//! `住房和城乡建设委员会`, `生态环境局`, `卫生健康委员会`: each an alias in the
//! reference set's department registry); five-year terms, some lapsed.
//!
//! Attributes:
//!
//! | name | type | notes |
//! |---|---|---|
//! | `registered_capital` | number | 10k yuan, 10–100000, log-normal |
//! | `shareholders` | integer | 1–50 |
//! | `outbound_investments`, `branches` | integer | |
//! | `enterprise_type` | text | `llc`, `joint_stock`, `sole_proprietorship`, `partnership`, `foreign_invested`, `state_owned`, `collective` |
//! | `listed` | bool | about 1% |
//! | `paid_in_ratio` | number | 0–1 |
//! | `revenue_growth` | number | around 0.05; missing for ~2% |
//! | `loss_making` | bool | |
//! | `debt_ratio` | number | 0–1.5 |
//! | `insured_staff` | integer | 0 for shells |
//! | `tax_paid` | number | 10k yuan; missing for 2% |
//! | `annual_report_on_time`, `equity_frozen` | bool | |
//! | `related_revoked_share`, `related_listed_share`, `related_penalised_share`, `related_defaulter_share` | number | 0–1, mostly 0 |
//! | `negative_news_1y` | integer | |
//! | `haccp_certified`, `self_inspection_on_time` | bool | food industries only |
//! | `production_scale` | text | food only: `workshop`, `small`, `medium`, `large` |
//! | `product_category` | text | food only: `infant_formula`, `health_food`, `dairy`, `meat`, `beverage`, `bakery`, `general` |
//! | `sampling_failures_3y` | integer | food only |
//! | `staff_growth` | number | insured-staff change over the year; missing without insured staff |
//! | `licences_revoked_3y`, `ip_infringements_3y`, `equity_freezes_3y`, `enforcement_cases_3y` | integer | rare, rising with risk; `equity_freezes_3y` ≥ 1 when `equity_frozen` |
//! | `trademarks`, `patents` | integer | more for larger and sounder enterprises |
//! | `capital_reduction_ratio_1y` | number | 0–0.9: the largest cut of registered capital in the year (0 when none); each cut is a `change` record of `registered_capital` |
//! | `annual_reports_missed_3y` | integer | 0–3 |
//! | `in_bankruptcy`, `deregistration_pending`, `business_suspended` | bool | rare |
//! | `penalties_suspension_3y`, `penalties_confiscation_3y` | integer | penalty types (责令停产停业/吊销, 没收) among the general and major penalties in effect |
//! | `inspection_problems_open` | integer | problems found in 3 years still awaiting correction (≤ the problem inspections) |
//! | `abnormal_reason` | text | only while on the abnormal list: `annual_report`, `unreachable`, `instant_disclosure`, `false_information` |
//! | `tax_credit_grade` | text | `A`, `B`, `M` (mostly new enterprises), `C`, `D` |
//! | `tax_arrears`, `social_insurance_arrears`, `legal_rep_dishonest`, `credit_commitment` | bool | |
//! | `legal_rep_other_firms`, `commendations_3y` | integer | |
//! | `negative_news_share` | number | 0–1: negative among the year's news; missing without news |
//!
//! The attributes from `staff_growth` on serve the provincial-scale general
//! model and are drawn after everything else, so a seeded population keeps
//! every earlier value.
//!
//! Records over the last [`SynthConfig::years`] years (never before
//! registration, never after `as_of`), sorted by date: penalties (minor, general,
//! major, with amounts; some credit-repaired 6 months, or 12 for food, after the
//! decision), abnormal-list entries and removals (some entries repaired on their
//! removal date, some still listed), dishonest-list and judgment-defaulter
//! entries and removals (rare, mostly the `rogue` segment), inspections, complaints
//! (with a burst in the last three months for a few), lawsuits, registration
//! changes (including changes of registered capital) and equity pledges.
//!
//! # Time
//!
//! [`evolve`] moves a generated population forward, typically one month at a
//! time as regulators re-grade monthly: it appends the records that arrive in
//! the span with the same yearly rates, and credit-repairs older penalties and
//! list entries, returning the [`MonthEvents`].
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod demo;
mod evolve;
mod make;
mod provincial;
mod sample;
mod special;
mod tables;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use riskgrade_core::rng::{key, splitmix64};
use riskgrade_core::{Date, Enterprise};
use serde::{Deserialize, Serialize};

pub use demo::{inspection_finds, simulated_outcomes};
pub use evolve::{MonthEvents, evolve};

/// What to generate: how many enterprises, from which seed, as of which date
/// and with how many years of history.
///
/// ```
/// use riskgrade_synth::SynthConfig;
/// let cfg = SynthConfig::new(10, 7, "2026-11-27".parse().unwrap()).with_years(3);
/// assert_eq!((cfg.n, cfg.seed, cfg.years), (10, 7, 3));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SynthConfig {
    /// Number of enterprises.
    pub n: usize,
    /// Seed; the same seed gives the same data.
    pub seed: u64,
    /// The date the data describes: no record is later.
    pub as_of: Date,
    /// Length of the record history in years (default 5).
    pub years: u32,
}

impl SynthConfig {
    /// `n` enterprises from `seed` as of `as_of`, with five years of history.
    ///
    /// ```
    /// use riskgrade_synth::SynthConfig;
    /// assert_eq!(SynthConfig::new(1, 0, "2026-01-01".parse().unwrap()).years, 5);
    /// ```
    #[must_use]
    pub fn new(n: usize, seed: u64, as_of: Date) -> Self {
        SynthConfig {
            n,
            seed,
            as_of,
            years: 5,
        }
    }

    /// The same configuration with `years` of history.
    ///
    /// ```
    /// use riskgrade_synth::SynthConfig;
    /// let cfg = SynthConfig::new(1, 0, "2026-01-01".parse().unwrap()).with_years(2);
    /// assert_eq!(cfg.years, 2);
    /// ```
    #[must_use]
    pub fn with_years(mut self, years: u32) -> Self {
        self.years = years;
        self
    }
}

/// The hidden truth about one enterprise.
///
/// ```
/// use riskgrade_synth::{SynthConfig, generate};
/// let synth = generate(&SynthConfig::new(5, 1, "2026-01-01".parse().unwrap()));
/// let t = &synth.truth[2];
/// assert_eq!(t.id, synth.enterprises[2].id.0);
/// assert!(["clean", "sloppy", "risky", "rogue"].contains(&t.segment));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Truth {
    /// The enterprise's id.
    pub id: String,
    /// True annual probability of a violation, in (0, 1).
    pub propensity: f64,
    /// The mixture segment: `clean`, `sloppy`, `risky` or `rogue`.
    pub segment: &'static str,
}

/// Generated profiles and their truth, in the same order.
///
/// ```
/// use riskgrade_synth::{SynthConfig, generate};
/// let synth = generate(&SynthConfig::new(3, 1, "2026-01-01".parse().unwrap()));
/// assert_eq!(synth.enterprises.len(), synth.truth.len());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Synth {
    /// The profiles.
    pub enterprises: Vec<Enterprise>,
    /// The truth for each profile (`truth[i]` belongs to `enterprises[i]`).
    pub truth: Vec<Truth>,
}

/// Generates `cfg.n` enterprises and their truth, in parallel.
///
/// Enterprise `i` (id `E{i+1:07}`) is drawn from ChaCha8 stream `i` under a
/// key derived from `cfg.seed`, so the output depends only on `cfg`.
///
/// ```
/// use riskgrade_synth::{SynthConfig, generate};
/// let as_of = "2026-11-27".parse().unwrap();
/// let a = generate(&SynthConfig::new(200, 1, as_of));
/// let b = generate(&SynthConfig::new(200, 2, as_of));
/// assert_ne!(a.enterprises, b.enterprises);
/// // A longer batch from the same seed starts with the same enterprises.
/// let c = generate(&SynthConfig::new(300, 1, as_of));
/// assert_eq!(a.enterprises[..], c.enterprises[..200]);
/// ```
#[must_use]
pub fn generate(cfg: &SynthConfig) -> Synth {
    let key = key(cfg.seed);
    let years = cfg.years.min(1_000) as i32;
    let ctx = make::Ctx {
        as_of: cfg.as_of.days(),
        history_start: cfg.as_of.add_months(-12 * years).days(),
        code_offset: splitmix64(cfg.seed ^ 0x5EED_C0DE),
    };
    let (enterprises, truth) = (0..cfg.n)
        .into_par_iter()
        .map(|i| {
            let mut rng = ChaCha8Rng::from_seed(key);
            rng.set_stream(i as u64);
            make::enterprise(&mut rng, &ctx, i)
        })
        .unzip();
    Synth { enterprises, truth }
}

#[cfg(test)]
mod tests;
