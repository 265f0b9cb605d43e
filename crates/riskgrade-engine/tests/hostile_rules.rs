//! Hostile rules over whole batches: an effect flood, endless or huge
//! adjustments, a batch time budget and the `abort` policy. Each is contained
//! to the enterprises it runs on; every other enterprise's grade is unchanged.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use riskgrade_core::{ColumnBuilder, Date, Frame, Identity, RawValue};
use riskgrade_engine::{ErrorPolicy, EvalError, Grader, Grades, Options};
use riskgrade_model::{ModelError, ModelSet, examples};

fn as_of() -> Date {
    "2026-11-01".parse().unwrap()
}

/// The general model with these rules (TOML `[[rule]]` entries and `[rule_limits]`).
fn set_with(rules: &str) -> Result<ModelSet, ModelError> {
    let text = format!("default = \"general\"\ninclude = [\"general.toml\"]\n{rules}");
    ModelSet::from_toml_str_with(&text, |name| {
        examples::FILES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| *t)
    })
}

fn set(rules: &str) -> Arc<ModelSet> {
    Arc::new(set_with(rules).unwrap())
}

/// `n` enterprises in retail, ten years old, with `complaints_1y` = row mod 10.
fn frame(set: &ModelSet, n: usize) -> Frame {
    let identity = Identity {
        ids: (0..n).map(|i| format!("E{i}")).collect(),
        names: vec![String::new(); n],
        industries: vec!["F5211".to_string(); n],
        districts: vec![String::new(); n],
    };
    let mut cols = Vec::new();
    for (name, spec) in set.schema().inputs() {
        let mut b = ColumnBuilder::new(name, spec.ty);
        for r in 0..n {
            b.push(match name.as_str() {
                "years_in_operation" => RawValue::Number(10.0),
                "complaints_1y" => RawValue::Integer((r % 10) as i64),
                _ => RawValue::Missing,
            });
        }
        let (col, _) = b.finish();
        cols.push((name.clone(), spec.ty, col, Vec::new()));
    }
    Frame::from_parts(identity, cols, Vec::new(), None)
}

fn grade(set: &Arc<ModelSet>, frame: &Frame, options: &Options) -> Result<Grades, EvalError> {
    Grader::new(Arc::clone(set)).grade(frame, as_of(), options)
}

/// The same batch graded with no rules: what the others must keep.
fn baseline(n: usize) -> (Arc<ModelSet>, Frame, Grades) {
    let s = set("");
    let f = frame(&s, n);
    let g = grade(&s, &f, &Options::default()).unwrap();
    (s, f, g)
}

/// Rows with complaints_1y == 3 run the hostile rule; all others must match the baseline.
fn assert_contained(g: &Grades, base: &Grades, n: usize, rule: &str, expect: &str) {
    for r in 0..n {
        if r % 10 == 3 {
            assert!(!g.is_graded(r), "row {r}");
            let issue = g.issues_of(r).next().unwrap().to_string();
            assert!(issue.contains(&format!("rule `{rule}`")), "{issue}");
            assert!(issue.contains(expect), "{issue}");
        } else {
            assert_eq!(g.score(r), base.score(r), "row {r}");
            assert_eq!(g.class(r), base.class(r), "row {r}");
            assert!(g.effects(r).is_empty(), "row {r}");
        }
    }
}

/// A rule that floods labels, alerts or adjustments, or writes huge texts,
/// makes the enterprises it runs on error rows; the batch's memory stays
/// bounded and the other enterprises are graded exactly as without it.
#[test]
fn effect_floods_are_contained_per_enterprise() {
    let n = 5000;
    let (_, _, base) = baseline(n);
    let floods = [
        (
            "labels",
            "for i in 0..1000000 { label(`pool ${i}`) }",
            "effects",
        ),
        (
            "alerts",
            "loop { alert(\"food\", \"x\", \"critical\") }",
            "effects",
        ),
        ("points", "loop { adjust(1, \"x\") }", "effects"),
        (
            "texts",
            "let s = \"长\"; for i in 0..10 { s += s; } label(s)",
            "bytes",
        ),
    ];
    for (id, script, expect) in floods {
        let s = set(&format!(
            "[rule_limits]\ntime_budget_ms = 10000\n[[rule]]\nid = \"{id}\"\nstage = \"after\"\nwhen = \"complaints_1y == 3\"\nscript = '''{script}'''\n"
        ));
        let f = frame(&s, n);
        let g = grade(&s, &f, &Options::default()).unwrap();
        assert_contained(&g, &base, n, id, expect);
    }
}

