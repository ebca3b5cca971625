//! The rules of people's voice. The web form, the API and the command line all
//! go through [`Voice`]: it validates feedback, runs the pre-screen, raises
//! safeguarding alerts (stored with their emails in the same transaction as what
//! caused them), decides which replies a moderator checks, and computes the
//! aggregates with the engine.

mod alert;
mod escalation;
mod key;
mod notices;
mod reminders;
pub use escalation::{EscalationPolicy, Escalations};
pub use reminders::REMINDER_WEEKS;

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use candour_domain::voice::{
    ChangeClaim, Channel, Criticality, Feedback, FeedbackError, MAX_CONTACT_CHARS, MAX_STORY_CHARS, Progress,
    RawFeedback, SNAPSHOT_MIN_HOURS, SNAPSHOT_MIN_NEW, VoiceFacts, personal_outcome_text,
};
use candour_domain::{Action, Email, LocationId, Principal, Resource, authorize};
use candour_engine::prescreen;
use candour_store::{
    ContactScope, FeedbackRecord, FeedbackStatus, LocationDetail, Moderation, ModerationDecision, NewAlert,
    NewFeedback, NewReply, OutgoingEmail, OwnFeedback, Page, Prescreen, PublishedReply, PublishedStory, Receipt,
    Recipient, RegisterStore, Reply, ReplyStatus, Store, StoreError, VoiceStore,
};

use crate::notices::Notices;
use crate::{Actor, AreaError, Denied, Failure, Gate};

pub use candour_engine::voice::VoiceSummary;
pub use key::{key_hash, new_reference, new_submission_key};

/// The longest reply, in characters.
pub const MAX_REPLY_CHARS: usize = 2000;
/// The longest description of a change, an acknowledgement note or a reason, in characters.
pub const MAX_NOTE_CHARS: usize = 2000;

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
    /// Refused by the access policy (or not there, which looks the same).
    #[error(transparent)]
    Denied(#[from] Denied),
    /// The feedback (or a safeguarding contact) has problems, each against its field.
    #[error("{} problem(s) to put right", .0.len())]
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

impl From<StoreError> for VoiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => VoiceError::NotFound,
            StoreError::Conflict(message) => VoiceError::Conflict(message),
            StoreError::Invalid(message) => VoiceError::Refused(message),
            other => VoiceError::Store(other),
        }
    }
}

impl AreaError for VoiceError {
    fn failure(&self) -> Failure<'_> {
        match self {
            VoiceError::Denied(denied) => denied.failure(),
            VoiceError::Invalid(_) => Failure::Invalid,
            VoiceError::Refused(message) => Failure::Refused(message),
            VoiceError::NotFound => Failure::NotFound,
            VoiceError::Conflict(message) => Failure::Conflict(message),
            VoiceError::Store(_) => Failure::Internal,
        }
    }
}

/// The store's answer, with a conflict told in the words given.
fn or_conflict<T>(result: Result<T, StoreError>, message: &str) -> Result<T, VoiceError> {
    result.map_err(|e| match e {
        StoreError::Conflict(_) => VoiceError::Conflict(message.into()),
        e => e.into(),
    })
}

/// The voice service. Cheap to clone. Its calls that take a [`Principal`] apply
/// the rules for an actor already admitted (the moderation service, the command
/// line); those that take an [`crate::Actor`] decide access and audit themselves.
#[derive(Clone)]
pub struct Voice {
    store: Arc<dyn VoiceStore>,
    register: Arc<dyn RegisterStore>,
    pub(crate) gate: Gate,
    config: Arc<VoiceConfig>,
    notices: Notices,
}

/// How long after a reply says a change is planned its managers are asked whether it was made.
const FOLLOW_UP_AFTER: Duration = Duration::weeks(8);

/// How many times a submission is tried with a fresh reference when the one drawn is taken.
const REFERENCE_TRIES: usize = 5;

impl Voice {
    pub fn new(store: Arc<dyn Store>, config: VoiceConfig) -> Self {
        let gate = Gate::new(store.clone());
        let notices = Notices::new(store.clone(), config.public_url.clone());
        Self { register: store.clone(), store, gate, config: Arc::new(config), notices }
    }

