//! A period's results as Arrow columns, read in one pass: no row struct, no
//! string per repeated text. Classes, models, districts and industries are
//! dictionary columns whose keys come straight from the store's text keys; list
//! items are copied from the store's text table into the arrays; drivers are
//! rendered only when asked for.

use std::fmt::Write as _;
use std::sync::Arc;

use arrow_array::builder::{
    Float64Builder, Int32Builder, Int64Builder, ListBuilder, StringBuilder,
};
use arrow_array::types::Int32Type;
use arrow_array::{Array, DictionaryArray, Float64Array, Int64Array, ListArray, StringArray};
use arrow_schema::{ArrowError, Field};
use riskgrade_core::Month;

use rayon::prelude::*;

use crate::blocks::{BLOCK_ROWS, BlockReader, RowView};
use crate::codec::{Damage, Detail, TextOut, decode_detail_with, period_key};
use crate::texts::TextTable;
use crate::{Result, Store};

/// A period is decoded in parallel parts of at least this many rows.
const PART_ROWS: u64 = 250_000;

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
        // A key the table does not span is damage, found before anything grows to hold it.
        let k = usize::try_from(key)
            .ok()
            .filter(|&k| k < texts.span())
            .ok_or(Damage::UnknownText(key))?;
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

impl TextOut for StringBuilder {
    fn push_str(&mut self, s: &str) {
        // Appends to the value being built; `append_value` closes it.
        self.write_str(s).unwrap_or_default();
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

fn list_builder(rows: usize) -> ListBuilder<StringBuilder> {
    ListBuilder::with_capacity(StringBuilder::with_capacity(rows, rows * 8), rows).with_field(
        Arc::new(Field::new_list_field(arrow_schema::DataType::Utf8, false)),
    )
}

impl Dict {
    fn with_capacity(rows: usize) -> Dict {
        Dict {
            keys: Int32Builder::with_capacity(rows),
            ..Dict::new()
        }
    }
}

impl Builders {
    /// Builders for about `rows` rows: reserved once rather than grown and copied (memory
    /// reserved but never written is never touched).
    fn new(drivers: bool, rows: usize) -> Self {
        let text = |bytes_per_row: usize| StringBuilder::with_capacity(rows, rows * bytes_per_row);
        Builders {
            id: text(24),
            model: Dict::with_capacity(rows),
            score: Float64Builder::with_capacity(rows),
            base_score: Float64Builder::with_capacity(rows),
            class: Dict::with_capacity(rows),
            reasons: text(160),
            drivers: drivers.then(|| text(160)),
            labels: list_builder(rows),
            alerts: list_builder(rows),
            rules: list_builder(rows),
            manual: Int64Builder::with_capacity(rows),
            error: text(0),
            district: Dict::with_capacity(rows),
            industry: Dict::with_capacity(rows),
            detail: Detail::default(),
        }
    }

    /// Appends one stored row.
    fn push(&mut self, r: RowView<'_>, texts: &TextTable) -> std::result::Result<(), Damage> {
        self.id.append_value(r.id);
        self.class.append(r.class, texts)?;
        self.score.append_option(r.score);
        self.model.append(r.model, texts)?;
        self.district.append(Some(r.district), texts)?;
        self.industry.append(Some(r.industry), texts)?;
        self.manual.append_option(r.manual);
        // The reasons are rendered straight into their column, then the value closed.
        let drivers = self.drivers.is_some();
        decode_detail_with(
            r.detail,
            texts,
            drivers,
            &mut self.detail,
            &mut self.reasons,
        )?;
        self.reasons.append_value("");
        let detail = &self.detail;
        self.base_score.append_option(if detail.base_missing {
            None
        } else {
            r.base_score.or(r.score)
        });
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
        self.read_columns_in_parts(period, drivers, PART_ROWS)
    }

    /// The results of `period` as consecutive parts of Arrow columns (in id order
    /// within and across them), decoded in parallel and not joined: a caller that
    /// takes chunks (an Arrow table of several record batches) saves joining them. The
    /// dictionary columns of every part share one dictionary, each distinct value once.
    ///
    /// ```
    /// use riskgrade_store::{NewRun, ResultRow, Store};
    /// let mut store = Store::in_memory()?;
    /// let p = "2026-10".parse()?;
    /// let mut run = store.begin_run(NewRun::new(p, "2026-10-31".parse()?, "v1", ["A", "B"]))?;
    /// run.insert(&ResultRow::graded("E1", "general", 120.0, "A"))?;
    /// run.insert(&ResultRow::graded("E2", "general", 480.0, "B"))?;
    /// run.commit()?;
    /// let parts = store.result_column_parts(p)?;
    /// assert_eq!(parts.iter().map(|c| c.len()).sum::<usize>(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// SQLite errors or an unreadable row.
    pub fn result_column_parts(&self, period: Month) -> Result<Vec<ResultColumns>> {
        self.shared_parts(period, PART_ROWS)
    }

    /// [`Store::result_column_parts`] in parts of at least `part_rows` rows.
    pub(crate) fn shared_parts(&self, period: Month, part_rows: u64) -> Result<Vec<ResultColumns>> {
        let parts = self.read_parts(period, false, part_rows)?;
        share_dicts(parts).map_err(|e| {
            self.corrupt(
                "result_blocks",
                period,
                "data",
                &format!("sharing the parts' dictionaries: {e}"),
            )
        })
    }

    /// Reads a period's blocks, then decodes them in parts of at least `part_rows` rows
    /// (one per core, at most four), in parallel, and joins the parts.
    pub(crate) fn read_columns_in_parts(
        &self,
        period: Month,
        drivers: bool,
        part_rows: u64,
    ) -> Result<ResultColumns> {
        let mut read = self.read_parts(period, drivers, part_rows)?;
        if read.len() == 1 {
            return Ok(read.remove(0));
        }
        concat_parts(&read).map_err(|e| {
            self.corrupt(
                "result_blocks",
                period,
                "data",
                &format!("joining the parts: {e}"),
            )
        })
    }

    /// A period's parts, each with its own dictionaries (see [`Store::read_columns_in_parts`]).
    fn read_parts(
        &self,
        period: Month,
        drivers: bool,
        part_rows: u64,
    ) -> Result<Vec<ResultColumns>> {
        let texts = self.texts()?;
        let mut blocks: Vec<(u64, Vec<u8>)> = Vec::new();
        let ctx = format!("reading the results of {period}");
        {
            let mut stmt = self
                .conn
                .prepare_cached(
                    "SELECT rows, data FROM result_blocks WHERE period = ?1 ORDER BY seq",
                )
                .map_err(|e| self.sql(&ctx, e))?;
            let rows = stmt
                .query_map([period_key(period)], |r| {
                    // The count only sizes the parts and builders (the blob holds its own):
                    // a damaged one cannot ask for more than a block holds.
                    let n = u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0);
                    Ok((n.min(BLOCK_ROWS as u64), r.get(1)?))
                })
                .map_err(|e| self.sql(&ctx, e))?;
            for b in rows {
                blocks.push(b.map_err(|e| self.sql(&ctx, e))?);
            }
        }
        let total: u64 = blocks.iter().map(|b| b.0).sum();
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let parts = (total / part_rows.max(1)).clamp(1, cores.clamp(1, 4) as u64);
        // Consecutive blocks, cut where the rows read so far pass each part's share.
        let mut groups: Vec<&[(u64, Vec<u8>)]> = Vec::new();
        let (mut start, mut seen, mut k) = (0, 0u64, 1u64);
        for (i, b) in blocks.iter().enumerate() {
            seen += b.0;
            if k < parts && seen >= total * k / parts {
                groups.push(&blocks[start..=i]);
                start = i + 1;
                k += 1;
            }
        }
        groups.push(&blocks[start..]);
        let file = self.file.as_path();
        let read: Vec<Result<ResultColumns>> = groups
            .par_iter()
            .map(|group| read_part(file, period, drivers, group, &texts))
            .collect();
        read.into_iter().collect()
    }
}

/// The rows of consecutive blocks of `period` (read from `file`), as columns.
fn read_part(
    file: &std::path::Path,
    period: Month,
    drivers: bool,
    blocks: &[(u64, Vec<u8>)],
    texts: &TextTable,
) -> Result<ResultColumns> {
    let damaged = |row: String, d: Damage| crate::StoreError::Corrupt {
        file: file.to_path_buf(),
        table: "result_blocks",
        row,
        column: "data",
        value: format!("{d:?}"),
    };
    // A row takes at least a few bytes: a damaged count cannot reserve more than the blobs hold.
    let rows: u64 = blocks
        .iter()
        .map(|(n, blob)| (*n).min(blob.len() as u64))
        .sum();
    let mut b = Builders::new(drivers, usize::try_from(rows).unwrap_or(0));
    for (_, blob) in blocks {
        let block_damaged = |d| damaged(format!("a block of {period}"), d);
        let mut rows = BlockReader::new(blob).map_err(block_damaged)?;
        while let Some(r) = rows.next_row().map_err(block_damaged)? {
            let id = r.id;
            b.push(r, texts)
                .map_err(|d| damaged(format!("{id} in {period}"), d))?;
        }
    }
    Ok(b.finish())
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

/// The parts with the values of each dictionary column unified: every part's keys
/// renumbered into one dictionary shared by all parts.
fn share_dicts(
    mut parts: Vec<ResultColumns>,
) -> std::result::Result<Vec<ResultColumns>, ArrowError> {
    if parts.len() < 2 {
        return Ok(parts);
    }
    type Field = fn(&mut ResultColumns) -> &mut DictionaryArray<Int32Type>;
    let fields: [Field; 4] = [
        |c| &mut c.model,
        |c| &mut c.class,
        |c| &mut c.district,
        |c| &mut c.industry,
    ];
    for field in fields {
        let joined = concat_dicts(parts.iter_mut().map(|p| &*field(p)))?;
        let values = Arc::clone(joined.values());
        let mut at = 0;
        for p in &mut parts {
            let dict = field(p);
            let keys = joined.keys().slice(at, dict.len());
            at += dict.len();
            *dict = DictionaryArray::try_new(keys, Arc::clone(&values))?;
        }
    }
    Ok(parts)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_key_the_store_lacks_is_damage_however_large() {
        let s = Store::in_memory().expect("store");
        let texts = TextTable::load(&s.conn).expect("texts");
        let mut dict = Dict::new();
        for key in [u64::MAX, 1 << 35, texts.span() as u64] {
            assert_eq!(
                dict.append(Some(key), &texts),
                Err(Damage::UnknownText(key))
            );
        }
        assert!(dict.local.len() <= texts.span());
    }
}
