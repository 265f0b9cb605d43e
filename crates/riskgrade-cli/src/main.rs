//! The `riskgrade` command line.
//!
//! Exit codes: 0 success, 1 input/output error, 2 bad command line,
//! 3 bad model, 4 bad data (unreadable, or any bad row in `--strict` mode),
//! 5 partial success (some enterprises could not be graded; the others were),
//! 6 rule tests failed, 7 no draw (an infeasible plan or pool, or a draw that does not re-draw the same).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod calibrate;
mod inspect;
mod monthly;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use riskgrade::Month;
use riskgrade::io::{OutColumn, OutData};
use riskgrade::synth::{SynthConfig, generate};
use riskgrade::{
    Date, Enterprise, ErrorPolicy, EvalError, Frame, Grader, Grades, ModelSet, Options,
    ResultColumns, RuleTests,
};

/// mimalloc keeps millions of small strings (ids, names) compact and returns freed memory.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    Demo {
        /// Number of enterprises.
        #[arg(long, short, default_value_t = 50_000)]
        n: usize,
        /// Number of months (at least 1).
        #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u16).range(1..=600))]
        months: u16,
        /// Random seed.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// The first month (YYYY-MM).
        #[arg(long, default_value = "2025-12")]
        start: Month,
        /// Keep the history in this SQLite file (default: in memory).
        #[arg(long, short = 's')]
        store: Option<PathBuf>,
    },
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
    Changes {
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
    },
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
        command: monthly::DecideCommand,
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
    Synth {
        /// Number of enterprises.
        #[arg(long, short)]
        n: usize,
        /// Random seed.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// The date the history ends (and columns are derived as of).
        #[arg(long, default_value = "2026-11-01")]
        as_of: Date,
        /// Output file; its extension picks the format.
        #[arg(long, short)]
        out: PathBuf,
        /// Also write each enterprise's hidden true risk here (.csv/.parquet/.jsonl).
        #[arg(long)]
        truth: Option<PathBuf>,
        /// Model set whose inputs the columns hold (default: the embedded reference set).
        #[arg(long, short)]
        model: Option<PathBuf>,
    },
    /// Check a model or model set file and print what it contains.
    Validate {
        /// The model file (default: the embedded reference set).
        model: Option<PathBuf>,
        /// Print the canonical form (`toml` or `json`) instead of a summary.
        #[arg(long, value_parser = ["toml", "json"])]
        canonical: Option<String>,
    },
    /// Grade a batch and write the results.
    Classify {
        #[command(flatten)]
        batch: Batch,
        /// Results file (.csv, .parquet, .jsonl or .json); without it only the summary is printed.
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// Fail the whole batch on the first bad row.
        #[arg(long)]
        strict: bool,
        /// Add one column per indicator contribution.
        #[arg(long)]
        contributions: bool,
        /// At most this many reasons per enterprise (default: the model's).
        #[arg(long)]
        max_reasons: Option<usize>,
    },
    /// Explain one enterprise's grade.
    Explain {
        #[command(flatten)]
        batch: Batch,
        /// The enterprise's id.
        #[arg(long)]
        id: String,
    },
    /// Grade the same enterprises with two model sets, or one set with and without its rules,
    /// and show the class migration matrix, the enterprises that moved and the rules that moved them.
    Compare(CompareArgs),
    /// Set weights or class cut-offs scientifically (AHP, entropy, CRITIC, logistic calibration
    /// on inspection outcomes, cut-offs from shares or detection rates) and write a new model
    /// version whose provenance records how.
    Calibrate {
        #[command(subcommand)]
        command: calibrate::CalibrateCommand,
    },
    /// Check an inspection plan (a file, or an embedded one: henan-2021, yuexiu-2021, bayannur-2022, food-production).
    Plan {
        #[command(subcommand)]
        command: PlanCommand,
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
    },
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
    Targeting {
        /// Number of enterprises.
        #[arg(long, short, default_value_t = 100_000)]
        n: usize,
        /// Random seed.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Plan file or embedded plan.
        #[arg(long, default_value = "henan-2021")]
        plan: String,
        /// Grading date.
        #[arg(long, default_value = "2026-11-01")]
        as_of: Date,
    },
    /// Check a model set's rules, or run their tests.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
}

