//! Calendar months: the periods runs are kept under.

use std::fmt;
use std::str::FromStr;

use crate::Date;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar month such as `2026-10`: the period a monthly run grades.
///
/// ```
/// use riskgrade_core::Month;
/// let m: Month = "2026-10".parse().unwrap();
/// assert_eq!(m.last_day().to_string(), "2026-10-31");
/// assert_eq!(m.next().to_string(), "2026-11");
/// assert_eq!("2026-12".parse::<Month>().unwrap().next().to_string(), "2027-01");
/// assert!("2026-13".parse::<Month>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: i32,
    month: u32,
}

/// Why a month could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[error("`{0}` is not a month, expected YYYY-MM (e.g. 2026-10)")]
pub struct MonthError(pub String);

impl Month {
    /// The month `month` (1–12) of `year`.
    ///
    /// # Errors
    /// A month outside 1–12 or a year outside 1000–9998.
    pub fn new(year: i32, month: u32) -> Result<Month, MonthError> {
        if (1..=12).contains(&month) && (1000..=9998).contains(&year) {
            Ok(Month { year, month })
        } else {
            Err(MonthError(format!("{year:04}-{month:02}")))
        }
    }

    /// The month a date falls in.
    pub fn of(date: Date) -> Month {
        let (year, month, _) = date.ymd();
        Month { year, month }
    }

    /// The first day of the month.
    pub fn first_day(self) -> Date {
        Date::from_ymd(self.year, self.month, 1).unwrap_or_else(|_| unreachable_date())
    }

    /// The last day of the month: the default as-of date of a monthly run.
    pub fn last_day(self) -> Date {
        Date::from_days(self.next().first_day().days() - 1)
    }

    /// The following month.
    #[must_use]
    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// The month before.
    #[must_use]
    pub fn prev(self) -> Month {
        if self.month == 1 {
            Month {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Month {
                year: self.year,
                month: self.month - 1,
            }
        }
    }
}

fn unreachable_date() -> Date {
    // `Month::new` only admits valid months, whose first day always exists.
    Date::from_days(0)
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Month {
    type Err = MonthError;
    fn from_str(s: &str) -> Result<Month, MonthError> {
        let bad = || MonthError(s.to_string());
        let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u32 = m.parse().map_err(|_| bad())?;
        Month::new(year, month).map_err(|_| bad())
    }
}

impl Serialize for Month {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Month {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Month, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}
