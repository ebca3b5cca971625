//! Accounts, sessions, one-time links, API tokens, the audit log and the outbox:
//! the storage side of signing in and of recording who did what. Secrets never
//! reach the store in clear: callers pass hashes.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use candour_domain::{Email, Grant, UserId};

use crate::{Page, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub name: String,
    pub grants: Vec<Grant>,
    pub disabled: bool,
    /// False until the person has accepted their invitation and chosen a password.
    pub has_password: bool,
    pub created_at: DateTime<Utc>,
    pub last_sign_in_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub email: Email,
    pub name: String,
    pub grants: Vec<Grant>,
}

/// Changes to a user; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserUpdate {
    pub name: Option<String>,
    pub grants: Option<Vec<Grant>>,
    pub disabled: Option<bool>,
}

/// What signing in needs to know about an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInRecord {
    pub user: User,
    /// The argon2id PHC string, once a password has been set.
    pub password_hash: Option<String>,
    pub failed_attempts: u32,
    pub locked_until: Option<DateTime<Utc>>,
}

/// The outcome of a sign-in attempt, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInState {
    pub failed_attempts: u32,
    pub locked_until: Option<DateTime<Utc>>,
    /// Set when the attempt succeeded.
    pub signed_in_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    /// SHA-256 of the cookie's secret, hex.
    pub token_hash: String,
    pub user_id: UserId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub user: User,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LinkPurpose {
    Invitation,
    PasswordReset,
}

impl LinkPurpose {
    pub fn code(self) -> &'static str {
        match self {
            LinkPurpose::Invitation => "invitation",
            LinkPurpose::PasswordReset => "password_reset",
        }
    }
}

/// A single-use link (invitation or password reset), stored as the hash of its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLink {
    pub purpose: LinkPurpose,
    pub token_hash: String,
    pub user_id: UserId,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: UserId,
    pub name: String,
    /// The token's first characters, shown so that a person can tell tokens apart.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiToken {
    pub user_id: UserId,
    pub name: String,
    pub token_hash: String,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: Option<UserId>,
    pub actor_email: Option<String>,
    /// What was done, e.g. "read", "create", "update", "sign_in", "sign_in_failed".
    pub action: String,
    /// What it was done to, e.g. "location:1-545611283", "user:12".
    pub resource: String,
    pub detail: Option<String>,
    /// Where the request came from.
    pub ip: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEntry {
    pub at: DateTime<Utc>,
    pub actor: Option<UserId>,
    pub action: String,
    pub resource: String,
    pub detail: Option<String>,
    pub ip: Option<String>,
}

/// Filters for searching the audit log; text filters match the start of the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditQuery {
    pub actor_email: Option<String>,
    pub action: Option<String>,
    pub resource: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub page: u32,
    pub per_page: u32,
}

impl AuditQuery {
    pub const MAX_PER_PAGE: u32 = 200;
}

impl Default for AuditQuery {
    fn default() -> Self {
        Self { actor_email: None, action: None, resource: None, since: None, until: None, page: 1, per_page: 50 }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingEmail {
    pub to: Email,
    pub subject: String,
    /// The plain text; every email has one.
    pub body: String,
    /// The same message as HTML, sent beside the text.
    pub html: Option<String>,
    /// The page the email asks its reader to open: what a digest lists.
    pub link: Option<String>,
    /// How to stop this kind of email with one click.
    pub unsubscribe: Option<crate::Unsubscribe>,
    /// Held for the person's daily digest rather than sent alone.
    pub for_digest: bool,
    pub created_at: DateTime<Utc>,
}

impl OutgoingEmail {
    /// A plain-text email, sent alone.
    pub fn plain(to: Email, subject: String, body: String, created_at: DateTime<Utc>) -> Self {
        OutgoingEmail { to, subject, body, html: None, link: None, unsubscribe: None, for_digest: false, created_at }
    }
}

/// How the outbox stands: for its page, and for the sender to say when mail has
/// been failing for a while.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboxHealth {
    pub waiting: u64,
    pub sent: u64,
    /// Waiting after at least one failed attempt.
    pub failing: u64,
    /// When the oldest email still waiting was queued.
    pub oldest_waiting: Option<DateTime<Utc>>,
    /// When the oldest email still failing was queued.
    pub failing_since: Option<DateTime<Utc>>,
}

impl OutboxHealth {
    /// How long mail may fail before someone must be told.
    pub const FAILING_TOO_LONG: chrono::Duration = chrono::Duration::hours(1);