#[derive(Subcommand)]
enum PlanCommand {
    /// Load and validate a plan; print its effective ratios per class and its digest.
    Check {
        /// Plan file or embedded plan name.
        #[arg(default_value = "henan-2021")]
        plan: String,
    },
}

#[derive(Subcommand)]
enum RulesCommand {
    /// Compile and lint every rule: positions and hints for errors, warnings for rules that may not do what was meant.
    Check {
        /// Model set file (default: the embedded reference set).
        model: Option<PathBuf>,
        /// Also say which rules apply on this date.
        #[arg(long)]
        as_of: Option<Date>,
    },
    /// Run the rule tests kept next to the rules (`<rules file>.tests.toml`) or the given files.
    Test {
        /// Model set file (default: the embedded reference set and its tests).
        model: Option<PathBuf>,
        /// Test files (default: `<stem>.tests.toml` beside each rule file).
        #[arg(long = "tests", short = 't')]
        tests: Vec<PathBuf>,
    },
}

/// The batch a command grades: model, data and date.
#[derive(clap::Args)]
struct Batch {
    /// Model or model set file (default: the embedded reference set).
    #[arg(long, short)]
    model: Option<PathBuf>,
    /// Enterprises: profiles (.jsonl/.json) or columns (.csv/.parquet).
    #[arg(long, short)]
    data: PathBuf,
    /// Grading date (YYYY-MM-DD).
    #[arg(long)]
    as_of: Date,
    /// Grade by the indicators alone, without the model set's rules.
    #[arg(long)]
    no_rules: bool,
    /// When a rule fails on an enterprise: fail-row (it is not graded), skip-rule (graded without that rule) or abort.
    #[arg(long, default_value = "fail-row")]
    on_rule_error: ErrorPolicy,
}

impl Batch {
    fn options(&self) -> Options {
        Options::default()
            .rules(!self.no_rules)
            .on_rule_error(self.on_rule_error)
    }
}

/// `riskgrade compare`: one batch graded twice. The rows of the migration matrix
/// are the baseline (`--against`, or `--model` without its rules), the columns `--model`.
#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("baseline").required(true).args(["against", "against_no_rules"])))]
struct CompareArgs {
    /// The model set under study, the columns of the matrix (default: the embedded reference set).
    #[arg(long, short)]
    model: Option<PathBuf>,
    /// The baseline model set, the rows of the matrix, graded with its own rules. When its inputs
    /// or effect periods differ from --model's, the data is loaded once for each set (columnar
    /// DATA must then hold the columns of both).
    #[arg(long)]
    against: Option<PathBuf>,
    /// Use the --model set without its rules as the baseline: shows what the rules move.
    #[arg(long)]
    against_no_rules: bool,
    /// Enterprises: profiles (.jsonl/.json) or columns (.csv/.parquet); without it, a synthetic population.
    #[arg(value_name = "DATA", requires = "as_of")]
    data: Option<PathBuf>,
    /// The same as DATA.
    #[arg(
        long = "data",
        short = 'd',
        value_name = "DATA",
        conflicts_with = "data",
        requires = "as_of"
    )]
    data_flag: Option<PathBuf>,
    /// Grading date (YYYY-MM-DD); required with DATA, 2026-11-01 for the synthetic population.
    #[arg(long)]
    as_of: Option<Date>,
    /// Synthetic enterprises when no DATA is given.
    #[arg(long, short, default_value_t = 100_000)]
    n: usize,
    /// Random seed of the synthetic population.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Write every enterprise that changed class here (.csv, .parquet, .jsonl or .json).
    #[arg(long)]
    moved: Option<PathBuf>,
    /// Print this many of the biggest moves.
    #[arg(long, default_value_t = 10)]
    top: usize,
    /// Champion vs challenger: inspection outcomes (enterprise and result, or problem) to judge
    /// both sides by (detection rate per class, AUC, KS, Gini) beside the migration and PSI.
    #[arg(long)]
    outcomes: Option<PathBuf>,
    /// When a rule fails on an enterprise: fail-row (it is not graded), skip-rule (graded without that rule) or abort.
    #[arg(long, default_value = "fail-row")]
    on_rule_error: ErrorPolicy,
}

