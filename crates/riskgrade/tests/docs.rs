//! Every TOML example in docs/model-format.md loads, so the reference cannot drift from the code.
#![allow(clippy::unwrap_used)]

use riskgrade::ModelSet;

#[test]
fn every_example_in_the_model_format_reference_loads() {
    let doc = include_str!("../../../docs/model-format.md");
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in doc.lines() {
        match (&mut current, line.trim_start()) {
            (None, l) if l.starts_with("```toml") => current = Some(String::new()),
            (Some(b), "```") => {
                blocks.push(std::mem::take(b));
                current = None;
            }
            (Some(b), _) => {
                b.push_str(line);
                b.push('\n');
            }
            _ => {}
        }
    }
    assert!(blocks.len() >= 6, "found only {} examples", blocks.len());
    for (i, b) in blocks.iter().enumerate() {
        if let Err(e) = ModelSet::from_toml_str(b) {
            panic!(
                "example {} of docs/model-format.md does not load: {e}\n{b}",
                i + 1
            );
        }
    }
}

#[test]
fn results_table_columns_follow_the_documented_layout() {
    use std::sync::Arc;
    let set = Arc::new(riskgrade::examples::reference().unwrap());
    let profiles: Vec<riskgrade::Enterprise> = [
        r#"{"id":"G","industry":"F5211","records":[{"kind":"complaint","date":"2026-10-01"}]}"#,
        r#"{"id":"F","industry":"C1431","attributes":{"haccp_certified":false}}"#,
    ]
    .iter()
    .map(|s| serde_json::from_str(s).unwrap())
    .collect();
    let as_of = "2026-11-01".parse().unwrap();
    let frame =
        riskgrade::Frame::from_profiles(&profiles, set.schema(), as_of, set.effect_periods());
    let grades = riskgrade::Grader::new(set)
        .grade(
            &frame,
            as_of,
            &riskgrade::Options::default().contributions(true),
        )
        .unwrap();
    let table = riskgrade::results_table(
        &grades,
        &frame,
        riskgrade::ResultColumns::default().contributions(true),
    );
    let names: Vec<&str> = table.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names[..11],
        [
            "id",
            "industry",
            "model",
            "score",
            "class",
            "class_label",
            "reasons",
            "status",
            "error",
            "model_version",
            "as_of"
        ]
    );
    assert!(names.contains(&"dim:general:supervision") && names.contains(&"dim:food:static"));
    assert!(names.contains(&"contrib:food:general_credit"));
    let col = |name: &str| &table.iter().find(|c| c.name == name).unwrap().data;
    match (col("dim:general:social"), col("dim:food:static")) {
        (riskgrade::io::OutData::Number(g), riskgrade::io::OutData::Number(f)) => {
            assert!(
                g[0].is_some() && g[1].is_none(),
                "general dimensions only for the general row"
            );
            assert!(
                f[0].is_none() && f[1].is_some(),
                "food dimensions only for the food row"
            );
        }
        _ => panic!("dimension columns are numbers"),
    }
}
