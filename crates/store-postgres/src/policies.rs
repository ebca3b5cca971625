//! Stub: to be written for PostgreSQL.
#![allow(unused_imports, unused_variables)]

use async_trait::async_trait;
use candour_domain::policies::{PolicyDraft, PolicyKind, ReadCount, Version};
use candour_domain::{Email, Grant, LocationId, ProviderId, UserId};
use candour_store::StoreResult;
use candour_store::*;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::PostgresStore;

#[async_trait]
impl PolicyStore for PostgresStore {
    async fn publish_policy(&self, new: &NewPolicyVersion) -> StoreResult<PolicyVersion> {
        todo!("PostgreSQL")
    }
    async fn withdraw_policy(&self, policy: i64, at: DateTime<Utc>) -> StoreResult<()> {
        todo!("PostgreSQL")
    }
    async fn policy(&self, policy: i64) -> StoreResult<PolicyRecord> {
        todo!("PostgreSQL")
    }
    async fn policy_version(&self, policy: i64, version: Version) -> StoreResult<PolicyVersion> {
        todo!("PostgreSQL")
    }
    async fn policies_of(&self, provider: &ProviderId) -> StoreResult<Vec<PolicySummary>> {
        todo!("PostgreSQL")
    }
    async fn confirm_policy_read(
        &self,
        policy: i64,
        version: Version,
        user: UserId,
        at: DateTime<Utc>,
    ) -> StoreResult<DateTime<Utc>> {
        todo!("PostgreSQL")
    }
    async fn confirmed_by(
        &self,
        provider: &ProviderId,
        user: UserId,
    ) -> StoreResult<Vec<(i64, Version, DateTime<Utc>)>> {
        todo!("PostgreSQL")
    }
    async fn policy_readers(&self, policy: i64) -> StoreResult<Vec<Reader>> {
        todo!("PostgreSQL")
    }
    async fn policy_read_rates(&self, provider: Option<&ProviderId>) -> StoreResult<Vec<LocationReadRate>> {
        todo!("PostgreSQL")
    }
}
