//! The operations centre for firmware tests: the project's reference registry server,
//! started for real on 127.0.0.1 (its own TLS CA, SQLite file, platform and signing key),
//! through the registry's own test harness (`kiosk_registry::testkit`).
#![allow(dead_code)]

use std::ops::Deref;
use std::path::{Path, PathBuf};

use legal_kiosk::domain::maintenance::{Actor, Pin, Role, accounts};
use slint::ComponentHandle;
use slint::platform::{PointerEventButton, WindowEvent};

use kiosk_registry::config::ServeConfig;
use kiosk_registry::store::{SqliteStore, Store};
use kiosk_registry::testkit::{Database, InThread, Pilot, platform};
use provisioning::bundle::Payload;
use provisioning::scope::Scope;

pub const PLATFORM: &str = "cc-chaoyang";

/// A pilot registry (SQLite: the tests read its file) served in this process. Its files
/// and keys (`dir`, `db`, `pki`, `ops_key`, `ops_pub`) are the pilot's.
pub struct Registry {
    pub url: String,
    // Stopped before the pilot's folder goes (or earlier, by `stop_serving`).
    server: Option<InThread>,
    pilot: Pilot,
}

impl Deref for Registry {
    type Target = Pilot;
    fn deref(&self) -> &Pilot {
        &self.pilot
    }
}

impl Registry {
    /// Creates and starts a pilot registry with one platform.
    pub fn start() -> Self {
        Self::start_with(|_| {})
    }

    /// Like `start`, with the server's settings changed by `adjust` (e.g. a short poll
    /// interval).
    pub fn start_with(adjust: impl FnOnce(&mut ServeConfig)) -> Self {
        let pilot = Pilot::new(
            Database::Sqlite,
            &[platform(
                PLATFORM,
                "朝阳区公共法律服务中心",
                "220104",
                "长春市朝阳区",
            )],
        );
        let server = pilot.serve_in_thread(adjust);
        Self {
            url: server.url(),
            server: Some(server),
            pilot,
        }
    }

    /// Stops serving: from now on the registry is unreachable (its files stay).
    pub fn stop_serving(&mut self) {
        self.server.take();
    }

    /// The registry's store, as its command line opens it.
    pub fn store(&self) -> Store {
        self.pilot.store()
    }

    /// The same database for direct SQL.
    pub fn sqlite(&self) -> SqliteStore {
        self.pilot
            .sqlite()
            .expect("the firmware's tests run their registry on SQLite")
    }

    /// A fresh one-time enrolment code.
    pub fn code(&self) -> String {
        self.pilot.code(PLATFORM)
    }

    /// The `[registry]` part of a terminal's configuration.
    pub fn terminal_config(&self) -> String {
        format!(
            "[registry]\nurl = {:?}\nca_certificate = {:?}\npinned_keys = [{:?}]\n",
            self.url, self.pki.ca_cert, self.ops_pub
        )
    }

    /// Signs and publishes a bundle of `files` for every terminal.
    pub fn publish(&self, stream: &str, version: u64, files: &[(&str, &str)]) {
        let payload = Payload {
            files: files
                .iter()
                .map(|(n, c)| (n.to_string(), c.as_bytes().to_vec()))
                .collect(),
        };
        kiosk_registry::admin::bundles::publish(
            &self.store(),
            stream,
            version,
            Scope::All,
            chrono::Duration::days(30),
            &payload,
            &self.ops_key,
        )
        .unwrap();
    }

    /// An HTTPS client trusting only this registry's CA (what a booking channel or a
    /// browser would use).
    pub fn https(&self) -> reqwest::Client {
        use rustls::pki_types::CertificateDer;
        use rustls::pki_types::pem::PemObject as _;
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_file_iter(&self.pki.ca_cert).unwrap() {
            roots.add(cert.unwrap()).unwrap();
        }
        let tls = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
        reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .build()
            .unwrap()
    }

    /// `ticket.issued` events received, by service.
    pub fn tickets(&self) -> Vec<(String, u64)> {
        self.store()
            .tickets_per_service_day(None, None, None)
            .unwrap()
            .into_iter()
            .map(|t| (t.service_id, t.tickets))
            .collect()
    }

    pub fn events(&self) -> u64 {
        self.sqlite()
            .with(|c| {
                Ok(c.query_row("SELECT COUNT(*) FROM events", [], |r| r.get::<_, i64>(0))? as u64)
            })
            .unwrap()
    }
}

