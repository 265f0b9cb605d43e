//! The `riskgrade` command line: argument definitions and dispatch. Each
//! command lives in `commands/` (the demo in `demo.rs`); `error.rs` maps
//! failures to exit codes, `ui.rs` prints, `load.rs` reads models, batches,
//! plans and stores.
//!
//! Exit codes: 0 success, 1 input/output error, 2 bad command line,
//! 3 bad model, 4 bad data (unreadable, or any bad row in `--strict` mode),
//! 5 partial success (some enterprises could not be graded; the others were),
//! 6 rule tests failed, 7 no draw (an infeasible plan or pool, or a draw that does not re-draw the same).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod commands;
mod demo;
mod error;
mod load;
mod ui;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use riskgrade::Month;

use crate::commands::{
    calibrate, compare, decide, grade, inspect, keys, monthly, rules, serve, store, synth, validate,
};
use crate::error::Failure;
use crate::ui::Ui;

/// mimalloc keeps millions of small strings (ids, names) compact. Its default of giving
/// freed memory back after a second idle is kept: `classify` reads, grades and writes
/// batches well within the second, so they reuse it anyway (holding it for ten seconds,
/// as the Python module does, measured the same wall time and a higher peak).
#[global_allocator]
static GLOBAL: riskgrade_alloc::MiMalloc = riskgrade_alloc::MiMalloc;

