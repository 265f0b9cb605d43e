//! Model sets: general and specialised models, industry routing, loading and the version id.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use riskgrade_core::codes::IndustryCode;
use riskgrade_core::{EffectPeriods, InputSpec, Position, Schema};

use crate::error::RouteProblem;
use crate::route::{Routes, licence_input, route_lines};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use riskgrade_rules::{Catalog, RuleError, RuleSpec, Rules};

use crate::codes::{CodePolicy, CodesSpec, industry_key};
use crate::error::{ModelError, ModelReference, SetProblem};
use crate::model::{Model, Source};
use crate::routing::{RoutingSpec, RuleLimitsSpec};
use crate::rule_files::{check_duplicates, locate_rules};
use crate::spec::{ModelSetSpec, ModelSpec, RouteSpec};

/// A validated set of models with its routing: compile once, share behind an
/// `Arc`, evaluate many batches.
///
/// ```
/// use riskgrade_model::ModelSet;
/// let set = riskgrade_model::examples::reference().unwrap();
/// assert_eq!(set.route("C1431").unwrap(), set.index_of("food").unwrap());
/// assert_eq!(set.route("F5211").unwrap(), set.index_of("general").unwrap());
/// assert_eq!(set.version_id().len(), 16);
/// ```
#[derive(Debug, Clone)]
pub struct ModelSet {
    spec: ModelSetSpec,
    rules: Arc<Rules>,
    version: String,
    models: Vec<Model>,
    order: Vec<usize>,
    default: Option<usize>,
    routes: Routes,
    /// (licence type, input name) for each licence type the routes name.
    licence_inputs: Vec<(String, String)>,
    schema: Schema,
    effect_periods: EffectPeriods,
}

impl PartialEq for ModelSet {
    fn eq(&self, other: &ModelSet) -> bool {
        self.spec == other.spec
    }
}

/// The file form of a set: routing plus inline models and included model files.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetFile {
    #[serde(default)]
    rule_files: Vec<String>,
    #[serde(default)]
    rule: Vec<RuleSpec>,
    #[serde(default)]
    routing: RoutingSpec,
    #[serde(default)]
    rule_limits: RuleLimitsSpec,
    #[serde(default)]
    codes: CodesSpec,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    default: Option<String>,
    #[serde(default)]
    route: Vec<RouteSpec>,
    #[serde(default)]
    include: Vec<String>,
    #[serde(default)]
    model: Vec<ModelSpec>,
}

#[derive(Clone, Copy)]
enum Format {
    Toml,
    Json,
}

pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// `line`, `column` in `file` (or in text from no file).
pub(crate) fn at_in(file: Option<&Path>, line: usize, column: usize) -> Position {
    let at = Position::line_col(line, column);
    match file {
        Some(f) => at.in_file(f),
        None => at,
    }
}

fn parse<T: serde::de::DeserializeOwned>(
    text: &str,
    format: Format,
    file: Option<&Path>,
) -> Result<T, ModelError> {
    match format {
        Format::Toml => toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map_or((0, 0), |s| line_col(text, s.start));
            ModelError::Syntax {
                at: at_in(file, line, column),
                message: e.message().trim().to_string(),
            }
        }),
        Format::Json => serde_json::from_str(text).map_err(|e| {
            let msg = e.to_string();
            let message = msg.split(" at line ").next().unwrap_or(&msg).to_string();
            // serde_json says column 0 before a line's first character (e.g. at the end of
            // the text after a line break): that is column 1.
            ModelError::Syntax {
                at: at_in(file, e.line().max(1), e.column().max(1)),
                message,
            }
        }),
    }
}

fn is_single_model(text: &str, format: Format) -> bool {
    match format {
        Format::Toml => toml::from_str::<toml::Table>(text).is_ok_and(|t| t.contains_key("scale")),
        Format::Json => {
            serde_json::from_str::<serde_json::Value>(text).is_ok_and(|v| v.get("scale").is_some())
        }
    }
}

fn load_spec(text: &str, format: Format, file: Option<&Path>) -> Result<Loaded, ModelError> {
    load_spec_with(text, format, file, &read_text)
}

