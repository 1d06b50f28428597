//! Runs a test inside a loopback-only network namespace (`unshare --net`, `lo` up), so that
//! ICE can only ever use 127.0.0.1: the test re-executes its own binary for itself there.
//! Tests in one binary take turns, because two calls at once on a 2-core machine would
//! measure each other rather than the code.

use std::process::Command;
use std::sync::Mutex;

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
const INSIDE: &str = "KIOSK_VIDEO_NETNS";

/// Runs `body` in the namespace (when already inside, just runs it).
pub fn in_loopback_namespace(test_name: &str, body: impl FnOnce()) {
    if std::env::var_os(INSIDE).is_some() {
        body();
        return;
    }
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let exe = std::env::current_exe().expect("the test binary's path");
    let status = Command::new("unshare")
        .args(unshare_args())
        .args(["sh", "-c"])
        .arg(r#"ip link set lo up && exec "$0" "$@""#)
        .arg(&exe)
        .args(["--exact", test_name, "--nocapture", "--test-threads=1"])
        .env(INSIDE, "1")
        .status()
        .expect("unshare (util-linux) and ip (iproute2) are installed by scripts/install-deps.sh");
    assert!(
        status.success(),
        "{test_name} failed inside the loopback-only namespace"
    );
}

/// Whether the namespace has only the loopback interface.
#[allow(dead_code)]
pub fn only_loopback() -> bool {
    let out = Command::new("ip")
        .args(["-o", "link"])
        .output()
        .expect("ip");
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines().all(|l| l.contains(": lo:"))
}

/// `unshare --net`, plus a user namespace when not root (root needs none, and CI runs as root
/// where user namespaces may be switched off).
fn unshare_args() -> Vec<&'static str> {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let root = status
        .lines()
        .find(|l| l.starts_with("Uid:"))
        .and_then(|l| l.split_whitespace().nth(2))
        == Some("0");
    if root {
        vec!["--net"]
    } else {
        vec!["--net", "--map-root-user"]
    }
}
