//! Word lists and weighted tables: districts, industries, enterprise types,
//! licences and the words that make up names.

/// One of Beijing's 16 districts: name, administrative division code, weight
/// (roughly its share of registered enterprises, in thousandths).
pub(crate) struct District {
    pub name: &'static str,
    pub code: &'static str,
}

pub(crate) const DISTRICTS: [(District, u32); 16] = [
    (
        District {
            name: "Dongcheng",
            code: "110101",
        },
        50,
    ),
    (
        District {
            name: "Xicheng",
            code: "110102",
        },
        60,
    ),
    (
        District {
            name: "Chaoyang",
            code: "110105",
        },
        195,
    ),
    (
        District {
            name: "Fengtai",
            code: "110106",
        },
        80,
    ),
    (
        District {
            name: "Shijingshan",
            code: "110107",
        },
        30,
    ),
    (
        District {
            name: "Haidian",
            code: "110108",
        },
        170,
    ),
    (
        District {
            name: "Mentougou",
            code: "110109",
        },
        20,
    ),
    (
        District {
            name: "Fangshan",
            code: "110111",
        },
        40,
    ),
    (
        District {
            name: "Tongzhou",
            code: "110112",
        },
        70,
    ),
    (
        District {
            name: "Shunyi",
            code: "110113",
        },
        60,
    ),
    (
        District {
            name: "Changping",
            code: "110114",
        },
        80,
    ),
    (
        District {
            name: "Daxing",
            code: "110115",
        },
        70,
    ),
    (
        District {
            name: "Huairou",
            code: "110116",
        },
        25,
    ),
    (
        District {
            name: "Pinggu",
            code: "110117",
        },
        20,
    ),
    (
        District {
            name: "Miyun",
            code: "110118",
        },
        17,
    ),
    (
        District {
            name: "Yanqing",
            code: "110119",
        },
        13,
    ),
];

/// A licence an industry may hold: type, issuing department, probability of holding it.
pub(crate) type LicenceSpec = (&'static str, &'static str, f64);

/// An industry (GB/T 4754 class): code, the business word used in names,
/// the usual product category (food industries only) and the licences it may hold.
pub(crate) struct Industry {
    pub code: &'static str,
    pub business: &'static str,
    pub food: Option<&'static str>,
    pub licences: &'static [LicenceSpec],
}

/// The issuing divisions as licences name them (the reference set's
/// `[routing.departments]` registry lists each name as an alias).
const FOOD_PRODUCTION_DIVISION: &str = "食品生产安全监督管理处";
const FOOD_BUSINESS_DIVISION: &str = "食品经营安全监督管理处";
const SPECIAL_EQUIPMENT_DIVISION: &str = "特种设备安全监察处";

const FOOD_PRODUCTION: LicenceSpec = ("food_production", FOOD_PRODUCTION_DIVISION, 0.95);
const FOOD_BUSINESS: LicenceSpec = ("food_business", FOOD_BUSINESS_DIVISION, 0.9);
const SPECIAL_EQUIPMENT: LicenceSpec = ("special_equipment", SPECIAL_EQUIPMENT_DIVISION, 0.3);
const POLLUTANT: LicenceSpec = ("pollutant_discharge", "生态环境局", 0.2);

