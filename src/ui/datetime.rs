//! The date and time on the home screen, written the way each language writes them.

use chrono::{DateTime, Datelike, FixedOffset, Weekday};

use crate::i18n::Lang;

pub fn date_text(now: DateTime<FixedOffset>, lang: Lang) -> String {
    let (y, m, d) = (now.year(), now.month(), now.day());
    let wd = now.weekday();
    match lang {
        Lang::ZhCn => format!("{y}年{m}月{d}日 {}", zh_weekday(wd)),
        Lang::KoKr => format!("{y}년 {m}월 {d}일 ({})", ko_weekday(wd)),
        Lang::En => now.format("%A %-d %B %Y").to_string(),
    }
}

pub fn time_text(now: DateTime<FixedOffset>) -> String {
    now.format("%H:%M").to_string()
}

fn zh_weekday(wd: Weekday) -> &'static str {
    [
        "星期一",
        "星期二",
        "星期三",
        "星期四",
        "星期五",
        "星期六",
        "星期日",
    ][wd.num_days_from_monday() as usize]
}

fn ko_weekday(wd: Weekday) -> &'static str {
    ["월", "화", "수", "목", "금", "토", "일"][wd.num_days_from_monday() as usize]
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn each_language_writes_the_date_its_own_way() {
        let t = FixedOffset::east_opt(8 * 3600)
            .unwrap()
            .with_ymd_and_hms(2026, 11, 26, 9, 5, 0)
            .unwrap();
        assert_eq!(date_text(t, Lang::ZhCn), "2026年11月26日 星期四");
        assert_eq!(date_text(t, Lang::KoKr), "2026년 11월 26일 (목)");
        assert_eq!(date_text(t, Lang::En), "Thursday 26 November 2026");
        assert_eq!(time_text(t), "09:05");
    }
}
