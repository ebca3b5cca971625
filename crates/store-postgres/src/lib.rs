//! The national [`Store`]: PostgreSQL. Any number of instances run on one
//! database: each follows the change journal (LISTEN/NOTIFY to wake, sequence
//! numbers so that nothing is missed), and what they must share (allowances, job
//! locks, the outbox's claims) lives in the database.

mod accounts;
mod assessments;
#[macro_use]
mod codec;
mod complaints;
mod improvement;
mod journal;
mod monitoring;
mod notices;
mod policies;
mod practice;
mod register;
mod replicas;
mod returns;
mod shared;
mod visits;
mod voice;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use candour_store::{StoreError, StoreResult};

pub struct PostgresStore {
    pool: PgPool,
    /// Read replicas, if any (`--db-read`).
    replicas: Arc<replicas::Replicas>,
    /// What this instance has heard of commits, from any instance.
    heard: journal::Heard,
    /// The in-memory directory and where in the journal it stands.
    directory: register::Directory,
    /// People's voice: its writer for feedback in groups.
    voice: voice::VoiceState,
    /// Allowances, taken in groups.
    allowances: shared::AllowanceState,
}

/// How a store connects: the pool's size (each instance needs its own share of
/// the server's `max_connections`).
#[derive(Debug, Clone, Copy)]
pub struct PoolSize(pub u32);

impl Default for PoolSize {
    fn default() -> Self {
        PoolSize(16)
    }
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

impl PostgresStore {
    /// Connects to the database a `postgres://` URL names and brings its schema up to date.
    pub async fn open(url: &str, size: PoolSize) -> StoreResult<Self> {
        Self::open_with_replicas(url, &[], size).await
    }

    /// As [`open`](Self::open), with read replicas of that database for read-only work.
    pub async fn open_with_replicas(url: &str, replica_urls: &[String], size: PoolSize) -> StoreResult<Self> {
        let pool = connect(url, size).await?;
        MIGRATOR.run(&pool).await.map_err(other)?;
        let mut replica_pools = Vec::new();
        for replica in replica_urls {
            replica_pools.push(connect(replica, size).await?);
        }
        let heard = journal::listen(&pool).await?;
        Ok(Self {
            replicas: replicas::Replicas::start(pool.clone(), replica_pools),
            directory: register::Directory::new(),
            voice: voice::VoiceState::start(pool.clone()),
            allowances: shared::AllowanceState::start(pool.clone()),
            heard,
            pool,
        })
    }

    /// The primary: every write, and every read that must see the latest commit
    /// (following the journal, reading inside a write).
    pub(crate) fn write(&self) -> &PgPool {
        &self.pool
    }

    /// Where a read-only request may read: a replica that has replayed what the
    /// caller must see (see [`replicas`]), or else the primary.
    pub(crate) fn read(&self) -> &PgPool {
        self.replicas.choose(candour_store::consistency::read_after()).unwrap_or(&self.pool)
    }

    /// Whether the database holds no locations yet (used to seed the demo once).
    pub async fn is_empty(&self) -> StoreResult<bool> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM locations").fetch_one(self.write()).await.map_err(other)?;
        Ok(n == 0)
    }

    /// Refreshes the statistics PostgreSQL plans queries from. After a bulk load
    /// they describe empty tables until autovacuum (which may be off) gets round to
    /// them: the monitor's loads then sort on disk instead of reading an index.
    pub async fn analyze(&self) -> StoreResult<()> {
        sqlx::query("ANALYZE").execute(self.write()).await.map(drop).map_err(other)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

async fn connect(url: &str, size: PoolSize) -> StoreResult<PgPool> {
    let options = PgConnectOptions::from_str(url)
        .map_err(|e| StoreError::Invalid(format!("{} is not a PostgreSQL address: {e}", redacted(url))))?;
    PgPoolOptions::new()
        .max_connections(size.0)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await
        .map_err(|e| StoreError::Invalid(format!("cannot connect to {}: {e}", redacted(url))))
}

/// The URL without its password, for messages.
pub fn redacted(url: &str) -> String {
    match url.split_once("://").and_then(|(scheme, rest)| rest.split_once('@').map(|(auth, host)| (scheme, auth, host)))
    {
        Some((scheme, auth, host)) => {
            let user = auth.split(':').next().unwrap_or("");
            format!("{scheme}://{user}@{host}")
        }
        None => url.to_string(),
    }
}

pub(crate) fn other(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Other(Box::new(e))
}

/// A stored value that no longer parses means the database was changed behind our back.
pub(crate) fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Other(format!("stored {what} is not valid: {e}").into())
}

/// The conformance suite, on a fresh schema of the database that
/// `CANDOUR_TEST_POSTGRES` names (set when the tests are built: see build.rs).
#[cfg(all(test, candour_postgres_tests))]
mod conformance {
    pub(crate) async fn fresh() -> (super::PostgresStore, ()) {
        let url = fresh_url().await;
        let store = super::PostgresStore::open(&url, super::PoolSize(4)).await.expect("open store");
        (store, ())
    }

    /// The address of a fresh, empty schema (several stores may open it).
    pub(crate) async fn fresh_url() -> String {
        let url = env!("CANDOUR_TEST_POSTGRES");
        let schema = format!("t_{:016x}", fastrand::u64(..));
        let admin = sqlx::PgPool::connect(url).await.expect("the test server (CANDOUR_TEST_POSTGRES) answers");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(&admin)
            .await
            .expect("a fresh schema");
        admin.close().await;
        let separator = if url.contains('?') { '&' } else { '?' };
        format!("{url}{separator}options[search_path]={schema}")
    }

    candour_store::conformance_tests!(fresh);
}
