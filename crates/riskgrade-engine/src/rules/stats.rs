//! The rows' outcomes gathered for the batch: per-rule counts, every row's
//! effects (in row order, with each row's start), and the rows' rule errors as issues.

use riskgrade_core::{DataIssue, Problem};
use riskgrade_rules::Action;

use super::row::RowOut;
use super::{Outcome, Pass, RuleOutput, RuleStats};

impl Pass<'_> {
    /// Writes the rows' final score and class into `score` and `class`, and
    /// gathers their effects, the per-rule counts and the rule errors.
    pub(super) fn tally(
        &self,
        outs: Vec<RowOut>,
        score: &mut [f64],
        class: &mut [u8],
    ) -> RuleOutput {
        let rules = self.rules();
        let n = score.len();
        let mut stats: Vec<RuleStats> = rules
            .rules()
            .iter()
            .map(|rule| RuleStats {
                rule: rule.id().to_string(),
                active: rule.spec().applies(self.as_of),
                matched: 0,
                fired: 0,
                points: 0.0,
                forced: 0,
                decided: 0,
                labels: 0,
                alerts: 0,
                errors: 0,
            })
            .collect();
        let mut counts = vec![0u32; n];
        let mut effects = Vec::new();
        let mut issues = Vec::new();
        for o in outs {
            for &ri in &o.matched {
                stats[ri].matched += 1;
            }
            let mut fired: Vec<usize> = Vec::new();
            for e in &o.effects {
                let ri = rules.index_of(&e.rule).unwrap_or(0);
                let s = &mut stats[ri];
                if !fired.contains(&ri) {
                    fired.push(ri);
                    s.fired += 1;
                }
                match &e.action {
                    Action::Adjust { points, .. } => s.points += points,
                    Action::ForceClass { .. } => s.forced += 1,
                    Action::Label { .. } => s.labels += 1,
                    Action::Alert { .. } => s.alerts += 1,
                    _ => {}
                }
                if e.outcome == Outcome::Decided {
                    s.decided += 1;
                }
            }
            if let Some((ri, e, skipped)) = &o.error {
                stats[*ri].errors += 1;
                issues.push(DataIssue {
                    row: o.row,
                    id: self.frame.ids()[o.row].clone(),
                    column: format!("rule:{}", rules.rules()[*ri].id()),
                    problem: Problem::Rule {
                        message: e.one_line(),
                        skipped: *skipped,
                    },
                });
            }
            score[o.row] = o.score;
            class[o.row] = if o.class == usize::MAX {
                u8::MAX
            } else {
                o.class as u8
            };
            counts[o.row] = o.effects.len() as u32;
            effects.extend(o.effects);
        }
        let mut effect_start = Vec::with_capacity(n + 1);
        effect_start.push(0u32);
        let mut total = 0u32;
        for c in counts {
            total += c;
            effect_start.push(total);
        }
        RuleOutput {
            effect_start,
            effects,
            stats,
            issues,
        }
    }
}
