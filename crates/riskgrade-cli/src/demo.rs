//! `demo`: months of synthetic enterprises run through the monthly cycle, and
//! what came of it. The simulation is `riskgrade::synth` (the population, its
//! evolution, what inspections find, the inspector pool); the cycle is
//! `run_month`, `demo_decisions`, `simulate_inspections` and `compare_periods`.
//! This module strings the months together and prints.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use riskgrade::calibrate::{FitOptions, Indicators, LeafFit, fit_outcomes};
use riskgrade::demo::{demo_decisions, inspection_finds, simulate_inspections};
use riskgrade::inspect::{Inspector, Outcome, Plan, examples::BEIJING_POOL_CSV};
use riskgrade::store::{ChangeKind, RunInfo, Store, StoreError};
use riskgrade::synth::{MonthEvents, Synth, SynthConfig, evolve, generate};
use riskgrade::{ModelSet, Month, MonthInput, MonthReport, Options, compare_periods, run_month};

use crate::commands::monthly::print_period_movers;
use crate::error::{Failure, inspection_failure, monthly_failure, store_failure};
use crate::load::{load_model, load_plan, open_store};
use crate::ui::{Ui, rule_report, score_text};

/// `riskgrade demo` arguments.
#[derive(clap::Args)]
pub(crate) struct DemoArgs {
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
}

/// The demo's state from month to month.
struct Year {
    store: Store,
    set: Arc<ModelSet>,
    synth: Synth,
    seed: u64,
    /// The plans drawn: Henan 2021 once a year, food production every month.
    plans: Vec<Plan>,
    pool: Vec<Inspector>,
    /// Each enterprise's hidden true propensity, by id.
    propensity: HashMap<String, f64>,
    /// Every simulated inspection so far.
    outcomes: Vec<Outcome>,
    /// The inspected enterprises' indicators when drawn (ids `period/id`), to calibrate on.
    inspected: Indicators,
    /// What those inspections found, by `period/id`.
    labels: Vec<(String, bool)>,
    /// The enterprise whose class was overridden by hand.
    watched: Option<String>,
    /// Months whose inspections were drawn so far.
    months_drawn: usize,
}

/// One month's line of the table.
struct MonthLine {
    report: MonthReport,
    events: MonthEvents,
    drawn: usize,
    found: usize,
}

/// `riskgrade demo`: simulated months of the monthly cycle.
pub(crate) fn demo(ui: &Ui, args: DemoArgs) -> Result<u8, Failure> {
    let (n, months, seed, start) = (args.n, usize::from(args.months), args.seed, args.start);
    let set: Arc<ModelSet> = load_model(None)?;
    let store = match &args.store {
        Some(p) => open_store(p)?,
        None => Store::in_memory().map_err(store_failure)?,
    };
    ui.say(format!(
        "riskgrade demo: {n} synthetic enterprises over {months} months from {start}, graded monthly with the embedded reference set (version {}) into {}",
        set.version_id(),
        args.store
            .as_ref()
            .map_or("an in-memory history store".to_string(), |p| p.display().to_string())
    ));
    let t0 = Instant::now();
    let pb = ui.step("synthesizing enterprises");
    let synth = generate(&SynthConfig::new(n, seed, start.last_day()));
    pb.finish_and_clear();
    ui.say(format!(
        "\n{:<8} {:>28} {:>8} {:>11} {:>8} {:>8} {:>7} {:>8} {:>7} {:>9}",
        "period",
        "A / B / C / D",
        "riskier",
        "less risky",
        "records",
        "repairs",
        "manual",
        "PSI",
        "drawn",
        "problems"
    ));
    let mut year = Year::new(store, set, synth, seed)?;
    let mut p = start;
    let mut last: Option<MonthReport> = None;
    for k in 0..months.max(1) {
        let mut events = MonthEvents::default();
        if k > 0 {
            let next = p.next();
            events = evolve(&mut year.synth, p.last_day(), next.last_day(), seed);
            p = next;
        }
        // A few manual decisions along the way, as an inspector and a credit-repair office would make them.
        if k == 2
            && let Some(prev) = &last
        {
            year.decide(prev, p)?;
        }
        let pb = ui.step(&format!("grading {p}"));
        let line = year.month(p, events)?;
        pb.finish_and_clear();
        print_month(ui, p, &line);
        last = Some(line.report);
    }
    let Some(last) = last else { return Ok(0) };
    ui.say(format!(
        "\n{months} months in {:.2?} ({} threads)",
        t0.elapsed(),
        rayon::current_num_threads()
    ));
    year.conclude(ui, &last)
}

