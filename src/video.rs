//! Video calls with a lawyer: whether this terminal can make them (checked once at start, so
//! that a missing GStreamer element or a missing enrolment disables the home tile with a
//! reason instead of failing in front of a citizen), and what a call needs.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use kiosk_video::{CallServices, PluginReport};
use provisioning::client::Enrolment;
use provisioning::identity::DeviceIdentity;
use provisioning::signalling::client::SignallingConfig;

use crate::config::Config;

/// Everything a call needs, ready to use.
pub struct VideoCalls {
    /// Runs the calls' signalling (the sync client's runtime may replace it later).
    pub runtime: tokio::runtime::Runtime,
    /// Registry, identity and media settings.
    pub services: CallServices,
    /// How long the citizen waits for an answer before other ways are offered.
    pub answer_timeout: Duration,
    /// How long a dropped connection may take to come back.
    pub reconnect_grace: Duration,
}

/// Whether video calls can be offered; `Err` carries the reason for staff and logs.
pub type VideoAvailability = Result<Arc<VideoCalls>, String>;

/// Checks the configuration, the enrolment and the GStreamer elements.
pub fn prepare(config: &Config, data_dir: &Path) -> VideoAvailability {
    let registry = &config.registry;
    let config = &config.video;
    if !config.enabled {
        return Err("video calls are switched off ([video] enabled = false)".into());
    }
    kiosk_video::init().map_err(|e| e.to_string())?;
    let report: PluginReport = kiosk_video::check_plugins(&config.media);
    if let Some(reason) = report.reason() {
        return Err(reason);
    }
    // By default the terminal's identity and registry are those of the sync link.
    let paths = crate::sync::setup::SyncPaths::in_data_dir(data_dir);
    let enrolment_file = config
        .enrolment_file
        .clone()
        .unwrap_or_else(|| paths.enrolment.clone());
    let enrolment = Enrolment::load(&enrolment_file)
        .map_err(|e| {
            format!(
                "cannot read the enrolment {}: {e}",
                enrolment_file.display()
            )
        })?
        .ok_or("the terminal is not enrolled yet (legal-kiosk enroll)")?;
    let registry_url = config
        .registry_url
        .clone()
        .unwrap_or_else(|| enrolment.registry_url.clone());
    let ca_certificate = config
        .ca_certificate
        .clone()
        .or_else(|| registry.ca_certificate.clone())
        .or_else(|| {
            paths
                .ca_certificate
                .exists()
                .then(|| paths.ca_certificate.clone())
        })
        .ok_or("no registry CA configured ([registry] ca_certificate, or enrol with --ca)")?;
    let key = config
        .device_key
        .clone()
        .unwrap_or_else(|| paths.device_key.clone());
    let identity = DeviceIdentity::load_or_create(&key)
        .map_err(|e| format!("cannot read the device key: {e}"))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("video-call")
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the video-call thread: {e}"))?;
    Ok(Arc::new(VideoCalls {
        runtime,
        services: CallServices {
            signalling: SignallingConfig {
                registry_url,
                ca_certificate,
                device_id: enrolment.device_id,
                clock_offset_s: 0,
                connect_timeout: Duration::from_secs(15),
            },
            identity: Arc::new(identity),
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
