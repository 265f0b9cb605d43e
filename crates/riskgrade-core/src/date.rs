//! Calendar dates and calendar periods.
//!
//! [`Date`] is a proleptic Gregorian day number (days since 1970-01-01) so that
//! comparisons and differences are integer operations on the hot path.
//! [`Period`] is a calendar length such as `3m`, `3y` or `90d`, used for record
//! effect periods and feature windows.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar date, stored as days since 1970-01-01.
///
/// ```
/// use riskgrade_core::Date;
/// let d: Date = "2026-11-27".parse().unwrap();
/// assert_eq!(d.to_string(), "2026-11-27");
/// assert_eq!(d.days_since("2026-11-01".parse().unwrap()), 26);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i32);

/// Why a date or period could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DateError {
    /// The text is not `YYYY-MM-DD`.
    #[error("`{0}` is not a date, expected YYYY-MM-DD")]
    Format(String),
    /// The text has the right shape but names no day of the calendar.
    #[error("`{0}` is not a valid calendar date")]
    OutOfRange(String),
    /// The text is not a period such as `3m`, `3y`, `90d` or `2w`.
    #[error("`{0}` is not a period, expected a number followed by d, w, m or y (e.g. `3m`, `3y`)")]
    Period(String),
}

fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    // Howard Hinnant's algorithm.
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = (y - era * 400) as u32;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe as i32 - 719_468
}

fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = (z - era * 146_097) as u32;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe as i32 + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

