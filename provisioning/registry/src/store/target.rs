//! Which database: `--db PATH` or `--db sqlite:PATH` (SQLite), `--db postgres://…` or
//! `postgresql://…` (PostgreSQL).

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// A database named on the command line or in `KIOSK_REGISTRY_DB`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbTarget {
    /// A SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection string (URL or key=value form).
    Postgres(String),
}

impl DbTarget {
    /// As given on the command line (`--db`), password included.
    pub fn arg(&self) -> String {
        match self {
            Self::Sqlite(p) => format!("sqlite:{}", p.display()),
            Self::Postgres(url) => url.clone(),
        }
    }

    /// The SQLite file, if this is one.
    pub fn sqlite_path(&self) -> Option<&Path> {
        match self {
            Self::Sqlite(p) => Some(p),
            Self::Postgres(_) => None,
        }
    }
}

impl FromStr for DbTarget {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            return Ok(Self::Postgres(s.to_string()));
        }
        let path = s.strip_prefix("sqlite:").unwrap_or(s);
        if path.is_empty() {
            return Err("an empty database path".into());
        }
        Ok(Self::Sqlite(PathBuf::from(path)))
    }
}

impl From<PathBuf> for DbTarget {
    fn from(p: PathBuf) -> Self {
        Self::Sqlite(p)
    }
}

impl From<&Path> for DbTarget {
    fn from(p: &Path) -> Self {
        Self::Sqlite(p.to_path_buf())
    }
}

impl fmt::Display for DbTarget {
    /// The file, or the PostgreSQL URL without its password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(p) => write!(f, "{}", p.display()),
            Self::Postgres(url) => match url.split_once('@') {
                Some((head, tail)) if head.contains(':') && head.matches(':').count() > 1 => {
                    let user_end = head.rfind(':').unwrap_or(head.len());
                    write!(f, "{}:***@{tail}", &head[..user_end])
                }
                _ => write!(f, "{url}"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::DbTarget;

    #[test]
    fn parses_both_kinds() {
        assert_eq!(
            "registry.db".parse::<DbTarget>().unwrap(),
            DbTarget::Sqlite("registry.db".into())
        );
        assert_eq!(
            "sqlite:/var/lib/r.db".parse::<DbTarget>().unwrap(),
            DbTarget::Sqlite("/var/lib/r.db".into())
        );
        let pg = "postgres://kiosk:secret@db1/registry";
        assert_eq!(
            pg.parse::<DbTarget>().unwrap(),
            DbTarget::Postgres(pg.into())
        );
        assert_eq!(
            pg.parse::<DbTarget>().unwrap().to_string(),
            "postgres://kiosk:***@db1/registry"
        );
    }
}
