//! People's voice, the storage side: feedback as submitted (kept privately, with
//! any contact details), its moderation, safeguarding alerts and their contacts,
//! provider replies and personal-outcome progress. The rules (what the
//! pre-screen suggests, when an alert is due, which replies are checked) live in
//! the voice service; the store keeps what it is given, atomically.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use candour_domain::voice::{
    ChangeClaim, Channel, Contact, Criticality, Feedback, Helper, Overall, Progress, Respondent, VoiceFacts,
};
use candour_domain::{Email, LocationId, ProviderId, UserId};

use crate::{OutboxEntry, OutgoingEmail, Page, StoreError, StoreResult};

/// What the automated pre-screen made of a story: a suggested level and the words
/// that suggest harm. A moderator decides.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Prescreen {
    pub suggested: Option<Criticality>,
    pub words: Vec<String>,
}

/// A safeguarding alert to raise with the feedback or moderation that causes it,
/// in the same transaction, with its emails (queued in the outbox, linked to it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAlert {
    pub level: Criticality,
    /// Why, in plain words: "Pre-screen: words suggesting harm (hit, bruise)".
    pub reason: String,
    pub emails: Vec<OutgoingEmail>,
}

/// Feedback to keep. `key_hash` is the SHA-256 of the submission key, which is
/// also the secret of the person's private return link: submitting the same key
/// twice stores one response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFeedback {
    pub location_id: LocationId,
    pub feedback: Feedback,
    pub key_hash: String,
    /// Short and human: read out on the phone, quoted in a letter.
    pub reference: String,
    pub received_at: DateTime<Utc>,
    /// The member of staff who typed in a paper form, or entered it with the person.
    pub entered_by: Option<UserId>,
    pub prescreen: Prescreen,
    pub alert: Option<NewAlert>,
    /// Its status as it arrives, decided by the caller (the voice service, by
    /// [`FeedbackStatus::on_arrival`]); a backend stores it as given.
    pub status: FeedbackStatus,
}

/// What a submission returns. On a repeat of the same key, the first response's
/// reference with `duplicate: true`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Receipt {
    pub feedback_id: i64,
    pub reference: String,
    pub duplicate: bool,
    pub alert_id: Option<i64>,
}

/// Where a response is in moderation. Responses without any text (no story, no
/// personal outcomes) have nothing to read and are `Published` on arrival. Only
/// `Published` responses count in the published figures (a rejected one may be
/// abuse or advertising; a pending one has not been read yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackStatus {
    Pending,
    Published,
    Rejected,
}

impl FeedbackStatus {
    pub fn code(self) -> &'static str {
        match self {
            FeedbackStatus::Pending => "pending",
            FeedbackStatus::Published => "published",
            FeedbackStatus::Rejected => "rejected",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [FeedbackStatus::Pending, FeedbackStatus::Published, FeedbackStatus::Rejected]
            .into_iter()
            .find(|s| s.code() == value)
    }

    /// A new response's status ([`Feedback::needs_moderation`]).
    pub fn on_arrival(feedback: &Feedback) -> Self {
        if feedback.needs_moderation() { FeedbackStatus::Pending } else { FeedbackStatus::Published }
    }
}

/// One personal outcome with its progress ratings, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PersonalOutcome {
    pub id: i64,
    pub text: String,
    pub progress: Vec<(DateTime<Utc>, Progress)>,
    /// When the person stopped tracking it; a retired outcome is not rated again.
    pub retired_at: Option<DateTime<Utc>>,
}

/// A response as a moderator sees it: everything, contact details included.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FeedbackRecord {
    pub id: i64,
    pub reference: String,
    pub location_id: LocationId,
    pub location_name: String,
    pub provider_id: ProviderId,
    pub received_at: DateTime<Utc>,
    pub respondent: Respondent,
    pub channel: Channel,
    pub helper: Option<Helper>,
    pub entered_by: Option<UserId>,
    pub overall: Overall,
    /// Question code → 0–3, `None` for "doesn't apply", in question order.
    pub answers: Vec<(String, Option<u8>)>,
    /// The story as written. Never published as is.
    pub story: String,
    pub personal_outcomes: Vec<PersonalOutcome>,
    pub anonymous: bool,
    pub contact: Contact,
    pub prescreen: Prescreen,
    pub status: FeedbackStatus,
    /// The moderator's edited copy, once published.
    pub published_text: Option<String>,
    pub criticality: Option<Criticality>,
    pub moderated_by: Option<UserId>,
    pub moderated_at: Option<DateTime<Utc>>,
    pub reject_reason: Option<String>,
    pub alert_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModerationQuery {
    pub status: FeedbackStatus,
    pub page: u32,
    pub per_page: u32,
}

