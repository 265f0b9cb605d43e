//! Batch grading: route, score in parallel column chunks, classify, explain.

use std::sync::Arc;

use rayon::prelude::*;
use riskgrade_core::{
    Column, DataIssue, Date, Enterprise, Frame, InputType, MISSING_CODE, Problem, did_you_mean,
};
use riskgrade_model::{Emit, Leaf, MissingPolicy, Model, ModelSet, ScoreFn, Source};

use crate::error::EvalError;
use crate::grades::{Grades, Reason};

/// Rows scored together; small enough that a chunk's inputs and accumulators stay in L1/L2.
const CHUNK: usize = 1024;

/// Options of a batch.
///
/// ```
/// use riskgrade_engine::Options;
/// let o = Options::default().strict(true).max_reasons(5).contributions(true);
/// assert!(o.is_strict());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    strict: bool,
    reasons: bool,
    contributions: bool,
    max_reasons: Option<usize>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            strict: false,
            reasons: true,
            contributions: false,
            max_reasons: None,
        }
    }
}

impl Options {
    /// Fail the whole batch on the first bad row instead of reporting it and grading the others.
    pub fn strict(mut self, yes: bool) -> Self {
        self.strict = yes;
        self
    }
    /// Compute the top reasons per enterprise (default on).
    pub fn reasons(mut self, yes: bool) -> Self {
        self.reasons = yes;
        self
    }
    /// Keep every indicator's contribution per enterprise (default off; costs memory).
    pub fn contributions(mut self, yes: bool) -> Self {
        self.contributions = yes;
        self
    }
    /// At most `n` reasons per enterprise, overriding each model's `max_reasons`.
    pub fn max_reasons(mut self, n: usize) -> Self {
        self.max_reasons = Some(n);
        self
    }
    /// Whether strict mode is on.
    pub fn is_strict(&self) -> bool {
        self.strict
    }
}

/// Grades batches with one compiled model set. Cheap to clone; `Send + Sync`.
///
/// ```
/// use std::sync::Arc;
/// use riskgrade_engine::{Grader, Options};
/// use riskgrade_core::Enterprise;
/// let set = Arc::new(riskgrade_model::examples::reference().unwrap());
/// let grader = Grader::new(set);
/// let e: Enterprise = serde_json::from_str(r#"{"id":"E1","industry":"F5211","registered":"2010-01-01",
///   "records":[{"kind":"penalty","date":"2026-06-01","severity":"major","amount":200000}]}"#).unwrap();
/// let as_of = "2026-11-01".parse().unwrap();
/// let grades = grader.grade_profiles(&[e], as_of, &Options::default()).unwrap();
/// assert!(grades.score(0).unwrap() > 0.0);
/// assert!(grades.reasons(0).len() <= 3);
/// ```
#[derive(Debug, Clone)]
pub struct Grader {
    set: Arc<ModelSet>,
}

