//! `when` conditions: checked by the engine over whole columns, so that a rule's
//! script runs only for the enterprises that meet its condition.
//!
//! Grammar (Rhai-like):
//!
//! ```text
//! cond   := and ( "||" and )*
//! and    := unary ( "&&" unary )*
//! unary  := "!" unary | "(" cond ")" | test
//! test   := name                          (a bool input)
//!         | name op literal               (op: == != < <= > >=)
//!         | name "in" "[" literal, ... "]"
//! literal:= number | "text" | 'text' | true | false
//! ```
//!
//! A condition is at most [`Guard::MAX_LEN`] characters long and nests `(` and
//! `!` at most [`Guard::MAX_DEPTH`] deep; beyond that it is refused with the
//! column where the limit was passed, so no condition can exhaust the stack.
//!
//! A test on a missing value is false. `industry in [...]` matches code
//! prefixes, as routing does; `class` compares in class order (`class >= "C"`
//! is C or riskier); dates compare with `"YYYY-MM-DD"` literals.

use riskgrade_core::{Date, did_you_mean};

use crate::catalog::{Catalog, Kind, Var};

/// A parsed `when` condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Guard {
    /// Any of these holds.
    Any(Vec<Guard>),
    /// All of these hold.
    All(Vec<Guard>),
    /// This does not hold.
    Not(Box<Guard>),
    /// A test of one variable.
    Test(Var, Test),
}

/// A test of one variable.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// A bool input is true.
    True,
    /// Compares with a literal.
    Cmp(CmpOp, Lit),
    /// Equals one of these literals (for `industry`: starts with one of them).
    In(Vec<Lit>),
}

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CmpOp {
    /// Applies the comparison to an ordering.
    pub fn holds(self, o: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            CmpOp::Eq => o == Equal,
            CmpOp::Ne => o != Equal,
            CmpOp::Lt => o == Less,
            CmpOp::Le => o != Greater,
            CmpOp::Gt => o == Greater,
            CmpOp::Ge => o != Less,
        }
    }
}

/// A literal in a condition, already converted to the variable's kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    /// A number (dates become day numbers).
    Number(f64),
    /// Text (categories, codes, ids).
    Text(String),
    /// `true` or `false`.
    Bool(bool),
    /// A class, by its index (0 = least risky).
    Class(usize),
}

/// A problem in a `when` condition: where (0-based character column) and what.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GuardError {
    pub column: usize,
    pub message: String,
    pub hint: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Name(String),
    Num(f64),
    Str(String),
    Op(&'static str),
    End,
}

fn err(column: usize, message: impl Into<String>) -> GuardError {
    GuardError {
        column,
        message: message.into(),
        hint: None,
    }
}

fn lex(text: &str) -> Result<Vec<(Tok, usize)>, GuardError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let at = i;
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_alphabetic() || c == '_' {
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push((Tok::Name(chars[at..i].iter().collect()), at));
        } else if c.is_ascii_digit()
            || (c == '-'
                && chars
                    .get(i + 1)
                    .is_some_and(|d| d.is_ascii_digit() || *d == '.'))
            || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            i += 1;
            while i < chars.len()
                && (chars[i].is_ascii_digit()
                    || matches!(chars[i], '.' | '_' | 'e' | 'E')
                    || (matches!(chars[i], '+' | '-') && matches!(chars[i - 1], 'e' | 'E')))
            {
                i += 1;
            }
            let s: String = chars[at..i].iter().filter(|c| **c != '_').collect();
            let v: f64 = s
                .parse()
                .map_err(|_| err(at, format!("`{s}` is not a number")))?;
            out.push((Tok::Num(v), at));
        } else if c == '"' || c == '\'' {
            i += 1;
            let start = i;
            while i < chars.len() && chars[i] != c {
                i += 1;
            }
            if i == chars.len() {
                return Err(err(at, "this text has no closing quote"));
            }
            out.push((Tok::Str(chars[start..i].iter().collect()), at));
            i += 1;
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let op = ["&&", "||", "==", "!=", "<=", ">="]
                .into_iter()
                .find(|o| *o == two)
                .or_else(|| {
                    ["!", "<", ">", "(", ")", "[", "]", ","]
                        .into_iter()
                        .find(|o| o.starts_with(c))
                });
            match op {
                Some(o) => {
                    i += o.len();
                    out.push((Tok::Op(o), at));
                }
                None if c == '=' => {
                    return Err(GuardError {
                        column: at,
                        message: "`=` assigns; conditions compare".into(),
                        hint: Some("write `==`".into()),
                    });
                }
                None if c == '&' || c == '|' => {
                    return Err(GuardError {
                        column: at,
                        message: format!("`{c}` alone is not an operator"),
                        hint: Some(format!("write `{c}{c}`")),
                    });
                }
                None => return Err(err(at, format!("`{c}` is not allowed in a condition"))),
            }
        }
    }
    out.push((Tok::End, chars.len()));
    Ok(out)
}

