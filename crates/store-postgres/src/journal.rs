//! The change journal on PostgreSQL. Writers run at once here, so the order in
//! which entries become visible must be kept by hand: every append takes one
//! transaction-level advisory lock and holds it until its transaction ends. The
//! next appender gets its sequence number only after the previous one committed
//! (or rolled back), so a reader that sees entry `n` has seen every entry below it.
//! Appends therefore come last in their transaction, just before the commit.
//!
//! Each append also notifies `candour_changes:<schema>` (delivered at commit)
//! with the kind of change, so that followers on every instance wake at once;
//! they still read by sequence number, so a lost notification costs only a poll.
//! (Channels belong to the whole database: the schema's name in it keeps
//! deployments in different schemas of one database from waking each other.)

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::postgres::{PgListener, PgPool};
use sqlx::{PgConnection, Row};
use tokio::sync::watch;

use candour_domain::LocationId;
use candour_store::consistency::WritePosition;
use candour_store::{Change, ChangeKind, ImportPlan, JournalStore, StoreResult};

use crate::{PostgresStore, corrupt, other};

/// The advisory lock key that orders appends (an arbitrary constant of our own).
const JOURNAL_LOCK: i64 = 0x6361_6e64_6f75_7201;
/// The channel commits are announced on, before the schema's name.
const CHANNEL: &str = "candour_changes:";

/// Takes the journal's lock for the rest of the transaction and announces the
/// change at commit. Called by every append, before its insert.
async fn lock_and_announce(conn: &mut PgConnection, kind: ChangeKind) -> StoreResult<()> {
    sqlx::query("SELECT pg_advisory_xact_lock($1), pg_notify($2 || current_schema(), $3)")
        .bind(JOURNAL_LOCK)
        .bind(CHANNEL)
        .bind(kind.code())
        .execute(conn)
        .await
        .map(drop)
        .map_err(other)
}

/// Appends one entry. Last in its transaction: see the module's comment.
pub(crate) async fn append(
    conn: &mut PgConnection,
    location: Option<&str>,
    kind: ChangeKind,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    lock_and_announce(conn, kind).await?;
    sqlx::query("INSERT INTO changes (location_id, kind, at) VALUES ($1, $2, $3)")
        .bind(location)
        .bind(kind.code())
        .bind(at)
        .execute(conn)
        .await
        .map(drop)
        .map_err(other)
}

/// Appends one entry per location, each once, in ID order.
pub(crate) async fn append_each<'a>(
    conn: &mut PgConnection,
    locations: impl IntoIterator<Item = &'a str>,
    kind: ChangeKind,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let mut ids: Vec<&str> = locations.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(());
    }
    lock_and_announce(conn, kind).await?;
    sqlx::query(
        "INSERT INTO changes (location_id, kind, at) \
         SELECT id, $2, $3 FROM UNNEST($1::text[]) WITH ORDINALITY AS t(id, n) ORDER BY n",
    )
    .bind(&ids)
    .bind(kind.code())
    .bind(at)
    .execute(conn)
    .await
    .map(drop)
    .map_err(other)
}

/// Appends one entry per location of `provider` on the register.
pub(crate) async fn append_for_provider(
    conn: &mut PgConnection,
    provider: &str,
    kind: ChangeKind,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    lock_and_announce(conn, kind).await?;
    sqlx::query(
        "INSERT INTO changes (location_id, kind, at) \
         SELECT id, $1, $2 FROM locations WHERE provider_id = $3 ORDER BY id",
    )
    .bind(kind.code())
    .bind(at)
    .bind(provider)
    .execute(conn)
    .await
    .map(drop)
    .map_err(other)
}

/// A register import: one entry per location it adds, changes or deregisters, and
/// per location of a provider it changes (the provider's name shows with each).
pub(crate) async fn append_import(conn: &mut PgConnection, plan: &ImportPlan, at: DateTime<Utc>) -> StoreResult<()> {
    let listed: Vec<&str> = plan
        .locations
        .iter()
        .map(|l| l.id.as_str())
        .chain(plan.ratings.iter().map(|r| r.location_id.as_str()))
        .collect();
    let providers: Vec<&str> = plan.providers.iter().map(|p| p.id.as_str()).collect();
    if listed.is_empty() && providers.is_empty() {
        return Ok(());
    }
    lock_and_announce(conn, ChangeKind::Register).await?;
    sqlx::query(
        "INSERT INTO changes (location_id, kind, at) \
         SELECT id, $3, $4 FROM (SELECT UNNEST($1::text[]) AS id \
           UNION SELECT id FROM locations WHERE provider_id = ANY($2)) AS touched ORDER BY id",
    )
    .bind(&listed)
    .bind(&providers)
    .bind(ChangeKind::Register.code())
    .bind(at)
    .execute(conn)
    .await
    .map(drop)
    .map_err(other)
}

/// The first and last entries in the journal (`None` and 0 when it holds none).
pub(crate) async fn bounds(pool: &PgPool) -> StoreResult<(Option<i64>, i64)> {
    let (first, last): (Option<i64>, Option<i64>) =
        sqlx::query_as("SELECT MIN(sequence), MAX(sequence) FROM changes").fetch_one(pool).await.map_err(other)?;
    Ok((first, last.unwrap_or(0)))
}

