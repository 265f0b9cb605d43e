//! Building one typed column from raw loader values, turning bad values into issues.

use std::collections::HashMap;

use super::{Column, MISSING_CODE, Problem};
use crate::date::Date;
use crate::profile::AttrValue;
use crate::schema::InputType;

/// A raw value handed to a [`ColumnBuilder`] by a loader.
#[derive(Debug, Clone, Copy)]
pub enum RawValue<'a> {
    /// Absent (null, empty cell, key not present).
    Missing,
    /// A real number.
    Number(f64),
    /// An integer.
    Integer(i64),
    /// A boolean.
    Bool(bool),
    /// Text (a CSV cell, a JSON string).
    Text(&'a str),
}

impl<'a> From<&'a AttrValue> for RawValue<'a> {
    fn from(v: &'a AttrValue) -> RawValue<'a> {
        match v {
            AttrValue::Bool(b) => RawValue::Bool(*b),
            AttrValue::Integer(i) => RawValue::Integer(*i),
            AttrValue::Number(x) => RawValue::Number(*x),
            AttrValue::Text(s) => RawValue::Text(s),
        }
    }
}

/// Builds one typed column, turning bad values into issues.
///
/// ```
/// use riskgrade_core::{ColumnBuilder, InputType, RawValue, Problem};
/// let mut b = ColumnBuilder::new("penalties_3y", InputType::Count);
/// b.push(RawValue::Text("2"));
/// b.push(RawValue::Number(-1.0));
/// b.push(RawValue::Missing);
/// let (col, issues) = b.finish();
/// assert_eq!(col.len(), 3);
/// assert!(col.is_missing(1) && col.is_missing(2));
/// assert_eq!(issues, vec![(1, Problem::Negative(-1.0))]);
/// ```
#[derive(Debug)]
pub struct ColumnBuilder {
    name: String,
    ty: InputType,
    numbers: Vec<f64>,
    codes: Vec<u32>,
    dict: Vec<String>,
    lookup: HashMap<String, u32>,
    issues: Vec<(usize, Problem)>,
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim() {
        "true" | "TRUE" | "True" | "1" | "yes" | "Y" | "y" | "是" => Some(true),
        "false" | "FALSE" | "False" | "0" | "no" | "N" | "n" | "否" => Some(false),
        _ => None,
    }
}

impl ColumnBuilder {
    /// An empty builder for the input `name` of type `ty`.
    pub fn new(name: &str, ty: InputType) -> ColumnBuilder {
        ColumnBuilder {
            name: name.to_string(),
            ty,
            numbers: Vec::new(),
            codes: Vec::new(),
            dict: Vec::new(),
            lookup: HashMap::new(),
            issues: Vec::new(),
        }
    }

    /// Reserves room for `n` more rows.
    pub fn reserve(&mut self, n: usize) {
        if self.ty == InputType::Category {
            self.codes.reserve(n);
        } else {
            self.numbers.reserve(n);
        }
    }

