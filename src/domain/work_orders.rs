//! Requests a citizen leaves at the terminal for the centre to finish (工单, issue 20): a
//! lawyer's call back, a complaint or a suggestion, a consultation to follow up, a legal-aid
//! pre-application. Each becomes a `work_order` event holding only what the citizen
//! consented to on screen: the kind, the centre's classification item for it, the keyed
//! hash of their ID number (never the number), a phone number if they gave one, and a
//! short summary the terminal wrote (never free text about other people).
//!
//! Which item each request is filed under is the centre's choice, carried with its
//! classification in the `work-order-categories` bundle; without that bundle the terminal
//! offers no requests.

use rusqlite::Connection;

pub use provisioning::work_orders::{
    CATEGORIES_FILE, CATEGORIES_STREAM, Classification, EVENT_KIND, STATUS_PATH, Status,
    TerminalItems, WorkOrderEvent,
};

use crate::i18n::Lang;

/// What the citizen asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    /// "Please have a lawyer call me back."
    Callback,
    /// A complaint about the service.
    Complaint,
    /// A suggestion.
    Suggestion,
    /// The consultation just finished, to be followed up by staff.
    FollowUp,
    /// The legal-aid pre-application just stored.
    LegalAid,
}

impl Request {
    /// The id the page uses.
    pub fn id(self) -> &'static str {
        match self {
            Self::Callback => "callback",
            Self::Complaint => "complaint",
            Self::Suggestion => "suggestion",
            Self::FollowUp => "follow_up",
            Self::LegalAid => "legal_aid",
        }
    }

    /// From the page's id.
    pub fn from_id(id: &str) -> Option<Self> {
        [
            Self::Callback,
            Self::Complaint,
            Self::Suggestion,
            Self::FollowUp,
            Self::LegalAid,
        ]
        .into_iter()
        .find(|r| r.id() == id)
    }

    /// The event's `kind` (a suggestion travels as a complaint-kind order: 投诉建议).
    pub fn kind(self) -> &'static str {
        match self {
            Self::Suggestion => "complaint",
            other => other.id(),
        }
    }

    /// The classification item the centre files it under.
    pub fn item(self, items: &TerminalItems) -> &str {
        match self {
            Self::Callback => &items.callback,
            Self::Complaint => &items.complaint,
            Self::Suggestion => &items.suggestion,
            Self::FollowUp => &items.follow_up,
            Self::LegalAid => &items.legal_aid,
        }
    }

    /// Whether the centre needs a phone number to act on it.
    pub fn needs_phone(self) -> bool {
        matches!(self, Self::Callback | Self::FollowUp)
    }
}

/// The classification in force, when its bundle is and tells terminals where to file.
pub fn classification_in_force(conn: &Connection) -> Option<Classification> {
    let text = crate::store::bundles::text(conn, CATEGORIES_STREAM, CATEGORIES_FILE)?;
    Classification::parse(text.as_bytes())
        .map_err(|e| tracing::error!("the work-order classification in force is not usable: {e}"))
        .ok()
        .filter(|c| c.terminal.is_some())
}

/// The event for `request`: consent given on screen, nothing beyond it.
pub fn event(
    request: Request,
    items: &TerminalItems,
    id_hash: String,
    phone: &str,
    summary: &str,
) -> WorkOrderEvent {
    WorkOrderEvent {
        category: request.item(items).to_owned(),
        kind: request.kind().to_owned(),
        id_hash,
        phone: phone.trim().to_owned(),
        summary: summary.chars().take(2000).collect(),
        consent: true,
    }
}

/// A status as the citizen reads it.
pub fn status_text(status: &str, lang: Lang) -> &'static str {
    match (Status::parse(status), lang) {
        (Some(Status::New), Lang::KoKr) => "접수됨, 배정 대기 중",
        (Some(Status::New), Lang::En) => "Received, waiting to be assigned",
        (Some(Status::New), _) => "已收到，等待分派",
        (Some(Status::Dispatched), Lang::KoKr) => "담당 기관에 배정됨",
        (Some(Status::Dispatched), Lang::En) => "Assigned to an institution",
        (Some(Status::Dispatched), _) => "已分派给办理机构",
        (Some(Status::Accepted), Lang::KoKr) => "처리 중",
        (Some(Status::Accepted), Lang::En) => "Being handled",
        (Some(Status::Accepted), _) => "正在办理",
        (Some(Status::Done), Lang::KoKr) => "처리 완료",
        (Some(Status::Done), Lang::En) => "Done",
        (Some(Status::Done), _) => "已办结",
        (Some(Status::Returned), Lang::KoKr) => "다시 배정 중",
        (Some(Status::Returned), Lang::En) => "Being reassigned",
        (Some(Status::Returned), _) => "正在重新分派",
        (None, Lang::KoKr) => "확인 중",
        (None, Lang::En) => "Being checked",
        (None, _) => "正在核实",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items() -> TerminalItems {
        TerminalItems {
            callback: "0302".into(),
            complaint: "0401".into(),
            suggestion: "0402".into(),
            follow_up: "0303".into(),
            legal_aid: "0301".into(),
        }
    }

    #[test]
    fn each_request_is_filed_under_the_centres_item_and_passes_the_registrys_rules() {
        let hash = "a".repeat(64);
        for (request, item, kind) in [
            (Request::Callback, "0302", "callback"),
            (Request::Complaint, "0401", "complaint"),
            (Request::Suggestion, "0402", "complaint"),
            (Request::FollowUp, "0303", "follow_up"),
            (Request::LegalAid, "0301", "legal_aid"),
        ] {
            let e = event(request, &items(), hash.clone(), " 139 1234 5678 ", "请回电");
            assert_eq!((e.category.as_str(), e.kind.as_str()), (item, kind));
            assert_eq!(e.phone, "139 1234 5678");
            let payload = serde_json::to_value(&e).unwrap();
            assert_eq!(
                provisioning::work_orders::defect(&payload),
                None,
                "{request:?}"
            );
            assert_eq!(Request::from_id(request.id()), Some(request));
        }
    }

    #[test]
    fn every_status_reads_plainly_in_each_language() {
        for status in ["new", "dispatched", "accepted", "done", "returned"] {
            let texts = [Lang::ZhCn, Lang::KoKr, Lang::En].map(|l| status_text(status, l));
            assert!(texts.iter().all(|t| !t.is_empty()));
            assert_ne!(texts[0], status_text("unknown", Lang::ZhCn));
        }
    }
}
