//! `[updates]`: software updates from the operations centre (issue 18).

use serde::Deserialize;

use crate::domain::updates::QuietWindow;

/// When and what the terminal installs.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UpdatesSection {
    /// Take part in rollouts (download, verify and install offered releases).
    pub enabled: bool,
    /// Install only inside this daily window of local time, e.g. `"21:00-06:00"` (outside
    /// opening hours); none: whenever no citizen is at the screen.
    pub window: Option<String>,
    /// Largest package accepted, in MiB.
    pub max_package_mib: u64,
    /// The terminal's Debian architecture (default: that of this build).
    pub architecture: Option<String>,
}

impl Default for UpdatesSection {
    fn default() -> Self {
        Self {
            enabled: true,
            window: None,
            max_package_mib: 64,
            architecture: None,
        }
    }
}

impl UpdatesSection {
    /// The install window, if one is configured (checked at load).
    pub fn quiet_window(&self) -> Result<Option<QuietWindow>, String> {
        self.window
            .as_deref()
            .map(|w| QuietWindow::parse(w).map_err(|e| format!("updates.{e}")))
            .transpose()
    }

    /// The architecture releases must be built for.
    pub fn architecture(&self) -> String {
        self.architecture.clone().unwrap_or_else(|| {
            match std::env::consts::ARCH {
                "aarch64" => "arm64",
                "x86_64" => "amd64",
                "arm" => "armhf",
                other => other,
            }
            .to_string()
        })
    }

    /// Largest package accepted, in bytes.
    pub fn max_package_bytes(&self) -> u64 {
        self.max_package_mib.saturating_mul(1024 * 1024)
    }
}
