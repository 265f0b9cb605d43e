//! A period's results kept as blocks: up to [`BLOCK_ROWS`] rows in id order
//! in one blob of `result_blocks`, rather than one SQLite row per enterprise.
//! A month of millions of enterprises is then some ten thousand blobs written
//! and read whole; one enterprise is found through the blocks' first ids.
//!
//! A block's blob is the number of its rows (varint), then each row:
//!
//! | field | coding |
//! |---|---|
//! | id | the number of leading bytes it shares with the previous row's id (varint), then the rest (varint length, bytes) |
//! | flags | one byte: which fields below are present, and how the scores are coded |
//! | class | text key (varint), when present |
//! | score | ten-thousandths (zigzag varint) when that gives back the same `f64` bit for bit, else its 8 bytes |
//! | score before rules | the same, when present (missing: the same as the score, see [`RawRow`]) |
//! | model | text key (varint), when present |
//! | district, industry | text keys (varint) |
//! | manual | the decision's number (zigzag varint), when present |
//! | detail | length (varint), then the blob of `codec.rs` |

use rusqlite::{Connection, params};

use crate::codec::{Damage, Reader, put_varint};
use crate::results::RawRow;

/// Rows per block. One enterprise's lookup reads one block, so a block stays a few
/// kilobytes (two or three pages of SQLite at about 60 bytes a row) while a month of
/// millions of enterprises is still read whole as some ten thousand blobs.
pub(crate) const BLOCK_ROWS: usize = 128;

const CLASS: u8 = 1;
const SCORE: u8 = 1 << 1;
const BASE: u8 = 1 << 2;
const MODEL: u8 = 1 << 3;
const MANUAL: u8 = 1 << 4;
/// The score is stored as its 8 bytes (not as ten-thousandths).
const SCORE_BITS: u8 = 1 << 5;
/// The score before rules is stored as its 8 bytes.
const BASE_BITS: u8 = 1 << 6;

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// `x` as a whole number of ten-thousandths, when that reads back as the same bits.
fn ten_thousandths(x: f64) -> Option<i64> {
    let k = (x * 1e4).round();
    if k.is_nan() || k.abs() >= 9.0e15 {
        return None;
    }
    let k = k as i64;
    (number_of(k).to_bits() == x.to_bits()).then_some(k)
}

fn number_of(ten_thousandths: i64) -> f64 {
    ten_thousandths as f64 / 1e4
}

/// Appends `x` (as ten-thousandths or raw bits); returns whether it went raw.
fn put_score(out: &mut Vec<u8>, x: f64) -> bool {
    match ten_thousandths(x) {
        Some(k) => {
            put_varint(out, zigzag(k));
            false
        }
        None => {
            out.extend_from_slice(&x.to_bits().to_le_bytes());
            true
        }
    }
}

fn read_score(r: &mut Reader<'_>, raw: bool) -> Result<f64, Damage> {
    if raw {
        let b = r.bytes(8)?;
        let bits = u64::from_le_bytes(b.try_into().map_err(|_| Damage::Truncated)?);
        Ok(f64::from_bits(bits))
    } else {
        Ok(number_of(unzigzag(r.varint()?)))
    }
}

/// A text key as stored in a row (keys are never negative).
fn key_of(k: i64) -> u64 {
    k as u64
}

/// A block being filled, row by row, in id order.
#[derive(Debug, Default)]
pub(crate) struct BlockBuilder {
    body: Vec<u8>,
    rows: u64,
    first: String,
    /// The last id pushed (kept after [`BlockBuilder::finish`], for the writer's order check).
    last: String,
    pushed: bool,
}

/// A finished block, ready to be written.
#[derive(Debug)]
pub(crate) struct Block {
    pub first: String,
    pub last: String,
    pub rows: u64,
    pub data: Vec<u8>,
}

impl BlockBuilder {
    /// Appends `raw`, whose id must be greater than the last one pushed.
    pub(crate) fn push(&mut self, raw: &RawRow) {
        let out = &mut self.body;
        let shared = if self.rows == 0 {
            0
        } else {
            self.last
                .bytes()
                .zip(raw.id.bytes())
                .take_while(|(a, b)| a == b)
                .count()
        };
        let rest = &raw.id.as_bytes()[shared..];
        put_varint(out, shared as u64);
        put_varint(out, rest.len() as u64);
        out.extend_from_slice(rest);
        let at = out.len();
        out.push(0);
        let mut flags = 0u8;
        if let Some(c) = raw.class {
            flags |= CLASS;
            put_varint(out, key_of(c));
        }
        if let Some(s) = raw.score {
            flags |= SCORE;
            if put_score(out, s) {
                flags |= SCORE_BITS;
            }
        }
        if let Some(b) = raw.base_score {
            flags |= BASE;
            if put_score(out, b) {
                flags |= BASE_BITS;
            }
        }
        if let Some(m) = raw.model {
            flags |= MODEL;
            put_varint(out, key_of(m));
        }
        put_varint(out, key_of(raw.district));
        put_varint(out, key_of(raw.industry));
        if let Some(m) = raw.manual {
            flags |= MANUAL;
            put_varint(out, zigzag(m));
        }
        put_varint(out, raw.detail.len() as u64);
        out.extend_from_slice(&raw.detail);
        out[at] = flags;
        if self.rows == 0 {
            self.first.clear();
            self.first.push_str(&raw.id);
        }
        self.last.clear();
        self.last.push_str(&raw.id);
        self.rows += 1;
        self.pushed = true;
    }

