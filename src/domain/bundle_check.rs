//! Whether this firmware can use a signed bundle's content, checked before it is applied.
//!
//! A bundle that verifies (signature, version, expiry, scope) may still say something the
//! kiosk cannot use: a rules file without its hardship threshold, a consultation flow that
//! loops, a queue policy with duplicate counters. Such a bundle is refused as a whole, before
//! anything in the store changes, so the content in force keeps answering; the refusal goes
//! to the operations centre (see [`record_refusal`]).
//!
//! Every stream is parsed with the same code that later reads it from the store, so what
//! passes here is what the kiosk can run on.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use rusqlite::{Connection, params};

use crate::domain::consult::Catalogue as Consultation;
use crate::domain::legal_aid::Rules;
use crate::domain::queue::Catalogue as Services;
use crate::domain::queue::policy::{POLICY_FILE, Policy};
use crate::domain::rating::RatingReasons;
use provisioning::sealing::{RECIPIENTS_FILE, RECIPIENTS_STREAM, RecipientDirectory};

/// The stream of the consultation content, the queue services and the rating reasons.
pub const CATALOGUE: &str = "catalogue";
/// The stream of the terminal's settings (the queue policy).
pub const SETTINGS: &str = "settings";
/// The stream of the province's legal-aid self-check rules.
pub const LEGAL_AID_RULES: &str = "legal-aid-rules";
/// The stream of the province's institutions (the find-a-service page, addresses on slips).
pub const INSTITUTIONS: &str = crate::domain::institutions::STREAM;

/// The one file of a `legal-aid-rules` bundle.
pub const RULES_FILE: &str = "rules.toml";
/// The stream of the platform's bookings for today and tomorrow (check-in).
pub const APPOINTMENTS: &str = crate::domain::appointments::BUNDLE_STREAM;

/// The one file of an `appointments` bundle.
pub const APPOINTMENTS_FILE: &str = crate::domain::appointments::BUNDLE_FILE;

/// The one file of an `institutions` bundle.
pub const INSTITUTIONS_FILE: &str = crate::domain::institutions::FILE;
/// The queue services of a `catalogue` bundle.
pub const SERVICES_FILE: &str = "services.toml";
/// The rating reasons of a `catalogue` bundle.
pub const REASONS_FILE: &str = "rating/reasons.toml";
/// The folder of the consultation content inside a `catalogue` bundle.
pub const CONSULTATION_DIR: &str = "consultation/";

/// The outbox event that tells the operations centre a bundle was refused.
pub const REFUSED_EVENT: &str = "bundle.refused";

/// Why a bundle's content cannot be used. The message names the file and the problem, for
/// the operations centre's staff.
#[derive(Debug, thiserror::Error)]
pub enum BundleCheckError {
    /// A stream this firmware does not read.
    #[error("this firmware does not use bundles of stream {0:?}")]
    UnknownStream(String),
    /// A file the stream needs is not in the bundle.
    #[error("the {stream} bundle has no {file}")]
    MissingFile {
        /// The stream.
        stream: String,
        /// The file it needs.
        file: &'static str,
    },
    /// A file the stream does not know (a misspelt name would silently drop content).
    #[error("the {stream} bundle has an unexpected file {file}")]
    UnexpectedFile {
        /// The stream.
        stream: String,
        /// The file.
        file: String,
    },
    /// A file is not UTF-8 text.
    #[error("{0} is not UTF-8 text")]
    NotUtf8(String),
    /// A file does not parse or fails the checks the kiosk relies on.
    #[error("{file}: {problem}")]
    Invalid {
        /// The file.
        file: String,
        /// What is wrong (the parser's or validator's message).
        problem: String,
    },
}

fn text<'a>(name: &str, bytes: &'a [u8]) -> Result<&'a str, BundleCheckError> {
    std::str::from_utf8(bytes).map_err(|_| BundleCheckError::NotUtf8(name.to_owned()))
}

fn invalid(file: &str, problem: impl ToString) -> BundleCheckError {
    BundleCheckError::Invalid {
        file: file.to_owned(),
        problem: problem.to_string(),
    }
}

