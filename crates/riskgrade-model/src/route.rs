//! Routing enterprises to models: by industry code prefix (GB/T 4754), by
//! licence type, or by both. See [`RouteSpec`] for the precedence.

use riskgrade_core::codes::IndustryCode;
use riskgrade_core::{FeatureDef, InputSpec, InputType, Position};

use crate::error::{ModelError, RouteProblem, SetProblem};
use crate::spec::RouteSpec;

/// The compiled routes of a set, by kind.
#[derive(Debug, Clone, Default)]
pub(crate) struct Routes {
    /// Routes naming only industries: (normal-form prefix, model).
    industry: Vec<(String, usize)>,
    /// Routes naming only licences, in file order: (licence type, model).
    licence: Vec<(String, usize)>,
    /// Routes naming both, in file order: (licence type, normal-form prefix, model).
    both: Vec<(String, String, usize)>,
}

/// The input a set adds for a licence type its routes name: the number of
/// licences of that type valid on the as-of date.
pub(crate) fn licence_input(licence: &str) -> (String, InputSpec) {
    let derive = FeatureDef {
        licence: Some(licence.to_string()),
        ..FeatureDef::new(riskgrade_core::FeatureFn::LicencesValid, None)
    };
    let spec = InputSpec {
        ty: InputType::Count,
        derive: Some(derive),
        attribute: None,
        column: None,
        description: Some(format!(
            "licences of type `{licence}` valid on the as-of date (read by routing)"
        )),
    };
    (format!("licence_{licence}"), spec)
}

/// The 1-based lines of the `[[route]]` headers of a TOML set file, in order.
pub(crate) fn route_lines(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            let t = l.trim_start();
            t.starts_with("[[route]]") || t.starts_with("[[ route ]]")
        })
        .map(|(i, _)| i + 1)
        .collect()
}

/// Whether a licence type is a plain name: ASCII letters, digits and `_`.
fn plain_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl Routes {
    /// Checks and compiles `routes` against the set's model ids; `at(i)` is
    /// the position of route `i` (0-based) in its file, when known.
    pub(crate) fn compile(
        routes: &[RouteSpec],
        ids: &[String],
        at: &dyn Fn(usize) -> Option<Position>,
    ) -> Result<Routes, ModelError> {
        let mut out = Routes::default();
        for (i, r) in routes.iter().enumerate() {
            let fail = |problem| {
                ModelError::Set(SetProblem::Route {
                    route: i + 1,
                    model: r.model.clone(),
                    at: at(i).map(Box::new),
                    problem: Box::new(problem),
                })
            };
            let Some(idx) = ids.iter().position(|m| *m == r.model) else {
                let suggestion =
                    riskgrade_core::did_you_mean(&r.model, ids.iter().map(String::as_str));
                return Err(fail(RouteProblem::UnknownModel {
                    suggestion: suggestion.map(str::to_string),
                }));
            };
            if r.industries.is_empty() && r.licences.is_empty() {
                return Err(fail(RouteProblem::Empty));
            }
            if r.industries.iter().any(|c| c.trim().is_empty()) {
                return Err(fail(RouteProblem::EmptyEntry { key: "industries" }));
            }
            if r.licences.iter().any(|l| l.trim().is_empty()) {
                return Err(fail(RouteProblem::EmptyEntry { key: "licences" }));
            }
            if let Some(l) = r.licences.iter().find(|l| !plain_name(l)) {
                return Err(fail(RouteProblem::BadLicence { licence: l.clone() }));
            }
            let codes = normal_codes(r)?;
            out.add(r, idx, codes, ids).map_err(fail)?;
        }
        Ok(out)
    }

    /// Adds one checked route.
    fn add(
        &mut self,
        r: &RouteSpec,
        idx: usize,
        codes: Vec<String>,
        ids: &[String],
    ) -> Result<(), RouteProblem> {
        let twice =
            |licence: &str, industry: Option<&str>, first: usize| RouteProblem::RoutedTwice {
                licence: licence.to_string(),
                industry: industry.map(str::to_string),
                first: ids[first].clone(),
            };
        match (r.licences.is_empty(), codes.is_empty()) {
            (true, _) => {
                for code in codes {
                    if let Some((_, other)) = self.industry.iter().find(|(c, _)| *c == code) {
                        return Err(RouteProblem::IndustryTwice {
                            industry: code,
                            first: ids[*other].clone(),
                        });
                    }
                    self.industry.push((code, idx));
                }
            }
            (false, true) => {
                for l in &r.licences {
                    if let Some((_, other)) = self.licence.iter().find(|(k, _)| k == l) {
                        return Err(twice(l, None, *other));
                    }
                    self.licence.push((l.clone(), idx));
                }
            }
            (false, false) => {
                for l in &r.licences {
                    for code in &codes {
                        if let Some((.., other)) =
                            self.both.iter().find(|(k, c, _)| k == l && c == code)
                        {
                            return Err(twice(l, Some(code), *other));
                        }
                        self.both.push((l.clone(), code.clone(), idx));
                    }
                }
            }
        }
        Ok(())
    }

    /// Every licence type the routes name, once, in the order first named.
    pub(crate) fn licence_types(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let named = self
            .both
            .iter()
            .map(|(l, ..)| l)
            .chain(self.licence.iter().map(|(l, _)| l));
        for l in named {
            if !out.contains(l) {
                out.push(l.clone());
            }
        }
        out
    }

    /// The model for an industry code in normal form, given which licence
    /// types the enterprise holds; `None` when no route matches.
    pub(crate) fn pick(&self, code: &str, holds: &dyn Fn(&str) -> bool) -> Option<usize> {
        let mut best: Option<(usize, usize)> = None;
        for (l, prefix, m) in &self.both {
            let longer = best.is_none_or(|(len, _)| prefix.len() > len);
            if longer && code.starts_with(prefix.as_str()) && holds(l) {
                best = Some((prefix.len(), *m));
            }
        }
        if let Some((_, m)) = best {
            return Some(m);
        }
        if let Some((_, m)) = self.licence.iter().find(|(l, _)| holds(l)) {
            return Some(*m);
        }
        self.industry
            .iter()
            .filter(|(p, _)| code.starts_with(p.as_str()))
            .max_by_key(|(p, _)| p.len())
            .map(|(_, m)| *m)
    }
}

/// The route's industry codes in normal form.
fn normal_codes(r: &RouteSpec) -> Result<Vec<String>, ModelError> {
    r.industries
        .iter()
        .map(|code| {
            IndustryCode::parse(code)
                .map(|c| c.as_str().to_string())
                .map_err(|error| {
                    ModelError::Set(SetProblem::BadIndustryCode {
                        model: Some(r.model.clone()),
                        code: code.clone(),
                        error,
                    })
                })
        })
        .collect()
}
