//! Batch grading: route, score in parallel column chunks, classify, explain.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use riskgrade_core::{
    Column, DataIssue, Date, Enterprise, Frame, InputType, MISSING_CODE, Problem, did_you_mean,
};
use riskgrade_model::{Emit, Leaf, MissingPolicy, Model, ModelSet, ScoreFn, Source};
use riskgrade_rules::ErrorPolicy;

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
    rules: bool,
    on_rule_error: ErrorPolicy,
    cancel: Option<CancelFlag>,
}

/// A flag another thread sets to stop a batch (e.g. on Ctrl-C); see [`Options::cancel_on`].
#[derive(Debug, Clone)]
struct CancelFlag(Arc<AtomicBool>);

impl PartialEq for CancelFlag {
    fn eq(&self, other: &CancelFlag) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}
impl Eq for CancelFlag {}

impl Default for Options {
    fn default() -> Self {
        Options {
            strict: false,
            reasons: true,
            contributions: false,
            max_reasons: None,
            rules: true,
            on_rule_error: ErrorPolicy::FailRow,
            cancel: None,
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
    /// Run the model set's rules (default on); off grades by the indicators alone.
    pub fn rules(mut self, yes: bool) -> Self {
        self.rules = yes;
        self
    }
    /// What happens when a rule fails on an enterprise (default: that enterprise
    /// is not graded and its error is reported; the others go on).
    pub fn on_rule_error(mut self, policy: ErrorPolicy) -> Self {
        self.on_rule_error = policy;
        self
    }
    /// Stop the batch with [`EvalError::Cancelled`] soon after `flag` is set
    /// (it is checked between stages and between enterprises in the rules pass).
    ///
    /// ```
    /// use std::sync::{Arc, atomic::AtomicBool};
    /// use riskgrade_engine::{EvalError, Grader, Options};
    /// let flag = Arc::new(AtomicBool::new(true)); // already set
    /// let set = Arc::new(riskgrade_model::examples::reference().unwrap());
    /// let e = Grader::new(set).grade_profiles(&[], "2026-11-01".parse().unwrap(), &Options::default().cancel_on(flag));
    /// assert!(matches!(e, Err(EvalError::Cancelled)));
    /// ```
    pub fn cancel_on(mut self, flag: Arc<AtomicBool>) -> Self {
        self.cancel = Some(CancelFlag(flag));
        self
    }
    /// Whether strict mode is on.
    pub fn is_strict(&self) -> bool {
        self.strict
    }
    fn cancelled(&self) -> bool {
        self.cancel
            .as_ref()
            .is_some_and(|c| c.0.load(Ordering::Relaxed))
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
pub(crate) enum LeafData<'a> {
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
        self.grade_with(&frame, Some(profiles), as_of, options)
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
        self.grade_with(frame, None, as_of, options)
    }

    /// Checks that `frame` has a column for every input the set's indicators
    /// read and, when `options` run the rules, every input a rule reads: the
    /// errors [`Grader::grade_with`] would return for them, without grading.
    pub(crate) fn check_columns(&self, frame: &Frame, options: &Options) -> Result<(), EvalError> {
        for leaf in self.set.models().iter().flat_map(Model::leaves) {
            if let Source::Input { name, .. } = &leaf.source
                && frame.column(name).is_none()
            {
                return Err(missing_column(frame, name, leaf));
            }
        }
        if options.rules {
            crate::rules::check_columns(&self.set, frame)?;
        }
        Ok(())
    }

    /// Grades `frame`; `profiles`, when given, are the profiles its rows were
    /// derived from (in the same order), for rules that read records.
    ///
    /// # Errors
    /// As [`Grader::grade`], and [`EvalError::Rule`] when a rule fails under
    /// the `abort` policy, [`EvalError::RuleColumn`] when a rule reads an input the frame lacks.
    pub fn grade_with(
        &self,
        frame: &Frame,
        profiles: Option<&[Enterprise]>,
        as_of: Date,
        options: &Options,
    ) -> Result<Grades, EvalError> {
        let stop = || -> Result<(), EvalError> {
            if options.cancelled() {
                Err(EvalError::Cancelled)
            } else {
                Ok(())
            }
        };
        stop()?;
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
        let nm = set.models().len();
        let mut issues: Vec<DataIssue> = frame.issues().to_vec();

        // Route every row to its model (in parallel); describe the failures afterwards.
        let mut model_of = vec![u16::MAX; n];
        model_of
            .par_iter_mut()
            .zip(frame.industries().par_iter())
            .for_each(|(m, ind)| {
                if let Ok(k) = set.route(ind) {
                    *m = k as u16;
                }
            });
        let mut present = vec![false; nm];
        let mut unreadable = vec![false; n];
        for is in frame.issues() {
            if matches!(is.problem, Problem::Unreadable(_)) {
                unreadable[is.row] = true;
            }
        }
        for (r, &m) in model_of.iter().enumerate() {
            if m == u16::MAX && unreadable[r] {
                // Already reported as unreadable; its industry says nothing more.
            } else if m == u16::MAX {
                let code = frame.industries()[r].clone();
                issues.push(DataIssue {
                    row: r,
                    id: frame.ids()[r].clone(),
                    column: "industry".into(),
                    problem: if code.trim().is_empty() {
                        Problem::Missing
                    } else {
                        Problem::UnknownIndustry(code)
                    },
                });
            } else {
                present[m as usize] = true;
            }
        }

        // Which rows each model must score: those routed to it, and to models that take its score.
        // When every routed row needs a model, it scores all rows in place (no index lists).
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
        let rows_of: Vec<RowSet> = (0..nm)
            .map(|k| {
                let needing: Vec<usize> =
                    (0..nm).filter(|&m| present[m] && closure[m][k]).collect();
                if needing.is_empty() {
                    RowSet::Some(Vec::new())
                } else if (0..nm).all(|m| !present[m] || closure[m][k]) {
                    RowSet::All(n)
                } else {
                    RowSet::Some(
                        (0..n as u32)
                            .filter(|&r| {
                                model_of[r as usize] != u16::MAX
                                    && closure[model_of[r as usize] as usize][k]
                            })
                            .collect(),
                    )
                }
            })
            .collect();

        // Resolve leaf inputs; check missing-value and category errors.
        let mut resolved: Vec<Vec<LeafData<'_>>> = Vec::with_capacity(nm);
        for (mi, model) in set.models().iter().enumerate() {
            let mut data = Vec::with_capacity(model.leaves().len());
            for leaf in model.leaves() {
                let d = resolve(frame, leaf, set)?;
                check_leaf(frame, leaf, &d, &rows_of[mi], &model_of, &mut issues);
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
            let model = &set.models()[m];
            let nd = model.dimensions().len();
            let ctx = Ctx {
                model,
                data: &resolved[m],
                scores: &scores,
                as_of,
                first: first_in_dimension(model),
            };
            match &rows_of[m] {
                RowSet::Some(rows) if rows.is_empty() => continue,
                RowSet::All(_) => {
                    // Every row is written, so the buffers need no NaN fill.
                    let mut s = vec![0.0; n];
                    let mut d = vec![0.0; n * nd];
                    s.par_chunks_mut(CHUNK)
                        .zip(d.par_chunks_mut(CHUNK * nd))
                        .enumerate()
                        .for_each_init(Scratch::default, |scratch, (c, (sc, dc))| {
                            let start = c * CHUNK;
                            ctx.score_rows(Rows::Range(start, start + sc.len()), sc, dc, scratch);
                        });
                    scores[m] = s;
                    dims[m] = d;
                }
                RowSet::Some(rows) => {
                    let mut s = vec![f64::NAN; n];
                    let mut d = vec![f64::NAN; n * nd];
                    let parts: Vec<(Vec<f64>, Vec<f64>)> = rows
                        .par_chunks(CHUNK)
                        .map_init(Scratch::default, |scratch, idx| {
                            let mut sc = vec![0.0; idx.len()];
                            let mut dc = vec![0.0; idx.len() * nd];
                            ctx.score_rows(Rows::Index(idx), &mut sc, &mut dc, scratch);
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
                    scores[m] = s;
                    dims[m] = d;
                }
            }
        }

        stop()?;
        // Class thresholds per model: fixed bands, or quantiles of this batch's graded rows.
        let graded = |r: usize| model_of[r] != u16::MAX && !bad[r];
        let thresholds: Vec<Vec<f64>> = set
            .models()
            .iter()
            .enumerate()
            .map(|(m, model)| {
                let classes = model.classes();
                match classes.cutoffs() {
                    riskgrade_model::Cutoffs::Bands(t) => t.clone(),
                    riskgrade_model::Cutoffs::Shares(_) => {
                        let risk: Vec<f64> = (0..n)
                            .into_par_iter()
                            .filter(|&r| graded(r) && model_of[r] as usize == m)
                            .map(|r| classes.risk_value(scores[m][r]))
                            .collect();
                        classes.thresholds(&risk)
                    }
                }
            })
            .collect();

        // Final score and class per row.
        let mut score = vec![f64::NAN; n];
        let mut class = vec![u8::MAX; n];
        score
            .par_iter_mut()
            .zip(class.par_iter_mut())
            .enumerate()
            .for_each(|(r, (s, c))| {
                if graded(r) {
                    let m = model_of[r] as usize;
                    let classes = set.models()[m].classes();
                    *s = scores[m][r];
                    *c = classes.class_of(classes.risk_value(*s), &thresholds[m]) as u8;
                }
            });

        // Rules: vetoes, floors and caps, adjustments, labels and alerts.
        let mut base_score = Vec::new();
        let mut rule_out = None;
        if options.rules && !set.rules().is_empty() {
            base_score = score.clone();
            let pass = crate::rules::Pass {
                set,
                frame,
                profiles: profiles.filter(|p| p.len() <= n),
                as_of,
                model_of: &model_of,
                resolved: &resolved,
                model_scores: &scores,
                thresholds: &thresholds,
                policy: options.on_rule_error,
                cancelled: &|| options.cancelled(),
                class_map: crate::rules::class_map(set),
                model_ids: set.models().iter().map(|m| m.id().into()).collect(),
            };
            let out = pass.run(&mut score, &mut class, &graded)?;
            rule_out = Some(out);
        }
        if let Some(out) = &mut rule_out
            && !out.issues.is_empty()
        {
            for is in &out.issues {
                if !matches!(is.problem, Problem::Rule { skipped: true, .. }) {
                    bad[is.row] = true;
                }
            }
            issues.append(&mut out.issues);
            issues.sort_by(|a, b| a.row.cmp(&b.row).then_with(|| a.column.cmp(&b.column)));
        }
        stop()?;
        let graded = |r: usize| model_of[r] != u16::MAX && !bad[r];

        // Dimension points of each row's own model, row-major; moved in place when one model grades all.
        let max_dims = set
            .models()
            .iter()
            .map(|m| m.dimensions().len())
            .max()
            .unwrap_or(0);
        let only = (0..nm).filter(|&m| present[m]).collect::<Vec<_>>();
        let dim_points = match only.as_slice() {
            [m] if set.models()[*m].dimensions().len() == max_dims
                && matches!(rows_of[*m], RowSet::All(_)) =>
            {
                let mut d = std::mem::take(&mut dims[*m]);
                d.par_chunks_mut(max_dims.max(1))
                    .enumerate()
                    .for_each(|(r, row)| {
                        if !graded(r) {
                            row.fill(f64::NAN);
                        }
                    });
                d
            }
            _ => {
                let mut d = vec![f64::NAN; n * max_dims];
                d.par_chunks_mut(max_dims.max(1))
                    .enumerate()
                    .for_each(|(r, row)| {
                        if graded(r) {
                            let m = model_of[r] as usize;
                            let nd = set.models()[m].dimensions().len();
                            row[..nd].copy_from_slice(&dims[m][r * nd..(r + 1) * nd]);
                        }
                    });
                d
            }
        };

        // Reasons and contributions for graded rows.
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
        let stride = if options.reasons {
            (0..nm)
                .filter(|&m| present[m])
                .map(|m| k_of(&set.models()[m]))
                .max()
                .unwrap_or(0)
        } else {
            0
        };
        let mut reasons = vec![Reason::NONE; n * stride];
        let mut counts = vec![0u8; if options.reasons { n } else { 0 }];
        let mut contributions = if options.contributions {
            vec![f64::NAN; n * max_leaves]
        } else {
            Vec::new()
        };
        if options.reasons || options.contributions {
            let all_graded = issues.is_empty();
            for (m, model) in set.models().iter().enumerate() {
                if !present[m] {
                    continue;
                }
                let k = if options.reasons { k_of(model) } else { 0 };
                let ctx = Ctx {
                    model,
                    data: &resolved[m],
                    scores: &scores,
                    as_of,
                    first: Vec::new(),
                };
                // Scratch outputs when a part is not asked for.
                let (rs, cs) = (stride.max(1), max_leaves.max(1));
                if all_graded && only == [m] && matches!(rows_of[m], RowSet::All(_)) {
                    let mut r_out = if options.reasons {
                        std::mem::take(&mut reasons)
                    } else {
                        vec![Reason::NONE; n * rs]
                    };
                    let mut c_out = if options.reasons {
                        std::mem::take(&mut counts)
                    } else {
                        vec![0u8; n]
                    };
                    let mut contrib_out = std::mem::take(&mut contributions);
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
                                ctx.explain_rows(
                                    Rows::Range(start, start + co.len()),
                                    k,
                                    rs,
                                    ro,
                                    co,
                                    None,
                                );
                            });
                    }
                    if options.reasons {
                        reasons = r_out;
                        counts = c_out;
                    }
                    contributions = contrib_out;
                } else {
                    let rows: Vec<u32> = (0..n as u32)
                        .into_par_iter()
                        .filter(|&r| graded(r as usize) && model_of[r as usize] as usize == m)
                        .collect();
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
                                reasons[r * stride..(r + 1) * stride]
                                    .copy_from_slice(&ro[j * rs..j * rs + stride]);
                                counts[r] = co[j];
                            }
                            if keep {
                                contributions[r * max_leaves..(r + 1) * max_leaves]
                                    .copy_from_slice(&xo[j * cs..(j + 1) * cs]);
                            }
                        }
                    }
                }
            }
        }

