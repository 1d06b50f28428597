//! The `Requests` global's controller (留言与办理进度): a lawyer's call back, a complaint or
//! a suggestion that the centre finishes as a work order, and the progress of the citizen's
//! requests. Every request is filed under the citizen's ID card (its keyed hash, never the
//! number) after they agreed on screen to exactly what is passed on; nothing is filed
//! without that. A consultation outcome opens it to have staff follow the matter up.

use std::cell::RefCell;
use std::rc::Rc;

use slint::{ComponentHandle, ModelRc, SharedString, VecModel};
use zeroize::Zeroizing;

use super::shell::models::{choice, choices};
use super::shell::poster::UiRef;
use super::shell::{Intent, Shell, callback, callback_with};
use super::{AppWindow, Page, RequestRow, Requests, RequestsStep};
use crate::devices::camera::{ReceiptReader, Scanned};
use crate::domain::work_orders::{Request, status_text};
use crate::i18n::Lang;
use crate::services::printing::PrintResult;
use crate::services::work_orders::{Filed, OrderStatus, WorkOrderError};
use crate::services::{PrintService, WorkOrderService};

/// The menu entry that shows progress (not a request).
const PROGRESS: &str = "progress";
/// Digits a telephone number may have, with an area code and an extension.
const MAX_PHONE_CHARS: usize = 20;

#[derive(Default)]
struct Draft {
    /// What is asked for; `None` while reading progress.
    request: Option<Request>,
    /// What the request is about, as filed (the terminal's words, in Chinese for staff).
    summary: String,
    /// The topic's words in the citizen's language, for the consent text.
    about: String,
    phone: String,
    /// Progress rather than a request.
    progress: bool,
}

/// What the page needs besides the shell.
pub struct RequestsDeps {
    pub work_orders: WorkOrderService,
    /// Prints the receipt of a request.
    pub printing: PrintService,
    /// Reads a receipt's QR code with the camera.
    pub receipts: ReceiptReader,
}

pub struct RequestsController {
    shell: Shell,
    deps: RequestsDeps,
    ui: UiRef<Self>,
    draft: RefCell<Draft>,
}

impl RequestsController {
    pub fn attach(app: &AppWindow, shell: Shell, deps: RequestsDeps) -> Rc<Self> {
        let this = Rc::new_cyclic(|me| Self {
            shell: shell.clone(),
            deps,
            ui: UiRef::from_weak(me),
            draft: RefCell::default(),
        });
        let me = Rc::downgrade(&this);
        let g = app.global::<Requests>();
        g.on_open(callback(&me, |this| this.open()));
        g.on_choose(callback_with(&me, |this, id: SharedString| {
            this.choose(&id)
        }));
        g.on_choose_topic(callback_with(&me, |this, id: SharedString| {
            this.choose_topic(&id)
        }));
        g.on_digit(callback_with(&me, |this, k: SharedString| {
            {
                let mut draft = this.draft.borrow_mut();
                if draft.phone.chars().count() < MAX_PHONE_CHARS {
                    draft.phone.push_str(&k);
                }
            }
            this.show_phone(false);
        }));
        g.on_backspace(callback(&me, |this| {
            this.draft.borrow_mut().phone.pop();
            this.show_phone(false);
        }));
        g.on_clear(callback(&me, |this| {
            this.draft.borrow_mut().phone.clear();
            this.show_phone(false);
        }));
        g.on_confirm_phone(callback(&me, |this| {
            let phone = this.draft.borrow().phone.clone();
            if provisioning::appointments::valid_phone(&phone) {
                this.show_consent();
            } else {
                this.show_phone(true);
            }
        }));
        g.on_skip_phone(callback(&me, |this| {
            let optional = this
                .draft
                .borrow()
                .request
                .is_some_and(|r| !r.needs_phone());
            if optional {
                this.draft.borrow_mut().phone.clear();
                this.show_consent();
            }
        }));
        g.on_agree(callback(&me, |this| this.file()));
        g.on_scan(callback(&me, |this| this.scan()));
        g.on_cancel_scan(callback(&me, |this| {
            this.deps.receipts.stop();
            this.with(|g| g.set_step(RequestsStep::Card));
        }));
        g.on_decline(callback(&me, |this| {
            *this.draft.borrow_mut() = Draft::default();
            let message = match this.shell.lang() {
                Lang::KoKr => "아무것도 보내지 않았습니다.",
                Lang::En => "Nothing was sent.",
                _ => "没有发送任何信息。",
            };
            this.show_done(message, false);
        }));
        shell.on_home(callback_with(&me, |this, _ended: bool| {
            this.deps.receipts.stop();
            *this.draft.borrow_mut() = Draft::default();
            this.with(|g| {
                g.set_phone(SharedString::new());
                g.set_orders(ModelRc::default());
                g.set_step(RequestsStep::Menu);
            });
        }));
        // A card placed while the page asks for it.
        shell.on_session_started(callback(&me, |this| {
            if this.shell.page() == Page::Requests && this.step() == Some(RequestsStep::Card) {
                this.after_card();
            }
        }));
        let m = me.clone();
        shell.on_intent(move |intent| match (m.upgrade(), intent) {
            (Some(this), Intent::FollowUp { summary }) => {
                this.follow_up(summary.clone());
                true
            }
            _ => false,
        });
        this
    }

