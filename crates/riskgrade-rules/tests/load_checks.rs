//! Mistakes refused when the rules compile, each with its position: unknown
//! functions and wrong numbers of arguments (with suggestions), numbers
//! compared with text, text given as points, and Rhai's syntax errors with the
//! source line and a caret where the mistake is.
#![allow(clippy::unwrap_used)]

use riskgrade_core::InputType;
use riskgrade_rules::{Catalog, Limits, RuleError, RuleSpec, Rules, Stage};

fn catalog() -> Catalog {
    Catalog::new(vec![
        ("dishonest_listed".into(), InputType::Bool),
        ("complaints_1y".into(), InputType::Count),
        ("debt_ratio".into(), InputType::Number),
        ("enterprise_type".into(), InputType::Category),
    ])
    .indicators(["social.complaints"])
    .classes(["A", "B", "C", "D"])
}

fn compile(stage: Stage, script: &str) -> Result<Rules, RuleError> {
    let mut spec = RuleSpec::inline("r", stage, script);
    spec.file = Some("rules.toml".into());
    spec.line = 10;
    Rules::compile(vec![spec], catalog(), Limits::default())
}

/// The error's line (in the file), column, message, source line and hint.
fn refused(script: &str) -> (usize, usize, String, String, String) {
    let e = compile(Stage::After, script).unwrap_err();
    let text = e.to_string();
    match e {
        RuleError::Compile {
            at,
            message,
            source_line,
            hint,
            ..
        } => (
            at.line,
            at.column,
            message,
            source_line
                .map(|s| s.to_string())
                .unwrap_or_else(|| panic!("no source line: {text}")),
            hint.map(|h| h.to_string()).unwrap_or_default(),
        ),
        other => panic!("{script}: {other}"),
    }
}

#[test]
fn calls_are_checked_against_known_functions_with_suggestions() {
    let (line, column, message, src, hint) =
        refused("label(\"x\");\nif has_licnce(\"food_production\") { label(\"y\") }");
    assert_eq!((line, column), (11, 4));
    assert_eq!(message, "unknown function `has_licnce`");
    assert!(src.contains("has_licnce"));
    assert_eq!(hint, "did you mean `has_licence`?");
    // Actions, standard functions and methods.
    let (_, column, message, _, hint) = refused("lable(\"x\")");
    assert_eq!((column, message.as_str()), (1, "unknown function `lable`"));
    assert_eq!(hint, "did you mean `label`?");
    let (_, column, message, ..) = refused("let s = \"abc\"; if s.contans(\"a\") { label(s) }");
    assert_eq!(column, 21);
    assert_eq!(message, "unknown method `contans`");
    // Wrong numbers of arguments.
    let (_, _, message, ..) = refused("label(\"x\", \"y\")");
    assert_eq!(message, "`label` takes 1 argument, not 2");
    let (_, _, message, ..) = refused("adjust(5)");
    assert_eq!(message, "`adjust` takes 2 arguments, not 1");
    let (_, _, message, ..) = refused("fn twice(x) { x * 2 } adjust(twice(1, 2), \"x\")");
    assert_eq!(message, "`twice` takes 1 argument, not 2");
    // Well-formed scripts with script functions, closures, methods and keyword functions compile.
    for ok in [
        "fn twice(x) { x * 2 } adjust(twice(complaints_1y ?? 0), \"x\")",
        "let a = [1, 2, 3]; let s = a.reduce(|sum, v| sum + v, 0); if s > 5 { label(`n${s}`) }",
        "let f = |x| x + 1; adjust(f.call(2), \"x\"); if type_of(score) == \"f64\" { label(\"f\") }",
        "let t = \"x\"; if t.contains(\"x\") && t.len() == 1 { alert(\"food\", t.to_upper(), \"info\") }",
        "for (v, i) in [1, 2] { if i > 0 { label(`l${v}`) } }",
        "if count(\"penalty.major\", \"1y\") > 0 { demote(\"penalties\") }",
    ] {
        assert!(
            compile(Stage::After, ok).is_ok(),
            "{ok}: {}",
            compile(Stage::After, ok).unwrap_err()
        );
    }
}

#[test]
fn numbers_compared_with_text_and_text_points_are_refused() {
    for (script, column) in [
        ("if complaints_1y >= \"3\" { label(\"x\") }", 21),
        ("if \"3\" < debt_ratio { label(\"x\") }", 4),
        ("if score == \"500\" { label(\"x\") }", 13),
        ("let n = 3; if n != \"3\" { label(\"x\") }", 20),
    ] {
        let (_, col, message, _, hint) = refused(script);
        assert_eq!(col, column, "{script}");
        assert!(
            message.contains("is a number, compared here with text"),
            "{message}"
        );
        assert!(hint.contains("without quotes"), "{hint}");
    }
    // Text inputs compare with text; numbers with numbers.
    assert!(
        compile(
            Stage::After,
            "if enterprise_type == \"sole\" && complaints_1y >= 3 { label(\"x\") }"
        )
        .is_ok()
    );
    let (_, column, message, _, hint) = refused("adjust(\"4\", \"reason\")");
    assert_eq!(column, 8);
    assert_eq!(message, "adjust() takes a number of points, not text \"4\"");
    assert_eq!(hint, "write 4 without quotes");
}

#[test]
fn syntax_errors_show_the_line_and_where_the_mistake_is() {
    // A missing `}`: the source line, and where the block opened.
    let e = compile(Stage::After, "if complaints_1y > 3 {\n  label(\"x\");\n").unwrap_err();
    let text = e.to_string();
    let RuleError::Compile {
        at,
        source_line,
        hint,
        ..
    } = &e
    else {
        panic!("{e}")
    };
    assert!(source_line.is_some(), "{text}");
    assert_eq!(at.line, 11, "{text}");
    assert!(
        hint.as_deref().unwrap().contains("line 10, column 22"),
        "{text}"
    );
    assert!(text.contains('^'), "{text}");
    // A missing `;`: at the end of the line that lacks it, not on the next.
    let e = compile(Stage::After, "let x = 1\nlet y = 2;\nlabel(\"x\")").unwrap_err();
    let RuleError::Compile {
        at, source_line, ..
    } = &e
    else {
        panic!("{e}")
    };
    assert_eq!((at.line, at.column), (10, 10), "{e}");
    assert_eq!(source_line.as_deref(), Some("let x = 1"));
    // Every syntax error has a source line.
    for bad in [
        "label(\"x\"",
        "let = 3;",
        "if { }",
        "label(\"x\") }",
        "fn (",
        "\"open",
    ] {
        let e = compile(Stage::After, bad).unwrap_err();
        let RuleError::Compile { source_line, .. } = &e else {
            panic!("{bad}: {e}")
        };
        assert!(source_line.is_some(), "{bad}: {e}");
    }
}
