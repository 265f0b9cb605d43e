//! The monthly cycle: grade a period, apply manual decisions, store it, and
//! explain what changed since the period before.
//!
//! [`run_month`] reads as its stages, one file each:
//!
//! | stage | file |
//! |---|---|
//! | stored inspections and credit repairs applied to the profiles, features derived | `prepare.rs` |
//! | grading with rules | the engine |
//! | class overrides in effect | `overrides.rs` |
//! | comparison with the previous period, change notes, score PSI | `previous.rs` |
//! | the period written in one transaction | `write.rs` |

mod overrides;
mod prepare;
mod previous;
mod write;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use riskgrade_core::{Date, Enterprise, Frame, Month};
use riskgrade_engine::{EvalError, Grader, Grades, Options};
use riskgrade_model::ModelSet;
use riskgrade_store::{NewRun, ReplacedRun, RunInfo, RunWriter, Store, StoreError};

use previous::{Movement, NoteInputs};

/// Why a monthly run failed. The store is unchanged when it does.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MonthlyError {
    /// The batch could not be graded.
    #[error(transparent)]
    Eval(#[from] EvalError),
    /// The history store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The same enterprise appears more than once; a period holds each enterprise once.
    #[error(
        "the input holds an enterprise more than once ({}); a period holds each enterprise once, so nothing was stored",
        duplicates.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("; ")
    )]
    DuplicateIds {
        /// The first few enterprises found twice.
        duplicates: Vec<Duplicate>,
    },
    /// Not one enterprise could be graded (every row bad, or no rows): nothing
    /// is stored, so a stored run of the period is kept.
    #[error(
        "no enterprise of the {enterprises} in the input could be graded, so period {period} was not stored{}",
        if *kept { " (its stored run is kept)" } else { "" }
    )]
    NothingGraded {
        /// The period.
        period: Month,
        /// Enterprises in the input.
        enterprises: usize,
        /// Whether the store holds a run of the period (kept as it was).
        kept: bool,
    },
    /// The run would replace a stored period that inspection draws are based
    /// on; those draws would no longer verify. Nothing is stored.
    #[error(
        "period {period} is stored and inspection draw(s) {} are based on it; replacing it means they no longer verify against the store: replace it explicitly (`riskgrade run --replace`) to go ahead",
        draws.iter().map(|d| format!("#{d}")).collect::<Vec<_>>().join(", ")
    )]
    DrawnPeriod {
        /// The period.
        period: Month,
        /// The draws based on its stored run.
        draws: Vec<i64>,
    },
}

/// How a monthly run treats a period stored already.
///
/// ```
/// let options = riskgrade_monthly::MonthOptions::default().replace_drawn(true);
/// assert!(options.replaces_drawn());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MonthOptions {
    replace_drawn: bool,
}

impl MonthOptions {
    /// Replace a stored period even when inspection draws are based on it
    /// (default off: such a run is refused with [`MonthlyError::DrawnPeriod`]).
    pub fn replace_drawn(mut self, yes: bool) -> Self {
        self.replace_drawn = yes;
        self
    }

    /// Whether a period with draws may be replaced.
    pub fn replaces_drawn(&self) -> bool {
        self.replace_drawn
    }
}

/// An enterprise found on two rows of a month's input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("enterprise `{id}` in rows {first} and {second}")]
pub struct Duplicate {
    /// The enterprise.
    pub id: String,
    /// One-based row of its first appearance.
    pub first: usize,
    /// One-based row of the next.
    pub second: usize,
}