impl Year {
    /// The demo's start: the Henan 2021 and food production plans, the embedded Beijing pool,
    /// the population's truth.
    fn new(store: Store, set: Arc<ModelSet>, synth: Synth, seed: u64) -> Result<Year, Failure> {
        let propensity = synth
            .truth
            .iter()
            .map(|t| (t.id.clone(), t.propensity))
            .collect();
        let pool = riskgrade::pool_from_csv(
            BEIJING_POOL_CSV,
            std::path::Path::new("examples/inspectors/beijing-pool.csv"),
        )
        .map_err(inspection_failure)?;
        Ok(Year {
            store,
            set,
            synth,
            seed,
            plans: vec![load_plan("henan-2021")?, load_plan("food-production")?],
            pool,
            propensity,
            outcomes: Vec::new(),
            inspected: Indicators::default(),
            labels: Vec::new(),
            watched: None,
            months_drawn: 0,
        })
    }

    /// The manual decisions of period `p`, made on the grades of the month before.
    fn decide(&mut self, prev: &MonthReport, p: Month) -> Result<(), Failure> {
        let overridden = demo_decisions(
            &mut self.store,
            prev,
            &self.synth.enterprises,
            self.set.effect_periods(),
            p,
        )
        .map_err(store_failure)?;
        if overridden.is_some() {
            self.watched = overridden;
        }
        Ok(())
    }

    /// Grades period `p` into the store, draws its inspections and records what they find.
    fn month(&mut self, p: Month, events: MonthEvents) -> Result<MonthLine, Failure> {
        let report = run_month(
            &mut self.store,
            &self.set,
            MonthInput::Profiles(&self.synth.enterprises),
            p,
            p.last_day(),
            &Options::default(),
        )
        .map_err(monthly_failure)?;
        // "Double random, one public": each plan due this month commits to its inputs, then
        // draws with the seed published after the commitment; the inspections find what each
        // enterprise's true risk makes them find, and the outcomes become records for the
        // next month. Henan's plan is drawn once a year (in the demo's first month), food production monthly.
        let (seed, propensity) = (self.seed, &self.propensity);
        let finds = |task: u32, date, id: &str| {
            inspection_finds(seed, task, date, propensity.get(id).copied().unwrap_or(0.0))
        };
        let (mut tasks, mut found) = (0, 0);
        let mut all = Vec::new();
        let k = self.months_drawn;
        self.months_drawn += 1;
        for plan in &self.plans {
            // A plan drawn n times a year is drawn in the demo's first month and every 12/n
            // months after.
            let every = 12 / plan.draws_per_year().clamp(1, 12) as usize;
            if !k.is_multiple_of(every) {
                continue;
            }
            let drawn = simulate_inspections(&mut self.store, p, seed, plan, &self.pool, finds)
                .map_err(inspection_failure)?;
            tasks += drawn.outcomes.len();
            found += drawn.found;
            all.extend(drawn.outcomes);
        }
        self.keep_inspected(&report, p, &all)?;
        self.outcomes.extend(all);
        Ok(MonthLine {
            report,
            events,
            drawn: tasks,
            found,
        })
    }

    /// Each plan's year-level view for the year of the last draw: per class, inspected at least
    /// once, random against forced, minimums missed, and the reduction against uniform sampling.
    fn print_years(&self, ui: &Ui) -> Result<(), Failure> {
        let draws = self.store.draws().map_err(store_failure)?;
        let Some(year) = draws.last().map(|d| d.drawn_on.ymd().0) else {
            return Ok(());
        };
        for plan in &self.plans {
            if !draws
                .iter()
                .any(|d| d.plan_id == plan.id() && d.drawn_on.ymd().0 == year)
            {
                continue;
            }
            let v =
                riskgrade::year_view(&self.store, year, plan.id()).map_err(inspection_failure)?;
            ui.say(format!("\nthe year {year} by {}:\n{v}", plan.name()));
            if let Some(last) = draws.iter().rev().find(|d| d.plan_id == plan.id()) {
                self.print_public(ui, last.id)?;
            }
        }
        Ok(())
    }

