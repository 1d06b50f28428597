//! Printing a guidance slip (consultation outcome or self-check result) on the printer
//! thread, with the citizen told what is happening: printing, take it, or cannot print.

use slint::ComponentHandle;

use super::controller::KioskController;
use super::{AppWindow, Consult, LegalAid, SlipStage};
use crate::devices::printing::PrintOutcome;
use crate::devices::printing::slip::slip_document;
use crate::domain::consult::{GuidanceSlip, InstitutionAddress, SlipContext};

/// Which page's slip status to update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SlipOwner {
    Consultation,
    LegalAid,
}

impl SlipOwner {
    fn show(self, app: &AppWindow, stage: SlipStage) {
        match self {
            SlipOwner::Consultation => app.global::<Consult>().set_slip(stage),
            SlipOwner::LegalAid => app.global::<LegalAid>().set_slip(stage),
        }
    }
}

impl KioskController {
    /// Builds a slip with this terminal's QR link and known institutions.
    pub(super) fn with_slip_context<R>(&self, f: impl FnOnce(&SlipContext<'_>) -> R) -> R {
        let guidance = self.deps.guidance.clone();
        let lookup = move |kind: &str| -> Option<InstitutionAddress> { guidance.institution(kind) };
        let url = self.deps.kiosk.online_service_url.trim();
        f(&SlipContext {
            qr_url: (!url.is_empty()).then_some(url),
            institution: &lookup,
        })
    }

    /// The slip stage to show before anything is printed: can the printer print?
    pub(super) fn initial_slip_stage(&self) -> SlipStage {
        if self.deps.printer.is_some() && self.shared().can_print {
            SlipStage::Ready
        } else {
            SlipStage::Unavailable
        }
    }

    /// Sends `slip` to the printer and shows its progress on `owner`'s page.
    pub(super) fn print_slip(&self, slip: GuidanceSlip, owner: SlipOwner) {
        let Some(app) = self.app.upgrade() else {
            return;
        };
        let printer = self
            .deps
            .printer
            .clone()
            .filter(|_| self.shared().can_print);
        let Some(printer) = printer else {
            owner.show(&app, SlipStage::Unavailable);
            return;
        };
        owner.show(&app, SlipStage::Printing);
        let document = slip_document(
            &slip,
            &self.deps.kiosk.centre_name,
            self.deps.clock.now().naive_local(),
        );
        let back = self.session_poster();
        printer.print_document(document, move |outcome| {
            let stage = match outcome {
                PrintOutcome::Printed { .. } => SlipStage::Printed,
                PrintOutcome::Failed { reason, .. } => {
                    tracing::warn!("guidance slip not printed: {reason}");
                    SlipStage::Failed
                }
            };
            back.post(move |this| {
                if let Some(app) = this.app.upgrade() {
                    owner.show(&app, stage);
                }
            });
        });
    }
}
