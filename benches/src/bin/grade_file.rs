//! Times riskgrade on a columnar file, for the peer scripts in `benches/`.
//!
//! `grade_file MODEL DATA AS_OF [REPEATS]` prints one JSON object: the median
//! milliseconds of the indicator stage and of grading with reasons, the peak
//! memory, the input columns' size, and the score of every row (for the
//! peer's equivalence check, when `RISKGRADE_SCORES_OUT` names a file).
//!
//! When the set has rules, it also times grading with the rules and reasons
//! (`with_rules_ms`) and with the rules off (`no_rules_ms`; reasons on), and
//! reports per-rule counts (`rules`) and the rows a rule failed on
//! (`rule_issues`). `indicator_stage_ms` and `with_reasons_ms` use the default
//! options, so for such a set they include the rules too.
//! `RISKGRADE_CLASSES_OUT` names a file for one line per row:
//! `class<TAB>labels joined by |<TAB>alerts as topic@department joined by |`
//! (`-` for a row not graded), from the run with rules when the set has them.
#![forbid(unsafe_code)]

use std::sync::Arc;
use std::time::Instant;

use riskgrade::{Action, Grader, Grades, ModelSet, Options};
use riskgrade_benches::{input_bytes, peak_rss};

#[global_allocator]
static GLOBAL: riskgrade_alloc::MiMalloc = riskgrade_alloc::MiMalloc;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// One line per row: class, labels and routed alerts (for the peer's equivalence check).
fn classes_text(g: &Grades) -> String {
    let mut out = String::with_capacity(g.len() * 8);
    for r in 0..g.len() {
        out.push_str(g.class(r).unwrap_or("-"));
        out.push('\t');
        out.push_str(&g.labels(r).collect::<Vec<_>>().join("|"));
        out.push('\t');
        let alerts: Vec<String> = g
            .alerts(r)
            .map(|e| match &e.action {
                Action::Alert { topic, .. } => {
                    format!("{topic}@{}", e.department.as_deref().unwrap_or(""))
                }
                _ => String::new(),
            })
            .collect();
        out.push_str(&alerts.join("|"));
        out.push('\n');
    }
    out
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        return Err("usage: grade_file MODEL DATA AS_OF [REPEATS]".into());
    }
    let set = Arc::new(ModelSet::from_file(&args[1])?);
    let as_of = args[3].parse()?;
    let repeats: usize = args.get(4).map_or(Ok(7), |s| s.parse())?;
    let t = Instant::now();
    let frame = riskgrade::io::read_frame(std::path::Path::new(&args[2]), set.schema())?;
    let load_ms = t.elapsed().as_secs_f64() * 1e3;
    let rss_after_load = peak_rss();
    let grader = Grader::new(Arc::clone(&set));
    let mut stage = Vec::new();
    let mut full = Vec::new();
    let mut last = None;
    for _ in 0..repeats {
        let t = Instant::now();
        let g = grader.grade(&frame, as_of, &Options::default().reasons(false))?;
        stage.push(t.elapsed().as_secs_f64() * 1e3);
        drop(g);
        let t = Instant::now();
        let g = grader.grade(&frame, as_of, &Options::default())?;
        full.push(t.elapsed().as_secs_f64() * 1e3);
        last = Some(g);
    }
    if let (Some(g), Ok(path)) = (&last, std::env::var("RISKGRADE_SCORES_OUT")) {
        let text: String = g.scores().iter().map(|s| format!("{s}\n")).collect();
        std::fs::write(path, text)?;
    }
    let peak = peak_rss();
    // With rules: the same end-to-end grading (reasons on) with the rules, and without them.
    let mut with_rules = Vec::new();
    let mut no_rules = Vec::new();
    let mut ruled = None;
    if !set.rules().is_empty() {
        last = None; // free the runs above before timing these
        for _ in 0..repeats {
            let t = Instant::now();
            let g = grader.grade(&frame, as_of, &Options::default().rules(false))?;
            no_rules.push(t.elapsed().as_secs_f64() * 1e3);
            drop(g);
            let t = Instant::now();
            let g = grader.grade(&frame, as_of, &Options::default().rules(true))?;
            with_rules.push(t.elapsed().as_secs_f64() * 1e3);
            ruled = Some(g);
        }
    }
    if let (Some(g), Ok(path)) = (
        ruled.as_ref().or(last.as_ref()),
        std::env::var("RISKGRADE_CLASSES_OUT"),
    ) {
        std::fs::write(path, classes_text(g))?;
    }
    let mut out = serde_json::json!({
        "rows": frame.len(),
        "threads": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        "load_ms": load_ms,
        "indicator_stage_ms": median(stage),
        "with_reasons_ms": median(full),
        "input_bytes": input_bytes(&frame),
        "peak_rss_after_load": rss_after_load,
        "peak_rss": peak,
    });
    if let Some(g) = &ruled {
        let rule_issues = g
            .issues()
            .iter()
            .filter(|i| i.column.starts_with("rule:"))
            .count();
        let stats: Vec<_> = g
            .rule_stats()
            .iter()
            .map(|s| {
                serde_json::json!({
                    "rule": s.rule, "active": s.active, "matched": s.matched, "fired": s.fired,
                    "decided": s.decided, "errors": s.errors,
                })
            })
            .collect();
        out["with_rules_ms"] = median(with_rules).into();
        out["no_rules_ms"] = median(no_rules).into();
        out["rule_issues"] = rule_issues.into();
        out["rules"] = stats.into();
        out["peak_rss_with_rules"] = peak_rss().into();
    }
    println!("{out}");
    Ok(())
}