/// A moderator's decision on a pending response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModerationDecision {
    /// Publish the de-identified copy of the story (the original is kept privately).
    Publish {
        text: String,
    },
    Reject {
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moderation {
    pub decision: ModerationDecision,
    pub criticality: Criticality,
    pub by: UserId,
    pub at: DateTime<Utc>,
    /// Raised with the decision when the level calls for one and none exists yet.
    pub alert: Option<NewAlert>,
    /// Queued with the decision: the person told what became of their feedback, the
    /// service's managers of a story to answer.
    pub emails: Vec<OutgoingEmail>,
}

/// Whose safeguarding contact: a provider's named lead, or a local authority's team.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum ContactScope {
    Provider(ProviderId),
    LocalAuthority(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SafeguardingContact {
    pub scope: ContactScope,
    pub name: String,
    pub email: candour_domain::Email,
    pub updated_by: Option<UserId>,
    pub updated_at: DateTime<Utc>,
}

/// Which alerts to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlertScope {
    All,
    Provider(ProviderId),
    Locations(Vec<LocationId>),
    LocalAuthorities(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Alert {
    pub id: i64,
    pub feedback_id: i64,
    pub reference: String,
    pub location_id: LocationId,
    pub location_name: String,
    pub provider_id: ProviderId,
    pub local_authority: Option<String>,
    pub level: Criticality,
    pub reason: String,
    pub raised_at: DateTime<Utc>,
    /// The story as written, for those who must act on it; never contact details.
    pub story: String,
    pub acknowledged_by: Option<UserId>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledgement: Option<String>,
    /// Its emails, with whether each has been sent.
    pub deliveries: Vec<OutboxEntry>,
    /// Each step it was escalated while no one acknowledged it, oldest first.
    pub escalations: Vec<AlertEscalation>,
}

/// A step of an alert's escalation: when, why and to whom it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AlertEscalation {
    pub step: u32,
    pub at: DateTime<Utc>,
    pub reason: String,
    pub sent_to: Vec<Email>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReplyStatus {
    /// Waiting for a moderator's check.
    Pending,
    Published,
    Rejected,
}

impl ReplyStatus {
    pub fn code(self) -> &'static str {
        match self {
            ReplyStatus::Pending => "pending",
            ReplyStatus::Published => "published",
            ReplyStatus::Rejected => "rejected",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [ReplyStatus::Pending, ReplyStatus::Published, ReplyStatus::Rejected].into_iter().find(|s| s.code() == value)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReply {
    pub feedback_id: i64,
    pub author: UserId,
    pub text: String,
    pub change: ChangeClaim,
    /// What the change is; empty when `change` is `None`.
    pub change_what: String,
    pub at: DateTime<Utc>,
    /// Decided by the voice service: `Pending` for a responder's first replies and every change claim.
    pub status: ReplyStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Reply {
    pub id: i64,
    pub feedback_id: i64,
    pub author: UserId,
    /// The provider's name, shown as the author in public.
    pub provider_name: String,
    pub text: String,
    pub change: ChangeClaim,
    pub change_what: String,
    pub created_at: DateTime<Utc>,
    pub status: ReplyStatus,
    pub checked_by: Option<UserId>,
    pub checked_at: Option<DateTime<Utc>>,
    pub reject_reason: Option<String>,
}

/// A reply waiting for its check, with the story it answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ReplyToCheck {
    pub reply: Reply,
    pub reference: String,
    pub location_id: LocationId,
    pub location_name: String,
    pub published_text: String,
}

/// A published reply with what its notices need: the story's reference and service,
/// the address its writer left (Candour writes to them; the provider never sees it),
/// and whether a later published reply to the same story says the change was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedReply {
    pub reply: Reply,
    pub reference: String,
    pub location_id: LocationId,
    pub location_name: String,
    pub contact_name: String,
    pub contact_email: String,
    pub made_later: bool,
}

/// A published story with its published replies, as the public sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PublishedStory {
    pub feedback_id: i64,
    pub received_at: DateTime<Utc>,
    pub respondent: Respondent,
    pub overall: Overall,
    pub text: String,
    pub published_at: DateTime<Utc>,
    pub replies: Vec<Reply>,
}

/// The person's own view through their return link: no moderation details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct OwnFeedback {
    pub feedback_id: i64,
    pub reference: String,
    pub location_id: LocationId,
    pub location_name: String,
    pub received_at: DateTime<Utc>,
    pub status: FeedbackStatus,
    pub story: String,
    pub published_text: Option<String>,
    pub personal_outcomes: Vec<PersonalOutcome>,
    /// Published replies only.
    pub replies: Vec<Reply>,
    /// The email reminder the person asked for, if any.
    pub reminder: Option<Reminder>,
}

/// A person's email reminder to say how their outcomes are going.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Reminder {
    pub email: Email,
    pub every_weeks: u32,
    pub next_due_at: DateTime<Utc>,
}

/// A reminder as it is set: with the return link its emails carry, and the token
/// that stops it from an email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReminder {
    pub reminder: Reminder,
    pub link: String,
    pub stop_token: String,
    pub at: DateTime<Utc>,
}

