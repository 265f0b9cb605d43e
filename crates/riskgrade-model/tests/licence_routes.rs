//! Routing by licence type: every spelling of an industry routes the same way,
//! the documented precedence (both > licences > industries > default) holds,
//! and bad routes are refused with their position.

#![allow(clippy::unwrap_used)]

use riskgrade_model::{ModelError, ModelSet, RouteProblem, SetProblem, examples};

fn file(name: &str) -> Option<&'static str> {
    examples::FILES.iter().find(|f| f.0 == name).map(|f| f.1)
}

fn reference_with(text: &str) -> Result<ModelSet, ModelError> {
    ModelSet::from_toml_str_with(text, file)
}

const USER: &str = "special_equipment_use";

#[test]
fn users_route_to_the_special_equipment_model_in_every_spelling() {
    let set = examples::reference().unwrap();
    let special = set.index_of("special_equipment").unwrap();
    let food = set.index_of("food").unwrap();
    let general = set.index_of("general").unwrap();
    let holds = |l: &str| l == USER;
    for spelling in ["F5211", "f5211", "5211", "F 5211", " F5211 "] {
        assert_eq!(set.route_with(spelling, holds), Ok(special), "{spelling:?}");
        assert_eq!(
            set.route_with(spelling, |_| false),
            Ok(general),
            "{spelling:?}"
        );
    }
    // Food producers stay with the food model (the route naming both comes first)...
    for spelling in ["C1411", "c1411", "1411", "C 1411"] {
        assert_eq!(set.route_with(spelling, holds), Ok(food), "{spelling:?}");
    }
    // ...feed processors that use special equipment do not (C132 is not food production).
    for spelling in ["C1321", "c1321", "1321"] {
        assert_eq!(set.route_with(spelling, holds), Ok(special), "{spelling:?}");
        assert_eq!(
            set.route_with(spelling, |_| false),
            Ok(general),
            "{spelling:?}"
        );
    }
    // Another licence type does not route.
    assert_eq!(
        set.route_with("F5211", |l| l == "food_business"),
        Ok(general)
    );
    // A bad industry code stays bad data, licence or not.
    assert!(set.route_with("ZZ99", holds).is_err());
}

/// A small set: two models, where `order` of the routes is varied to show
/// that precedence does not depend on it.
fn two_routes(routes: &str) -> ModelSet {
    let text = format!(
        "default = \"general\"\ninclude = [\"general.toml\", \"food_production.toml\", \"special_equipment.toml\"]\n{routes}"
    );
    reference_with(&text).unwrap()
}

#[test]
fn a_licence_route_comes_before_an_industry_route_whatever_their_order() {
    let industry = "[[route]]\nindustries = [\"C14\"]\nmodel = \"food\"\n";
    let licence =
        "[[route]]\nlicences = [\"special_equipment_use\"]\nmodel = \"special_equipment\"\n";
    for text in [
        format!("{industry}{licence}"),
        format!("{licence}{industry}"),
    ] {
        let set = two_routes(&text);
        let special = set.index_of("special_equipment").unwrap();
        let food = set.index_of("food").unwrap();
        assert_eq!(set.route_with("C1411", |l| l == USER), Ok(special));
        assert_eq!(set.route_with("C1411", |_| false), Ok(food));
    }
}

#[test]
fn a_route_naming_both_comes_first_and_needs_both() {
    let both = "[[route]]\nindustries = [\"C14\"]\nlicences = [\"special_equipment_use\"]\nmodel = \"food\"\n";
    let licence =
        "[[route]]\nlicences = [\"special_equipment_use\"]\nmodel = \"special_equipment\"\n";
    for text in [format!("{both}{licence}"), format!("{licence}{both}")] {
        let set = two_routes(&text);
        let special = set.index_of("special_equipment").unwrap();
        let (food, general) = (
            set.index_of("food").unwrap(),
            set.index_of("general").unwrap(),
        );
        assert_eq!(set.route_with("C1411", |l| l == USER), Ok(food));
        assert_eq!(set.route_with("F5211", |l| l == USER), Ok(special));
        // Industry alone does not satisfy a route naming both.
        assert_eq!(set.route_with("C1411", |_| false), Ok(general));
    }
}

