//! The inspection commands: `plan check`, `draw`, `verify`, `outcomes`,
//! `evaluate`, `queue` and `targeting`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use riskgrade::Month;
use riskgrade::inspect::{Truthful, plan_vs_uniform, targeting_curves};
use riskgrade::synth::{SynthConfig, generate};
use riskgrade::{Date, Grader, Options};

use crate::error::{Failure, inspection_failure, store_failure};
use crate::load::{DEFAULT_AS_OF, load_model, load_plan, open_existing, open_existing_for_writing};
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
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub(crate) struct DrawArgs {
    /// Commit to a draw's inputs before the seed exists.
    #[command(subcommand)]
    command: Option<DrawCommand>,
    /// History store.
    #[arg(long, short = 's', required = true)]
    store: Option<PathBuf>,
    /// Draw under this stored commitment (its period, plan and date); inputs that differ from
    /// it are refused.
    #[arg(long, conflicts_with_all = ["period", "plan", "date"])]
    commitment: Option<i64>,
    /// The graded period to draw from (YYYY-MM), without a commitment.
    #[arg(long, short = 'p', required_unless_present = "commitment")]
    period: Option<Month>,
    /// Plan file, or an embedded plan: henan-2021, yuexiu-2021, bayannur-2022, food-production, special-equipment.
    #[arg(long)]
    plan: Option<String>,
    /// Inspector pool (.csv/.parquet/.jsonl): id, name, department, district, capacity[, conflicts].
    #[arg(long, required = true)]
    pool: Option<PathBuf>,
    /// The published seed: anyone holding it and the inputs can re-draw.
    #[arg(long, required = true)]
    seed: Option<String>,
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

/// `riskgrade draw …` subcommands.
#[derive(clap::Subcommand)]
pub(crate) enum DrawCommand {
    /// Store and print the commitment to a draw's inputs (plan, candidate list with classes,
    /// pool, history), to publish before the seed exists; `--out-dir` writes the plan, the
    /// candidate list and the commitment so that anyone can recompute it.
    Commit(CommitArgs),
}

/// `riskgrade draw commit` arguments.
#[derive(clap::Args)]
pub(crate) struct CommitArgs {
    /// History store.
    #[arg(long, short = 's')]
    store: PathBuf,
    /// The graded period to draw from (YYYY-MM).
    #[arg(long, short = 'p')]
    period: Month,
    /// Plan file, or an embedded plan.
    #[arg(long, default_value = "henan-2021")]
    plan: String,
    /// Inspector pool.
    #[arg(long)]
    pool: PathBuf,
    /// Draw date (default: the first day of the month after the period).
    #[arg(long)]
    date: Option<Date>,
    /// Write plan.json, candidates.jsonl and commitment.json here.
    #[arg(long)]
    out_dir: Option<PathBuf>,
    /// Who commits (for the audit trail).
    #[arg(long, default_value = "riskgrade")]
    by: String,
}

/// `riskgrade draw commit`.
fn draw_commit(ui: &Ui, args: CommitArgs) -> Result<u8, Failure> {
    let plan = load_plan(&args.plan)?;
    let pool = riskgrade::read_pool(&args.pool).map_err(inspection_failure)?;
    let mut store = open_existing_for_writing(&args.store)?;
    let date = args.date.unwrap_or_else(|| args.period.next().first_day());
    let (id, c, list) =
        riskgrade::commit_period(&mut store, args.period, &plan, &pool, date, &args.by)
            .map_err(inspection_failure)?;
    ui.say(format!(
        "commitment #{id} to a draw of plan `{}` on {date} from period {}: {}",
        plan.id(),
        args.period,
        c.digest
    ));
    ui.say(format!(
        "  plan {}\n  candidates {} ({} enterprises in scope)\n  pool {}\n  history {}",
        c.digests.plan,
        c.digests.candidates,
        list.entries.len(),
        c.digests.pool,
        c.digests.history
    ));
    if let Some(dir) = &args.out_dir {
        let json = serde_json::to_string_pretty(&c).map_err(Failure::io)?;
        let plan_json = serde_json::to_string(&plan).map_err(Failure::io)?;
        for (name, text) in [
            ("plan.json", plan_json.as_str()),
            ("candidates.jsonl", list.to_jsonl().as_str()),
            ("commitment.json", json.as_str()),
        ] {
            write_file(&dir.join(name), text)?;
        }
        ui.say(format!(
            "written to {}: plan.json, candidates.jsonl, commitment.json",
            dir.display()
        ));
    }
    ui.say(format!(
        "publish the commitment, then draw with `riskgrade draw -s {} --commitment {id} --pool {} --seed <seed>`",
        args.store.display(),
        args.pool.display()
    ));
    Ok(0)
}

/// Writes `text` to `path`, creating its directory.
fn write_file(path: &Path, text: &str) -> Result<(), Failure> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(Failure::io)?;
    }
    // Whole or absent: a published file is never left half written.
    riskgrade::io::write_file(path, text.as_bytes()).map_err(Failure::io)
}

