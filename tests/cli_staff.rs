//! `legal-kiosk staff …` through the real binary: accounts for installers over SSH, with
//! clear messages for bad input, the same audit as the menu, and no PIN anywhere on disk.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

struct Terminal {
    dir: tempfile::TempDir,
    config: PathBuf,
}

impl Terminal {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("kiosk.toml");
        std::fs::write(
            &config,
            format!(
                "[storage]\ndata_dir = {:?}\n[printer]\nkind = \"none\"\n",
                dir.path().join("data")
            ),
        )
        .unwrap();
        Self { dir, config }
    }

    /// Runs `legal-kiosk staff ARGS` with `stdin` as standard input.
    fn staff(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_legal-kiosk"))
            .arg("--config")
            .arg(&self.config)
            .arg("staff")
            .args(args)
            .env("LEGAL_KIOSK_LOG", "warn")
            .env("USER", "installer-ssh")
            .env_remove("SUDO_USER")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // A command that fails before reading (bad arguments) closes its end early.
        let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
        child.wait_with_output().unwrap()
    }

    fn db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.dir.path().join("data/kiosk.sqlite3")).unwrap()
    }

    fn data(&self) -> &Path {
        self.dir.path()
    }
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn err(out: &Output) -> String {
    assert!(!out.status.success(), "should have failed");
    String::from_utf8(out.stderr.clone()).unwrap()
}

#[test]
fn accounts_are_added_listed_repinned_and_removed_with_audit() {
    let t = Terminal::new();
    let out = t.staff(
        &["add", "安装员", "--role", "installer", "--pin-stdin"],
        "482916\n",
    );
    assert_eq!(ok(&out).trim(), "added installer account 安装员");
    ok(&t.staff(
        &["add", "王芳", "--role", "staff", "--pin-stdin"],
        "739152\n",
    ));

    let list = ok(&t.staff(&["list"], ""));
    assert!(
        list.contains("安装员\tinstaller\tlast login: never"),
        "{list}"
    );
    assert!(list.contains("王芳\tstaff"), "{list}");
    let json: serde_json::Value =
        serde_json::from_str(&ok(&t.staff(&["list", "--json"], ""))).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 2);
    assert!(
        !json.to_string().contains("argon2"),
        "no hash in the listing"
    );

    ok(&t.staff(&["set-pin", "王芳", "--pin-stdin"], "159263\n"));
    ok(&t.staff(&["remove", "王芳"], ""));
    assert!(!ok(&t.staff(&["list"], "")).contains("王芳"));

    let db = t.db();
    let mut stmt = db
        .prepare("SELECT actor || ' ' || action || ' ' || outcome FROM audit_log ORDER BY id")
        .unwrap();
    let rows: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        rows,
        [
            "console:installer-ssh staff.add ok",
            "console:installer-ssh staff.add ok",
            "console:installer-ssh staff.set_pin ok",
            "console:installer-ssh staff.remove ok",
        ]
    );
    let audit_events: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'audit'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audit_events, 4);
}

