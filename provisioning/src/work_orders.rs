//! Work orders (工单, issue 20): what a terminal (or later a hotline or web channel) starts
//! and the centre finishes. The rules: what a terminal's `work_order` event must hold, the
//! statuses and their transitions, and the centre's classification (a list loaded from a
//! file and published as a bundle, never code). Shared by the registry, which files and
//! dispatches the orders, and the kiosk, which makes the events and names the categories.

use serde::{Deserialize, Serialize};

use crate::appointments::{is_id_hash, valid_phone};

/// The outbox event kind a terminal sends a work order as.
pub const EVENT_KIND: &str = "work_order";

/// The bundle stream carrying the classification to terminals.
pub const CATEGORIES_STREAM: &str = "work-order-categories";

/// The file inside that bundle.
pub const CATEGORIES_FILE: &str = "categories.json";

/// Where a terminal asks the status of a citizen's work orders (by the keyed hash).
pub const STATUS_PATH: &str = "/v1/work-orders/status";

/// What a receipt's QR code holds before its code, so that a terminal knows it for one.
pub const RECEIPT_PREFIX: &str = "LKWO:";

/// Whether `text` is a receipt code: the order's event key, 32 lower-case hex characters.
pub fn is_receipt(text: &str) -> bool {
    text.len() == 32
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The receipt code in a scanned QR code's text, if it is a receipt's.
pub fn receipt_in(scanned: &str) -> Option<&str> {
    scanned
        .trim()
        .strip_prefix(RECEIPT_PREFIX)
        .filter(|code| is_receipt(code))
}

/// The alert kind of overdue work orders (one per originating terminal).
pub const OVERDUE_ALERT: &str = "work_order_overdue";

/// What the citizen asked for at the terminal.
pub const KINDS: &[&str] = &["callback", "complaint", "follow_up", "legal_aid"];

/// A work order's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Received, nobody assigned.
    New,
    /// Assigned to an institution or a person.
    Dispatched,
    /// The assignee took it on.
    Accepted,
    /// Finished, with an outcome.
    Done,
    /// Sent back by the assignee (not theirs to handle); the centre may dispatch it again.
    Returned,
}

impl Status {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Dispatched => "dispatched",
            Self::Accepted => "accepted",
            Self::Done => "done",
            Self::Returned => "returned",
        }
    }

    /// From the stored name.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "new" => Self::New,
            "dispatched" => Self::Dispatched,
            "accepted" => Self::Accepted,
            "done" => Self::Done,
            "returned" => Self::Returned,
            _ => return None,
        })
    }
}

/// A change of status someone asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Assign (or reassign) to an institution or person.
    Dispatch,
    /// The assignee takes it on.
    Accept,
    /// The assignee finished it.
    Close,
    /// The assignee sends it back.
    Return,
}

impl Action {
    /// The stored name in the history.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dispatch => "dispatched",
            Self::Accept => "accepted",
            Self::Close => "done",
            Self::Return => "returned",
        }
    }

    /// The statuses it may start from.
    pub fn from(self) -> &'static [Status] {
        match self {
            Self::Dispatch => &[Status::New, Status::Dispatched, Status::Returned],
            Self::Accept => &[Status::Dispatched],
            Self::Close => &[Status::Accepted],
            Self::Return => &[Status::Dispatched, Status::Accepted],
        }
    }

    /// The status it leads to.
    pub fn to(self) -> Status {
        match self {
            Self::Dispatch => Status::Dispatched,
            Self::Accept => Status::Accepted,
            Self::Close => Status::Done,
            Self::Return => Status::Returned,
        }
    }
}

/// A terminal's `work_order` event payload: only what the citizen's consent covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkOrderEvent {
    /// The classification's item code.
    pub category: String,
    /// `callback`, `complaint`, `follow_up` or `legal_aid`.
    pub kind: String,
    /// Keyed hash of the citizen's ID number (the region's key, from the `appointments`
    /// bundle): the citizen finds their orders' status with it at any terminal of the region.
    pub id_hash: String,
    /// A phone number to call back, if the citizen gave one.
    #[serde(default)]
    pub phone: String,
    /// What the citizen consented to pass on (at most 2,000 characters).
    #[serde(default)]
    pub summary: String,
    /// The citizen consented on screen.
    pub consent: bool,
}

