//! The terminal's health as staff see it on the status light (and, later, in the
//! maintenance menu): ready, needs attention, or out of service. Any thread may report a
//! change; the light follows at once.

use std::sync::{Arc, Mutex, MutexGuard};

use hardware::gpio::LightState;
use serde::Serialize;

use crate::devices::printing::PrinterHealth;
use crate::events::{Events, KioskEvent};

/// Everything that decides the light, as last reported.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StatusSnapshot {
    /// The printer's last known health; `None` without a printer or before its first check.
    pub printer: Option<PrinterHealth>,
    /// Locked out of service by staff or by the operations centre.
    pub out_of_service: bool,
    /// The ID-card reader's fault, if it has one.
    pub reader_fault: Option<String>,
    /// No contact with the operations centre for too long.
    pub offline_too_long: bool,
    /// A citizen called for staff and nobody has answered yet.
    pub staff_call: bool,
    /// The GPIO inputs failed (presence sensor, call-staff button).
    pub gpio_fault: Option<String>,
}

impl StatusSnapshot {
    /// What the status light shows.
    pub fn light(&self) -> LightState {
        if self.out_of_service {
            return LightState::OutOfService;
        }
        let printer_needs_staff = matches!(
            self.printer,
            Some(PrinterHealth::NotPrinting { .. } | PrinterHealth::PaperNearEnd)
        );
        if self.staff_call
            || printer_needs_staff
            || self.reader_fault.is_some()
            || self.offline_too_long
            || self.gpio_fault.is_some()
        {
            LightState::NeedsAttention
        } else {
            LightState::Ready
        }
    }
}

type LightSink = Box<dyn Fn(LightState) + Send>;

/// The shared status; cheap to clone, usable from any thread.
#[derive(Clone)]
pub struct TerminalStatus {
    inner: Arc<Mutex<Inner>>,
}

struct Inner {
    now: StatusSnapshot,
    shown: Option<LightState>,
    light: LightSink,
}

impl TerminalStatus {
    /// Starts with nothing to report; `light` runs (under the status lock, so in order)
    /// each time the light's state changes, and once now.
    pub fn new(light: impl Fn(LightState) + Send + 'static) -> Self {
        let this = Self {
            inner: Arc::new(Mutex::new(Inner {
                now: StatusSnapshot::default(),
                shown: None,
                light: Box::new(light),
            })),
        };
        this.update(|_| {});
        this
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn update(&self, change: impl FnOnce(&mut StatusSnapshot)) {
        let mut inner = self.lock();
        change(&mut inner.now);
        let light = inner.now.light();
        if inner.shown != Some(light) {
            inner.shown = Some(light);
            tracing::info!("status light: {light}");
            (inner.light)(light);
        }
    }

    /// The printer's health changed.
    pub fn set_printer(&self, health: &PrinterHealth) {
        let health = health.clone();
        self.update(|s| s.printer = Some(health));
    }

    /// Staff (or the operations centre) locked or unlocked the terminal.
    pub fn set_out_of_service(&self, locked: bool) {
        self.update(|s| s.out_of_service = locked);
    }

    /// The ID-card reader failed (`Some(reason)`) or works again (`None`).
    pub fn set_reader_fault(&self, fault: Option<String>) {
        self.update(|s| s.reader_fault = fault);
    }

    /// The terminal has (not) been out of contact with the operations centre too long.
    pub fn set_offline_too_long(&self, offline: bool) {
        self.update(|s| s.offline_too_long = offline);
    }

    /// A staff call is (no longer) waiting.
    pub fn set_staff_call(&self, waiting: bool) {
        self.update(|s| s.staff_call = waiting);
    }

    /// The GPIO inputs failed.
    pub fn set_gpio_fault(&self, fault: Option<String>) {
        self.update(|s| s.gpio_fault = fault);
    }

    /// Everything as last reported.
    pub fn snapshot(&self) -> StatusSnapshot {
        self.lock().now.clone()
    }

    /// What the status light shows now.
    pub fn light(&self) -> LightState {
        self.lock().now.light()
    }

    /// Follows what the terminal's parts announce on the event bus.
    pub fn follow(&self, events: &Events) {
        let status = self.clone();
        events.subscribe(move |event| match event {
            KioskEvent::Printer(health) => status.set_printer(health),
            KioskEvent::ServiceState(state) => status.set_out_of_service(state.out_of_service),
            KioskEvent::ReaderFault(fault) => status.set_reader_fault(fault.clone()),
            KioskEvent::StaffCall { waiting } => status.set_staff_call(*waiting),
            _ => {}
        });
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use super::*;

    #[test]
    fn the_light_follows_the_terminal_and_changes_only_when_its_state_does() {
        let (tx, rx) = mpsc::channel();
        let status = TerminalStatus::new(move |l| {
            let _ = tx.send(l);
        });
        assert_eq!(rx.try_recv(), Ok(LightState::Ready));
        status.set_printer(&PrinterHealth::Ready);
        assert!(rx.try_recv().is_err(), "still ready: no change sent");
        status.set_printer(&PrinterHealth::NotPrinting {
            reason: "paper out".into(),
            paper_out: true,
        });
        assert_eq!(rx.try_recv(), Ok(LightState::NeedsAttention));
        status.set_staff_call(true);
        assert!(rx.try_recv().is_err());
        status.set_out_of_service(true);
        assert_eq!(rx.try_recv(), Ok(LightState::OutOfService));
        status.set_out_of_service(false);
        assert_eq!(rx.try_recv(), Ok(LightState::NeedsAttention));
        status.set_printer(&PrinterHealth::Ready);
        status.set_staff_call(false);
        assert_eq!(rx.try_recv(), Ok(LightState::Ready));
    }

    #[test]
    fn low_paper_reader_faults_and_long_offline_spells_need_staff() {
        let needs = |f: &dyn Fn(&mut StatusSnapshot)| {
            let mut s = StatusSnapshot::default();
            f(&mut s);
            s.light()
        };
        assert_eq!(needs(&|_| {}), LightState::Ready);
        assert_eq!(
            needs(&|s| s.printer = Some(PrinterHealth::PaperNearEnd)),
            LightState::NeedsAttention
        );
        assert_eq!(
            needs(&|s| s.printer = Some(PrinterHealth::Blind)),
            LightState::Ready
        );
        assert_eq!(
            needs(&|s| s.reader_fault = Some("no answer".into())),
            LightState::NeedsAttention
        );
        assert_eq!(
            needs(&|s| s.offline_too_long = true),
            LightState::NeedsAttention
        );
    }
}