/// A failure with its exit code.
struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    fn model(e: impl std::fmt::Display) -> Failure {
        Failure {
            code: 3,
            message: format!("bad model: {e}"),
        }
    }
    fn data(e: impl std::fmt::Display) -> Failure {
        Failure {
            code: 4,
            message: format!("bad data: {e}"),
        }
    }
    fn io(e: impl std::fmt::Display) -> Failure {
        Failure {
            code: 1,
            message: e.to_string(),
        }
    }
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

/// Prints a line to stdout; a closed pipe (`riskgrade … | head`) is not an error.
fn out(text: impl std::fmt::Display) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{text}");
}

struct Ui {
    quiet: bool,
}

impl Ui {
    fn say(&self, text: impl std::fmt::Display) {
        if !self.quiet {
            out(text);
        }
    }
    /// A spinner on stderr for a long step; hidden when quiet or not a terminal.
    fn step(&self, message: &str) -> ProgressBar {
        if self.quiet {
            return ProgressBar::hidden();
        }
        let pb = ProgressBar::new_spinner();
        pb.set_style(
            ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        pb.set_message(message.to_string());
        pb.enable_steady_tick(Duration::from_millis(100));
        pb
    }
}

fn load_model(path: Option<&Path>) -> Result<Arc<ModelSet>, Failure> {
    let set = match path {
        Some(p) => ModelSet::from_file(p),
        None => riskgrade::examples::reference(),
    };
    set.map(Arc::new).map_err(|e| match e {
        riskgrade::ModelError::Io { .. } => Failure::io(e),
        other => Failure::model(other),
    })
}

/// 0 when every enterprise was graded, 5 when some were, 4 when none of a non-empty batch was.
fn exit_code(grades: &Grades) -> u8 {
    let graded = (0..grades.len()).filter(|&r| grades.is_graded(r)).count();
    if graded == grades.len() {
        0
    } else if graded == 0 {
        4
    } else {
        5
    }
}

/// Fails early (exit 2) on an output file whose extension no writer knows.
fn check_output(path: &Path, allowed: &[&str]) -> Result<(), Failure> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if allowed.contains(&ext) {
        Ok(())
    } else {
        Err(Failure {
            code: 2,
            message: format!(
                "`{}`: the output format is chosen by the extension, one of .{}",
                path.display(),
                allowed.join(", .")
            ),
        })
    }
}

fn is_profiles(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("jsonl" | "ndjson" | "json")
    )
}

/// A loaded batch: its columns, and the profiles they were derived from (for rules that read records).
struct Loaded {
    frame: Frame,
    profiles: Option<Vec<Enterprise>>,
}

/// Loads a batch and keeps the profiles when the file holds profiles.
fn load_batch(path: &Path, set: &ModelSet, as_of: Date, strict: bool) -> Result<Loaded, Failure> {
    let fail = |e: riskgrade::io::IoError| match e {
        riskgrade::io::IoError::Io { .. } => Failure::io(e),
        other => Failure::data(other),
    };
    if is_profiles(path) {
        let p = riskgrade::io::read_profiles(path, strict).map_err(fail)?;
        let frame = Frame::from_profiles(&p.enterprises, set.schema(), as_of, set.effect_periods());
        // Unreadable profiles stay in the batch as rows that are reported, not graded.
        let unreadable = p
            .issues
            .iter()
            .map(|i| {
                (
                    i.id.clone().unwrap_or_else(|| format!("(line {})", i.line)),
                    format!("line {}: {}", i.line, i.message),
                )
            })
            .collect();
        Ok(Loaded {
            frame: frame.with_unreadable(unreadable),
            profiles: Some(p.enterprises),
        })
    } else {
        Ok(Loaded {
            frame: riskgrade::io::read_frame(path, set.schema()).map_err(fail)?,
            profiles: None,
        })
    }
}

fn grade_with(
    set: &Arc<ModelSet>,
    frame: &Frame,
    profiles: Option<&[Enterprise]>,
    as_of: Date,
    options: &Options,
) -> Result<Grades, Failure> {
    Grader::new(Arc::clone(set))
        .grade_with(frame, profiles, as_of, options)
        .map_err(|e| match e {
            EvalError::MissingColumn { .. }
            | EvalError::RuleColumn { .. }
            | EvalError::Rule { .. }
            | EvalError::Strict { .. }
            | EvalError::AsOfMismatch { .. } => Failure::data(e),
            other => Failure::io(other),
        })
}

