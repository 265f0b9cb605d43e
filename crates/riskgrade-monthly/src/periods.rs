//! Comparing two stored periods: class migration, the enterprises that moved
//! and why, and the stability of the score and of each indicator (PSI).

use std::collections::BTreeMap;
use std::fmt;

use riskgrade_core::Month;
use riskgrade_store::{ChangeKind, InvalidRequest, ResultRow, RunInfo, Store, StoreError};

use riskgrade_engine::{psi, psi_band};

use crate::notes::row_changes;

/// One enterprise whose class differs between two periods.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodMover {
    /// Enterprise id.
    pub id: String,
    /// Class in the earlier period.
    pub from: String,
    /// Class in the later period.
    pub to: String,
    /// Classes moved: positive is riskier.
    pub steps: i64,
    /// Scores in the two periods.
    pub scores: (Option<f64>, Option<f64>),
    /// Why, most specific first: stored notes of the later run (records,
    /// repairs, rules, manual decisions) when it directly follows the earlier
    /// one, else what the two stored results show (rules, manual decisions,
    /// indicators).
    pub reasons: Vec<(ChangeKind, String)>,
}

/// The population stability index of one distribution between two periods.
#[derive(Debug, Clone, PartialEq)]
pub struct Stability {
    /// `score` or an indicator path.
    pub what: String,
    /// The model whose enterprises were compared.
    pub model: String,
    /// PSI = Σ (b − a) ln(b / a) over bins set by the earlier period's deciles.
    pub psi: f64,
}

impl Stability {
    /// `stable` below 0.10, `watch` below 0.25, `shifted` from 0.25.
    pub fn band(&self) -> &'static str {
        psi_band(self.psi)
    }
}

/// Two periods compared.
#[derive(Debug, Clone)]
pub struct PeriodComparison {
    /// The earlier run.
    pub from: RunInfo,
    /// The later run.
    pub to: RunInfo,
    /// Class names, least risky first.
    pub classes: Vec<String>,
    /// `matrix[i][j]`: enterprises in class `i` before and `j` after.
    pub matrix: Vec<Vec<u64>>,
    /// Graded only in the later period (new, or not graded before).
    pub entered: u64,
    /// Graded only in the earlier period (absent from the later one, or not graded in it).
    pub left: u64,
    /// Enterprises whose class changed, riskiest move first, then by id.
    pub movers: Vec<PeriodMover>,
    /// PSI of the score, per model.
    pub score_psi: Vec<Stability>,
    /// PSI of each indicator's risk points, per model, largest first.
    pub indicator_psi: Vec<Stability>,
}

/// Per model: scores, and per indicator path its nonzero risk points (absent = 0).
#[derive(Default)]
struct Side {
    scores: BTreeMap<String, Vec<f64>>,
    drivers: BTreeMap<(String, String), Vec<f64>>,
}

impl Side {
    fn add(&mut self, row: &ResultRow, run: &RunInfo) {
        let (Some(model), Some(score)) = (&row.model, row.score) else {
            return;
        };
        if row.class.is_none() {
            return;
        }
        self.scores.entry(model.clone()).or_default().push(score);
        if let Some(paths) = run.indicators.get(model) {
            for (i, p) in row.driver_points() {
                if let Some(path) = paths.get(i) {
                    self.drivers
                        .entry((model.clone(), path.clone()))
                        .or_default()
                        .push(p);
                }
            }
        }
    }
}

/// Compares two stored periods.
///
/// # Errors
/// A period that is not stored, or store errors.
pub fn compare_periods(
    store: &Store,
    from: Month,
    to: Month,
) -> Result<PeriodComparison, StoreError> {
    let get = |p: Month| {
        store
            .run(p)?
            .ok_or(StoreError::Invalid(InvalidRequest::NoRun { period: p }))
    };
    let (a, b) = (get(from)?, get(to)?);
    let mut classes = a.classes.clone();
    for c in &b.classes {
        if !classes.contains(c) {
            classes.push(c.clone());
        }
    }
    let rank = |c: &Option<String>| c.as_ref().and_then(|c| classes.iter().position(|k| k == c));
    // The notes stored with `to` explain the change from `from` only if they were
    // computed against it, and `from` has not been re-run since.
    let consecutive = b.compared_with == Some(from) && a.finished_at <= b.started_at;
    let notes = if consecutive {
        stored_notes(store, to)?
    } else {
        BTreeMap::new()
    };
    let k = classes.len();
    let mut matrix = vec![vec![0u64; k]; k];
    let (mut entered, mut left) = (0u64, 0u64);
    let mut movers = Vec::new();
    let mut sa = Side::default();
    let mut sb = Side::default();
    store.scan_pair::<StoreError>(from, to, |x, y| {
        if let Some(x) = x {
            sa.add(x, &a);
        }
        if let Some(y) = y {
            sb.add(y, &b);
        }
        let rx = x.and_then(|x| rank(&x.class));
        let ry = y.and_then(|y| rank(&y.class));
        match (rx, ry) {
            (Some(i), Some(j)) => {
                matrix[i][j] += 1;
                if i != j {
                    let (x, y) = (x.expect("ranked"), y.expect("ranked"));
                    let reasons = match notes.get(&y.id) {
                        Some(n) => n.clone(),
                        None => stored_reasons(x, y, &a, &b),
                    };
                    movers.push(PeriodMover {
                        id: y.id.clone(),
                        from: classes[i].clone(),
                        to: classes[j].clone(),
                        steps: j as i64 - i as i64,
                        scores: (x.score, y.score),
                        reasons,
                    });
                }
            }
            (None, Some(_)) => entered += 1,
            (Some(_), None) => left += 1,
            (None, None) => {}
        }
        Ok(())
    })?;
    movers.sort_by(|p, q| {
        q.steps
            .abs()
            .cmp(&p.steps.abs())
            .then_with(|| q.steps.cmp(&p.steps))
            .then_with(|| p.id.cmp(&q.id))
    });
    let score_psi = score_psi(&sa, &sb);
    let indicator_psi = indicator_psi(&sa, &sb, &a, &b);
    Ok(PeriodComparison {
        from: a,
        to: b,
        classes,
        matrix,
        entered,
        left,
        movers,
        score_psi,
        indicator_psi,
    })
}

