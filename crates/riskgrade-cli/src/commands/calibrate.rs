//! `riskgrade calibrate`: AHP, entropy, CRITIC, logistic calibration on outcomes and class
//! cut-offs, each writing a new model version with its provenance.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use riskgrade::Month;
use riskgrade::calibrate::{
    self as cal, AhpFile, AhpOptions, CalibrateError, Change, FitOptions, IndicatorDirection,
    Indicators, ObjectiveMethod, ObjectiveOptions, RiTable,
};
use riskgrade::demo::simulated_outcomes;
use riskgrade::synth::{SynthConfig, Truth, generate};
use riskgrade::{Date, Frame, ModelSet, Options};

use crate::error::{Failure, read_failure, store_failure, unreadable_file};
use crate::load::{default_as_of, grade_with, load_batch, load_model, open_existing};
use crate::ui::{TABLE_OUTPUTS, Ui, check_output};

/// What to calibrate.
#[derive(clap::Subcommand)]
pub(crate) enum CalibrateCommand {
    /// AHP: weights of each judged node's children from pairwise comparison matrices
    /// (Saaty's 1–9 scale), with λmax, CI and CR; a matrix with CR ≥ 0.1 is refused.
    Ahp {
        #[command(flatten)]
        target: Target,
        /// The judgement file (`[[matrix]]` entries with `node`, `order` and `rows`).
        judgements: PathBuf,
        /// Random-index table: saaty-1980 (default) or another known one.
        #[arg(long)]
        ri_table: Option<RiTable>,
        /// The largest consistency ratio accepted (default: the file's, else 0.1).
        #[arg(long)]
        max_cr: Option<f64>,
        /// Keep matrices whose CR is too high (the provenance says so).
        #[arg(long)]
        accept_inconsistent: bool,
    },
    /// Entropy weights from a batch: indicators that vary more weigh more.
    Entropy(Objective),
    /// CRITIC weights from a batch: contrast (standard deviation) times conflict with the others.
    Critic(Objective),
    /// Fit the leaf weights on inspection outcomes (logistic regression with a sign check) and
    /// report detection rates, AUC, KS and Gini before and after on held-out inspections.
    Outcomes {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        data: DataArgs,
        /// Outcomes: enterprise and result (problem, no_problem, …) or problem (true/false).
        /// Without it (or --store) and without --data, a tenth of the synthetic enterprises are
        /// inspected in simulation, each finding a problem with its hidden true probability.
        #[arg(long, conflicts_with = "store")]
        outcomes: Option<PathBuf>,
        #[command(flatten)]
        stored: StoredOutcomes,
        /// Share of inspections held out of the fit to evaluate it.
        #[arg(long, default_value_t = 0.3)]
        holdout: f64,
        /// Seed of the hold-out choice.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Experts' share α in α·expert + (1 − α)·fitted.
        #[arg(long, default_value_t = 0.0)]
        expert_share: f64,
        /// Write the outcomes used (enterprise, problem) here, e.g. the simulated ones, to judge
        /// champion and challenger with `riskgrade compare --outcomes`.
        #[arg(long)]
        save_outcomes: Option<PathBuf>,
        /// Cut the classes to these shares (least risky first) on the new scores (default: the
        /// shares the classes had under the old weights).
        #[arg(long, value_delimiter = ',', conflicts_with = "keep_bands")]
        shares: Vec<f64>,
        /// Keep the model's class bands as they are.
        #[arg(long)]
        keep_bands: bool,
    },
    /// Class cut-offs from target shares of the batch, or from desired detection rates among
    /// the inspected.
    Cutoffs {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        data: DataArgs,
        /// Target shares per class, least risky first (e.g. 0.65,0.25,0.07,0.03).
        #[arg(
            long,
            value_delimiter = ',',
            conflicts_with = "rates",
            required_unless_present = "rates"
        )]
        shares: Vec<f64>,
        /// Desired detection rates of the riskier classes, e.g. B=0.08,C=0.15,D=0.4 (needs
        /// --outcomes, or --store and --period).
        #[arg(long, value_delimiter = ',')]
        rates: Vec<String>,
        /// Outcomes, for --rates.
        #[arg(long, conflicts_with = "store")]
        outcomes: Option<PathBuf>,
        #[command(flatten)]
        stored: StoredOutcomes,
        /// Each class needs at least this many inspections (with --rates).
        #[arg(long, default_value_t = 30)]
        min_inspected: usize,
    },
}

/// Outcomes recorded in the history store (`riskgrade outcomes`).
#[derive(clap::Args)]
pub(crate) struct StoredOutcomes {
    /// History store whose closed inspections to use (with --period).
    #[arg(long, short = 's', requires = "period")]
    store: Option<PathBuf>,
    /// The period the inspections were drawn from (YYYY-MM); --data should hold that period's enterprises.
    #[arg(long, requires = "store")]
    period: Option<Month>,
}

