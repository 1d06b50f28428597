//! What the terminal says aloud (issue 21): results read out in the citizen's language, in
//! words a formant voice reads correctly, and never anything personal.
//!
//! Fixed prompts are meant to be recorded audio; what changes — the ticket number, the
//! service, how many people wait — is synthesised offline by espeak-ng (`devices::speech`).
//! espeak-ng reads "2026" as a quantity and ticket numbers must be read digit by digit, so
//! numbers are spelled out here. Debian 12's `cmn` voice reads tone digits in English; the
//! `cmn-latn-pinyin` voice reads Chinese characters correctly (see the wave-2 reference).

use thiserror::Error;

use crate::i18n::Lang;

/// The espeak-ng voice for `lang`.
pub fn espeak_voice(lang: Lang) -> &'static str {
    match lang {
        Lang::ZhCn => "cmn-latn-pinyin",
        Lang::KoKr => "ko",
        _ => "en",
    }
}

/// A ticket number read character by character: `B012` → "B 零 一 二" (Mandarin), "B 영 일
/// 이" (Korean, Sino-Korean digits), "B 0 1 2" (English).
pub fn spell_number(number: &str, lang: Lang) -> String {
    const ZH: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    const KO: [&str; 10] = ["영", "일", "이", "삼", "사", "오", "육", "칠", "팔", "구"];
    number
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| match (c.to_digit(10), lang) {
            (Some(d), Lang::ZhCn) => ZH[d as usize].to_owned(),
            (Some(d), Lang::KoKr) => KO[d as usize].to_owned(),
            _ => c.to_ascii_uppercase().to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The ticket just taken, read out: its number, the service, the people ahead.
pub fn ticket_result(number: &str, service: &str, ahead: u32, lang: Lang) -> String {
    let spelled = spell_number(number, lang);
    match lang {
        Lang::KoKr => match ahead {
            0 => format!("번호는 {spelled} 번입니다. {service}. 곧 부르겠습니다."),
            n => format!("번호는 {spelled} 번입니다. {service}. 앞에 {n}명이 기다리고 있습니다."),
        },
        Lang::En => match ahead {
            0 => format!("Your number is {spelled}. {service}. You are next."),
            1 => format!("Your number is {spelled}. {service}. One person is ahead of you."),
            n => format!("Your number is {spelled}. {service}. {n} people are ahead of you."),
        },
        _ => match ahead {
            0 => format!("您的号码是 {spelled} 号。{service}。下一位就是您。"),
            n => format!("您的号码是 {spelled} 号。{service}。前面还有 {n} 人。"),
        },
    }
}

/// Text the terminal refuses to say.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum Unspeakable {
    /// A run of digits as long as a telephone or ID number's: personal data is never
    /// spoken (ticket numbers are spelled digit by digit, counts are short).
    #[error("a run of {0} digits: an ID or telephone number is never spoken")]
    LongNumber(usize),
    /// Nothing to say.
    #[error("nothing to say")]
    Empty,
}

/// The longest run of digits a spoken text may hold (a count of people, a year).
const MAX_DIGITS: usize = 4;

/// Whether `text` may be spoken: a last guard, whatever composed it.
pub fn speakable(text: &str) -> Result<(), Unspeakable> {
    if text.trim().is_empty() {
        return Err(Unspeakable::Empty);
    }
    let (mut run, mut longest) = (0, 0);
    for c in text.chars() {
        if c.is_ascii_digit() {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    if longest > MAX_DIGITS {
        return Err(Unspeakable::LongNumber(longest));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_numbers_are_spelled_digit_by_digit_in_each_language() {
        assert_eq!(spell_number("B012", Lang::ZhCn), "B 零 一 二");
        assert_eq!(spell_number("b012", Lang::KoKr), "B 영 일 이");
        assert_eq!(spell_number("B-012", Lang::En), "B 0 1 2");
    }

    #[test]
    fn the_ticket_result_names_number_service_and_people_ahead() {
        let zh = ticket_result("B012", "法律援助", 3, Lang::ZhCn);
        assert_eq!(zh, "您的号码是 B 零 一 二 号。法律援助。前面还有 3 人。");
        assert!(ticket_result("B012", "법률원조", 0, Lang::KoKr).contains("곧 부르겠습니다"));
        assert!(ticket_result("B012", "Legal aid", 1, Lang::En).contains("One person"));
        for lang in [Lang::ZhCn, Lang::KoKr, Lang::En] {
            assert_eq!(speakable(&ticket_result("A999", "x", 120, lang)), Ok(()));
        }
    }

    #[test]
    fn an_id_or_telephone_number_is_never_spoken() {
        assert!(matches!(
            speakable("您好 110101198506150019"),
            Err(Unspeakable::LongNumber(_))
        ));
        assert!(speakable("电话 13912345678").is_err());
        assert!(speakable("11010519491231002X").is_err());
        assert_eq!(speakable("2026年"), Ok(()));
        assert_eq!(speakable("  "), Err(Unspeakable::Empty));
    }
}
