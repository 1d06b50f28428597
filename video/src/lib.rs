//! The kiosk's side of a video call with a lawyer at the operations centre.
//!
//! * [`config`]: camera, microphone, speaker, codec and sizes (the firmware's `[video]`).
//! * [`plugins`]: the start-up check of the GStreamer elements those settings need; a missing
//!   one disables video calls with a clear reason instead of failing during a call.
//! * [`media`]: one call's GStreamer pipeline around `webrtcbin` (send camera and microphone,
//!   receive the lawyer's video into RGBA frames and audio into the speaker).
//! * [`call`]: the call engine: the signalling connection to the registry, the queue, the
//!   media session and the terminal's call state machine, reporting to an observer.
//! * [`quality`]: the quality summary reported when a call ends (no media, no personal data).

#![warn(missing_docs)]

pub mod audio;
pub mod call;
pub mod config;
pub mod frame;
pub mod media;
pub mod plugins;
pub mod quality;
pub mod scan;

pub use audio::{PlayError, play_wav};
pub use call::{CallObserver, CallReport, CallServices, KioskCall};
pub use config::{Camera, Codec, MediaConfig, Microphone, Speaker};
pub use frame::FrameRef;
pub use media::{MediaError, MediaEvent, MediaSession, Role};
pub use plugins::{PluginReport, check_plugins};
pub use quality::QualitySummary;
pub use scan::{ScanError, scan_qr};

/// Initialises GStreamer once; safe to call repeatedly.
pub fn init() -> Result<(), MediaError> {
    gstreamer::init().map_err(|e| MediaError::Init(e.to_string()))
}