impl Date {
    /// Builds a date from year, month (1–12) and day (1–31).
    ///
    /// # Errors
    /// Fails when the day does not exist in the calendar.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Result<Date, DateError> {
        if !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
            || !(1000..=9999).contains(&year)
        {
            return Err(DateError::OutOfRange(format!(
                "{year:04}-{month:02}-{day:02}"
            )));
        }
        Ok(Date(days_from_civil(year, month, day)))
    }

    /// The date that is `days` days after 1970-01-01.
    pub const fn from_days(days: i32) -> Date {
        Date(days)
    }

    /// Days since 1970-01-01.
    pub const fn days(self) -> i32 {
        self.0
    }

    /// Year, month and day.
    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.0)
    }

    /// Whole days from `earlier` to `self` (negative when `earlier` is later).
    pub fn days_since(self, earlier: Date) -> i32 {
        self.0 - earlier.0
    }

    /// Adds calendar months, clamping the day to the end of the target month
    /// (2026-01-31 + 1 month = 2026-02-28).
    pub fn add_months(self, months: i32) -> Date {
        let (y, m, d) = self.ymd();
        let total = y * 12 + (m as i32 - 1) + months;
        let ny = total.div_euclid(12);
        let nm = total.rem_euclid(12) as u32 + 1;
        let nd = d.min(days_in_month(ny, nm));
        Date(days_from_civil(ny, nm, nd))
    }

    /// Adds a [`Period`] (months first, then days).
    pub fn plus(self, period: Period) -> Date {
        Date(self.add_months(period.months).0 + period.days)
    }

    /// Subtracts a [`Period`].
    pub fn minus(self, period: Period) -> Date {
        Date(self.add_months(-period.months).0 - period.days)
    }

    /// Parses `YYYY-MM-DD`; a trailing time (`T…` or ` …`) is ignored.
    ///
    /// # Errors
    /// Fails on any other shape or on a day that does not exist.
    pub fn parse(text: &str) -> Result<Date, DateError> {
        let t = text.trim();
        let b = t.as_bytes();
        let well_formed = b.len() >= 10
            && b[4] == b'-'
            && b[7] == b'-'
            && (b.len() == 10 || b[10] == b'T' || b[10] == b' ')
            && b[..10]
                .iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        if !well_formed {
            return Err(DateError::Format(text.to_string()));
        }
        let num = |r: std::ops::Range<usize>| {
            b[r].iter()
                .fold(0u32, |acc, c| acc * 10 + u32::from(c - b'0'))
        };
        Date::from_ymd(num(0..4) as i32, num(5..7), num(8..10))
            .map_err(|_| DateError::OutOfRange(text.to_string()))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl FromStr for Date {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Date, DateError> {
        Date::parse(s)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = String::deserialize(d)?;
        Date::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A calendar length: whole months plus days, written `3m`, `3y`, `90d` or `2w`.
///
/// ```
/// use riskgrade_core::{Date, Period};
/// let p: Period = "3m".parse().unwrap();
/// let d: Date = "2026-01-31".parse().unwrap();
/// assert_eq!(d.plus(p).to_string(), "2026-04-30");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    /// Calendar months.
    pub months: i32,
    /// Days added after the months.
    pub days: i32,
}

impl Period {
    /// A period of `n` days.
    pub const fn days(n: i32) -> Period {
        Period { months: 0, days: n }
    }
    /// A period of `n` months.
    pub const fn months(n: i32) -> Period {
        Period { months: n, days: 0 }
    }
    /// A period of `n` years.
    pub const fn years(n: i32) -> Period {
        Period {
            months: 12 * n,
            days: 0,
        }
    }
    /// Approximate length in days (a month counts 30.436875 days), used for decay.
    pub fn approx_days(self) -> f64 {
        f64::from(self.months) * 30.436_875 + f64::from(self.days)
    }
    /// Whether the period is strictly positive.
    pub fn is_positive(self) -> bool {
        self.months >= 0 && self.days >= 0 && (self.months > 0 || self.days > 0)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.months, self.days) {
            (m, 0) if m != 0 && m % 12 == 0 => write!(f, "{}y", m / 12),
            (m, 0) if m != 0 => write!(f, "{m}m"),
            (0, d) if d != 0 && d % 7 == 0 => write!(f, "{}w", d / 7),
            (0, d) => write!(f, "{d}d"),
            (m, d) => write!(f, "{m}m{d}d"),
        }
    }
}

impl FromStr for Period {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Period, DateError> {
        let err = || DateError::Period(s.to_string());
        let mut months = 0i32;
        let mut days = 0i32;
        let mut rest = s.trim();
        if rest.is_empty() {
            return Err(err());
        }
        while !rest.is_empty() {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 || digits == rest.len() {
                return Err(err());
            }
            let n: i32 = rest[..digits].parse().map_err(|_| err())?;
            let unit = rest.as_bytes()[digits];
            match unit {
                b'd' => days = days.checked_add(n).ok_or_else(err)?,
                b'w' => {
                    days = days
                        .checked_add(n.checked_mul(7).ok_or_else(err)?)
                        .ok_or_else(err)?
                }
                b'm' => months = months.checked_add(n).ok_or_else(err)?,
                b'y' => {
                    months = months
                        .checked_add(n.checked_mul(12).ok_or_else(err)?)
                        .ok_or_else(err)?
                }
                _ => return Err(err()),
            }
            rest = &rest[digits + 1..];
        }
        Ok(Period { months, days })
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Period, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_and_prints() {
        let d = Date::parse("2024-02-29").unwrap();
        assert_eq!(d.to_string(), "2024-02-29");
        assert_eq!(Date::parse("1970-01-01").unwrap().days(), 0);
        assert_eq!(
            Date::parse("2026-11-27T10:00:00").unwrap().to_string(),
            "2026-11-27"
        );
        assert!(matches!(
            Date::parse("2023-02-29"),
            Err(DateError::OutOfRange(_))
        ));
        assert!(matches!(
            Date::parse("27/11/2026"),
            Err(DateError::Format(_))
        ));
        assert!(matches!(Date::parse("2026-1-1"), Err(DateError::Format(_))));
    }

    #[test]
    fn month_arithmetic_clamps() {
        let d = Date::parse("2024-01-31").unwrap();
        assert_eq!(d.add_months(1).to_string(), "2024-02-29");
        assert_eq!(d.add_months(-2).to_string(), "2023-11-30");
        assert_eq!(d.plus(Period::years(3)).to_string(), "2027-01-31");
        assert_eq!(d.minus(Period::days(31)).to_string(), "2023-12-31");
    }

    #[test]
    fn periods_round_trip() {
        for s in ["3m", "3y", "90d", "2w", "1m15d"] {
            let p: Period = s.parse().unwrap();
            assert_eq!(p.to_string(), s);
        }
        assert_eq!("6m".parse::<Period>().unwrap(), Period::months(6));
        for bad in ["", "3", "m", "3x", "-3m", "3m3"] {
            assert!(bad.parse::<Period>().is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn civil_round_trip(days in -300_000i32..300_000) {
            let d = Date::from_days(days);
            let (y, m, dd) = d.ymd();
            prop_assert_eq!(Date::from_ymd(y, m, dd).unwrap(), d);
            prop_assert_eq!(Date::parse(&d.to_string()).unwrap(), d);
        }
    }
}