    /// The input's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Appends one value.
    pub fn push(&mut self, v: RawValue<'_>) {
        let row = self.len();
        if self.ty == InputType::Category {
            let text: Option<std::borrow::Cow<'_, str>> = match v {
                RawValue::Missing => None,
                RawValue::Text(s) if s.trim().is_empty() => None,
                RawValue::Text(s) => Some(s.trim().into()),
                RawValue::Integer(i) => Some(i.to_string().into()),
                RawValue::Number(x) if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e15 => {
                    Some((x as i64).to_string().into())
                }
                RawValue::Number(x) if x.is_finite() => Some(x.to_string().into()),
                RawValue::Number(x) => {
                    self.issues.push((row, Problem::NotFinite(x)));
                    None
                }
                RawValue::Bool(_) => {
                    self.issues.push((
                        row,
                        Problem::WrongType {
                            expected: "category",
                            found: "a boolean",
                        },
                    ));
                    None
                }
            };
            let code = match text {
                None => MISSING_CODE,
                Some(t) => match self.lookup.get(t.as_ref()) {
                    Some(c) => *c,
                    None => {
                        let c = self.dict.len() as u32;
                        self.dict.push(t.to_string());
                        self.lookup.insert(t.into_owned(), c);
                        c
                    }
                },
            };
            self.codes.push(code);
            return;
        }
        let value = self.convert(v).unwrap_or_else(|p| {
            self.issues.push((row, p));
            f64::NAN
        });
        self.numbers.push(value);
    }

    fn convert(&self, v: RawValue<'_>) -> Result<f64, Problem> {
        let expected = self.ty.name();
        let x = match (self.ty, v) {
            (_, RawValue::Missing) => return Ok(f64::NAN),
            (_, RawValue::Text(s)) if s.trim().is_empty() => return Ok(f64::NAN),
            (InputType::Date, RawValue::Text(s)) => {
                return Date::parse(s).map(|d| f64::from(d.days())).map_err(|_| {
                    Problem::Unparsable {
                        text: s.to_string(),
                        expected: "date (YYYY-MM-DD)",
                    }
                });
            }
            (InputType::Date, RawValue::Bool(_))
            | (InputType::Date, RawValue::Number(_))
            | (InputType::Date, RawValue::Integer(_)) => {
                return Err(Problem::WrongType {
                    expected: "date (YYYY-MM-DD)",
                    found: "a number",
                });
            }
            (InputType::Bool, RawValue::Bool(b)) => return Ok(f64::from(u8::from(b))),
            (InputType::Bool, RawValue::Text(s)) => {
                return parse_bool(s)
                    .map(|b| f64::from(u8::from(b)))
                    .ok_or_else(|| Problem::Unparsable {
                        text: s.to_string(),
                        expected: "boolean",
                    });
            }
            (InputType::Bool, RawValue::Integer(i)) if i == 0 || i == 1 => return Ok(i as f64),
            (InputType::Bool, RawValue::Number(x)) if x == 0.0 || x == 1.0 => return Ok(x),
            (InputType::Bool, _) => {
                return Err(Problem::WrongType {
                    expected: "boolean",
                    found: "a number other than 0 or 1",
                });
            }
            (_, RawValue::Bool(_)) => {
                return Err(Problem::WrongType {
                    expected,
                    found: "a boolean",
                });
            }
            (_, RawValue::Integer(i)) => i as f64,
            (_, RawValue::Number(x)) => x,
            (_, RawValue::Text(s)) => s.trim().parse::<f64>().map_err(|_| Problem::Unparsable {
                text: s.to_string(),
                expected,
            })?,
        };
        if !x.is_finite() {
            return Err(Problem::NotFinite(x));
        }
        match self.ty {
            InputType::Count if x < 0.0 => Err(Problem::Negative(x)),
            InputType::Integer if x.fract() != 0.0 => Err(Problem::NotWhole(x)),
            _ => Ok(x),
        }
    }

    /// Number of values pushed so far.
    pub fn len(&self) -> usize {
        self.numbers.len().max(self.codes.len())
    }

    /// Whether nothing was pushed yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends the rows of another builder of the same input (e.g. built by
    /// another thread over the next rows); its categories are re-coded into ours.
    pub fn append(&mut self, other: ColumnBuilder) {
        let offset = self.len();
        self.issues
            .extend(other.issues.into_iter().map(|(r, p)| (r + offset, p)));
        if self.ty != InputType::Category {
            self.numbers.extend(other.numbers);
            return;
        }
        let remap: Vec<u32> = other
            .dict
            .into_iter()
            .map(|label| match self.lookup.get(&label) {
                Some(c) => *c,
                None => {
                    let c = self.dict.len() as u32;
                    self.dict.push(label.clone());
                    self.lookup.insert(label, c);
                    c
                }
            })
            .collect();
        self.codes.extend(other.codes.into_iter().map(|c| {
            if c == MISSING_CODE {
                MISSING_CODE
            } else {
                remap[c as usize]
            }
        }));
    }

    /// Appends a whole slice of numbers (the Arrow fast path); `None` is missing.
    pub fn extend_numbers(&mut self, values: impl IntoIterator<Item = Option<f64>>) {
        for v in values {
            self.push(v.map_or(RawValue::Missing, RawValue::Number));
        }
    }

    /// The finished column and its issues as (row, problem).
    pub fn finish(self) -> (Column, Vec<(usize, Problem)>) {
        let col = if self.ty == InputType::Category {
            Column::Category {
                codes: self.codes,
                dict: self.dict,
            }
        } else {
            Column::Number(self.numbers)
        };
        (col, self.issues)
    }
}
