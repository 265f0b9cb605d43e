//! Entropy and CRITIC weights against hand-worked examples, their errors, and their invariants.

use proptest::prelude::*;
use riskgrade_weights::objective::{
    Direction, ObjectiveError, WeightSource, combine, critic, entropy,
};

const TOL: f64 = 1e-9;

fn close(actual: &[f64], expected: &[f64], tol: f64) -> bool {
    actual.len() == expected.len()
        && actual
            .iter()
            .zip(expected)
            .all(|(a, e)| (a - e).abs() <= tol)
}

fn assert_close(actual: &[f64], expected: &[f64]) {
    assert!(
        close(actual, expected, TOL),
        "expected {expected:?}, got {actual:?}"
    );
}

// The worked example used by both hand computations: 4 enterprises × 3 indicators.
//
//   indicator 0, benefit: 1, 3, 5, 9   min 1, max 9, range 8   → x′ = 0, 1/4, 1/2, 1
//   indicator 1, cost:   10, 20, 20, 30 min 10, max 30, range 20 → x′ = (30 − x)/20 = 1, 1/2, 1/2, 0
//   indicator 2, cost:    6, 6, 4, 2    min 2, max 6, range 4    → x′ = (6 − x)/4 = 0, 0, 1/2, 1
const A: [f64; 4] = [1.0, 3.0, 5.0, 9.0];
const B: [f64; 4] = [10.0, 20.0, 20.0, 30.0];
const C: [f64; 4] = [6.0, 6.0, 4.0, 2.0];
const DIRECTIONS: [Direction; 3] = [Direction::Benefit, Direction::Cost, Direction::Cost];

#[test]
fn entropy_by_hand() {
    // m = 4, ln m = 2 ln 2.
    //
    // Indicator 0: Σ x′ = 7/4, p = 0, 1/7, 2/7, 4/7.
    //   Σ p ln p = (1/7)(−ln 7) + (2/7)(ln 2 − ln 7) + (4/7)(2 ln 2 − ln 7) = −ln 7 + (10/7) ln 2
    //   e₀ = (ln 7 − (10/7) ln 2) / (2 ln 2) = log₂7 / 2 − 5/7 = 0.689391746743088
    //   d₀ = 12/7 − log₂7 / 2 = 0.310608253256912
    // Indicator 1: Σ x′ = 2, p = 1/2, 1/4, 1/4, 0.
    //   Σ p ln p = −(1/2) ln 2 − 2 · (1/4) · 2 ln 2 = −(3/2) ln 2
    //   e₁ = (3/2) ln 2 / (2 ln 2) = 3/4, d₁ = 1/4
    // Indicator 2: Σ x′ = 3/2, p = 0, 0, 1/3, 2/3.
    //   Σ p ln p = −(1/3) ln 3 + (2/3)(ln 2 − ln 3) = −ln 3 + (2/3) ln 2
    //   e₂ = log₂3 / 2 − 1/3 = 0.459147917027245
    //   d₂ = 4/3 − log₂3 / 2 = 0.540852082972755
    // Σ d = 12/7 + 1/4 + 4/3 − (log₂7 + log₂3)/2 = 277/84 − log₂21 / 2 = 1.101460336229667
    // w = d / Σ d = 0.281996766511025, 0.226971404940243, 0.491031828548732
    let e = entropy(&[&A, &B, &C], &DIRECTIONS).unwrap_or_else(|err| panic!("{err}"));
    assert_close(&e.entropy, &[0.689391746743088, 0.75, 0.459147917027245]);
    assert_close(&e.divergence, &[0.310608253256912, 0.25, 0.540852082972755]);
    assert_close(
        &e.weights,
        &[0.281996766511025, 0.226971404940243, 0.491031828548732],
    );
    assert!(e.constant.is_empty());
}

