//! The last log lines, kept in memory for the maintenance menu (a `tracing` layer feeding a
//! ring of 200 lines), and their export to a USB stick. Logs never hold personal data (the
//! firmware's rule for every `tracing` call), so showing and exporting them is safe.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::Context;

/// How many lines the menu shows.
pub const CAPACITY: usize = 200;

/// The newest log lines, oldest first. Cheap to clone.
#[derive(Clone, Default)]
pub struct LogRing(Arc<Mutex<VecDeque<String>>>);

impl LogRing {
    /// Adds a line, forgetting the oldest beyond [`CAPACITY`].
    pub fn push(&self, line: String) {
        let mut lines = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if lines.len() == CAPACITY {
            lines.pop_front();
        }
        lines.push_back(line);
    }

    /// The lines, oldest first.
    pub fn lines(&self) -> Vec<String> {
        let lines = self.0.lock().unwrap_or_else(|e| e.into_inner());
        lines.iter().cloned().collect()
    }

    /// A `tracing` layer that feeds this ring.
    pub fn layer(&self) -> RingLayer {
        RingLayer(self.clone())
    }
}

/// The process's ring, fed by the layer that `legal-kiosk` installs at start.
pub fn ring() -> &'static LogRing {
    static RING: OnceLock<LogRing> = OnceLock::new();
    RING.get_or_init(LogRing::default)
}

/// Formats each event as `HH:MM:SS LEVEL message key=value…` into a [`LogRing`].
pub struct RingLayer(LogRing);

impl<S: Subscriber> Layer<S> for RingLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let meta = event.metadata();
        let mut line = format!(
            "{} {:5} ",
            chrono::Local::now().format("%H:%M:%S"),
            meta.level()
        );
        let mut fields = Fields(String::new(), String::new());
        event.record(&mut fields);
        line.push_str(&fields.0);
        line.push_str(&fields.1);
        self.0.push(line);
    }
}

struct Fields(String, String);

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0.push_str(value);
        } else {
            let _ = write!(self.1, " {}={}", field.name(), value);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
        } else {
            let _ = write!(self.1, " {}={:?}", field.name(), value);
        }
    }
}

/// Writes `lines` into a new file in `dir` (a USB stick) and flushes it to the device.
/// Returns the file's path.
pub fn export(
    lines: &[String],
    dir: &Path,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> std::io::Result<PathBuf> {
    let path = dir.join(format!(
        "legal-kiosk-logs-{}.txt",
        now.format("%Y%m%d-%H%M%S")
    ));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)?;
    for line in lines {
        writeln!(file, "{line}")?;
    }
    // A stick is pulled out as soon as the screen says done.
    file.sync_all()?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_subscriber::layer::SubscriberExt;

    #[test]
    fn the_ring_keeps_the_newest_200_lines_with_their_fields() {
        let ring = LogRing::default();
        let subscriber = tracing_subscriber::registry().with(ring.layer());
        tracing::subscriber::with_default(subscriber, || {
            for i in 0..250 {
                tracing::info!(n = i, "line");
            }
            tracing::warn!("printer cannot print: out of paper");
        });
        let lines = ring.lines();
        assert_eq!(lines.len(), CAPACITY);
        assert!(lines[0].ends_with("line n=51"), "{}", lines[0]);
        assert!(
            lines[199].contains("WARN  printer cannot print: out of paper"),
            "{}",
            lines[199]
        );
    }

    #[test]
    fn export_writes_every_line_to_a_new_file() {
        let dir = tempfile::tempdir().unwrap();
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-26T09:30:00+08:00").unwrap();
        let lines = vec!["a".to_string(), "b".to_string()];
        let path = export(&lines, dir.path(), now).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a\nb\n");
        assert!(path.ends_with("legal-kiosk-logs-20261126-093000.txt"));
        assert!(export(&lines, dir.path(), now).is_err(), "never overwrites");
    }
}
