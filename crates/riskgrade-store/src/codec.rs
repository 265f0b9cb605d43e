//! How a result row's texts are stored: structured codes rendered on read.
//!
//! A stored text (reasons, an error, a change note) is split at its separator
//! into segments; each segment is kept as a *template* (the segment with every
//! number replaced by a placeholder, interned once per store in the `texts`
//! table) and its numbers (as packed decimals). Lists (labels, alerts, rule
//! ids) are lists of interned texts. Drivers are a bitmap of the indicators
//! that drive and, for each, a small code: the position of its points among
//! the points that indicator has had in the store (texts `\u{2}index:points`,
//! numbered per indicator in key order). Decoding renders exactly the text that was encoded, byte for
//! byte, whatever it holds: a segment that cannot be templated is kept raw.
//!
//! A row's `detail` blob starts with a flag byte saying which fields follow:
//!
//! | bit | field |
//! |---|---|
//! | 0 | the score before rules is missing while the score is not |
//! | 1 | reasons (templated, `; `) |
//! | 2 | drivers as a bitmap of indicators and a points code each |
//! | 3 | drivers as raw text |
//! | 4 | labels (list of text keys) |
//! | 5 | alerts (list of text keys) |
//! | 6 | rules (list of text keys) |
//! | 7 | error (templated, `; `) |

use crate::ResultRow;

/// The placeholder of a number in a template.
const HOLE: char = '\u{1}';
/// Key 0 marks a segment kept raw.
const RAW: u64 = 0;
/// A number's code for "the digits follow as text".
const RAW_NUMBER: u64 = 31;
/// At most this many digits in a packed number (10^17 << 5 fits in a u64).
const MAX_DIGITS: usize = 17;

/// Separator of the segments of reasons, errors and change notes.
pub(crate) const TEXT_SEP: &str = "; ";

/// Interns texts: the store key of a text, adding it when new.
pub(crate) trait Intern {
    /// Why a text has no key.
    type Error;
    /// The key of `text`.
    fn key(&mut self, text: &str) -> Result<u64, Self::Error>;
    /// The code of `points` among indicator `index`'s driver points, adding it when new.
    fn driver_code(&mut self, index: usize, points: &str) -> Result<u64, Self::Error>;
}

/// Looks texts up by key.
pub(crate) trait Lookup {
    /// The text of `key`, if known.
    fn text(&self, key: u64) -> Option<&str>;
    /// The points of indicator `index`'s driver code `code`, if known.
    fn driver(&self, index: u64, code: u64) -> Option<&str>;
    /// Text `key` with the byte offsets of its number placeholders (see [`holes`]),
    /// found once when the text was loaded rather than on each read.
    fn template(&self, key: u64) -> Option<(&str, &[u32])>;
}

/// The byte offsets of the number placeholders of a template.
pub(crate) fn holes(text: &str) -> Vec<u32> {
    text.bytes()
        .enumerate()
        .filter(|&(_, b)| b == HOLE as u8)
        .filter_map(|(i, _)| u32::try_from(i).ok())
        .collect()
}

/// The marker of a driver's text: `\u{2}index:points`.
pub(crate) const DRIVER: char = '\u{2}';

/// A driver text as `(index, points)`, when `text` is one.
pub(crate) fn driver_of(text: &str) -> Option<(usize, &str)> {
    let (i, p) = text.strip_prefix(DRIVER)?.split_once(':')?;
    Some((i.parse().ok()?, p))
}

/// Why a stored blob could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Damage {
    /// The blob ends early or holds a bad number.
    Truncated,
    /// A text key that the store does not hold.
    UnknownText(u64),
}

