//! Allowances and job locks, shared by every instance on the database.
//!
//! An allowance is a token bucket per key in `allowances`. Every take goes through
//! one task per instance, which takes all that are waiting at once: it reads their
//! buckets, takes in order (a key asked for twice is taken from twice), and writes
//! each bucket back only if nobody changed it meanwhile, trying again the keys
//! someone did. A request's second key is taken only once its first is written.
//! Two instances never both spend the last use, and a busy instance pays a
//! statement per key of a request for a whole group of requests rather than for each one.
//!
//! A job lock is a session advisory lock held by a connection taken out of the
//! pool: dropping the lock closes that session, which lets go of it (as does a
//! crashed process).

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{DateTime, SubsecRound, Utc};
use sqlx::postgres::PgPool;
use sqlx::{Connection, PgConnection};
use tokio::sync::{mpsc, oneshot};

use candour_store::{Allowance, AllowanceStore, Bucket, JobLock, JobLockStore, Refused, StoreError, StoreResult};

use crate::{PostgresStore, other};

/// The most takes written together.
const MAX_GROUP: usize = 512;
/// Takes waiting beyond this make their callers wait (back-pressure).
const QUEUE: usize = 4096;
/// A group that takes this long is logged.
const SLOW_GROUP: Duration = Duration::from_millis(500);
/// How many full buckets one statement forgets.
const FORGET_AT_ONCE: i64 = 500;
/// How often buckets that have filled up again are forgotten.
const PRUNE_EVERY: Duration = Duration::from_secs(60);

type Taken = StoreResult<Result<(), Refused>>;

/// One request's keys, taken in turn.
struct Take {
    keys: Vec<(String, Allowance)>,
    /// The first key not yet taken and written.
    next: usize,
    now: DateTime<Utc>,
    answer: oneshot::Sender<Taken>,
}

/// The sending side of this instance's allowance task. The task ends when this is dropped.
pub(crate) struct AllowanceState {
    queue: mpsc::Sender<Take>,
}

impl AllowanceState {
    /// Starts the task on the current runtime; it writes through `pool` (the primary).
    pub(crate) fn start(pool: PgPool) -> Self {
        let (queue, waiting) = mpsc::channel(QUEUE);
        tokio::spawn(take_groups(pool, waiting));
        Self { queue }
    }
}

fn stopped() -> StoreError {
    StoreError::Other("the allowance task has stopped: the store is closing".into())
}

async fn take_groups(pool: PgPool, mut waiting: mpsc::Receiver<Take>) {
    let mut group = Vec::with_capacity(MAX_GROUP);
    let mut prune = tokio::time::interval_at(tokio::time::Instant::now() + PRUNE_EVERY, PRUNE_EVERY);
    // The latest time a take was made at: buckets full by then are forgotten.
    let mut latest: Option<DateTime<Utc>> = None;
    loop {
        tokio::select! {
            got = waiting.recv_many(&mut group, MAX_GROUP) => {
                if got == 0 {
                    return;
                }
                latest = latest.max(group.iter().map(|t| t.now).max());
                take_group(&pool, std::mem::take(&mut group)).await;
            }
            // Apart, so that no take waits for it.
            _ = prune.tick() => if let Some(now) = latest {
                drop(tokio::spawn(forget_full_buckets(pool.clone(), now)));
            },
        }
    }
}

async fn take_group(pool: &PgPool, mut takes: Vec<Take>) {
    let (started, group, mut rounds) = (Instant::now(), takes.len(), 0);
    // Keys someone else wrote meanwhile are read and taken again.
    while !takes.is_empty() {
        rounds += 1;
        takes = match take_together(pool, takes).await {
            Ok(again) => again,
            Err((takes, e)) if is_deadlock(&e) => takes,
            Err((takes, e)) => {
                let message = format!("the allowance could not be taken: {e}");
                for take in takes {
                    let _ = take.answer.send(Err(StoreError::Other(message.clone().into())));
                }
                Vec::new()
            }
        };
    }
    // Every request in the group waited this long.
    if started.elapsed() >= SLOW_GROUP {
        tracing::warn!(group, rounds, took = ?started.elapsed(), "slow allowance group");
    }
}

