//! The chunks' outcomes gathered for the batch: per-rule counts, every row's
//! effects (in row order, with each row's start, their actions and routes
//! moved into the batch's tables), and the rows' rule errors as issues.

use std::sync::Arc;

use riskgrade_core::{DataIssue, Problem};
use riskgrade_rules::Action;

use super::row::{ChunkOut, RowOut};
use super::trace::{Act, Fx, NONE, Out, Trace, action_of};
use super::{Pass, RuleOutput, RuleStats};

impl Pass<'_> {
    /// Writes the rows' final score and class into `score` and `class`, and
    /// gathers their effects, the per-rule counts and the rule errors.
    pub(super) fn tally(
        &self,
        outs: Vec<ChunkOut>,
        score: &mut [f64],
        class: &mut [u8],
        ids: Vec<Arc<str>>,
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
        let (mut fx, mut owned, mut routes) = (Vec::new(), Vec::new(), Vec::new());
        let mut issues = Vec::new();
        let mut fired: Vec<u32> = Vec::new();
        for chunk in outs {
            let (own0, route0) = (owned.len() as u32, routes.len() as u32);
            for o in &chunk.rows {
                for &ri in &chunk.matched[o.matched.0 as usize..o.matched.1 as usize] {
                    stats[ri as usize].matched += 1;
                }
                let mine = &chunk.fx[o.fx.0 as usize..o.fx.1 as usize];
                count_effects(rules, &chunk.owned, mine, &mut stats, &mut fired);
                if let Some(issue) = self.issue(o, &mut stats) {
                    issues.push(issue);
                }
                score[o.row] = o.score;
                class[o.row] = u8::try_from(o.class).unwrap_or(u8::MAX);
                counts[o.row] = o.fx.1 - o.fx.0;
                fx.extend(mine.iter().map(|f| Fx {
                    act: match f.act {
                        Act::Owned(k) => Act::Owned(k + own0),
                        plan => plan,
                    },
                    route: if f.route == NONE {
                        NONE
                    } else {
                        f.route + route0
                    },
                    ..*f
                }));
            }
            owned.extend(chunk.owned);
            routes.extend(chunk.routes);
        }
        let mut effect_start = Vec::with_capacity(n + 1);
        effect_start.push(0u32);
        let mut total = 0u32;
        for c in counts {
            total += c;
            effect_start.push(total);
        }
        RuleOutput {
            trace: Trace::new(effect_start, fx, owned, routes, ids),
            stats,
            issues,
        }
    }

    /// Row `o`'s rule error as an issue, counted against its rule.
    fn issue(&self, o: &RowOut, stats: &mut [RuleStats]) -> Option<DataIssue> {
        let (ri, e, skipped) = o.error.as_ref()?;
        stats[*ri].errors += 1;
        Some(DataIssue {
            row: o.row,
            id: self.frame.ids()[o.row].clone(),
            column: format!("rule:{}", self.rules().rules()[*ri].id()),
            problem: Problem::Rule {
                message: e.one_line(),
                skipped: *skipped,
            },
        })
    }
}

/// Counts one row's effects against their rules.
fn count_effects(
    rules: &riskgrade_rules::Rules,
    owned: &[Action],
    fx: &[Fx],
    stats: &mut [RuleStats],
    fired: &mut Vec<u32>,
) {
    fired.clear();
    for f in fx {
        let s = &mut stats[f.rule as usize];
        if !fired.contains(&f.rule) {
            fired.push(f.rule);
            s.fired += 1;
        }
        match action_of(rules, owned, f) {
            Action::Adjust { points, .. } => s.points += points,
            Action::ForceClass { .. } => s.forced += 1,
            Action::Label { .. } => s.labels += 1,
            Action::Alert { .. } => s.alerts += 1,
            _ => {}
        }
        if f.outcome == Out::Decided {
            s.decided += 1;
        }
    }
}
