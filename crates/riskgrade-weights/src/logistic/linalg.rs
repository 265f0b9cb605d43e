//! Dense linear algebra for small symmetric positive definite matrices: Cholesky factor, solve
//! and inverse.

/// A pivot of the Cholesky factorisation below this fraction of its diagonal entry means the
/// matrix is singular to working precision (`1 − R²` of a column on the others).
const PIVOT_TOLERANCE: f64 = 1e-12;

/// Lower Cholesky factor of the symmetric positive definite `n×n` matrix `a` (row-major), or
/// `None` if a pivot is not positive or below [`PIVOT_TOLERANCE`] of its diagonal entry.
pub(super) fn cholesky(a: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; n * n];
    for j in 0..n {
        let diagonal = a[j * n + j];
        let d = diagonal - (0..j).map(|k| l[j * n + k] * l[j * n + k]).sum::<f64>();
        if !(d.is_finite() && d > 0.0 && d > PIVOT_TOLERANCE * diagonal) {
            return None;
        }
        let root = d.sqrt();
        l[j * n + j] = root;
        for i in j + 1..n {
            let s = a[i * n + j] - (0..j).map(|k| l[i * n + k] * l[j * n + k]).sum::<f64>();
            l[i * n + j] = s / root;
        }
    }
    Some(l)
}

/// Solves `L Lᵀ x = b`.
pub(super) fn cholesky_solve(l: &[f64], n: usize, b: &[f64]) -> Vec<f64> {
    let mut x = b.to_vec();
    for i in 0..n {
        let s = x[i] - (0..i).map(|k| l[i * n + k] * x[k]).sum::<f64>();
        x[i] = s / l[i * n + i];
    }
    for i in (0..n).rev() {
        let s = x[i] - (i + 1..n).map(|k| l[k * n + i] * x[k]).sum::<f64>();
        x[i] = s / l[i * n + i];
    }
    x
}

/// `(L Lᵀ)⁻¹`, row-major.
pub(super) fn cholesky_inverse(l: &[f64], n: usize) -> Vec<f64> {
    let mut inverse = vec![0.0; n * n];
    let mut unit = vec![0.0; n];
    for c in 0..n {
        unit.fill(0.0);
        unit[c] = 1.0;
        let column = cholesky_solve(l, n, &unit);
        for (r, v) in column.into_iter().enumerate() {
            inverse[r * n + c] = v;
        }
    }
    inverse
}
