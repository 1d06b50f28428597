//! 好差评 on screen: five large levels for one service event (a ticket, a consultation, a
//! video call), the reasons to choose from for the two negative levels, and an outbox event
//! tied to the event's id. Skipping or walking away records nothing; the idle timeout sends
//! the kiosk home as anywhere else, so a rating never blocks the next citizen.

use std::collections::HashSet;

use slint::{ComponentHandle, Model, SharedString};

use super::controller::KioskController;
use super::guidance::{choice, choices, no_arg, with_arg};
use super::{AppWindow, Choice, Nav, Page, Queue, Rating, RatingStep};
use crate::domain::consult::flow::pick;
use crate::domain::rating::{MAX_REASONS, RatingLevel, RatingReasons, ServiceEvent, ServiceKind};
use crate::i18n::Lang;
use crate::store::outbox;

/// Longest ticket number typed (a letter and a few digits).
const MAX_TICKET_CHARS: usize = 6;

/// The rating in progress.
#[derive(Default)]
pub(super) struct RatingState {
    event: Option<ServiceEvent>,
    /// The page the rating was opened from: 跳过 and 返回 go back there.
    return_to: Option<Page>,
    level: Option<RatingLevel>,
    reasons: Vec<String>,
    /// The ticket number typed on the home screen's rating entry.
    number: String,
    /// Events rated in this session: one rating per service event (一次一评).
    rated: HashSet<String>,
}

impl KioskController {
    pub(super) fn wire_rating(&self, g: &Rating<'_>) {
        g.on_open(no_arg(self, |this| this.open_rating_by_ticket_number()));
        g.on_key(with_arg(self, |this, k: SharedString| {
            let mut state = this.rating.borrow_mut();
            if state.number.chars().count() < MAX_TICKET_CHARS {
                state.number.push_str(&k);
            }
            let number = state.number.clone();
            drop(state);
            this.show_typed_ticket(&number);
        }));
        g.on_backspace(no_arg(self, |this| {
            let number = {
                let mut state = this.rating.borrow_mut();
                state.number.pop();
                state.number.clone()
            };
            this.show_typed_ticket(&number);
        }));
        g.on_clear(no_arg(self, |this| {
            this.rating.borrow_mut().number.clear();
            this.show_typed_ticket("");
        }));
        g.on_find_ticket(no_arg(self, |this| {
            let number = this.rating.borrow().number.clone();
            this.rate_ticket_number(number, Page::Home);
        }));
        g.on_rate_ticket(no_arg(self, |this| {
            let Some(app) = this.app.upgrade() else {
                return;
            };
            let number = app.global::<Queue>().get_ticket().number.to_string();
            this.rate_ticket_number(number, Page::Ticket);
        }));
        g.on_choose_level(with_arg(self, |this, id: SharedString| {
            this.choose_level(&id)
        }));
        g.on_toggle_reason(with_arg(self, |this, id: SharedString| {
            this.toggle_reason(&id)
        }));
        g.on_submit(no_arg(self, |this| this.submit_rating()));
        g.on_skip(no_arg(self, |this| this.leave_rating()));
        g.on_done(no_arg(self, |this| this.go_home()));
    }

    pub(super) fn reset_rating(&self) {
        *self.rating.borrow_mut() = RatingState::default();
        if let Some(app) = self.app.upgrade() {
            let g = app.global::<Rating>();
            g.set_number(SharedString::new());
            g.set_not_found(false);
            g.set_failed(false);
            g.set_reasons(choices(Vec::new()));
        }
    }

