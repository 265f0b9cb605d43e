//! Which file columns feed which part of a [`Frame`]: identity columns and
//! schema inputs, found by name in a header.

use std::collections::HashMap;
use std::path::Path;

use riskgrade_core::{
    Column, ColumnBuilder, Frame, Identity, InputType, Problem, Schema, did_you_mean,
};

use crate::error::IoError;

/// The part of a frame a file column feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Id,
    Name,
    Industry,
    District,
    /// The schema input at this position.
    Input(usize),
}

/// One column to read: what it feeds, its name in the file and its position
/// there (`None` for an absent optional identity column).
#[derive(Debug, Clone)]
pub(crate) struct Wanted<'s> {
    pub target: Target,
    pub column: &'s str,
    pub index: Option<usize>,
}

/// Finds every column the schema needs in `headers`.
///
/// `id` and `industry` and every input are required; `name` and `district` are optional.
pub(crate) fn plan<'s>(
    file: &Path,
    headers: &[&str],
    schema: &'s Schema,
) -> Result<Vec<Wanted<'s>>, IoError> {
    let mut by_name: HashMap<&str, usize> = HashMap::with_capacity(headers.len());
    for (i, h) in headers.iter().enumerate() {
        by_name.entry(h).or_insert(i);
    }
    let find = |column: &'s str, required: bool| -> Result<Option<usize>, IoError> {
        match by_name.get(column) {
            Some(&i) => Ok(Some(i)),
            None if required => Err(IoError::MissingColumn {
                file: file.to_path_buf(),
                column: column.to_string(),
                suggestion: did_you_mean(column, headers.iter().copied()).map(str::to_string),
            }),
            None => Ok(None),
        }
    };
    let mut out = Vec::with_capacity(schema.inputs().len() + 4);
    for (target, column, required) in [
        (Target::Id, "id", true),
        (Target::Industry, "industry", true),
        (Target::Name, "name", false),
        (Target::District, "district", false),
    ] {
        out.push(Wanted {
            target,
            column,
            index: find(column, required)?,
        });
    }
    for (k, (input, spec)) in schema.inputs().iter().enumerate() {
        let column = spec.column_name(input);
        out.push(Wanted {
            target: Target::Input(k),
            column,
            index: find(column, true)?,
        });
    }
    Ok(out)
}

/// A finished input column and its issues as (row, problem).
pub(crate) type Finished = (Column, Vec<(usize, Problem)>);

/// A finished column: identity strings, or schema input `k`.
pub(crate) enum Built {
    Text(Target, Vec<String>),
    Input(usize, Column, Vec<(usize, Problem)>),
}

/// The builder for schema input `k`.
pub(crate) fn builder(schema: &Schema, k: usize) -> (ColumnBuilder, InputType) {
    match schema.inputs().get(k) {
        Some((name, spec)) => (ColumnBuilder::new(name, spec.ty), spec.ty),
        None => (ColumnBuilder::new("", InputType::Number), InputType::Number),
    }
}

/// Assembles a frame from finished columns (in any order).
pub(crate) fn assemble(
    schema: &Schema,
    built: Vec<Built>,
    extra: Vec<(usize, String, riskgrade_core::Problem)>,
) -> Frame {
    let mut identity = Identity::default();
    let mut inputs: Vec<Option<Finished>> = vec![None; schema.inputs().len()];
    for b in built {
        match b {
            Built::Text(Target::Id, v) => identity.ids = v,
            Built::Text(Target::Name, v) => identity.names = v,
            Built::Text(Target::Industry, v) => identity.industries = v,
            Built::Text(Target::District, v) => identity.districts = v,
            Built::Text(Target::Input(_), _) => {}
            Built::Input(k, col, issues) => {
                if let Some(slot) = inputs.get_mut(k) {
                    *slot = Some((col, issues));
                }
            }
        }
    }
    let n = identity.ids.len();
    let columns = schema
        .inputs()
        .iter()
        .zip(inputs)
        .map(|((name, spec), col)| {
            let (col, issues) = col.unwrap_or_else(|| {
                // Not read (cannot happen with a plan from `plan`): all missing.
                let mut b = ColumnBuilder::new(name, spec.ty);
                for _ in 0..n {
                    b.push(riskgrade_core::RawValue::Missing);
                }
                b.finish()
            });
            (name.clone(), spec.ty, col, issues)
        })
        .collect();
    Frame::from_parts(identity, columns, extra, None)
}