/// A set as read from its files: the spec, and the text each model was read from, so that a
/// problem found when compiling can be given its place in that text.
struct Loaded {
    spec: ModelSetSpec,
    /// Model id, the file it came from, and that file's text.
    sources: Vec<(String, Option<PathBuf>, String)>,
    /// The files rules were declared in, and their text.
    rule_texts: Vec<(PathBuf, String)>,
}

impl Loaded {
    /// Compiles the set; a model that does not make sense is named with its file position.
    fn compile(self) -> Result<ModelSet, ModelError> {
        let sources = self.sources;
        let rule_texts = self.rule_texts;
        ModelSet::from_spec(self.spec).map_err(|e| match e {
            ModelError::Invalid { model, problem, at } if at.line == 0 => {
                let at = sources
                    .iter()
                    .find(|(id, _, _)| **id == *model)
                    .and_then(|(_, file, text)| {
                        crate::locate::locate(text, file.as_deref(), &model, &problem)
                    })
                    .map_or(at, Box::new);
                ModelError::Invalid { model, problem, at }
            }
            ModelError::Rule(mut r) => {
                if let RuleError::When {
                    rule,
                    file: Some(file),
                    line: line @ 0,
                    ..
                } = r.as_mut()
                    && let Some((_, text)) = rule_texts.iter().find(|(f, _)| f == file)
                {
                    *line = crate::locate::when_line(text, rule);
                }
                ModelError::Rule(r)
            }
            other => other,
        })
    }
}

/// The text of a set, model or rule file. A file that cannot be read is an
/// [`ModelError::Io`]; text that is not UTF-8 a [`ModelError::Syntax`] at its first bad byte.
fn read_text(path: &Path) -> Result<String, ModelError> {
    let bytes = std::fs::read(path).map_err(|e| ModelError::Io {
        file: path.to_path_buf(),
        message: e.to_string(),
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let good = e.utf8_error().valid_up_to();
        let before = std::str::from_utf8(&e.as_bytes()[..good]).unwrap_or_default();
        let (line, column) = line_col(before, good);
        ModelError::Syntax {
            at: at_in(Some(path), line, column),
            message: "text is not valid UTF-8; save the file as UTF-8".to_string(),
        }
    })
}