/// Effects of all of an enterprise's rules count together: two rules of 40
/// labels each pass the limit of 64 on the second rule, which is named.
#[test]
fn effect_limits_count_all_of_an_enterprises_rules() {
    let s = set(r#"
[[rule]]
id = "first"
stage = "after"
priority = 1
when = "complaints_1y == 3"
script = '''for i in 0..40 { label(`a${i}`) }'''

[[rule]]
id = "second"
stage = "after"
when = "complaints_1y == 3"
script = '''for i in 0..40 { label(`b${i}`) }'''
"#);
    let (_, _, base) = baseline(20);
    let f = frame(&s, 20);
    let g = grade(&s, &f, &Options::default()).unwrap();
    assert_contained(&g, &base, 20, "second", "more than 64 effects");
    // Under skip-rule the second rule's effects are dropped; the first's stay.
    let g = grade(
        &s,
        &f,
        &Options::default().on_rule_error(ErrorPolicy::SkipRule),
    )
    .unwrap();
    assert!(g.is_graded(3));
    assert_eq!(g.labels(3).count(), 40);
    // explain names the skipped rule.
    let text = g.explain(&f, 3).to_string();
    assert!(text.contains("rule `second`"), "{text}");
    assert!(text.contains("more than 64 effects"), "{text}");
}

/// Whether a text shows an infinite or not-a-number value.
fn shows_infinity(text: &str) -> bool {
    text.split(|c: char| !c.is_alphanumeric())
        .any(|w| w.eq_ignore_ascii_case("inf") || w.eq_ignore_ascii_case("nan") || w == "∞")
}

/// Adjustments beyond any scale are refused on the enterprise (an error row
/// naming the rule), so sums stay finite; explain never shows `inf`.
#[test]
fn huge_adjustments_never_overflow_the_score() {
    let (_, _, base) = baseline(20);
    for script in [
        "adjust(1.7e308, \"up\"); adjust(1.7e308, \"up\")",
        "adjust(1.7e308, \"up\"); adjust(-1.7e308, \"down\")",
        "adjust(9223372036854775807, \"up\")",
        "adjust(1.0 / 0.0, \"up\")",
    ] {
        let s = set(&format!(
            "[[rule]]\nid = \"huge\"\nstage = \"after\"\nwhen = \"complaints_1y == 3\"\nscript = '''{script}'''\n"
        ));
        let f = frame(&s, 20);
        let g = grade(&s, &f, &Options::default()).unwrap();
        assert_contained(&g, &base, 20, "huge", "adjust()");
        for r in 0..20 {
            let text = g.explain(&f, r).to_string();
            assert!(!shows_infinity(&text), "{script}: {text}");
        }
    }
    // Large but allowed adjustments keep the score on the scale and finite.
    let s = set(
        "[[rule]]\nid = \"big\"\nstage = \"after\"\nwhen = \"complaints_1y == 3\"\nscript = '''for i in 0..60 { adjust(1e12, \"up\") }'''\n",
    );
    let f = frame(&s, 20);
    let g = grade(&s, &f, &Options::default()).unwrap();
    let score = g.score(3).unwrap();
    assert!(score.is_finite() && score <= 1000.0, "{score}");
    assert!(!shows_infinity(&g.explain(&f, 3).to_string()));
}

/// Under `abort` the batch stops at the first failing row instead of running
/// every other row first: far quicker than grading the whole batch.
#[test]
fn abort_stops_the_batch_early() {
    let rules = r#"
[[rule]]
id = "fails"
stage = "after"
when = "complaints_1y == 0"
script = '''throw "broken"'''

[[rule]]
id = "slow"
stage = "after"
script = '''let i = 0; while i < 3000 { i += 1; }'''
"#;
    let s = set(rules);
    let n = 3000;
    let f = frame(&s, n);
    let started = Instant::now();
    let g = grade(&s, &f, &Options::default()).unwrap();
    let whole = started.elapsed();
    assert!(!g.is_graded(0));
    let started = Instant::now();
    let e = grade(
        &s,
        &f,
        &Options::default().on_rule_error(ErrorPolicy::Abort),
    )
    .unwrap_err();
    let aborted = started.elapsed();
    // The error is the first failing row's, whatever the thread timing.
    assert!(matches!(&e, EvalError::Rule { row: 0, .. }), "{e}");
    assert!(
        aborted * 4 < whole,
        "abort took {aborted:?}, the whole batch {whole:?}"
    );
}

/// The rules pass over a batch has a wall-clock budget: rows not reached in
/// time become error rows naming the rule (or the batch aborts under `abort`).
#[test]
fn a_batch_time_budget_turns_the_rest_into_error_rows() {
    let s = set(r#"
[rule_limits]
batch_budget_ms = 200
time_budget_ms = 10000
max_operations = 10000000

[[rule]]
id = "slow"
stage = "after"
script = '''let i = 0; while i < 100000 { i += 1; }'''
"#);
    let n = 2000;
    let f = frame(&s, n);
    let started = Instant::now();
    let g = grade(&s, &f, &Options::default()).unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
    let late: Vec<usize> = (0..n).filter(|&r| !g.is_graded(r)).collect();
    assert!(!late.is_empty());
    let issue = g.issues_of(late[0]).next().unwrap().to_string();
    assert!(
        issue.contains("rule `slow`") && issue.contains("time budget"),
        "{issue}"
    );
    let e = grade(
        &s,
        &f,
        &Options::default().on_rule_error(ErrorPolicy::Abort),
    )
    .unwrap_err();
    assert!(e.to_string().contains("time budget"), "{e}");
}

/// Every file of `tests/hostile/` (loops, recursion, huge strings, arrays and
/// maps, effect floods, deep nesting, `import`, `eval`, function pointers,
/// `print`, a shadowed action, the clock, randomness, `exit`) is either
/// refused when the set loads, as `rules check` does, with a position, or
/// contained to the enterprises it runs on while every other enterprise's
/// grade is unchanged.
#[test]
fn hostile_rule_files_are_refused_or_contained() {
    let n = 200;
    let (_, _, base) = baseline(n);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile");
    let must_refuse = [
        "deep_when",
        "deep_not",
        "eval",
        "clock",
        "sleep",
        "random",
        "exit",
        "import",
    ];
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        let rules = std::fs::read_to_string(&path).unwrap();
        seen += 1;
        match set_with(&rules) {
            Err(e) => {
                let text = e.to_string();
                assert!(
                    text.contains("line ") || text.contains("column "),
                    "{name}: not positioned: {text}"
                );
                assert!(text.len() < 2000, "{name}: {} bytes", text.len());
            }
            Ok(s) => {
                assert!(!must_refuse.contains(&name.as_str()), "{name} was accepted");
                let s = Arc::new(s);
                let f = frame(&s, n);
                let started = Instant::now();
                let g = grade(&s, &f, &Options::default()).unwrap();
                assert!(started.elapsed() < Duration::from_secs(60), "{name}");
                for r in 0..n {
                    if r % 10 == 3 {
                        if !g.is_graded(r) {
                            let issue = g.issues_of(r).next().unwrap().to_string();
                            assert!(issue.contains("rule `"), "{name}: {issue}");
                        }
                        assert!(g.score(r).is_none_or(f64::is_finite), "{name}");
                    } else {
                        assert_eq!(g.score(r), base.score(r), "{name}: row {r}");
                        assert_eq!(g.class(r), base.class(r), "{name}: row {r}");
                    }
                }
            }
        }
    }
    assert!(seen >= 23, "{seen} files");
}

/// Labels, alerts and reasons that rules write with control characters (an ESC sequence, a
/// line break forging an issue line, a bidirectional override) are kept as written in the
/// results but print escaped in an explanation, so they can neither recolour the terminal nor
/// forge a line.
#[test]
fn hostile_texts_from_rules_print_escaped_in_explanations() {
    let s = set(r#"
[[rule]]
id = "hostile_text"
stage = "after"
when = "complaints_1y == 3"
script = '''
label("\x1b[31mred\x1b[0m");
label("a\nrow 99, enterprise E9: forged");
adjust(1, "reason \u202e with an override");
alert("complaints", "line one\rline two", "warning");
'''
"#);
    let f = frame(&s, 20);
    let g = grade(&s, &f, &Options::default()).unwrap();
    assert!(g.is_graded(3));
    let labels: Vec<&str> = g.labels(3).collect();
    assert_eq!(
        labels,
        ["\u{1b}[31mred\u{1b}[0m", "a\nrow 99, enterprise E9: forged"]
    );
    let text = g.explain(&f, 3).to_string();
    assert!(text.contains("\\e[31mred\\e[0m"), "{text}");
    assert!(text.contains("a\\nrow 99, enterprise E9: forged"), "{text}");
    assert!(text.contains("\\u{202e}"), "{text}");
    assert!(
        !text
            .chars()
            .any(|c| c == '\u{1b}' || c == '\r' || c == '\u{202e}'),
        "{text:?}"
    );
    assert!(
        !text.lines().any(|l| l.starts_with("row 99")),
        "a forged line: {text}"
    );
}