impl StoredOutcomes {
    fn read(&self) -> Result<Option<Vec<(String, bool)>>, Failure> {
        let (Some(path), Some(period)) = (&self.store, self.period) else {
            return Ok(None);
        };
        let store = open_existing(path)?;
        cal::store_outcomes(&store, period)
            .map(Some)
            .map_err(failure)
    }
}

/// The model set and where the new version goes.
#[derive(clap::Args)]
pub(crate) struct Target {
    /// Model or model set file (default: the embedded reference set; --out needs a file).
    #[arg(long, short)]
    model: Option<PathBuf>,
    /// The model of the set to calibrate (default: the set's default model).
    #[arg(long)]
    model_id: Option<String>,
    /// Write the new version into this new folder (a copy of the set's files with the model
    /// edited and the provenance appended). Without it, only the report is printed.
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// The date recorded in the provenance (default: today).
    #[arg(long)]
    date: Option<Date>,
}

/// The enterprises a data-driven method reads.
#[derive(clap::Args)]
pub(crate) struct DataArgs {
    /// Enterprises: profiles (.jsonl/.json) or columns (.csv/.parquet); without it, a synthetic population.
    #[arg(long, short, requires = "as_of")]
    data: Option<PathBuf>,
    /// Grading date of the data (YYYY-MM-DD).
    #[arg(long)]
    as_of: Option<Date>,
    /// Synthetic enterprises when no --data is given.
    #[arg(long, short, default_value_t = 100_000)]
    n: usize,
    /// Seed of the synthetic population.
    #[arg(long, default_value_t = 42)]
    synth_seed: u64,
}

/// Arguments of the objective methods.
#[derive(clap::Args)]
pub(crate) struct Objective {
    #[command(flatten)]
    target: Target,
    #[command(flatten)]
    data: DataArgs,
    /// Only reweigh the leaves below this node (e.g. supervision).
    #[arg(long)]
    under: Option<String>,
    /// Experts' share α in α·expert + (1 − α)·objective.
    #[arg(long, default_value_t = 0.0)]
    expert_share: f64,
    /// Override a leaf's direction: PATH=benefit or PATH=cost (repeatable).
    #[arg(long, value_name = "PATH=DIR")]
    direction: Vec<String>,
}

/// A calibration error by the exit-code table: the command line (2), a bad model or
/// judgement file (3), bad data or outcomes (4), a file that cannot be read or written (1).
fn failure(e: CalibrateError) -> Failure {
    match e {
        CalibrateError::Io { ref file, .. } => {
            let file = file.clone();
            unreadable_file("AHP judgements", &file, e)
        }
        CalibrateError::Model(_) => Failure::model(e),
        CalibrateError::Judgements { .. } | CalibrateError::Inconsistent { .. } => {
            Failure::definition("AHP judgements", e)
        }
        CalibrateError::NoModel { .. }
        | CalibrateError::NoNode { .. }
        | CalibrateError::NotALeaf { .. }
        | CalibrateError::NothingBelow { .. }
        | CalibrateError::UnknownMethod { .. }
        | CalibrateError::Argument { .. }
        | CalibrateError::NoOutcomes { .. } => Failure::usage(e.to_string()),
        CalibrateError::Table(e) => read_failure(e),
        CalibrateError::Store(e) => store_failure(e),
        CalibrateError::Write { .. } => Failure::usage(e.to_string()),
        _ => Failure::data(e),
    }
}

fn today() -> Option<Date> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    Some(Date::from_days(i32::try_from(secs / 86_400).ok()?))
}

/// Loads the data and grades it; returns the chosen model's indicators.
fn indicators(
    ui: &Ui,
    set: &Arc<ModelSet>,
    model: Option<&str>,
    data: &DataArgs,
) -> Result<(Indicators, String, Vec<Truth>), Failure> {
    let model = cal::model_of(set, model).map_err(failure)?.id().to_string();
    let as_of = match data.as_of {
        Some(d) => d,
        None => default_as_of()?,
    };
    let pb = ui.step("grading the enterprises");
    let (frame, profiles, what, truth) = match &data.data {
        Some(path) => {
            let l = load_batch(path, set, as_of, false)?;
            let what = format!("{} enterprises from {}", l.frame.len(), path.display());
            (l.frame, l.profiles, what, Vec::new())
        }
        None => {
            let synth = generate(&SynthConfig::new(data.n, data.synth_seed, as_of));
            let f = Frame::from_profiles(
                &synth.enterprises,
                set.schema(),
                as_of,
                set.effect_periods(),
            );
            let what = format!(
                "{} synthetic enterprises (seed {})",
                data.n, data.synth_seed
            );
            (f, Some(synth.enterprises), what, synth.truth)
        }
    };
    let grades = grade_with(set, &frame, profiles.as_deref(), as_of, &Options::default())?;
    let ind = Indicators::from_grades(&grades, &frame, &model).map_err(failure)?;
    pb.finish_and_clear();
    Ok((ind, format!("{what}, graded as of {as_of}"), truth))
}