/// Why a `work_order` event cannot become a work order (it is then kept in quarantine).
pub fn defect(payload: &serde_json::Value) -> Option<String> {
    let event: WorkOrderEvent = match serde_json::from_value(payload.clone()) {
        Ok(e) => e,
        Err(e) => return Some(format!("work_order payload: {e}")),
    };
    if !event.consent {
        return Some("work_order without the citizen's consent".into());
    }
    if event.category.trim().is_empty() || event.category.len() > 32 {
        return Some("work_order category is empty or too long".into());
    }
    if !KINDS.contains(&event.kind.as_str()) {
        return Some(format!(
            "work_order kind must be one of {}",
            KINDS.join(", ")
        ));
    }
    if !is_id_hash(&event.id_hash) {
        return Some("work_order id_hash is not a keyed hash (64 hex characters)".into());
    }
    if !event.phone.is_empty() && !valid_phone(&event.phone) {
        return Some("work_order phone is not a phone number".into());
    }
    if event.summary.chars().count() > 2000 {
        return Some("work_order summary is longer than 2,000 characters".into());
    }
    None
}

/// The centre's classification, as loaded from a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Classification {
    /// Whether this is only a sample list.
    #[serde(default)]
    pub sample: bool,
    /// A note for people.
    #[serde(default)]
    pub note: String,
    /// The list's own version label.
    #[serde(default)]
    pub version: String,
    /// Classes of items.
    pub classes: Vec<Class>,
    /// Which item a terminal files each kind of request under (the centre's choice). Without
    /// it terminals offer no requests: they could not classify them.
    #[serde(default)]
    pub terminal: Option<TerminalItems>,
}

/// The items a terminal files its requests under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TerminalItems {
    /// "Please have a lawyer call me back."
    pub callback: String,
    /// A complaint about the service (投诉).
    pub complaint: String,
    /// A suggestion (建议).
    pub suggestion: String,
    /// A consultation the citizen wants followed up.
    pub follow_up: String,
    /// A legal-aid pre-application.
    pub legal_aid: String,
}

impl TerminalItems {
    /// Every (what, item code) pair.
    pub fn all(&self) -> [(&'static str, &str); 5] {
        [
            ("callback", &self.callback),
            ("complaint", &self.complaint),
            ("suggestion", &self.suggestion),
            ("follow_up", &self.follow_up),
            ("legal_aid", &self.legal_aid),
        ]
    }
}

/// A class of the classification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Class {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Its items.
    pub items: Vec<Item>,
}

/// An item (what a work order is classified as).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// Code (unique across the list).
    pub code: String,
    /// Name.
    pub name: String,
}

/// What is wrong with a classification file.
#[derive(Debug, thiserror::Error)]
pub enum ClassificationError {
    /// Not the expected JSON.
    #[error("not a classification file: {0}")]
    Json(#[from] serde_json::Error),
    /// Nothing in it.
    #[error("the classification has no items")]
    Empty,
    /// A code used twice.
    #[error("item code {0:?} appears more than once")]
    Duplicate(String),
    /// A code or name that is empty or too long.
    #[error("item {0:?}: codes are 1 to 32 characters, names 1 to 100")]
    BadItem(String),
    /// The terminal's mapping names an item the list does not hold.
    #[error("terminal.{what} names item {code:?}, which is not in the list")]
    UnknownTerminalItem {
        /// Which request.
        what: &'static str,
        /// The code named.
        code: String,
    },
}

impl Classification {
    /// Parses and checks a classification file.
    pub fn parse(bytes: &[u8]) -> Result<Self, ClassificationError> {
        let list: Self = serde_json::from_slice(bytes)?;
        let mut seen = std::collections::HashSet::new();
        for item in list.classes.iter().flat_map(|c| &c.items) {
            if item.code.trim().is_empty()
                || item.code.len() > 32
                || item.name.trim().is_empty()
                || item.name.chars().count() > 100
            {
                return Err(ClassificationError::BadItem(item.code.clone()));
            }
            if !seen.insert(item.code.clone()) {
                return Err(ClassificationError::Duplicate(item.code.clone()));
            }
        }
        if seen.is_empty() {
            return Err(ClassificationError::Empty);
        }
        if let Some(terminal) = &list.terminal
            && let Some((what, code)) = terminal.all().into_iter().find(|(_, c)| !seen.contains(*c))
        {
            return Err(ClassificationError::UnknownTerminalItem {
                what,
                code: code.to_owned(),
            });
        }
        Ok(list)
    }

