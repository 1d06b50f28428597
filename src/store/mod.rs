//! The terminal's one store: SQLite in WAL mode with `synchronous=FULL`, because a terminal
//! loses power without warning and a ticket or an outbox event once acknowledged on screen
//! must survive it. Schema migrations run at open. Only worker threads touch it, never the
//! UI thread.

pub mod bundles;
pub mod outbox;
pub mod sealed;
pub mod worker;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};
use thiserror::Error;

// The outbox and the bundle and command tables are the link's, defined once in the
// `provisioning` crate (its reference store creates the same tables).
const MIGRATIONS: &[M<'static>] = &[
    M::up(concat!(
        include_str!("migrations/001_tickets.sql"),
        include_str!("../../provisioning/sql/outbox.sql")
    )),
    M::up(include_str!("migrations/002_staff_audit_settings.sql")),
    M::up(include_str!("../../provisioning/sql/bundles.sql")),
    M::up(include_str!("migrations/004_sealed_outbox.sql")),
    M::up(include_str!("migrations/005_queue_calling.sql")),
    M::up(include_str!("migrations/006_schema_compat.sql")),
    M::up(include_str!("migrations/007_appointment_checkins.sql")),
];

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("cannot create the data folder {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the database {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error(
        "the database {path} was written by a newer version of legal-kiosk (schema {found}, this \
         version knows {known}); install the newer version again or restore a backup"
    )]
    TooNew {
        path: PathBuf,
        found: String,
        known: usize,
    },
    #[error("cannot update the database schema of {path}: {source}")]
    Migrate {
        path: PathBuf,
        source: rusqlite_migration::Error,
    },
    #[error("cannot make the database {path} private to its user: {source}")]
    Private {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
}