    super::shell::with_global!(Requests);

    fn step(&self) -> Option<RequestsStep> {
        self.shell
            .app()
            .map(|app| app.global::<Requests>().get_step())
    }

    /// 留言与办理进度 on the home screen.
    fn open(&self) {
        *self.draft.borrow_mut() = Draft::default();
        let lang = self.shell.lang();
        self.with(|g| {
            g.set_reading_progress(false);
            g.set_menu(choices(menu(lang)));
            g.set_phone(SharedString::new());
            g.set_step(RequestsStep::Working);
        });
        self.shell.show(Page::Requests);
        let reply = self.shell.reply(&self.ui, |this: &Self, offered: bool| {
            if offered {
                this.with(|g| g.set_step(RequestsStep::Menu));
            } else {
                this.show_done(not_offered(this.shell.lang()), true);
            }
        });
        self.deps.work_orders.offered(reply);
    }

    /// From a consultation outcome: staff to follow the matter (`summary`) up by telephone.
    /// (A receipt is not offered for progress there: the card is read.)
    fn follow_up(&self, summary: String) {
        let lang = self.shell.lang();
        *self.draft.borrow_mut() = Draft {
            request: Some(Request::FollowUp),
            about: summary.clone(),
            summary,
            ..Draft::default()
        };
        self.with(|g| g.set_heading(heading(Request::FollowUp, lang).into()));
        self.shell.show(Page::Requests);
        self.ask_card();
    }

    fn choose(&self, id: &str) {
        let lang = self.shell.lang();
        if id == PROGRESS {
            *self.draft.borrow_mut() = Draft {
                progress: true,
                ..Draft::default()
            };
            self.with(|g| {
                g.set_heading(progress_heading(lang).into());
                g.set_reading_progress(true);
            });
            self.ask_card();
            return;
        }
        let Some(request) = Request::from_id(id) else {
            return;
        };
        *self.draft.borrow_mut() = Draft {
            request: Some(request),
            summary: summary_of(request).into(),
            about: summary_in(request, lang).into(),
            ..Draft::default()
        };
        self.with(|g| g.set_heading(heading(request, lang).into()));
        match request {
            Request::Complaint | Request::Suggestion => self.with(|g| {
                g.set_topics(choices(
                    TOPICS
                        .iter()
                        .map(|t| choice(t.id, t.label(lang), ""))
                        .collect(),
                ));
                g.set_step(RequestsStep::Topic);
            }),
            _ => self.ask_card(),
        }
    }

