//! The year-level view of a plan's inspections: per class, the enterprises inspected at least
//! once, inspections per enterprise, random against forced tasks, yearly minimums missed (with
//! the reason), and the like-for-like comparison with uniform random sampling.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use riskgrade_core::Date;
use riskgrade_inspect::Plan;
use riskgrade_store::{DrawInfo, Store};
use serde::Serialize;

use crate::{InspectionError, candidates};

/// One class over a year.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ClassYear {
    /// The class.
    pub class: String,
    /// Enterprises of the class in the plan's scope, in the last period drawn from.
    pub enterprises: usize,
    /// Of those, inspected at least once in the year by the plan's draws.
    pub inspected: usize,
    /// Tasks of the class (by the class when drawn): random, full coverage, due, forced.
    pub tasks: [u64; 4],
    /// Closed random tasks and the problems they found (an unbiased sample of the class).
    pub random_closed: u64,
    /// Problems found by closed random tasks.
    pub random_problems: u64,
    /// Closed tasks of any kind and the problems they found.
    pub closed: u64,
    /// Problems found by closed tasks of any kind.
    pub problems: u64,
    /// The class's yearly minimum per enterprise, if it has one (inspections by any plan count).
    pub min_per_year: Option<f64>,
    /// Enterprises below the minimum at the end of the year, by reason.
    pub missed: BTreeMap<String, usize>,
}

impl ClassYear {
    /// Inspections per enterprise of the class (its tasks over its enterprises).
    pub fn per_enterprise(&self) -> f64 {
        self.tasks.iter().sum::<u64>() as f64 / self.enterprises.max(1) as f64
    }

    /// Enterprises below the minimum, all reasons.
    pub fn missed_total(&self) -> usize {
        self.missed.values().sum()
    }
}

/// The year's inspections against uniform random sampling, like for like: forced tasks
/// included, problem rates estimated per class from the random picks alone.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AgainstUniform {
    /// Every task of the year, forced ones included.
    pub tasks: u64,
    /// Problems the closed tasks found.
    pub found: u64,
    /// Closed tasks.
    pub closed: u64,
    /// The population's problem rate: the random picks' rate per class weighted by the class's
    /// size; `None` when a class has no closed random pick.
    pub population_rate: Option<f64>,
    /// Problems uniform sampling of the same size (the closed tasks) finds on average.
    pub uniform_same_size: Option<f64>,
    /// Inspections uniform sampling needs to find as many problems as the closed tasks did.
    pub uniform_needed: Option<f64>,
    /// The old practice: uniform sampling of 3% of the enterprises a year.
    pub three_percent: f64,
}

impl AgainstUniform {
    /// Fewer inspections than uniform sampling needs to find as many problems (a share; negative
    /// when the plan needs more).
    pub fn reduction(&self) -> Option<f64> {
        self.uniform_needed
            .filter(|n| *n > 0.0)
            .map(|n| 1.0 - self.closed as f64 / n)
    }
}

/// A plan's inspections over a calendar year.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct YearView {
    /// The year.
    pub year: i32,
    /// The plan.
    pub plan_id: String,
    /// Draws of the plan dated in the year.
    pub draws: usize,
    /// Per class, in the plan's order.
    pub classes: Vec<ClassYear>,
    /// Enterprises outside the plan's scope in the last period.
    pub out_of_scope: usize,
    /// Against uniform random sampling.
    pub uniform: AgainstUniform,
}

const KINDS: [&str; 4] = ["random", "full_coverage", "due", "forced"];

