//! Published map files (issue 19), on either store: the MBTiles file kept in chunks like a
//! release's package, named by its SHA-256, so that terminals download it with `Range`
//! alongside the small signed `map` bundle that names it.

use super::portable::{Statement, Value};
use super::updates::{CHUNK_BYTES, PackageInfo};
use super::{Store, StoreError, now_text};

/// The schema (the same on SQLite and PostgreSQL).
pub const DDL: &str = "
CREATE TABLE map_files (
  sha256 TEXT PRIMARY KEY,
  size INTEGER NOT NULL,
  name TEXT NOT NULL,
  published_at TEXT NOT NULL
);
CREATE TABLE map_chunks (
  sha256 TEXT NOT NULL REFERENCES map_files(sha256),
  idx INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (sha256, idx)
);
";

impl Store {
    /// Stores a map file checked by the caller (`map publish`) under its SHA-256; storing the
    /// same file again is a no-op.
    pub async fn map_file_store(
        &self,
        sha256: &str,
        name: &str,
        file: &[u8],
    ) -> Result<(), StoreError> {
        if self.map_file_info(sha256).await?.is_some() {
            return Ok(());
        }
        let mut statements: Vec<Statement> = vec![(
            "INSERT INTO map_files (sha256, size, name, published_at) VALUES (?1, ?2, ?3, ?4)",
            vec![
                sha256.into(),
                (file.len() as i64).into(),
                name.into(),
                now_text().into(),
            ],
        )];
        for (i, chunk) in file.chunks(CHUNK_BYTES).enumerate() {
            statements.push((
                "INSERT INTO map_chunks (sha256, idx, data) VALUES (?1, ?2, ?3)",
                vec![sha256.into(), (i as i64).into(), chunk.to_vec().into()],
            ));
        }
        self.exec_all(statements).await.map(drop)
    }

    /// A map file's size and hash, if it is published.
    pub async fn map_file_info(&self, sha256: &str) -> Result<Option<PackageInfo>, StoreError> {
        let rows = self
            .rows(
                "SELECT size, sha256 FROM map_files WHERE sha256 = ?1",
                vec![sha256.into()],
            )
            .await?;
        Ok(rows.into_iter().next().map(|r| PackageInfo {
            size: r[0].int().max(0) as u64,
            sha256: r[1].text().into(),
        }))
    }

    /// One chunk of a map file ([`CHUNK_BYTES`] each but the last).
    pub async fn map_file_chunk(&self, sha256: &str, index: u64) -> Result<Vec<u8>, StoreError> {
        let rows = self
            .rows(
                "SELECT data FROM map_chunks WHERE sha256 = ?1 AND idx = ?2",
                vec![sha256.into(), (index as i64).into()],
            )
            .await?;
        rows.into_iter()
            .next()
            .and_then(|r| r.into_iter().next())
            .map(Value::into_bytes)
            .ok_or_else(|| StoreError::NotFound(format!("map {sha256} chunk {index}")))
    }
}