pub(crate) fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// A reader over a blob.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, at: 0 }
    }

    /// A reader of `bytes` from offset `at` (past the end: damage on the first read).
    pub(crate) fn at(bytes: &'a [u8], at: usize) -> Self {
        Reader { bytes, at }
    }

    /// The offset of the next byte to read.
    pub(crate) fn offset(&self) -> usize {
        self.at
    }

    pub(crate) fn varint(&mut self) -> Result<u64, Damage> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *self.bytes.get(self.at).ok_or(Damage::Truncated)?;
            self.at += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Ok(v);
            }
        }
        Err(Damage::Truncated)
    }

    pub(crate) fn byte(&mut self) -> Result<u8, Damage> {
        let b = *self.bytes.get(self.at).ok_or(Damage::Truncated)?;
        self.at += 1;
        Ok(b)
    }

    fn str(&mut self, len: u64) -> Result<&'a str, Damage> {
        std::str::from_utf8(self.bytes(len)?).map_err(|_| Damage::Truncated)
    }

    /// The next `len` bytes.
    pub(crate) fn bytes(&mut self, len: u64) -> Result<&'a [u8], Damage> {
        let len = usize::try_from(len).map_err(|_| Damage::Truncated)?;
        let end = self.at.checked_add(len).ok_or(Damage::Truncated)?;
        let s = self.bytes.get(self.at..end).ok_or(Damage::Truncated)?;
        self.at = end;
        Ok(s)
    }

    /// Whether every byte has been read.
    pub(crate) fn is_done(&self) -> bool {
        self.at == self.bytes.len()
    }
}

/// The number tokens of `s` (byte ranges of `[0-9]+(\.[0-9]+)?`) into `out`, cleared first.
fn numbers_into(s: &str, out: &mut Vec<(usize, usize)>) {
    out.clear();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i + 1 < b.len() && b[i] == b'.' && b[i + 1].is_ascii_digit() {
            i += 1;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
        }
        out.push((start, i));
    }
}

/// Packs a number token: `mantissa << 5 | decimals`, or its text when it does
/// not pack exactly (leading zeros, too many digits).
fn put_number(out: &mut Vec<u8>, token: &str) {
    let (int, frac) = token.split_once('.').unwrap_or((token, ""));
    let canonical = (int.len() == 1 || !int.starts_with('0'))
        && int.len() + frac.len() <= MAX_DIGITS
        && (frac.is_empty() || token.contains('.'));
    // At most 17 digits: the mantissa fits a u64 with room for the 5 bits of decimals.
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if canonical && !int.is_empty() && digits(int) && digits(frac) {
        let mantissa = int
            .bytes()
            .chain(frac.bytes())
            .fold(0u64, |m, b| m * 10 + u64::from(b - b'0'));
        put_varint(out, (mantissa << 5) | frac.len() as u64);
    } else {
        put_varint(out, ((token.len() as u64) << 5) | RAW_NUMBER);
        out.extend_from_slice(token.as_bytes());
    }
}

fn read_number(r: &mut Reader<'_>, out: &mut impl TextOut) -> Result<(), Damage> {
    let v = r.varint()?;
    let code = v & 31;
    if code == RAW_NUMBER {
        out.push_str(r.str(v >> 5)?);
        return Ok(());
    }
    let frac = code as usize;
    // The digits of `v >> 5` (at most 20) and the point, written backwards into a
    // buffer, zero-padded to more than `frac` digits: no allocation per number.
    let mut buf = [b'0'; 56];
    let mut at = buf.len();
    let mut n = v >> 5;
    let mut written = 0;
    loop {
        if frac > 0 && written == frac {
            at -= 1;
            buf[at] = b'.';
        }
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        written += 1;
        if n == 0 && written > frac {
            break;
        }
    }
    // Every byte is an ASCII digit or the point.
    out.push_str(std::str::from_utf8(&buf[at..]).map_err(|_| Damage::Truncated)?);
    Ok(())
}

/// Where decoded text goes: a `String`, or straight into a column being built.
pub(crate) trait TextOut {
    /// Appends `s`.
    fn push_str(&mut self, s: &str);
}

impl TextOut for String {
    fn push_str(&mut self, s: &str) {
        String::push_str(self, s);
    }
}

