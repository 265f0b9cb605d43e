//! Compiled scoring functions and their column kernels.
//!
//! A kernel scores a slice of input values and adds `weight × points` into an
//! accumulator (or writes plain points, for explanations). Bins are evaluated
//! as `p0 + Σ (x ≥ eⱼ)·Δⱼ` with the edges held in registers, which the compiler
//! vectorises across rows; missing values (`NaN`) take the missing points.

use std::collections::BTreeMap;

use riskgrade_core::MISSING_CODE;

use crate::spec::ScoreSpec;

/// A validated scoring function.
#[derive(Debug, Clone, PartialEq)]
pub enum ScoreFn {
    /// See [`ScoreSpec::Bins`].
    Bins {
        /// Strictly increasing edges.
        edges: Vec<f64>,
        /// `edges.len() + 1` points.
        points: Vec<f64>,
    },
    /// See [`ScoreSpec::Linear`].
    Linear {
        /// Strictly increasing knots.
        x: Vec<f64>,
        /// Points at the knots.
        y: Vec<f64>,
    },
    /// See [`ScoreSpec::Boolean`].
    Boolean {
        /// Points for true.
        if_true: f64,
        /// Points for false.
        if_false: f64,
    },
    /// See [`ScoreSpec::Category`].
    Category {
        /// Points per label.
        map: BTreeMap<String, f64>,
        /// Points for other labels.
        other: Option<f64>,
    },
}

/// Whether a kernel adds into its output or overwrites it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Emit {
    /// `out += weight × points`.
    Add,
    /// `out = weight × points`.
    Set,
}

impl ScoreFn {
    pub(crate) fn from_spec(spec: &ScoreSpec) -> ScoreFn {
        match spec {
            ScoreSpec::Bins { edges, points } => ScoreFn::Bins {
                edges: edges.clone(),
                points: points.clone(),
            },
            ScoreSpec::Linear { x, y } => ScoreFn::Linear {
                x: x.clone(),
                y: y.clone(),
            },
            ScoreSpec::Boolean { if_true, if_false } => ScoreFn::Boolean {
                if_true: *if_true,
                if_false: *if_false,
            },
            ScoreSpec::Category { map, other } => ScoreFn::Category {
                map: map.clone(),
                other: *other,
            },
        }
    }

    /// Every value of points the function can give.
    pub fn all_points(&self) -> Vec<f64> {
        match self {
            ScoreFn::Bins { points, .. } => points.clone(),
            ScoreFn::Linear { y, .. } => y.clone(),
            ScoreFn::Boolean { if_true, if_false } => vec![*if_true, *if_false],
            ScoreFn::Category { map, other } => map.values().copied().chain(*other).collect(),
        }
    }

    /// Points for one numeric value (`NaN` for a missing value).
    ///
    /// ```
    /// use riskgrade_model::ScoreFn;
    /// let f = ScoreFn::Bins { edges: vec![1.0, 3.0], points: vec![0.0, 50.0, 100.0] };
    /// assert_eq!(f.points(0.0), 0.0);
    /// assert_eq!(f.points(1.0), 50.0);
    /// assert_eq!(f.points(7.0), 100.0);
    /// ```
    pub fn points(&self, x: f64) -> f64 {
        if x.is_nan() {
            return f64::NAN;
        }
        match self {
            ScoreFn::Bins { edges, points } => points[edges.iter().filter(|e| x >= **e).count()],
            ScoreFn::Linear { x: xs, y } => {
                if x <= xs[0] {
                    return y[0];
                }
                for i in 1..xs.len() {
                    if x <= xs[i] {
                        let t = (x - xs[i - 1]) / (xs[i] - xs[i - 1]);
                        return y[i - 1] + t * (y[i] - y[i - 1]);
                    }
                }
                y[y.len() - 1]
            }
            ScoreFn::Boolean { if_true, if_false } => {
                if x != 0.0 {
                    *if_true
                } else {
                    *if_false
                }
            }
            ScoreFn::Category { .. } => f64::NAN,
        }
    }

    /// Points per dictionary code for a category leaf: `NaN` marks a label
    /// that is neither in the map nor covered by `other`.
    pub fn category_table(&self, dict: &[String]) -> Vec<f64> {
        match self {
            ScoreFn::Category { map, other } => dict
                .iter()
                .map(|label| map.get(label).copied().or(*other).unwrap_or(f64::NAN))
                .collect(),
            _ => vec![f64::NAN; dict.len()],
        }
    }

