//! The reference plans and inspector pool, embedded from `examples/` so the
//! CLI and the tests need no files.

use crate::{Plan, PlanError};

/// Henan 2021: A 1% (the floor), B 2%, C 10%, D 30%, by district.
pub const HENAN_2021: &str = include_str!("../../../examples/plans/henan-2021.toml");
/// Guangzhou Yuexiu 2021: A 5%, B 15%, C 30%, D 50%.
pub const YUEXIU_2021: &str = include_str!("../../../examples/plans/yuexiu-2021.toml");
/// Bayannur 2022: A 2%, B 5%, C and D every enterprise.
pub const BAYANNUR_2022: &str = include_str!("../../../examples/plans/bayannur-2022.toml");
/// Food production: A once per 2 years, B once a year, C twice, D three times, drawn monthly.
pub const FOOD_PRODUCTION: &str = include_str!("../../../examples/plans/food-production.toml");
/// Special equipment users (Shandong 2022): D in full, crowded venues and recent accidents forced.
pub const SPECIAL_EQUIPMENT: &str = include_str!("../../../examples/plans/special-equipment.toml");
/// A pool of 256 inspectors in Beijing's 16 districts (CSV).
pub const BEIJING_POOL_CSV: &str = include_str!("../../../examples/inspectors/beijing-pool.csv");

/// Every embedded plan, by file name under `examples/plans/`.
pub const PLANS: [(&str, &str); 5] = [
    ("henan-2021.toml", HENAN_2021),
    ("yuexiu-2021.toml", YUEXIU_2021),
    ("bayannur-2022.toml", BAYANNUR_2022),
    ("food-production.toml", FOOD_PRODUCTION),
    ("special-equipment.toml", SPECIAL_EQUIPMENT),
];

/// The embedded plan `name` (file name with or without `.toml`, or the plan's id).
///
/// ```
/// let plan = riskgrade_inspect::examples::plan("henan-2021").unwrap().unwrap();
/// assert_eq!(plan.effective_ratio("D"), Some(0.30));
/// assert!(riskgrade_inspect::examples::plan("nowhere").is_none());
/// ```
pub fn plan(name: &str) -> Option<Result<Plan, PlanError>> {
    let file = if name.ends_with(".toml") {
        name.to_string()
    } else {
        format!("{name}.toml")
    };
    PLANS
        .iter()
        .find(|(f, _)| *f == file)
        .map(|(f, text)| Plan::from_toml_str(text, Some(std::path::Path::new(f))))
}
