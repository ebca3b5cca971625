//! Assessments made in Candour: one (location, service group) scored statement by
//! statement, sent to the provider for factual-accuracy challenges, then
//! published as a rating. The store keeps what was recorded and enforces the
//! workflow's order; the rating rules live in the engine, which the caller runs.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use candour_domain::assessment::{ChallengeState, Lifecycle, Part};
pub use candour_domain::{AssessmentStatus, ChallengeStatus};
use candour_domain::{KeyQuestion, LocationId, ProviderId, Rating, RatingRecord, ServiceKind, UserId};

use crate::{OutgoingEmail, StoreResult};

/// The facts about the service that bear on its ratings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StandingEntry {
    pub key_question: KeyQuestion,
    pub rating: Rating,
    pub rated_on: Option<NaiveDate>,
}

/// The inspector's rating in place of the computed one, for a key question or
/// (`key_question: None`) the overall rating, with the reason and the computed
/// rating it departs from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct JudgementEntry {
    pub key_question: Option<KeyQuestion>,
    pub rating: Rating,
    pub reason: String,
    pub computed: Option<Rating>,
}

/// A factual-accuracy challenge to one finding: a statement (`S1`) or a key
/// question (`safe`) or the overall rating (`overall`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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
    /// The provider's administrator who said it has no more challenges, and when.
    pub challenges_finished_by: Option<UserId>,
    pub challenges_finished_at: Option<DateTime<Utc>>,
    /// Changes made to sent findings after a challenge to them was accepted, oldest first.
    pub corrections: Vec<Correction>,
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

    /// The assessment as the lifecycle rule reads it.
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

    /// Whether the provider may still raise challenges on `today`.
    pub fn window_open(&self, today: NaiveDate) -> bool {
        self.lifecycle().window_open(today)
    }
}

/// A change to a sent finding, allowed because a challenge to it was accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Correction {
    pub challenge_id: i64,
    /// The finding changed: a statement (`S3`), a key question (`safe`) or `overall`.
    pub finding: String,
    /// What was recorded before and after, in words (`score 2`, `score 3`).
    pub before: String,
    pub after: String,
    pub corrected_by: UserId,
    pub corrected_at: DateTime<Utc>,
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

/// One change to a draft (or to a sent finding an accepted challenge reopened).
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

impl AssessmentChange {
    /// The part of the assessment the change touches, for the lifecycle rule.
    pub fn part(&self) -> Part {
        match self {
            AssessmentChange::Facts(_) | AssessmentChange::Judgement(None, _) => Part::Overall,
            AssessmentChange::Statement(entry) => Part::Statement(entry.statement.clone()),
            AssessmentChange::RemoveStatement(statement) => Part::Statement(statement.clone()),
            AssessmentChange::Standing(kq, _) | AssessmentChange::Judgement(Some(kq), _) => Part::KeyQuestion(*kq),
        }
    }
}

/// A finding's code: a statement ID, a key question's code or `overall`.
pub fn finding_of(part: &Part) -> String {
    match part {
        Part::Statement(id) => id.clone(),
        Part::KeyQuestion(kq) => candour_domain::assessment::key_question_code(*kq).to_string(),
        Part::Overall => "overall".to_string(),
    }
}

/// A statement as recorded, in words for a correction: `score 3`, `not scored`.
pub fn describe_statement(entry: Option<&StatementEntry>) -> String {
    let Some(entry) = entry else { return "not scored".to_string() };
    let mut text = match entry.score {
        Some(score) => format!("score {score}"),
        None => entry
            .categories
            .iter()
            .map(|(category, score)| format!("{} {score}", category.replace('_', " ")))
            .collect::<Vec<_>>()
            .join(", "),
    };
    if let Some(date) = entry.carried_from {
        text.push_str(&format!(" (carried over from {date})"));
    }
    text
}

pub fn describe_standing(standing: Option<&StandingEntry>) -> String {
    match standing {
        None => "no standing rating".to_string(),
        Some(s) => match s.rated_on {
            Some(on) => format!("standing rating {} (given {on})", s.rating.name()),
            None => format!("standing rating {}", s.rating.name()),
        },
    }
}

pub fn describe_judgement(judgement: Option<&JudgementEntry>) -> String {
    match judgement {
        None => "no judgement".to_string(),
        Some(j) => format!("judgement {}, because: {}", j.rating.name(), j.reason.trim()),
    }
}

pub fn describe_facts(f: &AssessmentFacts) -> String {
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    format!(
        "breach {}, registered manager {}, recruitment under way {}, notifications sent {}",
        yes_no(f.breach),
        yes_no(f.registered_manager),
        yes_no(f.manager_recruitment_under_way),
        yes_no(f.notifications_ok)
    )
}

/// What the change would record, in the words of [`describe_statement`] and its kin.
pub fn describe_change(change: &AssessmentChange) -> String {
    match change {
        AssessmentChange::Facts(f) => describe_facts(f),
        AssessmentChange::Statement(entry) => describe_statement(Some(entry)),
        AssessmentChange::RemoveStatement(_) => describe_statement(None),
        AssessmentChange::Standing(_, standing) => describe_standing(standing.as_ref()),
        AssessmentChange::Judgement(_, judgement) => describe_judgement(judgement.as_ref()),
    }
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
    /// The sent (not yet published) assessments of the provider's locations, the
    /// soonest window end first: the draft reports waiting for its review.
    async fn assessments_awaiting_review(&self, provider: &ProviderId) -> StoreResult<Vec<AssessmentRecord>>;
    /// `Conflict` unless the lifecycle allows the change ([`Lifecycle::may_change`]):
    /// anything in a draft; once sent, only a finding an accepted challenge reopened,
    /// and then the change is recorded as a [`Correction`] by `by` at `at`.
    async fn update_assessment(
        &self,
        id: i64,
        change: &AssessmentChange,
        by: UserId,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Draft → sent, open to challenges until `window_ends` inclusive, its emails
    /// queued with it. `Conflict` unless a draft.
    async fn send_assessment(
        &self,
        id: i64,
        window_ends: NaiveDate,
        at: DateTime<Utc>,
        emails: &[OutgoingEmail],
    ) -> StoreResult<()>;
    /// `Conflict` unless sent with its window open on the day it is raised (and the
    /// provider has not said it has no more).
    async fn raise_challenge(&self, id: i64, challenge: &NewChallenge) -> StoreResult<Challenge>;
    /// `Conflict` unless the challenge is open and the assessment not published;
    /// `Invalid` without a reason or with `Open` as the decision.
    /// The decision's emails are queued with it.
    async fn decide_challenge(
        &self,
        id: i64,
        challenge: i64,
        decision: &ChallengeDecision,
        emails: &[OutgoingEmail],
    ) -> StoreResult<()>;
    /// The provider's administrator says it has no more challenges: recorded with
    /// who and when; no more may be raised. `Conflict` unless the window is open.
    async fn finish_challenges(&self, id: i64, by: UserId, at: DateTime<Utc>) -> StoreResult<()>;
    /// Sent → published: writes the ratings as the location's newest, in one
    /// transaction. `Conflict` unless [`Lifecycle::may_publish`] allows it on the
    /// publication's day, or when a Candour rating of that service group is
    /// already recorded for that day.
    async fn publish_assessment(&self, id: i64, publication: &Publication) -> StoreResult<()>;
}