fn load_spec_with(
    text: &str,
    format: Format,
    file: Option<&Path>,
    read: &dyn Fn(&Path) -> Result<String, ModelError>,
) -> Result<Loaded, ModelError> {
    let source = |id: &str, file: Option<&Path>, text: &str| {
        (
            id.to_string(),
            file.map(Path::to_path_buf),
            text.to_string(),
        )
    };
    if is_single_model(text, format) {
        let m: ModelSpec = parse(text, format, file)?;
        let sources = vec![source(&m.id, file, text)];
        let spec = ModelSetSpec {
            name: None,
            default: Some(m.id.clone()),
            routes: Vec::new(),
            models: vec![m],
            rules: Vec::new(),
            routing: RoutingSpec::default(),
            rule_limits: RuleLimitsSpec::default(),
            codes: CodesSpec::default(),
        };
        return Ok(Loaded {
            spec,
            sources,
            rule_texts: Vec::new(),
        });
    }
    let raw: SetFile = parse(text, format, file)?;
    let base = file.and_then(Path::parent).unwrap_or(Path::new(""));
    let mut rules = Vec::new();
    let mut rule_texts = Vec::new();
    // A listed file that cannot be read is named with where the set lists it.
    let listed = |key: &str, inc: &str, e: ModelError| match e {
        ModelError::Io { file: f, message } => {
            let at = text
                .find(&format!("\"{inc}\""))
                .or_else(|| text.find(&format!("'{inc}'")))
                .map(|i| line_col(text, i));
            let place = match (file, at) {
                (Some(set), Some((line, column))) => {
                    format!(" (listed in `{key}` at {}:{line}:{column})", set.display())
                }
                _ => format!(" (listed in `{key}`)"),
            };
            ModelError::Io {
                file: f,
                message: format!("{message}{place}"),
            }
        }
        other => other,
    };
    for inc in &raw.rule_files {
        let path = base.join(inc);
        let t = read(&path).map_err(|e| listed("rule_files", inc, e))?;
        let f: RuleFile = parse(&t, format_of(&path), Some(&path))?;
        rules.extend(locate_rules(f.rule, &t, &path, read)?);
        rule_texts.push((path, t));
    }
    let own = file.map_or_else(|| PathBuf::from("(model set)"), Path::to_path_buf);
    rules.extend(locate_rules(raw.rule, text, &own, read)?);
    rule_texts.push((own, text.to_string()));
    check_duplicates(&rules)?;
    let rules: Vec<RuleSpec> = rules.into_iter().map(|(r, _)| r).collect();
    let mut models = Vec::new();
    let mut sources = Vec::new();
    for inc in &raw.include {
        let path = base.join(inc);
        let t = read(&path).map_err(|e| listed("include", inc, e))?;
        let f = format_of(&path);
        let m: ModelSpec = parse(&t, f, Some(&path))?;
        sources.push(source(&m.id, Some(&path), &t));
        models.push(m);
    }
    for m in &raw.model {
        sources.push(source(&m.id, file, text));
    }
    models.extend(raw.model);
    // Route problems are found here too, where the `[[route]]` headers' positions are known.
    if matches!(format, Format::Toml) && !raw.route.is_empty() {
        let ids: Vec<String> = models.iter().map(|m| m.id.clone()).collect();
        let lines = route_lines(text);
        let at = |i: usize| lines.get(i).map(|&l| at_in(file, l, 1));
        Routes::compile(&raw.route, &ids, &at)?;
    }
    let spec = ModelSetSpec {
        name: raw.name,
        default: raw.default,
        routes: raw.route,
        models,
        rules,
        routing: raw.routing,
        rule_limits: raw.rule_limits,
        codes: raw.codes,
    };
    Ok(Loaded {
        spec,
        sources,
        rule_texts,
    })
}

/// A file of rules: `[[rule]]` entries.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rule: Vec<RuleSpec>,
}

fn format_of(path: &Path) -> Format {
    match path.extension().and_then(|e| e.to_str()) {
        Some("json") => Format::Json,
        _ => Format::Toml,
    }
}

impl ModelSet {
    /// Loads a model or model set from TOML text. A text with a `[scale]`
    /// table is one model; otherwise it is a set with `[[model]]` entries.
    ///
    /// # Errors
    /// [`ModelError::Syntax`] with the line and column of a syntax error or
    /// unknown key; [`ModelError::Invalid`] or [`ModelError::Set`] for a model
    /// that parses but does not make sense.
    pub fn from_toml_str(text: &str) -> Result<ModelSet, ModelError> {
        load_spec(text, Format::Toml, None)?.compile()
    }

