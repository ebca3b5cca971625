//! Assessments made in Candour: one (location, service group) scored statement by
//! statement, sent to the provider for factual-accuracy challenges, then
//! published as a rating. The store keeps what was recorded and enforces the
//! workflow's order; the rating rules live in the engine, which the caller runs.

use std::collections::BTreeMap;
use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use candour_domain::{KeyQuestion, LocationId, Rating, RatingRecord, ServiceKind, UserId};

use crate::StoreResult;

/// Where an assessment is in its workflow. Only forwards: draft → sent → published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssessmentStatus {
    /// Being scored by the inspector; only inspectors see it.
    Draft,
    /// With the provider for factual-accuracy challenges until the window ends.
    Sent,
    /// The current rating; never changes again.
    Published,
}

impl AssessmentStatus {
    pub fn code(self) -> &'static str {
        match self {
            AssessmentStatus::Draft => "draft",
            AssessmentStatus::Sent => "sent",
            AssessmentStatus::Published => "published",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [AssessmentStatus::Draft, AssessmentStatus::Sent, AssessmentStatus::Published]
            .into_iter()
            .find(|s| s.code() == value)
    }
}

impl fmt::Display for AssessmentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The facts about the service that bear on its ratings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentFacts {
    /// A breach of regulations was found.
    pub breach: bool,
    pub registered_manager: bool,
    /// Without a registered manager, satisfactory recruitment is under way.
    pub manager_recruitment_under_way: bool,
    /// Statutory notifications were sent (or there was good reason not to).
    pub notifications_ok: bool,
}

impl Default for AssessmentFacts {
    fn default() -> Self {
        Self { breach: false, registered_manager: true, manager_recruitment_under_way: false, notifications_ok: true }
    }
}

/// One quality statement as recorded: a direct score, or evidence-category
/// scores, with notes per evidence category; or a score carried over from an
/// earlier assessment with its date. Codes are the engine's (`S1`,
/// `people_experience`); the caller checks them against the framework.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementEntry {
    pub statement: String,
    /// The statement's score, 1–4, when scored directly.
    pub score: Option<u8>,
    /// Evidence-category scores, 1–4, by category code.
    pub categories: BTreeMap<String, u8>,
    /// Evidence notes by category code.
    pub notes: BTreeMap<String, String>,
    /// Set when the score is carried over: the date it was given.
    pub carried_from: Option<NaiveDate>,
}

/// A key question not reassessed in a focused assessment keeps its standing rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandingEntry {
    pub key_question: KeyQuestion,
    pub rating: Rating,
    pub rated_on: Option<NaiveDate>,
}

/// The inspector's rating in place of the computed one, for a key question or
/// (`key_question: None`) the overall rating, with the reason and the computed
/// rating it departs from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JudgementEntry {
    pub key_question: Option<KeyQuestion>,
    pub rating: Rating,
    pub reason: String,
    pub computed: Option<Rating>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChallengeStatus {
    Open,
    Accepted,
    Rejected,
}

impl ChallengeStatus {
    pub fn code(self) -> &'static str {
        match self {
            ChallengeStatus::Open => "open",
            ChallengeStatus::Accepted => "accepted",
            ChallengeStatus::Rejected => "rejected",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [ChallengeStatus::Open, ChallengeStatus::Accepted, ChallengeStatus::Rejected]
            .into_iter()
            .find(|s| s.code() == value)
    }
}

