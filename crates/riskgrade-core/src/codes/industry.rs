//! Industry codes, GB/T 4754-2017 国民经济行业分类.
//!
//! The table (`gbt4754_2017.tsv`, beside this file) names its source and the
//! corrections made to it. A code is a section letter followed by 0, 2, 3 or 4
//! digits (section, division, group, class); people often drop the letter,
//! write it in lower case or put spaces in, and all of that is accepted.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use super::{CodeError, CodeField, fold};

const TABLE: &str = include_str!("gbt4754_2017.tsv");

struct Table {
    names: HashMap<&'static str, &'static str>,
    /// Two-digit division → its section letter.
    section_of: HashMap<&'static str, char>,
    /// Every code in the file's (sorted) order.
    order: Vec<&'static str>,
}

fn table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| {
        let mut t = Table {
            names: HashMap::new(),
            section_of: HashMap::new(),
            order: Vec::new(),
        };
        for line in TABLE
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            let (code, name) = line.split_once('\t').unwrap_or((line, ""));
            if code.len() == 3 {
                t.section_of
                    .insert(&code[1..], char::from(code.as_bytes()[0]));
            }
            t.names.insert(code, name);
            t.order.push(code);
        }
        t
    })
}

/// The level of an industry code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IndustryLevel {
    /// 门类, a letter: `C`.
    Section,
    /// 大类, two digits: `C14`.
    Division,
    /// 中类, three digits: `C141`.
    Group,
    /// 小类, four digits: `C1411`.
    Class,
}

/// A GB/T 4754-2017 code in its normal form: the section letter and the digits.
///
/// ```
/// use riskgrade_core::codes::{IndustryCode, IndustryLevel};
/// for written in ["C1411", "1411", "c1411", "C 1411", "Ｃ１４１１"] {
///     assert_eq!(IndustryCode::parse(written)?.as_str(), "C1411");
/// }
/// let c = IndustryCode::parse("c14")?;
/// assert_eq!((c.name(), c.level()), ("食品制造业", IndustryLevel::Division));
/// assert!(IndustryCode::parse("ZZ99").is_err());
/// # Ok::<(), riskgrade_core::codes::CodeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IndustryCode(&'static str);

impl IndustryCode {
    /// Parses and normalises an industry code.
    ///
    /// # Errors
    /// [`CodeError::Empty`]; [`CodeError::IndustryFormat`] for text that is not
    /// a letter and/or 2–4 digits; [`CodeError::IndustrySection`] when the
    /// letter is not the division's section (`A1411`);
    /// [`CodeError::UnknownIndustry`] for a well-formed code the standard lacks.
    pub fn parse(text: &str) -> Result<IndustryCode, CodeError> {
        // Most codes arrive in normal form: one lookup, nothing allocated.
        if let Some((&k, _)) = table().names.get_key_value(text) {
            return Ok(IndustryCode(k));
        }
        let s = fold(text);
        let (letter, digits) = match s.chars().next() {
            None => {
                return Err(CodeError::Empty {
                    field: CodeField::Industry,
                });
            }
            Some(c) if c.is_ascii_uppercase() => (Some(c), &s[1..]),
            Some(_) => (None, s.as_str()),
        };
        let well_formed = digits.bytes().all(|b| b.is_ascii_digit())
            && (matches!(digits.len(), 2..=4) || (digits.is_empty() && letter.is_some()));
        if !well_formed {
            return Err(CodeError::IndustryFormat { text: s });
        }
        let t = table();
        let section = match (letter, digits.get(..2)) {
            (Some(l), None) => l,
            (l, Some(div)) => {
                let Some(&sec) = t.section_of.get(div) else {
                    return Err(CodeError::UnknownIndustry { code: s });
                };
                if let Some(l) = l
                    && l != sec
                {
                    return Err(CodeError::IndustrySection {
                        code: s.clone(),
                        division: div.to_string(),
                        expected: sec,
                        found: l,
                    });
                }
                sec
            }
            (None, None) => unreachable!("checked above: digits or a letter"),
        };
        let code = format!("{section}{digits}");
        match t.names.get_key_value(code.as_str()) {
            Some((&k, _)) => Ok(IndustryCode(k)),
            None => Err(CodeError::UnknownIndustry { code }),
        }
    }

