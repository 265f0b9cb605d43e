//! `rules check` and `rules test`: a model set's rules, compiled, linted and tested.

use std::path::{Path, PathBuf};

use riskgrade::display::{self, Align};
use riskgrade::{Date, ModelSet, RuleTests};

use crate::error::{Failure, code, read_definition};
use crate::load::load_model;
use crate::ui::{Ui, out, source_name};

/// Check a model set's rules, or run their tests.
#[derive(clap::Subcommand)]
pub(crate) enum RulesCommand {
    /// Compile and lint every rule: positions and hints for errors, warnings for rules that may not do what was meant.
    Check {
        /// Model set file (default: the embedded reference set).
        model: Option<PathBuf>,
        /// Also say which rules apply on this date.
        #[arg(long)]
        as_of: Option<Date>,
    },
    /// Run the rule tests kept next to the rules (`<rules file>.tests.toml`) or the given files.
    Test {
        /// Model set file (default: the embedded reference set and its tests).
        model: Option<PathBuf>,
        /// Test files (default: `<stem>.tests.toml` beside each rule file).
        #[arg(long = "tests", short = 't')]
        tests: Vec<PathBuf>,
    },
}

/// `riskgrade rules …`.
pub(crate) fn rules(ui: &Ui, command: RulesCommand) -> Result<u8, Failure> {
    match command {
        RulesCommand::Check { model, as_of } => rules_check(ui, model.as_deref(), as_of),
        RulesCommand::Test { model, tests } => rules_test(ui, model.as_deref(), &tests),
    }
}
/// `riskgrade rules check`: compile (errors exit 3 with their position) and lint.
fn rules_check(ui: &Ui, model: Option<&Path>, as_of: Option<Date>) -> Result<u8, Failure> {
    let set = load_model(model)?;
    let rules = set.rules();
    let source = source_name(model);
    ui.say(format!(
        "{source}: {} rules compiled (version {})",
        rules.len(),
        set.version_id()
    ));
    let w = display::column_width(rules.rules().iter().map(|r| r.id()), 4);
    for &i in rules.order() {
        let r = &rules.rules()[i];
        let spec = r.spec();
        let stage = match spec.stage {
            riskgrade::Stage::Before => "before",
            riskgrade::Stage::After => "after",
        };
        let state = match as_of {
            _ if !spec.enabled => " [disabled]",
            Some(d) if !spec.applies(d) => " [not in effect on this date]",
            _ => "",
        };
        let reads: Vec<String> = r
            .vars()
            .iter()
            .map(|v| v.name(rules.catalog()).to_string())
            .chain(r.sites().iter().map(|s| {
                format!(
                    "{}({})",
                    s.helper.name(),
                    s.args
                        .iter()
                        .map(|a| format!("\"{a}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }))
            .collect();
        ui.say(format!(
            "  {stage:<6} {:>5}  {}  when {}{state}",
            spec.priority,
            display::pad(r.id(), w, Align::Left),
            display::escape(spec.when.as_deref().unwrap_or("(always)")),
        ));
        let indent = format!(
            "  {:<6} {:>5}  {}",
            "",
            "",
            display::pad("", w, Align::Left)
        );
        if !reads.is_empty() {
            ui.say(format!(
                "{indent}  reads {}",
                display::escape(&reads.join(", "))
            ));
        }
        ui.say(format!("{indent}  {}", how_it_runs(r)));
    }
    let compiled = rules.rules().iter().filter(|r| r.plan().is_ok()).count();
    ui.say(format!(
        "{compiled} of {} rules run compiled (no interpreter)",
        rules.len()
    ));
    let lints = rules.lints();
    if !lints.is_empty() {
        ui.say(format!("{} warning(s):", lints.len()));
        for l in &lints {
            ui.say(format!("  rule `{}`: {}", l.rule, l.message));
        }
    }
    if set.routing().default.is_none()
        && rules
            .rules()
            .iter()
            .any(|r| r.spec().script.contains("alert("))
    {
        ui.say("  routing: no `default` department under [routing]; alerts that no route matches go nowhere");
    }
    Ok(0)
}

/// Whether a rule runs compiled, and if not, why.
fn how_it_runs(rule: &riskgrade::Rule) -> String {
    match rule.plan() {
        Ok(plan) => {
            let n = plan.steps().len();
            let s = if n == 1 { "" } else { "s" };
            format!("runs compiled: {n} action{s}, no interpreter")
        }
        Err(why) => format!(
            "runs with the interpreter: {}",
            display::escape(&why.to_string())
        ),
    }
}

/// The test files of a set: `<stem>.tests.toml` beside each file that holds rules.
fn default_test_files(set: &ModelSet) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = Vec::new();
    for r in set.rules().specs() {
        let Some(f) = &r.file else { continue };
        let p = Path::new(f);
        let Some(stem) = p.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        let t = p.with_file_name(format!("{stem}.tests.toml"));
        if !files.contains(&t) && t.exists() {
            files.push(t);
        }
    }
    files
}

/// `riskgrade rules test`: every case, pass or fail with a diff; exit 6 when any fails.
fn rules_test(ui: &Ui, model: Option<&Path>, tests: &[PathBuf]) -> Result<u8, Failure> {
    let set = load_model(model)?;
    let mut suites: Vec<(String, String)> = Vec::new();
    let files = if tests.is_empty() && model.is_some() {
        default_test_files(&set)
    } else {
        tests.to_vec()
    };
    if files.is_empty() && model.is_none() {
        suites.push((
            "examples/models/reference_rules.tests.toml (embedded)".into(),
            riskgrade::examples::REFERENCE_RULE_TESTS.to_string(),
        ));
    }
    for f in &files {
        let text = read_definition("rule tests", f)?;
        suites.push((f.display().to_string(), text));
    }
    if suites.is_empty() {
        return Err(Failure::usage(
            "no rule tests found: keep them in `<rules file>.tests.toml` beside the rules, or name files with --tests",
        ));
    }
    let (mut passed, mut failed) = (0usize, 0usize);
    for (name, text) in &suites {
        let suite = RuleTests::from_toml_str(text, name)
            .map_err(|e| Failure::definition("rule tests", e))?;
        ui.say(format!("{name}: {} case(s)", suite.cases.len()));
        for result in suite.run(&set) {
            if result.passed() {
                passed += 1;
            } else {
                failed += 1;
            }
            if !result.passed() || !ui.quiet {
                out(&result);
            }
        }
    }
    ui.say(format!(
        "{} case(s): {passed} passed, {failed} failed",
        passed + failed
    ));
    Ok(if failed == 0 { 0 } else { code::TESTS_FAILED })
}
