//! Indicator/weight models: the file format, validation, compilation and scoring kernels.
//!
//! | module | owns |
//! |---|---|
//! | `spec` | the serde types of a model file ([`ModelSpec`], [`NodeSpec`], [`ScoreSpec`], …) |
//! | `model` | [`Model`]: a validated tree with absolute leaf weights, [`Leaf`], [`Node`] |
//! | `score` | [`ScoreFn`] and its vectorised column kernels |
//! | `classes` | [`Classes`]: bands or target shares, assignment of a class to a score |
//! | `insufficient` | [`InsufficientSpec`], [`Insufficient`]: the least evidence a model needs, and what happens below it |
//! | `codes` | [`CodesSpec`]: what a set does with bad credit, industry and district codes |
//! | `rule_files` | rules as declared: ids checked, script files confined to their folder, duplicates with both places |
//! | `route` | routing enterprises to models by industry, licence type or both, with the precedence of [`RouteSpec`] |
//! | `set` | [`ModelSet`]: general + specialised models, routing, version id, load/save |
//! | `error` | [`ModelError`] and [`Problem`]: what is wrong, where, and how to fix it |
//! | `examples` | the reference models, embedded so that they work with no files around |
//!
//! ```
//! use riskgrade_model::{ModelError, ModelSet};
//! let err = ModelSet::from_toml_str(r#"
//! id = "m"
//! scale = { min = 0, max = 100, higher = "risk" }
//! defaults = { missing = 0 }
//! [inputs.complaints]
//! type = "count"
//! [[node]]
//! path = "social"
//! weight = 0.9
//! [[node]]
//! path = "social.complaints"
//! weight = 1
//! input = "complaints"
//! score = { type = "bins", edges = [1, 3], points = [0, 50, 100] }
//! "#).unwrap_err();
//! // The weight of the top level's first node, on line 9:
//! assert_eq!(
//!     err.to_string(),
//!     "line 9, column 1: model `m`: weights of `(top level)` sum to 0.9, expected 1"
//! );
//! ```
//! The only `unsafe` is the call into the AVX2 build of the scoring kernels,
//! made after checking that the CPU has AVX2 (`score.rs`).
#![deny(unsafe_code)]
#![deny(missing_docs)]

mod classes;
mod codes;
mod error;
pub mod examples;
mod insufficient;
mod locate;
mod model;
mod route;
mod routing;
mod rule_files;
mod score;
mod set;
mod spec;

pub use classes::{Classes, Cutoffs, default_classes};
pub use codes::{CodePolicy, CodesSpec};
pub use error::{ModelError, ModelReference, Problem, RouteProblem, ScriptFileProblem, SetProblem};
pub use insufficient::{Insufficient, InsufficientAction, InsufficientSpec};
pub use model::{Leaf, Model, Node, SilentMissing, Source};
pub use routing::{DepartmentSpec, RouteBy, RoutingSpec, RuleLimitsSpec, TopicRoute};
pub use score::{Emit, ScoreFn};
pub use set::ModelSet;
pub use spec::{
    ClassSpec, DefaultsSpec, Direction, MissingPolicy, ModelSetSpec, ModelSpec, NodeSpec,
    ProvenanceSpec, ProvenanceValue, RouteSpec, ScaleSpec, ScoreSpec,
};
