//! The terminal's signalling connection (feature `signalling-client`): a WebSocket over TLS
//! to the registry, trusting only the pinned registry CA, whose upgrade request is signed by
//! the device key exactly like every other terminal request (`GET`, the path, empty body).

use super::messages::{KioskToServer, ServerToKiosk, encode, parse};
use super::paths;
use crate::auth::{self, HEADER_DEVICE, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIMESTAMP};
use crate::identity::DeviceIdentity;
use futures_util::{SinkExt as _, StreamExt as _};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::http::HeaderValue;

/// Where and how the terminal connects.
#[derive(Debug, Clone)]
pub struct SignallingConfig {
    /// The registry's base URL, `https://host:port` (the same as the sync client's).
    pub registry_url: String,
    /// PEM file with the registry's CA certificate; the only trust anchor used.
    pub ca_certificate: PathBuf,
    /// The terminal's device id from enrolment.
    pub device_id: String,
    /// Registry clock minus ours, in seconds (from the sync client), for the signature.
    pub clock_offset_s: i64,
    /// Longest the TCP, TLS and WebSocket handshakes may take together.
    pub connect_timeout: Duration,
}

/// Why the signalling connection failed.
#[derive(Debug, thiserror::Error)]
pub enum SignallingError {
    /// The configuration cannot work (URL, CA file).
    #[error("signalling configuration: {0}")]
    Config(String),
    /// The registry could not be reached or the handshake failed.
    #[error("cannot reach the registry's signalling service: {0}")]
    Connect(String),
    /// The registry refused the terminal (HTTP status during the upgrade).
    #[error("the registry refused the signalling connection ({status}): {message}")]
    Refused {
        /// HTTP status.
        status: u16,
        /// The registry's message.
        message: String,
    },
    /// The connection dropped.
    #[error("signalling connection lost: {0}")]
    Lost(String),
    /// The registry sent a frame this terminal does not understand.
    #[error("unexpected frame from the registry: {0}")]
    BadFrame(String),
}

type Socket = WebSocketStream<TlsStream<TcpStream>>;

/// An open signalling connection of a terminal.
pub struct KioskSignalling {
    socket: Socket,
}

impl KioskSignalling {
    /// Connects and authenticates with the device key.
    pub async fn connect(
        config: &SignallingConfig,
        identity: &DeviceIdentity,
    ) -> Result<Self, SignallingError> {
        tokio::time::timeout(
            config.connect_timeout,
            Self::connect_inner(config, identity),
        )
        .await
        .map_err(|_| SignallingError::Connect("timed out".into()))?
    }

    async fn connect_inner(
        config: &SignallingConfig,
        identity: &DeviceIdentity,
    ) -> Result<Self, SignallingError> {
        let base = config.registry_url.trim_end_matches('/');
        let rest = base.strip_prefix("https://").ok_or_else(|| {
            SignallingError::Config(format!("registry URL must start with https:// ({base})"))
        })?;
        let authority = rest.split('/').next().unwrap_or(rest);
        let (host, port) = split_host_port(authority)?;
        let tls = crate::client::http::pinned_tls_config(&config.ca_certificate)
            .map_err(|e| SignallingError::Config(e.to_string()))?;
        let server_name = rustls::pki_types::ServerName::try_from(host.clone())
            .map_err(|e| SignallingError::Config(format!("registry host {host}: {e}")))?;
        let tcp = TcpStream::connect((host.as_str(), port))
            .await
            .map_err(|e| SignallingError::Connect(e.to_string()))?;
        let _ = tcp.set_nodelay(true);
        let stream = TlsConnector::from(Arc::new(tls))
            .connect(server_name, tcp)
            .await
            .map_err(|e| SignallingError::Connect(format!("TLS: {e}")))?;

        let url = format!("wss://{authority}{}", paths::KIOSK);
        let mut request = url
            .into_client_request()
            .map_err(|e| SignallingError::Config(e.to_string()))?;
        let nonce = auth::new_nonce().map_err(|e| SignallingError::Config(e.to_string()))?;
        let now = chrono::Utc::now().timestamp() + config.clock_offset_s;
        let signed = auth::sign_request(
            identity,
            &config.device_id,
            "GET",
            paths::KIOSK,
            b"",
            now,
            nonce,
        );
        let headers = request.headers_mut();
        for (name, value) in [
            (HEADER_DEVICE, signed.device_id),
            (HEADER_TIMESTAMP, signed.timestamp.to_string()),
            (HEADER_NONCE, signed.nonce),
            (HEADER_SIGNATURE, signed.signature),
        ] {
            let value = HeaderValue::from_str(&value)
                .map_err(|e| SignallingError::Config(e.to_string()))?;
            headers.insert(name, value);
        }
        let (socket, _) = tokio_tungstenite::client_async(request, stream)
            .await
            .map_err(refusal)?;
        Ok(Self { socket })
    }

    /// Sends a frame.
    pub async fn send(&mut self, frame: &KioskToServer) -> Result<(), SignallingError> {
        self.socket
            .send(Message::text(encode(frame)))
            .await
            .map_err(|e| SignallingError::Lost(e.to_string()))
    }

    /// The next frame from the registry; `Ok(None)` when it closed the connection. Pings are
    /// answered on the way.
    pub async fn next(&mut self) -> Result<Option<ServerToKiosk>, SignallingError> {
        loop {
            let Some(message) = self.socket.next().await else {
                return Ok(None);
            };
            match message.map_err(|e| SignallingError::Lost(e.to_string()))? {
                Message::Text(text) => {
                    return parse(text.as_str())
                        .map(Some)
                        .map_err(SignallingError::BadFrame);
                }
                Message::Close(_) => return Ok(None),
                _ => continue,
            }
        }
    }

    /// Closes the connection politely.
    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
    }
}

fn split_host_port(authority: &str) -> Result<(String, u16), SignallingError> {
    let bad = || SignallingError::Config(format!("registry address {authority} has no port"));
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, port) = rest.split_once("]:").ok_or_else(bad)?;
        return Ok((host.to_string(), port.parse().map_err(|_| bad())?));
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => Ok((host.to_string(), port.parse().map_err(|_| bad())?)),
        None => Ok((authority.to_string(), 443)),
    }
}

fn refusal(e: tokio_tungstenite::tungstenite::Error) -> SignallingError {
    use tokio_tungstenite::tungstenite::Error;
    match e {
        Error::Http(response) => {
            let message = response
                .body()
                .as_ref()
                .and_then(|b| serde_json::from_slice::<crate::protocol::ApiError>(b).ok())
                .map(|e| e.message)
                .unwrap_or_default();
            SignallingError::Refused {
                status: response.status().as_u16(),
                message,
            }
        }
        other => SignallingError::Connect(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_and_port_are_read_from_the_registry_url() {
        assert_eq!(
            split_host_port("127.0.0.1:8443").unwrap(),
            ("127.0.0.1".into(), 8443)
        );
        assert_eq!(
            split_host_port("registry.example").unwrap(),
            ("registry.example".into(), 443)
        );
        assert_eq!(split_host_port("[::1]:9").unwrap(), ("::1".into(), 9));
        assert!(split_host_port("host:port").is_err());
    }
}
