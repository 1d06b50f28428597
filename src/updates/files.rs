//! The files the kiosk shares with the privileged update helper, in `updates/` of its data
//! folder (see provisioning/deploy/terminal/update/legal-kiosk-update): the install request
//! it leaves, the health confirmation it writes after a start, the result the helper
//! writes; and its own progress, kept across restarts.

use std::path::{Path, PathBuf};

use provisioning::protocol::{UpdateReport, UpdateState};
use serde::{Deserialize, Serialize};

/// Where everything is.
#[derive(Debug, Clone)]
pub struct UpdateFiles {
    dir: PathBuf,
}

/// The kiosk's progress with a release, kept in `state.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// What the heartbeat reports.
    pub report: Option<UpdateReport>,
    /// A staff member's postponement, local time `YYYY-MM-DDTHH:MM:SS`.
    pub postponed_until: Option<chrono::NaiveDateTime>,
}

impl UpdateFiles {
    /// In `data_dir/updates`.
    pub fn in_data_dir(data_dir: &Path) -> Self {
        Self {
            dir: data_dir.join("updates"),
        }
    }

    /// The package being downloaded (resumed after an interruption).
    pub fn partial(&self) -> PathBuf {
        self.dir.join("download.part")
    }

    fn request(&self) -> PathBuf {
        self.dir.join("request")
    }

    /// Leaves the install request for the helper: the package and the signed release
    /// first, the version last (the helper's path unit waits for that file).
    pub fn write_request(&self, release_json: &str, version: &str) -> std::io::Result<()> {
        let request = self.request();
        std::fs::create_dir_all(&request)?;
        std::fs::rename(self.partial(), request.join("package.deb"))?;
        std::fs::write(request.join("release.json"), release_json)?;
        write_atomically(&request.join("version"), version.as_bytes())
    }

    /// Says the running version is healthy (the helper commits an update on it).
    pub fn confirm_health(&self, version: &str) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        write_atomically(&self.dir.join("healthy"), format!("{version}\n").as_bytes())
    }

    /// The helper's outcome, if it left one (taken: read once).
    pub fn take_result(&self) -> Option<UpdateReport> {
        let path = self.dir.join("result");
        let text = std::fs::read_to_string(&path).ok()?;
        let _ = std::fs::remove_file(&path);
        parse_result(&text)
    }

    /// The progress kept across restarts.
    pub fn load_progress(&self) -> Progress {
        std::fs::read_to_string(self.dir.join("state.json"))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default()
    }

    /// Keeps the progress.
    pub fn save_progress(&self, progress: &Progress) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let json = serde_json::to_vec(progress).map_err(std::io::Error::other)?;
        write_atomically(&self.dir.join("state.json"), &json)
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::File::open(&tmp)?.sync_all()?;
    std::fs::rename(&tmp, path)
}

/// Reads the helper's `version=`, `state=`, `detail=` lines.
pub fn parse_result(text: &str) -> Option<UpdateReport> {
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix('='))
            .map(str::trim)
    };
    let state = match field("state")? {
        "installing" => UpdateState::Installing,
        "installed" => UpdateState::Installed,
        "healthy" => UpdateState::Healthy,
        "rolled_back" => UpdateState::RolledBack,
        "failed" => UpdateState::Failed,
        _ => return None,
    };
    let detail = field("detail")
        .filter(|d| !d.is_empty())
        .map(|d| d.chars().take(500).collect());
    Some(UpdateReport {
        version: field("version")?.chars().take(128).collect(),
        state,
        detail,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_helpers_result_is_read_and_bad_ones_ignored() {
        let r = parse_result("version=1.2.0\nstate=rolled_back\ndetail=version 1.2.0 did not confirm its health within 600 s\n").unwrap();
        assert_eq!(r.state, UpdateState::RolledBack);
        assert_eq!(r.version, "1.2.0");
        assert!(r.detail.unwrap().contains("600 s"));
        let ok = parse_result("version=1.1.0\nstate=healthy\ndetail=\n").unwrap();
        assert_eq!((ok.state, ok.detail), (UpdateState::Healthy, None));
        assert_eq!(parse_result("state=exploded\nversion=1"), None);
        assert_eq!(parse_result("garbage"), None);
    }

    #[test]
    fn a_request_is_complete_when_its_version_appears() {
        let dir = tempfile::tempdir().unwrap();
        let files = UpdateFiles::in_data_dir(dir.path());
        std::fs::create_dir_all(dir.path().join("updates")).unwrap();
        std::fs::write(files.partial(), b"deb").unwrap();
        files.write_request("{}", "1.1.0").unwrap();
        let request = dir.path().join("updates/request");
        assert_eq!(std::fs::read(request.join("package.deb")).unwrap(), b"deb");
        assert_eq!(
            std::fs::read_to_string(request.join("version")).unwrap(),
            "1.1.0"
        );
        assert!(!files.partial().exists());
    }
}
