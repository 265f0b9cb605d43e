//! Sharing a period's results with other departments: export in a documented,
//! versioned schema (CSV, Parquet, JSON Lines) and import a shared set back.
//!
//! Export writes schema `riskgrade.shared/2`, one row per enterprise (field by
//! field in docs/shared-schema.md); import reads `/2` and the older `/1`.
//!
//! | column | type | meaning |
//! |---|---|---|
//! | `schema_version` | text | `riskgrade.shared/2` on every row |
//! | `period` | text | `YYYY-MM` |
//! | `as_of` | text | grading date, `YYYY-MM-DD` |
//! | `model_version` | text | model set version id |
//! | `source` | text | `local` or the department that produced the grades |
//! | `id` | text | enterprise id (unique) |
//! | `credit_code` | text | unified social credit code (统一社会信用代码), when known (`/2`) |
//! | `name` | text | registered name, when known (`/2`) |
//! | `model` | text | model that graded it |
//! | `district` | text | administrative district (GB/T 2260 code or name) |
//! | `industry` | text | industry code (GB/T 4754-2017, normal form) |
//! | `score` | number | final score; present on every graded row |
//! | `score_before_rules` | number | indicators only |
//! | `class` | text | class name; empty when not graded |
//! | `class_rank` | integer | 0 = least risky class |
//! | `class_name_zh` | text | 信用风险低 / 一般 / 较高 / 高 for a four-class run (`/2`) |
//! | `class_name_en` | text | low / general / relatively high / high credit risk (`/2`) |
//! | `reasons` | text | top reasons, `; `-separated |
//! | `labels` | list | classification labels (`/1`: text, `; `-separated) |
//! | `alerts` | list | `topic -> department` (`/1`: text, `; `-separated) |
//! | `rules` | list | ids of the rules that acted (`/1`: text, space-separated) |
//! | `manual_decision` | integer | the manual decision that set the class |
//! | `error` | text | why the enterprise was not graded |

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use riskgrade_core::Month;
use riskgrade_io::{Cell, IoError, OutColumn, OutData, TextTable, read_table, write_table};
use riskgrade_store::{NewRun, ResultRow, RunInfo, Store, StoreError};

/// The version tag of the shared results schema that export writes.
pub const SHARED_SCHEMA: &str = "riskgrade.shared/2";

/// The first version of the schema, which import still reads.
pub const SHARED_SCHEMA_V1: &str = "riskgrade.shared/1";

/// The class names of the national four-class scheme, least risky first:
/// Chinese and English (《关于推进企业信用风险分类管理进一步提升监管效能的意见》).
pub const CLASS_NAMES: [(&str, &str); 4] = [
    ("信用风险低", "low credit risk"),
    ("信用风险一般", "general credit risk"),
    ("信用风险较高", "relatively high credit risk"),
    ("信用风险高", "high credit risk"),
];

/// Why an export or import failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ShareError {
    /// Reading or writing the file failed.
    #[error(transparent)]
    Io(#[from] IoError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No run of the period asked for is stored.
    #[error("no run of period {period} is stored; `riskgrade periods` lists them")]
    NoSuchPeriod {
        /// The period.
        period: Month,
    },
    /// The store holds the imported period already, and replacing it was not asked for.
    #[error(
        "the store already holds period {period} (source {source_name}, as of {as_of}); pass --replace to overwrite it"
    )]
    PeriodExists {
        /// The period.
        period: Month,
        /// Who produced the stored run.
        source_name: String,
        /// The stored run's grading date.
        as_of: riskgrade_core::Date,
    },
    /// The file does not follow the schema.
    #[error("{}: {}{problem}", file.display(), Where(*row, column.as_deref()))]
    Schema {
        /// The file.
        file: PathBuf,
        /// One-based data row, when the problem is in one.
        row: Option<usize>,
        /// The column, when the problem is in one.
        column: Option<String>,
        /// What is wrong.
        problem: SchemaProblem,
    },
}