/// Encodes `text`, split at `sep`, as templated segments.
pub(crate) fn put_text<I: Intern>(
    out: &mut Vec<u8>,
    text: &str,
    sep: &str,
    intern: &mut I,
) -> Result<(), I::Error> {
    if text.is_empty() {
        put_varint(out, 0);
        return Ok(());
    }
    put_varint(out, text.matches(sep).count() as u64 + 1);
    // One template buffer for every segment; numbers found once per segment.
    let mut template = String::new();
    let mut tokens: Vec<(usize, usize)> = Vec::new();
    for seg in text.split(sep) {
        if seg.contains(HOLE) {
            put_varint(out, RAW);
            put_varint(out, seg.len() as u64);
            out.extend_from_slice(seg.as_bytes());
            continue;
        }
        numbers_into(seg, &mut tokens);
        template.clear();
        let mut last = 0;
        for &(a, b) in &tokens {
            template.push_str(&seg[last..a]);
            template.push(HOLE);
            last = b;
        }
        template.push_str(&seg[last..]);
        put_varint(out, intern.key(&template)?);
        for &(a, b) in &tokens {
            put_number(out, &seg[a..b]);
        }
    }
    Ok(())
}

/// Decodes a text written by [`put_text`] with the same `sep`.
pub(crate) fn read_text(
    r: &mut Reader<'_>,
    sep: &str,
    texts: &impl Lookup,
    out: &mut impl TextOut,
) -> Result<(), Damage> {
    let n = r.varint()?;
    for i in 0..n {
        if i > 0 {
            out.push_str(sep);
        }
        let key = r.varint()?;
        if key == RAW {
            let len = r.varint()?;
            out.push_str(r.str(len)?);
            continue;
        }
        let (template, holes) = texts.template(key).ok_or(Damage::UnknownText(key))?;
        let mut at = 0;
        for &h in holes {
            let h = h as usize;
            out.push_str(template.get(at..h).ok_or(Damage::Truncated)?);
            read_number(r, out)?;
            // The placeholder is one byte.
            at = h + 1;
        }
        out.push_str(template.get(at..).ok_or(Damage::Truncated)?);
    }
    Ok(())
}

/// Encodes a list as its items' keys: each item is one interned text, kept
/// exactly (separators, newlines, empty texts and all).
fn put_list<I: Intern>(
    out: &mut Vec<u8>,
    items: &[String],
    intern: &mut I,
) -> Result<(), I::Error> {
    put_varint(out, items.len() as u64);
    for item in items {
        put_varint(out, intern.key(item)?);
    }
    Ok(())
}

/// The keys of a list written by [`put_list`], appended to `keys`.
fn read_list_keys_into(r: &mut Reader<'_>, keys: &mut Vec<u64>) -> Result<(), Damage> {
    let n = r.varint()?;
    for _ in 0..n {
        keys.push(r.varint()?);
    }
    Ok(())
}

fn texts_of(keys: &[u64], texts: &impl Lookup) -> Result<Vec<String>, Damage> {
    keys.iter()
        .map(|&k| {
            texts
                .text(k)
                .map(str::to_string)
                .ok_or(Damage::UnknownText(k))
        })
        .collect()
}