/// A leaf's input, resolved against a frame.
enum LeafData<'a> {
    Numbers(&'a [f64], bool),
    Codes(&'a [u32], Vec<f64>),
    Score(usize),
}

impl Grader {
    /// A grader for `set`.
    pub fn new(set: Arc<ModelSet>) -> Grader {
        Grader { set }
    }

    /// The model set.
    pub fn model_set(&self) -> &Arc<ModelSet> {
        &self.set
    }

    /// Derives features from nested profiles as of `as_of` and grades them.
    ///
    /// # Errors
    /// As [`Grader::grade`].
    pub fn grade_profiles(
        &self,
        profiles: &[Enterprise],
        as_of: Date,
        options: &Options,
    ) -> Result<Grades, EvalError> {
        let frame = Frame::from_profiles(
            profiles,
            self.set.schema(),
            as_of,
            self.set.effect_periods(),
        );
        self.grade(&frame, as_of, options)
    }

    /// Grades a columnar batch as of `as_of`.
    ///
    /// Rows with bad data (from loading, an unknown industry, a missing value
    /// whose policy is `error`, an unknown category) are reported in
    /// [`Grades::issues`] and left ungraded; every other row is graded.
    /// Results do not depend on row order or on the number of threads.
    ///
    /// # Errors
    /// [`EvalError::MissingColumn`] when the frame lacks an input column,
    /// [`EvalError::AsOfMismatch`] when the frame's features were derived for
    /// another date, and [`EvalError::Strict`] on any bad row in strict mode.
    pub fn grade(
        &self,
        frame: &Frame,
        as_of: Date,
        options: &Options,
    ) -> Result<Grades, EvalError> {
        if let Some(d) = frame.as_of()
            && d != as_of
        {
            return Err(EvalError::AsOfMismatch {
                derived: d,
                requested: as_of,
            });
        }
        let set = &*self.set;
        let n = frame.len();
        let mut issues: Vec<DataIssue> = frame.issues().to_vec();

        // Route every row to its model.
        let mut model_of = vec![u16::MAX; n];
        for (r, ind) in frame.industries().iter().enumerate() {
            match set.route(ind) {
                Ok(m) => model_of[r] = m as u16,
                Err(code) => issues.push(DataIssue {
                    row: r,
                    id: frame.ids()[r].clone(),
                    column: "industry".into(),
                    problem: if code.trim().is_empty() {
                        Problem::Missing
                    } else {
                        Problem::UnknownIndustry(code)
                    },
                }),
            }
        }

        // Which rows each model must score: those routed to it, and to models that take its score.
        let nm = set.models().len();
        let mut closure: Vec<Vec<bool>> = vec![vec![false; nm]; nm];
        for &m in set.evaluation_order() {
            closure[m][m] = true;
            for c in set.models()[m].components() {
                if let Some(ci) = set.index_of(c) {
                    let inner = closure[ci].clone();
                    for (k, v) in inner.into_iter().enumerate() {
                        closure[m][k] |= v;
                    }
                }
            }
        }
        let mut rows_of: Vec<Vec<u32>> = vec![Vec::new(); nm];
        for (r, &m) in model_of.iter().enumerate() {
            if m != u16::MAX {
                for (k, needed) in closure[m as usize].iter().enumerate() {
                    if *needed {
                        rows_of[k].push(r as u32);
                    }
                }
            }
        }

        // Resolve leaf inputs; check missing-value and category errors.
        let mut resolved: Vec<Vec<LeafData<'_>>> = Vec::with_capacity(nm);
        for (mi, model) in set.models().iter().enumerate() {
            let mut data = Vec::with_capacity(model.leaves().len());
            for leaf in model.leaves() {
                let d = resolve(frame, leaf, set)?;
                check_leaf(frame, leaf, &d, &rows_of[mi], &mut issues);
                data.push(d);
            }
            resolved.push(data);
        }

        issues.sort_by(|a, b| a.row.cmp(&b.row).then_with(|| a.column.cmp(&b.column)));
        issues.dedup_by(|a, b| a.row == b.row && a.column == b.column && a.problem == b.problem);
        if options.strict
            && let Some(first) = issues.first()
        {
            return Err(EvalError::Strict {
                count: issues.len(),
                first: first.clone(),
            });
        }
        let mut bad = vec![false; n];
        for is in &issues {
            bad[is.row] = true;
        }

        // Score every model, components first.
        let mut scores: Vec<Vec<f64>> = vec![Vec::new(); nm];
        let mut dims: Vec<Vec<f64>> = vec![Vec::new(); nm];
        for &m in set.evaluation_order() {
            if rows_of[m].is_empty() {
                continue;
            }
            let model = &set.models()[m];
            let nd = model.dimensions().len();
            let mut s = vec![f64::NAN; n];
            let mut d = vec![f64::NAN; n * nd];
            let ctx = Ctx {
                model,
                data: &resolved[m],
                scores: &scores,
                as_of,
            };
            if rows_of[m].len() == n {
                s.par_chunks_mut(CHUNK)
                    .zip(d.par_chunks_mut(CHUNK * nd))
                    .enumerate()
                    .for_each(|(c, (sc, dc))| {
                        let start = c * CHUNK;
                        ctx.score_rows(Rows::Range(start, start + sc.len()), sc, dc);
                    });
            } else {
                let parts: Vec<(Vec<f64>, Vec<f64>)> = rows_of[m]
                    .par_chunks(CHUNK)
                    .map(|idx| {
                        let mut sc = vec![0.0; idx.len()];
                        let mut dc = vec![0.0; idx.len() * nd];
                        ctx.score_rows(Rows::Index(idx), &mut sc, &mut dc);
                        (sc, dc)
                    })
                    .collect();
                for (idx, (sc, dc)) in rows_of[m].chunks(CHUNK).zip(parts) {
                    for (k, &r) in idx.iter().enumerate() {
                        let r = r as usize;
                        s[r] = sc[k];
                        d[r * nd..(r + 1) * nd].copy_from_slice(&dc[k * nd..(k + 1) * nd]);
                    }
                }
            }
            scores[m] = s;
            dims[m] = d;
        }

        // Final score and class per row.
        let mut final_rows: Vec<Vec<u32>> = vec![Vec::new(); nm];
        for (r, &m) in model_of.iter().enumerate() {
            if m != u16::MAX && !bad[r] {
                final_rows[m as usize].push(r as u32);
            }
        }
        let mut score = vec![f64::NAN; n];
        let mut class = vec![u8::MAX; n];
        let mut thresholds = Vec::with_capacity(nm);
        for (m, rows) in final_rows.iter().enumerate() {
            let classes = set.models()[m].classes();
            let risk: Vec<f64> = rows
                .iter()
                .map(|&r| classes.risk_value(scores[m][r as usize]))
                .collect();
            let t = classes.thresholds(&risk);
            for (&r, rv) in rows.iter().zip(&risk) {
                score[r as usize] = scores[m][r as usize];
                class[r as usize] = classes.class_of(*rv, &t) as u8;
            }
            thresholds.push(t);
        }

        // Reasons and contributions for graded rows.
        let max_leaves = set
            .models()
            .iter()
            .map(|m| m.leaves().len())
            .max()
            .unwrap_or(0);
        let mut reasons: Vec<Vec<Reason>> = Vec::new();
        let mut contributions = Vec::new();
        if options.reasons || options.contributions {
            reasons = vec![Vec::new(); n];
            if options.contributions {
                contributions = vec![f64::NAN; n * max_leaves];
            }
            for (m, rows) in final_rows.iter().enumerate() {
                let model = &set.models()[m];
                let k = options.max_reasons.unwrap_or(model.max_reasons());
                let ctx = Ctx {
                    model,
                    data: &resolved[m],
                    scores: &scores,
                    as_of,
                };
                let parts: Vec<(Vec<Vec<Reason>>, Vec<f64>)> = rows
                    .par_chunks(CHUNK)
                    .map(|idx| ctx.explain_rows(idx, k, options.contributions))
                    .collect();
                let nl = model.leaves().len();
                for (idx, (rs, cs)) in rows.chunks(CHUNK).zip(parts) {
                    for (j, (&r, rr)) in idx.iter().zip(rs).enumerate() {
                        let r = r as usize;
                        reasons[r] = rr;
                        if options.contributions {
                            contributions[r * max_leaves..r * max_leaves + nl]
                                .copy_from_slice(&cs[j * nl..(j + 1) * nl]);
                        }
                    }
                }
            }
        }

        // Dimension points of each row's own model, row-major.
        let max_dims = set
            .models()
            .iter()
            .map(|m| m.dimensions().len())
            .max()
            .unwrap_or(0);
        let mut dim_points = vec![f64::NAN; n * max_dims];
        for (m, rows) in final_rows.iter().enumerate() {
            let nd = set.models()[m].dimensions().len();
            for &r in rows {
                let r = r as usize;
                dim_points[r * max_dims..r * max_dims + nd]
                    .copy_from_slice(&dims[m][r * nd..(r + 1) * nd]);
            }
        }

        Ok(Grades::new(
            Arc::clone(&self.set),
            as_of,
            frame.ids().to_vec(),
            model_of,
            score,
            class,
            max_dims,
            dim_points,
            reasons,
            max_leaves,
            contributions,
            issues,
            thresholds,
            scores,
        ))
    }
}

fn resolve<'a>(frame: &'a Frame, leaf: &Leaf, set: &ModelSet) -> Result<LeafData<'a>, EvalError> {
    match &leaf.source {
        Source::Model(id) => Ok(LeafData::Score(set.index_of(id).unwrap_or(0))),
        Source::Input { name, ty } => match frame.column(name) {
            Some((_, Column::Number(v))) => Ok(LeafData::Numbers(v, *ty == InputType::Date)),
            Some((_, Column::Category { codes, dict })) => {
                Ok(LeafData::Codes(codes, leaf.func.category_table(dict)))
            }
            None => Err(EvalError::MissingColumn {
                input: name.clone(),
                indicator: leaf.path.clone(),
                suggestion: did_you_mean(name, frame.columns().map(|(n, _, _)| n))
                    .map(str::to_string),
            }),
        },
    }
}

