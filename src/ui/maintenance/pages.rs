//! Opening the menu's pages and the pages without much logic of their own: status, reader,
//! enrolment, logs and about.

use std::time::Duration;

use slint::{ComponentHandle, ModelRc, SharedString, VecModel};

use super::{MaintenanceController, Need, task};
use crate::maintenance::audit::{Outcome, action};
use crate::maintenance::reader::ReaderState;
use crate::maintenance::settings::CitizenSetting;
use crate::maintenance::{logs, system, usb};
use crate::outbox;
use crate::ui::{ActionState, MaintScreen, Maintenance, ReaderView, TestReadView};

/// How long a test read waits for a card.
const TEST_READ_WAIT: Duration = Duration::from_secs(10);

impl MaintenanceController {
    pub(super) fn wire_pages(&self, m: &Maintenance<'_>) {
        m.on_refresh(self.callback(|this| this.refresh()));
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
        let Some(app) = self.app.upgrade() else {
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
            }
            MaintScreen::Logs => {
                m.set_export_state(ActionState::Idle);
                self.show_logs();
            }
            MaintScreen::About => m.set_device_id("".into()),
            MaintScreen::Menu | MaintScreen::PinPad => {}
        }
    }

    fn refresh(&self) {
        let Some(app) = self.app.upgrade() else {
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
        self.deps.worker.submit(move |store| {
            let depth = outbox::depth(store.conn()).unwrap_or(0);
            post(task(move |_, app| {
                app.global::<Maintenance>()
                    .set_outbox_depth(i32::try_from(depth).unwrap_or(i32::MAX));
            }));
        });
        let (post, dir, started) = (self.post_ui(), self.deps.data_dir.clone(), self.started);
        self.background.submit(move || {
            let disk = system::disk_space(&dir).map_or_else(
                || "?".to_string(),
                |d| {
                    format!(
                        "{} / {}",
                        system::format_bytes(d.free_bytes),
                        system::format_bytes(d.total_bytes)
                    )
                },
            );
            let app_up = system::format_duration(started.elapsed());
            let uptime = match system::system_uptime() {
                Some(sys) => format!("{app_up} ({})", system::format_duration(sys)),
                None => app_up,
            };
            post(task(move |_, app| {
                let m = app.global::<Maintenance>();
                m.set_disk_free(disk.into());
                m.set_uptime(uptime.into());
            }));
        });
        if let Some(app) = self.app.upgrade() {
            let m = app.global::<Maintenance>();
            // The sync client lands later: until then the terminal is not enrolled.
            m.set_enrolled(false);
            m.set_last_contact("".into());
            m.set_bundle_versions("".into());
        }
    }

    fn show_reader(&self) {
        let state = self.reader.borrow().as_ref().map(|r| r.state());
        if let Some(app) = self.app.upgrade() {
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
        let Some(app) = self.app.upgrade() else {
            return;
        };
        app.global::<Maintenance>()
            .set_test_read_state(ActionState::Working);
        let (post, worker, actor, clock) = (
            self.post_ui(),
            self.deps.worker.clone(),
            session.actor(),
            self.deps.clock.clone(),
        );
        self.background.submit(move || {
            let today = clock.now().date_naive();
            let result = reader.test_read(TEST_READ_WAIT, today);
            // The audit says a card was read and of which type, never whose.
            let (outcome, detail) = match &result {
                Ok(Some(read)) => (
                    Outcome::Ok,
                    serde_json::json!({ "card_read": true, "card_type": read.card_type }),
                ),
                Ok(None) => (Outcome::Failed, serde_json::json!({ "reason": "no_card" })),
                Err(e) => (Outcome::Failed, serde_json::json!({ "reason": e })),
            };
            let at = clock.now();
            worker.submit(move |store| {
                crate::maintenance::audit::record_alone(
                    store.conn(),
                    &actor,
                    action::READER_TEST_READ,
                    outcome,
                    detail,
                    at,
                );
            });
            let state = reader.state();
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

    /// Validates what was typed. The sync client that enrols lands later: until then the
    /// attempt is audited and the page says enrolment is not available yet.
    fn enrol(&self, url: &str, code: &str) {
        let Some(session) = self.require(Need::Installer, action::ENROLMENT) else {
            return;
        };
        let Some(app) = self.app.upgrade() else {
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
            3
        };
        m.set_enrol_problem(problem);
        m.set_enrol_state(ActionState::Refused);
        if problem == 3 {
            m.set_registry_url(url.into());
        }
        // The code is a secret until used: never audited.
        let reason = match problem {
            1 => "invalid_url",
            2 => "invalid_code",
            _ => "sync_client_not_available",
        };
        self.audit(
            &session.actor(),
            action::ENROLMENT,
            Outcome::Refused,
            serde_json::json!({ "registry": if problem == 1 { "" } else { url }, "reason": reason }),
        );
    }

    fn show_logs(&self) {
        let lines: Vec<SharedString> = self
            .deps
            .logs
            .lines()
            .into_iter()
            .rev()
            .map(SharedString::from)
            .collect();
        if let Some(app) = self.app.upgrade() {
            app.global::<Maintenance>()
                .set_log_lines(ModelRc::new(VecModel::from(lines)));
        }
    }

    fn export_logs(&self) {
        let Some(session) = self.require(Need::AnyStaff, action::LOGS_EXPORT) else {
            return;
        };
        let Some(app) = self.app.upgrade() else {
            return;
        };
        app.global::<Maintenance>()
            .set_export_state(ActionState::Working);
        let (post, worker, actor, clock) = (
            self.post_ui(),
            self.deps.worker.clone(),
            session.actor(),
            self.deps.clock.clone(),
        );
        let (roots, lines) = (
            self.deps.config.usb_mount_roots.clone(),
            self.deps.logs.lines(),
        );
        self.background.submit(move || {
            let at = clock.now();
            let sticks = usb::mounted_sticks(&roots);
            let result = match sticks.first() {
                None => Err(None),
                Some(dir) => logs::export(&lines, dir, at).map_err(|e| Some(e.to_string())),
            };
            let (outcome, detail) = match &result {
                Ok(path) => (
                    Outcome::Ok,
                    serde_json::json!({ "file": path.display().to_string() }),
                ),
                Err(None) => (
                    Outcome::Failed,
                    serde_json::json!({ "reason": "no_usb_stick" }),
                ),
                Err(Some(e)) => (Outcome::Failed, serde_json::json!({ "reason": e })),
            };
            worker.submit(move |store| {
                crate::maintenance::audit::record_alone(
                    store.conn(),
                    &actor,
                    action::LOGS_EXPORT,
                    outcome,
                    detail,
                    at,
                );
            });
            post(task(move |_, app| {
                let m = app.global::<Maintenance>();
                m.set_export_no_stick(matches!(result, Err(None)));
                match result {
                    Ok(path) => {
                        m.set_export_detail(path.display().to_string().into());
                        m.set_export_state(ActionState::Done);
                    }
                    Err(e) => {
                        m.set_export_detail(e.unwrap_or_default().into());
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
