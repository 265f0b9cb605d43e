//! The reference models, embedded from `examples/models/` so that the CLI's
//! demo and the tests need no files.

use crate::{ModelError, ModelSet};

/// The general model: five dimensions, about forty indicators, 0–1000, higher is riskier.
pub const GENERAL: &str = include_str!("../../../examples/models/general.toml");
/// The food-production model: static 40 + dynamic 40 + general credit 20.
pub const FOOD: &str = include_str!("../../../examples/models/food_production.toml");
/// The special-equipment users' model (after Shandong 2022): 16 indicators on 100 points.
pub const SPECIAL_EQUIPMENT: &str = include_str!("../../../examples/models/special_equipment.toml");
/// A Henan-style model: 0–1000, higher is riskier, A `[0,200)` B `[200,500)` C `[500,750)` D `[750,1000]`.
pub const HENAN: &str = include_str!("../../../examples/models/henan.toml");
/// The reference set file: it includes `general.toml`, `food_production.toml` and `special_equipment.toml`.
pub const REFERENCE: &str = include_str!("../../../examples/models/reference.toml");

/// The reference rules: vetoes, floors, adjustments, labels and routed alerts.
pub const REFERENCE_RULES: &str = include_str!("../../../examples/models/reference_rules.toml");
/// The tests of the reference rules (`riskgrade rules test`).
pub const REFERENCE_RULE_TESTS: &str =
    include_str!("../../../examples/models/reference_rules.tests.toml");

/// Every embedded file, by its name under `examples/models/`.
pub const FILES: [(&str, &str); 7] = [
    ("general.toml", GENERAL),
    ("food_production.toml", FOOD),
    ("special_equipment.toml", SPECIAL_EQUIPMENT),
    ("henan.toml", HENAN),
    ("reference.toml", REFERENCE),
    ("reference_rules.toml", REFERENCE_RULES),
    ("reference_rules.tests.toml", REFERENCE_RULE_TESTS),
];

/// The reference set: the general model by default, the food-production
/// model for food industries (C13–C15), which takes the general score as 20%,
/// and the special-equipment model for users of special equipment (routed by
/// licence type), with the reference rules and alert routing.
///
/// # Errors
/// Only if the embedded files were broken, which the tests rule out.
///
/// ```
/// let set = riskgrade_model::examples::reference().unwrap();
/// assert_eq!(set.models().len(), 3);
/// assert_eq!(set.model("general").unwrap().leaves().len(), 72);
/// assert!(set.rules().len() >= 12);
/// ```
pub fn reference() -> Result<ModelSet, ModelError> {
    ModelSet::from_toml_str_with(REFERENCE, |name| {
        FILES.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
    })
}
