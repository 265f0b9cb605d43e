//! Rule errors, written for the rule author: where, what, and what to change.

use std::fmt;
use std::path::PathBuf;

use riskgrade_core::Position;
use riskgrade_core::display::{self, Align};

/// Why a rule could not be compiled or run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RuleError {
    /// The script does not compile (syntax error, unknown variable, …).
    #[error("{}", Located { rule, at, message, source_line, hint })]
    Compile {
        /// The rule's id.
        rule: String,
        /// Where in the rule's file (or in its inline script, without a file): 1-based line
        /// and column, 0 when unknown. Boxed to keep the error small.
        at: Box<Position>,
        /// What is wrong.
        message: String,
        /// The offending source line.
        source_line: Option<Box<str>>,
        /// What to change.
        hint: Option<Box<str>>,
    },
    /// The script failed on one enterprise, or exceeded a limit.
    #[error("{}", Located { rule, at, message, source_line, hint })]
    Runtime {
        /// The rule's id.
        rule: String,
        /// Where in the rule's file (or in its inline script, without a file): 1-based line
        /// and column, 0 when unknown. Boxed to keep the error small.
        at: Box<Position>,
        /// What went wrong.
        message: String,
        /// The source line where it went wrong.
        source_line: Option<Box<str>>,
        /// What to change.
        hint: Option<Box<str>>,
    },
    /// The rule's `when` condition does not parse or names something unknown.
    #[error("{}", When { rule, file, line: *line, column: *column, message, text, hint })]
    When {
        /// The rule's id.
        rule: String,
        /// The rule's file, when it came from one.
        file: Option<PathBuf>,
        /// 1-based line of the file on which `when` is written (0 when unknown).
        line: usize,
        /// 1-based character column in the condition.
        column: usize,
        /// What is wrong.
        message: String,
        /// The condition.
        text: Box<str>,
        /// What to change.
        hint: Option<Box<str>>,
    },
    /// Two rules share an id.
    #[error("rule `{0}` is declared twice")]
    DuplicateId(String),
    /// A rule's id is not an identifier ([`crate::check_id`]).
    #[error("rule id {rule:?}: {problem}")]
    BadId {
        /// The id as written.
        rule: String,
        /// What is wrong with it.
        problem: crate::IdProblem,
    },
}

impl RuleError {
    /// A runtime error of rule `rule` at no known line: its file only (when it has one).
    pub fn runtime_in_file(
        rule: impl Into<String>,
        file: Option<&str>,
        message: impl Into<String>,
        hint: Option<&str>,
    ) -> RuleError {
        RuleError::Runtime {
            rule: rule.into(),
            at: Box::new(file.map_or_else(Position::default, Position::new)),
            message: message.into(),
            source_line: None,
            hint: hint.map(Into::into),
        }
    }

    /// The error on one line, without the source line and caret, for tables
    /// and per-enterprise reports: `rule `x` (file) at line 3, column 5: …; hint: …`.
    pub fn one_line(&self) -> String {
        match self {
            RuleError::Compile {
                rule,
                at,
                message,
                hint,
                ..
            }
            | RuleError::Runtime {
                rule,
                at,
                message,
                hint,
                ..
            } => {
                let mut s = Located {
                    rule,
                    at,
                    message,
                    source_line: &None,
                    hint: &None,
                }
                .to_string();
                if let Some(h) = hint {
                    s.push_str("; hint: ");
                    s.push_str(h);
                }
                s
            }
            other => other.to_string().replace('\n', " "),
        }
    }

    /// The id of the rule at fault.
    pub fn rule(&self) -> &str {
        match self {
            RuleError::Compile { rule, .. }
            | RuleError::Runtime { rule, .. }
            | RuleError::When { rule, .. } => rule,
            RuleError::DuplicateId(id) | RuleError::BadId { rule: id, .. } => id,
        }
    }
}

