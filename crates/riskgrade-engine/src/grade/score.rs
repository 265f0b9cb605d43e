//! Stage 3 of grading: every model scored over chunks of rows, each leaf's
//! input slice scored by a vectorised kernel into its dimension's accumulator.

use rayon::prelude::*;
use riskgrade_core::Date;
use riskgrade_model::{Emit, Model, ModelSet, ScoreFn};

use super::inputs::LeafData;
use super::route::{Routed, RowSet};

/// Rows scored together; small enough that a chunk's inputs and accumulators stay in L1/L2.
pub(super) const CHUNK: usize = 1024;

/// Scores every model, components first: each model's score and dimension
/// points (row-major) over the rows it must score.
pub(super) fn score_models(
    set: &ModelSet,
    resolved: &[Vec<LeafData<'_>>],
    routed: &Routed,
    as_of: Date,
    n: usize,
    chunk_done: &(dyn Fn(usize) + Sync),
) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
    let nm = set.models().len();
    let mut scores: Vec<Vec<f64>> = vec![Vec::new(); nm];
    let mut dims: Vec<Vec<f64>> = vec![Vec::new(); nm];
    for &m in set.evaluation_order() {
        let model = &set.models()[m];
        let nd = model.dimensions().len();
        let ctx = Ctx {
            model,
            data: &resolved[m],
            scores: &scores,
            as_of,
            first: first_in_dimension(model),
        };
        let (s, d) = match &routed.rows_of[m] {
            RowSet::Some(rows) if rows.is_empty() => continue,
            RowSet::All(_) => ctx.score_all(n, nd, chunk_done),
            RowSet::Some(rows) => ctx.score_some(rows, n, nd, chunk_done),
        };
        scores[m] = s;
        dims[m] = d;
    }
    (scores, dims)
}

impl Ctx<'_> {
    /// Scores every row in place, chunk by chunk.
    /// `chunk_done` is told each chunk's rows.
    fn score_all(
        &self,
        n: usize,
        nd: usize,
        chunk_done: &(dyn Fn(usize) + Sync),
    ) -> (Vec<f64>, Vec<f64>) {
        // Every row is written, so the buffers need no NaN fill.
        let mut s = vec![0.0; n];
        let mut d = vec![0.0; n * nd];
        s.par_chunks_mut(CHUNK)
            .zip(d.par_chunks_mut(CHUNK * nd))
            .enumerate()
            .for_each_init(Scratch::default, |scratch, (c, (sc, dc))| {
                let start = c * CHUNK;
                self.score_rows(Rows::Range(start, start + sc.len()), sc, dc, scratch);
                chunk_done(sc.len());
            });
        (s, d)
    }

    /// Scores the listed rows in chunks, then scatters them; the other rows stay NaN.
    fn score_some(
        &self,
        rows: &[u32],
        n: usize,
        nd: usize,
        chunk_done: &(dyn Fn(usize) + Sync),
    ) -> (Vec<f64>, Vec<f64>) {
        let mut s = vec![f64::NAN; n];
        let mut d = vec![f64::NAN; n * nd];
        let parts: Vec<(Vec<f64>, Vec<f64>)> = rows
            .par_chunks(CHUNK)
            .map_init(Scratch::default, |scratch, idx| {
                let mut sc = vec![0.0; idx.len()];
                let mut dc = vec![0.0; idx.len() * nd];
                self.score_rows(Rows::Index(idx), &mut sc, &mut dc, scratch);
                chunk_done(idx.len());
                (sc, dc)
            })
            .collect();
        for (idx, (sc, dc)) in rows.chunks(CHUNK).zip(parts) {
            for (k, &r) in idx.iter().enumerate() {
                let r = r as usize;
                s[r] = sc[k];
                d[r * nd..(r + 1) * nd].copy_from_slice(&dc[k * nd..(k + 1) * nd]);
            }
        }
        (s, d)
    }
}

/// The rows of one chunk: a contiguous range, or listed.
pub(super) enum Rows<'a> {
    Range(usize, usize),
    Index(&'a [u32]),
}

/// One model's leaves over a batch, for scoring and explaining chunks of rows.
pub(super) struct Ctx<'a> {
    pub(super) model: &'a Model,
    pub(super) data: &'a [LeafData<'a>],
    pub(super) scores: &'a [Vec<f64>],
    pub(super) as_of: Date,
    /// Whether each leaf is the first of its dimension.
    pub(super) first: Vec<bool>,
}

