//! One compiled model: the validated indicator tree with absolute weights per leaf.

use std::collections::HashMap;

use riskgrade_core::{EffectPeriods, InputType, did_you_mean};

use crate::classes::{Classes, default_classes, round};
use crate::error::Problem;
use crate::score::{Emit, Kernel, ScoreFn};
use crate::spec::{Direction, MissingPolicy, ModelSpec, NodeSpec, ScaleSpec, ScoreSpec};

/// Where a leaf's value comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// An input of the model.
    Input {
        /// The input's name.
        name: String,
        /// Its type.
        ty: InputType,
    },
    /// Another model's score, converted to this model's scale.
    Model(String),
}

/// A node of the indicator tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Dotted path.
    pub path: String,
    /// Name for people (the path's last segment when not given).
    pub name: String,
    /// Weight among siblings.
    pub weight: f64,
    /// Product of the weights from the top down to this node.
    pub abs_weight: f64,
    /// Index of the parent node.
    pub parent: Option<usize>,
    /// Index into [`Model::leaves`], for leaves.
    pub leaf: Option<usize>,
}

/// A flag whose missing value is graded, silently, as one of its values: see
/// [`Model::silent_missing_flags`].
#[derive(Debug, Clone, PartialEq)]
pub struct SilentMissing {
    /// The leaf's path.
    pub path: String,
    /// The flag it reads.
    pub input: String,
    /// The missing points, from `[defaults]`.
    pub points: f64,
    /// The value a missing flag is graded as; `None` when its points lie beyond both values'.
    pub like: Option<bool>,
    /// The leaf's points for its two values, lower first.
    pub range: (f64, f64),
}

impl std::fmt::Display for SilentMissing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (lo, hi) = (
            riskgrade_core::format_number(self.range.0),
            riskgrade_core::format_number(self.range.1),
        );
        let like = match self.like {
            Some(v) => format!("as `{v}` does"),
            None => format!("beyond both values' points ({lo} and {hi})"),
        };
        write!(
            f,
            "`{}` (input `{}`): a missing value scores {} points from [defaults], {like}; \
             give the leaf its own `missing` (points between {lo} and {hi} for \"not known\", or \"error\")",
            self.path,
            self.input,
            riskgrade_core::format_number(self.points),
        )
    }
}

/// A leaf indicator, ready to score.
#[derive(Debug, Clone, PartialEq)]
pub struct Leaf {
    /// Index into [`Model::nodes`].
    pub node: usize,
    /// Dotted path.
    pub path: String,
    /// Name for people.
    pub name: String,
    /// What it reads.
    pub source: Source,
    /// Absolute weight: its points times this is its contribution to the score.
    pub weight: f64,
    /// Index of its dimension in [`Model::dimensions`].
    pub dimension: usize,
    /// The scoring function.
    pub func: ScoreFn,
    /// The missing-value policy.
    pub missing: MissingPolicy,
    /// Reason template.
    pub reason: Option<String>,
    /// The least risky points the leaf can give (including missing points).
    pub best: f64,
    kernel: Kernel,
}

impl Leaf {
    /// Scores a slice of this leaf's input: `out (+)= weight × points`, the
    /// leaf's missing points for `NaN` (`NaN` when missing is an error).
    pub fn score_numbers(&self, x: &[f64], weight: f64, out: &mut [f64], emit: Emit) {
        self.kernel.run(x, weight, self.missing_points(), out, emit);
    }

    /// Points given for a missing value (`NaN` when missing is an error).
    pub fn missing_points(&self) -> f64 {
        match self.missing {
            MissingPolicy::Points(p) => p,
            MissingPolicy::Error => f64::NAN,
        }
    }

    /// The reason text for this leaf with `value` and `points` filled in. When
    /// the value is missing the points came from the missing-value policy, so
    /// the template (which describes a value) is not used.
    pub fn reason_text(&self, value: Option<&str>, points: f64) -> String {
        let mut out = String::new();
        self.push_reason_text(&mut out, value, points);
        out
    }

