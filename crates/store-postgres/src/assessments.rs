//! Stub: to be written for PostgreSQL.
#![allow(unused_imports, unused_variables)]

use async_trait::async_trait;
use candour_domain::assessment::{ChallengeState, Lifecycle, Part};
use candour_domain::{AssessmentStatus, ChallengeStatus};
use candour_domain::{KeyQuestion, LocationId, ProviderId, Rating, RatingRecord, ServiceKind, UserId};
use candour_store::StoreResult;
use candour_store::*;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::PostgresStore;

#[async_trait]
impl AssessmentStore for PostgresStore {
    async fn create_assessment(&self, new: &NewAssessment) -> StoreResult<AssessmentRecord> {
        todo!("PostgreSQL")
    }
    async fn assessment(&self, id: i64) -> StoreResult<AssessmentRecord> {
        todo!("PostgreSQL")
    }
    async fn assessments_of(&self, location: &LocationId) -> StoreResult<Vec<AssessmentRecord>> {
        todo!("PostgreSQL")
    }
    async fn assessments_awaiting_review(&self, provider: &ProviderId) -> StoreResult<Vec<AssessmentRecord>> {
        todo!("PostgreSQL")
    }
    async fn update_assessment(
        &self,
        id: i64,
        change: &AssessmentChange,
        by: UserId,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        todo!("PostgreSQL")
    }
    async fn send_assessment(&self, id: i64, window_ends: NaiveDate, at: DateTime<Utc>) -> StoreResult<()> {
        todo!("PostgreSQL")
    }
    async fn raise_challenge(&self, id: i64, challenge: &NewChallenge) -> StoreResult<Challenge> {
        todo!("PostgreSQL")
    }
    async fn decide_challenge(&self, id: i64, challenge: i64, decision: &ChallengeDecision) -> StoreResult<()> {
        todo!("PostgreSQL")
    }
    async fn finish_challenges(&self, id: i64, by: UserId, at: DateTime<Utc>) -> StoreResult<()> {
        todo!("PostgreSQL")
    }
    async fn publish_assessment(&self, id: i64, publication: &Publication) -> StoreResult<()> {
        todo!("PostgreSQL")
    }
}