/// Which reminder to stop: through the return link, or from an email's link.
#[derive(Debug, Clone, Copy)]
pub enum StopReminder<'a> {
    Key(&'a str),
    Token(&'a str),
}

/// A reminder whose time has come, with what its email says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueReminder {
    pub email: Email,
    pub location_name: String,
    pub link: String,
    pub stop_token: String,
    pub every_weeks: u32,
}

/// A response recorded in the past, with what happened to it: for loading demo
/// data in bulk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoricFeedback {
    pub new: NewFeedback,
    pub status: FeedbackStatus,
    pub published_text: Option<String>,
    pub criticality: Option<Criticality>,
    pub moderated_by: Option<UserId>,
    pub moderated_at: Option<DateTime<Utc>>,
    pub replies: Vec<NewReply>,
    /// Personal outcome index (0-based) → progress ratings.
    pub progress: Vec<(usize, DateTime<Utc>, Progress)>,
}

/// Whether a month of unusually many answers at a location counts towards its
/// people's rating, as a moderator decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BurstReview {
    pub location_id: LocationId,
    pub month: candour_domain::returns::Month,
    pub counted: bool,
    pub by: UserId,
    pub at: DateTime<Utc>,
}

/// A progress rating of a historic response's outcome (by its position), with
/// whether it counts towards the people's rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountedRating {
    pub outcome: usize,
    pub at: DateTime<Utc>,
    pub progress: Progress,
    pub counted: bool,
}

impl HistoricFeedback {
    /// The progress ratings, each with whether it counts towards the people's rating
    /// (at most once per outcome in any 90 days, as when rated through the return
    /// link); `Invalid` for a rating of an outcome the response does not name.
    pub fn counted_progress(&self) -> StoreResult<Vec<CountedRating>> {
        let named = self.new.feedback.personal_outcomes.len();
        if let Some(&(index, ..)) = self.progress.iter().find(|(index, ..)| *index >= named) {
            return Err(StoreError::Invalid(format!(
                "response {} rates progress on personal outcome {} of {named}",
                self.new.reference,
                index + 1
            )));
        }
        let mut ratings = self.progress.clone();
        ratings.sort_by_key(|&(index, at, _)| (index, at));
        let mut counted = Vec::with_capacity(ratings.len());
        for outcome in ratings.chunk_by(|a, b| a.0 == b.0) {
            let times: Vec<DateTime<Utc>> = outcome.iter().map(|r| r.1).collect();
            let counts = candour_domain::voice::counted_progress(&times);
            counted.extend(outcome.iter().zip(counts).map(|(&(outcome, at, progress), counted)| CountedRating {
                outcome,
                at,
                progress,
                counted,
            }));
        }
        Ok(counted)
    }
}

