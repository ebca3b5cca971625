//! The change journal. Each write method appends its entries with the functions
//! here, on its own transaction, so that an entry is committed exactly when its
//! write is. SQLite has one writer at a time: entries become visible in sequence
//! order, as [`JournalStore`] requires.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::sqlite::{Sqlite, SqlitePool};
use sqlx::{QueryBuilder, Row, SqliteConnection};

use candour_domain::LocationId;
use candour_store::{Change, ChangeKind, ImportPlan, JournalStore, StoreResult};

use crate::codec::{corrupt, stamp};
use crate::{SqliteStore, other};

/// Rows per multi-row statement.
const CHUNK: usize = 4000;

/// Appends one entry.
pub(crate) async fn append(
    conn: &mut SqliteConnection,
    location: Option<&str>,
    kind: ChangeKind,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query("INSERT INTO changes (location_id, kind, at) VALUES (?, ?, ?)")
        .bind(location)
        .bind(kind.code())
        .bind(stamp(at))
        .execute(conn)
        .await
        .map(drop)
        .map_err(other)
}

/// Appends one entry per location, each once, in ID order.
pub(crate) async fn append_each<'a>(
    conn: &mut SqliteConnection,
    locations: impl IntoIterator<Item = &'a str>,
    kind: ChangeKind,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let mut ids: Vec<&str> = locations.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    let at = stamp(at);
    for chunk in ids.chunks(CHUNK) {
        let mut qb = QueryBuilder::<Sqlite>::new("INSERT INTO changes (location_id, kind, at) ");
        qb.push_values(chunk, |mut b, id| {
            b.push_bind(*id).push_bind(kind.code()).push_bind(&at);
        });
        qb.build().execute(&mut *conn).await.map_err(other)?;
    }
    Ok(())
}

/// Appends one entry per location of `provider` on the register.
pub(crate) async fn append_for_provider(
    conn: &mut SqliteConnection,
    provider: &str,
    kind: ChangeKind,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO changes (location_id, kind, at) \
         SELECT id, ?, ? FROM locations WHERE provider_id = ? ORDER BY id",
    )
    .bind(kind.code())
    .bind(stamp(at))
    .bind(provider)
    .execute(conn)
    .await
    .map(drop)
    .map_err(other)
}

/// A register import: one entry per location it adds, changes or deregisters, and
/// per location of a provider it changes (the provider's name shows with each).
pub(crate) async fn append_import(
    conn: &mut SqliteConnection,
    plan: &ImportPlan,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let run = |sql: &'static str| sqlx::query(sql);
    run("CREATE TEMP TABLE IF NOT EXISTS journal_touched (id TEXT PRIMARY KEY) WITHOUT ROWID")
        .execute(&mut *conn)
        .await
        .map_err(other)?;
    run("DELETE FROM journal_touched").execute(&mut *conn).await.map_err(other)?;
    let listed =
        plan.locations.iter().map(|l| l.id.as_str()).chain(plan.ratings.iter().map(|r| r.location_id.as_str()));
    let listed: Vec<&str> = listed.collect();
    for chunk in listed.chunks(CHUNK) {
        let mut qb = QueryBuilder::<Sqlite>::new("INSERT OR IGNORE INTO journal_touched (id) ");
        qb.push_values(chunk, |mut b, id| {
            b.push_bind(*id);
        });
        qb.build().execute(&mut *conn).await.map_err(other)?;
    }
    for chunk in plan.providers.chunks(500) {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "INSERT OR IGNORE INTO journal_touched (id) SELECT id FROM locations WHERE provider_id IN (",
        );
        let mut list = qb.separated(", ");
        for p in chunk {
            list.push_bind(p.id.as_str());
        }
        qb.push(")");
        qb.build().execute(&mut *conn).await.map_err(other)?;
    }
    sqlx::query("INSERT INTO changes (location_id, kind, at) SELECT id, ?, ? FROM journal_touched ORDER BY id")
        .bind(ChangeKind::Register.code())
        .bind(stamp(at))
        .execute(&mut *conn)
        .await
        .map_err(other)?;
    run("DELETE FROM journal_touched").execute(&mut *conn).await.map(drop).map_err(other)
}

