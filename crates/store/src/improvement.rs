//! Improvement plans, their actions and evidence, the storage side. A plan belongs
//! to one location and answers one or more findings; each action answers one of
//! them. Every status change is kept with its date, so progress can be drawn over
//! time; evidence files are kept in the database with their checked type, size
//! and SHA-256. The store enforces the rules that protect the record (done needs
//! evidence, dropped needs a reason; an action or evidence item is reached only
//! through its own plan); access is the caller's.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use candour_domain::improvement::{ActionDetails, ActionStatus, FileKind, Finding, Reflection};
use candour_domain::{LocationId, UserId};

use crate::StoreResult;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPlan {
    pub location_id: LocationId,
    pub title: String,
    /// The day the plan began: "since the plan began" is counted from it.
    pub started_on: NaiveDate,
    /// At least one.
    pub findings: Vec<Finding>,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PlanFinding {
    pub id: i64,
    #[serde(flatten)]
    pub finding: Finding,
}

/// One status an action was given, with who gave it, when and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StatusChange {
    pub status: ActionStatus,
    pub reason: Option<String>,
    pub by: UserId,
    pub at: DateTime<Utc>,
}

/// An evidence file's description (its content is read apart, by [`ImprovementStore::evidence_file`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FileMeta {
    pub name: String,
    pub kind: FileKind,
    pub size: u64,
    pub sha256: String,
}

/// A piece of evidence: a note, or a file with an optional note about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Evidence {
    pub id: i64,
    pub action_id: i64,
    pub note: String,
    pub file: Option<FileMeta>,
    /// Shown on the public page while the plan is published.
    pub public: bool,
    pub added_by: UserId,
    pub added_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PlanAction {
    pub id: i64,
    #[serde(flatten)]
    pub details: ActionDetails,
    pub status: ActionStatus,
    /// Shown on the public page while the plan is published.
    pub public: bool,
    /// Oldest first; the first is the action's creation (not started).
    pub history: Vec<StatusChange>,
    /// Oldest first.
    pub evidence: Vec<Evidence>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PlanPublication {
    pub summary: String,
    pub published_by: UserId,
    pub published_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Plan {
    pub id: i64,
    pub location_id: LocationId,
    pub title: String,
    pub started_on: NaiveDate,
    pub findings: Vec<PlanFinding>,
    /// In the order they were added.
    pub actions: Vec<PlanAction>,
    pub reflection: Reflection,
    pub publication: Option<PlanPublication>,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Plan {
    pub fn action(&self, id: i64) -> Option<&PlanAction> {
        self.actions.iter().find(|a| a.id == id)
    }

    pub fn finding(&self, id: i64) -> Option<&PlanFinding> {
        self.findings.iter().find(|f| f.id == id)
    }

    pub fn finding_ids(&self) -> Vec<i64> {
        self.findings.iter().map(|f| f.id).collect()
    }

    pub fn evidence(&self, id: i64) -> Option<(&PlanAction, &Evidence)> {
        self.actions.iter().find_map(|a| a.evidence.iter().find(|e| e.id == id).map(|e| (a, e)))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvidence {
    pub note: String,
    /// The checked file and its content.
    pub file: Option<(FileMeta, Vec<u8>)>,
    pub added_by: UserId,
    pub added_at: DateTime<Utc>,
}

/// What publishing shows: the summary, and which actions and evidence items
/// (of this plan) appear on the public page. Everything else stays private.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publishing {
    pub summary: String,
    pub actions: Vec<i64>,
    pub evidence: Vec<i64>,
    pub by: UserId,
    pub at: DateTime<Utc>,
}

#[async_trait]
pub trait ImprovementStore: Send + Sync {
    /// `NotFound` when the location is not in the register; `Invalid` without a finding.
    async fn create_plan(&self, new: &NewPlan) -> StoreResult<Plan>;

    /// One plan with everything but its files' content.
    async fn plan(&self, id: i64) -> StoreResult<Plan>;

    /// A location's plans, newest first. `NotFound` for a location not in the register.
    async fn plans_of(&self, location: &LocationId) -> StoreResult<Vec<Plan>>;

    /// The plans of any of these locations (an area's), newest first; locations not
    /// in the register have none.
    async fn plans_in(&self, locations: &[LocationId]) -> StoreResult<Vec<Plan>>;

    /// Every plan with an action not yet done or dropped, oldest first: what the
    /// notices of actions due look at.
    async fn plans_with_open_actions(&self) -> StoreResult<Vec<Plan>>;

    /// Adds an action, not started. `Invalid` when its finding is not the plan's.
    async fn add_action(
        &self,
        plan: i64,
        details: &ActionDetails,
        by: UserId,
        at: DateTime<Utc>,
    ) -> StoreResult<PlanAction>;

    /// Changes an action's details (not its status). `NotFound` unless the action
    /// is the plan's; `Invalid` when its finding is not the plan's.
    async fn update_action(
        &self,
        plan: i64,
        action: i64,
        details: &ActionDetails,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// Gives an action a new status and keeps the change. `Conflict` when the
    /// change is refused (see [`candour_domain::improvement::check_status_change`]).
    async fn set_action_status(&self, plan: i64, action: i64, change: &StatusChange) -> StoreResult<()>;

    /// `Invalid` when it has neither a note nor a file.
    async fn add_evidence(&self, plan: i64, action: i64, evidence: &NewEvidence) -> StoreResult<Evidence>;

    /// An evidence file's description and content. `NotFound` unless the item
    /// is the plan's and is a file.
    async fn evidence_file(&self, plan: i64, evidence: i64) -> StoreResult<(FileMeta, Vec<u8>)>;

    async fn save_reflection(&self, plan: i64, reflection: &Reflection, at: DateTime<Utc>) -> StoreResult<()>;

    /// Publishes (or republishes) the plan's summary with exactly the actions and
    /// evidence items named public. `Invalid` when one is not the plan's or the
    /// summary is empty.
    async fn publish_plan(&self, plan: i64, publishing: &Publishing) -> StoreResult<()>;

    /// Takes the plan off the public page (the choices of what to show are kept).
    async fn unpublish_plan(&self, plan: i64, at: DateTime<Utc>) -> StoreResult<()>;
}