fn finish(ui: &Ui, set: &ModelSet, target: &Target, changes: &[Change]) -> Result<u8, Failure> {
    let Some(out) = &target.out else {
        ui.say("\nnothing written: --out FOLDER writes the new version");
        return Ok(0);
    };
    let Some(source) = &target.model else {
        return Err(Failure::usage(
            "--out needs --model FILE: the embedded set has no files to copy \
                      (try --model examples/models/reference.toml)",
        ));
    };
    let (path, version) = cal::write_version(set, source, changes, out).map_err(failure)?;
    ui.say(format!(
        "\nwrote version {version} (from {}) to {}",
        set.version_id(),
        path.display()
    ));
    Ok(0)
}

fn load(target: &Target) -> Result<Arc<ModelSet>, Failure> {
    load_model(target.model.as_deref())
}

/// `riskgrade calibrate …`.
pub(crate) fn calibrate(ui: &Ui, command: CalibrateCommand) -> Result<u8, Failure> {
    match command {
        CalibrateCommand::Ahp {
            target,
            judgements,
            ri_table,
            max_cr,
            accept_inconsistent,
        } => {
            let set = load(&target)?;
            let mut file = AhpFile::from_file(&judgements).map_err(failure)?;
            if let Some(id) = &target.model_id {
                file.model = Some(id.clone());
            }
            let outcome = cal::ahp(
                &set,
                &file,
                &AhpOptions {
                    table: ri_table,
                    max_cr,
                    accept_inconsistent,
                    date: target.date.or_else(today),
                },
            )
            .map_err(failure)?;
            ui.say(&outcome);
            finish(ui, &set, &target, &outcome.changes)
        }
        CalibrateCommand::Entropy(args) => objective(ui, ObjectiveMethod::Entropy, args),
        CalibrateCommand::Critic(args) => objective(ui, ObjectiveMethod::Critic, args),
        CalibrateCommand::Outcomes {
            target,
            data,
            outcomes,
            stored,
            holdout,
            seed,
            expert_share,
            save_outcomes,
            shares,
            keep_bands,
        } => {
            let set = load(&target)?;
            let (ind, what, truth) = indicators(ui, &set, target.model_id.as_deref(), &data)?;
            ui.say(format!("riskgrade calibrate outcomes: {what}"));
            let labels = outcome_labels(ui, outcomes.as_deref(), &stored, &data, &truth)?;
            if let Some(path) = &save_outcomes {
                write_outcomes(path, &labels)?;
                ui.say(format!("outcomes written to {}", path.display()));
            }
            ui.say("");
            let date = target.date.or_else(today);
            let fit = cal::fit_outcomes(
                &set,
                &ind,
                &labels,
                &FitOptions {
                    model: target.model_id.clone(),
                    holdout,
                    seed,
                    expert_share,
                    date,
                    recut: cal::Recut::from_settings(
                        (!shares.is_empty()).then_some(shares),
                        keep_bands,
                    )
                    .map_err(failure)?,
                    ..FitOptions::default()
                },
            )
            .map_err(failure)?;
            ui.say(&fit);
            let changes = fit.changes();
            finish(ui, &set, &target, &changes)
        }
        CalibrateCommand::Cutoffs {
            target,
            data,
            shares,
            rates,
            outcomes,
            stored,
            min_inspected,
        } => {
            let set = load(&target)?;
            // Check the rates before the (long) grading.
            let parsed = if rates.is_empty() {
                None
            } else {
                let model = cal::model_of(&set, target.model_id.as_deref()).map_err(failure)?;
                Some(parse_rates(model.classes().names(), &rates)?)
            };
            let (ind, what, _) = indicators(ui, &set, target.model_id.as_deref(), &data)?;
            ui.say(format!("riskgrade calibrate cutoffs: {what}\n"));
            let date = target.date.or_else(today);
            let c = if let Some(rates) = parsed {
                let labels = rate_labels(outcomes.as_deref(), &stored)?;
                cal::cutoffs_from_rates(
                    &set,
                    target.model_id.as_deref(),
                    &ind,
                    &labels,
                    &rates,
                    min_inspected,
                    date,
                )
            } else {
                cal::cutoffs_from_shares(&set, target.model_id.as_deref(), &ind, &shares, date)
            }
            .map_err(failure)?;
            ui.say(&c);
            finish(ui, &set, &target, &[c.change])
        }
    }
}

