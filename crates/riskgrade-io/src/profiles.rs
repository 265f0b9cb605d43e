//! Nested enterprise profiles in JSON Lines (`.jsonl`, `.ndjson`) or JSON (`.json`).
//!
//! A profile that cannot be read does not stop the load: it becomes a
//! [`ProfileIssue`] naming its line (and its id when it can be salvaged), and
//! the other profiles are kept. In strict mode any such issue is an
//! [`IoError::BadProfiles`] instead.

use std::fmt;
use std::io::Write;
use std::path::Path;

use rayon::prelude::*;
use riskgrade_core::Enterprise;
use serde_json::value::RawValue;

use crate::error::{IoError, TEXT_SOURCE, json_message};
use crate::format::{Format, PROFILE_FORMATS};
use crate::sink;

/// Profiles read from a file, and the ones that could not be read.
///
/// ```
/// let p = riskgrade_io::parse_profiles_jsonl(r#"{"id": "E1", "industry": "C14"}"#, false)?;
/// assert_eq!(p.enterprises.len(), 1);
/// assert!(p.issues.is_empty());
/// # Ok::<(), riskgrade_io::IoError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Profiles {
    /// The profiles that were read, in file order.
    pub enterprises: Vec<Enterprise>,
    /// The profiles that could not be read, in file order.
    pub issues: Vec<ProfileIssue>,
}

impl Profiles {
    /// The place in the input (from 0) of each row of a frame built from these profiles with
    /// [`Profiles::unreadable`] appended: the profiles read, then those that could not be read.
    /// Results put back in input order take their rows in the order of the inverse.
    ///
    /// ```
    /// let text = "{\"id\": \"E1\", \"industry\": \"C14\"}\n\n{\"id\": \"E2\", \"recrods\": []}\n{\"id\": \"E3\", \"industry\": \"C14\"}";
    /// let p = riskgrade_io::parse_profiles_jsonl(text, false)?;
    /// assert_eq!(p.issues[0].line, 3); // a blank line is no profile
    /// assert_eq!(p.positions(), [0, 2, 1]);
    /// # Ok::<(), riskgrade_io::IoError>(())
    /// ```
    pub fn positions(&self) -> Vec<usize> {
        let n = self.enterprises.len() + self.issues.len();
        let mut bad = self.issues.iter().map(|i| i.position).peekable();
        let mut out = Vec::with_capacity(n);
        for p in 0..n {
            if bad.peek() == Some(&p) {
                bad.next();
            } else {
                out.push(p);
            }
        }
        out.extend(self.issues.iter().map(|i| i.position));
        out
    }

    /// The profiles that could not be read, as (enterprise id, or `(line N)` when the id is
    /// unknown; `line N: problem`): the form [`riskgrade_core::Frame::with_unreadable`]
    /// takes, so that they are reported as rows not graded.
    ///
    /// ```
    /// let p = riskgrade_io::parse_profiles_jsonl("{\"id\": \"E1\", \"recrods\": []}", false)?;
    /// let bad = p.unreadable();
    /// assert_eq!(bad[0].0, "E1");
    /// assert!(bad[0].1.starts_with("line 1: "));
    /// # Ok::<(), riskgrade_io::IoError>(())
    /// ```
    pub fn unreadable(&self) -> Vec<(String, String)> {
        self.issues
            .iter()
            .map(|i| {
                (
                    i.id.clone().unwrap_or_else(|| format!("(line {})", i.line)),
                    format!("line {}: {}", i.line, i.message),
                )
            })
            .collect()
    }
}

