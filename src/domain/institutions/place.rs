//! One institution as a page or a slip shows it, in the citizen's language: what it is,
//! where, how far, when it opens (today, and the week), what is free.

use chrono::NaiveDateTime;
use provisioning::institutions::hours::{Calendar, Span};
use provisioning::institutions::{Institution, InstitutionKind, Location, OpeningHours};

use super::names;
use crate::domain::consult::flow::pick;
use crate::i18n::Lang;

/// An institution, ready to show.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    pub id: String,
    pub kind: InstitutionKind,
    /// 公证处, 공증처, Notary office.
    pub kind_name: String,
    /// In the citizen's language where the bundle has it, else Chinese.
    pub name: String,
    /// As published (Chinese).
    pub address: String,
    pub phone: Option<String>,
    /// Metres from this terminal's platform, when both are known.
    pub distance_m: Option<f64>,
    /// Open at the time asked; `None` when its hours are unknown.
    pub open_now: Option<bool>,
    /// Today: `今天 08:30-11:30、13:00-17:00`, `今天休息（国庆节）`; `None` when unknown.
    pub today: Option<String>,
    /// The week: `周一至周五 09:00-17:00；周六 09:00-12:00；节假日休息`.
    pub hours: Option<String>,
    /// What the hours cannot say (节假日预约), as published.
    pub hours_note: String,
    pub services: Vec<String>,
    pub free_services: Vec<String>,
    /// Wheelchair access, when known.
    pub wheelchair: Option<String>,
    /// The link the slip's QR opens (the centre's map provider), when it has coordinates.
    pub navigation: Option<String>,
    pub location: Option<Location>,
}

impl Place {
    pub(super) fn of(
        institution: &Institution,
        calendar: &Calendar,
        distance_m: Option<f64>,
        navigation: Option<String>,
        now: NaiveDateTime,
        lang: Lang,
    ) -> Place {
        let hours = institution.hours.as_ref();
        Place {
            id: institution.id.clone(),
            kind: institution.kind,
            kind_name: names::kind_name(institution.kind, lang).to_string(),
            name: institution.name.get(lang.tag()).to_string(),
            address: institution.address.clone(),
            phone: Some(institution.phone.clone()).filter(|p| !p.is_empty()),
            distance_m,
            open_now: hours.map(|h| h.is_open(now, calendar)),
            today: hours.map(|h| today_text(h, calendar, now, lang)),
            hours: hours.map(|h| week_text(h, lang)),
            hours_note: institution.hours_note.clone(),
            services: institution.services.clone(),
            free_services: institution.free_services.clone(),
            wheelchair: names::wheelchair(institution.wheelchair, lang).map(str::to_string),
            navigation,
            location: institution.location,
        }
    }

    /// `1.2 公里`, when the distance is known.
    pub fn distance(&self, lang: Lang) -> Option<String> {
        self.distance_m.map(|m| names::distance_text(m, lang))
    }

    /// For an outcome's list of the nearest: name, distance, today's hours; the address.
    pub fn nearby_line(&self, lang: Lang) -> String {
        let mut line = self.name.clone();
        if let Some(d) = self.distance(lang) {
            line.push_str(&format!(" · {d}"));
        }
        if let Some(today) = &self.today {
            line.push_str(&format!(" · {today}"));
        }
        line.push('\n');
        line.push_str(&self.address);
        line
    }

    /// One line for a list: distance, open now, free services.
    pub fn summary(&self, lang: Lang) -> String {
        let mut parts: Vec<String> = Vec::new();
        if let Some(d) = self.distance(lang) {
            parts.push(d);
        }
        match self.open_now {
            Some(true) => parts.push(pick(lang, "正在营业", "지금 영업 중", "Open now").into()),
            Some(false) => parts.push(pick(lang, "现在休息", "지금 휴무", "Closed now").into()),
            None => {}
        }
        if !self.free_services.is_empty() {
            parts.push(pick(lang, "有免费服务", "무료 서비스 있음", "Free services").into());
        }
        parts.join(" · ")
    }
}

fn spans_text(spans: &[Span], lang: Lang) -> String {
    spans
        .iter()
        .map(Span::to_string)
        .collect::<Vec<_>>()
        .join(pick(lang, "、", ", ", ", "))
}

/// The week, days with the same hours grouped.
fn week_text(hours: &OpeningHours, lang: Lang) -> String {
    if *hours == OpeningHours::always() {
        return pick(lang, "全天24小时", "24시간 연중무휴", "Open 24 hours").into();
    }
    let (week, holiday) = hours.rules();
    let mut rules: Vec<String> = week
        .into_iter()
        .map(|(first, last, spans)| {
            format!(
                "{} {}",
                names::weekdays(first, last, lang),
                spans_text(spans, lang)
            )
        })
        .collect();
    rules.push(match holiday {
        Some(spans) => format!(
            "{} {}",
            pick(lang, "节假日", "공휴일", "Public holidays"),
            spans_text(spans, lang)
        ),
        None => pick(
            lang,
            "节假日休息",
            "공휴일 휴무",
            "Closed on public holidays",
        )
        .into(),
    });
    rules.join(pick(lang, "；", "; ", "; "))
}

/// Today's openings, or that it is closed today (and which holiday).
fn today_text(hours: &OpeningHours, calendar: &Calendar, now: NaiveDateTime, lang: Lang) -> String {
    let date = now.date();
    let today = pick(lang, "今天", "오늘", "Today");
    let spans = hours.spans_on(date, calendar);
    if spans.is_empty() {
        return match calendar.holiday(date) {
            Some(name) => format!(
                "{today}{}（{name}）",
                pick(lang, "休息", " 휴무", ": closed")
            ),
            None => format!("{today}{}", pick(lang, "休息", " 휴무", ": closed")),
        };
    }
    let sep = pick(lang, " ", " ", ": ");
    format!("{today}{sep}{}", spans_text(spans, lang))
}
