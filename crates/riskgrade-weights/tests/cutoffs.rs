//! Class cut-offs from target shares and from desired detection rates.

use proptest::prelude::*;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use riskgrade_weights::cutoffs::{CutoffError, Cutoffs, from_detection_rates, from_shares};

fn ok<T>(result: Result<T, CutoffError>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

/// The class (0 = least risky) of a score under the thresholds.
fn class_of(score: f64, thresholds: &[f64]) -> usize {
    thresholds.iter().filter(|&&t| score >= t).count()
}

// ---- from target shares ----

#[test]
fn shares_on_scores_with_ties() {
    // 20 scores, deliberately unordered: 1 ×3, 2 ×2, 3 ×5, 4 ×1, 5 ×4, 6 ×2, 8 ×1, 9 ×2.
    let scores = [
        5.0, 1.0, 3.0, 9.0, 3.0, 2.0, 6.0, 1.0, 5.0, 3.0, 4.0, 8.0, 3.0, 5.0, 2.0, 9.0, 1.0, 6.0,
        3.0, 5.0,
    ];
    // Shares A 40%, B 30%, C 20%, D 10% → target counts below t₁, t₂, t₃: 8, 14, 18.
    // Distinct scores and how many lie below each:
    //   score  1  2  3  4   5   6   8   9
    //   below  0  3  5  10  11  15  17  18
    // t₁: 8 lies between 5 (t = 3, off by 3) and 10 (t = 4, off by 2) → t₁ = 4.
    // t₂: 14 lies between 11 (t = 5, off by 3) and 15 (t = 6, off by 1) → t₂ = 6.
    // t₃: 18 is reached exactly at t = 9.
    // Counts: A = 10, B = 15 − 10 = 5, C = 18 − 15 = 3, D = 20 − 18 = 2.
    let c = ok(from_shares(&scores, &[0.4, 0.3, 0.2, 0.1]));
    assert_eq!(
        c,
        Cutoffs {
            thresholds: vec![4.0, 6.0, 9.0],
            counts: vec![10, 5, 3, 2],
            shares: vec![0.5, 0.25, 0.15, 0.1],
        }
    );
}

#[test]
fn equally_close_goes_to_the_riskier_class() {
    // Target 4 below; 2 below (t = 5) and 6 below (t = 7) are both 2 off: the lower threshold
    // wins, so the block of four 5s goes to the riskier class.
    let c = ok(from_shares(
        &[5.0, 1.0, 5.0, 9.0, 5.0, 2.0, 7.0, 5.0],
        &[0.5, 0.5],
    ));
    assert_eq!(c.thresholds, vec![5.0]);
    assert_eq!(c.counts, vec![2, 6]);
}

#[test]
fn a_large_tie_block_pushes_thresholds_apart() {
    // 0 ×1, 1 ×1, 2 ×8, 3 ×1, 4 ×1 (n = 12), four equal shares → targets 3, 6, 9.
    // Achievable counts below: t = 1 → 1, t = 2 → 2, t = 3 → 10, t = 4 → 11.
    // Each target alone would pick t = 2, 2 (or 3), 3: they collide. The strictly increasing
    // choices with the least total miss are (1, 2, 3): 2 + 4 + 1 = 7 and (2, 3, 4): 1 + 4 + 2 = 7;
    // the lower one is taken.
    let mut scores = vec![4.0, 0.0, 3.0, 1.0];
    scores.extend([2.0; 8]);
    let c = ok(from_shares(&scores, &[0.25; 4]));
    assert_eq!(c.thresholds, vec![1.0, 2.0, 3.0]);
    assert_eq!(c.counts, vec![1, 1, 8, 2]);
}

#[test]
fn a_zero_share_still_gets_the_smallest_class() {
    // Targets below: 0 and 2. t₁ cannot be the minimum (class A would be empty), so t₁ = 2.
    let c = ok(from_shares(&[4.0, 3.0, 2.0, 1.0], &[0.0, 0.5, 0.5]));
    assert_eq!(c.thresholds, vec![2.0, 3.0]);
    assert_eq!(c.counts, vec![1, 1, 2]);
}

#[test]
fn share_errors() {
    assert_eq!(
        from_shares(&[5.0, 5.0, 5.0, 7.0], &[0.5, 0.3, 0.2])
            .unwrap_err()
            .to_string(),
        "only 2 distinct score(s) for 3 classes; equal scores share a class, so some class would be empty"
    );
    assert_eq!(
        from_shares(&[1.0, f64::NAN], &[0.5, 0.5])
            .unwrap_err()
            .to_string(),
        "row 1: score `NaN` is not a finite number (rows count from 0)"
    );
    assert_eq!(
        from_shares(&[1.0, 2.0], &[0.5, 0.4])
            .unwrap_err()
            .to_string(),
        "class shares sum to `0.9`, expected 1 (within 1e-6)"
    );
    assert_eq!(
        from_shares(&[1.0, 2.0], &[1.2, -0.2])
            .unwrap_err()
            .to_string(),
        "share of class 1 is `-0.2`, expected a finite number ≥ 0"
    );
    assert_eq!(
        from_shares(&[1.0, 2.0], &[1.0]).unwrap_err().to_string(),
        "1 class(es) given, expected at least 2"
    );
    assert_eq!(
        from_shares(&[], &[0.5, 0.5]).unwrap_err().to_string(),
        "no scores given, expected at least one"
    );
    // Within 1e-6 is accepted.
    assert!(from_shares(&[1.0, 2.0], &[0.5, 0.5000001]).is_ok());
}

/// Scores with many ties (integer levels) or few (continuous).
fn scores() -> impl Strategy<Value = Vec<f64>> {
    prop_oneof![
        proptest::collection::vec((0i32..12).prop_map(f64::from), 1..80),
        proptest::collection::vec(0.0f64..1000.0, 1..80),
    ]
}

/// Shares for 2..6 classes, some possibly 0, summing to 1.
fn shares() -> impl Strategy<Value = Vec<f64>> {
    proptest::collection::vec(prop_oneof![1 => Just(0.0), 4 => 0.01f64..1.0], 2..6)
        .prop_filter("positive total", |v| v.iter().sum::<f64>() > 0.0)
        .prop_map(|v| {
            let total: f64 = v.iter().sum();
            v.into_iter().map(|x| x / total).collect()
        })
}

/// Σ |#below(t_c) − T_c| for thresholds given as scores.
fn total_miss(sorted: &[f64], shares: &[f64], thresholds: &[f64]) -> f64 {
    let n = sorted.len() as f64;
    let mut cumulative = 0.0;
    thresholds
        .iter()
        .zip(shares)
        .map(|(&t, s)| {
            cumulative += s;
            let below = sorted.iter().filter(|&&x| x < t).count() as f64;
            (below - n * cumulative).abs()
        })
        .sum()
}

/// Every strictly increasing choice of k − 1 thresholds among the distinct scores above the minimum.
fn all_choices(values: &[f64], k: usize) -> Vec<Vec<f64>> {
    fn go(values: &[f64], from: usize, left: usize, acc: &mut Vec<f64>, out: &mut Vec<Vec<f64>>) {
        if left == 0 {
            out.push(acc.clone());
            return;
        }
        for i in from..values.len() {
            acc.push(values[i]);
            go(values, i + 1, left - 1, acc, out);
            acc.pop();
        }
    }
    let mut out = Vec::new();
    go(values, 1, k - 1, &mut Vec::new(), &mut out);
    out
}

proptest! {
    #[test]
    fn shares_independent_of_row_order(scores in scores(), shares in shares(), seed in any::<u64>()) {
        let mut shuffled = scores.clone();
        shuffled.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(seed));
        prop_assert_eq!(from_shares(&scores, &shares), from_shares(&shuffled, &shares));
    }

    #[test]
    fn shares_are_consistent_and_optimal(scores in scores(), shares in shares()) {
        let mut sorted = scores.clone();
        sorted.sort_by(f64::total_cmp);
        let mut values = sorted.clone();
        values.dedup();
        let k = shares.len();
        match from_shares(&scores, &shares) {
            Err(CutoffError::TooFewDistinct { distinct, classes }) => {
                prop_assert_eq!(distinct, values.len());
                prop_assert_eq!(classes, k);
                prop_assert!(values.len() < k);
            }
            Err(e) => prop_assert!(false, "unexpected error {e}"),
            Ok(c) => {
                prop_assert_eq!(c.thresholds.len(), k - 1);
                prop_assert!(c.thresholds.windows(2).all(|w| w[0] < w[1]));
                prop_assert!(c.thresholds.iter().all(|t| values.contains(t)));
                let mut counts = vec![0; k];
                for &s in &scores {
                    counts[class_of(s, &c.thresholds)] += 1;
                }
                prop_assert_eq!(&c.counts, &counts);
                prop_assert!(c.counts.iter().all(|&n| n > 0));
                let n = scores.len() as f64;
                for (share, count) in c.shares.iter().zip(&c.counts) {
                    prop_assert!((share - *count as f64 / n).abs() < 1e-12);
                }
                // No other valid choice misses the targets by less (brute force when small).
                if values.len() <= 12 {
                    let got = total_miss(&sorted, &shares, &c.thresholds);
                    let best = all_choices(&values, k)
                        .iter()
                        .map(|t| total_miss(&sorted, &shares, t))
                        .fold(f64::INFINITY, f64::min);
                    prop_assert!(got <= best + 1e-9, "miss {got} but {best} is possible");
                }
            }
        }
    }
}

