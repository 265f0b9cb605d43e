//! 统一社会信用代码 (unified social credit code), GB 32100-2015.
//!
//! Source: GB 32100-2015 《法人和其他组织统一社会信用代码编码规则》, clause 4 and its
//! worked example (table 1: the character set `0-9 A-H J-N P-R T U W-Y`, values 0–30;
//! weights `3^(i-1) mod 31`; check `31 - MOD(Σ Ci·Wi, 31)`, with MOD(31, 31) = 0), as
//! reproduced at renrendoc.com/p-47802332.html and wddqw.com (统一社会信用代码唯一性校验规则).
//! Positions 9–17 hold the organisation code of GB 11714-1997 《全国组织机构代码编制规则》
//! clause 2.1.2 (zh.wikisource.org, GB_11714-1997): weights 3 7 9 10 5 8 4 2 on the 8 body
//! characters (digits 0–9, letters A=10 … Z=35), check `11 - MOD(Σ, 11)`, 10 written `X`, 11 written `0`.

use std::fmt;

use super::{CodeError, CodeField, fold};

/// The 31 characters of GB 32100-2015 table 1, in the order of their values 0–30.
const CHARS: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// The weight of each of the first 17 positions: 3^(i-1) mod 31 (GB 32100-2015 table 2).
const WEIGHTS: [u32; 17] = {
    let mut w = [1u32; 17];
    let mut i = 1;
    while i < 17 {
        w[i] = w[i - 1] * 3 % 31;
        i += 1;
    }
    w
};

/// The organisation code's weights (GB 11714-1997 clause 2.1.2).
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

fn value(c: u8) -> Option<u32> {
    CHARS.iter().position(|&x| x == c).map(|v| v as u32)
}

/// The GB 32100-2015 check character of the first 17 characters, or `None`
/// when they are not 17 characters of the code's character set.
///
/// ```
/// use riskgrade_core::codes::uscc_check_character;
/// assert_eq!(uscc_check_character("91350100M000100Y4"), Some('3'));
/// assert_eq!(uscc_check_character("91350100M000100I4"), None);
/// ```
pub fn uscc_check_character(first17: &str) -> Option<char> {
    let b = first17.as_bytes();
    if b.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (&c, w) in b.iter().zip(WEIGHTS) {
        sum += value(c)? * w;
    }
    Some(char::from(CHARS[((31 - sum % 31) % 31) as usize]))
}

/// The GB 11714-1997 check character of an organisation code's 8 body
/// characters (digits and capital letters), or `None` when they are not.
///
/// ```
/// use riskgrade_core::codes::organisation_check_character;
/// // The organisation code inside GB 32100-2015's example 91350100M000100Y43.
/// assert_eq!(organisation_check_character("M000100Y"), Some('4'));
/// ```
pub fn organisation_check_character(body: &str) -> Option<char> {
    let b = body.as_bytes();
    if b.len() != 8 {
        return None;
    }
    let mut sum = 0;
    for (&c, w) in b.iter().zip(ORG_WEIGHTS) {
        let v = match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            b'A'..=b'Z' => u32::from(c - b'A') + 10,
            _ => return None,
        };
        sum += v * w;
    }
    Some(match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        d => char::from(b'0' + d as u8),
    })
}

/// A valid unified social credit code: 18 characters of the GB 32100-2015
/// set, the administrative division code in positions 3–8 written in digits,
/// the GB 11714 check character of the organisation code at position 17, and
/// the mod-31 check character at position 18.
///
/// ```
/// use riskgrade_core::codes::{CodeError, CreditCode};
/// let code = CreditCode::parse(" 91350100m000100y43 ")?;
/// assert_eq!(code.as_str(), "91350100M000100Y43");
/// assert_eq!(code.district(), "350100");
/// assert_eq!(code.organisation_code(), "M000100Y-4");
/// assert_eq!(CreditCode::parse("123"), Err(CodeError::CreditCodeLength { found: 3 }));
/// # Ok::<(), CodeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CreditCode(String);

impl CreditCode {
    /// Parses a credit code, ignoring case, spaces and full-width forms.
    ///
    /// # Errors
    /// [`CodeError::Empty`], [`CodeError::CreditCodeLength`],
    /// [`CodeError::CreditCodeCharacter`] (with its position),
    /// [`CodeError::CreditCodeCheck`] and [`CodeError::OrganisationCodeCheck`].
    pub fn parse(text: &str) -> Result<CreditCode, CodeError> {
        let s = fold(text);
        if s.is_empty() {
            return Err(CodeError::Empty {
                field: CodeField::CreditCode,
            });
        }
        let n = s.chars().count();
        if n != 18 {
            return Err(CodeError::CreditCodeLength { found: n });
        }
        // Position 18 is compared with the check character below, as the standard does.
        for (i, c) in s.chars().take(17).enumerate() {
            let ok = if (2..8).contains(&i) {
                c.is_ascii_digit()
            } else {
                c.is_ascii() && value(c as u8).is_some()
            };
            if !ok {
                return Err(CodeError::CreditCodeCharacter {
                    position: i + 1,
                    character: c,
                });
            }
        }
        let expected = uscc_check_character(&s[..17]).unwrap_or('?');
        let found = s.chars().nth(17).unwrap_or('?');
        if expected != found {
            return Err(CodeError::CreditCodeCheck { expected, found });
        }
        let expected = organisation_check_character(&s[8..16]).unwrap_or('?');
        let found = char::from(s.as_bytes()[16]);
        if expected != found {
            return Err(CodeError::OrganisationCodeCheck { expected, found });
        }
        Ok(CreditCode(s))
    }

