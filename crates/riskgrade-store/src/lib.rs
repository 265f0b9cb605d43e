//! # riskgrade-store
//!
//! The history store of monthly grading: one SQLite file, nothing to install.
//!
//! | table | holds |
//! |---|---|
//! | `runs` | one row per period: as-of date, model version id, input digest, timestamps, counts per class |
//! | `result_blocks` | per period, blocks of up to 128 enterprises in id order: each one's score, class, reasons, indicator drivers, labels, alerts, rules, manual decision, error (texts as keys and codes) |
//! | `change_notes` | per period, for each enterprise whose class changed: why (records, repairs, indicators, rules, manual decisions) |
//! | `texts` | each text that rows refer to by key, stored once |
//! | `decisions` | manual class overrides, credit repairs of records, objections and their outcome |
//! | `audit` | every decision, revocation, resolution, run and import, append-only |
//!
//! Writing a period is one transaction ([`Store::begin_run`] … [`RunWriter::commit`]):
//! re-running a period replaces it atomically, and a process killed mid-write
//! leaves the previous state intact. The schema is versioned
//! ([`SCHEMA_VERSION`]); opening an older file for writing ([`Store::open`])
//! migrates it, opening a newer one is an error. A store is marked with
//! SQLite's `application_id` ([`APPLICATION_ID`]); a database of another
//! program is refused before anything is written to it, and
//! [`Store::open_read_only`] reads a store without writing to the file or its
//! folder.
//!
//! | module | holds |
//! |---|---|
//! | `open` | [`Store`]: opening a file or memory, the connection's settings, migrations, integrity |
//! | `schema` | the tables and their versioned migrations ([`SCHEMA_VERSION`]) |
//! | `runs` | [`NewRun`], [`RunInfo`]: reading stored runs, deleting one |
//! | `writer` | [`RunWriter`]: one period written in one transaction |
//! | `results` | [`ResultRow`], [`HistoryEntry`]: reading and scanning results, one enterprise's history |
//! | `columns` | [`ResultColumns`]: a period's results as Arrow columns, read in one pass |
//! | `codec` | how a row's reasons, drivers, lists, error and change notes are stored: structured codes rendered on read |
//! | `texts` | the texts stored once (classes, models, places, labels, alerts, rule ids, templates) and their cache |
//! | `blocks` | how a period's result rows are kept: blocks of rows in id order, one blob each |
//! | `upgrade` | the conversion of rows stored before schemas 7 and 8 |
//! | `changes` | [`ChangeKind`], [`ChangeNote`]: why a class changed from the previous period |
//! | `decisions` | [`NewDecision`], [`Decision`], [`Resolution`]: overrides, repairs, objections |
//! | `audit` | [`AuditEntry`]: the append-only audit trail |
//! | `inspections` | [`NewDraw`], [`DrawInfo`], [`StoredTask`], [`TaskOutcome`]: inspection draws and what they found |
//! | `commitments` | [`CommitmentRow`]: the digests of a draw's inputs, published before its seed, and the draw made under each |
//! | `frequencies` | [`YearCount`]: each enterprise's tasks in a calendar year, for yearly minimums, maximums and caps |
//! | `queue` | [`queues`]: each department's queue of the period's routed alerts |
//! | `keys` | [`Role`], [`NewKey`], [`StoredKey`]: API keys of the results service, stored as salted hashes |
//! | `access_log` | [`AccessEntry`], [`AccessQuery`]: the service's append-only access log |
//! | `directory` | each enterprise's name and credit code: lookups by credit code, names for publication |
//! | `dispositions` | [`AlertRef`], [`AlertState`], [`Disposition`]: alert handling; findings become records |
//! | `names` | the stored names of the enums, taken from their serde names |
//! | `error` | [`StoreError`], [`InvalidRequest`], [`DecisionProblem`] |
//!
//! ```
//! use riskgrade_store::{NewRun, ResultRow, Store};
//! let mut store = Store::in_memory()?;
//! let mut run = store.begin_run(NewRun::new("2026-10".parse()?, "2026-10-31".parse()?, "v1", ["A", "B", "C", "D"]))?;
//! run.insert(&ResultRow::graded("E1", "general", 120.0, "A"))?;
//! run.insert(&ResultRow::failed("E2", "row 2, column `debt_ratio`: not a number"))?;
//! let info = run.commit()?;
//! assert_eq!((info.enterprises, info.graded, info.errors), (2, 1, 1));
//! assert_eq!(info.class_counts, vec![1, 0, 0, 0]);
//! assert_eq!(store.result("2026-10".parse()?, "E1")?.unwrap().class.as_deref(), Some("A"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod access_log;
mod audit;
mod blocks;
mod changes;
mod codec;
mod columns;
mod commitments;
mod decisions;
mod directory;
mod dispositions;
mod error;
mod frequencies;
mod inspections;
mod keys;
mod names;
mod open;
mod queue;
mod results;
mod runs;
mod schema;
mod texts;
mod upgrade;
mod writer;

pub use access_log::{AccessEntry, AccessQuery};
pub use audit::AuditEntry;
pub use changes::{ChangeKind, ChangeNote};
pub use columns::ResultColumns;
pub use commitments::CommitmentRow;
pub use decisions::{Decision, DecisionKind, DecisionStatus, NewDecision, RecordRef, Resolution};
pub use dispositions::{AlertRef, AlertState, AlertStatus, Disposition};
pub use error::{DecisionProblem, InvalidRequest, Result, StoreError};
pub use frequencies::YearCount;
pub use inspections::{DrawInfo, NewDraw, StoredTask, TaskOutcome, TaskRow};
pub use keys::{NewKey, Role, StoredKey};
pub use open::{APPLICATION_ID, Store, Upgrade};
pub use queue::{DepartmentQueue, QueueItem, Queues, queues};
pub use results::{HistoryEntry, ResultRow};
pub use runs::{NewRun, RunInfo};
pub use schema::SCHEMA_VERSION;
pub use writer::{ReplacedRun, RunWriter};

pub(crate) use open::now;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_lean;
#[cfg(test)]
mod tests_open;
#[cfg(test)]
mod tests_writer;