// ---- from detection rates ----

/// Past inspections, deliberately unordered: (score, problem found).
const INSPECTED: [(f64, bool); 19] = [
    (45.0, false),
    (95.0, true),
    (70.0, false),
    (10.0, false),
    (90.0, false),
    (55.0, false),
    (80.0, true),
    (30.0, false),
    (92.0, true),
    (5.0, false),
    (60.0, false),
    (75.0, false),
    (90.0, true),
    (20.0, true),
    (50.0, true),
    (85.0, false),
    (40.0, false),
    (70.0, true),
    (30.0, false),
];

#[test]
fn detection_rates_by_hand() {
    // Sorted, riskiest first, as (score: inspected, problems):
    //   95:1,1  92:1,1  90:2,1  85:1,0  80:1,1  75:1,0  70:2,1  60:1,0  55:1,0  50:1,1
    //   45:1,0  40:1,0  30:2,0  20:1,1  10:1,0  5:1,0
    // Classes A, B, C, D with desired rates –, 15%, 30%, 60%, at least 3 inspections each.
    //
    // D (≥ 60%), scanning t downwards from the top, cumulative (n, p, rate):
    //   95 (1,1) too few   92 (2,2) too few   90 (4,3) .75 ✓   85 (5,3) .60 ✓   80 (6,4) .667 ✓
    //   75 (7,4) .571      70 (9,5) .556      60 (10,5) .50    … never ≥ .6 again (≤ .5 below)
    //   lowest t that works: 80 → D = [80, ∞): 6 inspected, 4 problems.
    // C (≥ 30%), from below 80:
    //   75 (1,0) too few   70 (3,1) .333 ✓   60 (4,1) .25   55 (5,1) .20   50 (6,2) .333 ✓
    //   45 (7,2) .286      40 (8,2) .25      30 (10,2) .20  20 (11,3) .273  10 (12,3) .25
    //   5 (13,3) .231
    //   lowest t that works: 50 (not 70: the rate dips and recovers) → C = [50, 80): 6 and 2.
    // B (≥ 15%), from below 50:
    //   45 (1,0) too few   40 (2,0) too few   30 (4,0) 0   20 (5,1) .20 ✓   10 (6,1) .167 ✓
    //   5 (7,1) .143
    //   lowest t that works: 10 → B = [10, 50): 6 and 1.
    // A is the rest: score 5, 1 inspected, 0 problems.
    let r = ok(from_detection_rates(
        &INSPECTED,
        &[None, Some(0.15), Some(0.3), Some(0.6)],
        3,
    ));
    assert_eq!(r.thresholds, vec![10.0, 50.0, 80.0]);
    assert_eq!(r.inspected, vec![1, 6, 6, 6]);
    assert_eq!(r.problems, vec![0, 1, 2, 4]);
    assert_eq!(
        r.rates,
        vec![Some(0.0), Some(1.0 / 6.0), Some(2.0 / 6.0), Some(4.0 / 6.0)]
    );
}

