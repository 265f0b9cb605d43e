//! Where in a model file a semantic problem stands.
//!
//! Models are compiled from their parsed form, which no longer knows lines; a problem found
//! then ([`Problem`]) names a node path, an input or a section. This module finds that place
//! again in the file's text: the key at fault within the `[[node]]` whose `path` it names,
//! `[inputs.<name>]`, `[scale]`, the first `[[classes]]`, `[insufficient]` and so on. A model
//! inline in a set (`[[model]]`) is found by its `id`.

use std::ops::Range;
use std::path::Path;

use riskgrade_core::Position;
use toml_edit::{Document, Item, Table};

use crate::Problem;
use crate::set::{at_in, line_col};

/// The position of `problem` of model `model` in `text` (a model file, or a set file whose
/// `[[model]]` entries hold it), or `None` when the text is not TOML or does not show it.
pub(crate) fn locate(
    text: &str,
    file: Option<&Path>,
    model: &str,
    problem: &Problem,
) -> Option<Position> {
    let doc = Document::parse(text).ok()?;
    let root = doc.as_item().as_table()?;
    let table =
        if root.contains_key("scale") || root.contains_key("node") && !root.contains_key("model") {
            root
        } else {
            root.get("model")?
                .as_array_of_tables()?
                .iter()
                .find(|m| m.get("id").and_then(Item::as_str) == Some(model))?
        };
    let span = span_in(table, problem)?;
    let (line, column) = line_col(text, span.start);
    Some(at_in(file, line, column))
}

/// The span of the key (or section) `problem` is about within model `table`.
fn span_in(table: &Table, problem: &Problem) -> Option<Range<usize>> {
    let section = |name: &str| key_span(table, name);
    match problem {
        // The weights that do not sum are those of the parent's children: its first child's.
        Problem::WeightSum { parent, .. } => first_child(table, parent),
        Problem::BadWeight { path, .. } => node_key(table, path, "weight"),
        Problem::NotIncreasing { path, .. }
        | Problem::PointsCount { path, .. }
        | Problem::PointsOutOfScale { path, .. } => node_key(table, path, "score"),
        Problem::UnknownInput { path, .. } | Problem::TypeMismatch { path, .. } => {
            node_key(table, path, "input").or_else(|| node_key(table, path, "model"))
        }
        Problem::Reason { path, .. } => node_key(table, path, "reason"),
        Problem::NoMissingPolicy(path) => node_key(table, path, "score"),
        Problem::MissingParent { path, .. }
        | Problem::Shape { path, .. }
        | Problem::DuplicatePath(path)
        | Problem::BadPath(path) => last_node(table, path).and_then(|n| key_span(n, "path")),
        Problem::Input { input, .. } => {
            let inputs = table.get("inputs")?.as_table_like()?;
            inputs.get_key_value(input).and_then(|(k, _)| k.span())
        }
        Problem::InsufficientInput { .. }
        | Problem::InsufficientCount { .. }
        | Problem::InsufficientClass { .. } => section("insufficient"),
        Problem::EffectPeriods(_) => section("effect_periods"),
        Problem::Scale { .. } => section("scale"),
        Problem::Classes(_) => section("classes"),
        Problem::Provenance { .. } => section("provenance"),
        // No `[[node]]` to point at: the model's `id`, its entry, or the file's start.
        Problem::Empty => key_span(table, "id")
            .or_else(|| table.span())
            .or(Some(0..0)),
    }
}

/// The span of `key` in `table`: the key itself, or for a section the table's header.
fn key_span(table: &Table, key: &str) -> Option<Range<usize>> {
    let (k, item) = table.get_key_value(key)?;
    k.span().or_else(|| match item {
        Item::Table(t) => t.span(),
        Item::ArrayOfTables(a) => a.iter().next().and_then(Table::span),
        _ => item.span(),
    })
}

/// The `[[node]]` entries of a model.
fn nodes(table: &Table) -> impl Iterator<Item = &Table> {
    table
        .get("node")
        .and_then(Item::as_array_of_tables)
        .into_iter()
        .flat_map(|a| a.iter())
}

/// The first `[[node]]` with path `path`.
fn node<'a>(table: &'a Table, path: &str) -> Option<&'a Table> {
    nodes(table).find(|n| n.get("path").and_then(Item::as_str) == Some(path))
}

/// The last `[[node]]` with path `path` (the second declaration of a duplicate).
fn last_node<'a>(table: &'a Table, path: &str) -> Option<&'a Table> {
    nodes(table)
        .filter(|n| n.get("path").and_then(Item::as_str) == Some(path))
        .last()
}

/// The span of `key` of the node with path `path`, or of its `path` key when it lacks `key`.
fn node_key(table: &Table, path: &str, key: &str) -> Option<Range<usize>> {
    let n = node(table, path)?;
    key_span(n, key).or_else(|| key_span(n, "path"))
}

/// The `weight` key of the first node under `parent` (a node path, or a name such as
/// `(top level)` for the top level).
fn first_child(table: &Table, parent: &str) -> Option<Range<usize>> {
    let top = node(table, parent).is_none();
    nodes(table)
        .find(|n| {
            let path = n.get("path").and_then(Item::as_str).unwrap_or_default();
            match path.rsplit_once('.') {
                Some((p, _)) => !top && p == parent,
                None => top,
            }
        })
        .and_then(|n| key_span(n, "weight").or_else(|| key_span(n, "path")))
}

/// The line of rule `rule`'s `when` key in `text`, a file of `[[rule]]` tables (0 when the text
/// is not TOML or does not hold it).
pub(crate) fn when_line(text: &str, rule: &str) -> usize {
    let Ok(doc) = Document::parse(text) else {
        return 0;
    };
    doc.as_item()
        .get("rule")
        .and_then(Item::as_array_of_tables)
        .and_then(|a| {
            a.iter()
                .find(|r| r.get("id").and_then(Item::as_str) == Some(rule))
        })
        .and_then(|r| key_span(r, "when"))
        .map_or(0, |span| line_col(text, span.start).0)
}
