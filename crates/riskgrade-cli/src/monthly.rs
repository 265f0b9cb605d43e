//! The monthly commands: `run`, `periods`, `changes`, `history`, `decide`,
//! `export`, `import`, and the twelve-month `demo`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use clap::Subcommand;
use riskgrade::Month;
use riskgrade::calibrate::Indicators;
use riskgrade::store::{ChangeKind, Decision, NewDecision, Resolution, Store, StoreError};
use riskgrade::synth::{SynthConfig, evolve, generate};
use riskgrade::{
    Date, ErrorPolicy, EvalError, ModelSet, MonthInput, MonthReport, MonthlyError, Options,
    PeriodComparison, RecordKind, RecordType, Severity, ShareError, compare_periods, export_period,
    import_period, run_month,
};

use crate::{Failure, Ui, check_output, is_profiles, load_model, rule_report};

/// `riskgrade run`: one month into the history store.
#[derive(clap::Args)]
pub(crate) struct RunArgs {
    /// History store (an SQLite file; created when missing).
    #[arg(long, short = 's')]
    store: PathBuf,
    /// The period graded (YYYY-MM).
    #[arg(long, short = 'p')]
    period: Month,
    /// Grading date (default: the period's last day).
    #[arg(long)]
    as_of: Option<Date>,
    /// Model or model set file (default: the embedded reference set).
    #[arg(long, short)]
    model: Option<PathBuf>,
    /// Enterprises: profiles (.jsonl/.json; credit repairs apply and record changes are explained)
    /// or derived columns (.csv/.parquet).
    #[arg(long, short)]
    data: PathBuf,
    /// Grade by the indicators alone, without the model set's rules.
    #[arg(long)]
    no_rules: bool,
    /// When a rule fails on an enterprise: fail-row, skip-rule or abort.
    #[arg(long, default_value = "fail-row")]
    on_rule_error: ErrorPolicy,
    /// Print this many of the enterprises that changed class, with why.
    #[arg(long, default_value_t = 10)]
    top: usize,
}

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

pub(crate) fn store_failure(e: StoreError) -> Failure {
    match e {
        StoreError::Invalid(m) => Failure {
            code: 2,
            message: m,
        },
        other => Failure::io(other),
    }
}

fn open(path: &Path) -> Result<Store, Failure> {
    Store::open(path).map_err(store_failure)
}

/// Opens a store that must exist already (reading commands).
pub(crate) fn open_existing(path: &Path) -> Result<Store, Failure> {
    if !path.exists() {
        return Err(Failure {
            code: 2,
            message: format!(
                "`{}`: no history store there; `riskgrade run --store {}` creates one",
                path.display(),
                path.display()
            ),
        });
    }
    open(path)
}

fn monthly_failure(e: MonthlyError) -> Failure {
    match e {
        MonthlyError::Eval(
            e @ (EvalError::MissingColumn { .. }
            | EvalError::RuleColumn { .. }
            | EvalError::Rule { .. }
            | EvalError::Strict { .. }
            | EvalError::AsOfMismatch { .. }),
        ) => Failure::data(e),
        MonthlyError::Eval(e) => Failure::io(e),
        MonthlyError::Store(e) => store_failure(e),
        e @ MonthlyError::DuplicateIds(_) => Failure::data(e),
    }
}

