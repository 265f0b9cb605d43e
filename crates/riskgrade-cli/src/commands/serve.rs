//! `serve`: the results service over a history store, until Ctrl-C.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;
use riskgrade_serve::{Config, ServeError};

use crate::error::{Failure, store_failure};
use crate::load::{load_model, must_exist, open_store};
use crate::ui::Ui;

/// Arguments of `serve`.
#[derive(Args)]
pub(crate) struct ServeArgs {
    /// History store to serve.
    #[arg(long, short = 's')]
    store: PathBuf,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Model set whose class names are shown beside the classes (default: the embedded reference set).
    #[arg(long)]
    model: Option<PathBuf>,
    /// Days after a period's run after which an alert not closed is overdue.
    #[arg(long, default_value_t = 15)]
    overdue_days: i64,
    /// Most enterprises in one batch lookup.
    #[arg(long, default_value_t = 1000)]
    max_batch: usize,
    /// Read connections to the store.
    #[arg(long, default_value_t = 4)]
    readers: usize,
}

fn serve_failure(e: ServeError) -> Failure {
    match e {
        ServeError::Store(e) => store_failure(e),
        other => Failure::io(other),
    }
}

/// Runs the service until Ctrl-C.
pub(crate) fn serve(ui: &Ui, args: ServeArgs) -> Result<u8, Failure> {
    // Opening it here migrates an older store once, and refuses a missing one.
    must_exist(&args.store)?;
    drop(open_store(&args.store)?);
    let set = load_model(args.model.as_deref())?;
    let mut class_names = BTreeMap::new();
    for m in set.models() {
        let c = m.classes();
        for (name, label) in c.names().iter().zip(c.labels()) {
            if name != label {
                class_names
                    .entry(name.clone())
                    .or_insert_with(|| label.clone());
            }
        }
    }
    let config = Config::new(&args.store)
        .listen(args.listen)
        .class_names(class_names)
        .overdue_days(args.overdue_days)
        .max_batch(args.max_batch)
        .readers(args.readers);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Failure::io)?;
    runtime.block_on(async {
        let running = riskgrade_serve::start(config)
            .await
            .map_err(serve_failure)?;
        ui.say(format!(
            "serving {} on http://{}/api/v1 (the API: /api/v1/openapi.json); Ctrl-C stops",
            args.store.display(),
            running.addr()
        ));
        tokio::signal::ctrl_c().await.map_err(Failure::io)?;
        ui.say("stopping: finishing the requests in flight and the access log");
        running.stop().await.map_err(serve_failure)
    })?;
    Ok(0)
}
