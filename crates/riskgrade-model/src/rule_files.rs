//! Rules as declared in set and rule files: where each is declared, its id
//! checked, its script read from a file confined to the declaring file's
//! folder, and duplicate ids reported with both declarations.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use riskgrade_core::Position;
use riskgrade_rules::RuleSpec;

use crate::error::{ModelError, ScriptFileProblem, SetProblem};

/// A rule and where it is declared.
pub(crate) type Declared = (RuleSpec, Position);

/// Fills in where each rule came from and reads scripts kept in their own
/// files; checks ids and that a rule has one script.
pub(crate) fn locate_rules(
    rules: Vec<RuleSpec>,
    text: &str,
    path: &Path,
    read: &dyn Fn(&Path) -> Result<String, ModelError>,
) -> Result<Vec<Declared>, ModelError> {
    let base = path.parent().unwrap_or(Path::new(""));
    let lines = id_lines(text);
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::with_capacity(rules.len());
    for mut r in rules {
        let k = seen.entry(r.id.clone()).or_default();
        let line = lines
            .iter()
            .filter(|(id, _)| *id == r.id)
            .nth(*k)
            .map_or(0, |(_, l)| *l);
        *k += 1;
        let at = if line > 0 {
            Position::line_col(line, 1).in_file(path)
        } else {
            Position::new(path)
        };
        let problem = |p| ModelError::Set(p);
        riskgrade_rules::check_id(&r.id).map_err(|e| {
            problem(SetProblem::BadRuleId {
                rule: r.id.clone(),
                at: at.clone(),
                problem: e,
            })
        })?;
        if !r.script.is_empty() {
            // A canonical form written by riskgrade records `file` and `line`
            // with the script; as people write rules, one of the two.
            if r.file.is_some() && r.line == 0 {
                return Err(problem(SetProblem::ScriptAndFile { rule: r.id, at }));
            }
            if r.file.is_none() {
                r.file = Some(path.display().to_string());
                r.line = script_line(text, &r.id);
            }
        } else if let Some(f) = r.file.clone() {
            let p = confined(base, &f).map_err(|e| script_file(&r.id, &at, &f, e))?;
            r.script = read_script(base, &p, read).map_err(|e| script_file(&r.id, &at, &f, e))?;
            r.file = Some(p.display().to_string());
            r.line = 1;
        } else {
            return Err(problem(SetProblem::NoScript {
                rule: r.id.clone(),
                file: path.to_path_buf(),
            }));
        }
        out.push((r, at));
    }
    Ok(out)
}

/// Refuses a rule id declared twice, naming both declarations.
pub(crate) fn check_duplicates(rules: &[Declared]) -> Result<(), ModelError> {
    let mut first: HashMap<&str, &Position> = HashMap::new();
    for (r, at) in rules {
        if let Some(p) = first.insert(&r.id, at) {
            return Err(ModelError::Set(SetProblem::DuplicateRule {
                rule: r.id.clone(),
                first: p.clone(),
                second: at.clone(),
            }));
        }
    }
    Ok(())
}

fn script_file(rule: &str, at: &Position, file: &str, problem: ScriptFileProblem) -> ModelError {
    ModelError::Set(SetProblem::ScriptFile {
        rule: rule.to_string(),
        at: at.clone(),
        file: PathBuf::from(file),
        problem,
    })
}

/// `file` inside `base`: relative, with no `..` that leaves it, ending in `.rhai`.
fn confined(base: &Path, file: &str) -> Result<PathBuf, ScriptFileProblem> {
    let rel = Path::new(file);
    if rel.is_absolute() || rel.has_root() || file.starts_with('~') {
        return Err(ScriptFileProblem::Absolute);
    }
    let mut depth = 0usize;
    for c in rel.components() {
        match c {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir if depth > 0 => depth -= 1,
            _ => return Err(ScriptFileProblem::Escapes),
        }
    }
    if rel.extension().and_then(|e| e.to_str()) != Some("rhai") {
        return Err(ScriptFileProblem::NotRhai);
    }
    Ok(base.join(rel))
}

/// Reads a script file: on disk, a regular file of at most
/// [`riskgrade_rules::MAX_SCRIPT_LEN`] bytes that stays inside `base` once
/// links are followed; files that are not on disk (embedded sets) through `read`.
fn read_script(
    base: &Path,
    p: &Path,
    read: &dyn Fn(&Path) -> Result<String, ModelError>,
) -> Result<String, ScriptFileProblem> {
    let limit = riskgrade_rules::MAX_SCRIPT_LEN as u64;
    let unreadable = |e: std::io::Error| ScriptFileProblem::Unreadable {
        message: e.to_string(),
    };
    if std::fs::symlink_metadata(p).is_ok() {
        let real = std::fs::canonicalize(p).map_err(unreadable)?;
        let folder = if base.as_os_str().is_empty() {
            Path::new(".")
        } else {
            base
        };
        let root = std::fs::canonicalize(folder).map_err(unreadable)?;
        if !real.starts_with(&root) {
            return Err(ScriptFileProblem::Escapes);
        }
        let meta = std::fs::metadata(&real).map_err(unreadable)?;
        if !meta.is_file() {
            return Err(ScriptFileProblem::NotAFile);
        }
        if meta.len() > limit {
            return Err(ScriptFileProblem::TooLarge {
                size: meta.len(),
                limit,
            });
        }
        let bytes = std::fs::read(&real).map_err(unreadable)?;
        return String::from_utf8(bytes).map_err(|_| ScriptFileProblem::NotText);
    }
    match read(p) {
        Ok(text) if text.len() as u64 > limit => Err(ScriptFileProblem::TooLarge {
            size: text.len() as u64,
            limit,
        }),
        Ok(text) => Ok(text),
        Err(_) => Err(ScriptFileProblem::Missing),
    }
}

/// The `id = "..."` lines of `[[rule]]` tables, in order: the id and its 1-based line.
fn id_lines(text: &str) -> Vec<(String, usize)> {
    let mut in_rule = false;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with('[') {
            in_rule = t.replace(' ', "") == "[[rule]]";
            continue;
        }
        if in_rule
            && let Some(v) = t.strip_prefix("id").map(str::trim_start)
            && let Some(v) = v.strip_prefix('=')
        {
            let v = v.split('#').next().unwrap_or(v).trim();
            out.push((v.trim_matches(|c| c == '"' || c == '\'').to_string(), n + 1));
        }
    }
    out
}

/// The line on which rule `id`'s script starts in a TOML file of `[[rule]]` tables (0 when not found).
fn script_line(text: &str, id: &str) -> u32 {
    let mut in_rule = false;
    for (n, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with('[') {
            in_rule = false;
            continue;
        }
        if let Some(v) = t.strip_prefix("id").map(str::trim_start)
            && let Some(v) = v.strip_prefix('=')
            && v.trim().trim_matches(|c| c == '"' || c == '\'') == id
        {
            in_rule = true;
            continue;
        }
        if in_rule
            && let Some(v) = t.strip_prefix("script").map(str::trim_start)
            && let Some(v) = v.strip_prefix('=')
        {
            let v = v.trim();
            // A multi-line string's first newline is not part of the script.
            let starts_next = usize::from(v == "\"\"\"" || v == "'''");
            return u32::try_from(n + 1 + starts_next).unwrap_or(0);
        }
    }
    0
}