/// `riskgrade run`.
pub(crate) fn run(ui: &Ui, args: RunArgs) -> Result<u8, Failure> {
    let set = load_model(args.model.as_deref())?;
    let as_of = args.as_of.unwrap_or_else(|| args.period.last_day());
    if Month::of(as_of) != args.period {
        ui.say(format!(
            "note: grading period {} as of {as_of}, a date outside the period",
            args.period
        ));
    }
    let mut store = open(&args.store)?;
    let options = Options::default()
        .rules(!args.no_rules)
        .on_rule_error(args.on_rule_error);
    let started = Instant::now();
    let pb = ui.step(&format!("loading {}", args.data.display()));
    let fail = |e: riskgrade::io::IoError| match e {
        riskgrade::io::IoError::Io { .. } => Failure::io(e),
        other => Failure::data(other),
    };
    let report = if is_profiles(&args.data) {
        let profiles = riskgrade::io::read_profiles(&args.data, false).map_err(fail)?;
        pb.set_message(format!(
            "grading {} enterprises and storing {}",
            profiles.enterprises.len(),
            args.period
        ));
        run_month(
            &mut store,
            &set,
            MonthInput::File(&profiles),
            args.period,
            as_of,
            &options,
        )
    } else {
        let frame = riskgrade::io::read_frame(&args.data, set.schema()).map_err(fail)?;
        pb.set_message(format!(
            "grading {} enterprises and storing {}",
            frame.len(),
            args.period
        ));
        run_month(
            &mut store,
            &set,
            MonthInput::Frame(&frame),
            args.period,
            as_of,
            &options,
        )
    }
    .map_err(monthly_failure)?;
    pb.finish_and_clear();
    ui.say(&report);
    if report.previous.is_some() {
        print_movers(ui, &store, &report, args.top).map_err(store_failure)?;
    }
    let rules = rule_report(&report.grades);
    if !rules.is_empty() {
        ui.say(format!("rules as of {as_of}:\n{rules}"));
    }
    ui.say(format!(
        "stored in {} (grading {:.2?}, storing {:.2?}; {:.2?} in all)",
        args.store.display(),
        report.timings.0,
        report.timings.1,
        started.elapsed()
    ));
    crate::report_issues(ui, &report.grades, None);
    Ok(crate::exit_code(&report.grades))
}

fn print_movers(
    ui: &Ui,
    store: &Store,
    report: &MonthReport,
    top: usize,
) -> Result<(), StoreError> {
    if top == 0 {
        return Ok(());
    }
    let notes = store.changes(report.run.period, None)?;
    let mut shown = 0;
    let mut i = 0;
    let mut lines = Vec::new();
    while i < notes.len() && shown < top {
        let id = &notes[i].id;
        let j = notes[i..].iter().take_while(|n| &n.id == id).count() + i;
        let n = &notes[i];
        if n.from_class.is_some() {
            lines.push(format!(
                "  {id}: {} -> {}",
                n.from_class.as_deref().unwrap_or("-"),
                n.to_class.as_deref().unwrap_or("-")
            ));
            for n in &notes[i..j] {
                lines.push(format!("      {}: {}", n.kind.name(), n.detail));
            }
            shown += 1;
        }
        i = j;
    }
    if !lines.is_empty() {
        ui.say(format!(
            "enterprises that changed class (first {shown} by id; `riskgrade changes` shows all):\n{}",
            lines.join("\n")
        ));
    }
    Ok(())
}

/// `riskgrade periods`.
pub(crate) fn periods(ui: &Ui, store: &Path) -> Result<u8, Failure> {
    let s = open_existing(store)?;
    let runs = s.runs().map_err(store_failure)?;
    if runs.is_empty() {
        ui.say(format!("{}: no periods stored yet", store.display()));
        return Ok(0);
    }
    for r in runs {
        let counts: Vec<String> = r
            .classes
            .iter()
            .zip(&r.class_counts)
            .map(|(c, n)| format!("{c} {n}"))
            .collect();
        crate::out(format!(
            "{}  as of {}  model {}  source {}  {} enterprises ({} not graded)  {}",
            r.period,
            r.as_of,
            r.version_id,
            r.source,
            r.enterprises,
            r.errors,
            counts.join(" ")
        ));
    }
    Ok(0)
}

