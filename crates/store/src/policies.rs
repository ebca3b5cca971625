//! The policy cascade, the storage side: versioned policies and staff read confirmations.
//!
//! A policy belongs to a provider. Each publication adds a version (1, 2, ...) and
//! keeps the earlier ones; a confirmation is of one version by one account, so a new
//! version starts with nobody having read it. "The people who work for a provider"
//! are the accounts, not disabled, holding a provider administrator grant on it or a
//! registered manager or staff grant on one of its locations.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;

use candour_domain::policies::{PolicyDraft, PolicyKind, ReadCount, Version};
use candour_domain::{Email, Grant, LocationId, ProviderId, UserId};

use crate::StoreResult;

/// A version to publish: the first of a new policy (`policy: None`) or the next of one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPolicyVersion {
    pub provider: ProviderId,
    pub policy: Option<i64>,
    pub draft: PolicyDraft,
    pub published_by: Option<UserId>,
    pub published_at: DateTime<Utc>,
}

/// One version in full.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PolicyVersion {
    pub policy_id: i64,
    pub version: Version,
    #[serde(flatten)]
    pub draft: PolicyDraft,
    pub published_by: Option<UserId>,
    pub published_at: DateTime<Utc>,
}

/// One version as listed in a policy's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct VersionLine {
    pub version: Version,
    pub title: String,
    pub changes: String,
    pub requires_confirmation: bool,
    pub published_at: DateTime<Utc>,
    /// Confirmations of this version.
    pub confirmations: u64,
}

/// A policy with its current version in full and every version listed, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PolicyRecord {
    pub id: i64,
    pub provider_id: ProviderId,
    pub current: PolicyVersion,
    pub versions: Vec<VersionLine>,
    pub withdrawn_at: Option<DateTime<Utc>>,
}

/// A policy as listed in its provider's library: its current version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PolicySummary {
    pub id: i64,
    pub provider_id: ProviderId,
    pub title: String,
    pub kind: PolicyKind,
    pub version: Version,
    pub requires_confirmation: bool,
    pub published_at: DateTime<Utc>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    /// People who work for the provider and, when confirmation is asked for, how
    /// many of them confirmed the current version. Nothing is expected of a
    /// withdrawn policy or one that asks for no confirmation.
    pub reads: ReadCount,
}

/// Someone who works for a provider, and whether they confirmed a version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Reader {
    pub user_id: UserId,
    pub name: String,
    pub email: Email,
    /// Their grants at this provider and its locations only.
    pub grants: Vec<Grant>,
    /// False while the invitation has not been accepted.
    pub has_password: bool,
    pub confirmed_at: Option<DateTime<Utc>>,
}

/// A policy whose current version asks to be confirmed: what the notices to read
/// it look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyToConfirm {
    pub policy_id: i64,
    pub provider_id: ProviderId,
    pub version: Version,
    pub title: String,
    pub published_at: DateTime<Utc>,
}

/// The read rate of one location: the people granted on it (its registered managers
/// and staff), and the confirmations expected of them (one per person per current
/// policy of the provider that asks for one) and given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LocationReadRate {
    pub location_id: LocationId,
    pub provider_id: ProviderId,
    pub people: u64,
    #[serde(flatten)]
    pub reads: ReadCount,
}

#[async_trait]
pub trait PolicyStore: Send + Sync {
    /// Publishes a version and returns it. For a new policy, `NotFound` when the
    /// provider is not in the register. For a next version, `NotFound` when the policy
    /// does not exist or is another provider's, `Conflict` when it was withdrawn.
    async fn publish_policy(&self, new: &NewPolicyVersion) -> StoreResult<PolicyVersion>;

    /// Withdraws a policy: it stays viewable but nobody is asked to read it any more.
    /// `NotFound` for an unknown policy; withdrawing twice keeps the first date.
    async fn withdraw_policy(&self, policy: i64, at: DateTime<Utc>) -> StoreResult<()>;

    /// A policy with its versions. `NotFound` for an unknown one.
    async fn policy(&self, policy: i64) -> StoreResult<PolicyRecord>;

    /// One version in full. `NotFound` for an unknown policy or version.
    async fn policy_version(&self, policy: i64, version: Version) -> StoreResult<PolicyVersion>;

    /// A provider's policies, withdrawn ones included, those in force first, then by title.
    async fn policies_of(&self, provider: &ProviderId) -> StoreResult<Vec<PolicySummary>>;

    /// Records that `user` read and understood `version`, which must be the policy's
    /// current one (`Conflict` otherwise: a newer version was published meanwhile, or
    /// the policy was withdrawn). Returns when they confirmed it: now, or when they
    /// did before.
    async fn confirm_policy_read(
        &self,
        policy: i64,
        version: Version,
        user: UserId,
        at: DateTime<Utc>,
    ) -> StoreResult<DateTime<Utc>>;

    /// The current versions of a provider's policies `user` has confirmed, with when.
    async fn confirmed_by(
        &self,
        provider: &ProviderId,
        user: UserId,
    ) -> StoreResult<Vec<(i64, Version, DateTime<Utc>)>>;

    /// The policies in force whose current version asks to be confirmed and was
    /// published at or after `since`, oldest first.
    async fn policies_to_confirm(&self, since: DateTime<Utc>) -> StoreResult<Vec<PolicyToConfirm>>;

    /// Everyone who works for the policy's provider, by name, with their confirmation
    /// of its current version. `NotFound` for an unknown policy.
    async fn policy_readers(&self, policy: i64) -> StoreResult<Vec<Reader>>;

    /// The read rate of each location that has people granted on it, by location ID;
    /// of one provider's locations, or of every location (for monitoring).
    async fn policy_read_rates(&self, provider: Option<&ProviderId>) -> StoreResult<Vec<LocationReadRate>>;
}