    /// Appends [`Leaf::reason_text`] to `out`, in one pass over the template.
    pub fn push_reason_text(&self, out: &mut String, value: Option<&str>, points: f64) {
        use std::fmt::Write as _;
        let points = round(points);
        let Some(value) = value else {
            let _ = write!(
                out,
                "{}: no value on file ({} points)",
                self.name,
                riskgrade_core::format_number(points)
            );
            return;
        };
        let mut rest = self.reason.as_deref().unwrap_or("{name}: {value}");
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let tail = &rest[open..];
            if let Some(t) = tail.strip_prefix("{value}") {
                out.push_str(value);
                rest = t;
            } else if let Some(t) = tail.strip_prefix("{points}") {
                out.push_str(&riskgrade_core::format_number(points));
                rest = t;
            } else if let Some(t) = tail.strip_prefix("{name}") {
                out.push_str(&self.name);
                rest = t;
            } else {
                out.push('{');
                rest = &tail[1..];
            }
        }
        out.push_str(rest);
    }
}

/// A validated, immutable model.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    spec: ModelSpec,
    classes: Classes,
    nodes: Vec<Node>,
    leaves: Vec<Leaf>,
    dimensions: Vec<usize>,
    effect_periods: EffectPeriods,
    insufficient: Option<crate::Insufficient>,
}