    /// Loads TOML text whose `include = [...]` files are looked up by name in `files`
    /// (for models embedded in a program).
    ///
    /// # Errors
    /// [`ModelError::Io`] when `files` does not know an included name, else as [`ModelSet::from_toml_str`].
    pub fn from_toml_str_with<'a>(
        text: &str,
        files: impl Fn(&str) -> Option<&'a str>,
    ) -> Result<ModelSet, ModelError> {
        let read = |path: &Path| {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            files(name)
                .map(str::to_string)
                .ok_or_else(|| ModelError::Io {
                    file: path.to_path_buf(),
                    message: "not among the embedded files".into(),
                })
        };
        load_spec_with(text, Format::Toml, None, &read)?.compile()
    }

    /// Loads a model or model set from JSON text (same structure as TOML).
    ///
    /// # Errors
    /// As [`ModelSet::from_toml_str`].
    pub fn from_json_str(text: &str) -> Result<ModelSet, ModelError> {
        load_spec(text, Format::Json, None)?.compile()
    }

    /// Loads a file (`.json` is JSON, anything else TOML); `include = [...]`
    /// paths are resolved relative to it.
    ///
    /// # Errors
    /// [`ModelError::Io`] when a file cannot be read, else as [`ModelSet::from_toml_str`].
    pub fn from_file(path: impl AsRef<Path>) -> Result<ModelSet, ModelError> {
        let path = path.as_ref();
        let text = read_text(path)?;
        load_spec(&text, format_of(path), Some(path))?.compile()
    }

    /// Validates a spec and compiles it.
    ///
    /// # Errors
    /// As [`ModelSet::from_toml_str`].
    pub fn from_spec(spec: ModelSetSpec) -> Result<ModelSet, ModelError> {
        let mut models = compile_models(&spec)?;
        let ids: Vec<String> = models.iter().map(|m| m.id().to_string()).collect();
        let default = spec
            .default
            .as_deref()
            .map(|d| find_model(&ids, d, ModelReference::Default))
            .transpose()?;
        let routes = Routes::compile(&spec.routes, &ids, &|_| None)?;
        let licence_inputs: Vec<(String, String)> = routes
            .licence_types()
            .into_iter()
            .map(|l| {
                let input = licence_input(&l).0;
                (l, input)
            })
            .collect();
        let order = link_components(&mut models, &ids)?;
        let schema = shared_schema(&models, &spec.routes)?;
        let effect_periods = shared_effect_periods(&models, default.unwrap_or(0))?;
        spec.routing.check().map_err(ModelError::Set)?;
        let rules = compile_rules(&spec, &models, &schema)?;
        let version = version_of(&spec);
        Ok(ModelSet {
            rules: Arc::new(rules),
            spec,
            version,
            models,
            order,
            default,
            routes,
            licence_inputs,
            schema,
            effect_periods,
        })
    }

    /// The canonical spec (models inline).
    pub fn spec(&self) -> &ModelSetSpec {
        &self.spec
    }

    /// The compiled rules (empty when the set has none).
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// Where alerts go.
    pub fn routing(&self) -> &RoutingSpec {
        &self.spec.routing
    }

    /// The version id: the first 16 hex digits of the SHA-256 of the canonical JSON.
    pub fn version_id(&self) -> &str {
        &self.version
    }

    /// The canonical JSON text; loading it gives an identical set.
    pub fn to_json(&self) -> String {
        canonical_json(&self.spec)
    }

    /// The set as TOML text; loading it gives an identical set.
    ///
    /// # Errors
    /// Never in practice; the serialiser's message otherwise.
    pub fn to_toml(&self) -> Result<String, ModelError> {
        let mut text = String::from("# riskgrade model set (canonical form)\n");
        text.push_str(
            &toml::to_string(&CanonicalSetFile::from(&self.spec)).map_err(|e| {
                ModelError::Set(SetProblem::Serialise {
                    message: e.to_string(),
                })
            })?,
        );
        Ok(text)
    }

    /// The models, in declaration order.
    pub fn models(&self) -> &[Model] {
        &self.models
    }

    /// A model by id.
    pub fn model(&self, id: &str) -> Option<&Model> {
        self.models.iter().find(|m| m.id() == id)
    }

    /// The index of a model by id.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.models.iter().position(|m| m.id() == id)
    }

    /// Model indices with every component before the models that take it.
    pub fn evaluation_order(&self) -> &[usize] {
        &self.order
    }

    /// The model that grades an enterprise of an industry that holds no
    /// licence the routes name: the longest matching industry route prefix of
    /// its normal form (GB/T 4754: `1411`, `c1411` and `C 1411` are `C1411`),
    /// else the default. See [`ModelSet::route_with`] for licence routes.
    ///
    /// ```
    /// let set = riskgrade_model::examples::reference().unwrap();
    /// let food = set.index_of("food").unwrap();
    /// for code in ["C1411", "1411", "c1411", "C 1411"] {
    ///     assert_eq!(set.route(code), Ok(food), "{code}");
    /// }
    /// // Not a GB/T 4754 code: bad data under the default `[codes] industry = "error"`.
    /// assert!(set.route("ZZ99").is_err());
    /// ```
    ///
    /// # Errors
    /// As [`ModelSet::route_with`].
    pub fn route(&self, industry: &str) -> Result<usize, String> {
        self.route_with(industry, |_| false)
    }

    /// The model that grades an enterprise of `industry` that holds the
    /// licence types for which `holds` is true, by the precedence of
    /// [`RouteSpec`]: routes naming both industries and licences, then
    /// licences only, then industries only, then the default.
    ///
    /// ```
    /// let set = riskgrade_model::examples::reference().unwrap();
    /// let (food, special) = (set.index_of("food").unwrap(), set.index_of("special_equipment").unwrap());
    /// let user = |l: &str| l == "special_equipment_use";
    /// assert_eq!(set.route_with("F5211", user), Ok(special));
    /// // The route naming both C14 and the licence keeps food producers with the food model.
    /// assert_eq!(set.route_with("C1411", user), Ok(food));
    /// assert_eq!(set.route_with("C1411", |_| false), Ok(food));
    /// ```
    ///
    /// # Errors
    /// Returns the industry code back when it is empty, when it is not a valid
    /// code and the `[codes]` policy for industries is `error`, or when no
    /// route matches and there is no default.
    pub fn route_with(
        &self,
        industry: &str,
        holds: impl Fn(&str) -> bool,
    ) -> Result<usize, String> {
        if industry.trim().is_empty() {
            return Err(industry.to_string());
        }
        let code: std::borrow::Cow<'_, str> = match IndustryCode::parse(industry) {
            Ok(c) => c.as_str().into(),
            Err(_) if self.spec.codes.industry == CodePolicy::Error => {
                return Err(industry.to_string());
            }
            Err(_) => industry_key(industry).into(),
        };
        self.routes
            .pick(&code, &holds)
            .or(self.default)
            .ok_or_else(|| industry.to_string())
    }

    /// Each licence type the routes name, with the input the set reads it
    /// from: `licence_<type>`, the number of licences of that type valid on
    /// the as-of date (derived from profiles' licences; a column of that name
    /// in columnar data). An enterprise holds the type when it is 1 or more.
    ///
    /// ```
    /// let set = riskgrade_model::examples::reference().unwrap();
    /// let inputs: Vec<_> = set.licence_inputs().collect();
    /// assert_eq!(inputs, [("special_equipment_use", "licence_special_equipment_use")]);
    /// assert!(set.schema().get("licence_special_equipment_use").is_some());
    /// ```
    pub fn licence_inputs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.licence_inputs
            .iter()
            .map(|(l, i)| (l.as_str(), i.as_str()))
    }

    /// What the set does with bad credit, industry and district codes.
    pub fn codes(&self) -> &CodesSpec {
        &self.spec.codes
    }

    /// The bad codes of a batch under the set's `[codes]` policies (see [`CodesSpec::check`]).
    pub fn check_codes(&self, frame: &riskgrade_core::Frame) -> Vec<riskgrade_core::DataIssue> {
        self.spec.codes.check(frame)
    }

    /// Every input the set reads.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// How long records count.
    pub fn effect_periods(&self) -> &EffectPeriods {
        &self.effect_periods
    }

    /// The columns this set reads, derived from `profiles` as of `as_of` with the set's
    /// effect periods.
    ///
    /// ```
    /// let set = riskgrade_model::examples::reference()?;
    /// let profiles: Vec<riskgrade_core::Enterprise> =
    ///     serde_json::from_str(r#"[{"id": "E1", "industry": "F5211", "registered": "2012-04-01"}]"#)?;
    /// let frame = set.frame_of(&profiles, "2026-11-01".parse()?);
    /// assert_eq!(frame.ids(), ["E1"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn frame_of(
        &self,
        profiles: &[riskgrade_core::Enterprise],
        as_of: riskgrade_core::Date,
    ) -> riskgrade_core::Frame {
        riskgrade_core::Frame::from_profiles(profiles, self.schema(), as_of, &self.effect_periods)
    }
}

