//! The population stability index between two samples, and its conventional reading.

/// The conventional reading of a PSI: `stable` (< 0.10), `watch` (< 0.25) or `shifted`.
///
/// ```
/// assert_eq!(riskgrade_engine::psi_band(0.05), "stable");
/// assert_eq!(riskgrade_engine::psi_band(0.1), "watch");
/// assert_eq!(riskgrade_engine::psi_band(0.3), "shifted");
/// ```
pub fn psi_band(psi: f64) -> &'static str {
    if psi < 0.10 {
        "stable"
    } else if psi < 0.25 {
        "watch"
    } else {
        "shifted"
    }
}

/// The population stability index between a baseline sample `a` and a sample `b`.
///
/// Bins are the baseline's deciles (ties merged, so a indicator with few
/// values gets one bin per value); empty bins count as 0.01% so the index stays finite.
///
/// ```
/// let a: Vec<f64> = (0..1000).map(|i| i as f64).collect();
/// assert!(riskgrade_engine::psi(&a, &a) < 1e-12);
/// let b: Vec<f64> = (0..1000).map(|i| (i as f64) * 1.5).collect();
/// assert!(riskgrade_engine::psi(&a, &b) > 0.25);
/// ```
pub fn psi(a: &[f64], b: &[f64]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let mut sorted: Vec<f64> = a.iter().copied().filter(|x| !x.is_nan()).collect();
    if sorted.is_empty() {
        return 0.0;
    }
    sorted.sort_by(f64::total_cmp);
    let mut edges: Vec<f64> = (1..10)
        .map(|k| sorted[(k * sorted.len() / 10).min(sorted.len() - 1)])
        .collect();
    edges.dedup();
    let bin = |x: f64| edges.partition_point(|&e| e < x);
    let mut ca = vec![0f64; edges.len() + 1];
    let mut cb = vec![0f64; edges.len() + 1];
    for &x in a.iter().filter(|x| !x.is_nan()) {
        ca[bin(x)] += 1.0;
    }
    for &x in b.iter().filter(|x| !x.is_nan()) {
        cb[bin(x)] += 1.0;
    }
    let (na, nb) = (ca.iter().sum::<f64>(), cb.iter().sum::<f64>());
    if na == 0.0 || nb == 0.0 {
        return 0.0;
    }
    ca.iter()
        .zip(&cb)
        .map(|(x, y)| {
            let p = (x / na).max(1e-4);
            let q = (y / nb).max(1e-4);
            (q - p) * (q / p).ln()
        })
        .sum()
}