    /// The settings of the voice rules.
    pub fn config(&self) -> &VoiceConfig {
        &self.config
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
        let key_hash = key::key_hash(key)?;
        let feedback = Feedback::parse(raw, channel).map_err(VoiceError::Invalid)?;
        let prescreen = screen(&feedback);
        let mut last_conflict = None;
        for _ in 0..REFERENCE_TRIES {
            let reference = new_reference();
            let alert = match prescreen.suggested {
                Some(level) if level.is_safeguarding() => {
                    let reason = alert::prescreen_reason(&prescreen.words);
                    Some(self.new_alert(location, &reference, level, reason, now).await?)
                }
                _ => None,
            };
            let new = NewFeedback {
                location_id: location.clone(),
                feedback: feedback.clone(),
                key_hash: key_hash.clone(),
                reference,
                received_at: now,
                entered_by: entered_by.map(|p| p.user_id),
                prescreen: prescreen.clone(),
                alert,
                status: FeedbackStatus::on_arrival(&feedback),
            };
            match self.store.submit_feedback(&new).await {
                // The reference drawn is taken (a one in billions chance): draw another.
                Err(StoreError::Conflict(message)) => last_conflict = Some(message),
                result => return Ok(result?),
            }
        }
        Err(VoiceError::Store(StoreError::Conflict(last_conflict.unwrap_or_default())))
    }

    /// The person's own view through their return link.
    pub async fn own_feedback(&self, key: &str) -> Result<OwnFeedback, VoiceError> {
        Ok(self.store.own_feedback(&key::key_hash(key)?).await?)
    }

    /// The person names one more thing that matters to them, through their return link;
    /// a problem with the text comes back against the field `new_outcome`.
    pub async fn add_outcome(&self, key: &str, raw_text: &str) -> Result<i64, VoiceError> {
        let text = personal_outcome_text(raw_text).map_err(|message| {
            VoiceError::Invalid(vec![FeedbackError { field: "new_outcome".into(), message: message.into() }])
        })?;
        Ok(self.store.add_outcome(&key::key_hash(key)?, &text).await?)
    }

    /// The person stops tracking one of their own outcomes; its ratings are kept.
    pub async fn retire_outcome(&self, key: &str, outcome_id: i64, now: DateTime<Utc>) -> Result<(), VoiceError> {
        Ok(self.store.retire_outcome(&key::key_hash(key)?, outcome_id, now).await?)
    }

    /// The person rates progress on one of their own outcomes, through their return link.
    pub async fn rate_progress(
        &self,
        key: &str,
        outcome_id: i64,
        progress: Progress,
        now: DateTime<Utc>,
    ) -> Result<(), VoiceError> {
        Ok(self.store.rate_progress(&key::key_hash(key)?, outcome_id, progress, now).await?)
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
        let record = self.store.feedback_record(id).await?;
        const DONE: &str = "This feedback has already been moderated";
        if record.status != FeedbackStatus::Pending {
            return Err(VoiceError::Conflict(DONE.into()));
        }
        let decision = match decision {
            // Feedback with personal outcomes but no story has no text to publish.
            ModerationDecision::Publish { text } if record.story.is_empty() && text.trim().is_empty() => {
                ModerationDecision::Publish { text: String::new() }
            }
            ModerationDecision::Publish { text } => {
                let missing = "Enter the text to publish, with names of people and staff removed";
                ModerationDecision::Publish { text: required(&text, MAX_STORY_CHARS, missing)? }
            }
            ModerationDecision::Reject { reason } => ModerationDecision::Reject {
                reason: required(&reason, MAX_NOTE_CHARS, "Give the reason for rejecting it")?,
            },
        };
        let alert = if criticality.is_safeguarding() && record.alert_id.is_none() {
            let reason = alert::moderation_reason(criticality);
            Some(self.new_alert(&record.location_id, &record.reference, criticality, reason, now).await?)
        } else {
            None
        };
        let raised = alert.is_some();
        let emails = self.decision_emails(&record, &decision, now).await?;
        let moderation = Moderation { decision, criticality, by: by.user_id, at: now, alert, emails };
        or_conflict(self.store.moderate(id, &moderation).await, DONE)?;
        if !raised {
            return Ok(None);
        }
        Ok(self.store.feedback_record(id).await?.alert_id)
    }