/// Should two groups still lock each other (a key one instance makes as another
/// changes it), the database gives up on one, which is then simply taken again.
fn is_deadlock(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(e) if e.code().as_deref() == Some("40P01"))
}

/// One key's takes in a group: its bucket as read, and as it will be written.
struct KeyTakes {
    before: Option<Bucket>,
    after: Bucket,
    allowance: Allowance,
    takes: Vec<(Take, Result<(), Duration>)>,
}

/// Takes every one of `takes` against the buckets as they stand, a key of each at
/// a time, and writes each bucket back unless someone changed it meanwhile: a
/// request's next key is taken only once the one before is written. The takes of
/// keys someone changed are returned, to be taken again from that key on.
async fn take_together(pool: &PgPool, takes: Vec<Take>) -> Result<Vec<Take>, (Vec<Take>, sqlx::Error)> {
    let keys: Vec<&str> = takes.iter().flat_map(|t| t.keys[t.next..].iter().map(|(key, _)| key.as_str())).collect();
    let read = sqlx::query_as("SELECT key, tokens, updated FROM allowances WHERE key = ANY($1)").bind(keys);
    let stored: Vec<(String, f64, DateTime<Utc>)> = match read.fetch_all(pool).await {
        Ok(stored) => stored,
        Err(e) => return Err((takes, e)),
    };
    let mut buckets: HashMap<String, Bucket> =
        stored.into_iter().map(|(key, tokens, updated)| (key, Bucket { tokens, updated })).collect();
    let (mut stage, mut again) = (takes, Vec::new());
    while !stage.is_empty() {
        let by_key = take_each(&buckets, stage);
        let written = match write_back(pool, &by_key).await {
            Ok(written) => written,
            Err(e) => {
                again.extend(by_key.into_values().flat_map(|k| k.takes.into_iter().map(|(t, _)| t)));
                return Err((again, e));
            }
        };
        stage = Vec::new();
        for (key, key_takes) in by_key {
            if !written.contains(&key) {
                again.extend(key_takes.takes.into_iter().map(|(t, _)| t));
                continue;
            }
            buckets.insert(key, key_takes.after);
            for (mut take, taken) in key_takes.takes {
                match taken {
                    Err(wait) => drop(take.answer.send(Ok(Err(Refused { link: take.next, wait })))),
                    Ok(()) if take.next + 1 == take.keys.len() => drop(take.answer.send(Ok(Ok(())))),
                    Ok(()) => {
                        take.next += 1;
                        stage.push(take);
                    }
                }
            }
        }
    }
    Ok(again)
}

/// Takes each request's next key from `buckets`, in the order given.
fn take_each(buckets: &HashMap<String, Bucket>, takes: Vec<Take>) -> HashMap<String, KeyTakes> {
    let mut by_key: HashMap<String, KeyTakes> = HashMap::new();
    for take in takes {
        let (key, allowance) = take.keys[take.next].clone();
        let entry = by_key.entry(key).or_insert_with_key(|key| {
            let before = buckets.get(key).copied();
            let after = before.unwrap_or_else(|| Bucket::full(allowance, take.now));
            KeyTakes { before, after, allowance, takes: Vec::new() }
        });
        let (after, taken) = entry.after.take(allowance, take.now);
        entry.after = after;
        entry.takes.push((take, taken));
    }
    by_key
}