#[test]
fn the_set_reads_each_routed_licence_type_from_one_input() {
    let set = examples::reference().unwrap();
    let inputs: Vec<_> = set.licence_inputs().collect();
    assert_eq!(inputs, [(USER, "licence_special_equipment_use")]);
    let spec = set.schema().get("licence_special_equipment_use").unwrap();
    assert_eq!(spec.ty, riskgrade_core::InputType::Count);
    let profiles: Vec<riskgrade_core::Enterprise> = serde_json::from_str(
        r#"[{"id":"U","industry":"F5211","licences":[{"type":"special_equipment_use","department":"特种设备安全监察处"}]},
            {"id":"X","industry":"F5211","licences":[{"type":"special_equipment_use","department":"特种设备安全监察处","valid_until":"2020-01-01"}]},
            {"id":"N","industry":"F5211"}]"#,
    )
    .unwrap();
    let frame = set.frame_of(&profiles, "2026-11-01".parse().unwrap());
    // An expired registration is not held.
    assert_eq!(
        frame.number("licence_special_equipment_use").unwrap(),
        &[1.0, 0.0, 0.0]
    );
}

fn route_error(routes: &str) -> (usize, Option<(usize, usize)>, RouteProblem, String) {
    let text = format!(
        "default = \"general\"\ninclude = [\"general.toml\", \"food_production.toml\", \"special_equipment.toml\"]\n{routes}"
    );
    let e = reference_with(&text).unwrap_err();
    let message = e.to_string();
    match e {
        ModelError::Set(SetProblem::Route {
            route, at, problem, ..
        }) => (route, at.map(|a| (a.line, a.column)), *problem, message),
        other => panic!("{other:?}"),
    }
}

#[test]
fn bad_routes_are_refused_with_their_position() {
    let ok = "[[route]]\nindustries = [\"C14\"]\nmodel = \"food\"\n\n";
    let (route, at, problem, message) = route_error(&format!(
        "{ok}[[route]]\nlicences = [\"special_equipment_use\"]\nmodel = \"special_equpment\"\n"
    ));
    assert_eq!((route, at), (2, Some((7, 1))));
    assert_eq!(
        problem,
        RouteProblem::UnknownModel {
            suggestion: Some("special_equipment".into())
        }
    );
    assert_eq!(
        message,
        "model set: line 7, column 1: route 2 to `special_equpment` names a model that is not in the set (did you mean `special_equipment`?)"
    );
    // Neither industries nor licences, or both empty.
    for body in [
        "model = \"food\"\n",
        "industries = []\nlicences = []\nmodel = \"food\"\n",
    ] {
        let (route, at, problem, _) = route_error(&format!("[[route]]\n{body}"));
        assert_eq!((route, at, problem), (1, Some((3, 1)), RouteProblem::Empty));
    }
    let (_, _, problem, _) = route_error("[[route]]\nlicences = [\" \"]\nmodel = \"food\"\n");
    assert_eq!(problem, RouteProblem::EmptyEntry { key: "licences" });
    let (_, _, problem, _) =
        route_error("[[route]]\nlicences = [\"special equipment\"]\nmodel = \"food\"\n");
    assert!(matches!(problem, RouteProblem::BadLicence { .. }));
    let twice = "[[route]]\nlicences = [\"special_equipment_use\"]\nmodel = \"food\"\n";
    let (route, _, problem, _) = route_error(&format!("{twice}{twice}"));
    assert_eq!(route, 2);
    assert!(matches!(
        problem,
        RouteProblem::RoutedTwice { industry: None, .. }
    ));
}

#[test]
fn a_spec_built_set_reports_the_route_without_a_position() {
    let set = examples::reference().unwrap();
    let mut spec = set.spec().clone();
    spec.routes[0].industries.clear();
    let e = ModelSet::from_spec(spec).unwrap_err();
    assert!(
        matches!(&e, ModelError::Set(SetProblem::Route { route: 1, at: None, problem, .. }) if **problem == RouteProblem::Empty),
        "{e:?}"
    );
}
