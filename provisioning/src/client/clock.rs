//! The terminal's clock against the registry's. A Raspberry Pi has no real-time clock: until
//! NTP runs, its clock may be anything, so the client takes the registry's time from the
//! `Date` header of its answers (pinned-CA connections only) for signing requests and for
//! checking the expiry of bundles and commands.
//!
//! A difference of more than [`MAX_UNCONFIRMED_OFFSET_S`] (24 h) is not taken on the
//! registry's word alone — a registry with a wrong clock would make expired bundles and
//! commands valid again on every terminal. An installer confirms it once, on the terminal
//! (`legal-kiosk sync --once --accept-registry-clock`, `kiosk-sim confirm-clock`): the
//! confirmed difference is kept in a small file ([`ClockConfirmation`]), and differences
//! within 24 h of it are accepted from then on. Until then the client keeps its own clock,
//! requests are refused for their timestamp, and the error says why and what to run.

use super::config::ClientConfig;
use super::error::SyncError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The largest difference between the registry's clock and the terminal's taken without an
/// installer's confirmation, in seconds.
pub const MAX_UNCONFIRMED_OFFSET_S: i64 = 24 * 3600;

/// An installer's confirmation that the registry's clock is right and the terminal's is off
/// by `offset_s` (registry minus terminal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockConfirmation {
    /// Registry time minus terminal time, seconds, as confirmed.
    pub offset_s: i64,
    /// The registry's time when it was confirmed.
    pub confirmed_at: DateTime<Utc>,
}

impl ClockConfirmation {
    /// Reads a confirmation; `None` if there is none (or it is unreadable).
    pub fn load(path: &Path) -> Option<Self> {
        let text = std::fs::read_to_string(path).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// Saves a confirmation of `offset_s`, replacing any earlier one atomically.
    pub fn save(path: &Path, offset_s: i64) -> std::io::Result<Self> {
        let confirmation = Self {
            offset_s,
            confirmed_at: Utc::now() + chrono::Duration::seconds(offset_s),
        };
        let text = serde_json::to_vec_pretty(&confirmation).map_err(std::io::Error::other)?;
        crate::files::replace_atomically(path, &text, 0o600)?;
        Ok(confirmation)
    }
}

/// Whether the client may adopt `offset_s`: small enough, or close to a confirmed one.
pub fn acceptable(offset_s: i64, confirmation: Option<&ClockConfirmation>) -> bool {
    offset_s.abs() <= MAX_UNCONFIRMED_OFFSET_S
        || confirmation.is_some_and(|c| (offset_s - c.offset_s).abs() <= MAX_UNCONFIRMED_OFFSET_S)
}

/// "3 d 4 h behind" / "20 min ahead": how the registry's clock stands to the terminal's.
pub fn describe(offset_s: i64) -> String {
    let a = offset_s.unsigned_abs();
    let (d, h, m) = (a / 86_400, a % 86_400 / 3600, a % 3600 / 60);
    let size = if d > 0 {
        format!("{d} d {h} h")
    } else if h > 0 {
        format!("{h} h {m} min")
    } else {
        format!("{m} min {} s", a % 60)
    };
    let way = if offset_s < 0 { "behind" } else { "ahead of" };
    format!("{size} {way}")
}

/// Asks the registry for its time (an unauthenticated `GET /healthz` over the pinned CA) and
/// returns the difference, registry minus terminal, in seconds.
pub async fn measure(config: &ClientConfig) -> Result<i64, SyncError> {
    let http = super::http::RegistryHttp::new(config, None)?;
    http.fetch_date_offset().await
}