/// `riskgrade changes`: two stored periods compared.
pub(crate) fn changes(
    ui: &Ui,
    store: &Path,
    from: Option<Month>,
    to: Option<Month>,
    top: usize,
    moved: Option<&Path>,
) -> Result<u8, Failure> {
    if let Some(m) = moved {
        check_output(m, &["csv", "parquet", "jsonl", "ndjson", "json"])?;
    }
    let s = open_existing(store)?;
    let runs = s.runs().map_err(store_failure)?;
    let to = match to {
        Some(t) => t,
        None => runs.last().map(|r| r.period).ok_or_else(|| Failure {
            code: 2,
            message: format!("{}: no periods stored yet", store.display()),
        })?,
    };
    let from = match from {
        Some(f) => f,
        None => {
            s.previous_run(to)
                .map_err(store_failure)?
                .ok_or_else(|| Failure {
                    code: 2,
                    message: format!("no period before {to} is stored; give --from"),
                })?
                .period
        }
    };
    if from > to {
        return Err(Failure {
            code: 2,
            message: format!("--from {from} is after --to {to}; the earlier period comes first"),
        });
    }
    let c = compare_periods(&s, from, to).map_err(store_failure)?;
    ui.say(&c);
    print_period_movers(ui, &c, top);
    if let Some(path) = moved {
        write_movers(&c, path)?;
        ui.say(format!(
            "{} enterprises that changed class written to {}",
            c.movers.len(),
            path.display()
        ));
    }
    Ok(0)
}

fn print_period_movers(ui: &Ui, c: &PeriodComparison, top: usize) {
    if top == 0 || c.movers.is_empty() {
        return;
    }
    let mut text = format!(
        "biggest moves (first {} of {}):",
        top.min(c.movers.len()),
        c.movers.len()
    );
    for m in c.movers.iter().take(top) {
        let score = |s: Option<f64>| {
            s.map_or("-".into(), |s| {
                riskgrade::format_number((s * 100.0).round() / 100.0)
            })
        };
        text.push_str(&format!(
            "\n  {}: {} -> {} (score {} -> {})",
            m.id,
            m.from,
            m.to,
            score(m.scores.0),
            score(m.scores.1)
        ));
        for (k, d) in &m.reasons {
            text.push_str(&format!("\n      {}: {d}", k.name()));
        }
    }
    ui.say(text);
}

fn write_movers(c: &PeriodComparison, path: &Path) -> Result<(), Failure> {
    use riskgrade::io::{OutColumn, OutData};
    let text = |f: &dyn Fn(&riskgrade::PeriodMover) -> String| {
        OutData::Text(c.movers.iter().map(|m| Some(f(m))).collect())
    };
    let cols = vec![
        OutColumn {
            name: "id".into(),
            data: text(&|m| m.id.clone()),
        },
        OutColumn {
            name: "from_class".into(),
            data: text(&|m| m.from.clone()),
        },
        OutColumn {
            name: "to_class".into(),
            data: text(&|m| m.to.clone()),
        },
        OutColumn {
            name: "steps".into(),
            data: OutData::Integer(c.movers.iter().map(|m| Some(m.steps)).collect()),
        },
        OutColumn {
            name: "score_from".into(),
            data: OutData::Number(c.movers.iter().map(|m| m.scores.0).collect()),
        },
        OutColumn {
            name: "score_to".into(),
            data: OutData::Number(c.movers.iter().map(|m| m.scores.1).collect()),
        },
        OutColumn {
            name: "reasons".into(),
            data: text(&|m| {
                m.reasons
                    .iter()
                    .map(|(k, d)| format!("{}: {d}", k.name()))
                    .collect::<Vec<_>>()
                    .join(" | ")
            }),
        },
    ];
    riskgrade::io::write_table(path, &cols).map_err(Failure::io)
}