/// Grade enterprises by credit risk (A/B/C/D) with indicator models.
#[derive(Parser)]
#[command(name = "riskgrade", version, about, long_about = None)]
struct Cli {
    /// Print nothing but errors.
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Simulate months of synthetic enterprises (records arriving and ageing out, some repaired,
    /// a few manual decisions) and run the monthly cycle over them: classes, what changed and why,
    /// stability, one enterprise's history, and one explanation.
    Demo(demo::DemoArgs),
    /// Grade one month into the history store: credit repairs and class overrides in effect apply,
    /// the period replaces an earlier run of it atomically, and what changed since the previous
    /// period is explained per enterprise.
    Run(monthly::RunArgs),
    /// List the periods in a history store.
    Periods {
        /// History store.
        #[arg(long, short = 's')]
        store: PathBuf,
    },
    /// Compare two stored periods: class migration, the enterprises that moved and why, PSI.
    Changes(monthly::ChangesArgs),
    /// One enterprise's class month by month, with the reason for each change and its decisions.
    History {
        /// History store.
        #[arg(long, short = 's')]
        store: PathBuf,
        /// Enterprise id.
        #[arg(long)]
        id: String,
    },
    /// Record manual decisions (class overrides, credit repairs, objections) and list them with the audit trail.
    Decide {
        #[command(subcommand)]
        command: decide::DecideCommand,
    },
    /// Export a stored period's results for other departments (schema riskgrade.shared/1).
    Export {
        /// History store.
        #[arg(long, short = 's')]
        store: PathBuf,
        /// The period.
        #[arg(long, short = 'p')]
        period: Month,
        /// Output file (.csv, .parquet, .jsonl or .json).
        #[arg(long, short)]
        out: PathBuf,
    },
    /// Import a shared result set (schema riskgrade.shared/1) as the run of its period.
    Import {
        /// History store.
        #[arg(long, short = 's')]
        store: PathBuf,
        /// The shared file (.csv, .parquet, .jsonl or .json).
        file: PathBuf,
        /// The department it came from (default: its `source` column).
        #[arg(long)]
        source: Option<String>,
        /// Replace a stored run of the same period.
        #[arg(long)]
        replace: bool,
    },
    /// Write a synthetic population: profiles (.jsonl/.json) or derived columns (.csv/.parquet).
    Synth(synth::SynthArgs),
    /// Check a model or model set file and print what it contains.
    Validate {
        /// The model file (default: the embedded reference set).
        model: Option<PathBuf>,
        /// Print the canonical form (`toml` or `json`) instead of a summary.
        #[arg(long, value_parser = ["toml", "json"])]
        canonical: Option<String>,
    },
    /// Grade a batch and write the results.
    Classify(grade::ClassifyArgs),
    /// Explain one enterprise's grade.
    Explain(grade::ExplainArgs),
    /// Grade the same enterprises with two model sets, or one set with and without its rules,
    /// and show the class migration matrix, the enterprises that moved and the rules that moved them.
    Compare(compare::CompareArgs),
    /// Set weights or class cut-offs scientifically (AHP, entropy, CRITIC, logistic calibration
    /// on inspection outcomes, cut-offs from shares or detection rates) and write a new model
    /// version whose provenance records how.
    Calibrate {
        #[command(subcommand)]
        command: calibrate::CalibrateCommand,
    },
    /// Check an inspection plan (a file, or an embedded one: henan-2021, yuexiu-2021, bayannur-2022, food-production, special-equipment).
    Plan {
        #[command(subcommand)]
        command: inspect::PlanCommand,
    },
    /// "Double random": draw enterprises by plan from a stored period and assign inspectors at
    /// random, reproducibly from a published seed; the draw and its tasks are stored.
    Draw(inspect::DrawArgs),
    /// Re-draw a stored draw from its plan, period, pool and seed, and check it is the same ("one public").
    Verify {
        /// History store.
        #[arg(long, short = 's')]
        store: PathBuf,
        /// The draw's number.
        #[arg(long)]
        draw: i64,
        /// The inspector pool the draw used.
        #[arg(long)]
        pool: PathBuf,
        /// Write the differing tasks here (default: draw-N-differences.csv), not to the terminal.
        #[arg(long)]
        differences: Option<PathBuf>,
    },
    /// Year-level views of the inspections: per class, inspected at least once, random against
    /// forced, minimums missed, and the comparison with uniform sampling.
    Inspections {
        #[command(subcommand)]
        command: inspect::InspectionsCommand,
    },
    /// Publish a draw's closed inspection results (一公开) in the public schema, with the
    /// commitment, seed, plan and candidate list that let anyone re-draw it.
    Publish(inspect::PublishArgs),
    /// Record what a draw's inspections found (enterprise, date, result[, severity, note]); closes the tasks.
    Outcomes {
        /// History store.
        #[arg(long, short = 's')]
        store: PathBuf,
        /// The draw's number.
        #[arg(long)]
        draw: i64,
        /// The outcome file (.csv, .parquet, .jsonl or .json).
        file: PathBuf,
        /// Who enters them (for the audit trail).
        #[arg(long, default_value = "riskgrade")]
        by: String,
    },
    /// Detection rate per class, lift, AUC and KS of a draw's closed tasks.
    Evaluate {
        /// History store.
        #[arg(long, short = 's')]
        store: PathBuf,
        /// The draw's number.
        #[arg(long)]
        draw: i64,
        /// Only the random picks (a uniform sample of each class), not the mandatory inclusions.
        #[arg(long)]
        random_only: bool,
    },
    /// Each department's queue of the period's routed alerts and labels (scenario supervision).
    Queue {
        /// History store.
        #[arg(long, short = 's')]
        store: PathBuf,
        /// The period.
        #[arg(long, short = 'p')]
        period: Month,
        /// Only this department's queue, enterprise by enterprise.
        #[arg(long)]
        department: Option<String>,
        /// Enterprises to list for one department.
        #[arg(long, default_value_t = 20)]
        top: usize,
    },
    /// Proof that targeting works: on synthetic enterprises whose true risk is known, the plan's
    /// inspections against uniform random sampling, and the curves of inspections against problems found.
    Targeting(inspect::TargetingArgs),
    /// Check a model set's rules, or run their tests.
    Rules {
        #[command(subcommand)]
        command: rules::RulesCommand,
    },
    /// Serve a history store over HTTP: shared results, departments' alert queues and their
    /// handling, published inspection results (JSON under /api/v1, keys from `riskgrade keys`).
    Serve(serve::ServeArgs),
    /// API keys of the service: issue (shown once), list, revoke.
    Keys {
        #[command(subcommand)]
        command: keys::KeysCommand,
    },
    /// Look after a history store file: upgrade one written by an earlier riskgrade.
    Store {
        #[command(subcommand)]
        command: store::StoreCommand,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let ui = Ui { quiet: cli.quiet };
    match run(cli.command, &ui) {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            eprintln!("error: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

/// Runs a command; its exit code, or the failure to report.
fn run(command: Command, ui: &Ui) -> Result<u8, Failure> {
    match command {
        Command::Demo(args) => demo::demo(ui, args),
        Command::Run(args) => monthly::run(ui, args),
        Command::Periods { store } => monthly::periods(ui, &store),
        Command::Changes(args) => monthly::changes(ui, args),
        Command::History { store, id } => monthly::history(&store, &id),
        Command::Decide { command } => decide::decide(ui, command),
        Command::Export { store, period, out } => monthly::export(ui, &store, period, &out),
        Command::Import {
            store,
            file,
            source,
            replace,
        } => monthly::import(ui, &store, &file, source.as_deref(), replace),
        Command::Synth(args) => synth::synth(ui, args),
        Command::Validate { model, canonical } => validate::validate(ui, model, canonical),
        Command::Classify(args) => grade::classify(ui, args),
        Command::Explain(args) => grade::explain(args),
        Command::Compare(args) => compare::compare(ui, args),
        Command::Calibrate { command } => calibrate::calibrate(ui, command),
        Command::Plan { command } => inspect::plan(ui, command),
        Command::Draw(args) => inspect::draw(ui, args),
        Command::Verify {
            store,
            draw,
            pool,
            differences,
        } => inspect::verify(ui, &store, draw, &pool, differences.as_deref()),
        Command::Inspections { command } => inspect::inspections(command),
        Command::Publish(args) => inspect::publish(ui, args),
        Command::Outcomes {
            store,
            draw,
            file,
            by,
        } => inspect::outcomes(ui, &store, draw, &file, &by),
        Command::Evaluate {
            store,
            draw,
            random_only,
        } => inspect::evaluate(&store, draw, random_only),
        Command::Queue {
            store,
            period,
            department,
            top,
        } => inspect::queue(&store, period, department.as_deref(), top),
        Command::Targeting(args) => inspect::targeting(ui, args),
        Command::Rules { command } => rules::rules(ui, command),
        Command::Serve(args) => serve::serve(ui, args),
        Command::Keys { command } => keys::keys(ui, command),
        Command::Store { command } => store::store(ui, command),
    }
}
