//! The province's institutions for terminals (issue 19): `kiosk-registry institutions
//! import FILE.csv` ([`csv`]) into the directory's `institutions` table
//! (`store/institutions.rs`), and `institutions publish` ([`publish`]), which signs them as
//! the `institutions` bundle with GCJ-02 coordinates. The record, its checks and the bundle
//! file are `provisioning::institutions`, shared with the terminal.

pub mod csv;
pub mod publish;
pub mod rows;