/// The change notes stored with period `to`, per enterprise.
fn stored_notes(
    store: &Store,
    to: Month,
) -> Result<BTreeMap<String, Vec<(ChangeKind, String)>>, StoreError> {
    let mut by_id: BTreeMap<String, Vec<(ChangeKind, String)>> = BTreeMap::new();
    for n in store.changes(to, None)? {
        by_id.entry(n.id).or_default().push((n.kind, n.detail));
    }
    Ok(by_id)
}

/// PSI of the score of each model graded in both periods.
fn score_psi(sa: &Side, sb: &Side) -> Vec<Stability> {
    sa.scores
        .iter()
        .filter_map(|(model, xs)| {
            let ys = sb.scores.get(model)?;
            Some(Stability {
                what: "score".into(),
                model: model.clone(),
                psi: psi(xs, ys),
            })
        })
        .collect()
}

/// PSI of each indicator's risk points, for the indicators of models graded in both periods,
/// largest first.
fn indicator_psi(sa: &Side, sb: &Side, a: &RunInfo, b: &RunInfo) -> Vec<Stability> {
    // Enterprises without the indicator among their drivers sit at 0 risk points.
    let full = |v: Option<&Vec<f64>>, n: usize| -> Vec<f64> {
        let mut out = v.cloned().unwrap_or_default();
        out.resize(n.max(out.len()), 0.0);
        out
    };
    let mut out = Vec::new();
    for (model, paths) in &a.indicators {
        let (Some(na), Some(nb)) = (
            sa.scores.get(model).map(Vec::len),
            sb.scores.get(model).map(Vec::len),
        ) else {
            continue;
        };
        for path in paths {
            if !b.indicators.get(model).is_some_and(|ps| ps.contains(path)) {
                continue;
            }
            let key = (model.clone(), path.clone());
            out.push(Stability {
                what: path.clone(),
                model: model.clone(),
                psi: psi(
                    &full(sa.drivers.get(&key), na),
                    &full(sb.drivers.get(&key), nb),
                ),
            });
        }
    }
    out.sort_by(|x, y| y.psi.total_cmp(&x.psi).then_with(|| x.what.cmp(&y.what)));
    out
}

fn stored_reasons(
    x: &ResultRow,
    y: &ResultRow,
    a: &RunInfo,
    b: &RunInfo,
) -> Vec<(ChangeKind, String)> {
    let mut out = Vec::new();
    if a.version_id != b.version_id {
        out.push((
            ChangeKind::Model,
            format!("model set {} -> {}", a.version_id, b.version_id),
        ));
    }
    out.extend(row_changes(x, y, &a.indicators, &b.indicators, &[]));
    out
}

impl PeriodComparison {
    /// Enterprises that moved to a riskier class.
    pub fn riskier(&self) -> usize {
        self.movers.iter().filter(|m| m.steps > 0).count()
    }

    /// Enterprises that moved to a less risky class.
    pub fn less_risky(&self) -> usize {
        self.movers.iter().filter(|m| m.steps < 0).count()
    }
}

impl fmt::Display for PeriodComparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (a, b) = (&self.from, &self.to);
        writeln!(
            f,
            "{} (as of {}, model {}) -> {} (as of {}, model {})",
            a.period, a.as_of, a.version_id, b.period, b.as_of, b.version_id
        )?;
        writeln!(
            f,
            "class migration (rows: {}, columns: {}):",
            a.period, b.period
        )?;
        write!(f, "{:>8}", "")?;
        for c in &self.classes {
            write!(f, "{c:>9}")?;
        }
        writeln!(f)?;
        for (i, row) in self.matrix.iter().enumerate() {
            write!(f, "{:>8}", self.classes[i])?;
            for n in row {
                write!(f, "{n:>9}")?;
            }
            writeln!(f)?;
        }
        writeln!(
            f,
            "{} riskier, {} less risky, {} entered, {} left",
            self.riskier(),
            self.less_risky(),
            self.entered,
            self.left
        )?;
        for s in &self.score_psi {
            writeln!(f, "score PSI ({}): {:.4} [{}]", s.model, s.psi, s.band())?;
        }
        let unstable: Vec<&Stability> = self
            .indicator_psi
            .iter()
            .filter(|s| s.psi >= 0.10)
            .collect();
        match unstable.len() {
            0 => writeln!(
                f,
                "indicator PSI: all {} below 0.10 (stable)",
                self.indicator_psi.len()
            )?,
            n => {
                writeln!(f, "indicator PSI: {n} at or above 0.10:")?;
                for s in unstable.iter().take(10) {
                    writeln!(f, "  {} ({}): {:.4} [{}]", s.what, s.model, s.psi, s.band())?;
                }
            }
        }
        Ok(())
    }
}
