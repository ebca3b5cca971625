//! Stub: to be written for PostgreSQL.
#![allow(unused_imports, unused_variables)]

use async_trait::async_trait;
use candour_store::StoreResult;
use candour_store::*;
use chrono::{DateTime, Utc};
use std::time::Duration;

use crate::PostgresStore;

#[async_trait]
impl AllowanceStore for PostgresStore {
    async fn take_allowance(
        &self,
        key: &str,
        allowance: Allowance,
        now: DateTime<Utc>,
    ) -> StoreResult<Result<(), Duration>> {
        todo!("PostgreSQL")
    }
}

#[async_trait]
impl JobLockStore for PostgresStore {
    async fn try_job_lock(&self, job: &str) -> StoreResult<Option<JobLock>> {
        todo!("PostgreSQL")
    }
}
