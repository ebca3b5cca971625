//! Concerns and complaints, the storage side. A complaint is kept with the policy
//! and deadlines it was received under, a hash of the secret of its private
//! follow link (never the secret), and a timeline of every step taken. Steps are
//! checked against the complaint as it stands, in the same transaction as they
//! are written, by the domain's rules; a refused step changes nothing.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use candour_domain::complaints::{
    ComplaintContact, ComplaintPolicy, ComplaintState, ComplaintStatus, ComplaintStep, Deadlines, EscalatedTo, Late,
    NewComplaintDetails, Outcome, ReceivedBy, Relationship,
};
use candour_domain::voice::Criticality;
use candour_domain::{LocationId, ProviderId, UserId};

use crate::{OutgoingEmail, StoreResult};

/// A safeguarding alert raised with a complaint whose words suggest harm: kept on
/// the complaint, its emails queued in the same transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ComplaintAlert {
    pub level: Criticality,
    /// Why, in plain words: "Pre-screen: words suggesting harm (hit)".
    pub reason: String,
}

/// A complaint to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewComplaint {
    pub location_id: LocationId,
    pub details: NewComplaintDetails,
    /// Short and human, like `K7QM-4TXD`: read out on the phone, quoted in a letter.
    pub reference: String,
    /// The SHA-256 of the follow link's secret. Sending the same secret twice (a
    /// double click) keeps one complaint.
    pub follow_hash: String,
    /// The policy the deadlines were computed under, kept with them.
    pub policy: ComplaintPolicy,
    pub deadlines: Deadlines,
    /// The member of staff who logged it; `None` when the person raised it online.
    pub logged_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub alert: Option<ComplaintAlert>,
    /// Emails to queue with it (the follow link to the complainant, alerts).
    pub emails: Vec<OutgoingEmail>,
}

/// What keeping a complaint returns; on a repeat of the same follow secret, the
/// first one's, with `duplicate: true`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ComplaintReceipt {
    pub id: i64,
    pub reference: String,
    pub duplicate: bool,
}

/// An escalation to the local authority or the ombudsman, and its result once known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Escalation {
    pub id: i64,
    pub to: EscalatedTo,
    pub on: NaiveDate,
    /// Their reference, if they gave one.
    pub reference: String,
    pub result: Option<String>,
    pub result_on: Option<NaiveDate>,
}

/// One entry of a complaint's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ComplaintEvent {
    /// `received`, or the code of the step taken (see `ComplaintStep::code`).
    pub step: String,
    /// The day it happened, as recorded.
    pub on: NaiveDate,
    /// Who recorded it; `None` for a complaint raised online.
    pub by: Option<UserId>,
    pub at: DateTime<Utc>,
    /// What was recorded with it, in words: the agreed date, the outcome, to whom.
    pub detail: String,
}

/// A complaint in full.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ComplaintRecord {
    pub id: i64,
    pub location_id: LocationId,
    pub location_name: String,
    pub provider_id: ProviderId,
    pub local_authority: Option<String>,
    pub reference: String,
    pub status: ComplaintStatus,
    pub channel: ReceivedBy,
    pub relationship: Relationship,
    pub received_on: NaiveDate,
    pub what_happened: String,
    pub desired_outcome: String,
    pub contact: ComplaintContact,
    pub policy: ComplaintPolicy,
    pub deadlines: Deadlines,
    pub agreed_response_by: Option<NaiveDate>,
    pub acknowledged_on: Option<NaiveDate>,
    pub investigating_on: Option<NaiveDate>,
    pub response_sent_on: Option<NaiveDate>,
    pub response: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub outcome: Option<Outcome>,
    pub learned: Option<String>,
    pub escalations: Vec<Escalation>,
    pub alert: Option<ComplaintAlert>,
    pub logged_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    /// Oldest first.
    pub timeline: Vec<ComplaintEvent>,
}

