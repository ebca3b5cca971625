//! Visits by experts by experience: the report as one document, with the
//! assessment's lifecycle around it (draft → sent for factual-accuracy challenges →
//! published). The store checks each step against the lifecycle inside its
//! transaction, as it does for assessments; what a report holds and how a change
//! applies are the domain's ([`candour_domain::visit`]).

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use candour_domain::assessment::{ChallengeState, Lifecycle};
use candour_domain::visit::VisitReport;
use candour_domain::{AssessmentStatus, LocationId, ProviderId, UserId};

use crate::{Challenge, ChallengeDecision, Correction, NewChallenge, StoreResult};

/// A visit with everything recorded on it. Its challenges and corrections name a
/// part of the report by its code ([`candour_domain::visit::VisitPart::code`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VisitRecord {
    pub id: i64,
    pub location_id: LocationId,
    pub status: AssessmentStatus,
    pub report: VisitReport,
    /// Oldest first.
    pub challenges: Vec<Challenge>,
    /// Changes made to sent parts after a challenge to them was accepted, oldest first.
    pub corrections: Vec<Correction>,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// The last day on which challenges may be raised.
    pub window_ends: Option<NaiveDate>,
    pub challenges_finished_by: Option<UserId>,
    pub challenges_finished_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    pub published_by: Option<UserId>,
    pub published_on: Option<NaiveDate>,
}

impl VisitRecord {
    /// The visit as the lifecycle rule reads it.
    pub fn lifecycle(&self) -> Lifecycle {
        Lifecycle {
            status: self.status,
            window_ends: self.window_ends,
            provider_finished: self.challenges_finished_at.is_some(),
            challenges: self
                .challenges
                .iter()
                .map(|c| ChallengeState { id: c.id, finding: c.finding.clone(), status: c.status })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVisit {
    pub location_id: LocationId,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
}

/// Which visits to list, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VisitsOf {
    Location(LocationId),
    /// The visits to every location of a provider.
    Provider(ProviderId),
    /// The newest anywhere, at most this many.
    Anywhere(u32),
}

#[async_trait]
pub trait VisitStore: Send + Sync {
    /// A draft with an empty report. `NotFound` when the location is not in the register.
    async fn create_visit(&self, new: &NewVisit) -> StoreResult<VisitRecord>;
    async fn visit(&self, id: i64) -> StoreResult<VisitRecord>;
    async fn visits(&self, of: &VisitsOf) -> StoreResult<Vec<VisitRecord>>;
    /// `Conflict` unless the lifecycle allows the change ([`Lifecycle::may_change`]):
    /// anything in a draft; once sent, only a part an accepted challenge reopened,
    /// and then the change is recorded as a [`Correction`] by `by` at `at`.
    async fn update_visit(
        &self,
        id: i64,
        change: &candour_domain::visit::VisitChange,
        by: UserId,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Draft → sent, open to challenges until `window_ends` inclusive. `Conflict`
    /// unless a draft; `Invalid` unless the report is ready ([`VisitReport::ready`]).
    async fn send_visit(&self, id: i64, window_ends: NaiveDate, at: DateTime<Utc>) -> StoreResult<()>;
    /// `Conflict` unless sent with its window open on the day it is raised.
    async fn raise_visit_challenge(&self, id: i64, challenge: &NewChallenge) -> StoreResult<Challenge>;
    /// `Conflict` unless the challenge is open and the visit not published.
    async fn decide_visit_challenge(&self, id: i64, challenge: i64, decision: &ChallengeDecision) -> StoreResult<()>;
    /// The provider says it has no more challenges. `Conflict` unless the window is open.
    async fn finish_visit_challenges(&self, id: i64, by: UserId, at: DateTime<Utc>) -> StoreResult<()>;
    /// Sent → published. `Conflict` unless [`Lifecycle::may_publish`] allows it on the day.
    async fn publish_visit(&self, id: i64, by: UserId, at: DateTime<Utc>) -> StoreResult<()>;
}
