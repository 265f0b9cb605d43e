//! One cell of an [`OutData`] column as CSV or JSON text: the same text
//! whichever form the column holds (plain vectors, Arrow arrays, dictionaries).

use arrow_array::cast::AsArray;
use arrow_array::{Array, DictionaryArray, ListArray, StringArray, types::Int32Type};

use crate::format;
use crate::table::OutData;

/// The text of row `r` of a dictionary column (`None` when missing).
fn dict_value(a: &DictionaryArray<Int32Type>, r: usize) -> Option<&str> {
    let keys = a.keys();
    if !keys.is_valid(r) {
        return None;
    }
    let values = a.values().as_string_opt::<i32>()?;
    let k = usize::try_from(keys.value(r)).ok()?;
    (k < values.len() && values.is_valid(k)).then(|| values.value(k))
}

/// The texts of row `r` of a list column, without building an array per row.
fn list_items(a: &ListArray, r: usize) -> impl Iterator<Item = &str> {
    let offsets = a.value_offsets();
    let (start, end) = if a.is_valid(r) {
        (offsets[r] as usize, offsets[r + 1] as usize)
    } else {
        (0, 0)
    };
    let values: Option<&StringArray> = a.values().as_string_opt::<i32>();
    (start..end).filter_map(move |i| values.filter(|v| v.is_valid(i)).map(|v| v.value(i)))
}

/// The text of row `r` when the column holds text (`None`: missing, or not text).
fn text_of(data: &OutData, r: usize) -> Option<&str> {
    match data {
        OutData::Text(v) => v[r].as_deref(),
        OutData::Utf8(a) => a.is_valid(r).then(|| a.value(r)),
        OutData::Dictionary(a) => dict_value(a, r),
        _ => None,
    }
}

/// Writes row `r` of `data` as a CSV field (see [`crate::write_table`]).
pub(crate) fn csv_cell(buf: &mut Vec<u8>, data: &OutData, r: usize) {
    match data {
        OutData::Text(_) | OutData::Utf8(_) | OutData::Dictionary(_) => {
            if let Some(s) = text_of(data, r) {
                format::csv_text(buf, s);
            }
        }
        OutData::Number(v) => v[r].into_iter().for_each(|x| format::csv_number(buf, x)),
        OutData::Float64(a) => {
            if a.is_valid(r) {
                format::csv_number(buf, a.value(r));
            }
        }
        OutData::Integer(v) => v[r].into_iter().for_each(|x| format::integer(buf, x)),
        OutData::Bool(v) => match v[r] {
            Some(true) => buf.extend_from_slice(b"true"),
            Some(false) => buf.extend_from_slice(b"false"),
            None => {}
        },
        OutData::List(v) => csv_list(buf, v[r].iter().map(String::as_str)),
        OutData::Lists(a) => csv_list(buf, list_items(a, r)),
    }
}

/// A list as a CSV field: a JSON array of strings, quoted as text.
fn csv_list<'a>(buf: &mut Vec<u8>, items: impl IntoIterator<Item = &'a str>) {
    let mut json = Vec::with_capacity(32);
    format::json_list(&mut json, items);
    // JSON text is UTF-8, and has no control character left.
    format::csv_text(buf, &String::from_utf8_lossy(&json));
}

/// Writes row `r` of `data` as a JSON value (`null` when missing).
pub(crate) fn json_cell(buf: &mut Vec<u8>, data: &OutData, r: usize) {
    match data {
        OutData::Text(_) | OutData::Utf8(_) | OutData::Dictionary(_) => match text_of(data, r) {
            Some(s) => format::json_string(buf, s),
            None => buf.extend_from_slice(b"null"),
        },
        OutData::Number(v) => match v[r] {
            Some(x) => format::json_number(buf, x),
            None => buf.extend_from_slice(b"null"),
        },
        OutData::Float64(a) => {
            if a.is_valid(r) {
                format::json_number(buf, a.value(r));
            } else {
                buf.extend_from_slice(b"null");
            }
        }
        OutData::Integer(v) => match v[r] {
            Some(x) => format::integer(buf, x),
            None => buf.extend_from_slice(b"null"),
        },
        OutData::Bool(v) => buf.extend_from_slice(match v[r] {
            Some(true) => b"true",
            Some(false) => b"false",
            None => b"null",
        }),
        OutData::List(v) => format::json_list(buf, v[r].iter().map(String::as_str)),
        OutData::Lists(a) => format::json_list(buf, list_items(a, r)),
    }
}
