//! The embedded default [`Store`]: one SQLite file in WAL mode, with one writer
//! connection (SQLite allows one writer at a time; queuing writes in our own pool
//! avoids busy errors) and a pool of readers.

#[macro_use]
mod codec;
mod read;
mod write;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

use candour_domain::{LocationId, ProviderId};
use candour_store::*;

pub struct SqliteStore {
    reader: SqlitePool,
    writer: SqlitePool,
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

impl SqliteStore {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub async fn open(path: &Path) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))
            .map_err(other)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("cache_size", "-32000")
            .pragma("temp_store", "memory");
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await
            .map_err(|e| StoreError::Invalid(format!("cannot open database {}: {e}", path.display())))?;
        MIGRATOR.run(&writer).await.map_err(other)?;
        let readers = std::thread::available_parallelism().map_or(4, |n| n.get() as u32 * 2).max(4);
        let reader = SqlitePoolOptions::new()
            .max_connections(readers)
            .connect_with(options.read_only(true))
            .await
            .map_err(other)?;
        Ok(Self { reader, writer })
    }

    /// Whether the database holds no locations yet (used to seed the demo once).
    pub async fn is_empty(&self) -> StoreResult<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM locations").fetch_one(&self.reader).await.map_err(other)?;
        Ok(n == 0)
    }

    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }
}

pub(crate) fn other(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Other(Box::new(e))
}

#[async_trait]
impl Store for SqliteStore {
    async fn location(&self, id: &LocationId) -> StoreResult<LocationDetail> {
        read::location(&self.reader, id).await
    }

    async fn provider(&self, id: &ProviderId) -> StoreResult<ProviderDetail> {
        read::provider(&self.reader, id).await
    }

    async fn search_locations(&self, query: &LocationQuery) -> StoreResult<Page<LocationSummary>> {
        read::search_locations(&self.reader, query).await
    }

    async fn local_authorities(&self) -> StoreResult<Vec<AreaCount>> {
        read::local_authorities(&self.reader).await
    }

    async fn specialisms(&self) -> StoreResult<Vec<NameCount>> {
        read::specialisms(&self.reader).await
    }

    async fn register_stats(&self) -> StoreResult<RegisterStats> {
        read::register_stats(&self.reader).await
    }

    async fn register_snapshot(&self) -> StoreResult<RegisterSnapshot> {
        read::register_snapshot(&self.reader).await
    }

    async fn apply_import(&self, plan: &ImportPlan) -> StoreResult<()> {
        write::apply_import(&self.writer, plan).await
    }

    async fn import_runs(&self, limit: u32) -> StoreResult<Vec<ImportRun>> {
        read::import_runs(&self.reader, limit).await
    }

    async fn get_state(&self, key: &str) -> StoreResult<Option<String>> {
        sqlx::query_scalar("SELECT value FROM state WHERE key = ?")
            .bind(key)
            .fetch_optional(&self.reader)
            .await
            .map_err(other)
    }

    async fn set_state(&self, key: &str, value: &str) -> StoreResult<()> {
        sqlx::query("INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(value)
            .execute(&self.writer)
            .await
            .map(drop)
            .map_err(other)
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.reader).await.map(drop).map_err(other)
    }
}

#[cfg(test)]
mod conformance {
    async fn fresh() -> (super::SqliteStore, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("temporary directory");
        let store = super::SqliteStore::open(&dir.path().join("candour.db")).await.expect("open store");
        (store, dir)
    }

    candour_store::conformance_tests!(fresh);
}