/// Per-rule counts of a batch, as an aligned table (empty when no rule ran).
fn rule_report(grades: &Grades) -> String {
    let stats = grades.rule_stats();
    if stats.is_empty() {
        return String::new();
    }
    let w = stats.iter().map(|s| s.rule.len()).max().unwrap_or(4).max(4);
    let mut t = format!(
        "{:<w$} {:>9} {:>9} {:>8} {:>10} {:>7} {:>7} {:>7}\n",
        "rule", "matched", "fired", "decided", "points", "labels", "alerts", "errors"
    );
    for s in stats {
        if !s.active {
            t.push_str(&format!("{:<w$} (not in effect on this date)\n", s.rule));
            continue;
        }
        t.push_str(&format!(
            "{:<w$} {:>9} {:>9} {:>8} {:>10} {:>7} {:>7} {:>7}\n",
            s.rule,
            s.matched,
            s.fired,
            s.decided,
            riskgrade::format_number((s.points * 10.0).round() / 10.0),
            s.labels,
            s.alerts,
            s.errors
        ));
    }
    t
}

fn report_issues(ui: &Ui, grades: &Grades, out: Option<&Path>) {
    let total = grades.issues().len();
    if total == 0 || ui.quiet {
        return;
    }
    let ungraded = (0..grades.len()).filter(|&r| !grades.is_graded(r)).count();
    if ungraded == 0 {
        eprintln!(
            "{total} problem(s); every enterprise was graded (rules that failed were skipped):"
        );
    } else {
        eprintln!("{total} problem(s); {ungraded} enterprise(s) were not graded:");
    }
    for i in grades.issues().iter().take(10) {
        eprintln!("  {i}");
    }
    if total > 10 {
        match out {
            Some(p) => eprintln!(
                "  … and {} more (see the `error` column of {})",
                total - 10,
                p.display()
            ),
            None => eprintln!(
                "  … and {} more (write the results with --out to see them all)",
                total - 10
            ),
        }
    }
}