/// An open, migrated database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// The database file inside a data folder.
    pub fn path_in(data_dir: &Path) -> PathBuf {
        data_dir.join("kiosk.sqlite3")
    }

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    ///
    /// A database a newer version migrated (an update that was rolled back) is used as it
    /// is when that version's migrations only added to what this one knows (its
    /// `schema_compat.readable_by`); otherwise it is refused with a clear message.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::open_with(path, MIGRATIONS)
    }

    fn open_with(path: &Path, known: &[M<'static>]) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent() {
            create_dir_durably(dir).map_err(|source| StoreError::CreateDir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let open_err = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        make_private(path).map_err(|source| StoreError::Private {
            path: path.to_path_buf(),
            source,
        })?;
        let mut conn = Connection::open(path).map_err(open_err)?;
        conn.busy_timeout(Duration::from_secs(5))
            .map_err(open_err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_err)?;

        let migrations = Migrations::from_slice(known);
        match migrations.current_version(&conn) {
            Ok(rusqlite_migration::SchemaVersion::Outside(found)) => {
                if readable_by(&conn).is_some_and(|n| n <= known.len()) {
                    tracing::warn!(
                        "the database {} was migrated by a newer version (schema {found}, this \
                         version knows {}): used as it is, its changes only added to it",
                        path.display(),
                        known.len()
                    );
                    return Ok(Self {
                        conn,
                        path: path.to_path_buf(),
                    });
                }
                return Err(StoreError::TooNew {
                    path: path.to_path_buf(),
                    found: found.to_string(),
                    known: known.len(),
                });
            }
            Ok(_) => {}
            Err(source) => {
                return Err(StoreError::Migrate {
                    path: path.to_path_buf(),
                    source,
                });
            }
        }
        migrations
            .to_latest(&mut conn)
            .map_err(|source| StoreError::Migrate {
                path: path.to_path_buf(),
                source,
            })?;
        Ok(Self {
            conn,
            path: path.to_path_buf(),
        })
    }

    pub fn conn(&mut self) -> &mut Connection {
        &mut self.conn
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The connection itself, for a component that keeps its own (the sync client).
    pub fn into_connection(self) -> Connection {
        self.conn
    }
}

/// How many migrations a version must know to use this database (none recorded: all).
fn readable_by(conn: &Connection) -> Option<usize> {
    conn.query_row("SELECT MAX(readable_by) FROM schema_compat", [], |r| {
        r.get::<_, Option<i64>>(0)
    })
    .ok()
    .flatten()
    .and_then(|n| usize::try_from(n).ok())
}

/// Creates `dir` and its missing parents so that they survive a power cut: a new folder's
/// name is on disk only once the folder holding it is synced (fsync(2)), and SQLite syncs
/// the database's own folder but not the ones above it.
/// The database holds staff PIN hashes and the day's masked ID numbers: it is created
/// readable by its user only (0600), and a file left readable by others from an earlier
/// version is made private. SQLite gives its `-wal` and `-shm` files the database's mode.
fn make_private(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let mut names = vec![path.to_path_buf()];
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        names.push(PathBuf::from(name));
    }
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)?;
    for name in names {
        match std::fs::metadata(&name) {
            Ok(m) if m.permissions().mode() & 0o077 != 0 => {
                std::fs::set_permissions(&name, std::fs::Permissions::from_mode(0o600))?;
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn create_dir_durably(dir: &Path) -> std::io::Result<()> {
    let mut missing = Vec::new();
    let mut next = Some(dir);
    while let Some(d) = next.filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
        missing.push(d);
        next = d.parent();
    }
    std::fs::create_dir_all(dir)?;
    for created in missing.iter().rev() {
        let parent = created
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::File::open(parent)?.sync_all()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        Migrations::from_slice(MIGRATIONS)
            .validate()
            .expect("migrations apply to an empty database");
    }

    #[test]
    fn open_sets_durable_pragmas_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let path = Store::path_in(dir.path());
        let mut store = Store::open(&path).unwrap();
        let mode: String = store
            .conn()
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let sync: i64 = store
            .conn()
            .pragma_query_value(None, "synchronous", |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 2, "synchronous=FULL");
        drop(store);
        Store::open(&path).expect("reopening an up-to-date database");
    }

    #[test]
    fn a_database_from_a_newer_version_is_refused_with_a_clear_message() {
        let dir = tempfile::tempdir().unwrap();
        let path = Store::path_in(dir.path());
        drop(Store::open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        conn.execute("UPDATE schema_compat SET readable_by = 99", [])
            .unwrap();
        drop(conn);
        let err = Store::open(&path).expect_err("newer schema");
        assert!(err.to_string().contains("newer version"), "{err}");
    }

    /// The rule that makes a rollback safe, checked for every migration from the one that
    /// introduced it: one that drops or renames says which versions may still use the
    /// database.
    #[test]
    fn migrations_that_change_what_older_versions_use_raise_readable_by() {
        let sources = [
            include_str!("migrations/006_schema_compat.sql"),
            include_str!("migrations/007_appointment_checkins.sql"),
        ];
        let after_compat = &MIGRATIONS[5..];
        assert_eq!(
            after_compat.len(),
            sources.len(),
            "list each new migration's SQL here"
        );
        for (sql, n) in sources.iter().zip(6..) {
            let upper = sql.to_uppercase();
            let code: String = upper
                .lines()
                .filter(|l| !l.trim_start().starts_with("--"))
                .collect();
            if code.contains("DROP ") || code.contains("RENAME ") {
                assert!(
                    code.contains("UPDATE SCHEMA_COMPAT SET READABLE_BY"),
                    "migration {n} drops or renames: it must raise schema_compat.readable_by"
                );
            }
        }
    }

    /// What the next version would be: this one's migrations and one more.
    fn next_version(extra: &'static str) -> Vec<M<'static>> {
        let mut next = MIGRATIONS.to_vec();
        next.push(M::up(extra));
        next
    }

    /// An update that added a table is rolled back: the version before it keeps working on
    /// the database (tickets and events written by either are all there).
    #[test]
    fn after_a_rollback_the_older_version_uses_a_database_a_newer_one_only_added_to() {
        let dir = tempfile::tempdir().unwrap();
        let path = Store::path_in(dir.path());
        let now = chrono::Local::now().fixed_offset();
        let mut newer = Store::open_with(
            &path,
            &next_version("CREATE TABLE appointments (code TEXT PRIMARY KEY);"),
        )
        .unwrap();
        outbox::append(newer.conn(), "by.newer", &1, now).unwrap();
        drop(newer);

        let mut older = Store::open(&path).expect("the older version opens it");
        outbox::append(older.conn(), "by.older", &2, now).unwrap();
        let kinds: Vec<String> = older
            .conn()
            .prepare("SELECT kind FROM outbox ORDER BY seq")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(kinds, ["by.newer", "by.older"]);
        drop(older);
        Store::open_with(
            &path,
            &next_version("CREATE TABLE appointments (code TEXT PRIMARY KEY);"),
        )
        .expect("and the newer version again, once installed again");
    }

    /// A newer version that changed what this one uses says so: this one refuses the
    /// database rather than misreading it.
    #[test]
    fn the_older_version_refuses_a_database_a_newer_one_changed() {
        let dir = tempfile::tempdir().unwrap();
        let path = Store::path_in(dir.path());
        drop(
            Store::open_with(
                &path,
                // The next version's number: it alone can read what it changed.
                &next_version(Box::leak(
                    format!(
                        "ALTER TABLE tickets RENAME COLUMN queue_service TO queue; \
                         UPDATE schema_compat SET readable_by = {};",
                        MIGRATIONS.len() + 1
                    )
                    .into_boxed_str(),
                )),
            )
            .unwrap(),
        );
        let err = Store::open(&path).expect_err("a changed schema");
        assert!(err.to_string().contains("newer version"), "{err}");
    }
}