/// `riskgrade history`.
pub(crate) fn history(store: &Path, id: &str) -> Result<u8, Failure> {
    let s = open_existing(store)?;
    let h = s.history(id).map_err(store_failure)?;
    if h.iter().all(|e| e.result.is_none()) {
        return Err(Failure {
            code: 2,
            message: format!("enterprise {id} is in none of the stored periods"),
        });
    }
    crate::out(format!("{id}: class month by month"));
    let mut last: Option<String> = None;
    for e in &h {
        let line = match &e.result {
            None => format!("{}  (not in this period)", e.period),
            Some(r) => match (&r.class, &r.error) {
                (Some(c), _) => {
                    let mark = match &last {
                        Some(l) if l != c => format!("  (was {l})"),
                        _ => String::new(),
                    };
                    let manual = r
                        .manual
                        .map(|d| format!("  [manual decision #{d}]"))
                        .unwrap_or_default();
                    format!(
                        "{}  {c}  score {}{mark}{manual}",
                        e.period,
                        r.score.map_or("-".into(), |s| riskgrade::format_number(
                            (s * 100.0).round() / 100.0
                        ))
                    )
                }
                (None, err) => {
                    format!("{}  not graded: {}", e.period, err.as_deref().unwrap_or(""))
                }
            },
        };
        crate::out(line);
        for c in &e.changes {
            crate::out(format!("      {}: {}", c.kind.name(), c.detail));
        }
        if let Some(r) = &e.result {
            last = r.class.clone().or(last.clone());
        }
    }
    let decisions = s.decisions(Some(id)).map_err(store_failure)?;
    if !decisions.is_empty() {
        crate::out("decisions:");
        for d in decisions {
            crate::out(format!("  {}", describe(&d)));
        }
    }
    Ok(0)
}

