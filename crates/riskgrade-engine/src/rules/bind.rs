//! Rule conditions and variables bound to the batch's columns once, then
//! checked and read row by row; a condition that reads the batch alone (not a
//! row's score or class) is also checked a chunk of rows at a time.

use riskgrade_core::{Column, Date, InputType, MISSING_CODE};
use riskgrade_rules::{CmpOp, Dynamic, Guard, ImmutableString, Lit, Test, Var};

use super::{Pass, State, column_of};
use crate::error::EvalError;

/// How one variable is read for a row.
pub(super) enum Access<'a> {
    Number(&'a [f64], InputType),
    Codes(&'a [u32], Vec<ImmutableString>),
    Ids,
    Industry,
    District,
    Model,
    AsOf,
    Score,
    Class,
}

/// A condition bound to the batch's columns.
pub(super) enum Bound<'a> {
    Any(Vec<Bound<'a>>),
    All(Vec<Bound<'a>>),
    Not(Box<Bound<'a>>),
    Num(&'a [f64], NumTest),
    Score(NumTest),
    Code(&'a [u32], CodeTest),
    Text(TextSrc, TextTest),
    Class(CmpOp, usize),
    ClassIn(Vec<usize>),
    ModelIs(Vec<bool>),
}

/// A test of a number.
pub(super) enum NumTest {
    True,
    Cmp(CmpOp, f64),
    In(Vec<f64>),
}

/// A test of a category code.
pub(super) enum CodeTest {
    Cmp(CmpOp, Option<u32>),
    In(Vec<u32>),
}

/// A text column of the batch.
#[derive(Clone, Copy)]
pub(super) enum TextSrc {
    Id,
    Industry,
    District,
    Model,
}

/// A test of a text.
pub(super) enum TextTest {
    Cmp(CmpOp, String),
    In(Vec<String>, bool),
}

impl<'a> Pass<'a> {
    /// How `var` is read for each row.
    pub(super) fn access(&self, var: &Var, rule: &str) -> Result<Access<'a>, EvalError> {
        Ok(match var {
            Var::Input(i) => {
                let (name, ty) = &self.rules().catalog().inputs()[*i];
                match column_of(self.frame, name, rule)?.1 {
                    Column::Number(v) => Access::Number(v, *ty),
                    Column::Category { codes, dict } => Access::Codes(
                        codes,
                        dict.iter()
                            .map(|s| ImmutableString::from(s.as_str()))
                            .collect(),
                    ),
                }
            }
            Var::Id => Access::Ids,
            Var::Industry => Access::Industry,
            Var::District => Access::District,
            Var::Model => Access::Model,
            Var::AsOf => Access::AsOf,
            Var::Score => Access::Score,
            Var::Class => Access::Class,
        })
    }

    /// Binds a `when` condition to the batch.
    pub(super) fn bind(&self, g: &Guard, rule: &str) -> Result<Bound<'a>, EvalError> {
        let num_test = |t: &Test| match t {
            Test::True => NumTest::True,
            Test::Cmp(op, Lit::Number(x)) => NumTest::Cmp(*op, *x),
            Test::Cmp(op, Lit::Bool(b)) => NumTest::Cmp(*op, f64::from(u8::from(*b))),
            Test::In(v) => NumTest::In(
                v.iter()
                    .filter_map(|l| match l {
                        Lit::Number(x) => Some(*x),
                        Lit::Bool(b) => Some(f64::from(u8::from(*b))),
                        _ => None,
                    })
                    .collect(),
            ),
            _ => NumTest::In(Vec::new()),
        };
        let text_of = |l: &Lit| match l {
            Lit::Text(s) => s.clone(),
            _ => String::new(),
        };
        Ok(match g {
            Guard::Any(v) => Bound::Any(
                v.iter()
                    .map(|g| self.bind(g, rule))
                    .collect::<Result<_, _>>()?,
            ),
            Guard::All(v) => Bound::All(
                v.iter()
                    .map(|g| self.bind(g, rule))
                    .collect::<Result<_, _>>()?,
            ),
            Guard::Not(g) => Bound::Not(Box::new(self.bind(g, rule)?)),
            Guard::Test(var, t) => match self.access(var, rule)? {
                Access::Number(v, _) => Bound::Num(v, num_test(t)),
                Access::Codes(codes, dict) => {
                    let code = |l: &Lit| {
                        let s = text_of(l);
                        dict.iter().position(|d| d.as_str() == s).map(|c| c as u32)
                    };
                    match t {
                        Test::Cmp(op, l) => Bound::Code(codes, CodeTest::Cmp(*op, code(l))),
                        Test::In(v) => {
                            Bound::Code(codes, CodeTest::In(v.iter().filter_map(code).collect()))
                        }
                        Test::True => Bound::Code(codes, CodeTest::In(Vec::new())),
                    }
                }
                Access::Score => Bound::Score(num_test(t)),
                Access::AsOf => {
                    // The same for every row: fold it.
                    let d = f64::from(self.as_of.days());
                    let holds = match t {
                        Test::Cmp(op, Lit::Number(x)) => op.holds(d.total_cmp(x)),
                        Test::In(v) => v.contains(&Lit::Number(d)),
                        _ => false,
                    };
                    if holds {
                        Bound::All(Vec::new())
                    } else {
                        Bound::Any(Vec::new())
                    }
                }
                Access::Class => match t {
                    Test::Cmp(op, Lit::Class(c)) => Bound::Class(*op, *c),
                    Test::In(v) => Bound::ClassIn(
                        v.iter()
                            .filter_map(|l| match l {
                                Lit::Class(c) => Some(*c),
                                _ => None,
                            })
                            .collect(),
                    ),
                    _ => Bound::Any(Vec::new()),
                },
                Access::Model => {
                    // The same for every row of a model: one answer per model.
                    let per_model = self
                        .set
                        .models()
                        .iter()
                        .map(|m| {
                            let id = m.id();
                            match t {
                                Test::Cmp(op, l) => op.holds(id.cmp(text_of(l).as_str())),
                                Test::In(v) => v.iter().any(|l| text_of(l) == id),
                                Test::True => false,
                            }
                        })
                        .collect();
                    Bound::ModelIs(per_model)
                }
                a => {
                    let src = match a {
                        Access::Ids => TextSrc::Id,
                        Access::Industry => TextSrc::Industry,
                        Access::District => TextSrc::District,
                        _ => TextSrc::Model,
                    };
                    let prefix = matches!(src, TextSrc::Industry);
                    match t {
                        Test::Cmp(op, l) => Bound::Text(src, TextTest::Cmp(*op, text_of(l))),
                        Test::In(v) => {
                            Bound::Text(src, TextTest::In(v.iter().map(text_of).collect(), prefix))
                        }
                        Test::True => Bound::Any(Vec::new()),
                    }
                }
            },
        })
    }

    /// The catalog's index of model `m`'s class `c` (for `class` conditions).
    fn catalog_class(&self, m: usize, c: usize) -> usize {
        self.class_map
            .get(m)
            .and_then(|v| v.get(c))
            .copied()
            .unwrap_or(usize::MAX)
    }

    /// A text column's value for row `r`.
    pub(super) fn text(&self, src: TextSrc, r: usize) -> &str {
        match src {
            TextSrc::Id => &self.frame.ids()[r],
            TextSrc::Industry => self.frame.industries()[r].trim(),
            TextSrc::District => self.frame.districts().get(r).map_or("", String::as_str),
            TextSrc::Model => self.set.models()[self.model_of[r] as usize].id(),
        }
    }

    /// Whether a bound condition holds for row `r` in its current state.
    pub(super) fn holds(&self, b: &Bound<'_>, r: usize, st: &State) -> bool {
        match b {
            Bound::Any(v) => v.iter().any(|b| self.holds(b, r, st)),
            Bound::All(v) => v.iter().all(|b| self.holds(b, r, st)),
            Bound::Not(b) => !self.holds(b, r, st),
            Bound::Score(t) => num_holds(st.score, t),
            Bound::Class(op, c) => {
                let m = self.model_of[r] as usize;
                let mine = self.catalog_class(m, st.class);
                op.holds(mine.cmp(c))
            }
            Bound::ClassIn(v) => {
                let m = self.model_of[r] as usize;
                v.contains(&self.catalog_class(m, st.class))
            }
            _ => self.batch_holds(b, r).unwrap_or(false),
        }
    }

    /// A test of the batch alone (not of a row's score or class) for row `r`; `None` for
    /// any other condition.
    fn batch_holds(&self, b: &Bound<'_>, r: usize) -> Option<bool> {
        Some(match b {
            Bound::Num(v, t) => num_holds(v[r], t),
            Bound::Code(codes, t) => {
                let c = codes[r];
                c != MISSING_CODE
                    && match t {
                        CodeTest::Cmp(CmpOp::Eq, lit) => Some(c) == *lit,
                        CodeTest::Cmp(_, lit) => Some(c) != *lit,
                        CodeTest::In(v) => v.contains(&c),
                    }
            }
            Bound::Text(TextSrc::Model, _) | Bound::ModelIs(_)
                if self.model_of[r] as usize >= self.set.models().len() =>
            {
                false
            }
            Bound::Text(src, t) => {
                let s = self.text(*src, r);
                !s.is_empty()
                    && match t {
                        TextTest::Cmp(op, lit) => op.holds(s.cmp(lit.as_str())),
                        TextTest::In(v, true) => v.iter().any(|p| s.starts_with(p.as_str())),
                        TextTest::In(v, false) => v.iter().any(|p| s == p),
                    }
            }
            Bound::ModelIs(v) => v[self.model_of[r] as usize],
            _ => return None,
        })
    }

    /// Whether a bound condition reads the batch alone, never a row's score or class, so
    /// that [`Pass::holds_many`] can check it for many rows at once.
    pub(super) fn reads_batch_only(b: &Bound<'_>) -> bool {
        match b {
            Bound::Any(v) | Bound::All(v) => v.iter().all(Self::reads_batch_only),
            Bound::Not(b) => Self::reads_batch_only(b),
            Bound::Score(_) | Bound::Class(..) | Bound::ClassIn(_) => false,
            _ => true,
        }
    }

    /// [`Pass::holds`] of a condition that [reads the batch only](Pass::reads_batch_only) for
    /// the rows `start..start + out.len()`, into `out`, one test at a time over all the
    /// rows; `None` (and `out` unspecified) when the condition reads a score or class.
    pub(super) fn holds_many(&self, b: &Bound<'_>, start: usize, out: &mut [bool]) -> Option<()> {
        match b {
            Bound::Any(v) | Bound::All(v) => {
                let all = matches!(b, Bound::All(_));
                out.fill(all);
                let mut part = vec![false; out.len()];
                for c in v {
                    self.holds_many(c, start, &mut part)?;
                    for (o, p) in out.iter_mut().zip(&part) {
                        *o = if all { *o && *p } else { *o || *p };
                    }
                }
            }
            Bound::Not(c) => {
                self.holds_many(c, start, out)?;
                out.iter_mut().for_each(|o| *o = !*o);
            }
            Bound::Num(v, t) => {
                let xs = v[start..].iter().take(out.len());
                match t {
                    // `num_holds` with the test decided once for all the rows.
                    NumTest::Cmp(op, y) => {
                        use std::cmp::Ordering::{Equal, Greater, Less};
                        let pass = [op.holds(Less), op.holds(Equal), op.holds(Greater)];
                        for (o, &x) in out.iter_mut().zip(xs) {
                            *o = !x.is_nan() && pass[(x.total_cmp(y) as i8 + 1) as usize];
                        }
                    }
                    NumTest::True => {
                        for (o, &x) in out.iter_mut().zip(xs) {
                            *o = !x.is_nan() && x != 0.0;
                        }
                    }
                    NumTest::In(_) => {
                        for (o, &x) in out.iter_mut().zip(xs) {
                            *o = num_holds(x, t);
                        }
                    }
                }
            }
            _ => {
                for (i, o) in out.iter_mut().enumerate() {
                    *o = self.batch_holds(b, start + i)?;
                }
            }
        }
        Some(())
    }

    /// A variable's value for row `r` in its current state.
    pub(super) fn value(&self, a: &Access<'_>, r: usize, st: &State) -> Dynamic {
        match a {
            Access::Number(v, ty) => {
                let x = v[r];
                if x.is_nan() {
                    Dynamic::UNIT
                } else {
                    match ty {
                        InputType::Count | InputType::Integer => Dynamic::from(x as i64),
                        InputType::Bool => Dynamic::from(x != 0.0),
                        InputType::Date => Dynamic::from(Date::from_days(x as i32).to_string()),
                        _ => Dynamic::from(x),
                    }
                }
            }
            Access::Codes(codes, dict) => {
                let c = codes[r];
                dict.get(c as usize)
                    .filter(|_| c != MISSING_CODE)
                    .map_or(Dynamic::UNIT, |s| Dynamic::from(s.clone()))
            }
            Access::Ids => Dynamic::from(self.text(TextSrc::Id, r).to_string()),
            Access::Industry => Dynamic::from(self.text(TextSrc::Industry, r).to_string()),
            Access::District => Dynamic::from(self.text(TextSrc::District, r).to_string()),
            Access::Model => Dynamic::from(self.model_ids[self.model_of[r] as usize].clone()),
            Access::AsOf => Dynamic::from(self.as_of.to_string()),
            Access::Score => Dynamic::from(st.score),
            Access::Class => {
                let m = self.model_of[r] as usize;
                Dynamic::from(self.set.models()[m].classes().names()[st.class].clone())
            }
        }
    }
}

/// Whether a number (NaN: missing, never holds) passes a test.
fn num_holds(x: f64, t: &NumTest) -> bool {
    !x.is_nan()
        && match t {
            NumTest::True => x != 0.0,
            NumTest::Cmp(op, y) => op.holds(x.total_cmp(y)),
            NumTest::In(v) => v.contains(&x),
        }
}