/// The outcomes to calibrate on: a file, the store's closed inspections, or (for a synthetic
/// population) simulated inspections.
fn outcome_labels(
    ui: &Ui,
    outcomes: Option<&Path>,
    stored: &StoredOutcomes,
    data: &DataArgs,
    truth: &[Truth],
) -> Result<Vec<(String, bool)>, Failure> {
    Ok(match (outcomes, stored.read()?, data.data.is_some()) {
        (Some(path), _, _) => cal::read_outcome_labels(path).map_err(failure)?,
        (None, Some(l), _) => l,
        (None, None, false) => {
            let l = simulated_outcomes(truth, data.synth_seed);
            ui.say(format!(
                "simulated inspections: {} enterprises drawn at random, each finding a problem \
                 with its hidden true probability (pass --outcomes for real ones)",
                l.len()
            ));
            l
        }
        (None, None, true) => {
            return Err(Failure::usage(
                "--data needs --outcomes, or --store and --period: the \
                          inspection outcomes to calibrate on",
            ));
        }
    })
}

/// The outcomes `--rates` are measured on: a file or the store's closed inspections.
fn rate_labels(
    outcomes: Option<&Path>,
    stored: &StoredOutcomes,
) -> Result<Vec<(String, bool)>, Failure> {
    match (outcomes, stored.read()?) {
        (Some(path), _) => cal::read_outcome_labels(path).map_err(failure),
        (None, Some(l)) => Ok(l),
        (None, None) => Err(Failure::usage(
            "--rates needs --outcomes, or --store and --period",
        )),
    }
}

/// Writes the outcomes used (enterprise, problem).
fn write_outcomes(path: &Path, labels: &[(String, bool)]) -> Result<(), Failure> {
    check_output(path, &TABLE_OUTPUTS)?;
    let table = vec![
        riskgrade::io::OutColumn::new(
            "enterprise",
            riskgrade::io::OutData::Text(labels.iter().map(|(id, _)| Some(id.clone())).collect()),
        ),
        riskgrade::io::OutColumn::new(
            "problem",
            riskgrade::io::OutData::Bool(labels.iter().map(|(_, p)| Some(*p)).collect()),
        ),
    ];
    riskgrade::io::write_table(path, &table).map_err(Failure::io)
}

/// `B=0.08,C=0.15,D=0.4` → one rate per class, the least risky one `None`.
fn parse_rates(classes: &[String], given: &[String]) -> Result<Vec<Option<f64>>, Failure> {
    let bad = |m: String| Failure::usage(m);
    let mut by: BTreeMap<&str, f64> = BTreeMap::new();
    for g in given {
        let (c, r) = g
            .split_once('=')
            .ok_or_else(|| bad(format!("--rates `{g}`: write CLASS=RATE, e.g. D=0.4")))?;
        if !classes.iter().any(|x| x == c) {
            return Err(bad(format!(
                "--rates `{g}`: the model has no class `{c}` (it has {})",
                classes.join(", ")
            )));
        }
        let r: f64 = r
            .parse()
            .map_err(|_| bad(format!("--rates `{g}`: `{r}` is not a number")))?;
        by.insert(c, r);
    }
    let mut out: Vec<Option<f64>> = classes
        .iter()
        .map(|c| by.get(c.as_str()).copied())
        .collect();
    if out[0].is_some() {
        return Err(bad(format!(
            "--rates: `{}` is the least risky class, which takes the rest; give rates for the others",
            classes[0]
        )));
    }
    if let Some(i) = out.iter().skip(1).position(Option::is_none) {
        return Err(bad(format!(
            "--rates: no rate for class `{}`; give one for every class but `{}`",
            classes[i + 1],
            classes[0]
        )));
    }
    out[0] = None;
    Ok(out)
}

fn objective(ui: &Ui, method: ObjectiveMethod, args: Objective) -> Result<u8, Failure> {
    let set = load(&args.target)?;
    let mut directions = BTreeMap::new();
    for d in &args.direction {
        let (path, dir) = d.split_once('=').ok_or_else(|| {
            Failure::usage(format!(
                "--direction `{d}`: write PATH=benefit or PATH=cost"
            ))
        })?;
        let dir: IndicatorDirection = dir
            .parse()
            .map_err(|e| Failure::usage(format!("--direction `{d}`: {e}")))?;
        directions.insert(path.to_string(), dir);
    }
    let (ind, what, _) = indicators(ui, &set, args.target.model_id.as_deref(), &args.data)?;
    ui.say(format!("riskgrade calibrate {}: {what}\n", method.name()));
    let outcome = cal::objective(
        &set,
        &ind,
        method,
        &ObjectiveOptions {
            model: args.target.model_id.clone(),
            under: args.under.clone(),
            expert_share: args.expert_share,
            directions,
            date: args.target.date.or_else(today),
        },
    )
    .map_err(failure)?;
    ui.say(&outcome);
    finish(ui, &set, &args.target, &[outcome.change])
}
