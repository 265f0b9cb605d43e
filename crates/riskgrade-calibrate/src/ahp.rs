//! AHP judgement files and weights from them.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use riskgrade_core::{Date, Position};
use riskgrade_model::{Model, ModelSet, ProvenanceSpec};
use riskgrade_weights::ahp::{self as w, AhpResult, Inconsistency, PairwiseMatrix, RiTable};
use serde::Deserialize;

use super::{
    CalibrateError, Change, InputsDigest, RefusedMatrix, model_of, node_index, num, path_cell,
    path_width, provenance, text,
};

/// A judgement: a number (`3`, `0.2`) or a fraction (`"1/5"`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Value {
    Number(f64),
    Text(String),
}

/// One pairwise comparison matrix of one expert for the children of one node.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Matrix {
    /// The node whose children are compared; absent for the model's top-level dimensions.
    #[serde(default)]
    pub node: Option<String>,
    /// Who judged (several matrices for one node are combined by their geometric mean).
    #[serde(default)]
    pub expert: Option<String>,
    /// The children compared, by id (the last segment of their path), in the order of the rows.
    pub order: Vec<String>,
    /// The matrix, row by row: `rows[i][j]` says how much more `order[i]` matters than `order[j]`
    /// on Saaty's scale (1–9 and reciprocals, `"1/3"` written as a string).
    rows: Vec<Vec<Value>>,
    /// The line of the `[[matrix]]` header, for messages.
    #[serde(skip)]
    line: usize,
}

/// A judgement file: the pairwise comparison matrices of one model.
///
/// ```toml
/// model = "general"          # optional: the model (default: the set's default)
/// ri_table = "saaty-1980"    # optional: the random-index table (default Saaty's)
/// max_cr = 0.1               # optional: the largest consistency ratio accepted
///
/// [[matrix]]                 # no `node`: the top-level dimensions
/// order = ["basic", "dynamic", "supervision", "relationships", "social"]
/// rows = [
///   [1,     "1/2", "1/4", 1,     "1/2"],
///   [2,     1,     "1/2", 2,     1    ],
///   [4,     2,     1,     4,     3    ],
///   [1,     "1/2", "1/4", 1,     "1/2"],
///   [2,     1,     "1/3", 2,     1    ],
/// ]
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AhpFile {
    /// The model the judgements are for.
    #[serde(default)]
    pub model: Option<String>,
    /// The random-index table's name.
    #[serde(default)]
    pub ri_table: Option<String>,
    /// The largest consistency ratio accepted.
    #[serde(default)]
    pub max_cr: Option<f64>,
    /// The matrices.
    #[serde(rename = "matrix", default)]
    pub matrices: Vec<Matrix>,
    #[serde(skip)]
    file: String,
    #[serde(skip)]
    digest_text: String,
}

impl AhpFile {
    /// Reads a judgement file.
    ///
    /// # Errors
    /// [`CalibrateError::Io`] when it cannot be read; [`CalibrateError::Judgements`] with the
    /// line and column of a syntax error, an unknown key or the first byte that is not UTF-8.
    pub fn from_file(path: &Path) -> Result<AhpFile, CalibrateError> {
        let bytes = std::fs::read(path).map_err(|e| CalibrateError::Io {
            file: path.to_path_buf(),
            message: e.to_string(),
        })?;
        // Text that is not UTF-8 is malformed at its first bad byte.
        let text = String::from_utf8(bytes).map_err(|e| {
            let good = e.utf8_error().valid_up_to();
            let before = std::str::from_utf8(&e.as_bytes()[..good]).unwrap_or_default();
            let p = Position::of_offset(before, good);
            CalibrateError::judgements(
                Position::new(path).at(p.line, p.column),
                "text is not valid UTF-8; save the file as UTF-8",
            )
        })?;
        AhpFile::from_str_named(&text, &path.display().to_string())
    }