/// Drivers `i:p i:p …` (indexes rising) as a bitmap and codes, when they are so.
fn put_drivers<I: Intern>(
    out: &mut Vec<u8>,
    drivers: &str,
    intern: &mut I,
) -> Result<bool, I::Error> {
    let mut pairs: Vec<(usize, &str)> = Vec::with_capacity(drivers.len() / 6 + 1);
    for item in drivers.split(' ') {
        let Some(colon) = item.bytes().position(|b| b == b':') else {
            return Ok(false);
        };
        let (i, p) = (&item[..colon], &item[colon + 1..]);
        let canonical = !i.is_empty()
            && (i == "0" || !i.starts_with('0'))
            && i.len() <= 4
            && i.bytes().all(|b| b.is_ascii_digit());
        if !canonical {
            return Ok(false);
        }
        let index = i
            .bytes()
            .fold(0usize, |n, b| n * 10 + usize::from(b - b'0'));
        if pairs.last().is_some_and(|&(last, _)| last >= index) {
            return Ok(false);
        }
        pairs.push((index, p));
    }
    let last = pairs.last().map_or(0, |&(i, _)| i);
    let at = out.len();
    put_varint(out, (last / 8 + 1) as u64);
    let bitmap = out.len();
    out.resize(bitmap + last / 8 + 1, 0);
    for &(i, _) in &pairs {
        out[bitmap + i / 8] |= 1 << (i % 8);
    }
    for (i, p) in pairs {
        match intern.driver_code(i, p) {
            Ok(code) => put_varint(out, code),
            Err(e) => {
                out.truncate(at);
                return Err(e);
            }
        }
    }
    Ok(true)
}

/// Moves `r` past drivers written by `put_drivers`, reading only what tells their length.
fn skip_drivers(r: &mut Reader<'_>) -> Result<(), Damage> {
    let len = usize::try_from(r.varint()?).map_err(|_| Damage::Truncated)?;
    let end = r.at.checked_add(len).ok_or(Damage::Truncated)?;
    let set: u32 = r
        .bytes
        .get(r.at..end)
        .ok_or(Damage::Truncated)?
        .iter()
        .map(|b| b.count_ones())
        .sum();
    r.at = end;
    for _ in 0..set {
        r.varint()?;
    }
    Ok(())
}

fn read_drivers(r: &mut Reader<'_>, texts: &impl Lookup) -> Result<String, Damage> {
    let len = usize::try_from(r.varint()?).map_err(|_| Damage::Truncated)?;
    let end = r.at.checked_add(len).ok_or(Damage::Truncated)?;
    let bitmap = r.bytes.get(r.at..end).ok_or(Damage::Truncated)?;
    r.at = end;
    let mut out = String::new();
    for (byte, bits) in bitmap.iter().enumerate() {
        for bit in 0..8 {
            if bits & (1 << bit) == 0 {
                continue;
            }
            let index = (byte * 8 + bit) as u64;
            let code = r.varint()?;
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&index.to_string());
            out.push(':');
            out.push_str(texts.driver(index, code).ok_or(Damage::UnknownText(code))?);
        }
    }
    Ok(out)
}

/// The `detail` blob of `row` (see the module docs).
pub(crate) fn encode_detail<I: Intern>(
    row: &ResultRow,
    intern: &mut I,
) -> Result<Vec<u8>, I::Error> {
    let mut out = vec![0u8];
    let mut flags = 0u8;
    if row.base_score.is_none() && row.score.is_some() {
        flags |= 1;
    }
    if !row.reasons.is_empty() {
        flags |= 1 << 1;
        put_text(&mut out, &row.reasons, TEXT_SEP, intern)?;
    }
    if !row.drivers.is_empty() {
        if put_drivers(&mut out, &row.drivers, intern)? {
            flags |= 1 << 2;
        } else {
            flags |= 1 << 3;
            put_varint(&mut out, row.drivers.len() as u64);
            out.extend_from_slice(row.drivers.as_bytes());
        }
    }
    for (bit, items) in [(4, &row.labels), (5, &row.alerts), (6, &row.rules)] {
        if !items.is_empty() {
            flags |= 1 << bit;
            put_list(&mut out, items, intern)?;
        }
    }
    if let Some(error) = &row.error {
        flags |= 1 << 7;
        put_text(&mut out, error, TEXT_SEP, intern)?;
    }
    out[0] = flags;
    Ok(out)
}

/// The texts of a row decoded from its `detail` blob.
#[derive(Debug, Default)]
pub(crate) struct Detail {
    /// The score before rules is missing though the score is not.
    pub base_missing: bool,
    pub reasons: String,
    pub drivers: String,
    pub labels: Vec<u64>,
    pub alerts: Vec<u64>,
    pub rules: Vec<u64>,
    pub error: Option<String>,
}

