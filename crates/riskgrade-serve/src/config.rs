//! The service's settings: where it listens, which store it serves, and its bounds.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// How the service runs. Built with [`Config::new`] and chainable setters.
///
/// ```
/// let config = riskgrade_serve::Config::new("demo.db")
///     .listen("127.0.0.1:0".parse()?)
///     .max_batch(500);
/// assert_eq!(config.max_batch, 500);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// The history store to serve.
    pub store: PathBuf,
    /// The address to listen on (default `127.0.0.1:8080`).
    pub listen: SocketAddr,
    /// Read connections to the store (default 4).
    pub readers: usize,
    /// The largest request body accepted, in bytes (default 64 KiB).
    pub max_body: usize,
    /// The longest request target (path and query) accepted, in bytes (default 2048).
    pub max_target: usize,
    /// The most codes in one batch lookup (default 1000).
    pub max_batch: usize,
    /// Failed authentications a client may make per window before it gets 429 (default 10).
    pub auth_failures: u32,
    /// The rate limiter's window (default 60 s).
    pub auth_window: Duration,
    /// Days after a period's run after which an unclosed alert is overdue (default 15).
    pub overdue_days: i64,
    /// Class names shown beside each class (e.g. `A` → `信用风险低 low`).
    pub class_names: BTreeMap<String, String>,
}

impl Config {
    /// The defaults for serving `store`.
    pub fn new(store: impl Into<PathBuf>) -> Config {
        Config {
            store: store.into(),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            readers: 4,
            max_body: 64 * 1024,
            max_target: 2048,
            max_batch: 1000,
            auth_failures: 10,
            auth_window: Duration::from_secs(60),
            overdue_days: 15,
            class_names: BTreeMap::new(),
        }
    }

    /// Listen on `addr` (port 0: any free port).
    pub fn listen(mut self, addr: SocketAddr) -> Config {
        self.listen = addr;
        self
    }

    /// Use `n` read connections (at least 1).
    pub fn readers(mut self, n: usize) -> Config {
        self.readers = n.max(1);
        self
    }

    /// Accept request bodies up to `bytes`.
    pub fn max_body(mut self, bytes: usize) -> Config {
        self.max_body = bytes;
        self
    }

    /// Accept request targets (path and query) up to `bytes`.
    pub fn max_target(mut self, bytes: usize) -> Config {
        self.max_target = bytes;
        self
    }

    /// Accept batches of up to `n` codes.
    pub fn max_batch(mut self, n: usize) -> Config {
        self.max_batch = n;
        self
    }

    /// Allow `failures` failed authentications per client per `window`.
    pub fn auth_limit(mut self, failures: u32, window: Duration) -> Config {
        self.auth_failures = failures;
        self.auth_window = window;
        self
    }

    /// An alert not closed `days` after its period's run is overdue.
    pub fn overdue_days(mut self, days: i64) -> Config {
        self.overdue_days = days;
        self
    }

    /// Names to show beside class codes.
    pub fn class_names(mut self, names: BTreeMap<String, String>) -> Config {
        self.class_names = names;
        self
    }
}