#[test]
fn the_rest_may_hold_no_inspection() {
    // With B at 10%, B reaches down to 5 (7 inspected, 1 problem, .143): nothing is left for A.
    let r = ok(from_detection_rates(
        &INSPECTED,
        &[None, Some(0.1), Some(0.3), Some(0.6)],
        3,
    ));
    assert_eq!(r.thresholds, vec![5.0, 50.0, 80.0]);
    assert_eq!(r.inspected, vec![0, 7, 6, 6]);
    assert_eq!(r.rates[0], None);
}

#[test]
fn infeasible_rates_are_explained() {
    // D at 90%: with ≥ 3 inspections the best is 3 of 4 at t = 90.
    let err =
        from_detection_rates(&INSPECTED, &[None, Some(0.15), Some(0.3), Some(0.9)], 3).unwrap_err();
    assert_eq!(
        err,
        CutoffError::Infeasible {
            class: 3,
            desired: 0.9,
            min_inspected: 3,
            best: Some(0.75),
            available: 19,
        }
    );
    assert_eq!(
        err.to_string(),
        "class 3: no threshold gives a detection rate ≥ `0.9` with at least 3 inspected enterprise(s); the best reachable is `0.75`"
    );
    // B at 50% after C and D took scores ≥ 50: the best below 50 is 1 of 5 at t = 20.
    assert_eq!(
        from_detection_rates(&INSPECTED, &[None, Some(0.5), Some(0.3), Some(0.6)], 3)
            .unwrap_err()
            .to_string(),
        "class 1: no threshold gives a detection rate ≥ `0.5` with at least 3 inspected enterprise(s); the best reachable is `0.2`"
    );
    // Not enough inspections at all.
    assert_eq!(
        from_detection_rates(&INSPECTED, &[None, Some(0.1)], 20)
            .unwrap_err()
            .to_string(),
        "class 1: no threshold gives a detection rate ≥ `0.1` with at least 20 inspected enterprise(s); only 19 inspected enterprise(s) score below the class above"
    );
}

