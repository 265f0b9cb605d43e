//! Rules as declared in files: ids, one script each, script files confined to
//! the declaring file's folder, duplicates and missing files named with their
//! declarations, and `[rule_limits]` under their ceilings.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use riskgrade_model::{ModelError, ModelSet, ScriptFileProblem, SetProblem, examples};

/// A fresh folder holding the general model and these files.
fn folder(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "riskgrade-rule-files-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("rules")).unwrap();
    let general = examples::FILES
        .iter()
        .find(|(n, _)| *n == "general.toml")
        .unwrap()
        .1;
    std::fs::write(dir.join("general.toml"), general).unwrap();
    for (f, text) in files {
        std::fs::write(dir.join(f), text).unwrap();
    }
    dir
}

fn set_text(rules: &str) -> String {
    format!("default = \"general\"\ninclude = [\"general.toml\"]\n\n{rules}")
}

fn load(dir: &Path, rules: &str) -> Result<ModelSet, ModelError> {
    std::fs::write(dir.join("set.toml"), set_text(rules)).unwrap();
    ModelSet::from_file(dir.join("set.toml"))
}

fn script_file_problem(e: &ModelError) -> &ScriptFileProblem {
    match e {
        ModelError::Set(SetProblem::ScriptFile { problem, .. }) => problem,
        other => panic!("expected a script file problem, got {other}"),
    }
}

fn rule_with_file(file: &str) -> String {
    format!("[[rule]]\nid = \"r\"\nstage = \"after\"\nfile = \"{file}\"\n")
}

/// Whether a problem is the one expected.
type Check = fn(&ScriptFileProblem) -> bool;

/// Script files outside the folder, devices, folders, non-scripts and huge
/// files are refused before they are read; no content of theirs is shown.
#[test]
fn script_files_are_confined_to_the_rules_folder() {
    let dir = folder(
        "confined",
        &[
            ("rules/ok.rhai", "label(\"fine\")"),
            ("data.csv", "secret,content\n1,2\n"),
            ("rules/big.rhai", &"// padding\n".repeat(10_000)),
        ],
    );
    std::fs::create_dir_all(dir.join("rules/folder.rhai")).unwrap();
    let outside =
        std::env::temp_dir().join(format!("riskgrade-outside-{}.rhai", std::process::id()));
    std::fs::write(&outside, "secret_outside_content").unwrap();
    #[cfg(unix)]
    {
        let _ = std::os::unix::fs::symlink("/dev/zero", dir.join("rules/zero.rhai"));
        let _ = std::os::unix::fs::symlink(&outside, dir.join("rules/link.rhai"));
    }
    assert!(load(&dir, &rule_with_file("rules/ok.rhai")).is_ok());
    let cases: Vec<(&str, Check)> = vec![
        ("/etc/passwd", |p| *p == ScriptFileProblem::Absolute),
        ("/dev/zero", |p| *p == ScriptFileProblem::Absolute),
        ("../outside.rhai", |p| *p == ScriptFileProblem::Escapes),
        ("rules/../../x.rhai", |p| *p == ScriptFileProblem::Escapes),
        ("data.csv", |p| *p == ScriptFileProblem::NotRhai),
        ("rules/folder.rhai", |p| *p == ScriptFileProblem::NotAFile),
        ("rules/big.rhai", |p| {
            matches!(p, ScriptFileProblem::TooLarge { .. })
        }),
        ("rules/none.rhai", |p| *p == ScriptFileProblem::Missing),
        #[cfg(unix)]
        ("rules/zero.rhai", |p| *p == ScriptFileProblem::Escapes),
        #[cfg(unix)]
        ("rules/link.rhai", |p| *p == ScriptFileProblem::Escapes),
    ];
    for (file, ok) in cases {
        let e = load(&dir, &rule_with_file(file)).unwrap_err();
        assert!(ok(script_file_problem(&e)), "{file}: {e}");
        let text = e.to_string();
        // The rule, the file as written and where the rule is declared.
        assert!(text.contains("rule `r`") && text.contains(file), "{text}");
        assert!(text.contains("set.toml:5:1"), "{text}");
        assert!(
            !text.contains("root:") && !text.contains("secret"),
            "{text}"
        );
    }
    let _ = std::fs::remove_file(outside);
}

