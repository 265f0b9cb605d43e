//! A period's results as Arrow columns, read in one pass: no row struct, no
//! string per repeated text. Classes, models, districts and industries are
//! dictionary columns whose keys come straight from the store's text keys; list
//! items are copied from the store's text table into the arrays; drivers are
//! rendered only when asked for.

use std::sync::Arc;

use arrow_array::builder::{
    Float64Builder, Int32Builder, Int64Builder, ListBuilder, StringBuilder,
};
use arrow_array::types::Int32Type;
use arrow_array::{Array, DictionaryArray, Float64Array, Int64Array, ListArray, StringArray};
use arrow_schema::{ArrowError, Field};
use riskgrade_core::Month;

use crate::codec::{Damage, Detail, decode_detail_into, period_key};
use crate::texts::TextTable;
use crate::{Result, Store};

/// The results of one period, one Arrow array per field of
/// [`crate::ResultRow`], in id order. Lists (`labels`, `alerts`, `rules`) are
/// `List<Utf8>` arrays of their items, each exactly as stored; repeated texts
/// (`model`, `class`, `district`, `industry`) are dictionary arrays.
#[derive(Debug, Clone)]
pub struct ResultColumns {
    /// Enterprise ids.
    pub id: StringArray,
    /// The model that graded each enterprise.
    pub model: DictionaryArray<Int32Type>,
    /// Final scores.
    pub score: Float64Array,
    /// Scores before rules.
    pub base_score: Float64Array,
    /// Classes; null when not graded.
    pub class: DictionaryArray<Int32Type>,
    /// Top reasons, `; `-separated.
    pub reasons: StringArray,
    /// Drivers, `index:points` separated by spaces (when read with
    /// [`Store::result_columns_with_drivers`]).
    pub drivers: Option<StringArray>,
    /// Labels.
    pub labels: ListArray,
    /// Alerts (`topic -> department`).
    pub alerts: ListArray,
    /// Ids of the rules that acted.
    pub rules: ListArray,
    /// The manual decision that set the class.
    pub manual: Int64Array,
    /// Why an enterprise was not graded.
    pub error: StringArray,
    /// Administrative districts.
    pub district: DictionaryArray<Int32Type>,
    /// Industry codes.
    pub industry: DictionaryArray<Int32Type>,
}

/// A dictionary column built from the store's text keys: each distinct key becomes one
/// dictionary value the first time it is seen.
struct Dict {
    keys: Int32Builder,
    /// The dictionary index of each text key seen (`-1`: not yet).
    local: Vec<i32>,
    values: StringBuilder,
    count: i32,
}

impl Dict {
    fn new() -> Dict {
        Dict {
            keys: Int32Builder::new(),
            local: Vec::new(),
            values: StringBuilder::new(),
            count: 0,
        }
    }

    /// Appends text `key` of `texts` (null for `None`).
    fn append(&mut self, key: Option<u64>, texts: &TextTable) -> std::result::Result<(), Damage> {
        let Some(key) = key else {
            self.keys.append_null();
            return Ok(());
        };
        let k = usize::try_from(key).map_err(|_| Damage::UnknownText(key))?;
        if k >= self.local.len() {
            self.local.resize(k + 1, -1);
        }
        if self.local[k] < 0 {
            self.values.append_value(texts.get(key)?);
            self.local[k] = self.count;
            self.count += 1;
        }
        self.keys.append_value(self.local[k]);
        Ok(())
    }

    fn finish(mut self) -> DictionaryArray<Int32Type> {
        let keys = self.keys.finish();
        let values = Arc::new(self.values.finish());
        DictionaryArray::try_new(keys, values)
            .unwrap_or_else(|_| DictionaryArray::from_iter([None::<&str>]))
    }
}

/// The builders of [`ResultColumns`].
struct Builders {
    id: StringBuilder,
    model: Dict,
    score: Float64Builder,
    base_score: Float64Builder,
    class: Dict,
    reasons: StringBuilder,
    drivers: Option<StringBuilder>,
    labels: ListBuilder<StringBuilder>,
    alerts: ListBuilder<StringBuilder>,
    rules: ListBuilder<StringBuilder>,
    manual: Int64Builder,
    error: StringBuilder,
    district: Dict,
    industry: Dict,
    /// The row being appended, decoded into buffers reused from row to row.
    detail: Detail,
}

