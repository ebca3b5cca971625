//! Allowances and job locks, shared by every instance on the database.
//!
//! An allowance is a token bucket per key in `allowances`, written back only if
//! unchanged since it was read, so that two instances never both spend the last use. A job lock is a
//! session advisory lock held by a connection taken out of the pool: dropping
//! the lock closes that session, which lets go of it (as does a crashed process).

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::{Connection, PgConnection};

use candour_store::{Allowance, AllowanceStore, Bucket, JobLock, JobLockStore, StoreError, StoreResult};

use crate::{PostgresStore, other};

/// Every this many takes, this instance forgets buckets that have filled up again.
const PRUNE_EVERY: u64 = 1024;

static TAKES: AtomicU64 = AtomicU64::new(0);

/// When a bucket left as it is would hold its full capacity again.
fn full_at(bucket: Bucket, allowance: Allowance) -> DateTime<Utc> {
    let missing = (allowance.capacity() - bucket.tokens).max(0.0);
    let refill = Duration::try_from_secs_f64(missing / allowance.per_second()).unwrap_or(Duration::MAX);
    chrono::Duration::from_std(refill)
        .ok()
        .and_then(|d| bucket.updated.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

#[async_trait]
impl AllowanceStore for PostgresStore {
    /// Read, take, and write back only if nobody took meanwhile (else again): two
    /// short statements, no transaction to open and close, no row lock held
    /// across a round trip.
    async fn take_allowance(
        &self,
        key: &str,
        allowance: Allowance,
        now: DateTime<Utc>,
    ) -> StoreResult<Result<(), Duration>> {
        let taken = loop {
            let kept: Option<(f64, DateTime<Utc>)> =
                sqlx::query_as("SELECT tokens, updated FROM allowances WHERE key = $1")
                    .bind(key)
                    .fetch_optional(self.write())
                    .await
                    .map_err(other)?;
            let before = kept.map(|(tokens, updated)| Bucket { tokens, updated });
            let (after, taken) = before.unwrap_or_else(|| Bucket::full(allowance, now)).take(allowance, now);
            let sql = match before {
                Some(_) => {
                    "UPDATE allowances SET tokens = $2, updated = $3, full_at = $4                      WHERE key = $1 AND tokens = $5 AND updated = $6"
                }
                None => {
                    "INSERT INTO allowances (key, tokens, updated, full_at) VALUES ($1, $2, $3, $4)                      ON CONFLICT (key) DO NOTHING"
                }
            };
            let mut query = sqlx::query(sql).bind(key).bind(after.tokens).bind(after.updated);
            query = query.bind(full_at(after, allowance));
            if let Some(before) = before {
                query = query.bind(before.tokens).bind(before.updated);
            }
            if query.execute(self.write()).await.map_err(other)?.rows_affected() == 1 {
                break taken;
            }
        };
        if TAKES.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1 {
            self.forget_full_buckets(now).await?;
        }
        Ok(taken)
    }
}

impl PostgresStore {
    /// A bucket that has filled up again is the same as no bucket at all.
    async fn forget_full_buckets(&self, now: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query("DELETE FROM allowances WHERE full_at <= $1")
            .bind(now)
            .execute(self.write())
            .await
            .map(drop)
            .map_err(other)
    }
}

/// The advisory lock key of a job: FNV-1a of its name, the same on every
/// instance and every build.
fn job_key(job: &str) -> i64 {
    let hash = format!("candour-job:{job}")
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3));
    i64::from_ne_bytes(hash.to_ne_bytes())
}

/// The session that holds a job's advisory lock. It belongs to no pool, so
/// ending it lets go of the lock: closed politely in the background when the
/// lock is dropped inside the runtime, or else simply disconnected.
struct HeldSession(Mutex<Option<PgConnection>>);

impl Drop for HeldSession {
    fn drop(&mut self) {
        let session = self.0.get_mut().unwrap_or_else(|e| e.into_inner()).take();
        if let (Some(session), Ok(runtime)) = (session, tokio::runtime::Handle::try_current()) {
            runtime.spawn(async move { session.close().await });
        }
    }
}

#[async_trait]
impl JobLockStore for PostgresStore {
    async fn try_job_lock(&self, job: &str) -> StoreResult<Option<JobLock>> {
        if job.is_empty() || !job.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(StoreError::Invalid(format!("{job:?} is not a job name")));
        }
        let mut conn = self.write().acquire().await.map_err(other)?;
        let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(job_key(job))
            .fetch_one(&mut *conn)
            .await
            .map_err(other)?;
        // Refused, the connection goes back to the pool holding nothing.
        Ok(locked.then(|| JobLock::new(HeldSession(Mutex::new(Some(conn.detach()))))))
    }
}

#[cfg(all(test, candour_postgres_tests))]
mod tests {
    use std::sync::Arc;

    use candour_store::{Allowance, AllowanceStore, JobLockStore};
    use chrono::{DateTime, Utc};

    use crate::conformance::fresh;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).expect("a time")
    }

    /// Takes at the same moment from many connections (as from many instances)
    /// share one bucket: no more than its burst gets through.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_takes_share_one_bucket() {
        let (store, _) = fresh().await;
        let store = Arc::new(store);
        let allowance = Allowance { per_minute: 1, burst: 5 };
        let mut takes = tokio::task::JoinSet::new();
        for _ in 0..20 {
            let store = Arc::clone(&store);
            takes.spawn(async move { store.take_allowance("api:token-1", allowance, at(0)).await.expect("take") });
        }
        let allowed = takes.join_all().await.into_iter().filter(Result::is_ok).count();
        assert_eq!(allowed, 5);
    }

    #[tokio::test]
    async fn full_buckets_are_forgotten() {
        let (store, _) = fresh().await;
        let allowance = Allowance { per_minute: 60, burst: 2 };
        for key in ["a", "b"] {
            store.take_allowance(key, allowance, at(0)).await.expect("take").expect("allowed");
        }
        store.take_allowance("b", allowance, at(1)).await.expect("take").expect("allowed");
        store.forget_full_buckets(at(1)).await.expect("prune");
        let kept: Vec<String> =
            sqlx::query_scalar("SELECT key FROM allowances ORDER BY key").fetch_all(store.write()).await.expect("keys");
        assert_eq!(kept, ["b"], "a refilled after one second, b was just used");
    }

    #[tokio::test]
    async fn job_names_are_checked() {
        let (store, _) = fresh().await;
        for bad in ["", "a b", "../x", "sync;"] {
            assert!(store.try_job_lock(bad).await.is_err(), "{bad:?}");
        }
    }
}
