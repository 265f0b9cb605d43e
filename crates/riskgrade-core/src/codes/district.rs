//! Administrative division codes, GB/T 2260 行政区划代码.
//!
//! The table (`gbt2260_2024.txt`, beside this file) is the Ministry of Civil
//! Affairs' list of county-level and higher divisions in use in 2024, which
//! updates GB/T 2260; its header names the source. A division is accepted as
//! its six-digit code, its name when only one division bears it (`东城区`), or
//! its name after its province and prefecture (`北京市东城区`, `吉林省长春市朝阳区`).
//! Beijing's districts are also accepted by their romanised names (`Haidian`,
//! `Haidian District`; `gbt2260_romanised.txt` names its source).

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use super::{CodeError, CodeField};

const TABLE: &str = include_str!("gbt2260_2024.txt");
const ROMANISED: &str = include_str!("gbt2260_romanised.txt");

struct Table {
    names: HashMap<&'static str, &'static str>,
    /// Every way of writing a division's name → the codes it names.
    aliases: HashMap<String, Vec<&'static str>>,
}

fn table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| {
        let mut names = HashMap::new();
        for line in TABLE
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            let (code, name) = line.split_once(' ').unwrap_or((line, ""));
            names.insert(code, name);
        }
        let mut aliases: HashMap<String, Vec<&'static str>> = HashMap::new();
        for (&code, &name) in &names {
            let province = names.get(format!("{}0000", &code[..2]).as_str()).copied();
            let prefecture = names.get(format!("{}00", &code[..4]).as_str()).copied();
            let mut forms = vec![name.to_string()];
            if let Some(p) = province.filter(|_| !code.ends_with("0000")) {
                forms.push(format!("{p}{name}"));
                if let Some(c) = prefecture.filter(|_| !code.ends_with("00")) {
                    forms.push(format!("{p}{c}{name}"));
                    forms.push(format!("{c}{name}"));
                }
            }
            for f in forms {
                let v = aliases.entry(f).or_default();
                if !v.contains(&code) {
                    v.push(code);
                }
            }
        }
        // Romanised names: `Haidian`, `Haidian District`, `Haidian Qu`, compared in lower case.
        for line in ROMANISED
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            let (code, name) = line.split_once(' ').unwrap_or((line, ""));
            if let Some((&code, _)) = names.get_key_value(code) {
                for form in [
                    name.to_string(),
                    format!("{name}District"),
                    format!("{name}Qu"),
                ] {
                    aliases.entry(form.to_lowercase()).or_default().push(code);
                }
            }
        }
        for v in aliases.values_mut() {
            v.sort_unstable();
        }
        Table { names, aliases }
    })
}

/// A GB/T 2260 administrative division.
///
/// ```
/// use riskgrade_core::codes::{CodeError, DistrictCode};
/// assert_eq!(DistrictCode::parse("110108")?.name(), "海淀区");
/// assert_eq!(DistrictCode::parse("北京市朝阳区")?.code(), "110105");
/// // 朝阳区 is also a district of Changchun: the bare name is ambiguous.
/// assert!(matches!(DistrictCode::parse("朝阳区"), Err(CodeError::AmbiguousDistrict { .. })));
/// assert!(DistrictCode::parse("Nowhere").is_err());
/// # Ok::<(), CodeError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DistrictCode(&'static str);

