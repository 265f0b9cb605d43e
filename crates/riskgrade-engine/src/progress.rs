//! Progress of a batch: an optional callback told how many enterprises are
//! through its stages (scoring, rules, reasons), which may stop the batch
//! ([`crate::Options::progress`]).
//!
//! The stages run their chunks on several threads; [`Reporter`] turns their
//! completions into calls whose counts never decrease, one caller at a time.
//! Without a callback nothing is counted, so grading costs the same as before.

use std::fmt;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// A progress callback: `(enterprises done, enterprises in the batch)`;
/// [`ControlFlow::Break`] stops the batch with [`crate::EvalError::Cancelled`].
type Callback = dyn Fn(usize, usize) -> ControlFlow<()> + Send + Sync;

/// A shared progress callback, compared by identity like a cancel flag.
#[derive(Clone)]
pub(crate) struct Progress(Arc<Callback>);

impl Progress {
    pub(crate) fn new(f: impl Fn(usize, usize) -> ControlFlow<()> + Send + Sync + 'static) -> Self {
        Progress(Arc::new(f))
    }
}

impl fmt::Debug for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Progress(..)")
    }
}

impl PartialEq for Progress {
    fn eq(&self, other: &Progress) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}
impl Eq for Progress {}

/// The stages a batch's progress is counted over, in order: scoring the
/// indicators, the rules pass, the reasons. Each counts as a third of the way.
pub(crate) const STAGES: usize = 3;

/// One batch's progress: the rows done so far and whether the callback asked to stop.
///
/// A batch goes through [`STAGES`] stages, each over every row; the count told is
/// `(rows through earlier stages + rows through this one) / STAGES`, so a bar
/// moves through the whole call, not only through its slowest stage.
pub(crate) struct Reporter<'a> {
    callback: Option<&'a Progress>,
    total: usize,
    /// The stage under way (0-based).
    stage: AtomicUsize,
    /// Rows through the stage under way.
    done: AtomicUsize,
    /// The largest count passed to the callback; held while calling it.
    told: Mutex<usize>,
    stopped: AtomicBool,
}

impl<'a> Reporter<'a> {
    /// A reporter for a batch of `total` rows; tells the callback `(0, total)`.
    pub(crate) fn start(callback: Option<&'a Progress>, total: usize) -> Self {
        let r = Reporter {
            callback,
            total,
            stage: AtomicUsize::new(0),
            done: AtomicUsize::new(0),
            told: Mutex::new(0),
            stopped: AtomicBool::new(false),
        };
        r.tell(0);
        r
    }

    /// Whether the callback asked to stop.
    pub(crate) fn stopped(&self) -> bool {
        self.stopped.load(Ordering::Relaxed)
    }

    /// `rows` more rows are through the stage under way. Called from any
    /// thread; when another thread is calling the callback this count is told
    /// by a later call instead.
    pub(crate) fn advance(&self, rows: usize) {
        if self.callback.is_none() {
            return;
        }
        let done = self.done.fetch_add(rows, Ordering::Relaxed) + rows;
        let stage = self.stage.load(Ordering::Relaxed);
        self.tell_at_least(self.count(stage, done), false);
    }

    /// The stage under way is over for every row; the next one starts. Called
    /// between stages, from one thread.
    pub(crate) fn next_stage(&self) {
        if self.callback.is_none() {
            return;
        }
        let stage = (self.stage.load(Ordering::Relaxed) + 1).min(STAGES);
        self.stage.store(stage, Ordering::Relaxed);
        self.done.store(0, Ordering::Relaxed);
        self.tell_at_least(self.count(stage, 0), true);
    }

    /// Every row is done: tells `(total, total)` unless it was told already.
    pub(crate) fn finish(&self) {
        if self.callback.is_some() {
            self.tell_at_least(self.total, true);
        }
    }

    /// The rows to tell when `done` rows are through stage `stage`.
    fn count(&self, stage: usize, done: usize) -> usize {
        (stage.min(STAGES) * self.total + done.min(self.total)) / STAGES
    }

    /// Tells `count` when it is more than was told; `wait` when another thread
    /// is telling, else leaves the count to a later call.
    fn tell_at_least(&self, count: usize, wait: bool) {
        let guard = if wait {
            Some(self.told.lock().unwrap_or_else(|e| e.into_inner()))
        } else {
            self.told.try_lock().ok()
        };
        if let Some(mut told) = guard
            && count > *told
        {
            *told = count;
            self.call(count);
        }
    }

    fn tell(&self, done: usize) {
        if self.callback.is_some() {
            self.call(done);
        }
    }

    fn call(&self, done: usize) {
        if let Some(cb) = self.callback
            && (cb.0)(done, self.total).is_break()
        {
            self.stopped.store(true, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_rise_to_the_total_and_a_break_stops() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = Arc::clone(&seen);
        let p = Progress::new(move |d, t| {
            s.lock().unwrap().push((d, t));
            if d >= 20 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        // 30 rows through three stages: each stage's rows count a third.
        let r = Reporter::start(Some(&p), 30);
        r.advance(15);
        r.advance(15);
        r.next_stage();
        assert!(!r.stopped());
        r.advance(30);
        assert!(r.stopped());
        r.next_stage();
        r.next_stage();
        r.finish();
        r.finish();
        assert_eq!(
            *seen.lock().unwrap(),
            [(0, 30), (5, 30), (10, 30), (20, 30), (30, 30)]
        );
    }

    #[test]
    fn without_a_callback_nothing_is_counted() {
        let r = Reporter::start(None, 5);
        r.advance(5);
        r.next_stage();
        r.finish();
        assert_eq!(r.done.load(Ordering::Relaxed), 0);
        assert!(!r.stopped());
    }
}
