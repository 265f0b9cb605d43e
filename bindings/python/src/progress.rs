//! The worker thread that grades with the GIL released, and the progress a Python callback is
//! told on the way.
//!
//! The engine tells [`Ticks`] how many enterprises are done from its grading threads
//! ([`riskgrade::Options::progress`]); the calling thread wakes every 50 ms and, holding the GIL,
//! checks for Ctrl-C and tells the Python callback `(done, total)` when the count moved. So the
//! callback always runs on the thread that called (tqdm and notebooks expect that), an exception
//! it raises, like a `KeyboardInterrupt`, sets the cancel flag, the engine stops within a chunk
//! of enterprises, and the exception reaches the caller; nothing is returned half-graded.

use std::ops::ControlFlow;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::time::Duration;

use pyo3::prelude::*;
use riskgrade::Options;

use crate::errors::EvaluationError;

/// How often the calling thread wakes to check for Ctrl-C and tell progress.
const POLL: Duration = Duration::from_millis(50);

/// The latest `(done, total)` the engine told, shared with the calling thread.
#[derive(Debug, Default)]
pub(crate) struct Ticks {
    done: AtomicU64,
    total: AtomicU64,
    started: AtomicBool,
}

impl Ticks {
    /// `options` telling these ticks the batch's progress.
    pub(crate) fn hook(self: &Arc<Self>, options: Options) -> Options {
        let ticks = Arc::clone(self);
        options.progress(move |done, total| {
            ticks.total.store(total as u64, Ordering::Relaxed);
            ticks.done.store(done as u64, Ordering::Relaxed);
            ticks.started.store(true, Ordering::Release);
            ControlFlow::Continue(())
        })
    }

    /// `(done, total)`, or nothing before the engine told the first count.
    fn load(&self) -> Option<(u64, u64)> {
        if !self.started.load(Ordering::Acquire) {
            return None;
        }
        let done = self.done.load(Ordering::Relaxed);
        Some((done, self.total.load(Ordering::Relaxed).max(done)))
    }
}

/// A Python progress callback and the last count it was told.
struct Teller<'py> {
    callback: Option<&'py Bound<'py, PyAny>>,
    ticks: Option<&'py Ticks>,
    told: Option<(u64, u64)>,
}

impl Teller<'_> {
    /// Calls the callback with the current count when it moved since the last call.
    fn tell(&mut self) -> PyResult<()> {
        let (Some(callback), Some(ticks)) = (self.callback, self.ticks) else {
            return Ok(());
        };
        let Some(now) = ticks.load() else {
            return Ok(());
        };
        if self.told != Some(now) {
            self.told = Some(now);
            callback.call1(now)?;
        }
        Ok(())
    }
}

/// Runs `work` on a worker thread with the GIL released, checking for Ctrl-C every 50 ms and
/// telling `callback` the progress in `ticks`; a signal or an exception from the callback sets
/// the cancel flag, waits for the worker to stop, and raises. A panic in the worker becomes an
/// `EvaluationError`.
pub(crate) fn detached<T: Send>(
    py: Python<'_>,
    callback: Option<&Bound<'_, PyAny>>,
    ticks: Option<&Ticks>,
    work: impl FnOnce(Arc<AtomicBool>) -> PyResult<T> + Send,
) -> PyResult<T> {
    let flag = Arc::new(AtomicBool::new(false));
    let mut teller = Teller {
        callback,
        ticks,
        told: None,
    };
    std::thread::scope(|s| {
        let (tx, rx) = channel();
        let f = Arc::clone(&flag);
        s.spawn(move || {
            let r = std::panic::catch_unwind(AssertUnwindSafe(|| work(f)));
            let _ = tx.send(r);
        });
        // The receiver is moved into each wait without the GIL and handed back.
        let mut rx = Some(rx);
        loop {
            let Some(r) = rx.take() else {
                return Err(EvaluationError::new_err(
                    "internal error (please report it): no worker",
                ));
            };
            let (got, back) = py.detach(move || (r.recv_timeout(POLL), r));
            rx = Some(back);
            match got {
                Ok(Ok(r)) => {
                    let r = r?;
                    teller.tell()?;
                    return Ok(r);
                }
                Ok(Err(panic)) => return Err(panicked(&*panic)),
                Err(RecvTimeoutError::Timeout) => {
                    if let Err(e) = py.check_signals().and_then(|()| teller.tell()) {
                        flag.store(true, Ordering::Relaxed);
                        if let Some(r) = rx.take() {
                            let _ = py.detach(move || r.recv());
                        }
                        return Err(e);
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(EvaluationError::new_err(
                        "internal error (please report it): the worker stopped",
                    ));
                }
            }
        }
    })
}

/// A worker's panic as an `EvaluationError`.
fn panicked(panic: &(dyn std::any::Any + Send)) -> PyErr {
    let msg = panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    EvaluationError::new_err(format!("internal error (please report it): {msg}"))
}
