//! Every TOML example in docs/model-format.md loads, so the reference cannot drift from the code.
#![allow(clippy::unwrap_used)]

use riskgrade::ModelSet;

#[test]
fn every_example_in_the_model_format_reference_loads() {
    let doc = include_str!("../../../docs/model-format.md");
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in doc.lines() {
        match (&mut current, line.trim_start()) {
            (None, l) if l.starts_with("```toml") => current = Some(String::new()),
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
