//! Columnar batches of enterprises: identity columns plus one typed column per input.
//!
//! Every loader (nested profiles, CSV, Parquet, Arrow) produces a [`Frame`]
//! through [`ColumnBuilder`], so type checks and bad-value reports are the same
//! whatever the source. A bad value never stops a load: it becomes a
//! [`DataIssue`] that names the row, the enterprise and the column, the value
//! is stored as missing, and the engine reports the row instead of grading it.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use rayon::prelude::*;

use crate::date::Date;
use crate::profile::{AttrValue, Enterprise};
use crate::schema::{InputType, Schema};

/// Marks a missing category in [`Column::Category`] codes.
pub const MISSING_CODE: u32 = u32::MAX;

/// One input column. Numbers, counts, booleans (0/1) and dates (days since
/// 1970-01-01) are `f64` with `NaN` for missing; bad values were already
/// turned into issues, so `NaN` always means "missing" here.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// Numeric values.
    Number(Vec<f64>),
    /// Dictionary-encoded categories ([`MISSING_CODE`] for missing).
    Category {
        /// Codes into `dict`, one per row.
        codes: Vec<u32>,
        /// Distinct labels.
        dict: Vec<String>,
    },
}

impl Column {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            Column::Number(v) => v.len(),
            Column::Category { codes, .. } => codes.len(),
        }
    }
    /// Whether the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Whether row `i` is missing.
    pub fn is_missing(&self, i: usize) -> bool {
        match self {
            Column::Number(v) => v[i].is_nan(),
            Column::Category { codes, .. } => codes[i] == MISSING_CODE,
        }
    }
    /// Row `i` as text, for explanations (`None` when missing).
    pub fn display(&self, i: usize, ty: InputType) -> Option<String> {
        let mut out = String::new();
        self.write_display(i, ty, &mut out).then_some(out)
    }

    /// Writes row `i` as text, as [`Column::display`] gives it, onto `out`;
    /// `false` (nothing written) when missing.
    pub fn write_display(&self, i: usize, ty: InputType, out: &mut String) -> bool {
        use std::fmt::Write as _;
        match self {
            Column::Number(v) if v[i].is_nan() => false,
            Column::Number(v) => {
                match ty {
                    InputType::Bool => out.push_str(if v[i] != 0.0 { "true" } else { "false" }),
                    InputType::Date => {
                        let _ = write!(out, "{}", Date::from_days(v[i] as i32));
                    }
                    _ => write_number(out, v[i]),
                }
                true
            }
            Column::Category { codes, dict } => match dict.get(codes[i] as usize) {
                Some(label) => {
                    out.push_str(label);
                    true
                }
                None => false,
            },
        }
    }
}

/// Formats a number for people: integers without a fraction, others with up to 2 decimals.
///
/// ```
/// use riskgrade_core::format_number;
/// assert_eq!(format_number(3.0), "3");
/// assert_eq!(format_number(4.2765), "4.28");
/// assert_eq!(format_number(0.5), "0.5");
/// ```
pub fn format_number(x: f64) -> String {
    let mut out = String::new();
    write_number(&mut out, x);
    out
}

/// Writes `x` as [`format_number`] gives it onto `out`, without allocating.
///
/// ```
/// let mut out = String::from("ratio ");
/// riskgrade_core::write_number(&mut out, -0.001);
/// assert_eq!(out, "ratio 0");
/// ```
pub fn write_number(out: &mut String, x: f64) {
    use std::fmt::Write as _;
    if x.fract() == 0.0 && x.abs() < 1e15 {
        let _ = write!(out, "{}", x as i64);
        return;
    }
    if let Some(hundredths) = hundredths(x) {
        let (whole, cents) = (
            hundredths.unsigned_abs() / 100,
            hundredths.unsigned_abs() % 100,
        );
        if hundredths < 0 {
            out.push('-');
        }
        let _ = write!(out, "{whole}");
        if cents != 0 {
            out.push('.');
            out.push(char::from(b'0' + (cents / 10) as u8));
            if cents % 10 != 0 {
                out.push(char::from(b'0' + (cents % 10) as u8));
            }
        }
        return;
    }
    let start = out.len();
    let _ = write!(out, "{x:.2}");
    let kept = out[start..]
        .trim_end_matches('0')
        .trim_end_matches('.')
        .len();
    out.truncate(start + kept);
    if &out[start..] == "-0" {
        out.truncate(start);
        out.push('0');
    }
}

