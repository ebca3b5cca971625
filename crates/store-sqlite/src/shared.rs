//! Allowances and job locks on the embedded store. One server runs on a SQLite
//! file, so allowances are kept in its memory (a write per request would queue
//! behind feedback on the single writer). Job locks must hold across processes
//! (a `candour sync` beside the server), so each is an exclusive lock on a file
//! beside the database, which the operating system lets go if the process dies.

use std::collections::HashMap;
use std::fs::{File, OpenOptions, TryLockError};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use candour_store::{Allowance, AllowanceStore, Bucket, JobLock, JobLockStore, Refused, StoreError, StoreResult};

use crate::SqliteStore;

/// Past this many keys, buckets that have filled up again are forgotten.
const PRUNE_ABOVE: usize = 10_000;

#[derive(Default)]
pub(crate) struct Allowances {
    buckets: std::sync::Mutex<HashMap<String, Bucket>>,
}

#[async_trait]
impl AllowanceStore for SqliteStore {
    async fn take_allowances(
        &self,
        keys: &[(&str, Allowance)],
        now: DateTime<Utc>,
    ) -> StoreResult<Result<(), Refused>> {
        // A poisoned lock only means another request panicked mid-update; the map is still usable.
        let mut buckets = self.allowances.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() > PRUNE_ABOVE {
            let longest = keys.iter().map(|(_, a)| a.refill_time()).max().unwrap_or_default();
            let full_after = chrono::Duration::from_std(longest).unwrap_or(chrono::Duration::MAX);
            buckets.retain(|_, b| now - b.updated < full_after);
        }
        for (link, &(key, allowance)) in keys.iter().enumerate() {
            let bucket = buckets.get(key).copied().unwrap_or_else(|| Bucket::full(allowance, now));
            let (bucket, taken) = bucket.take(allowance, now);
            buckets.insert(key.to_string(), bucket);
            if let Err(wait) = taken {
                return Ok(Err(Refused { link, wait }));
            }
        }
        Ok(Ok(()))
    }
}

#[async_trait]
impl JobLockStore for SqliteStore {
    async fn try_job_lock(&self, job: &str) -> StoreResult<Option<JobLock>> {
        if job.is_empty() || !job.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(StoreError::Invalid(format!("{job:?} is not a job name")));
        }
        let path = format!("{}.{job}.lock", self.path.display());
        let file: File = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| StoreError::Other(format!("cannot open the lock file {path}: {e}").into()))?;
        match file.try_lock() {
            Ok(()) => Ok(Some(JobLock::new(file))),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(e)) => Err(StoreError::Other(format!("cannot lock {path}: {e}").into())),
        }
    }
}