/// Industries with weights in thousandths; food industries (C13–C15) make up 6%.
pub(crate) const INDUSTRIES: [(Industry, u32); 21] = [
    // Food: 60 in 1000.
    (
        Industry {
            code: "C1311",
            business: "Grain and Oil",
            food: Some("general"),
            licences: &[FOOD_PRODUCTION, SPECIAL_EQUIPMENT, POLLUTANT],
        },
        6,
    ),
    (
        Industry {
            code: "C1351",
            business: "Meat Products",
            food: Some("meat"),
            licences: &[FOOD_PRODUCTION, SPECIAL_EQUIPMENT, POLLUTANT],
        },
        8,
    ),
    (
        Industry {
            code: "C1411",
            business: "Bakery",
            food: Some("bakery"),
            licences: &[
                FOOD_PRODUCTION,
                ("food_business", FOOD_BUSINESS_DIVISION, 0.4),
                SPECIAL_EQUIPMENT,
            ],
        },
        10,
    ),
    (
        Industry {
            code: "C1431",
            business: "Noodle Products",
            food: Some("general"),
            licences: &[FOOD_PRODUCTION, SPECIAL_EQUIPMENT],
        },
        8,
    ),
    (
        Industry {
            code: "C1441",
            business: "Dairy",
            food: Some("dairy"),
            licences: &[
                FOOD_PRODUCTION,
                ("special_equipment", SPECIAL_EQUIPMENT_DIVISION, 0.6),
                POLLUTANT,
            ],
        },
        5,
    ),
    (
        Industry {
            code: "C1491",
            business: "Nutrition Foods",
            food: Some("infant_formula"),
            licences: &[FOOD_PRODUCTION, SPECIAL_EQUIPMENT],
        },
        4,
    ),
    (
        Industry {
            code: "C1492",
            business: "Health Products",
            food: Some("health_food"),
            licences: &[
                FOOD_PRODUCTION,
                ("food_business", FOOD_BUSINESS_DIVISION, 0.3),
            ],
        },
        6,
    ),
    (
        Industry {
            code: "C1511",
            business: "Distillery",
            food: Some("beverage"),
            licences: &[
                FOOD_PRODUCTION,
                ("special_equipment", SPECIAL_EQUIPMENT_DIVISION, 0.5),
                POLLUTANT,
            ],
        },
        5,
    ),
    (
        Industry {
            code: "C1521",
            business: "Beverage",
            food: Some("beverage"),
            licences: &[FOOD_PRODUCTION, SPECIAL_EQUIPMENT],
        },
        8,
    ),
    // Everything else: 940 in 1000.
    (
        Industry {
            code: "F5211",
            business: "Supermarket",
            food: None,
            licences: &[("food_business", FOOD_BUSINESS_DIVISION, 0.8)],
        },
        90,
    ),
    (
        Industry {
            code: "F5191",
            business: "Trading",
            food: None,
            licences: &[
                ("food_business", FOOD_BUSINESS_DIVISION, 0.15),
                ("hazardous_chemicals", "应急管理局", 0.03),
            ],
        },
        190,
    ),
    (
        Industry {
            code: "I6513",
            business: "Technology",
            food: None,
            licences: &[],
        },
        160,
    ),
    (
        Industry {
            code: "E4790",
            business: "Construction Engineering",
            food: None,
            licences: &[
                ("construction_qualification", "住房和城乡建设委员会", 0.85),
                SPECIAL_EQUIPMENT,
            ],
        },
        60,
    ),
    (
        Industry {
            code: "H6210",
            business: "Catering",
            food: None,
            licences: &[
                FOOD_BUSINESS,
                ("special_equipment", SPECIAL_EQUIPMENT_DIVISION, 0.1),
            ],
        },
        90,
    ),
    (
        Industry {
            code: "L7212",
            business: "Investment Management",
            food: None,
            licences: &[],
        },
        115,
    ),
    (
        Industry {
            code: "M7320",
            business: "Engineering Technology",
            food: None,
            licences: &[],
        },
        60,
    ),
    (
        Industry {
            code: "C3311",
            business: "Steel Structure",
            food: None,
            licences: &[
                ("special_equipment", SPECIAL_EQUIPMENT_DIVISION, 0.6),
                ("pollutant_discharge", "生态环境局", 0.4),
                ("construction_qualification", "住房和城乡建设委员会", 0.2),
            ],
        },
        25,
    ),
    (
        Industry {
            code: "C2614",
            business: "Chemical",
            food: None,
            licences: &[
                ("hazardous_chemicals", "应急管理局", 0.9),
                ("pollutant_discharge", "生态环境局", 0.7),
                ("special_equipment", SPECIAL_EQUIPMENT_DIVISION, 0.5),
            ],
        },
        10,
    ),
    (
        Industry {
            code: "G5431",
            business: "Logistics",
            food: None,
            licences: &[
                ("road_transport", "交通委员会", 0.9),
                ("hazardous_chemicals", "应急管理局", 0.05),
            ],
        },
        50,
    ),
    (
        Industry {
            code: "K7020",
            business: "Property Management",
            food: None,
            licences: &[("special_equipment", SPECIAL_EQUIPMENT_DIVISION, 0.5)],
        },
        50,
    ),
    (
        Industry {
            code: "O8010",
            business: "Household Services",
            food: None,
            licences: &[("public_health", "卫生健康委员会", 0.4)],
        },
        40,
    ),
];

/// Enterprise type, the suffix of its name and its weight in thousandths.
pub(crate) const ENTERPRISE_TYPES: [((&str, &str), u32); 7] = [
    (("llc", "Co., Ltd."), 720),
    (("sole_proprietorship", "Firm"), 80),
    (("joint_stock", "Joint Stock Co., Ltd."), 50),
    (("partnership", "Center (Limited Partnership)"), 50),
    (("foreign_invested", "Co., Ltd."), 50),
    (("state_owned", "Group Co., Ltd."), 30),
    (("collective", "Cooperative"), 20),
];

/// Production scale of food producers (shifted towards workshops for risky ones).
pub(crate) const SCALES: [&str; 4] = ["workshop", "small", "medium", "large"];

/// Product categories other than an industry's usual one.
pub(crate) const PRODUCT_CATEGORIES: [(&str, u32); 7] = [
    ("infant_formula", 2),
    ("health_food", 8),
    ("dairy", 6),
    ("meat", 12),
    ("beverage", 12),
    ("bakery", 20),
    ("general", 40),
];

/// First syllables of brand names.
pub(crate) const BRAND_HEADS: [&str; 24] = [
    "Xin", "Hua", "Jin", "Tian", "Hong", "Zhong", "Rui", "Bo", "Heng", "Kang", "Fu", "Sheng",
    "Long", "Yuan", "Tai", "Jia", "Mei", "Da", "Guo", "Ming", "Hai", "Chang", "Ding", "An",
];

/// Second syllables of brand names.
pub(crate) const BRAND_TAILS: [&str; 20] = [
    "da", "xing", "yuan", "tai", "feng", "cheng", "hua", "li", "sheng", "rui", "bo", "kang",
    "tong", "hui", "yu", "an", "ming", "jie", "shun", "chuang",
];

/// Characters of the unified social credit code (GB 32100: digits and 21 letters, no I O Z S V).
pub(crate) const CODE_CHARS: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