fn run(command: Command, ui: &Ui) -> Result<u8, Failure> {
    match command {
        Command::Demo {
            n,
            months,
            seed,
            start,
            store,
        } => monthly::demo(ui, n, usize::from(months), seed, start, store.as_deref()),
        Command::Run(args) => monthly::run(ui, args),
        Command::Plan {
            command: PlanCommand::Check { plan },
        } => inspect::plan_check(ui, &plan),
        Command::Draw(args) => inspect::draw(ui, args),
        Command::Verify { store, draw, pool } => inspect::verify(ui, &store, draw, &pool),
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
        Command::Targeting {
            n,
            seed,
            plan,
            as_of,
        } => inspect::targeting(ui, n, seed, &plan, as_of),
        Command::Periods { store } => monthly::periods(ui, &store),
        Command::Changes {
            store,
            from,
            to,
            top,
            moved,
        } => monthly::changes(ui, &store, from, to, top, moved.as_deref()),
        Command::History { store, id } => monthly::history(&store, &id),
        Command::Decide { command } => monthly::decide(ui, command),
        Command::Export { store, period, out } => monthly::export(ui, &store, period, &out),
        Command::Import {
            store,
            file,
            source,
            replace,
        } => monthly::import(ui, &store, &file, source.as_deref(), replace),
        Command::Synth {
            n,
            seed,
            as_of,
            out,
            truth,
            model,
        } => {
            check_output(&out, &["jsonl", "ndjson", "json", "csv", "parquet"])?;
            if let Some(t) = &truth {
                check_output(t, &["csv", "parquet", "jsonl", "ndjson", "json"])?;
            }
            let pb = ui.step(&format!("synthesizing {n} enterprises"));
            let synth = generate(&SynthConfig::new(n, seed, as_of));
            pb.set_message(format!("writing {}", out.display()));
            if out.extension().is_some_and(|e| e == "json") {
                // A JSON array, as `.json` means everywhere else.
                let write = || -> std::io::Result<()> {
                    let file = std::io::BufWriter::new(std::fs::File::create(&out)?);
                    serde_json::to_writer(file, &synth.enterprises).map_err(std::io::Error::other)
                };
                write().map_err(|e| Failure::io(format!("`{}`: {e}", out.display())))?;
            } else if is_profiles(&out) {
                riskgrade::io::write_profiles_jsonl(&out, &synth.enterprises)
                    .map_err(Failure::io)?;
            } else {
                let set = load_model(model.as_deref())?;
                let frame = Frame::from_profiles(
                    &synth.enterprises,
                    set.schema(),
                    as_of,
                    set.effect_periods(),
                );
                riskgrade::io::write_table(&out, &riskgrade::io::frame_to_columns(&frame))
                    .map_err(Failure::io)?;
            }
            if let Some(t) = &truth {
                let cols = vec![
                    OutColumn {
                        name: "id".into(),
                        data: OutData::Text(
                            synth.truth.iter().map(|t| Some(t.id.clone())).collect(),
                        ),
                    },
                    OutColumn {
                        name: "propensity".into(),
                        data: OutData::Number(
                            synth.truth.iter().map(|t| Some(t.propensity)).collect(),
                        ),
                    },
                    OutColumn {
                        name: "segment".into(),
                        data: OutData::Text(
                            synth
                                .truth
                                .iter()
                                .map(|t| Some(t.segment.to_string()))
                                .collect(),
                        ),
                    },
                ];
                riskgrade::io::write_table(t, &cols).map_err(Failure::io)?;
            }
            pb.finish_and_clear();
            ui.say(format!("wrote {n} enterprises to {}", out.display()));
            if let Some(t) = truth {
                ui.say(format!("wrote their true risk to {}", t.display()));
            }
            Ok(0)
        }
        Command::Validate { model, canonical } => {
            let set = load_model(model.as_deref())?;
            match canonical.as_deref() {
                Some("json") => out(set.to_json()),
                Some(_) => out(set.to_toml().map_err(Failure::model)?.trim_end()),
                None => {
                    let source = model.map_or("embedded reference set".to_string(), |p| {
                        p.display().to_string()
                    });
                    ui.say(format!("{source}: ok, version {}", set.version_id()));
                    for m in set.models() {
                        let classes = m.classes().names().join("/");
                        ui.say(format!(
                            "  model `{}` ({}): {} dimensions, {} nodes, {} indicators, scale [{}, {}] higher is {}, classes {classes}",
                            m.id(),
                            m.name(),
                            m.dimensions().len(),
                            m.nodes().len(),
                            m.leaves().len(),
                            m.scale().min,
                            m.scale().max,
                            match m.scale().higher {
                                riskgrade::Direction::Risk => "riskier",
                                riskgrade::Direction::Safety => "safer",
                            }
                        ));
                        // How its weights and cut-offs were set, step by step.
                        for p in &m.spec().provenance {
                            let metrics: Vec<String> = p
                                .metrics
                                .iter()
                                .filter(|(k, _)| {
                                    ["cr", "auc_after", "ks_after", "pseudo_r2"]
                                        .contains(&k.as_str())
                                })
                                .map(|(k, v)| format!("{k} {v}"))
                                .collect();
                            ui.say(format!(
                                "    set by {}{}: {}{}{}",
                                p.method,
                                p.date
                                    .as_deref()
                                    .map(|d| format!(" on {d}"))
                                    .unwrap_or_default(),
                                match (p.weights.len(), p.cutoffs) {
                                    (0, true) => "the class cut-offs".to_string(),
                                    (w, c) => format!(
                                        "{w} weight(s){}",
                                        if c { " and the cut-offs" } else { "" }
                                    ),
                                },
                                p.derived_from
                                    .as_deref()
                                    .map(|v| format!(", from version {v}"))
                                    .unwrap_or_default(),
                                if metrics.is_empty() {
                                    String::new()
                                } else {
                                    format!(" ({})", metrics.join(", "))
                                }
                            ));
                        }
                    }
                    ui.say(format!("  inputs: {}", set.schema().inputs().len()));
                }
            }
            Ok(0)
        }
        Command::Classify {
            batch,
            out,
            strict,
            contributions,
            max_reasons,
        } => {
            if let Some(o) = &out {
                check_output(o, &["csv", "parquet", "jsonl", "ndjson", "json"])?;
            }
            let (data, as_of) = (&batch.data, batch.as_of);
            let set = load_model(batch.model.as_deref())?;
            let started = Instant::now();
            let pb = ui.step(&format!("loading {}", data.display()));
            let loaded = load_batch(data, &set, as_of, strict)?;
            let frame = &loaded.frame;
            pb.set_message(format!("grading {} enterprises", frame.len()));
            let mut options = batch.options().strict(strict).contributions(contributions);
            if let Some(k) = max_reasons {
                options = options.max_reasons(k);
            }
            let grades = grade_with(&set, frame, loaded.profiles.as_deref(), as_of, &options)?;
            if let Some(path) = &out {
                pb.set_message(format!("writing {}", path.display()));
                let table = riskgrade::results_table(
                    &grades,
                    frame,
                    ResultColumns::default().contributions(contributions),
                );
                riskgrade::io::write_table(path, &table).map_err(Failure::io)?;
            }
            pb.finish_and_clear();
            ui.say(grades.summary());
            let report = rule_report(&grades);
            if !report.is_empty() {
                ui.say(format!("rules as of {as_of}:\n{report}"));
            }
            if let Some(path) = &out {
                ui.say(format!("results written to {}", path.display()));
            }
            ui.say(format!("took {:.2?}", started.elapsed()));
            report_issues(ui, &grades, out.as_deref());
            Ok(exit_code(&grades))
        }
        Command::Explain { batch, id } => {
            let set = load_model(batch.model.as_deref())?;
            let loaded = load_batch(&batch.data, &set, batch.as_of, false)?;
            let grades = grade_with(
                &set,
                &loaded.frame,
                loaded.profiles.as_deref(),
                batch.as_of,
                &batch.options(),
            )?;
            let row = grades
                .row_of(&id)
                .ok_or_else(|| Failure::data(EvalError::UnknownEnterprise(id.clone())))?;
            out(grades.explain(&loaded.frame, row));
            Ok(if grades.is_graded(row) { 0 } else { 4 })
        }
        Command::Compare(args) => compare(ui, args),
        Command::Calibrate { command } => calibrate::calibrate(ui, command),
        Command::Rules {
            command: RulesCommand::Check { model, as_of },
        } => rules_check(ui, model.as_deref(), as_of),
        Command::Rules {
            command: RulesCommand::Test { model, tests },
        } => rules_test(ui, model.as_deref(), &tests),
    }
}

