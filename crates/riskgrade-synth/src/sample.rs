//! Small samplers on top of a [`rand::Rng`]: normal, log-normal, Poisson,
//! exponential waiting times, weighted choice and rounding that survives a
//! JSON round trip.

use std::f64::consts::TAU;

use rand::Rng;

/// Days in an average year.
pub(crate) const YEAR_DAYS: f64 = 365.25;

/// A uniform number in `[0, 1)`.
#[inline]
pub(crate) fn unit<R: Rng>(rng: &mut R) -> f64 {
    rng.random::<f64>()
}

/// `true` with probability `p` (clamped to `[0, 1]`).
#[inline]
pub(crate) fn chance<R: Rng>(rng: &mut R, p: f64) -> bool {
    unit(rng) < p
}

/// A uniform number in `[lo, hi)`.
#[inline]
pub(crate) fn uniform<R: Rng>(rng: &mut R, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * unit(rng)
}

/// A uniform whole number in `[lo, hi]` (`lo` when the range is empty).
#[inline]
pub(crate) fn int_in<R: Rng>(rng: &mut R, lo: i64, hi: i64) -> i64 {
    if hi <= lo {
        lo
    } else {
        rng.random_range(lo..=hi)
    }
}

/// A normal deviate (Box–Muller).
pub(crate) fn normal<R: Rng>(rng: &mut R, mean: f64, sd: f64) -> f64 {
    let u1 = 1.0 - unit(rng); // (0, 1]
    let u2 = unit(rng);
    mean + sd * (-2.0 * u1.ln()).sqrt() * (TAU * u2).cos()
}

/// A log-normal deviate with the given median and log-scale spread.
pub(crate) fn lognormal<R: Rng>(rng: &mut R, median: f64, sigma: f64) -> f64 {
    median * normal(rng, 0.0, sigma).exp()
}

/// A Poisson count with mean `lambda`.
pub(crate) fn poisson<R: Rng>(rng: &mut R, lambda: f64) -> u32 {
    if lambda.is_nan() || lambda <= 0.0 {
        return 0;
    }
    if lambda < 30.0 {
        // Knuth: multiply uniforms until the product drops below e^-λ.
        let limit = (-lambda).exp();
        let mut k = 0u32;
        let mut prod = unit(rng);
        while prod > limit {
            k += 1;
            prod *= unit(rng);
        }
        k
    } else {
        normal(rng, lambda, lambda.sqrt()).round().max(0.0) as u32
    }
}

/// Days to wait for the next event of a process with `rate_per_year` events a year.
pub(crate) fn wait_days<R: Rng>(rng: &mut R, rate_per_year: f64) -> f64 {
    if rate_per_year <= 0.0 {
        return f64::INFINITY;
    }
    -(1.0 - unit(rng)).ln() / rate_per_year * YEAR_DAYS
}

/// One item of a weighted table.
pub(crate) fn pick<'a, R: Rng, T>(rng: &mut R, table: &'a [(T, u32)]) -> &'a T {
    let total: u32 = table.iter().map(|(_, w)| *w).sum();
    let mut x = rng.random_range(0..total.max(1));
    for (item, w) in table {
        if x < *w {
            return item;
        }
        x -= *w;
    }
    &table[table.len() - 1].0
}

/// `x` rounded to `decimals` places, computed as an integer over a power of
/// ten so that it prints and parses back to the same `f64`.
pub(crate) fn round_to(x: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (x * scale).round() / scale
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn poisson_mean_is_lambda() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for lambda in [0.3, 4.0, 50.0] {
            let n = 20_000;
            let sum: u64 = (0..n).map(|_| u64::from(poisson(&mut rng, lambda))).sum();
            let mean = sum as f64 / f64::from(n);
            assert!(
                (mean - lambda).abs() < 0.05 * lambda + 0.02,
                "{lambda}: {mean}"
            );
        }
    }

    #[test]
    fn normal_has_mean_and_sd() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let xs: Vec<f64> = (0..20_000).map(|_| normal(&mut rng, 1.0, 2.0)).collect();
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64;
        assert!((mean - 1.0).abs() < 0.05, "{mean}");
        assert!((var.sqrt() - 2.0).abs() < 0.05, "{var}");
    }

    #[test]
    fn pick_follows_weights() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let table = [("a", 1), ("b", 3), ("c", 0)];
        let b = (0..10_000)
            .filter(|_| *pick(&mut rng, &table) == "b")
            .count();
        assert!((7_200..7_800).contains(&b), "{b}");
    }
}