        stop()?;
        let (effect_start, effects, rule_stats) = match rule_out {
            Some(o) => (o.effect_start, o.effects, o.stats),
            None => (Vec::new(), Vec::new(), Vec::new()),
        };
        Ok(Grades {
            set: Arc::clone(&self.set),
            as_of,
            ids: frame.shared_ids(),
            model_of,
            score,
            class,
            max_dims,
            dim_points,
            reason_stride: stride,
            reasons,
            reason_counts: counts,
            max_leaves,
            contributions,
            issues,
            thresholds,
            model_scores: scores,
            base_score,
            effect_start,
            effects,
            rule_stats,
        })
    }
}

/// The rows a model must score.
enum RowSet {
    /// Every row of the batch.
    All(usize),
    /// These rows, ascending.
    Some(Vec<u32>),
}

fn resolve<'a>(frame: &'a Frame, leaf: &Leaf, set: &ModelSet) -> Result<LeafData<'a>, EvalError> {
    match &leaf.source {
        Source::Model(id) => Ok(LeafData::Score(set.index_of(id).unwrap_or(0))),
        Source::Input { name, ty } => match frame.column(name) {
            Some((_, Column::Number(v))) => Ok(LeafData::Numbers(v, *ty == InputType::Date)),
            Some((_, Column::Category { codes, dict })) => {
                Ok(LeafData::Codes(codes, leaf.func.category_table(dict)))
            }
            None => Err(missing_column(frame, name, leaf)),
        },
    }
}