/// TOML needs every plain key before the tables; this view orders the set's fields so.
#[derive(serde::Serialize)]
struct CanonicalSetFile<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: &'a Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    default: &'a Option<String>,
    #[serde(skip_serializing_if = "<[RouteSpec]>::is_empty")]
    route: &'a [RouteSpec],
    model: &'a [ModelSpec],
    #[serde(skip_serializing_if = "<[RuleSpec]>::is_empty")]
    rule: &'a [RuleSpec],
    #[serde(skip_serializing_if = "RoutingSpec::is_empty")]
    routing: &'a RoutingSpec,
    #[serde(skip_serializing_if = "RuleLimitsSpec::is_default")]
    rule_limits: &'a RuleLimitsSpec,
    #[serde(skip_serializing_if = "CodesSpec::is_default")]
    codes: &'a CodesSpec,
}

impl<'a> From<&'a ModelSetSpec> for CanonicalSetFile<'a> {
    fn from(s: &'a ModelSetSpec) -> Self {
        CanonicalSetFile {
            name: &s.name,
            default: &s.default,
            route: &s.routes,
            model: &s.models,
            rule: &s.rules,
            routing: &s.routing,
            rule_limits: &s.rule_limits,
            codes: &s.codes,
        }
    }
}

fn canonical_json(spec: &ModelSetSpec) -> String {
    serde_json::to_string(spec).unwrap_or_default()
}