fn describe(d: &Decision) -> String {
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
        .ok_or_else(|| Failure {
            code: 2,
            message: format!(
                "`{name}` is not a record kind; one of {}",
                RecordType::ALL.map(RecordType::name).join(", ")
            ),
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
            let mut s = open(&store)?;
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
            let mut s = open(&store)?;
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
            let mut s = open(&store)?;
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
            let mut s = open(&store)?;
            if outcome == "rejected" && class.is_some() {
                return Err(Failure {
                    code: 2,
                    message:
                        "--class goes with --outcome upheld: a rejected objection keeps the grade"
                            .into(),
                });
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
            let mut s = open(&store)?;
            s.revoke(decision, &by, &why).map_err(store_failure)?;
            ui.say(format!("decision #{decision} revoked"));
        }
        DecideCommand::List { store, id } => {
            let s = open_existing(&store)?;
            for d in s.decisions(id.as_deref()).map_err(store_failure)? {
                crate::out(describe(&d));
            }
            crate::out("audit trail:");
            for a in s.audit_trail(id.as_deref()).map_err(store_failure)? {
                let about = match (&a.decision, &a.enterprise) {
                    (Some(d), Some(e)) => format!(" #{d} {e}"),
                    (None, Some(e)) => format!(" {e}"),
                    _ => String::new(),
                };
                crate::out(format!(
                    "  {:>4}  {}  {} {}{about}: {}",
                    a.seq,
                    timestamp(a.at),
                    a.actor,
                    a.action,
                    a.detail
                ));
            }
        }
    }
    Ok(0)
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

fn share_failure(e: ShareError) -> Failure {
    match e {
        ShareError::Io(e) => Failure::io(e),
        ShareError::Store(e) => store_failure(e),
        e @ ShareError::Schema { .. } => Failure::data(e),
    }
}

/// `riskgrade export`.
pub(crate) fn export(ui: &Ui, store: &Path, period: Month, out: &Path) -> Result<u8, Failure> {
    check_output(out, &["csv", "parquet", "jsonl", "ndjson", "json"])?;
    let s = open_existing(store)?;
    let n = export_period(&s, period, out).map_err(share_failure)?;
    ui.say(format!(
        "{n} results of {period} written to {} (schema {})",
        out.display(),
        riskgrade::SHARED_SCHEMA
    ));
    Ok(0)
}

/// `riskgrade import`.
pub(crate) fn import(
    ui: &Ui,
    store: &Path,
    file: &Path,
    source: Option<&str>,
    replace: bool,
) -> Result<u8, Failure> {
    let mut s = open(store)?;
    let info = import_period(&mut s, file, source, replace).map_err(share_failure)?;
    ui.say(format!(
        "imported {} results of {} (as of {}, model {}) from {} as source {}",
        info.enterprises,
        info.period,
        info.as_of,
        info.version_id,
        file.display(),
        info.source
    ));
    Ok(0)
}

/// `riskgrade demo`: twelve simulated months of the monthly cycle.
pub(crate) fn demo(
    ui: &Ui,
    n: usize,
    months: usize,
    seed: u64,
    start: Month,
    store_path: Option<&Path>,
) -> Result<u8, Failure> {
    let set: Arc<ModelSet> = load_model(None)?;
    let mut store = match store_path {
        Some(p) => open(p)?,
        None => Store::in_memory().map_err(store_failure)?,
    };
    ui.say(format!(
        "riskgrade demo: {n} synthetic enterprises over {months} months from {start}, graded monthly with the embedded reference set (version {}) into {}",
        set.version_id(),
        store_path.map_or("an in-memory history store".to_string(), |p| p.display().to_string())
    ));
    let t0 = Instant::now();
    let pb = ui.step("synthesizing enterprises");
    let mut synth = generate(&SynthConfig::new(n, seed, start.last_day()));
    pb.finish_and_clear();
    ui.say(format!(
        "\n{:<8} {:>28} {:>8} {:>11} {:>8} {:>8} {:>7} {:>8} {:>7} {:>9}",
        "period",
        "A / B / C / D",
        "riskier",
        "less risky",
        "records",
        "repairs",
        "manual",
        "PSI",
        "drawn",
        "problems"
    ));
    let mut p = start;
    let mut last: Option<MonthReport> = None;
    let mut watched: Option<String> = None;
    let options = Options::default();
    let pool = demo_pool();
    let propensity: std::collections::HashMap<String, f64> = synth
        .truth
        .iter()
        .map(|t| (t.id.clone(), t.propensity))
        .collect();
    let mut outcomes: Vec<riskgrade::inspect::Outcome> = Vec::new();
    let mut inspected = Indicators::default();
    let mut labels: Vec<(String, bool)> = Vec::new();
    for k in 0..months.max(1) {
        let mut events = riskgrade::synth::MonthEvents::default();
        if k > 0 {
            let next = p.next();
            events = evolve(&mut synth, p.last_day(), next.last_day(), seed);
            p = next;
        }
        // A few manual decisions along the way, as an inspector and a credit-repair office would make them.
        if k == 2
            && let Some(prev) = &last
        {
            demo_decisions(
                &mut store,
                prev,
                &synth.enterprises,
                set.effect_periods(),
                p,
                &mut watched,
            )?;
        }
        let pb = ui.step(&format!("grading {p}"));
        let report = run_month(
            &mut store,
            &set,
            MonthInput::Profiles(&synth.enterprises),
            p,
            p.last_day(),
            &options,
        )
        .map_err(monthly_failure)?;
        pb.finish_and_clear();
        let counts: Vec<String> = report
            .run
            .class_counts
            .iter()
            .map(|c| c.to_string())
            .collect();
        let psi = report
            .score_psi
            .iter()
            .find(|s| s.model == "general")
            .map_or("-".to_string(), |s| format!("{:.4}", s.psi));
        // "Double random": draw this period's inspections by the Henan plan, and let the
        // inspections find what each enterprise's true risk makes them find; the
        // outcomes become records for the next month.
        let before = outcomes.len();
        let (drawn, found) =
            demo_inspections(&mut store, p, seed, &pool, &propensity, &mut outcomes)?;
        // What the inspections found, with the indicators the enterprises had when drawn: the
        // data to calibrate the weights on at the end of the year.
        if let Some(frame) = &report.frame {
            let month: Vec<(String, bool)> = outcomes[before..]
                .iter()
                .map(|o| (format!("{p}/{}", o.enterprise), o.problem))
                .collect();
            let wanted: std::collections::HashSet<&str> = outcomes[before..]
                .iter()
                .map(|o| o.enterprise.as_str())
                .collect();
            let mut ind = Indicators::from_grades_where(&report.grades, frame, "general", |id| {
                wanted.contains(id)
            })
            .map_err(|e| Failure::data(e.to_string()))?;
            ind.ids = ind.ids.iter().map(|id| format!("{p}/{id}")).collect();
            inspected
                .append(ind)
                .map_err(|e| Failure::data(e.to_string()))?;
            labels.extend(month);
        }
        ui.say(format!(
            "{:<8} {:>28} {:>8} {:>11} {:>8} {:>8} {:>7} {:>8} {:>7} {:>9}",
            p.to_string(),
            counts.join(" / "),
            report.riskier,
            report.less_risky,
            events.new_records,
            events.repaired + report.repairs,
            report.overrides,
            psi,
            drawn,
            found
        ));
        for s in &report.skipped_decisions {
            ui.say(format!("         decision not applied: {s}"));
        }
        last = Some(report);
    }
    let Some(last) = last else { return Ok(0) };
    ui.say(format!(
        "\n{months} months in {:.2?} ({} threads)",
        t0.elapsed(),
        rayon::current_num_threads()
    ));
    let run_classes = last.run.classes.clone();
    ui.say(format!(
        "\ninspections drawn by the Henan 2021 plan (A 1%, B 2%, C 10%, D 30%, plus alerts), against what they found (all tasks, alerts included):\n{}",
        riskgrade::inspect::evaluate(&outcomes, &run_classes, true)
    ));
    demo_calibration(ui, &set, &inspected, &labels);
    // What changed over the year, and in the last month.
    let runs = store.runs().map_err(store_failure)?;
    if let (Some(first), Some(prev)) = (runs.first(), &last.previous) {
        let year = compare_periods(&store, first.period, last.run.period).map_err(store_failure)?;
        ui.say(format!("\nover the whole span:\n{year}"));
        let month = compare_periods(&store, prev.period, last.run.period).map_err(store_failure)?;
        ui.say(format!("in the last month:\n{month}"));
        print_period_movers(ui, &month, 5);
    }
    // One enterprise's year: the one with the most class changes (or the overridden one).
    let pick = most_changed(&store, &runs)
        .map_err(store_failure)?
        .or(watched);
    if let Some(id) = pick {
        ui.say(format!("\nthe history of {id}:"));
        history_lines(ui, &store, &id).map_err(store_failure)?;
    }
    let report = rule_report(&last.grades);
    if !report.is_empty() {
        ui.say(format!("\nrules as of {}:\n{report}", last.run.as_of));
    }
    let g = &last.grades;
    let pick = (0..g.len())
        .filter(|&r| g.is_graded(r) && !g.reasons(r).is_empty())
        .max_by_key(|&r| (g.class_index(r), std::cmp::Reverse(r)));
    if let (Some(r), Some(frame)) = (pick, &last.frame) {
        ui.say(format!(
            "one of the riskiest enterprises of {}, explained:\n\n{}",
            last.run.period,
            g.explain(frame, r)
        ));
    }
    Ok(0)
}

/// Calibrates the general model's weights on the year's inspections and says what it would change.
fn demo_calibration(ui: &Ui, set: &ModelSet, inspected: &Indicators, labels: &[(String, bool)]) {
    let fit = match riskgrade::calibrate::fit_outcomes(
        set,
        inspected,
        labels,
        &riskgrade::calibrate::FitOptions::default(),
    ) {
        Ok(f) => f,
        Err(e) => {
            ui.say(format!("\nno calibration on the year's inspections: {e}"));
            return;
        }
    };
    ui.say(format!(
        "\nthe general model's weights calibrated on the year's inspections (`riskgrade calibrate outcomes`): \
         {} inspections fitted, {} held out; pseudo-R² {:.3}",
        fit.fitted_on,
        fit.held_out,
        fit.fit.pseudo_r2()
    ));
    let mut moves: Vec<&riskgrade::calibrate::LeafFit> = fit.leaves.iter().collect();
    moves.sort_by(|a, b| {
        (b.after - b.before)
            .abs()
            .total_cmp(&(a.after - a.before).abs())
    });
    for l in moves.iter().take(5) {
        ui.say(format!(
            "  {:<38} {:>6.1}% -> {:>5.1}%{}",
            l.path,
            l.before * 100.0,
            l.after * 100.0,
            l.note.map(|n| format!("  ({n})")).unwrap_or_default()
        ));
    }
    let m = |x: Option<f64>| x.map_or("-".to_string(), |x| format!("{x:.3}"));
    ui.say(format!(
        "  on the held-out inspections: AUC {} -> {}, KS {} -> {}",
        m(fit.before.auc),
        m(fit.after.auc),
        m(fit.before.ks),
        m(fit.after.ks)
    ));
}

fn history_lines(ui: &Ui, store: &Store, id: &str) -> Result<(), StoreError> {
    let mut prev: Option<String> = None;
    for e in store.history(id)? {
        let Some(r) = e.result else { continue };
        let class = r.class.clone().unwrap_or_else(|| "-".into());
        let changed = prev.as_ref().is_some_and(|p| *p != class);
        ui.say(format!(
            "  {}  {class}  score {}{}",
            e.period,
            r.score.map_or("-".into(), |s| riskgrade::format_number(
                (s * 100.0).round() / 100.0
            )),
            if changed {
                format!("  (was {})", prev.as_deref().unwrap_or("-"))
            } else {
                String::new()
            }
        ));
        if changed {
            for c in &e.changes {
                ui.say(format!("      {}: {}", c.kind.name(), c.detail));
            }
        }
        prev = Some(class);
    }
    Ok(())
}

/// The enterprise whose class changed in the most periods (ties: the smallest id).
fn most_changed(
    store: &Store,
    runs: &[riskgrade::store::RunInfo],
) -> Result<Option<String>, StoreError> {
    let mut counts: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for r in runs.iter().skip(1) {
        let mut last_id = String::new();
        for n in store.changes(r.period, None)? {
            if n.id != last_id && n.kind != ChangeKind::New {
                *counts.entry(n.id.clone()).or_default() += 1;
                last_id = n.id;
            }
        }
    }
    Ok(counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
        .map(|(id, _)| id))
}

/// The demo's manual decisions: an override after an on-site check, a credit
/// repair of a major penalty, and an objection that is upheld.
fn demo_decisions(
    store: &mut Store,
    prev: &MonthReport,
    enterprises: &[riskgrade::Enterprise],
    periods: &riskgrade::EffectPeriods,
    p: Month,
    watched: &mut Option<String>,
) -> Result<(), Failure> {
    let g = &prev.grades;
    let find = |class: &str| {
        (0..g.len())
            .find(|&r| g.class(r) == Some(class))
            .map(|r| g.id(r).to_string())
    };
    if let Some(id) = find("B") {
        store
            .decide(
                NewDecision::overriding(
                    &id,
                    "D",
                    p.first_day(),
                    "inspector Li Wei",
                    "on-site check found falsified production records",
                )
                .until(p.next().next().last_day()),
            )
            .map_err(store_failure)?;
        *watched = Some(id);
    }
    let major = enterprises.iter().find_map(|e| {
        e.records
            .iter()
            .find(|r| {
                matches!(
                    r.kind,
                    RecordKind::Penalty {
                        severity: Severity::Major,
                        ..
                    }
                ) && periods.in_effect(r, p.first_day())
                    && r.repaired.is_none()
            })
            .map(|r| (e.id.0.clone(), r.date))
    });
    if let Some((id, date)) = major {
        store
            .decide(NewDecision::repair(
                &id,
                RecordType::Penalty,
                date,
                p.first_day(),
                "credit repair office",
                "fine paid, rectification verified",
            ))
            .map_err(store_failure)?;
    }
    if let Some(id) = find("C") {
        let obj = store
            .decide(NewDecision::objection(
                &id,
                prev.run.period,
                p.first_day(),
                "legal representative",
                "the complaints were about a former tenant at the address",
            ))
            .map_err(store_failure)?;
        store
            .resolve(
                obj,
                Resolution::Upheld {
                    class: Some("B".into()),
                    effective: p.first_day(),
                },
                "supervisor Zhao Min",
                "complaints reassigned after checking the lease",
            )
            .map_err(store_failure)?;
    }
    Ok(())
}

/// The demo's inspector pool: 16 inspectors in each of Beijing's 16 districts,
/// 60 tasks each (the same layout as `examples/inspectors/beijing-pool.csv`).
fn demo_pool() -> Vec<riskgrade::inspect::Inspector> {
    const DISTRICTS: [&str; 16] = [
        "Dongcheng",
        "Xicheng",
        "Chaoyang",
        "Fengtai",
        "Shijingshan",
        "Haidian",
        "Mentougou",
        "Fangshan",
        "Tongzhou",
        "Shunyi",
        "Changping",
        "Daxing",
        "Huairou",
        "Pinggu",
        "Miyun",
        "Yanqing",
    ];
    let mut out = Vec::new();
    for d in DISTRICTS {
        for k in 0..16 {
            out.push(riskgrade::inspect::Inspector {
                id: format!("I{:04}", out.len() + 1),
                name: format!("inspector {} of {d}", k + 1),
                department: "market_regulation".into(),
                district: d.into(),
                capacity: 60,
                conflicts: Vec::new(),
            });
        }
    }
    out
}

/// SplitMix64, for the demo's simulated inspection outcomes.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Draws period `p`'s inspections, simulates what they find from each enterprise's
/// true risk, and records the outcomes (dated in the next month). Returns (tasks, problems).
fn demo_inspections(
    store: &mut Store,
    p: Month,
    seed: u64,
    pool: &[riskgrade::inspect::Inspector],
    propensity: &std::collections::HashMap<String, f64>,
    outcomes: &mut Vec<riskgrade::inspect::Outcome>,
) -> Result<(usize, usize), Failure> {
    let plan = crate::inspect::load_plan("henan-2021")?;
    let date = p.next().first_day();
    let (id, d) = riskgrade::draw_period(
        store,
        p,
        &plan,
        pool,
        &format!("demo {seed} {p}"),
        date,
        "demo",
    )
    .map_err(crate::inspect::inspection_failure)?;
    let mut recorded = Vec::with_capacity(d.tasks.len());
    let mut found = 0;
    for t in &d.tasks {
        let u = (mix(seed ^ mix(u64::from(t.number) ^ (u64::from(date.days() as u32) << 32))) >> 11)
            as f64
            / (1u64 << 53) as f64;
        let problem = u < propensity.get(&t.enterprise).copied().unwrap_or(0.0);
        found += usize::from(problem);
        let score = store
            .result(p, &t.enterprise)
            .map_err(store_failure)?
            .and_then(|r| r.score);
        outcomes.push(riskgrade::inspect::Outcome {
            enterprise: t.enterprise.clone(),
            class: t.class.clone(),
            score,
            problem,
        });
        recorded.push(riskgrade::store::TaskOutcome {
            draw: id,
            enterprise: t.enterprise.clone(),
            date: Date::from_days(date.days() + 9 + (t.number % 18) as i32),
            result: if problem {
                riskgrade::InspectionResult::Problem
            } else {
                riskgrade::InspectionResult::NoProblem
            },
            severity: None,
            note: None,
        });
    }
    store
        .record_outcomes(&recorded, "demo inspectors")
        .map_err(store_failure)?;
    Ok((d.tasks.len(), found))
}
