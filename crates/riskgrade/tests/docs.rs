//! Every TOML example in docs/model-format.md loads, so the reference cannot drift from the code
//! (blocks fenced ```` ```toml fragment ```` are parts of a file and are not loaded alone).
#![allow(clippy::unwrap_used)]

use riskgrade::ModelSet;

#[test]
fn every_example_in_the_model_format_reference_loads() {
    let doc = include_str!("../../../docs/model-format.md");
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in doc.lines() {
        match (&mut current, line.trim_start()) {
            (None, l) if l.starts_with("```toml") && !l.contains("fragment") => {
                current = Some(String::new())
            }
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
        names[..15],
        [
            "id",
            "industry",
            "model",
            "score",
            "class",
            "class_label",
            "reasons",
            "score_before_rules",
            "labels",
            "alerts",
            "rules",
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
        (riskgrade::io::OutData::Float64(g), riskgrade::io::OutData::Float64(f)) => {
            use riskgrade::io::arrow::Array;
            assert!(
                g.is_valid(0) && g.is_null(1),
                "general dimensions only for the general row"
            );
            assert!(
                f.is_null(0) && f.is_valid(1),
                "food dimensions only for the food row"
            );
        }
        _ => panic!("dimension columns are numbers"),
    }
}

/// Every example in docs/rules.md runs: each ```toml block with `[[rule]]`
/// entries is a rule file for the reference set, followed by `[[case]]`s
/// that must pass; each ```toml error block is followed by a ```text block
/// holding the exact message it gives.
mod rules_reference {
    use std::sync::Arc;

    use riskgrade::{
        ColumnBuilder, Date, Enterprise, ErrorPolicy, EvalError, Frame, Grader, Identity, ModelSet,
        Options, RawValue, RuleTests, examples,
    };

    const DOC: &str = include_str!("../../../docs/rules.md");
    /// The date cases are graded on unless they give their own `as_of`.
    const AS_OF: &str = "2026-11-01";

    /// A fenced block: its info string (`toml`, `toml error`, `text`, …), text and first line.
    struct Block {
        info: String,
        text: String,
        line: usize,
    }

    fn blocks() -> Vec<Block> {
        let mut out = Vec::new();
        let mut current: Option<Block> = None;
        for (n, line) in DOC.lines().enumerate() {
            let t = line.trim_start();
            match &mut current {
                None => {
                    if let Some(info) = t.strip_prefix("```") {
                        current = Some(Block {
                            info: info.trim().to_string(),
                            text: String::new(),
                            line: n + 2,
                        });
                    }
                }
                Some(b) => {
                    if t == "```" {
                        out.extend(current.take());
                    } else {
                        b.text.push_str(line);
                        b.text.push('\n');
                    }
                }
            }
        }
        assert!(
            current.is_none(),
            "docs/rules.md: a code block is not closed"
        );
        out
    }

    /// Script files shown as ```rhai blocks whose first line is `// <path>`, by file name.
    fn script_files(blocks: &[Block]) -> Vec<(String, String)> {
        blocks
            .iter()
            .filter(|b| b.info == "rhai")
            .filter_map(|b| {
                let first = b.text.lines().next()?.strip_prefix("//")?.trim();
                let name = first.rsplit('/').next()?.to_string();
                name.ends_with(".rhai").then(|| (name, b.text.clone()))
            })
            .collect()
    }

    /// The reference set (models, routes and alert routing) with `rules` as its only rule file.
    /// The error is the load error's text.
    fn set_with(rules: &str, scripts: &[(String, String)]) -> Result<ModelSet, String> {
        let from = "rule_files = [\"reference_rules.toml\"]";
        assert!(examples::REFERENCE.contains(from));
        let text = examples::REFERENCE.replace(from, "rule_files = [\"rules.toml\"]");
        ModelSet::from_toml_str_with(&text, |name| {
            if name == "rules.toml" {
                return Some(rules);
            }
            scripts
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, t)| t.as_str())
                .or_else(|| {
                    examples::FILES
                        .iter()
                        .find(|(n, _)| *n == name)
                        .map(|(_, t)| *t)
                })
        })
        .map_err(|e| e.to_string())
    }

    /// A block's rule file (before the first `[[case]]`) and its cases (with the default date).
    fn split(b: &Block) -> (String, Option<RuleTests>) {
        let mut rules = String::new();
        let mut cases = String::new();
        for line in b.text.lines() {
            if !cases.is_empty() || line.trim() == "[[case]]" {
                cases.push_str(line);
                cases.push('\n');
            } else {
                rules.push_str(line);
                rules.push('\n');
            }
        }
        if cases.is_empty() {
            return (rules, None);
        }
        let name = format!("docs/rules.md block at line {}", b.line);
        let tests = RuleTests::from_toml_str(&format!("as_of = \"{AS_OF}\"\n{cases}"), &name)
            .unwrap_or_else(|e| panic!("{e}"));
        (rules, Some(tests))
    }

    #[test]
    fn every_rule_example_runs_and_its_cases_pass() {
        let blocks = blocks();
        let scripts = script_files(&blocks);
        let (mut examples_run, mut cases_run) = (0, 0);
        let mut failures = Vec::new();
        for b in blocks
            .iter()
            .filter(|b| b.info == "toml" && b.text.contains("[[rule]]"))
        {
            let (rules, tests) = split(b);
            let Some(tests) = tests.filter(|t| !t.cases.is_empty()) else {
                failures.push(format!(
                    "docs/rules.md line {}: the example has no [[case]]",
                    b.line
                ));
                continue;
            };
            let set = match set_with(&rules, &scripts) {
                Ok(s) => Arc::new(s),
                Err(e) => {
                    failures.push(format!(
                        "docs/rules.md line {}: the rules do not load: {e}",
                        b.line
                    ));
                    continue;
                }
            };
            examples_run += 1;
            for result in tests.run(&set) {
                cases_run += 1;
                if !result.passed() {
                    failures.push(format!("docs/rules.md line {}:\n{result}", b.line));
                }
            }
        }
        // Set files shown as ```toml set blocks load (their includes are the embedded files).
        for b in blocks.iter().filter(|b| b.info == "toml set") {
            let loaded = ModelSet::from_toml_str_with(&b.text, |name| {
                scripts
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, t)| t.as_str())
                    .or_else(|| {
                        examples::FILES
                            .iter()
                            .find(|(n, _)| *n == name)
                            .map(|(_, t)| *t)
                    })
            });
            if let Err(e) = loaded {
                failures.push(format!(
                    "docs/rules.md line {}: the set does not load: {e}",
                    b.line
                ));
            }
        }
        // Test files without rules of their own test the reference rules.
        let reference = Arc::new(examples::reference().unwrap());
        for b in blocks.iter().filter(|b| {
            b.info == "toml" && !b.text.contains("[[rule]]") && b.text.contains("[[case]]")
        }) {
            let name = format!("docs/rules.md block at line {}", b.line);
            let tests = RuleTests::from_toml_str(&b.text, &name).unwrap_or_else(|e| panic!("{e}"));
            for result in tests.run(&reference) {
                cases_run += 1;
                if !result.passed() {
                    failures.push(format!("docs/rules.md line {}:\n{result}", b.line));
                }
            }
        }
        assert!(
            failures.is_empty(),
            "{} failure(s):\n{}",
            failures.len(),
            failures.join("\n")
        );
        assert!(
            examples_run >= 20 && cases_run >= 40,
            "only {examples_run} examples and {cases_run} cases"
        );
        eprintln!("docs/rules.md: {examples_run} examples, {cases_run} cases passed");
    }

    /// One row from a case: its profile, or its input values as columns.
    fn grade_case(set: &Arc<ModelSet>, tests: &RuleTests) -> Result<(), EvalError> {
        let case = &tests.cases[0];
        let as_of: Date = case.as_of.or(tests.as_of).unwrap();
        let options = Options::default().on_rule_error(ErrorPolicy::Abort);
        let grader = Grader::new(Arc::clone(set));
        if let Some(p) = &case.profile {
            let e: Enterprise = p.clone().try_into().unwrap();
            return grader.grade_profiles(&[e], as_of, &options).map(|_| ());
        }
        let mut cols = Vec::new();
        for (name, spec) in set.schema().inputs() {
            let mut b = ColumnBuilder::new(name, spec.ty);
            b.push(match case.inputs.get(name) {
                None => RawValue::Missing,
                Some(toml::Value::Boolean(v)) => RawValue::Bool(*v),
                Some(toml::Value::Integer(v)) => RawValue::Integer(*v),
                Some(toml::Value::Float(v)) => RawValue::Number(*v),
                Some(toml::Value::String(s)) => RawValue::Text(s),
                Some(other) => panic!("input `{name}`: {other} is not a value"),
            });
            let (col, problems) = b.finish();
            cols.push((name.clone(), spec.ty, col, problems));
        }
        let identity = Identity {
            ids: vec!["E1".into()],
            names: vec![String::new()],
            industries: vec![case.industry.clone().unwrap_or_else(|| "F5211".into())],
            districts: vec![String::new()],
        };
        let frame = Frame::from_parts(identity, cols, Vec::new(), None);
        grader.grade(&frame, as_of, &options).map(|_| ())
    }

    #[test]
    fn every_error_message_example_is_the_real_message() {
        let blocks = blocks();
        let scripts = script_files(&blocks);
        let mut checked = 0;
        let mut failures = Vec::new();
        for (k, b) in blocks.iter().enumerate() {
            if b.info != "toml error" {
                continue;
            }
            let want = match blocks.get(k + 1) {
                Some(t) if t.info == "text" => t.text.trim_end(),
                _ => panic!(
                    "docs/rules.md line {}: an error example must be followed by a ```text block",
                    b.line
                ),
            };
            let (rules, tests) = split(b);
            let got = match set_with(&rules, &scripts) {
                Err(e) => e,
                Ok(set) => match tests.filter(|t| !t.cases.is_empty()) {
                    None => "(the rules load, so the example needs a [[case]] that fails)".into(),
                    Some(tests) => match grade_case(&Arc::new(set), &tests) {
                        Err(EvalError::Rule { error, .. }) => error.to_string(),
                        Err(other) => other.to_string(),
                        Ok(()) => "(no error)".to_string(),
                    },
                },
            };
            checked += 1;
            if got != want {
                failures.push(format!(
                    "docs/rules.md line {}: the message is\n{got}\n--- the page says\n{want}",
                    b.line
                ));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n\n"));
        assert!(checked >= 3, "only {checked} error examples");
    }
}

#[test]
fn general_model_doc_lists_every_indicator() {
    let doc = include_str!("../../../docs/general-model.md");
    let set = riskgrade::examples::reference().unwrap();
    let general = set.model("general").unwrap();
    let leaves = general.leaves();
    assert_eq!(leaves.len(), 72, "the provincial scale: 5 + 22 + 72");
    let rows: Vec<&str> = doc.lines().filter(|l| l.starts_with("| `")).collect();
    assert_eq!(rows.len(), leaves.len(), "one table row per indicator");
    for leaf in leaves {
        let riskgrade::Source::Input { name, .. } = &leaf.source else {
            panic!("{} reads another model", leaf.path);
        };
        let row = rows
            .iter()
            .find(|r| r.starts_with(&format!("| `{}` |", leaf.path)))
            .unwrap_or_else(|| panic!("docs/general-model.md has no row for {}", leaf.path));
        assert!(
            row.contains(&format!("| `{name}`: ")),
            "{}: input `{name}` not shown: {row}",
            leaf.path
        );
        let share = format!("| {:.2}% |", leaf.weight * 100.0);
        assert!(
            row.contains(&share),
            "{}: share {share} not shown: {row}",
            leaf.path
        );
        let cells: Vec<&str> = row.split(" | ").collect();
        assert!(
            cells.len() >= 5 && !cells[4].trim().is_empty(),
            "{}: no source family",
            leaf.path
        );
    }
    let groups = doc.lines().filter(|l| l.starts_with("### `")).count();
    assert_eq!(groups, 22, "one section per second-level group");
}