struct Parser<'a> {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    /// How many `(` and `!` enclose the current token.
    depth: usize,
    catalog: &'a Catalog,
    after: bool,
}

impl Parser<'_> {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos].0
    }
    fn at(&self) -> usize {
        self.toks[self.pos].1
    }
    fn next(&mut self) -> (Tok, usize) {
        let t = self.toks[self.pos].clone();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }
    fn eat(&mut self, op: &'static str) -> bool {
        if *self.peek() == Tok::Op(op) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn cond(&mut self) -> Result<Guard, GuardError> {
        let mut any = vec![self.and()?];
        while self.eat("||") {
            any.push(self.and()?);
        }
        Ok(if any.len() == 1 {
            any.remove(0)
        } else {
            Guard::Any(any)
        })
    }

    fn and(&mut self) -> Result<Guard, GuardError> {
        let mut all = vec![self.unary()?];
        while self.eat("&&") {
            all.push(self.unary()?);
        }
        Ok(if all.len() == 1 {
            all.remove(0)
        } else {
            Guard::All(all)
        })
    }

    /// A negation, a parenthesised condition or a test, at most
    /// [`Guard::MAX_DEPTH`] levels of `(` and `!` deep.
    fn unary(&mut self) -> Result<Guard, GuardError> {
        let nests = matches!(self.peek(), Tok::Op("!" | "("));
        if !nests {
            return self.test();
        }
        if self.depth >= Guard::MAX_DEPTH {
            return Err(GuardError {
                column: self.at(),
                message: format!(
                    "the condition nests `(` and `!` more than {} levels deep",
                    Guard::MAX_DEPTH
                ),
                hint: Some("write it with fewer parentheses, or split it into two rules".into()),
            });
        }
        self.depth += 1;
        let g = self.nested();
        self.depth -= 1;
        g
    }

    /// The inside of a `!` or a `(`.
    fn nested(&mut self) -> Result<Guard, GuardError> {
        if self.eat("!") {
            return Ok(Guard::Not(Box::new(self.unary()?)));
        }
        if *self.peek() == Tok::Op("(") {
            self.pos += 1;
            let g = self.cond()?;
            if !self.eat(")") {
                return Err(err(self.at(), "expected `)`"));
            }
            return Ok(g);
        }
        self.test()
    }

    fn var(&self, name: &str, at: usize) -> Result<Var, GuardError> {
        let Some(var) = self.catalog.var(name) else {
            return Err(GuardError {
                column: at,
                message: format!("unknown name `{name}`"),
                hint: did_you_mean(name, self.catalog.names(self.after))
                    .map(|s| format!("did you mean `{s}`?"))
                    .or_else(|| Some("conditions read the model's inputs, `industry`, `district`, `model`, `id`, `as_of`, and after scoring `score` and `class`".into())),
            });
        };
        if var.after_only() && !self.after {
            return Err(GuardError {
                column: at,
                message: format!("`{name}` is only known after scoring"),
                hint: Some("set the rule's stage to \"after\"".into()),
            });
        }
        Ok(var)
    }

    fn test(&mut self) -> Result<Guard, GuardError> {
        let (tok, at) = self.next();
        let name = match tok {
            Tok::Name(n) if n != "true" && n != "false" && n != "in" => n,
            Tok::End => return Err(err(at, "the condition ends too early")),
            _ => return Err(err(at, "expected a name, e.g. `complaints_1y > 10`")),
        };
        let var = self.var(&name, at)?;
        let kind = var.kind(self.catalog);
        let op = match self.peek() {
            Tok::Op("==") => Some(CmpOp::Eq),
            Tok::Op("!=") => Some(CmpOp::Ne),
            Tok::Op("<") => Some(CmpOp::Lt),
            Tok::Op("<=") => Some(CmpOp::Le),
            Tok::Op(">") => Some(CmpOp::Gt),
            Tok::Op(">=") => Some(CmpOp::Ge),
            _ => None,
        };
        if let Some(op) = op {
            self.pos += 1;
            let lit = self.literal(&var, kind)?;
            if matches!(kind, Kind::Bool | Kind::Text) && !matches!(op, CmpOp::Eq | CmpOp::Ne) {
                return Err(err(
                    at,
                    format!(
                        "`{name}` ({}) can only be compared with `==` or `!=`",
                        var.describe(self.catalog)
                    ),
                ));
            }
            return Ok(Guard::Test(var, Test::Cmp(op, lit)));
        }
        if *self.peek() == Tok::Name("in".into()) {
            self.pos += 1;
            if *self.peek() != Tok::Op("[") {
                return Err(err(self.at(), "expected `[` after `in`"));
            }
            self.pos += 1;
            let mut lits = Vec::new();
            if !self.eat("]") {
                loop {
                    lits.push(self.literal(&var, kind)?);
                    if self.eat("]") {
                        break;
                    }
                    if !self.eat(",") {
                        return Err(err(self.at(), "expected `,` or `]`"));
                    }
                }
            }
            return Ok(Guard::Test(var, Test::In(lits)));
        }
        if kind == Kind::Bool {
            return Ok(Guard::Test(var, Test::True));
        }
        Err(GuardError {
            column: at,
            message: format!("`{name}` ({}) is not a bool", var.describe(self.catalog)),
            hint: Some(match kind {
                Kind::Number => format!("compare it, e.g. `{name} > 0`"),
                _ => format!("compare it, e.g. `{name} == \"...\"`"),
            }),
        })
    }

    fn literal(&mut self, var: &Var, kind: Kind) -> Result<Lit, GuardError> {
        let (tok, at) = self.next();
        let name = var.name(self.catalog);
        let ty = var.describe(self.catalog);
        let found = match &tok {
            Tok::Num(_) => "a number",
            Tok::Str(_) => "text",
            Tok::Name(n) if n == "true" || n == "false" => "true or false",
            Tok::Name(_) => "a name (conditions compare with written values)",
            Tok::Op(_) | Tok::End => "nothing",
        };
        let mismatch = |_: &str, example: &str| GuardError {
            column: at,
            message: format!("`{name}` ({ty}) cannot be compared with {found}"),
            hint: Some(format!("write {example}")),
        };
        match (kind, tok) {
            (Kind::Number, Tok::Num(v)) => Ok(Lit::Number(v)),
            (Kind::Number, _) => Err(mismatch("this", "a number, e.g. `10` or `0.5`")),
            (Kind::Bool, Tok::Name(b)) if b == "true" || b == "false" => Ok(Lit::Bool(b == "true")),
            (Kind::Bool, _) => Err(mismatch("this", "`true` or `false`")),
            (Kind::Text, Tok::Str(s)) => Ok(Lit::Text(s)),
            (Kind::Text, _) => Err(mismatch("this", "text in quotes, e.g. \"C13\"")),
            (Kind::Date, Tok::Str(s)) => s
                .parse::<Date>()
                .map(|d| Lit::Number(f64::from(d.days())))
                .map_err(|e| err(at, format!("`{s}`: {e}"))),
            (Kind::Date, _) => Err(mismatch("this", "a date in quotes, e.g. \"2026-01-01\"")),
            (Kind::Class, Tok::Str(s)) => {
                match self.catalog.class_names().iter().position(|c| *c == s) {
                    Some(i) => Ok(Lit::Class(i)),
                    None => Err(GuardError {
                        column: at,
                        message: format!("no class `{s}`"),
                        hint: Some(format!(
                            "the classes are {}",
                            self.catalog.class_names().join(", ")
                        )),
                    }),
                }
            }
            (Kind::Class, _) => Err(mismatch("this", "a class name in quotes, e.g. \"C\"")),
        }
    }
}