/// Writes the buckets back in one statement: each existing one only if it is as it
/// was read, each new one only if nobody made it meanwhile. The keys written. Rows
/// are locked and made in key order, so that two instances' groups cannot deadlock.
async fn write_back(pool: &PgPool, by_key: &HashMap<String, KeyTakes>) -> sqlx::Result<HashSet<String>> {
    let (mut keys, mut tokens, mut updated, mut full) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut was_tokens, mut was_updated) = (Vec::new(), Vec::new());
    for (key, k) in by_key {
        keys.push(key.as_str());
        tokens.push(k.after.tokens);
        updated.push(k.after.updated);
        full.push(full_at(k.after, k.allowance));
        was_tokens.push(k.before.map(|b| b.tokens));
        was_updated.push(k.before.map(|b| b.updated));
    }
    let written: Vec<String> = sqlx::query_scalar(
        "WITH n AS (SELECT * FROM UNNEST($1::text[], $2::float8[], $3::timestamptz[], $4::timestamptz[], \
                 $5::float8[], $6::timestamptz[]) AS n(key, tokens, updated, full_at, was_tokens, was_updated)), \
         unchanged AS (SELECT a.key FROM allowances a JOIN n ON n.key = a.key \
                 AND a.tokens = n.was_tokens AND a.updated = n.was_updated ORDER BY a.key FOR UPDATE OF a), \
         changed AS (UPDATE allowances a SET tokens = n.tokens, updated = n.updated, full_at = n.full_at FROM n \
                 WHERE a.key = n.key AND a.key IN (SELECT key FROM unchanged) RETURNING a.key), \
         made AS (INSERT INTO allowances (key, tokens, updated, full_at) \
                 SELECT key, tokens, updated, full_at FROM n WHERE was_tokens IS NULL ORDER BY key \
                 ON CONFLICT (key) DO NOTHING RETURNING key) \
         SELECT key FROM changed UNION ALL SELECT key FROM made",
    )
    .bind(keys)
    .bind(tokens)
    .bind(updated)
    .bind(full)
    .bind(was_tokens)
    .bind(was_updated)
    .fetch_all(pool)
    .await?;
    Ok(written.into_iter().collect())
}