/// Decodes a `detail` blob; lists stay as text keys.
pub(crate) fn decode_detail(blob: &[u8], texts: &impl Lookup) -> Result<Detail, Damage> {
    let mut d = Detail::default();
    decode_detail_into(blob, texts, true, &mut d)?;
    Ok(d)
}

/// Decodes a `detail` blob into `d`, whose buffers are cleared and reused (no allocation per
/// row once they have grown); `drivers` are rendered only when asked for.
pub(crate) fn decode_detail_into(
    blob: &[u8],
    texts: &impl Lookup,
    drivers: bool,
    d: &mut Detail,
) -> Result<(), Damage> {
    let mut reasons = std::mem::take(&mut d.reasons);
    reasons.clear();
    let decoded = decode_detail_with(blob, texts, drivers, d, &mut reasons);
    d.reasons = reasons;
    decoded
}

/// [`decode_detail_into`] with the reasons appended to `reasons` rather than kept in `d`
/// (which then holds none).
pub(crate) fn decode_detail_with(
    blob: &[u8],
    texts: &impl Lookup,
    drivers: bool,
    d: &mut Detail,
    reasons: &mut impl TextOut,
) -> Result<(), Damage> {
    let mut r = Reader::new(blob);
    let flags = r.byte()?;
    d.base_missing = flags & 1 != 0;
    d.reasons.clear();
    d.drivers.clear();
    d.labels.clear();
    d.alerts.clear();
    d.rules.clear();
    d.error = None;
    if flags & (1 << 1) != 0 {
        read_text(&mut r, TEXT_SEP, texts, reasons)?;
    }
    if flags & (1 << 2) != 0 {
        if drivers {
            d.drivers = read_drivers(&mut r, texts)?;
        } else {
            skip_drivers(&mut r)?;
        }
    } else if flags & (1 << 3) != 0 {
        let len = r.varint()?;
        let text = r.str(len)?;
        if drivers {
            d.drivers = text.to_string();
        }
    }
    for (bit, keys) in [(4, &mut d.labels), (5, &mut d.alerts), (6, &mut d.rules)] {
        if flags & (1 << bit) != 0 {
            read_list_keys_into(&mut r, keys)?;
        }
    }
    if flags & (1 << 7) != 0 {
        let mut e = String::new();
        read_text(&mut r, TEXT_SEP, texts, &mut e)?;
        d.error = Some(e);
    }
    Ok(())
}

impl Detail {
    /// Fills the text fields of `row`.
    pub(crate) fn fill(self, row: &mut ResultRow, texts: &impl Lookup) -> Result<(), Damage> {
        row.reasons = self.reasons;
        row.drivers = self.drivers;
        row.labels = texts_of(&self.labels, texts)?;
        row.alerts = texts_of(&self.alerts, texts)?;
        row.rules = texts_of(&self.rules, texts)?;
        row.error = self.error;
        if self.base_missing {
            row.base_score = None;
        }
        Ok(())
    }
}