/// `riskgrade compare`: one batch graded by a baseline (`--against`, or `--model` without
/// its rules) and by `--model`; prints the class migration matrix, the biggest moves and
/// the rules behind them, and writes every mover with `--moved`.
///
/// The data is loaded once, or once per set when the two sets derive different inputs.
/// Exit code 0, or 4/5 as for `classify` when some enterprise could not be graded on a side.
fn compare(ui: &Ui, args: CompareArgs) -> Result<u8, Failure> {
    if let Some(path) = &args.moved {
        check_output(path, &["csv", "parquet", "jsonl", "ndjson", "json"])?;
    }
    let started = Instant::now();
    let set = load_model(args.model.as_deref())?;
    let baseline = match &args.against {
        Some(path) => load_model(Some(path))?,
        None => Arc::clone(&set),
    };
    let data = args.data.as_deref().or(args.data_flag.as_deref());
    let as_of = match args.as_of {
        Some(d) => d,
        None => Date::from_ymd(2026, 11, 1).map_err(Failure::data)?,
    };

    let pb = ui.step("loading the enterprises");
    // Without DATA, a synthetic population whose profiles the rules can read.
    let synthetic: Option<Vec<Enterprise>> = match data {
        Some(_) => None,
        None => {
            pb.set_message(format!("synthesizing {} enterprises", args.n));
            Some(generate(&SynthConfig::new(args.n, args.seed, as_of)).enterprises)
        }
    };
    let load = |s: &ModelSet| -> Result<Loaded, Failure> {
        match data {
            Some(path) => load_batch(path, s, as_of, false),
            None => Ok(Loaded {
                frame: Frame::from_profiles(
                    synthetic.as_deref().unwrap_or(&[]),
                    s.schema(),
                    as_of,
                    s.effect_periods(),
                ),
                profiles: None,
            }),
        }
    };
    let loaded = load(&set)?;
    // A set with other inputs (or effect periods) needs its own frame of the same enterprises.
    let loaded_baseline =
        if baseline.schema() == set.schema() && baseline.effect_periods() == set.effect_periods() {
            None
        } else {
            Some(load(&baseline)?)
        };
    let loaded_before = loaded_baseline.as_ref().unwrap_or(&loaded);

    pb.set_message(format!("grading {} enterprises twice", loaded.frame.len()));
    let before_options = Options::default()
        .rules(args.against.is_some())
        .on_rule_error(args.on_rule_error);
    let after_options = Options::default().on_rule_error(args.on_rule_error);
    let before = grade_with(
        &baseline,
        &loaded_before.frame,
        loaded_before.profiles.as_deref().or(synthetic.as_deref()),
        as_of,
        &before_options,
    )?;
    let after = grade_with(
        &set,
        &loaded.frame,
        loaded.profiles.as_deref().or(synthetic.as_deref()),
        as_of,
        &after_options,
    )?;
    let (before_label, after_label) = match &args.against {
        Some(path) => (
            path.display().to_string(),
            args.model
                .as_deref()
                .map_or("embedded reference set".to_string(), |p| {
                    p.display().to_string()
                }),
        ),
        None => ("without rules".to_string(), "with rules".to_string()),
    };
    let labels = match &args.outcomes {
        Some(path) => Some(
            riskgrade::calibrate::read_outcome_labels(path).map_err(|e| Failure {
                code: 2,
                message: e.to_string(),
            })?,
        ),
        None => None,
    };
    let comparison = riskgrade::compare(&before, &after)
        .and_then(|c| c.with_industries(&loaded.frame))
        .map_err(Failure::data)?
        .labels(before_label.as_str(), after_label.as_str())
        .top(args.top);
    let challenge = match &labels {
        Some(l) => Some(
            riskgrade::challenge(&before, &after, l)
                .map_err(Failure::data)?
                .with_comparison(comparison.clone()),
        ),
        None => None,
    };
    if let Some(path) = &args.moved {
        pb.set_message(format!("writing {}", path.display()));
        riskgrade::io::write_table(path, &comparison.movers_table()).map_err(Failure::io)?;
    }
    pb.finish_and_clear();

    let source = |path: Option<&Path>, s: &ModelSet| {
        let name = path.map_or("embedded reference set".to_string(), |p| {
            p.display().to_string()
        });
        format!(
            "{name} (version {}, {} rules)",
            s.version_id(),
            s.rules().len()
        )
    };
    let population = match data {
        Some(path) => format!("{} enterprises from {}", loaded.frame.len(), path.display()),
        None => format!("{} synthetic enterprises (seed {})", args.n, args.seed),
    };
    ui.say(format!(
        "riskgrade compare: {population}, graded as of {as_of}"
    ));
    match &args.against {
        Some(path) => ui.say(format!(
            "  rows:    {}\n  columns: {}\n",
            source(Some(path), &baseline),
            source(args.model.as_deref(), &set)
        )),
        None => ui.say(format!(
            "  rows:    {} without its rules\n  columns: the same with its rules\n",
            source(args.model.as_deref(), &set)
        )),
    }
    if args.against.is_none() && set.rules().is_empty() {
        ui.say("note: the set has no rules, so without them nothing can move\n");
    }
    match &challenge {
        Some(c) => ui.say(c),
        None => ui.say(&comparison),
    }
    if let Some(path) = &args.moved {
        ui.say(format!(
            "{} moved enterprise(s) written to {}",
            comparison.movers().len(),
            path.display()
        ));
    }
    ui.say(format!("took {:.2?}", started.elapsed()));
    // The baseline's issues only when they are not the same as the other side's.
    let repeated = before.issues() == after.issues();
    for (label, g, skip) in [
        (&after_label, &after, false),
        (&before_label, &before, repeated),
    ] {
        if ui.quiet || skip || g.issues().is_empty() {
            continue;
        }
        eprintln!(
            "{label}: {} bad value(s) or record(s); the rows concerned were not graded (`not graded` in the matrix):",
            g.issues().len()
        );
        for i in g.issues().iter().take(10) {
            eprintln!("  {i}");
        }
        if g.issues().len() > 10 {
            eprintln!(
                "  … and {} more (`riskgrade classify --out` lists them all)",
                g.issues().len() - 10
            );
        }
    }
    // A side that graded nothing makes the comparison empty (4); some rows not graded, 5.
    let codes = [exit_code(&before), exit_code(&after)];
    Ok(if codes.contains(&4) {
        4
    } else {
        codes.into_iter().max().unwrap_or(0)
    })
}