/// The enterprises of one month: nested profiles (records are known, so
/// credit repairs apply and record changes are explained) or derived columns.
#[derive(Debug, Clone, Copy)]
pub enum MonthInput<'a> {
    /// Profiles; features are derived as of the run's date.
    Profiles(&'a [Enterprise]),
    /// Profiles read from a file, with the lines that could not be read: those
    /// are stored as enterprises not graded, with the line and the problem.
    File(&'a riskgrade_io::Profiles),
    /// A columnar batch whose features were derived already.
    Frame(&'a Frame),
}

/// What a monthly run did.
#[derive(Debug)]
pub struct MonthReport {
    /// The stored run.
    pub run: RunInfo,
    /// The period before, if the store has one.
    pub previous: Option<RunInfo>,
    /// Enterprises whose class became riskier than in the previous period.
    pub riskier: u64,
    /// Enterprises whose class became less risky.
    pub less_risky: u64,
    /// Enterprises graded now that were not graded in the previous period.
    pub new: u64,
    /// Enterprises of the previous period missing from this one.
    pub gone: u64,
    /// Enterprises graded in the previous period that could not be graded now (their error is stored).
    pub no_longer_graded: u64,
    /// Explained changes stored, by kind.
    pub notes: BTreeMap<&'static str, u64>,
    /// Manual class overrides applied.
    pub overrides: usize,
    /// Credit-repair decisions applied to records.
    pub repairs: usize,
    /// Inspection outcomes from the store added to the profiles as records.
    pub inspections_added: usize,
    /// Decisions that could not be applied, and why (the enterprise is absent,
    /// the record does not exist, the input has no records, …).
    pub skipped_decisions: Vec<String>,
    /// The grades of this run (for explanations).
    pub grades: Grades,
    /// The frame that was graded.
    /// The frame that was graded, when the run derived it from profiles
    /// (with a [`MonthInput::Frame`] the caller holds it already).
    pub frame: Option<Frame>,
    /// Time spent grading (features included) and storing.
    pub timings: (Duration, Duration),
    /// PSI of the score against the previous period, per model (empty for the first period).
    pub score_psi: Vec<crate::Stability>,
    /// The stored run of the same period this run replaced, with the draws
    /// based on it (which no longer verify).
    pub replaced: Option<ReplacedRun>,
}

impl fmt::Display for MonthReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.run;
        write!(
            f,
            "{} (as of {}): {} enterprises, {} graded, {} not graded;",
            r.period, r.as_of, r.enterprises, r.graded, r.errors
        )?;
        for (c, n) in r.classes.iter().zip(&r.class_counts) {
            write!(f, " {c} {n}")?;
        }
        writeln!(f)?;
        let insufficient = self.grades.insufficient_count();
        if insufficient > 0 {
            writeln!(
                f,
                "  insufficient information: {insufficient} enterprise(s) below their model's minimum evidence (graded by its [insufficient] action)"
            )?;
        }
        match &self.previous {
            Some(p) => {
                write!(
                    f,
                    "  since {}: {} riskier, {} less risky, {} new, {} gone, {} no longer graded",
                    p.period,
                    self.riskier,
                    self.less_risky,
                    self.new,
                    self.gone,
                    self.no_longer_graded
                )?;
                for p in &self.score_psi {
                    write!(f, "; score PSI ({}) {:.4} {}", p.model, p.psi, p.band())?;
                }
                if !self.notes.is_empty() {
                    let parts: Vec<String> =
                        self.notes.iter().map(|(k, n)| format!("{k} {n}")).collect();
                    write!(f, "; reasons: {}", parts.join(", "))?;
                }
                writeln!(f)?;
            }
            None => writeln!(f, "  first period in the store")?,
        }
        if self.overrides + self.repairs > 0 {
            writeln!(
                f,
                "  manual decisions applied: {} class override(s), {} credit repair(s)",
                self.overrides, self.repairs
            )?;
        }
        if self.inspections_added > 0 {
            writeln!(
                f,
                "  inspection outcomes fed back as records: {}",
                self.inspections_added
            )?;
        }
        for s in &self.skipped_decisions {
            writeln!(f, "  decision not applied: {s}")?;
        }
        if let Some(old) = &self.replaced {
            write!(
                f,
                "  replaced the stored run of {} (as of {}, model {}, {} graded)",
                old.run.period, old.run.as_of, old.run.version_id, old.run.graded
            )?;
            if !old.draws.is_empty() {
                let draws: Vec<String> = old.draws.iter().map(|d| format!("#{d}")).collect();
                write!(
                    f,
                    "; warning: inspection draw(s) {} were based on it and no longer verify",
                    draws.join(", ")
                )?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

/// Runs one month: applies the credit repairs in effect to the profiles,
/// derives features, grades (rules included, per `options`), applies the class
/// overrides in effect, compares with the previous period to explain each
/// class change, and stores the period in one transaction (replacing an
/// earlier run of the same period).
///
/// ```
/// use std::sync::Arc;
/// use riskgrade_engine::Options;
/// use riskgrade_monthly::{MonthInput, run_month};
/// use riskgrade_store::Store;
/// use riskgrade_synth::{SynthConfig, generate};
///
/// let set = Arc::new(riskgrade_model::examples::reference()?);
/// let mut store = Store::in_memory()?;
/// let p1: riskgrade_core::Month = "2026-09".parse()?;
/// let mut synth = generate(&SynthConfig::new(300, 7, p1.last_day()));
/// let first = run_month(&mut store, &set, MonthInput::Profiles(&synth.enterprises), p1, p1.last_day(), &Options::default())?;
/// assert_eq!(first.run.enterprises, 300);
///
/// let p2 = p1.next();
/// riskgrade_synth::evolve(&mut synth, p1.last_day(), p2.last_day(), 7);
/// let second = run_month(&mut store, &set, MonthInput::Profiles(&synth.enterprises), p2, p2.last_day(), &Options::default())?;
/// assert_eq!(second.previous.as_ref().map(|r| r.period), Some(p1));
/// println!("{second}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`MonthlyError::Eval`] when the batch cannot be graded (a missing column,
/// strict mode), [`MonthlyError::NothingGraded`] when no enterprise could be
/// graded, [`MonthlyError::DrawnPeriod`] when it would replace a period that
/// inspection draws are based on (see [`run_month_with`]),
/// [`MonthlyError::Store`] when the store fails; the store is then unchanged.
pub fn run_month(
    store: &mut Store,
    set: &Arc<ModelSet>,
    input: MonthInput<'_>,
    period: Month,
    as_of: Date,
    options: &Options,
) -> Result<MonthReport, MonthlyError> {
    let month = MonthOptions::default();
    run_month_with(store, set, input, period, as_of, options, &month)
}

/// [`run_month`], with `month` saying whether a stored period that inspection
/// draws are based on may be replaced.
///
/// The comparison with the previous period is made under the store's write
/// lock, so the stored `compared_with` and change notes are against the latest
/// period before this one when it commits, even when runs of consecutive
/// periods are started together.
///
/// # Errors
/// As [`run_month`].
pub fn run_month_with(
    store: &mut Store,
    set: &Arc<ModelSet>,
    input: MonthInput<'_>,
    period: Month,
    as_of: Date,
    options: &Options,
    month: &MonthOptions,
) -> Result<MonthReport, MonthlyError> {
    let t0 = Instant::now();
    let decisions = store.decisions_in_effect(as_of)?;
    // Inspection outcomes and the findings of closed alerts both become records.
    let mut inspections = store.inspections_until(as_of)?;
    inspections.extend(store.findings_until(as_of)?);
    let mut skipped = Vec::new();
    let input = prepare::prepare(set, input, as_of, &decisions, &inspections, &mut skipped);
    let grader = Grader::new(Arc::clone(set));
    let mut grades = grader.grade_with(&input.frame, input.profiles.as_deref(), as_of, options)?;
    let manual_of = overrides::apply_overrides(&mut grades, &decisions, &mut skipped);
    let t_grade = t0.elapsed();

    let t1 = Instant::now();
    let order = id_order(&grades)?;
    if !(0..grades.len()).any(|r| grades.is_graded(r)) {
        return Err(MonthlyError::NothingGraded {
            period,
            enterprises: grades.len(),
            kept: store.run(period)?.is_some(),
        });
    }
    let indicators = indicator_paths(set);
    let classes: Vec<String> = grades
        .summary()
        .overall
        .into_iter()
        .map(|(c, _)| c)
        .collect();
    let mut run = NewRun::new(period, as_of, grades.version_id(), classes.clone());
    run.input_digest = input.digest.clone();
    run.indicators = indicators.clone();
    let mut writer = store.begin_run(run)?;
    check_replacement(&writer, period, month)?;
    let replaced = writer.replaced().cloned();
    let previous = writer.previous_run()?;
    let (movement, notes) = match &previous {
        Some(prev) => {
            let movement = previous::movement(writer.store(), prev, &grades, &order, &classes)?;
            let at = NoteInputs {
                grades: &grades,
                frame: &input.frame,
                profiles: input.profiles.as_deref(),
                manual_of: &manual_of,
                previous: prev,
                as_of,
                periods: set.effect_periods(),
                indicators: &indicators,
            };
            let notes = previous::change_notes(&at, &movement.movers);
            (movement, notes)
        }
        None => (Movement::default(), Vec::new()),
    };
    let score_psi = previous::score_psi(set, &grades, &movement.prev_scores);
    writer.compared_with(previous.as_ref().map(|p| p.period));
    // Licence types go with the period, for plans scoped by licence type.
    if let Some(profiles) = input.profiles.as_deref() {
        let types: Vec<(&str, Vec<String>)> = profiles
            .iter()
            .map(|e| (e.id.0.as_str(), crate::licence_types(e)))
            .collect();
        let pairs = types
            .iter()
            .flat_map(|(id, kinds)| kinds.iter().map(move |k| (*id, k.as_str())));
        writer.store().record_period_licences(period, pairs)?;
    }
    let (info, by_kind) =
        write::write_period(writer, &grades, &input.frame, &order, &manual_of, &notes)?;
    // Names and credit codes, for lookups by credit code and for publication.
    if let Some(profiles) = input.profiles.as_deref() {
        store.record_directory(profiles)?;
    }
    Ok(MonthReport {
        run: info,
        previous,
        riskier: movement.riskier,
        less_risky: movement.less_risky,
        new: movement.new,
        gone: movement.gone,
        no_longer_graded: movement.no_longer_graded,
        notes: by_kind,
        overrides: manual_of.len(),
        repairs: input.repairs,
        inspections_added: input.inspections_added,
        skipped_decisions: skipped,
        grades,
        frame: match input.frame {
            std::borrow::Cow::Owned(f) => Some(f),
            std::borrow::Cow::Borrowed(_) => None,
        },
        timings: (t_grade, t1.elapsed()),
        score_psi,
        replaced,
    })
}

/// Refuses to replace a stored period that draws are based on, unless asked to.
fn check_replacement(
    writer: &RunWriter<'_>,
    period: Month,
    month: &MonthOptions,
) -> Result<(), MonthlyError> {
    match writer.replaced() {
        Some(old) if !old.draws.is_empty() && !month.replaces_drawn() => {
            Err(MonthlyError::DrawnPeriod {
                period,
                draws: old.draws.clone(),
            })
        }
        _ => Ok(()),
    }
}

/// Rows in enterprise-id order (the store's key order, and the order the previous period is
/// scanned in); an enterprise that appears twice refuses the run before anything is stored.
fn id_order(grades: &Grades) -> Result<Vec<usize>, MonthlyError> {
    let mut order: Vec<usize> = (0..grades.len()).collect();
    order.par_sort_unstable_by(|&a, &b| grades.id(a).cmp(grades.id(b)).then(a.cmp(&b)));
    let duplicates: Vec<Duplicate> = order
        .windows(2)
        .filter(|w| grades.id(w[0]) == grades.id(w[1]))
        .take(5)
        .map(|w| Duplicate {
            id: grades.id(w[0]).to_string(),
            first: w[0] + 1,
            second: w[1] + 1,
        })
        .collect();
    if duplicates.is_empty() {
        Ok(order)
    } else {
        Err(MonthlyError::DuplicateIds { duplicates })
    }
}

/// Each model's indicator paths, in leaf order: how stored drivers are named.
fn indicator_paths(set: &ModelSet) -> BTreeMap<String, Vec<String>> {
    set.models()
        .iter()
        .map(|m| {
            (
                m.id().to_string(),
                m.leaves().iter().map(|l| l.path.clone()).collect(),
            )
        })
        .collect()
}
