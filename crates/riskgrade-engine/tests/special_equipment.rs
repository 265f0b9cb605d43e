//! The route stage reads the licence types a row holds: profiles carrying a
//! valid special-equipment use registration are graded by the
//! special-equipment model (food producers stay with the food model), in
//! profiles and in columns alike, and the reference rules label crowded-venue
//! users and users with a recent accident for the special-equipment plan.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use riskgrade_core::{Date, Enterprise, Frame};
use riskgrade_engine::{Grader, Options};
use riskgrade_model::{ModelSet, examples};

fn as_of() -> Date {
    "2026-11-01".parse().unwrap()
}

fn profiles() -> Vec<Enterprise> {
    let reg = r#""licences":[{"type":"special_equipment_use","department":"特种设备安全监察处","issued":"2015-03-01"}]"#;
    let expired = r#""licences":[{"type":"special_equipment_use","department":"特种设备安全监察处","valid_until":"2024-01-01"}]"#;
    let text = format!(
        r#"[{{"id":"MALL","industry":"F5211","registered":"2010-01-01",{reg},
              "attributes":{{"se_units":12,"se_crowded_venue":true,"se_accidents_2y":0}}}},
            {{"id":"PLANT","industry":"c 3311","registered":"2010-01-01",{reg},
              "attributes":{{"se_units":4,"se_accidents_2y":1,"se_overdue_inspections":3}}}},
            {{"id":"BAKERY","industry":"C1411","registered":"2010-01-01",{reg}}},
            {{"id":"LAPSED","industry":"F5211","registered":"2010-01-01",{expired}}},
            {{"id":"SHOP","industry":"F5211","registered":"2010-01-01"}}]"#
    );
    serde_json::from_str(&text).unwrap()
}

fn grade(set: &Arc<ModelSet>, frame: &Frame) -> Vec<(String, String, Vec<String>)> {
    let g = Grader::new(Arc::clone(set))
        .grade(frame, as_of(), &Options::default())
        .unwrap();
    (0..frame.len())
        .map(|r| {
            let model = g.model(r).map_or("-", |m| m.id()).to_string();
            let labels = g.labels(r).map(str::to_string).collect();
            (frame.ids()[r].clone(), model, labels)
        })
        .collect()
}

#[test]
fn users_are_routed_by_licence_and_labelled_for_the_plan() {
    let set = Arc::new(examples::reference().unwrap());
    let frame = set.frame_of(&profiles(), as_of());
    let got = grade(&set, &frame);
    let model_of = |id: &str| got.iter().find(|g| g.0 == id).unwrap().1.clone();
    assert_eq!(model_of("MALL"), "special_equipment");
    assert_eq!(model_of("PLANT"), "special_equipment");
    assert_eq!(model_of("BAKERY"), "food");
    assert_eq!(model_of("LAPSED"), "general");
    assert_eq!(model_of("SHOP"), "general");
    let labels_of = |id: &str| got.iter().find(|g| g.0 == id).unwrap().2.clone();
    assert!(labels_of("MALL").contains(&"公众聚集场所".to_string()));
    assert!(!labels_of("MALL").contains(&"近两年特种设备事故".to_string()));
    assert!(labels_of("PLANT").contains(&"近两年特种设备事故".to_string()));
    assert!(labels_of("SHOP").is_empty());
}

#[test]
fn routing_by_licence_is_per_row_whatever_the_order() {
    let set = Arc::new(examples::reference().unwrap());
    let frame = set.frame_of(&profiles(), as_of());
    // The same rows in another order: routing is per row, not per position.
    let reversed: Vec<usize> = (0..frame.len()).rev().collect();
    let a = grade(&set, &frame);
    let mut b = grade(&set, &frame.take(&reversed));
    b.reverse();
    assert_eq!(a, b);
}
