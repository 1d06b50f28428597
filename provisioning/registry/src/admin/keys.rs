//! Signing keys for bundles and commands.

use crate::store::Store;
use anyhow::{Context as _, Result};
use provisioning::keys::{
    generate_signing_key, public_key_to_base64, read_private_key, write_private_key,
};
use std::path::Path;

/// Creates a key: the private half in `out` (mode 0600; keep it offline, off the server if
/// you can), the public half registered in the registry. Returns the public key to pin on
/// terminals.
pub fn create(store: &Store, name: &str, out: &Path) -> Result<String> {
    let key = generate_signing_key()?;
    write_private_key(out, &key)?;
    let public = public_key_to_base64(&key.verifying_key());
    store.register_key(name, &public)?;
    Ok(public)
}

/// Registers the public half of a key made elsewhere.
pub fn register(store: &Store, name: &str, public_key: &str) -> Result<()> {
    store.register_key(name, public_key)?;
    Ok(())
}

/// Reads a private key file.
pub fn load(path: &Path) -> Result<ed25519_dalek::SigningKey> {
    read_private_key(path).with_context(|| format!("cannot use signing key {}", path.display()))
}
