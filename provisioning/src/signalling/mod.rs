//! Video-call signalling: JSON text frames over a WebSocket served by the registry, between a
//! terminal (the caller), the registry (queue and relay) and a lawyer's browser (the callee).
//! `provisioning/signalling.md` describes the same for other implementers.
//!
//! * [`messages`]: every frame, one enum per direction and role.
//! * [`call`]: the registry's state machine for one call (waiting → answered → ended).
//! * [`kiosk`]: the terminal's view of its call, driving the call screens.
//! * `client` (feature `signalling-client`): the terminal's WebSocket client, authenticated
//!   with its device key over TLS with the registry's CA pinned.
//!
//! Nothing personal travels here: a call carries the terminal's region and platform, the
//! matter category the citizen chose (an id from the catalogue), SDP and ICE candidates.

pub mod call;
pub mod kiosk;
pub mod messages;

#[cfg(feature = "signalling-client")]
pub mod client;

pub use call::{CallPhase, CallTransition, HangupReason, InvalidTransition, Party};
pub use kiosk::{KioskCallState, KioskCallStep};
pub use messages::*;

/// Paths of the signalling endpoints.
pub mod paths {
    /// `GET` (WebSocket upgrade): a terminal's signalling connection, signed like every
    /// terminal request (method `GET`, this path, an empty body).
    pub const KIOSK: &str = "/v1/signal/kiosk";
    /// `GET` (WebSocket upgrade): a lawyer's signalling connection, authenticated by the
    /// session cookie from [`LAWYER_LOGIN`].
    pub const LAWYER: &str = "/v1/signal/lawyer";
    /// `POST`: a lawyer logs in with user name and password; answers a session cookie.
    pub const LAWYER_LOGIN: &str = "/v1/lawyer/login";
    /// `POST`: a lawyer logs out (the session cookie stops working).
    pub const LAWYER_LOGOUT: &str = "/v1/lawyer/logout";
    /// `GET`: the lawyer's console (HTML).
    pub const CONSOLE: &str = "/console";
    /// `GET`: the console's script.
    pub const CONSOLE_SCRIPT: &str = "/console/console.js";
    /// `GET`: the console's style sheet.
    pub const CONSOLE_STYLE: &str = "/console/console.css";
}

/// Name of the lawyer's session cookie.
pub const LAWYER_COOKIE: &str = "kiosk_lawyer";

/// Limits both sides agree on.
pub mod limits {
    /// Largest text frame accepted, in bytes (an SDP offer with two media is ~6 KB).
    pub const MAX_FRAME_BYTES: usize = 64 * 1024;
    /// Frames per second a peer may send before the registry closes its connection.
    pub const MAX_FRAMES_PER_SECOND: u32 = 50;
    /// Longest matter category id.
    pub const MAX_CATEGORY_BYTES: usize = 64;
    /// Seconds between the registry's WebSocket pings; a peer silent for three of them is
    /// treated as gone (its call ends).
    pub const PING_INTERVAL_SECS: u64 = 5;
}
