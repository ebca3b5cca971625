//! A SQLite deployment's backup and restore. The backup is a consistent snapshot
//! of a running database (SQLite's `VACUUM INTO`: one read transaction, so writes
//! before it are all in and writes after it none); the restore checks the backup
//! is whole and Candour's before it replaces anything. PostgreSQL has its own tools
//! (`pg_dump`, `pg_restore`: see the README).

use std::path::Path;

use anyhow::{Context, bail};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

use crate::Database;

/// Writes a snapshot of the SQLite database to `to`, which must not exist yet.
/// Returns its size in bytes.
pub async fn backup(db: &Database, to: &Path) -> anyhow::Result<u64> {
    let Database::Sqlite(path) = db else {
        bail!("backup is for SQLite databases: back up PostgreSQL with pg_dump (see the README)");
    };
    if !path.exists() {
        bail!("there is no database at {}", path.display());
    }
    if to.exists() {
        bail!("{} already exists: choose a new file, so that no backup is overwritten", to.display());
    }
    let mut conn = SqliteConnectOptions::new().filename(path).create_if_missing(false).connect().await?;
    let target = to.to_str().with_context(|| format!("{} is not a path SQLite can write to", to.display()))?;
    sqlx::query("VACUUM INTO ?").bind(target).execute(&mut conn).await.context("the snapshot could not be written")?;
    conn.close().await?;
    Ok(std::fs::metadata(to)?.len())
}

/// Replaces the SQLite database at `db` with the backup `from`, once the backup
/// proves whole (SQLite's integrity check) and a Candour database. An existing
/// database is replaced only with `replace`: stop the server first. The database's
/// schema is then brought up to date, as at every start.
pub async fn restore(from: &Path, db: &Database, replace: bool) -> anyhow::Result<()> {
    let Database::Sqlite(path) = db else {
        bail!("restore is for SQLite databases: restore PostgreSQL with pg_restore (see the README)");
    };
    check_backup(from).await?;
    if path.exists() && !replace {
        bail!("{} already exists: stop the server, then restore with --replace to replace it", path.display());
    }
    // Copied beside it, then renamed over it: the database is the old one or the
    // new one, never half of each. Its old write-ahead log must not outlive it.
    let staging = path.with_extension("restoring");
    std::fs::copy(from, &staging).with_context(|| format!("cannot copy the backup to {}", staging.display()))?;
    std::fs::File::open(&staging)?.sync_all()?;
    for suffix in ["-wal", "-shm"] {
        let side = format!("{}{suffix}", path.display());
        if Path::new(&side).exists() {
            std::fs::remove_file(&side).with_context(|| format!("cannot remove {side}"))?;
        }
    }
    std::fs::rename(&staging, path).with_context(|| format!("cannot move the backup into {}", path.display()))?;
    crate::open(db).await.context("the restored database could not be opened")?.close().await;
    Ok(())
}

/// Whether `from` is a whole Candour SQLite database.
async fn check_backup(from: &Path) -> anyhow::Result<()> {
    if !from.is_file() {
        bail!("there is no backup file at {}", from.display());
    }
    let options = SqliteConnectOptions::new().filename(from).read_only(true).create_if_missing(false);
    let mut conn = options.connect().await.with_context(|| format!("{} is not a SQLite database", from.display()))?;
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .with_context(|| format!("{} is not a SQLite database", from.display()))?;
    if integrity != "ok" {
        bail!("{} is damaged: {integrity}", from.display());
    }
    let tables: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('_sqlx_migrations', 'locations', 'users')",
    )
    .fetch_one(&mut conn)
    .await?;
    conn.close().await?;
    if tables != 3 {
        bail!("{} is a SQLite database, but not a Candour one", from.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_backup_restores_and_bad_files_are_refused() {
        let dir = tempfile::tempdir().expect("a folder");
        let db = Database::Sqlite(dir.path().join("live.db"));
        crate::open(&db).await.expect("a new database").close().await;
        let copy = dir.path().join("copy.db");
        assert!(backup(&db, &copy).await.expect("a backup") > 0);
        assert!(backup(&db, &copy).await.is_err(), "a backup never overwrites another");

        let restored = Database::Sqlite(dir.path().join("restored.db"));
        restore(&copy, &restored, false).await.expect("restored into a new file");
        let refused = restore(&copy, &restored, false).await.expect_err("an existing database needs --replace");
        assert!(refused.to_string().contains("--replace"), "{refused}");
        restore(&copy, &restored, true).await.expect("replaced");

        let junk = dir.path().join("junk.db");
        std::fs::write(&junk, b"not a database at all, just some words").expect("a file");
        assert!(restore(&junk, &restored, true).await.is_err());
        let foreign = dir.path().join("foreign.db");
        let mut conn = SqliteConnectOptions::new().filename(&foreign).create_if_missing(true).connect().await.unwrap();
        sqlx::query("CREATE TABLE t (x)").execute(&mut conn).await.unwrap();
        conn.close().await.unwrap();
        let refused = restore(&foreign, &restored, true).await.expect_err("not a Candour database");
        assert!(refused.to_string().contains("not a Candour one"), "{refused}");
        assert!(restored_is_openable(&restored).await);
    }

    async fn restored_is_openable(db: &Database) -> bool {
        crate::open(db).await.map(|o| o.store()).is_ok()
    }
}