    fn choose_topic(&self, id: &str) {
        let Some(topic) = TOPICS.iter().find(|t| t.id == id) else {
            return;
        };
        let lang = self.shell.lang();
        {
            let mut draft = self.draft.borrow_mut();
            let Some(request) = draft.request else {
                return;
            };
            draft.summary = format!("{}：{}", summary_of(request), topic.zh);
            let colon = if lang == Lang::ZhCn { "：" } else { ": " };
            draft.about = format!("{}{colon}{}", summary_in(request, lang), topic.label(lang));
        }
        self.ask_card();
    }

    /// The card, unless it was read in this session already.
    fn ask_card(&self) {
        if self.shell.session().has_identity() {
            self.after_card();
        } else {
            self.with(|g| g.set_step(RequestsStep::Card));
        }
    }

    fn after_card(&self) {
        if self.draft.borrow().progress {
            self.progress();
        } else {
            self.show_phone(false);
        }
    }

    fn show_phone(&self, invalid: bool) {
        let (phone, optional) = {
            let draft = self.draft.borrow();
            (
                draft.phone.clone(),
                draft.request.is_some_and(|r| !r.needs_phone()),
            )
        };
        self.with(|g| {
            g.set_phone(phone.into());
            g.set_phone_invalid(invalid);
            g.set_phone_optional(optional);
            g.set_step(RequestsStep::Phone);
        });
    }

    fn show_consent(&self) {
        let text = {
            let draft = self.draft.borrow();
            consent_text(&draft.about, &draft.phone, self.shell.lang())
        };
        self.with(|g| {
            g.set_consent(text.into());
            g.set_step(RequestsStep::Consent);
        });
    }

    fn id_number(&self) -> Option<Zeroizing<String>> {
        let session = self.shell.session();
        session
            .citizen()
            .map(|c| Zeroizing::new(c.holder.id_number.clone()))
    }

    fn file(&self) {
        let (request, phone, summary) = {
            let draft = self.draft.borrow();
            let Some(request) = draft.request else {
                return;
            };
            (request, draft.phone.clone(), draft.summary.clone())
        };
        let Some(id_number) = self.id_number() else {
            self.with(|g| g.set_step(RequestsStep::Card));
            return;
        };
        self.with(|g| g.set_step(RequestsStep::Working));
        let reply = self.shell.reply(
            &self.ui,
            |this: &Self, filed: Result<Filed, WorkOrderError>| {
                *this.draft.borrow_mut() = Draft::default();
                let lang = this.shell.lang();
                match filed {
                    Ok(filed) => this.print_receipt(&filed),
                    Err(e) => this.show_done(problem_text(&e, lang), true),
                }
            },
        );
        self.deps
            .work_orders
            .file(request, id_number, phone, summary, reply);
    }

    fn progress(&self) {
        let Some(id_number) = self.id_number() else {
            return;
        };
        self.with(|g| g.set_step(RequestsStep::Working));
        let reply = self.shell.reply(&self.ui, Self::show_orders);
        self.deps.work_orders.status(id_number, reply);
    }

    /// The camera looks for a receipt; its request's progress follows.
    fn scan(&self) {
        self.with(|g| g.set_step(RequestsStep::Scan));
        let reply = self.shell.reply(&self.ui, |this: &Self, scanned: Scanned| {
            if this.step() != Some(RequestsStep::Scan) {
                // The citizen stopped or left meanwhile.
                return;
            }
            match scanned {
                Scanned::Receipt(code) => {
                    this.with(|g| g.set_step(RequestsStep::Working));
                    let reply = this.shell.reply(&this.ui, Self::show_orders);
                    this.deps.work_orders.status_by_receipt(code, reply);
                }
                Scanned::Nothing => this.show_done(no_receipt(this.shell.lang()), true),
                Scanned::CameraFailed => this.show_done(no_camera(this.shell.lang()), true),
            }
        });
        self.deps.receipts.scan(reply);
    }

