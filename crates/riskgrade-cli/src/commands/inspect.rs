//! The inspection commands: `plan check`, `draw`, `verify`, `outcomes`,
//! `evaluate`, `queue` and `targeting`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use riskgrade::Month;
use riskgrade::inspect::{Truthful, plan_vs_uniform, targeting_curves};
use riskgrade::synth::{SynthConfig, generate};
use riskgrade::{Date, Grader, Options};

use crate::error::{Failure, inspection_failure, store_failure};
use crate::load::{
    DEFAULT_AS_OF, load_model, load_plan, open_existing, open_existing_for_writing,
};
use crate::ui::{TABLE_OUTPUTS, Ui, check_output, out};

/// Check an inspection plan.
#[derive(clap::Subcommand)]
pub(crate) enum PlanCommand {
    /// Load and validate a plan; print its effective ratios per class and its digest.
    Check {
        /// Plan file or embedded plan name.
        #[arg(default_value = "henan-2021")]
        plan: String,
    },
}

/// `riskgrade targeting` arguments.
#[derive(clap::Args)]
pub(crate) struct TargetingArgs {
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
    #[arg(long, default_value = DEFAULT_AS_OF)]
    as_of: Date,
}

/// `riskgrade plan …`.
pub(crate) fn plan(ui: &Ui, command: PlanCommand) -> Result<u8, Failure> {
    match command {
        PlanCommand::Check { plan } => plan_check(ui, &plan),
    }
}

/// `riskgrade plan check`.
fn plan_check(ui: &Ui, name: &str) -> Result<u8, Failure> {
    let plan = load_plan(name)?;
    ui.say(format!(
        "plan `{}` ({}): ok, digest {}",
        plan.id(),
        plan.name(),
        plan.digest()
    ));
    for c in plan.classes() {
        let ratio = plan.effective_ratio(c).unwrap_or(0.0);
        let what = if plan.is_full_coverage(c) {
            "every enterprise".to_string()
        } else {
            format!("{:.2}% per draw", ratio * 100.0)
        };
        ui.say(format!("  class {c}: {what}"));
    }
    ui.say(format!("  inspectors per task: {}", plan.per_task()));
    for n in plan.notes() {
        ui.say(format!("  note: {n}"));
    }
    Ok(0)
}

/// `riskgrade draw` arguments.
#[derive(clap::Args)]
pub(crate) struct DrawArgs {
    /// History store.
    #[arg(long, short = 's')]
    store: PathBuf,
    /// The graded period to draw from (YYYY-MM).
    #[arg(long, short = 'p')]
    period: Month,
    /// Plan file, or an embedded plan: henan-2021, yuexiu-2021, bayannur-2022, food-production.
    #[arg(long, default_value = "henan-2021")]
    plan: String,
    /// Inspector pool (.csv/.parquet/.jsonl): id, name, department, district, capacity[, conflicts].
    #[arg(long)]
    pool: PathBuf,
    /// The published seed: anyone holding it and the inputs can re-draw.
    #[arg(long)]
    seed: String,
    /// Draw date (default: the first day of the month after the period).
    #[arg(long)]
    date: Option<Date>,
    /// Write the task list here (.csv, .parquet, .jsonl or .json).
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// Who draws (for the audit trail).
    #[arg(long, default_value = "riskgrade")]
    by: String,
}

