//! The `Rating` global's controller: 好差评 with five large levels for one service event (a
//! ticket, a consultation, a video call), the reasons to choose from for the two negative
//! levels, and a record tied to the event's id. Skipping or walking away records nothing;
//! the idle timeout sends the kiosk home as anywhere else, so a rating never blocks the
//! next citizen.

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

use slint::{ComponentHandle, Model, SharedString};

use super::shell::models::{choice, choices};
use super::shell::poster::UiRef;
use super::shell::{Intent, Shell, callback, callback_with};
use super::{AppWindow, Choice, Page, Queue, Rating, RatingStep};
use crate::domain::consult::flow::pick;
use crate::domain::queue::Catalogue;
use crate::domain::rating::{MAX_REASONS, RatingLevel, RatingReasons, ServiceEvent, ServiceKind};
use crate::i18n::Lang;
use crate::services::RatingService;
use crate::services::rating::RatedTicket;

/// Longest ticket number typed (a letter and a few digits).
const MAX_TICKET_CHARS: usize = 6;

/// The rating in progress.
#[derive(Default)]
struct RatingState {
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

pub struct RatingController {
    shell: Shell,
    ratings: RatingService,
    /// Names the rated ticket's service.
    services: Box<dyn Fn() -> std::sync::Arc<Catalogue>>,
    ui: UiRef<Self>,
    state: RefCell<RatingState>,
}

impl RatingController {
    pub fn attach(
        app: &AppWindow,
        shell: Shell,
        ratings: RatingService,
        services: impl Fn() -> std::sync::Arc<Catalogue> + 'static,
    ) -> Rc<Self> {
        let this = Rc::new_cyclic(|me| Self {
            shell: shell.clone(),
            ratings,
            services: Box::new(services),
            ui: UiRef::from_weak(me),
            state: RefCell::default(),
        });
        let me = Rc::downgrade(&this);
        let g = app.global::<Rating>();
        g.on_open(callback(&me, |this| this.open_by_ticket_number()));
        g.on_key(callback_with(&me, |this, k: SharedString| {
            let number = {
                let mut state = this.state.borrow_mut();
                if state.number.chars().count() < MAX_TICKET_CHARS {
                    state.number.push_str(&k);
                }
                state.number.clone()
            };
            this.show_typed_ticket(&number);
        }));
        g.on_backspace(callback(&me, |this| {
            let number = {
                let mut state = this.state.borrow_mut();
                state.number.pop();
                state.number.clone()
            };
            this.show_typed_ticket(&number);
        }));
        g.on_clear(callback(&me, |this| {
            this.state.borrow_mut().number.clear();
            this.show_typed_ticket("");
        }));
        g.on_find_ticket(callback(&me, |this| {
            let number = this.state.borrow().number.clone();
            this.rate_ticket_number(number, Page::Home);
        }));
        g.on_rate_ticket(callback(&me, |this| {
            // The ticket on screen, as the view shows it.
            let Some(app) = this.shell.app() else {
                return;
            };
            let number = app.global::<Queue>().get_ticket().number.to_string();
            this.rate_ticket_number(number, Page::Ticket);
        }));
        g.on_choose_level(callback_with(&me, |this, id: SharedString| {
            this.choose_level(&id)
        }));
        g.on_toggle_reason(callback_with(&me, |this, id: SharedString| {
            this.toggle_reason(&id)
        }));
        g.on_submit(callback(&me, |this| this.submit()));
        g.on_skip(callback(&me, |this| this.leave()));
        g.on_done(callback(&me, |this| this.shell.go_home()));
        shell.on_back(Page::Rating, callback(&me, |this| this.back()));
        shell.on_home(callback_with(&me, |this, ended: bool| this.reset(ended)));
        let m = me.clone();
        shell.on_intent(move |intent| match (m.upgrade(), intent) {
            (Some(this), Intent::Rate { kind, id, subject }) => {
                let subject = subject
                    .clone()
                    .unwrap_or_else(|| kind_name(*kind, this.shell.lang()).to_owned());
                this.open(*kind, id, subject);
                true
            }
            _ => false,
        });
        this
    }

    super::shell::with_global!(Rating);

    /// Forgets the rating in progress; what was rated is forgotten with the session.
    fn reset(&self, session_ended: bool) {
        {
            let mut state = self.state.borrow_mut();
            let rated = std::mem::take(&mut state.rated);
            *state = RatingState::default();
            if !session_ended {
                state.rated = rated;
            }
        }
        self.with(|g| {
            g.set_number(SharedString::new());
            g.set_not_found(false);
            g.set_failed(false);
            g.set_reasons(choices(Vec::new()));
        });
    }

    /// Opens the rating of a service event described by `subject`; 跳过 and 返回 come back
    /// to the page on screen now.
    fn open(&self, kind: ServiceKind, event_id: &str, subject: String) {
        let return_to = self.shell.page();
        let lang = self.shell.lang();
        let already = self.state.borrow().rated.contains(event_id);
        {
            let mut state = self.state.borrow_mut();
            state.event = Some(ServiceEvent {
                kind,
                id: event_id.to_owned(),
            });
            state.return_to = Some(return_to);
            state.level = None;
            state.reasons.clear();
        }
        self.with(|g| {
            g.set_subject(subject.into());
            g.set_levels(levels_model(lang));
            g.set_failed(false);
            g.set_step(if already {
                RatingStep::Thanks
            } else {
                RatingStep::Levels
            });
        });
        self.shell.show(Page::Rating);
    }