fn check_leaf(
    frame: &Frame,
    leaf: &Leaf,
    data: &LeafData<'_>,
    rows: &[u32],
    issues: &mut Vec<DataIssue>,
) {
    let column = match &leaf.source {
        Source::Input { name, .. } => name,
        Source::Model(_) => return,
    };
    let must = leaf.missing == MissingPolicy::Error;
    let mut push = |r: usize, problem: Problem| {
        issues.push(DataIssue {
            row: r,
            id: frame.ids()[r].clone(),
            column: column.clone(),
            problem,
        });
    };
    match data {
        LeafData::Numbers(v, _) if must => {
            for &r in rows {
                if v[r as usize].is_nan() {
                    push(r as usize, Problem::Missing);
                }
            }
        }
        LeafData::Codes(codes, table) => {
            let unknown: Vec<bool> = table.iter().map(|p| p.is_nan()).collect();
            if !must && !unknown.contains(&true) {
                return;
            }
            let dict = match frame.column(column) {
                Some((_, Column::Category { dict, .. })) => dict.clone(),
                _ => Vec::new(),
            };
            for &r in rows {
                let c = codes[r as usize];
                if c == MISSING_CODE {
                    if must {
                        push(r as usize, Problem::Missing);
                    }
                } else if unknown.get(c as usize).copied().unwrap_or(true) {
                    let label = dict.get(c as usize).cloned().unwrap_or_default();
                    push(
                        r as usize,
                        Problem::UnknownCategory {
                            label,
                            indicator: leaf.path.clone(),
                        },
                    );
                }
            }
        }
        _ => {}
    }
}

