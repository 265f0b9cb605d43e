//! `store upgrade`: bring a history store written by an earlier riskgrade to this version's
//! schema, explicitly, keeping a copy of it as it was. Reading commands never upgrade a store;
//! they refuse an older one and point here.

use std::path::{Path, PathBuf};

use riskgrade::display::escape;
use riskgrade::store::Store;

use crate::error::{Failure, store_failure};
use crate::ui::Ui;

/// Looking after a history store file.
#[derive(clap::Subcommand)]
pub(crate) enum StoreCommand {
    /// Upgrade a history store written by an earlier riskgrade to this version's schema,
    /// after copying it as it was (to `<store>.schema-<version>.bak`, or `--backup`).
    Upgrade {
        /// History store.
        #[arg(long, short = 's')]
        store: PathBuf,
        /// Where to copy the store before upgrading it; an existing file is never replaced.
        #[arg(long)]
        backup: Option<PathBuf>,
    },
}

/// `riskgrade store …`.
pub(crate) fn store(ui: &Ui, command: StoreCommand) -> Result<u8, Failure> {
    match command {
        StoreCommand::Upgrade { store, backup } => upgrade(ui, &store, backup.as_deref()),
    }
}

fn upgrade(ui: &Ui, path: &Path, backup: Option<&Path>) -> Result<u8, Failure> {
    let done = Store::upgrade(path, backup).map_err(store_failure)?;
    let shown = path.display().to_string();
    let file = escape(&shown);
    match &done.backup {
        None => ui.say(format!(
            "{file}: schema version {}, nothing to upgrade",
            done.to
        )),
        Some(copy) => ui.say(format!(
            "{file}: upgraded from schema version {} to {}; the store as it was is in {}",
            done.from,
            done.to,
            escape(&copy.display().to_string())
        )),
    }
    Ok(0)
}
