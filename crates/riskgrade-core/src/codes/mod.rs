//! The code standards regulators' data is written in, with their tables shipped in the crate:
//!
//! | module | standard | type |
//! |---|---|---|
//! | `uscc` | GB 32100-2015 统一社会信用代码, with the GB 11714-1997 organisation code inside it | [`CreditCode`] |
//! | `industry` | GB/T 4754-2017 国民经济行业分类: sections, divisions, groups and classes with names | [`IndustryCode`] |
//! | `district` | GB/T 2260 行政区划代码: county-level and higher divisions, names as aliases | [`DistrictCode`] |
//!
//! Each parser normalises what people write (case, spaces, full-width characters, a missing
//! section letter, a district's name) and refuses what is not a code of its standard with a
//! [`CodeError`]: a bad code is bad data, never silently replaced by something else.
//!
//! ```
//! use riskgrade_core::codes::{CreditCode, DistrictCode, IndustryCode};
//! // The worked example of GB 32100-2015.
//! assert!(CreditCode::parse("91350100M000100Y43").is_ok());
//! assert_eq!(IndustryCode::parse("c 1411")?.as_str(), "C1411");
//! assert_eq!(IndustryCode::parse("1411")?.name(), "糕点、面包制造");
//! assert_eq!(DistrictCode::parse("东城区")?.code(), "110101");
//! # Ok::<(), riskgrade_core::codes::CodeError>(())
//! ```

mod district;
mod error;
mod industry;
mod uscc;

pub use district::DistrictCode;
pub use error::{CodeError, CodeField};
pub use industry::{IndustryCode, IndustryLevel};
pub use uscc::{CreditCode, organisation_check_character, uscc_check_character};

/// Upper-case ASCII with every kind of white space removed and full-width
/// ASCII forms (U+FF01–U+FF5E) folded to ASCII.
pub(crate) fn fold(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .map(|c| c.to_ascii_uppercase())
        .collect()
}