/// `x` rounded to hundredths as `{x:.2}` rounds it, when the product `x * 100`
/// cannot fall on the other side of a half from the exact one (it is off by at
/// most half an ulp): `None` near a half and for large or non-finite `x`, which
/// the caller formats the slow way.
fn hundredths(x: f64) -> Option<i64> {
    if !x.is_finite() || x.abs() >= 1e12 {
        return None;
    }
    let scaled = x * 100.0;
    let fraction = (scaled - scaled.trunc()).abs();
    if (fraction - 0.5).abs() < 1e-6 {
        return None;
    }
    Some(scaled.round() as i64)
}

/// What is wrong with a value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Problem {
    /// A required value is absent.
    #[error("missing value")]
    Missing,
    /// NaN or infinity.
    #[error("`{0}` is not a finite number")]
    NotFinite(f64),
    /// Text that does not parse as the input's type.
    #[error("`{text}` is not a valid {expected}")]
    Unparsable {
        /// The text found.
        text: String,
        /// The type expected.
        expected: &'static str,
    },
    /// A count below zero.
    #[error("negative count {0}")]
    Negative(f64),
    /// An integer input with a fraction.
    #[error("{0} is not a whole number")]
    NotWhole(f64),
    /// A value of another type (e.g. a boolean for a number).
    #[error("expected a {expected}, found {found}")]
    WrongType {
        /// The type expected.
        expected: &'static str,
        /// What was found.
        found: &'static str,
    },
    /// A rule failed on this enterprise: a script error or a limit.
    #[error("{message}{}", if *skipped { " (the rule was skipped; graded without it)" } else { "" })]
    Rule {
        /// The rule's error: id, file position and what went wrong.
        message: String,
        /// Whether the enterprise was graded without the rule (policy `skip-rule`).
        skipped: bool,
    },
    /// No model grades this industry code.
    #[error("unknown industry `{0}`")]
    UnknownIndustry(String),
    /// A category label that the indicator's map does not know and that has no `other` points.
    #[error(
        "category `{label}` is not in the map of indicator `{indicator}` and it has no `other` points"
    )]
    UnknownCategory {
        /// The label found.
        label: String,
        /// The indicator's path.
        indicator: String,
    },
    /// The row itself could not be read (a CSV line with the wrong number of fields, a profile that is not valid).
    #[error("unreadable: {0}")]
    Unreadable(String),
    /// The same enterprise id appears twice in the batch.
    #[error("duplicate enterprise id (first seen at row {0})")]
    DuplicateId(usize),
    /// A credit, industry or district code that its standard does not allow.
    #[error("{error}{}", if *flagged { " (flagged; graded anyway)" } else { "" })]
    BadCode {
        /// The field.
        field: crate::codes::CodeField,
        /// What is wrong with the code (boxed: it is rare, and keeps every problem small).
        error: Box<crate::codes::CodeError>,
        /// Whether the model set grades the row anyway (policy `flag`).
        flagged: bool,
    },
}

impl Problem {
    /// Whether the row is graded despite the problem (a flagged code): the
    /// problem is reported but does not make the row bad.
    ///
    /// ```
    /// use riskgrade_core::Problem;
    /// assert!(!Problem::Missing.is_flag());
    /// ```
    pub fn is_flag(&self) -> bool {
        matches!(self, Problem::BadCode { flagged: true, .. })
    }
}

