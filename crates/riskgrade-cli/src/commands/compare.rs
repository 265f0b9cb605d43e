//! `compare`: one batch graded by two model sets, or one set with and without
//! its rules; champion vs challenger on inspection outcomes.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use riskgrade::synth::{SynthConfig, generate};
use riskgrade::{
    CompareError, CompareInput, Comparison, Date, Enterprise, ErrorPolicy, Grader, Grades,
    ModelComparison, ModelSet, Options, Schema, compare_models,
};

use crate::error::{Failure, eval_failure, exit_code};
use crate::load::{default_as_of, is_profiles, load_model, read_failure};
use crate::ui::{TABLE_OUTPUTS, Ui, check_output, source_name};

/// `riskgrade compare`: one batch graded twice. The rows of the migration matrix
/// are the baseline (`--against`, or `--model` without its rules), the columns `--model`.
#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("baseline").required(true).args(["against", "against_no_rules"])))]
pub(crate) struct CompareArgs {
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

/// The two sets compared: the baseline (rows) and the set under study (columns).
struct Sets {
    baseline: Arc<ModelSet>,
    set: Arc<ModelSet>,
}

/// The enterprises compared, as read: profiles (a file's, or synthetic) or columns.
enum Population {
    /// Profiles and the lines of the file that could not be read.
    Profiles(Vec<Enterprise>, Vec<(String, String)>),
    /// Columns holding the inputs of both sets.
    Columns(riskgrade::Frame),
}

/// `riskgrade compare`: one batch graded by a baseline (`--against`, or `--model` without
/// its rules) and by `--model`; prints the class migration matrix, the biggest moves and
/// the rules behind them, and writes every mover with `--moved`.
///
/// Exit code 0, or 4/5 as for `classify` when some enterprise could not be graded on a side.
pub(crate) fn compare(ui: &Ui, args: CompareArgs) -> Result<u8, Failure> {
    if let Some(path) = &args.moved {
        check_output(path, &TABLE_OUTPUTS)?;
    }
    let started = Instant::now();
    let set = load_model(args.model.as_deref())?;
    let baseline = match &args.against {
        Some(path) => load_model(Some(path))?,
        None => Arc::clone(&set),
    };
    let sets = Sets { baseline, set };
    let data = args.data.as_deref().or(args.data_flag.as_deref());
    let as_of = match args.as_of {
        Some(d) => d,
        None => default_as_of()?,
    };
    let pb = ui.step("loading the enterprises");
    let population = load_population(&args, &sets, data, as_of, &|m| pb.set_message(m))?;
    pb.set_message(format!("grading {} enterprises twice", population.len()));
    let graded = grade_both(&args, &sets, &population, as_of)?;
    let ModelComparison {
        before,
        after,
        comparison,
        ..
    } = graded;
    let (before_label, after_label) = side_labels(&args);
    let comparison = comparison
        .labels(before_label.as_str(), after_label.as_str())
        .top(args.top);
    let judged = challenge(&args, &before, &after, &comparison)?;
    if let Some(path) = &args.moved {
        pb.set_message(format!("writing {}", path.display()));
        riskgrade::io::write_table(path, &comparison.movers_table()).map_err(Failure::io)?;
    }
    pb.finish_and_clear();

    let population = match data {
        Some(path) => format!("{} enterprises from {}", after.len(), path.display()),
        None => format!("{} synthetic enterprises (seed {})", args.n, args.seed),
    };
    ui.say(format!(
        "riskgrade compare: {population}, graded as of {as_of}"
    ));
    print_sides(ui, &args, &sets);
    match &judged {
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
    print_issues(ui, (&before_label, &before), (&after_label, &after));
    // A side that graded nothing makes the comparison empty (4); some rows not graded, 5.
    let codes = [exit_code(&before), exit_code(&after)];
    Ok(if codes.contains(&4) {
        4
    } else {
        codes.into_iter().max().unwrap_or(0)
    })
}

impl Population {
    /// The number of enterprises, read or not.
    fn len(&self) -> usize {
        match self {
            Population::Profiles(p, bad) => p.len() + bad.len(),
            Population::Columns(frame) => frame.len(),
        }
    }
}

/// Reads DATA (profiles, or columns holding both sets' inputs), or synthesizes a population.
fn load_population(
    args: &CompareArgs,
    sets: &Sets,
    data: Option<&Path>,
    as_of: Date,
    progress: &dyn Fn(String),
) -> Result<Population, Failure> {
    match data {
        None => {
            progress(format!("synthesizing {} enterprises", args.n));
            let synth = generate(&SynthConfig::new(args.n, args.seed, as_of));
            Ok(Population::Profiles(synth.enterprises, Vec::new()))
        }
        Some(path) if is_profiles(path) => {
            let p = riskgrade::io::read_profiles(path, false).map_err(read_failure)?;
            let bad = p.unreadable();
            Ok(Population::Profiles(p.enterprises, bad))
        }
        Some(path) => {
            let (a, b) = (sets.set.schema(), sets.baseline.schema());
            let both = Schema::new(a.inputs().iter().chain(b.inputs()).cloned());
            let frame = riskgrade::io::read_frame(path, &both).map_err(read_failure)?;
            Ok(Population::Columns(frame))
        }
    }
}

/// Grades the population with the baseline and with the set under study, and compares.
fn grade_both(
    args: &CompareArgs,
    sets: &Sets,
    population: &Population,
    as_of: Date,
) -> Result<ModelComparison, Failure> {
    let input = match population {
        Population::Profiles(profiles, unreadable) => CompareInput::Profiles {
            profiles,
            unreadable,
        },
        Population::Columns(frame) => CompareInput::Frame(frame),
    };
    let before_options = Options::default()
        .rules(args.against.is_some())
        .on_rule_error(args.on_rule_error);
    let after_options = Options::default().on_rule_error(args.on_rule_error);
    compare_models(
        &Grader::new(Arc::clone(&sets.baseline)),
        &Grader::new(Arc::clone(&sets.set)),
        input,
        as_of,
        (&before_options, &after_options),
    )
    .map_err(|e| match e {
        CompareError::Grade { error, .. } => eval_failure(*error),
        other => Failure::data(other),
    })
}

/// The names of the matrix's rows and columns.
fn side_labels(args: &CompareArgs) -> (String, String) {
    match &args.against {
        Some(path) => (
            path.display().to_string(),
            source_name(args.model.as_deref()),
        ),
        None => ("without rules".to_string(), "with rules".to_string()),
    }
}

/// Champion vs challenger on `--outcomes`, when given.
fn challenge(
    args: &CompareArgs,
    before: &Grades,
    after: &Grades,
    comparison: &Comparison,
) -> Result<Option<riskgrade::Challenge>, Failure> {
    let Some(path) = &args.outcomes else {
        return Ok(None);
    };
    let labels = riskgrade::calibrate::read_outcome_labels(path)
        .map_err(|e| Failure::usage(e.to_string()))?;
    let c = riskgrade::challenge(before, after, &labels)
        .map_err(Failure::data)?
        .with_comparison(comparison.clone());
    Ok(Some(c))
}

/// What the rows and the columns are.
fn print_sides(ui: &Ui, args: &CompareArgs, sets: &Sets) {
    let source = |path: Option<&Path>, s: &ModelSet| {
        format!(
            "{} (version {}, {} rules)",
            source_name(path),
            s.version_id(),
            s.rules().len()
        )
    };
    match &args.against {
        Some(path) => ui.say(format!(
            "  rows:    {}\n  columns: {}\n",
            source(Some(path), &sets.baseline),
            source(args.model.as_deref(), &sets.set)
        )),
        None => ui.say(format!(
            "  rows:    {} without its rules\n  columns: the same with its rules\n",
            source(args.model.as_deref(), &sets.set)
        )),
    }
    if args.against.is_none() && sets.set.rules().is_empty() {
        ui.say("note: the set has no rules, so without them nothing can move\n");
    }
}

/// Each side's bad values on stderr; the baseline's only when they are not the same as the other side's.
fn print_issues(ui: &Ui, before: (&str, &Grades), after: (&str, &Grades)) {
    let repeated = before.1.issues() == after.1.issues();
    for ((label, g), skip) in [(after, false), (before, repeated)] {
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
}
