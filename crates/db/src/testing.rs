//! A fresh empty database for a test: a SQLite file in a temporary directory, or,
//! when `CANDOUR_TEST_POSTGRES` names a PostgreSQL database at run time, a fresh
//! schema in it (so that the same tests run on either backend).

use std::path::PathBuf;

use crate::{Database, Opened, PoolSize};

/// The variable that names the PostgreSQL database tests make their schemas in.
pub const VARIABLE: &str = "CANDOUR_TEST_POSTGRES";

/// A fresh database, removed when dropped (the SQLite file with its directory; the
/// PostgreSQL schema with everything in it).
pub struct TestDatabase {
    database: Database,
    place: Place,
}

enum Place {
    Sqlite(tempfile::TempDir),
    Postgres { server: String, schema: String },
}

impl TestDatabase {
    /// On PostgreSQL when `CANDOUR_TEST_POSTGRES` is set, else on SQLite.
    pub async fn fresh() -> Self {
        match std::env::var(VARIABLE) {
            Ok(server) if !server.trim().is_empty() => Self::postgres(&server).await,
            _ => Self::sqlite(),
        }
    }

    /// [`TestDatabase::fresh`] for a test that is not async.
    pub fn fresh_blocking() -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
        runtime.block_on(Self::fresh())
    }

    /// Opens the database a `--db` value names, with a small pool (tests run many at once).
    pub async fn open_value(value: &str) -> Opened {
        let database = Database::parse(value).expect("a database");
        crate::open_with(&database, PoolSize(4)).await.expect("the test database opens")
    }

    /// Always a SQLite file, for the tests about SQLite files themselves.
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let database = Database::Sqlite(dir.path().join("candour.db"));
        TestDatabase { database, place: Place::Sqlite(dir) }
    }

    /// A fresh schema in the PostgreSQL database `server` names.
    pub async fn postgres(server: &str) -> Self {
        let schema = format!("t_{:016x}", fastrand::u64(..));
        let admin = sqlx::PgPool::connect(server).await.unwrap_or_else(|e| panic!("{VARIABLE} does not answer: {e}"));
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(&admin)
            .await
            .expect("a fresh schema");
        admin.close().await;
        let separator = if server.contains('?') { '&' } else { '?' };
        let url = format!("{server}{separator}options[search_path]={schema}");
        TestDatabase {
            database: Database::Postgres(url),
            place: Place::Postgres { server: server.to_string(), schema },
        }
    }

    /// Whether the tests are running on PostgreSQL (`CANDOUR_TEST_POSTGRES` is set).
    pub fn on_postgres() -> bool {
        std::env::var(VARIABLE).is_ok_and(|v| !v.trim().is_empty())
    }

    /// The `--db` value that names it.
    pub fn value(&self) -> String {
        match &self.database {
            Database::Sqlite(path) => path.display().to_string(),
            Database::Postgres(url) => url.clone(),
        }
    }

    pub fn database(&self) -> &Database {
        &self.database
    }

    /// Another fresh database of the same backend, for tests that need two.
    pub async fn another(&self) -> Self {
        match &self.place {
            Place::Sqlite(_) => Self::sqlite(),
            Place::Postgres { server, .. } => Self::postgres(server).await,
        }
    }

    /// A SQLite file next to this one's (in the same temporary directory), or a fresh PostgreSQL schema.
    pub fn sqlite_file(&self, name: &str) -> Option<PathBuf> {
        match &self.place {
            Place::Sqlite(dir) => Some(dir.path().join(name)),
            Place::Postgres { .. } => None,
        }
    }

    /// Opens it with a small pool (tests run many at once).
    pub async fn open(&self) -> Opened {
        crate::open_with(&self.database, PoolSize(4)).await.expect("the test database opens")
    }

    /// Whether PostgreSQL holds the planner's statistics of `table` (as `ANALYZE`
    /// leaves them); `None` on SQLite, which keeps none.
    pub async fn analyzed(&self, table: &str) -> Option<bool> {
        let Database::Postgres(url) = &self.database else { return None };
        let pool = sqlx::PgPool::connect(url).await.expect("the database");
        let sql = "SELECT EXISTS (SELECT 1 FROM pg_stats WHERE schemaname = current_schema() AND tablename = $1)";
        let found = sqlx::query_scalar(sql).bind(table).fetch_one(&pool).await.expect("statistics read");
        pool.close().await;
        Some(found)
    }

    /// Runs SQL straight on the database, bypassing the store and its checks, as
    /// old data or another writer could.
    pub async fn execute(&self, sql: &str) {
        let sql = sqlx::AssertSqlSafe(sql.to_string());
        match &self.database {
            Database::Sqlite(path) => {
                let options = sqlx::sqlite::SqliteConnectOptions::new().filename(path);
                let pool = sqlx::SqlitePool::connect_with(options).await.expect("the database");
                sqlx::raw_sql(sql).execute(&pool).await.expect("written");
                pool.close().await;
            }
            Database::Postgres(url) => {
                let pool = sqlx::PgPool::connect(url).await.expect("the database");
                sqlx::raw_sql(sql).execute(&pool).await.expect("written");
                pool.close().await;
            }
        }
    }
}

impl Drop for TestDatabase {
    /// Drops the schema on a thread of its own (drop cannot wait on the test's
    /// runtime). A schema still in use is left for the CI's `dropdb`.
    fn drop(&mut self) {
        let Place::Postgres { server, schema } = &self.place else { return };
        let (server, schema) = (server.clone(), schema.clone());
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            runtime.block_on(async {
                let pool = sqlx::PgPool::connect(&server).await.ok()?;
                let sql = format!("SET lock_timeout = '2s'; DROP SCHEMA IF EXISTS {schema} CASCADE");
                let dropped = sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&pool).await.ok();
                pool.close().await;
                dropped
            })
        });
        let _ = dropped.join();
    }
}
