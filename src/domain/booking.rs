//! Booking at the kiosk (issue 20): the rules of the 预约 flow as plain Rust. The registry
//! says which services of this platform take appointments and how many places each
//! half-hour slot has left (`provisioning::booking`); here, what the citizen is offered
//! (the next days, each open, full, closed or a holiday; the slots with places), what a
//! phone number typed on the keypad must look like, why a booking was refused in words a
//! citizen can act on, and what the confirmation slip says. Nothing here holds the ID
//! number: the booking carries its keyed hash and the masked name only.

use chrono::{Datelike as _, NaiveDate, NaiveDateTime};
use provisioning::booking::{DaySlots, ServiceDays};

use crate::domain::consult::flow::pick;
use crate::i18n::{Lang, Text};

/// The lawyers' video consultation, booked like any other service (the centre gives it a
/// schedule); at check-in it leads to the video call instead of a counter ticket.
pub const VIDEO_SERVICE: &str = "lawyer-video";
/// Days offered, today first.
pub const DAYS_SHOWN: u32 = 7;
/// Digits of the shortest phone number taken (a landline without its area code).
pub const MIN_PHONE_DIGITS: usize = 7;
/// Digits of the longest (an area code and a landline, or a mobile).
pub const MAX_PHONE_DIGITS: usize = 12;

/// Whether the digits typed make a phone number the centre can call: 7 to 12 digits (a
/// mobile has 11 and starts with 1).
pub fn valid_phone(digits: &str) -> bool {
    let n = digits.len();
    (MIN_PHONE_DIGITS..=MAX_PHONE_DIGITS).contains(&n)
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (n != 11 || digits.starts_with('1'))
}

/// A phone number as shown back to the citizen on the confirmation (all of it: they typed
/// it and check it; it is not printed).
pub fn spaced_phone(digits: &str) -> String {
    if digits.len() == 11 {
        format!("{} {} {}", &digits[..3], &digits[3..7], &digits[7..])
    } else {
        digits.to_string()
    }
}

/// How a day looks in the day list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DayState {
    /// Places left in `slots` slots.
    Open { slots: usize },
    /// Every slot is taken (or has begun).
    Full,
    /// No slots that weekday.
    Closed,
    /// A holiday, by name.
    Holiday(String),
}

/// A day the citizen may pick (only `Open` ones can be).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayChoice {
    pub day: NaiveDate,
    pub state: DayState,
}

/// A slot with places.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotChoice {
    pub start: NaiveDateTime,
    pub free: u32,
}

fn slots_with_places(day: &DaySlots) -> Vec<SlotChoice> {
    day.slots
        .iter()
        .filter(|s| s.free > 0)
        .filter_map(|s| {
            Some(SlotChoice {
                start: NaiveDateTime::parse_from_str(&s.start, "%Y-%m-%dT%H:%M").ok()?,
                free: s.free,
            })
        })
        .collect()
}

/// The days of a service as the day list shows them (days the registry sent that are not
/// dates are left out).
pub fn days_of(service: &ServiceDays) -> Vec<DayChoice> {
    service
        .days
        .iter()
        .filter_map(|d| {
            let day = NaiveDate::parse_from_str(&d.day, "%Y-%m-%d").ok()?;
            let state = match d.closed.as_deref() {
                Some("closed") => DayState::Closed,
                Some(holiday) => DayState::Holiday(holiday.to_string()),
                None => match slots_with_places(d).len() {
                    0 => DayState::Full,
                    slots => DayState::Open { slots },
                },
            };
            Some(DayChoice { day, state })
        })
        .collect()
}

/// The slots of `day` with places left, in order.
pub fn slots_on(service: &ServiceDays, day: NaiveDate) -> Vec<SlotChoice> {
    let text = day.format("%Y-%m-%d").to_string();
    service
        .days
        .iter()
        .find(|d| d.day == text)
        .map(slots_with_places)
        .unwrap_or_default()
}

/// A service's name for the citizen: the catalogue's, the video consultation's own, or (a
/// service the catalogue does not know) its id.
pub fn service_name(catalogue_name: Option<&Text>, service_id: &str, lang: Lang) -> String {
    if let Some(name) = catalogue_name {
        return name.text(lang).to_string();
    }
    if service_id == VIDEO_SERVICE {
        return video_service_name().text(lang).to_string();
    }
    service_id.to_string()
}

/// 律师视频咨询 in the three languages.
pub fn video_service_name() -> Text {
    Text::all(
        "律师视频咨询",
        "변호사 화상 상담",
        "Video consultation with a lawyer",
    )
}

