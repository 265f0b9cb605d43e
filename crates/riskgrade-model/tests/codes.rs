//! Codes and departments in the reference set: every spelling of a food code
//! routes to the food model, unknown codes are bad data, feed goes to
//! agriculture, and the department registry gives one name per department.

#![allow(clippy::unwrap_used)]

use riskgrade_core::codes::{CodeError, CodeField, IndustryCode};
use riskgrade_core::{Frame, Identity, Problem};
use riskgrade_model::{ModelError, ModelSet, SetProblem};

fn file(name: &str) -> Option<&'static str> {
    riskgrade_model::examples::FILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
}

fn reference() -> ModelSet {
    riskgrade_model::examples::reference().unwrap()
}

#[test]
fn every_spelling_of_every_food_class_routes_to_the_food_model() {
    let set = reference();
    let (food, general) = (
        set.index_of("food").unwrap(),
        set.index_of("general").unwrap(),
    );
    let mut classes = 0;
    for c in IndustryCode::all().filter(|c| c.as_str().len() == 5) {
        let code = c.as_str();
        let expected = if ["C13", "C14", "C15"].iter().any(|p| code.starts_with(p))
            && !code.starts_with("C132")
        {
            classes += 1;
            food
        } else {
            general
        };
        let digits = &code[1..];
        for spelling in [
            code.to_string(),
            digits.to_string(),
            code.to_lowercase(),
            format!("{} {digits}", &code[..1]),
            format!(" {} ", code.to_lowercase()),
        ] {
            assert_eq!(set.route(&spelling), Ok(expected), "{spelling:?}");
        }
    }
    assert!(classes > 50, "{classes} food classes");
}

#[test]
fn unknown_industry_codes_are_bad_data_not_the_default_model() {
    let set = reference();
    for code in ["ZZ99", "C1412", "A1411", "Nowhere", "123"] {
        assert_eq!(set.route(code), Err(code.to_string()), "{code}");
    }
    // Under `flag`, the row is graded by the default model and reported.
    let text =
        riskgrade_model::examples::REFERENCE.replace("industry = \"error\"", "industry = \"flag\"");
    let flagged = ModelSet::from_toml_str_with(&text, file).unwrap();
    assert_eq!(
        flagged.route("ZZ99"),
        Ok(flagged.index_of("general").unwrap())
    );
}

#[test]
fn code_issues_name_the_row_field_and_policy() {
    let set = reference();
    let identity = Identity {
        ids: vec!["E1".into(), "E2".into(), "E3".into()],
        industries: vec!["c 1411".into(), "ZZ99".into(), "F5211".into()],
        districts: vec!["Haidian".into(), "北京市东城区".into(), "Nowhere".into()],
        ..Default::default()
    };
    let frame = Frame::from_parts(identity, Vec::new(), Vec::new(), None).with_credit_codes(vec![
        "91350100M000100Y43".into(),
        "123".into(),
        "91350100M000100Y4Z".into(),
    ]);
    let issues = set.check_codes(&frame);
    let got: Vec<(usize, &str, bool)> = issues
        .iter()
        .map(|i| (i.row, i.column.as_str(), i.problem.is_flag()))
        .collect();
    assert_eq!(
        got,
        [
            (1, "credit_code", true),
            (1, "industry", false),
            (2, "credit_code", true),
            (2, "district", true),
        ]
    );
    assert_eq!(
        issues[3].problem,
        Problem::BadCode {
            field: CodeField::District,
            error: Box::new(CodeError::UnknownDistrict {
                text: "Nowhere".into()
            }),
            flagged: true
        }
    );
}

#[test]
fn the_two_food_safety_names_are_one_department() {
    let set = reference();
    let r = set.routing();
    // The issuer written on a licence and the routing table's entry reach one name.
    let on_licence = r.route("food_safety", "C1411", |_| {
        Some("食品生产安全监督管理处".into())
    });
    let by_table = r.route("food_safety", "C1411", |_| None);
    let by_industry = r.route("complaints", "1411", |_| None);
    assert_eq!(on_licence.0, by_table.0);
    assert_eq!(on_licence.0, by_industry.0);
    assert_eq!(
        on_licence.0.as_deref(),
        Some("Food Production Safety Division (食品生产安全监督管理处)")
    );
    // Feed processing goes to agriculture.
    assert_eq!(
        r.route("complaints", "C1321", |_| None).0.as_deref(),
        Some("Agriculture and Rural Affairs Bureau (农业农村局)")
    );
}