/// `riskgrade draw`.
pub(crate) fn draw(ui: &Ui, args: DrawArgs) -> Result<u8, Failure> {
    if let Some(o) = &args.out {
        check_output(o, &TABLE_OUTPUTS)?;
    }
    let plan = load_plan(&args.plan)?;
    let pool = riskgrade::read_pool(&args.pool).map_err(inspection_failure)?;
    let mut store = open_existing_for_writing(&args.store)?;
    let date = args.date.unwrap_or_else(|| args.period.next().first_day());
    let (id, d) = riskgrade::draw_period(
        &mut store,
        args.period,
        &plan,
        &pool,
        &args.seed,
        date,
        &args.by,
    )
    .map_err(inspection_failure)?;
    ui.say(format!(
        "draw #{id}: plan `{}` on {date} from period {}, seed `{}`: {} tasks, {} inspectors each",
        plan.id(),
        args.period,
        args.seed,
        d.tasks.len(),
        plan.per_task()
    ));
    ui.say(format!(
        "digests: plan {}, candidates {}, pool {}, history {}",
        &d.digests.plan[..12.min(d.digests.plan.len())],
        &d.digests.candidates[..12.min(d.digests.candidates.len())],
        &d.digests.pool[..12.min(d.digests.pool.len())],
        &d.digests.history[..12.min(d.digests.history.len())]
    ));
    // Per class: enterprises, quota, mandatory, random, shortfall.
    let mut per: Vec<(String, [u32; 5])> = Vec::new();
    for s in &d.strata {
        let e = match per.iter_mut().find(|(c, _)| *c == s.class) {
            Some(e) => e,
            None => {
                per.push((s.class.clone(), [0; 5]));
                per.last_mut().expect("just pushed")
            }
        };
        for (k, v) in [s.enterprises, s.quota, s.mandatory, s.random, s.shortfall]
            .into_iter()
            .enumerate()
        {
            e.1[k] += v;
        }
    }
    ui.say(format!(
        "{:<6} {:>11} {:>7} {:>10} {:>7} {:>10}",
        "class", "enterprises", "quota", "mandatory", "random", "shortfall"
    ));
    for (c, v) in &per {
        ui.say(format!(
            "{:<6} {:>11} {:>7} {:>10} {:>7} {:>10}",
            c, v[0], v[1], v[2], v[3], v[4]
        ));
    }
    for t in d.tasks.iter().take(5) {
        ui.say(format!(
            "  task {}: {} (class {}) — {} — {}",
            t.number,
            t.enterprise,
            t.class,
            t.why.text(&t.class, &t.stratum),
            t.inspectors.join(", ")
        ));
    }
    if let Some(path) = &args.out {
        write_tasks(&d, path)?;
        ui.say(format!("task list written to {}", path.display()));
    }
    Ok(0)
}

fn write_tasks(d: &riskgrade::inspect::Draw, path: &Path) -> Result<(), Failure> {
    use riskgrade::io::{OutColumn, OutData};
    let rows = d.to_rows();
    let text = |f: &dyn Fn(&riskgrade::inspect::Row) -> String| {
        OutData::Text(rows.iter().map(|r| Some(f(r))).collect())
    };
    let cols = vec![
        OutColumn {
            name: "task".into(),
            data: OutData::Integer(rows.iter().map(|r| Some(i64::from(r.number))).collect()),
        },
        OutColumn {
            name: "enterprise".into(),
            data: text(&|r| r.enterprise.clone()),
        },
        OutColumn {
            name: "class".into(),
            data: text(&|r| r.class.clone()),
        },
        OutColumn {
            name: "stratum".into(),
            data: text(&|r| r.stratum.clone()),
        },
        OutColumn {
            name: "why".into(),
            data: text(&|r| r.why.clone()),
        },
        OutColumn {
            name: "inspectors".into(),
            data: text(&|r| r.inspectors.clone()),
        },
    ];
    riskgrade::io::write_table(path, &cols).map_err(Failure::io)
}

/// `riskgrade verify`.
pub(crate) fn verify(ui: &Ui, store: &Path, draw: i64, pool: &Path) -> Result<u8, Failure> {
    let s = open_existing(store)?;
    let pool = riskgrade::read_pool(pool).map_err(inspection_failure)?;
    let diffs = riskgrade::verify_draw(&s, draw, &pool).map_err(inspection_failure)?;
    if diffs.is_empty() {
        let info = s.draw(draw).map_err(store_failure)?;
        ui.say(format!(
            "draw #{draw} re-drawn from its plan, period {}, pool and seed `{}`: identical ({} tasks)",
            info.period, info.seed, info.tasks
        ));
        Ok(0)
    } else {
        for d in &diffs {
            eprintln!("  {d}");
        }
        Err(Failure {
            code: 7,
            message: format!(
                "draw #{draw} does not re-draw the same: {} difference(s)",
                diffs.len()
            ),
        })
    }
}

