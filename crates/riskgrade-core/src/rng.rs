//! Seeded randomness: the one place the workspace turns a seed into numbers.
//!
//! Everything random in riskgrade — the synthetic population, the demo's
//! simulated inspections, hold-out samples — is a pure function of a seed, so
//! that a run can be repeated bit for bit. These helpers are that function's
//! building blocks: SplitMix64 (Steele, Lea & Flood, 2014) as a mixer, a
//! counter-based uniform number, and the 32-byte key for a ChaCha stream.

/// The golden-ratio increment of SplitMix64.
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's output function: a bijective mix of all 64 bits.
///
/// ```
/// use riskgrade_core::rng::mix64;
/// assert_eq!(mix64(0), 0);
/// assert_ne!(mix64(1), mix64(2));
/// ```
#[must_use]
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// One step of SplitMix64 from state `x`: `mix64(x + golden)`.
///
/// ```
/// use riskgrade_core::rng::splitmix64;
/// // The first output of SplitMix64 seeded with 0 (reference implementation).
/// assert_eq!(splitmix64(0), 0xE220_A839_7B1D_CDAF);
/// ```
#[must_use]
pub fn splitmix64(x: u64) -> u64 {
    mix64(x.wrapping_add(GOLDEN))
}

/// A uniform number in `[0, 1)` for counter `i` under `seed`, with 53 random bits.
///
/// The same `(seed, i)` always gives the same number, so a simulation that
/// draws number `i` for enterprise `i` does not depend on row order or threads.
///
/// ```
/// use riskgrade_core::rng::unit;
/// let x = unit(7, 3);
/// assert!((0.0..1.0).contains(&x));
/// assert_eq!(x, unit(7, 3));
/// assert_ne!(x, unit(7, 4));
/// ```
#[must_use]
pub fn unit(seed: u64, i: u64) -> f64 {
    to_unit(mix64(seed ^ i.wrapping_mul(GOLDEN)))
}

/// The top 53 bits of `bits` as a number in `[0, 1)`.
#[must_use]
pub fn to_unit(bits: u64) -> f64 {
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

/// A 32-byte key (for a ChaCha stream) from a 64-bit seed: four SplitMix64 outputs.
///
/// ```
/// use riskgrade_core::rng::key;
/// assert_eq!(key(1), key(1));
/// assert_ne!(key(1), key(2));
/// ```
#[must_use]
pub fn key(seed: u64) -> [u8; 32] {
    let mut key = [0u8; 32];
    let mut state = seed;
    for chunk in key.chunks_exact_mut(8) {
        state = splitmix64(state);
        chunk.copy_from_slice(&state.to_le_bytes());
    }
    key
}
