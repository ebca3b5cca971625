//! Stub: to be written for PostgreSQL.
#![allow(unused_imports, unused_variables)]

use async_trait::async_trait;
use candour_domain::{LocationId, ProviderId};
use candour_store::*;

use crate::PostgresStore;

#[async_trait]
impl RegisterStore for PostgresStore {
    async fn location(&self, id: &LocationId) -> StoreResult<LocationDetail> {
        todo!("PostgreSQL")
    }
    async fn provider(&self, id: &ProviderId) -> StoreResult<ProviderDetail> {
        todo!("PostgreSQL")
    }
    async fn search_locations(&self, query: &LocationQuery) -> StoreResult<Page<LocationSummary>> {
        todo!("PostgreSQL")
    }
    async fn local_authorities(&self) -> StoreResult<Vec<AreaCount>> {
        todo!("PostgreSQL")
    }
    async fn specialisms(&self) -> StoreResult<Vec<NameCount>> {
        todo!("PostgreSQL")
    }
    async fn register_stats(&self) -> StoreResult<RegisterStats> {
        todo!("PostgreSQL")
    }
    async fn register_snapshot(&self) -> StoreResult<RegisterSnapshot> {
        todo!("PostgreSQL")
    }
    async fn apply_import(&self, plan: &ImportPlan) -> StoreResult<()> {
        todo!("PostgreSQL")
    }
    async fn import_runs(&self, limit: u32) -> StoreResult<Vec<ImportRun>> {
        todo!("PostgreSQL")
    }
    async fn get_state(&self, key: &str) -> StoreResult<Option<String>> {
        todo!("PostgreSQL")
    }
    async fn set_state(&self, key: &str, value: &str) -> StoreResult<()> {
        todo!("PostgreSQL")
    }
    async fn ping(&self) -> StoreResult<()> {
        todo!("PostgreSQL")
    }
}

/// Stub: the directory index and the journal position it reflects.
pub(crate) struct Directory;

impl Directory {
    pub(crate) fn new() -> Self {
        Directory
    }
}
