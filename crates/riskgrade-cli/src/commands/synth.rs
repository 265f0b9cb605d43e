//! `synth`: write a synthetic population and, optionally, its hidden true risk.

use std::path::{Path, PathBuf};

use riskgrade::io::{OutColumn, OutData};
use riskgrade::synth::{Synth, SynthConfig, generate};
use riskgrade::{Date, Frame};

use crate::error::Failure;
use crate::load::{DEFAULT_AS_OF, is_profiles, load_model};
use crate::ui::{TABLE_OUTPUTS, Ui, check_output};

/// `riskgrade synth` arguments.
#[derive(clap::Args)]
pub(crate) struct SynthArgs {
    /// Number of enterprises.
    #[arg(long, short)]
    n: usize,
    /// Random seed.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// The date the history ends (and columns are derived as of).
    #[arg(long, default_value = DEFAULT_AS_OF)]
    as_of: Date,
    /// Output file; its extension picks the format.
    #[arg(long, short)]
    out: PathBuf,
    /// Also write each enterprise's hidden true risk here (.csv/.parquet/.jsonl).
    #[arg(long)]
    truth: Option<PathBuf>,
    /// Model set whose inputs the columns hold (default: the embedded reference set).
    #[arg(long, short)]
    model: Option<PathBuf>,
}

/// `riskgrade synth`.
pub(crate) fn synth(ui: &Ui, args: SynthArgs) -> Result<u8, Failure> {
    let SynthArgs {
        n,
        seed,
        as_of,
        out,
        truth,
        model,
    } = args;
    check_output(&out, &["jsonl", "ndjson", "json", "csv", "parquet"])?;
    if let Some(t) = &truth {
        check_output(t, &TABLE_OUTPUTS)?;
    }
    let pb = ui.step(&format!("synthesizing {n} enterprises"));
    let synth = generate(&SynthConfig::new(n, seed, as_of));
    pb.set_message(format!("writing {}", out.display()));
    write_population(&synth, &out, as_of, model.as_deref())?;
    if let Some(t) = &truth {
        write_truth(&synth, t)?;
    }
    pb.finish_and_clear();
    ui.say(format!("wrote {n} enterprises to {}", out.display()));
    if let Some(t) = truth {
        ui.say(format!("wrote their true risk to {}", t.display()));
    }
    Ok(0)
}

/// Profiles (a JSON array for `.json`, JSON Lines) or the columns a model set reads.
fn write_population(
    synth: &Synth,
    out: &Path,
    as_of: Date,
    model: Option<&Path>,
) -> Result<(), Failure> {
    if out.extension().is_some_and(|e| e == "json") {
        // A JSON array, as `.json` means everywhere else.
        let write = || -> std::io::Result<()> {
            let file = std::io::BufWriter::new(std::fs::File::create(out)?);
            serde_json::to_writer(file, &synth.enterprises).map_err(std::io::Error::other)
        };
        write().map_err(|e| Failure::io(format!("`{}`: {e}", out.display())))
    } else if is_profiles(out) {
        riskgrade::io::write_profiles_jsonl(out, &synth.enterprises).map_err(Failure::io)
    } else {
        let set = load_model(model)?;
        let frame = Frame::from_profiles(
            &synth.enterprises,
            set.schema(),
            as_of,
            set.effect_periods(),
        );
        riskgrade::io::write_table(out, &riskgrade::io::frame_to_columns(&frame))
            .map_err(Failure::io)
    }
}

/// Each enterprise's id, true propensity and segment.
fn write_truth(synth: &Synth, path: &Path) -> Result<(), Failure> {
    let truth = &synth.truth;
    let cols = vec![
        OutColumn {
            name: "id".into(),
            data: OutData::Text(truth.iter().map(|t| Some(t.id.clone())).collect()),
        },
        OutColumn {
            name: "propensity".into(),
            data: OutData::Number(truth.iter().map(|t| Some(t.propensity)).collect()),
        },
        OutColumn {
            name: "segment".into(),
            data: OutData::Text(truth.iter().map(|t| Some(t.segment.to_string())).collect()),
        },
    ];
    riskgrade::io::write_table(path, &cols).map_err(Failure::io)
}