    /// Scores `x` into `out` (`weight × points`, `weight × missing` for `NaN`).
    ///
    /// ```
    /// use riskgrade_model::{Emit, ScoreFn};
    /// let f = ScoreFn::Bins { edges: vec![1.0, 3.0], points: vec![0.0, 50.0, 100.0] };
    /// let mut acc = vec![1.0; 4];
    /// f.score_numbers(&[0.0, 2.0, 5.0, f64::NAN], 0.5, 10.0, &mut acc, Emit::Add);
    /// assert_eq!(acc, vec![1.0, 26.0, 51.0, 6.0]);
    /// ```
    pub fn score_numbers(&self, x: &[f64], weight: f64, missing: f64, out: &mut [f64], emit: Emit) {
        Kernel::new(self).run(x, weight, missing, out, emit);
    }

    /// Scores dictionary codes through a [`ScoreFn::category_table`] table.
    pub fn score_codes(
        table: &[f64],
        codes: &[u32],
        weight: f64,
        missing: f64,
        out: &mut [f64],
        emit: Emit,
    ) {
        for (o, &c) in out.iter_mut().zip(codes) {
            let p = if c == MISSING_CODE {
                missing
            } else {
                // An unknown label (NaN in the table) was reported as bad data; it scores as missing.
                let p = table.get(c as usize).copied().unwrap_or(f64::NAN);
                if p.is_nan() { missing } else { p }
            };
            put(o, weight * p, emit);
        }
    }
}

/// A scoring function with its constants precomputed (bin deltas, segment
/// slopes), so that scoring a chunk allocates nothing.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Kernel {
    Bins {
        edges: Vec<f64>,
        base: f64,
        deltas: Vec<f64>,
    },
    Linear {
        base: f64,
        segs: Vec<(f64, f64, f64)>,
    },
    Boolean {
        if_false: f64,
        delta: f64,
    },
    Category,
}

impl Kernel {
    pub(crate) fn new(f: &ScoreFn) -> Kernel {
        match f {
            ScoreFn::Bins { edges, points } => Kernel::Bins {
                edges: edges.clone(),
                base: points[0],
                deltas: points.windows(2).map(|p| p[1] - p[0]).collect(),
            },
            ScoreFn::Linear { x, y } => Kernel::Linear {
                base: y[0],
                segs: (1..x.len())
                    .map(|i| {
                        let len = x[i] - x[i - 1];
                        (x[i - 1], len, (y[i] - y[i - 1]) / len)
                    })
                    .collect(),
            },
            ScoreFn::Boolean { if_true, if_false } => Kernel::Boolean {
                if_false: *if_false,
                delta: if_true - if_false,
            },
            ScoreFn::Category { .. } => Kernel::Category,
        }
    }

    /// `out (+)= weight × points(x)`, with `missing` points for `NaN`.
    pub(crate) fn run(&self, x: &[f64], weight: f64, missing: f64, out: &mut [f64], emit: Emit) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: `run_avx2` only requires AVX2, which the running CPU was just
            // checked to support. It computes exactly what `run_portable` computes
            // (no fused multiply-add), just with wider vectors.
            #[allow(unsafe_code)]
            unsafe {
                return self.run_avx2(x, weight, missing, out, emit);
            }
        }
        self.run_portable(x, weight, missing, out, emit);
    }

    /// The kernels compiled for AVX2 (chosen at run time).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn run_avx2(&self, x: &[f64], weight: f64, missing: f64, out: &mut [f64], emit: Emit) {
        self.run_portable(x, weight, missing, out, emit);
    }

    #[inline(always)]
    fn run_portable(&self, x: &[f64], weight: f64, missing: f64, out: &mut [f64], emit: Emit) {
        match self {
            Kernel::Bins {
                edges,
                base,
                deltas,
            } => match edges.len() {
                1 => bins::<1>(x, *base, edges, deltas, weight, missing, out, emit),
                2 => bins::<2>(x, *base, edges, deltas, weight, missing, out, emit),
                3 => bins::<3>(x, *base, edges, deltas, weight, missing, out, emit),
                4 => bins::<4>(x, *base, edges, deltas, weight, missing, out, emit),
                5 => bins::<5>(x, *base, edges, deltas, weight, missing, out, emit),
                6 => bins::<6>(x, *base, edges, deltas, weight, missing, out, emit),
                7 => bins::<7>(x, *base, edges, deltas, weight, missing, out, emit),
                8 => bins::<8>(x, *base, edges, deltas, weight, missing, out, emit),
                _ => bins_any(x, *base, edges, deltas, weight, missing, out, emit),
            },
            Kernel::Linear { base, segs } => {
                for (o, &v) in out.iter_mut().zip(x) {
                    let mut s = *base;
                    for &(x0, len, slope) in segs {
                        s += slope * (v - x0).clamp(0.0, len);
                    }
                    put(o, weight * if v.is_nan() { missing } else { s }, emit);
                }
            }
            Kernel::Boolean { if_false, delta } => {
                for (o, &v) in out.iter_mut().zip(x) {
                    put(
                        o,
                        weight
                            * if v.is_nan() {
                                missing
                            } else {
                                if_false + delta * v
                            },
                        emit,
                    );
                }
            }
            Kernel::Category => {
                for o in out.iter_mut().take(x.len()) {
                    put(o, weight * missing, emit);
                }
            }
        }
    }
}