fn valid_path(p: &str) -> bool {
    !p.is_empty()
        && p.split('.')
            .all(|s| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_'))
}

fn check_reason(t: &str) -> Result<(), String> {
    let mut rest = t;
    while let Some(i) = rest.find('{') {
        let after = &rest[i + 1..];
        let j = after.find('}').ok_or("unclosed `{`")?;
        let key = &after[..j];
        if !["value", "points", "name"].contains(&key) {
            return Err(format!(
                "unknown placeholder `{{{key}}}`; use {{value}}, {{points}} or {{name}}"
            ));
        }
        rest = &after[j + 1..];
    }
    Ok(())
}

impl Model {
    /// Validates a spec. Component leaves (`model = "…"`) get their conversion
    /// when the set is compiled.
    pub(crate) fn compile(spec: ModelSpec) -> Result<Model, Problem> {
        let (effect_periods, classes) = check_header(&spec)?;
        let (mut nodes, index) = build_nodes(&spec)?;
        if nodes.is_empty() {
            return Err(Problem::Empty);
        }
        let (children, top) = children_and_top(&nodes);
        check_provenance(&spec, &index)?;
        check_weight_sums(&nodes, &children, &top)?;
        let dims = dimension_of_nodes(&nodes, &top);
        let mut leaves = Vec::new();
        for (i, n) in spec.nodes.iter().enumerate() {
            if !children[i].is_empty() {
                check_inner_node(n)?;
                continue;
            }
            let leaf = compile_leaf(&spec, n, i, &nodes[i], dims[i])?;
            nodes[i].leaf = Some(leaves.len());
            leaves.push(leaf);
        }
        let insufficient = crate::Insufficient::compile(&spec, &leaves, &classes)?;
        Ok(Model {
            spec,
            classes,
            nodes,
            leaves,
            dimensions: top,
            effect_periods,
            insufficient,
        })
    }

    /// Sets the conversion of a component leaf from the source model's scale.
    /// A leaf with its own `score` keeps it: it scores the source model's score as is.
    pub(crate) fn link_component(&mut self, leaf: usize, from: &ScaleSpec) {
        if self.spec.nodes[self.leaves[leaf].node].score.is_some() {
            return;
        }
        let to = &self.spec.scale;
        let (lo, hi) = if from.higher == to.higher {
            (to.min, to.max)
        } else {
            (to.max, to.min)
        };
        let func = ScoreFn::Linear {
            x: vec![from.min, from.max],
            y: vec![lo, hi],
        };
        self.leaves[leaf].kernel = Kernel::new(&func);
        self.leaves[leaf].func = func;
    }

    /// The model's id.
    pub fn id(&self) -> &str {
        &self.spec.id
    }
    /// The model's name (its id when not given).
    pub fn name(&self) -> &str {
        self.spec.name.as_deref().unwrap_or(&self.spec.id)
    }
    /// The spec it was compiled from.
    pub fn spec(&self) -> &ModelSpec {
        &self.spec
    }
    /// How the weight of node `path` was set: the latest provenance entry naming it, if any.
    ///
    /// ```
    /// let set = riskgrade_model::ModelSet::from_toml_str(r#"
    /// id = "m"
    /// scale = { min = 0, max = 100, higher = "risk" }
    /// defaults = { missing = 0 }
    /// [inputs.complaints]
    /// type = "count"
    /// [[node]]
    /// path = "social"
    /// weight = 1
    /// [[node]]
    /// path = "social.complaints"
    /// weight = 1
    /// input = "complaints"
    /// score = { type = "bins", edges = [1, 3], points = [0, 50, 100] }
    /// [[provenance]]
    /// method = "ahp"
    /// weights = ["social"]
    /// metrics = { cr = 0.0 }
    /// "#).unwrap();
    /// let m = set.model("m").unwrap();
    /// assert_eq!(m.weight_provenance("social").map(|p| p.method.as_str()), Some("ahp"));
    /// assert!(m.weight_provenance("social.complaints").is_none());
    /// ```
    pub fn weight_provenance(&self, path: &str) -> Option<&crate::ProvenanceSpec> {
        self.spec
            .provenance
            .iter()
            .rev()
            .find(|p| p.weights.iter().any(|w| w == path))
    }
    /// The score scale.
    pub fn scale(&self) -> &ScaleSpec {
        &self.spec.scale
    }
    /// The classes.
    pub fn classes(&self) -> &Classes {
        &self.classes
    }
    /// Every node, in declaration order.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }
    /// The leaves, in declaration order.
    pub fn leaves(&self) -> &[Leaf] {
        &self.leaves
    }
    /// The flags a missing value silently grades as `true` or `false`, or beyond both: `boolean`
    /// leaves on an input read from the enterprise (not derived from records, which are never
    /// missing) that take their missing points from `[defaults]`, when those equal the points
    /// of one of the two values or lie outside them. `riskgrade validate` and Python's `Model.check` name them.
    ///
    /// ```
    /// let set = riskgrade_model::ModelSet::from_toml_str(r#"
    /// id = "m"
    /// scale = { min = 0, max = 100, higher = "risk" }
    /// defaults = { missing = 0 }
    /// [inputs.annual_report_on_time]
    /// type = "bool"
    /// [[node]]
    /// path = "report"
    /// weight = 1
    /// input = "annual_report_on_time"
    /// score = { type = "boolean", true = 0, false = 90 }
    /// "#).unwrap();
    /// let silent = set.models()[0].silent_missing_flags();
    /// assert_eq!(silent[0].to_string(), "`report` (input `annual_report_on_time`): a missing value \
    ///     scores 0 points from [defaults], as `true` does; give the leaf its own `missing` \
    ///     (points between 0 and 90 for \"not known\", or \"error\")");
    /// ```
    pub fn silent_missing_flags(&self) -> Vec<SilentMissing> {
        self.leaves
            .iter()
            .filter_map(|leaf| {
                let ScoreFn::Boolean { if_true, if_false } = leaf.func else {
                    return None;
                };
                let Source::Input { name, .. } = &leaf.source else {
                    return None;
                };
                let own = self
                    .spec
                    .nodes
                    .iter()
                    .find(|n| n.path == leaf.path)?
                    .missing;
                let derived = self
                    .spec
                    .inputs
                    .get(name)
                    .is_some_and(|i| i.derive.is_some());
                let points = leaf.missing_points();
                let (lo, hi) = (if_true.min(if_false), if_true.max(if_false));
                let like = if points == if_true {
                    Some(true)
                } else if points == if_false {
                    Some(false)
                } else if points < lo || points > hi {
                    None
                } else {
                    return None;
                };
                (own.is_none() && !derived).then(|| SilentMissing {
                    path: leaf.path.clone(),
                    input: name.clone(),
                    points,
                    like,
                    range: (lo, hi),
                })
            })
            .collect()
    }

    /// The top-level nodes (dimensions), as indices into [`Model::nodes`].
    pub fn dimensions(&self) -> &[usize] {
        &self.dimensions
    }
    /// At most this many reasons per enterprise.
    pub fn max_reasons(&self) -> usize {
        self.spec.max_reasons
    }
    /// Effect periods of records.
    pub fn effect_periods(&self) -> &EffectPeriods {
        &self.effect_periods
    }
    /// The least evidence an enterprise needs (`[insufficient]`), when the model sets it.
    pub fn insufficient(&self) -> Option<&crate::Insufficient> {
        self.insufficient.as_ref()
    }
    /// The ids of the models this one takes a score from.
    pub fn components(&self) -> impl Iterator<Item = &str> {
        self.leaves.iter().filter_map(|l| match &l.source {
            Source::Model(m) => Some(m.as_str()),
            Source::Input { .. } => None,
        })
    }
}

fn check_score(path: &str, input: &str, ty: InputType, score: &ScoreSpec) -> Result<(), Problem> {
    let mismatch = |fix: &'static str| Problem::TypeMismatch {
        path: path.to_string(),
        kind: score.kind(),
        input: input.to_string(),
        ty: ty.name(),
        fix,
    };
    let numeric = matches!(
        ty,
        InputType::Number | InputType::Integer | InputType::Count | InputType::Date
    );
    match score {
        ScoreSpec::Bins { edges, points } => {
            if !numeric {
                return Err(mismatch(if ty == InputType::Bool {
                    "use `type = \"boolean\"`"
                } else {
                    "use `type = \"category\"`"
                }));
            }
            if edges.is_empty() || points.len() != edges.len() + 1 {
                return Err(Problem::PointsCount {
                    path: path.into(),
                    what: "bin edges",
                    edges: edges.len(),
                    points: points.len(),
                    expected: "bins need at least one edge and one more point than edges",
                });
            }
            increasing(path, "bin edges", edges)
        }
        ScoreSpec::Linear { x, y } => {
            if !numeric {
                return Err(mismatch(if ty == InputType::Bool {
                    "use `type = \"boolean\"`"
                } else {
                    "use `type = \"category\"`"
                }));
            }
            if x.len() < 2 || x.len() != y.len() {
                return Err(Problem::PointsCount {
                    path: path.into(),
                    what: "knots",
                    edges: x.len(),
                    points: y.len(),
                    expected: "linear scoring needs at least two knots and one point per knot",
                });
            }
            increasing(path, "knots", x)
        }
        ScoreSpec::Boolean { .. } if ty != InputType::Bool => Err(mismatch(
            "use `bins` or `linear` for numbers, `category` for labels",
        )),
        ScoreSpec::Category { map, .. } => {
            if ty != InputType::Category {
                return Err(mismatch(
                    "use `bins` or `linear` for numbers, `boolean` for flags",
                ));
            }
            if map.is_empty() {
                return Err(Problem::Shape {
                    path: path.into(),
                    message: "category `map` is empty".into(),
                });
            }
            Ok(())
        }
        ScoreSpec::Boolean { .. } => Ok(()),
    }
}

