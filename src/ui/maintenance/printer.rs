//! The printer page: status now, a test page, and reprints of today's tickets (补打).

use hardware::printer::PrinterStatus;
use slint::ComponentHandle;

use super::{MaintenanceController, Need, task};
use crate::domain::maintenance::audit::{Outcome, action};
use crate::services::printing::PrintResult;
use crate::services::staff::Reprint;
use crate::ui::{ActionState, Maintenance, PrinterView};

/// What the page shows for a status reading.
pub(super) fn printer_view(reading: &Result<PrinterStatus, String>) -> PrinterView {
    match reading {
        Ok(s) => PrinterView {
            configured: true,
            known: true,
            online: s.ready(),
            paper_out: s.paper_end(),
            near_end: s.paper_near_end(),
            cover_open: s.cover_open(),
            detail: s
                .refusal()
                .map(|r| r.to_string())
                .unwrap_or_default()
                .into(),
        },
        Err(reason) => PrinterView {
            configured: true,
            known: false,
            detail: reason.clone().into(),
            ..Default::default()
        },
    }
}

impl MaintenanceController {
    /// Asks the printer for its status; the status and printer pages show the answer.
    pub(super) fn refresh_printer(&self) {
        let post = self.post_ui();
        self.deps.staff.printer_status(move |reading| {
            let view = reading.map_or_else(PrinterView::default, |r| printer_view(&r));
            post(task(move |this, _| this.show_printer(view)));
        });
    }

    fn show_printer(&self, view: PrinterView) {
        *self.printer_view.lock().unwrap_or_else(|e| e.into_inner()) = view.clone();
        if let Some(app) = self.app() {
            app.global::<Maintenance>().set_printer(view);
        }
    }

    pub(super) fn test_print(&self) {
        let Some(session) = self.require(Need::AnyStaff, action::PRINTER_TEST_PRINT) else {
            return;
        };
        if !self.deps.printing.configured() {
            return;
        }
        let Some(post) = self.start_action(|m| m.set_test_print_state(ActionState::Working)) else {
            return;
        };
        self.deps.staff.test_print(session.actor(), move |printed| {
            let (state, reason) = match printed {
                PrintResult::Printed => (ActionState::Done, String::new()),
                PrintResult::Failed(reason) => (ActionState::Failed, reason),
                PrintResult::Unavailable => (ActionState::Failed, String::new()),
            };
            post(task(move |this, app| {
                let m = app.global::<Maintenance>();
                m.set_test_print_detail(reason.into());
                m.set_test_print_state(state);
                this.refresh_printer();
            }));
        });
    }

    pub(super) fn reprint_key(&self, key: &str) {
        let Some(app) = self.app() else {
            return;
        };
        let m = app.global::<Maintenance>();
        let mut number = m.get_reprint_number().to_string();
        let Some(c) = key.chars().next() else {
            return;
        };
        if c.is_ascii_digit() {
            // Digits follow a letter; four are enough for a day.
            if !number.is_empty() && number.len() < 5 {
                number.push(c);
            }
        } else if (self.deps.catalogue)()
            .services()
            .iter()
            .any(|s| s.prefix == c)
        {
            number = c.to_string();
        }
        m.set_reprint_number(number.into());
        m.set_reprint_state(ActionState::Idle);
    }

    pub(super) fn reprint_clear(&self) {
        if let Some(app) = self.app() {
            let m = app.global::<Maintenance>();
            m.set_reprint_number("".into());
            m.set_reprint_state(ActionState::Idle);
        }
    }

    pub(super) fn reprint(&self) {
        let Some(session) = self.require(Need::AnyStaff, action::PRINTER_REPRINT) else {
            return;
        };
        if !self.deps.printing.configured() {
            return;
        }
        let Some(app) = self.app() else {
            return;
        };
        let m = app.global::<Maintenance>();
        let typed = m.get_reprint_number().to_string();
        m.set_reprint_not_found(false);
        m.set_reprint_detail(typed.clone().into());
        let actor = session.actor();
        let Some((service_id, seq)) = self.parse_ticket_number(&typed) else {
            m.set_reprint_state(ActionState::Refused);
            self.audit(
                &actor,
                action::PRINTER_REPRINT,
                Outcome::Refused,
                serde_json::json!({ "reason": "invalid_number" }),
            );
            return;
        };
        m.set_reprint_state(ActionState::Working);
        let post = self.post_ui();
        let catalogue = (self.deps.catalogue)();
        self.deps
            .staff
            .reprint(typed, service_id, seq, catalogue, actor, move |reprint| {
                post(task(move |_, app| {
                    let m = app.global::<Maintenance>();
                    match reprint {
                        Reprint::Printed(number) => {
                            m.set_reprint_detail(number.into());
                            m.set_reprint_state(ActionState::Done);
                        }
                        Reprint::NotFound => {
                            m.set_reprint_not_found(true);
                            m.set_reprint_state(ActionState::Refused);
                        }
                        Reprint::Failed(reason) => {
                            m.set_reprint_detail(reason.into());
                            m.set_reprint_state(ActionState::Failed);
                        }
                    }
                }));
            });
    }

    /// `B012` → the service with prefix B and number 12.
    fn parse_ticket_number(&self, text: &str) -> Option<(String, u32)> {
        let mut chars = text.trim().chars();
        let prefix = chars.next()?.to_ascii_uppercase();
        let seq: u32 = chars.as_str().parse().ok().filter(|n| *n > 0)?;
        let catalogue = (self.deps.catalogue)();
        let service = catalogue.services().iter().find(|s| s.prefix == prefix)?;
        Some((service.id.clone(), seq))
    }

    /// The printer's health changed: re-read its status if staff are looking at it.
    pub fn printer_changed(&self) {
        let Some(app) = self.app() else {
            return;
        };
        let screen = app.global::<Maintenance>().get_screen();
        if matches!(
            screen,
            crate::ui::MaintScreen::Status | crate::ui::MaintScreen::Printer
        ) {
            self.refresh_printer();
        }
    }
}