fn list_builder() -> ListBuilder<StringBuilder> {
    ListBuilder::new(StringBuilder::new()).with_field(Arc::new(Field::new_list_field(
        arrow_schema::DataType::Utf8,
        false,
    )))
}

impl Builders {
    fn new(drivers: bool) -> Self {
        Builders {
            id: StringBuilder::new(),
            model: Dict::new(),
            score: Float64Builder::new(),
            base_score: Float64Builder::new(),
            class: Dict::new(),
            reasons: StringBuilder::new(),
            drivers: drivers.then(StringBuilder::new),
            labels: list_builder(),
            alerts: list_builder(),
            rules: list_builder(),
            manual: Int64Builder::new(),
            error: StringBuilder::new(),
            district: Dict::new(),
            industry: Dict::new(),
            detail: Detail::default(),
        }
    }

    /// Appends one stored row.
    fn push(
        &mut self,
        r: &rusqlite::Row<'_>,
        texts: &TextTable,
    ) -> std::result::Result<(), RowFail> {
        let id = r.get_ref(0)?.as_str()?;
        self.id.append_value(id);
        let key = |k: Option<i64>| k.map(|k| k as u64);
        self.class.append(key(r.get(1)?), texts)?;
        let score: Option<f64> = r.get(2)?;
        let base: Option<f64> = r.get(3)?;
        self.score.append_option(score);
        self.model.append(key(r.get(4)?), texts)?;
        self.district.append(key(Some(r.get(5)?)), texts)?;
        self.industry.append(key(Some(r.get(6)?)), texts)?;
        self.manual.append_option(r.get::<_, Option<i64>>(7)?);
        let blob = r.get_ref(8)?.as_blob()?;
        decode_detail_into(blob, texts, self.drivers.is_some(), &mut self.detail)?;
        let detail = &self.detail;
        self.base_score.append_option(if detail.base_missing {
            None
        } else {
            base.or(score)
        });
        self.reasons.append_value(&detail.reasons);
        if let Some(d) = &mut self.drivers {
            d.append_value(&detail.drivers);
        }
        for (list, keys) in [
            (&mut self.labels, &detail.labels),
            (&mut self.alerts, &detail.alerts),
            (&mut self.rules, &detail.rules),
        ] {
            for &k in keys {
                list.values().append_value(texts.get(k)?);
            }
            list.append(true);
        }
        self.error.append_option(detail.error.as_deref());
        Ok(())
    }

    fn finish(mut self) -> ResultColumns {
        ResultColumns {
            id: self.id.finish(),
            model: self.model.finish(),
            score: self.score.finish(),
            base_score: self.base_score.finish(),
            class: self.class.finish(),
            reasons: self.reasons.finish(),
            drivers: self.drivers.as_mut().map(StringBuilder::finish),
            labels: self.labels.finish(),
            alerts: self.alerts.finish(),
            rules: self.rules.finish(),
            manual: self.manual.finish(),
            error: self.error.finish(),
            district: self.district.finish(),
            industry: self.industry.finish(),
        }
    }
}

/// Why a row could not be appended.
enum RowFail {
    Sql(rusqlite::Error),
    Damage(Damage),
}

impl From<rusqlite::Error> for RowFail {
    fn from(e: rusqlite::Error) -> Self {
        RowFail::Sql(e)
    }
}

impl From<rusqlite::types::FromSqlError> for RowFail {
    fn from(e: rusqlite::types::FromSqlError) -> Self {
        RowFail::Sql(e.into())
    }
}

impl From<Damage> for RowFail {
    fn from(d: Damage) -> Self {
        RowFail::Damage(d)
    }
}

