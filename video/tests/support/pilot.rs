//! A registry on 127.0.0.1 (the real server, in-process) with a platform, an enrolled
//! terminal and a lawyer's login, for the video-call tests.
#![allow(dead_code)]

use kiosk_registry::server::RunningServer;
use kiosk_registry::store::{SqliteStore, video};
use kiosk_registry::testkit::{self, Database};
use provisioning::client::{ClientConfig, Enrolment};
use provisioning::identity::DeviceIdentity;
use provisioning::signalling::IceTransportPolicy;
use provisioning::signalling::client::SignallingConfig;
use std::sync::Arc;
use std::time::Duration;

pub const LAWYER: &str = "wang";
pub const PASSWORD: &str = "lawyer-password-1";
pub const PLATFORM_NAME: &str = "西湖区公共法律服务中心";

pub struct Pilot {
    pub url: String,
    pub store: SqliteStore,
    pub identity: Arc<DeviceIdentity>,
    pub enrolment: Enrolment,
    server: Option<RunningServer>,
    // Last: its folder holds the database the server above uses.
    registry: testkit::Pilot,
}

/// The registry's files and keys (`dir`, `pki`, …) are the harness's.
impl std::ops::Deref for Pilot {
    type Target = testkit::Pilot;
    fn deref(&self) -> &testkit::Pilot {
        &self.registry
    }
}

impl Pilot {
    /// Starts the registry on `runtime` and enrols one terminal of platform `hz-xihu`
    /// (region 330106); lawyer `wang` serves 330000.
    pub fn start(runtime: &tokio::runtime::Runtime) -> Self {
        let registry = testkit::Pilot::new(
            Database::Sqlite,
            &[testkit::platform("hz-xihu", PLATFORM_NAME, "330106", "")],
        );
        kiosk_registry::admin::lawyers::add(
            &registry.store(),
            LAWYER,
            "王律师",
            &["330000".to_string()],
            PASSWORD,
        )
        .unwrap();
        let code = registry.code("hz-xihu");
        let server = runtime.block_on(registry.serve(|_| {}));
        let url = format!("https://127.0.0.1:{}", server.addr.port());
        let identity = Arc::new(
            DeviceIdentity::load_or_create(&registry.dir.path().join("device.key")).unwrap(),
        );
        let client = ClientConfig::new(&url, &registry.pki.ca_cert, Vec::new(), "test");
        let enrolment = runtime
            .block_on(provisioning::client::enrol(
                &client,
                &identity,
                &code,
                "SN-TEST-1",
            ))
            .unwrap();
        Self {
            url,
            store: registry.sqlite().unwrap(),
            identity,
            enrolment,
            server: Some(server),
            registry,
        }
    }

    /// The terminal's signalling settings.
    pub fn signalling(&self) -> SignallingConfig {
        SignallingConfig {
            registry_url: self.url.clone(),
            ca_certificate: self.registry.pki.ca_cert.clone(),
            device_id: self.enrolment.device_id.clone(),
            clock_offset_s: 0,
            connect_timeout: Duration::from_secs(10),
        }
    }

    /// Relay-only calls through a TURN server (coturn `use-auth-secret`) whose credentials
    /// the registry mints per call from `secret`, valid ten minutes.
    pub fn use_turn(&self, url: &str, secret: &str) {
        self.store
            .with(|c| {
                video::add_rest_ice_server(c, url, secret, 600)?;
                video::set_policy(c, IceTransportPolicy::Relay)
            })
            .unwrap();
    }

    /// Calls the registry holds (waiting or in progress).
    pub fn calls(&self) -> usize {
        self.server.as_ref().map_or(0, |s| s.video.calls().len())
    }

    pub fn stop(&mut self, runtime: &tokio::runtime::Runtime) {
        if let Some(server) = self.server.take() {
            runtime.block_on(server.stop());
        }
    }
}
