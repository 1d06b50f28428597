//! The bundles in force: the one place that reads what the operations centre's signed
//! bundles put in the store (the sync client writes them, through `provisioning`'s shared
//! SQL). Everything fed by a bundle — the catalogue, the queue policy, the guidance content
//! — reads its files here.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension};

/// The version in force per stream.
pub fn versions(conn: &Connection) -> rusqlite::Result<BTreeMap<String, u64>> {
    provisioning::sqlite_store::bundle_versions(conn)
}

/// One file of the bundle of `stream` in force, if there is such a bundle and file.
pub fn file(conn: &Connection, stream: &str, name: &str) -> rusqlite::Result<Option<Vec<u8>>> {
    conn.query_row(
        "SELECT content FROM bundle_files WHERE stream = ?1 AND name = ?2",
        [stream, name],
        |r| r.get(0),
    )
    .optional()
}

/// One file as text; a file that is not UTF-8 is reported and treated as absent (the
/// built-in content then stays in force).
pub fn text(conn: &Connection, stream: &str, name: &str) -> Option<String> {
    let bytes = file(conn, stream, name).unwrap_or_else(|e| {
        tracing::error!("cannot read {name} of the {stream} bundle: {e}");
        None
    })?;
    String::from_utf8(bytes)
        .map_err(|_| tracing::error!("{name} of the {stream} bundle is not UTF-8"))
        .ok()
}

/// The files of `stream` in force, names relative to `prefix` when given (and only those).
pub fn files(conn: &Connection, stream: &str, prefix: Option<&str>) -> Vec<(String, Vec<u8>)> {
    let rows = (|| -> rusqlite::Result<Vec<(String, Vec<u8>)>> {
        let mut stmt =
            conn.prepare_cached("SELECT name, content FROM bundle_files WHERE stream = ?1")?;
        let rows = stmt.query_map([stream], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect()
    })();
    let rows = rows.unwrap_or_else(|e| {
        tracing::error!("cannot read the {stream} bundle: {e}");
        Vec::new()
    });
    rows.into_iter()
        .filter_map(|(name, content)| match prefix {
            Some(p) => name.strip_prefix(p).map(|n| (n.to_owned(), content)),
            None => Some((name, content)),
        })
        .collect()
}