fn increasing(path: &str, what: &'static str, xs: &[f64]) -> Result<(), Problem> {
    if let Some(i) = xs.iter().position(|x| !x.is_finite()) {
        return Err(Problem::Shape {
            path: path.into(),
            message: format!("{what} must be finite numbers, but index {i} is {}", xs[i]),
        });
    }
    for (i, w) in xs.windows(2).enumerate() {
        if w[0].partial_cmp(&w[1]) != Some(std::cmp::Ordering::Less) {
            return Err(Problem::NotIncreasing {
                what,
                path: path.into(),
                index: i + 1,
            });
        }
    }
    Ok(())
}

/// Checks the scale, the input declarations and the effect periods, and compiles the classes.
fn check_header(spec: &ModelSpec) -> Result<(EffectPeriods, Classes), Problem> {
    let scale = &spec.scale;
    if !(scale.min.is_finite() && scale.max.is_finite() && scale.min < scale.max) {
        return Err(Problem::Scale {
            min: scale.min,
            max: scale.max,
        });
    }
    for (name, input) in &spec.inputs {
        input.check().map_err(|message| Problem::Input {
            input: name.clone(),
            message,
        })?;
    }
    let effect_periods = spec.effect_periods.clone().unwrap_or_default();
    effect_periods.check().map_err(Problem::EffectPeriods)?;
    let class_specs = if spec.classes.is_empty() {
        default_classes()
    } else {
        spec.classes.clone()
    };
    let classes = Classes::compile(&class_specs, scale)?;
    Ok((effect_periods, classes))
}

