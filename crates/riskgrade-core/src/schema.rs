//! Inputs: the typed values a model reads, and where each comes from.

use serde::{Deserialize, Serialize};

use crate::feature::{FeatureDef, FeatureFn};

/// The type of an input value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputType {
    /// A finite real number.
    Number,
    /// A whole number.
    Integer,
    /// A non-negative number of things (negative values are bad data).
    Count,
    /// `true`/`false` (1/0 in columns).
    Bool,
    /// A label from a finite set.
    Category,
    /// A calendar date; indicators score the days elapsed from it to the as-of date.
    Date,
}

impl InputType {
    /// The name used in files.
    pub fn name(self) -> &'static str {
        match self {
            InputType::Number => "number",
            InputType::Integer => "integer",
            InputType::Count => "count",
            InputType::Bool => "bool",
            InputType::Category => "category",
            InputType::Date => "date",
        }
    }
}

/// One input of a model.
///
/// An input is read from the enterprise's `attributes` (named by `attribute`,
/// default the input's own name) unless it has a `derive` definition, in which
/// case it is computed from the records. In columnar data every input is a
/// column (named by `column`, default the input's own name), already aggregated.
///
/// ```toml
/// [inputs.penalties_3y]
/// type = "count"
/// derive = { fn = "count", record = "penalty", window = "3y" }
/// description = "administrative penalties in effect, last 3 years"
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputSpec {
    /// The value's type.
    #[serde(rename = "type")]
    pub ty: InputType,
    /// How to derive it from records, for derived features.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub derive: Option<FeatureDef>,
    /// Attribute name in nested profiles, when it differs from the input's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute: Option<String>,
    /// Column name in columnar data, when it differs from the input's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// What the input means, for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl InputSpec {
    /// Checks that the type fits the derivation.
    ///
    /// # Errors
    /// A lowercase message naming the key to change.
    pub fn check(&self) -> Result<(), String> {
        if let Some(d) = &self.derive {
            d.check()?;
            if self.attribute.is_some() {
                return Err(
                    "an input is either derived or an attribute; remove `attribute` or `derive`"
                        .into(),
                );
            }
            let ok = match d.func {
                FeatureFn::Listed => self.ty == InputType::Bool,
                FeatureFn::Count | FeatureFn::LicencesValid | FeatureFn::LicencesExpired => {
                    matches!(self.ty, InputType::Count | InputType::Number)
                }
                _ => self.ty == InputType::Number,
            };
            if !ok {
                let want = match d.func {
                    FeatureFn::Listed => "bool",
                    FeatureFn::Count | FeatureFn::LicencesValid | FeatureFn::LicencesExpired => {
                        "count"
                    }
                    _ => "number",
                };
                return Err(format!(
                    "a derived `{:?}` feature has type `{want}`, not `{}`",
                    d.func,
                    self.ty.name()
                )
                .to_lowercase());
            }
        }
        Ok(())
    }

    /// The column this input is read from in columnar data.
    pub fn column_name<'a>(&'a self, input: &'a str) -> &'a str {
        self.column.as_deref().unwrap_or(input)
    }

    /// The attribute this input is read from in nested profiles.
    pub fn attribute_name<'a>(&'a self, input: &'a str) -> &'a str {
        self.attribute.as_deref().unwrap_or(input)
    }
}

/// The inputs a batch must provide, in a fixed order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Schema {
    inputs: Vec<(String, InputSpec)>,
}

impl Schema {
    /// A schema of the given inputs; a later input with an already-used name is ignored.
    pub fn new(inputs: impl IntoIterator<Item = (String, InputSpec)>) -> Schema {
        let mut s = Schema::default();
        for (name, spec) in inputs {
            if !s.inputs.iter().any(|(n, _)| *n == name) {
                s.inputs.push((name, spec));
            }
        }
        s
    }

    /// The inputs, in order.
    pub fn inputs(&self) -> &[(String, InputSpec)] {
        &self.inputs
    }

    /// Looks an input up by name.
    pub fn get(&self, name: &str) -> Option<&InputSpec> {
        self.inputs.iter().find(|(n, _)| n == name).map(|(_, s)| s)
    }
}