impl ComplaintRecord {
    /// The complaint as it was received.
    pub fn details(&self) -> NewComplaintDetails {
        NewComplaintDetails {
            what_happened: self.what_happened.clone(),
            desired_outcome: self.desired_outcome.clone(),
            relationship: self.relationship,
            contact: self.contact.clone(),
            channel: self.channel,
            received_on: self.received_on,
        }
    }

    /// What a step is checked against.
    pub fn state(&self) -> ComplaintState {
        ComplaintState {
            status: self.status,
            received_on: self.received_on,
            acknowledged_on: self.acknowledged_on,
            investigating_on: self.investigating_on,
            response_sent_on: self.response_sent_on,
            escalations: self.escalations.iter().map(|e| (e.id, e.on, e.result.is_some())).collect(),
        }
    }

    /// The answers due by `today` and not yet given.
    pub fn overdue(&self, today: NaiveDate) -> Late {
        if self.status == ComplaintStatus::Closed {
            return Late::default();
        }
        let late = self.deadlines.late(self.acknowledged_on, self.response_sent_on, today);
        Late {
            acknowledgement: late.acknowledgement && self.acknowledged_on.is_none(),
            response: late.response && self.response_sent_on.is_none(),
        }
    }

    /// Whether the response was sent by its deadline (`None` until it is sent).
    pub fn answered_on_time(&self) -> Option<bool> {
        self.response_sent_on.map(|sent| sent <= self.deadlines.respond_by)
    }
}

#[async_trait]
pub trait ComplaintStore: Send + Sync {
    /// Keeps a complaint, its alert and emails in one transaction. `NotFound` for a
    /// location not in the register; a follow hash kept already answers that
    /// complaint's receipt with `duplicate: true` and writes nothing.
    async fn add_complaint(&self, new: &NewComplaint) -> StoreResult<ComplaintReceipt>;

    /// One complaint in full, or `NotFound`.
    async fn complaint(&self, id: i64) -> StoreResult<ComplaintRecord>;

    /// The complaint whose follow secret (the first, or one added since) hashes to
    /// `follow_hash`, or `NotFound`.
    async fn complaint_by_follow(&self, follow_hash: &str) -> StoreResult<ComplaintRecord>;

    /// Adds a follow link to a complaint, for an email about to carry it: written
    /// before the email is queued, so that a link is never sent that does not open.
    /// `NotFound` for no such complaint.
    async fn add_complaint_link(&self, id: i64, token_hash: &str, at: DateTime<Utc>) -> StoreResult<()>;

    /// The complaints about these locations, with one status or any, the latest
    /// received first.
    async fn complaints(
        &self,
        locations: &[LocationId],
        status: Option<ComplaintStatus>,
    ) -> StoreResult<Vec<ComplaintRecord>>;

    /// Keeps an entry on a complaint's timeline that is not a step of its handling,
    /// by no account (what the person who raised it said back through their link, an
    /// escalation of its alert), with its emails, in one transaction. `NotFound` for
    /// no such complaint.
    async fn add_complaint_event(
        &self,
        id: i64,
        step: &str,
        detail: &str,
        at: DateTime<Utc>,
        emails: &[OutgoingEmail],
    ) -> StoreResult<ComplaintRecord>;

    /// Every complaint not yet closed, oldest first: what the deadline notices look at.
    async fn open_complaints(&self) -> StoreResult<Vec<ComplaintRecord>>;

    /// Takes a step, checked against the complaint as it stands in the same
    /// transaction, and queues its emails with it. `Conflict` with the refusal's
    /// words when it cannot be taken now (nothing is written); `NotFound` for no
    /// such complaint.
    async fn take_complaint_step(
        &self,
        id: i64,
        step: &ComplaintStep,
        by: Option<UserId>,
        at: DateTime<Utc>,
        emails: &[OutgoingEmail],
    ) -> StoreResult<ComplaintRecord>;
}
