//! [`Comparison`]: the migration matrix, the [`Mover`]s and the [`RuleDelta`]s
//! of two grade batches, and the movers as table columns.

use riskgrade_core::Frame;
use riskgrade_io::{OutColumn, OutData};

use super::CompareError;

/// Which way an enterprise moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// To a riskier class.
    Riskier,
    /// To a less risky class.
    Safer,
    /// Graded before, not after.
    NoLongerGraded,
    /// Graded after, not before.
    NowGraded,
}

impl Move {
    /// `riskier`, `safer`, `no longer graded` or `now graded`.
    pub fn name(self) -> &'static str {
        match self {
            Move::Riskier => "riskier",
            Move::Safer => "safer",
            Move::NoLongerGraded => "no longer graded",
            Move::NowGraded => "now graded",
        }
    }
}

/// An enterprise whose class differs between the two batches.
#[derive(Debug, Clone, PartialEq)]
pub struct Mover {
    /// Its row in the batches (0-based).
    pub row: usize,
    /// The enterprise id.
    pub id: String,
    /// Its industry, when the comparison was given the frame ([`Comparison::with_industries`]).
    pub industry: Option<String>,
    /// Its class before (`None`: not graded).
    pub class_before: Option<String>,
    /// Its class after (`None`: not graded).
    pub class_after: Option<String>,
    /// Classes moved, positive towards risk (`None` when graded on one side only).
    pub steps: Option<i64>,
    /// Its score before.
    pub score_before: Option<f64>,
    /// Its score after.
    pub score_after: Option<f64>,
    /// The model that graded it before.
    pub model_before: Option<String>,
    /// The model that graded it after.
    pub model_after: Option<String>,
    /// Rules that acted on its score or class only after.
    pub rules_only_after: Vec<String>,
    /// Rules that acted on its score or class only before.
    pub rules_only_before: Vec<String>,
    /// Rules that acted on its score or class on both sides, differently
    /// (another action, or another outcome such as deciding the class or not).
    pub rules_changed: Vec<String>,
}

impl Mover {
    /// Which way it moved.
    pub fn movement(&self) -> Move {
        match self.steps {
            Some(s) if s > 0 => Move::Riskier,
            Some(_) => Move::Safer,
            None if self.class_after.is_none() => Move::NoLongerGraded,
            None => Move::NowGraded,
        }
    }

    /// Score after minus score before (`None` unless graded on both sides).
    pub fn score_change(&self) -> Option<f64> {
        Some(self.score_after? - self.score_before?)
    }

    /// The rules, marked `+` (only after), `-` (only before) and `~` (changed).
    pub(super) fn rules_text(&self) -> String {
        let marked =
            |mark: &str, v: &[String]| v.iter().map(|r| format!("{mark}{r}")).collect::<Vec<_>>();
        let all: Vec<String> = [
            marked("+", &self.rules_only_after),
            marked("-", &self.rules_only_before),
            marked("~", &self.rules_changed),
        ]
        .concat();
        all.join(" ")
    }
}

/// How one rule's reach changed between the two batches.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleDelta {
    /// The rule's id.
    pub rule: String,
    /// Enterprises it acted on (any effect, labels and alerts included): `[before, after]`.
    pub fired: [usize; 2],
    /// Per class of [`Comparison::classes`]: enterprises whose final class it decided, `[before, after]`.
    pub decided: [Vec<usize>; 2],
    /// Movers it acted on differently (only one side, or other effects).
    pub movers: usize,
}

impl RuleDelta {
    /// A rule not yet seen acting, over `k` classes.
    pub(super) fn new(rule: &str, k: usize) -> RuleDelta {
        RuleDelta {
            rule: rule.to_string(),
            fired: [0, 0],
            decided: [vec![0; k], vec![0; k]],
            movers: 0,
        }
    }
    /// Enterprises whose final class it decided: `[before, after]`.
    pub fn decided_total(&self) -> [usize; 2] {
        [self.decided[0].iter().sum(), self.decided[1].iter().sum()]
    }
}

/// Two grade batches of the same enterprises compared: see [`compare`].
///
/// `Display` prints the migration matrix as an aligned table, the number of
/// movers each way, the biggest moves with their rules (`+rule` acted only
/// after, `-rule` only before, `~rule` differently; `model x -> y` when another
/// model graded it) and the rules whose reach changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub(super) classes: Vec<String>,
    pub(super) matrix: Vec<Vec<usize>>,
    pub(super) movers: Vec<Mover>,
    pub(super) rules: Vec<RuleDelta>,
    pub(super) labels: (String, String),
    pub(super) top: usize,
}

impl Comparison {
    /// Names the two sides in the printed comparison (default `before` and `after`).
    pub fn labels(mut self, before: impl Into<String>, after: impl Into<String>) -> Self {
        self.labels = (before.into(), after.into());
        self
    }

    /// How many of the biggest moves are printed (default 10).
    pub fn top(mut self, n: usize) -> Self {
        self.top = n;
        self
    }