#[test]
fn critic_by_hand() {
    // Normalised columns (see above) and their means:
    //   a = 0, 1/4, 1/2, 1   mean 7/16   deviations −7/16, −3/16, 1/16, 9/16
    //   b = 1, 1/2, 1/2, 0   mean 1/2    deviations 1/2, 0, 0, −1/2
    //   c = 0, 0, 1/2, 1     mean 3/8    deviations −3/8, −3/8, 1/8, 5/8
    // Sums of squares: S_a = (49 + 9 + 1 + 81)/256 = 35/64, S_b = 1/2, S_c = (9 + 9 + 1 + 25)/64 = 11/16.
    // Sample standard deviations (divisor m − 1 = 3):
    //   σ_a = √(35/192) = 0.426956281914983
    //   σ_b = √(1/6)    = 0.408248290463863
    //   σ_c = √(11/48)  = 0.478713553878169
    // Cross products:
    //   ab: −7/32 + 0 + 0 − 9/32 = −1/2       r_ab = −(1/2)/√(35/64 · 1/2) = −√(32/35) = −0.956182887467515
    //   ac: (21 + 9 + 1 + 45)/128 = 19/32     r_ac = (19/32)/√(35/64 · 11/16) = 19/√385 = 0.968329663731489
    //   bc: −3/16 + 0 + 0 − 5/16 = −1/2       r_bc = −(1/2)/√(1/2 · 11/16) = −√(8/11) = −0.852802865422442
    // Conflict Σₖ (1 − rⱼₖ):
    //   a: 2 − r_ab − r_ac = 1.987853223736027
    //   b: 2 − r_ab − r_bc = 3.808985752889956
    //   c: 2 − r_ac − r_bc = 1.884473201690953
    // C = σ · conflict: 0.848726421399047, 1.555011922018535, 0.902122863569648; Σ C = 3.30586120698723
    // w = C / Σ C = 0.256733833714854, 0.470380280554997, 0.272885885730148
    let c = critic(&[&A, &B, &C], &DIRECTIONS).unwrap_or_else(|err| panic!("{err}"));
    assert_close(
        &c.std_dev,
        &[0.426956281914983, 0.408248290463863, 0.478713553878169],
    );
    let (rab, rac, rbc) = (-0.956182887467515, 0.968329663731489, -0.852802865422442);
    for (row, expected) in
        c.correlation
            .iter()
            .zip([[1.0, rab, rac], [rab, 1.0, rbc], [rac, rbc, 1.0]])
    {
        assert_close(row, &expected);
    }
    assert_close(
        &c.conflict,
        &[1.987853223736027, 3.808985752889956, 1.884473201690953],
    );
    assert_close(
        &c.information,
        &[0.848726421399047, 1.555011922018535, 0.902122863569648],
    );
    assert_close(
        &c.weights,
        &[0.256733833714854, 0.470380280554997, 0.272885885730148],
    );
    assert!(c.constant.is_empty());
}