/// When a bucket left as it is would hold its full capacity again.
fn full_at(bucket: Bucket, allowance: Allowance) -> DateTime<Utc> {
    let missing = (allowance.capacity() - bucket.tokens).max(0.0);
    let refill = Duration::try_from_secs_f64(missing / allowance.per_second()).unwrap_or(Duration::MAX);
    chrono::Duration::from_std(refill)
        .ok()
        .and_then(|d| bucket.updated.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// A bucket that has filled up again is the same as no bucket at all. Rows a take
/// is writing are left for next time rather than waited for; and they are forgotten
/// a few hundred at a time, since a take of a row being deleted waits for the
/// deletion to commit (deleting a minute's worth at once made takes wait 2 s).
async fn forget_full_buckets(pool: PgPool, now: DateTime<Utc>) {
    loop {
        let forgotten = sqlx::query(
            "DELETE FROM allowances WHERE key IN \
             (SELECT key FROM allowances WHERE full_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)",
        )
        .bind(now)
        .bind(FORGET_AT_ONCE)
        .execute(&pool)
        .await;
        match forgotten {
            Ok(done) if done.rows_affected() < FORGET_AT_ONCE as u64 => return,
            Ok(_) => {}
            Err(error) => return tracing::warn!(%error, "full allowance buckets could not be forgotten"),
        }
    }
}

#[async_trait]
impl AllowanceStore for PostgresStore {
    async fn take_allowances(&self, keys: &[(&str, Allowance)], now: DateTime<Utc>) -> Taken {
        if keys.is_empty() {
            return Ok(Ok(()));
        }
        let keys = keys.iter().map(|&(key, allowance)| (key.to_string(), allowance)).collect();
        // As the database keeps it, so that a bucket just written is known as it is stored.
        let now = now.trunc_subsecs(6);
        let (answer, taken) = oneshot::channel();
        let take = Take { keys, next: 0, now, answer };
        self.allowances.queue.send(take).await.map_err(|_| stopped())?;
        taken.await.map_err(|_| stopped())?
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

    use crate::conformance::{fresh, fresh_url};
    use crate::{PoolSize, PostgresStore};

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).expect("a time")
    }

    /// Three instances on one fresh database.
    async fn three_instances() -> Vec<Arc<PostgresStore>> {
        let url = fresh_url().await;
        let mut instances = Vec::new();
        for _ in 0..3 {
            instances.push(Arc::new(PostgresStore::open(&url, PoolSize(4)).await.expect("open store")));
        }
        instances
    }

    /// Takes at the same moment from three instances, each taking several at once,
    /// share one bucket: no more than its burst gets through.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_takes_share_one_bucket() {
        let instances = three_instances().await;
        let allowance = Allowance { per_minute: 1, burst: 5 };
        let mut takes = tokio::task::JoinSet::new();
        for i in 0..30 {
            let store = Arc::clone(&instances[i % 3]);
            let key = if i % 2 == 0 { "api:token-1" } else { "api:other" };
            takes.spawn(async move { (key, store.take_allowances(&[(key, allowance)], at(0)).await.expect("take")) });
        }
        let allowed: Vec<&str> =
            takes.join_all().await.into_iter().filter(|(_, t)| t.is_ok()).map(|(k, _)| k).collect();
        assert_eq!(allowed.iter().filter(|k| **k == "api:token-1").count(), 5);
        assert_eq!(allowed.iter().filter(|k| **k == "api:other").count(), 5);
    }

    /// One sender's requests through three instances at once, each asking for its
    /// own allowance and then a service's: the sender gets its burst, and the
    /// requests it was refused spend nothing of the service's.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_refused_first_key_spends_nothing_of_the_second_across_instances() {
        let instances = three_instances().await;
        let (sender, service) = (Allowance { per_minute: 1, burst: 4 }, Allowance { per_minute: 1, burst: 100 });
        let mut takes = tokio::task::JoinSet::new();
        for i in 0..60 {
            let store = Arc::clone(&instances[i % 3]);
            let keys = [("address:192.0.2.1", sender), ("service:1-101", service)];
            takes.spawn(async move { store.take_allowances(&keys, at(0)).await.expect("take") });
        }
        let answers = takes.join_all().await;
        assert_eq!(answers.iter().filter(|a| a.is_ok()).count(), 4, "the sender's burst");
        assert!(answers.iter().all(|a| a.is_ok() || a.is_err_and(|r| r.link == 0)), "refused at the sender");
        let left: f64 = sqlx::query_scalar("SELECT tokens FROM allowances WHERE key = 'service:1-101'")
            .fetch_one(instances[0].write())
            .await
            .expect("the service's bucket");
        assert_eq!(left, 96.0, "only the sender's four were taken from the service");
    }

    #[tokio::test]
    async fn full_buckets_are_forgotten() {
        let (store, _) = fresh().await;
        let allowance = Allowance { per_minute: 60, burst: 2 };
        for key in ["a", "b"] {
            store.take_allowances(&[(key, allowance)], at(0)).await.expect("take").expect("allowed");
        }
        store.take_allowances(&[("b", allowance)], at(1)).await.expect("take").expect("allowed");
        super::forget_full_buckets(store.write().clone(), at(1)).await;
        let kept: Vec<String> =
            sqlx::query_scalar("SELECT key FROM allowances ORDER BY key").fetch_all(store.write()).await.expect("keys");
        assert_eq!(kept, ["b"], "a refilled after one second, b was just used");

        // More than one statement's worth are all forgotten, a batch at a time.
        sqlx::query(
            "INSERT INTO allowances (key, tokens, updated, full_at) \
             SELECT 'full-' || n, 2, $1, $1 FROM generate_series(1, $2) AS n",
        )
        .bind(at(0))
        .bind(super::FORGET_AT_ONCE * 2 + 7)
        .execute(store.write())
        .await
        .expect("full buckets");
        super::forget_full_buckets(store.write().clone(), at(1)).await;
        let left: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM allowances").fetch_one(store.write()).await.expect("n");
        assert_eq!(left, 1, "only b, which is not full yet");
    }

    #[tokio::test]
    async fn job_names_are_checked() {
        let (store, _) = fresh().await;
        for bad in ["", "a b", "../x", "sync;"] {
            assert!(store.try_job_lock(bad).await.is_err(), "{bad:?}");
        }
    }
}
