//! Opening the menu's pages and the pages without much logic of their own: status, reader,
//! enrolment, logs and about.

use slint::{ComponentHandle, ModelRc, SharedString, VecModel};

use super::{MaintenanceController, Need, task};
use crate::domain::maintenance::audit::{Outcome, action};
use crate::domain::maintenance::reader::ReaderState;
use crate::domain::maintenance::settings::CitizenSetting;
use crate::services::staff::LogExport;
use crate::ui::{ActionState, MaintScreen, Maintenance, ReaderView, TestReadView};

impl MaintenanceController {
    pub(super) fn wire_pages(&self, m: &Maintenance<'_>) {
        m.on_refresh(self.callback(|this| this.refresh()));
        m.on_postpone_update(self.callback(|this| this.postpone_update()));
        m.on_test_print(self.callback(|this| this.test_print()));
        let me = self.me.clone();
        m.on_reprint_key(move |key| {
            if let Some(this) = me.upgrade() {
                this.reprint_key(&key);
            }
        });
        m.on_reprint_clear(self.callback(|this| this.reprint_clear()));
        m.on_reprint(self.callback(|this| this.reprint()));
        m.on_test_read(self.callback(|this| this.test_read()));
        m.on_reset_numbering(self.callback(|this| this.reset_numbering()));
        m.on_reset_cancel(self.callback(|this| this.reset_cancel()));
        let me = self.me.clone();
        m.on_set_out_of_service(move |out, notice| {
            if let Some(this) = me.upgrade() {
                this.set_out_of_service(out, notice.to_string());
            }
        });
        let me = self.me.clone();
        m.on_set_default_language(move |code| {
            if let Some(this) = me.upgrade() {
                this.set_default_language(&code);
            }
        });
        let me = self.me.clone();
        m.on_set_large_text_default(move |on| {
            if let Some(this) = me.upgrade() {
                this.set_citizen_default(CitizenSetting::LargeText(on));
            }
        });
        let me = self.me.clone();
        m.on_set_idle_timeout(move |secs| {
            if let (Some(this), Ok(secs)) = (me.upgrade(), u64::try_from(secs)) {
                this.set_citizen_default(CitizenSetting::IdleTimeoutSecs(secs));
            }
        });
        let me = self.me.clone();
        m.on_change_brightness(move |delta| {
            if let Some(this) = me.upgrade() {
                this.change_brightness(delta);
            }
        });
        let me = self.me.clone();
        m.on_enrol(move |url, code| {
            if let Some(this) = me.upgrade() {
                this.enrol(&url, &code);
            }
        });
        m.on_export_logs(self.callback(|this| this.export_logs()));
    }

    /// Shows `screen` if the session may see it, with fresh data.
    pub(super) fn open_screen(&self, screen: MaintScreen) {
        if screen == MaintScreen::PinPad {
            return;
        }
        let need = if screen == MaintScreen::Enrolment {
            Need::Installer
        } else {
            Need::AnyStaff
        };
        if self.require(need, action::OPEN_PAGE).is_none() {
            return;
        }
        let Some(app) = self.app() else {
            return;
        };
        let m = app.global::<Maintenance>();
        m.set_screen(screen);
        match screen {
            MaintScreen::Status => self.refresh_status(),
            MaintScreen::Printer => {
                m.set_test_print_state(ActionState::Idle);
                m.set_reprint_state(ActionState::Idle);
                m.set_reprint_number("".into());
                self.refresh_printer();
            }
            MaintScreen::Reader => {
                m.set_test_read_state(ActionState::Idle);
                self.show_reader();
            }
            MaintScreen::Queue => {
                m.set_reset_step(0);
                m.set_reset_state(ActionState::Idle);
                self.load_queue();
            }
            MaintScreen::Kiosk => self.load_kiosk_page(),
            MaintScreen::Enrolment => {
                m.set_enrol_problem(0);
                m.set_enrol_state(ActionState::Idle);
                self.show_link(&m);
            }
            MaintScreen::Logs => {
                m.set_export_state(ActionState::Idle);
                self.show_logs();
            }
            MaintScreen::About => {
                self.show_link(&m);
                m.set_rules_review(super::about::rules_review(
                    &self.deps.content.current().rules_review(),
                ));
            }
            MaintScreen::Menu | MaintScreen::PinPad => {}
        }
    }

    fn refresh(&self) {
        let Some(app) = self.app() else {
            return;
        };
        match app.global::<Maintenance>().get_screen() {
            MaintScreen::Status => self.refresh_status(),
            MaintScreen::Printer => self.refresh_printer(),
            _ => {}
        }
    }