    /// "One public" for a plan's last draw: re-drawn from its committed inputs and seed, and
    /// its closed results in the public schema (`riskgrade verify`, `riskgrade publish`).
    fn print_public(&self, ui: &Ui, draw: i64) -> Result<(), Failure> {
        let v =
            riskgrade::verify_draw(&self.store, draw, &self.pool).map_err(inspection_failure)?;
        let check = if v.is_identical() {
            format!(
                "re-drawn from its commitment and seed: identical ({} tasks)",
                v.stored_tasks
            )
        } else {
            format!(
                "re-drawn from its commitment and seed: {} enterprises and {} inspectors differ",
                v.enterprises_differ, v.inspectors_differ
            )
        };
        let p = riskgrade::publish_draw(
            &self.store,
            draw,
            &HashMap::new(),
            riskgrade::PublishOptions::default(),
        )
        .map_err(inspection_failure)?;
        ui.say(format!(
            "draw #{draw} {check}; {} closed results published (schema {}), e.g.",
            p.rows.len(),
            riskgrade::PUBLIC_SCHEMA
        ));
        for r in p.rows.iter().take(2) {
            ui.say(format!(
                "  {} {} ({}) {} {} {}: {}",
                r.date, r.enterprise, r.name, r.credit_code, r.task, r.result, r.disposal
            ));
        }
        Ok(())
    }

    /// What the inspections found, with the indicators the enterprises had when drawn: the
    /// data to calibrate the weights on at the end of the year.
    fn keep_inspected(
        &mut self,
        report: &MonthReport,
        p: Month,
        outcomes: &[Outcome],
    ) -> Result<(), Failure> {
        let Some(frame) = &report.frame else {
            return Ok(());
        };
        let wanted: HashSet<&str> = outcomes.iter().map(|o| o.enterprise.as_str()).collect();
        let mut ind = Indicators::from_grades_where(&report.grades, frame, "general", |id| {
            wanted.contains(id)
        })
        .map_err(|e| Failure::data(e.to_string()))?;
        ind.ids = ind.ids.iter().map(|id| format!("{p}/{id}")).collect();
        self.inspected
            .append(ind)
            .map_err(|e| Failure::data(e.to_string()))?;
        self.labels.extend(
            outcomes
                .iter()
                .map(|o| (format!("{p}/{}", o.enterprise), o.problem)),
        );
        Ok(())
    }

    /// The year's conclusions: the inspections against the classes, the calibration, the
    /// changes over the span, one enterprise's history and one explanation.
    fn conclude(&self, ui: &Ui, last: &MonthReport) -> Result<u8, Failure> {
        self.print_years(ui)?;
        ui.say(format!(
            "\nall inspections of the span against what they found (random and forced tasks together):\n{}",
            riskgrade::inspect::evaluate(&self.outcomes, &last.run.classes, true)
        ));
        print_calibration(ui, &self.set, &self.inspected, &self.labels);
        // What changed over the year, and in the last month.
        let store = &self.store;
        let runs = store.runs().map_err(store_failure)?;
        if let (Some(first), Some(prev)) = (runs.first(), &last.previous) {
            let year =
                compare_periods(store, first.period, last.run.period).map_err(store_failure)?;
            ui.say(format!("\nover the whole span:\n{year}"));
            let month =
                compare_periods(store, prev.period, last.run.period).map_err(store_failure)?;
            ui.say(format!("in the last month:\n{month}"));
            print_period_movers(ui, &month, 5);
        }
        // One enterprise's year: the one with the most class changes (or the overridden one).
        let pick = most_changed(store, &runs)
            .map_err(store_failure)?
            .or_else(|| self.watched.clone());
        if let Some(id) = pick {
            ui.say(format!("\nthe history of {id}:"));
            print_history(ui, store, &id).map_err(store_failure)?;
        }
        let report = rule_report(&last.grades);
        if !report.is_empty() {
            ui.say(format!("\nrules as of {}:\n{report}", last.run.as_of));
        }
        print_riskiest(ui, last);
        Ok(0)
    }
}

