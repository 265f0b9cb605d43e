//! The allocator of riskgrade's programs: the `riskgrade` command line, the
//! Python module and the benchmarks declare [`MiMalloc`] as their global
//! allocator; the Python module, and the benchmarks that stand for it, call
//! [`hold_freed_memory`] first thing.
//!
//! A batch of a million enterprises allocates and frees about 2 GiB (the
//! frame, the grades, the results' Arrow buffers). mimalloc gives freed
//! memory back to the system once it has lain unused for a second; the next
//! call from Python, or the next stage of the same one, then maps it again
//! and the kernel zeroes every page afresh. On a 2-core machine, grading the
//! same million rows four times in a row took 131,532 page faults and 11.0 s
//! of system time for 13.0 s of user time (`rust_batch`, see `benches/`);
//! with freed memory held for ten seconds, 2,863 faults and 1.6 s. Ten
//! seconds is the delay after which jemalloc, by default, returns unused
//! memory: a program between calls keeps what it will need again, and an
//! idle one still gives it back. The command line keeps mimalloc's default:
//! its batches follow each other within the second, and holding memory there
//! measured the same time for a higher peak.
//!
//! ```
//! riskgrade_alloc::hold_freed_memory();
//! assert_eq!(riskgrade_alloc::held_for_ms(), 10_000);
//! ```
// mimalloc's options are set through its C interface.
#![allow(unsafe_code)]

use std::ffi::c_long;

pub use mimalloc::MiMalloc;

use libmimalloc_sys::{mi_option_get, mi_option_set, mi_option_t};

/// `mi_option_purge_delay` in mimalloc 3's `mi_option_e` (`include/mimalloc.h`):
/// milliseconds before freed memory is purged (default 1,000).
const PURGE_DELAY: mi_option_t = 15;

/// `mi_option_arena_purge_mult`: the purge delay's multiplier for arenas,
/// where mimalloc 3 keeps all its memory (default 1).
const ARENA_PURGE_MULT: mi_option_t = 24;

/// The environment variable with which a user sets [`ARENA_PURGE_MULT`] themselves.
const ARENA_PURGE_MULT_ENV: &str = "MIMALLOC_ARENA_PURGE_MULT";

/// How many purge delays freed memory is held: ten times the default delay, 10 s.
const HOLD: c_long = 10;

/// Holds freed memory for ten seconds before giving it back to the system,
/// unless `MIMALLOC_ARENA_PURGE_MULT` is set (the user's choice stands).
/// Call it before the first large allocation; calling it again changes nothing.
pub fn hold_freed_memory() {
    if std::env::var_os(ARENA_PURGE_MULT_ENV).is_none() {
        // SAFETY: `mi_option_set` writes one entry of mimalloc's option table;
        // the option is in range and every value of it is valid.
        unsafe { mi_option_set(ARENA_PURGE_MULT, HOLD) }
    }
}

/// How long freed memory is now held before it is given back, in
/// milliseconds (negative: never given back).
#[allow(clippy::useless_conversion)] // `c_long` is 32 bits on Windows
pub fn held_for_ms() -> i64 {
    // SAFETY: `mi_option_get` reads one entry of mimalloc's option table.
    let (delay, mult) = unsafe { (mi_option_get(PURGE_DELAY), mi_option_get(ARENA_PURGE_MULT)) };
    i64::from(delay).saturating_mul(i64::from(mult))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The option indices name the options meant: mimalloc reads its options
    /// from the environment by name, so a child process given them by name
    /// must see them at these indices.
    #[test]
    fn the_option_indices_are_mimallocs_purge_options() {
        if std::env::var_os("RISKGRADE_ALLOC_CHILD").is_some() {
            // In the child: the values set by name, read by index.
            // SAFETY: reads of mimalloc's option table.
            let (delay, mult) =
                unsafe { (mi_option_get(PURGE_DELAY), mi_option_get(ARENA_PURGE_MULT)) };
            assert_eq!((delay, mult), (1234, 7));
            hold_freed_memory();
            assert_eq!(held_for_ms(), 1234 * 7, "the user's setting stands");
            return;
        }
        let exe = std::env::current_exe().unwrap();
        let out = std::process::Command::new(exe)
            .args([
                "--exact",
                "tests::the_option_indices_are_mimallocs_purge_options",
            ])
            .env("RISKGRADE_ALLOC_CHILD", "1")
            .env("MIMALLOC_PURGE_DELAY", "1234")
            .env(ARENA_PURGE_MULT_ENV, "7")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(text.contains("1 passed"), "{text}");
    }

    #[test]
    fn freed_memory_is_held_ten_seconds_by_default() {
        if std::env::var_os(ARENA_PURGE_MULT_ENV).is_some()
            || std::env::var_os("MIMALLOC_PURGE_DELAY").is_some()
        {
            return;
        }
        hold_freed_memory();
        assert_eq!(held_for_ms(), 10_000);
    }
}
