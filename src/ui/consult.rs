//! The consultation guide on screen: categories → matters → the guided questions → the
//! outcome with next steps that act (a ticket, the legal-aid self-check, a lawyer on video,
//! directions), the printed guidance slip and a rating; and search with the on-screen keyboard.

use slint::{ComponentHandle, ModelRc, SharedString, VecModel};

use super::controller::KioskController;
use super::guidance::{choice, choices, no_arg, with_arg};
use super::slips::SlipOwner;
use super::{AppWindow, Choice, Consult, ConsultStep, NextStep, Page, StepKind};
use crate::domain::consult::flow::{OutcomeView, QuestionView, ScreenView, pick};
use crate::domain::consult::{
    Action, Catalogue, Consultation, GuidanceSlip, SearchIndex, SearchTarget,
};
use crate::domain::rating::ServiceKind;
use crate::i18n::Lang;
use crate::store::outbox;

/// Longest search input taken from the keyboard.
const MAX_QUERY_CHARS: usize = 16;
/// Search results shown.
const MAX_RESULTS: usize = 12;

/// Quick picks for search (there is no Chinese input method on the kiosk): what citizens
/// most often come with, searched by the Chinese word, labelled in the citizen's language.
pub const KEYWORD_CHIPS: &[(&str, &str, &str)] = &[
    ("欠薪", "임금 체불", "Unpaid wages"),
    ("离婚", "이혼", "Divorce"),
    ("工伤", "산업재해", "Work injury"),
    ("交通事故", "교통사고", "Traffic accident"),
    ("借钱不还", "빌려준 돈", "Unpaid loan"),
    ("遗产", "상속", "Inheritance"),
    ("宅基地", "택지", "Homestead land"),
    ("物业", "관리비", "Property management"),
    ("赡养", "부양", "Elderly support"),
    ("医疗纠纷", "의료 분쟁", "Medical dispute"),
    ("邻居", "이웃", "Neighbours"),
    ("家暴", "가정폭력", "Domestic violence"),
];

/// How the citizen reached the matters or a matter: 返回 goes back there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Via {
    #[default]
    Categories,
    Search,
}

/// One citizen's walk through the guide.
#[derive(Default)]
pub(super) struct ConsultState {
    /// The category whose matters are (or were last) shown.
    category: Option<String>,
    /// How the matters list was reached.
    matters_via: Via,
    /// How the matter was reached (its matters list, or search).
    matter_via: Via,
    flow: Option<Consultation>,
    /// The id of this consultation: outbox record and rating refer to it.
    consultation_id: String,
    query: String,
}

impl KioskController {
    pub(super) fn wire_consult(&self, g: &Consult<'_>) {
        g.on_open(no_arg(self, |this| this.open_consultation()));
        g.on_choose_category(with_arg(self, |this, id: SharedString| {
            this.choose_category(&id, Via::Categories)
        }));
        g.on_choose_matter(with_arg(self, |this, id: SharedString| {
            this.choose_matter(&id)
        }));
        g.on_answer(with_arg(self, |this, id: SharedString| {
            this.answer_question(&id)
        }));
        g.on_do_step(with_arg(self, |this, i: i32| this.do_step(i)));
        g.on_print_slip(no_arg(self, |this| this.print_consultation_slip()));
        g.on_rate(no_arg(self, |this| this.rate_consultation()));
        g.on_dismiss_notice(no_arg(self, |this| this.show_notice(String::new())));
        g.on_open_search(no_arg(self, |this| this.open_search()));
        g.on_key(with_arg(self, |this, k: SharedString| this.search_key(&k)));
        g.on_backspace(no_arg(self, |this| {
            let mut query = std::mem::take(&mut this.consult.borrow_mut().query);
            query.pop();
            this.set_query(query);
        }));
        g.on_clear_query(no_arg(self, |this| this.set_query(String::new())));
        g.on_choose_chip(with_arg(self, |this, word: SharedString| {
            this.set_query(word.to_string())
        }));
        g.on_choose_result(with_arg(self, |this, id: SharedString| {
            this.choose_result(&id)
        }));
    }

    pub(super) fn reset_consult(&self) {
        *self.consult.borrow_mut() = ConsultState::default();
        if let Some(app) = self.app.upgrade() {
            let g = app.global::<Consult>();
            g.set_step(ConsultStep::Categories);
            g.set_query(SharedString::new());
            g.set_results(choices(Vec::new()));
            g.set_notice(SharedString::new());
            g.set_rated(false);
        }
    }

