//! `validate`: check a model or model set file and print what it contains.

use std::path::PathBuf;

use riskgrade::{Model, ProvenanceSpec};

use crate::error::Failure;
use crate::load::load_model;
use crate::ui::{Ui, out, source_name};

/// `riskgrade validate`: a summary of the set, or its canonical form.
pub(crate) fn validate(
    ui: &Ui,
    model: Option<PathBuf>,
    canonical: Option<String>,
) -> Result<u8, Failure> {
    let set = load_model(model.as_deref())?;
    match canonical.as_deref() {
        Some("json") => out(set.to_json()),
        Some(_) => out(set.to_toml().map_err(Failure::model)?.trim_end()),
        None => {
            let source = source_name(model.as_deref());
            ui.say(format!("{source}: ok, version {}", set.version_id()));
            for m in set.models() {
                ui.say(model_line(m));
                // Flags whose missing value is graded, silently, as one of their values.
                for s in m.silent_missing_flags() {
                    ui.say(format!("    caution: {s}"));
                }
                // How its weights and cut-offs were set, step by step.
                for p in &m.spec().provenance {
                    ui.say(provenance_line(p));
                }
            }
            ui.say(format!("  inputs: {}", set.schema().inputs().len()));
        }
    }
    Ok(0)
}

/// One model: its size, scale and classes.
fn model_line(m: &Model) -> String {
    let classes = m.classes().names().join("/");
    format!(
        "  model `{}` ({}): {} dimensions, {} nodes, {} indicators, scale [{}, {}] higher is {}, classes {classes}",
        m.id(),
        m.name(),
        m.dimensions().len(),
        m.nodes().len(),
        m.leaves().len(),
        m.scale().min,
        m.scale().max,
        match m.scale().higher {
            riskgrade::Direction::Risk => "riskier",
            riskgrade::Direction::Safety => "safer",
        }
    )
}

/// One provenance step: the method, its date, what it set and its headline metrics.
fn provenance_line(p: &ProvenanceSpec) -> String {
    let metrics: Vec<String> = p
        .metrics
        .iter()
        .filter(|(k, _)| ["cr", "auc_after", "ks_after", "pseudo_r2"].contains(&k.as_str()))
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    format!(
        "    set by {}{}: {}{}{}",
        p.method,
        p.date
            .as_deref()
            .map(|d| format!(" on {d}"))
            .unwrap_or_default(),
        match (p.weights.len(), p.cutoffs) {
            (0, true) => "the class cut-offs".to_string(),
            (w, c) => format!("{w} weight(s){}", if c { " and the cut-offs" } else { "" }),
        },
        p.derived_from
            .as_deref()
            .map(|v| format!(", from version {v}"))
            .unwrap_or_default(),
        if metrics.is_empty() {
            String::new()
        } else {
            format!(" ({})", metrics.join(", "))
        }
    )
}
