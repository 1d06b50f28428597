//! A registry on 127.0.0.1 (the real server, in-process) with a platform, an enrolled
//! terminal and a lawyer's login, for the video-call tests.
#![allow(dead_code)]

use kiosk_registry::config::ServeConfig;
use kiosk_registry::server::RunningServer;
use kiosk_registry::store::{DbTarget, SqliteStore, Store, enrolment, platforms, video};
use kiosk_registry::tls::{PkiFiles, init_pki};
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
    pub dir: tempfile::TempDir,
    pub pki: PkiFiles,
    pub store: SqliteStore,
    pub url: String,
    pub identity: Arc<DeviceIdentity>,
    pub enrolment: Enrolment,
    server: Option<RunningServer>,
}

impl Pilot {
    /// Starts the registry on `runtime` and enrols one terminal of platform `hz-xihu`
    /// (region 330106); lawyer `wang` serves 330000.
    pub fn start(runtime: &tokio::runtime::Runtime) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let pki = init_pki(&dir.path().join("tls"), &["127.0.0.1".to_string()]).unwrap();
        let db = dir.path().join("registry.db");
        let store = SqliteStore::open(&db).unwrap();
        store
            .with(|c| {
                platforms::upsert(
                    c,
                    &platforms::Platform {
                        id: "hz-xihu".into(),
                        name: PLATFORM_NAME.into(),
                        region: "330106".into(),
                        address: String::new(),
                    },
                )
            })
            .unwrap();
        kiosk_registry::admin::lawyers::add(
            &Store::open_blocking(&DbTarget::Sqlite(db.clone())).unwrap(),
            LAWYER,
            "王律师",
            &["330000".to_string()],
            PASSWORD,
        )
        .unwrap();
        let code = store
            .with(|c| {
                enrolment::create_code(
                    c,
                    &kiosk_registry::code_key::CodeKey::for_database(&db).unwrap(),
                    "hz-xihu",
                    chrono::Utc::now() + chrono::Duration::hours(1),
                )
            })
            .unwrap();
        let config = ServeConfig::new(
            "127.0.0.1:0".parse().unwrap(),
            db,
            pki.server_cert.clone(),
            pki.server_key.clone(),
        );
        let server = runtime
            .block_on(kiosk_registry::server::start(config))
            .unwrap();
        let url = format!("https://127.0.0.1:{}", server.addr.port());
        let identity =
            Arc::new(DeviceIdentity::load_or_create(&dir.path().join("device.key")).unwrap());
        let client = ClientConfig::new(&url, &pki.ca_cert, Vec::new(), "test");
        let enrolment = runtime
            .block_on(provisioning::client::enrol(
                &client,
                &identity,
                &code,
                "SN-TEST-1",
            ))
            .unwrap();
        Self {
            dir,
            pki,
            store,
            url,
            identity,
            enrolment,
            server: Some(server),
        }
    }

    /// The terminal's signalling settings.
    pub fn signalling(&self) -> SignallingConfig {
        SignallingConfig {
            registry_url: self.url.clone(),
            ca_certificate: self.pki.ca_cert.clone(),
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
