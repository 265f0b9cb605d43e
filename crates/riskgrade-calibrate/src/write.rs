//! Writing a new version of a model set's files, with comments kept and provenance appended.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use riskgrade_model::{ModelSet, ProvenanceSpec, ProvenanceValue};
use toml_edit::{ArrayOfTables, DocumentMut, InlineTable, Item, Table, Value, value};

use super::{CalibrateError, Change, apply_all};

fn io(path: &Path, e: impl std::fmt::Display) -> CalibrateError {
    CalibrateError::Io {
        file: path.to_path_buf(),
        message: e.to_string(),
    }
}

fn read(path: &Path) -> Result<String, CalibrateError> {
    std::fs::read_to_string(path).map_err(|e| io(path, e))
}

/// A path inside a set's folder: relative, with no `..`.
fn inside(rel: &str, what: &str, from: &Path) -> Result<PathBuf, CalibrateError> {
    let p = PathBuf::from(rel);
    if p.is_absolute()
        || p.components()
            .any(|c| matches!(c, Component::ParentDir | Component::Prefix(_)))
    {
        return Err(CalibrateError::Write {
            file: from.to_path_buf(),
            message: format!(
                "{what} `{rel}` lies outside the set's folder; a new version is written as a copy \
                 of the folder, so keep the set's files beside it or below it"
            ),
        });
    }
    Ok(p)
}

/// Every file of a set, relative to the set file's folder: the set file, included models, rule
/// files, script files the rules read, and rule test files (`<rules>.tests.toml`) when present.
fn set_files(source: &Path) -> Result<Vec<PathBuf>, CalibrateError> {
    let base = source.parent().unwrap_or(Path::new(""));
    let name = PathBuf::from(source.file_name().ok_or_else(|| io(source, "not a file"))?);
    let mut files = vec![name];
    let text = read(source)?;
    if source.extension().is_some_and(|e| e == "json") {
        return Ok(files);
    }
    let doc: toml::Table = toml::from_str(&text).map_err(|e| io(source, e))?;
    if doc.contains_key("scale") {
        return Ok(files);
    }
    let list = |key: &str| -> Vec<String> {
        doc.get(key)
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    for inc in list("include") {
        files.push(inside(&inc, "included file", source)?);
    }
    for rf in list("rule_files") {
        let rel = inside(&rf, "rule file", source)?;
        let path = base.join(&rel);
        let rule_text = read(&path)?;
        let rules: toml::Table = toml::from_str(&rule_text).map_err(|e| io(&path, e))?;
        let dir = rel.parent().map(Path::to_path_buf).unwrap_or_default();
        if let Some(list) = rules.get("rule").and_then(|r| r.as_array()) {
            for r in list {
                if let Some(f) = r.get("file").and_then(|f| f.as_str()) {
                    files.push(dir.join(inside(f, "script file", &path)?));
                }
            }
        }
        let stem = rel.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        let tests = dir.join(format!("{stem}.tests.toml"));
        if base.join(&tests).is_file() {
            files.push(tests);
        }
        files.push(rel);
    }
    Ok(files)
}

/// Which file holds model `id`, and whether it is the `[[model]]` entry `i` of that file.
fn locate(
    source: &Path,
    files: &[PathBuf],
    id: &str,
) -> Result<(PathBuf, Option<usize>), CalibrateError> {
    let base = source.parent().unwrap_or(Path::new(""));
    for rel in files {
        let path = base.join(rel);
        if path.extension().is_some_and(|e| e == "json") {
            continue;
        }
        let Ok(doc) = toml::from_str::<toml::Table>(&read(&path)?) else {
            continue;
        };
        if doc.get("scale").is_some() && doc.get("id").and_then(|v| v.as_str()) == Some(id) {
            return Ok((rel.clone(), None));
        }
        if let Some(models) = doc.get("model").and_then(|m| m.as_array())
            && let Some(i) = models
                .iter()
                .position(|m| m.get("id").and_then(|v| v.as_str()) == Some(id))
        {
            return Ok((rel.clone(), Some(i)));
        }
    }
    Err(CalibrateError::Write {
        file: source.to_path_buf(),
        message: format!(
            "model `{id}` is not in a TOML file of the set; a new version can be written for \
             TOML model files only"
        ),
    })
}

fn provenance_table(p: &ProvenanceSpec) -> Table {
    let mut t = Table::new();
    t.insert("method", value(p.method.as_str()));
    if let Some(d) = &p.date {
        t.insert("date", value(d.as_str()));
    }
    if let Some(d) = &p.derived_from {
        t.insert("derived_from", value(d.as_str()));
    }
    if let Some(d) = &p.inputs_digest {
        t.insert("inputs_digest", value(d.as_str()));
    }
    if !p.weights.is_empty() {
        let mut a = toml_edit::Array::new();
        for w in &p.weights {
            a.push(w.as_str());
        }
        t.insert("weights", value(a));
    }
    if p.cutoffs {
        t.insert("cutoffs", value(true));
    }
    for (key, map) in [("parameters", &p.parameters), ("metrics", &p.metrics)] {
        if map.is_empty() {
            continue;
        }
        let mut it = InlineTable::new();
        for (k, v) in map {
            let v: Value = match v {
                ProvenanceValue::Flag(b) => (*b).into(),
                ProvenanceValue::Number(x) => (*x).into(),
                ProvenanceValue::Text(s) => s.as_str().into(),
            };
            it.insert(k, v);
        }
        t.insert(key, value(it));
    }
    if let Some(n) = &p.note {
        t.insert("note", value(n.as_str()));
    }
    t
}

fn aot<'a>(t: &'a mut Table, key: &str) -> Result<&'a mut ArrayOfTables, String> {
    if !t.contains_key(key) {
        t.insert(key, Item::ArrayOfTables(ArrayOfTables::new()));
    }
    t.get_mut(key)
        .and_then(Item::as_array_of_tables_mut)
        .ok_or_else(|| format!("`{key}` is not an array of tables ([[{key}]])"))
}

