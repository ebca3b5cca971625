//! Stub: to be written for PostgreSQL.
#![allow(unused_imports, unused_variables)]

use async_trait::async_trait;
use candour_domain::improvement::{ActionDetails, ActionStatus, FileKind, Finding, Reflection};
use candour_domain::{LocationId, UserId};
use candour_store::StoreResult;
use candour_store::*;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::PostgresStore;

#[async_trait]
impl ImprovementStore for PostgresStore {
    async fn create_plan(&self, new: &NewPlan) -> StoreResult<Plan> {
        todo!("PostgreSQL")
    }
    async fn plan(&self, id: i64) -> StoreResult<Plan> {
        todo!("PostgreSQL")
    }
    async fn plans_of(&self, location: &LocationId) -> StoreResult<Vec<Plan>> {
        todo!("PostgreSQL")
    }
    async fn add_action(
        &self,
        plan: i64,
        details: &ActionDetails,
        by: UserId,
        at: DateTime<Utc>,
    ) -> StoreResult<PlanAction> {
        todo!("PostgreSQL")
    }
    async fn update_action(
        &self,
        plan: i64,
        action: i64,
        details: &ActionDetails,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        todo!("PostgreSQL")
    }
    async fn set_action_status(&self, plan: i64, action: i64, change: &StatusChange) -> StoreResult<()> {
        todo!("PostgreSQL")
    }
    async fn add_evidence(&self, plan: i64, action: i64, evidence: &NewEvidence) -> StoreResult<Evidence> {
        todo!("PostgreSQL")
    }
    async fn evidence_file(&self, plan: i64, evidence: i64) -> StoreResult<(FileMeta, Vec<u8>)> {
        todo!("PostgreSQL")
    }
    async fn save_reflection(&self, plan: i64, reflection: &Reflection, at: DateTime<Utc>) -> StoreResult<()> {
        todo!("PostgreSQL")
    }
    async fn publish_plan(&self, plan: i64, publishing: &Publishing) -> StoreResult<()> {
        todo!("PostgreSQL")
    }
    async fn unpublish_plan(&self, plan: i64, at: DateTime<Utc>) -> StoreResult<()> {
        todo!("PostgreSQL")
    }
}
