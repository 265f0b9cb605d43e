//! What a model set does with codes its standards do not allow: the `[codes]`
//! table, and the check of a batch's credit, industry and district codes.

use riskgrade_core::codes::{CodeError, CodeField, CreditCode, DistrictCode, IndustryCode};
use riskgrade_core::{DataIssue, Frame, Problem};
use serde::{Deserialize, Serialize};

/// What happens to an enterprise whose code is bad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodePolicy {
    /// The row is bad data: reported and not graded.
    Error,
    /// The row is graded and the bad code reported with it.
    Flag,
    /// Not checked.
    Ignore,
}

/// The `[codes]` table of a model set: a policy per identity field.
///
/// ```toml
/// [codes]
/// industry = "error"     # GB/T 4754-2017; an unknown code is never routed to the default model
/// credit_code = "flag"   # GB 32100-2015 and the GB 11714 organisation code inside it
/// district = "flag"      # GB/T 2260 code or name
/// ```
///
/// Empty fields are not checked here: an empty industry is a missing value,
/// and the credit code and district are optional.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodesSpec {
    /// Industry codes (default `error`).
    #[serde(default = "error")]
    pub industry: CodePolicy,
    /// Unified social credit codes (default `flag`).
    #[serde(default = "flag")]
    pub credit_code: CodePolicy,
    /// Districts (default `flag`).
    #[serde(default = "flag")]
    pub district: CodePolicy,
}

fn error() -> CodePolicy {
    CodePolicy::Error
}

fn flag() -> CodePolicy {
    CodePolicy::Flag
}

impl Default for CodesSpec {
    fn default() -> Self {
        CodesSpec {
            industry: CodePolicy::Error,
            credit_code: CodePolicy::Flag,
            district: CodePolicy::Flag,
        }
    }
}

impl CodesSpec {
    /// Whether every policy keeps its default.
    pub fn is_default(&self) -> bool {
        *self == CodesSpec::default()
    }

    /// The policy for a field.
    pub fn policy(&self, field: CodeField) -> CodePolicy {
        match field {
            CodeField::CreditCode => self.credit_code,
            CodeField::Industry => self.industry,
            _ => self.district,
        }
    }

    /// The bad codes of a batch, one issue per bad code, flagged or not by policy.
    ///
    /// ```
    /// use riskgrade_core::{Frame, Identity};
    /// use riskgrade_model::CodesSpec;
    /// let identity = Identity {
    ///     ids: vec!["E1".into(), "E2".into()],
    ///     industries: vec!["1411".into(), "ZZ99".into()],
    ///     districts: vec!["东城区".into(), "Nowhere".into()],
    ///     ..Default::default()
    /// };
    /// let frame = Frame::from_parts(identity, Vec::new(), Vec::new(), None);
    /// let issues = CodesSpec::default().check(&frame);
    /// let text: Vec<String> = issues.iter().map(|i| i.to_string()).collect();
    /// assert_eq!(text, [
    ///     "row 2, enterprise `E2`, column `district`: district `Nowhere` is neither a code nor a name in GB/T 2260 (flagged; graded anyway)",
    ///     "row 2, enterprise `E2`, column `industry`: `ZZ99` is not an industry code: a section letter and 2 to 4 digits, e.g. `C1411` (GB/T 4754-2017)",
    /// ]);
    /// ```
    pub fn check(&self, frame: &Frame) -> Vec<DataIssue> {
        let mut out = Vec::new();
        let ids = frame.ids();
        let mut push = |row: usize, field: CodeField, error: CodeError| {
            out.push(DataIssue {
                row,
                id: ids[row].clone(),
                column: field.name().into(),
                problem: Problem::BadCode {
                    field,
                    error: Box::new(error),
                    flagged: self.policy(field) == CodePolicy::Flag,
                },
            });
        };
        let fields: [(CodeField, &[String]); 3] = [
            (CodeField::CreditCode, frame.credit_codes()),
            (CodeField::District, frame.districts()),
            (CodeField::Industry, frame.industries()),
        ];
        for (field, values) in fields {
            if self.policy(field) == CodePolicy::Ignore {
                continue;
            }
            for (row, e) in bad_codes(field, values) {
                push(row, field, e);
            }
        }
        out.sort_by(|a, b| a.row.cmp(&b.row).then_with(|| a.column.cmp(&b.column)));
        out
    }
}

/// The rows of `values` whose code is bad, with the error, in row order. Checked in
/// parallel chunks; industry and district codes repeat, so each chunk checks a distinct
/// value once.
fn bad_codes(field: CodeField, values: &[String]) -> Vec<(usize, CodeError)> {
    use rayon::prelude::*;
    const CHUNK: usize = 16 * 1024;
    let check = |text: &str| match field {
        CodeField::CreditCode => CreditCode::parse(text).map(drop),
        CodeField::Industry => IndustryCode::parse(text).map(drop),
        _ => DistrictCode::parse(text).map(drop),
    };
    let repeats = field != CodeField::CreditCode;
    values
        .par_chunks(CHUNK)
        .enumerate()
        .flat_map_iter(|(k, chunk)| {
            let mut seen: std::collections::HashMap<&str, Option<CodeError>> =
                std::collections::HashMap::new();
            let mut bad = Vec::new();
            for (i, text) in chunk.iter().enumerate() {
                if text.trim().is_empty() {
                    continue;
                }
                let error = if repeats {
                    seen.entry(text.as_str())
                        .or_insert_with(|| check(text).err())
                        .clone()
                } else {
                    check(text).err()
                };
                if let Some(e) = error {
                    bad.push((k * CHUNK + i, e));
                }
            }
            bad
        })
        .collect()
}

/// The normal form of an industry code for matching route prefixes: the
/// standard's normal form when valid, else the text upper-cased without spaces.
pub(crate) fn industry_key(text: &str) -> String {
    match IndustryCode::parse(text) {
        Ok(c) => c.as_str().to_string(),
        Err(_) => text
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_codes_are_found_in_every_chunk_with_their_rows() {
        // Rows across several parallel chunks, bad values repeated (checked once per chunk)
        // and in several spellings: the rows come back in order, each with its own error.
        let mut values = vec!["C1411".to_string(); 40_000];
        for (row, text) in [
            (5, "ZZ99"),
            (16_383, "ZZ99"),
            (16_384, "A1411"),
            (39_999, "ZZ99"),
        ] {
            values[row] = text.to_string();
        }
        values[7] = " c 1411 ".into();
        values[8] = String::new();
        let bad = bad_codes(CodeField::Industry, &values);
        let rows: Vec<usize> = bad.iter().map(|(r, _)| *r).collect();
        assert_eq!(rows, [5, 16_383, 16_384, 39_999]);
        assert!(
            matches!(bad[2].1, CodeError::IndustrySection { .. }),
            "{:?}",
            bad[2].1
        );
        let districts = vec![
            "Haidian".to_string(),
            "海淀区".into(),
            "110108".into(),
            "Nowhere".into(),
        ];
        let bad = bad_codes(CodeField::District, &districts);
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].0, 3);
    }
}
