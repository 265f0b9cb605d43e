//! `keys`: API keys of the results service: issue (the key is shown once),
//! list, revoke.

use std::path::PathBuf;

use clap::Subcommand;
use riskgrade::display::escape;
use riskgrade::store::Role;
use riskgrade_serve::{KeyError, issue_key};

use crate::error::{Failure, store_failure};
use crate::load::{open_existing, open_existing_for_writing};
use crate::ui::{Ui, out};

/// Managing the service's API keys.
#[derive(Subcommand)]
pub(crate) enum KeysCommand {
    /// Issue a key and print it (the only time it is shown; the store keeps a salted hash).
    Add {
        /// History store.
        #[arg(long, short = 's')]
        store: PathBuf,
        /// The key's role: public, department, analyst or admin.
        #[arg(long)]
        role: String,
        /// The department (required for the department role), as the routing table names it.
        #[arg(long)]
        department: Option<String>,
        /// Who or what the key is for.
        #[arg(long, default_value = "")]
        note: String,
        /// Who issues it (for the audit trail).
        #[arg(long, default_value = "riskgrade")]
        by: String,
    },
    /// List the keys (ids, roles, departments; never secrets).
    List {
        /// History store.
        #[arg(long, short = 's')]
        store: PathBuf,
    },
    /// Revoke a key by its id: it authenticates nothing from now on.
    Revoke {
        /// History store.
        #[arg(long, short = 's')]
        store: PathBuf,
        /// The key's id (the part after `rgk_`).
        id: String,
        /// Who revokes it (for the audit trail).
        #[arg(long, default_value = "riskgrade")]
        by: String,
    },
}

/// Runs a `keys` command.
pub(crate) fn keys(ui: &Ui, command: KeysCommand) -> Result<u8, Failure> {
    match command {
        KeysCommand::Add {
            store,
            role,
            department,
            note,
            by,
        } => {
            let role = Role::parse(&role).ok_or_else(|| {
                Failure::usage(format!(
                    "unknown role `{role}`; one of public, department, analyst, admin"
                ))
            })?;
            let mut store = open_existing_for_writing(&store)?;
            let issued = issue_key(&mut store, role, department.as_deref(), &note, &by).map_err(
                |e| match e {
                    KeyError::Store(e) => store_failure(e),
                    other => Failure::io(other),
                },
            )?;
            ui.say(format!(
                "key {} ({}{}) issued; it is shown once, keep it now:",
                issued.id,
                issued.role,
                issued
                    .department
                    .as_deref()
                    .map(|d| format!(", {d}"))
                    .unwrap_or_default()
            ));
            out(issued.key);
            Ok(0)
        }
        KeysCommand::List { store } => {
            let store = open_existing(&store)?;
            for k in store.keys().map_err(store_failure)? {
                let state = if k.revoked_at.is_some() {
                    "revoked"
                } else {
                    "active"
                };
                out(format!(
                    "{}  {:<10}  {:<20}  {:<7}  {}",
                    k.id,
                    k.role.name(),
                    escape(k.department.as_deref().unwrap_or("-")),
                    state,
                    escape(&k.note)
                ));
            }
            Ok(0)
        }
        KeysCommand::Revoke { store, id, by } => {
            let mut store = open_existing_for_writing(&store)?;
            store.revoke_key(&id, &by).map_err(store_failure)?;
            ui.say(format!("key {id} revoked"));
            Ok(0)
        }
    }
}