/// A date for the citizen, with its weekday: 12月4日 星期四.
pub fn day_text(day: NaiveDate, lang: Lang) -> String {
    let i = day.weekday().num_days_from_monday() as usize;
    match lang {
        Lang::ZhCn => {
            const W: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];
            format!("{}月{}日 星期{}", day.month(), day.day(), W[i])
        }
        Lang::KoKr => {
            const W: [&str; 7] = ["월", "화", "수", "목", "금", "토", "일"];
            format!("{}월 {}일 ({})", day.month(), day.day(), W[i])
        }
        Lang::En => day.format("%A %-d %B").to_string(),
    }
}

/// A day's second line in the day list.
pub fn day_detail(state: &DayState, lang: Lang) -> String {
    match state {
        DayState::Open { slots } => match lang {
            Lang::ZhCn => format!("{slots}个时段可约"),
            Lang::KoKr => format!("예약 가능 {slots}개 시간"),
            Lang::En => format!("{slots} times free"),
        },
        DayState::Full => pick(lang, "已约满", "예약 마감", "Fully booked").into(),
        DayState::Closed => pick(lang, "不开放", "휴무", "Closed").into(),
        DayState::Holiday(name) => match lang {
            Lang::ZhCn => format!("节假日（{name}）"),
            Lang::KoKr => format!("공휴일 ({name})"),
            Lang::En => format!("Holiday ({name})"),
        },
    }
}

/// A slot's second line.
pub fn places_left(free: u32, lang: Lang) -> String {
    match lang {
        Lang::ZhCn => format!("剩{free}个名额"),
        Lang::KoKr => format!("{free}자리 남음"),
        Lang::En => format!("{free} places left"),
    }
}

/// What the done page says about the slip: take it, or (not printed) keep the code.
pub fn slip_note(printed: bool, code: &str, lang: Lang) -> String {
    if printed {
        return pick(
            lang,
            "请取走您的预约凭条。",
            "예약 확인서를 가져가세요.",
            "Please take your booking slip.",
        )
        .into();
    }
    match lang {
        Lang::ZhCn => format!("凭条没有打印出来，请记下您的预约码 {code}，或拍照留存。"),
        Lang::KoKr => format!(
            "확인서를 인쇄하지 못했습니다. 예약 코드 {code}를 적어 두시거나 사진을 찍어 두세요."
        ),
        Lang::En => format!(
            "The slip could not be printed. Please write down your booking code {code}, or take a photo."
        ),
    }
}

/// Why a booking (or the slot list) could not be had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The registry cannot be reached (or the terminal is not linked to one).
    Offline,
    /// Someone took the last place first.
    SlotFull,
    /// The slot has begun meanwhile.
    PastTime,
    /// This person already has a booking for this service here that day.
    Duplicate,
    /// The service no longer takes appointments here (or the slot left the schedule).
    NotOffered,
    /// No region key yet (no `appointments` bundle): the card cannot be matched later.
    NotReady,
    /// Anything else (the reason is for the log).
    Failed(String),
}

impl Refusal {
    /// Whether the citizen should go back to a fresh slot list.
    pub fn back_to_slots(&self) -> bool {
        matches!(self, Refusal::SlotFull | Refusal::PastTime)
    }

    /// What the citizen reads, with what to do.
    pub fn message(&self, lang: Lang) -> &'static str {
        let (zh, ko, en) = match self {
            Refusal::Offline => (
                "预约需要联网，现在连不上。您可以先取号办理，或稍后再来预约。已有预约的可以签到。",
                "예약은 네트워크가 필요한데 지금 연결되지 않습니다. 먼저 번호표를 뽑거나 나중에 다시 예약하세요. 이미 예약하신 분은 체크인할 수 있습니다.",
                "Booking needs the network, and it cannot be reached now. You can take a ticket now, or book later. If you already have a booking, you can check in.",
            ),
            Refusal::SlotFull => (
                "这个时间刚刚约满了。请另选一个时间。",
                "이 시간은 방금 마감되었습니다. 다른 시간을 선택하세요.",
                "This time has just been fully booked. Please choose another time.",
            ),
            Refusal::PastTime => (
                "这个时间已经过了。请另选一个时间。",
                "이 시간은 이미 지났습니다. 다른 시간을 선택하세요.",
                "This time has already passed. Please choose another time.",
            ),
            Refusal::Duplicate => (
                "您这一天已经预约过这项服务了，不用再约。到时带身份证来签到即可。",
                "이 날짜에 이미 이 서비스를 예약하셨습니다. 그날 신분증을 가지고 오셔서 체크인하세요.",
                "You already have a booking for this service on that day. Bring your ID card and check in then.",
            ),
            Refusal::NotOffered => (
                "这项服务现在不能预约了。请找工作人员。",
                "이 서비스는 지금 예약할 수 없습니다. 직원에게 문의하세요.",
                "This service cannot be booked now. Please ask a member of staff.",
            ),
            Refusal::NotReady => (
                "本机暂时不能预约。请找工作人员，或拨打12348预约。",
                "이 단말기에서는 지금 예약할 수 없습니다. 직원에게 문의하시거나 12348로 예약하세요.",
                "Booking is not available at this terminal yet. Please ask a member of staff, or book by calling 12348.",
            ),
            Refusal::Failed(_) => (
                "现在无法预约。请稍后再试，或找工作人员。",
                "지금은 예약할 수 없습니다. 잠시 후 다시 시도하시거나 직원에게 문의하세요.",
                "Booking is not possible right now. Please try again later, or ask a member of staff.",
            ),
        };
        match lang {
            Lang::ZhCn => zh,
            Lang::KoKr => ko,
            Lang::En => en,
        }
    }
}