    fn show_orders(&self, found: Result<Vec<OrderStatus>, WorkOrderError>) {
        let lang = self.shell.lang();
        match found {
            Ok(orders) => self.with(|g| {
                let rows: Vec<RequestRow> = orders
                    .iter()
                    .map(|o| RequestRow {
                        category: o.category.clone().into(),
                        status: status_text(&o.status, lang).into(),
                    })
                    .collect();
                g.set_orders(ModelRc::new(VecModel::from(rows)));
                g.set_step(RequestsStep::Progress);
            }),
            Err(e) => self.show_done(problem_text(&e, lang), true),
        }
    }

    /// The receipt, and what became of it.
    fn print_receipt(&self, filed: &Filed) {
        let reply = self
            .shell
            .reply(&self.ui, |this: &Self, printed: PrintResult| {
                let lang = this.shell.lang();
                let text = match printed {
                    PrintResult::Printed => format!("{}{}", filed_text(lang), take_receipt(lang)),
                    _ => format!("{}{}", filed_text(lang), no_paper_receipt(lang)),
                };
                this.show_done(&text, false);
            });
        self.deps.printing.print_receipt(filed, reply);
    }

    fn show_done(&self, message: &str, warning: bool) {
        self.with(|g| {
            g.set_message(message.into());
            g.set_warning(warning);
            g.set_step(RequestsStep::Done);
        });
    }
}

/// A topic of a complaint or a suggestion.
struct Topic {
    id: &'static str,
    zh: &'static str,
    ko: &'static str,
    en: &'static str,
}

impl Topic {
    fn label(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::KoKr => self.ko,
            Lang::En => self.en,
            _ => self.zh,
        }
    }
}

/// At most four, as the elderly guidance asks.
const TOPICS: [Topic; 4] = [
    Topic {
        id: "waiting",
        zh: "等候时间",
        ko: "대기 시간",
        en: "Waiting time",
    },
    Topic {
        id: "manner",
        zh: "服务态度",
        ko: "서비스 태도",
        en: "How I was served",
    },
    Topic {
        id: "terminal",
        zh: "自助终端",
        ko: "무인 단말기",
        en: "This terminal",
    },
    Topic {
        id: "other",
        zh: "其他",
        ko: "기타",
        en: "Something else",
    },
];

fn menu(lang: Lang) -> Vec<crate::ui::Choice> {
    let entries: [(&str, [&str; 3], [&str; 3]); 4] = [
        (
            "callback",
            [
                "请律师给我回电话",
                "변호사 회신 전화 요청",
                "Ask a lawyer to call me back",
            ],
            [
                "留下电话号码，律师会打给您",
                "전화번호를 남기시면 변호사가 연락드립니다",
                "Leave your number and a lawyer will call",
            ],
        ),
        (
            "complaint",
            ["投诉", "민원", "Make a complaint"],
            [
                "对服务不满意，告诉中心",
                "서비스가 불만족스러우면 알려 주세요",
                "Tell the centre what went wrong",
            ],
        ),
        (
            "suggestion",
            ["提建议", "건의", "Make a suggestion"],
            [
                "告诉中心怎样做得更好",
                "더 나은 서비스를 위한 의견",
                "Tell the centre how to do better",
            ],
        ),
        (
            PROGRESS,
            ["查询办理进度", "처리 현황 조회", "Check the progress"],
            [
                "凭身份证查看您的留言办到哪一步",
                "신분증으로 요청 처리 단계를 확인합니다",
                "See where your requests stand, with your ID card",
            ],
        ),
    ];
    let pick = |texts: [&'static str; 3]| match lang {
        Lang::KoKr => texts[1],
        Lang::En => texts[2],
        _ => texts[0],
    };
    entries
        .into_iter()
        .map(|(id, label, detail)| choice(id, pick(label), pick(detail)))
        .collect()
}

