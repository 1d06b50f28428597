//! The privacy scan the end-to-end tests share: personal data searched for in UTF-8, GB18030
//! and UTF-16 in every regular file under a folder, in logs, printer output, payloads or
//! exports. A finding names what held which secret in which encoding.

use std::path::Path;

/// `text` as the bytes each encoding would store it as.
pub fn encodings(text: &str) -> Vec<(String, Vec<u8>)> {
    let gb = encoding_rs::GB18030.encode(text).0.into_owned();
    let utf16: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    vec![
        (format!("{text} (UTF-8)"), text.as_bytes().to_vec()),
        (format!("{text} (GB18030)"), gb),
        (format!("{text} (UTF-16LE)"), utf16),
    ]
}

/// What holds personal data, and where it was found.
pub struct Scan {
    secrets: Vec<String>,
    pub found: Vec<String>,
    /// Files read.
    pub files: usize,
}

impl Scan {
    pub fn new(secrets: &[&str]) -> Self {
        Self {
            secrets: secrets.iter().map(|s| s.to_string()).collect(),
            found: Vec::new(),
            files: 0,
        }
    }

    /// Searches `bytes`, called `what` in a finding.
    pub fn bytes(&mut self, what: &str, bytes: &[u8]) {
        for secret in &self.secrets {
            for (label, needle) in encodings(secret) {
                if bytes.windows(needle.len()).any(|w| w == needle.as_slice()) {
                    self.found.push(format!("{label} in {what}"));
                }
            }
        }
    }

    /// Searches every regular file under `dir` (not the simulators' device links, which point
    /// into /dev/pts, nor pipes).
    pub fn dir(&mut self, dir: &Path) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(t) if t.is_dir() => self.dir(&path),
                Ok(t) if t.is_file() => {
                    self.files += 1;
                    let bytes = std::fs::read(&path).unwrap_or_default();
                    self.bytes(&path.display().to_string(), &bytes);
                }
                _ => {}
            }
        }
    }

    /// Fails listing every finding.
    pub fn assert_clean(&self) {
        assert!(
            self.found.is_empty(),
            "personal data leaked:\n{}",
            self.found.join("\n")
        );
    }
}
