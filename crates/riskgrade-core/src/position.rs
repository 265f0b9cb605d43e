//! [`Position`]: where in a file something is.

use std::fmt;
use std::path::PathBuf;

/// A place in an input file: the file (when there is one), a one-based line
/// and a one-based column.
///
/// Every error that points into a model, rule, plan, test or data file carries
/// one, so a program can show it, an editor can jump to it, and Python can
/// expose it as `e.file`, `e.line` and `e.column`.
///
/// ```
/// use riskgrade_core::Position;
/// let at = Position::new("rules.toml").at(4, 13);
/// assert_eq!(at.to_string(), "rules.toml:4:13");
/// assert_eq!(Position::line_col(4, 0).to_string(), "line 4");
/// assert_eq!(Position::default().to_string(), "");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Position {
    /// The file, when the text came from one.
    pub file: Option<PathBuf>,
    /// One-based line; 0 when unknown.
    pub line: usize,
    /// One-based column; 0 when unknown.
    pub column: usize,
}

impl Position {
    /// A file, with no line yet.
    pub fn new(file: impl Into<PathBuf>) -> Position {
        Position {
            file: Some(file.into()),
            line: 0,
            column: 0,
        }
    }

    /// A line and column in text that came from no file.
    pub fn line_col(line: usize, column: usize) -> Position {
        Position {
            file: None,
            line,
            column,
        }
    }

    /// The same file at `line`, `column`.
    #[must_use]
    pub fn at(mut self, line: usize, column: usize) -> Position {
        self.line = line;
        self.column = column;
        self
    }

    /// The same position in `file`.
    #[must_use]
    pub fn in_file(mut self, file: impl Into<PathBuf>) -> Position {
        self.file = Some(file.into());
        self
    }

    /// The one-based line and column of byte offset `at` in `text`.
    ///
    /// ```
    /// use riskgrade_core::Position;
    /// let p = Position::of_offset("a = 1\nbb = x\n", 11);
    /// assert_eq!((p.line, p.column), (2, 6));
    /// ```
    pub fn of_offset(text: &str, at: usize) -> Position {
        let at = at.min(text.len());
        let before = text.get(..at).unwrap_or(text);
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Position::line_col(line, column)
    }

    /// Whether nothing is known.
    pub fn is_unknown(&self) -> bool {
        self.file.is_none() && self.line == 0
    }
}

/// `file:line:column`, leaving out what is unknown; `line L, column C` without a file.
impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.file {
            Some(file) => {
                write!(f, "{}", file.display())?;
                if self.line > 0 {
                    write!(f, ":{}", self.line)?;
                    if self.column > 0 {
                        write!(f, ":{}", self.column)?;
                    }
                }
                Ok(())
            }
            None if self.line == 0 => Ok(()),
            None if self.column == 0 => write!(f, "line {}", self.line),
            None => write!(f, "line {}, column {}", self.line, self.column),
        }
    }
}
