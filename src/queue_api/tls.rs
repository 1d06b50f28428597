//! HTTPS for the queue API on the LAN. The certificate is the installer's (for example
//! issued by the centre's CA, so that counter PCs' browsers trust it) or, without one, a
//! self-signed certificate the terminal makes in its data folder on first start. Client
//! terminals do not trust any CA for their host: they pin the SHA-256 of the host's
//! certificate, so neither a LAN host nor a CA can stand in for it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use sha2::{Digest, Sha256};
use thiserror::Error;

/// The HTTPS setup failed.
#[derive(Debug, Error)]
pub enum TlsError {
    #[error("cannot read the queue API certificate {path}: {reason}")]
    Read { path: PathBuf, reason: String },
    #[error("cannot make the queue API certificate {path}: {reason}")]
    Make { path: PathBuf, reason: String },
    #[error("the queue API certificate and key do not fit together: {0}")]
    Config(String),
}

/// Where the terminal keeps a certificate it made itself.
pub fn default_paths(data_dir: &Path) -> (PathBuf, PathBuf) {
    let dir = data_dir.join("keys");
    (
        dir.join("queue-api-cert.pem"),
        dir.join("queue-api-key.pem"),
    )
}

/// Makes a self-signed certificate for `listen` and `names` at `cert`/`key` unless both
/// exist. The key is 0600.
pub fn ensure_self_signed(
    cert: &Path,
    key: &Path,
    listen: SocketAddr,
    names: &[String],
) -> Result<(), TlsError> {
    if cert.exists() && key.exists() {
        return Ok(());
    }
    let make = |reason: String| TlsError::Make {
        path: cert.to_path_buf(),
        reason,
    };
    let mut sans: Vec<String> = vec!["localhost".into(), "127.0.0.1".into()];
    if !listen.ip().is_unspecified() {
        sans.push(listen.ip().to_string());
    }
    for name in names {
        let host = name.rsplit_once(':').map_or(name.as_str(), |(h, _)| h);
        sans.push(host.trim_matches(['[', ']']).to_string());
    }
    sans.dedup();
    let made = rcgen::generate_simple_self_signed(sans).map_err(|e| make(e.to_string()))?;
    if let Some(dir) = key.parent() {
        std::fs::create_dir_all(dir).map_err(|e| make(e.to_string()))?;
    }
    write_new(key, made.signing_key.serialize_pem().as_bytes(), 0o600).map_err(make)?;
    write_new(cert, made.cert.pem().as_bytes(), 0o644).map_err(make)?;
    // Made by root (`legal-kiosk queue cert-fingerprint` under sudo), the files and their
    // folder go to whoever owns the data folder: the kiosk's user, who must read the key.
    if let Some(keys) = key.parent()
        && let Some(data) = keys.parent()
    {
        for path in [keys, key, cert] {
            give_to_owner_of(data, path).map_err(make)?;
        }
    }
    tracing::info!(
        cert = %cert.display(),
        "made a self-signed certificate for the queue API"
    );
    Ok(())
}

fn give_to_owner_of(dir: &Path, path: &Path) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    let (folder, file) = (
        std::fs::metadata(dir).map_err(|e| e.to_string())?,
        std::fs::metadata(path).map_err(|e| e.to_string())?,
    );
    if (folder.uid(), folder.gid()) == (file.uid(), file.gid()) {
        return Ok(());
    }
    std::os::unix::fs::chown(path, Some(folder.uid()), Some(folder.gid())).map_err(|e| {
        format!(
            "cannot give {} to the owner of {}: {e}; run this as the kiosk's user",
            path.display(),
            dir.display()
        )
    })
}

fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(&tmp)
        .map_err(|e| e.to_string())?;
    f.write_all(bytes).map_err(|e| e.to_string())?;
    f.sync_all().map_err(|e| e.to_string())?;
    std::fs::rename(&tmp, path).map_err(|e| e.to_string())
}

fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let read = |reason: String| TlsError::Read {
        path: path.to_path_buf(),
        reason,
    };
    let certs: Vec<_> = CertificateDer::pem_file_iter(path)
        .map_err(|e| read(e.to_string()))?
        .collect::<Result<_, _>>()
        .map_err(|e| read(e.to_string()))?;
    if certs.is_empty() {
        return Err(read("no certificate in it".into()));
    }
    Ok(certs)
}

/// The SHA-256 (hex) of the certificate in `cert` (its first, the terminal's own).
pub fn fingerprint(cert: &Path) -> Result<String, TlsError> {
    let certs = read_certs(cert)?;
    Ok(hex::encode(Sha256::digest(certs[0].as_ref())))
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The server side: the certificate chain and key at `cert`/`key`.
pub fn acceptor(cert: &Path, key: &Path) -> Result<tokio_rustls::TlsAcceptor, TlsError> {
    let certs = read_certs(cert)?;
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| TlsError::Read {
        path: key.to_path_buf(),
        reason: e.to_string(),
    })?;
    let mut config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| TlsError::Config(e.to_string()))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

/// The client side: only the certificate whose SHA-256 is `pinned_hex` (no CA, no name
/// check: the pin is the identity); `None` trusts nothing (for a host on plain HTTP).
pub fn client_config(pinned_hex: Option<&str>) -> Result<rustls::ClientConfig, TlsError> {
    let builder = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config(e.to_string()))?;
    let pinned = pinned_hex.and_then(|h| <[u8; 32]>::try_from(hex::decode(h).ok()?).ok());
    Ok(match pinned {
        Some(pin) => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Pinned {
                pin,
                provider: provider(),
            }))
            .with_no_client_auth(),
        None => builder
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth(),
    })
}

/// Accepts exactly one certificate, by its SHA-256; the handshake's signatures are still
/// checked against it.
#[derive(Debug)]
struct Pinned {
    pin: [u8; 32],
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let digest = Sha256::digest(end_entity.as_ref());
        if digest.as_slice() == self.pin {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
