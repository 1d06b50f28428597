//! Languages of the kiosk and texts that come from data (service names, content) rather than
//! from the `.slint` files, which are translated with `@tr`.

use serde::Deserialize;

/// A language the kiosk offers, named like the bundled translation folders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    ZhCn,
    KoKr,
    En,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::ZhCn, Lang::KoKr, Lang::En];

    /// The folder name of the bundled translation: `zh_CN`, `ko_KR` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh_CN",
            Lang::KoKr => "ko_KR",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.code() == code)
    }
}

/// A text from data: Chinese always, Korean and English where the author wrote them.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct Localized {
    #[serde(rename = "zh_CN")]
    pub zh_cn: String,
    #[serde(rename = "ko_KR", default)]
    pub ko_kr: Option<String>,
    #[serde(default)]
    pub en: Option<String>,
}

impl Localized {
    /// The text in `lang`, falling back to Chinese; the flag says a fallback was used, so
    /// staff can see what is missing.
    pub fn get(&self, lang: Lang) -> (&str, bool) {
        let wanted = match lang {
            Lang::ZhCn => return (&self.zh_cn, false),
            Lang::KoKr => self.ko_kr.as_deref(),
            Lang::En => self.en.as_deref(),
        };
        match wanted {
            Some(text) if !text.trim().is_empty() => (text, false),
            _ => (&self.zh_cn, true),
        }
    }

    pub fn text(&self, lang: Lang) -> &str {
        self.get(lang).0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_translations_fall_back_to_chinese_and_say_so() {
        let t = Localized {
            zh_cn: "公证".into(),
            ko_kr: Some("공증".into()),
            en: None,
        };
        assert_eq!(t.get(Lang::KoKr), ("공증", false));
        assert_eq!(t.get(Lang::En), ("公证", true));
        assert_eq!(t.get(Lang::ZhCn), ("公证", false));
    }
}
