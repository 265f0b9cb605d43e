//! The results table's text is each row's own text: reasons, class, labels,
//! alerts, rules, status and errors written to CSV and JSON Lines read back
//! as what the grades say row by row, with dictionary columns and text
//! rendered per chunk.

use std::sync::Arc;

use riskgrade_core::{Date, Frame};
use riskgrade_engine::{Grader, Options, ResultColumns, results_table};
use riskgrade_io::{Cell, read_table, write_table};
use riskgrade_rules::Action;

fn as_of() -> Date {
    "2026-11-01".parse().expect("date")
}

fn text(cell: &Cell) -> String {
    match cell {
        Cell::Text(s) => s.clone(),
        Cell::Missing => String::new(),
        other => format!("{other:?}"),
    }
}

fn list(items: Vec<String>) -> String {
    serde_json::to_string(&items).expect("json")
}

#[test]
fn every_text_cell_is_the_rows_own_text_in_csv_and_json_lines() {
    let set = Arc::new(riskgrade_model::examples::reference().expect("reference"));
    let people = riskgrade_synth::generate(&riskgrade_synth::SynthConfig::new(20_000, 5, as_of()))
        .enterprises;
    let frame = Frame::from_profiles(&people, set.schema(), as_of(), set.effect_periods());
    let grades = Grader::new(Arc::clone(&set))
        .grade_with(&frame, Some(&people), as_of(), &Options::default())
        .expect("grade");
    let table = results_table(&grades, &frame, ResultColumns::default());
    let dir = std::env::temp_dir().join(format!("riskgrade-results-text-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch");
    for ext in ["csv", "jsonl"] {
        let path = dir.join(format!("r.{ext}"));
        write_table(&path, &table).expect("write");
        let t = read_table(&path).expect("read");
        let col = |name: &str| t.column(name).expect(name);
        let (reasons, class, label, labels) = (
            col("reasons"),
            col("class"),
            col("class_label"),
            col("labels"),
        );
        let (alerts, rules, status, error) =
            (col("alerts"), col("rules"), col("status"), col("error"));
        let (model, version, date) = (col("model"), col("model_version"), col("as_of"));
        let mut with_rules = 0;
        for (r, row) in t.rows.iter().enumerate() {
            let graded = grades.is_graded(r);
            let want_reasons = if graded {
                grades.reason_texts(&frame, r).join(" | ")
            } else {
                String::new()
            };
            assert_eq!(text(&row[reasons]), want_reasons, "{ext} row {r}");
            assert_eq!(text(&row[class]), grades.class(r).unwrap_or(""), "row {r}");
            let want_label = grades
                .class_index(r)
                .and_then(|c| Some(grades.model(r)?.classes().labels()[c].clone()))
                .unwrap_or_default();
            assert_eq!(text(&row[label]), want_label, "row {r}");
            assert_eq!(text(&row[model]), grades.model(r).map_or("", |m| m.id()));
            assert_eq!(text(&row[version]), grades.version_id());
            assert_eq!(text(&row[date]), "2026-11-01");
            assert_eq!(text(&row[status]), if graded { "graded" } else { "error" });
            let want_labels = list(grades.labels(r).map(str::to_string).collect());
            assert_eq!(text(&row[labels]), want_labels, "row {r}");
            let want_alerts = list(
                grades
                    .alerts(r)
                    .filter_map(|e| match &e.action {
                        Action::Alert {
                            topic,
                            message,
                            severity,
                        } => Some(format!(
                            "{} {topic} -> {}: {message}",
                            severity.name(),
                            e.department.as_deref().unwrap_or("(no route)")
                        )),
                        _ => None,
                    })
                    .collect(),
            );
            assert_eq!(text(&row[alerts]), want_alerts, "row {r}");
            let mut ids: Vec<String> = Vec::new();
            for e in grades.effects(r) {
                if !ids.iter().any(|id| *id == *e.rule) {
                    ids.push(e.rule.to_string());
                }
            }
            with_rules += usize::from(!ids.is_empty());
            assert_eq!(text(&row[rules]), list(ids), "row {r}");
            let msgs: Vec<String> = grades
                .issues_of(r)
                .map(|i| format!("column `{}`: {}", i.column, i.problem))
                .collect();
            assert_eq!(text(&row[error]), msgs.join("; "), "row {r}");
        }
        assert!(with_rules > 100, "the reference rules act on many rows");
    }
    std::fs::remove_dir_all(&dir).expect("clean");
}

/// Every number column (score, score before rules, each model's dimensions and,
/// when asked, indicator contributions) holds each row's own value, missing
/// where the row belongs to another model.
#[test]
fn every_number_column_is_the_rows_own_value() {
    use riskgrade_io::OutData;
    let set = Arc::new(riskgrade_model::examples::reference().expect("reference"));
    let people = riskgrade_synth::generate(&riskgrade_synth::SynthConfig::new(3_000, 9, as_of()))
        .enterprises;
    let frame = Frame::from_profiles(&people, set.schema(), as_of(), set.effect_periods());
    let grades = Grader::new(Arc::clone(&set))
        .grade_with(
            &frame,
            None,
            as_of(),
            &Options::default().contributions(true),
        )
        .expect("grade");
    let table = results_table(
        &grades,
        &frame,
        ResultColumns::default().contributions(true),
    );
    let number = |name: &str, r: usize| -> Option<f64> {
        let col = table.iter().find(|c| c.name == name).expect(name);
        let OutData::Float64(a) = &col.data else {
            panic!("{name} is not Float64")
        };
        use riskgrade_io::arrow::Array;
        a.is_valid(r).then(|| a.value(r))
    };
    let mut columns = 0;
    for r in 0..grades.len() {
        assert_eq!(number("score", r), grades.score(r), "row {r}");
        assert_eq!(
            number("score_before_rules", r),
            grades.base_score(r),
            "row {r}"
        );
        for (mi, m) in set.models().iter().enumerate() {
            let ours = grades.model_index(r) == Some(mi);
            for (k, &d) in m.dimensions().iter().enumerate() {
                let name = format!("dim:{}:{}", m.id(), m.nodes()[d].path);
                let want = grades.dimension_point(r, k).filter(|_| ours);
                assert_eq!(number(&name, r), want, "{name} row {r}");
                columns += usize::from(r == 0);
            }
            for (li, leaf) in m.leaves().iter().enumerate() {
                let name = format!("contrib:{}:{}", m.id(), leaf.path);
                let want = grades.contributions(r).filter(|_| ours).map(|c| c[li]);
                assert_eq!(number(&name, r), want, "{name} row {r}");
                columns += usize::from(r == 0);
            }
        }
    }
    assert_eq!(
        table.len(),
        16 + columns,
        "every dimension and contribution has its column"
    );
    assert!(set.models().len() > 1 && columns > 100);
}
