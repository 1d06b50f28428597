//! The operations centre for firmware tests: the project's reference registry server,
//! started for real on 127.0.0.1 (its own TLS CA, SQLite file, platform and signing key).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use legal_kiosk::domain::maintenance::{Actor, Pin, Role, accounts};
use slint::ComponentHandle;
use slint::platform::{PointerEventButton, WindowEvent};

use ed25519_dalek::SigningKey;
use kiosk_registry::config::ServeConfig;
use kiosk_registry::store::{DbTarget, SqliteStore, Store, platforms};
use kiosk_registry::tls::{PkiFiles, init_pki};
use provisioning::bundle::Payload;
use provisioning::keys::{generate_signing_key, public_key_to_base64};
use provisioning::scope::Scope;

pub const PLATFORM: &str = "cc-chaoyang";

pub struct Registry {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    pub pki: PkiFiles,
    pub ops_key: SigningKey,
    pub ops_pub: String,
    pub url: String,
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Registry {
    /// Creates and starts a pilot registry with one platform.
    pub fn start() -> Self {
        Self::start_with(|_| {})
    }

    /// Like `start`, with the server's settings changed by `adjust` (e.g. a short poll
    /// interval).
    pub fn start_with(adjust: impl FnOnce(&mut ServeConfig)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let pki = init_pki(&dir.path().join("tls"), &["127.0.0.1".to_string()]).unwrap();
        let db = dir.path().join("registry.db");
        let ops_key = generate_signing_key().unwrap();
        let ops_pub = public_key_to_base64(&ops_key.verifying_key());
        SqliteStore::open(&db)
            .unwrap()
            .with(|c| {
                platforms::upsert(
                    c,
                    &platforms::Platform {
                        id: PLATFORM.into(),
                        name: "朝阳区公共法律服务中心".into(),
                        region: "220104".into(),
                        address: "长春市朝阳区".into(),
                    },
                )?;
                kiosk_registry::store::bundles::register_key(c, "ops-1", &ops_pub)
            })
            .unwrap();
        let mut config = ServeConfig::new(
            "127.0.0.1:0".parse().unwrap(),
            db.clone(),
            pki.server_cert.clone(),
            pki.server_key.clone(),
        );
        adjust(&mut config);
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let server = kiosk_registry::server::start(config).await.unwrap();
                addr_tx.send(server.addr).unwrap();
                let _ = tokio::task::spawn_blocking(move || stopped.recv()).await;
                server.stop().await;
            });
        });
        let addr = addr_rx.recv().unwrap();
        Self {
            dir,
            db,
            pki,
            ops_key,
            ops_pub,
            url: format!("https://{addr}"),
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// The registry's store, as its command line opens it.
    pub fn store(&self) -> Store {
        Store::open_blocking(&DbTarget::Sqlite(self.db.clone())).unwrap()
    }

    /// The same database for direct SQL.
    pub fn sqlite(&self) -> SqliteStore {
        SqliteStore::open(&self.db).unwrap()
    }

    /// The key enrolment codes are hashed with (beside the database, as the server uses it).
    pub fn code_key(&self) -> kiosk_registry::code_key::CodeKey {
        kiosk_registry::code_key::CodeKey::for_database(&self.db).unwrap()
    }

    /// A fresh one-time enrolment code.
    pub fn code(&self) -> String {
        let expires = chrono::Utc::now() + chrono::Duration::hours(1);
        self.sqlite()
            .with(|c| {
                kiosk_registry::store::enrolment::create_code(
                    c,
                    &self.code_key(),
                    PLATFORM,
                    expires,
                )
            })
            .unwrap()
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

    /// `ticket.issued` events received, by service.
    pub fn tickets(&self) -> Vec<(String, u64)> {
        self.sqlite()
            .with(|c| kiosk_registry::store::events::tickets_per_service_day(c, None, None, None))
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

impl Drop for Registry {
    fn drop(&mut self) {
        self.stop.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
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

pub const INSTALLER_PIN: &str = "482916";

/// A kiosk on the testing backend with this registry in its configuration, enrolled by an
/// installer through the maintenance menu (its sync then runs).
pub fn enrolled_in_the_menu(registry: &Registry) -> super::Kiosk {
    let dir = tempfile::tempdir().unwrap();
    let config_path = write_config(dir.path(), registry, "");
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
