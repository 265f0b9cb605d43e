//! The `riskgrade` command line.
//!
//! Exit codes: 0 success, 1 input/output error, 2 bad command line,
//! 3 bad model, 4 bad data (unreadable, or any bad row in `--strict` mode),
//! 5 partial success (some enterprises could not be graded; the others were).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use riskgrade::io::{OutColumn, OutData};
use riskgrade::synth::{SynthConfig, generate};
use riskgrade::{Date, EvalError, Frame, Grader, Grades, ModelSet, Options, ResultColumns};

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
    /// Synthesize enterprises, grade them with the embedded reference models, and explain one.
    Demo {
        /// Number of enterprises.
        #[arg(long, short, default_value_t = 100_000)]
        n: usize,
        /// Random seed.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Grading date.
        #[arg(long, default_value = "2026-11-01")]
        as_of: Date,
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
    match (grades.issues().is_empty(), graded) {
        (true, _) => 0,
        (false, 0) => 4,
        (false, _) => 5,
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

/// Loads a batch; profiles that could not be read stay in it as reported rows.
fn load_data(path: &Path, set: &ModelSet, as_of: Date, strict: bool) -> Result<Frame, Failure> {
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
        Ok(frame.with_unreadable(unreadable))
    } else {
        riskgrade::io::read_frame(path, set.schema()).map_err(fail)
    }
}

fn grade(
    set: &Arc<ModelSet>,
    frame: &Frame,
    as_of: Date,
    options: &Options,
) -> Result<Grades, Failure> {
    Grader::new(Arc::clone(set))
        .grade(frame, as_of, options)
        .map_err(|e| match e {
            EvalError::MissingColumn { .. }
            | EvalError::Strict { .. }
            | EvalError::AsOfMismatch { .. } => Failure::data(e),
            other => Failure::io(other),
        })
}

fn report_issues(ui: &Ui, grades: &Grades, out: Option<&Path>) {
    let total = grades.issues().len();
    if total == 0 || ui.quiet {
        return;
    }
    eprintln!("{total} bad value(s) or record(s); the rows concerned were not graded:");
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
        Command::Demo { n, seed, as_of } => demo(ui, n, seed, as_of),
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
                    }
                    ui.say(format!("  inputs: {}", set.schema().inputs().len()));
                }
            }
            Ok(0)
        }
        Command::Classify {
            batch: Batch { model, data, as_of },
            out,
            strict,
            contributions,
            max_reasons,
        } => {
            if let Some(o) = &out {
                check_output(o, &["csv", "parquet", "jsonl", "ndjson", "json"])?;
            }
            let set = load_model(model.as_deref())?;
            let started = Instant::now();
            let pb = ui.step(&format!("loading {}", data.display()));
            let frame = load_data(&data, &set, as_of, strict)?;
            pb.set_message(format!("grading {} enterprises", frame.len()));
            let mut options = Options::default()
                .strict(strict)
                .contributions(contributions);
            if let Some(k) = max_reasons {
                options = options.max_reasons(k);
            }
            let grades = grade(&set, &frame, as_of, &options)?;
            if let Some(path) = &out {
                pb.set_message(format!("writing {}", path.display()));
                let table = riskgrade::results_table(
                    &grades,
                    &frame,
                    ResultColumns::default().contributions(contributions),
                );
                riskgrade::io::write_table(path, &table).map_err(Failure::io)?;
            }
            pb.finish_and_clear();
            ui.say(grades.summary());
            if let Some(path) = &out {
                ui.say(format!("results written to {}", path.display()));
            }
            ui.say(format!("took {:.2?}", started.elapsed()));
            report_issues(ui, &grades, out.as_deref());
            Ok(exit_code(&grades))
        }
        Command::Explain {
            batch: Batch { model, data, as_of },
            id,
        } => {
            let set = load_model(model.as_deref())?;
            let frame = load_data(&data, &set, as_of, false)?;
            let grades = grade(&set, &frame, as_of, &Options::default())?;
            let row = grades
                .row_of(&id)
                .ok_or_else(|| Failure::data(EvalError::UnknownEnterprise(id.clone())))?;
            out(grades.explain(&frame, row));
            Ok(if grades.is_graded(row) { 0 } else { 4 })
        }
    }
}

fn demo(ui: &Ui, n: usize, seed: u64, as_of: Date) -> Result<u8, Failure> {
    let set = load_model(None)?;
    ui.say(format!(
        "riskgrade demo: {n} synthetic enterprises, graded as of {as_of} with the embedded reference set (version {})",
        set.version_id()
    ));
    let t0 = Instant::now();
    let pb = ui.step("synthesizing enterprises");
    let synth = generate(&SynthConfig::new(n, seed, as_of));
    let t_synth = t0.elapsed();
    pb.set_message("deriving features");
    let t1 = Instant::now();
    let frame = Frame::from_profiles(
        &synth.enterprises,
        set.schema(),
        as_of,
        set.effect_periods(),
    );
    let t_features = t1.elapsed();
    pb.set_message("grading");
    let t2 = Instant::now();
    let grades = grade(&set, &frame, as_of, &Options::default())?;
    let t_grade = t2.elapsed();
    pb.finish_and_clear();
    let records: usize = synth.enterprises.iter().map(|e| e.records.len()).sum();
    ui.say(format!(
        "synthesized {n} enterprises with {records} records in {t_synth:.2?}; derived {} features each in {t_features:.2?}; graded in {t_grade:.2?} ({} threads)\n",
        set.schema().inputs().len(),
        rayon::current_num_threads()
    ));
    ui.say(grades.summary());
    // Explain an enterprise from the riskiest class present, so the reasons are worth reading.
    let pick = (0..grades.len())
        .filter(|&r| grades.is_graded(r) && !grades.reasons(r).is_empty())
        .max_by_key(|&r| (grades.class_index(r), std::cmp::Reverse(r)));
    if let Some(r) = pick {
        ui.say(format!(
            "one of the riskiest enterprises, explained:\n\n{}",
            grades.explain(&frame, r)
        ));
    }
    Ok(0)
}