/// A profile that could not be read.
///
/// ```
/// let text = "{\"id\": \"E1\", \"industry\": \"C14\"}\n{\"id\": \"E2\", \"industry\": \"C14\", \"recrods\": []}";
/// let p = riskgrade_io::parse_profiles_jsonl(text, false)?;
/// assert_eq!(p.issues[0].line, 2);
/// assert_eq!(p.issues[0].id.as_deref(), Some("E2"));
/// assert!(p.issues[0].to_string().starts_with("line 2, enterprise `E2`: unknown field `recrods`, expected one of"));
/// # Ok::<(), riskgrade_io::IoError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileIssue {
    /// One-based line in the file where the problem was found.
    pub line: usize,
    /// Its place among the input's profiles, from 0 (the array element, or the non-blank line).
    pub position: usize,
    /// The enterprise's id, when it could be salvaged from the bad profile.
    pub id: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ProfileIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.id {
            Some(id) => write!(f, "line {}, enterprise `{id}`: {}", self.line, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// Reads nested profiles from `path`.
///
/// `.jsonl` and `.ndjson` files hold one profile per line (blank lines are
/// skipped; lines are parsed in parallel, order is kept); `.json` files hold
/// an array of profiles or a single profile. A UTF-8 byte-order mark is
/// ignored.
///
/// ```
/// use riskgrade_io::read_profiles;
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("profiles.jsonl");
/// std::fs::write(&path, "{\"id\": \"E1\", \"industry\": \"C14\"}\n\n{\"id\": \"E2\", \"industry\": \"C14\", \"records\": [{\"kind\": \"complaint\"}]}\n")?;
/// let p = read_profiles(&path, false)?;
/// assert_eq!(p.enterprises.len(), 1);
/// assert_eq!(p.issues[0].to_string(), "line 3, enterprise `E2`: missing field `date`");
/// assert!(read_profiles(&path, true).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`IoError::Io`] when the file cannot be read, [`IoError::NotUtf8`] when bytes
/// that are not UTF-8 break a `.json` file's structure (a line of JSON Lines, or a
/// profile of a `.json` array, that is not UTF-8 is that profile's [`ProfileIssue`]), [`IoError::UnknownFormat`] for another extension,
/// [`IoError::Json`] when a `.json` file is not valid JSON, and, when `strict`,
/// [`IoError::BadProfiles`] when any profile could not be read.
pub fn read_profiles(path: &Path, strict: bool) -> Result<Profiles, IoError> {
    let format = Format::of(path).filter(|f| matches!(f, Format::Json | Format::Jsonl));
    let Some(format) = format else {
        return Err(IoError::UnknownFormat {
            file: path.to_path_buf(),
            supported: PROFILE_FORMATS,
        });
    };
    match format {
        Format::Json => {
            let bytes = std::fs::read(path).map_err(|e| IoError::io(path, &e))?;
            let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&bytes);
            match std::str::from_utf8(bytes) {
                Ok(text) => parse_json(path, text, strict),
                // Each profile is checked for UTF-8 on its own: a bad one is that profile's issue.
                Err(_) => parse_damaged_json(path, bytes, strict),
            }
        }
        _ => {
            // Each line is checked for UTF-8 on its own: one bad line is that profile's issue.
            let bytes = std::fs::read(path).map_err(|e| IoError::io(path, &e))?;
            let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&bytes);
            parse_jsonl(path, bytes, strict)
        }
    }
}

/// Parses profiles in JSON Lines from memory, one profile per line.
///
/// Works like [`read_profiles`] on a `.jsonl` file; errors name the file `<text>`.
///
/// ```
/// let text = "{\"id\": \"E1\", \"industry\": \"C14\"}\n{\"id\": \"E2\", \"industry\": ";
/// let p = riskgrade_io::parse_profiles_jsonl(text, false)?;
/// assert_eq!(p.enterprises.len(), 1);
/// assert_eq!(p.issues[0].to_string(), "line 2, enterprise `E2`: not valid JSON at column 25: EOF while parsing a value");
/// let err = riskgrade_io::parse_profiles_jsonl(text, true).unwrap_err();
/// assert_eq!(err.to_string(), "`<text>`: 1 profile could not be read; first at line 2, enterprise `E2`: not valid JSON at column 25: EOF while parsing a value");
/// # Ok::<(), riskgrade_io::IoError>(())
/// ```
///
/// # Errors
/// When `strict`, [`IoError::BadProfiles`] if any line could not be read.
pub fn parse_profiles_jsonl(text: &str, strict: bool) -> Result<Profiles, IoError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    parse_jsonl(Path::new(TEXT_SOURCE), text.as_bytes(), strict)
}

