//! What leaves the terminal after a self-check: an anonymous outbox event, and — only with the
//! citizen's separate consent — a pre-application for staff (stored encrypted by the caller,
//! deleted once the centre acknowledges it).

use std::fmt;

use chrono::{DateTime, Utc};
use serde::Serialize;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::engine::{Indication, SelfCheck};
use crate::domain::consult::flow::pick;
use crate::domain::consult::text::Lang;

/// Version of the consent wording below; stored with every consent.
pub const CONSENT_TEXT_VERSION: &str = "legal-aid-pre-application/1";

/// The outbox event type.
pub const EVENT_TYPE: &str = "legal-aid.self-check";

/// The consent screen's text (separate consent, PIPL art. 29 for sensitive data).
pub fn consent_text(lang: Lang) -> &'static str {
    pick(
        lang,
        "为了让法律援助工作人员提前准备、尽快联系您，本机将把您的姓名、身份证号、电话和刚才的回答加密保存，并发送给法律援助机构。只用于办理这次法律援助申请，办完后删除。您可以不同意，不同意也可以到窗口办理。",
        "법률원조 직원이 미리 준비하고 빨리 연락드릴 수 있도록, 이 기계는 성명, 신분증 번호, 전화번호와 방금 답변을 암호화하여 저장하고 법률원조기구에 보냅니다. 이번 법률원조 신청에만 사용하고 처리 후 삭제합니다. 동의하지 않으셔도 창구에서 신청할 수 있습니다.",
        "So that legal-aid staff can prepare and contact you quickly, this terminal will store your name, ID number, phone number and your answers encrypted, and send them to the legal-aid office. They are used only for this application and deleted afterwards. You may say no and apply at the counter instead.",
    )
}

/// The citizen's separate consent to keep a pre-application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Consent {
    /// Which consent wording was shown ([`CONSENT_TEXT_VERSION`]).
    pub text_version: String,
    /// When the citizen tapped 同意.
    pub given_at: DateTime<Utc>,
    /// The language the consent was shown in.
    pub lang: Lang,
}

impl Consent {
    /// Consent to the current wording, given now or at `given_at`.
    pub fn given(lang: Lang, given_at: DateTime<Utc>) -> Consent {
        Consent {
            text_version: CONSENT_TEXT_VERSION.to_owned(),
            given_at,
            lang,
        }
    }
}

/// Who applies. Personal data: wiped from memory on drop, masked in `Debug`.
#[derive(Clone, Serialize, Zeroize, ZeroizeOnDrop)]
pub struct Applicant {
    /// Full name (from the ID card).
    pub name: String,
    /// Full ID number (from the ID card).
    pub id_number: String,
    /// Telephone for the callback, typed by the citizen.
    pub phone: Option<String>,
}

impl fmt::Debug for Applicant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never let a tracing `?applicant` print personal data.
        f.debug_struct("Applicant")
            .field("name", &"<redacted>")
            .field("id_number", &"<redacted>")
            .field("phone", &self.phone.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// Why a pre-application could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PreApplicationError {
    /// The self-check has not reached its result.
    #[error("the self-check is not finished")]
    NotFinished,
    /// Consent was recorded for another wording.
    #[error("the consent was given to wording {0:?}, not the current {CONSENT_TEXT_VERSION:?}")]
    StaleConsent(String),
    /// Name or ID number missing.
    #[error("a pre-application needs the applicant's name and ID number")]
    MissingIdentity,
}

/// A consented pre-application: what a legal-aid staff member needs to prepare the case.
#[derive(Clone, Serialize)]
pub struct PreApplication {
    /// The consent it rests on.
    pub consent: Consent,
    /// The applicant.
    pub applicant: Applicant,
    /// Age (from the ID card), if known.
    pub age: Option<u8>,
    /// Scope item chosen.
    pub scope: Option<String>,
    /// The indication and the rule that gave it.
    pub indication: Indication,
    /// Rule item id that decided.
    pub decided_by: String,
    /// Priority handling.
    pub priority: bool,
    /// Household size given.
    pub household_size: Option<u32>,
    /// Monthly household income given, in yuan.
    pub household_monthly_income_yuan: Option<u32>,
}

impl fmt::Debug for PreApplication {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PreApplication")
            .field("applicant", &self.applicant)
            .field("scope", &self.scope)
            .field("indication", &self.indication)
            .finish_non_exhaustive()
    }
}

impl PreApplication {
    /// Builds a pre-application from a finished check; requires consent to the current wording.
    pub fn new(
        check: &SelfCheck,
        applicant: Applicant,
        consent: Consent,
    ) -> Result<PreApplication, PreApplicationError> {
        if consent.text_version != CONSENT_TEXT_VERSION {
            return Err(PreApplicationError::StaleConsent(consent.text_version));
        }
        if applicant.name.trim().is_empty() || applicant.id_number.trim().is_empty() {
            return Err(PreApplicationError::MissingIdentity);
        }
        let result = check
            .result(Lang::ZhCn)
            .ok_or(PreApplicationError::NotFinished)?;
        let (household_size, household_monthly_income_yuan) = check.household();
        Ok(PreApplication {
            consent,
            applicant,
            age: check.age(),
            scope: result.scope,
            indication: result.indication,
            decided_by: result.decided_by,
            priority: result.priority,
            household_size,
            household_monthly_income_yuan,
        })
    }
}

/// The anonymous part of the event: ids, no answers that describe the person.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SelfCheckEvent {
    /// Always [`EVENT_TYPE`].
    #[serde(rename = "type")]
    pub event_type: &'static str,
    /// The check's id (what a rating of the check refers to).
    pub check_id: String,
    /// Rules region.
    pub region: String,
    /// Rules version.
    pub rules_version: String,
    /// The indication.
    pub indication: Indication,
    /// The rule item that decided.
    pub decided_by: String,
    /// Scope item chosen.
    pub scope: Option<String>,
    /// Priority handling.
    pub priority: bool,
    /// Whether the threshold was a placeholder.
    pub threshold_placeholder: bool,
    /// Language used.
    pub lang: Lang,
    /// Whether a consented pre-application is attached.
    pub has_pre_application: bool,
}

/// The outbox payload for a finished self-check (None if it is not finished).
///
/// Without `pre_application` it holds nothing personal: no name, number, age, household size
/// or income. With it, the payload carries the pre-application and must be stored encrypted.
pub fn outbox_payload(
    check_id: &str,
    check: &SelfCheck,
    lang: Lang,
    pre_application: Option<&PreApplication>,
) -> Option<serde_json::Value> {
    let result = check.result(lang)?;
    let event = SelfCheckEvent {
        event_type: EVENT_TYPE,
        check_id: check_id.to_owned(),
        region: check.rules().region.clone(),
        rules_version: check.rules().version.clone(),
        indication: result.indication,
        decided_by: result.decided_by,
        scope: result.scope,
        priority: result.priority,
        threshold_placeholder: result.threshold_placeholder,
        lang,
        has_pre_application: pre_application.is_some(),
    };
    let mut value = serde_json::to_value(&event).ok()?;
    if let (Some(pre), Some(obj)) = (pre_application, value.as_object_mut()) {
        obj.insert("pre_application".into(), serde_json::to_value(pre).ok()?);
    }
    Some(value)
}