    /// The normal form, e.g. `C1411`.
    pub fn as_str(&self) -> &'static str {
        self.0
    }

    /// The Chinese name the standard gives it.
    pub fn name(&self) -> &'static str {
        table().names.get(self.0).copied().unwrap_or_default()
    }

    /// Section, division, group or class.
    pub fn level(&self) -> IndustryLevel {
        match self.0.len() {
            1 => IndustryLevel::Section,
            3 => IndustryLevel::Division,
            4 => IndustryLevel::Group,
            _ => IndustryLevel::Class,
        }
    }

    /// The section letter.
    pub fn section(&self) -> char {
        char::from(self.0.as_bytes()[0])
    }

    /// The code one level up (`C1411` → `C141`), `None` for a section.
    ///
    /// ```
    /// use riskgrade_core::codes::IndustryCode;
    /// let c = IndustryCode::parse("C14")?;
    /// assert_eq!(c.parent().map(|p| p.as_str()), Some("C"));
    /// # Ok::<(), riskgrade_core::codes::CodeError>(())
    /// ```
    pub fn parent(&self) -> Option<IndustryCode> {
        let up = match self.0.len() {
            1 => return None,
            3 => &self.0[..1],
            n => &self.0[..n - 1],
        };
        IndustryCode::parse(up).ok()
    }

    /// Every code of the table, sections first within their letter, in the standard's order.
    ///
    /// ```
    /// use riskgrade_core::codes::{IndustryCode, IndustryLevel};
    /// let sections = IndustryCode::all().filter(|c| c.level() == IndustryLevel::Section).count();
    /// assert_eq!(sections, 20);
    /// ```
    pub fn all() -> impl Iterator<Item = IndustryCode> {
        table().order.iter().map(|&c| IndustryCode(c))
    }
}

impl fmt::Display for IndustryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(level: IndustryLevel) -> usize {
        IndustryCode::all().filter(|c| c.level() == level).count()
    }

    #[test]
    fn the_published_counts() {
        // GB/T 4754-2017: 20 sections, 97 divisions, 473 groups (the Jiangsu
        // statistics bureau's summary, tj.jiangsu.gov.cn, 2025-01-20); classes
        // are published as 1380 to 1382 depending on the amendment.
        assert_eq!(count(IndustryLevel::Section), 20);
        assert_eq!(count(IndustryLevel::Division), 97);
        assert_eq!(count(IndustryLevel::Group), 473);
        assert!((1380..=1382).contains(&count(IndustryLevel::Class)));
    }

    #[test]
    fn every_code_has_a_name_and_its_parents_exist() {
        for c in IndustryCode::all() {
            assert!(!c.name().is_empty(), "{c}");
            let mut up = c.clone();
            while let Some(p) = up.parent() {
                assert!(p.as_str().len() < up.as_str().len());
                up = p;
            }
            assert_eq!(up.level(), IndustryLevel::Section, "{c}");
        }
    }

    #[test]
    fn published_names() {
        for (code, name) in [
            ("A", "农、林、牧、渔业"),
            ("C13", "农副食品加工业"),
            ("C132", "饲料加工"),
            ("C1411", "糕点、面包制造"),
            ("C3741", "飞机制造"),
            ("F5211", "百货零售"),
            ("I6513", "应用软件开发"),
            ("T9700", "国际组织"),
        ] {
            assert_eq!(IndustryCode::parse(code).unwrap().name(), name, "{code}");
        }
    }

    #[test]
    fn every_spelling_of_a_code_normalises_to_it() {
        for c in IndustryCode::all() {
            let code = c.as_str();
            let digits = &code[1..];
            let mut spellings = vec![code.to_lowercase(), format!("{} {}", &code[..1], digits)];
            if !digits.is_empty() {
                spellings.push(digits.to_string());
                spellings.push(format!(" {digits}\t"));
            }
            for s in spellings {
                assert_eq!(
                    IndustryCode::parse(&s).map(|c| c.as_str()),
                    Ok(code),
                    "{s:?}"
                );
            }
        }
    }

    #[test]
    fn bad_codes_are_refused() {
        use CodeError::*;
        let cases: [(&str, CodeError); 7] = [
            (
                "ZZ99",
                IndustryFormat {
                    text: "ZZ99".into(),
                },
            ),
            (
                "C14111",
                IndustryFormat {
                    text: "C14111".into(),
                },
            ),
            ("C1", IndustryFormat { text: "C1".into() }),
            ("Z", UnknownIndustry { code: "Z".into() }),
            (
                "C1412",
                UnknownIndustry {
                    code: "C1412".into(),
                },
            ),
            ("00", UnknownIndustry { code: "00".into() }),
            (
                "A1411",
                IndustrySection {
                    code: "A1411".into(),
                    division: "14".into(),
                    expected: 'C',
                    found: 'A',
                },
            ),
        ];
        for (text, err) in cases {
            assert_eq!(IndustryCode::parse(text), Err(err), "{text}");
        }
        assert_eq!(
            IndustryCode::parse("  "),
            Err(Empty {
                field: CodeField::Industry
            })
        );
    }
}
