//! Building one typed column from raw loader values, turning bad values into issues.

use rustc_hash::FxHashMap;

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
    lookup: FxHashMap<String, u32>,
    issues: Vec<(usize, Problem)>,
}

/// Whether `x` given as a number is a valid value of type `ty` as it is
/// ([`ColumnBuilder::push`] would store it unchanged, with no issue).
fn number_ok(ty: InputType, x: f64) -> bool {
    x.is_finite()
        && match ty {
            InputType::Count => x >= 0.0,
            InputType::Integer => x.fract() == 0.0,
            InputType::Bool => x == 0.0 || x == 1.0,
            InputType::Number => true,
            InputType::Date | InputType::Category => false,
        }
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
            lookup: FxHashMap::default(),
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
            let code = self.code_of(text.as_deref());
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
    ///
    /// The same values and issues as [`ColumnBuilder::push`] of each as
    /// [`RawValue::Number`], without its per-value dispatch.
    pub fn extend_numbers(&mut self, values: impl IntoIterator<Item = Option<f64>>) {
        let ty = self.ty;
        if matches!(ty, InputType::Category | InputType::Date) {
            for v in values {
                self.push(v.map_or(RawValue::Missing, RawValue::Number));
            }
            return;
        }
        let base = self.numbers.len();
        let mut bad: Vec<(usize, f64)> = Vec::new();
        self.numbers
            .extend(values.into_iter().enumerate().map(|(i, v)| match v {
                None => f64::NAN,
                Some(x) if number_ok(ty, x) => x,
                Some(x) => {
                    bad.push((base + i, x));
                    f64::NAN
                }
            }));
        for (row, x) in bad {
            if let Err(p) = self.convert(RawValue::Number(x)) {
                self.issues.push((row, p));
            }
        }
    }

    /// Appends a whole slice of integers (the Arrow fast path); `None` is missing.
    ///
    /// The same values and issues as [`ColumnBuilder::push`] of each as [`RawValue::Integer`].
    pub fn extend_integers(&mut self, values: impl IntoIterator<Item = Option<i64>>) {
        if matches!(self.ty, InputType::Category | InputType::Date) {
            for v in values {
                self.push(v.map_or(RawValue::Missing, RawValue::Integer));
            }
            return;
        }
        // Every integer is finite, and its checks as a number are those of `convert`.
        self.extend_numbers(values.into_iter().map(|v| v.map(|i| i as f64)));
    }

    /// Appends a whole slice of booleans (the Arrow fast path); `None` is missing.
    ///
    /// The same values and issues as [`ColumnBuilder::push`] of each as [`RawValue::Bool`].
    pub fn extend_bools(&mut self, values: impl IntoIterator<Item = Option<bool>>) {
        if self.ty != InputType::Bool {
            for v in values {
                self.push(v.map_or(RawValue::Missing, RawValue::Bool));
            }
            return;
        }
        self.numbers.extend(
            values
                .into_iter()
                .map(|v| v.map_or(f64::NAN, |b| f64::from(u8::from(b)))),
        );
    }

    /// Appends rows given as `keys` into a few distinct `values` (an Arrow
    /// dictionary): each distinct value is read once. `None` (a null key or
    /// value) is missing. The same values and issues as [`ColumnBuilder::push`]
    /// of each row's text.
    pub fn extend_dictionary(
        &mut self,
        values: &[Option<&str>],
        keys: impl IntoIterator<Item = Option<usize>>,
    ) {
        if self.ty == InputType::Category {
            // Each value coded when first used, so that the dictionary holds only labels seen.
            let mut codes: Vec<Option<u32>> = vec![None; values.len()];
            for k in keys {
                let code = match k.filter(|&k| k < values.len()) {
                    None => MISSING_CODE,
                    Some(k) => match codes[k] {
                        Some(c) => c,
                        None => {
                            let c = self.code_of(values[k].map(str::trim));
                            codes[k] = Some(c);
                            c
                        }
                    },
                };
                self.codes.push(code);
            }
            return;
        }
        let read: Vec<Result<f64, Problem>> = values
            .iter()
            .map(|v| self.convert(v.map_or(RawValue::Missing, RawValue::Text)))
            .collect();
        for k in keys {
            let row = self.len();
            let value = k
                .and_then(|k| read.get(k))
                .map_or(Ok(f64::NAN), Clone::clone);
            let value = value.unwrap_or_else(|p| {
                self.issues.push((row, p));
                f64::NAN
            });
            self.numbers.push(value);
        }
    }

    /// The code of a category's trimmed text (`None` or empty: missing), added when new.
    fn code_of(&mut self, text: Option<&str>) -> u32 {
        match text {
            None | Some("") => MISSING_CODE,
            Some(t) => match self.lookup.get(t) {
                Some(c) => *c,
                None => {
                    let c = self.dict.len() as u32;
                    self.dict.push(t.to_string());
                    self.lookup.insert(t.to_string(), c);
                    c
                }
            },
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const TYPES: [InputType; 6] = [
        InputType::Number,
        InputType::Integer,
        InputType::Count,
        InputType::Bool,
        InputType::Category,
        InputType::Date,
    ];

    /// The column and issues of pushing each value one by one.
    fn pushed<'a>(ty: InputType, values: impl IntoIterator<Item = RawValue<'a>>) -> String {
        let mut b = ColumnBuilder::new("x", ty);
        b.push(RawValue::Text("2")); // a row before, so that issues' rows are offset
        values.into_iter().for_each(|v| b.push(v));
        format!("{:?}", b.finish())
    }

    fn number() -> impl Strategy<Value = Option<f64>> {
        prop_oneof![
            Just(None),
            Just(Some(f64::NAN)),
            Just(Some(f64::INFINITY)),
            Just(Some(-0.0)),
            (-3i32..4).prop_map(|i| Some(f64::from(i))),
            (-3.0f64..3.0).prop_map(Some),
        ]
    }

    proptest! {
        /// Each bulk path gives the same column and issues as pushing each value.
        #[test]
        fn bulk_paths_are_pushes(
            ty in proptest::sample::select(TYPES.to_vec()),
            numbers in proptest::collection::vec(number(), 0..40),
            ints in proptest::collection::vec(proptest::option::of(-3i64..4), 0..40),
            bools in proptest::collection::vec(proptest::option::of(any::<bool>()), 0..40),
            keys in proptest::collection::vec(proptest::option::of(0usize..6), 0..40),
        ) {
            let fresh = || {
                let mut b = ColumnBuilder::new("x", ty);
                b.push(RawValue::Text("2"));
                b
            };
            let raw = |v: Option<f64>| v.map_or(RawValue::Missing, RawValue::Number);
            let mut b = fresh();
            b.extend_numbers(numbers.iter().copied());
            prop_assert_eq!(format!("{:?}", b.finish()), pushed(ty, numbers.iter().map(|v| raw(*v))));

            let mut b = fresh();
            b.extend_integers(ints.iter().copied());
            let raw = |v: Option<i64>| v.map_or(RawValue::Missing, RawValue::Integer);
            prop_assert_eq!(format!("{:?}", b.finish()), pushed(ty, ints.iter().map(|v| raw(*v))));

            let mut b = fresh();
            b.extend_bools(bools.iter().copied());
            let raw = |v: Option<bool>| v.map_or(RawValue::Missing, RawValue::Bool);
            prop_assert_eq!(format!("{:?}", b.finish()), pushed(ty, bools.iter().map(|v| raw(*v))));

            // A dictionary with a null value, an empty text, padding and a bad value for each type.
            let values = [Some(" 1 "), None, Some(""), Some("是"), Some("x"), Some("2026-01-31")];
            let mut b = fresh();
            b.extend_dictionary(&values, keys.iter().copied());
            let text = |k: Option<usize>| {
                k.and_then(|k| values[k]).map_or(RawValue::Missing, RawValue::Text)
            };
            prop_assert_eq!(format!("{:?}", b.finish()), pushed(ty, keys.iter().map(|k| text(*k))));
        }
    }
}
