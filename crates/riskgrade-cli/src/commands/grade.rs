//! `classify` and `explain`: grade a batch.

use std::path::PathBuf;
use std::time::Instant;

use std::sync::Arc;

use riskgrade::{Date, ErrorPolicy, EvalError, ModelSet, Options, ResultColumns, StreamError};

use crate::error::{Failure, code, eval_failure, exit_code};
use crate::load::{grade_with, is_profiles, load_batch, load_model, read_failure};
use crate::ui::{
    TABLE_OUTPUTS, Ui, check_output, out, report_issues, report_problems, rule_counts, rule_report,
};

/// The batch a command grades: model, data and date.
#[derive(clap::Args)]
pub(crate) struct Batch {
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

/// `riskgrade classify` arguments.
#[derive(clap::Args)]
pub(crate) struct ClassifyArgs {
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
    /// Rows graded and written at a time: Parquet and JSON Lines are read in
    /// batches of this many rows, so memory holds one batch, not the input.
    #[arg(long, default_value_t = riskgrade::DEFAULT_BATCH_ROWS as u64, value_parser = clap::value_parser!(u64).range(1..))]
    batch_rows: u64,
}

/// `riskgrade explain` arguments.
#[derive(clap::Args)]
pub(crate) struct ExplainArgs {
    #[command(flatten)]
    batch: Batch,
    /// The enterprise's id.
    #[arg(long)]
    id: String,
}

/// `riskgrade classify`: grade a batch, print the summary and the rules' counts, write the results.
///
/// The input is graded and written batch by batch ([`riskgrade::classify_file`]), except
/// when a model cuts its classes by shares of the batch (they need every score at once) or
/// `--strict` reads profiles (a bad profile fails the read): then it is graded whole.
pub(crate) fn classify(ui: &Ui, args: ClassifyArgs) -> Result<u8, Failure> {
    if let Some(o) = &args.out {
        check_output(o, &TABLE_OUTPUTS)?;
    }
    let set = load_model(args.batch.model.as_deref())?;
    let whole = match riskgrade::share_model(&set) {
        Some(model) => {
            if !ui.quiet {
                eprintln!(
                    "note: model `{}` cuts its classes by shares of the batch, which needs every score at once: the input is graded whole, not streamed",
                    riskgrade::display::escape(model)
                );
            }
            true
        }
        None => args.strict && is_profiles(&args.batch.data),
    };
    if whole {
        classify_whole(ui, &set, args)
    } else {
        classify_streamed(ui, &set, args)
    }
}

/// The grading options of `classify`.
fn classify_options(args: &ClassifyArgs) -> Options {
    let mut options = args
        .batch
        .options()
        .strict(args.strict)
        .contributions(args.contributions);
    if let Some(k) = args.max_reasons {
        options = options.max_reasons(k);
    }
    options
}

/// `classify` batch by batch: memory holds a batch, whatever the input's size.
fn classify_streamed(ui: &Ui, set: &Arc<ModelSet>, args: ClassifyArgs) -> Result<u8, Failure> {
    let (data, as_of, out) = (&args.batch.data, args.batch.as_of, args.out.as_deref());
    let started = Instant::now();
    let pb = ui.step(&format!("grading {}", data.display()));
    let columns = ResultColumns::default().contributions(args.contributions);
    let options = classify_options(&args);
    let report = riskgrade::classify_file(
        set,
        data,
        out,
        as_of,
        &options,
        columns,
        usize::try_from(args.batch_rows).unwrap_or(usize::MAX),
    )
    .map_err(|e| match e {
        StreamError::Io(e) => read_failure(e),
        StreamError::Eval(e) => eval_failure(e),
        other => Failure::data(other),
    })?;
    pb.finish_and_clear();
    ui.say(&report.summary);
    let rules = rule_counts(&report.rule_stats);
    if !rules.is_empty() {
        ui.say(format!("rules as of {as_of}:\n{rules}"));
    }
    if let Some(path) = out {
        ui.say(format!("results written to {}", path.display()));
    }
    ui.say(format!("took {:.2?}", started.elapsed()));
    let s = &report.summary;
    report_problems(ui, &report.issues, s.total, s.failed, out);
    Ok(if s.graded == 0 {
        code::DATA
    } else if s.failed == 0 {
        0
    } else {
        code::PARTIAL
    })
}

/// `classify` over the whole input at once.
fn classify_whole(ui: &Ui, set: &Arc<ModelSet>, args: ClassifyArgs) -> Result<u8, Failure> {
    let (data, as_of, out) = (&args.batch.data, args.batch.as_of, args.out.as_deref());
    let started = Instant::now();
    let pb = ui.step(&format!("loading {}", data.display()));
    let loaded = load_batch(data, set, as_of, args.strict)?;
    let frame = &loaded.frame;
    pb.set_message(format!("grading {} enterprises", frame.len()));
    let options = classify_options(&args);
    let grades = grade_with(set, frame, loaded.profiles.as_deref(), as_of, &options)?;
    if let Some(path) = out {
        pb.set_message(format!("writing {}", path.display()));
        let table = riskgrade::results_table(
            &grades,
            frame,
            ResultColumns::default().contributions(args.contributions),
        );
        riskgrade::io::write_table(path, &table).map_err(Failure::io)?;
    }
    pb.finish_and_clear();
    ui.say(grades.summary());
    let report = rule_report(&grades);
    if !report.is_empty() {
        ui.say(format!("rules as of {as_of}:\n{report}"));
    }
    if let Some(path) = out {
        ui.say(format!("results written to {}", path.display()));
    }
    ui.say(format!("took {:.2?}", started.elapsed()));
    report_issues(ui, &grades, out);
    Ok(exit_code(&grades))
}

/// `riskgrade explain`: one enterprise's grade, explained.
pub(crate) fn explain(args: ExplainArgs) -> Result<u8, Failure> {
    let ExplainArgs { batch, id } = args;
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
