//! What a rule can do.

use serde::{Deserialize, Serialize};

/// How urgent an alert is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// For information.
    Info,
    /// Needs attention.
    Warning,
    /// Needs action now.
    Critical,
}

impl Severity {
    pub(crate) fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }
}

/// One effect of a rule on one enterprise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// Add points to the score (negative to subtract), with a reason.
    Adjust {
        /// Points added.
        points: f64,
        /// Why.
        reason: String,
    },
    /// Place the enterprise in this class, whatever the score (a veto).
    ForceClass {
        /// The class name.
        class: String,
        /// Why.
        reason: String,
    },
    /// The class is at least this risky.
    AtLeast {
        /// The class name.
        class: String,
        /// Why.
        reason: String,
    },
    /// The class is at most this risky.
    AtMost {
        /// The class name.
        class: String,
        /// Why.
        reason: String,
    },
    /// Put the enterprise in a monitoring pool or give it a classification label.
    Label {
        /// The label, e.g. `重点监管`.
        label: String,
    },
    /// Raise an alert, routed to a department by the model's routing table.
    Alert {
        /// The topic, e.g. `food_safety`.
        topic: String,
        /// The message.
        message: String,
        /// How urgent.
        severity: Severity,
    },
}
