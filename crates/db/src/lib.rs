//! Which database a `--db` value names, opening it, and copying a deployment
//! between databases. A `postgres://` (or `postgresql://`) URL names PostgreSQL;
//! anything else is the path of a SQLite file.

mod backup;
mod copy;
mod schema;
#[cfg(feature = "testing")]
mod testing;
mod value;

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use candour_store::{Store, StoreError, StoreResult};
use candour_store_postgres::PostgresStore;
use candour_store_sqlite::SqliteStore;

pub use backup::{backup, restore};
pub use candour_store_postgres::PoolSize;
pub use copy::{CopyReport, TableReport, copy};
#[cfg(feature = "testing")]
pub use testing::TestDatabase;

/// A database Candour can keep its data in.
#[derive(Clone, PartialEq, Eq)]
pub enum Database {
    Sqlite(PathBuf),
    /// The URL as given (with any password); shown only through [`fmt::Display`], which leaves the password out.
    Postgres(String),
}

impl Database {
    /// A `postgres://` or `postgresql://` URL is PostgreSQL; anything else a SQLite file path.
    pub fn parse(value: &str) -> Result<Self, String> {
        let value = value.trim();
        if value.is_empty() {
            return Err("no database given: a SQLite file path or a postgres:// URL".to_string());
        }
        if is_postgres_url(value) {
            sqlx::postgres::PgConnectOptions::from_str(value)
                .map_err(|e| format!("{} is not a PostgreSQL address: {e}", candour_store_postgres::redacted(value)))?;
            return Ok(Database::Postgres(value.to_string()));
        }
        if value.contains("://") {
            return Err(format!(
                "{} is neither a postgres:// URL nor a file path",
                candour_store_postgres::redacted(value)
            ));
        }
        Ok(Database::Sqlite(PathBuf::from(value)))
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Database::Postgres(_))
    }
}

fn is_postgres_url(value: &str) -> bool {
    let lower = value.get(..13).unwrap_or(value).to_ascii_lowercase();
    lower.starts_with("postgres://") || lower.starts_with("postgresql://")
}

impl FromStr for Database {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, String> {
        Database::parse(value)
    }
}

/// How the database is named in messages: the path, or the URL without its password.
impl fmt::Display for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Database::Sqlite(path) => write!(f, "{}", path.display()),
            Database::Postgres(url) => f.write_str(&candour_store_postgres::redacted(url)),
        }
    }
}

impl fmt::Debug for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Database({self})")
    }
}

/// An open database: the store every command uses, and what only the backend
/// itself can answer (whether it is empty, closing it).
#[derive(Clone)]
pub struct Opened {
    backend: Backend,
}

#[derive(Clone)]
enum Backend {
    Sqlite(Arc<SqliteStore>),
    Postgres(Arc<PostgresStore>),
}

impl Opened {
    pub fn store(&self) -> Arc<dyn Store> {
        match &self.backend {
            Backend::Sqlite(store) => store.clone(),
            Backend::Postgres(store) => store.clone(),
        }
    }

    /// Whether the database holds no locations yet (the demo is seeded only then).
    pub async fn is_empty(&self) -> StoreResult<bool> {
        match &self.backend {
            Backend::Sqlite(store) => store.is_empty().await,
            Backend::Postgres(store) => store.is_empty().await,
        }
    }

    /// After a bulk load (the demo, a copy): brings what the database plans its
    /// queries from up to date. SQLite's planner goes by the indexes alone.
    pub async fn analyze(&self) -> StoreResult<()> {
        match &self.backend {
            Backend::Sqlite(_) => Ok(()),
            Backend::Postgres(store) => store.analyze().await,
        }
    }

    /// Closes the connections (the store's other holders can no longer use it).
    pub async fn close(&self) {
        match &self.backend {
            Backend::Sqlite(store) => store.close().await,
            Backend::Postgres(store) => store.close().await,
        }
    }
}

/// Opens the database, creating a SQLite file if missing, and brings its schema up to date.
pub async fn open(db: &Database) -> StoreResult<Opened> {
    open_with(db, PoolSize::default()).await
}

/// [`open`], with a PostgreSQL pool of this size (SQLite ignores it).
pub async fn open_with(db: &Database, size: PoolSize) -> StoreResult<Opened> {
    let backend = match db {
        Database::Sqlite(path) => Backend::Sqlite(Arc::new(SqliteStore::open(path).await?)),
        Database::Postgres(url) => Backend::Postgres(Arc::new(PostgresStore::open(url, size).await?)),
    };
    Ok(Opened { backend })
}

/// [`open`], with read replicas of a PostgreSQL database (`postgres://` URLs)
/// for read-only work.
pub async fn open_with_replicas(db: &Database, replicas: &[String]) -> StoreResult<Opened> {
    if replicas.is_empty() {
        return open(db).await;
    }
    let Database::Postgres(url) = db else {
        return Err(StoreError::Invalid("read replicas need a PostgreSQL database: --db postgres://…".into()));
    };
    for replica in replicas {
        if !Database::parse(replica).is_ok_and(|r| r.is_postgres()) {
            let shown = candour_store_postgres::redacted(replica);
            return Err(StoreError::Invalid(format!("the read replica {shown} is not a postgres:// URL")));
        }
    }
    let store = PostgresStore::open_with_replicas(url, replicas, PoolSize::default()).await?;
    Ok(Opened { backend: Backend::Postgres(Arc::new(store)) })
}

/// The error for a database that cannot be opened, naming it without its password.
pub fn cannot_open(db: &Database, e: StoreError) -> anyhow::Error {
    anyhow::anyhow!("cannot open the database {db}: {e}")
}

/// The path a SQLite database is in, for the commands that need a file.
pub fn sqlite_path(db: &Database) -> Option<&Path> {
    match db {
        Database::Sqlite(path) => Some(path),
        Database::Postgres(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_postgres_and_anything_else_a_file() {
        assert!(Database::parse("postgres://u:secret@db.example.org/candour").unwrap().is_postgres());
        assert!(Database::parse("PostgreSQL://db.example.org:5433/candour?sslmode=require").unwrap().is_postgres());
        assert_eq!(Database::parse("candour.db").unwrap(), Database::Sqlite(PathBuf::from("candour.db")));
        assert_eq!(Database::parse("/var/lib/x.db").unwrap(), Database::Sqlite(PathBuf::from("/var/lib/x.db")));
    }

    #[test]
    fn bad_urls_are_refused_without_their_password() {
        let e = Database::parse("postgres://u:secret@db.example.org:notaport/candour").unwrap_err();
        assert!(e.contains("not a PostgreSQL address") && !e.contains("secret"), "{e}");
        let e = Database::parse("mysql://u:secret@db.example.org/candour").unwrap_err();
        assert!(e.contains("neither") && !e.contains("secret"), "{e}");
        assert!(Database::parse("  ").is_err());
    }

    #[test]
    fn messages_leave_the_password_out() {
        let db = Database::parse("postgres://u:secret@db.example.org/candour").unwrap();
        assert_eq!(db.to_string(), "postgres://u@db.example.org/candour");
        assert!(!format!("{db:?}").contains("secret"));
    }
}