    fn rating_global(&self, f: impl FnOnce(&Rating<'_>)) {
        if let Some(app) = self.app.upgrade() {
            f(&app.global::<Rating>());
        }
    }

    fn current_page(&self) -> Page {
        self.app
            .upgrade()
            .map_or(Page::Home, |app| app.global::<Nav>().get_page())
    }

    /// Opens the rating of a service event, e.g. a finished video call; 跳过 and 返回 come
    /// back to the page on screen now.
    pub fn open_rating(&self, kind: ServiceKind, event_id: &str) {
        let lang = self.shared().lang;
        let subject = match kind {
            ServiceKind::Ticket => pick(lang, "窗口服务", "창구 서비스", "Counter service"),
            ServiceKind::Consultation => pick(lang, "法律咨询", "법률 상담", "Legal consultation"),
            ServiceKind::VideoCall => pick(
                lang,
                "视频连线律师",
                "변호사 화상 상담",
                "Video call with a lawyer",
            ),
        };
        self.open_rating_with_subject(kind, event_id, subject.to_owned());
    }

    /// Opens the rating of a service event described by `subject`.
    pub(super) fn open_rating_with_subject(
        &self,
        kind: ServiceKind,
        event_id: &str,
        subject: String,
    ) {
        let return_to = self.current_page();
        let lang = self.shared().lang;
        let already = self.rating.borrow().rated.contains(event_id);
        {
            let mut state = self.rating.borrow_mut();
            state.event = Some(ServiceEvent {
                kind,
                id: event_id.to_owned(),
            });
            state.return_to = Some(return_to);
            state.level = None;
            state.reasons.clear();
        }
        self.rating_global(|g| {
            g.set_subject(subject.into());
            g.set_levels(levels_model(lang));
            g.set_failed(false);
            g.set_step(if already {
                RatingStep::Thanks
            } else {
                RatingStep::Levels
            });
        });
        self.show_page(Page::Rating);
    }

    /// 评价服务 on the home screen: which ticket? (typed from the paper ticket)
    fn open_rating_by_ticket_number(&self) {
        self.reset_rating();
        self.rating.borrow_mut().return_to = Some(Page::Home);
        self.rating_global(|g| g.set_step(RatingStep::TicketNumber));
        self.show_page(Page::Rating);
    }

    fn show_typed_ticket(&self, number: &str) {
        self.rating_global(|g| {
            g.set_number(number.into());
            g.set_not_found(false);
        });
    }

    /// Looks up today's ticket `number` and rates it (returning to `from` on 跳过).
    fn rate_ticket_number(&self, number: String, from: Page) {
        let number = number.trim().to_ascii_uppercase();
        if number.is_empty() {
            return;
        }
        let day = self
            .deps
            .clock
            .now()
            .date_naive()
            .format("%Y-%m-%d")
            .to_string();
        let back = self.session_poster();
        let catalogue = self.shared().catalogue.clone();
        self.deps.worker.submit(move |store| {
            let found: rusqlite::Result<Option<(String, String)>> = {
                use rusqlite::OptionalExtension;
                store
                    .conn()
                    .query_row(
                        // The newest, should staff have restarted the day's numbering.
                        "SELECT token, service_id FROM tickets WHERE number = ?1 AND service_day = ?2
                         ORDER BY id DESC LIMIT 1",
                        [&number, &day],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()
            };
            let found = found.unwrap_or_else(|e| {
                tracing::error!("cannot look up a ticket to rate: {e}");
                None
            });
            back.post(move |this| match found {
                Some((token, service_id)) => {
                    let lang = this.shared().lang;
                    let service = catalogue
                        .get(&service_id)
                        .map_or(service_id.clone(), |s| s.name.text(lang).to_owned());
                    this.show_page(from);
                    this.open_rating_with_subject(
                        ServiceKind::Ticket,
                        &token,
                        format!("{service} {number}"),
                    );
                }
                None => this.rating_global(|g| g.set_not_found(true)),
            });
        });
    }

    fn choose_level(&self, id: &str) {
        let Some(level) = RatingLevel::ALL.into_iter().find(|l| level_id(*l) == id) else {
            return;
        };
        let lang = self.shared().lang;
        {
            let mut state = self.rating.borrow_mut();
            state.level = Some(level);
            state.reasons.clear();
        }
        self.rating_global(|g| g.set_level_label(level.label(lang).into()));
        if !level.is_negative() {
            self.submit_rating();
            return;
        }
        let Some(kind) = self.rating.borrow().event.as_ref().map(|e| e.kind) else {
            return;
        };
        let reasons = reasons_model(&self.deps.guidance.rating_reasons, kind, lang, &[]);
        self.rating_global(|g| {
            g.set_max_reasons(i32::try_from(MAX_REASONS).unwrap_or(5));
            g.set_reasons(reasons);
            g.set_step(RatingStep::Reasons);
        });
    }

    fn toggle_reason(&self, id: &str) {
        let (kind, chosen) = {
            let mut state = self.rating.borrow_mut();
            if let Some(at) = state.reasons.iter().position(|r| r == id) {
                state.reasons.remove(at);
            } else if state.reasons.len() < MAX_REASONS {
                state.reasons.push(id.to_owned());
            }
            (state.event.as_ref().map(|e| e.kind), state.reasons.clone())
        };
        let Some(kind) = kind else {
            return;
        };
        let lang = self.shared().lang;
        let fresh = reasons_model(&self.deps.guidance.rating_reasons, kind, lang, &chosen);
        // Changed row by row in the model on screen, so the list stays on the page the
        // citizen is looking at.
        self.rating_global(|g| {
            let model = g.get_reasons();
            for i in 0..model.row_count() {
                if let (Some(old), Some(new)) = (model.row_data(i), fresh.row_data(i))
                    && old != new
                {
                    model.set_row_data(i, new);
                }
            }
        });
    }

    fn submit_rating(&self) {
        let (event, level, reasons) = {
            let state = self.rating.borrow();
            let (Some(event), Some(level)) = (state.event.clone(), state.level) else {
                return;
            };
            (event, level, state.reasons.clone())
        };
        let reason_ids: Vec<&str> = reasons.iter().map(String::as_str).collect();
        let rating =
            match self
                .deps
                .guidance
                .rating_reasons
                .validate(event.clone(), level, &reason_ids)
            {
                Ok(rating) => rating,
                Err(e) => {
                    tracing::error!("rating refused: {e}");
                    self.rating_global(|g| {
                        g.set_failed(true);
                        g.set_step(RatingStep::Thanks);
                    });
                    return;
                }
            };
        self.rating.borrow_mut().rated.insert(event.id.clone());
        if event.kind == ServiceKind::Consultation {
            self.consultation_rated(&event.id);
        }
        self.rating_global(|g| {
            g.set_failed(false);
            g.set_step(RatingStep::Thanks);
        });
        let payload = rating.outbox_payload();
        let at = self.deps.clock.now();
        let back = self.session_poster();
        self.deps.worker.submit(move |store| {
            if let Err(e) =
                outbox::append(store.conn(), outbox::kind::RATING_SUBMITTED, &payload, at)
            {
                tracing::error!("cannot record a rating: {e}");
                back.post(|this| this.rating_global(|g| g.set_failed(true)));
            }
        });
    }

    /// 跳过 / 返回 from the levels: back where the rating was opened, nothing recorded.
    fn leave_rating(&self) {
        let return_to = {
            let mut state = self.rating.borrow_mut();
            state.event = None;
            state.level = None;
            state.reasons.clear();
            state.return_to.take()
        };
        match return_to {
            Some(Page::Home) | None => self.go_home(),
            Some(page) => self.show_page(page),
        }
    }

    /// 返回 on the rating page.
    pub(super) fn rating_back(&self) {
        let Some(step) = self
            .app
            .upgrade()
            .map(|app| app.global::<Rating>().get_step())
        else {
            return;
        };
        match step {
            RatingStep::TicketNumber | RatingStep::Levels | RatingStep::Thanks => {
                self.leave_rating()
            }
            RatingStep::Reasons => {
                self.rating.borrow_mut().reasons.clear();
                self.rating_global(|g| g.set_step(RatingStep::Levels));
            }
        }
    }
}

/// The level's stable id, as in the outbox payload (`very-satisfied` …).
fn level_id(level: RatingLevel) -> &'static str {
    match level {
        RatingLevel::VerySatisfied => "very-satisfied",
        RatingLevel::Satisfied => "satisfied",
        RatingLevel::BasicallySatisfied => "basically-satisfied",
        RatingLevel::Dissatisfied => "dissatisfied",
        RatingLevel::VeryDissatisfied => "very-dissatisfied",
    }
}

/// The five levels, best first.
pub(super) fn levels_model(lang: Lang) -> slint::ModelRc<Choice> {
    choices(
        RatingLevel::ALL
            .into_iter()
            .map(|l| choice(level_id(l), l.label(lang), ""))
            .collect(),
    )
}

/// The reasons for `kind`, those in `chosen` highlighted.
pub(super) fn reasons_model(
    reasons: &RatingReasons,
    kind: ServiceKind,
    lang: Lang,
    chosen: &[String],
) -> slint::ModelRc<Choice> {
    choices(
        reasons
            .options(kind, lang)
            .into_iter()
            .map(|r| {
                let selected = chosen.contains(&r.id);
                // Not by colour alone: a chosen reason also says so in words.
                let detail = if selected {
                    pick(lang, "✓ 已选", "✓ 선택함", "✓ Chosen").to_owned()
                } else {
                    r.criterion_name.text
                };
                Choice {
                    highlighted: selected,
                    id: r.id.into(),
                    label: r.label.text.into(),
                    detail: detail.into(),
                }
            })
            .collect(),
    )
}

/// Fills the levels screen for a screenshot.
pub(super) fn show_levels(app: &AppWindow, subject: &str, lang: Lang) {
    let g = app.global::<Rating>();
    g.set_subject(subject.into());
    g.set_levels(levels_model(lang));
    g.set_step(RatingStep::Levels);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_ids_are_the_payload_ids() {
        for level in RatingLevel::ALL {
            let json = serde_json::to_value(level).unwrap();
            assert_eq!(json.as_str(), Some(level_id(level)));
        }
    }
}
