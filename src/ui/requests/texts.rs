//! What the requests page says: the menu, the topics, headings, the consent text and the
//! outcomes, in Chinese, Korean and English (the words are the service's, so Rust holds
//! them; the page's own labels are in the .slint file's translations).

use crate::domain::work_orders::Request;
use crate::i18n::Lang;
use crate::services::work_orders::WorkOrderError;
use crate::ui::shell::models::choice;

/// The menu entry that shows progress (not a request).
pub const PROGRESS: &str = "progress";

/// A topic of a complaint or a suggestion.
pub struct Topic {
    pub id: &'static str,
    pub zh: &'static str,
    ko: &'static str,
    en: &'static str,
}

impl Topic {
    pub fn label(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::KoKr => self.ko,
            Lang::En => self.en,
            _ => self.zh,
        }
    }
}

/// At most four, as the elderly guidance asks.
pub const TOPICS: [Topic; 4] = [
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

pub fn menu(lang: Lang) -> Vec<crate::ui::Choice> {
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
pub fn summary_of(request: Request) -> &'static str {
    match request {
        Request::Callback => "请律师回电",
        Request::Complaint => "投诉",
        Request::Suggestion => "建议",
        Request::FollowUp => "咨询跟进",
        Request::LegalAid => "法律援助预申请",
    }
}

/// The same in the citizen's language.
pub fn summary_in(request: Request, lang: Lang) -> &'static str {
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

pub fn heading(request: Request, lang: Lang) -> &'static str {
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

pub fn progress_heading(lang: Lang) -> &'static str {
    match lang {
        Lang::KoKr => "처리 현황 조회",
        Lang::En => "Check the progress",
        _ => "查询办理进度",
    }
}

/// Exactly what is passed on, to agree to.
pub fn consent_text(about: &str, phone: &str, lang: Lang) -> String {
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

pub fn filed_text(lang: Lang) -> &'static str {
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

pub fn take_receipt(lang: Lang) -> &'static str {
    match lang {
        Lang::KoKr => " 아래에서 영수증을 가져가세요.",
        Lang::En => " Please take your receipt below.",
        _ => "请取走下方的回执。",
    }
}

pub fn no_paper_receipt(lang: Lang) -> &'static str {
    match lang {
        Lang::KoKr => " 영수증은 인쇄하지 못했습니다. 신분증으로 조회하시면 됩니다.",
        Lang::En => " The receipt could not be printed; your ID card finds the request too.",
        _ => "回执没能打印，凭身份证同样可以查询。",
    }
}

pub fn no_receipt(lang: Lang) -> &'static str {
    match lang {
        Lang::KoKr => "QR 코드를 읽지 못했습니다. 다시 시도하거나 신분증을 올려 주세요.",
        Lang::En => "No QR code was read. Please try again, or place your ID card.",
        _ => "没有读到二维码。请再试一次，或者放身份证查询。",
    }
}

pub fn no_camera(lang: Lang) -> &'static str {
    match lang {
        Lang::KoKr => "카메라를 사용할 수 없습니다. 신분증을 올려 조회해 주세요.",
        Lang::En => "The camera cannot be used now. Please place your ID card instead.",
        _ => "摄像头暂时不能使用，请放身份证查询。",
    }
}

pub fn not_offered(lang: Lang) -> &'static str {
    match lang {
        Lang::KoKr => "이 단말기에서는 아직 요청을 받지 않습니다. 창구 직원에게 문의해 주세요.",
        Lang::En => "This terminal does not take requests yet. Please ask at the counter.",
        _ => "本终端暂不受理留言，请到服务窗口办理。",
    }
}

pub fn problem_text(e: &WorkOrderError, lang: Lang) -> &'static str {
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
