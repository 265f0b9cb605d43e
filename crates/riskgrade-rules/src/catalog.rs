//! What rules may read: the model's inputs, a few fixed variables, indicator
//! paths and class names. Checked when rules compile.

use riskgrade_core::InputType;

/// Everything a rule may name, taken from the model set the rules belong to.
///
/// ```
/// use riskgrade_core::InputType;
/// use riskgrade_rules::Catalog;
/// let c = Catalog::new(vec![("dishonest_listed".into(), InputType::Bool)])
///     .classes(["A", "B", "C", "D"]);
/// assert_eq!(c.var("dishonest_listed").unwrap().name(&c), "dishonest_listed");
/// assert_eq!(c.var("industry").unwrap().name(&c), "industry");
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Catalog {
    inputs: Vec<(String, InputType)>,
    indicators: Vec<String>,
    classes: Vec<String>,
}

/// A variable a rule can read: an input of the model, or one of the fixed ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Var {
    /// The model input at this index of the catalog.
    Input(usize),
    /// `id`: the enterprise id.
    Id,
    /// `industry`: the industry code (GB/T 4754).
    Industry,
    /// `district`: the administrative district.
    District,
    /// `model`: the id of the model that graded the enterprise.
    Model,
    /// `as_of`: the as-of date, `"YYYY-MM-DD"`.
    AsOf,
    /// `score`: the score so far (after-stage rules only).
    Score,
    /// `class`: the class so far (after-stage rules only).
    Class,
}

/// The fixed variables, by name.
pub const FIXED: [(&str, Var); 7] = [
    ("id", Var::Id),
    ("industry", Var::Industry),
    ("district", Var::District),
    ("model", Var::Model),
    ("as_of", Var::AsOf),
    ("score", Var::Score),
    ("class", Var::Class),
];

/// How a variable's values compare in a `when` condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Number,
    Bool,
    Text,
    Date,
    Class,
}

impl Var {
    /// The variable's name in scripts.
    pub fn name<'a>(&self, catalog: &'a Catalog) -> &'a str {
        match self {
            Var::Input(i) => &catalog.inputs[*i].0,
            other => FIXED
                .iter()
                .find(|(_, v)| v == other)
                .map_or("", |(n, _)| n),
        }
    }

    /// Whether only after-stage rules may read it.
    pub fn after_only(&self) -> bool {
        matches!(self, Var::Score | Var::Class)
    }

    pub(crate) fn kind(&self, catalog: &Catalog) -> Kind {
        match self {
            Var::Input(i) => match catalog.inputs[*i].1 {
                InputType::Number | InputType::Integer | InputType::Count => Kind::Number,
                InputType::Bool => Kind::Bool,
                InputType::Category => Kind::Text,
                InputType::Date => Kind::Date,
            },
            Var::Score => Kind::Number,
            Var::Class => Kind::Class,
            Var::AsOf => Kind::Date,
            Var::Id | Var::Industry | Var::District | Var::Model => Kind::Text,
        }
    }

    pub(crate) fn describe(&self, catalog: &Catalog) -> &'static str {
        match self {
            Var::Input(i) => catalog.inputs[*i].1.name(),
            Var::Score => "number",
            Var::Class => "class",
            Var::AsOf => "date",
            _ => "text",
        }
    }
}

impl Catalog {
    /// A catalog of these inputs (name and type, in the model set's order).
    pub fn new(inputs: Vec<(String, InputType)>) -> Catalog {
        Catalog {
            inputs,
            indicators: Vec::new(),
            classes: Vec::new(),
        }
    }

    /// The indicator paths `points()` and `contribution()` may name.
    pub fn indicators<S: Into<String>>(mut self, paths: impl IntoIterator<Item = S>) -> Catalog {
        self.indicators = paths.into_iter().map(Into::into).collect();
        self
    }

    /// The class names actions may name, least risky first.
    pub fn classes<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Catalog {
        self.classes = names.into_iter().map(Into::into).collect();
        self
    }

    /// The inputs, name and type.
    pub fn inputs(&self) -> &[(String, InputType)] {
        &self.inputs
    }

    /// The indicator paths.
    pub fn indicator_paths(&self) -> &[String] {
        &self.indicators
    }

    /// The class names.
    pub fn class_names(&self) -> &[String] {
        &self.classes
    }

    /// The variable with this name.
    pub fn var(&self, name: &str) -> Option<Var> {
        FIXED
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
            .or_else(|| {
                self.inputs
                    .iter()
                    .position(|(n, _)| n == name)
                    .map(Var::Input)
            })
    }

    /// Every name a rule of `after` stage may read.
    pub(crate) fn names(&self, after: bool) -> Vec<&str> {
        let mut v: Vec<&str> = self.inputs.iter().map(|(n, _)| n.as_str()).collect();
        v.extend(
            FIXED
                .iter()
                .filter(|(_, var)| after || !var.after_only())
                .map(|(n, _)| *n),
        );
        v
    }
}