    /// 评价服务 on the home screen: which ticket? (typed from the paper ticket)
    fn open_by_ticket_number(&self) {
        self.reset(false);
        self.state.borrow_mut().return_to = Some(Page::Home);
        self.with(|g| g.set_step(RatingStep::TicketNumber));
        self.shell.show(Page::Rating);
    }

    fn show_typed_ticket(&self, number: &str) {
        self.with(|g| {
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
        let typed = number.clone();
        let reply = self.shell.reply(&self.ui, move |this: &Self, found| {
            let found: Option<RatedTicket> = match found {
                Ok(found) => found,
                Err(e) => {
                    tracing::error!("cannot look up a ticket to rate: {e}");
                    None
                }
            };
            match found {
                Some(ticket) => {
                    let lang = this.shell.lang();
                    let service = (this.services)()
                        .get(&ticket.service_id)
                        .map_or(ticket.service_id.clone(), |s| s.name.text(lang).to_owned());
                    this.shell.show(from);
                    this.open(
                        ServiceKind::Ticket,
                        &ticket.token,
                        format!("{service} {typed}"),
                    );
                }
                None => this.with(|g| g.set_not_found(true)),
            }
        });
        self.ratings.find_ticket(number, reply);
    }

    fn choose_level(&self, id: &str) {
        let Some(level) = RatingLevel::ALL.into_iter().find(|l| level_id(*l) == id) else {
            return;
        };
        let lang = self.shell.lang();
        {
            let mut state = self.state.borrow_mut();
            state.level = Some(level);
            state.reasons.clear();
        }
        self.with(|g| g.set_level_label(level.label(lang).into()));
        if !level.is_negative() {
            self.submit();
            return;
        }
        let Some(kind) = self.state.borrow().event.as_ref().map(|e| e.kind) else {
            return;
        };
        let reasons = reasons_model(&self.ratings.reasons(), kind, lang, &[]);
        self.with(|g| {
            g.set_max_reasons(i32::try_from(MAX_REASONS).unwrap_or(5));
            g.set_reasons(reasons);
            g.set_step(RatingStep::Reasons);
        });
    }

    fn toggle_reason(&self, id: &str) {
        let (kind, chosen) = {
            let mut state = self.state.borrow_mut();
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
        let fresh = reasons_model(&self.ratings.reasons(), kind, self.shell.lang(), &chosen);
        // Changed row by row in the model on screen, so the list stays on the page the
        // citizen is looking at.
        self.with(|g| {
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

    fn submit(&self) {
        let (event, level, reasons) = {
            let state = self.state.borrow();
            let (Some(event), Some(level)) = (state.event.clone(), state.level) else {
                return;
            };
            (event, level, state.reasons.clone())
        };
        // Thanks at once; a failure to record turns it into an apology.
        self.state.borrow_mut().rated.insert(event.id.clone());
        self.shell.request(Intent::Rated {
            kind: event.kind,
            id: event.id.clone(),
        });
        self.with(|g| {
            g.set_failed(false);
            g.set_step(RatingStep::Thanks);
        });
        let reply = self
            .shell
            .reply(&self.ui, |this: &Self, saved: Result<(), _>| {
                if saved.is_err() {
                    this.with(|g| g.set_failed(true));
                }
            });
        self.ratings.submit(event, level, &reasons, reply);
    }

    /// 跳过 / 返回 from the levels: back where the rating was opened, nothing recorded.
    fn leave(&self) {
        let return_to = {
            let mut state = self.state.borrow_mut();
            state.event = None;
            state.level = None;
            state.reasons.clear();
            state.return_to.take()
        };
        match return_to {
            Some(Page::Home) | None => self.shell.go_home(),
            Some(page) => self.shell.show(page),
        }
    }

    /// 返回 on the rating page.
    fn back(&self) {
        let Some(step) = self.shell.app().map(|a| a.global::<Rating>().get_step()) else {
            return;
        };
        match step {
            RatingStep::TicketNumber | RatingStep::Levels | RatingStep::Thanks => self.leave(),
            RatingStep::Reasons => {
                self.state.borrow_mut().reasons.clear();
                self.with(|g| g.set_step(RatingStep::Levels));
            }
        }
    }
}

/// What the citizen is asked to rate when nothing more specific is known.
fn kind_name(kind: ServiceKind, lang: Lang) -> &'static str {
    match kind {
        ServiceKind::Ticket => pick(lang, "窗口服务", "창구 서비스", "Counter service"),
        ServiceKind::Consultation => pick(lang, "法律咨询", "법률 상담", "Legal consultation"),
        ServiceKind::VideoCall => pick(
            lang,
            "视频连线律师",
            "변호사 화상 상담",
            "Video call with a lawyer",
        ),
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
pub fn levels_model(lang: Lang) -> slint::ModelRc<Choice> {
    choices(
        RatingLevel::ALL
            .into_iter()
            .map(|l| choice(level_id(l), l.label(lang), ""))
            .collect(),
    )
}

/// The reasons for `kind`, those in `chosen` highlighted.
pub fn reasons_model(
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
                    disabled: false,
                    id: r.id.into(),
                    label: r.label.text.into(),
                    detail: detail.into(),
                }
            })
            .collect(),
    )
}

/// Fills the levels screen for a screenshot.
pub fn show_levels(app: &AppWindow, subject: &str, lang: Lang) {
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
