//! [`IoError`]: why a file could not be read or written.
//!
//! Bad *values* never stop a load (they become [`riskgrade_core::DataIssue`]s
//! or [`crate::ProfileIssue`]s); an `IoError` means the file as a whole cannot
//! be used: it is absent, unreadable, not the format its extension says, or
//! lacks a column the model needs.

use std::fmt;
use std::path::{Path, PathBuf};

/// The name used for `file` when the input is text in memory ([`crate::parse_profiles_jsonl`]).
pub const TEXT_SOURCE: &str = "<text>";
/// The name used for `file` when the input is Arrow data in memory ([`crate::frame_from_batches`],
/// [`crate::table_to_batch`]).
pub const ARROW_SOURCE: &str = "<arrow>";

/// Why a file could not be read or written.
///
/// Every variant names the file (in-memory sources are called [`TEXT_SOURCE`]
/// or [`ARROW_SOURCE`]) and holds positions and names as data, so callers and
/// the Python bindings can point at the culprit.
///
/// ```
/// use riskgrade_core::{InputSpec, InputType, Schema};
/// use riskgrade_io::IoError;
/// let spec = InputSpec { ty: InputType::Number, derive: None, attribute: None, column: None, description: None };
/// let schema = Schema::new([("penalties_3y".to_string(), spec)]);
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("batch.csv");
/// std::fs::write(&path, "id,industry,penalty_3y\nE1,C14,2\n")?;
/// let e = riskgrade_io::read_frame(&path, &schema).unwrap_err();
/// assert!(matches!(&e, IoError::MissingColumn { column, suggestion, .. }
///     if column == "penalties_3y" && suggestion.as_deref() == Some("penalty_3y")));
/// assert!(e.to_string().ends_with("has no column `penalties_3y` (did you mean `penalty_3y`?)"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IoError {
    /// The operating system refused to open, read or write the file.
    #[error("`{}`: {message}", file.display())]
    Io {
        /// The file.
        file: PathBuf,
        /// The kind of failure (e.g. `NotFound`).
        kind: std::io::ErrorKind,
        /// The system's description.
        message: String,
    },
    /// The file is not valid JSON (or a profile could not be serialised).
    #[error("`{}` line {line}, column {column}: {message}", file.display())]
    Json {
        /// The file.
        file: PathBuf,
        /// One-based line.
        line: usize,
        /// One-based column (0 when unknown).
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The file is not valid CSV, e.g. a line has the wrong number of fields.
    #[error("`{}` line {line}: {message}", file.display())]
    Csv {
        /// The file.
        file: PathBuf,
        /// One-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The file's text is not UTF-8 (e.g. it was saved as GBK).
    #[error("`{}` line {line}{}: text is not valid UTF-8, save the file as UTF-8", file.display(), InColumn(column.as_deref()))]
    NotUtf8 {
        /// The file.
        file: PathBuf,
        /// One-based line.
        line: usize,
        /// The column, when known.
        column: Option<String>,
    },
    /// A column the schema needs is absent.
    #[error("`{}` has no column `{column}`{}", file.display(), Suggestion(suggestion.as_deref()))]
    MissingColumn {
        /// The file.
        file: PathBuf,
        /// The column looked for.
        column: String,
        /// The closest column name the file does have.
        suggestion: Option<String>,
    },
    /// Arrow or Parquet could not decode or encode the data.
    #[error("`{}`: {message}", file.display())]
    Arrow {
        /// The file.
        file: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// A column's Arrow type cannot hold the input's values.
    #[error("column `{column}` has type `{data_type}`, expected {expected}")]
    UnsupportedType {
        /// The column.
        column: String,
        /// Its Arrow type, as Arrow prints it.
        data_type: String,
        /// The types that would do, for people.
        expected: &'static str,
    },
    /// A column of a table read with [`crate::read_table`] has a type no [`crate::Cell`] can hold.
    #[error("`{}` column `{column}` has type `{data_type}`, expected strings, numbers or booleans", file.display())]
    ColumnType {
        /// The file.
        file: PathBuf,
        /// The column.
        column: String,
        /// Its Arrow type, as Arrow prints it.
        data_type: String,
    },
    /// The file's extension names no format this operation handles.
    #[error("`{}`: unknown format, expected a file ending in {}", file.display(), Extensions(supported))]
    UnknownFormat {
        /// The file.
        file: PathBuf,
        /// The extensions this operation handles, without dots.
        supported: &'static [&'static str],
    },
    /// Strict mode: some profiles could not be read.
    #[error("`{}`: {count} profile{} could not be read; first at {first}", file.display(), if *count == 1 { "" } else { "s" })]
    BadProfiles {
        /// The file.
        file: PathBuf,
        /// How many profiles failed.
        count: usize,
        /// The first failure, as [`crate::ProfileIssue`] prints it.
        first: String,
    },
    /// Columns of a table to write have different lengths.
    #[error("column `{column}` has {rows} rows, expected {expected} like the first column")]
    ColumnLength {
        /// The column.
        column: String,
        /// Its number of rows.
        rows: usize,
        /// The number of rows of the first column.
        expected: usize,
    },
    /// A batch written to a [`crate::TableWriter`] has other columns than the first batch.
    #[error("a batch's columns ({}) differ from the first batch's ({})", found.join(", "), expected.join(", "))]
    BatchColumns {
        /// The first batch's columns.
        expected: Vec<String>,
        /// This batch's columns.
        found: Vec<String>,
    },
}

struct InColumn<'a>(Option<&'a str>);
impl fmt::Display for InColumn<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(c) => write!(f, ", column `{c}`"),
            None => Ok(()),
        }
    }
}

