//! What a draw knows about one enterprise.

use serde::{Deserialize, Serialize};

/// One enterprise of the graded period, as the draw and the evaluation see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// Enterprise id.
    pub id: String,
    /// Its class in the period (e.g. `A`).
    pub class: String,
    /// Its score, when graded.
    pub score: Option<f64>,
    /// Administrative district.
    pub district: String,
    /// Industry code (GB/T 4754, e.g. `C14`).
    pub industry: String,
    /// Topics of the alerts raised for it this period (e.g. `complaints`).
    pub alerts: Vec<String>,
    /// Its classification labels (e.g. `重点监管`).
    pub labels: Vec<String>,
    /// Types of the licences it holds (e.g. `food_production`), for plans scoped by licence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licences: Vec<String>,
}
