//! What instances of Candour on one database share beyond the data itself:
//! allowances (rate limits) and job locks. One instance on SQLite may keep both in
//! its own process; on PostgreSQL they live in the database, so that a limit
//! reached or a lock taken on one instance holds on all.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::StoreResult;

/// `burst` uses at once, then one more every `60 / per_minute` seconds (a token
/// bucket per key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allowance {
    pub per_minute: u32,
    pub burst: u32,
}

impl Allowance {
    pub fn per_second(self) -> f64 {
        f64::from(self.per_minute.max(1)) / 60.0
    }

    pub fn capacity(self) -> f64 {
        f64::from(self.burst.max(1))
    }

    /// How long an unused bucket takes to fill up again, after which it can be forgotten.
    pub fn refill_time(self) -> Duration {
        Duration::from_secs_f64(self.capacity() / self.per_second())
    }
}

/// One key's bucket: the tokens left when it was last used.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    pub tokens: f64,
    pub updated: DateTime<Utc>,
}

impl Bucket {
    pub fn full(allowance: Allowance, now: DateTime<Utc>) -> Self {
        Bucket { tokens: allowance.capacity(), updated: now }
    }

    /// Takes one use at `now`: the bucket as it is afterwards, and `Err(wait)` when
    /// there was no use left (the bucket is then only refilled).
    pub fn take(self, allowance: Allowance, now: DateTime<Utc>) -> (Bucket, Result<(), Duration>) {
        let elapsed = (now - self.updated).to_std().unwrap_or_default().as_secs_f64();
        let tokens = (self.tokens + elapsed * allowance.per_second()).min(allowance.capacity());
        let updated = now.max(self.updated);
        if tokens >= 1.0 {
            (Bucket { tokens: tokens - 1.0, updated }, Ok(()))
        } else {
            let wait = Duration::from_secs_f64((1.0 - tokens) / allowance.per_second());
            (Bucket { tokens, updated }, Err(wait))
        }
    }
}

/// One use of `key`'s allowance that could not be taken: the `link`-th key asked
/// for, and how long until it has a use again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    pub link: usize,
    pub wait: Duration,
}

/// Allowances shared by every instance on the database.
#[async_trait]
pub trait AllowanceStore: Send + Sync {
    /// Takes one use of each key's allowance at `now`, in turn, stopping at the
    /// first with none left: the keys before it stay spent, the keys after it are
    /// left untouched. Keys are namespaced by the caller (e.g. `sign-in:192.0.2.1`).
    /// Asking for several at once lets a limit be checked before another is spent
    /// (a sender's before a service's) for the cost of one.
    async fn take_allowances(&self, keys: &[(&str, Allowance)], now: DateTime<Utc>)
    -> StoreResult<Result<(), Refused>>;
}

/// Held while a job runs; dropping it (or the process ending) lets the job go.
pub struct JobLock {
    _held: Box<dyn Send + Sync>,
}

impl JobLock {
    pub fn new(held: impl Send + Sync + 'static) -> Self {
        JobLock { _held: Box::new(held) }
    }
}

/// Jobs that must not run twice at once, whichever instance or command starts
/// them: a register sync, pruning the journal.
#[async_trait]
pub trait JobLockStore: Send + Sync {
    /// The lock on `job` if nobody holds it; `None` when someone does.
    async fn try_job_lock(&self, job: &str) -> StoreResult<Option<JobLock>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_a_burst_then_one_per_interval() {
        let allowance = Allowance { per_minute: 60, burst: 2 };
        let start = DateTime::from_timestamp(1_800_000_000, 0).expect("a time");
        let bucket = Bucket::full(allowance, start);
        let (bucket, first) = bucket.take(allowance, start);
        let (bucket, second) = bucket.take(allowance, start);
        let (bucket, third) = bucket.take(allowance, start);
        assert_eq!((first, second), (Ok(()), Ok(())));
        assert_eq!(third, Err(Duration::from_secs(1)));
        let (_, later) = bucket.take(allowance, start + chrono::Duration::seconds(1));
        assert_eq!(later, Ok(()));
    }
}
