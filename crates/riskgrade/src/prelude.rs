//! What a program needs to grade a batch: `use riskgrade::prelude::*;`.
//!
//! ```
//! use std::sync::Arc;
//! use riskgrade::prelude::*;
//!
//! let set = Arc::new(riskgrade::examples::reference()?);
//! let profiles: Vec<Enterprise> = serde_json::from_str(
//!     r#"[{"id": "E1", "industry": "F5211", "registered": "2012-04-01",
//!          "attributes": {"registered_capital": 500, "shareholders": 3, "paid_in_ratio": 1,
//!                         "debt_ratio": 0.3, "insured_staff": 40}}]"#,
//! )?;
//! let as_of: Date = "2026-11-01".parse()?;
//! let frame = Frame::from_profiles(&profiles, set.schema(), as_of, set.effect_periods());
//! let grades = Grader::new(set).grade_with(&frame, Some(&profiles), as_of, &Options::default())?;
//! let table = results_table(&grades, &frame, ResultColumns::default());
//! assert_eq!((grades.class(0), table[0].name.as_str()), (Some("A"), "id"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub use riskgrade_core::{Date, Enterprise, Frame, Month, Schema};
pub use riskgrade_engine::{
    ErrorPolicy, EvalError, Explanation, Grader, Grades, Options, ResultColumns, compare_models,
    results_table,
};
pub use riskgrade_io::{read_frame, read_profiles, write_table};
pub use riskgrade_model::{ModelError, ModelSet};
