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
    /// The name used in files and scripts.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }

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
    /// Move the class by `steps` (negative: towards less risk), e.g. one class
    /// better for a positive signal (`promote`) or worse (`demote`).
    Shift {
        /// Classes moved; -1 is one class less risky.
        steps: i64,
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

impl Action {
    /// The reason given with the action (the label or alert message for those).
    pub fn reason(&self) -> &str {
        match self {
            Action::Adjust { reason, .. }
            | Action::ForceClass { reason, .. }
            | Action::AtLeast { reason, .. }
            | Action::AtMost { reason, .. }
            | Action::Shift { reason, .. } => reason,
            Action::Label { label } => label,
            Action::Alert { message, .. } => message,
        }
    }

    /// Every text of the action: its reason, class, label, alert topic or message.
    pub fn texts(&self) -> Vec<&str> {
        match self {
            Action::Adjust { reason, .. } | Action::Shift { reason, .. } => vec![reason],
            Action::ForceClass { class, reason }
            | Action::AtLeast { class, reason }
            | Action::AtMost { class, reason } => vec![class, reason],
            Action::Label { label } => vec![label],
            Action::Alert { topic, message, .. } => vec![topic, message],
        }
    }

    /// The bytes of all the action's texts, as counted against the effect limits.
    ///
    /// ```
    /// use riskgrade_rules::Action;
    /// let a = Action::Alert { topic: "food".into(), message: "late".into(), severity: riskgrade_rules::Severity::Info };
    /// assert_eq!(a.text_bytes(), 8);
    /// ```
    pub fn text_bytes(&self) -> usize {
        self.texts().iter().map(|t| t.len()).sum()
    }

    /// Whether the action can change the score or the class.
    pub fn grades(&self) -> bool {
        !matches!(self, Action::Label { .. } | Action::Alert { .. })
    }
}