impl DistrictCode {
    /// Resolves a code or a name.
    ///
    /// # Errors
    /// [`CodeError::Empty`], [`CodeError::UnknownDistrict`] and
    /// [`CodeError::AmbiguousDistrict`] (with the codes the name could mean).
    pub fn parse(text: &str) -> Result<DistrictCode, CodeError> {
        // Spaces are dropped; text without any (the usual case) is looked up as it is,
        // nothing allocated.
        let s: std::borrow::Cow<'_, str> = if text.contains(char::is_whitespace) {
            text.chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .into()
        } else {
            text.into()
        };
        if s.is_empty() {
            return Err(CodeError::Empty {
                field: CodeField::District,
            });
        }
        let t = table();
        if let Some((&code, _)) = t.names.get_key_value(&*s) {
            return Ok(DistrictCode(code));
        }
        let found = t
            .aliases
            .get(&*s)
            .or_else(|| t.aliases.get(&s.to_lowercase()));
        match found.map(Vec::as_slice) {
            Some([code]) => Ok(DistrictCode(code)),
            Some(codes) if !codes.is_empty() => Err(CodeError::AmbiguousDistrict {
                name: s.into_owned(),
                codes: codes.iter().map(|c| c.to_string()).collect(),
            }),
            _ => Err(CodeError::UnknownDistrict {
                text: s.into_owned(),
            }),
        }
    }

    /// The six digits.
    pub fn code(&self) -> &'static str {
        self.0
    }

    /// The division's name.
    pub fn name(&self) -> &'static str {
        table().names.get(self.0).copied().unwrap_or_default()
    }

    /// Every division of a province (its two leading digits, e.g. `"11"` for Beijing), ascending.
    ///
    /// ```
    /// use riskgrade_core::codes::DistrictCode;
    /// assert_eq!(DistrictCode::in_province("11").len(), 17); // Beijing and its 16 districts
    /// ```
    pub fn in_province(prefix: &str) -> Vec<DistrictCode> {
        let mut v: Vec<DistrictCode> = table()
            .names
            .keys()
            .filter(|c| c.starts_with(prefix) && prefix.len() == 2)
            .map(|&c| DistrictCode(c))
            .collect();
        v.sort_unstable();
        v
    }
}

impl fmt::Display for DistrictCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Beijing's 16 districts as published by the Ministry of Civil Affairs
    /// (and in github.com/nicez2/china-area-json, README, 2020-11 codes).
    const BEIJING: [(&str, &str); 16] = [
        ("110101", "东城区"),
        ("110102", "西城区"),
        ("110105", "朝阳区"),
        ("110106", "丰台区"),
        ("110107", "石景山区"),
        ("110108", "海淀区"),
        ("110109", "门头沟区"),
        ("110111", "房山区"),
        ("110112", "通州区"),
        ("110113", "顺义区"),
        ("110114", "昌平区"),
        ("110115", "大兴区"),
        ("110116", "怀柔区"),
        ("110117", "平谷区"),
        ("110118", "密云区"),
        ("110119", "延庆区"),
    ];

    #[test]
    fn every_beijing_district_by_code_and_full_name() {
        for (code, name) in BEIJING {
            let d = DistrictCode::parse(code).unwrap();
            assert_eq!(d.name(), name);
            assert_eq!(DistrictCode::parse(&format!("北京市{name}")), Ok(d));
            assert_eq!(DistrictCode::parse(&format!(" {code} ")), Ok(d));
        }
        // Romanised, as the English Wikipedia list prints them.
        for (code, name) in [
            ("110101", "Dongcheng"),
            ("110108", "Haidian"),
            ("110119", "Yanqing"),
        ] {
            let d = DistrictCode::parse(code).unwrap();
            assert_eq!(DistrictCode::parse(name), Ok(d));
            assert_eq!(DistrictCode::parse(&format!("{name} District")), Ok(d));
            assert_eq!(DistrictCode::parse(&name.to_uppercase()), Ok(d));
        }
        let listed: Vec<&str> = DistrictCode::in_province("11")
            .iter()
            .map(|d| d.code())
            .collect();
        assert_eq!(listed[0], "110000");
        assert_eq!(&listed[1..], BEIJING.map(|(c, _)| c).as_slice());
    }

    #[test]
    fn unique_names_resolve_and_shared_ones_are_ambiguous() {
        assert_eq!(DistrictCode::parse("海淀区").unwrap().code(), "110108");
        match DistrictCode::parse("朝阳区") {
            Err(CodeError::AmbiguousDistrict { codes, .. }) => {
                assert!(codes.contains(&"110105".to_string()) && codes.len() >= 2)
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            DistrictCode::parse("吉林省长春市朝阳区").unwrap().code(),
            "220104"
        );
    }

    #[test]
    fn unknown_districts_are_refused() {
        for text in ["Nowhere", "110100", "119999", "东城"] {
            assert!(
                matches!(
                    DistrictCode::parse(text),
                    Err(CodeError::UnknownDistrict { .. })
                ),
                "{text}"
            );
        }
    }
}