/// Builds the nodes in declaration order with their parents and absolute
/// weights, and the index from path to node.
fn build_nodes(spec: &ModelSpec) -> Result<(Vec<Node>, HashMap<&str, usize>), Problem> {
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut nodes: Vec<Node> = Vec::with_capacity(spec.nodes.len());
    for (i, n) in spec.nodes.iter().enumerate() {
        if !valid_path(&n.path) {
            return Err(Problem::BadPath(n.path.clone()));
        }
        if index.insert(n.path.as_str(), i).is_some() {
            return Err(Problem::DuplicatePath(n.path.clone()));
        }
        if !n.weight.is_finite() || n.weight < 0.0 {
            return Err(Problem::BadWeight {
                path: n.path.clone(),
                weight: n.weight,
            });
        }
        let parent = match n.path.rsplit_once('.') {
            None => None,
            Some((p, _)) => Some(*index.get(p).ok_or_else(|| Problem::MissingParent {
                path: n.path.clone(),
                parent: p.to_string(),
            })?),
        };
        let abs_weight = parent.map_or(1.0, |p| nodes[p].abs_weight) * n.weight;
        let name = n
            .name
            .clone()
            .unwrap_or_else(|| n.path.rsplit('.').next().unwrap_or(&n.path).to_string());
        nodes.push(Node {
            path: n.path.clone(),
            name,
            weight: n.weight,
            abs_weight,
            parent,
            leaf: None,
        });
    }
    Ok((nodes, index))
}

/// The children of every node, and the top-level nodes (dimensions).
fn children_and_top(nodes: &[Node]) -> (Vec<Vec<usize>>, Vec<usize>) {
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    let mut top = Vec::new();
    for (i, n) in nodes.iter().enumerate() {
        match n.parent {
            Some(p) => children[p].push(i),
            None => top.push(i),
        }
    }
    (children, top)
}

/// Checks that every provenance entry names existing nodes and a valid date.
fn check_provenance(spec: &ModelSpec, index: &HashMap<&str, usize>) -> Result<(), Problem> {
    for (k, p) in spec.provenance.iter().enumerate() {
        let bad = |message: String| Problem::Provenance {
            entry: k + 1,
            method: p.method.clone(),
            message,
        };
        if let Some(path) = p.weights.iter().find(|w| !index.contains_key(w.as_str())) {
            return Err(bad(format!(
                "names node `{path}`, which the model does not have{}",
                did_you_mean(path, spec.nodes.iter().map(|n| n.path.as_str()))
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default()
            )));
        }
        if let Some(d) = &p.date {
            d.parse::<riskgrade_core::Date>()
                .map_err(|e| bad(format!("date `{d}`: {e}")))?;
        }
    }
    Ok(())
}

/// Checks that the weights of the dimensions, and of every node's children, sum to 1.
fn check_weight_sums(
    nodes: &[Node],
    children: &[Vec<usize>],
    top: &[usize],
) -> Result<(), Problem> {
    let check_sum = |parent: &str, kids: &[usize]| {
        let sum: f64 = kids.iter().map(|&k| nodes[k].weight).sum();
        if (sum - 1.0).abs() > 1e-6 {
            Err(Problem::WeightSum {
                parent: parent.to_string(),
                sum: round(sum),
            })
        } else {
            Ok(())
        }
    };
    check_sum("(top level)", top)?;
    for (i, kids) in children.iter().enumerate() {
        if !kids.is_empty() {
            check_sum(&nodes[i].path, kids)?;
        }
    }
    Ok(())
}

/// The dimension (position among the top-level nodes) each node falls under.
fn dimension_of_nodes(nodes: &[Node], top: &[usize]) -> Vec<usize> {
    (0..nodes.len())
        .map(|mut i| {
            while let Some(p) = nodes[i].parent {
                i = p;
            }
            top.iter().position(|&t| t == i).unwrap_or(0)
        })
        .collect()
}