/// The first and last entries in the journal (`None` and 0 when it holds none).
pub(crate) async fn bounds(pool: &SqlitePool) -> StoreResult<(Option<i64>, i64)> {
    let (first, last): (Option<i64>, Option<i64>) =
        sqlx::query_as("SELECT MIN(sequence), MAX(sequence) FROM changes").fetch_one(pool).await.map_err(other)?;
    Ok((first, last.unwrap_or(0)))
}

/// The locations whose register entry changed after `after`, and the last entry read.
pub(crate) async fn register_changes(pool: &SqlitePool, after: i64) -> StoreResult<(i64, Vec<LocationId>)> {
    let mut conn = pool.begin().await.map_err(other)?;
    let (_, last) = sqlx::query_as::<_, (Option<i64>, Option<i64>)>("SELECT NULL, MAX(sequence) FROM changes")
        .fetch_one(&mut *conn)
        .await
        .map_err(other)?;
    let last = last.unwrap_or(after).max(after);
    let kinds: Vec<&str> = ChangeKind::ALL.into_iter().filter(|k| k.changes_register()).map(ChangeKind::code).collect();
    let mut qb = QueryBuilder::<Sqlite>::new("SELECT DISTINCT location_id FROM changes WHERE sequence > ");
    qb.push_bind(after).push(" AND sequence <= ").push_bind(last).push(" AND location_id IS NOT NULL AND kind IN (");
    let mut list = qb.separated(", ");
    for kind in kinds {
        list.push_bind(kind);
    }
    qb.push(")");
    let ids: Vec<String> = qb.build_query_scalar().fetch_all(&mut *conn).await.map_err(other)?;
    conn.commit().await.map_err(other)?;
    let ids = ids.iter().map(|id| LocationId::parse(id).map_err(|e| corrupt("journal location", e)));
    Ok((last, ids.collect::<StoreResult<_>>()?))
}

#[async_trait]
impl JournalStore for SqliteStore {
    async fn changes_after(&self, after: i64, limit: u32) -> StoreResult<Vec<Change>> {
        let rows = sqlx::query(
            "SELECT sequence, location_id, kind, at FROM changes WHERE sequence > ? ORDER BY sequence LIMIT ?",
        )
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await
        .map_err(other)?;
        rows.iter()
            .map(|row| {
                let location: Option<String> = row.try_get(1).map_err(other)?;
                let kind: String = row.try_get(2).map_err(other)?;
                Ok(Change {
                    sequence: row.try_get(0).map_err(other)?,
                    location: location
                        .map(|l| LocationId::parse(&l).map_err(|e| corrupt("journal location", e)))
                        .transpose()?,
                    kind: ChangeKind::parse(&kind).ok_or_else(|| corrupt("journal kind", &kind))?,
                    at: row.try_get(3).map_err(other)?,
                })
            })
            .collect()
    }

    /// SQLite cannot tell one process of another's commits: the caller polls.
    async fn wait_for_changes(&self, _after: i64, timeout: std::time::Duration) {
        tokio::time::sleep(timeout).await;
    }

    /// One file, no replicas.
    async fn write_position(&self) -> StoreResult<Option<candour_store::consistency::WritePosition>> {
        Ok(None)
    }

    async fn last_change(&self) -> StoreResult<i64> {
        // The highest sequence ever handed out, kept by SQLite even once its row is pruned.
        let seq: Option<i64> = sqlx::query_scalar("SELECT seq FROM sqlite_sequence WHERE name = 'changes'")
            .fetch_optional(&self.reader)
            .await
            .map_err(other)?;
        Ok(seq.unwrap_or(0))
    }

    async fn prune_changes(&self, before: i64, older_than: DateTime<Utc>) -> StoreResult<u64> {
        // Only ever the oldest entries: a follower that finds the first entry past its
        // own cursor knows that nothing in between is missing.
        let done = sqlx::query(
            "DELETE FROM changes WHERE sequence < ?1 \
             AND sequence < COALESCE((SELECT sequence FROM changes WHERE at >= ?2 ORDER BY sequence LIMIT 1), ?1)",
        )
        .bind(before)
        .bind(stamp(older_than))
        .execute(&self.writer)
        .await
        .map_err(other)?;
        Ok(done.rows_affected())
    }
}