impl ResultColumns {
    /// Number of rows.
    pub fn len(&self) -> usize {
        arrow_array::Array::len(&self.id)
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Store {
    /// The results of `period` as Arrow columns, in id order (empty when the
    /// store has no run of it).
    ///
    /// ```
    /// use riskgrade_store::{NewRun, ResultRow, Store};
    /// let mut store = Store::in_memory()?;
    /// let p = "2026-10".parse()?;
    /// let mut run = store.begin_run(NewRun::new(p, "2026-10-31".parse()?, "v1", ["A", "B"]))?;
    /// run.insert(&ResultRow::graded("E1", "general", 120.0, "A"))?;
    /// run.commit()?;
    /// let cols = store.result_columns(p)?;
    /// use arrow_array::ArrayAccessor;
    /// let classes = cols.class.downcast_dict::<arrow_array::StringArray>().unwrap();
    /// assert_eq!((cols.len(), classes.value(0)), (1, "A"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// SQLite errors or an unreadable row.
    pub fn result_columns(&self, period: Month) -> Result<ResultColumns> {
        self.read_columns(period, false)
    }

    /// [`Store::result_columns`] with the drivers rendered as text (`index:points …`).
    ///
    /// # Errors
    /// SQLite errors or an unreadable row.
    pub fn result_columns_with_drivers(&self, period: Month) -> Result<ResultColumns> {
        self.read_columns(period, true)
    }

    fn read_columns(&self, period: Month, drivers: bool) -> Result<ResultColumns> {
        self.read_columns_in_parts(period, drivers, 250_000)
    }

    /// Reads a period of more than `part_rows` rows in parts of at least that many, in
    /// parallel (a store in a file, on more than one core).
    pub(crate) fn read_columns_in_parts(
        &self,
        period: Month,
        drivers: bool,
        part_rows: i64,
    ) -> Result<ResultColumns> {
        let texts = self.texts()?;
        let bounds = self.split_ids(period, part_rows)?;
        if bounds.is_empty() {
            return read_part(
                &self.conn,
                &self.file,
                period,
                drivers,
                (None, None),
                &texts,
            );
        }
        // Parts of the id range, each read on its own read-only connection, in parallel.
        let ranges: Vec<(Option<&str>, Option<&str>)> = std::iter::once(None)
            .chain(bounds.iter().map(|b| Some(b.as_str())))
            .zip(
                bounds
                    .iter()
                    .map(|b| Some(b.as_str()))
                    .chain(std::iter::once(None)),
            )
            .collect();
        let file = self.file.as_path();
        let parts: Vec<Result<ResultColumns>> = std::thread::scope(|scope| {
            let handles: Vec<_> = ranges
                .iter()
                .map(|&range| {
                    let texts = &texts;
                    scope.spawn(move || {
                        let conn = crate::open::read_only_connection(file, false)?;
                        read_part(&conn, file, period, drivers, range, texts)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(self.corrupt("result_rows", period, "detail", "a reader stopped"))
                    })
                })
                .collect()
        });
        let parts = parts.into_iter().collect::<Result<Vec<_>>>()?;
        concat_parts(&parts).map_err(|e| {
            self.corrupt(
                "result_rows",
                period,
                "detail",
                &format!("joining the parts: {e}"),
            )
        })
    }

    /// The ids that split a large period into parts read in parallel (none for a small
    /// period, a store in memory, or one core).
    fn split_ids(&self, period: Month, part_rows: i64) -> Result<Vec<String>> {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        if self.file.as_os_str() == ":memory:" || cores < 2 {
            return Ok(Vec::new());
        }
        let ctx = format!("counting the results of {period}");
        let key = period_key(period);
        let n: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM result_rows WHERE period = ?1",
                [key],
                |r| r.get(0),
            )
            .map_err(|e| self.sql(&ctx, e))?;
        let parts = (n / part_rows.max(1)).min(i64::try_from(cores.min(4)).unwrap_or(1));
        let mut bounds = Vec::new();
        for k in 1..parts {
            let id: String = self
                .conn
                .query_row(
                    "SELECT id FROM result_rows WHERE period = ?1 ORDER BY id LIMIT 1 OFFSET ?2",
                    rusqlite::params![key, n * k / parts],
                    |r| r.get(0),
                )
                .map_err(|e| self.sql(&ctx, e))?;
            bounds.push(id);
        }
        Ok(bounds)
    }
}

/// The rows of `period` with `from <= id < to` (either end open), read on `conn`.
fn read_part(
    conn: &rusqlite::Connection,
    file: &std::path::Path,
    period: Month,
    drivers: bool,
    (from, to): (Option<&str>, Option<&str>),
    texts: &TextTable,
) -> Result<ResultColumns> {
    let ctx = format!("reading the results of {period}");
    let mut query = format!(
        "SELECT {} FROM result_rows WHERE period = ?1",
        crate::results::ROW_COLUMNS
    );
    let mut args: Vec<rusqlite::types::Value> = vec![period_key(period).into()];
    for (bound, op) in [(from, ">="), (to, "<")] {
        if let Some(b) = bound {
            args.push(b.to_string().into());
            query.push_str(&format!(" AND id {op} ?{}", args.len()));
        }
    }
    query.push_str(" ORDER BY id");
    let mut stmt = conn.prepare(&query).map_err(|e| sql(file, &ctx, e))?;
    let mut rows = stmt
        .query(rusqlite::params_from_iter(args))
        .map_err(|e| sql(file, &ctx, e))?;
    let mut b = Builders::new(drivers);
    while let Some(r) = rows.next().map_err(|e| sql(file, &ctx, e))? {
        match b.push(r, texts) {
            Ok(()) => {}
            Err(RowFail::Sql(e)) => return Err(sql(file, &ctx, e)),
            Err(RowFail::Damage(d)) => {
                let id: String = r.get(0).unwrap_or_default();
                return Err(crate::StoreError::Corrupt {
                    file: file.to_path_buf(),
                    table: "result_rows",
                    row: format!("{id} in {period}"),
                    column: "detail",
                    value: format!("{d:?}"),
                });
            }
        }
    }
    Ok(b.finish())
}

/// An SQLite error while reading `file`.
fn sql(file: &std::path::Path, context: &str, source: rusqlite::Error) -> crate::StoreError {
    crate::StoreError::Sqlite {
        file: file.to_path_buf(),
        context: context.to_string(),
        source,
    }
}

/// Dictionary arrays one after the other, with one dictionary: each distinct value once (as
/// pandas and polars require of a categorical), the keys renumbered.
fn concat_dicts<'a>(
    parts: impl Iterator<Item = &'a DictionaryArray<Int32Type>>,
) -> std::result::Result<DictionaryArray<Int32Type>, ArrowError> {
    let mut index: std::collections::HashMap<String, i32> = std::collections::HashMap::new();
    let mut values = StringBuilder::new();
    let mut keys = Int32Builder::new();
    for part in parts {
        let dict = part
            .values()
            .as_any()
            .downcast_ref::<StringArray>()
            .ok_or_else(|| ArrowError::CastError("dictionary values are not text".into()))?;
        let local: Vec<i32> = (0..dict.len())
            .map(|i| {
                let v = dict.value(i);
                let next = i32::try_from(index.len()).unwrap_or(i32::MAX);
                *index.entry(v.to_string()).or_insert_with(|| {
                    values.append_value(v);
                    next
                })
            })
            .collect();
        for k in part.keys() {
            match k {
                Some(k) => keys.append_value(local[usize::try_from(k).unwrap_or(0)]),
                None => keys.append_null(),
            }
        }
    }
    DictionaryArray::try_new(keys.finish(), Arc::new(values.finish()))
}

