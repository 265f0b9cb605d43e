//! The printed comparison: the migration matrix as an aligned table, the
//! movers each way, the biggest moves with their rules, and the rules whose reach changed.

use std::fmt;

use riskgrade_core::display::{self, Align};
use riskgrade_core::format_number;

use super::{Comparison, Move, RuleDelta};

/// The widest the free-text last column of the biggest moves gets, in display columns.
const LAST_COLUMN: usize = 4 * display::MAX_CELL;

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_matrix(f)?;
        let moved = self.write_moved(f)?;
        if moved == 0 || self.top == 0 {
            return Ok(());
        }
        self.write_biggest_moves(f)?;
        self.write_rules_reach(f)
    }
}

impl Comparison {
    /// The migration matrix with row and column totals; the "not graded" row
    /// and column only when some row was not graded.
    fn write_matrix(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let k = self.classes.len();
        let total = self.total();
        let (before, after) = (self.counts_before(), self.counts_after());
        // The "not graded" row and column only when some row was not graded.
        let shown: Vec<usize> = (0..=k)
            .filter(|&i| i < k || before[k] > 0 || after[k] > 0)
            .collect();
        let name = |i: usize| {
            self.classes
                .get(i)
                .cloned()
                .unwrap_or_else(|| "not graded".into())
        };
        writeln!(
            f,
            "class migration of {total} enterprises: rows {}, columns {}",
            self.labels.0, self.labels.1
        )?;
        let mut rows = vec![
            std::iter::once(String::new())
                .chain(shown.iter().map(|&j| name(j)))
                .chain(["total".to_string()])
                .collect::<Vec<_>>(),
        ];
        for &i in &shown {
            rows.push(
                std::iter::once(name(i))
                    .chain(shown.iter().map(|&j| self.matrix[i][j].to_string()))
                    .chain([before[i].to_string()])
                    .collect(),
            );
        }
        rows.push(
            std::iter::once("total".to_string())
                .chain(shown.iter().map(|&j| after[j].to_string()))
                .chain([total.to_string()])
                .collect(),
        );
        table(f, &rows)
    }

    /// The line counting the movers each way; returns how many moved.
    fn write_moved(&self, f: &mut fmt::Formatter<'_>) -> Result<usize, fmt::Error> {
        let total = self.total();
        let moved = self.movers.len();
        let share = if total == 0 {
            0.0
        } else {
            100.0 * moved as f64 / total as f64
        };
        write!(
            f,
            "\nmoved: {moved} of {total} enterprises ({share:.2}%): {} to a riskier class, {} to a safer class",
            self.moved(Move::Riskier),
            self.moved(Move::Safer)
        )?;
        let (lost, gained) = (
            self.moved(Move::NoLongerGraded),
            self.moved(Move::NowGraded),
        );
        if lost + gained > 0 {
            write!(f, ", {lost} no longer graded, {gained} now graded")?;
        }
        writeln!(f)?;
        Ok(moved)
    }

    /// The biggest moves (at most `top`), with their classes, scores, models and rules.
    fn write_biggest_moves(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let moved = self.movers.len();
        let top = self.biggest_moves();
        let shown = top.len().min(self.top);
        writeln!(
            f,
            "\nbiggest moves ({shown} of {moved}; rules: +acted only {}, -only {}, ~differently):",
            self.labels.1, self.labels.0
        )?;
        let class = |c: &Option<String>| c.clone().unwrap_or_else(|| "not graded".into());
        let rows: Vec<Vec<String>> = top[..shown]
            .iter()
            .map(|m| {
                vec![
                    format!("  {}", m.id),
                    m.industry.clone().unwrap_or_default(),
                    format!("{} -> {}", class(&m.class_before), class(&m.class_after)),
                    format!(
                        "score {} -> {}",
                        score_text(m.score_before),
                        score_text(m.score_after)
                    ),
                    match (&m.model_before, &m.model_after) {
                        // Routed to another model: its score is on that model's scale.
                        (Some(b), Some(a)) if b != a => {
                            format!("model {b} -> {a}  {}", m.rules_text())
                        }
                        _ => m.rules_text(),
                    },
                ]
            })
            .collect();
        // Left-align the free-text columns (widths computed once: `--top` may be large);
        // the last one, free text, is only escaped and cut.
        let widths: Vec<usize> = (0..4)
            .map(|j| display::column_width(rows.iter().map(|x| x[j].as_str()), 0))
            .collect();
        for r in &rows {
            let line: Vec<String> = r
                .iter()
                .zip(&widths)
                .map(|(c, &w)| display::pad(c, w, Align::Left))
                .chain(r.last().map(|c| display::clip_to(c, LAST_COLUMN)))
                .collect();
            writeln!(f, "{}", line.join("  ").trim_end())?;
        }
        Ok(())
    }

    /// The rules whose reach changed: acted on, decided the class of, movers.
    fn write_rules_reach(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let changed: Vec<&RuleDelta> = self
            .rules
            .iter()
            .filter(|r| r.movers > 0 || r.fired[0] != r.fired[1] || r.decided[0] != r.decided[1])
            .collect();
        if changed.is_empty() {
            return Ok(());
        }
        writeln!(
            f,
            "\nrules whose reach changed (enterprises, {} -> {}):",
            self.labels.0, self.labels.1
        )?;
        let mut rows = vec![
            ["  rule", "acted on", "decided the class of", "movers"]
                .map(str::to_string)
                .to_vec(),
        ];
        for r in changed {
            let [db, da] = r.decided_total();
            rows.push(vec![
                format!("  {}", r.rule),
                format!("{} -> {}", r.fired[0], r.fired[1]),
                format!("{db} -> {da}"),
                r.movers.to_string(),
            ]);
        }
        table(f, &rows)
    }
}

/// Left-aligned first column, right-aligned others, two spaces apart.
fn table(f: &mut fmt::Formatter<'_>, rows: &[Vec<String>]) -> fmt::Result {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let width: Vec<usize> = (0..cols)
        .map(|j| display::column_width(rows.iter().filter_map(|r| r.get(j)).map(String::as_str), 0))
        .collect();
    for row in rows {
        let mut line = String::new();
        for (j, cell) in row.iter().enumerate() {
            if j == 0 {
                line.push_str(&display::pad(cell, width[0], Align::Left));
            } else {
                line.push_str("  ");
                line.push_str(&display::pad(cell, width[j], Align::Right));
            }
        }
        writeln!(f, "{}", line.trim_end())?;
    }
    Ok(())
}

fn score_text(s: Option<f64>) -> String {
    s.map_or_else(
        || "-".into(),
        |s| format_number((s * 100.0).round() / 100.0),
    )
}
