//! `classify` and `explain`: grade a batch.

use std::path::PathBuf;
use std::time::Instant;

use riskgrade::{Date, ErrorPolicy, EvalError, Options, ResultColumns};

use crate::error::{Failure, exit_code};
use crate::load::{grade_with, load_batch, load_model};
use crate::ui::{TABLE_OUTPUTS, Ui, check_output, out, report_issues, rule_report};

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
pub(crate) fn classify(ui: &Ui, args: ClassifyArgs) -> Result<u8, Failure> {
    let ClassifyArgs {
        batch,
        out,
        strict,
        contributions,
        max_reasons,
    } = args;
    if let Some(o) = &out {
        check_output(o, &TABLE_OUTPUTS)?;
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
