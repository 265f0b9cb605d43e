//! The service's shared state: a pool of read connections to the store, one
//! write connection, the access log's writer, the rate limiter, and caches of
//! what is expensive to compute per period (queues, comparisons).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use riskgrade::store::{AccessEntry, Queues, RunInfo, Store};
use riskgrade::{Month, PeriodComparison, PublicRow, PublishOptions, publish_draw};
use tokio::sync::mpsc::UnboundedSender;

use crate::Config;
use crate::error::ApiError;
use crate::limiter::Limiter;

/// Everything a request handler can reach.
#[derive(Clone)]
pub(crate) struct AppState(pub(crate) Arc<Inner>);

pub(crate) struct Inner {
    pub(crate) config: Config,
    readers: Vec<Mutex<Store>>,
    next: AtomicUsize,
    writer: Mutex<Store>,
    pub(crate) log: UnboundedSender<AccessEntry>,
    pub(crate) limiter: Limiter,
    runs: Mutex<Option<(Instant, Arc<Vec<RunInfo>>)>>,
    queues: Mutex<HashMap<Month, (i64, Arc<Queues>)>>,
    comparisons: Mutex<HashMap<(Month, Month), Stamped<PeriodComparison>>>,
    publications: Mutex<HashMap<i64, Published>>,
    pub(crate) sessions: crate::dashboard::session::Sessions,
}

/// A draw's published rows (`None`: it cannot be published as drawn), with the
/// closed tasks and the `finished_at` of its period's run they were computed from.
type Published = ((i64, i64), Option<Arc<Vec<PublicRow>>>);

/// A cached value and the `finished_at` of the runs it was computed from.
type Stamped<T> = ((i64, i64), Arc<T>);

