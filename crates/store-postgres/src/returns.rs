//! Stub: to be written for PostgreSQL.
#![allow(unused_imports, unused_variables)]

use async_trait::async_trait;
use candour_domain::returns::{Month, MonthlyReturn};
use candour_domain::{LocationId, UserId};
use candour_store::StoreResult;
use candour_store::*;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::PostgresStore;

#[async_trait]
impl ReturnsStore for PostgresStore {
    async fn save_returns(&self, batch: &ReturnBatch) -> StoreResult<ReturnCounts> {
        todo!("PostgreSQL")
    }
    async fn returns_of(&self, location: &LocationId, from: Month, to: Month) -> StoreResult<Vec<ReturnRecord>> {
        todo!("PostgreSQL")
    }
    async fn latest_return_months(&self) -> StoreResult<Vec<(LocationId, Month)>> {
        todo!("PostgreSQL")
    }
}