struct Suggestion<'a>(Option<&'a str>);
impl fmt::Display for Suggestion<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(s) => write!(f, " (did you mean `{s}`?)"),
            None => Ok(()),
        }
    }
}

struct Extensions(&'static [&'static str]);
impl fmt::Display for Extensions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        for (i, ext) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(if i + 1 == n { " or " } else { ", " })?;
            }
            write!(f, "`.{ext}`")?;
        }
        Ok(())
    }
}

/// Lowercases the first letter of a foreign message (`No such file` → `no such file`).
pub(crate) fn lower_first(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(c) if c.is_uppercase() && !chars.clone().next().is_some_and(char::is_uppercase) => {
            c.to_lowercase().chain(chars).collect()
        }
        _ => message.to_string(),
    }
}

impl IoError {
    pub(crate) fn io(file: &Path, err: &std::io::Error) -> IoError {
        IoError::Io {
            file: file.to_path_buf(),
            kind: err.kind(),
            message: lower_first(&err.to_string()),
        }
    }

    pub(crate) fn arrow(file: &Path, err: &dyn std::error::Error) -> IoError {
        IoError::Arrow {
            file: file.to_path_buf(),
            message: lower_first(&err.to_string()),
        }
    }

    /// A JSON error at `line` (one-based) of `file`, with serde_json's location suffix removed.
    pub(crate) fn json(file: &Path, err: &serde_json::Error, line_offset: usize) -> IoError {
        IoError::Json {
            file: file.to_path_buf(),
            line: line_offset + err.line().max(1) - 1,
            column: err.column(),
            message: json_message(err),
        }
    }

    pub(crate) fn csv(file: &Path, err: csv::Error) -> IoError {
        let line = err.position().map_or(0, |p| p.line() as usize);
        let at = |pos: &Option<csv::Position>| pos.as_ref().map_or(line, |p| p.line() as usize);
        match err.kind() {
            csv::ErrorKind::Io(e) => IoError::io(file, e),
            csv::ErrorKind::UnequalLengths {
                pos,
                expected_len,
                len,
            } => IoError::Csv {
                file: file.to_path_buf(),
                line: at(pos),
                message: format!("found {len} fields, expected {expected_len} as in the header"),
            },
            csv::ErrorKind::Utf8 { pos, .. } => IoError::NotUtf8 {
                file: file.to_path_buf(),
                line: at(pos),
                column: None,
            },
            _ => IoError::Csv {
                file: file.to_path_buf(),
                line,
                message: lower_first(&err.to_string()),
            },
        }
    }
}

/// serde_json's message without its ` at line L column C` suffix.
pub(crate) fn json_message(err: &serde_json::Error) -> String {
    let text = err.to_string();
    let suffix = format!(" at line {} column {}", err.line(), err.column());
    let message = text.strip_suffix(&suffix).unwrap_or(&text);
    match err.classify() {
        // serde_json's syntax messages ("expected ident") need the context.
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            format!("not valid JSON at column {}: {message}", err.column())
        }
        _ => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages() {
        let e = IoError::UnknownFormat {
            file: "a.xlsx".into(),
            supported: &["csv", "parquet"],
        };
        assert_eq!(
            e.to_string(),
            "`a.xlsx`: unknown format, expected a file ending in `.csv` or `.parquet`"
        );
        let e = IoError::UnknownFormat {
            file: "a.xlsx".into(),
            supported: &["json", "jsonl", "ndjson"],
        };
        assert_eq!(
            e.to_string(),
            "`a.xlsx`: unknown format, expected a file ending in `.json`, `.jsonl` or `.ndjson`"
        );
        let e = IoError::NotUtf8 {
            file: "a.csv".into(),
            line: 3,
            column: Some("name".into()),
        };
        assert_eq!(
            e.to_string(),
            "`a.csv` line 3, column `name`: text is not valid UTF-8, save the file as UTF-8"
        );
        let e = IoError::BadProfiles {
            file: "p.jsonl".into(),
            count: 1,
            first: "line 2: eof".into(),
        };
        assert_eq!(
            e.to_string(),
            "`p.jsonl`: 1 profile could not be read; first at line 2: eof"
        );
        assert_eq!(lower_first("No such file"), "no such file");
        assert_eq!(lower_first("IO error"), "IO error");
    }
}