/// A period as a small integer: months since year 0.
pub(crate) fn period_key(period: riskgrade_core::Month) -> i64 {
    let s = period.to_string();
    let year: i64 = s.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0);
    let month: i64 = s.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1);
    year * 12 + month - 1
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use proptest::prelude::*;

    use super::*;

    #[derive(Default)]
    struct Memory {
        keys: HashMap<String, u64>,
        texts: Vec<String>,
        holes: Vec<Vec<u32>>,
        drivers: HashMap<usize, Vec<String>>,
    }

    impl Intern for Memory {
        type Error = std::convert::Infallible;

        fn key(&mut self, text: &str) -> Result<u64, Self::Error> {
            if let Some(&k) = self.keys.get(text) {
                return Ok(k);
            }
            self.texts.push(text.to_string());
            self.holes.push(holes(text));
            let k = self.texts.len() as u64;
            self.keys.insert(text.to_string(), k);
            Ok(k)
        }

        fn driver_code(&mut self, index: usize, points: &str) -> Result<u64, Self::Error> {
            let list = self.drivers.entry(index).or_default();
            let at = list.iter().position(|p| p == points).unwrap_or_else(|| {
                list.push(points.to_string());
                list.len() - 1
            });
            Ok(at as u64)
        }
    }

    impl Lookup for Memory {
        fn text(&self, key: u64) -> Option<&str> {
            let i = usize::try_from(key).ok()?.checked_sub(1)?;
            self.texts.get(i).map(String::as_str)
        }

        fn driver(&self, index: u64, code: u64) -> Option<&str> {
            let list = self.drivers.get(&usize::try_from(index).ok()?)?;
            list.get(usize::try_from(code).ok()?).map(String::as_str)
        }

        fn template(&self, key: u64) -> Option<(&str, &[u32])> {
            let i = usize::try_from(key).ok()?.checked_sub(1)?;
            Some((self.texts.get(i)?.as_str(), self.holes.get(i)?))
        }
    }

    fn round_trip(row: &ResultRow) -> ResultRow {
        let mut m = Memory::default();
        let blob = encode_detail(row, &mut m).expect("encode");
        let mut back = ResultRow {
            id: row.id.clone(),
            score: row.score,
            base_score: row.base_score.or(row.score),
            ..ResultRow::default()
        };
        decode_detail(&blob, &m)
            .expect("decode")
            .fill(&mut back, &m)
            .expect("fill");
        back.model.clone_from(&row.model);
        back.class.clone_from(&row.class);
        back.manual = row.manual;
        back.district.clone_from(&row.district);
        back.industry.clone_from(&row.industry);
        back
    }

    #[test]
    fn reasons_and_drivers_of_a_graded_row_come_back_as_written() {
        let row = ResultRow {
            id: "E1".into(),
            score: Some(412.5),
            base_score: None,
            reasons: "rule veto: 失信名单 (class D); 资产负债率: 0.8500 (+40 points); 行政处罚: 007 次 (12.25 points)".into(),
            drivers: "0:40 3:12.5 17:0.0001".into(),
            labels: vec!["重点监管".into(), "食品安全".into()],
            alerts: vec!["food_safety -> 食品生产安全监督管理处".into()],
            rules: vec!["veto_dishonest_list".into(), "recent_major_penalty".into()],
            error: None,
            ..ResultRow::default()
        };
        assert_eq!(round_trip(&row), row);
    }

    #[test]
    fn odd_texts_are_kept_exactly() {
        for text in [
            "a; ; b",
            "; ",
            "x\u{1}y; 1.5",
            "1.",
            ".5",
            "00.10",
            "123456789012345678901234567890",
            "0.000000000000000000001",
            "-3.5e7",
            "debt ratio: 0.0085 (+0.5 points); 失信: 10.000 次; 0; 0.0",
            // Drivers whose index is not plain digits are kept as text, not read as numbers.
            "+5:3 7:1",
            "1:2 +9:4",
            "05:1",
            "3:1  4:2",
            "3:1 4:2 ",
            "12345:1",
        ] {
            let row = ResultRow {
                reasons: text.into(),
                drivers: text.into(),
                labels: vec![text.into(), String::new(), text.into()],
                alerts: vec![text.into()],
                error: Some(text.into()),
                ..ResultRow::default()
            };
            assert_eq!(round_trip(&row), row, "{text:?}");
        }
    }

    #[test]
    fn templates_are_shared_between_rows() {
        let mut m = Memory::default();
        for v in ["0.5", "0.75", "12"] {
            let row = ResultRow {
                reasons: format!("debt ratio: {v} (+3 points)"),
                ..ResultRow::default()
            };
            encode_detail(&row, &mut m).expect("encode");
        }
        assert_eq!(
            m.texts,
            vec!["debt ratio: \u{1} (+\u{1} points)".to_string()]
        );
    }

    #[test]
    fn periods_are_months_since_year_zero() {
        let p = |s: &str| period_key(s.parse().expect("month"));
        assert_eq!(p("2026-01") + 11, p("2026-12"));
        assert_eq!(p("2026-12") + 1, p("2027-01"));
    }

    proptest! {
        #[test]
        fn any_row_round_trips(
            reasons in ".{0,60}",
            pairs in proptest::collection::vec((0u32..400, "[0-9]{1,4}(\\.[0-9]{1,5})?"), 0..6),
            odd_drivers in ".{0,20}",
            pick in any::<bool>(),
            labels in proptest::collection::vec(".{0,30}", 0..4),
            alerts in proptest::collection::vec(".{0,30}", 0..4),
            rules in proptest::collection::vec("[a-z_ ]{0,30}", 0..4),
            error in proptest::option::of(".{0,40}"),
            score in proptest::option::of(0.0f64..1000.0),
            base in proptest::option::of(0.0f64..1000.0),
        ) {
            let drivers = if pick {
                odd_drivers
            } else {
                pairs.iter().map(|(i, p)| format!("{i}:{p}")).collect::<Vec<_>>().join(" ")
            };
            let row = ResultRow {
                reasons, drivers, labels, alerts, rules, error, score, base_score: base,
                ..ResultRow::default()
            };
            let mut m = Memory::default();
            let blob = encode_detail(&row, &mut m).expect("encode");
            let mut back = ResultRow {
                score: row.score,
                base_score: if row.base_score == row.score { None } else { row.base_score }.or(row.score),
                ..ResultRow::default()
            };
            decode_detail(&blob, &m).expect("decode").fill(&mut back, &m).expect("fill");
            prop_assert_eq!(back, row);
        }

        /// Decoding into a `Detail` reused from row to row gives each row as a fresh one does.
        #[test]
        fn a_reused_detail_decodes_each_row_afresh(
            rows in proptest::collection::vec((
                "([a-z]{0,3}[0-9]{1,6}(\\.[0-9]{1,6})?(; )?){0,4}",
                proptest::collection::vec("[a-z]{0,5}", 0..3),
                proptest::option::of("[a-z0-9.]{0,10}"),
                proptest::option::of(0.0f64..10.0),
            ), 1..6),
            drivers in any::<bool>(),
        ) {
            let mut m = Memory::default();
            let blobs: Vec<Vec<u8>> = rows
                .iter()
                .map(|(reasons, labels, error, base)| {
                    let row = ResultRow {
                        reasons: reasons.clone(),
                        drivers: "1:2.5 7:0.0085".into(),
                        labels: labels.clone(),
                        rules: labels.clone(),
                        error: error.clone(),
                        score: Some(1.0),
                        base_score: *base,
                        ..ResultRow::default()
                    };
                    encode_detail(&row, &mut m).expect("encode")
                })
                .collect();
            let mut reused = Detail::default();
            for (blob, (reasons, labels, error, _)) in blobs.iter().zip(&rows) {
                decode_detail_into(blob, &m, drivers, &mut reused).expect("decode");
                let fresh = decode_detail(blob, &m).expect("decode");
                prop_assert_eq!(&reused.reasons, reasons);
                prop_assert_eq!(&reused.reasons, &fresh.reasons);
                prop_assert_eq!(reused.labels.len(), labels.len());
                prop_assert_eq!(&reused.labels, &fresh.labels);
                prop_assert_eq!(&reused.rules, &fresh.rules);
                prop_assert_eq!(&reused.alerts, &fresh.alerts);
                prop_assert_eq!(&reused.error, error);
                prop_assert_eq!(reused.base_missing, fresh.base_missing);
                let want = if drivers { fresh.drivers.as_str() } else { "" };
                prop_assert_eq!(reused.drivers.as_str(), want);
            }
        }
    }
}