    /// Reads judgements from TOML text; `name` appears in messages.
    ///
    /// # Errors
    /// As [`AhpFile::from_file`].
    pub fn from_str_named(text: &str, name: &str) -> Result<AhpFile, CalibrateError> {
        let mut f: AhpFile = toml::from_str(text).map_err(|e| {
            let at = match e.span() {
                Some(s) => {
                    let p = Position::of_offset(text, s.start);
                    Position::new(name).at(p.line, p.column)
                }
                None => Position::new(name),
            };
            CalibrateError::judgements(at, e.message())
        })?;
        // The line of each [[matrix]] header, in order.
        let headers: Vec<usize> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.trim_start().starts_with("[[matrix]]"))
            .map(|(i, _)| i + 1)
            .collect();
        for (m, line) in f.matrices.iter_mut().zip(headers) {
            m.line = line;
        }
        f.file = name.to_string();
        f.digest_text = text.to_string();
        Ok(f)
    }
}

/// Options of [`ahp`].
#[derive(Debug, Clone, Default)]
pub struct AhpOptions {
    /// The random-index table (default: the file's, else Saaty's).
    pub table: Option<RiTable>,
    /// The largest consistency ratio accepted (default: the file's, else 0.1).
    pub max_cr: Option<f64>,
    /// Accept matrices above `max_cr` (they are still reported).
    pub accept_inconsistent: bool,
    /// The date recorded in the provenance.
    pub date: Option<Date>,
}

/// The weights of one node's children.
#[derive(Debug, Clone)]
pub struct AhpNode {
    /// The node (`None`: the top level).
    pub node: Option<String>,
    /// The children's paths, in the order of the matrix.
    pub children: Vec<String>,
    /// The experts who judged (empty names for unnamed ones).
    pub experts: Vec<String>,
    /// Each expert's consistency ratio, when there are several.
    pub expert_cr: Vec<Option<f64>>,
    /// Weights, λmax, CI and CR of the (combined) matrix.
    pub result: AhpResult,
    /// The judgements furthest from the weights, most inconsistent first.
    pub worst: Vec<Inconsistency>,
    /// The children's weights before.
    pub before: Vec<f64>,
    /// Whether CR is below the threshold.
    pub consistent: bool,
}

/// What [`ahp`] did.
#[derive(Debug, Clone)]
pub struct AhpOutcome {
    /// The model.
    pub model: String,
    /// The random-index table.
    pub table: RiTable,
    /// The threshold on CR.
    pub max_cr: f64,
    /// One entry per node judged.
    pub nodes: Vec<AhpNode>,
    /// The changes to write, one per node (each with its own provenance entry).
    pub changes: Vec<Change>,
}

fn node_label(node: Option<&str>) -> String {
    node.map_or("the top level".to_string(), |n| format!("`{n}`"))
}

/// AHP weights for the nodes a judgement file covers.
///
/// Each `[[matrix]]` lists the children of one node (all of them, by id) and Saaty's judgements
/// between them; several matrices for one node (several experts) are combined cell by cell by
/// their geometric mean, which keeps the matrix reciprocal. The weights are the principal
/// eigenvector; λmax, CI and CR are reported against the named random-index table, and a matrix
/// whose CR reaches the threshold is refused — the error lists its most inconsistent judgements
/// and the values that would agree with the rest — unless `accept_inconsistent` is set.
///
/// # Errors
/// [`CalibrateError::Judgements`] naming the matrix's line and the cell for a malformed matrix,
/// a child that is not the node's, or a missing child; [`CalibrateError::Inconsistent`] for a CR
/// at or above the threshold.
pub fn ahp(
    set: &ModelSet,
    file: &AhpFile,
    options: &AhpOptions,
) -> Result<AhpOutcome, CalibrateError> {
    let model = model_of(set, file.model.as_deref())?;
    let table = match (options.table, &file.ri_table) {
        (Some(t), _) => t,
        (None, Some(name)) => name.parse::<RiTable>().map_err(|e| {
            CalibrateError::judgements(Position::new(&file.file), format!("ri_table: {e}"))
        })?,
        (None, None) => RiTable::default(),
    };
    let judged = Judged {
        set,
        model,
        file,
        table,
        max_cr: options.max_cr.or(file.max_cr).unwrap_or(0.1),
        options,
    };
    if file.matrices.is_empty() {
        return Err(CalibrateError::judgements(
            Position::new(&file.file),
            "no [[matrix]]: add one per node whose children you compare",
        ));
    }
    let mut nodes = Vec::new();
    let mut changes = Vec::new();
    let mut refused = Vec::new();
    for (node, mats) in &group_by_node(file) {
        let (n, change, r) = judged.node(node.as_deref(), mats)?;
        nodes.push(n);
        changes.push(change);
        refused.extend(r);
    }
    if !refused.is_empty() && !options.accept_inconsistent {
        return Err(CalibrateError::Inconsistent { refused });
    }
    Ok(AhpOutcome {
        model: model.id().to_string(),
        table,
        max_cr: judged.max_cr,
        nodes,
        changes,
    })
}