/// `riskgrade outcomes`.
pub(crate) fn outcomes(
    ui: &Ui,
    store: &Path,
    draw: i64,
    file: &Path,
    by: &str,
) -> Result<u8, Failure> {
    let mut s = open_existing_for_writing(store)?;
    let outcomes = riskgrade::read_outcomes(file, draw).map_err(inspection_failure)?;
    let n = s.record_outcomes(&outcomes, by).map_err(store_failure)?;
    let open = s
        .tasks(draw)
        .map_err(store_failure)?
        .iter()
        .filter(|t| t.outcome.is_none())
        .count();
    ui.say(format!(
        "{n} task(s) of draw #{draw} closed; {open} still open. The outcomes count as inspection records from the next run on."
    ));
    Ok(0)
}

/// `riskgrade evaluate`.
pub(crate) fn evaluate(store: &Path, draw: i64, random_only: bool) -> Result<u8, Failure> {
    let s = open_existing(store)?;
    let e = riskgrade::evaluate_draw(&s, draw, random_only).map_err(store_failure)?;
    let which = if random_only {
        "random picks"
    } else {
        "all closed tasks"
    };
    out(format!(
        "draw #{draw} ({which}): classes against what the inspections found\n{e}"
    ));
    Ok(0)
}

/// `riskgrade queue`.
pub(crate) fn queue(
    store: &Path,
    period: Month,
    department: Option<&str>,
    top: usize,
) -> Result<u8, Failure> {
    let s = open_existing(store)?;
    let q = riskgrade::queues(&s, period).map_err(store_failure)?;
    match department {
        None => out(&q),
        Some(d) => {
            let Some(dq) = q.departments.iter().find(|x| x.department == d) else {
                return Err(Failure::usage(format!(
                    "no alerts of {period} went to `{d}`; departments with alerts: {}",
                    q.departments
                        .iter()
                        .map(|x| x.department.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            };
            out(format!("{d}: {} enterprise(s) in {period}", dq.items.len()));
            for i in dq.items.iter().take(top) {
                out(format!(
                    "  {} (class {}): {}{}",
                    i.id,
                    i.class.as_deref().unwrap_or("-"),
                    i.topics.join(", "),
                    if i.labels.is_empty() {
                        String::new()
                    } else {
                        format!("  [{}]", i.labels.join(", "))
                    }
                ));
            }
        }
    }
    Ok(0)
}

/// `riskgrade targeting`: on a synthetic population whose true risk is known,
/// how many inspections the plan needs to find as many problems as uniform
/// random sampling, and the curves of inspections against problems found.
pub(crate) fn targeting(ui: &Ui, args: TargetingArgs) -> Result<u8, Failure> {
    let TargetingArgs {
        n,
        seed,
        plan,
        as_of,
    } = args;
    let plan = load_plan(&plan)?;
    let set = load_model(None)?;
    ui.say(format!(
        "targeting: {n} synthetic enterprises (seed {seed}) graded as of {as_of} with the reference set; each inspection finds a problem with the enterprise's true yearly violation probability"
    ));
    let synth = generate(&SynthConfig::new(n, seed, as_of));
    let frame = set.frame_of(&synth.enterprises, as_of);
    let grades = Grader::new(Arc::clone(&set))
        .grade_with(
            &frame,
            Some(&synth.enterprises),
            as_of,
            &Options::default().reasons(false),
        )
        .map_err(Failure::data)?;
    let pop: Vec<Truthful> = (0..grades.len())
        .filter_map(|r| {
            Some(Truthful {
                id: grades.id(r).to_string(),
                class: grades.class(r)?.to_string(),
                score: grades.score(r)?,
                propensity: synth.truth[r].propensity,
            })
        })
        .collect();
    let ratios: Vec<(String, f64)> = plan
        .classes()
        .map(|c| (c.to_string(), plan.effective_ratio(c).unwrap_or(0.0)))
        .collect();
    let cmp = plan_vs_uniform(&pop, &ratios);
    ui.say(format!(
        "\nplan `{}` against uniform random sampling:\n{cmp}",
        plan.id()
    ));
    let curves = targeting_curves(&pop, true, 11);
    ui.say(format!("\n{curves}"));
    Ok(0)
}
