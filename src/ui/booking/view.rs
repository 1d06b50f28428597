//! The booking page's lists and sample screens: the same view functions the controller
//! fills the page with, and `legal-kiosk screenshot`'s samples of each step.

use anyhow::Result;
use chrono::{NaiveDate, NaiveDateTime};
use provisioning::booking::{DaySlots, ServiceDays, SlotPlaces};
use slint::{ComponentHandle, ModelRc};

use super::super::screenshot::ShotPage;
use super::super::shell::models::{choice, choices};
use super::super::{AppWindow, AppointmentBooking, BookingStep, Choice, Page};
use crate::domain::booking::{
    DayState, Refusal, SlotChoice, day_detail, day_text, days_of, places_left, slip_note,
    slot_text, video_service_name,
};
use crate::i18n::Lang;

/// The day list: each day with its state; only open days can be chosen.
pub fn days_model(days: &ServiceDays, lang: Lang) -> ModelRc<Choice> {
    choices(
        days_of(days)
            .into_iter()
            .map(|d| Choice {
                disabled: !matches!(d.state, DayState::Open { .. }),
                ..choice(
                    d.day.format("%Y-%m-%d").to_string(),
                    day_text(d.day, lang),
                    day_detail(&d.state, lang),
                )
            })
            .collect(),
    )
}

/// The half hours with places: 10:00–10:30, 剩1个名额.
pub fn slots_model(slots: &[SlotChoice], lang: Lang) -> ModelRc<Choice> {
    choices(
        slots
            .iter()
            .map(|s| {
                let end = s.start + chrono::Duration::minutes(30);
                choice(
                    s.start.format("%Y-%m-%dT%H:%M").to_string(),
                    format!("{}–{}", s.start.format("%H:%M"), end.format("%H:%M")),
                    places_left(s.free, lang),
                )
            })
            .collect(),
    )
}

/// A sample week of the video consultation from 2026-11-26: a full day, a closed Sunday,
/// a holiday, the rest open.
fn sample_week() -> ServiceDays {
    let first = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default();
    let days = (0..7)
        .map(|i| {
            let day = first + chrono::Duration::days(i);
            let text = day.format("%Y-%m-%d").to_string();
            let (closed, free) = match i {
                3 => (Some("closed"), 0),
                5 => (Some("元旦"), 0),
                1 => (None, 0),
                _ => (None, 2),
            };
            DaySlots {
                slots: if closed.is_some() {
                    Vec::new()
                } else {
                    (0..16)
                        .map(|h| SlotPlaces {
                            start: format!("{text}T{:02}:{:02}", 9 + h / 2, (h % 2) * 30),
                            free: if h % 5 == 0 { 0 } else { free },
                        })
                        .collect()
                },
                closed: closed.map(str::to_string),
                day: text,
            }
        })
        .collect();
    ServiceDays {
        service_id: crate::domain::booking::VIDEO_SERVICE.into(),
        days,
    }
}

/// Fills the booking page for `shot`, one of its steps, in `lang`; returns the page.
pub fn show_booking_sample(
    app: &AppWindow,
    shot: ShotPage,
    lang: Lang,
    centre: &str,
) -> Result<Page> {
    let g = app.global::<AppointmentBooking>();
    let week = sample_week();
    let start = NaiveDateTime::parse_from_str("2026-11-28T10:00", "%Y-%m-%dT%H:%M")?;
    g.set_video(true);
    g.set_place(centre.into());
    g.set_person("张*".into());
    g.set_service_name(video_service_name().text(lang).into());
    g.set_days(days_model(&week, lang));
    g.set_day_name(day_text(start.date(), lang).into());
    g.set_slots(slots_model(
        &crate::domain::booking::slots_on(&week, start.date()),
        lang,
    ));
    g.set_slot_name(slot_text(start, lang).into());
    g.set_code("K7QW3M9P".into());
    g.set_slip_note(slip_note(true, "K7QW3M9P", lang).into());
    g.set_message(Refusal::Offline.message(lang).into());
    g.set_offline(true);
    g.set_can_choose_again(false);
    let (phone, valid) = match shot {
        ShotPage::BookingConfirm | ShotPage::BookingDone => ("139 1234 5678", true),
        _ => ("1391234", false),
    };
    g.set_phone(phone.into());
    g.set_phone_valid(valid);
    g.set_step(match shot {
        ShotPage::BookingDays => BookingStep::Day,
        ShotPage::BookingSlots => BookingStep::Slot,
        ShotPage::BookingPhone => BookingStep::Phone,
        ShotPage::BookingConfirm => BookingStep::Confirm,
        ShotPage::BookingDone => BookingStep::Done,
        _ => BookingStep::Message,
    });
    Ok(Page::Booking)
}