/// What the request is filed as, in Chinese for the centre's staff.
fn summary_of(request: Request) -> &'static str {
    match request {
        Request::Callback => "请律师回电",
        Request::Complaint => "投诉",
        Request::Suggestion => "建议",
        Request::FollowUp => "咨询跟进",
        Request::LegalAid => "法律援助预申请",
    }
}

/// The same in the citizen's language.
fn summary_in(request: Request, lang: Lang) -> &'static str {
    match (request, lang) {
        (Request::Callback, Lang::KoKr) => "변호사 회신 전화 요청",
        (Request::Callback, Lang::En) => "a lawyer's call back",
        (Request::Complaint, Lang::KoKr) => "민원",
        (Request::Complaint, Lang::En) => "a complaint",
        (Request::Suggestion, Lang::KoKr) => "건의",
        (Request::Suggestion, Lang::En) => "a suggestion",
        (Request::FollowUp, Lang::KoKr) => "상담 후속 조치",
        (Request::FollowUp, Lang::En) => "a follow-up of your consultation",
        (Request::LegalAid, Lang::KoKr) => "법률원조 사전 신청",
        (Request::LegalAid, Lang::En) => "a legal-aid pre-application",
        (request, _) => summary_of(request),
    }
}

fn heading(request: Request, lang: Lang) -> &'static str {
    match (request, lang) {
        (Request::Callback, Lang::KoKr) => "변호사 회신 전화 요청",
        (Request::Callback, Lang::En) => "A lawyer's call back",
        (Request::Callback, _) => "请律师回电话",
        (Request::Complaint, Lang::KoKr) => "민원",
        (Request::Complaint, Lang::En) => "A complaint",
        (Request::Complaint, _) => "投诉",
        (Request::Suggestion, Lang::KoKr) => "건의",
        (Request::Suggestion, Lang::En) => "A suggestion",
        (Request::Suggestion, _) => "提建议",
        (Request::FollowUp | Request::LegalAid, Lang::KoKr) => "직원의 후속 연락 요청",
        (Request::FollowUp | Request::LegalAid, Lang::En) => "Ask staff to follow up",
        (Request::FollowUp | Request::LegalAid, _) => "请工作人员跟进",
    }
}

fn progress_heading(lang: Lang) -> &'static str {
    match lang {
        Lang::KoKr => "처리 현황 조회",
        Lang::En => "Check the progress",
        _ => "查询办理进度",
    }
}

/// Exactly what is passed on, to agree to.
fn consent_text(about: &str, phone: &str, lang: Lang) -> String {
    let phone_line = match (phone.is_empty(), lang) {
        (true, Lang::KoKr) => "전화번호: 남기지 않음".to_owned(),
        (true, Lang::En) => "Telephone: none given".to_owned(),
        (true, _) => "电话：未留".to_owned(),
        (false, Lang::KoKr) => format!("전화번호: {phone}"),
        (false, Lang::En) => format!("Telephone: {phone}"),
        (false, _) => format!("电话：{phone}"),
    };
    match lang {
        Lang::KoKr => format!(
            "다음 내용을 공공법률서비스센터에 전달합니다.\n- {about}\n- {phone_line}\n- 신분증 번호의 암호화된 요약(번호 자체는 보내지 않음): 어느 단말기에서나 처리 현황을 조회하기 위해서입니다.\n이름과 주소는 보내지 않습니다. 동의하십니까?"
        ),
        Lang::En => format!(
            "The following will be passed to the public legal service centre:\n- {about}\n- {phone_line}\n- an encrypted digest of your ID number (not the number itself), so that you can check the progress at any terminal.\nYour name and address are not sent. Do you agree?"
        ),
        _ => format!(
            "以下信息将交给公共法律服务中心：\n- {about}\n- {phone_line}\n- 身份证号的加密摘要（不含号码本身），用于您在任一终端查询办理进度。\n不发送姓名和住址。您同意吗？"
        ),
    }
}

