//! Grade a file of nested profiles with a model set, from Rust.
//!
//! ```sh
//! cargo run --release -p riskgrade-cli -- synth -n 1000 --out profiles.jsonl
//! cargo run --release -p riskgrade --example grade_profiles -- examples/models/reference.toml profiles.jsonl 2026-11-01
//! ```

use std::sync::Arc;

use riskgrade::{Grader, ModelSet, Options};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, model, data, as_of] = args.as_slice() else {
        return Err("usage: grade_profiles MODEL PROFILES.jsonl AS_OF".into());
    };
    let set = Arc::new(ModelSet::from_file(model)?);
    let profiles = riskgrade::io::read_profiles(data.as_ref(), false)?;
    for issue in &profiles.issues {
        eprintln!("{issue}"); // line 7, enterprise `E7`: unknown field `recrods`, …
    }
    let as_of = as_of.parse()?;
    let grades =
        Grader::new(set).grade_profiles(&profiles.enterprises, as_of, &Options::default())?;
    for r in 0..grades.len().min(10) {
        println!(
            "{} {:?} {:?}",
            grades.id(r),
            grades.score(r),
            grades.class(r)
        );
    }
    for issue in grades.issues() {
        eprintln!("{issue}"); // row 3, enterprise `E3`, column `penalties_3y`: negative count -2
    }
    println!("{}", grades.summary());
    Ok(())
}
