//! The rules of people's voice. The web form, the API and the command line all
//! go through [`Voice`]: it validates feedback, runs the pre-screen, raises
//! safeguarding alerts (stored with their emails in the same transaction as what
//! caused them), decides which replies a moderator checks, and computes the
//! aggregates with the engine.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use candour_domain::voice::{ChangeClaim, Channel, Criticality, FeedbackError, Progress, RawFeedback};
use candour_domain::{LocationId, Principal};
use candour_store::{ModerationDecision, OwnFeedback, Receipt, Reply, Store, StoreError};

pub use candour_engine::voice::VoiceSummary;

/// Settings of the voice rules.
#[derive(Debug, Clone)]
pub struct VoiceConfig {
    /// Links in alert emails start with this, like `https://candour.example`.
    pub public_url: String,
    /// The aggregates count responses received within this many days.
    pub window_days: i64,
    /// A responder's first this-many replies are checked by a moderator before they show.
    pub replies_checked: u32,
}

impl VoiceConfig {
    pub fn new(public_url: impl Into<String>) -> Self {
        Self { public_url: public_url.into(), window_days: 365, replies_checked: 10 }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum VoiceError {
    /// The feedback has problems, each against its field.
    #[error("the feedback has {} problem(s)", .0.len())]
    Invalid(Vec<FeedbackError>),
    /// A request that is not well-formed, with a message for the person.
    #[error("{0}")]
    Refused(String),
    #[error("not found")]
    NotFound,
    /// The thing has moved on (already moderated, already acknowledged).
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Store(StoreError),
}

/// The voice service. Cheap to clone.
#[derive(Clone)]
pub struct Voice {
    store: Arc<dyn Store>,
    config: Arc<VoiceConfig>,
}

/// A fresh submission key: 128 random bits, URL-safe. It is put in the form when
/// the person starts, makes a double submit harmless, and becomes the secret of
/// their private return link.
pub fn new_submission_key() -> String {
    todo!()
}

impl Voice {
    pub fn new(store: Arc<dyn Store>, config: VoiceConfig) -> Self {
        Self { store, config: Arc::new(config) }
    }

    /// Validates and durably stores feedback, raising a safeguarding alert at once
    /// when the pre-screen's signals are strongest. `entered_by` is the member of
    /// staff typing in a paper form.
    pub async fn submit(
        &self,
        location: &LocationId,
        raw: &RawFeedback,
        channel: Channel,
        key: &str,
        entered_by: Option<&Principal>,
        now: DateTime<Utc>,
    ) -> Result<Receipt, VoiceError> {
        let _ = (location, raw, channel, key, entered_by, now, &self.store, &self.config);
        todo!()
    }

    /// The person's own view through their return link.
    pub async fn own_feedback(&self, key: &str) -> Result<OwnFeedback, VoiceError> {
        let _ = key;
        todo!()
    }

    pub async fn rate_progress(
        &self,
        key: &str,
        outcome_id: i64,
        progress: Progress,
        now: DateTime<Utc>,
    ) -> Result<(), VoiceError> {
        let _ = (key, outcome_id, progress, now);
        todo!()
    }

    /// Publishes or rejects a pending response; raises an alert when the level is
    /// 4–5 and none was raised yet. Returns the new alert's id.
    pub async fn moderate(
        &self,
        id: i64,
        decision: ModerationDecision,
        criticality: Criticality,
        by: &Principal,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>, VoiceError> {
        let _ = (id, decision, criticality, by, now);
        todo!()
    }

    /// A provider's public reply to a published story. Held for a check when it is
    /// one of the author's first replies or claims a change.
    pub async fn reply(
        &self,
        feedback_id: i64,
        by: &Principal,
        text: &str,
        change: ChangeClaim,
        change_what: &str,
        now: DateTime<Utc>,
    ) -> Result<Reply, VoiceError> {
        let _ = (feedback_id, by, text, change, change_what, now);
        todo!()
    }

    /// The published aggregates of a service, suppressed below 5 responses.
    pub async fn summary(&self, location: &LocationId, now: DateTime<Utc>) -> Result<VoiceSummary, VoiceError> {
        let _ = (location, now);
        todo!()
    }
}