/// Edits one model's table in place; the error says what in the file does not fit.
fn edit_model(t: &mut Table, change: &Change) -> Result<(), String> {
    if !change.weights.is_empty() {
        let nodes = aot(t, "node")?;
        for (path, w) in &change.weights {
            let node = nodes
                .iter_mut()
                .find(|n| n.get("path").and_then(Item::as_str) == Some(path.as_str()))
                .ok_or_else(|| format!("no [[node]] with path `{path}` in the file"))?;
            node.insert("weight", value(*w));
        }
    }
    if let Some(bands) = &change.bands {
        let classes = aot(t, "classes")?;
        if classes.is_empty() {
            for c in riskgrade_model::default_classes() {
                let mut ct = Table::new();
                ct.insert("name", value(c.name.as_str()));
                if let Some(l) = &c.label {
                    ct.insert("label", value(l.as_str()));
                }
                classes.push(ct);
            }
        }
        if classes.len() != bands.len() {
            return Err(format!(
                "{} [[classes]] in the file for {} bands",
                classes.len(),
                bands.len()
            ));
        }
        for (c, b) in classes.iter_mut().zip(bands) {
            c.remove("share");
            let mut a = toml_edit::Array::new();
            a.push(b[0]);
            a.push(b[1]);
            c.insert("band", value(a));
        }
    }
    aot(t, "provenance")?.push(provenance_table(&change.provenance));
    Ok(())
}

/// Writes `set` with `changes` applied as a new version in the folder `out`.
///
/// `source` is the file `set` was loaded from. The new version is a copy of the set's files —
/// the set file, included model files, rule files, their scripts and tests — in which the
/// changed model's file has its weights and bands edited in place (comments and layout kept)
/// and one `[[provenance]]` entry appended per change. The copy is loaded back and must have the
/// version id of `set` with the changes applied, or nothing is left behind.
///
/// Returns the path of the new set file and the new version id.
///
/// # Errors
/// [`CalibrateError::Io`] for files that cannot be read or written; [`CalibrateError::Write`]
/// when `out` already holds a file of the set, a file lies outside the set's folder, or the
/// model is in a JSON file.
pub fn write_version(
    set: &ModelSet,
    source: &Path,
    changes: &[Change],
    out: &Path,
) -> Result<(PathBuf, String), CalibrateError> {
    let expected = apply_all(set, changes)?;
    let files = set_files(source)?;
    let base = source.parent().unwrap_or(Path::new(""));
    let models: BTreeSet<&str> = changes.iter().map(|c| c.model.as_str()).collect();
    let mut edited: Vec<(PathBuf, DocumentMut)> = Vec::new();
    for id in models {
        let (rel, entry) = locate(source, &files, id)?;
        let at = match edited.iter().position(|(p, _)| *p == rel) {
            Some(i) => i,
            None => {
                let path = base.join(&rel);
                let doc: DocumentMut = read(&path)?.parse().map_err(|e| io(&path, e))?;
                edited.push((rel.clone(), doc));
                edited.len() - 1
            }
        };
        let doc = &mut edited[at].1;
        for c in changes.iter().filter(|c| c.model == id) {
            let table = match entry {
                None => doc.as_table_mut(),
                Some(i) => doc
                    .get_mut("model")
                    .and_then(Item::as_array_of_tables_mut)
                    .and_then(|a| a.get_mut(i))
                    .ok_or_else(|| io(&rel, "[[model]] entry not found"))?,
            };
            edit_model(table, c).map_err(|e| io(&base.join(&rel), e))?;
        }
    }
    for rel in &files {
        if out.join(rel).exists() {
            return Err(CalibrateError::Write {
                file: out.join(rel),
                message: "already exists; write a new version into a new folder".into(),
            });
        }
    }
    let write_all = || -> Result<(), CalibrateError> {
        for rel in &files {
            let to = out.join(rel);
            if let Some(dir) = to.parent() {
                std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
            }
            match edited.iter().find(|(p, _)| p == rel) {
                Some((_, doc)) => std::fs::write(&to, doc.to_string()).map_err(|e| io(&to, e))?,
                None => {
                    std::fs::copy(base.join(rel), &to).map_err(|e| io(&to, e))?;
                }
            }
        }
        Ok(())
    };
    let set_path = out.join(&files[0]);
    let checked = write_all().and_then(|()| {
        let loaded = ModelSet::from_file(&set_path)?;
        if loaded.version_id() == expected.version_id() {
            Ok(loaded.version_id().to_string())
        } else {
            Err(CalibrateError::Write {
                file: set_path.clone(),
                message: format!(
                    "the written version loads as version {}, not {}: please report this",
                    loaded.version_id(),
                    expected.version_id()
                ),
            })
        }
    });
    match checked {
        Ok(v) => Ok((set_path, v)),
        Err(e) => {
            for rel in &files {
                let _ = std::fs::remove_file(out.join(rel));
            }
            Err(e)
        }
    }
}