fn filed_text(lang: Lang) -> &'static str {
    match lang {
        Lang::KoKr => {
            "접수되었습니다. 센터로 전달되며, 직원이 처리합니다. 신분증으로 어느 단말기에서나 처리 현황을 조회할 수 있습니다."
        }
        Lang::En => {
            "Received. It goes to the centre and staff will handle it. You can check its progress at any terminal with your ID card."
        }
        _ => "已记录，将送交公共法律服务中心办理。您可以凭身份证在任一终端查询办理进度。",
    }
}

fn take_receipt(lang: Lang) -> &'static str {
    match lang {
        Lang::KoKr => " 아래에서 영수증을 가져가세요.",
        Lang::En => " Please take your receipt below.",
        _ => "请取走下方的回执。",
    }
}

fn no_paper_receipt(lang: Lang) -> &'static str {
    match lang {
        Lang::KoKr => " 영수증은 인쇄하지 못했습니다. 신분증으로 조회하시면 됩니다.",
        Lang::En => " The receipt could not be printed; your ID card finds the request too.",
        _ => "回执没能打印，凭身份证同样可以查询。",
    }
}

fn no_receipt(lang: Lang) -> &'static str {
    match lang {
        Lang::KoKr => "QR 코드를 읽지 못했습니다. 다시 시도하거나 신분증을 올려 주세요.",
        Lang::En => "No QR code was read. Please try again, or place your ID card.",
        _ => "没有读到二维码。请再试一次，或者放身份证查询。",
    }
}

fn no_camera(lang: Lang) -> &'static str {
    match lang {
        Lang::KoKr => "카메라를 사용할 수 없습니다. 신분증을 올려 조회해 주세요.",
        Lang::En => "The camera cannot be used now. Please place your ID card instead.",
        _ => "摄像头暂时不能使用，请放身份证查询。",
    }
}

fn not_offered(lang: Lang) -> &'static str {
    match lang {
        Lang::KoKr => "이 단말기에서는 아직 요청을 받지 않습니다. 창구 직원에게 문의해 주세요.",
        Lang::En => "This terminal does not take requests yet. Please ask at the counter.",
        _ => "本终端暂不受理留言，请到服务窗口办理。",
    }
}

fn problem_text(e: &WorkOrderError, lang: Lang) -> &'static str {
    match (e, lang) {
        (WorkOrderError::NotOffered, _) => not_offered(lang),
        (WorkOrderError::BadNumber, Lang::KoKr) => {
            "이 카드로는 요청을 남길 수 없습니다. 창구 직원에게 문의해 주세요."
        }
        (WorkOrderError::BadNumber, Lang::En) => {
            "Requests cannot be kept under this card. Please ask at the counter."
        }
        (WorkOrderError::BadNumber, _) => "无法用这张证件登记，请到服务窗口办理。",
        (WorkOrderError::BadPhone, Lang::KoKr) => "전화번호가 올바르지 않습니다.",
        (WorkOrderError::BadPhone, Lang::En) => "That is not a telephone number.",
        (WorkOrderError::BadPhone, _) => "电话号码不正确。",
        (WorkOrderError::Unreachable(_), Lang::KoKr) => {
            "지금은 센터에 연결할 수 없습니다. 잠시 후 다시 시도하거나 직원에게 문의해 주세요."
        }
        (WorkOrderError::Unreachable(_), Lang::En) => {
            "The centre cannot be reached just now. Please try again later or ask a member of staff."
        }
        (WorkOrderError::Unreachable(_), _) => {
            "暂时连接不上公共法律服务中心，请稍后再试或询问工作人员。"
        }
        (WorkOrderError::Service(_), Lang::KoKr) => {
            "저장하지 못했습니다. 창구 직원에게 문의해 주세요."
        }
        (WorkOrderError::Service(_), Lang::En) => {
            "It could not be saved. Please ask at the counter."
        }
        (WorkOrderError::Service(_), _) => "未能保存，请到服务窗口办理。",
    }
}
