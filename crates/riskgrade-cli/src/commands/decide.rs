//! `decide`: manual decisions (class overrides, credit repairs, objections),
//! each audited, and their list with the audit trail.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use riskgrade::Month;
use riskgrade::store::{Decision, NewDecision, Resolution};
use riskgrade::{Date, RecordType};

use crate::error::{Failure, store_failure};
use crate::load::{open_existing, open_store};
use crate::ui::{Ui, out};

/// Decisions recorded by hand, each audited.
#[derive(Subcommand)]
pub(crate) enum DecideCommand {
    /// Set an enterprise's class whatever its score and rules, from a date (until a date).
    Override {
        /// History store.
        #[arg(long, short = 's')]
        store: PathBuf,
        /// Enterprise id.
        #[arg(long)]
        id: String,
        /// The class.
        #[arg(long)]
        class: String,
        /// First day it counts.
        #[arg(long)]
        from: Date,
        /// Last day it counts (default: until revoked).
        #[arg(long)]
        until: Option<Date>,
        /// Who decides.
        #[arg(long)]
        by: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Credit repair (信用修复): a record stops counting from a date.
    Repair {
        /// History store.
        #[arg(long, short = 's')]
        store: PathBuf,
        /// Enterprise id.
        #[arg(long)]
        id: String,
        /// The record's kind (penalty, abnormal_list, dishonest_list, …).
        #[arg(long)]
        record: String,
        /// The record's date.
        #[arg(long)]
        record_date: Date,
        /// The repair date: the record counts no more from this day.
        #[arg(long)]
        repaired: Date,
        /// Who decides.
        #[arg(long)]
        by: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// File an enterprise's objection to its grade of a period.
    Objection {
        /// History store.
        #[arg(long, short = 's')]
        store: PathBuf,
        /// Enterprise id.
        #[arg(long)]
        id: String,
        /// The period objected to.
        #[arg(long)]
        period: Month,
        /// Date filed.
        #[arg(long)]
        filed: Date,
        /// Who filed it.
        #[arg(long)]
        by: String,
        /// The grounds.
        #[arg(long)]
        reason: String,
    },
    /// Resolve an open objection: upheld (optionally with a new class) or rejected.
    Resolve {
        /// History store.
        #[arg(long, short = 's')]
        store: PathBuf,
        /// The objection's number.
        #[arg(long)]
        decision: i64,
        /// `upheld` or `rejected`.
        #[arg(long, value_parser = ["upheld", "rejected"])]
        outcome: String,
        /// Upheld: the class it gets (recorded as an override).
        #[arg(long, requires = "from")]
        class: Option<String>,
        /// Upheld with a class: from when.
        #[arg(long)]
        from: Option<Date>,
        /// Who resolves it.
        #[arg(long)]
        by: String,
        /// How it was resolved.
        #[arg(long)]
        note: String,
    },
    /// Withdraw an active override or repair.
    Revoke {
        /// History store.
        #[arg(long, short = 's')]
        store: PathBuf,
        /// The decision's number.
        #[arg(long)]
        decision: i64,
        /// Who withdraws it.
        #[arg(long)]
        by: String,
        /// Why.
        #[arg(long)]
        why: String,
    },
    /// List decisions (of one enterprise) with the audit trail.
    List {
        /// History store.
        #[arg(long, short = 's')]
        store: PathBuf,
        /// Only this enterprise.
        #[arg(long)]
        id: Option<String>,
    },
}

/// A decision as listed: what it is, and how it ended.
pub(crate) fn describe(d: &Decision) -> String {
    let mut s = d.describe();
    if let Some(o) = &d.outcome {
        s.push_str(&format!(" -> {o}"));
    }
    s
}

fn record_type(name: &str) -> Result<RecordType, Failure> {
    RecordType::ALL
        .into_iter()
        .find(|t| t.name() == name)
        .ok_or_else(|| {
            Failure::usage(format!(
                "`{name}` is not a record kind; one of {}",
                RecordType::ALL.map(RecordType::name).join(", ")
            ))
        })
}

/// `riskgrade decide …`.
pub(crate) fn decide(ui: &Ui, command: DecideCommand) -> Result<u8, Failure> {
    match command {
        DecideCommand::Override {
            store,
            id,
            class,
            from,
            until,
            by,
            reason,
        } => {
            let mut s = open_store(&store)?;
            let mut d = NewDecision::overriding(&id, &class, from, &by, &reason);
            d.until = until;
            let n = s.decide(d).map_err(store_failure)?;
            ui.say(format!("decision #{n}: {id} is class {class} from {from} (it applies to the runs graded as of that date or later)"));
        }
        DecideCommand::Repair {
            store,
            id,
            record,
            record_date,
            repaired,
            by,
            reason,
        } => {
            let mut s = open_store(&store)?;
            let kind = record_type(&record)?;
            let n = s
                .decide(NewDecision::repair(
                    &id,
                    kind,
                    record_date,
                    repaired,
                    &by,
                    &reason,
                ))
                .map_err(store_failure)?;
            ui.say(format!(
                "decision #{n}: the {record} of {record_date} of {id} counts no more from {repaired}"
            ));
        }
        DecideCommand::Objection {
            store,
            id,
            period,
            filed,
            by,
            reason,
        } => {
            let mut s = open_store(&store)?;
            let n = s
                .decide(NewDecision::objection(&id, period, filed, &by, &reason))
                .map_err(store_failure)?;
            ui.say(format!(
                "decision #{n}: objection of {id} to its grade of {period}, open"
            ));
        }
        DecideCommand::Resolve {
            store,
            decision,
            outcome,
            class,
            from,
            by,
            note,
        } => {
            let mut s = open_store(&store)?;
            if outcome == "rejected" && class.is_some() {
                return Err(Failure::usage(
                    "--class goes with --outcome upheld: a rejected objection keeps the grade",
                ));
            }
            let resolution = if outcome == "upheld" {
                Resolution::Upheld {
                    class,
                    effective: from.unwrap_or_else(|| Date::from_days(0)),
                }
            } else {
                Resolution::Rejected
            };
            let follow = s
                .resolve(decision, resolution, &by, &note)
                .map_err(store_failure)?;
            match follow {
                Some(o) => ui.say(format!(
                    "objection #{decision} {outcome}; override #{o} records the new class"
                )),
                None => ui.say(format!("objection #{decision} {outcome}")),
            }
        }
        DecideCommand::Revoke {
            store,
            decision,
            by,
            why,
        } => {
            let mut s = open_store(&store)?;
            s.revoke(decision, &by, &why).map_err(store_failure)?;
            ui.say(format!("decision #{decision} revoked"));
        }
        DecideCommand::List { store, id } => list(&store, id.as_deref())?,
    }
    Ok(0)
}

/// `riskgrade decide list`: the decisions, then the audit trail.
fn list(store: &Path, id: Option<&str>) -> Result<(), Failure> {
    let s = open_existing(store)?;
    for d in s.decisions(id).map_err(store_failure)? {
        out(describe(&d));
    }
    out("audit trail:");
    for a in s.audit_trail(id).map_err(store_failure)? {
        let about = match (&a.decision, &a.enterprise) {
            (Some(d), Some(e)) => format!(" #{d} {e}"),
            (None, Some(e)) => format!(" {e}"),
            _ => String::new(),
        };
        out(format!(
            "  {:>4}  {}  {} {}{about}: {}",
            a.seq,
            timestamp(a.at),
            a.actor,
            a.action,
            a.detail
        ));
    }
    Ok(())
}

/// Unix seconds as `YYYY-MM-DD HH:MM:SSZ`.
fn timestamp(at: i64) -> String {
    let days = at.div_euclid(86_400);
    let secs = at.rem_euclid(86_400);
    let date = Date::from_days(i32::try_from(days).unwrap_or(0));
    format!(
        "{date} {:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}
