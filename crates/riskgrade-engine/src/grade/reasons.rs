//! Stage 6 of grading: the top reasons of each graded row (the leaves that
//! cost it most points) and, when asked, every leaf's contribution.

use rayon::prelude::*;
use riskgrade_model::{Emit, Model, ScoreFn};

use super::Batch;
use super::inputs::LeafData;
use super::route::{Routed, RowSet};
use super::score::{CHUNK, Ctx, Input, Rows};
use crate::grades::Reason;

/// The reasons and contributions of a batch, row-major.
pub(super) struct Explained {
    /// Reason slots per row.
    pub(super) stride: usize,
    /// `stride` reasons per row, the first `counts[r]` filled.
    pub(super) reasons: Vec<Reason>,
    /// Reasons per row (empty when reasons were not asked for).
    pub(super) counts: Vec<u8>,
    /// Contribution slots per row: the most leaves of any model.
    pub(super) max_leaves: usize,
    /// `max_leaves` contributions per row (empty when not asked for).
    pub(super) contributions: Vec<f64>,
}

/// Reasons and contributions for the graded rows of every model that has rows.
pub(super) fn explain(
    batch: &Batch<'_>,
    routed: &Routed,
    resolved: &[Vec<LeafData<'_>>],
    scores: &[Vec<f64>],
    graded: &(impl Fn(usize) -> bool + Sync),
    all_graded: bool,
) -> Explained {
    let (set, options) = (batch.set, batch.options);
    let n = routed.model_of.len();
    let max_leaves = set
        .models()
        .iter()
        .map(|m| m.leaves().len())
        .max()
        .unwrap_or(0);
    let k_of = |m: &Model| {
        options
            .max_reasons
            .unwrap_or(m.max_reasons())
            .min(u8::MAX as usize)
    };
    let only = routed.only();
    let stride = if options.reasons {
        only.iter()
            .map(|&m| k_of(&set.models()[m]))
            .max()
            .unwrap_or(0)
    } else {
        0
    };
    let mut out = Explained {
        stride,
        reasons: vec![Reason::NONE; n * stride],
        counts: vec![0u8; if options.reasons { n } else { 0 }],
        max_leaves,
        contributions: if options.contributions {
            vec![f64::NAN; n * max_leaves]
        } else {
            Vec::new()
        },
    };
    if !(options.reasons || options.contributions) {
        return out;
    }
    for &m in &only {
        let model = &set.models()[m];
        let k = if options.reasons { k_of(model) } else { 0 };
        let ctx = Ctx {
            model,
            data: &resolved[m],
            scores,
            as_of: batch.as_of,
            first: Vec::new(),
        };
        if all_graded && only == [m] && matches!(routed.rows_of[m], RowSet::All(_)) {
            out.explain_all(batch, &ctx, k, n);
        } else {
            let rows: Vec<u32> = (0..n as u32)
                .into_par_iter()
                .filter(|&r| graded(r as usize) && routed.model_of[r as usize] as usize == m)
                .collect();
            out.explain_listed(batch, &ctx, k, &rows);
        }
    }
    out
}

impl Explained {
    /// Every row graded by the one model: explained in place, chunk by chunk.
    fn explain_all(&mut self, batch: &Batch<'_>, ctx: &Ctx<'_>, k: usize, n: usize) {
        let options = batch.options;
        // Scratch outputs when a part is not asked for.
        let (rs, cs) = (self.stride.max(1), self.max_leaves.max(1));
        let mut r_out = if options.reasons {
            std::mem::take(&mut self.reasons)
        } else {
            vec![Reason::NONE; n * rs]
        };
        let mut c_out = if options.reasons {
            std::mem::take(&mut self.counts)
        } else {
            vec![0u8; n]
        };
        let mut contrib_out = std::mem::take(&mut self.contributions);
        if options.contributions {
            r_out
                .par_chunks_mut(CHUNK * rs)
                .zip(c_out.par_chunks_mut(CHUNK))
                .zip(contrib_out.par_chunks_mut(CHUNK * cs))
                .enumerate()
                .for_each(|(c, ((ro, co), xo))| {
                    let start = c * CHUNK;
                    ctx.explain_rows(
                        Rows::Range(start, start + co.len()),
                        k,
                        rs,
                        ro,
                        co,
                        Some((xo, cs)),
                    );
                });
        } else {
            r_out
                .par_chunks_mut(CHUNK * rs)
                .zip(c_out.par_chunks_mut(CHUNK))
                .enumerate()
                .for_each(|(c, (ro, co))| {
                    let start = c * CHUNK;
                    ctx.explain_rows(Rows::Range(start, start + co.len()), k, rs, ro, co, None);
                });
        }
        if options.reasons {
            self.reasons = r_out;
            self.counts = c_out;
        }
        self.contributions = contrib_out;
    }

    /// The listed rows (ascending) explained in chunks, then scattered into place.
    fn explain_listed(&mut self, batch: &Batch<'_>, ctx: &Ctx<'_>, k: usize, rows: &[u32]) {
        let options = batch.options;
        let (stride, max_leaves) = (self.stride, self.max_leaves);
        let (rs, cs) = (stride.max(1), max_leaves.max(1));
        let keep = options.contributions;
        let parts: Vec<(Vec<Reason>, Vec<u8>, Vec<f64>)> = rows
            .par_chunks(CHUNK)
            .map(|idx| {
                let mut ro = vec![Reason::NONE; idx.len() * rs];
                let mut co = vec![0u8; idx.len()];
                let mut xo = if keep {
                    vec![f64::NAN; idx.len() * cs]
                } else {
                    Vec::new()
                };
                let contrib = if keep {
                    Some((xo.as_mut_slice(), cs))
                } else {
                    None
                };
                ctx.explain_rows(Rows::Index(idx), k, rs, &mut ro, &mut co, contrib);
                (ro, co, xo)
            })
            .collect();
        for (idx, (ro, co, xo)) in rows.chunks(CHUNK).zip(parts) {
            for (j, &r) in idx.iter().enumerate() {
                let r = r as usize;
                if options.reasons {
                    self.reasons[r * stride..(r + 1) * stride]
                        .copy_from_slice(&ro[j * rs..j * rs + stride]);
                    self.counts[r] = co[j];
                }
                if keep {
                    self.contributions[r * max_leaves..(r + 1) * max_leaves]
                        .copy_from_slice(&xo[j * cs..(j + 1) * cs]);
                }
            }
        }
    }
}

impl Ctx<'_> {
    /// Per-leaf points of a chunk of rows: the top `k` reasons of each row into
    /// `reasons` (`stride` slots per row) and `counts`, and, when given, every
    /// leaf's contribution into `contrib` (`cstride` slots per row).
    fn explain_rows(
        &self,
        rows: Rows<'_>,
        k: usize,
        stride: usize,
        reasons: &mut [Reason],
        counts: &mut [u8],
        mut contrib: Option<(&mut [f64], usize)>,
    ) {
        let len = counts.len();
        let leaves = self.model.leaves();
        let nl = leaves.len();
        let mut pts = vec![0.0; nl * len];
        let mut buf = Vec::with_capacity(len);
        let mut cbuf = Vec::with_capacity(len);
        for (l, (leaf, d)) in leaves.iter().zip(self.data).enumerate() {
            let out = &mut pts[l * len..(l + 1) * len];
            let miss = leaf.missing_points();
            match self.gather(d, &rows, &mut buf, &mut cbuf) {
                Input::Numbers(x) => leaf.score_numbers(x, 1.0, out, Emit::Set),
                Input::Codes(c, table) => ScoreFn::score_codes(table, c, 1.0, miss, out, Emit::Set),
            }
        }
        if let Some((c, cs)) = contrib.as_mut() {
            for (l, leaf) in leaves.iter().enumerate() {
                for (i, p) in pts[l * len..(l + 1) * len].iter().enumerate() {
                    c[i * *cs + l] = leaf.weight * p;
                }
            }
        }
        // Each row's top k, by risk, descending: the leaves are offered in their order, one
        // leaf's column at a time, so ties keep the earlier leaf first. Most offers fall below
        // the row's k-th risk and are passed over with one comparison.
        let k = k.min(stride);
        counts.fill(0);
        if k == 0 {
            return;
        }
        for (l, leaf) in leaves.iter().enumerate() {
            for (i, &p) in pts[l * len..(l + 1) * len].iter().enumerate() {
                let risk = leaf.weight * (p - leaf.best).abs();
                let n = usize::from(counts[i]);
                let top = &mut reasons[i * stride..i * stride + k];
                if risk <= 1e-9 || (n == k && risk <= top[k - 1].risk) {
                    continue;
                }
                let mut at = n.min(k - 1);
                while at > 0 && top[at - 1].risk < risk {
                    at -= 1;
                }
                let end = n.min(k - 1);
                top.copy_within(at..end, at + 1);
                top[at] = Reason {
                    leaf: l as u16,
                    points: p,
                    risk,
                };
                counts[i] = (n + 1).min(k) as u8;
            }
        }
    }
}
