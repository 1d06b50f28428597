//! The printer page: status now, a test page, and reprints of today's tickets (补打).

use hardware::printer::{Document, PrinterStatus};
use slint::ComponentHandle;

use super::{MaintenanceController, Need, task};
use crate::devices::printing::{PrintOutcome, PrinterHealth};
use crate::domain::maintenance::audit::{Outcome, action};
use crate::domain::queue;
use crate::ui::poster::Poster;
use crate::ui::{ActionState, AppWindow, MaintScreen, Maintenance, PrinterView};

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

/// A test page: what the printer must get right (Chinese, a QR code, the cut).
fn test_page(centre_name: &str, at: chrono::DateTime<chrono::FixedOffset>) -> Document {
    let mut doc = Document::new();
    doc.styled(
        centre_name,
        hardware::printer::Align::Center,
        hardware::printer::TextSize::Normal,
        true,
    );
    doc.styled(
        "打印测试页",
        hardware::printer::Align::Center,
        hardware::printer::TextSize::Double,
        true,
    );
    doc.separator();
    doc.text(format!("时间：{}", at.format("%Y-%m-%d %H:%M:%S")));
    doc.text("中文：公共法律服务 12348");
    doc.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789");
    doc.qr("https://12348.example/test");
    doc.centered("二维码应可扫描");
    doc.cut();
    doc
}

impl MaintenanceController {
    /// Asks the printer for its status; the status and printer pages show the answer.
    pub(super) fn refresh_printer(&self) {
        let Some(printer) = self.deps.printer.clone() else {
            self.show_printer(PrinterView::default());
            return;
        };
        let post = self.post_ui();
        printer.query_status(move |reading| {
            let view = printer_view(&reading);
            post(task(move |this, _| this.show_printer(view)));
        });
    }

    fn show_printer(&self, view: PrinterView) {
        *self.printer_view.lock().unwrap_or_else(|e| e.into_inner()) = view.clone();
        if let Some(app) = self.app.upgrade() {
            app.global::<Maintenance>().set_printer(view);
        }
    }

    pub(super) fn test_print(&self) {
        let Some(session) = self.require(Need::AnyStaff, action::PRINTER_TEST_PRINT) else {
            return;
        };
        let Some(printer) = self.deps.printer.clone() else {
            return;
        };
        let Some(app) = self.app.upgrade() else {
            return;
        };
        let m = app.global::<Maintenance>();
        m.set_test_print_state(ActionState::Working);
        let doc = test_page(&self.deps.kiosk.centre_name, self.deps.clock.now());
        let (post, worker, clock) = (
            self.post_ui(),
            self.deps.worker.clone(),
            self.deps.clock.clone(),
        );
        let actor = session.actor();
        printer.print_document(doc, move |outcome| {
            let (state, outcome_kind, reason) = match outcome {
                PrintOutcome::Printed { .. } => (ActionState::Done, Outcome::Ok, String::new()),
                PrintOutcome::Failed { reason, .. } => {
                    (ActionState::Failed, Outcome::Failed, reason)
                }
            };
            let at = clock.now();
            let detail = serde_json::json!({ "reason": reason });
            worker.submit(move |store| {
                crate::domain::maintenance::audit::record_alone(
                    store.conn(),
                    &actor,
                    action::PRINTER_TEST_PRINT,
                    outcome_kind,
                    detail,
                    at,
                );
            });
            post(task(move |this, app| {
                let m = app.global::<Maintenance>();
                m.set_test_print_detail(reason.into());
                m.set_test_print_state(state);
                this.refresh_printer();
            }));
        });
    }

    pub(super) fn reprint_key(&self, key: &str) {
        let Some(app) = self.app.upgrade() else {
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
        } else if self.deps.catalogue.services().iter().any(|s| s.prefix == c) {
            number = c.to_string();
        }
        m.set_reprint_number(number.into());
        m.set_reprint_state(ActionState::Idle);
    }

    pub(super) fn reprint_clear(&self) {
        if let Some(app) = self.app.upgrade() {
            let m = app.global::<Maintenance>();
            m.set_reprint_number("".into());
            m.set_reprint_state(ActionState::Idle);
        }
    }