/// Parses profiles in JSON from memory: an array of profiles, or one profile.
///
/// Works like [`read_profiles`] on a `.json` file: a profile that cannot be read is a
/// [`ProfileIssue`] on the line it starts on, the others are kept; errors name the file
/// `<text>`.
///
/// ```
/// let text = "[{\"id\": \"E1\", \"industry\": \"C14\"},\n {\"id\": \"E2\", \"registered\": \"soon\"}]";
/// let p = riskgrade_io::parse_profiles_json(text, false)?;
/// assert_eq!(p.enterprises.len(), 1);
/// assert_eq!(p.issues[0].line, 2);
/// assert_eq!(p.issues[0].id.as_deref(), Some("E2"));
/// assert!(riskgrade_io::parse_profiles_json(text, true).is_err());
/// # Ok::<(), riskgrade_io::IoError>(())
/// ```
///
/// # Errors
/// [`IoError::Json`] when the text is not JSON at all; when `strict`,
/// [`IoError::BadProfiles`] if any profile could not be read.
pub fn parse_profiles_json(text: &str, strict: bool) -> Result<Profiles, IoError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    parse_json(Path::new(TEXT_SOURCE), text, strict)
}

/// Writes profiles to `path` as JSON Lines (one profile per line), whatever the extension.
///
/// Profiles are serialised in parallel chunks and written through a buffer.
///
/// ```
/// use riskgrade_io::{parse_profiles_jsonl, read_profiles, write_profiles_jsonl};
/// let p = parse_profiles_jsonl("{\"id\": \"E1\", \"industry\": \"C14\"}", true)?;
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("out.jsonl");
/// write_profiles_jsonl(&path, &p.enterprises)?;
/// assert_eq!(read_profiles(&path, true)?, p);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`IoError::Io`] when the file cannot be written.
pub fn write_profiles_jsonl(path: &Path, enterprises: &[Enterprise]) -> Result<(), IoError> {
    sink::write_chunks(path, enterprises.len(), 2048, b"", b"", |rows, buf| {
        for i in rows {
            let mut ser = serde_json::Serializer::new(&mut *buf);
            serde::Serialize::serialize(&enterprises[i], &mut ser).map_err(|e| IoError::Json {
                file: path.to_path_buf(),
                line: i + 1,
                column: 0,
                message: json_message(&e),
            })?;
            buf.write_all(b"\n").map_err(|e| IoError::io(path, &e))?;
        }
        Ok(())
    })
}

pub(crate) fn parse_jsonl(file: &Path, bytes: &[u8], strict: bool) -> Result<Profiles, IoError> {
    let lines: Vec<(usize, &[u8])> = bytes
        .split(|&b| b == b'\n')
        .enumerate()
        .filter(|(_, l)| !l.trim_ascii().is_empty())
        .map(|(i, l)| (i + 1, l))
        .collect();
    let results: Vec<Result<Enterprise, ProfileIssue>> = lines
        .par_iter()
        .with_min_len(64)
        .map(|&(line, l)| match std::str::from_utf8(l) {
            Ok(text) => parse_one(text, line),
            Err(e) => Err(not_utf8(l, line, &e)),
        })
        .collect();
    finish(file, results, strict)
}

/// The issue for a line that is not UTF-8, naming the enterprise when its id can be read.
fn not_utf8(line_bytes: &[u8], line: usize, e: &std::str::Utf8Error) -> ProfileIssue {
    ProfileIssue {
        line,
        position: 0,
        id: salvage_id(&String::from_utf8_lossy(line_bytes)),
        message: format!(
            "text is not valid UTF-8 at column {}, save the file as UTF-8",
            e.valid_up_to() + 1
        ),
    }
}

/// Bytes that are not UTF-8 in a `.json` file: where they were replaced in the text parsed.
struct Damage {
    /// Offset of the replacement character in the text.
    at: usize,
    /// One-based line and byte column in the file.
    line: usize,
    column: usize,
}

