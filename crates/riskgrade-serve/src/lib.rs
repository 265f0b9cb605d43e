//! # riskgrade-serve
//!
//! The results service: a versioned JSON API (`/api/v1`) over a riskgrade
//! history store, for partner systems, departments, analysts and the public.
//! It is a thin layer over the library: every answer comes from the store and
//! the monthly functions (`queues`, `compare_periods`, a result's history);
//! the service adds keys, roles, bounds and the access log.
//!
//! | role | sees |
//! |---|---|
//! | no key | `/health`, `/openapi.json`, published inspection results |
//! | `public` | shared results: periods, summaries, the migration matrix, class, class name and labels |
//! | `department` | the above with scores, reasons and its own alerts; its own queue, which it handles |
//! | `analyst` | everything, read-only: every queue, movers, PSI, rules and history |
//! | `admin` | what an analyst sees, keys and the access log |
//!
//! | module | holds |
//! |---|---|
//! | `config` | [`Config`]: address, store, bounds, rate limit, overdue days |
//! | `keys` | [`issue_key`], [`check_key`]: keys as `rgk_<id>_<secret>`, stored salted and hashed |
//! | `state` | the read pool, the write connection and the per-period caches |
//! | `gate` | bounds, rate limit, authentication and the access log, around every request |
//! | `limiter` | failed authentications per client |
//! | `routes` | the router |
//! | `openapi` | the OpenAPI document, from one table of endpoints |
//! | `api` | the endpoints: `results`, `alerts`, `public`, `admin` |
//! | `dashboard` | server-rendered pages for analysts and departments: sessions, CSRF, SVG charts |
//! | `error` | [`ApiError`] (JSON errors), [`ServeError`] |
//!
//! ```no_run
//! # async fn example() -> Result<(), riskgrade_serve::ServeError> {
//! let running = riskgrade_serve::start(riskgrade_serve::Config::new("demo.db")).await?;
//! println!("listening on http://{}", running.addr());
//! tokio::signal::ctrl_c().await.ok();
//! running.stop().await
//! # }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod api;
mod config;
mod dashboard;
mod error;
mod gate;
mod keys;
mod limiter;
mod openapi;
mod routes;
mod state;

use std::net::SocketAddr;
use std::thread::JoinHandle;

use riskgrade::store::{AccessEntry, Store};
use tokio::sync::{mpsc, oneshot};

pub use config::Config;
pub use error::{ApiError, ServeError};
pub use keys::{IssuedKey, KeyError, Rejected, check_key, issue_key};

use state::AppState;

/// Entries written to the access log in one transaction, at most.
const LOG_BATCH: usize = 1024;

/// A running service.
#[derive(Debug)]
pub struct Running {
    addr: SocketAddr,
    shutdown: oneshot::Sender<()>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    log_writer: JoinHandle<()>,
}

impl Running {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops taking connections, finishes the requests in flight, and writes
    /// the rest of the access log.
    ///
    /// # Errors
    /// [`ServeError::Stopped`] when the server failed while running.
    pub async fn stop(self) -> Result<(), ServeError> {
        let _ = self.shutdown.send(());
        let served = self.server.await;
        let writer = self.log_writer;
        let _ = tokio::task::spawn_blocking(move || writer.join()).await;
        match served {
            Ok(r) => r.map_err(|source| ServeError::Stopped { source }),
            Err(e) => Err(ServeError::Stopped {
                source: std::io::Error::other(e),
            }),
        }
    }
}

/// Writes access log entries as they come, many per transaction under load,
/// until every sender is gone.
fn log_writer(mut store: Store, mut rx: mpsc::UnboundedReceiver<AccessEntry>) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let mut batch = Vec::with_capacity(LOG_BATCH);
        while let Some(first) = rx.blocking_recv() {
            batch.push(first);
            while batch.len() < LOG_BATCH {
                match rx.try_recv() {
                    Ok(e) => batch.push(e),
                    Err(_) => break,
                }
            }
            if let Err(e) = store.log_access(&batch) {
                eprintln!(
                    "riskgrade serve: {} access log entries not written: {e}",
                    batch.len()
                );
            }
            batch.clear();
        }
    })
}

/// Opens the store (migrating it once, on the write connection), binds the
/// address and starts serving in the background.
///
/// # Errors
/// [`ServeError::Store`] when the store cannot be opened, [`ServeError::Listen`]
/// when the address cannot be bound.
pub async fn start(config: Config) -> Result<Running, ServeError> {
    let path = config.store.clone();
    let writer = Store::open(&path)?;
    let log_store = Store::open(&path)?;
    let readers = (0..config.readers)
        .map(|_| Store::open_read_only(&path))
        .collect::<Result<Vec<_>, _>>()?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| ServeError::Listen {
            addr: config.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| ServeError::Listen {
        addr: config.listen,
        source,
    })?;
    let (tx, rx) = mpsc::unbounded_channel();
    let log_writer = log_writer(log_store, rx);
    let app = routes::router(AppState::new(config, readers, writer, tx));
    let (shutdown, signal) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = signal.await;
        })
        .await
    });
    Ok(Running {
        addr,
        shutdown,
        server,
        log_writer,
    })
}