    /// Everything the status page shows, each part from where it lives.
    fn refresh_status(&self) {
        if self.session.borrow().is_none() {
            return;
        }
        self.show_reader();
        self.refresh_printer();
        let post = self.post_ui();
        self.deps.staff.outbox_depth(move |depth| {
            post(task(move |_, app| {
                app.global::<Maintenance>()
                    .set_outbox_depth(i32::try_from(depth).unwrap_or(i32::MAX));
            }));
        });
        let post = self.post_ui();
        self.deps.staff.machine(move |facts| {
            post(task(move |_, app| {
                let m = app.global::<Maintenance>();
                m.set_disk_free(facts.disk_free.into());
                m.set_uptime(facts.uptime.into());
            }));
        });
        if let Some(app) = self.app() {
            self.show_link(&app.global::<Maintenance>());
            self.show_update(&app.global::<Maintenance>());
        }
        let post = self.post_ui();
        self.deps.staff.bundle_versions(move |text| {
            post(task(move |_, app| {
                app.global::<Maintenance>().set_bundle_versions(text.into());
            }));
        });
    }

    /// Shows an action as under way (`working` sets its state) and gives what posts its
    /// result; None once the window is gone.
    pub(super) fn start_action(
        &self,
        working: impl FnOnce(&Maintenance<'_>),
    ) -> Option<impl Fn(super::UiTask) + Send + Clone + 'static> {
        working(&self.app()?.global::<Maintenance>());
        Some(self.post_ui())
    }

    fn show_reader(&self) {
        let state = self.reader.borrow().as_ref().map(|r| r.state());
        if let Some(app) = self.app() {
            app.global::<Maintenance>().set_reader(reader_view(state));
        }
    }

    fn test_read(&self) {
        let Some(session) = self.require(Need::AnyStaff, action::READER_TEST_READ) else {
            return;
        };
        let Some(reader) = self.reader.borrow().clone() else {
            return;
        };
        let Some(post) = self.start_action(|m| m.set_test_read_state(ActionState::Working)) else {
            return;
        };
        let state_of = reader.clone();
        self.deps
            .staff
            .test_read(reader, session.actor(), move |result| {
                let state = state_of.state();
                post(task(move |_, app| {
                    let m = app.global::<Maintenance>();
                    m.set_reader(reader_view(Some(state)));
                    m.set_test_read_no_card(matches!(result, Ok(None)));
                    match result {
                        Ok(Some(read)) => {
                            m.set_test_read_result(TestReadView {
                                card_type: read.card_type.into(),
                                masked_name: read.masked_name.into(),
                                masked_id: read.masked_id.into(),
                                number_valid: read.id_number_valid,
                                expired: read.expired,
                            });
                            m.set_test_read_state(ActionState::Done);
                        }
                        Ok(None) => m.set_test_read_state(ActionState::Failed),
                        Err(e) => {
                            m.set_test_read_detail(e.into());
                            m.set_test_read_state(ActionState::Failed);
                        }
                    }
                }));
            });
    }

    /// The link to the operations centre as the status, enrolment and about pages show it.
    fn show_link(&self, m: &Maintenance<'_>) {
        let link = self.deps.sync.state();
        m.set_enrolled(link.device_id.is_some());
        m.set_device_id(link.device_id.unwrap_or_default().into());
        if let Some(registry) = link.registry {
            m.set_registry_url(registry.into());
        }
        let contact = link
            .status
            .and_then(|s| s.last_contact)
            .map(|t| {
                t.with_timezone(&self.shell.clock().now().timezone())
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            })
            .unwrap_or_default();
        m.set_last_contact(contact.into());
    }