/// How long the list of runs is reused before it is read again.
const RUNS_TTL: Duration = Duration::from_millis(500);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding a lock leaves the data as it was (nothing here is
    // updated in place in several steps), so a poisoned lock is still usable.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl AppState {
    pub(crate) fn new(
        config: Config,
        readers: Vec<Store>,
        writer: Store,
        log: UnboundedSender<AccessEntry>,
    ) -> AppState {
        let limiter = Limiter::new(config.auth_failures, config.auth_window);
        AppState(Arc::new(Inner {
            config,
            readers: readers.into_iter().map(Mutex::new).collect(),
            next: AtomicUsize::new(0),
            writer: Mutex::new(writer),
            log,
            limiter,
            runs: Mutex::new(None),
            queues: Mutex::new(HashMap::new()),
            comparisons: Mutex::new(HashMap::new()),
            publications: Mutex::new(HashMap::new()),
            sessions: crate::dashboard::session::Sessions::default(),
        }))
    }

    pub(crate) fn config(&self) -> &Config {
        &self.0.config
    }

    /// Runs `f` on a read connection, off the async workers.
    pub(crate) async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Store, &AppState) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let state = self.clone();
        tokio::task::spawn_blocking(move || {
            let inner = &state.0;
            let n = inner.readers.len();
            let start = inner.next.fetch_add(1, Ordering::Relaxed);
            let guard = (0..n)
                .find_map(|i| inner.readers[(start + i) % n].try_lock().ok())
                .unwrap_or_else(|| lock(&inner.readers[start % n]));
            f(&guard, &state)
        })
        .await
        .map_err(|_| ApiError::Internal)?
    }

    /// Runs `f` on the write connection, off the async workers.
    pub(crate) async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let state = self.clone();
        tokio::task::spawn_blocking(move || f(&mut lock(&state.0.writer)))
            .await
            .map_err(|_| ApiError::Internal)?
    }

    /// The stored runs, oldest first (re-read at most every half second).
    pub(crate) fn runs(&self, store: &Store) -> Result<Arc<Vec<RunInfo>>, ApiError> {
        let mut cached = lock(&self.0.runs);
        if let Some((at, runs)) = cached.as_ref()
            && at.elapsed() < RUNS_TTL
        {
            return Ok(Arc::clone(runs));
        }
        let runs = Arc::new(store.runs()?);
        *cached = Some((Instant::now(), Arc::clone(&runs)));
        Ok(runs)
    }

    /// The run of `period`, or the latest when `period` is `None`.
    pub(crate) fn run(&self, store: &Store, period: Option<Month>) -> Result<RunInfo, ApiError> {
        let runs = self.runs(store)?;
        let found = match period {
            Some(p) => runs.iter().find(|r| r.period == p),
            None => runs.last(),
        };
        match (found, period) {
            (Some(r), _) => Ok(r.clone()),
            (None, Some(p)) => Err(ApiError::NotFound {
                what: "period",
                name: p.to_string(),
            }),
            (None, None) => Err(ApiError::NotFound {
                what: "period",
                name: "latest".into(),
            }),
        }
    }

    /// The departments' queues of `run`, computed once per stored run.
    pub(crate) fn queues(&self, store: &Store, run: &RunInfo) -> Result<Arc<Queues>, ApiError> {
        if let Some((at, q)) = lock(&self.0.queues).get(&run.period)
            && *at == run.finished_at
        {
            return Ok(Arc::clone(q));
        }
        let q = Arc::new(riskgrade::queues(store, run.period)?);
        lock(&self.0.queues).insert(run.period, (run.finished_at, Arc::clone(&q)));
        Ok(q)
    }

    /// Two stored runs compared, computed once per pair of stored runs.
    pub(crate) fn comparison(
        &self,
        store: &Store,
        from: &RunInfo,
        to: &RunInfo,
    ) -> Result<Arc<PeriodComparison>, ApiError> {
        let key = (from.period, to.period);
        let stamp = (from.finished_at, to.finished_at);
        if let Some((at, c)) = lock(&self.0.comparisons).get(&key)
            && *at == stamp
        {
            return Ok(Arc::clone(c));
        }
        let c = Arc::new(riskgrade::compare_periods(store, from.period, to.period)?);
        lock(&self.0.comparisons).insert(key, (stamp, Arc::clone(&c)));
        Ok(c)
    }

    /// A draw's published rows, computed again only when a task is closed or
    /// its period graded again.
    pub(crate) fn publication(
        &self,
        store: &Store,
        draw: i64,
    ) -> Result<Option<Arc<Vec<PublicRow>>>, ApiError> {
        let info = store.draw(draw)?;
        let closed = store
            .tasks(draw)?
            .iter()
            .filter(|t| t.outcome.is_some())
            .count();
        let graded = self
            .runs(store)?
            .iter()
            .find(|r| r.period == info.period)
            .map_or(0, |r| r.finished_at);
        let stamp = (i64::try_from(closed).unwrap_or(i64::MAX), graded);
        if let Some((at, rows)) = lock(&self.0.publications).get(&draw)
            && *at == stamp
        {
            return Ok(rows.clone());
        }
        let rows = published(store, draw)?.map(Arc::new);
        lock(&self.0.publications).insert(draw, (stamp, rows.clone()));
        Ok(rows)
    }

    /// The class's name, if one is configured.
    pub(crate) fn class_name(&self, class: &str) -> Option<String> {
        self.0.config.class_names.get(class).cloned()
    }
}

/// A draw's published rows, or `None` when it cannot be published as drawn.
fn published(store: &Store, draw: i64) -> Result<Option<Vec<PublicRow>>, ApiError> {
    let tasks = store.tasks(draw)?;
    let ids: Vec<&str> = tasks.iter().map(|t| t.task.enterprise.as_str()).collect();
    let names = store.directory(&ids)?;
    match publish_draw(store, draw, &names, PublishOptions::default()) {
        Ok(p) => Ok(Some(p.rows)),
        Err(e) => {
            eprintln!("riskgrade serve: draw #{draw} is not published: {e}");
            Ok(None)
        }
    }
}
