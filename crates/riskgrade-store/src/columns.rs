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
use arrow_array::{DictionaryArray, Float64Array, Int64Array, ListArray, StringArray};
use arrow_schema::Field;
use riskgrade_core::Month;

use crate::codec::{Damage, decode_detail, decode_detail_without_drivers, period_key};
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
        let detail = if self.drivers.is_some() {
            decode_detail(blob, texts)?
        } else {
            decode_detail_without_drivers(blob, texts)?
        };
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
        let texts = self.texts()?;
        let ctx = format!("reading the results of {period}");
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {} FROM result_rows WHERE period = ?1 ORDER BY id",
                crate::results::ROW_COLUMNS
            ))
            .map_err(|e| self.sql(&ctx, e))?;
        let mut rows = stmt
            .query([period_key(period)])
            .map_err(|e| self.sql(&ctx, e))?;
        let mut b = Builders::new(drivers);
        while let Some(r) = rows.next().map_err(|e| self.sql(&ctx, e))? {
            match b.push(r, &texts) {
                Ok(()) => {}
                Err(RowFail::Sql(e)) => return Err(self.sql(&ctx, e)),
                Err(RowFail::Damage(d)) => {
                    let id: String = r.get(0).unwrap_or_default();
                    return Err(self.corrupt(
                        "result_rows",
                        format_args!("{id} in {period}"),
                        "detail",
                        &format!("{d:?}"),
                    ));
                }
            }
        }
        Ok(b.finish())
    }
}
