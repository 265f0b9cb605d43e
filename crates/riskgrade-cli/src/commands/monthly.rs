//! The monthly commands: `run`, `periods`, `changes`, `history`, `export` and `import`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use riskgrade::Month;
use riskgrade::display;
use riskgrade::store::{Store, StoreError};
use riskgrade::{
    Date, ErrorPolicy, MonthInput, MonthOptions, MonthReport, Options, PeriodComparison,
    compare_periods, export_period, import_period, run_month_with,
};

use crate::commands::decide::describe;
use crate::error::{Failure, exit_code, monthly_failure, share_failure, store_failure};
use crate::load::{is_profiles, load_model, open_existing, open_store, read_failure};
use crate::ui::{TABLE_OUTPUTS, Ui, check_output, out, report_issues, rule_report, score_text};

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
    /// Replace the stored period even when inspection draws are based on it
    /// (they no longer verify afterwards).
    #[arg(long)]
    replace: bool,
}

/// `riskgrade changes` arguments.
#[derive(clap::Args)]
pub(crate) struct ChangesArgs {
    /// History store.
    #[arg(long, short = 's')]
    store: PathBuf,
    /// The earlier period (default: the one before --to).
    #[arg(long)]
    from: Option<Month>,
    /// The later period (default: the latest).
    #[arg(long)]
    to: Option<Month>,
    /// Print this many of the biggest moves.
    #[arg(long, default_value_t = 10)]
    top: usize,
    /// Write every enterprise that changed class here (.csv, .parquet, .jsonl or .json).
    #[arg(long)]
    moved: Option<PathBuf>,
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
    let mut store = open_store(&args.store)?;
    let options = Options::default()
        .rules(!args.no_rules)
        .on_rule_error(args.on_rule_error);
    let month = MonthOptions::default().replace_drawn(args.replace);
    let started = Instant::now();
    let pb = ui.step(&format!("loading {}", args.data.display()));
    let report = if is_profiles(&args.data) {
        let profiles = riskgrade::io::read_profiles(&args.data, false).map_err(read_failure)?;
        pb.set_message(format!(
            "grading {} enterprises and storing {}",
            profiles.enterprises.len(),
            args.period
        ));
        run_month_with(
            &mut store,
            &set,
            MonthInput::File(&profiles),
            args.period,
            as_of,
            &options,
            &month,
        )
    } else {
        let frame = riskgrade::io::read_frame(&args.data, set.schema()).map_err(read_failure)?;
        pb.set_message(format!(
            "grading {} enterprises and storing {}",
            frame.len(),
            args.period
        ));
        run_month_with(
            &mut store,
            &set,
            MonthInput::Frame(&frame),
            args.period,
            as_of,
            &options,
            &month,
        )
    }
    .map_err(monthly_failure)?;
    pb.finish_and_clear();
    // The run is committed: from here on nothing may fail, so that the exit code tells
    // scripts what was stored. Printing escapes and pads through `display`, and a
    // listing that cannot be read is a warning.
    ui.say(&report);
    if report.previous.is_some()
        && let Err(e) = print_movers(ui, &store, &report, args.top)
    {
        eprintln!(
            "warning: {} is stored, but its movers could not be listed: {e}",
            report.run.period
        );
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
    report_issues(ui, &report.grades, None);
    Ok(exit_code(&report.grades))
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
                "  {}: {} -> {}",
                display::clip(id),
                display::clip(n.from_class.as_deref().unwrap_or("-")),
                display::clip(n.to_class.as_deref().unwrap_or("-"))
            ));
            for n in &notes[i..j] {
                lines.push(format!(
                    "      {}: {}",
                    n.kind.name(),
                    display::escape(&n.detail)
                ));
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
        out(format!(
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
pub(crate) fn changes(ui: &Ui, args: ChangesArgs) -> Result<u8, Failure> {
    let ChangesArgs {
        store,
        from,
        to,
        top,
        moved,
    } = args;
    let (store, moved) = (store.as_path(), moved.as_deref());
    if let Some(m) = moved {
        check_output(m, &TABLE_OUTPUTS)?;
    }
    let s = open_existing(store)?;
    let runs = s.runs().map_err(store_failure)?;
    let to = match to {
        Some(t) => t,
        None => runs
            .last()
            .map(|r| r.period)
            .ok_or_else(|| Failure::usage(format!("{}: no periods stored yet", store.display())))?,
    };
    let from = match from {
        Some(f) => f,
        None => {
            s.previous_run(to)
                .map_err(store_failure)?
                .ok_or_else(|| {
                    Failure::usage(format!("no period before {to} is stored; give --from"))
                })?
                .period
        }
    };
    if from > to {
        return Err(Failure::usage(format!(
            "--from {from} is after --to {to}; the earlier period comes first"
        )));
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

pub(crate) fn print_period_movers(ui: &Ui, c: &PeriodComparison, top: usize) {
    if top == 0 || c.movers.is_empty() {
        return;
    }
    let mut text = format!(
        "biggest moves (first {} of {}):",
        top.min(c.movers.len()),
        c.movers.len()
    );
    for m in c.movers.iter().take(top) {
        text.push_str(&format!(
            "\n  {}: {} -> {} (score {} -> {})",
            m.id,
            m.from,
            m.to,
            score_text(m.scores.0),
            score_text(m.scores.1)
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
        return Err(Failure::usage(format!(
            "enterprise {id} is in none of the stored periods"
        )));
    }
    out(format!("{id}: class month by month"));
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
                        score_text(r.score)
                    )
                }
                (None, err) => {
                    format!("{}  not graded: {}", e.period, err.as_deref().unwrap_or(""))
                }
            },
        };
        out(line);
        for c in &e.changes {
            out(format!("      {}: {}", c.kind.name(), c.detail));
        }
        if let Some(r) = &e.result {
            last = r.class.clone().or(last.clone());
        }
    }
    let decisions = s.decisions(Some(id)).map_err(store_failure)?;
    if !decisions.is_empty() {
        out("decisions:");
        for d in decisions {
            out(format!("  {}", describe(&d)));
        }
    }
    Ok(0)
}

/// `riskgrade export`.
pub(crate) fn export(ui: &Ui, store: &Path, period: Month, out: &Path) -> Result<u8, Failure> {
    check_output(out, &TABLE_OUTPUTS)?;
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
    let mut s = open_store(store)?;
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
