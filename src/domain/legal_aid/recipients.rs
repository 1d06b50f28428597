//! Who receives a terminal's legal-aid pre-applications: the legal-aid centre of its
//! region, whose public key arrives in the signed `legal-aid-recipients` bundle. Without
//! one in force a pre-application waits on the terminal (sealed) and the citizen is told.

use provisioning::sealing::{RECIPIENTS_FILE, RECIPIENTS_STREAM, Recipient, RecipientDirectory};
use rusqlite::Connection;

/// The key of the legal-aid centre serving `region`, from the bundle in force.
pub fn recipient_for_region(c: &Connection, region: &str) -> rusqlite::Result<Option<Recipient>> {
    let file = crate::store::bundles::file(c, RECIPIENTS_STREAM, RECIPIENTS_FILE)?;
    Ok(
        file.and_then(|bytes| match RecipientDirectory::parse(&bytes) {
            Ok(directory) => directory.for_region(region).cloned(),
            Err(e) => {
                tracing::error!("the legal-aid recipients bundle in force is unusable: {e}");
                None
            }
        }),
    )
}

/// Whether a pre-application made now can go to a legal-aid centre: the terminal has a
/// region (it is enrolled) and a centre's key for it is in force.
pub fn centre_in_force(c: &Connection, region: Option<&str>) -> bool {
    region.is_some_and(|r| matches!(recipient_for_region(c, r), Ok(Some(_))))
}
