//! TLS: a self-signed CA and server certificate for a pilot, and the rustls server config.

use anyhow::{Context as _, Result, bail};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose, SanType,
};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Files written by [`init_pki`].
#[derive(Debug, Clone)]
pub struct PkiFiles {
    /// CA certificate: give it to every terminal (`ca_certificate` in their configuration).
    pub ca_cert: PathBuf,
    /// CA private key: keep offline after issuing the server certificate.
    pub ca_key: PathBuf,
    /// Server certificate chain.
    pub server_cert: PathBuf,
    /// Server private key.
    pub server_key: PathBuf,
}

/// Writes a new file atomically with `mode` and, if given, `owner` (uid, gid).
fn write_new(path: &Path, text: &str, mode: u32, owner: Option<(u32, u32)>) -> Result<()> {
    provisioning::files::create_new_atomically(path, text.as_bytes(), mode, owner)
        .with_context(|| format!("cannot create {} (it must not exist yet)", path.display()))
}

/// Creates a CA (10 years) and a server certificate (2 years) for `names` (DNS names or IP
/// addresses) in `dir`. Refuses to overwrite existing files. The private keys are 0600 and
/// belong to whoever runs this.
pub fn init_pki(dir: &Path, names: &[String]) -> Result<PkiFiles> {
    init_pki_for(dir, names, None)
}

/// [`init_pki`], with the server's private key given to `server_key_owner` (uid, gid) — the
/// service user, who must read it; the CA key stays with whoever runs this (keep it offline).
pub fn init_pki_for(
    dir: &Path,
    names: &[String],
    server_key_owner: Option<(u32, u32)>,
) -> Result<PkiFiles> {
    if names.is_empty() {
        bail!("give at least one host name or IP address for the server certificate");
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let files = PkiFiles {
        ca_cert: dir.join("ca.pem"),
        ca_key: dir.join("ca.key"),
        server_cert: dir.join("server.pem"),
        server_key: dir.join("server.key"),
    };
    let now = time::OffsetDateTime::now_utc();

    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.distinguished_name = DistinguishedName::new();
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "legal-kiosk registry CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    ca_params.not_before = now - time::Duration::days(1);
    ca_params.not_after = now + time::Duration::days(3650);
    let ca_key = KeyPair::generate()?;
    let ca_key_pem = ca_key.serialize_pem();
    let ca = CertifiedIssuer::self_signed(ca_params, ca_key)?;

    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params.distinguished_name = DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::CommonName, names[0].clone());
    for name in names {
        params.subject_alt_names.push(match name.parse::<IpAddr>() {
            Ok(ip) => SanType::IpAddress(ip),
            Err(_) => SanType::DnsName(name.clone().try_into()?),
        });
    }
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(730);
    let server_key = KeyPair::generate()?;
    let server_cert = params.signed_by(&server_key, &ca)?;

    write_new(&files.ca_cert, &ca.pem(), 0o644, None)?;
    write_new(&files.ca_key, &ca_key_pem, 0o600, None)?;
    write_new(
        &files.server_cert,
        &format!("{}{}", server_cert.pem(), ca.pem()),
        0o644,
        None,
    )?;
    write_new(
        &files.server_key,
        &server_key.serialize_pem(),
        0o600,
        server_key_owner,
    )?;
    Ok(files)
}

/// A rustls server configuration (ring provider) from PEM files.
pub fn server_config(cert_path: &Path, key_path: &Path) -> Result<Arc<rustls::ServerConfig>> {
    let certs = CertificateDer::pem_file_iter(cert_path)
        .with_context(|| format!("cannot read {}", cert_path.display()))?
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("{} is not a PEM certificate chain", cert_path.display()))?;
    if certs.is_empty() {
        bail!("{} holds no certificate", cert_path.display());
    }
    let key = PrivateKeyDer::from_pem_file(key_path)
        .with_context(|| format!("cannot read the private key {}", key_path.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .context("certificate and key do not match")?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