/// The text of `bytes` with each run of bytes that are not UTF-8 replaced by U+FFFD, and where.
fn replace_damage(bytes: &[u8]) -> (String, Vec<Damage>) {
    let mut text = String::with_capacity(bytes.len());
    let mut damage = Vec::new();
    let (mut offset, mut line, mut line_start) = (0usize, 1usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        let valid = chunk.valid();
        for (i, b) in valid.bytes().enumerate() {
            if b == b'\n' {
                line += 1;
                line_start = offset + i + 1;
            }
        }
        offset += valid.len();
        text.push_str(valid);
        if !chunk.invalid().is_empty() {
            damage.push(Damage {
                at: text.len(),
                line,
                column: offset - line_start + 1,
            });
            text.push('\u{fffd}');
            offset += chunk.invalid().len();
        }
    }
    (text, damage)
}

/// A `.json` file with bytes that are not UTF-8: the profiles holding them are issues (named by
/// line, column and id when it can be read), the others are read. When the damage breaks the
/// JSON itself (outside any profile's strings), the file is refused at the damaged line.
fn parse_damaged_json(file: &Path, bytes: &[u8], strict: bool) -> Result<Profiles, IoError> {
    let (text, damage) = replace_damage(bytes);
    let not_utf8 = |d: &Damage| IoError::NotUtf8 {
        file: file.to_path_buf(),
        line: d.line,
        column: None,
    };
    match parse_json_marked(file, &text, &damage, strict) {
        Err(IoError::Json { line, .. }) if damage.first().is_some_and(|d| d.line <= line) => {
            Err(not_utf8(&damage[0]))
        }
        other => other,
    }
}

fn parse_json(file: &Path, text: &str, strict: bool) -> Result<Profiles, IoError> {
    parse_json_marked(file, text, &[], strict)
}

/// Parses a `.json` file's text; the profiles spanning a [`Damage`] are issues.
fn parse_json_marked(
    file: &Path,
    text: &str,
    damage: &[Damage],
    strict: bool,
) -> Result<Profiles, IoError> {
    let items: Vec<&RawValue> = if text.trim_start().starts_with('{') {
        vec![serde_json::from_str::<&RawValue>(text).map_err(|e| IoError::json(file, &e, 1))?]
    } else {
        serde_json::from_str::<Vec<&RawValue>>(text).map_err(|e| IoError::json(file, &e, 1))?
    };
    // The line each item starts on, from its offset in `text`.
    let base = text.as_ptr() as usize;
    let mut starts = Vec::with_capacity(items.len());
    let (mut offset, mut line) = (0usize, 1usize);
    for raw in &items {
        let at = (raw.get().as_ptr() as usize)
            .saturating_sub(base)
            .min(text.len())
            .max(offset);
        line += text.as_bytes()[offset..at]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        offset = at;
        let end = at + raw.get().len();
        let hurt = damage.iter().find(|d| (at..end).contains(&d.at));
        starts.push((line, hurt));
    }
    let results: Vec<Result<Enterprise, ProfileIssue>> = items
        .par_iter()
        .zip(starts.par_iter())
        .map(|(raw, &(line, hurt))| match hurt {
            None => parse_one(raw.get(), line),
            Some(d) => Err(ProfileIssue {
                line: d.line,
                position: 0,
                id: salvage_id(raw.get()),
                message: format!(
                    "text is not valid UTF-8 at column {}, save the file as UTF-8",
                    d.column
                ),
            }),
        })
        .collect();
    finish(file, results, strict)
}

/// Parses one profile whose text starts on `line`.
fn parse_one(text: &str, line: usize) -> Result<Enterprise, ProfileIssue> {
    serde_json::from_str::<Enterprise>(text).map_err(|e| ProfileIssue {
        line: line + e.line().max(1) - 1,
        position: 0,
        id: salvage_id(text),
        message: json_message(&e),
    })
}