#[test]
fn rate_argument_errors() {
    let data = [(1.0, true), (2.0, false)];
    assert_eq!(
        from_detection_rates(&data, &[Some(0.1), Some(0.2)], 1)
            .unwrap_err()
            .to_string(),
        "class 0 has a desired detection rate `0.1`, but the least risky class is the rest and takes none"
    );
    assert_eq!(
        from_detection_rates(&data, &[None, None, Some(0.2)], 1)
            .unwrap_err()
            .to_string(),
        "class 1 has no desired detection rate; every class but the least risky needs one"
    );
    assert_eq!(
        from_detection_rates(&data, &[None, Some(1.5)], 1)
            .unwrap_err()
            .to_string(),
        "class 1: desired detection rate `1.5` is outside [0, 1]"
    );
    assert_eq!(
        from_detection_rates(
            &[(1.0, true), (f64::INFINITY, false)],
            &[None, Some(0.2)],
            1
        )
        .unwrap_err()
        .to_string(),
        "row 1: score `inf` is not a finite number (rows count from 0)"
    );
    assert_eq!(
        from_detection_rates(&data, &[None], 1)
            .unwrap_err()
            .to_string(),
        "1 class(es) given, expected at least 2"
    );
}

/// Inspections whose problem rate rises with the score, with ties.
fn inspections() -> impl Strategy<Value = Vec<(f64, bool)>> {
    proptest::collection::vec(
        (0i32..40, 0.0f64..1.0).prop_map(|(s, u)| (f64::from(s), u < (f64::from(s) + 0.5) / 40.0)),
        0..400,
    )
}

/// Whether the inspected with score in [t, upper) are enough and reach class `c`'s rate.
fn reaches(
    inspected: &[(f64, bool)],
    rates: &[Option<f64>],
    min_n: usize,
    c: usize,
    t: f64,
    upper: f64,
) -> bool {
    let members: Vec<bool> = inspected
        .iter()
        .filter(|i| i.0 >= t && i.0 < upper)
        .map(|i| i.1)
        .collect();
    let hits = members.iter().filter(|&&f| f).count();
    members.len() >= min_n && hits as f64 / members.len() as f64 >= rates[c].unwrap_or(0.0)
}

