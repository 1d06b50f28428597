//! Logging through `tracing`: to the systemd journal when systemd connected our output to
//! it (`JOURNAL_STREAM`), with priorities so that `journalctl -u legal-kiosk -p warning`
//! works; otherwise to stderr. Either way also to the ring of recent lines that the
//! maintenance menu shows. Filter with `LEGAL_KIOSK_LOG` (default `info`). Logs never
//! carry personal data.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Installs the global subscriber (a second call does nothing).
pub fn init() {
    let filter =
        || EnvFilter::try_from_env("LEGAL_KIOSK_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    if std::env::var_os("JOURNAL_STREAM").is_some() {
        match tracing_journald::layer() {
            Ok(journal) => {
                let journal = journal.with_syslog_identifier("legal-kiosk".into());
                let _ = tracing_subscriber::registry()
                    .with(filter())
                    .with(journal)
                    .with(crate::domain::maintenance::logs::ring().layer())
                    .try_init();
                return;
            }
            Err(e) => eprintln!("legal-kiosk: cannot log to the journal ({e}); logging to stderr"),
        }
    }
    let _ = tracing_subscriber::registry()
        .with(filter())
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_target(false),
        )
        .with(crate::domain::maintenance::logs::ring().layer())
        .try_init();
}
