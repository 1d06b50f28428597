//! The registry's command key: an Ed25519 key the registry holds (mode 0600, made on first
//! use, beside the enrolment-code key) to sign the commands operators send from the console.
//! Terminals pin its public half for commands only (`command_keys`), never for bundles, so
//! the bundle-signing key can stay offline: whoever takes the registry can lock or restart
//! terminals and read their logs, not change what they tell citizens (see the README).

use anyhow::{Context as _, Result};
use ed25519_dalek::SigningKey;
use provisioning::keys::{generate_signing_key, read_private_key, write_private_key};
use std::path::{Path, PathBuf};

/// The file name, in the folder of the enrolment-code key.
pub const FILE_NAME: &str = "registry-command.key";

/// Where the command key lives for an enrolment-code key at `code_key`.
pub fn path_beside(code_key: &Path) -> PathBuf {
    code_key.with_file_name(FILE_NAME)
}

/// Reads the key at `path`, making it first if there is none.
pub fn load_or_create(path: &Path) -> Result<SigningKey> {
    if path.exists() {
        return read_private_key(path)
            .with_context(|| format!("cannot use the command key {}", path.display()));
    }
    let key = generate_signing_key()?;
    write_private_key(path, &key)
        .with_context(|| format!("cannot write the command key {}", path.display()))?;
    Ok(key)
}
