//! The text columns of the results table, rendered only when the table is
//! made: reasons (kept as leaf indices while grading), rules' labels, alerts
//! and ids, and row errors. Rows are rendered in parallel chunks, each into one
//! buffer (no string per row), then copied into one Arrow array.

use std::sync::Arc;

use rayon::prelude::*;
use riskgrade_core::Frame;
use riskgrade_io::arrow::builder::{ListBuilder, StringBuilder};
use riskgrade_io::arrow::{ListArray, StringArray};
use riskgrade_io::arrow_schema::{DataType, Field};
use riskgrade_rules::Action;

use crate::Grades;

/// Rows rendered per task.
const CHUNK: usize = 8192;

/// Texts of a chunk of rows: one buffer, each row's end in it, and whether it has a value.
#[derive(Default)]
struct Texts {
    bytes: String,
    ends: Vec<usize>,
    valid: Vec<bool>,
}

impl Texts {
    fn end_row(&mut self, valid: bool) {
        self.ends.push(self.bytes.len());
        self.valid.push(valid);
    }
}

/// Renders one text per row with `render` (which returns whether the row has a
/// value), in parallel chunks, into one Arrow string array.
fn text_column<F>(n: usize, render: F) -> StringArray
where
    F: Fn(std::ops::Range<usize>, &mut Texts) + Sync,
{
    let chunks: Vec<Texts> = (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let rows = c * CHUNK..((c + 1) * CHUNK).min(n);
            let mut t = Texts {
                bytes: String::with_capacity(rows.len() * 64),
                ends: Vec::with_capacity(rows.len()),
                valid: Vec::with_capacity(rows.len()),
            };
            render(rows, &mut t);
            t
        })
        .collect();
    let bytes = chunks.iter().map(|t| t.bytes.len()).sum();
    let mut b = StringBuilder::with_capacity(n, bytes);
    for t in &chunks {
        let mut start = 0;
        for (&end, &valid) in t.ends.iter().zip(&t.valid) {
            if valid {
                b.append_value(&t.bytes[start..end]);
            } else {
                b.append_null();
            }
            start = end;
        }
    }
    b.finish()
}

/// The `reasons` column: what the rules did to the class and score, then the
/// top indicators, joined with ` | ` (empty for rows not graded), as
/// [`Grades::push_reason_texts`] writes them, into one buffer per chunk
/// (each indicator's column found once per chunk).
pub(super) fn reasons(grades: &Grades, frame: &Frame) -> StringArray {
    text_column(grades.len(), |rows, out| {
        let mut writer = grades.reason_writer(frame);
        for r in rows {
            let graded = grades.is_graded(r);
            if graded {
                writer.push(r, " | ", &mut out.bytes);
            }
            out.end_row(graded);
        }
    })
}

/// The `error` column: the row's issues joined with `; ` (null when none).
pub(super) fn errors(grades: &Grades) -> StringArray {
    text_column(grades.len(), |rows, out| {
        for r in rows {
            let mut any = false;
            for i in grades.issues_of(r) {
                if any {
                    out.bytes.push_str("; ");
                }
                any = true;
                use std::fmt::Write as _;
                let _ = write!(out.bytes, "column `{}`: {}", i.column, i.problem);
            }
            out.end_row(any);
        }
    })
}

/// The items of a chunk of rows of a list column: one buffer, each item's end, each row's last item.
#[derive(Default)]
pub(super) struct Items {
    bytes: String,
    item_ends: Vec<usize>,
    row_ends: Vec<usize>,
}

impl Items {
    /// Adds one item to the current row.
    fn push(&mut self, text: &str) {
        self.bytes.push_str(text);
        self.item_ends.push(self.bytes.len());
    }
    /// Adds one item written by `write` to the current row.
    fn push_with(&mut self, write: impl FnOnce(&mut String)) {
        write(&mut self.bytes);
        self.item_ends.push(self.bytes.len());
    }
}

/// A list column (Arrow `List<Utf8>`, as [`riskgrade_io::OutData::List`]):
/// the items `items` adds for each row, rendered in parallel chunks.
fn list_column(n: usize, items: impl Fn(usize, &mut Items) + Sync) -> ListArray {
    let chunks: Vec<Items> = (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let mut out = Items::default();
            for r in c * CHUNK..((c + 1) * CHUNK).min(n) {
                items(r, &mut out);
                out.row_ends.push(out.item_ends.len());
            }
            out
        })
        .collect();
    let (count, bytes) = chunks.iter().fold((0, 0), |(c, b), t| {
        (c + t.item_ends.len(), b + t.bytes.len())
    });
    let field = Field::new_list_field(DataType::Utf8, false);
    let mut b = ListBuilder::with_capacity(StringBuilder::with_capacity(count, bytes), n)
        .with_field(Arc::new(field));
    for t in &chunks {
        let (mut item, mut start) = (0, 0);
        for &row_end in &t.row_ends {
            while item < row_end {
                let end = t.item_ends[item];
                b.values().append_value(&t.bytes[start..end]);
                (item, start) = (item + 1, end);
            }
            b.append(true);
        }
    }
    b.finish()
}

/// `labels`, `alerts` (each `<severity> <topic> -> <department>: <message>`)
/// and `rules` (ids of the rules that acted, each once, in running order).
pub(super) fn rule_lists(grades: &Grades) -> [ListArray; 3] {
    let n = grades.len();
    let labels = list_column(n, |r, out| grades.labels(r).for_each(|l| out.push(l)));
    let alerts = list_column(n, |r, out| {
        for e in grades.effect_refs(r) {
            if let Action::Alert {
                topic,
                message,
                severity,
            } = e.action
            {
                out.push_with(|s| {
                    use std::fmt::Write as _;
                    let to = e.department.unwrap_or("(no route)");
                    let _ = write!(s, "{} {topic} -> {to}: {message}", severity.name());
                });
            }
        }
    });
    let rules = list_column(n, |r, out| {
        grades.rules_fired(r).for_each(|id| out.push(id))
    });
    [labels, alerts, rules]
}