/// One script per rule, an id that is an identifier, and an id declared once;
/// each refusal says where.
#[test]
fn rule_declarations_are_checked_with_their_positions() {
    let dir = folder(
        "declared",
        &[
            ("rules/a.rhai", "label(\"a\")"),
            (
                "more.toml",
                "[[rule]]\nid = \"twice\"\nstage = \"after\"\nscript = '''label(\"b\")'''\n",
            ),
        ],
    );
    let e = load(
        &dir,
        "[[rule]]\nid = \"both\"\nstage = \"after\"\nscript = '''label(\"x\")'''\nfile = \"rules/a.rhai\"\n",
    )
    .unwrap_err();
    assert!(
        matches!(&e, ModelError::Set(SetProblem::ScriptAndFile { rule, .. }) if rule == "both"),
        "{e}"
    );
    assert!(e.to_string().contains("set.toml:5:1"), "{e}");
    for (id, expect) in [
        ("", "empty"),
        ("a,b", "','"),
        ("=cmd", "'='"),
        ("with space", "' '"),
        ("x\\u001b[2J", "\\u{1b}"),
    ] {
        let e = load(
            &dir,
            &format!("[[rule]]\nid = \"{id}\"\nstage = \"after\"\nscript = '''label(\"x\")'''\n"),
        )
        .unwrap_err();
        assert!(
            matches!(&e, ModelError::Set(SetProblem::BadRuleId { .. })),
            "{id:?}: {e}"
        );
        assert!(e.to_string().contains(expect), "{id:?}: {e}");
        assert!(!e.to_string().contains('\u{1b}'), "{e}");
    }
    // Declared twice: in the set file and in a rule file, both places named.
    let e = load(
        &dir,
        "rule_files = [\"more.toml\"]\n[[rule]]\nid = \"twice\"\nstage = \"after\"\nscript = '''label(\"a\")'''\n",
    )
    .unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("more.toml:2:1") && text.contains("set.toml:6:1"),
        "{text}"
    );
    // Twice in one file: both lines.
    let rule = "[[rule]]\nid = \"same\"\nstage = \"after\"\nscript = '''label(\"a\")'''\n";
    let e = load(&dir, &format!("{rule}\n{rule}")).unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("set.toml:5:1") && text.contains("set.toml:10:1"),
        "{text}"
    );
}

/// Every `[rule_limits]` key has a ceiling; a set asking for more is refused.
#[test]
fn rule_limits_above_their_ceilings_are_refused() {
    let dir = folder("limits", &[]);
    let rule = "[[rule]]\nid = \"r\"\nstage = \"after\"\nscript = '''label(\"x\")'''\n";
    for key in [
        "max_operations",
        "max_call_levels",
        "max_expr_depth",
        "max_string_size",
        "max_array_size",
        "max_map_size",
        "time_budget_ms",
        "max_effects",
        "max_text_len",
        "max_effect_bytes",
        "batch_budget_ms",
    ] {
        let e = load(
            &dir,
            &format!("[rule_limits]\n{key} = 9007199254740991\n\n{rule}"),
        )
        .unwrap_err();
        assert!(
            matches!(&e, ModelError::Set(SetProblem::RuleLimit { key: k, .. }) if *k == key),
            "{key}: {e}"
        );
        assert!(
            load(&dir, &format!("[rule_limits]\n{key} = 8\n\n{rule}")).is_ok(),
            "{key}"
        );
    }
}

/// Deeply nested TOML or JSON (arrays, inline tables) in a set or rule file
/// is refused with an error, never a stack overflow.
#[test]
fn deeply_nested_set_files_are_refused_not_overflowed() {
    for depth in [1_000, 100_000] {
        let arrays = format!("x = {}1{}\n", "[".repeat(depth), "]".repeat(depth));
        let tables = format!("x = {}1{}\n", "{a = ".repeat(depth), "}".repeat(depth));
        for text in [arrays, tables] {
            assert!(ModelSet::from_toml_str(&text).is_err());
        }
        let json = format!("{{\"x\": {}1{}}}", "[".repeat(depth), "]".repeat(depth));
        assert!(ModelSet::from_json_str(&json).is_err());
    }
}

/// A rule file or model file the set lists but that cannot be read is named with the line and
/// column where the set lists it (still an I/O error: the file is absent, not malformed).
#[test]
fn a_listed_file_that_is_absent_is_named_with_where_it_is_listed() {
    let dir = folder("absent-listed", &[]);
    let set = dir.join("set.toml");
    std::fs::write(
        &set,
        "default = \"general\"\ninclude = [\"general.toml\"]\nrule_files = [\"rules/absent.toml\"]\n",
    )
    .unwrap();
    let e = ModelSet::from_file(&set).unwrap_err();
    assert!(matches!(e, ModelError::Io { .. }), "{e:?}");
    let text = e.to_string();
    assert!(text.contains("rules/absent.toml"), "{text}");
    assert!(
        text.contains(&format!(
            "(listed in `rule_files` at {}:3:15)",
            set.display()
        )),
        "{text}"
    );
    std::fs::write(
        &set,
        "default = \"general\"\ninclude = [\"general.toml\", \"food.toml\"]\n",
    )
    .unwrap();
    let text = ModelSet::from_file(&set).unwrap_err().to_string();
    assert!(
        text.contains("food.toml")
            && text.contains(&format!("(listed in `include` at {}:2:28)", set.display())),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
