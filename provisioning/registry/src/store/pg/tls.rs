//! TLS to PostgreSQL, asked for in the database URL as libpq spells it:
//! `postgres://registry@db.centre:5432/registry?sslmode=verify-full&sslrootcert=/etc/kiosk-registry/db-ca.pem`.
//! The registry always verifies the server: its certificate must chain to `sslrootcert` and
//! name the host (rustls, with the certificates of the operations centre's own CA). Without
//! these parameters the connection is in clear, for a Unix socket or a database on the same
//! machine.

use std::path::Path;
use std::sync::Arc;

use percent_encoding::percent_decode_str;
use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject as _;
use tokio_postgres::config::SslMode;
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::store::StoreError;

/// How connections to the database are made.
#[derive(Clone)]
pub enum Tls {
    /// In clear (a Unix socket, or no `sslrootcert`).
    None,
    /// TLS, the server verified against the given CA.
    Verified(MakeRustlsConnect),
}

/// The connection settings and TLS of `url`.
pub fn parse(url: &str) -> Result<(tokio_postgres::Config, Tls), StoreError> {
    let invalid = |why: String| StoreError::Invalid(format!("PostgreSQL connection string: {why}"));
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut kept = Vec::new();
    let mut mode = None;
    let mut root = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_decode_str(value)
            .decode_utf8()
            .map_err(|_| invalid(format!("{key} is not UTF-8")))?
            .into_owned();
        match key {
            "sslmode" => mode = Some(value),
            "sslrootcert" => root = Some(value),
            _ => kept.push(pair),
        }
    }
    let rest = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    let mut config: tokio_postgres::Config = rest.parse().map_err(|e| invalid(format!("{e}")))?;
    let tls = match (mode.as_deref(), root) {
        (None | Some("disable"), None) => {
            config.ssl_mode(SslMode::Disable);
            Tls::None
        }
        (None | Some("verify-full") | Some("require"), Some(root)) => {
            config.ssl_mode(SslMode::Require);
            Tls::Verified(connector(Path::new(&root))?)
        }
        (Some("disable"), Some(_)) => {
            return Err(invalid("sslmode=disable with an sslrootcert".into()));
        }
        (Some("verify-full" | "require"), None) => {
            return Err(invalid(
                "TLS needs sslrootcert=FILE: the CA that signed the database server's \
                 certificate (the registry always verifies it)"
                    .into(),
            ));
        }
        (Some(other), _) => {
            return Err(invalid(format!(
                "sslmode={other} is not supported: use verify-full with sslrootcert=FILE, \
                 or leave TLS out for a Unix socket"
            )));
        }
    };
    Ok((config, tls))
}

fn connector(root: &Path) -> Result<MakeRustlsConnect, StoreError> {
    let unreadable =
        |why: String| StoreError::Invalid(format!("sslrootcert {}: {why}", root.display()));
    let mut roots = RootCertStore::empty();
    let certs = CertificateDer::pem_file_iter(root).map_err(|e| unreadable(e.to_string()))?;
    for cert in certs {
        let cert = cert.map_err(|e| unreadable(e.to_string()))?;
        roots
            .add(cert)
            .map_err(|e| unreadable(format!("not a CA certificate: {e}")))?;
    }
    if roots.is_empty() {
        return Err(unreadable("no certificate in the file".into()));
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| unreadable(e.to_string()))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_is_asked_for_as_libpq_spells_it() {
        let (config, tls) = parse("postgres://registry@db.centre:5432/registry").unwrap();
        assert!(matches!(tls, Tls::None));
        assert_eq!(config.get_ssl_mode(), SslMode::Disable);
        assert!(matches!(
            parse("postgres://r@db/registry?sslmode=verify-full"),
            Err(StoreError::Invalid(m)) if m.contains("sslrootcert")
        ));
        assert!(matches!(
            parse("postgres://r@db/registry?sslmode=verify-ca&sslrootcert=/x"),
            Err(StoreError::Invalid(m)) if m.contains("verify-ca is not supported")
        ));
        assert!(matches!(
            parse("postgres://r@db/registry?sslrootcert=/no/such/ca.pem"),
            Err(StoreError::Invalid(m)) if m.contains("/no/such/ca.pem")
        ));
        // Other parameters pass through to the driver.
        let (config, _) = parse("postgres://r@db/registry?connect_timeout=7").unwrap();
        assert_eq!(
            config.get_connect_timeout(),
            Some(&std::time::Duration::from_secs(7))
        );
    }
}
