//! The legal-aid self-check's records: the anonymous indication for the operations centre,
//! and — only with the citizen's separate consent on screen — a pre-application for staff,
//! stored sealed beside its outbox row (both in one transaction) and deleted once the
//! centre acknowledged it.

use std::sync::Arc;

use serde::Serialize;
use thiserror::Error;

use super::{ServiceError, StoreAccess, ignore};
use crate::domain::legal_aid::recipients::centre_in_force;
use crate::domain::legal_aid::{
    Applicant, Consent, PreApplication, PreApplicationError, SelfCheck, outbox_payload,
};
use crate::domain::work_orders::{EVENT_KIND, Request};
use crate::i18n::Lang;
use crate::services::work_orders::order_for;
use crate::store::outbox;
use crate::store::sealed::{SealError, SealKey, append_sealed};

/// The terminal's region (from its enrolment; `None` before), asked when needed.
pub type RegionOf = Arc<dyn Fn() -> Option<String> + Send + Sync>;

#[derive(Clone)]
pub struct LegalAidService {
    store: StoreAccess,
    seal_key: Arc<SealKey>,
    region: RegionOf,
}

/// Where a stored pre-application goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreApplied {
    /// To the legal-aid centre of this terminal's region, with the next delivery.
    ForCentre,
    /// Kept on the terminal (sealed) until a centre's key for its region is in force.
    Held,
}

/// Why no pre-application was stored.
#[derive(Debug, Error)]
pub enum PreApplyError {
    #[error(transparent)]
    Refused(#[from] PreApplicationError),
    #[error("cannot store the pre-application: {0}")]
    Seal(#[from] SealError),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

/// The sealed payload of a pre-application: the anonymous event plus the applicant's data.
#[derive(Serialize)]
struct SealedPreApplication<'a> {
    #[serde(flatten)]
    event: serde_json::Value,
    pre_application: &'a PreApplication,
}

impl LegalAidService {
    pub fn new(store: StoreAccess, seal_key: Arc<SealKey>, region: RegionOf) -> Self {
        Self {
            store,
            seal_key,
            region,
        }
    }

    /// Records the indication a finished self-check gave (anonymous: ids and the indication).
    pub fn checked(&self, check_id: &str, check: &SelfCheck, lang: Lang) {
        if let Some(payload) = outbox_payload(check_id, check, lang, None) {
            self.store
                .record(outbox::kind::LEGAL_AID_CHECKED, payload, ignore);
        }
    }

    /// Stores the consented pre-application of a finished check, sealed, with its event.
    pub fn pre_apply(
        &self,
        check_id: &str,
        check: &SelfCheck,
        lang: Lang,
        applicant: Applicant,
        reply: impl FnOnce(Result<PreApplied, PreApplyError>) + Send + 'static,
    ) {
        let consent = Consent::given(lang, self.store.clock.now().to_utc());
        // The work order that lets the citizen follow the application (its content stays
        // sealed for the legal-aid centre): filed under the card, without the telephone.
        let id_number = zeroize::Zeroizing::new(applicant.id_number.clone());
        let pre = match PreApplication::new(check, applicant, consent) {
            Ok(pre) => pre,
            Err(e) => {
                tracing::warn!("no pre-application: {e}");
                reply(Err(e.into()));
                return;
            }
        };
        let Some(mut event) = outbox_payload(check_id, check, lang, None) else {
            reply(Err(PreApplicationError::NotFinished.into()));
            return;
        };
        if let Some(obj) = event.as_object_mut() {
            obj.insert("has_pre_application".into(), true.into());
        }
        let stub = serde_json::json!({
            "type": "legal-aid.pre-application",
            "check_id": check_id,
            "sealed": true,
        });
        let (key, region) = (self.seal_key.clone(), (self.region)());
        self.store.run(
            move |store, at| {
                let payload = SealedPreApplication {
                    event,
                    pre_application: &pre,
                };
                let tx = store.conn().transaction().map_err(SealError::from)?;
                append_sealed(
                    &tx,
                    &key,
                    outbox::kind::LEGAL_AID_PRE_APPLICATION,
                    &stub,
                    &payload,
                    at,
                )?;
                match order_for(
                    &tx,
                    Request::LegalAid,
                    &id_number,
                    "",
                    "法律援助预申请（材料已加密送交法律援助机构）",
                ) {
                    Ok(order) => {
                        outbox::append(&tx, EVENT_KIND, &order, at).map_err(SealError::from)?;
                    }
                    // Without the centre's classification there is no order to follow; the
                    // pre-application itself is kept all the same.
                    Err(e) => tracing::info!("no work order for the pre-application: {e}"),
                }
                tx.commit().map_err(SealError::from)?;
                Ok(if centre_in_force(store.conn(), region.as_deref()) {
                    PreApplied::ForCentre
                } else {
                    PreApplied::Held
                })
            },
            move |result: Result<PreApplied, PreApplyError>| {
                match &result {
                    Ok(PreApplied::ForCentre) => {
                        tracing::info!("legal-aid pre-application stored (sealed) for staff")
                    }
                    Ok(PreApplied::Held) => tracing::warn!(
                        "legal-aid pre-application stored (sealed) and held: no legal-aid \
                         centre's key for this terminal's region is in force"
                    ),
                    Err(e) => tracing::error!("cannot store the legal-aid pre-application: {e}"),
                }
                reply(result);
            },
        );
    }
}