/// The year view of `plan_id`'s draws dated in `year`.
///
/// # Errors
/// No draw of the plan in the year, a stored plan
/// that no longer loads, or store errors.
pub fn year_view(store: &Store, year: i32, plan_id: &str) -> Result<YearView, InspectionError> {
    let all_draws = store.draws()?;
    let first_draw = all_draws.iter().map(|d| d.drawn_on).min();
    let in_year: Vec<DrawInfo> = all_draws
        .into_iter()
        .filter(|d| d.drawn_on.ymd().0 == year)
        .collect();
    // Every inspection of the year counts towards a yearly minimum, whichever plan drew it (as
    // the draw counts them); the tasks per class are the plan's own.
    let mut per_enterprise: HashMap<String, u32> = HashMap::new();
    for d in &in_year {
        for t in store.tasks(d.id)? {
            *per_enterprise.entry(t.task.enterprise).or_default() += 1;
        }
    }
    let draws: Vec<DrawInfo> = in_year
        .into_iter()
        .filter(|d| d.plan_id == plan_id)
        .collect();
    let (Some(first), Some(last)) = (draws.first(), draws.last()) else {
        return Err(InspectionError::NoDrawsInYear {
            plan: plan_id.to_string(),
            year,
        });
    };
    let plan: Plan =
        serde_json::from_str(&last.plan).map_err(|source| InspectionError::StoredPlan {
            draw: last.id,
            source,
        })?;
    let mut view = YearView {
        year,
        plan_id: plan_id.to_string(),
        draws: draws.len(),
        ..YearView::default()
    };
    let start: HashMap<String, String> = candidates(store, first.period)?
        .into_iter()
        .map(|c| (c.id, c.class))
        .collect();
    let mut class_of: HashMap<String, String> = HashMap::new();
    let mut rows: BTreeMap<String, ClassYear> = plan
        .classes()
        .map(|c| {
            let row = ClassYear {
                class: c.to_string(),
                min_per_year: plan.min_per_year(c),
                ..ClassYear::default()
            };
            (c.to_string(), row)
        })
        .collect();
    for c in candidates(store, last.period)? {
        if plan.out_of_scope(&c).is_some() {
            view.out_of_scope += 1;
        } else if let Some(row) = rows.get_mut(&c.class) {
            row.enterprises += 1;
            class_of.insert(c.id, c.class);
        }
    }
    let mut by_plan: HashMap<String, u32> = HashMap::new();
    for d in &draws {
        for t in store.tasks(d.id)? {
            *by_plan.entry(t.task.enterprise.clone()).or_default() += 1;
            let Some(row) = rows.get_mut(&t.task.class) else {
                continue;
            };
            let kind = t.task.kind();
            let k = KINDS.iter().position(|x| *x == kind).unwrap_or(3);
            row.tasks[k] += 1;
            if let Some((_, result, ..)) = t.outcome {
                let problem = u64::from(result.found_problem());
                row.closed += 1;
                row.problems += problem;
                if kind == "random" {
                    row.random_closed += 1;
                    row.random_problems += problem;
                }
            }
        }
    }
    // A minimum below one a year (once every ⌈1/m⌉ years) counts the inspections since the
    // start of its window, as the draw does: the latest one before this year, if any.
    let before = match Date::from_ymd(year - 1, 12, 31) {
        Ok(d) => store.last_inspections(d)?,
        Err(_) => BTreeMap::new(),
    };
    for (id, class) in &class_of {
        let n = per_enterprise.get(id).copied().unwrap_or(0);
        let Some(row) = rows.get_mut(class) else {
            continue;
        };
        row.inspected += usize::from(by_plan.get(id).is_some_and(|k| *k > 0));
        let Some(m) = row.min_per_year else {
            continue;
        };
        let window = plan.minimum_window_start(class, year);
        let behind = match window {
            None => f64::from(n) < m.ceil(),
            Some(w) => n == 0 && before.get(id).is_none_or(|(d, _)| *d < w),
        };
        if !behind {
            continue;
        }
        let reason = match (start.get(id), window) {
            (None, _) => "new this year".to_string(),
            (Some(c), _) if c != class => "moved into the class during the year".to_string(),
            (Some(_), Some(w)) if first_draw.is_some_and(|f| f > w) => format!(
                "not inspected since {w}; the store's draws start {}, so earlier inspections are unknown",
                first_draw.map(|f| f.to_string()).unwrap_or_default()
            ),
            (Some(_), Some(w)) => format!("not inspected since {w} (quota, exclusions or maximum)"),
            (Some(_), None) => "not drawn often enough (quota, exclusions or maximum)".to_string(),
        };
        *row.missed.entry(reason).or_default() += 1;
    }
    view.classes = plan.classes().filter_map(|c| rows.remove(c)).collect();
    view.uniform = against_uniform(&view.classes);
    Ok(view)
}

