//! Insufficient information (信息不足): the least evidence a model needs before its score means
//! anything, and what happens to an enterprise below it.
//!
//! Without this, an enterprise with no attributes and no records scores no risk on every
//! indicator and is graded as the safest class. A model's `[insufficient]` table says which
//! inputs must be known, how many of the counted inputs must be known, and the action below
//! that: a flag only, a default class, or a floor.
//!
//! ```toml
//! [insufficient]
//! required = ["years_in_operation"]   # any of these missing: insufficient
//! min_known = 5                       # and at least 5 of the counted inputs known
//! action = "class"                    # "flag", "class" (this class) or "at_least" (a floor)
//! class = "B"
//! ```
//!
//! The counted inputs are, unless `count` lists them, the inputs the model's indicators read
//! that are not derived: values the enterprise or its registry supply (attributes, columns).
//! Derived counts of records are 0, not missing, when there are no records, so they are no
//! evidence that the enterprise is known.

use riskgrade_core::did_you_mean;
use serde::{Deserialize, Serialize};

use crate::classes::Classes;
use crate::error::Problem;
use crate::model::{Leaf, Source};
use crate::spec::ModelSpec;

/// What happens to an enterprise with insufficient information.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InsufficientAction {
    /// Graded as usual, and reported as having insufficient information.
    Flag,
    /// Given `class`, unless a rule raised its class above the one its score gave
    /// (a veto or a floor is evidence of risk, and stands). The score no longer decides, so
    /// the class is not monotone in the inputs; `at_least` is.
    Class,
    /// Given at least `class` (a floor over the class after the rules).
    AtLeast,
}

/// A model's `[insufficient]` table, as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InsufficientSpec {
    /// Inputs that must be known; any one missing makes the information insufficient.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required: Vec<String>,
    /// At least this many of the counted inputs must be known (default 0).
    #[serde(default)]
    pub min_known: usize,
    /// The counted inputs (default: the inputs the indicators read that are not derived).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<Vec<String>>,
    /// What happens below the minimum.
    pub action: InsufficientAction,
    /// The class for `class` and `at_least`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
}

/// A model's compiled `[insufficient]` policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Insufficient {
    /// Inputs that must be known.
    pub required: Vec<String>,
    /// The counted inputs.
    pub counted: Vec<String>,
    /// How many counted inputs must be known.
    pub min_known: usize,
    /// What happens below the minimum.
    pub action: InsufficientAction,
    /// The class index (0 = lowest risk) of `class` and `at_least`.
    pub class: Option<usize>,
}

impl Insufficient {
    /// Checks a model's `[insufficient]` table against its inputs and classes.
    pub(crate) fn compile(
        spec: &ModelSpec,
        leaves: &[Leaf],
        classes: &Classes,
    ) -> Result<Option<Insufficient>, Problem> {
        let Some(s) = &spec.insufficient else {
            return Ok(None);
        };
        let counted: Vec<String> = match &s.count {
            Some(list) => list.clone(),
            None => {
                let mut v: Vec<String> = Vec::new();
                for l in leaves {
                    if let Source::Input { name, .. } = &l.source
                        && spec.inputs.get(name).is_some_and(|i| i.derive.is_none())
                        && !v.contains(name)
                    {
                        v.push(name.clone());
                    }
                }
                v
            }
        };
        for input in s.required.iter().chain(&counted) {
            if !spec.inputs.contains_key(input) {
                return Err(Problem::InsufficientInput {
                    input: input.clone(),
                    suggestion: did_you_mean(input, spec.inputs.keys().map(String::as_str))
                        .map(str::to_string),
                });
            }
        }
        if s.min_known > counted.len() {
            return Err(Problem::InsufficientCount {
                min_known: s.min_known,
                counted: counted.len(),
            });
        }
        let class = match (s.action, &s.class) {
            (InsufficientAction::Flag, None) => None,
            (InsufficientAction::Class | InsufficientAction::AtLeast, Some(c)) => {
                match classes.names().iter().position(|n| n == c) {
                    Some(i) => Some(i),
                    None => return Err(class_problem(s)),
                }
            }
            _ => return Err(class_problem(s)),
        };
        Ok(Some(Insufficient {
            required: s.required.clone(),
            counted,
            min_known: s.min_known,
            action: s.action,
            class,
        }))
    }
}

fn class_problem(s: &InsufficientSpec) -> Problem {
    Problem::InsufficientClass {
        action: match s.action {
            InsufficientAction::Flag => "flag",
            InsufficientAction::Class => "class",
            InsufficientAction::AtLeast => "at_least",
        },
        class: s.class.clone(),
    }
}