    /// The name of item `code`, if the list holds it.
    pub fn item_name(&self, code: &str) -> Option<&str> {
        self.classes
            .iter()
            .flat_map(|c| &c.items)
            .find(|i| i.code == code)
            .map(|i| i.name.as_str())
    }
}

/// Fuzzing entry (`fuzz/fuzz_targets/work_orders.rs`): a scanned QR code's text (from the
/// camera: anything) and a classification file (from a bundle) never panic, a receipt
/// found is one, and a classification that parses survives its own round trip.
pub fn fuzz(data: &[u8]) {
    let scanned = String::from_utf8_lossy(data);
    if let Some(code) = receipt_in(&scanned) {
        assert!(is_receipt(code));
        assert!(scanned.contains(RECEIPT_PREFIX));
    }
    if let Ok(list) = Classification::parse(data) {
        let again = serde_json::to_vec(&list).unwrap_or_default();
        assert_eq!(Classification::parse(&again).ok(), Some(list));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_orders_corpus_replays() {
        crate::fuzz_corpus::replay_committed_inputs("work_orders", fuzz);
    }

    #[test]
    fn the_sample_classification_loads_and_says_it_is_a_sample() {
        let list = Classification::parse(include_bytes!(
            "../registry/samples/work-order-categories.sample.json"
        ))
        .unwrap();
        assert!(list.sample);
        assert!(
            list.classes
                .iter()
                .any(|c| c.items.iter().any(|i| i.code == "0302"))
        );
    }

    #[test]
    fn a_work_order_needs_consent_and_a_keyed_hash() {
        let good = serde_json::json!({
            "category": "0302", "kind": "callback", "id_hash": "a".repeat(64),
            "phone": "138 0000 0000", "consent": true
        });
        assert_eq!(defect(&good), None);
        let mut no_consent = good.clone();
        no_consent["consent"] = false.into();
        assert!(defect(&no_consent).is_some());
        let mut clear = good.clone();
        clear["id_hash"] = "11010519491231002X".into();
        assert!(defect(&clear).is_some());
        let mut extra = good;
        extra["name"] = "张三".into();
        assert!(
            defect(&extra).is_some(),
            "no field beyond the consented ones"
        );
    }

    #[test]
    fn the_terminals_items_must_be_in_the_list() {
        let mut list = Classification::parse(include_bytes!(
            "../registry/samples/work-order-categories.sample.json"
        ))
        .unwrap();
        assert_eq!(
            list.terminal.as_ref().map(|t| t.callback.as_str()),
            Some("0302")
        );
        assert_eq!(list.item_name("0302"), Some("律师回电"));
        if let Some(t) = list.terminal.as_mut() {
            t.complaint = "9999".into();
        }
        let bytes = serde_json::to_vec(&list).unwrap();
        assert!(matches!(
            Classification::parse(&bytes),
            Err(ClassificationError::UnknownTerminalItem {
                what: "complaint",
                ..
            })
        ));
    }

    #[test]
    fn a_receipt_is_known_by_its_prefix_and_form() {
        let code = "0123456789abcdef0123456789abcdef";
        assert_eq!(receipt_in(&format!("LKWO:{code}\n")), Some(code));
        assert_eq!(receipt_in(code), None, "without its prefix");
        assert_eq!(receipt_in("LKWO:0123"), None);
        assert_eq!(receipt_in("LKWO:0123456789ABCDEF0123456789ABCDEF"), None);
        assert_eq!(receipt_in("https://example.com/LKWO:"), None);
    }

    #[test]
    fn statuses_move_only_forward() {
        assert!(Action::Accept.from().contains(&Status::Dispatched));
        assert!(!Action::Close.from().contains(&Status::New));
        assert_eq!(Action::Return.to(), Status::Returned);
    }
}
