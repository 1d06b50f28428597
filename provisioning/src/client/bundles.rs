//! Bundle download, verification and atomic apply.

use super::error::SyncError;
use super::{SyncClient, blocking};
use crate::bundle::{BundleError, SignedBundle};
use crate::protocol::{BundleOffer, paths};
use std::sync::Arc;

/// Why an offered bundle was not put in force.
#[derive(Debug, thiserror::Error)]
pub enum BundleRejection {
    /// It failed verification.
    #[error(transparent)]
    Invalid(#[from] BundleError),
    /// It could not be downloaded or stored.
    #[error(transparent)]
    Sync(#[from] SyncError),
}

/// The fate of one offered bundle.
#[derive(Debug)]
pub struct BundleResult {
    /// Stream.
    pub stream: String,
    /// Offered version.
    pub version: u64,
    /// `Ok` when it is now in force.
    pub outcome: Result<(), BundleRejection>,
}

impl SyncClient {
    /// Downloads the offered bundle, verifies it against the version in force and applies it.
    pub async fn fetch_and_apply(&self, offer: &BundleOffer) -> BundleResult {
        let outcome = self.try_fetch_and_apply(offer).await;
        if let Err(e) = &outcome {
            tracing::warn!(stream = %offer.stream, version = offer.version, "bundle refused: {e}");
        }
        BundleResult {
            stream: offer.stream.clone(),
            version: offer.version,
            outcome,
        }
    }

    async fn try_fetch_and_apply(&self, offer: &BundleOffer) -> Result<(), BundleRejection> {
        if offer.payload_size > self.config.max_bundle_bytes {
            return Err(BundleError::TooLarge {
                size: offer.payload_size,
                limit: self.config.max_bundle_bytes,
            }
            .into());
        }
        // Base64 grows the payload by 4/3; the manifest and framing are small.
        let cap = (self.config.max_bundle_bytes as usize / 3 + 1) * 4 + 64 * 1024;
        let bundle: SignedBundle = self
            .http
            .get_json(&paths::bundle(&offer.stream, offer.version), cap)
            .await?;
        self.apply_bundle(&offer.stream, &bundle).await
    }

    /// Verifies a bundle obtained any way (e.g. from a USB stick) and applies it.
    pub async fn apply_bundle(
        &self,
        stream: &str,
        bundle: &SignedBundle,
    ) -> Result<(), BundleRejection> {
        let store = self.bundles.clone();
        let current = blocking(move || store.current_versions())
            .await?
            .get(stream)
            .copied();
        let verified = self
            .verifier
            .verify(stream, bundle, current, self.http.now())?;
        let verified = Arc::new(verified);
        let store = self.bundles.clone();
        let checked = verified.clone();
        // Parsing a content bundle is blocking work; its refusal is a BundleError like any other.
        blocking(move || Ok(store.check(&checked))).await??;
        let store = self.bundles.clone();
        let applied = verified.clone();
        blocking(move || store.apply(&applied)).await?;
        tracing::info!(
            stream,
            version = verified.manifest.version,
            "bundle in force"
        );
        Ok(())
    }
}