/// The parts of a period, one after the other.
fn concat_parts(parts: &[ResultColumns]) -> std::result::Result<ResultColumns, ArrowError> {
    fn cat<T: Clone + 'static>(
        parts: &[ResultColumns],
        f: impl Fn(&ResultColumns) -> &dyn Array,
    ) -> std::result::Result<T, ArrowError> {
        cat_arrays(&parts.iter().map(f).collect::<Vec<_>>())
    }
    fn cat_arrays<T: Clone + 'static>(arrays: &[&dyn Array]) -> std::result::Result<T, ArrowError> {
        let joined = arrow_select::concat::concat(arrays)?;
        joined
            .as_any()
            .downcast_ref::<T>()
            .cloned()
            .ok_or_else(|| ArrowError::CastError("unexpected array type".into()))
    }
    // Every part was read with drivers, or none was.
    let drivers = parts
        .iter()
        .map(|p| p.drivers.as_ref().map(|d| d as &dyn Array))
        .collect::<Option<Vec<_>>>()
        .map(|d| cat_arrays(&d))
        .transpose()?;
    Ok(ResultColumns {
        id: cat(parts, |p| &p.id)?,
        model: concat_dicts(parts.iter().map(|p| &p.model))?,
        score: cat(parts, |p| &p.score)?,
        base_score: cat(parts, |p| &p.base_score)?,
        class: concat_dicts(parts.iter().map(|p| &p.class))?,
        reasons: cat(parts, |p| &p.reasons)?,
        drivers,
        labels: cat(parts, |p| &p.labels)?,
        alerts: cat(parts, |p| &p.alerts)?,
        rules: cat(parts, |p| &p.rules)?,
        manual: cat(parts, |p| &p.manual)?,
        error: cat(parts, |p| &p.error)?,
        district: concat_dicts(parts.iter().map(|p| &p.district))?,
        industry: concat_dicts(parts.iter().map(|p| &p.industry))?,
    })
}