fn finish(
    file: &Path,
    results: Vec<Result<Enterprise, ProfileIssue>>,
    strict: bool,
) -> Result<Profiles, IoError> {
    let mut out = Profiles {
        enterprises: Vec::with_capacity(results.len()),
        issues: Vec::new(),
    };
    for (position, r) in results.into_iter().enumerate() {
        match r {
            Ok(e) => out.enterprises.push(e),
            Err(issue) => out.issues.push(ProfileIssue { position, ..issue }),
        }
    }
    if strict && let Some(first) = out.issues.first() {
        return Err(IoError::BadProfiles {
            file: file.to_path_buf(),
            count: out.issues.len(),
            first: first.to_string(),
        });
    }
    Ok(out)
}

/// The `id` of a profile that failed to parse: from the JSON value when the
/// text is valid JSON, else from the first `"id": "…"` in the text.
fn salvage_id(text: &str) -> Option<String> {
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(text) {
        return match map.get("id")? {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
    }
    for (at, _) in text.match_indices("\"id\"") {
        let rest = text[at + 4..].trim_start();
        let Some(rest) = rest.strip_prefix(':') else {
            continue;
        };
        let rest = rest.trim_start();
        if let Some(rest) = rest.strip_prefix('"') {
            let end = rest.find(['"', '\\'])?;
            return (rest.as_bytes().get(end) == Some(&b'"')).then(|| rest[..end].to_string());
        }
        let end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        return (end > 0).then(|| rest[..end].to_string());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salvages_ids() {
        assert_eq!(
            salvage_id(r#"{"id": "E7", "industry": 3}"#).as_deref(),
            Some("E7")
        );
        assert_eq!(salvage_id(r#"{"id": 42, "x": 1}"#).as_deref(), Some("42"));
        assert_eq!(
            salvage_id(r#"{"name": "a", "id" : "E9", "records": [}"#).as_deref(),
            Some("E9")
        );
        assert_eq!(
            salvage_id(r#"{"id": 12, "records": [}"#).as_deref(),
            Some("12")
        );
        assert_eq!(salvage_id(r#"{"name": "id", "records": [}"#), None);
        assert_eq!(salvage_id(r#"[1, 2]"#), None);
    }

    #[test]
    fn json_array_lines() {
        let text = "[\n  {\"id\": \"E1\", \"industry\": \"C14\"},\n  {\"id\": \"E2\",\n   \"industry\": \"C14\",\n   \"recrods\": []}\n]";
        let p = parse_json(Path::new("a.json"), text, false).unwrap();
        assert_eq!(p.enterprises.len(), 1);
        assert_eq!(p.issues.len(), 1);
        assert_eq!(p.issues[0].line, 5);
        assert_eq!(p.issues[0].id.as_deref(), Some("E2"));
        let single = parse_json(
            Path::new("a.json"),
            "\n{\"id\": \"E1\", \"industry\": \"C14\"}\n",
            true,
        )
        .unwrap();
        assert_eq!(single.enterprises.len(), 1);
        let err = parse_json(Path::new("a.json"), "[\n{\"id\": \"E1\",, }]", false).unwrap_err();
        assert!(matches!(err, IoError::Json { line: 2, .. }), "{err:?}");
        assert_eq!(
            parse_json(Path::new("a.json"), "[]", true).unwrap(),
            Profiles::default()
        );
    }

    #[test]
    fn jsonl_keeps_order_and_skips_blank_lines() {
        let mut text = String::new();
        for i in 0..500 {
            text.push_str(&format!("{{\"id\": \"E{i}\", \"industry\": \"C14\"}}\r\n"));
            if i % 7 == 0 {
                text.push_str("   \n");
            }
        }
        text.push_str("not json\n");
        let p = parse_profiles_jsonl(&text, false).unwrap();
        assert_eq!(p.enterprises.len(), 500);
        assert!(
            p.enterprises
                .iter()
                .enumerate()
                .all(|(i, e)| e.id.0 == format!("E{i}"))
        );
        assert_eq!(p.issues.len(), 1);
        assert_eq!(p.issues[0].line, 500 + 72 + 1);
        assert_eq!(p.issues[0].id, None);
    }
}