    fn lang(&self) -> Lang {
        self.shared().lang
    }

    fn consult_global(&self, f: impl FnOnce(&Consult<'_>)) {
        if let Some(app) = self.app.upgrade() {
            f(&app.global::<Consult>());
        }
    }

    /// 法律咨询 on the home screen: the categories.
    pub fn open_consultation(&self) {
        self.reset_consult();
        let (catalogue, lang) = (self.deps.guidance.consultation.clone(), self.lang());
        self.consult_global(|g| {
            g.set_categories(categories_model(&catalogue, lang));
            g.set_step(ConsultStep::Categories);
        });
        self.show_page(Page::Consult);
    }

    fn choose_category(&self, id: &str, via: Via) {
        let (catalogue, lang) = (self.deps.guidance.consultation.clone(), self.lang());
        let Some(category) = catalogue.category(id) else {
            tracing::warn!(category = id, "unknown category chosen");
            return;
        };
        {
            let mut state = self.consult.borrow_mut();
            state.category = Some(id.to_owned());
            state.matters_via = via;
        }
        self.consult_global(|g| {
            g.set_category_name(category.name.text(lang).into());
            g.set_matters(matters_model(&catalogue, id, lang));
            g.set_step(ConsultStep::Matters);
        });
    }

    fn choose_matter(&self, id: &str) {
        self.start_matter(id, Via::Categories);
    }

    fn start_matter(&self, id: &str, via: Via) {
        let catalogue = self.deps.guidance.consultation.clone();
        let flow = match Consultation::start(catalogue, id) {
            Ok(flow) => flow,
            Err(e) => {
                tracing::warn!("cannot start the consultation: {e}");
                return;
            }
        };
        {
            let mut state = self.consult.borrow_mut();
            state.category = Some(flow.catalogue().category_of(flow.matter()).id.clone());
            state.matter_via = via;
            state.consultation_id = crate::ids::random_hex();
            state.flow = Some(flow);
        }
        self.consult_global(|g| {
            g.set_rated(false);
            g.set_slip(self.initial_slip_stage());
        });
        self.show_flow_screen();
    }

    fn answer_question(&self, answer_id: &str) {
        let answered = {
            let mut state = self.consult.borrow_mut();
            state
                .flow
                .as_mut()
                .map(|flow| flow.answer(answer_id).map(|_| ()))
        };
        match answered {
            Some(Ok(())) => self.show_flow_screen(),
            Some(Err(e)) => tracing::warn!("answer refused: {e}"),
            None => {}
        }
    }

    /// Shows the flow's current screen; reaching the outcome records the consultation.
    fn show_flow_screen(&self) {
        let Some(app) = self.app.upgrade() else {
            return;
        };
        let lang = self.lang();
        let state = self.consult.borrow();
        let Some(flow) = state.flow.as_ref() else {
            return;
        };
        match flow.view(lang) {
            ScreenView::Question(q) => show_question(&app, &q, flow.matter().summary.text(lang)),
            ScreenView::Outcome(o) => {
                show_outcome(&app, &o, flow.catalogue(), lang);
                if let Some(record) = flow.record(&state.consultation_id, lang) {
                    let payload = record.outbox_payload();
                    let at = self.deps.clock.now();
                    self.deps.worker.submit(move |store| {
                        let written = outbox::append(
                            store.conn(),
                            outbox::kind::CONSULTATION_COMPLETED,
                            &payload,
                            at,
                        );
                        if let Err(e) = written {
                            tracing::error!("cannot record the consultation: {e}");
                        }
                    });
                }
            }
        }
        app.global::<super::Nav>().set_page(Page::Consult);
    }

    /// 返回 in the guide: one step back.
    pub(super) fn consult_back(&self) {
        if self.consult_notice_open() {
            self.show_notice(String::new());
            return;
        }
        let step = match self.app.upgrade() {
            Some(app) => app.global::<Consult>().get_step(),
            None => return,
        };
        match step {
            ConsultStep::Categories => self.go_home(),
            ConsultStep::Search => self.open_consultation(),
            ConsultStep::Matters => match self.consult.borrow().matters_via {
                Via::Search => self.consult_global(|g| g.set_step(ConsultStep::Search)),
                Via::Categories => self.consult_global(|g| g.set_step(ConsultStep::Categories)),
            },
            ConsultStep::Question | ConsultStep::Outcome => {
                let stepped = self
                    .consult
                    .borrow_mut()
                    .flow
                    .as_mut()
                    .is_some_and(Consultation::back);
                if stepped {
                    self.show_flow_screen();
                    return;
                }
                // Back from the first question: to where the matter was chosen.
                let (via, category) = {
                    let mut state = self.consult.borrow_mut();
                    state.flow = None;
                    (state.matter_via, state.category.clone())
                };
                match (via, category) {
                    (Via::Search, _) => self.consult_global(|g| g.set_step(ConsultStep::Search)),
                    (Via::Categories, Some(category)) => {
                        let via = self.consult.borrow().matters_via;
                        self.choose_category(&category, via);
                    }
                    (Via::Categories, None) => self.open_consultation(),
                }
            }
        }
    }

    fn consult_notice_open(&self) -> bool {
        self.app
            .upgrade()
            .is_some_and(|app| !app.global::<Consult>().get_notice().is_empty())
    }

    fn show_notice(&self, text: String) {
        self.consult_global(|g| g.set_notice(text.into()));
    }

    /// A next step on the outcome page was tapped.
    fn do_step(&self, index: i32) {
        let lang = self.lang();
        let (action, category_id, scope) = {
            let state = self.consult.borrow();
            let Some(flow) = state.flow.as_ref() else {
                return;
            };
            let Some(outcome) = flow.outcome() else {
                return;
            };
            let Some(step) = usize::try_from(index)
                .ok()
                .and_then(|i| outcome.steps.get(i))
            else {
                return;
            };
            (
                step.action.clone(),
                flow.catalogue().category_of(flow.matter()).id.clone(),
                flow.matter().legal_aid_scope.clone(),
            )
        };
        let catalogue = self.deps.guidance.consultation.clone();
        match action {
            Action::Ticket { service } => self.take_ticket(service.id().to_owned()),
            Action::LegalAidCheck => self.open_legal_aid_for(scope),
            Action::VideoLawyer => self.video_lawyer_requested(&category_id),
            Action::Appointment { service } => self.show_notice(match lang {
                Lang::ZhCn => format!(
                    "预约“{}”：请到服务台，或拨打 12348，工作人员会为您约好时间。",
                    service.name(lang)
                ),
                Lang::KoKr => format!(
                    "\u{201c}{}\u{201d} 예약: 안내 데스크에 말씀하시거나 12348로 전화하시면 직원이 시간을 정해 드립니다.",
                    service.name(lang)
                ),
                Lang::En => format!(
                    "To book \u{201c}{}\u{201d}, ask at the front desk or call 12348; staff will arrange a time.",
                    service.name(lang)
                ),
            }),
            Action::Institution { kind } => {
                let known = catalogue.institution_kind(&kind);
                let name = known.map_or_else(|| kind.clone(), |k| k.name.text(lang).to_owned());
                let summary = known
                    .and_then(|k| k.summary.as_ref())
                    .map(|s| s.text(lang).to_owned())
                    .unwrap_or_default();
                let place = match self.deps.guidance.institution(&kind) {
                    Some(i) => format!(
                        "{}{} {}",
                        pick(lang, "地址：", "주소: ", "Address: "),
                        i.name,
                        i.address
                    ),
                    None => pick(
                        lang,
                        "工作人员可以告诉您最近的地址。",
                        "가장 가까운 곳의 주소는 직원에게 물어보세요.",
                        "Staff can tell you the nearest address.",
                    )
                    .to_owned(),
                };
                self.show_notice(format!(
                    "{}{name}\n{summary}\n{place}",
                    pick(lang, "请前往：", "방문할 곳: ", "Go to: ")
                ));
            }
            Action::Hotline { hotline } => {
                let text = match catalogue.hotline(&hotline) {
                    Some(h) => format!(
                        "{}{} {}",
                        pick(lang, "请拨打：", "전화하세요: ", "Please call: "),
                        h.number,
                        h.name.text(lang)
                    ),
                    None => hotline,
                };
                self.show_notice(text);
            }
        }
    }

    /// 视频连线律师 from an outcome. The video-call engineer replaces the body with
    /// `self.start_video_call(category_id)`; until then the citizen is told it is coming and
    /// what to do meanwhile.
    pub fn video_lawyer_requested(&self, category_id: &str) {
        tracing::info!(
            category = category_id,
            "video lawyer requested (not available yet)"
        );
        let lang = self.lang();
        self.show_notice(
            pick(
                lang,
                "视频连线律师即将开通。现在您可以取号“法律咨询”当面问律师，或拨打 12348。",
                "변호사 화상 상담은 곧 시작됩니다. 지금은 \u{201c}법률 상담\u{201d} 번호표를 받아 변호사에게 직접 묻거나 12348로 전화하세요.",
                "Video calls with a lawyer are coming soon. For now, take a ticket for legal consultation to ask a lawyer in person, or call 12348.",
            )
            .to_owned(),
        );
    }

    fn print_consultation_slip(&self) {
        let slip = {
            let state = self.consult.borrow();
            let Some(flow) = state.flow.as_ref() else {
                return;
            };
            // Chinese on paper: thermal printers carry GB18030 fonts only.
            self.with_slip_context(|ctx| GuidanceSlip::for_consultation(flow, Lang::ZhCn, ctx))
        };
        if let Some(slip) = slip {
            self.print_slip(slip, SlipOwner::Consultation);
        }
    }

    fn rate_consultation(&self) {
        let (id, subject) = {
            let state = self.consult.borrow();
            let Some(flow) = state.flow.as_ref() else {
                return;
            };
            (
                state.consultation_id.clone(),
                flow.matter().name.text(self.lang()).to_owned(),
            )
        };
        self.open_rating_with_subject(ServiceKind::Consultation, &id, subject);
    }

    /// The consultation on screen was rated.
    pub(super) fn consultation_rated(&self, consultation_id: &str) {
        if self.consult.borrow().consultation_id == consultation_id {
            self.consult_global(|g| g.set_rated(true));
        }
    }

    fn open_search(&self) {
        self.consult.borrow_mut().query.clear();
        let lang = self.lang();
        self.consult_global(|g| {
            g.set_chips(chips_model(lang));
            g.set_query(SharedString::new());
            g.set_results(choices(Vec::new()));
            g.set_step(ConsultStep::Search);
        });
    }

    fn search_key(&self, key: &str) {
        let mut query = self.consult.borrow().query.clone();
        if query.chars().count() < MAX_QUERY_CHARS {
            query.push_str(key);
        }
        self.set_query(query);
    }

    fn set_query(&self, query: String) {
        let lang = self.lang();
        let results = search_results(
            &self.deps.guidance.search,
            &self.deps.guidance.consultation,
            &query,
            lang,
        );
        self.consult.borrow_mut().query = query.clone();
        self.consult_global(|g| {
            g.set_query(query.into());
            g.set_results(results);
        });
    }

    fn choose_result(&self, id: &str) {
        if let Some(matter) = id.strip_prefix("matter:") {
            self.start_matter(matter, Via::Search);
        } else if let Some(category) = id.strip_prefix("category:") {
            self.choose_category(category, Via::Search);
        }
    }
}

/// The categories as large buttons.
pub(super) fn categories_model(catalogue: &Catalogue, lang: Lang) -> ModelRc<Choice> {
    choices(
        catalogue
            .categories
            .iter()
            .map(|c| choice(c.id.as_str(), c.name.text(lang), ""))
            .collect(),
    )
}

/// A category's matters, each with its plain-language explanation.
pub(super) fn matters_model(
    catalogue: &Catalogue,
    category_id: &str,
    lang: Lang,
) -> ModelRc<Choice> {
    choices(
        catalogue
            .matters_in(category_id)
            .map(|m| {
                choice(
                    m.id.as_str(),
                    m.name.text(lang),
                    first_sentence(m.summary.text(lang)),
                )
            })
            .collect(),
    )
}

/// The first sentence of an explanation, for a button's second line.
fn first_sentence(text: &str) -> &str {
    let end = text
        .char_indices()
        .find(|(_, c)| matches!(c, '。' | '！' | '？'))
        .map(|(i, c)| i + c.len_utf8())
        .or_else(|| text.find(". ").map(|i| i + 1))
        .unwrap_or(text.len());
    &text[..end]
}

/// Fills the question screen.
pub(super) fn show_question(app: &AppWindow, q: &QuestionView, matter_summary: &str) {
    let g = app.global::<Consult>();
    g.set_matter_name(q.matter_name.text.as_str().into());
    g.set_matter_summary(matter_summary.into());
    g.set_question_number(i32::try_from(q.number).unwrap_or(i32::MAX));
    g.set_question(q.text.text.as_str().into());
    g.set_question_help(
        q.help
            .as_ref()
            .map(|h| h.text.as_str())
            .unwrap_or_default()
            .into(),
    );
    g.set_answers(choices(
        q.answers
            .iter()
            .map(|a| choice(a.id.as_str(), a.label.text.as_str(), ""))
            .collect(),
    ));
    g.set_step(ConsultStep::Question);
}

/// Fills the outcome screen.
pub(super) fn show_outcome(app: &AppWindow, o: &OutcomeView, catalogue: &Catalogue, lang: Lang) {
    let g = app.global::<Consult>();
    g.set_matter_name(o.matter_name.text.as_str().into());
    g.set_outcome_title(o.title.text.as_str().into());
    g.set_outcome_summary(o.summary.text.as_str().into());
    g.set_outcome_basis(
        o.basis
            .as_ref()
            .map(|b| b.text.as_str())
            .unwrap_or_default()
            .into(),
    );
    g.set_disclaimer(o.disclaimer.text.as_str().into());
    let mut materials: Vec<SharedString> = Vec::new();
    let steps: Vec<NextStep> = o
        .steps
        .iter()
        .map(|s| {
            for m in &s.materials {
                let m = SharedString::from(m.text.as_str());
                if !materials.contains(&m) {
                    materials.push(m);
                }
            }
            let detail = match (&s.note, &s.action) {
                (Some(note), _) => note.text.clone(),
                (None, Action::Institution { kind }) => catalogue
                    .institution_kind(kind)
                    .and_then(|k| k.summary.as_ref())
                    .map(|summary| summary.text(lang).to_owned())
                    .unwrap_or_default(),
                (None, _) => String::new(),
            };
            NextStep {
                label: s.label.text.as_str().into(),
                detail: detail.into(),
                kind: step_kind(&s.action),
            }
        })
        .collect();
    g.set_materials(ModelRc::new(VecModel::from(materials)));
    g.set_steps(ModelRc::new(VecModel::from(steps)));
    g.set_step(ConsultStep::Outcome);
}

fn step_kind(action: &Action) -> StepKind {
    match action {
        Action::Ticket { .. } => StepKind::Ticket,
        Action::Appointment { .. } => StepKind::Appointment,
        Action::LegalAidCheck => StepKind::LegalAid,
        Action::VideoLawyer => StepKind::Video,
        Action::Institution { .. } => StepKind::Institution,
        Action::Hotline { .. } => StepKind::Hotline,
    }
}

/// The quick-pick words in `lang`; tapping one searches its Chinese word.
pub(super) fn chips_model(lang: Lang) -> ModelRc<Choice> {
    choices(
        KEYWORD_CHIPS
            .iter()
            .map(|&(zh, ko, en)| choice(zh, pick(lang, zh, ko, en), ""))
            .collect(),
    )
}

/// Live results for what was typed: matters and categories, with why each was found.
pub(super) fn search_results(
    index: &SearchIndex,
    catalogue: &Catalogue,
    query: &str,
    lang: Lang,
) -> ModelRc<Choice> {
    let hits = index.search(query, MAX_RESULTS);
    choices(
        hits.into_iter()
            .filter_map(|hit| match hit.target {
                SearchTarget::Matter(i) => {
                    let m = catalogue.matters.get(i)?;
                    let category = catalogue.category_of(m).name.text(lang);
                    let detail = match hit.field {
                        crate::domain::consult::search::MatchedField::Keyword => {
                            format!("{category} · {}", hit.matched)
                        }
                        _ => category.to_owned(),
                    };
                    Some(choice(
                        format!("matter:{}", m.id),
                        m.name.text(lang),
                        detail,
                    ))
                }
                SearchTarget::Category(i) => {
                    let c = catalogue.categories.get(i)?;
                    Some(choice(
                        format!("category:{}", c.id),
                        c.name.text(lang),
                        pick(
                            lang,
                            "查看这一类的全部事项",
                            "이 분야의 모든 항목 보기",
                            "See every matter of this kind",
                        ),
                    ))
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_quick_pick_finds_a_matter() {
        let catalogue = crate::domain::consult::defaults::catalogue().unwrap();
        let index = SearchIndex::build(&catalogue);
        for (word, _, _) in KEYWORD_CHIPS {
            let hits = index.search(word, 5);
            assert!(
                hits.iter()
                    .any(|h| matches!(h.target, SearchTarget::Matter(_))),
                "{word} finds no matter: {hits:?}"
            );
        }
    }

    #[test]
    fn a_button_shows_the_first_sentence_of_an_explanation() {
        assert_eq!(
            first_sentence("干了活，老板不给钱。先要证明。"),
            "干了活，老板不给钱。"
        );
        assert_eq!(first_sentence("You worked. Then"), "You worked.");
        assert_eq!(first_sentence("没有句号"), "没有句号");
    }
}