/// The matrices grouped by node, in file order.
fn group_by_node(file: &AhpFile) -> Vec<(Option<String>, Vec<&Matrix>)> {
    let mut groups: Vec<(Option<String>, Vec<&Matrix>)> = Vec::new();
    for m in &file.matrices {
        match groups.iter_mut().find(|(n, _)| *n == m.node) {
            Some((_, v)) => v.push(m),
            None => groups.push((m.node.clone(), vec![m])),
        }
    }
    groups
}

/// One judgement file being turned into weights for one model.
struct Judged<'a> {
    set: &'a ModelSet,
    model: &'a Model,
    file: &'a AhpFile,
    table: RiTable,
    max_cr: f64,
    options: &'a AhpOptions,
}

impl Judged<'_> {
    /// The weights of one node's children from its matrices: the node's report, the change, and
    /// the refusal when its CR is too high.
    fn node(
        &self,
        node: Option<&str>,
        mats: &[&Matrix],
    ) -> Result<(AhpNode, Change, Option<RefusedMatrix>), CalibrateError> {
        let (model, file) = (self.model, &self.file.file);
        let at = Position::new(file).at(mats[0].line, 0);
        let children = children_of(model, node, file, mats[0])?;
        let parsed = mats
            .iter()
            .map(|m| read_matrix(m, &children, file))
            .collect::<Result<Vec<_>, _>>()?;
        let combined = combine_experts(&parsed, children.len()).map_err(|e| {
            CalibrateError::judgements(
                Position::new(file),
                format!(
                    "the experts' matrices for {} combine badly: {e}",
                    node_label(node)
                ),
            )
        })?;
        let result = w::weights(&combined, self.table).map_err(|e| {
            CalibrateError::method("ahp", format!("{at}: {}: {e}", node_label(node)))
        })?;
        let expert_cr = if parsed.len() > 1 {
            parsed
                .iter()
                .map(|p| w::weights(p, self.table).ok().and_then(|r| r.cr))
                .collect()
        } else {
            Vec::new()
        };
        let worst = w::most_inconsistent(&combined, &result.weights, 3);
        let consistent = result.cr.is_none_or(|cr| cr < self.max_cr);
        let paths: Vec<String> = children
            .iter()
            .map(|&c| model.nodes()[c].path.clone())
            .collect();
        let refused = (!consistent).then(|| RefusedMatrix {
            message: inconsistency_message(&at, node, &paths, &result, &worst, self.max_cr),
            at: at.clone(),
            node: node.map(str::to_string),
            cr: result.cr.unwrap_or(f64::NAN),
        });
        let change = Change {
            model: model.id().to_string(),
            weights: paths
                .iter()
                .cloned()
                .zip(super::round_to_sum_one(&result.weights, 4))
                .collect(),
            bands: None,
            provenance: self.provenance(node, &paths, &result, mats.len(), consistent),
        };
        let report = AhpNode {
            node: node.map(str::to_string),
            before: children.iter().map(|&c| model.nodes()[c].weight).collect(),
            children: paths,
            experts: mats
                .iter()
                .map(|m| m.expert.clone().unwrap_or_default())
                .collect(),
            expert_cr,
            result,
            worst,
            consistent,
        };
        Ok((report, change, refused))
    }

    /// The provenance of one node's new weights.
    fn provenance(
        &self,
        node: Option<&str>,
        paths: &[String],
        result: &AhpResult,
        experts: usize,
        consistent: bool,
    ) -> ProvenanceSpec {
        let mut digest = InputsDigest::new("ahp");
        digest.text(&self.file.digest_text);
        digest.text(node.unwrap_or(""));
        let mut p = provenance("ahp", self.set, self.options.date, digest.finish());
        p.weights = paths.to_vec();
        p.parameters
            .insert("ri_table".into(), text(self.table.name()));
        p.parameters.insert("max_cr".into(), num(self.max_cr));
        p.parameters.insert("experts".into(), num(experts as f64));
        if let Some(n) = node {
            p.parameters.insert("node".into(), text(n));
        }
        p.metrics
            .insert("lambda_max".into(), num(result.lambda_max));
        p.metrics.insert("ci".into(), num(result.ci));
        if let Some(cr) = result.cr {
            p.metrics.insert("cr".into(), num(cr));
        }
        if !consistent {
            p.note = Some(format!(
                "CR at or above {}, accepted on purpose (--accept-inconsistent)",
                self.max_cr
            ));
        }
        p
    }
}