/// The error for an indicator's input that `frame` has no column for.
fn missing_column(frame: &Frame, name: &str, leaf: &Leaf) -> EvalError {
    EvalError::MissingColumn {
        input: name.to_string(),
        indicator: leaf.path.clone(),
        suggestion: did_you_mean(name, frame.columns().map(|(n, _, _)| n)).map(str::to_string),
    }
}

fn check_leaf(
    frame: &Frame,
    leaf: &Leaf,
    data: &LeafData<'_>,
    rows: &RowSet,
    model_of: &[u16],
    issues: &mut Vec<DataIssue>,
) {
    let column = match &leaf.source {
        Source::Input { name, .. } => name,
        Source::Model(_) => return,
    };
    let must = leaf.missing == MissingPolicy::Error;
    let row_list: Box<dyn Iterator<Item = usize> + '_> = match rows {
        RowSet::All(n) => Box::new((0..*n).filter(|&r| model_of[r] != u16::MAX)),
        RowSet::Some(v) => Box::new(v.iter().map(|&r| r as usize)),
    };
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
            for r in row_list {
                if v[r].is_nan() {
                    push(r, Problem::Missing);
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
            for r in row_list {
                let c = codes[r];
                if c == MISSING_CODE {
                    if must {
                        push(r, Problem::Missing);
                    }
                } else if unknown.get(c as usize).copied().unwrap_or(true) {
                    let label = dict.get(c as usize).cloned().unwrap_or_default();
                    push(
                        r,
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
    /// Whether each leaf is the first of its dimension.
    first: Vec<bool>,
}

/// Per-task buffers reused across chunks.
#[derive(Default)]
struct Scratch {
    acc: Vec<f64>,
    buf: Vec<f64>,
    cbuf: Vec<u32>,
}

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
        let k = k.min(stride);
        for i in 0..len {
            // Insertion into the row's top k: by risk, descending; ties keep the earlier leaf first.
            let top = &mut reasons[i * stride..i * stride + k];
            let mut n = 0usize;
            for (l, leaf) in leaves.iter().enumerate() {
                let p = pts[l * len + i];
                if let Some((c, cs)) = contrib.as_mut() {
                    c[i * *cs + l] = leaf.weight * p;
                }
                let risk = leaf.weight * (p - leaf.best).abs();
                if k == 0 || risk <= 1e-9 || (n == k && risk <= top[k - 1].risk) {
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
                n = (n + 1).min(k);
            }
            counts[i] = n as u8;
        }
    }
}

enum Input<'b> {
    Numbers(&'b [f64]),
    Codes(&'b [u32], &'b [f64]),
}