/// What is wrong with a shared result set.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SchemaProblem {
    /// A column of the schema is absent.
    #[error(
        "no `{0}` column; a shared result set has the columns of {SHARED_SCHEMA} (see docs/monthly.md)"
    )]
    MissingColumn(String),
    /// The file has a header and no rows.
    #[error("the file has no rows")]
    NoRows,
    /// The schema version is not one this riskgrade reads.
    #[error("`{0}`; this riskgrade reads {SHARED_SCHEMA_V1} and {SHARED_SCHEMA}")]
    Version(String),
    /// A graded row (it has a class) without its score.
    #[error("empty for class `{0}`; every graded row has its score")]
    NoScore(String),
    /// One class at two positions.
    #[error("class `{class}` is at rank {known} in earlier rows, {found} here")]
    ClassAtTwoRanks {
        /// The class.
        class: String,
        /// The position earlier rows gave it.
        known: usize,
        /// This row's position.
        found: usize,
    },
    /// A list cell of schema `/2` that is not a JSON array of strings.
    #[error("`{0}` is not a list (a JSON array of strings)")]
    NotAList(String),
    /// A value that must be the same on every row differs from the first row's.
    #[error(
        "`{value}` differs from row 1's `{first}`; a shared result set holds one period of one run"
    )]
    Differs {
        /// This row's value.
        value: String,
        /// The first row's.
        first: String,
    },
    /// An empty enterprise id.
    #[error("empty")]
    EmptyId,
    /// An enterprise id seen on an earlier row.
    #[error("`{0}` appears twice")]
    DuplicateId(String),
    /// A graded row without its class position.
    #[error("empty for class `{0}`")]
    NoRank(String),
    /// A class position that is not 0, 1, 2, …
    #[error("{0} is not a class position (0, 1, 2, …)")]
    BadRank(f64),
    /// Two classes at one position.
    #[error("rank {rank} is class `{known}` in earlier rows, `{found}` here")]
    RankClash {
        /// The position.
        rank: usize,
        /// The class earlier rows gave it.
        known: String,
        /// This row's class.
        found: String,
    },
    /// A number that is not finite.
    #[error("{0} is not a finite number")]
    NotFinite(f64),
    /// Text where a number belongs.
    #[error("`{0}` is not a number")]
    NotANumber(String),
    /// A boolean where a number belongs.
    #[error("expected a number, found a boolean")]
    Boolean,
    /// The period is not `YYYY-MM`.
    #[error(transparent)]
    Period(#[from] riskgrade_core::MonthError),
    /// The grading date is not `YYYY-MM-DD`.
    #[error(transparent)]
    Date(#[from] riskgrade_core::DateError),
}

/// `row R, column `C`: `, leaving out what is unknown.
struct Where<'a>(Option<usize>, Option<&'a str>);

impl std::fmt::Display for Where<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.0, self.1) {
            (Some(r), Some(c)) => write!(f, "row {r}, column `{c}`: "),
            (Some(r), None) => write!(f, "row {r}: "),
            (None, Some(c)) => write!(f, "column `{c}`: "),
            (None, None) => Ok(()),
        }
    }
}

/// Writes the results of `period` to `path` (format from the extension) in
/// schema [`SHARED_SCHEMA`]; returns the number of rows.
///
/// # Errors
/// No such period, an unknown extension, or write errors.
pub fn export_period(store: &Store, period: Month, path: &Path) -> Result<usize, ShareError> {
    let run = store
        .run(period)?
        .ok_or(ShareError::NoSuchPeriod { period })?;
    let mut rows = Vec::new();
    store.scan_results::<StoreError>(period, |r| {
        rows.push(r);
        Ok(())
    })?;
    let n = rows.len();
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let directory = store.directory(&ids)?;
    let known = |r: &ResultRow, f: fn(&(String, String)) -> &String| {
        directory
            .get(&r.id)
            .map(f)
            .filter(|s| !s.is_empty())
            .cloned()
    };
    let rank_of = |r: &ResultRow| {
        let c = r.class.as_ref()?;
        run.classes.iter().position(|k| k == c)
    };
    let class_name = |r: &ResultRow, zh: bool| {
        let k = rank_of(r).filter(|_| run.classes.len() == CLASS_NAMES.len())?;
        let (z, e) = CLASS_NAMES[k];
        Some(if zh { z } else { e }.to_string())
    };
    let list = |f: &dyn Fn(&ResultRow) -> &Vec<String>| {
        OutData::List(rows.iter().map(|r| f(r).clone()).collect())
    };
    let constant = |v: &str| OutData::Text(vec![Some(v.to_string()); n]);
    let text =
        |f: &dyn Fn(&ResultRow) -> Option<String>| OutData::Text(rows.iter().map(f).collect());
    let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let columns = vec![
        col("schema_version", constant(SHARED_SCHEMA)),
        col("period", constant(&run.period.to_string())),
        col("as_of", constant(&run.as_of.to_string())),
        col("model_version", constant(&run.version_id)),
        col("source", constant(&run.source)),
        col("id", text(&|r| Some(r.id.clone()))),
        col("credit_code", text(&|r| known(r, |d| &d.1))),
        col("name", text(&|r| known(r, |d| &d.0))),
        col("model", text(&|r| r.model.clone())),
        col("district", text(&|r| non_empty(&r.district))),
        col("industry", text(&|r| non_empty(&r.industry))),
        col(
            "score",
            OutData::Number(rows.iter().map(|r| r.score).collect()),
        ),
        col(
            "score_before_rules",
            OutData::Number(rows.iter().map(|r| r.base_score).collect()),
        ),
        col("class", text(&|r| r.class.clone())),
        col(
            "class_rank",
            OutData::Integer(rows.iter().map(|r| rank_of(r).map(|p| p as i64)).collect()),
        ),
        col("class_name_zh", text(&|r| class_name(r, true))),
        col("class_name_en", text(&|r| class_name(r, false))),
        col("reasons", text(&|r| non_empty(&r.reasons))),
        col("labels", list(&|r| &r.labels)),
        col("alerts", list(&|r| &r.alerts)),
        col("rules", list(&|r| &r.rules)),
        col(
            "manual_decision",
            OutData::Integer(rows.iter().map(|r| r.manual).collect()),
        ),
        col("error", text(&|r| r.error.clone())),
    ];
    write_table(path, &columns)?;
    Ok(n)
}