    /// Completes a code from its first 16 characters: appends the organisation
    /// code's check character and then the credit code's.
    ///
    /// ```
    /// use riskgrade_core::codes::CreditCode;
    /// assert_eq!(CreditCode::complete("91350100M000100Y")?.as_str(), "91350100M000100Y43");
    /// # Ok::<(), riskgrade_core::codes::CodeError>(())
    /// ```
    ///
    /// # Errors
    /// As [`CreditCode::parse`] when the 16 characters cannot start a valid code.
    pub fn complete(first16: &str) -> Result<CreditCode, CodeError> {
        let s = fold(first16);
        if s.chars().count() != 16 || !s.is_ascii() {
            return Err(CodeError::CreditCodeLength {
                found: s.chars().count() + 2,
            });
        }
        let mut s = s;
        s.push(organisation_check_character(&s[8..16]).unwrap_or('?'));
        s.push(uscc_check_character(&s).unwrap_or('?'));
        CreditCode::parse(&s)
    }

    /// The 18 characters.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Positions 3–8: the registering authority's administrative division code.
    pub fn district(&self) -> &str {
        &self.0[2..8]
    }

    /// Positions 9–17 as an organisation code, written `XXXXXXXX-X`.
    pub fn organisation_code(&self) -> String {
        format!("{}-{}", &self.0[8..16], &self.0[16..17])
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_are_the_published_table() {
        // GB 32100-2015 table 2, as printed in the worked example.
        assert_eq!(
            WEIGHTS,
            [
                1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28
            ]
        );
    }

    #[test]
    fn the_standards_worked_example() {
        // Σ Ci·Wi = 1640, 1640 mod 31 = 28, check = 31 - 28 = 3.
        let sum: u32 = b"91350100M000100Y4"
            .iter()
            .zip(WEIGHTS)
            .map(|(&c, w)| value(c).unwrap() * w)
            .sum();
        assert_eq!(sum, 1640);
        assert!(CreditCode::parse("91350100M000100Y43").is_ok());
        assert_eq!(
            CreditCode::parse("91350100M000100Y4Z"),
            Err(CodeError::CreditCodeCheck {
                expected: '3',
                found: 'Z'
            })
        );
    }

    #[test]
    fn every_single_character_change_is_caught() {
        let good = "91350100M000100Y43";
        for i in 0..18 {
            for &c in CHARS {
                let mut b = good.as_bytes().to_vec();
                if b[i] == c {
                    continue;
                }
                b[i] = c;
                let s = String::from_utf8(b).unwrap();
                assert!(CreditCode::parse(&s).is_err(), "{s} accepted");
            }
        }
    }

    #[test]
    fn bad_characters_are_positioned() {
        for (text, position, character) in [
            ("91350100M000100I43", 16, 'I'),
            ("9135A100M000100Y43", 5, 'A'),
            ("O1350100M000100Y43", 1, 'O'),
            ("91350100M00010 0Y43", 0, ' '),
        ] {
            match CreditCode::parse(text) {
                Err(CodeError::CreditCodeCharacter {
                    position: p,
                    character: c,
                }) => assert_eq!((p, c), (position, character), "{text}"),
                // Spaces are ignored: the code is then valid.
                Ok(_) => assert_eq!(position, 0, "{text}"),
                other => panic!("{text}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_wrong_organisation_check_with_a_right_credit_check_is_caught() {
        // Position 17 changed and position 18 recomputed: only GB 11714 catches it.
        let mut s = String::from("91350100M000100Y5");
        s.push(uscc_check_character(&s).unwrap());
        assert_eq!(
            CreditCode::parse(&s),
            Err(CodeError::OrganisationCodeCheck {
                expected: '4',
                found: '5'
            })
        );
    }

    #[test]
    fn organisation_check_values_ten_and_eleven() {
        // Σ ≡ 1 (mod 11) gives 10, written X; Σ ≡ 0 gives 11, written 0.
        // "00000002": 2·2 = 4 → 11 - 4 = 7.
        assert_eq!(organisation_check_character("00000002"), Some('7'));
        // "00000050": 5·4 = 20 ≡ 9 → 2.
        assert_eq!(organisation_check_character("00000050"), Some('2'));
        // "00000006": 6·2 = 12 ≡ 1 → X.
        assert_eq!(organisation_check_character("00000006"), Some('X'));
        // "00000000": 0 → 0.
        assert_eq!(organisation_check_character("00000000"), Some('0'));
    }
}