/// One month's line: classes, movers, records, repairs, decisions, PSI, inspections.
fn print_month(ui: &Ui, p: Month, line: &MonthLine) {
    let report = &line.report;
    let counts: Vec<String> = report
        .run
        .class_counts
        .iter()
        .map(|c| c.to_string())
        .collect();
    let psi = report
        .score_psi
        .iter()
        .find(|s| s.model == "general")
        .map_or("-".to_string(), |s| format!("{:.4}", s.psi));
    ui.say(format!(
        "{:<8} {:>28} {:>8} {:>11} {:>8} {:>8} {:>7} {:>8} {:>7} {:>9}",
        p.to_string(),
        counts.join(" / "),
        report.riskier,
        report.less_risky,
        line.events.new_records,
        line.events.repaired + report.repairs,
        report.overrides,
        psi,
        line.drawn,
        line.found
    ));
    for s in &report.skipped_decisions {
        ui.say(format!("         decision not applied: {s}"));
    }
}

/// One of the riskiest enterprises of the last period, explained.
fn print_riskiest(ui: &Ui, last: &MonthReport) {
    let g = &last.grades;
    let pick = (0..g.len())
        .filter(|&r| g.is_graded(r) && !g.reasons(r).is_empty())
        .max_by_key(|&r| (g.class_index(r), std::cmp::Reverse(r)));
    if let (Some(r), Some(frame)) = (pick, &last.frame) {
        ui.say(format!(
            "one of the riskiest enterprises of {}, explained:\n\n{}",
            last.run.period,
            g.explain(frame, r)
        ));
    }
}

/// Calibrates the general model's weights on the year's inspections and says what it would change.
fn print_calibration(ui: &Ui, set: &ModelSet, inspected: &Indicators, labels: &[(String, bool)]) {
    let fit = match fit_outcomes(set, inspected, labels, &FitOptions::default()) {
        Ok(f) => f,
        Err(e) => {
            ui.say(format!("\nno calibration on the year's inspections: {e}"));
            return;
        }
    };
    ui.say(format!(
        "\nthe general model's weights calibrated on the year's inspections (`riskgrade calibrate outcomes`): \
         {} inspections fitted, {} held out; pseudo-R² {:.3}",
        fit.fitted_on,
        fit.held_out,
        fit.fit.pseudo_r2()
    ));
    let mut moves: Vec<&LeafFit> = fit.leaves.iter().collect();
    moves.sort_by(|a, b| {
        (b.after - b.before)
            .abs()
            .total_cmp(&(a.after - a.before).abs())
    });
    for l in moves.iter().take(5) {
        ui.say(format!(
            "  {:<38} {:>6.1}% -> {:>5.1}%{}",
            l.path,
            l.before * 100.0,
            l.after * 100.0,
            l.note.map(|n| format!("  ({n})")).unwrap_or_default()
        ));
    }
    let m = |x: Option<f64>| x.map_or("-".to_string(), |x| format!("{x:.3}"));
    ui.say(format!(
        "  on the held-out inspections: AUC {} -> {}, KS {} -> {}",
        m(fit.before.auc),
        m(fit.after.auc),
        m(fit.before.ks),
        m(fit.after.ks)
    ));
}

/// One enterprise's classes month by month, with the reasons of each change.
fn print_history(ui: &Ui, store: &Store, id: &str) -> Result<(), StoreError> {
    let mut prev: Option<String> = None;
    for e in store.history(id)? {
        let Some(r) = e.result else { continue };
        let class = r.class.clone().unwrap_or_else(|| "-".into());
        let changed = prev.as_ref().is_some_and(|p| *p != class);
        ui.say(format!(
            "  {}  {class}  score {}{}",
            e.period,
            score_text(r.score),
            if changed {
                format!("  (was {})", prev.as_deref().unwrap_or("-"))
            } else {
                String::new()
            }
        ));
        if changed {
            for c in &e.changes {
                ui.say(format!("      {}: {}", c.kind.name(), c.detail));
            }
        }
        prev = Some(class);
    }
    Ok(())
}

/// The enterprise whose class changed in the most periods (ties: the smallest id).
fn most_changed(store: &Store, runs: &[RunInfo]) -> Result<Option<String>, StoreError> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for r in runs.iter().skip(1) {
        let mut last_id = String::new();
        for n in store.changes(r.period, None)? {
            if n.id != last_id && n.kind != ChangeKind::New {
                *counts.entry(n.id.clone()).or_default() += 1;
                last_id = n.id;
            }
        }
    }
    Ok(counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
        .map(|(id, _)| id))
}