/// `riskgrade draw`.
pub(crate) fn draw(ui: &Ui, args: DrawArgs) -> Result<u8, Failure> {
    if let Some(DrawCommand::Commit(c)) = args.command {
        return draw_commit(ui, c);
    }
    let missing = |what: &str| Failure::usage(format!("draw: {what} is required"));
    let store_path = args.store.clone().ok_or_else(|| missing("--store"))?;
    let pool_path = args.pool.clone().ok_or_else(|| missing("--pool"))?;
    let seed = args.seed.clone().ok_or_else(|| missing("--seed"))?;
    if let Some(o) = &args.out {
        check_output(o, &TABLE_OUTPUTS)?;
    }
    let pool = riskgrade::read_pool(&pool_path).map_err(inspection_failure)?;
    let mut store = open_existing_for_writing(&store_path)?;
    let (id, d) = match args.commitment {
        Some(c) => riskgrade::draw_committed(&mut store, c, &pool, &seed, &args.by),
        None => {
            let period = args.period.ok_or_else(|| missing("--period or --commitment"))?;
            let plan = load_plan(args.plan.as_deref().unwrap_or("henan-2021"))?;
            let date = args.date.unwrap_or_else(|| period.next().first_day());
            ui.say("note: no commitment; `riskgrade draw commit` before the seed lets anyone check the inputs were fixed first");
            riskgrade::draw_period(&mut store, period, &plan, &pool, &seed, date, &args.by)
        }
    }
    .map_err(inspection_failure)?;
    print_draw(ui, id, &store, &d)?;
    if let Some(path) = &args.out {
        write_tasks(&d, path)?;
        ui.say(format!("task list written to {}", path.display()));
    }
    Ok(0)
}