/// The locations whose register entry changed after `after`, and the last entry
/// read. Every entry up to the last one visible is final (see the module's
/// comment), so reading up to it misses none.
pub(crate) async fn register_changes(pool: &PgPool, after: i64) -> StoreResult<(i64, Vec<LocationId>)> {
    let (_, last) = bounds(pool).await?;
    let last = last.max(after);
    let kinds: Vec<&str> = ChangeKind::ALL.into_iter().filter(|k| k.changes_register()).map(ChangeKind::code).collect();
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT location_id FROM changes WHERE sequence > $1 AND sequence <= $2 \
         AND location_id IS NOT NULL AND kind = ANY($3)",
    )
    .bind(after)
    .bind(last)
    .bind(&kinds)
    .fetch_all(pool)
    .await
    .map_err(other)?;
    let ids = ids.iter().map(|id| LocationId::parse(id).map_err(|e| corrupt("journal location", e)));
    Ok((last, ids.collect::<StoreResult<_>>()?))
}

/// What this instance has heard on its schema's channel: a count that moves with every
/// notification, and one that moves only with register changes (which the
/// directory follows).
#[derive(Clone)]
pub(crate) struct Heard {
    pub(crate) any: watch::Receiver<u64>,
    pub(crate) register: watch::Receiver<u64>,
}

/// Listens on the schema's channel for as long as the pool lives. The listener reconnects
/// by itself; while it is away, followers fall back on polling.
pub(crate) async fn listen(pool: &PgPool) -> StoreResult<Heard> {
    let mut listener = PgListener::connect_with(pool).await.map_err(other)?;
    let channel: String =
        sqlx::query_scalar("SELECT $1 || current_schema()").bind(CHANNEL).fetch_one(pool).await.map_err(other)?;
    listener.listen(&channel).await.map_err(other)?;
    let (any_tx, any) = watch::channel(0u64);
    let (register_tx, register) = watch::channel(0u64);
    let closed = pool.close_event();
    tokio::spawn(async move {
        tokio::pin!(closed);
        loop {
            // Ends with the pool, or once nobody holds the store to hear anything.
            let note = tokio::select! {
                note = listener.recv() => note,
                () = &mut closed => return,
                () = any_tx.closed() => return,
            };
            match note {
                Ok(note) => {
                    any_tx.send_modify(|n| *n += 1);
                    if ChangeKind::parse(note.payload()).is_some_and(ChangeKind::changes_register) {
                        register_tx.send_modify(|n| *n += 1);
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "lost the journal's notifications; reconnecting");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    });
    Ok(Heard { any, register })
}

#[async_trait]
impl JournalStore for PostgresStore {
    async fn changes_after(&self, after: i64, limit: u32) -> StoreResult<Vec<Change>> {
        let rows = sqlx::query(
            "SELECT sequence, location_id, kind, at FROM changes WHERE sequence > $1 ORDER BY sequence LIMIT $2",
        )
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(self.write())
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

    async fn wait_for_changes(&self, after: i64, timeout: Duration) {
        let mut heard = self.heard.any.clone();
        heard.borrow_and_update();
        // An entry may have been committed before this call began listening.
        if self.last_change().await.is_ok_and(|last| last > after) {
            return;
        }
        let _ = tokio::time::timeout(timeout, heard.changed()).await;
    }

    async fn write_position(&self) -> StoreResult<Option<WritePosition>> {
        if !self.replicas.any() {
            return Ok(None);
        }
        let now = crate::replicas::position(self.write(), "SELECT pg_current_wal_lsn()::text").await?;
        Ok(Some(WritePosition(now)))
    }

    async fn last_change(&self) -> StoreResult<i64> {
        // The highest number handed out, even if pruned since. Read under the
        // journal's lock (shared), so that no append is still between its number
        // and its commit: every number up to this one is final. One statement, so
        // the lock is let go at once, never held while this process is busy: the
        // function in FROM takes it before the row's value is read.
        let last: Option<i64> = sqlx::query_scalar(
            "SELECT pg_sequence_last_value('changes_sequence_seq'::regclass) \
             FROM pg_advisory_xact_lock_shared($1) AS locked",
        )
        .bind(JOURNAL_LOCK)
        .fetch_one(self.write())
        .await
        .map_err(other)?;
        Ok(last.unwrap_or(0))
    }

    async fn prune_changes(&self, before: i64, older_than: DateTime<Utc>) -> StoreResult<u64> {
        // Only ever the oldest entries: a follower that finds the first entry past its
        // own cursor knows that nothing in between is missing.
        let done = sqlx::query(
            "DELETE FROM changes WHERE sequence < $1 \
             AND sequence < COALESCE((SELECT sequence FROM changes WHERE at >= $2 ORDER BY sequence LIMIT 1), $1)",
        )
        .bind(before)
        .bind(older_than)
        .execute(self.write())
        .await
        .map_err(other)?;
        Ok(done.rows_affected())
    }
}
