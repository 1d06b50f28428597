//! Plain-text tables and CSV for the admin commands.

use crate::store::events::EventRow;
use crate::store::terminals::TerminalHealth;
use std::io::Write;

/// One line per terminal: id, platform, status, last seen, health.
pub fn terminals_text(rows: &[TerminalHealth], out: &mut impl Write) -> std::io::Result<()> {
    writeln!(
        out,
        "{:<20} {:<16} {:<8} {:<8} {:<24} {:<10} {:<8} {:<8} {:>6}  last error",
        "device",
        "platform",
        "status",
        "overdue",
        "last seen",
        "version",
        "printer",
        "paper",
        "outbox"
    )?;
    for t in rows {
        let hb = t.heartbeat.as_ref();
        writeln!(
            out,
            "{:<20} {:<16} {:<8} {:<8} {:<24} {:<10} {:<8} {:<8} {:>6}  {}",
            t.device_id,
            t.platform_id,
            t.status,
            if t.overdue { "OVERDUE" } else { "-" },
            t.last_seen.as_deref().unwrap_or("never"),
            t.app_version.as_deref().unwrap_or("?"),
            hb.map_or("?".to_string(), |h| format!("{:?}", h.printer)
                .to_lowercase()),
            hb.map_or("?".to_string(), |h| format!("{:?}", h.paper).to_lowercase()),
            hb.map_or("?".to_string(), |h| h.outbox_depth.to_string()),
            hb.and_then(|h| h.last_error.clone()).unwrap_or_default(),
        )?;
    }
    Ok(())
}

/// A CSV writer for event rows.
pub fn events_csv<W: Write>(out: W) -> csv::Writer<W> {
    csv::Writer::from_writer(out)
}

/// Writes one event row.
pub fn write_event<W: Write>(writer: &mut csv::Writer<W>, row: &EventRow) -> csv::Result<()> {
    writer.serialize(row)
}