/// Several experts' matrices combined cell by cell by their geometric mean (one is kept as is).
fn combine_experts(
    parsed: &[PairwiseMatrix],
    n: usize,
) -> Result<PairwiseMatrix, riskgrade_weights::ahp::AhpError> {
    if let [one] = parsed {
        return Ok(one.clone());
    }
    let mut rows = vec![vec![1.0; n]; n];
    for (i, row) in rows.iter_mut().enumerate() {
        for (j, cell) in row.iter_mut().enumerate() {
            let logs: f64 = parsed.iter().map(|p| p.get(i, j).ln()).sum();
            *cell = (logs / parsed.len() as f64).exp();
        }
    }
    PairwiseMatrix::from_rows(rows)
}

fn inconsistency_message(
    at: &Position,
    node: Option<&str>,
    paths: &[String],
    r: &AhpResult,
    worst: &[Inconsistency],
    max_cr: f64,
) -> String {
    let id = |i: usize| paths[i].rsplit('.').next().unwrap_or(&paths[i]).to_string();
    let mut s = format!(
        "{at}: the judgements for {} are inconsistent: CR = {:.3} (λmax {:.3}, CI {:.3}, RI {:.2}), \
         at or above {max_cr}. Revise the most inconsistent judgements:",
        node_label(node),
        r.cr.unwrap_or(f64::NAN),
        r.lambda_max,
        r.ci,
        r.ri.unwrap_or(f64::NAN),
    );
    for x in worst {
        s.push_str(&format!(
            "\n  {} vs {}: judged {}, the other judgements imply {:.2} (try {})",
            id(x.i),
            id(x.j),
            saaty(x.given),
            x.indirect,
            saaty(x.suggested)
        ));
    }
    s.push_str("\n  or pass --accept-inconsistent to keep them (the provenance records it)");
    s
}

/// `3`, `1/3`, or a decimal for values off the scale.
fn saaty(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{}", x.round())
    } else if ((1.0 / x) - (1.0 / x).round()).abs() < 1e-9 {
        format!("1/{}", (1.0 / x).round())
    } else {
        format!("{x:.3}")
    }
}