enum Rows<'a> {
    Range(usize, usize),
    Index(&'a [u32]),
}

struct Ctx<'a> {
    model: &'a Model,
    data: &'a [LeafData<'a>],
    scores: &'a [Vec<f64>],
    as_of: Date,
}

impl Ctx<'_> {
    /// Fills `x` or `codes` for one leaf over the chunk's rows; returns the numbers to score.
    fn gather<'b>(
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
    fn score_rows(&self, rows: Rows<'_>, score: &mut [f64], dims: &mut [f64]) {
        let len = score.len();
        let nd = self.model.dimensions().len();
        let mut acc = vec![0.0; nd * len];
        let mut buf = Vec::with_capacity(len);
        let mut cbuf = Vec::with_capacity(len);
        for (leaf, d) in self.model.leaves().iter().zip(self.data) {
            let out = &mut acc[leaf.dimension * len..(leaf.dimension + 1) * len];
            let miss = leaf.missing_points();
            match self.gather(d, &rows, &mut buf, &mut cbuf) {
                Input::Numbers(x) => leaf
                    .func
                    .score_numbers(x, leaf.weight, miss, out, Emit::Add),
                Input::Codes(c, table) => {
                    ScoreFn::score_codes(table, c, leaf.weight, miss, out, Emit::Add)
                }
            }
        }
        score.fill(0.0);
        for k in 0..nd {
            let a = &acc[k * len..(k + 1) * len];
            for (i, (s, v)) in score.iter_mut().zip(a).enumerate() {
                *s += v;
                dims[i * nd + k] = *v;
            }
        }
    }

    /// Per-leaf points of a chunk of rows: the top `k` reasons per row, and optionally
    /// every leaf's contribution (row-major).
    fn explain_rows(&self, idx: &[u32], k: usize, keep: bool) -> (Vec<Vec<Reason>>, Vec<f64>) {
        let len = idx.len();
        let leaves = self.model.leaves();
        let nl = leaves.len();
        let mut pts = vec![0.0; nl * len];
        let mut buf = Vec::with_capacity(len);
        let mut cbuf = Vec::with_capacity(len);
        let rows = Rows::Index(idx);
        for (l, (leaf, d)) in leaves.iter().zip(self.data).enumerate() {
            let out = &mut pts[l * len..(l + 1) * len];
            let miss = leaf.missing_points();
            match self.gather(d, &rows, &mut buf, &mut cbuf) {
                Input::Numbers(x) => leaf.func.score_numbers(x, 1.0, miss, out, Emit::Set),
                Input::Codes(c, table) => ScoreFn::score_codes(table, c, 1.0, miss, out, Emit::Set),
            }
        }
        let mut reasons = Vec::with_capacity(len);
        let mut contrib = if keep {
            vec![0.0; nl * len]
        } else {
            Vec::new()
        };
        let mut cand: Vec<Reason> = Vec::with_capacity(nl);
        for i in 0..len {
            cand.clear();
            for (l, leaf) in leaves.iter().enumerate() {
                let p = pts[l * len + i];
                if keep {
                    contrib[i * nl + l] = leaf.weight * p;
                }
                let risk = leaf.weight * (p - leaf.best).abs();
                if risk > 1e-9 {
                    cand.push(Reason {
                        leaf: l as u16,
                        points: p,
                        risk,
                    });
                }
            }
            cand.sort_by(|a, b| b.risk.total_cmp(&a.risk).then(a.leaf.cmp(&b.leaf)));
            cand.truncate(k);
            reasons.push(cand.clone());
        }
        (reasons, contrib)
    }
}

enum Input<'b> {
    Numbers(&'b [f64]),
    Codes(&'b [u32], &'b [f64]),
}
