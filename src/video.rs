//! Video calls with a lawyer: whether this terminal can make them (checked once at start, so
//! that a missing GStreamer element or a missing enrolment disables the home tile with a
//! reason instead of failing in front of a citizen), and what a call needs. Calls go to the
//! terminal's own registry link, on the kiosk's network runtime.

use std::sync::Arc;
use std::time::Duration;

use kiosk_video::{CallServices, PluginReport};
use provisioning::signalling::client::SignallingConfig;
use tokio::runtime::Handle;

use crate::config::VideoSection;
use crate::sync::link::RegistryLink;

/// Everything a call needs, ready to use.
pub struct VideoCalls {
    /// Where the calls' signalling runs: the kiosk's network runtime.
    pub net: Handle,
    /// Registry, identity and media settings.
    pub services: CallServices,
    /// How long the citizen waits for an answer before other ways are offered.
    pub answer_timeout: Duration,
    /// How long a dropped connection may take to come back.
    pub reconnect_grace: Duration,
}

/// Whether video calls can be offered; `Err` carries the reason for staff and logs.
pub type VideoAvailability = Result<Arc<VideoCalls>, String>;

/// Checks the configuration, the GStreamer elements and the registry link (`link`: `Err`
/// with the reason when the terminal has none).
pub fn prepare(
    config: &VideoSection,
    link: Result<Option<RegistryLink>, String>,
    net: Handle,
) -> VideoAvailability {
    if !config.enabled {
        return Err("video calls are switched off ([video] enabled = false)".into());
    }
    kiosk_video::init().map_err(|e| e.to_string())?;
    let report: PluginReport = kiosk_video::check_plugins(&config.media);
    if let Some(reason) = report.reason() {
        return Err(reason);
    }
    let link = link?.ok_or("the terminal is not enrolled yet (legal-kiosk enroll)")?;
    Ok(Arc::new(VideoCalls {
        net,
        services: CallServices {
            signalling: SignallingConfig {
                registry_url: link.registry_url,
                ca_certificate: link.ca_certificate,
                device_id: link.enrolment.device_id,
                clock_offset_s: 0,
                connect_timeout: Duration::from_secs(15),
            },
            identity: link.identity,
            media: config.media.clone(),
            echo_cancellation: config.media.echo_cancellation && report.echo_cancellation,
            media_setup_timeout: Duration::from_secs(20),
            signalling_silence: Duration::from_secs(
                3 * provisioning::signalling::limits::PING_INTERVAL_SECS,
            ),
        },
        answer_timeout: Duration::from_secs(config.answer_timeout_secs),
        reconnect_grace: Duration::from_secs(config.reconnect_grace_secs),
    }))
}