    /// Rows in the block being filled.
    pub(crate) fn len(&self) -> usize {
        usize::try_from(self.rows).unwrap_or(usize::MAX)
    }

    /// The last id pushed, in this block or one finished before.
    pub(crate) fn last(&self) -> Option<&str> {
        self.pushed.then_some(self.last.as_str())
    }

    /// The block filled so far (`None` when empty); the builder starts a new one.
    pub(crate) fn finish(&mut self) -> Option<Block> {
        if self.rows == 0 {
            return None;
        }
        let mut data = Vec::with_capacity(self.body.len() + 4);
        put_varint(&mut data, self.rows);
        data.extend_from_slice(&self.body);
        self.body.clear();
        let rows = std::mem::take(&mut self.rows);
        Some(Block {
            first: std::mem::take(&mut self.first),
            last: self.last.clone(),
            rows,
            data,
        })
    }
}

/// Writes `block` as block `seq` of `period`.
pub(crate) fn write_block(
    conn: &Connection,
    period: i64,
    seq: i64,
    block: &Block,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO result_blocks (period, seq, first_id, last_id, rows, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        period,
        seq,
        block.first,
        block.last,
        i64::try_from(block.rows).unwrap_or(i64::MAX),
        block.data
    ])?;
    Ok(())
}

/// One stored row, borrowed from its block.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RowView<'b> {
    pub id: &'b str,
    pub class: Option<u64>,
    pub score: Option<f64>,
    pub base_score: Option<f64>,
    pub model: Option<u64>,
    pub district: u64,
    pub industry: u64,
    pub manual: Option<i64>,
    pub detail: &'b [u8],
}

impl RowView<'_> {
    /// The row, owned.
    pub(crate) fn to_raw(self) -> RawRow {
        let key = |k: u64| k as i64;
        RawRow {
            id: self.id.to_string(),
            class: self.class.map(key),
            score: self.score,
            base_score: self.base_score,
            model: self.model.map(key),
            district: key(self.district),
            industry: key(self.industry),
            manual: self.manual,
            detail: self.detail.to_vec(),
        }
    }
}

/// Where a [`BlockReader`] stands between two rows: the byte offset, the rows left
/// and the last id read (the next row's id shares a prefix with it).
#[derive(Debug, Clone, Default)]
pub(crate) struct Mark {
    at: usize,
    left: u64,
    /// The id of the last row read.
    pub(crate) id: Vec<u8>,
}

/// Reads a block's rows in order.
pub(crate) struct BlockReader<'a> {
    r: Reader<'a>,
    left: u64,
    id: Vec<u8>,
}

impl<'a> BlockReader<'a> {
    pub(crate) fn new(blob: &'a [u8]) -> Result<Self, Damage> {
        let mut r = Reader::new(blob);
        let left = r.varint()?;
        Ok(BlockReader {
            r,
            left,
            id: Vec::new(),
        })
    }

    /// Where the reader stands, copied into `mark` (whose buffer is reused).
    pub(crate) fn mark_into(&self, mark: &mut Mark) {
        mark.at = self.r.offset();
        mark.left = self.left;
        mark.id.clear();
        mark.id.extend_from_slice(&self.id);
    }

    /// A reader of `blob` standing where `mark` was taken (by a reader of the same blob).
    pub(crate) fn resume(blob: &'a [u8], mark: &Mark) -> Self {
        BlockReader {
            r: Reader::at(blob, mark.at),
            left: mark.left,
            id: mark.id.clone(),
        }
    }

