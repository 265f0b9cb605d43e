//! Catching the panics of the Parquet and Arrow decoders on damaged files, quietly: the file
//! is refused with an error, and the decoder's panic message (with its backtrace) is not
//! printed as if riskgrade had crashed. Panics elsewhere, and on other threads, are reported
//! as usual.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

thread_local! {
    /// Whether a panic on this thread is being caught by [`catch_quietly`].
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

static HOOK: Once = Once::new();

/// Runs `f`, catching a panic; while it runs, a panic on this thread prints nothing.
pub(crate) fn catch_quietly<R>(f: impl FnOnce() -> R) -> std::thread::Result<R> {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
    let was = QUIET.with(|q| q.replace(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(was));
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caught_panic_is_an_error_and_the_flag_is_restored() {
        let caught = catch_quietly(|| -> u8 { panic!("damaged") });
        assert!(caught.is_err());
        assert_eq!(catch_quietly(|| 7).ok(), Some(7));
        assert!(!QUIET.with(Cell::get));
    }
}