struct Located<'a> {
    rule: &'a str,
    at: &'a Position,
    message: &'a str,
    source_line: &'a Option<Box<str>>,
    hint: &'a Option<Box<str>>,
}

impl fmt::Display for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = self.at;
        write!(f, "rule `{}`", self.rule)?;
        if let Some(file) = &at.file {
            write!(f, " ({})", file.display())?;
        }
        if at.line > 0 {
            write!(f, " at line {}, column {}", at.line, at.column)?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(src) = self.source_line {
            let width = at.line.to_string().len();
            let (src, caret) = excerpt(src, at.column.saturating_sub(1));
            let number = display::pad(&at.line.to_string(), width, Align::Right);
            let blank = display::pad("", width, Align::Right);
            write!(f, "\n{number} | {src}")?;
            write!(f, "\n{blank} | {}^", " ".repeat(caret))?;
        }
        if let Some(hint) = self.hint {
            write!(f, "\nhint: {hint}")?;
        }
        Ok(())
    }
}

struct When<'a> {
    rule: &'a str,
    file: &'a Option<PathBuf>,
    line: usize,
    column: usize,
    message: &'a str,
    text: &'a str,
    hint: &'a Option<Box<str>>,
}

impl fmt::Display for When<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rule `{}`", self.rule)?;
        match (self.file, self.line) {
            (Some(file), 0) => write!(f, " ({})", file.display())?,
            (Some(file), line) => write!(f, " ({}:{line})", file.display())?,
            (None, 0) => {}
            (None, line) => write!(f, " (line {line})")?,
        }
        write!(f, ": in `when`, column {}: {}", self.column, self.message)?;
        let (text, caret) = excerpt(self.text, self.column.saturating_sub(1));
        write!(f, "\n  | {text}")?;
        write!(f, "\n  | {}^", " ".repeat(caret))?;
        if let Some(hint) = self.hint {
            write!(f, "\nhint: {hint}")?;
        }
        Ok(())
    }
}

/// Characters shown on either side of the caret in a source excerpt.
const EXCERPT_SIDE: usize = 60;

/// The part of `line` shown under an error, around the 0-based character
/// column `column`, and the caret's column in it: at most
/// 2 × [`EXCERPT_SIDE`] characters, with `…` where the line is cut, and control
/// characters shown as `\u{FFFD}` (a tab as a space) so the excerpt cannot
/// move the cursor or forge lines.
fn excerpt(line: &str, column: usize) -> (String, usize) {
    let n = line.chars().count();
    let column = column.min(n);
    let start = column.saturating_sub(EXCERPT_SIDE);
    let end = (column + EXCERPT_SIDE).min(n);
    let mut out = String::new();
    let mut caret = column - start;
    if start > 0 {
        out.push('…');
        caret += 1;
    }
    out.extend(line.chars().skip(start).take(end - start).map(|c| match c {
        '\t' => ' ',
        c if c.is_control() => '\u{FFFD}',
        c => c,
    }));
    if end < n {
        out.push('…');
    }
    (out, caret)
}

#[cfg(test)]
mod tests {
    use super::excerpt;

    #[test]
    fn excerpts_of_long_lines_keep_the_caret_under_the_same_character() {
        let line: String = (0..1000)
            .map(|i| char::from(b'a' + (i % 26) as u8))
            .collect();
        for column in [0, 10, 59, 60, 61, 500, 999, 1000, 5000] {
            let (shown, caret) = excerpt(&line, column);
            assert!(shown.chars().count() <= 2 * super::EXCERPT_SIDE + 2);
            match line.chars().nth(column) {
                Some(c) => assert_eq!(shown.chars().nth(caret), Some(c), "column {column}"),
                None => assert_eq!(caret, shown.chars().count(), "column {column}"),
            }
        }
        assert_eq!(
            excerpt("a\tb\u{1b}[2Jc", 2),
            ("a b\u{FFFD}[2Jc".to_string(), 2)
        );
    }
}
