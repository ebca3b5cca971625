//! Notices: what each person has chosen to receive, one-click unsubscribe links,
//! notices that must go once only, the daily digest, and who is told about a
//! service. The emails themselves are outbox rows ([`OutgoingEmail`]).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use candour_domain::{Email, LocationId, Role};

use crate::{OutboxEntry, OutgoingEmail, StoreResult};

/// How a person wants one kind of notice: each as it happens (the default), in a
/// daily digest, or not at all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailChoice {
    #[default]
    Each,
    Digest,
    None,
}

impl MailChoice {
    pub const ALL: [MailChoice; 3] = [MailChoice::Each, MailChoice::Digest, MailChoice::None];

    pub fn code(self) -> &'static str {
        match self {
            MailChoice::Each => "each",
            MailChoice::Digest => "digest",
            MailChoice::None => "none",
        }
    }

    pub fn parse(code: &str) -> Option<MailChoice> {
        MailChoice::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// A one-click unsubscribe link carried by an email: kept, as its secret's hash,
/// with the email in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsubscribe {
    /// The kind of notice it stops (a notice kind's code).
    pub kind: String,
    /// SHA-256 of the link's secret, hex.
    pub token_hash: String,
    /// The link itself, for the email's List-Unsubscribe header.
    pub url: String,
}

/// Someone a notice about a service goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub email: Email,
    pub name: String,
}

/// Someone following a service by email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Follow {
    pub id: i64,
    pub location_id: LocationId,
    pub email: Email,
    pub created_at: DateTime<Utc>,
    /// Set when they confirmed through the link sent to them; nothing is sent before.
    pub confirmed_at: Option<DateTime<Utc>>,
}

/// One person's digest: the held emails it gathers, oldest first.
pub struct Digest<'a> {
    pub to: &'a Email,
    pub items: &'a [OutboxEntry],
}

#[async_trait]
pub trait NoticeStore: Send + Sync {
    /// What each of these people has chosen for `kind` (those with no choice: [`MailChoice::Each`]).
    async fn mail_choices(&self, kind: &str, people: &[Email]) -> StoreResult<Vec<(Email, MailChoice)>>;
    /// Every choice one person has made, by kind.
    async fn mail_choices_of(&self, email: &Email) -> StoreResult<Vec<(String, MailChoice)>>;
    async fn set_mail_choice(
        &self,
        email: &Email,
        kind: &str,
        choice: MailChoice,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Whom an unsubscribe link stops, and which kind: `NotFound` for an unknown link.
    async fn unsubscribe_link(&self, token_hash: &str) -> StoreResult<(Email, String)>;

    /// Which of these once-only notices have been queued already.
    async fn sent_notices(&self, keys: &[String]) -> StoreResult<Vec<String>>;

    /// Queues the emails of a notice that must go once only, keyed by what it is
    /// about (e.g. "complaint:12:respond-missed"), in one transaction: false, with
    /// nothing queued, when that notice has been queued before.
    async fn queue_once(&self, key: &str, emails: &[OutgoingEmail], at: DateTime<Utc>) -> StoreResult<bool>;

    /// Gathers every email held for a digest queued before `before` into one email
    /// per person, composed by `compose`, and queues those, marking the held emails
    /// sent in the same transaction; answers how many digests were queued.
    async fn queue_digests(
        &self,
        before: DateTime<Utc>,
        at: DateTime<Utc>,
        compose: &(dyn for<'a> Fn(Digest<'a>) -> OutgoingEmail + Send + Sync),
    ) -> StoreResult<u32>;

    /// Asks to follow a service: kept unconfirmed, with the email asking to confirm
    /// queued in the same transaction. `NotFound` for a location not in the register.
    async fn add_follow(
        &self,
        location: &LocationId,
        email: &Email,
        token_hash: &str,
        confirmation: &OutgoingEmail,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Confirms the follow whose link's secret hashes to `token_hash` (confirming
    /// twice keeps the first time; following a service already followed keeps one).
    /// `NotFound` for an unknown link.
    async fn confirm_follow(&self, token_hash: &str, at: DateTime<Utc>) -> StoreResult<Follow>;
    /// The follow whose link's secret hashes to `token_hash`, or `NotFound`.
    async fn follow_by_token(&self, token_hash: &str) -> StoreResult<Follow>;
    /// Every confirmed follow, oldest first.
    async fn follows(&self) -> StoreResult<Vec<Follow>>;

    /// The accounts in use that hold one of `roles` over this location: a location
    /// grant on it, or a provider grant on its provider.
    async fn recipients_for(&self, location: &LocationId, roles: &[Role]) -> StoreResult<Vec<Recipient>>;
}