    /// Who hears of a moderator's decision: the person, at the address they left
    /// (Candour writes, not the provider, so anonymity to the provider holds), and
    /// for a published story the service's managers, who learn nothing of who wrote it.
    async fn decision_emails(
        &self,
        record: &FeedbackRecord,
        decision: &ModerationDecision,
        now: DateTime<Utc>,
    ) -> Result<Vec<OutgoingEmail>, VoiceError> {
        let public_url = &self.config.public_url;
        let mut emails = Vec::new();
        if let Ok(email) = Email::parse(&record.contact.email) {
            let person = [Recipient { email, name: record.contact.name.clone() }];
            emails.extend(self.notices.emails(&notices::decided(public_url, record, decision), &person, now).await?);
        }
        if matches!(decision, ModerationDecision::Publish { text } if !text.is_empty()) {
            let managers = self.notices.managers_of(&record.location_id).await?;
            emails.extend(self.notices.emails(&notices::to_answer(public_url, record), &managers, now).await?);
        }
        Ok(emails)
    }

    /// Queues the notices of replies, each once: to the person who left an email,
    /// a reply published in the last week; to the service's managers, eight weeks
    /// after a reply said a change was planned and none since said it was made.
    pub async fn queue_reply_notices(&self, now: DateTime<Utc>) -> Result<u32, VoiceError> {
        let public_url = &self.config.public_url;
        let told_since = now - Duration::weeks(1);
        let (follow_from, follow_until) = (now - FOLLOW_UP_AFTER - Duration::weeks(2), now - FOLLOW_UP_AFTER);
        let replies = self.store.published_replies(follow_from.min(told_since)).await?;
        // Each due notice: its key, the reply, and the person to tell (none: the managers are asked).
        let mut due: Vec<(String, &PublishedReply, Option<Email>)> = Vec::new();
        for p in &replies {
            let published = p.reply.checked_at.unwrap_or(p.reply.created_at);
            if let Some(email) = Email::parse(&p.contact_email).ok().filter(|_| published >= told_since) {
                due.push((format!("reply:{}:told", p.reply.id), p, Some(email)));
            }
            let planned = p.reply.change == ChangeClaim::Planned && !p.made_later;
            if planned && (follow_from..=follow_until).contains(&p.reply.created_at) {
                due.push((format!("reply:{}:change-follow-up", p.reply.id), p, None));
            }
        }
        let keys: Vec<String> = due.iter().map(|(key, ..)| key.clone()).collect();
        let sent = self.notices.sent(&keys).await?;
        let mut queued = 0;
        for (key, p, person) in due.into_iter().filter(|(key, ..)| !sent.contains(key)) {
            let emails = match person {
                Some(email) => {
                    let person = [Recipient { email, name: p.contact_name.clone() }];
                    self.notices.emails(&notices::replied(public_url, p), &person, now).await?
                }
                None => {
                    let managers = self.notices.managers_of(&p.location_id).await?;
                    self.notices.emails(&notices::change_follow_up(public_url, p), &managers, now).await?
                }
            };
            queued += u32::from(self.notices.queue_once(&key, &emails, now).await?);
        }
        Ok(queued)
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
        let text = required(text, MAX_REPLY_CHARS, "Write your reply")?;
        let change_what = match change {
            ChangeClaim::None => String::new(),
            _ => required(change_what, MAX_NOTE_CHARS, "Say what the change is")?,
        };
        let checked = change != ChangeClaim::None
            || self.store.published_reply_count(by.user_id).await? < self.config.replies_checked;
        let reply = NewReply {
            feedback_id,
            author: by.user_id,
            text,
            change,
            change_what,
            at: now,
            status: if checked { ReplyStatus::Pending } else { ReplyStatus::Published },
        };
        or_conflict(self.store.add_reply(&reply).await, "Only published stories can be answered")
    }

    /// A moderator's check of a held reply: publish it (`reject_reason` `None`) or
    /// reject it with a reason.
    pub async fn check_reply(
        &self,
        reply_id: i64,
        reject_reason: Option<&str>,
        by: &Principal,
        now: DateTime<Utc>,
    ) -> Result<(), VoiceError> {
        let reason = reject_reason
            .map(|r| required(r, MAX_NOTE_CHARS, "Give the reason for rejecting the reply"))
            .transpose()?;
        let result = self.store.check_reply(reply_id, reason.as_deref(), by.user_id, now).await;
        or_conflict(result, "This reply has already been checked")
    }