/// Checks every file of a bundle of `stream` the way the kiosk will read it.
pub fn check_bundle(
    stream: &str,
    files: &BTreeMap<String, Vec<u8>>,
) -> Result<(), BundleCheckError> {
    let unexpected = |file: &str| BundleCheckError::UnexpectedFile {
        stream: stream.to_owned(),
        file: file.to_owned(),
    };
    let missing = |file: &'static str| BundleCheckError::MissingFile {
        stream: stream.to_owned(),
        file,
    };
    // Besides notes in Markdown, a stream's bundle holds only its own files.
    let only = |allowed: &str| match files
        .keys()
        .find(|n| n.as_str() != allowed && !n.ends_with(".md"))
    {
        Some(other) => Err(unexpected(other)),
        None => Ok(()),
    };
    match stream {
        CATALOGUE => {
            let services = files.get(SERVICES_FILE).ok_or(missing(SERVICES_FILE))?;
            Services::parse(text(SERVICES_FILE, services)?)
                .map_err(|e| invalid(SERVICES_FILE, e))?;
            if let Some(reasons) = files.get(REASONS_FILE) {
                RatingReasons::from_toml(text(REASONS_FILE, reasons)?)
                    .map_err(|e| invalid(REASONS_FILE, e))?;
            }
            let consultation: Vec<(&str, &[u8])> = files
                .iter()
                .filter_map(|(name, bytes)| {
                    name.strip_prefix(CONSULTATION_DIR)
                        .map(|n| (n, bytes.as_slice()))
                })
                .collect();
            if !consultation.is_empty() {
                Consultation::from_files(consultation).map_err(|e| invalid(CONSULTATION_DIR, e))?;
            }
            if let Some(other) = files.keys().find(|name| {
                name.as_str() != SERVICES_FILE
                    && name.as_str() != REASONS_FILE
                    && !name.starts_with(CONSULTATION_DIR)
                    && !name.ends_with(".md")
            }) {
                return Err(unexpected(other));
            }
        }
        SETTINGS => {
            if let Some(policy) = files.get(POLICY_FILE) {
                Policy::parse(text(POLICY_FILE, policy)?).map_err(|e| invalid(POLICY_FILE, e))?;
            }
            only(POLICY_FILE)?;
        }
        LEGAL_AID_RULES => {
            // The self-check cannot run without its rules, and a bundle without them must not
            // replace the province's rules in force with the built-in placeholder.
            let rules = files.get(RULES_FILE).ok_or(missing(RULES_FILE))?;
            Rules::from_toml(text(RULES_FILE, rules)?).map_err(|e| invalid(RULES_FILE, e))?;
            only(RULES_FILE)?;
        }
        INSTITUTIONS => {
            let registry = files
                .get(INSTITUTIONS_FILE)
                .ok_or(missing(INSTITUTIONS_FILE))?;
            // A directory with a wrong entry must not replace the one in force.
            crate::domain::institutions::Institutions::parse(registry)
                .map_err(|e| invalid(INSTITUTIONS_FILE, e))?;
            only(INSTITUTIONS_FILE)?;
        }
        APPOINTMENTS => {
            // Bookings that could not be matched must not replace those in force.
            let file = files
                .get(APPOINTMENTS_FILE)
                .ok_or(missing(APPOINTMENTS_FILE))?;
            crate::domain::appointments::Appointments::parse(file)
                .map_err(|e| invalid(APPOINTMENTS_FILE, e))?;
            only(APPOINTMENTS_FILE)?;
        }
        crate::domain::work_orders::CATEGORIES_STREAM => {
            // A list the terminal could not file under must not replace the one in force.
            use crate::domain::work_orders::{CATEGORIES_FILE, Classification};
            let list = files.get(CATEGORIES_FILE).ok_or(missing(CATEGORIES_FILE))?;
            Classification::parse(list).map_err(|e| invalid(CATEGORIES_FILE, e))?;
            only(CATEGORIES_FILE)?;
        }
        provisioning::map::STREAM => {
            // The manifest of the offline map: the file itself is fetched apart
            // (`sync::map`), and checked again as a map before it is put in force.
            let manifest = files
                .get(provisioning::map::FILE)
                .ok_or(missing(provisioning::map::FILE))?;
            provisioning::map::MapManifest::parse(manifest)
                .map_err(|e| invalid(provisioning::map::FILE, e))?;
            only(provisioning::map::FILE)?;
        }
        RECIPIENTS_STREAM => {
            // Keys the kiosk could not seal to must not replace the directory in force.
            let directory = files.get(RECIPIENTS_FILE).ok_or(missing(RECIPIENTS_FILE))?;
            RecipientDirectory::parse(directory).map_err(|e| invalid(RECIPIENTS_FILE, e))?;
            only(RECIPIENTS_FILE)?;
        }
        other => return Err(BundleCheckError::UnknownStream(other.to_owned())),
    }
    Ok(())
}

/// Records a refused bundle in the outbox for the operations centre, once per stream and
/// version: the registry offers the bundle again at every poll, and the idempotency key lets
/// both the terminal and the registry keep a single report.
pub fn record_refusal(
    conn: &Connection,
    stream: &str,
    version: u64,
    reason: &str,
    at: DateTime<FixedOffset>,
) -> rusqlite::Result<()> {
    let payload = serde_json::json!({
        "type": REFUSED_EVENT,
        "stream": stream,
        "version": version,
        "reason": reason,
    });
    conn.execute(
        "INSERT OR IGNORE INTO outbox (idempotency_key, kind, payload, created_at)
         VALUES (?1, ?2, ?3, ?4)",
        params![
            format!("{REFUSED_EVENT}:{stream}:{version}"),
            REFUSED_EVENT,
            payload.to_string(),
            at.to_rfc3339()
        ],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests;