#[inline(always)]
fn put(o: &mut f64, s: f64, emit: Emit) {
    match emit {
        Emit::Add => *o += s,
        Emit::Set => *o = s,
    }
}

#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn bins<const N: usize>(
    x: &[f64],
    base: f64,
    edges: &[f64],
    deltas: &[f64],
    weight: f64,
    missing: f64,
    out: &mut [f64],
    emit: Emit,
) {
    let mut e = [0.0; N];
    let mut d = [0.0; N];
    e.copy_from_slice(&edges[..N]);
    d.copy_from_slice(&deltas[..N]);
    let n = x.len().min(out.len());
    let (x, out) = (&x[..n], &mut out[..n]);
    match emit {
        Emit::Add => {
            for (o, &v) in out.iter_mut().zip(x) {
                let mut s = base;
                for j in 0..N {
                    s += if v >= e[j] { d[j] } else { 0.0 };
                }
                *o += weight * if v.is_nan() { missing } else { s };
            }
        }
        Emit::Set => {
            for (o, &v) in out.iter_mut().zip(x) {
                let mut s = base;
                for j in 0..N {
                    s += if v >= e[j] { d[j] } else { 0.0 };
                }
                *o = weight * if v.is_nan() { missing } else { s };
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn bins_any(
    x: &[f64],
    base: f64,
    edges: &[f64],
    deltas: &[f64],
    weight: f64,
    missing: f64,
    out: &mut [f64],
    emit: Emit,
) {
    for (o, &v) in out.iter_mut().zip(x) {
        let mut s = base;
        for (e, d) in edges.iter().zip(deltas) {
            s += if v >= *e { *d } else { 0.0 };
        }
        put(o, weight * if v.is_nan() { missing } else { s }, emit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The column kernel agrees with the scalar definition for every function and value.
        #[test]
        fn kernel_matches_scalar(
            raw_edges in proptest::collection::btree_set(-1000i32..1000, 1..12),
            pts in proptest::collection::vec(0i32..100, 13),
            xs in proptest::collection::vec(prop_oneof![(-1200.0f64..1200.0), Just(f64::NAN)], 0..64),
            w in 0.0f64..1.0,
        ) {
            let edges: Vec<f64> = raw_edges.into_iter().map(f64::from).collect();
            let points: Vec<f64> = pts[..=edges.len()].iter().map(|p| f64::from(*p)).collect();
            let fns = [
                ScoreFn::Bins { edges: edges.clone(), points: points.clone() },
                ScoreFn::Linear { x: edges.clone(), y: points[..edges.len()].to_vec() },
                ScoreFn::Boolean { if_true: points[0], if_false: points[1] },
            ];
            for f in &fns {
                let input: Vec<f64> = match f {
                    ScoreFn::Boolean { .. } => xs.iter().map(|x| if x.is_nan() { *x } else if *x > 0.0 { 1.0 } else { 0.0 }).collect(),
                    _ => xs.clone(),
                };
                let mut out = vec![0.0; input.len()];
                f.score_numbers(&input, w, 7.0, &mut out, Emit::Set);
                for (x, o) in input.iter().zip(&out) {
                    let want = if x.is_nan() { w * 7.0 } else { w * f.points(*x) };
                    prop_assert!((o - want).abs() <= 1e-9 * (1.0 + want.abs()), "{f:?} at {x}: {o} != {want}");
                }
            }
        }
    }

    #[test]
    fn category_codes_use_the_table() {
        let f = ScoreFn::Category {
            map: [("a".to_string(), 10.0)].into_iter().collect(),
            other: None,
        };
        let table = f.category_table(&["a".into(), "zzz".into()]);
        assert!(table[1].is_nan());
        let mut out = vec![0.0; 3];
        ScoreFn::score_codes(&table, &[0, 1, MISSING_CODE], 1.0, 3.0, &mut out, Emit::Set);
        assert_eq!(out, vec![10.0, 3.0, 3.0]);
    }
}