/// A bad value: where it is and what is wrong with it.
#[derive(Debug, Clone, PartialEq)]
pub struct DataIssue {
    /// Zero-based row in the batch.
    pub row: usize,
    /// The enterprise's id (empty when the id itself is missing).
    pub id: String,
    /// The column or field.
    pub column: String,
    /// What is wrong.
    pub problem: Problem,
}

impl fmt::Display for DataIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "row {}, enterprise `{}`, column `{}`: {}",
            self.row + 1,
            self.id,
            self.column,
            self.problem
        )
    }
}

mod builder;
pub use builder::{ColumnBuilder, RawValue};

/// A finished input column as [`Frame::from_parts`] takes it: name, type,
/// values, and the (row, problem) pairs found while building it.
pub type InputColumn = (String, InputType, Column, Vec<(usize, Problem)>);

/// A batch of enterprises in columns: ids, names, industries, districts, and
/// one column per schema input, plus the issues found while loading.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    as_of: Option<Date>,
    ids: Arc<[String]>,
    names: Vec<String>,
    industries: Vec<String>,
    districts: Vec<String>,
    /// Unified social credit codes, one per row; empty when the batch has none.
    credit_codes: Vec<String>,
    columns: Vec<(String, InputType, Column)>,
    issues: Vec<DataIssue>,
}

/// The identity columns of a frame.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Identity {
    /// Enterprise ids.
    pub ids: Vec<String>,
    /// Names (may be empty strings).
    pub names: Vec<String>,
    /// Industry codes.
    pub industries: Vec<String>,
    /// Districts (may be empty strings).
    pub districts: Vec<String>,
}

/// Rows whose id is empty ([`Problem::Missing`]) or was already given to an earlier row
/// ([`Problem::DuplicateId`] with that first row, counted from 1), in no particular order.
///
/// The ids are hashed in parallel and split by hash into shards checked in parallel, each
/// seeing its rows in order (so a repeat names the batch's first row with the id). A shard
/// keys its rows by hash and reads an id's text only when its hash was seen before.
fn id_problems(ids: &[String]) -> Vec<(usize, Problem)> {
    use std::hash::BuildHasher;
    id_problems_by(ids, |id| rustc_hash::FxBuildHasher.hash_one(id))
}

/// [`id_problems`] with the ids' hashes given by `hash`.
fn id_problems_by(ids: &[String], hash: impl Fn(&str) -> u64 + Sync) -> Vec<(usize, Problem)> {
    use std::collections::hash_map::Entry;
    const SHARDS: usize = 64;
    let hasher = rustc_hash::FxBuildHasher;
    let hashes: Vec<u64> = ids
        .par_iter()
        .with_min_len(4096)
        .map(|id| hash(id))
        .collect();
    let mut shards: Vec<Vec<usize>> = (0..SHARDS)
        .map(|_| Vec::with_capacity(ids.len() / SHARDS + 16))
        .collect();
    for (row, &h) in hashes.iter().enumerate() {
        shards[(h >> 58) as usize].push(row);
    }
    shards
        .par_iter()
        .flat_map_iter(|rows| {
            let mut first: rustc_hash::FxHashMap<u64, usize> =
                rustc_hash::FxHashMap::with_capacity_and_hasher(rows.len(), hasher);
            // Ids whose hash an earlier, different id already has.
            let mut clashing: rustc_hash::FxHashMap<&str, usize> = Default::default();
            let hashes = &hashes;
            rows.iter().filter_map(move |&row| {
                let id = ids[row].as_str();
                if id.is_empty() {
                    return Some((row, Problem::Missing));
                }
                let earlier = match first.entry(hashes[row]) {
                    Entry::Vacant(slot) => {
                        slot.insert(row);
                        return None;
                    }
                    Entry::Occupied(seen) if ids[*seen.get()] == id => *seen.get(),
                    Entry::Occupied(_) => *clashing.entry(id).or_insert(row),
                };
                (earlier != row).then_some((row, Problem::DuplicateId(earlier + 1)))
            })
        })
        .collect()
}

