//! The values of helper calls in rule scripts: features computed from the
//! enterprise's profile (or the matching column of a columnar batch), indicator
//! points, and the licence issuer an alert is routed to.

use riskgrade_core::FeatureDef;
use riskgrade_rules::{Dynamic, Helper};

use super::Pass;

/// Where a helper call's value comes from.
pub(super) enum SiteSrc<'a> {
    Profile(FeatureDef, Helper),
    Column(&'a [f64], Helper),
    Unavailable(String),
    /// Per model: the leaf, and whether the weight applies.
    Leaf(Vec<Option<usize>>, bool),
}

impl<'a> Pass<'a> {
    /// Where a helper call's value comes from in this batch.
    pub(super) fn site_src(
        &self,
        helper: Helper,
        args: &[String],
        feature: Option<&FeatureDef>,
    ) -> SiteSrc<'a> {
        if let Some(def) = feature {
            if self.profiles.is_some() {
                return SiteSrc::Profile(def.clone(), helper);
            }
            // A columnar batch: a declared input with the same definition carries the value.
            let same = self
                .set
                .schema()
                .inputs()
                .iter()
                .find(|(_, s)| s.derive.as_ref() == Some(def));
            return match same.and_then(|(n, _)| self.frame.number(n)) {
                Some(v) => SiteSrc::Column(v, helper),
                None => SiteSrc::Unavailable(format!(
                    "`{}({})` reads the enterprise's records, which a columnar batch does not carry; grade profiles, or declare an input with `derive = {}` so the batch has it as a column",
                    helper.name(),
                    args.iter()
                        .map(|a| format!("\"{a}\""))
                        .collect::<Vec<_>>()
                        .join(", "),
                    derive_text(def)
                )),
            };
        }
        let path = &args[0];
        let leaves = self
            .set
            .models()
            .iter()
            .map(|m| m.leaves().iter().position(|l| l.path == *path))
            .collect();
        SiteSrc::Leaf(leaves, helper == Helper::Contribution)
    }

    /// A helper call's value for row `r`, or why it has none.
    pub(super) fn site_value(&self, src: &SiteSrc<'_>, r: usize) -> Result<Dynamic, String> {
        let convert = |h: Helper, x: f64| match h {
            Helper::Count => {
                if x.is_nan() {
                    Dynamic::UNIT
                } else {
                    Dynamic::from(x as i64)
                }
            }
            Helper::DaysSince => Dynamic::from(if x.is_nan() { i64::MAX } else { x as i64 }),
            Helper::Listed | Helper::HasLicence => Dynamic::from(x > 0.0),
            _ => Dynamic::from(x),
        };
        match src {
            SiteSrc::Profile(def, h) => {
                let e = self
                    .profiles
                    .and_then(|p| p.get(r))
                    .ok_or_else(|| "the enterprise's profile is not readable".to_string())?;
                Ok(convert(
                    *h,
                    def.eval(e, self.as_of, self.set.effect_periods()),
                ))
            }
            SiteSrc::Column(v, h) => Ok(convert(*h, v[r])),
            SiteSrc::Unavailable(msg) => Err(msg.clone()),
            SiteSrc::Leaf(leaves, weighted) => {
                let m = self.model_of[r] as usize;
                let Some(l) = leaves[m] else {
                    return Ok(Dynamic::UNIT);
                };
                let leaf = &self.set.models()[m].leaves()[l];
                let p = self.resolved[m][l].points(leaf, r, self.as_of, self.model_scores);
                Ok(Dynamic::from(if *weighted { p * leaf.weight } else { p }))
            }
        }
    }

    /// The department named on the enterprise's valid licence of this type, from its profile.
    pub(super) fn issuer(&self, r: usize, licence: &str) -> Option<String> {
        let e = self.profiles?.get(r)?;
        e.licences
            .iter()
            .filter(|l| l.kind == licence && !l.department.is_empty())
            .find(|l| l.valid_until.is_none_or(|d| d >= self.as_of))
            .map(|l| l.department.clone())
    }
}

/// A feature definition as a TOML inline table, for messages.
fn derive_text(def: &FeatureDef) -> String {
    let parts: Vec<String> = match serde_json::to_value(def) {
        Ok(serde_json::Value::Object(map)) => {
            map.iter().map(|(k, v)| format!("{k} = {v}")).collect()
        }
        _ => Vec::new(),
    };
    format!("{{ {} }}", parts.join(", "))
}
