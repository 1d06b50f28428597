//! The contract between a legal-kiosk terminal and the operations centre's registry.
//!
//! * [`protocol`]: every message on the wire (serde), the endpoint paths and error codes; the
//!   same is described for other implementers in `provisioning/openapi.json`.
//! * [`bundle`]: the Ed25519 signed-bundle format (manifest + signature + payload of named
//!   files), signing for the ops side and the [`bundle::BundleVerifier`] the terminal uses.
//! * [`command`]: commands from the centre, signed like bundles and checked by the terminal.
//! * [`files`]: secret files written atomically (temporary file, sync, link, sync).
//! * [`identity`]: the terminal's own Ed25519 key pair (created on first start, file mode 0600,
//!   never sent) and [`keys`]: how public and private keys are written down.
//! * [`auth`]: request authentication. Every request after enrolment carries
//!   `X-Kiosk-Device`, `X-Kiosk-Timestamp`, `X-Kiosk-Nonce` and `X-Kiosk-Signature`; the
//!   signature (the device key) covers the method, path and query, device id, timestamp, nonce
//!   and the SHA-256 of the body. The registry refuses unknown or revoked devices, signatures
//!   that do not verify with the key enrolled for that device, timestamps more than
//!   [`auth::MAX_CLOCK_SKEW_SECS`] away from its clock, and nonces it has already seen.
//!   There is no bearer token: the code used at enrolment is single-use and the enrolment
//!   request itself is signed by the new key (proof of possession).
//! * `client` (feature `client`): the terminal's sync client, generic over small store traits
//!   the firmware implements; `sqlite_store` (feature `sqlite-store`) is a reference
//!   implementation of those traits over a SQLite file with the firmware's outbox table.
//! * [`release`]: signed firmware releases (the kiosk's `.deb`), their checks on the terminal
//!   and Debian version ordering.
//! * [`sealing`]: legal-aid pre-applications sealed (HPKE, X25519) to the legal-aid centre
//!   that handles them, and the published directory of those centres' keys.
//! * [`institutions`]: the province's institutions (the `institutions` bundle), opening hours,
//!   WGS-84 ↔ GCJ-02 and the directory search.
//! * [`map`]: the offline map (the `map` stream's manifest, MBTiles metadata, tile math;
//!   feature `map`: reading the file, decoding tiles, the viewport renderer).
//! * [`signalling`]: the video-call signalling protocol (frames, call states); feature
//!   `signalling-client` adds the terminal's WebSocket client.

#![warn(missing_docs)]

pub mod appointments;
pub mod auth;
pub mod booking;
pub mod bundle;
pub mod command;
pub mod files;
#[cfg(any(fuzzing, test))]
pub mod fuzz;
pub mod fuzz_corpus;
pub mod identity;
pub mod institutions;
pub mod keys;
pub mod map;
pub mod mask;
pub mod protocol;
pub mod release;
pub mod scope;
pub mod sealing;
pub mod signalling;
pub mod work_orders;

#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "sqlite-store")]
pub mod sqlite_store;
