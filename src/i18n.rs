//! Languages of the kiosk and texts that come from data (service names, consultation
//! content, rules) rather than from the `.slint` files, which are translated with `@tr`.
//! zh-CN is required; ko-KR and en fall back to it, saying so.

use serde::{Deserialize, Serialize};

/// A language the kiosk shows content in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Lang {
    /// Simplified Chinese, always present.
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    /// Korean (Yanbian and other Korean-reading citizens).
    #[serde(rename = "ko-KR")]
    KoKr,
    /// English.
    #[serde(rename = "en")]
    En,
}

impl Lang {
    /// Every language, zh-CN first.
    pub const ALL: [Lang; 3] = [Lang::ZhCn, Lang::KoKr, Lang::En];

    /// The BCP 47 tag used in content files and payloads.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::KoKr => "ko-KR",
            Lang::En => "en",
        }
    }

    /// The folder name of the UI's bundled translation: `zh_CN`, `ko_KR` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh_CN",
            Lang::KoKr => "ko_KR",
            Lang::En => "en",
        }
    }

    /// The language of a bundled translation folder name (see [`Lang::code`]).
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.code() == code)
    }

    /// Parses a tag as written in files or on the command line (`zh-CN`, `ko-KR`, `en`, or `zh`/`ko`).
    pub fn from_tag(tag: &str) -> Option<Lang> {
        match tag {
            "zh-CN" | "zh" | "zh_CN" => Some(Lang::ZhCn),
            "ko-KR" | "ko" | "ko_KR" => Some(Lang::KoKr),
            "en" | "en-US" | "en_US" => Some(Lang::En),
            _ => None,
        }
    }
}

/// One text in zh-CN (required) and, where translated, ko-KR and en.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    /// Simplified Chinese; required everywhere.
    #[serde(rename = "zh-CN")]
    pub zh_cn: String,
    /// Korean, if translated.
    #[serde(rename = "ko-KR", default, skip_serializing_if = "Option::is_none")]
    pub ko_kr: Option<String>,
    /// English, if translated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

/// A text resolved for one language, saying whether zh-CN stood in for a missing translation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shown<'a> {
    /// What to display.
    pub text: &'a str,
    /// True when the requested language was missing and zh-CN is shown instead.
    pub fallback: bool,
}

/// An owned [`Shown`], for views handed to the UI thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Localized {
    /// What to display.
    pub text: String,
    /// True when zh-CN stands in for a missing translation (staff can see what is missing).
    pub fallback: bool,
}

impl From<Shown<'_>> for Localized {
    fn from(s: Shown<'_>) -> Self {
        Localized {
            text: s.text.to_owned(),
            fallback: s.fallback,
        }
    }
}

impl Text {
    /// A text with only zh-CN.
    pub fn zh(zh_cn: impl Into<String>) -> Self {
        Text {
            zh_cn: zh_cn.into(),
            ko_kr: None,
            en: None,
        }
    }

    /// A text with all three languages.
    pub fn all(zh_cn: &str, ko_kr: &str, en: &str) -> Self {
        Text {
            zh_cn: zh_cn.to_owned(),
            ko_kr: Some(ko_kr.to_owned()),
            en: Some(en.to_owned()),
        }
    }

    /// The text in `lang`, or zh-CN with `fallback` set when that translation is missing.
    pub fn get(&self, lang: Lang) -> Shown<'_> {
        let translated = match lang {
            Lang::ZhCn => Some(self.zh_cn.as_str()),
            Lang::KoKr => self.ko_kr.as_deref(),
            Lang::En => self.en.as_deref(),
        };
        match translated {
            Some(text) => Shown {
                text,
                fallback: false,
            },
            None => Shown {
                text: &self.zh_cn,
                fallback: true,
            },
        }
    }

    /// The text to show in `lang` (zh-CN when not translated).
    pub fn text(&self, lang: Lang) -> &str {
        self.get(lang).text
    }

    /// [`Text::get`] as an owned value.
    pub fn localized(&self, lang: Lang) -> Localized {
        self.get(lang).into()
    }

    /// Whether `lang` has its own translation.
    pub fn has(&self, lang: Lang) -> bool {
        !self.get(lang).fallback
    }

    /// Every present variant, for checks over all content (blank texts, font coverage).
    pub fn variants(&self) -> impl Iterator<Item = (Lang, &str)> {
        [
            (Lang::ZhCn, Some(self.zh_cn.as_str())),
            (Lang::KoKr, self.ko_kr.as_deref()),
            (Lang::En, self.en.as_deref()),
        ]
        .into_iter()
        .filter_map(|(lang, text)| text.map(|t| (lang, t)))
    }

    /// The first language whose text is blank, if any (a blank translation is a content error).
    pub fn blank_variant(&self) -> Option<Lang> {
        self.variants()
            .find(|(_, t)| t.trim().is_empty())
            .map(|(lang, _)| lang)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_translation_falls_back_to_chinese_and_says_so() {
        let t = Text {
            zh_cn: "拖欠工资".into(),
            ko_kr: None,
            en: Some("Unpaid wages".into()),
        };
        assert_eq!(
            t.get(Lang::En),
            Shown {
                text: "Unpaid wages",
                fallback: false
            }
        );
        assert_eq!(
            t.get(Lang::KoKr),
            Shown {
                text: "拖欠工资",
                fallback: true
            }
        );
        assert!(!t.get(Lang::ZhCn).fallback);
    }

    #[test]
    fn text_without_chinese_is_rejected_by_the_parser() {
        let err = toml::from_str::<Text>(r#"en = "only English""#).unwrap_err();
        assert!(err.to_string().contains("zh-CN"), "{err}");
    }

    #[test]
    fn blank_translation_is_reported() {
        let t = Text {
            zh_cn: "好".into(),
            ko_kr: Some("  ".into()),
            en: None,
        };
        assert_eq!(t.blank_variant(), Some(Lang::KoKr));
    }
}
