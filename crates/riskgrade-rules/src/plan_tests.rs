//! Which scripts compile to a plan, which do not and why.

use riskgrade_core::InputType;

use crate::{
    Action, Catalog, Limits, NotCompiled, Piece, Points, RuleSpec, Rules, Severity, Stage, Step,
    Text, Value,
};

fn compile(script: &str) -> Rules {
    let catalog = Catalog::new(vec![
        ("staff".into(), InputType::Count),
        ("ratio".into(), InputType::Number),
        ("listed".into(), InputType::Bool),
        ("size".into(), InputType::Category),
        ("founded".into(), InputType::Date),
    ])
    .classes(["A", "B", "C", "D"]);
    let spec = RuleSpec::inline("r", Stage::After, script);
    Rules::compile(vec![spec], catalog, Limits::default()).unwrap()
}

fn plan(script: &str) -> Result<Vec<Step>, NotCompiled> {
    let rules = compile(script);
    rules.rules()[0]
        .plan()
        .map(|p| p.steps().to_vec())
        .map_err(Clone::clone)
}

#[test]
fn every_action_with_constants_compiles() {
    let steps = plan(
        r#"// a comment
        force_class("D", "vetoed");
        at_least("C", "floor"); at_most("B", "cap");
        adjust(-12, "minus"); adjust(2.5, "plus");
        promote("up"); demote("down");
        label("重点监管");
        alert("food", "late", "critical")"#,
    )
    .unwrap();
    assert_eq!(steps.len(), 9);
    assert_eq!(
        steps[3],
        Step::Adjust {
            points: Points::Const(-12.0),
            reason: Text::Const("minus".into())
        }
    );
    assert_eq!(
        steps[8],
        Step::Alert {
            topic: "food".into(),
            message: Text::Const("late".into()),
            severity: Severity::Critical
        }
    );
}

#[test]
fn templates_over_text_and_whole_numbers_compile() {
    let steps =
        plan("promote(`${staff} staff in ${industry}, ${size}`); adjust(ratio, `x`);").unwrap();
    assert!(
        matches!(&steps[0], Step::Shift { steps: -1, reason: Text::Template(p) } if p.len() == 5)
    );
    assert!(matches!(
        &steps[1],
        Step::Adjust {
            points: Points::Var(_),
            reason: Text::Const(t)
        } if t == "x"
    ));
}

#[test]
fn plan_actions_match_the_interpreter_for_given_values() {
    let rules = compile("label(`${size}:${staff}`); adjust(staff, \"n\");");
    let r = &rules.rules()[0];
    let plan = r.plan().unwrap();
    let names: Vec<&str> = r.vars().iter().map(|v| v.name(rules.catalog())).collect();
    let value = |k: usize| match names[k] {
        "size" => Some(Value::Text("big".into())),
        _ => Some(Value::Int(7)),
    };
    let got = plan.actions(value).unwrap();
    let ran = rules
        .run_with(0, &[("size", "big".into()), ("staff", 7_i64.into())])
        .unwrap();
    assert_eq!(got, ran);
    assert_eq!(
        got[0],
        Action::Label {
            label: "big:7".into()
        }
    );
    // A missing value: the interpreter runs instead.
    assert_eq!(plan.actions(|_| None), None);
    assert!(
        matches!(&plan.steps()[0], Step::Label { label: Text::Template(p) } if p[1] == Piece::Text(":".into()))
    );
}

#[test]
fn scripts_with_logic_keep_the_interpreter() {
    let not_a_step = |s: &str| matches!(plan(s), Err(NotCompiled::NotAStep { .. }));
    assert!(not_a_step(r#"if staff > 5 { label("big") }"#));
    assert!(not_a_step(r#"let x = 5; adjust(x, "r");"#));
    assert!(not_a_step(r#"label("a\nb");"#));
    assert!(not_a_step(r#"label(`a ${ staff }`);"#));
    assert!(not_a_step(r#"/* block */ label("a");"#));
    assert!(not_a_step(r#"adjust(1e3, "r");"#));
    assert!(not_a_step(r#"adjust(1_000, "r");"#));
    assert!(not_a_step(r#"adjust((5), "r");"#));
    assert!(not_a_step("fn f() { 1 } label(\"a\");"));
}

#[test]
fn calls_and_arguments_that_are_not_plain_keep_the_interpreter() {
    assert_eq!(
        plan(r#"label("a"); print("b");"#),
        Err(NotCompiled::Call {
            line: 1,
            name: "print".into()
        })
    );
    assert!(matches!(
        plan(r#"label(to_string(staff));"#),
        Err(NotCompiled::NotAStep { .. })
    ));
    let arg = |s: &str| plan(s).err();
    // A computed class, a float or bool in a text, a text as points, an unknown severity.
    assert_eq!(
        arg(r#"at_least(`${size}`, "r");"#),
        Some(NotCompiled::Argument {
            line: 1,
            name: "at_least".into(),
            arg: 1
        })
    );
    assert!(matches!(
        arg(r#"label(`${ratio}`);"#),
        Some(NotCompiled::Argument { arg: 1, .. })
    ));
    assert!(matches!(
        arg(r#"label(`${listed}`);"#),
        Some(NotCompiled::Argument { .. })
    ));
    assert!(matches!(
        arg(r#"adjust(size, "r");"#),
        Some(NotCompiled::Argument { arg: 1, .. })
    ));
    assert!(matches!(
        arg(r#"adjust(listed, "r");"#),
        Some(NotCompiled::Argument { .. })
    ));
    assert!(matches!(
        arg(r#"alert("t", "m", `${size}`);"#),
        Some(NotCompiled::Argument { arg: 3, .. })
    ));
    assert_eq!(arg(""), Some(NotCompiled::Empty));
    assert_eq!(arg("// nothing"), Some(NotCompiled::Empty));
}

#[test]
fn a_plan_the_interpreter_would_refuse_keeps_the_interpreter() {
    // Points beyond the adjust limit fail in the interpreter for every enterprise.
    assert_eq!(
        plan(r#"adjust(9000000000000000, "r");"#),
        Err(NotCompiled::Differs)
    );
    let long = "x".repeat(Limits::default().max_text_len + 1);
    assert_eq!(
        plan(&format!("label(\"{long}\");")),
        Err(NotCompiled::Differs)
    );
}

#[test]
fn reasons_name_the_line() {
    let e = plan("label(\"a\");\nlet x = 1;").unwrap_err();
    assert_eq!(
        e.to_string(),
        "line 2: not a plain action call (`let x = 1;`)"
    );
}
