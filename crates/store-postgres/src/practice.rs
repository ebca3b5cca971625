//! Stub: to be written for PostgreSQL.
#![allow(unused_imports, unused_variables)]

use async_trait::async_trait;
use candour_domain::practice::{PracticeDraft, PracticeStatus, QualityStatement, Theme};
use candour_domain::{LocationId, ProviderId, UserId};
use candour_store::*;
use candour_store::{Page, StoreResult};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::PostgresStore;

#[async_trait]
impl PracticeStore for PostgresStore {
    async fn create_practice(&self, new: &NewPractice) -> StoreResult<i64> {
        todo!("PostgreSQL")
    }
    async fn update_practice(&self, id: i64, draft: &PracticeDraft, at: DateTime<Utc>) -> StoreResult<()> {
        todo!("PostgreSQL")
    }
    async fn set_practice_published(&self, id: i64, published: bool, at: DateTime<Utc>) -> StoreResult<()> {
        todo!("PostgreSQL")
    }
    async fn practice(&self, id: i64) -> StoreResult<PracticeRecord> {
        todo!("PostgreSQL")
    }
    async fn practices_of(&self, location: &LocationId) -> StoreResult<Vec<PracticeSummary>> {
        todo!("PostgreSQL")
    }
    async fn search_practice(&self, query: &PracticeQuery) -> StoreResult<Page<PracticeSummary>> {
        todo!("PostgreSQL")
    }
}
