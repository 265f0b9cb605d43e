//! The demo's steps on the history store: the manual decisions a month of
//! supervision brings, and a month's "double random" inspections whose
//! findings are simulated and recorded as outcomes.

use riskgrade_core::{
    Date, EffectPeriods, Enterprise, InspectionResult, Month, RecordKind, RecordType, Severity,
};
use riskgrade_inspect::{Inspector, Outcome, Plan};
use riskgrade_store::{NewDecision, Resolution, Store, StoreError, TaskOutcome};

use crate::{InspectionError, MonthReport, commit_period, draw_committed};

/// Records the demo's manual decisions in period `p`, from the grades of the
/// month before (`prev`): an override to `D` of the first `B` enterprise after
/// an on-site check (for three months), a credit repair of the first major
/// penalty in effect, and an objection of the first `C` enterprise, upheld
/// with class `B`. Returns the overridden enterprise, if any.
///
/// # Errors
/// Store errors.
pub fn demo_decisions(
    store: &mut Store,
    prev: &MonthReport,
    enterprises: &[Enterprise],
    periods: &EffectPeriods,
    p: Month,
) -> Result<Option<String>, StoreError> {
    let g = &prev.grades;
    let find = |class: &str| {
        (0..g.len())
            .find(|&r| g.class(r) == Some(class))
            .map(|r| g.id(r).to_string())
    };
    let overridden = find("B");
    if let Some(id) = &overridden {
        store.decide(
            NewDecision::overriding(
                id,
                "D",
                p.first_day(),
                "inspector Li Wei",
                "on-site check found falsified production records",
            )
            .until(p.next().next().last_day()),
        )?;
    }
    if let Some((id, date)) = major_penalty(enterprises, periods, p.first_day()) {
        store.decide(NewDecision::repair(
            &id,
            RecordType::Penalty,
            date,
            p.first_day(),
            "credit repair office",
            "fine paid, rectification verified",
        ))?;
    }
    if let Some(id) = find("C") {
        let objection = store.decide(NewDecision::objection(
            &id,
            prev.run.period,
            p.first_day(),
            "legal representative",
            "the complaints were about a former tenant at the address",
        ))?;
        store.resolve(
            objection,
            Resolution::Upheld {
                class: Some("B".into()),
                effective: p.first_day(),
            },
            "supervisor Zhao Min",
            "complaints reassigned after checking the lease",
        )?;
    }
    Ok(overridden)
}

/// The first enterprise with a major penalty in effect on `date` and not yet
/// repaired: (enterprise id, penalty date).
fn major_penalty(
    enterprises: &[Enterprise],
    periods: &EffectPeriods,
    date: Date,
) -> Option<(String, Date)> {
    enterprises.iter().find_map(|e| {
        e.records
            .iter()
            .find(|r| {
                matches!(
                    r.kind,
                    RecordKind::Penalty {
                        severity: Severity::Major,
                        ..
                    }
                ) && periods.in_effect(r, date)
                    && r.repaired.is_none()
            })
            .map(|r| (e.id.0.clone(), r.date))
    })
}

/// A month's simulated inspections: the draw's number, its tasks' outcomes in
/// task order and how many found a problem.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SimulatedInspections {
    /// The stored draw.
    pub draw: i64,
    /// The commitment it was drawn under.
    pub commitment: i64,
    /// One outcome per task, with the class and score the enterprise had when drawn.
    pub outcomes: Vec<Outcome>,
    /// How many inspections found a problem.
    pub found: usize,
    /// Tasks drawn at random (full coverage and due tasks included).
    pub random: usize,
    /// Forced tasks (alerts, labels), on top of the random ones.
    pub forced: usize,
}

/// Period `p`'s inspections by `plan` from `pool`, drawn on the first day of the next month:
/// the commitment is stored first, then the draw is made under it with the seed published
/// after it (`demo {seed} {p} {plan id}`); `finds(task number, draw date, enterprise id)` says
/// what each inspection finds, and the outcomes (dated 9 to 26 days after the draw) are
/// recorded so that they count as inspection records from the next run on.
///
/// # Errors
/// An infeasible draw, or store errors.
pub fn simulate_inspections(
    store: &mut Store,
    p: Month,
    seed: u64,
    plan: &Plan,
    pool: &[Inspector],
    finds: impl Fn(u32, Date, &str) -> bool,
) -> Result<SimulatedInspections, InspectionError> {
    let date = p.next().first_day();
    let (commitment, ..) = commit_period(store, p, plan, pool, date, "demo")?;
    let label = format!("demo {seed} {p} {}", plan.id());
    let (draw, d) = draw_committed(store, commitment, pool, &label, "demo")?;
    let mut recorded = Vec::with_capacity(d.tasks.len());
    let mut outcomes = Vec::with_capacity(d.tasks.len());
    let mut found = 0;
    for t in &d.tasks {
        let problem = finds(t.number, date, &t.enterprise);
        found += usize::from(problem);
        let score = store.result(p, &t.enterprise)?.and_then(|r| r.score);
        outcomes.push(Outcome {
            enterprise: t.enterprise.clone(),
            class: t.class.clone(),
            score,
            problem,
        });
        recorded.push(TaskOutcome {
            draw,
            enterprise: t.enterprise.clone(),
            date: Date::from_days(date.days() + 9 + (t.number % 18) as i32),
            result: if problem {
                InspectionResult::Problem
            } else {
                InspectionResult::NoProblem
            },
            severity: None,
            note: Some(
                if problem {
                    "ordered to rectify"
                } else {
                    "no action"
                }
                .into(),
            ),
        });
    }
    store.record_outcomes(&recorded, "demo inspectors")?;
    let forced = d.tasks.iter().filter(|t| t.why.is_forced()).count();
    Ok(SimulatedInspections {
        draw,
        commitment,
        random: d.tasks.len() - forced,
        forced,
        outcomes,
        found,
    })
}