#[async_trait]
pub trait VoiceStore: Send + Sync {
    // ---- giving feedback ----

    /// Commits the feedback (and its alert and the alert's emails) durably before
    /// returning. The same `key_hash` again returns the first receipt, `duplicate`.
    /// `NotFound` when the location is not in the register.
    async fn submit_feedback(&self, new: &NewFeedback) -> StoreResult<Receipt>;

    /// The person's view through their return link; `NotFound` for an unknown key.
    async fn own_feedback(&self, key_hash: &str) -> StoreResult<OwnFeedback>;

    /// Adds a personal outcome to the response with this key while it tracks fewer
    /// than [`candour_domain::voice::MAX_PERSONAL_OUTCOMES`]; returns its id. `NotFound`
    /// for an unknown key, `Conflict` when it already tracks that many.
    async fn add_outcome(&self, key_hash: &str, text: &str) -> StoreResult<i64>;

    /// Stops tracking one of the person's own outcomes, keeping its ratings; `NotFound`
    /// unless the outcome belongs to the response with that key, `Conflict` if retired.
    async fn retire_outcome(&self, key_hash: &str, outcome_id: i64, at: DateTime<Utc>) -> StoreResult<()>;

    /// Sets (or replaces) the email reminder of the response with this key; `NotFound`
    /// for an unknown key.
    async fn set_reminder(&self, key_hash: &str, reminder: &NewReminder) -> StoreResult<()>;

    /// Stops the reminder of the response with this key, or the one `stop_token`
    /// belongs to; whether there was one.
    async fn stop_reminder(&self, which: StopReminder<'_>) -> StoreResult<bool>;

    /// Queues an email, made by `compose`, for each reminder due at `now` (at most
    /// `limit`), and sets each one's next time `every_weeks` from now, in one
    /// transaction: a reminder is queued once, whichever instance looks. Returns how many.
    async fn queue_due_reminders(
        &self,
        now: DateTime<Utc>,
        limit: u32,
        compose: &(dyn for<'r> Fn(&'r DueReminder) -> OutgoingEmail + Sync),
    ) -> StoreResult<u32>;

