//! The rules of accounts: signing in and out, sessions, invitations, password
//! resets, API tokens and the audit trail. The web server and the command line
//! both go through [`Accounts`]; neither holds these rules itself.
//!
//! Secrets (session cookies, link tokens, API tokens) are 32 random bytes and
//! only their SHA-256 reaches the store. Passwords are hashed with argon2id on
//! tokio's blocking threads. Methods that change something and that the web
//! calls take the request's `ip` last, for the audit log (the command line
//! passes `None`).

mod admin;
mod error;
mod mail;
mod password;
mod policy;
mod rules;
mod secret;

use std::sync::Arc;

use chrono::{DateTime, Utc};

use candour_domain::{Email, Grant, Password, Principal, UserId};
use candour_store::{
    AccountStore, ApiToken, LinkPurpose, NewApiToken, NewAuditEntry, NewLink, NewSession, NewUser, RegisterStore,
    SignInState, Store, StoreError, User, UserUpdate,
};

pub use admin::ExpertAsked;
pub use error::{AccountError, SignInError};
pub use mail::describe_duration;
pub use policy::{AccountPolicy, Clock, ManualClock, PasswordCost, SystemClock};
pub use secret::{API_TOKEN_PREFIX, Secret};

use password::Hasher;
use rules::{Reach, Refusal};
use secret::{API_TOKEN_SHOWN_CHARS, token_hash};

/// A session just begun.
#[derive(Debug)]
pub struct SignedIn {
    /// The session cookie's value, shown to the browser once.
    pub session_secret: Secret,
    /// The latest the session can last (`session_max` from now), for the cookie's
    /// expiry. The session ends sooner after `session_idle` without use, or at sign-out.
    pub expires_at: DateTime<Utc>,
    pub principal: Principal,
}

/// A person invited: their account (without a password yet) and the link that
/// lets them choose one, `{public_url}/invitations/{secret}`, also emailed.
#[derive(Debug)]
pub struct Invitation {
    pub user: User,
    pub link: Secret,
}

/// The account service. Cheap to clone: clones share one state.
#[derive(Clone)]
pub struct Accounts {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn AccountStore>,
    /// The one access decision, for the administration calls.
    gate: crate::Gate,
    /// Which provider runs a location, for who may give roles there.
    register: Arc<dyn RegisterStore>,
    policy: AccountPolicy,
    clock: Arc<dyn Clock>,
    hasher: Arc<Hasher>,
    /// Sign-in attempts for one account take turns (accounts share 64 locks), so
    /// that parallel guesses cannot all read the same failure count.
    turns: [tokio::sync::Mutex<()>; 64],
}

/// Who a user is, for the access policy.
pub fn principal(user: &User) -> Principal {
    Principal { user_id: user.id, email: user.email.clone(), grants: user.grants.clone() }
}

impl Accounts {
    pub fn new(store: Arc<dyn Store>, policy: AccountPolicy) -> Self {
        Self::with_clock(store, policy, Arc::new(SystemClock))
    }

    /// As [`Accounts::new`], reading the time from `clock` (tests move a [`ManualClock`]).
    pub fn with_clock(store: Arc<dyn Store>, policy: AccountPolicy, clock: Arc<dyn Clock>) -> Self {
        let hasher = Hasher::new(policy.password_cost);
        let turns = std::array::from_fn(|_| tokio::sync::Mutex::new(()));
        let register: Arc<dyn RegisterStore> = store.clone();
        let gate = crate::Gate::new(store.clone());
        Self { inner: Arc::new(Inner { store, gate, register, policy, clock, hasher, turns }) }
    }

    pub fn policy(&self) -> &AccountPolicy {
        &self.inner.policy
    }

    fn store(&self) -> &dyn AccountStore {
        self.inner.store.as_ref()
    }

    fn register(&self) -> &dyn RegisterStore {
        self.inner.register.as_ref()
    }

    fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }

    // ---- signing in and out ----

    /// Checks an email and password and begins a new session. Every refusal is
    /// the same [`SignInError::Refused`] and takes as long as a wrong password.
    /// After `lockout_after` consecutive failures the account refuses every
    /// attempt for `lockout_for` without checking the password; once that ends,
    /// each further failure locks it again until a success or a password reset.
    /// Each success makes a new session (never reusing one, which prevents
    /// session fixation): the web should also end the browser's old session.
    pub async fn sign_in(&self, email: &str, password: &str, ip: Option<&str>) -> Result<SignedIn, SignInError> {
        // Text that is not an address names no account; nothing to check or log.
        let Ok(email) = Email::parse(email) else { return Err(SignInError::Refused) };
        let _turn = self.inner.turns[rules::turn_of(&email, self.inner.turns.len())].lock().await;
        let record = self.store().sign_in_record(&email).await?;
        let verdict = rules::judge(record.as_ref(), self.now());
        let password_matches = match (&verdict, &record) {
            (Ok(()), Some(record)) => self.inner.hasher.verify(password, record.password_hash.as_deref()).await?,
            _ => {
                // Check against a hash no password matches, so that refusing takes as long.
                self.inner.hasher.verify(password, None).await?;
                false
            }
        };
        match (record, verdict) {
            (Some(record), Ok(())) if password_matches => Ok(self.begin_session(record.user, ip).await?),
            (record, verdict) => {
                let refusal = verdict.err().unwrap_or(Refusal::WrongPassword);
                self.record_refusal(record.as_ref(), &email, refusal, ip).await?;
                Err(SignInError::Refused)
            }
        }
    }

    /// The principal of a live session, or `None` (unknown, expired, or its user
    /// disabled). Use moves the idle expiry on, never past `session_max` from sign-in.
    pub async fn session(&self, secret: &str) -> Result<Option<Principal>, AccountError> {
        let (now, hash) = (self.now(), token_hash(secret));
        let Some(session) = self.store().session(&hash, now).await? else { return Ok(None) };
        let policy = self.policy();
        if now >= session.created_at + policy.session_max {
            return Ok(None);
        }
        let renewed = (now + policy.session_idle).min(session.created_at + policy.session_max);
        // At most one write a minute per session, however many requests it makes.
        if renewed - session.expires_at >= chrono::Duration::minutes(1) {
            match self.store().extend_session(&hash, renewed).await {
                Err(StoreError::NotFound) => return Ok(None), // signed out meanwhile
                other => other?,
            }
        }
        Ok(Some(principal(&session.user)))
    }

    /// Ends a session. Ending one that is already gone is not an error.
    pub async fn sign_out(&self, secret: &str, ip: Option<&str>) -> Result<(), AccountError> {
        let hash = token_hash(secret);
        let session = self.store().session(&hash, self.now()).await?;
        self.store().delete_session(&hash).await?;
        if let Some(session) = session {
            let user = principal(&session.user);
            self.audit(Some(&user), "sign_out", &rules::user_resource(user.user_id), None, ip).await?;
        }
        Ok(())
    }

    // ---- invitations and passwords ----

    /// Creates an account without a password, and emails (and returns) a
    /// single-use link to choose one, valid for `invitation_valid`. `by` is the
    /// person inviting, who must be allowed to give every one of `grants`
    /// (administrators any; provider administrators roles within their provider);
    /// `None` means the command line or the demo. `Conflict` if the email has an account.
    pub async fn invite(
        &self,
        by: Option<&Principal>,
        email: Email,
        name: &str,
        grants: Vec<Grant>,
        ip: Option<&str>,
    ) -> Result<Invitation, AccountError> {
        let name = rules::checked_name(name)?;
        rules::check_grants(&grants)?;
        if let Some(by) = by {
            Reach::of(self, by).require_grantable(&grants).await?;
        }
        let user = self.store().create_user(&NewUser { email, name, grants }).await?;
        self.send_invitation(by, user, ip).await
    }

    /// A new invitation link for someone who has not yet chosen a password (the
    /// first expired, say). Earlier links keep working until they expire.
    pub async fn resend_invitation(
        &self,
        by: Option<&Principal>,
        id: UserId,
        ip: Option<&str>,
    ) -> Result<Invitation, AccountError> {
        let user = self.store().user(id).await?;
        if let Some(by) = by {
            Reach::of(self, by).require_manages(&user).await?;
        }
        if user.has_password {
            return Err(AccountError::Invalid(
                "This person has already accepted their invitation; they can reset their password instead".into(),
            ));
        }
        if user.disabled {
            return Err(AccountError::Invalid("This account is disabled; enable it before inviting again".into()));
        }
        self.send_invitation(by, user, ip).await
    }

    /// Uses an invitation link (`secret` is the link's last part): sets the
    /// password and signs the person in. Any failure of the link is
    /// [`AccountError::LinkExpired`].
    pub async fn accept_invitation(
        &self,
        secret: &str,
        password: &Password,
        ip: Option<&str>,
    ) -> Result<SignedIn, AccountError> {
        let user = self.use_link(LinkPurpose::Invitation, secret).await?;
        self.store_password(&user, password).await?;
        self.audit(Some(&principal(&user)), "accept_invitation", &rules::user_resource(user.id), None, ip).await?;
        self.begin_session(user, ip).await
    }

    /// Emails a password reset link, valid for `reset_valid`, if `email` belongs to
    /// an enabled account. Always `Ok` whatever the address, so that the answer
    /// tells nobody whether an account exists.
    pub async fn request_password_reset(&self, email: &str, ip: Option<&str>) -> Result<(), AccountError> {
        let Ok(email) = Email::parse(email) else { return Ok(()) };
        let user = self.store().sign_in_record(&email).await?.map(|r| r.user).filter(|u| !u.disabled);
        let Some(user) = user else {
            let detail = format!("no enabled account for {email}");
            return self.audit(None, "password_reset_requested", "user:unknown", Some(&detail), ip).await;
        };
        let valid = self.policy().reset_valid;
        let link = self.create_link(LinkPurpose::PasswordReset, user.id, valid, "/password-reset/").await?;
        self.store().queue_email(&mail::password_reset(&user, &link, valid, self.now())).await?;
        self.audit(None, "password_reset_requested", &rules::user_resource(user.id), None, ip).await
    }

    /// Uses a reset link: sets the new password, lifts any lockout and ends every
    /// session of the account. Any failure of the link is [`AccountError::LinkExpired`].
    pub async fn reset_password(
        &self,
        secret: &str,
        password: &Password,
        ip: Option<&str>,
    ) -> Result<(), AccountError> {
        let user = self.use_link(LinkPurpose::PasswordReset, secret).await?;
        self.store_password(&user, password).await?;
        self.audit(Some(&principal(&user)), "reset_password", &rules::user_resource(user.id), None, ip).await
    }

    /// Changes a signed-in person's password after checking the current one, which
    /// counts towards the lockout as a sign-in does (a wrong one is `Refused`). The
    /// new password ends every session, unused link and API token of the account;
    /// the browser that changed it gets a new session.
    pub async fn change_password(
        &self,
        by: &Principal,
        current: &str,
        password: &Password,
        ip: Option<&str>,
    ) -> Result<SignedIn, SignInError> {
        self.sign_in(by.email.as_str(), current, ip).await?;
        let user = self.store().user(by.user_id).await?;
        self.store_password(&user, password).await?;
        self.audit(Some(by), "change_password", &rules::user_resource(user.id), None, ip).await?;
        Ok(self.begin_session(user, ip).await?)
    }

    /// Sets a password directly (the command line and the demo), ending the
    /// account's sessions, unused links and API tokens.
    pub async fn set_password(&self, id: UserId, password: &Password) -> Result<(), AccountError> {
        let user = self.store().user(id).await?;
        self.store_password(&user, password).await?;
        self.audit(None, "set_password", &rules::user_resource(id), None, None).await
    }

    // ---- users ----

    pub async fn user(&self, id: UserId) -> Result<User, AccountError> {
        Ok(self.store().user(id).await?)
    }

    /// Every account, by email (for administrators and the command line).
    pub async fn users(&self) -> Result<Vec<User>, AccountError> {
        Ok(self.store().users().await?)
    }

    /// The accounts `by` may manage: all for administrators; for a provider
    /// administrator, those whose every role lies within their provider.
    pub async fn users_managed_by(&self, by: &Principal) -> Result<Vec<User>, AccountError> {
        let mut reach = Reach::of(self, by);
        let mut managed = Vec::new();
        for user in self.store().users().await? {
            if reach.manages(&user).await? {
                managed.push(user);
            }
        }
        Ok(managed)
    }

    /// Changes a user's name, roles or whether they may sign in. An account `by`
    /// may not manage answers `NotFound`; roles beyond `by`'s reach are `Forbidden`.
    /// Disabling ends the account's sessions at once; nobody may disable themselves.
    pub async fn update_user(
        &self,
        by: &Principal,
        id: UserId,
        update: UserUpdate,
        ip: Option<&str>,
    ) -> Result<User, AccountError> {
        let user = self.store().user(id).await?;
        let update = rules::checked_update(update)?;
        let mut reach = Reach::of(self, by);
        reach.require_manages(&user).await?;
        if let Some(grants) = &update.grants {
            reach.require_grantable(grants).await?;
        }
        if update.disabled == Some(true) && by.user_id == id {
            return Err(AccountError::Forbidden("You cannot disable your own account".into()));
        }
        let user = self.store().update_user(id, &update).await?;
        if user.disabled {
            self.store().delete_sessions_of(id).await?;
        }
        let detail = rules::describe_update(&update);
        self.audit(Some(by), "update_user", &rules::user_resource(id), Some(&detail), ip).await?;
        Ok(user)
    }

    // ---- API tokens ----

    /// A new API token acting with the principal's rights. The secret
    /// (`cand_` and 43 characters) is shown once and stored only as its hash;
    /// its first 12 characters are kept to tell tokens apart.
    pub async fn create_api_token(
        &self,
        principal: &Principal,
        name: &str,
        ip: Option<&str>,
    ) -> Result<(ApiToken, Secret), AccountError> {
        let name = rules::checked_token_name(name)?;
        let secret = Secret::generate(API_TOKEN_PREFIX)?;
        let new = NewApiToken {
            user_id: principal.user_id,
            name,
            token_hash: secret.hash(),
            prefix: secret.expose().chars().take(API_TOKEN_SHOWN_CHARS).collect(),
            created_at: self.now(),
        };
        let token = self.store().create_api_token(&new).await?;
        self.audit(Some(principal), "create_api_token", &format!("api_token:{}", token.id), Some(&token.name), ip)
            .await?;
        Ok((token, secret))
    }

    /// The principal's tokens, newest first, revoked ones included.
    pub async fn api_tokens(&self, principal: &Principal) -> Result<Vec<ApiToken>, AccountError> {
        Ok(self.store().api_tokens(principal.user_id).await?)
    }

    /// Who a bearer token acts for, or `None` (unknown, revoked, or its user
    /// disabled). Records that the token was used.
    pub async fn api_principal(&self, secret: &str) -> Result<Option<Principal>, AccountError> {
        if !secret.starts_with(API_TOKEN_PREFIX) {
            return Ok(None);
        }
        let used = self.store().use_api_token(&token_hash(secret), self.now()).await?;
        Ok(used.map(|(_, user)| principal(&user)))
    }

    /// Revokes one of the principal's own tokens; another's answers `NotFound`.
    pub async fn revoke_api_token(
        &self,
        principal: &Principal,
        token_id: i64,
        ip: Option<&str>,
    ) -> Result<(), AccountError> {
        self.store().revoke_api_token(principal.user_id, token_id, self.now()).await?;
        self.audit(Some(principal), "revoke_api_token", &format!("api_token:{token_id}"), None, ip).await
    }

    // ---- the audit log ----

    /// Records who did what to which record, now. Never pass a secret or a
    /// password in `detail`.
    pub async fn audit(
        &self,
        actor: Option<&Principal>,
        action: &str,
        resource: &str,
        detail: Option<&str>,
        ip: Option<&str>,
    ) -> Result<(), AccountError> {
        let entry = NewAuditEntry {
            at: self.now(),
            actor: actor.map(|p| p.user_id),
            action: action.into(),
            resource: resource.into(),
            detail: detail.map(str::to_string),
            ip: ip.map(str::to_string),
        };
        Ok(self.store().append_audit(&entry).await?)
    }

    // ---- the steps the rules share ----

    async fn begin_session(&self, user: User, ip: Option<&str>) -> Result<SignedIn, AccountError> {
        let now = self.now();
        let policy = self.policy();
        let session_secret = Secret::generate("")?;
        let session = NewSession {
            token_hash: session_secret.hash(),
            user_id: user.id,
            created_at: now,
            expires_at: now + policy.session_idle.min(policy.session_max),
        };
        self.store().create_session(&session).await?;
        let signed_in = SignInState { failed_attempts: 0, locked_until: None, signed_in_at: Some(now) };
        self.store().set_sign_in_state(user.id, &signed_in).await?;
        let principal = principal(&user);
        self.audit(Some(&principal), "sign_in", &rules::user_resource(user.id), None, ip).await?;
        Ok(SignedIn { session_secret, expires_at: now + policy.session_max, principal })
    }

    async fn record_refusal(
        &self,
        record: Option<&candour_store::SignInRecord>,
        email: &Email,
        refusal: Refusal,
        ip: Option<&str>,
    ) -> Result<(), AccountError> {
        if let (Some(record), Refusal::WrongPassword) = (record, refusal) {
            let state = rules::after_failure(self.policy(), record.failed_attempts, self.now());
            self.store().set_sign_in_state(record.user.id, &state).await?;
        }
        let resource = record.map_or_else(|| "user:unknown".to_string(), |r| rules::user_resource(r.user.id));
        // The address tried is logged (it parsed as one, so it is not a password
        // typed in the wrong box); the password never is.
        let detail = format!("{}; email tried: {email}", refusal.reason());
        self.audit(None, "sign_in_failed", &resource, Some(&detail), ip).await
    }

    async fn send_invitation(
        &self,
        by: Option<&Principal>,
        user: User,
        ip: Option<&str>,
    ) -> Result<Invitation, AccountError> {
        let valid = self.policy().invitation_valid;
        let link = self.create_link(LinkPurpose::Invitation, user.id, valid, "/invitations/").await?;
        self.store().queue_email(&mail::invitation(&user, by, &link, valid, self.now())).await?;
        let detail = rules::describe_grants(&user.grants);
        self.audit(by, "invite", &rules::user_resource(user.id), Some(&detail), ip).await?;
        Ok(Invitation { user, link })
    }

    /// Stores a new link and returns its full address, `{public_url}{path}{secret}`.
    async fn create_link(
        &self,
        purpose: LinkPurpose,
        user_id: UserId,
        valid: chrono::Duration,
        path: &str,
    ) -> Result<Secret, AccountError> {
        let secret = Secret::generate("")?;
        let link = NewLink { purpose, token_hash: secret.hash(), user_id, expires_at: self.now() + valid };
        self.store().create_link(&link).await?;
        Ok(Secret::new(self.policy().url(&format!("{path}{}", secret.expose()))))
    }

    /// Uses up a link and returns its (enabled) user; every failure is `LinkExpired`.
    async fn use_link(&self, purpose: LinkPurpose, secret: &str) -> Result<User, AccountError> {
        let id = match self.store().consume_link(purpose, &token_hash(secret), self.now()).await {
            Err(StoreError::NotFound) => return Err(AccountError::LinkExpired),
            other => other?,
        };
        match self.store().user(id).await {
            Ok(user) if !user.disabled => Ok(user),
            Ok(_) | Err(StoreError::NotFound) => Err(AccountError::LinkExpired),
            Err(e) => Err(e.into()),
        }
    }

    /// Hashes and stores a new password, which lifts any lockout and ends every
    /// session, unused link and API token of the account: after a suspected
    /// compromise nothing opened with the old password lives on.
    async fn store_password(&self, user: &User, password: &Password) -> Result<(), AccountError> {
        let hash = self.inner.hasher.hash(password.expose()).await?;
        Ok(self.store().set_password_hash(user.id, &hash, self.now()).await?)
    }
}