impl Guard {
    /// The deepest nesting of `(` and `!` a condition may have.
    pub const MAX_DEPTH: usize = 32;
    /// The longest condition, in characters.
    pub const MAX_LEN: usize = 4096;

    /// Parses a `when` condition; `after` says whether `score` and `class` are known.
    pub(crate) fn parse(text: &str, catalog: &Catalog, after: bool) -> Result<Guard, GuardError> {
        let toks = lex(text)?;
        let mut p = Parser {
            toks,
            pos: 0,
            depth: 0,
            catalog,
            after,
        };
        if *p.peek() == Tok::End {
            return Err(err(0, "the condition is empty"));
        }
        let g = p.cond()?;
        if *p.peek() != Tok::End {
            return Err(GuardError {
                column: p.at(),
                message: "unexpected text after the condition".into(),
                hint: Some("join tests with `&&` or `||`".into()),
            });
        }
        if text.chars().nth(Guard::MAX_LEN).is_some() {
            return Err(GuardError {
                column: Guard::MAX_LEN,
                message: format!("the condition is longer than {} characters", Guard::MAX_LEN),
                hint: Some(
                    "test fewer things in `when` and the rest in the script, or split the rule"
                        .into(),
                ),
            });
        }
        Ok(g)
    }

    /// Every variable the condition reads.
    pub fn vars(&self, out: &mut Vec<Var>) {
        match self {
            Guard::Any(v) | Guard::All(v) => v.iter().for_each(|g| g.vars(out)),
            Guard::Not(g) => g.vars(out),
            Guard::Test(var, _) => {
                if !out.contains(var) {
                    out.push(*var);
                }
            }
        }
    }

    /// Evaluates the condition; `test` answers one variable test (false on a missing value).
    pub fn eval(&self, test: &mut impl FnMut(&Var, &Test) -> bool) -> bool {
        match self {
            Guard::Any(v) => v.iter().any(|g| g.eval(test)),
            Guard::All(v) => v.iter().all(|g| g.eval(test)),
            Guard::Not(g) => !g.eval(test),
            Guard::Test(var, t) => test(var, t),
        }
    }
}