    /// Fills the movers' industries from the frame the batches were graded from.
    ///
    /// # Errors
    /// [`CompareError::FrameSize`] when the frame has another number of rows,
    /// [`CompareError::DifferentFrame`] when it holds another enterprise at a
    /// mover's row (the rows that did not move are not kept, so not checked).
    pub fn with_industries(mut self, frame: &Frame) -> Result<Self, CompareError> {
        let ids = frame.ids();
        if ids.len() != self.total() {
            return Err(CompareError::FrameSize {
                rows: self.total(),
                frame_rows: ids.len(),
            });
        }
        if let Some(m) = self.movers.iter().find(|m| ids[m.row] != m.id) {
            return Err(CompareError::DifferentFrame {
                row: m.row,
                graded: m.id.clone(),
                frame: ids[m.row].clone(),
            });
        }
        for m in &mut self.movers {
            m.industry = Some(frame.industries()[m.row].clone());
        }
        Ok(self)
    }

    /// The class names, lowest risk first (the "not graded" row and column come after them).
    pub fn classes(&self) -> &[String] {
        &self.classes
    }

    /// The position of a class in [`Comparison::classes`].
    pub fn class_position(&self, class: &str) -> Option<usize> {
        self.classes.iter().position(|c| c == class)
    }

    /// The migration matrix: `matrix()[from][to]` counts enterprises in class
    /// `from` before and `to` after, indexed like [`Comparison::classes`] with
    /// one more row and column for "not graded".
    pub fn matrix(&self) -> &[Vec<usize>] {
        &self.matrix
    }

    /// Enterprises in class `from` before and `to` after (`None`: not graded).
    pub fn count(&self, from: Option<&str>, to: Option<&str>) -> usize {
        let k = self.classes.len();
        let at = |c: Option<&str>| match c {
            Some(c) => self.class_position(c),
            None => Some(k),
        };
        match (at(from), at(to)) {
            (Some(i), Some(j)) => self.matrix[i][j],
            _ => 0,
        }
    }

    /// Enterprises compared.
    pub fn total(&self) -> usize {
        self.matrix.iter().flatten().sum()
    }

    /// Enterprises per class before, the last entry "not graded".
    pub fn counts_before(&self) -> Vec<usize> {
        self.matrix.iter().map(|row| row.iter().sum()).collect()
    }

    /// Enterprises per class after, the last entry "not graded".
    pub fn counts_after(&self) -> Vec<usize> {
        (0..self.matrix.len())
            .map(|j| self.matrix.iter().map(|row| row[j]).sum())
            .collect()
    }

    /// The enterprises whose class differs, in row order.
    pub fn movers(&self) -> &[Mover] {
        &self.movers
    }

    /// Movers that went `which` way.
    pub fn moved(&self, which: Move) -> usize {
        self.movers.iter().filter(|m| m.movement() == which).count()
    }

    /// Every rule of either side, the after side's first in their running order.
    pub fn rules(&self) -> &[RuleDelta] {
        &self.rules
    }

    /// The movers, biggest move first: most classes moved, then largest score change, then row.
    pub fn biggest_moves(&self) -> Vec<&Mover> {
        let mut v: Vec<&Mover> = self.movers.iter().collect();
        v.sort_by(|a, b| {
            let steps = |m: &Mover| m.steps.map_or(0, i64::unsigned_abs);
            let change = |m: &Mover| m.score_change().map_or(0.0, f64::abs);
            steps(b)
                .cmp(&steps(a))
                .then(change(b).total_cmp(&change(a)))
                .then(a.row.cmp(&b.row))
        });
        v
    }

    /// The movers as table columns for [`riskgrade_io::write_table`]: `id`,
    /// `industry` (when known), `class_before`, `class_after`, `move`
    /// (`riskier`, `safer`, `no longer graded`, `now graded`), `steps`,
    /// `score_before`, `score_after`, `score_change`, `model_before`,
    /// `model_after`, `rules_only_after`, `rules_only_before`, `rules_changed`
    /// (rule ids joined with ` | `).
    pub fn movers_table(&self) -> Vec<OutColumn> {
        let m = &self.movers;
        let text = |name: &str, f: &dyn Fn(&Mover) -> Option<String>| OutColumn {
            name: name.into(),
            data: OutData::Text(m.iter().map(f).collect()),
        };
        let number = |name: &str, f: &dyn Fn(&Mover) -> Option<f64>| OutColumn {
            name: name.into(),
            data: OutData::Number(m.iter().map(f).collect()),
        };
        let rules = |v: &[String]| Some(v.join(" | "));
        let mut out = vec![text("id", &|m| Some(m.id.clone()))];
        if m.iter().any(|m| m.industry.is_some()) {
            out.push(text("industry", &|m| m.industry.clone()));
        }
        out.extend([
            text("class_before", &|m| m.class_before.clone()),
            text("class_after", &|m| m.class_after.clone()),
            text("move", &|m| Some(m.movement().name().to_string())),
            OutColumn {
                name: "steps".into(),
                data: OutData::Integer(m.iter().map(|m| m.steps).collect()),
            },
            number("score_before", &|m| m.score_before),
            number("score_after", &|m| m.score_after),
            number("score_change", &Mover::score_change),
            text("model_before", &|m| m.model_before.clone()),
            text("model_after", &|m| m.model_after.clone()),
            text("rules_only_after", &|m| rules(&m.rules_only_after)),
            text("rules_only_before", &|m| rules(&m.rules_only_before)),
            text("rules_changed", &|m| rules(&m.rules_changed)),
        ]);
        out
    }
}
