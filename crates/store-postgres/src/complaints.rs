//! Stub: to be written for PostgreSQL.
#![allow(unused_imports, unused_variables)]

use async_trait::async_trait;
use candour_domain::complaints::*;
use candour_domain::voice::Criticality;
use candour_domain::{LocationId, ProviderId, UserId};
use candour_store::*;
use candour_store::{OutgoingEmail, StoreResult};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::PostgresStore;

#[async_trait]
impl ComplaintStore for PostgresStore {
    async fn add_complaint(&self, new: &NewComplaint) -> StoreResult<ComplaintReceipt> {
        todo!("PostgreSQL")
    }
    async fn complaint(&self, id: i64) -> StoreResult<ComplaintRecord> {
        todo!("PostgreSQL")
    }
    async fn complaint_by_follow(&self, follow_hash: &str) -> StoreResult<ComplaintRecord> {
        todo!("PostgreSQL")
    }
    async fn complaints(
        &self,
        locations: &[LocationId],
        status: Option<ComplaintStatus>,
    ) -> StoreResult<Vec<ComplaintRecord>> {
        todo!("PostgreSQL")
    }
    async fn take_complaint_step(
        &self,
        id: i64,
        step: &ComplaintStep,
        by: Option<UserId>,
        at: DateTime<Utc>,
    ) -> StoreResult<ComplaintRecord> {
        todo!("PostgreSQL")
    }
}