    /// The next row, or `None` after the last (a block with bytes past its last row is damaged).
    pub(crate) fn next_row(&mut self) -> Result<Option<RowView<'_>>, Damage> {
        if self.left == 0 {
            return if self.r.is_done() {
                Ok(None)
            } else {
                Err(Damage::Truncated)
            };
        }
        self.left -= 1;
        let r = &mut self.r;
        let shared = usize::try_from(r.varint()?).map_err(|_| Damage::Truncated)?;
        if shared > self.id.len() {
            return Err(Damage::Truncated);
        }
        self.id.truncate(shared);
        let len = r.varint()?;
        self.id.extend_from_slice(r.bytes(len)?);
        let flags = r.byte()?;
        let has = |bit: u8| flags & bit != 0;
        let class = if has(CLASS) { Some(r.varint()?) } else { None };
        let score = if has(SCORE) {
            Some(read_score(r, has(SCORE_BITS))?)
        } else {
            None
        };
        let base_score = if has(BASE) {
            Some(read_score(r, has(BASE_BITS))?)
        } else {
            None
        };
        let model = if has(MODEL) { Some(r.varint()?) } else { None };
        let district = r.varint()?;
        let industry = r.varint()?;
        let manual = if has(MANUAL) {
            Some(unzigzag(r.varint()?))
        } else {
            None
        };
        let len = r.varint()?;
        let detail = r.bytes(len)?;
        let id = std::str::from_utf8(&self.id).map_err(|_| Damage::Truncated)?;
        Ok(Some(RowView {
            id,
            class,
            score,
            base_score,
            model,
            district,
            industry,
            manual,
            detail,
        }))
    }

    /// Every row of the block, owned.
    pub(crate) fn all(mut self) -> Result<Vec<RawRow>, Damage> {
        let mut out = Vec::with_capacity(usize::try_from(self.left).unwrap_or(0).min(1 << 16));
        while let Some(v) = self.next_row()? {
            out.push(v.to_raw());
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn raw_row() -> impl Strategy<Value = RawRow> {
        let opt_f = proptest::option::of(prop_oneof![
            any::<f64>(),
            (-10_000_000i64..10_000_000).prop_map(|k| k as f64 / 1e4),
            Just(-0.0),
            Just(f64::NAN),
        ]);
        (
            "[A-Za-z0-9\u{4e00}-\u{4e10}]{0,12}",
            proptest::option::of(0i64..1 << 40),
            opt_f.clone(),
            opt_f,
            proptest::option::of(0i64..300),
            (0i64..100_000, 0i64..100_000),
            proptest::option::of(any::<i64>()),
            proptest::collection::vec(any::<u8>(), 0..40),
        )
            .prop_map(
                |(id, class, score, base_score, model, (district, industry), manual, detail)| {
                    RawRow {
                        id,
                        class,
                        score,
                        base_score,
                        model,
                        district,
                        industry,
                        manual,
                        detail,
                    }
                },
            )
    }

    fn same(a: &RawRow, b: &RawRow) -> bool {
        let bits = |x: Option<f64>| x.map(f64::to_bits);
        a.id == b.id
            && a.class == b.class
            && bits(a.score) == bits(b.score)
            && bits(a.base_score) == bits(b.base_score)
            && a.model == b.model
            && a.district == b.district
            && a.industry == b.industry
            && a.manual == b.manual
            && a.detail == b.detail
    }

    proptest! {
        /// Any rows in id order, cut into blocks anywhere, read back bit for bit.
        #[test]
        fn rows_read_back_from_their_blocks_bit_for_bit(
            mut rows in proptest::collection::vec(raw_row(), 0..60),
            per_block in 1usize..20,
        ) {
            rows.sort_by(|a, b| a.id.cmp(&b.id));
            rows.dedup_by(|a, b| a.id == b.id);
            let mut b = BlockBuilder::default();
            let mut blocks = Vec::new();
            for r in &rows {
                b.push(r);
                if b.len() == per_block {
                    blocks.extend(b.finish());
                }
            }
            blocks.extend(b.finish());
            let mut back = Vec::new();
            for block in &blocks {
                let read = BlockReader::new(&block.data).expect("header").all().expect("rows");
                prop_assert_eq!(read.len() as u64, block.rows);
                prop_assert_eq!(&read[0].id, &block.first);
                prop_assert_eq!(&read[read.len() - 1].id, &block.last);
                back.extend(read);
            }
            prop_assert_eq!(back.len(), rows.len());
            for (a, b) in back.iter().zip(&rows) {
                prop_assert!(same(a, b), "{a:?} != {b:?}");
            }
        }

        /// A block cut short anywhere is reported as damaged.
        #[test]
        fn a_cut_block_is_damaged(rows in proptest::collection::vec(raw_row(), 1..10), cut in 1usize..200) {
            let mut rows = rows;
            rows.sort_by(|a, b| a.id.cmp(&b.id));
            rows.dedup_by(|a, b| a.id == b.id);
            let mut b = BlockBuilder::default();
            for r in &rows {
                b.push(r);
            }
            let block = b.finish().expect("rows");
            let keep = block.data.len().saturating_sub(cut);
            let read = BlockReader::new(&block.data[..keep]).and_then(BlockReader::all);
            prop_assert!(read.is_err());
        }
    }

    #[test]
    fn scores_are_stored_short_when_exact() {
        assert_eq!(ten_thousandths(734.56), Some(7_345_600));
        assert_eq!(ten_thousandths(-0.0), None, "-0 keeps its sign as raw bits");
        assert_eq!(ten_thousandths(f64::NAN), None);
        assert_eq!(ten_thousandths(0.1 + 0.2), None);
        assert_eq!(ten_thousandths(1e300), None);
    }
}