/// A `Problem::Shape` for node `n`.
fn shape(n: &NodeSpec, message: &str) -> Problem {
    Problem::Shape {
        path: n.path.clone(),
        message: message.to_string(),
    }
}

/// Checks that a node with children has none of a leaf's keys.
fn check_inner_node(n: &NodeSpec) -> Result<(), Problem> {
    let is_leaf = n.input.is_some() || n.model.is_some() || n.score.is_some();
    if is_leaf || n.missing.is_some() || n.reason.is_some() {
        return Err(shape(
            n,
            "has child nodes, so it cannot have `input`, `model`, `score`, `missing` or `reason`; move them to a leaf",
        ));
    }
    Ok(())
}

/// Compiles leaf node `n` (index `i`): its source, scoring, missing policy,
/// reason and points range.
fn compile_leaf(
    spec: &ModelSpec,
    n: &NodeSpec,
    i: usize,
    node: &Node,
    dimension: usize,
) -> Result<Leaf, Problem> {
    let scale = &spec.scale;
    let (source, func) = leaf_source(spec, n)?;
    let missing = match n.missing.or(spec.defaults.missing) {
        Some(m) => m,
        None if matches!(source, Source::Model(_)) => MissingPolicy::Error,
        None => return Err(Problem::NoMissingPolicy(n.path.clone())),
    };
    if let Some(r) = &n.reason {
        check_reason(r).map_err(|message| Problem::Reason {
            path: n.path.clone(),
            message,
        })?;
    }
    let mut all = if matches!(source, Source::Model(_)) && n.score.is_none() {
        vec![scale.min, scale.max]
    } else {
        func.all_points()
    };
    if let MissingPolicy::Points(p) = missing {
        all.push(p);
    }
    if let Some(bad) = all
        .iter()
        .find(|p| !(p.is_finite() && **p >= scale.min && **p <= scale.max))
    {
        return Err(Problem::PointsOutOfScale {
            path: n.path.clone(),
            points: *bad,
            min: scale.min,
            max: scale.max,
        });
    }
    let best = match scale.higher {
        Direction::Risk => all.iter().copied().fold(f64::INFINITY, f64::min),
        Direction::Safety => all.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    };
    Ok(Leaf {
        node: i,
        path: n.path.clone(),
        name: node.name.clone(),
        source,
        weight: node.abs_weight,
        dimension,
        kernel: Kernel::new(&func),
        func,
        missing,
        reason: n.reason.clone(),
        best,
    })
}

/// What a leaf reads (an input or another model) and how it is scored.
fn leaf_source(spec: &ModelSpec, n: &NodeSpec) -> Result<(Source, ScoreFn), Problem> {
    match (&n.input, &n.model, &n.score) {
        (None, None, None) => Err(shape(
            n,
            "is a leaf without `input` and `score`; give it both, or add child nodes under it",
        )),
        (Some(_), Some(_), _) => Err(shape(n, "has both `input` and `model`; keep one")),
        (None, Some(m), None) => Ok((
            Source::Model(m.clone()),
            ScoreFn::Linear {
                x: vec![0.0, 1.0],
                y: vec![0.0, 1.0],
            },
        )),
        // A component scored by bands of the other model's score (e.g. its classes).
        (None, Some(m), Some(score)) => {
            check_score(&n.path, m, InputType::Number, score)?;
            Ok((Source::Model(m.clone()), ScoreFn::from_spec(score)))
        }
        (Some(_), None, None) => Err(shape(n, "has an `input` but no `score`")),
        (None, None, Some(_)) => Err(shape(n, "has a `score` but no `input`")),
        (Some(input), None, Some(score)) => {
            let ispec = spec
                .inputs
                .get(input)
                .ok_or_else(|| Problem::UnknownInput {
                    path: n.path.clone(),
                    input: input.clone(),
                    suggestion: did_you_mean(input, spec.inputs.keys().map(String::as_str))
                        .map(str::to_string),
                })?;
            check_score(&n.path, input, ispec.ty, score)?;
            Ok((
                Source::Input {
                    name: input.clone(),
                    ty: ispec.ty,
                },
                ScoreFn::from_spec(score),
            ))
        }
    }
}