/// A draw's summary: digests, counts per class (random and forced apart), the first tasks.
fn print_draw(
    ui: &Ui,
    id: i64,
    store: &riskgrade::store::Store,
    d: &riskgrade::inspect::Draw,
) -> Result<(), Failure> {
    let info = store.draw(id).map_err(store_failure)?;
    ui.say(format!(
        "draw #{id}: plan `{}` on {} from period {}, seed `{}`: {} tasks; commitment {}",
        d.plan_id,
        d.date,
        info.period,
        d.seed,
        d.tasks.len(),
        d.commitment.digest
    ));
    let g = d.digests();
    let short = |s: &str| s.chars().take(12).collect::<String>();
    ui.say(format!(
        "digests: plan {}, candidates {}, pool {}, history {}",
        short(&g.plan),
        short(&g.candidates),
        short(&g.pool),
        short(&g.history)
    ));
    let out: u32 = d.candidates.out_of_scope.values().sum();
    if out > 0 {
        ui.say(format!("{out} enterprise(s) outside the plan's scope"));
    }
    ui.say(format!(
        "{:<6} {:>11} {:>7} {:>7} {:>5} {:>5} {:>7} {:>7} {:>7} {:>10}",
        "class",
        "enterprises",
        "quota",
        "random",
        "full",
        "due",
        "forced",
        "capped",
        "spared",
        "shortfall"
    ));
    let mut per: Vec<(String, [u32; 9])> = Vec::new();
    for s in &d.strata {
        if per.last().is_none_or(|(c, _)| *c != s.class) {
            per.push((s.class.clone(), [0; 9]));
        }
        let v = [
            s.enterprises,
            s.quota,
            s.random,
            s.full,
            s.due,
            s.forced,
            s.capped,
            s.spared,
            s.shortfall,
        ];
        if let Some((_, e)) = per.last_mut() {
            for (k, x) in v.into_iter().enumerate() {
                e[k] += x;
            }
        }
    }
    for (c, v) in &per {
        ui.say(format!(
            "{:<6} {:>11} {:>7} {:>7} {:>5} {:>5} {:>7} {:>7} {:>7} {:>10}",
            c, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]
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
    Ok(())
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

/// `riskgrade verify`: a summary (counts), and the differing tasks written to a file.
pub(crate) fn verify(
    ui: &Ui,
    store: &Path,
    draw: i64,
    pool: &Path,
    differences: Option<&Path>,
) -> Result<u8, Failure> {
    let s = open_existing(store)?;
    let pool = riskgrade::read_pool(pool).map_err(inspection_failure)?;
    let v = riskgrade::verify_draw(&s, draw, &pool).map_err(inspection_failure)?;
    let info = s.draw(draw).map_err(store_failure)?;
    let under = match &v.commitment {
        Some((id, digest)) => format!("commitment #{id} {digest}"),
        None => "no commitment".to_string(),
    };
    if v.is_identical() {
        ui.say(format!(
            "draw #{draw} re-drawn from its plan, period {}, pool, history and seed `{}`: identical ({} tasks); {under}: inputs match",
            info.period, info.seed, v.stored_tasks
        ));
        return Ok(0);
    }
    for (what, stored, now) in &v.inputs {
        eprintln!("  {what}: stored {stored}, now {now}");
    }
    eprintln!(
        "  tasks: {} stored, {} drawn again; {} with another enterprise, {} with other inspectors ({under})",
        v.stored_tasks, v.tasks_again, v.enterprises_differ, v.inspectors_differ
    );
    if !v.differences.is_empty() {
        let default = PathBuf::from(format!("draw-{draw}-differences.csv"));
        let path = differences.map_or(default, Path::to_path_buf);
        let mut text = String::from(
            "task,stored_enterprise,stored_inspectors,again_enterprise,again_inspectors\n",
        );
        for d in &v.differences {
            text.push_str(&format!(
                "{},{},{},{},{}\n",
                d.number,
                csv_cell(&d.stored.0),
                csv_cell(&d.stored.1),
                csv_cell(&d.again.0),
                csv_cell(&d.again.1)
            ));
        }
        write_file(&path, &text)?;
        eprintln!(
            "  the {} differing task(s) are in {}",
            v.differences.len(),
            path.display()
        );
    }
    Err(Failure {
        code: 7,
        message: format!(
            "draw #{draw} does not re-draw the same: {} input(s) and {} task(s) differ",
            v.inputs.len(),
            v.differences.len()
        ),
    })
}

/// A CSV cell, quoted when it holds a comma, a quote or a line break.
fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
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

/// `riskgrade inspections …`.
#[derive(clap::Subcommand)]
pub(crate) enum InspectionsCommand {
    /// A plan's year: per class, enterprises inspected at least once, inspections per
    /// enterprise, random against forced tasks, yearly minimums missed, and the comparison with
    /// uniform random sampling (same size, and as many problems found, forced tasks included).
    Year {
        /// History store.
        #[arg(long, short = 's')]
        store: PathBuf,
        /// The calendar year of the draws.
        #[arg(long)]
        year: i32,
        /// The plan's id.
        #[arg(long, default_value = "henan-2021")]
        plan: String,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

/// `riskgrade inspections …`.
pub(crate) fn inspections(command: InspectionsCommand) -> Result<u8, Failure> {
    match command {
        InspectionsCommand::Year {
            store,
            year,
            plan,
            json,
        } => {
            let s = open_existing(&store)?;
            let v = riskgrade::year_view(&s, year, &plan).map_err(inspection_failure)?;
            if json {
                out(serde_json::to_string_pretty(&v).map_err(Failure::io)?);
            } else {
                out(&v);
            }
            Ok(0)
        }
    }
}

/// `riskgrade publish` arguments.
#[derive(clap::Args)]
pub(crate) struct PublishArgs {
    /// History store.
    #[arg(long, short = 's')]
    store: PathBuf,
    /// The draw whose closed results to publish.
    #[arg(long)]
    draw: i64,
    /// Directory to write results.csv, results.json, draw.json, plan.json and candidates.jsonl to.
    #[arg(long, short)]
    out_dir: PathBuf,
    /// Names and credit codes: a table with columns id, name and credit_code (for ids it
    /// lists; the others are read from the store's directory, recorded from profiles).
    #[arg(long)]
    names: Option<PathBuf>,
    /// Also publish each enterprise's class when drawn.
    #[arg(long)]
    with_class: bool,
    /// Also publish the inspectors' ids.
    #[arg(long)]
    with_inspectors: bool,
}

/// `riskgrade publish`: a draw's closed results in the public schema, and the files to re-draw it.
pub(crate) fn publish(ui: &Ui, args: PublishArgs) -> Result<u8, Failure> {
    let s = open_existing(&args.store)?;
    let names = match &args.names {
        Some(p) => read_names(p)?,
        None => HashMap::new(),
    };
    let options = riskgrade::PublishOptions {
        with_class: args.with_class,
        with_inspectors: args.with_inspectors,
    };
    let p = riskgrade::publish_draw(&s, args.draw, &names, options).map_err(inspection_failure)?;
    let dir = &args.out_dir;
    let mut csv = String::from("enterprise,name,credit_code,task,department,date,result,disposal");
    csv.push_str(if args.with_class { ",class" } else { "" });
    csv.push_str(if args.with_inspectors {
        ",inspectors"
    } else {
        ""
    });
    csv.push('\n');
    for r in &p.rows {
        let mut cells = vec![
            &r.enterprise,
            &r.name,
            &r.credit_code,
            &r.task,
            &r.department,
            &r.date,
            &r.result,
            &r.disposal,
        ];
        cells.extend(r.class.iter().chain(&r.inspectors));
        let line: Vec<String> = cells.into_iter().map(|c| csv_cell(c)).collect();
        csv.push_str(&line.join(","));
        csv.push('\n');
    }
    let pretty = |v: &serde_json::Value| serde_json::to_string_pretty(v).map_err(Failure::io);
    write_file(&dir.join("results.csv"), &csv)?;
    write_file(&dir.join("results.json"), &pretty(&p.results_json())?)?;
    write_file(&dir.join("draw.json"), &pretty(&p.draw)?)?;
    write_file(&dir.join("plan.json"), &p.plan)?;
    write_file(&dir.join("candidates.jsonl"), &p.candidates)?;
    let missing = p.rows.iter().filter(|r| r.name.is_empty()).count();
    ui.say(format!(
        "draw #{}: {} closed inspection(s) published in {} (schema {}), with draw.json, plan.json and candidates.jsonl to re-draw it",
        args.draw,
        p.rows.len(),
        dir.display(),
        riskgrade::PUBLIC_SCHEMA
    ));
    if missing > 0 {
        ui.say(format!(
            "note: {missing} row(s) have no name or credit code in the store's directory (recorded from profiles by `riskgrade run`); give them with --names (id, name, credit_code)"
        ));
    }
    Ok(0)
}

/// Names and credit codes by enterprise id, from a table with `id`, `name`, `credit_code`.
fn read_names(path: &Path) -> Result<HashMap<String, (String, String)>, Failure> {
    let t = riskgrade::io::read_table(path).map_err(Failure::io)?;
    let col = |n: &str| {
        t.column(n).ok_or_else(|| {
            Failure::data(format!(
                "{}: no `{n}` column; a names table has id, name and credit_code",
                path.display()
            ))
        })
    };
    let (id, name, code) = (col("id")?, col("name")?, col("credit_code")?);
    let text = |row: &[riskgrade::io::Cell], c: usize| match &row[c] {
        riskgrade::io::Cell::Text(s) => s.trim().to_string(),
        riskgrade::io::Cell::Number(x) => riskgrade::format_number(*x),
        _ => String::new(),
    };
    Ok(t.rows
        .iter()
        .map(|r| (text(r, id), (text(r, name), text(r, code))))
        .collect())
}