impl Frame {
    /// Assembles a frame from identity columns, finished input columns and their issues.
    ///
    /// Issues are given ids and sorted by row; duplicate ids are reported.
    ///
    /// # Panics
    /// When a column's length differs from the number of ids — a loader bug, not bad data.
    pub fn from_parts(
        identity: Identity,
        columns: Vec<InputColumn>,
        mut extra_issues: Vec<(usize, String, Problem)>,
        as_of: Option<Date>,
    ) -> Frame {
        let n = identity.ids.len();
        let Identity {
            ids,
            mut names,
            mut industries,
            mut districts,
        } = identity;
        names.resize(n, String::new());
        industries.resize(n, String::new());
        districts.resize(n, String::new());
        // Routing, `when` conditions and plan strata all read the normal form
        // (`1411`, `c1411` and `C 1411` are `C1411`); codes that are not valid
        // stay as written, for the model set's code policy to report.
        industries.par_iter_mut().for_each(|code| {
            if let Ok(c) = crate::codes::IndustryCode::parse(code)
                && c.as_str() != code.as_str()
            {
                *code = c.as_str().to_string();
            }
        });
        extra_issues.extend(
            id_problems(&ids)
                .into_iter()
                .map(|(row, problem)| (row, "id".into(), problem)),
        );
        let mut issues: Vec<DataIssue> = extra_issues
            .into_iter()
            .map(|(row, column, problem)| DataIssue {
                row,
                id: String::new(),
                column,
                problem,
            })
            .collect();
        let mut cols = Vec::with_capacity(columns.len());
        for (name, ty, col, probs) in columns {
            assert_eq!(
                col.len(),
                n,
                "column `{name}` has {} rows, expected {n}",
                col.len()
            );
            issues.extend(probs.into_iter().map(|(row, problem)| DataIssue {
                row,
                id: String::new(),
                column: name.clone(),
                problem,
            }));
            cols.push((name, ty, col));
        }
        issues.sort_by(|a, b| a.row.cmp(&b.row).then_with(|| a.column.cmp(&b.column)));
        for is in &mut issues {
            is.id = ids.get(is.row).cloned().unwrap_or_default();
        }
        Frame {
            as_of,
            ids: ids.into(),
            names,
            industries,
            districts,
            credit_codes: Vec::new(),
            columns: cols,
            issues,
        }
    }

