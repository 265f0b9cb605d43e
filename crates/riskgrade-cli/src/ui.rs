//! Printing: stdout lines, the quiet switch, spinners, and the tables and
//! problem lists several commands print.

use std::path::Path;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use riskgrade::display::{self, Align};
use riskgrade::{DataIssue, Grades, RuleStats};

use crate::error::Failure;

/// The extensions a results table can be written as.
pub(crate) const TABLE_OUTPUTS: [&str; 5] = ["csv", "parquet", "jsonl", "ndjson", "json"];

/// Prints a line to stdout; a closed pipe (`riskgrade … | head`) is not an error.
pub(crate) fn out(text: impl std::fmt::Display) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{text}");
}

/// Where the commands print.
pub(crate) struct Ui {
    /// Print nothing but errors.
    pub(crate) quiet: bool,
}

impl Ui {
    /// Prints a line unless quiet.
    pub(crate) fn say(&self, text: impl std::fmt::Display) {
        if !self.quiet {
            out(text);
        }
    }
    /// A spinner on stderr for a long step; hidden when quiet or not a terminal.
    pub(crate) fn step(&self, message: &str) -> ProgressBar {
        if self.quiet {
            return ProgressBar::hidden();
        }
        let pb = ProgressBar::new_spinner();
        pb.set_style(
            ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        pb.set_message(message.to_string());
        pb.enable_steady_tick(Duration::from_millis(100));
        pb
    }
}

/// Fails early (exit 2) on an output file whose extension no writer knows.
pub(crate) fn check_output(path: &Path, allowed: &[&str]) -> Result<(), Failure> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if allowed.contains(&ext) {
        Ok(())
    } else {
        Err(Failure::usage(format!(
            "`{}`: the output format is chosen by the extension, one of .{}",
            path.display(),
            allowed.join(", .")
        )))
    }
}

/// A path as printed, or the embedded reference set without one.
pub(crate) fn source_name(path: Option<&Path>) -> String {
    path.map_or("embedded reference set".to_string(), |p| {
        p.display().to_string()
    })
}

/// A score rounded to two decimals, or `-`.
pub(crate) fn score_text(score: Option<f64>) -> String {
    score.map_or("-".into(), |s| {
        riskgrade::format_number((s * 100.0).round() / 100.0)
    })
}

/// Per-rule counts of a batch, as an aligned table (empty when no rule ran).
pub(crate) fn rule_report(grades: &Grades) -> String {
    rule_table(grades.rule_stats())
}

/// Per-rule counts (of a streamed classification), as [`rule_report`] shows them.
pub(crate) fn rule_counts(stats: &[RuleStats]) -> String {
    rule_table(stats)
}

/// Per-rule counts as an aligned table, rule ids escaped and cut to the column.
fn rule_table(stats: &[RuleStats]) -> String {
    if stats.is_empty() {
        return String::new();
    }
    let w = display::column_width(stats.iter().map(|s| s.rule.as_str()), 4);
    let mut t = format!(
        "{} {:>9} {:>9} {:>8} {:>10} {:>7} {:>7} {:>7}\n",
        display::pad("rule", w, Align::Left),
        "matched",
        "fired",
        "decided",
        "points",
        "labels",
        "alerts",
        "errors"
    );
    for s in stats {
        let rule = display::pad(&s.rule, w, Align::Left);
        if !s.active {
            t.push_str(&format!("{rule} (not in effect on this date)\n"));
            continue;
        }
        t.push_str(&format!(
            "{rule} {:>9} {:>9} {:>8} {:>10} {:>7} {:>7} {:>7}\n",
            s.matched,
            s.fired,
            s.decided,
            riskgrade::format_number((s.points * 10.0).round() / 10.0),
            s.labels,
            s.alerts,
            s.errors
        ));
    }
    t
}

/// The batch's problems on stderr (the first ten), unless quiet.
pub(crate) fn report_issues(ui: &Ui, grades: &Grades, out: Option<&Path>) {
    let ungraded = (0..grades.len()).filter(|&r| !grades.is_graded(r)).count();
    report_problems(ui, grades.issues(), grades.len(), ungraded, out);
}

/// Problems found over `rows` rows, `ungraded` of them not graded, on stderr
/// (the first ten), unless quiet; rows count from the input's first.
pub(crate) fn report_problems(
    ui: &Ui,
    issues: &[DataIssue],
    rows: usize,
    ungraded: usize,
    out: Option<&Path>,
) {
    if rows == 0 {
        // Exit 4: no enterprise at all could be graded. Said even when quiet, as errors are.
        eprintln!("error: the batch holds no enterprise: nothing was graded");
        return;
    }
    let total = issues.len();
    if total == 0 || ui.quiet {
        return;
    }
    if ungraded == 0 {
        eprintln!(
            "{total} problem(s); every enterprise was graded (rules that failed were skipped):"
        );
    } else {
        eprintln!("{total} problem(s); {ungraded} enterprise(s) were not graded:");
    }
    for i in issues.iter().take(10) {
        // An issue quotes data and rule texts: escaped, one issue can only ever be one line.
        eprintln!("  {}", display::escape(&i.to_string()));
    }
    if total > 10 {
        match out {
            Some(p) => eprintln!(
                "  … and {} more (see the `error` column of {})",
                total - 10,
                p.display()
            ),
            None => eprintln!(
                "  … and {} more (write the results with --out to see them all)",
                total - 10
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(rule: &str, active: bool) -> RuleStats {
        RuleStats {
            rule: rule.to_string(),
            active,
            matched: 3,
            fired: 2,
            points: 12.5,
            forced: 1,
            decided: 1,
            labels: 0,
            alerts: 1,
            errors: 0,
        }
    }

    #[test]
    fn the_rule_report_pads_long_and_hostile_rule_ids() {
        let long = "r".repeat(70_000);
        for rule in [
            long.as_str(),
            "veto\u{1b}[2J\r\nrow 99, enterprise `forged`",
        ] {
            let table = rule_table(&[stats(rule, true), stats(rule, false), stats("short", true)]);
            let lines: Vec<&str> = table.lines().collect();
            assert_eq!(lines.len(), 4, "{table}");
            for line in &lines {
                assert!(display::width(line) < 200, "{line}");
                assert!(!line.chars().any(char::is_control), "{line:?}");
            }
            // The counts stay in their columns whatever the id.
            let column = |l: &str| l.find(" 3 ").map(|b| display::width(&l[..b]));
            assert_eq!(column(lines[1]), column(lines[3]), "{table}");
        }
    }
}