    /// Validates what was typed, then enrols with the registry off the UI thread (the code
    /// is a secret until used: it is never stored or audited).
    fn enrol(&self, url: &str, code: &str) {
        let Some(session) = self.require(Need::Installer, action::ENROLMENT) else {
            return;
        };
        let Some(app) = self.app() else {
            return;
        };
        let m = app.global::<Maintenance>();
        let url = url.trim();
        let code = code.trim();
        let problem = if !valid_registry_url(url) {
            1
        } else if !valid_enrolment_code(code) {
            2
        } else {
            0
        };
        m.set_enrol_problem(problem);
        if problem != 0 {
            m.set_enrol_state(ActionState::Refused);
            let reason = if problem == 1 {
                "invalid_url"
            } else {
                "invalid_code"
            };
            self.audit(
                &session.actor(),
                action::ENROLMENT,
                Outcome::Refused,
                serde_json::json!({ "registry": if problem == 1 { "" } else { url }, "reason": reason }),
            );
            return;
        }
        m.set_registry_url(url.into());
        m.set_enrol_state(ActionState::Working);
        let (sync, post, actor) = (
            self.deps.sync.clone(),
            self.post_ui_always(),
            session.actor(),
        );
        let (url, code) = (url.to_string(), code.to_string());
        let spawned = std::thread::Builder::new()
            .name("enrolment".into())
            .spawn(move || {
                let result = sync.enrol(&url, &code).map_err(|e| format!("{e:#}"));
                post(task(move |this, app| {
                    let m = app.global::<Maintenance>();
                    let (outcome, detail) = match &result {
                        Ok(enrolment) => {
                            m.set_enrol_state(ActionState::Done);
                            m.set_enrol_detail(enrolment.device_id.clone().into());
                            (Outcome::Ok, serde_json::json!({ "registry": url, "device_id": enrolment.device_id }))
                        }
                        Err(e) => {
                            m.set_enrol_state(ActionState::Failed);
                            m.set_enrol_problem(3);
                            m.set_enrol_detail(e.clone().into());
                            (Outcome::Failed, serde_json::json!({ "registry": url, "error": e }))
                        }
                    };
                    this.show_link(&m);
                    this.audit(&actor, action::ENROLMENT, outcome, detail);
                }));
            });
        if let Err(e) = spawned {
            m.set_enrol_state(ActionState::Failed);
            m.set_enrol_detail(e.to_string().into());
        }
    }

    fn show_logs(&self) {
        let lines: Vec<SharedString> = self
            .deps
            .staff
            .logs()
            .lines()
            .into_iter()
            .rev()
            .map(SharedString::from)
            .collect();
        if let Some(app) = self.app() {
            app.global::<Maintenance>()
                .set_log_lines(ModelRc::new(VecModel::from(lines)));
        }
    }

    fn export_logs(&self) {
        let Some(session) = self.require(Need::AnyStaff, action::LOGS_EXPORT) else {
            return;
        };
        let Some(post) = self.start_action(|m| m.set_export_state(ActionState::Working)) else {
            return;
        };
        self.deps.staff.export_logs(session.actor(), move |result| {
            post(task(move |_, app| {
                let m = app.global::<Maintenance>();
                m.set_export_no_stick(result == LogExport::NoStick);
                match result {
                    LogExport::Written(path) => {
                        m.set_export_detail(path.display().to_string().into());
                        m.set_export_state(ActionState::Done);
                    }
                    LogExport::NoStick => {
                        m.set_export_detail(SharedString::new());
                        m.set_export_state(ActionState::Failed);
                    }
                    LogExport::Failed(e) => {
                        m.set_export_detail(e.into());
                        m.set_export_state(ActionState::Failed);
                    }
                }
            }));
        });
    }
}

fn reader_view(state: Option<ReaderState>) -> ReaderView {
    match state {
        None => ReaderView::default(),
        Some(s) => ReaderView {
            configured: true,
            connected: s.connected,
            device: s.device.unwrap_or_default().into(),
            sam_id: s.sam_id.unwrap_or_default().into(),
            last_read: s
                .last_read
                .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_default()
                .into(),
            last_fault: s.last_fault.unwrap_or_default().into(),
        },
    }
}

/// `https://host…`, printable, not absurdly long.
fn valid_registry_url(url: &str) -> bool {
    url.len() <= 200
        && url
            .strip_prefix("https://")
            .is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'))
        && url.chars().all(|c| c.is_ascii_graphic())
}

/// 6 to 32 letters, digits or dashes.
fn valid_enrolment_code(code: &str) -> bool {
    (6..=32).contains(&code.len()) && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

#[cfg(test)]
mod tests {
    #[test]
    fn registry_urls_and_codes_are_checked() {
        assert!(super::valid_registry_url("https://registry.example.gov.cn"));
        assert!(!super::valid_registry_url("http://registry.example"));
        assert!(!super::valid_registry_url("https://"));
        assert!(!super::valid_registry_url("https://a b"));
        assert!(super::valid_enrolment_code("K7Q-29XM"));
        assert!(!super::valid_enrolment_code("12345"));
        assert!(!super::valid_enrolment_code("K7Q 29XM"));
    }
}