/// A stored list (`; `- or space-separated) as its items.
fn col(name: &str, data: OutData) -> OutColumn {
    OutColumn {
        name: name.to_string(),
        data,
    }
}

/// Imports a shared result set (schema [`SHARED_SCHEMA`]) into the store as
/// the run of its period, marked with its `source` (or `source` given here).
/// An existing run of that period is replaced only when `replace` is set.
///
/// # Errors
/// [`ShareError::Schema`] for a file that does not follow the schema (with the
/// row and column), [`ShareError::PeriodExists`] for a period already stored
/// without `replace`, or store errors.
pub fn import_period(
    store: &mut Store,
    path: &Path,
    source: Option<&str>,
    replace: bool,
) -> Result<RunInfo, ShareError> {
    let table = read_table(path)?;
    let reader = Reader::new(path, &table)?;
    let set = reader.read()?;
    if let Some(existing) = store.run(set.period)?
        && !replace
    {
        return Err(ShareError::PeriodExists {
            period: set.period,
            source_name: existing.source,
            as_of: existing.as_of,
        });
    }
    // A shared set is never `local` here, whatever the file says.
    let source = source
        .map(str::to_string)
        .or(set.source)
        .filter(|s| s != "local")
        .unwrap_or_else(|| "import".to_string());
    let mut run = NewRun::new(set.period, set.as_of, &set.version, set.classes);
    run.source = source.clone();
    run.input_digest = format!("file {}", path.display());
    let mut w = store.begin_run(run)?;
    for row in &set.rows {
        w.insert(row)?;
    }
    let info = w.commit()?;
    if !set.directory.is_empty() {
        store.record_directory(&set.directory)?;
    }
    store.note_audit(
        &source,
        "import",
        &format!(
            "period {}: {} rows from {}",
            set.period,
            info.enterprises,
            path.display()
        ),
    )?;
    Ok(info)
}

/// A shared result set, read and checked.
struct SharedSet {
    period: Month,
    as_of: riskgrade_core::Date,
    version: String,
    source: Option<String>,
    classes: Vec<String>,
    rows: Vec<ResultRow>,
    /// Names and credit codes given (schema `/2`), for the store's directory.
    directory: Vec<riskgrade_core::Enterprise>,
}

/// The columns every shared result set has.
const REQUIRED: [&str; 8] = [
    "schema_version",
    "period",
    "as_of",
    "model_version",
    "id",
    "class",
    "class_rank",
    "score",
];

/// Reads a shared table row by row, naming the file, row and column of each problem.
struct Reader<'a> {
    file: &'a Path,
    table: &'a TextTable,
    /// Indices of the [`REQUIRED`] columns, in that order.
    c: [usize; 8],
    /// Whether list columns hold lists (schema `/2`) rather than joined text (`/1`).
    lists: bool,
}