    /// Records that someone has acted on an alert, with a note of what was done.
    pub async fn acknowledge_alert(
        &self,
        alert_id: i64,
        by: &Principal,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<(), VoiceError> {
        let note = required(note, MAX_NOTE_CHARS, "Say what has been done, or will be, about this alert")?;
        let result = self.store.acknowledge_alert(alert_id, by.user_id, &note, now).await;
        or_conflict(result, "This alert has already been acknowledged")
    }

    /// Sets a provider's named safeguarding lead or a local authority's team; both
    /// fields empty removes it. Problems are reported against `name` and `email`.
    pub async fn set_safeguarding_contact(
        &self,
        scope: &ContactScope,
        name: &str,
        email: &str,
        by: &Principal,
        now: DateTime<Utc>,
    ) -> Result<(), VoiceError> {
        let (name, email) = (name.trim(), email.trim());
        if name.is_empty() && email.is_empty() {
            return Ok(self.store.set_safeguarding_contact(scope, None, Some(by.user_id), now).await?);
        }
        let mut errors = Vec::new();
        let mut fail =
            |field: &str, message: &str| errors.push(FeedbackError { field: field.into(), message: message.into() });
        if name.is_empty() {
            fail("name", "Enter the name of the person or team");
        } else if name.chars().count() > MAX_CONTACT_CHARS {
            fail("name", "Keep the name under 200 characters");
        }
        let email =
            Email::parse(email).map_err(|_| fail("email", "Enter an email address like safeguarding@example.org")).ok();
        match email {
            Some(email) if errors.is_empty() => {
                Ok(self.store.set_safeguarding_contact(scope, Some((name, &email)), Some(by.user_id), now).await?)
            }
            _ => Err(VoiceError::Invalid(errors)),
        }
    }

    /// The published aggregates of a service, suppressed below 5 responses: those
    /// of its latest snapshot, over the window before it (so that they stay still
    /// between snapshots), or none before its first.
    pub async fn summary(&self, location: &LocationId, now: DateTime<Utc>) -> Result<VoiceSummary, VoiceError> {
        let window = Duration::days(self.config.window_days);
        let Some(taken_at) = self.store.voice_snapshot(location).await? else {
            return Ok(candour_engine::voice::summarise(&VoiceFacts::default(), now - window, now));
        };
        let facts = self.store.voice_facts(location, taken_at - window).await?;
        let summary = candour_engine::voice::summarise(&facts, taken_at - window, taken_at);
        Ok(VoiceSummary { updated_at: Some(taken_at), ..summary })
    }

    /// Takes a new snapshot of the published figures of every service due one
    /// (see [`SNAPSHOT_MIN_NEW`] and [`SNAPSHOT_MIN_HOURS`]); returns how many.
    pub async fn refresh_snapshots(&self, now: DateTime<Utc>) -> Result<u64, VoiceError> {
        let taken_before = now - Duration::hours(SNAPSHOT_MIN_HOURS);
        Ok(self.store.refresh_voice_snapshots(SNAPSHOT_MIN_NEW, taken_before, now).await?)
    }

    // ------------------------------------------------------------ a service's voice, on the provider side

    /// A service whose people's voice the actor may read (the read is audited)
    /// or, for staff typing in feedback, write. Another tenant's service is not
    /// found, as a missing one is.
    pub async fn location(&self, actor: &Actor, raw_id: &str, action: Action) -> Result<LocationDetail, VoiceError> {
        let id = LocationId::parse(raw_id).map_err(|_| VoiceError::NotFound)?;
        let detail = self.register.location(&id).await?;
        self.gate.require(actor, action, voice_resource(&detail)).await?;
        if action == Action::Read {
            self.gate.record(actor, "read", &format!("voice:location:{id}"), None).await?;
        }
        Ok(detail)
    }

    /// Whether the actor may answer the service's stories (the reply forms are shown).
    pub fn may_reply(&self, actor: &Actor, detail: &LocationDetail) -> bool {
        authorize(&actor.principal, Action::Write, voice_resource(detail)).is_allowed()
    }

    /// One page of the service's published stories with every reply, for a
    /// service the actor has read through [`Voice::location`].
    pub async fn stories_to_answer(
        &self,
        detail: &LocationDetail,
        page: u32,
        per_page: u32,
    ) -> Result<Page<PublishedStory>, VoiceError> {
        self.store.stories_to_answer(&detail.location.id, page, per_page).await.map_err(VoiceError::Store)
    }

    /// Feedback typed in by staff (from paper, or given with the person's help),
    /// recorded with who typed it in; a new response is audited.
    pub async fn enter(
        &self,
        actor: &Actor,
        raw_location: &str,
        raw: &RawFeedback,
        channel: Channel,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<Receipt, VoiceError> {
        let detail = self.location(actor, raw_location, Action::Write).await?;
        let id = &detail.location.id;
        let receipt = self.submit(id, raw, channel, key, Some(&actor.principal), now).await?;
        if !receipt.duplicate {
            let what = format!("{} entry at location:{id}", channel.code());
            self.gate.record(actor, "create", &format!("feedback:{}", receipt.feedback_id), Some(&what)).await?;
        }
        Ok(receipt)
    }

    /// The id of a story the actor may answer: feedback about this service (a
    /// story of another service looks exactly like one that does not exist).
    pub async fn story_to_answer(
        &self,
        actor: &Actor,
        detail: &LocationDetail,
        raw_feedback: &str,
    ) -> Result<i64, VoiceError> {
        self.gate.require(actor, Action::Write, voice_resource(detail)).await?;
        let id: i64 = raw_feedback.parse().map_err(|_| VoiceError::NotFound)?;
        match self.store.feedback_record(id).await {
            Ok(record) if record.location_id == detail.location.id => Ok(id),
            Ok(_) | Err(StoreError::NotFound) => Err(VoiceError::NotFound),
            Err(e) => Err(VoiceError::Store(e)),
        }
    }

    /// The provider's public reply to a story of this service, audited.
    #[allow(clippy::too_many_arguments)]
    pub async fn reply_to_story(
        &self,
        actor: &Actor,
        detail: &LocationDetail,
        raw_feedback: &str,
        text: &str,
        change: ChangeClaim,
        change_what: &str,
        now: DateTime<Utc>,
    ) -> Result<Reply, VoiceError> {
        let feedback = self.story_to_answer(actor, detail, raw_feedback).await?;
        let reply = self.reply(feedback, &actor.principal, text, change, change_what, now).await?;
        let what = format!("reply {} to feedback {feedback} ({})", reply.id, reply.status.code());
        self.gate.record(actor, "reply", &format!("location:{}", detail.location.id), Some(&what)).await?;
        Ok(reply)
    }

    /// An alert about feedback on `location`, addressed to its safeguarding contacts.
    async fn new_alert(
        &self,
        location: &LocationId,
        reference: &str,
        level: Criticality,
        reason: String,
        now: DateTime<Utc>,
    ) -> Result<NewAlert, VoiceError> {
        let detail = self.register.location(location).await?;
        let contacts = self.store.safeguarding_contacts_for(location).await?;
        let cause = alert::Cause { location: &detail, reference, level, reason };
        Ok(alert::new_alert(cause, &contacts, self.config.public_url.trim_end_matches('/'), now))
    }
}

fn voice_resource(detail: &LocationDetail) -> Resource<'_> {
    Resource::LocationVoice { location: &detail.location.id, provider: &detail.location.provider_id }
}

/// The pre-screen of everything the person wrote (their story and personal
/// outcomes, each on its own); nothing to suggest when they wrote nothing.
fn screen(feedback: &Feedback) -> Prescreen {
    let texts: Vec<&str> =
        std::iter::once(feedback.story.as_str()).chain(feedback.personal_outcomes.iter().map(String::as_str)).collect();
    if texts.iter().all(|t| t.is_empty()) {
        return Prescreen::default();
    }
    let mut result = Prescreen { suggested: Some(Criticality::NONE), words: Vec::new() };
    for screen in texts.into_iter().map(prescreen::screen) {
        result.suggested = result.suggested.max(Some(screen.suggested));
        for word in screen.words {
            if !result.words.iter().any(|w| w.eq_ignore_ascii_case(&word)) {
                result.words.push(word);
            }
        }
    }
    result
}

/// The text trimmed, or `Refused` with `missing` when empty or too long.
fn required(text: &str, max_chars: usize, missing: &str) -> Result<String, VoiceError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(VoiceError::Refused(missing.into()));
    }
    if text.chars().count() > max_chars {
        return Err(VoiceError::Refused(format!(
            "This is too long: keep it under {} characters",
            thousands(max_chars)
        )));
    }
    Ok(text.to_string())
}

/// 2000 → "2,000", as people write numbers.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