/// By brute force: whether classes 1..=c can all be cut from the scores below `upper`.
fn feasible_below(
    inspected: &[(f64, bool)],
    rates: &[Option<f64>],
    min_n: usize,
    c: usize,
    upper: f64,
) -> bool {
    if c == 0 {
        return true;
    }
    let mut ts: Vec<f64> = inspected
        .iter()
        .map(|i| i.0)
        .filter(|&x| x < upper)
        .collect();
    ts.sort_by(f64::total_cmp);
    ts.dedup();
    ts.into_iter().any(|t| {
        reaches(inspected, rates, min_n, c, t, upper)
            && feasible_below(inspected, rates, min_n, c - 1, t)
    })
}

/// Desired rates for 2..6 classes, falling from the riskiest class down (some infeasible).
fn desired() -> impl Strategy<Value = Vec<Option<f64>>> {
    (0.6f64..1.0, proptest::collection::vec(0.3f64..0.8, 0..5)).prop_map(|(top, factors)| {
        let mut rates = vec![Some(top)];
        let mut rate = top;
        for f in factors {
            rate *= f;
            rates.push(Some(rate));
        }
        rates.push(None);
        rates.reverse();
        rates
    })
}

proptest! {
    #[test]
    fn rate_cutoffs_meet_their_rates(
        inspected in inspections(),
        rates in desired(),
        min_inspected in 0usize..8,
        seed in any::<u64>(),
    ) {
        let result = from_detection_rates(&inspected, &rates, min_inspected);
        let mut shuffled = inspected.clone();
        shuffled.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(seed));
        prop_assert_eq!(&result, &from_detection_rates(&shuffled, &rates, min_inspected));
        let k = rates.len();
        let min_n = min_inspected.max(1);
        match result {
            Ok(r) => {
                prop_assert_eq!(r.thresholds.len(), k - 1);
                prop_assert!(r.thresholds.windows(2).all(|w| w[0] < w[1]));
                prop_assert!(r.thresholds.iter().all(|t| inspected.iter().any(|i| i.0 == *t)));
                // Recount every class from the thresholds.
                let mut n = vec![0usize; k];
                let mut p = vec![0usize; k];
                for &(s, found) in &inspected {
                    let c = class_of(s, &r.thresholds);
                    n[c] += 1;
                    p[c] += usize::from(found);
                }
                prop_assert_eq!(&r.inspected, &n);
                prop_assert_eq!(&r.problems, &p);
                for c in 1..k {
                    let want = rates[c].unwrap_or(0.0);
                    prop_assert!(n[c] >= min_n, "class {c}: {} inspected", n[c]);
                    let got = r.rates[c].unwrap_or(-1.0);
                    prop_assert!(got >= want, "class {c}: rate {got} < {want}");
                    prop_assert_eq!(got, p[c] as f64 / n[c] as f64);
                }
                // The riskiest class could not reach lower: every lower observed score fails
                // its rate, or leaves the classes below unable to reach theirs.
                let top = r.thresholds[k - 2];
                for &(t, _) in inspected.iter().filter(|i| i.0 < top) {
                    prop_assert!(
                        !reaches(&inspected, &rates, min_n, k - 1, t, f64::INFINITY)
                            || !feasible_below(&inspected, &rates, min_n, k - 2, t),
                        "t = {t} would also do"
                    );
                }
            }
            Err(CutoffError::Infeasible { class, desired, best, min_inspected: m, .. }) => {
                // No cut at all reaches every rate.
                prop_assert!(!feasible_below(&inspected, &rates, min_n, k - 1, f64::INFINITY));
                prop_assert!(class >= 1 && class < k);
                prop_assert_eq!(Some(desired), rates[class]);
                prop_assert_eq!(m, min_n);
                if let Some(best) = best {
                    prop_assert!(best < desired);
                }
            }
            Err(e) => prop_assert!(false, "unexpected error {e}"),
        }
    }
}