/// Per-task buffers reused across chunks.
#[derive(Default)]
struct Scratch {
    acc: Vec<f64>,
    buf: Vec<f64>,
    cbuf: Vec<u32>,
}

/// Whether each leaf of `model` is the first of its dimension.
fn first_in_dimension(model: &Model) -> Vec<bool> {
    let mut seen = vec![false; model.dimensions().len()];
    model
        .leaves()
        .iter()
        .map(|l| !std::mem::replace(&mut seen[l.dimension], true))
        .collect()
}

impl Ctx<'_> {
    /// Fills `x` or `codes` for one leaf over the chunk's rows; returns the numbers to score.
    pub(super) fn gather<'b>(
        &self,
        d: &'b LeafData<'_>,
        rows: &Rows<'_>,
        buf: &'b mut Vec<f64>,
        cbuf: &'b mut Vec<u32>,
    ) -> Input<'b>
    where
        Self: 'b,
    {
        let numbers = |v: &'b [f64], buf: &'b mut Vec<f64>, date: bool| -> &'b [f64] {
            match (rows, date) {
                (Rows::Range(a, b), false) => &v[*a..*b],
                (Rows::Range(a, b), true) => {
                    let t = f64::from(self.as_of.days());
                    buf.clear();
                    buf.extend(v[*a..*b].iter().map(|x| t - x));
                    buf
                }
                (Rows::Index(idx), _) => {
                    let t = f64::from(self.as_of.days());
                    buf.clear();
                    buf.extend(idx.iter().map(|&r| {
                        if date {
                            t - v[r as usize]
                        } else {
                            v[r as usize]
                        }
                    }));
                    buf
                }
            }
        };
        match d {
            LeafData::Numbers(v, date) => Input::Numbers(numbers(v, buf, *date)),
            LeafData::Score(m) => Input::Numbers(numbers(&self.scores[*m], buf, false)),
            LeafData::Codes(codes, table) => {
                let c: &'b [u32] = match rows {
                    Rows::Range(a, b) => &codes[*a..*b],
                    Rows::Index(idx) => {
                        cbuf.clear();
                        cbuf.extend(idx.iter().map(|&r| codes[r as usize]));
                        cbuf
                    }
                };
                Input::Codes(c, table)
            }
        }
    }

    /// Scores one chunk: `dims` gets each dimension's points (row-major), `score` their sum.
    fn score_rows(
        &self,
        rows: Rows<'_>,
        score: &mut [f64],
        dims: &mut [f64],
        scratch: &mut Scratch,
    ) {
        let len = score.len();
        let nd = self.model.dimensions().len();
        let Scratch { acc, buf, cbuf } = scratch;
        // No zeroing: the first leaf of each dimension overwrites its accumulator.
        acc.resize(nd * len, 0.0);
        for ((leaf, d), first) in self.model.leaves().iter().zip(self.data).zip(&self.first) {
            let out = &mut acc[leaf.dimension * len..(leaf.dimension + 1) * len];
            let miss = leaf.missing_points();
            let emit = if *first { Emit::Set } else { Emit::Add };
            match self.gather(d, &rows, buf, cbuf) {
                Input::Numbers(x) => leaf.score_numbers(x, leaf.weight, out, emit),
                Input::Codes(c, table) => {
                    ScoreFn::score_codes(table, c, leaf.weight, miss, out, emit)
                }
            }
        }
        let acc = &acc[..nd * len];
        // The score sums the dimensions in their order (contiguous, vectorised);
        // the dimension points are then laid out row by row.
        score.fill(0.0);
        for a in acc.chunks_exact(len) {
            for (s, v) in score.iter_mut().zip(a) {
                *s += v;
            }
        }
        if nd > 0 {
            for (i, row) in dims.chunks_exact_mut(nd).enumerate().take(len) {
                for (k, d) in row.iter_mut().enumerate() {
                    *d = acc[k * len + i];
                }
            }
        }
    }
}

/// A leaf's values over a chunk, ready to score.
pub(super) enum Input<'b> {
    Numbers(&'b [f64]),
    Codes(&'b [u32], &'b [f64]),
}
