//! The store's errors.

/// Errors of the history store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed; `context` says what the store was doing.
    #[error("history store {file}: {context}: {source}")]
    Sqlite {
        /// The store's file (`:memory:` for an in-memory store).
        file: String,
        /// What the store was doing.
        context: String,
        /// SQLite's error.
        #[source]
        source: rusqlite::Error,
    },
    /// The file was written by a newer riskgrade.
    #[error(
        "history store {file} has schema version {found}; this riskgrade reads up to version {supported}: upgrade riskgrade"
    )]
    NewerSchema {
        /// The store's file.
        file: String,
        /// The file's schema version.
        found: u32,
        /// The newest version this build knows.
        supported: u32,
    },
    /// A request the store cannot carry out, e.g. revoking a decision that does not exist.
    #[error("{0}")]
    Invalid(String),
    /// Stored data that does not parse (a damaged or hand-edited file).
    #[error("history store {file}: {what}")]
    Corrupt {
        /// The store's file.
        file: String,
        /// What did not parse.
        what: String,
    },
}

/// Result alias of the store.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