#[test]
fn an_unknown_issuer_is_reported_not_made_a_department() {
    let set = reference();
    let (dept, basis) = set
        .routing()
        .route("food_safety", "C1411", |_| Some("market_regulation".into()));
    assert_eq!(
        dept.as_deref(),
        Some("Food Production Safety Division (食品生产安全监督管理处)")
    );
    assert!(
        basis.contains(
            "the issuer `market_regulation` on its licence is not in [routing.departments]"
        ),
        "{basis}"
    );
}

#[test]
fn tables_must_name_registered_departments_and_valid_codes() {
    let base = riskgrade_model::examples::REFERENCE;
    let load = |text: &str| ModelSet::from_toml_str_with(text, file);
    let err = load(&base.replace("C33 = \"economy_it\"", "C33 = \"economy_itt\"")).unwrap_err();
    assert!(
        matches!(&err, ModelError::Set(SetProblem::UnknownDepartment { place, suggestion: Some(s), .. })
            if place == "industry.C33" && s == "economy_it"),
        "{err}"
    );
    let err = load(&base.replace("C33 = \"economy_it\"", "ZZ33 = \"economy_it\"")).unwrap_err();
    assert!(
        matches!(
            &err,
            ModelError::Set(SetProblem::BadIndustryCode { model: None, .. })
        ),
        "{err}"
    );
    let err = load(&base.replace("industries = [\"C132\"]", "industries = [\"C1x\"]")).unwrap_err();
    assert!(
        matches!(&err, ModelError::Set(SetProblem::BadIndustryCode { model: Some(m), .. }) if m == "general"),
        "{err}"
    );
    let err = load(&base.replace(
        "aliases = [\"商务局\", \"Commerce Bureau\"]",
        "aliases = [\"商务局\", \"交通委员会\"]",
    ))
    .unwrap_err();
    assert!(
        matches!(
            &err,
            ModelError::Set(SetProblem::DepartmentAliasTwice { .. })
        ),
        "{err}"
    );
}

#[test]
fn the_food_models_general_credit_part_carries_its_20_points_by_class() {
    let set = reference();
    let general = set.model("general").unwrap();
    let food = set.model("food").unwrap();
    let leaf = food
        .leaves()
        .iter()
        .find(|l| l.path == "general_credit")
        .unwrap();
    // One score inside each general class band, and the points it is worth in the food score.
    let classes = general.classes();
    for (score, class, worth) in [
        (10.0, "A", 1.0),
        (100.0, "B", 8.0),
        (180.0, "C", 15.0),
        (577.0, "D", 20.0),
        (1000.0, "D", 20.0),
    ] {
        let k = classes.class_of(classes.risk_value(score), &classes.thresholds(&[]));
        assert_eq!(classes.names()[k], class, "{score}");
        let points = leaf.weight * leaf.func.points(score);
        assert!((points - worth).abs() < 1e-9, "{score}: {points}");
    }
    // The leaf's edges are the general bands: on either side of every class
    // boundary, the points follow the class (re-cut the edges with the bands).
    let worth = |class: &str| match class {
        "A" => 1.0,
        "B" => 8.0,
        "C" => 15.0,
        _ => 20.0,
    };
    let thresholds = classes.thresholds(&[]);
    assert_eq!(thresholds.len(), 3);
    for &t in &thresholds {
        for score in [t - 1e-6, t] {
            let k = classes.class_of(classes.risk_value(score), &thresholds);
            let points = leaf.weight * leaf.func.points(score);
            let expected = worth(&classes.names()[k]);
            assert!(
                (points - expected).abs() < 1e-9,
                "{score}: {points} for class {}",
                classes.names()[k]
            );
        }
    }
}

#[test]
fn a_component_without_score_is_still_converted_linearly() {
    let text = riskgrade_model::examples::REFERENCE
        .replace("\"food_production.toml\"", "\"food_linear.toml\"");
    let food = riskgrade_model::examples::FOOD.replace(
        "score = { type = \"bins\", edges = [75, 130, 190], points = [5, 40, 75, 100] }\n",
        "",
    );
    let set = ModelSet::from_toml_str_with(&text, |name| {
        if name == "food_linear.toml" {
            Some(Box::leak(food.clone().into_boxed_str()))
        } else {
            file(name)
        }
    })
    .unwrap();
    let leaf = set
        .model("food")
        .unwrap()
        .leaves()
        .iter()
        .find(|l| l.path == "general_credit")
        .unwrap();
    assert!((leaf.weight * leaf.func.points(577.0) - 0.2 * 57.7).abs() < 1e-9);
}
