//! Loading what the commands work on: model sets, batches, plans, history
//! stores, and the default grading date.

use std::path::Path;
use std::sync::Arc;

use riskgrade::inspect::Plan;
use riskgrade::store::{Store, StoreError};
use riskgrade::{Date, Enterprise, Frame, Grader, Grades, ModelSet, Options};

pub(crate) use crate::error::read_failure;
use crate::error::{Failure, eval_failure, model_failure, plan_failure, store_failure};

/// The grading date of synthetic populations when none is given.
pub(crate) const DEFAULT_AS_OF: &str = "2026-11-01";

/// [`DEFAULT_AS_OF`] as a date.
pub(crate) fn default_as_of() -> Result<Date, Failure> {
    DEFAULT_AS_OF.parse().map_err(Failure::data)
}

/// A model set file, or the embedded reference set.
pub(crate) fn load_model(path: Option<&Path>) -> Result<Arc<ModelSet>, Failure> {
    let set = match path {
        Some(p) => ModelSet::from_file(p),
        None => riskgrade::examples::reference(),
    };
    set.map(Arc::new).map_err(model_failure)
}

/// Whether a file holds nested profiles (by its extension).
pub(crate) fn is_profiles(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("jsonl" | "ndjson" | "json")
    )
}

/// A loaded batch: its columns, and the profiles they were derived from (for rules that read records).
pub(crate) struct Loaded {
    /// The columns.
    pub(crate) frame: Frame,
    /// The profiles, when the file holds profiles.
    pub(crate) profiles: Option<Vec<Enterprise>>,
}

/// Loads a batch and keeps the profiles when the file holds profiles.
pub(crate) fn load_batch(
    path: &Path,
    set: &ModelSet,
    as_of: Date,
    strict: bool,
) -> Result<Loaded, Failure> {
    if is_profiles(path) {
        let p = riskgrade::io::read_profiles(path, strict).map_err(read_failure)?;
        let frame = Frame::from_profiles(&p.enterprises, set.schema(), as_of, set.effect_periods());
        // Unreadable profiles stay in the batch as rows that are reported, not graded.
        Ok(Loaded {
            frame: frame.with_unreadable(p.unreadable()),
            profiles: Some(p.enterprises),
        })
    } else {
        Ok(Loaded {
            frame: riskgrade::io::read_frame(path, set.schema()).map_err(read_failure)?,
            profiles: None,
        })
    }
}

/// Grades a batch with a set.
pub(crate) fn grade_with(
    set: &Arc<ModelSet>,
    frame: &Frame,
    profiles: Option<&[Enterprise]>,
    as_of: Date,
    options: &Options,
) -> Result<Grades, Failure> {
    Grader::new(Arc::clone(set))
        .grade_with(frame, profiles, as_of, options)
        .map_err(eval_failure)
}

/// Loads a plan file, or an embedded reference plan by name (`henan-2021`, …).
pub(crate) fn load_plan(name: &str) -> Result<Plan, Failure> {
    let path = Path::new(name);
    let result = if path.exists() {
        Plan::from_file(path)
    } else {
        match riskgrade::inspect::examples::plan(name) {
            Some(p) => p,
            None => {
                return Err(Failure::usage(format!(
                    "`{name}`: no such plan file, and not an embedded plan ({})",
                    riskgrade::inspect::examples::PLANS
                        .map(|(f, _)| f.trim_end_matches(".toml"))
                        .join(", ")
                )));
            }
        }
    };
    result.map_err(plan_failure)
}

/// Opens a history store, creating it when missing.
pub(crate) fn open_store(path: &Path) -> Result<Store, Failure> {
    Store::open(path).map_err(store_failure)
}

/// Opens a store that must exist already, for reading only: nothing is
/// written to it (no migration), and a store on read-only media can be read.
pub(crate) fn open_existing(path: &Path) -> Result<Store, Failure> {
    Store::open_read_only(path).map_err(store_failure)
}

/// Opens a store that must exist already, for writing (draws, outcomes).
pub(crate) fn open_existing_for_writing(path: &Path) -> Result<Store, Failure> {
    must_exist(path)?;
    open_store(path)
}

pub(crate) fn must_exist(path: &Path) -> Result<(), Failure> {
    if path.exists() {
        return Ok(());
    }
    Err(store_failure(StoreError::NoStore {
        file: path.to_path_buf(),
    }))
}