#[test]
fn constant_indicator_gets_weight_zero() {
    let flat = [3.0; 4];
    let e =
        entropy(&[&A, &flat, &B, &C], &[Direction::Benefit; 4]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(e.weights[1], 0.0);
    assert_eq!(e.entropy[1], 1.0);
    assert_eq!(e.constant, vec![1]);
    // A constant indicator does not change the other entropy weights.
    let without =
        entropy(&[&A, &B, &C], &[Direction::Benefit; 3]).unwrap_or_else(|e| panic!("{e}"));
    let others = [e.weights[0], e.weights[2], e.weights[3]];
    assert_close(&others, &without.weights);

    let c = critic(&[&A, &flat, &B, &C], &[Direction::Cost; 4]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.weights[1], 0.0);
    assert_eq!(c.std_dev[1], 0.0);
    assert_eq!(c.constant, vec![1]);
    assert_eq!(c.correlation[0][1], 0.0);
    assert_eq!(c.correlation[1][1], 1.0);
    assert!((c.weights.iter().sum::<f64>() - 1.0).abs() < TOL);
}

#[test]
fn critic_drops_constant_indicators_wherever_they_are() {
    // Constant indicators are dropped as the textbook method does: the other weights are those
    // of the batch without them, whatever their number and position (before, r = 0 against each
    // constant added 1 to every other conflict sum and flattened the weights).
    let without = critic(&[&A, &B, &C], &[Direction::Cost; 3]).unwrap_or_else(|e| panic!("{e}"));
    let flat = [3.0; 4];
    let zero = [0.0; 4];
    for k in 0..=6 {
        for at in 0..=3 {
            let mut columns: Vec<&[f64]> = vec![&A, &B, &C];
            for i in 0..k {
                columns.insert(
                    at.min(columns.len()),
                    if i % 2 == 0 { &flat } else { &zero },
                );
            }
            let c = critic(&columns, &vec![Direction::Cost; columns.len()])
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(c.constant.len(), k);
            let kept: Vec<f64> = (0..columns.len())
                .filter(|j| !c.constant.contains(j))
                .map(|j| c.weights[j])
                .collect();
            assert_close(&kept, &without.weights);
            for &j in &c.constant {
                assert_eq!(
                    (c.weights[j], c.conflict[j], c.information[j]),
                    (0.0, 0.0, 0.0)
                );
            }
        }
    }
}

#[test]
fn all_constant_is_an_error() {
    let a = [1.0, 1.0, 1.0];
    let b = [-2.0, -2.0, -2.0];
    let directions = [Direction::Benefit, Direction::Cost];
    let expected = ObjectiveError::AllConstant { indicators: 2 };
    assert_eq!(entropy(&[&a, &b], &directions), Err(expected.clone()));
    assert_eq!(critic(&[&a, &b], &directions), Err(expected.clone()));
    assert_eq!(
        expected.to_string(),
        "all 2 indicator(s) are constant over the batch, so the data cannot tell them apart"
    );
}

#[test]
fn critic_single_or_identical_indicators() {
    let c = critic(&[&A], &[Direction::Benefit]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.weights, vec![1.0]);
    // The same information in two units: no conflict, weighed by contrast (equal here).
    let doubled: Vec<f64> = A.iter().map(|x| 2.0 * x + 1.0).collect();
    let c = critic(&[&A, &doubled], &[Direction::Benefit; 2]).unwrap_or_else(|e| panic!("{e}"));
    assert_close(&c.weights, &[0.5, 0.5]);
}

#[test]
fn error_messages_name_the_culprit() {
    let good = [1.0, 2.0, 3.0];
    let bad = [1.0, f64::NAN, 3.0];
    let short = [1.0, 2.0];
    let d2 = [Direction::Benefit; 2];

    let err = entropy(&[&good, &bad], &d2).unwrap_err();
    assert!(matches!(
        err,
        ObjectiveError::NonFinite { indicator: 1, row: 1, value } if value.is_nan()
    ));
    assert_eq!(
        err.to_string(),
        "indicator 1, row 1: `NaN` is not a finite number (positions count from 0)"
    );
    let inf = [f64::NEG_INFINITY, 0.0, 0.0];
    assert_eq!(
        critic(&[&inf, &good], &d2).unwrap_err().to_string(),
        "indicator 0, row 0: `-inf` is not a finite number (positions count from 0)"
    );
    assert_eq!(
        entropy(&[&good, &short], &d2).unwrap_err().to_string(),
        "indicator 1 has 2 rows but indicator 0 has 3; every indicator needs one value per enterprise"
    );
    assert_eq!(
        entropy(&[], &[]).unwrap_err().to_string(),
        "no indicators given, expected at least one column"
    );
    assert_eq!(
        critic(&[&[1.0]], &[Direction::Cost])
            .unwrap_err()
            .to_string(),
        "1 row(s) of data, expected at least 2 enterprises"
    );
    assert_eq!(
        entropy(&[&good, &good], &[Direction::Cost])
            .unwrap_err()
            .to_string(),
        "1 direction(s) given for 2 indicator(s), expected one per indicator"
    );
    assert_eq!(
        combine(&[0.5, 0.5], &[1.0, 0.0], 1.5)
            .unwrap_err()
            .to_string(),
        "expert share `1.5` is outside [0, 1]"
    );
    assert_eq!(
        combine(&[0.5, 0.5], &[1.0], 0.5).unwrap_err().to_string(),
        "2 expert weight(s) but 1 objective weight(s), expected as many"
    );
    assert_eq!(
        combine(&[0.5, -0.1], &[1.0, 0.0], 0.5),
        Err(ObjectiveError::BadWeight {
            input: WeightSource::Expert,
            index: 1,
            value: -0.1
        })
    );
    assert_eq!(
        combine(&[0.5, -0.1], &[1.0, 0.0], 0.5)
            .unwrap_err()
            .to_string(),
        "expert weight 1 is `-0.1`, expected a finite number ≥ 0"
    );
    assert_eq!(
        combine(&[0.5, 0.5], &[0.0, 0.0], 0.5)
            .unwrap_err()
            .to_string(),
        "objective weights sum to 0, so they cannot be normalised"
    );
    assert!(combine(&[0.5, 0.5], &[1.0, 1.0], f64::NAN).is_err());
}

#[test]
fn combine_is_the_expert_share() {
    // Expert 3:1 → 0.75, 0.25; objective 1:3 → 0.25, 0.75.
    let w = combine(&[3.0, 1.0], &[1.0, 3.0], 0.8).unwrap_or_else(|e| panic!("{e}"));
    // 0.8 · 0.75 + 0.2 · 0.25 = 0.65; 0.8 · 0.25 + 0.2 · 0.75 = 0.35
    assert_close(&w, &[0.65, 0.35]);
    assert_close(
        &combine(&[3.0, 1.0], &[1.0, 3.0], 1.0).unwrap_or_else(|e| panic!("{e}")),
        &[0.75, 0.25],
    );
    assert_close(
        &combine(&[3.0, 1.0], &[1.0, 3.0], 0.0).unwrap_or_else(|e| panic!("{e}")),
        &[0.25, 0.75],
    );
}

// ---- invariants ----

/// One column of m values: continuous, a few integer levels (ties, sometimes constant), or constant.
fn column(m: usize) -> impl Strategy<Value = Vec<f64>> {
    prop_oneof![
        4 => proptest::collection::vec(-1000.0f64..1000.0, m),
        2 => proptest::collection::vec((0i32..4).prop_map(f64::from), m),
        1 => (-50i32..50).prop_map(move |c| vec![f64::from(c); m]),
    ]
}

fn direction() -> impl Strategy<Value = Direction> {
    prop_oneof![Just(Direction::Benefit), Just(Direction::Cost)]
}

/// (columns, directions) with m in 2..50 rows and n in 1..8 indicators, not all constant.
fn data() -> impl Strategy<Value = (Vec<Vec<f64>>, Vec<Direction>)> {
    (2usize..50, 1usize..8)
        .prop_flat_map(|(m, n)| {
            (
                proptest::collection::vec(column(m), n),
                proptest::collection::vec(direction(), n),
            )
        })
        .prop_filter("not all constant", |(columns, _)| {
            columns.iter().any(|c| c.iter().any(|&x| x != c[0]))
        })
}

fn views(columns: &[Vec<f64>]) -> Vec<&[f64]> {
    columns.iter().map(Vec::as_slice).collect()
}

fn both(columns: &[Vec<f64>], directions: &[Direction]) -> (Vec<f64>, Vec<f64>) {
    let v = views(columns);
    let e = entropy(&v, directions).unwrap_or_else(|err| panic!("{err}"));
    let c = critic(&v, directions).unwrap_or_else(|err| panic!("{err}"));
    (e.weights, c.weights)
}

fn is_distribution(w: &[f64]) -> bool {
    w.iter().all(|&x| x >= 0.0 && x.is_finite()) && (w.iter().sum::<f64>() - 1.0).abs() <= TOL
}

proptest! {
    #[test]
    fn weights_are_a_distribution((columns, directions) in data()) {
        let (e, c) = both(&columns, &directions);
        prop_assert!(is_distribution(&e), "entropy {e:?}");
        prop_assert!(is_distribution(&c), "critic {c:?}");
    }

    #[test]
    fn combine_is_a_distribution(
        pairs in proptest::collection::vec((0.0f64..10.0, 0.0f64..10.0), 1..8),
        alpha in 0.0f64..=1.0,
    ) {
        let expert: Vec<f64> = pairs.iter().map(|p| p.0).collect();
        let objective: Vec<f64> = pairs.iter().map(|p| p.1).collect();
        prop_assume!(expert.iter().sum::<f64>() > 0.0 && objective.iter().sum::<f64>() > 0.0);
        let w = combine(&expert, &objective, alpha).unwrap_or_else(|e| panic!("{e}"));
        prop_assert!(is_distribution(&w), "{w:?}");
    }

    #[test]
    fn invariant_to_positive_affine_transform(
        (columns, directions) in data(),
        pick in any::<prop::sample::Index>(),
        a in 0.01f64..100.0,
        b in -1000.0f64..1000.0,
    ) {
        let j = pick.index(columns.len());
        let mut moved = columns.clone();
        for x in &mut moved[j] {
            *x = a * *x + b;
        }
        let (e0, c0) = both(&columns, &directions);
        let (e1, c1) = both(&moved, &directions);
        prop_assert!(close(&e0, &e1, TOL), "entropy {e0:?} vs {e1:?}");
        prop_assert!(close(&c0, &c1, TOL), "critic {c0:?} vs {c1:?}");
    }

    #[test]
    fn invariant_to_row_order((columns, directions) in data(), seed in any::<u64>()) {
        use rand::SeedableRng;
        use rand::seq::SliceRandom;
        let m = columns[0].len();
        let mut order: Vec<usize> = (0..m).collect();
        order.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(seed));
        let shuffled: Vec<Vec<f64>> = columns
            .iter()
            .map(|c| order.iter().map(|&i| c[i]).collect())
            .collect();
        let (e0, c0) = both(&columns, &directions);
        let (e1, c1) = both(&shuffled, &directions);
        prop_assert!(close(&e0, &e1, TOL), "entropy {e0:?} vs {e1:?}");
        prop_assert!(close(&c0, &c1, TOL), "critic {c0:?} vs {c1:?}");
    }

    #[test]
    fn flipping_direction_and_sign_changes_nothing(
        (columns, directions) in data(),
        pick in any::<prop::sample::Index>(),
    ) {
        let j = pick.index(columns.len());
        let mut flipped = columns.clone();
        for x in &mut flipped[j] {
            *x = -*x;
        }
        let mut flipped_directions = directions.clone();
        flipped_directions[j] = match directions[j] {
            Direction::Benefit => Direction::Cost,
            Direction::Cost => Direction::Benefit,
        };
        let (e0, c0) = both(&columns, &directions);
        let (e1, c1) = both(&flipped, &flipped_directions);
        prop_assert!(close(&e0, &e1, TOL), "entropy {e0:?} vs {e1:?}");
        prop_assert!(close(&c0, &c1, TOL), "critic {c0:?} vs {c1:?}");
    }
}
