//! Nation (ethnic group) codes, GB 3304 as printed on the card (reference §2.7), and the
//! gender codes of GB/T 2261.1 (§2.6). Unknown codes are never guessed: callers show the raw
//! code.

use std::fmt;

/// Names as on the card face (without 族), indexed by code 01..=56.
const NAMES: [&str; 56] = [
    "汉",
    "蒙古",
    "回",
    "藏",
    "维吾尔",
    "苗",
    "彝",
    "壮",
    "布依",
    "朝鲜",
    "满",
    "侗",
    "瑶",
    "白",
    "土家",
    "哈尼",
    "哈萨克",
    "傣",
    "黎",
    "傈僳",
    "佤",
    "畲",
    "高山",
    "拉祜",
    "水",
    "东乡",
    "纳西",
    "景颇",
    "柯尔克孜",
    "土",
    "达斡尔",
    "仫佬",
    "羌",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "塔吉克",
    "怒",
    "乌孜别克",
    "俄罗斯",
    "鄂温克",
    "德昂",
    "保安",
    "裕固",
    "京",
    "塔塔尔",
    "独龙",
    "鄂伦春",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
];

/// The card-face name for a two-digit nation code, or `None` when the table has no entry.
pub fn nation_name(code: &str) -> Option<&'static str> {
    if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: usize = code.parse().ok()?;
    match n {
        1..=56 => Some(NAMES[n - 1]),
        97 => Some("其他"),
        98 => Some("外国血统中国籍人士"),
        _ => None,
    }
}

/// A nation entry: the raw code and, when known, its name.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Nation<'a> {
    /// The two characters stored on the card.
    pub code: &'a str,
    /// The card-face name, `None` for a code the table does not know.
    pub name: Option<&'static str>,
}

impl<'a> Nation<'a> {
    /// Looks `code` up.
    pub fn from_code(code: &'a str) -> Self {
        Self {
            code,
            name: nation_name(code),
        }
    }
}

impl fmt::Display for Nation<'_> {
    /// The name when known, else the raw code.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name.unwrap_or(self.code))
    }
}

impl fmt::Debug for Nation<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Ethnicity is personal data: keep it out of debug output.
        f.write_str("Nation(<redacted>)")
    }
}

/// Gender as coded on the card (GB/T 2261.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gender {
    /// 0 未知.
    Unknown,
    /// 1 男.
    Male,
    /// 2 女.
    Female,
    /// 9 未说明.
    Unstated,
    /// Any other character, kept as read.
    Other(char),
}

impl Gender {
    /// Maps the one-character code; anything unlisted is kept, never mapped to 女.
    pub fn from_code(code: &str) -> Self {
        let mut chars = code.chars();
        match (chars.next(), chars.next()) {
            (Some('0'), None) => Self::Unknown,
            (Some('1'), None) => Self::Male,
            (Some('2'), None) => Self::Female,
            (Some('9'), None) => Self::Unstated,
            (Some(c), None) => Self::Other(c),
            _ => Self::Other(' '),
        }
    }

    /// The label on the card face (未知, 男, 女, 未说明); `None` for an unlisted code.
    pub fn label_zh(self) -> Option<&'static str> {
        match self {
            Self::Unknown => Some("未知"),
            Self::Male => Some("男"),
            Self::Female => Some("女"),
            Self::Unstated => Some("未说明"),
            Self::Other(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_entries_and_unknown_codes() {
        assert_eq!(nation_name("01"), Some("汉"));
        assert_eq!(nation_name("10"), Some("朝鲜"));
        assert_eq!(nation_name("20"), Some("傈僳"));
        assert_eq!(nation_name("46"), Some("德昂"));
        assert_eq!(nation_name("56"), Some("基诺"));
        assert_eq!(nation_name("97"), Some("其他"));
        assert_eq!(nation_name("98"), Some("外国血统中国籍人士"));
        for unknown in ["00", "57", "58", "99", "1", "001", "+1", "  "] {
            assert_eq!(nation_name(unknown), None, "{unknown}");
        }
        assert_eq!(Nation::from_code("57").to_string(), "57");
        assert_eq!(Nation::from_code("08").to_string(), "壮");
    }

    #[test]
    fn gender_codes_are_not_guessed() {
        assert_eq!(Gender::from_code("1"), Gender::Male);
        assert_eq!(Gender::from_code("2"), Gender::Female);
        assert_eq!(Gender::from_code("0"), Gender::Unknown);
        assert_eq!(Gender::from_code("9"), Gender::Unstated);
        assert_eq!(Gender::from_code("3"), Gender::Other('3'));
        assert_eq!(Gender::from_code("3").label_zh(), None);
    }
}