/// Writes a terminal configuration into `dir` and returns its path.
pub fn write_config(dir: &Path, registry: &Registry, extra: &str) -> PathBuf {
    let path = dir.join("kiosk.toml");
    std::fs::write(
        &path,
        format!(
            "[storage]\ndata_dir = {:?}\n{}\n{extra}",
            dir.join("data"),
            registry.terminal_config()
        ),
    )
    .unwrap();
    path
}

/// A portrait kiosk on the testing backend with `extra` configuration, enrolled with this
/// registry by `legal-kiosk enroll` (as an installer does from a shell), its clock at `now`;
/// its sync runs.
pub fn enrolled_by_cli(
    registry: &Registry,
    extra: &str,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> super::Kiosk {
    let dir = tempfile::tempdir().unwrap();
    let config_path = write_config(dir.path(), registry, extra);
    let enrolled = std::process::Command::new(env!("CARGO_BIN_EXE_legal-kiosk"))
        .arg("--config")
        .arg(&config_path)
        .args(["enroll", "--code", &registry.code()])
        .output()
        .unwrap();
    assert!(
        enrolled.status.success(),
        "{}",
        String::from_utf8_lossy(&enrolled.stderr)
    );
    let config = legal_kiosk::config::Config::load(Some(&config_path)).unwrap();
    let kiosk = super::Kiosk::start_in(config, dir, now);
    kiosk
        .app
        .window()
        .set_size(slint::PhysicalSize::new(1080, 1920));
    kiosk
}

pub const INSTALLER_PIN: &str = "482916";

/// A kiosk on the testing backend with this registry in its configuration, enrolled by an
/// installer through the maintenance menu (its sync then runs).
pub fn enrolled_in_the_menu(registry: &Registry) -> super::Kiosk {
    enrolled_in_the_menu_with(registry, "")
}

/// The same, with `extra` configuration (TOML tables) after the registry's.
pub fn enrolled_in_the_menu_with(registry: &Registry, extra: &str) -> super::Kiosk {
    let dir = tempfile::tempdir().unwrap();
    let config_path = write_config(dir.path(), registry, extra);
    let config = legal_kiosk::config::Config::load(Some(&config_path)).unwrap();
    let kiosk = super::Kiosk::start_in(config, dir, super::beijing(26, 9, 30));
    kiosk
        .app
        .window()
        .set_size(slint::PhysicalSize::new(1080, 1920));
    kiosk
        .kiosk
        .worker
        .call(|s| {
            accounts::add(
                s.conn(),
                "安装员",
                Role::Installer,
                &Pin::new_for_account(INSTALLER_PIN).unwrap(),
                &Actor::Console("test".into()),
                chrono::Local::now().fixed_offset(),
            )
        })
        .unwrap()
        .unwrap();

    // Hold the top-right corner for 3 s, type the PIN.
    let size = kiosk.app.window().size().to_logical(1.0);
    let corner = slint::LogicalPosition::new(size.width - 30.0, 30.0);
    let window = kiosk.app.window();
    window.dispatch_event(WindowEvent::PointerPressed {
        position: corner,
        button: PointerEventButton::Left,
    });
    kiosk.wait_idle(3);
    window.dispatch_event(WindowEvent::PointerReleased {
        position: corner,
        button: PointerEventButton::Left,
    });
    for digit in INSTALLER_PIN.chars() {
        kiosk.tap(&digit.to_string());
    }
    kiosk.tap("确定");
    kiosk.settle("the menu", |k| k.shows("注册"));

    kiosk.tap("注册");
    kiosk.find("registry-url")[0].set_accessible_value(&registry.url);
    kiosk.find("enrolment-code")[0].set_accessible_value(registry.code());
    kiosk.tap("注册本终端");
    kiosk.settle("enrolled", |k| {
        k.find("result")
            .iter()
            .filter_map(|e| e.accessible_value())
            .any(|v| v.contains("已注册为 kt-"))
    });
    kiosk.tap("返回");
    kiosk.tap("退出");
    kiosk
}

/// Waits until `kiosk` has a bundle of each of `streams` in force.
pub fn wait_for_bundles(kiosk: &super::Kiosk, streams: &'static [&'static str]) {
    kiosk.settle(&format!("bundles {streams:?} in force"), |k| {
        k.query(move |c| {
            streams.iter().all(|stream| {
                c.query_row(
                    "SELECT COUNT(*) FROM bundles WHERE stream = ?1",
                    [stream],
                    |r| r.get::<_, i64>(0),
                )
                .unwrap()
                    > 0
            })
        })
    });
}