    pub(super) fn reprint(&self) {
        let Some(session) = self.require(Need::AnyStaff, action::PRINTER_REPRINT) else {
            return;
        };
        let Some(printer) = self.deps.printer.clone() else {
            return;
        };
        let Some(app) = self.app.upgrade() else {
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
        let day = self.deps.clock.now().date_naive();
        let (post, catalogue, clock) = (
            self.post_ui(),
            self.deps.catalogue.clone(),
            self.deps.clock.clone(),
        );
        let (centre, url_base) = (
            self.deps.kiosk.centre_name.clone(),
            self.deps.kiosk.ticket_url_base.clone(),
        );
        let worker = self.deps.worker.clone();
        self.deps.worker.submit(move |store| {
            let found = queue::find_ticket(store.conn(), &service_id, seq, day);
            let ticket = match found {
                Ok(Some(ticket)) => ticket,
                Ok(None) | Err(_) => {
                    if let Err(e) = &found {
                        tracing::error!("cannot look a ticket up: {e}");
                    }
                    crate::domain::maintenance::audit::record_alone(
                        store.conn(),
                        &actor,
                        action::PRINTER_REPRINT,
                        Outcome::Refused,
                        serde_json::json!({ "number": typed, "reason": "not_found" }),
                        clock.now(),
                    );
                    post(task(|_, app| {
                        let m = app.global::<Maintenance>();
                        m.set_reprint_not_found(true);
                        m.set_reprint_state(ActionState::Refused);
                    }));
                    return;
                }
            };
            let mut content =
                crate::ui::tickets::paper_ticket(&ticket, &catalogue, &centre, &url_base);
            content.reprint = true;
            let number = ticket.number.clone();
            printer.print(content, move |outcome| {
                let (state, kind, reason) = match outcome {
                    PrintOutcome::Printed { .. } => (ActionState::Done, Outcome::Ok, String::new()),
                    PrintOutcome::Failed { reason, .. } => {
                        (ActionState::Failed, Outcome::Failed, reason)
                    }
                };
                let detail = serde_json::json!({ "number": number, "reason": reason });
                let at = clock.now();
                worker.submit(move |store| {
                    crate::domain::maintenance::audit::record_alone(
                        store.conn(),
                        &actor,
                        action::PRINTER_REPRINT,
                        kind,
                        detail,
                        at,
                    );
                });
                post(task(move |_, app| {
                    let m = app.global::<Maintenance>();
                    m.set_reprint_detail(
                        if state == ActionState::Done {
                            number
                        } else {
                            reason
                        }
                        .into(),
                    );
                    m.set_reprint_state(state);
                }));
            });
        });
    }

    /// `B012` → the service with prefix B and number 12.
    fn parse_ticket_number(&self, text: &str) -> Option<(String, u32)> {
        let mut chars = text.trim().chars();
        let prefix = chars.next()?.to_ascii_uppercase();
        let seq: u32 = chars.as_str().parse().ok().filter(|n| *n > 0)?;
        let service = self
            .deps
            .catalogue
            .services()
            .iter()
            .find(|s| s.prefix == prefix)?;
        Some((service.id.clone(), seq))
    }

    /// Something the printer thread can call: the menu re-reads the status when the
    /// printer's health changes while staff look at it.
    pub fn printer_health_updater(&self) -> MaintenancePrinterUpdater {
        MaintenancePrinterUpdater {
            id: self.id,
            app: self.app.clone(),
            poster: self.deps.poster.clone(),
        }
    }
}

/// Tells the maintenance menu, from any thread, that the printer's health changed.
#[derive(Clone)]
pub struct MaintenancePrinterUpdater {
    id: u64,
    app: slint::Weak<AppWindow>,
    poster: Poster,
}

impl MaintenancePrinterUpdater {
    /// The printer's health changed: re-read its status if staff are looking at it.
    pub fn update(&self, _health: &PrinterHealth) {
        let (app, id) = (self.app.clone(), self.id);
        self.poster.post(move || {
            let Some(app) = app.upgrade() else { return };
            let screen = app.global::<Maintenance>().get_screen();
            if matches!(screen, MaintScreen::Status | MaintScreen::Printer) {
                super::with_controller(id, |this| this.refresh_printer());
            }
        });
    }
}
