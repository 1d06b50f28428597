//! The queue page: today's tickets per service, and restarting today's numbering after two
//! confirmations.

use slint::{ComponentHandle, ModelRc, VecModel};

use super::{MaintenanceController, Need, task};
use crate::domain::maintenance::audit::action;
use crate::ui::{ActionState, Maintenance, QueueLine};

impl MaintenanceController {
    /// Loads today's queue into the page.
    pub(super) fn load_queue(&self) {
        let catalogue = (self.deps.catalogue)();
        let (post, names, lang) = (self.post_ui(), catalogue.clone(), self.shell.lang());
        self.deps.staff.queue_today(catalogue, move |days| {
            let days = match days {
                Ok(days) => days,
                Err(e) => {
                    tracing::error!("cannot read today's queue: {e}");
                    return;
                }
            };
            let lines: Vec<(String, String, u32, u32, String)> = days
                .into_iter()
                .map(|d| {
                    let service = names.get(&d.service_id);
                    (
                        service.map_or(d.service_id.clone(), |s| s.name.text(lang).to_string()),
                        service.map(|s| s.prefix.to_string()).unwrap_or_default(),
                        d.issued,
                        d.waiting,
                        d.last_number.unwrap_or_default(),
                    )
                })
                .collect();
            post(task(move |_, app| {
                let lines: Vec<QueueLine> = lines
                    .into_iter()
                    .map(|(name, prefix, issued, waiting, last)| QueueLine {
                        name: name.into(),
                        prefix: prefix.into(),
                        issued: i32::try_from(issued).unwrap_or(i32::MAX),
                        waiting: i32::try_from(waiting).unwrap_or(i32::MAX),
                        last_number: last.into(),
                    })
                    .collect();
                app.global::<Maintenance>()
                    .set_queue(ModelRc::new(VecModel::from(lines)));
            }));
        });
    }

    /// First tap asks, second asks again, third restarts.
    pub(super) fn reset_numbering(&self) {
        let Some(session) = self.require(Need::AnyStaff, action::QUEUE_RESET_NUMBERING) else {
            return;
        };
        let Some(app) = self.app() else {
            return;
        };
        let m = app.global::<Maintenance>();
        m.set_reset_state(ActionState::Idle);
        let step = m.get_reset_step();
        if step < 2 {
            m.set_reset_step(step + 1);
            return;
        }
        m.set_reset_step(0);
        m.set_reset_state(ActionState::Working);
        let post = self.post_ui();
        self.deps
            .staff
            .restart_numbering(session.actor(), move |result| {
                let state = if result.is_ok() {
                    ActionState::Done
                } else {
                    ActionState::Failed
                };
                post(task(move |this, app| {
                    app.global::<Maintenance>().set_reset_state(state);
                    this.load_queue();
                }));
            });
    }

    pub(super) fn reset_cancel(&self) {
        if let Some(app) = self.app() {
            app.global::<Maintenance>().set_reset_step(0);
        }
    }
}