/// The version id hashes the content only: where a rule's text was read from
/// (its `file` and `line`) does not change it.
fn version_of(spec: &ModelSetSpec) -> String {
    let mut value = serde_json::to_value(spec).unwrap_or_default();
    if let Some(rules) = value.get_mut("rule").and_then(|r| r.as_array_mut()) {
        for r in rules {
            if let Some(o) = r.as_object_mut() {
                o.remove("file");
                o.remove("line");
            }
        }
    }
    let digest = Sha256::digest(value.to_string().as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

fn topo_order(deps: &[Vec<usize>]) -> Option<Vec<usize>> {
    let n = deps.len();
    let mut state = vec![0u8; n];
    let mut out = Vec::with_capacity(n);
    fn visit(i: usize, deps: &[Vec<usize>], state: &mut [u8], out: &mut Vec<usize>) -> bool {
        match state[i] {
            2 => return true,
            1 => return false,
            _ => {}
        }
        state[i] = 1;
        for &d in &deps[i] {
            if !visit(d, deps, state, out) {
                return false;
            }
        }
        state[i] = 2;
        out.push(i);
        true
    }
    for i in 0..n {
        if !visit(i, deps, &mut state, &mut out) {
            return None;
        }
    }
    Some(out)
}

/// Compiles every model of the set, refusing an id declared twice.
fn compile_models(spec: &ModelSetSpec) -> Result<Vec<Model>, ModelError> {
    if spec.models.is_empty() {
        return Err(ModelError::Set(SetProblem::NoModels));
    }
    let mut models = Vec::with_capacity(spec.models.len());
    for m in &spec.models {
        if models.iter().any(|x: &Model| x.id() == m.id) {
            return Err(ModelError::Set(SetProblem::DuplicateModel {
                model: m.id.clone(),
            }));
        }
        models.push(
            Model::compile(m.clone()).map_err(|problem| ModelError::Invalid {
                model: m.id.as_str().into(),
                problem,
                at: Box::default(),
            })?,
        );
    }
    Ok(models)
}

/// The index of model `id` in the set; `what` names the reference for the error.
fn find_model(ids: &[String], id: &str, by: ModelReference) -> Result<usize, ModelError> {
    ids.iter().position(|m| m == id).ok_or_else(|| {
        ModelError::Set(SetProblem::UnknownModel {
            by,
            model: id.to_string(),
            suggestion: riskgrade_core::did_you_mean(id, ids.iter().map(String::as_str))
                .map(str::to_string),
        })
    })
}

/// Links each component leaf to its source model's scale and returns the
/// grading order, components first.
fn link_components(models: &mut [Model], ids: &[String]) -> Result<Vec<usize>, ModelError> {
    let n = models.len();
    let mut deps: Vec<Vec<usize>> = vec![Vec::new(); n];
    for i in 0..n {
        let comps: Vec<(usize, String)> = models[i]
            .leaves()
            .iter()
            .enumerate()
            .filter_map(|(li, l)| match &l.source {
                Source::Model(m) => Some((li, m.clone())),
                Source::Input { .. } => None,
            })
            .collect();
        for (li, m) in comps {
            let by = ModelReference::Leaf {
                model: models[i].id().to_string(),
                path: models[i].leaves()[li].path.clone(),
            };
            let j = find_model(ids, &m, by)?;
            if j == i {
                return Err(ModelError::Set(SetProblem::OwnScore { model: m }));
            }
            let from = models[j].scale().clone();
            models[i].link_component(li, &from);
            deps[i].push(j);
        }
    }
    topo_order(&deps).ok_or(ModelError::Set(SetProblem::ComponentCycle))
}

/// One input schema for the set; an input shared by models must be declared
/// the same way. The inputs routing reads for licence types come last.
fn shared_schema(models: &[Model], routes: &[RouteSpec]) -> Result<Schema, ModelError> {
    let mut inputs: Vec<(String, InputSpec, String)> = Vec::new();
    for m in models {
        for (name, s) in &m.spec().inputs {
            match inputs.iter().find(|(n, _, _)| n == name) {
                Some((_, prev, first)) if prev != s => {
                    return Err(ModelError::Set(SetProblem::InputDiffers {
                        input: name.clone(),
                        first: first.clone(),
                        second: m.id().to_string(),
                    }));
                }
                Some(_) => {}
                None => inputs.push((name.clone(), s.clone(), m.id().to_string())),
            }
        }
    }
    for (i, r) in routes.iter().enumerate() {
        for licence in &r.licences {
            let (name, spec) = licence_input(licence);
            match inputs.iter().find(|(n, _, _)| *n == name) {
                Some((_, declared, by)) if *declared != spec => {
                    return Err(ModelError::Set(SetProblem::Route {
                        route: i + 1,
                        model: r.model.clone(),
                        at: None,
                        problem: Box::new(RouteProblem::InputTaken {
                            input: name,
                            declared_by: by.clone(),
                        }),
                    }));
                }
                Some(_) => {}
                None => inputs.push((name, spec, String::new())),
            }
        }
    }
    Ok(Schema::new(inputs.into_iter().map(|(n, s, _)| (n, s))))
}

/// The effect periods of the set: every model must age records like model `first`.
fn shared_effect_periods(models: &[Model], first: usize) -> Result<EffectPeriods, ModelError> {
    let effect_periods = models[first].effect_periods().clone();
    if let Some(m) = models
        .iter()
        .find(|m| *m.effect_periods() != effect_periods)
    {
        return Err(ModelError::Set(SetProblem::EffectPeriodsDiffer {
            model: m.id().to_string(),
            first: models[first].id().to_string(),
        }));
    }
    Ok(effect_periods)
}

/// Compiles the set's rules against a catalog of its inputs, indicators and classes.
fn compile_rules(
    spec: &ModelSetSpec,
    models: &[Model],
    schema: &Schema,
) -> Result<Rules, ModelError> {
    let mut indicators: Vec<String> = Vec::new();
    let mut classes: Vec<String> = Vec::new();
    for m in models {
        for l in m.leaves() {
            if !indicators.contains(&l.path) {
                indicators.push(l.path.clone());
            }
        }
        for c in m.classes().names() {
            if !classes.contains(c) {
                classes.push(c.clone());
            }
        }
    }
    let catalog = Catalog::new(
        schema
            .inputs()
            .iter()
            .map(|(n, s)| (n.clone(), s.ty))
            .collect(),
    )
    .indicators(indicators)
    .classes(classes);
    spec.rule_limits.check().map_err(ModelError::Set)?;
    Ok(if spec.rules.is_empty() {
        Rules::none(catalog)
    } else {
        Rules::compile(spec.rules.clone(), catalog, spec.rule_limits.limits())?
    })
}