    /// Derives every schema input from nested profiles as of `as_of`.
    ///
    /// ```
    /// use riskgrade_core::{Enterprise, Frame, InputSpec, InputType, Schema};
    /// let e: Enterprise = serde_json::from_str(r#"{"id":"E1","industry":"C14",
    ///     "records":[{"kind":"complaint","date":"2026-10-01"}]}"#).unwrap();
    /// let spec: InputSpec = serde_json::from_str(r#"{"type":"count","derive":{"fn":"count","record":"complaint","window":"1y"}}"#).unwrap();
    /// let schema = Schema::new([("complaints_1y".to_string(), spec)]);
    /// let frame = Frame::from_profiles(&[e], &schema, "2026-11-01".parse().unwrap(), &Default::default());
    /// assert_eq!(frame.number("complaints_1y").unwrap(), &[1.0]);
    /// ```
    pub fn from_profiles(
        profiles: &[Enterprise],
        schema: &Schema,
        as_of: Date,
        periods: &crate::EffectPeriods,
    ) -> Frame {
        let n = profiles.len();
        let mut identity = Identity {
            ids: Vec::with_capacity(n),
            names: Vec::with_capacity(n),
            industries: Vec::with_capacity(n),
            districts: Vec::with_capacity(n),
        };
        for p in profiles {
            identity.ids.push(p.id.0.clone());
            identity.names.push(p.name.clone());
            identity.industries.push(p.industry.clone());
            identity.districts.push(p.district.clone());
        }
        // Rows are processed in parallel chunks; within a chunk each profile is read once:
        // its attributes are matched to inputs through one hash lookup each, and each
        // record's effect end is computed once and shared by every derived feature.
        let inputs = schema.inputs();
        let mut by_attribute: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, (name, spec)) in inputs.iter().enumerate() {
            if spec.derive.is_none() {
                by_attribute
                    .entry(spec.attribute_name(name))
                    .or_default()
                    .push(i);
            }
        }
        let parts: Vec<Vec<ColumnBuilder>> = profiles
            .par_chunks(4096)
            .map(|chunk| {
                let mut builders: Vec<ColumnBuilder> = inputs
                    .iter()
                    .map(|(name, spec)| {
                        let mut b = ColumnBuilder::new(name, spec.ty);
                        b.reserve(chunk.len());
                        b
                    })
                    .collect();
                let mut slots: Vec<Option<&AttrValue>> = vec![None; inputs.len()];
                let mut ends = Vec::new();
                for p in chunk {
                    ends.clear();
                    ends.extend(p.records.iter().map(|r| r.date.plus(periods.period_of(r))));
                    slots.fill(None);
                    for (key, value) in &p.attributes {
                        if let Some(targets) = by_attribute.get(key.as_str()) {
                            for &t in targets {
                                slots[t] = Some(value);
                            }
                        }
                    }
                    for (i, ((_, spec), b)) in inputs.iter().zip(&mut builders).enumerate() {
                        match &spec.derive {
                            Some(def) => {
                                let v = def.eval_prepared(p, as_of, &ends);
                                b.push(if v.is_nan() {
                                    RawValue::Missing
                                } else {
                                    RawValue::Number(v)
                                });
                            }
                            None => b.push(slots[i].map_or(RawValue::Missing, RawValue::from)),
                        }
                    }
                }
                builders
            })
            .collect();
        let mut merged: Vec<ColumnBuilder> = Vec::with_capacity(inputs.len());
        for part in parts {
            if merged.is_empty() {
                merged = part;
            } else {
                for (m, b) in merged.iter_mut().zip(part) {
                    m.append(b);
                }
            }
        }
        if merged.is_empty() {
            merged = inputs
                .iter()
                .map(|(name, spec)| ColumnBuilder::new(name, spec.ty))
                .collect();
        }
        let cols: Vec<InputColumn> = merged
            .into_iter()
            .zip(inputs)
            .map(|(b, (name, spec))| {
                let (col, probs) = b.finish();
                (name.clone(), spec.ty, col, probs)
            })
            .collect();
        let frame = Frame::from_parts(identity, cols, Vec::new(), Some(as_of));
        if profiles.iter().any(|p| p.credit_code.is_some()) {
            let codes = profiles
                .iter()
                .map(|p| p.credit_code.clone().unwrap_or_default());
            frame.with_credit_codes(codes.collect())
        } else {
            frame
        }
    }

    /// Sets the unified social credit codes, one per row (empty strings where unknown).
    ///
    /// ```
    /// use riskgrade_core::{Frame, Identity};
    /// let identity = Identity { ids: vec!["E1".into()], industries: vec!["c 1411".into()], ..Default::default() };
    /// let frame = Frame::from_parts(identity, Vec::new(), Vec::new(), None)
    ///     .with_credit_codes(vec!["91350100M000100Y43".into()]);
    /// assert_eq!(frame.credit_codes(), ["91350100M000100Y43"]);
    /// assert_eq!(frame.industries(), ["C1411"]); // the normal form
    /// ```
    ///
    /// # Panics
    /// When `codes` has another length than the frame — a loader bug, not bad data.
    pub fn with_credit_codes(mut self, codes: Vec<String>) -> Frame {
        assert_eq!(codes.len(), self.len(), "one credit code per row");
        self.credit_codes = codes;
        self
    }

    /// The unified social credit codes, one per row, or none at all when the batch has none.
    pub fn credit_codes(&self) -> &[String] {
        &self.credit_codes
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.ids.len()
    }
    /// Whether the frame has no rows.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
    /// The as-of date the features were derived for, when derived from profiles.
    pub fn as_of(&self) -> Option<Date> {
        self.as_of
    }
    /// Enterprise ids.
    pub fn ids(&self) -> &[String] {
        &self.ids
    }
    /// Enterprise ids, shared (cheap to clone).
    pub fn shared_ids(&self) -> Arc<[String]> {
        Arc::clone(&self.ids)
    }
    /// Enterprise names.
    pub fn names(&self) -> &[String] {
        &self.names
    }
    /// Industry codes.
    pub fn industries(&self) -> &[String] {
        &self.industries
    }
    /// Districts.
    pub fn districts(&self) -> &[String] {
        &self.districts
    }
    /// The input column called `name`, with its type.
    pub fn column(&self, name: &str) -> Option<(InputType, &Column)> {
        self.columns
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, t, c)| (*t, c))
    }
    /// The numeric column called `name`.
    pub fn number(&self, name: &str) -> Option<&[f64]> {
        match self.column(name) {
            Some((_, Column::Number(v))) => Some(v),
            _ => None,
        }
    }
    /// All input columns, in schema order.
    pub fn columns(&self) -> impl Iterator<Item = (&str, InputType, &Column)> {
        self.columns.iter().map(|(n, t, c)| (n.as_str(), *t, c))
    }
    /// Bad values found while loading, sorted by row.
    pub fn issues(&self) -> &[DataIssue] {
        &self.issues
    }

    /// Appends rows that could not be read at all (a profile that is not valid
    /// JSON, say): each keeps its id and gets an [`Problem::Unreadable`] issue,
    /// so it appears in the results as not graded instead of vanishing.
    ///
    /// ```
    /// use riskgrade_core::{Frame, Schema};
    /// let frame = Frame::from_profiles(&[], &Schema::default(), "2026-11-01".parse().unwrap(), &Default::default());
    /// let frame = frame.with_unreadable(vec![("E7".into(), "line 3: not valid JSON".into())]);
    /// assert_eq!(frame.len(), 1);
    /// assert_eq!(frame.issues()[0].to_string(), "row 1, enterprise `E7`, column `(row)`: unreadable: line 3: not valid JSON");
    /// ```
    pub fn with_unreadable(self, rows: Vec<(String, String)>) -> Frame {
        if rows.is_empty() {
            return self;
        }
        let n = self.len();
        let mut ids = self.ids.to_vec();
        let (mut names, mut industries, mut districts) =
            (self.names, self.industries, self.districts);
        let mut credit_codes = self.credit_codes;
        let mut columns = self.columns;
        let mut issues = self.issues;
        for (k, (id, message)) in rows.into_iter().enumerate() {
            issues.push(DataIssue {
                row: n + k,
                id: id.clone(),
                column: "(row)".into(),
                problem: Problem::Unreadable(message),
            });
            ids.push(id);
            names.push(String::new());
            industries.push(String::new());
            districts.push(String::new());
            if !credit_codes.is_empty() {
                credit_codes.push(String::new());
            }
            for (_, _, col) in &mut columns {
                match col {
                    Column::Number(v) => v.push(f64::NAN),
                    Column::Category { codes, .. } => codes.push(MISSING_CODE),
                }
            }
        }
        Frame {
            as_of: self.as_of,
            ids: ids.into(),
            names,
            industries,
            districts,
            credit_codes,
            columns,
            issues,
        }
    }

    /// The rows in `order`, e.g. a permutation or a subset; issues follow their rows.
    pub fn take(&self, order: &[usize]) -> Frame {
        let pick = |v: &Vec<String>| order.iter().map(|&i| v[i].clone()).collect::<Vec<_>>();
        let mut pos = vec![usize::MAX; self.len()];
        for (new, &old) in order.iter().enumerate() {
            pos[old] = new;
        }
        let columns = self
            .columns
            .iter()
            .map(|(n, t, c)| {
                let col = match c {
                    Column::Number(v) => Column::Number(order.iter().map(|&i| v[i]).collect()),
                    Column::Category { codes, dict } => Column::Category {
                        codes: order.iter().map(|&i| codes[i]).collect(),
                        dict: dict.clone(),
                    },
                };
                (n.clone(), *t, col)
            })
            .collect();
        let mut issues: Vec<DataIssue> = self
            .issues
            .iter()
            .filter(|is| pos[is.row] != usize::MAX)
            .map(|is| DataIssue {
                row: pos[is.row],
                ..is.clone()
            })
            .collect();
        issues.sort_by(|a, b| a.row.cmp(&b.row).then_with(|| a.column.cmp(&b.column)));
        Frame {
            as_of: self.as_of,
            ids: order.iter().map(|&i| self.ids[i].clone()).collect(),
            names: pick(&self.names),
            industries: pick(&self.industries),
            districts: pick(&self.districts),
            credit_codes: if self.credit_codes.is_empty() {
                Vec::new()
            } else {
                pick(&self.credit_codes)
            },
            columns,
            issues,
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::{EffectPeriods, InputSpec};

    /// How numbers were formatted with one `String` per step, kept as the reference.
    fn formatted(x: f64) -> String {
        if x.fract() == 0.0 && x.abs() < 1e15 {
            format!("{}", x as i64)
        } else {
            let s = format!("{x:.2}");
            let s = s.trim_end_matches('0').trim_end_matches('.');
            if s == "-0" {
                "0".to_string()
            } else {
                s.to_string()
            }
        }
    }

    proptest! {
        /// Numbers written in place read as they always did, appended after any text.
        #[test]
        fn numbers_written_in_place_read_as_before(
            x in prop_oneof![
                any::<f64>(),
                (-1e6f64..1e6),
                (-5i64..5000).prop_map(|i| i as f64 / 100.0),
                // Halves of a hundredth, where the rounding is decided by the last bit.
                (-50_000i64..50_000).prop_map(|i| (i as f64 + 0.5) / 100.0),
                (-50_000i64..50_000).prop_map(|i| i as f64 / 1000.0),
                (-1e13f64..1e13),
                Just(-0.001), Just(-0.0), Just(1e15), Just(f64::NAN),
            ],
            before in "[a-z ]{0,4}",
        ) {
            let mut out = before.clone();
            write_number(&mut out, x);
            prop_assert_eq!(out, format!("{before}{}", formatted(x)));
        }

        /// A value written in place is its display, for every column kind and type.
        #[test]
        fn values_written_in_place_are_their_display(
            v in prop_oneof![Just(f64::NAN), (-2000.0f64..40000.0), (0i32..3).prop_map(f64::from)],
            code in prop_oneof![Just(MISSING_CODE), 0u32..3],
            ty in proptest::sample::select(vec![InputType::Number, InputType::Bool, InputType::Date, InputType::Count]),
        ) {
            let numbers = Column::Number(vec![v]);
            let labels = Column::Category { codes: vec![code], dict: vec!["a".into(), "b".into()] };
            for col in [numbers, labels] {
                let mut out = String::from("x");
                let wrote = col.write_display(0, ty, &mut out);
                let shown = col.display(0, ty);
                prop_assert_eq!(wrote, shown.is_some());
                prop_assert_eq!(out, format!("x{}", shown.unwrap_or_default()));
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Missing and repeated ids are reported as one pass in row order would: each
        /// repeat names the first row with its id, however the check is split.
        #[test]
        fn id_problems_are_those_of_one_pass_in_row_order(
            picks in proptest::collection::vec(0usize..400, 0..6000),
        ) {
            let ids: Vec<String> = picks
                .iter()
                .map(|&k| if k == 0 { String::new() } else { format!("E{k}") })
                .collect();
            let mut first: HashMap<&str, usize> = HashMap::new();
            let mut expected = Vec::new();
            for (row, id) in ids.iter().enumerate() {
                if id.is_empty() {
                    expected.push((row, Problem::Missing));
                } else if let Some(f) = first.get(id.as_str()) {
                    expected.push((row, Problem::DuplicateId(f + 1)));
                } else {
                    first.insert(id, row);
                }
            }
            let identity = Identity { ids: ids.clone(), ..Identity::default() };
            let frame = Frame::from_parts(identity, Vec::new(), Vec::new(), None);
            let found: Vec<(usize, Problem)> = frame
                .issues()
                .iter()
                .map(|i| {
                    assert_eq!(i.column, "id");
                    assert_eq!(i.id, ids[i.row]);
                    (i.row, i.problem.clone())
                })
                .collect();
            prop_assert_eq!(found, expected.clone());
            // Ids whose hashes clash (here: all ids of a length) are still told apart.
            let mut clashing = id_problems_by(&ids, |id| (id.len() as u64) << 58 | 7);
            clashing.sort_by_key(|p| p.0);
            prop_assert_eq!(clashing, expected);
        }
    }

    #[test]
    fn profiles_across_chunks_match_one_by_one_derivation() {
        let specs: Vec<(String, InputSpec)> = [
            ("kind", r#"{"type":"category"}"#),
            (
                "capital",
                r#"{"type":"number","attribute":"registered_capital"}"#,
            ),
            (
                "complaints",
                r#"{"type":"count","derive":{"fn":"count","record":"complaint","window":"1y"}}"#,
            ),
        ]
        .iter()
        .map(|(n, j)| (n.to_string(), serde_json::from_str(j).unwrap()))
        .collect();
        let schema = Schema::new(specs);
        // 10,000 profiles span three chunks; later chunks meet categories in another order.
        let profiles: Vec<Enterprise> = (0..10_000)
            .map(|i| {
                let kind = ["llc", "sole", "partnership", "state"][(i * 7 / 4096 + i) % 4];
                let complaints = (0..i % 3)
                    .map(|k| format!(r#"{{"kind":"complaint","date":"2026-0{}-01"}}"#, k + 1))
                    .collect::<Vec<_>>()
                    .join(",");
                let capital = if i % 11 == 0 { String::new() } else { format!(r#","registered_capital":{i}"#) };
                serde_json::from_str(&format!(
                    r#"{{"id":"E{i}","industry":"F","attributes":{{"kind":"{kind}"{capital}}},"records":[{complaints}]}}"#
                ))
                .unwrap()
            })
            .collect();
        let as_of: Date = "2026-11-01".parse().unwrap();
        let frame = Frame::from_profiles(&profiles, &schema, as_of, &EffectPeriods::default());
        assert_eq!(frame.len(), 10_000);
        let (_, kind) = frame.column("kind").unwrap();
        for (i, p) in profiles.iter().enumerate() {
            let want = match &p.attributes["kind"] {
                AttrValue::Text(t) => t.clone(),
                other => panic!("{other:?}"),
            };
            assert_eq!(kind.display(i, InputType::Category), Some(want));
            let cap = frame.number("capital").unwrap()[i];
            if i % 11 == 0 {
                assert!(cap.is_nan());
            } else {
                assert_eq!(cap, i as f64);
            }
            assert_eq!(frame.number("complaints").unwrap()[i], (i % 3) as f64);
        }
    }

    #[test]
    fn appended_issues_keep_their_rows() {
        let mut a = ColumnBuilder::new("x", InputType::Count);
        a.push(RawValue::Integer(1));
        let mut b = ColumnBuilder::new("x", InputType::Count);
        b.push(RawValue::Integer(2));
        b.push(RawValue::Integer(-3));
        a.append(b);
        let (col, issues) = a.finish();
        assert_eq!(col.len(), 3);
        assert_eq!(issues, vec![(2, Problem::Negative(-3.0))]);
    }
}