#[test]
fn bad_input_gets_a_clear_message_and_changes_nothing() {
    let t = Terminal::new();
    ok(&t.staff(
        &["add", "安装员", "--role", "installer", "--pin-stdin"],
        "482916\n",
    ));
    let cases: [(&[&str], &str, &str); 8] = [
        (
            &["add", "王芳", "--role", "staff", "--pin-stdin"],
            "12345\n",
            "at least 6 digits",
        ),
        (
            &["add", "王芳", "--role", "staff", "--pin-stdin"],
            "12a456\n",
            "digits only",
        ),
        (
            &["add", "王芳", "--role", "staff", "--pin-stdin"],
            "123456\n",
            "too easy to guess",
        ),
        (
            &["add", "王芳", "--role", "staff", "--pin-stdin"],
            "482916\n",
            "another account already uses this PIN",
        ),
        (
            &["add", "安装员", "--role", "staff", "--pin-stdin"],
            "739152\n",
            "already exists",
        ),
        (
            &["add", " ", "--role", "staff", "--pin-stdin"],
            "739152\n",
            "the name is empty",
        ),
        (&["remove", "安装员"], "", "last installer"),
        (
            &["set-pin", "nobody", "--pin-stdin"],
            "739152\n",
            "no account is named \"nobody\"",
        ),
    ];
    for (args, stdin, message) in cases {
        let e = err(&t.staff(args, stdin));
        assert!(e.contains(message), "{args:?}: {e}");
    }
    let e = err(&t.staff(
        &["add", "王芳", "--role", "boss", "--pin-stdin"],
        "739152\n",
    ));
    assert!(e.contains("staff") && e.contains("installer"), "{e}");
    // Not a terminal and no --pin-stdin: refuse rather than hang or echo.
    let e = err(&t.staff(&["add", "王芳", "--role", "staff"], "739152\n"));
    assert!(e.contains("--pin-stdin"), "{e}");

    let list = ok(&t.staff(&["list"], ""));
    assert_eq!(list.lines().count(), 1, "{list}");
}

#[test]
fn hash_pin_makes_a_configuration_hash_that_logs_in() {
    let t = Terminal::new();
    let hash = ok(&t.staff(&["hash-pin", "--pin-stdin"], "482916\n"));
    let hash = hash.trim();
    assert!(
        hash.starts_with("$argon2id$v=19$m=65536,t=3,p=1$"),
        "{hash}"
    );
    let at = chrono::Local::now().fixed_offset();
    let dir = tempfile::tempdir().unwrap();
    let mut store =
        legal_kiosk::store::Store::open(&legal_kiosk::store::Store::path_in(dir.path())).unwrap();
    let config = legal_kiosk::domain::maintenance::MaintenanceConfig {
        initial_installer: Some(legal_kiosk::domain::maintenance::InitialInstaller {
            name: "安装员".into(),
            pin_hash: hash.to_string(),
        }),
        ..Default::default()
    };
    assert!(
        legal_kiosk::domain::maintenance::ensure_initial_installer(store.conn(), &config, at)
            .unwrap()
    );
    let session = legal_kiosk::domain::maintenance::auth::login(
        store.conn(),
        &legal_kiosk::domain::maintenance::Pin::parse("482916").unwrap(),
        &legal_kiosk::domain::maintenance::LockoutPolicy::default(),
        at,
    )
    .unwrap();
    assert_eq!(session.name, "安装员");
}

#[test]
fn unlock_lifts_a_lockout_and_is_audited() {
    let t = Terminal::new();
    ok(&t.staff(
        &["add", "安装员", "--role", "installer", "--pin-stdin"],
        "482916\n",
    ));
    t.db()
        .execute(
            "UPDATE staff_lockout SET lockouts = 2, locked_until = '2999-01-01T00:00:00+08:00'",
            [],
        )
        .unwrap();
    ok(&t.staff(&["unlock"], ""));
    let (until, action): (Option<String>, String) = t
        .db()
        .query_row(
            "SELECT locked_until, (SELECT action FROM audit_log ORDER BY id DESC LIMIT 1)
             FROM staff_lockout",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(until, None);
    assert_eq!(action, "staff.unlock");
}

#[test]
fn no_pin_is_written_anywhere_in_the_data_folder() {
    let t = Terminal::new();
    ok(&t.staff(
        &["add", "安装员", "--role", "installer", "--pin-stdin"],
        "482916\n",
    ));
    ok(&t.staff(&["set-pin", "安装员", "--pin-stdin"], "582017\n"));
    let _ = t.staff(
        &["add", "王芳", "--role", "staff", "--pin-stdin"],
        "582017\n",
    );
    for entry in walk(t.data()) {
        let bytes = std::fs::read(&entry).unwrap();
        for pin in ["482916", "582017"] {
            assert!(
                !bytes.windows(6).any(|w| w == pin.as_bytes()),
                "{pin} found in {}",
                entry.display()
            );
        }
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