    /// Rates progress on one of the person's own outcomes; `NotFound` unless the
    /// outcome belongs to the feedback with that key, `Conflict` once it is retired.
    async fn rate_progress(
        &self,
        key_hash: &str,
        outcome_id: i64,
        progress: Progress,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;

    // ---- moderation ----

    /// The queue: `Pending` ones with the strongest pre-screen first, then oldest first;
    /// other statuses newest first.
    async fn moderation_queue(&self, query: &ModerationQuery) -> StoreResult<Page<FeedbackRecord>>;
    async fn feedback_record(&self, id: i64) -> StoreResult<FeedbackRecord>;
    /// The response with this reference, exactly as issued; `NotFound` otherwise.
    async fn feedback_by_reference(&self, reference: &str) -> StoreResult<FeedbackRecord>;
    /// `Conflict` unless pending. Writes the decision and any alert in one transaction.
    async fn moderate(&self, id: i64, moderation: &Moderation) -> StoreResult<()>;
    /// A moderator's decision on a month of unusually many answers, replacing any
    /// earlier one, with a journal entry for the location; `NotFound` for a location
    /// not in the register.
    async fn review_burst(&self, review: &BurstReview) -> StoreResult<()>;

    // ---- safeguarding ----

    /// Sets (or, with `None`, removes) a safeguarding contact.
    async fn set_safeguarding_contact(
        &self,
        scope: &ContactScope,
        contact: Option<(&str, &candour_domain::Email)>,
        by: Option<UserId>,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
    async fn safeguarding_contact(&self, scope: &ContactScope) -> StoreResult<Option<SafeguardingContact>>;
    /// The contacts an alert about this location goes to: its provider's lead and
    /// its local authority's team, where set.
    async fn safeguarding_contacts_for(&self, location: &LocationId) -> StoreResult<Vec<SafeguardingContact>>;
    /// Open alerts first (oldest first), then acknowledged ones (newest first).
    async fn alerts(&self, scope: &AlertScope, open_only: bool, limit: u32) -> StoreResult<Vec<Alert>>;
    async fn alert(&self, id: i64) -> StoreResult<Alert>;
    /// `Conflict` when already acknowledged.
    async fn acknowledge_alert(&self, id: i64, by: UserId, note: &str, at: DateTime<Utc>) -> StoreResult<()>;
    /// Records step `step` of an alert's escalation and queues its emails, in one
    /// transaction. False, with nothing written, when the alert has been acknowledged
    /// or the step has been taken already (by another instance); `NotFound` for no alert.
    async fn escalate_alert(
        &self,
        alert: i64,
        step: u32,
        reason: &str,
        emails: &[OutgoingEmail],
        at: DateTime<Utc>,
    ) -> StoreResult<bool>;

    // ---- replies ----

    /// `Conflict` unless the feedback is published.
    async fn add_reply(&self, reply: &NewReply) -> StoreResult<Reply>;
    /// How many of this author's replies have been published.
    async fn published_reply_count(&self, author: UserId) -> StoreResult<u32>;
    /// Oldest first.
    async fn replies_to_check(&self, limit: u32) -> StoreResult<Vec<ReplyToCheck>>;
    /// Replies published (written, or passed their check) at or after `since`, oldest first.
    async fn published_replies(&self, since: DateTime<Utc>) -> StoreResult<Vec<PublishedReply>>;
    /// Publishes (`reject_reason: None`) or rejects a pending reply; `Conflict` unless pending.
    async fn check_reply(&self, id: i64, reject_reason: Option<&str>, by: UserId, at: DateTime<Utc>)
    -> StoreResult<()>;
    /// Every reply to the location's stories, all statuses, newest first (the provider's view).
    async fn replies_of(&self, location: &LocationId) -> StoreResult<Vec<Reply>>;

    // ---- reading ----

    /// Published stories with published replies, newest first: those published by
    /// the location's latest voice snapshot (none before its first), so that they
    /// appear with the figures, in batches.
    async fn published_stories(
        &self,
        location: &LocationId,
        page: u32,
        per_page: u32,
    ) -> StoreResult<Page<PublishedStory>>;
    /// The newest published stories of any of these locations (an area's), with their
    /// published replies, under the same rule as [`VoiceStore::published_stories`].
    async fn published_stories_in(
        &self,
        locations: &[LocationId],
        limit: u32,
    ) -> StoreResult<Vec<(LocationId, PublishedStory)>>;
    /// Stories of the location a provider may answer: published ones (with every
    /// reply, any status), newest first. Never contact details.
    async fn stories_to_answer(
        &self,
        location: &LocationId,
        page: u32,
        per_page: u32,
    ) -> StoreResult<Page<PublishedStory>>;
    /// The facts the published aggregates are computed from: the responses counted
    /// by the location's latest voice snapshot (published by then) and received
    /// since `since`, with the replies and progress ratings recorded by then.
    /// Empty before its first snapshot. This is the only read of voice figures
    /// for anyone outside monitoring.
    async fn voice_facts(&self, location: &LocationId, since: DateTime<Utc>) -> StoreResult<VoiceFacts>;
    /// When the location's latest voice snapshot was taken, if it has one.
    async fn voice_snapshot(&self, location: &LocationId) -> StoreResult<Option<DateTime<Utc>>>;
    /// Takes a snapshot as of `taken_at` of every location with at least `min_new`
    /// more published responses than at its latest snapshot, where that was taken
    /// no later than `taken_before` (or there is none yet). Returns how many.
    async fn refresh_voice_snapshots(
        &self,
        min_new: u32,
        taken_before: DateTime<Utc>,
        taken_at: DateTime<Utc>,
    ) -> StoreResult<u64>;

    /// Loads responses recorded in the past, in one transaction (demo data).
    async fn load_historic_feedback(&self, batch: &[HistoricFeedback]) -> StoreResult<()>;
}