/// The node indices of the children of `node` (or the top level), in the matrix's order.
fn children_of(
    model: &Model,
    node: Option<&str>,
    file: &str,
    m: &Matrix,
) -> Result<Vec<usize>, CalibrateError> {
    let parent = node
        .map(|p| node_index(model, p))
        .transpose()
        .map_err(|e| {
            CalibrateError::judgements(Position::new(file).at(m.line, 0), e.to_string())
        })?;
    let kids: Vec<usize> = (0..model.nodes().len())
        .filter(|&i| model.nodes()[i].parent == parent)
        .collect();
    if kids.is_empty() {
        return Err(CalibrateError::judgements(
            Position::new(file).at(m.line, 0),
            format!(
                "{} is a leaf: it has no children to compare",
                node_label(node)
            ),
        ));
    }
    let id_of = |i: usize| {
        let p = &model.nodes()[i].path;
        p.rsplit('.').next().unwrap_or(p).to_string()
    };
    let ids: BTreeMap<String, usize> = kids.iter().map(|&k| (id_of(k), k)).collect();
    let mut out = Vec::with_capacity(m.order.len());
    for name in &m.order {
        let &k = ids.get(name).ok_or_else(|| {
            let hint = riskgrade_core::did_you_mean(name, ids.keys().map(String::as_str))
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            CalibrateError::judgements(
                Position::new(file).at(m.line, 0),
                format!(
                    "`{name}` is not a child of {}{hint}; its children are {}",
                    node_label(node),
                    ids.keys()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })?;
        if out.contains(&k) {
            return Err(CalibrateError::judgements(
                Position::new(file).at(m.line, 0),
                format!("`{name}` is listed twice in `order`"),
            ));
        }
        out.push(k);
    }
    if let Some(missing) = kids.iter().find(|k| !out.contains(k)) {
        return Err(CalibrateError::judgements(
            Position::new(file).at(m.line, 0),
            format!(
                "`order` leaves out `{}`: a matrix compares all the children of {}",
                id_of(*missing),
                node_label(node)
            ),
        ));
    }
    Ok(out)
}

fn read_matrix(
    m: &Matrix,
    children: &[usize],
    file: &str,
) -> Result<PairwiseMatrix, CalibrateError> {
    let n = children.len();
    let at = |what: String| CalibrateError::judgements(Position::new(file).at(m.line, 0), what);
    if m.rows.len() != n {
        return Err(at(format!(
            "`rows` has {} rows for the {n} children in `order`",
            m.rows.len()
        )));
    }
    let mut rows = Vec::with_capacity(n);
    for (i, row) in m.rows.iter().enumerate() {
        if row.len() != n {
            return Err(at(format!(
                "row {} of `rows` has {} values; it needs {n}",
                i + 1,
                row.len()
            )));
        }
        let mut out = Vec::with_capacity(n);
        for (j, v) in row.iter().enumerate() {
            let x = match v {
                Value::Number(x) => *x,
                Value::Text(s) => w::parse_judgement_value(s)
                    .map_err(|e| at(format!("row {}, column {}: {e}", i + 1, j + 1)))?,
            };
            if !(1.0 / 9.0 - 1e-9..=9.0 + 1e-9).contains(&x) {
                return Err(at(format!(
                    "row {}, column {}: {} is off Saaty's scale: use 1–9 or a reciprocal 1/2–1/9",
                    i + 1,
                    j + 1,
                    saaty(x)
                )));
            }
            out.push(x);
        }
        rows.push(out);
    }
    PairwiseMatrix::from_rows(rows).map_err(|e| {
        at(format!(
            "{e} (rows and columns follow `order`: {})",
            m.order.join(", ")
        ))
    })
}

impl fmt::Display for AhpOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "AHP weights for model `{}` (random index: {}, CR accepted below {})",
            self.model,
            self.table.name(),
            self.max_cr
        )?;
        for n in &self.nodes {
            let cr = n.result.cr.map_or("-".to_string(), |c| format!("{c:.4}"));
            let experts = if n.experts.len() > 1 {
                format!(
                    ", {} experts combined by geometric mean (their CRs: {})",
                    n.experts.len(),
                    n.expert_cr
                        .iter()
                        .map(|c| c.map_or("-".into(), |c| format!("{c:.3}")))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            } else {
                String::new()
            };
            writeln!(
                f,
                "\n{}: λmax {:.4}, CI {:.4}, CR {cr}{}{experts}",
                node_label(n.node.as_deref()),
                n.result.lambda_max,
                n.result.ci,
                if n.consistent {
                    ""
                } else {
                    "  (INCONSISTENT, accepted)"
                }
            )?;
            let w = path_width(n.children.iter().map(String::as_str));
            writeln!(
                f,
                "  {}  {:>8}  {:>8}",
                path_cell("node", w),
                "before",
                "AHP"
            )?;
            for (i, c) in n.children.iter().enumerate() {
                writeln!(
                    f,
                    "  {}  {:>8.4}  {:>8.4}",
                    path_cell(c, w),
                    n.before[i],
                    n.result.weights[i]
                )?;
            }
            if let Some(x) = n.worst.first().filter(|x| x.error > 1e-6) {
                let id = |i: usize| {
                    n.children[i]
                        .rsplit('.')
                        .next()
                        .unwrap_or(&n.children[i])
                        .to_string()
                };
                writeln!(
                    f,
                    "  most inconsistent: {} vs {} judged {}, the others imply {:.2}",
                    id(x.i),
                    id(x.j),
                    saaty(x.given),
                    x.indirect
                )?;
            }
        }
        Ok(())
    }
}