    /// Since when mail has been failing, once that is an hour or more before `now`.
    pub fn failing_too_long(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.failing_since.filter(|since| now - *since >= Self::FAILING_TOO_LONG)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OutboxEntry {
    pub id: i64,
    pub to: Email,
    pub subject: String,
    pub body: String,
    pub html: Option<String>,
    pub link: Option<String>,
    /// The one-click unsubscribe link, sent as the List-Unsubscribe header.
    pub unsubscribe_url: Option<String>,
    /// Held for a digest: never sent alone, and marked sent when its digest is queued.
    pub for_digest: bool,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub attempts: u32,
    pub last_error: Option<String>,
    /// The safeguarding alert this email delivers, if any.
    pub alert_id: Option<i64>,
}

#[async_trait]
pub trait AccountStore: Send + Sync {
    // ---- users ----

    /// `Conflict` when an account with that email exists.
    async fn create_user(&self, new: &NewUser) -> StoreResult<User>;
    async fn user(&self, id: UserId) -> StoreResult<User>;
    /// Every account, by email.
    async fn users(&self) -> StoreResult<Vec<User>>;
    async fn update_user(&self, id: UserId, update: &UserUpdate) -> StoreResult<User>;
    async fn sign_in_record(&self, email: &Email) -> StoreResult<Option<SignInRecord>>;
    async fn set_sign_in_state(&self, id: UserId, state: &SignInState) -> StoreResult<()>;
    /// Sets the password hash and clears any lockout. Everything the old password
    /// opened ends with it: every session, every unused link and (revoked at `now`)
    /// every API token of the account.
    async fn set_password_hash(&self, id: UserId, hash: &str, now: DateTime<Utc>) -> StoreResult<()>;

    // ---- sessions ----

    async fn create_session(&self, session: &NewSession) -> StoreResult<()>;
    /// The live session with this hash: not expired, and its user not disabled.
    async fn session(&self, token_hash: &str, now: DateTime<Utc>) -> StoreResult<Option<SessionRecord>>;
    /// Moves a live session's expiry (sliding idle timeout); `NotFound` if there is no such session.
    async fn extend_session(&self, token_hash: &str, expires_at: DateTime<Utc>) -> StoreResult<()>;
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()>;
    /// Ends every session of a user (after a password change or when disabled).
    async fn delete_sessions_of(&self, user: UserId) -> StoreResult<()>;

    // ---- single-use links ----

    async fn create_link(&self, link: &NewLink) -> StoreResult<()>;
    /// Uses up a link: returns its user if the link exists, is unused, unexpired and
    /// of this purpose; `NotFound` otherwise. A link works once only, and using it
    /// ends every other unused link of its user.
    async fn consume_link(&self, purpose: LinkPurpose, token_hash: &str, now: DateTime<Utc>) -> StoreResult<UserId>;

    // ---- API tokens ----

    async fn create_api_token(&self, token: &NewApiToken) -> StoreResult<ApiToken>;
    /// A user's tokens, newest first, revoked ones included.
    async fn api_tokens(&self, user: UserId) -> StoreResult<Vec<ApiToken>>;
    /// The live token with this hash and its user (not revoked, user not disabled);
    /// records that it was used.
    async fn use_api_token(&self, token_hash: &str, now: DateTime<Utc>) -> StoreResult<Option<(ApiToken, User)>>;
    /// `NotFound` when the token is not the user's.
    async fn revoke_api_token(&self, user: UserId, token_id: i64, now: DateTime<Utc>) -> StoreResult<()>;

    // ---- audit log (append-only) ----

    async fn append_audit(&self, entry: &NewAuditEntry) -> StoreResult<()>;
    /// Newest first.
    async fn audit_log(&self, query: &AuditQuery) -> StoreResult<Page<AuditEntry>>;

    // ---- outbox ----

    async fn queue_email(&self, email: &OutgoingEmail) -> StoreResult<i64>;
    /// Newest first.
    async fn outbox(&self, limit: u32) -> StoreResult<Vec<OutboxEntry>>;
    async fn outbox_health(&self) -> StoreResult<OutboxHealth>;
}

/// What the mail sender uses: the emails due and how each attempt went.
#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Claims unsent emails due for an attempt at `now`, oldest first: each is
    /// returned to this caller only, and is due again at `lease_until` unless marked
    /// sent or failed before then (so that one whose sender died is sent by another).
    /// Several senders at once never claim the same email.
    async fn claim_due_emails(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<OutboxEntry>>;
    async fn mark_email_sent(&self, id: i64, at: DateTime<Utc>) -> StoreResult<()>;
    /// Records a failed attempt and when to try again.
    async fn mark_email_failed(&self, id: i64, error: &str, retry_at: DateTime<Utc>) -> StoreResult<()>;
}