/// A factual-accuracy challenge to one finding: a statement (`S1`) or a key
/// question (`safe`) or the overall rating (`overall`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    pub id: i64,
    pub finding: String,
    pub text: String,
    pub raised_by: UserId,
    pub raised_at: DateTime<Utc>,
    pub status: ChallengeStatus,
    /// The inspector's reason for accepting or rejecting it.
    pub decision_reason: Option<String>,
    pub decided_by: Option<UserId>,
    pub decided_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewChallenge {
    pub finding: String,
    pub text: String,
    pub raised_by: UserId,
    pub raised_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeDecision {
    /// `Accepted` or `Rejected`.
    pub status: ChallengeStatus,
    pub reason: String,
    pub decided_by: UserId,
    pub decided_at: DateTime<Utc>,
}

/// An assessment with everything recorded on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentRecord {
    pub id: i64,
    pub location_id: LocationId,
    /// The service group's name, like "Care home service with nursing".
    pub service_group: String,
    pub service_kind: ServiceKind,
    pub status: AssessmentStatus,
    /// The rating policy, as the engine's JSON.
    pub policy: String,
    pub facts: AssessmentFacts,
    /// In the order of the framework's statement IDs.
    pub statements: Vec<StatementEntry>,
    pub standing: Vec<StandingEntry>,
    pub judgements: Vec<JudgementEntry>,
    /// Oldest first.
    pub challenges: Vec<Challenge>,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// The last day on which challenges may be raised.
    pub window_ends: Option<NaiveDate>,
    pub published_at: Option<DateTime<Utc>>,
    pub published_by: Option<UserId>,
    pub published_on: Option<NaiveDate>,
    /// The engine's result as published (JSON), kept so the public can see how it was worked out.
    pub result: Option<String>,
}

impl AssessmentRecord {
    pub fn open_challenges(&self) -> usize {
        self.challenges.iter().filter(|c| c.status == ChallengeStatus::Open).count()
    }

    /// Whether the provider may still raise challenges on `today`.
    pub fn window_open(&self, today: NaiveDate) -> bool {
        self.status == AssessmentStatus::Sent && self.window_ends.is_some_and(|end| today <= end)
    }

    /// Whether scores, facts and judgements may change on `today`: while a draft,
    /// and while the challenge window is open (to correct accepted findings).
    pub fn editable(&self, today: NaiveDate) -> bool {
        self.status == AssessmentStatus::Draft || self.window_open(today)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAssessment {
    pub location_id: LocationId,
    pub service_group: String,
    pub service_kind: ServiceKind,
    pub policy: String,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
}

/// One change to a draft (or a sent assessment whose window is open).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssessmentChange {
    Facts(AssessmentFacts),
    /// Records a statement, replacing what was recorded for it.
    Statement(StatementEntry),
    RemoveStatement(String),
    /// Sets or (with `None`) clears a key question's standing rating.
    Standing(KeyQuestion, Option<StandingEntry>),
    /// Sets or clears the judgement on a key question (`None`: the overall rating).
    Judgement(Option<KeyQuestion>, Option<JudgementEntry>),
}

/// What publishing writes: the rating records (through the import write path) and
/// the engine's result that produced them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publication {
    pub published_on: NaiveDate,
    pub published_at: DateTime<Utc>,
    pub published_by: UserId,
    pub ratings: Vec<RatingRecord>,
    pub result: String,
}

#[async_trait]
pub trait AssessmentStore: Send + Sync {
    /// `NotFound` when the location is not in the register.
    async fn create_assessment(&self, new: &NewAssessment) -> StoreResult<AssessmentRecord>;
    async fn assessment(&self, id: i64) -> StoreResult<AssessmentRecord>;
    /// A location's assessments, newest first.
    async fn assessments_of(&self, location: &LocationId) -> StoreResult<Vec<AssessmentRecord>>;
    /// `Conflict` unless the assessment is editable at `at` (see [`AssessmentRecord::editable`]).
    async fn update_assessment(&self, id: i64, change: &AssessmentChange, at: DateTime<Utc>) -> StoreResult<()>;
    /// Draft → sent, open to challenges until `window_ends` inclusive. `Conflict` unless a draft.
    async fn send_assessment(&self, id: i64, window_ends: NaiveDate, at: DateTime<Utc>) -> StoreResult<()>;
    /// `Conflict` unless sent with its window open on the day it is raised.
    async fn raise_challenge(&self, id: i64, challenge: &NewChallenge) -> StoreResult<Challenge>;
    /// `Conflict` unless the challenge is open and the assessment not published;
    /// `Invalid` without a reason or with `Open` as the decision.
    async fn decide_challenge(&self, id: i64, challenge: i64, decision: &ChallengeDecision) -> StoreResult<()>;
    /// Sent → published: writes the ratings as the location's newest, in one
    /// transaction. `Conflict` unless sent, while a challenge is open, or when a
    /// Candour rating of that service group is already recorded for that day.
    async fn publish_assessment(&self, id: i64, publication: &Publication) -> StoreResult<()>;
}