fn against_uniform(classes: &[ClassYear]) -> AgainstUniform {
    let n: usize = classes.iter().map(|c| c.enterprises).sum();
    let tasks: u64 = classes.iter().flat_map(|c| c.tasks).sum();
    let found: u64 = classes.iter().map(|c| c.problems).sum();
    let closed: u64 = classes.iter().map(|c| c.closed).sum();
    let rate = classes
        .iter()
        .filter(|c| c.enterprises > 0)
        .map(|c| {
            (c.random_closed > 0)
                .then(|| c.random_problems as f64 / c.random_closed as f64 * c.enterprises as f64)
        })
        .sum::<Option<f64>>()
        .map(|s| s / n.max(1) as f64);
    AgainstUniform {
        tasks,
        found,
        closed,
        population_rate: rate,
        uniform_same_size: rate.map(|r| r * closed as f64),
        uniform_needed: rate.filter(|r| *r > 0.0).map(|r| found as f64 / r),
        three_percent: 0.03 * n as f64,
    }
}

impl fmt::Display for YearView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "plan `{}` in {}: {} draw(s); {} enterprise(s) outside its scope",
            self.plan_id, self.year, self.draws, self.out_of_scope
        )?;
        writeln!(
            f,
            "{:<6} {:>11} {:>10} {:>8} {:>7} {:>6} {:>5} {:>7} {:>8} {:>7} {:>7}",
            "class",
            "enterprises",
            "inspected",
            "share",
            "random",
            "full",
            "due",
            "forced",
            "per ent.",
            "minimum",
            "missed"
        )?;
        for c in &self.classes {
            let share = c.inspected as f64 / c.enterprises.max(1) as f64 * 100.0;
            writeln!(
                f,
                "{:<6} {:>11} {:>10} {:>7.1}% {:>7} {:>6} {:>5} {:>7} {:>8.2} {:>7} {:>7}",
                c.class,
                c.enterprises,
                c.inspected,
                share,
                c.tasks[0],
                c.tasks[1],
                c.tasks[2],
                c.tasks[3],
                c.per_enterprise(),
                c.min_per_year
                    .map_or("-".to_string(), |m| format!("{m}/yr")),
                c.missed_total()
            )?;
            for (reason, n) in &c.missed {
                writeln!(f, "       {n} below the minimum: {reason}")?;
            }
        }
        write!(f, "{}", self.uniform)
    }
}

impl fmt::Display for AgainstUniform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "against uniform random sampling (forced tasks included; problem rates from the random picks): {} tasks, {} closed, {} problems found",
            self.tasks, self.closed, self.found
        )?;
        match (
            self.population_rate,
            self.uniform_same_size,
            self.uniform_needed,
        ) {
            (Some(rate), Some(same), Some(needed)) => {
                writeln!(
                    f,
                    "  uniform sampling of the same size ({} inspections) finds {same:.0} on average (population rate {:.2}%)",
                    self.closed,
                    rate * 100.0
                )?;
                let r = self.reduction().unwrap_or(0.0) * 100.0;
                let word = if r >= 0.0 { "fewer" } else { "more" };
                writeln!(
                    f,
                    "  uniform sampling needs {needed:.0} inspections to find {} problems: the plan used {:.1}% {word}",
                    self.found,
                    r.abs()
                )?;
            }
            _ => writeln!(
                f,
                "  no estimate: a class has no closed random pick, so its problem rate is unknown"
            )?,
        }
        let change = (self.tasks as f64 / self.three_percent.max(1.0) - 1.0) * 100.0;
        writeln!(
            f,
            "  against the old uniform 3% a year ({:.0} inspections): {:+.1}% inspections",
            self.three_percent, change
        )
    }
}