impl<'a> Reader<'a> {
    /// Finds the required columns.
    fn new(file: &'a Path, table: &'a TextTable) -> Result<Reader<'a>, ShareError> {
        let mut c = [0usize; 8];
        for (slot, name) in c.iter_mut().zip(REQUIRED) {
            *slot = table.column(name).ok_or_else(|| ShareError::Schema {
                file: file.to_path_buf(),
                row: None,
                column: None,
                problem: SchemaProblem::MissingColumn(name.to_string()),
            })?;
        }
        let lists = table
            .rows
            .first()
            .and_then(|r| text(r, c[0]))
            .is_some_and(|v| v == SHARED_SCHEMA);
        Ok(Reader {
            file,
            table,
            c,
            lists,
        })
    }

    /// The error for row `i` (zero-based) and column index `col`.
    fn bad(&self, i: Option<usize>, col: Option<usize>, problem: SchemaProblem) -> ShareError {
        ShareError::Schema {
            file: self.file.to_path_buf(),
            row: i.map(|i| i + 1),
            column: col.map(|c| self.table.columns[c].clone()),
            problem,
        }
    }

    /// Every row checked, the classes in rank order, and the run's period, date and version.
    fn read(&self) -> Result<SharedSet, ShareError> {
        let [c_schema, c_period, c_as_of, c_version, ..] = self.c;
        let Some(first) = self.table.rows.first() else {
            return Err(self.bad(None, None, SchemaProblem::NoRows));
        };
        let mut classes: Vec<Option<String>> = Vec::new();
        let mut ids = HashSet::new();
        let mut rows = Vec::with_capacity(self.table.rows.len());
        for (i, row) in self.table.rows.iter().enumerate() {
            let schema = self.same(c_schema, i, row)?;
            if schema != SHARED_SCHEMA && schema != SHARED_SCHEMA_V1 {
                return Err(self.bad(Some(i), Some(c_schema), SchemaProblem::Version(schema)));
            }
            for c in [c_period, c_as_of, c_version] {
                self.same(c, i, row)?;
            }
            rows.push(self.result_row(i, row, &mut ids, &mut classes)?);
        }
        let period = text(first, c_period)
            .unwrap_or_default()
            .parse()
            .map_err(|e| self.bad(Some(0), Some(c_period), SchemaProblem::Period(e)))?;
        let as_of = text(first, c_as_of)
            .unwrap_or_default()
            .parse()
            .map_err(|e| self.bad(Some(0), Some(c_as_of), SchemaProblem::Date(e)))?;
        let classes = classes
            .into_iter()
            .enumerate()
            .map(|(k, c)| c.unwrap_or_else(|| format!("class#{k}")))
            .collect();
        Ok(SharedSet {
            period,
            as_of,
            version: text(first, c_version).unwrap_or_default(),
            source: self.table.column("source").and_then(|c| text(first, c)),
            classes,
            directory: self.directory(&rows),
            rows,
        })
    }

    /// Row `i` as a stored result: a unique id, a class consistent with its rank, numbers.
    fn result_row(
        &self,
        i: usize,
        row: &[Cell],
        ids: &mut HashSet<String>,
        classes: &mut Vec<Option<String>>,
    ) -> Result<ResultRow, ShareError> {
        let [.., c_id, c_class, _, c_score] = self.c;
        let id =
            text(row, c_id).ok_or_else(|| self.bad(Some(i), Some(c_id), SchemaProblem::EmptyId))?;
        if !ids.insert(id.clone()) {
            return Err(self.bad(Some(i), Some(c_id), SchemaProblem::DuplicateId(id)));
        }
        let class = text(row, c_class);
        let score = self.number(row, c_score, i)?;
        if let Some(c) = &class {
            self.check_rank(i, row, c, classes)?;
            if score.is_none() {
                return Err(self.bad(Some(i), Some(c_score), SchemaProblem::NoScore(c.clone())));
            }
        }
        let get = |name: &str| self.table.column(name).and_then(|c| text(row, c));
        let list = |name: &str, sep: &str| match self.table.column(name) {
            Some(c) => self.list(row, c, i, sep),
            None => Ok(Vec::new()),
        };
        Ok(ResultRow {
            id,
            model: get("model"),
            score,
            base_score: match self.table.column("score_before_rules") {
                Some(c) => self.number(row, c, i)?,
                None => None,
            },
            reasons: get("reasons").unwrap_or_default(),
            drivers: String::new(),
            labels: list("labels", "; ")?,
            alerts: list("alerts", "; ")?,
            rules: list("rules", " ")?,
            // Decision numbers belong to the store that made them: not carried over.
            manual: None,
            error: get("error").or_else(|| class.is_none().then(|| "not graded".to_string())),
            district: get("district").unwrap_or_default(),
            industry: get("industry").unwrap_or_default(),
            class,
        })
    }

    /// Row `i`'s class rank: present, a position, and the same class as earlier rows at it.
    fn check_rank(
        &self,
        i: usize,
        row: &[Cell],
        class: &str,
        classes: &mut Vec<Option<String>>,
    ) -> Result<(), ShareError> {
        let c_rank = self.c[6];
        let bad = |p| self.bad(Some(i), Some(c_rank), p);
        let rank = self
            .number(row, c_rank, i)?
            .ok_or_else(|| bad(SchemaProblem::NoRank(class.to_string())))?;
        if rank < 0.0 || rank.fract() != 0.0 || rank > 64.0 {
            return Err(bad(SchemaProblem::BadRank(rank)));
        }
        let k = rank as usize;
        if let Some(known) = classes
            .iter()
            .position(|c| c.as_deref() == Some(class))
            .filter(|&p| p != k)
        {
            return Err(bad(SchemaProblem::ClassAtTwoRanks {
                class: class.to_string(),
                known,
                found: k,
            }));
        }
        if classes.len() <= k {
            classes.resize(k + 1, None);
        }
        match &classes[k] {
            Some(known) if known != class => Err(bad(SchemaProblem::RankClash {
                rank: k,
                known: known.clone(),
                found: class.to_string(),
            })),
            _ => {
                classes[k] = Some(class.to_string());
                Ok(())
            }
        }
    }

    /// A cell that must hold the same text on every row as on the first.
    fn same(&self, c: usize, i: usize, row: &[Cell]) -> Result<String, ShareError> {
        let v = text(row, c).unwrap_or_default();
        let first = text(&self.table.rows[0], c).unwrap_or_default();
        if v == first {
            Ok(v)
        } else {
            Err(self.bad(Some(i), Some(c), SchemaProblem::Differs { value: v, first }))
        }
    }

    /// The names and credit codes the file gives, one entry per row that has either.
    fn directory(&self, rows: &[ResultRow]) -> Vec<riskgrade_core::Enterprise> {
        let (c_name, c_code) = (self.table.column("name"), self.table.column("credit_code"));
        let mut out = Vec::new();
        for (row, r) in self.table.rows.iter().zip(rows) {
            let name = c_name.and_then(|c| text(row, c));
            let credit_code = c_code.and_then(|c| text(row, c));
            if name.is_none() && credit_code.is_none() {
                continue;
            }
            out.push(riskgrade_core::Enterprise {
                id: riskgrade_core::EnterpriseId(r.id.clone()),
                name: name.unwrap_or_default(),
                credit_code,
                industry: r.industry.clone(),
                district: r.district.clone(),
                registered: None,
                licences: Vec::new(),
                attributes: Default::default(),
                records: Vec::new(),
            });
        }
        out
    }

    /// A list cell as stored text (items joined by `sep`): a JSON array of
    /// strings (schema `/2`), or text already joined (schema `/1`).
    /// A list cell: a JSON array of texts, each kept exactly; in schema 1 files, text joined by `sep`.
    fn list(&self, row: &[Cell], c: usize, i: usize, sep: &str) -> Result<Vec<String>, ShareError> {
        let Some(t) = text(row, c) else {
            return Ok(Vec::new());
        };
        if !self.lists {
            return Ok(t
                .split(sep)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect());
        }
        serde_json::from_str::<Vec<String>>(&t)
            .map_err(|_| self.bad(Some(i), Some(c), SchemaProblem::NotAList(t.clone())))
    }

    /// A cell holding a finite number, or nothing.
    fn number(&self, row: &[Cell], c: usize, i: usize) -> Result<Option<f64>, ShareError> {
        let bad = |p| self.bad(Some(i), Some(c), p);
        match &row[c] {
            Cell::Missing => Ok(None),
            Cell::Number(x) if x.is_finite() => Ok(Some(*x)),
            Cell::Number(x) => Err(bad(SchemaProblem::NotFinite(*x))),
            Cell::Text(s) if s.trim().is_empty() => Ok(None),
            Cell::Text(s) => s
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .map(Some)
                .ok_or_else(|| bad(SchemaProblem::NotANumber(s.clone()))),
            Cell::Bool(_) => Err(bad(SchemaProblem::Boolean)),
        }
    }
}

/// A cell as text; empty text and missing cells are `None`.
fn text(row: &[Cell], c: usize) -> Option<String> {
    match &row[c] {
        Cell::Missing => None,
        Cell::Text(s) if s.is_empty() => None,
        Cell::Text(s) => Some(s.clone()),
        Cell::Number(x) => Some(riskgrade_core::format_number(*x)),
        Cell::Bool(b) => Some(b.to_string()),
    }
}
