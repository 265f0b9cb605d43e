//! What is wrong with a code.

/// The identity field a code belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CodeField {
    /// The unified social credit code (`credit_code`).
    CreditCode,
    /// The industry code (`industry`).
    Industry,
    /// The administrative district (`district`).
    District,
}

impl CodeField {
    /// The field's name in profiles and tables.
    ///
    /// ```
    /// assert_eq!(riskgrade_core::codes::CodeField::CreditCode.name(), "credit_code");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            CodeField::CreditCode => "credit_code",
            CodeField::Industry => "industry",
            CodeField::District => "district",
        }
    }
}

/// A text that is not a valid code of its standard.
///
/// ```
/// use riskgrade_core::codes::{CodeError, CreditCode};
/// // The standard's own counter-example: the 18th character should be `3`.
/// let err = CreditCode::parse("91350100M000100Y4Z").unwrap_err();
/// assert_eq!(err, CodeError::CreditCodeCheck { expected: '3', found: 'Z' });
/// assert_eq!(err.to_string(), "check character `Z` of the credit code should be `3` (GB 32100-2015)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CodeError {
    /// No code at all.
    #[error("empty {}", .field.name())]
    Empty {
        /// The field.
        field: CodeField,
    },
    /// A credit code that is not 18 characters long.
    #[error("a credit code has 18 characters, found {found} (GB 32100-2015)")]
    CreditCodeLength {
        /// The number of characters found.
        found: usize,
    },
    /// A character outside the credit code's character set at a position (1-based).
    #[error(
        "character `{character}` at position {position} of the credit code is not allowed there (GB 32100-2015)"
    )]
    CreditCodeCharacter {
        /// The position, 1 to 18.
        position: usize,
        /// The character found.
        character: char,
    },
    /// The 18th character is not the mod-31 check character of the first 17.
    #[error("check character `{found}` of the credit code should be `{expected}` (GB 32100-2015)")]
    CreditCodeCheck {
        /// The check character the first 17 characters give.
        expected: char,
        /// The character found.
        found: char,
    },
    /// Character 17 is not the GB 11714 check character of the organisation code in positions 9–16.
    #[error(
        "check character `{found}` of the organisation code in positions 9-17 should be `{expected}` (GB 11714-1997)"
    )]
    OrganisationCodeCheck {
        /// The check character positions 9–16 give.
        expected: char,
        /// The character found at position 17.
        found: char,
    },
    /// Text that is neither a section letter nor a letter and/or 2–4 digits.
    #[error(
        "`{text}` is not an industry code: a section letter and 2 to 4 digits, e.g. `C1411` (GB/T 4754-2017)"
    )]
    IndustryFormat {
        /// The text found.
        text: String,
    },
    /// A well-formed industry code that the standard does not have.
    #[error("industry `{code}` is not in GB/T 4754-2017")]
    UnknownIndustry {
        /// The normalised code.
        code: String,
    },
    /// A section letter that is not the section of the division.
    #[error(
        "industry `{code}`: division {division} belongs to section {expected}, not {found} (GB/T 4754-2017)"
    )]
    IndustrySection {
        /// The normalised code as written.
        code: String,
        /// The two-digit division.
        division: String,
        /// The division's section.
        expected: char,
        /// The letter written.
        found: char,
    },
    /// Neither a code nor a name of a GB/T 2260 division.
    #[error("district `{text}` is neither a code nor a name in GB/T 2260")]
    UnknownDistrict {
        /// The text found.
        text: String,
    },
    /// A name that several divisions share.
    #[error("district `{name}` is ambiguous: it names {} (write the code or the full name)", .codes.join(", "))]
    AmbiguousDistrict {
        /// The name found.
        name: String,
        /// The codes it names.
        codes: Vec<String>,
    },
}