/// What the confirmation slip says (printed in Chinese).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingSlip {
    pub code: String,
    /// The service's Chinese name.
    pub service_name: String,
    pub start: NaiveDateTime,
    /// The centre's name.
    pub place: String,
    /// 张* at most.
    pub masked_name: String,
    /// The lawyers' video consultation (its own instructions).
    pub video: bool,
}

/// 12月4日 星期四 10:00–10:30, as on the slip and the confirmation.
pub fn slot_text(start: NaiveDateTime, lang: Lang) -> String {
    let end = start + chrono::Duration::minutes(30);
    format!(
        "{} {}–{}",
        day_text(start.date(), lang),
        start.format("%H:%M"),
        end.format("%H:%M")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use provisioning::booking::SlotPlaces;

    fn day(day: &str, closed: Option<&str>, slots: &[(&str, u32)]) -> DaySlots {
        DaySlots {
            day: day.into(),
            closed: closed.map(str::to_string),
            slots: slots
                .iter()
                .map(|(t, free)| SlotPlaces {
                    start: format!("{day}T{t}"),
                    free: *free,
                })
                .collect(),
        }
    }

    #[test]
    fn days_are_open_full_closed_or_a_holiday() {
        let service = ServiceDays {
            service_id: "legal-consultation".into(),
            days: vec![
                day(
                    "2026-12-04",
                    None,
                    &[("09:00", 0), ("09:30", 2), ("10:00", 1)],
                ),
                day("2026-12-05", None, &[("09:00", 0)]),
                day("2026-12-06", Some("closed"), &[]),
                day("2027-01-01", Some("元旦"), &[]),
            ],
        };
        let states: Vec<DayState> = days_of(&service).into_iter().map(|d| d.state).collect();
        assert_eq!(
            states,
            vec![
                DayState::Open { slots: 2 },
                DayState::Full,
                DayState::Closed,
                DayState::Holiday("元旦".into())
            ]
        );
        let slots = slots_on(&service, NaiveDate::from_ymd_opt(2026, 12, 4).unwrap());
        assert_eq!(slots.len(), 2);
        assert_eq!(slots[0].start.format("%H:%M").to_string(), "09:30");
        assert_eq!(slots[0].free, 2);
    }

    #[test]
    fn phone_numbers_are_mobiles_or_landlines() {
        assert!(valid_phone("13912345678"));
        assert!(valid_phone("4336123456"));
        assert!(valid_phone("6123456"));
        assert!(
            !valid_phone("23912345678"),
            "an 11-digit number is a mobile"
        );
        assert!(!valid_phone("123456"));
        assert!(!valid_phone("1391234567890"));
        assert!(!valid_phone("139-1234"));
        assert_eq!(spaced_phone("13912345678"), "139 1234 5678");
    }

    #[test]
    fn days_read_in_each_language() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        assert_eq!(day_text(d, Lang::ZhCn), "12月3日 星期四");
        assert_eq!(day_text(d, Lang::KoKr), "12월 3일 (목)");
        assert_eq!(day_text(d, Lang::En), "Thursday 3 December");
        let t = d.and_hms_opt(10, 0, 0).unwrap();
        assert_eq!(slot_text(t, Lang::ZhCn), "12月3日 星期四 10:00–10:30");
    }

    #[test]
    fn refusals_that_a_fresh_list_mends_go_back_to_the_slots() {
        assert!(Refusal::SlotFull.back_to_slots());
        assert!(Refusal::PastTime.back_to_slots());
        assert!(!Refusal::Duplicate.back_to_slots());
        assert!(!Refusal::Offline.back_to_slots());
    }
}