/// `riskgrade rules check`: compile (errors exit 3 with their position) and lint.
fn rules_check(ui: &Ui, model: Option<&Path>, as_of: Option<Date>) -> Result<u8, Failure> {
    let set = load_model(model)?;
    let rules = set.rules();
    let source = model.map_or("embedded reference set".to_string(), |p| {
        p.display().to_string()
    });
    ui.say(format!(
        "{source}: {} rules compiled (version {})",
        rules.len(),
        set.version_id()
    ));
    let w = rules
        .rules()
        .iter()
        .map(|r| r.id().len())
        .max()
        .unwrap_or(4);
    for &i in rules.order() {
        let r = &rules.rules()[i];
        let spec = r.spec();
        let stage = match spec.stage {
            riskgrade::Stage::Before => "before",
            riskgrade::Stage::After => "after",
        };
        let state = match as_of {
            _ if !spec.enabled => " [disabled]",
            Some(d) if !spec.applies(d) => " [not in effect on this date]",
            _ => "",
        };
        let reads: Vec<String> = r
            .vars()
            .iter()
            .map(|v| v.name(rules.catalog()).to_string())
            .chain(r.sites().iter().map(|s| {
                format!(
                    "{}({})",
                    s.helper.name(),
                    s.args
                        .iter()
                        .map(|a| format!("\"{a}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }))
            .collect();
        ui.say(format!(
            "  {stage:<6} {:>5}  {:<w$}  when {}{state}",
            spec.priority,
            r.id(),
            spec.when.as_deref().unwrap_or("(always)"),
        ));
        if !reads.is_empty() {
            ui.say(format!(
                "  {:<6} {:>5}  {:<w$}  reads {}",
                "",
                "",
                "",
                reads.join(", ")
            ));
        }
    }
    let lints = rules.lints();
    if !lints.is_empty() {
        ui.say(format!("{} warning(s):", lints.len()));
        for l in &lints {
            ui.say(format!("  rule `{}`: {}", l.rule, l.message));
        }
    }
    if set.routing().default.is_none()
        && rules
            .rules()
            .iter()
            .any(|r| r.spec().script.contains("alert("))
    {
        ui.say("  routing: no `default` department under [routing]; alerts that no route matches go nowhere");
    }
    Ok(0)
}

/// The test files of a set: `<stem>.tests.toml` beside each file that holds rules.
fn default_test_files(set: &ModelSet) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = Vec::new();
    for r in set.rules().specs() {
        let Some(f) = &r.file else { continue };
        let p = Path::new(f);
        let Some(stem) = p.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        let t = p.with_file_name(format!("{stem}.tests.toml"));
        if !files.contains(&t) && t.exists() {
            files.push(t);
        }
    }
    files
}

/// `riskgrade rules test`: every case, pass or fail with a diff; exit 6 when any fails.
fn rules_test(ui: &Ui, model: Option<&Path>, tests: &[PathBuf]) -> Result<u8, Failure> {
    let set = load_model(model)?;
    let mut suites: Vec<(String, String)> = Vec::new();
    let files = if tests.is_empty() && model.is_some() {
        default_test_files(&set)
    } else {
        tests.to_vec()
    };
    if files.is_empty() && model.is_none() {
        suites.push((
            "examples/models/reference_rules.tests.toml (embedded)".into(),
            riskgrade::examples::REFERENCE_RULE_TESTS.to_string(),
        ));
    }
    for f in &files {
        let text = std::fs::read_to_string(f)
            .map_err(|e| Failure::io(format!("cannot read `{}`: {e}", f.display())))?;
        suites.push((f.display().to_string(), text));
    }
    if suites.is_empty() {
        return Err(Failure {
            code: 2,
            message: "no rule tests found: keep them in `<rules file>.tests.toml` beside the rules, or name files with --tests".into(),
        });
    }
    let (mut passed, mut failed) = (0usize, 0usize);
    for (name, text) in &suites {
        let suite = RuleTests::from_toml_str(text, name).map_err(|e| Failure {
            code: 2,
            message: e.to_string(),
        })?;
        ui.say(format!("{name}: {} case(s)", suite.cases.len()));
        for result in suite.run(&set) {
            if result.passed() {
                passed += 1;
            } else {
                failed += 1;
            }
            if !result.passed() || !ui.quiet {
                out(&result);
            }
        }
    }
    ui.say(format!(
        "{} case(s): {passed} passed, {failed} failed",
        passed + failed
    ));
    Ok(if failed == 0 { 0 } else { 6 })
}
