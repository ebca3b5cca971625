//! Administering accounts: the calls behind the users, audit log and outbox
//! pages. Each takes the [`Actor`], asks the access policy first (a refusal is
//! audited), then loads, and records a private read in the audit log.

use candour_domain::{Action, Email, Grant, LocationId, ProviderId, Resource, Role, Scope, UserId};
use candour_store::{AuditEntry, AuditQuery, OutboxEntry, OutboxHealth, Page, StoreError, User, UserUpdate};

use super::{AccountError, Accounts, Invitation};
use crate::Actor;

/// What asking an expert by experience to visit did.
pub enum ExpertAsked {
    /// A new account, invited by email.
    Invited(Invitation),
    /// An existing expert's account, now covering the location too.
    Added(User),
}

impl Accounts {
    /// Whether `actor` may take `action` on `resource` (the one access decision,
    /// [`crate::Gate::require`]); a refusal is audited and answered as
    /// [`AccountError::Denied`].
    pub async fn require(&self, actor: &Actor, action: Action, resource: Resource<'_>) -> Result<(), AccountError> {
        Ok(self.inner.gate.require(actor, action, resource).await?)
    }

    async fn read(&self, actor: &Actor, resource: &str) -> Result<(), AccountError> {
        self.audit(Some(&actor.principal), "read", resource, None, actor.ip.as_deref()).await
    }

    /// Every account, for those who administer accounts; the read is audited.
    pub async fn users_for(&self, actor: &Actor) -> Result<Vec<User>, AccountError> {
        self.require(actor, Action::Read, Resource::Accounts).await?;
        let users = self.users().await?;
        self.read(actor, "users").await?;
        Ok(users)
    }

    /// One account, for those who administer accounts; the read is audited. An ID
    /// that is malformed or names no account is `NotFound`.
    pub async fn user_for(&self, actor: &Actor, raw_id: &str) -> Result<User, AccountError> {
        self.require(actor, Action::Read, Resource::Accounts).await?;
        let user = self.find_user(raw_id).await?;
        self.read(actor, &super::rules::user_resource(user.id)).await?;
        Ok(user)
    }

    /// One account that `actor` means to change, once they may change accounts.
    pub async fn user_to_change(&self, actor: &Actor, raw_id: &str) -> Result<User, AccountError> {
        self.require(actor, Action::Write, Resource::Accounts).await?;
        self.find_user(raw_id).await
    }

    async fn find_user(&self, raw_id: &str) -> Result<User, AccountError> {
        let id: i64 = raw_id.parse().map_err(|_| AccountError::NotFound)?;
        self.user(UserId(id)).await
    }

    /// Whether `actor` may invite people and change accounts at all (before a form is read).
    pub async fn may_administer(&self, actor: &Actor) -> Result<(), AccountError> {
        self.require(actor, Action::Write, Resource::Accounts).await
    }

    /// An administrator invites someone with these roles.
    pub async fn invite_as(
        &self,
        actor: &Actor,
        email: Email,
        name: &str,
        grants: Vec<Grant>,
    ) -> Result<Invitation, AccountError> {
        self.may_administer(actor).await?;
        self.invite(Some(&actor.principal), email, name, grants, actor.ip.as_deref()).await
    }

    /// A provider administrator invites a manager or member of staff for one of
    /// the provider's services.
    pub async fn invite_to_provider(
        &self,
        actor: &Actor,
        provider: &ProviderId,
        email: Email,
        name: &str,
        grants: Vec<Grant>,
    ) -> Result<Invitation, AccountError> {
        self.require(actor, Action::Write, Resource::ProviderAccounts { provider }).await?;
        self.invite(Some(&actor.principal), email, name, grants, actor.ip.as_deref()).await
    }

    /// An inspector asks an expert by experience to visit a location: someone new
    /// is invited; an existing expert's account gains the location. An address
    /// whose account holds other roles is refused: experts visit as themselves only.
    pub async fn ask_expert(
        &self,
        actor: &Actor,
        email: Email,
        name: &str,
        location: LocationId,
    ) -> Result<ExpertAsked, AccountError> {
        self.require(actor, Action::Write, Resource::ExpertAccounts).await?;
        match self.register().location(&location).await {
            Err(StoreError::NotFound) => {
                return Err(AccountError::Invalid(format!("No location {location} is in the register")));
            }
            other => other?,
        };
        let grant = Grant { role: Role::Expert, scope: Scope::Location(location) };
        let ip = actor.ip.as_deref();
        let Some(record) = self.store().sign_in_record(&email).await? else {
            return Ok(ExpertAsked::Invited(self.invite(Some(&actor.principal), email, name, vec![grant], ip).await?));
        };
        if !record.user.grants.iter().all(|g| g.role == Role::Expert) {
            return Err(AccountError::Invalid(
                "This address belongs to an account with other roles: ask the expert for another address".into(),
            ));
        }
        let mut grants = record.user.grants.clone();
        if !grants.contains(&grant) {
            grants.push(grant);
        }
        let update = UserUpdate { grants: Some(grants), ..UserUpdate::default() };
        Ok(ExpertAsked::Added(self.update_user(&actor.principal, record.user.id, update, ip).await?))
    }

    /// Replaces an account's roles.
    pub async fn set_roles(&self, actor: &Actor, id: UserId, grants: Vec<Grant>) -> Result<User, AccountError> {
        self.may_administer(actor).await?;
        let update = UserUpdate { grants: Some(grants), ..UserUpdate::default() };
        self.update_user(&actor.principal, id, update, actor.ip.as_deref()).await
    }

    /// Disables an account (ending its sessions) or enables it again.
    pub async fn set_disabled(&self, actor: &Actor, id: UserId, disabled: bool) -> Result<User, AccountError> {
        self.may_administer(actor).await?;
        let update = UserUpdate { disabled: Some(disabled), ..UserUpdate::default() };
        self.update_user(&actor.principal, id, update, actor.ip.as_deref()).await
    }

    /// A new invitation link for someone yet to accept theirs.
    pub async fn resend_invitation_as(&self, actor: &Actor, raw_id: &str) -> Result<Invitation, AccountError> {
        let user = self.user_to_change(actor, raw_id).await?;
        self.resend_invitation(Some(&actor.principal), user.id, actor.ip.as_deref()).await
    }

    /// The audit log, searched by `query` (`None` when the search could not be
    /// read: nothing is loaded, but the visit is still recorded).
    pub async fn audit_log_for(
        &self,
        actor: &Actor,
        query: Option<&AuditQuery>,
    ) -> Result<Option<Page<AuditEntry>>, AccountError> {
        self.require(actor, Action::Read, Resource::AuditLog).await?;
        let page = match query {
            Some(query) => Some(self.store().audit_log(query).await?),
            None => None,
        };
        self.read(actor, "audit_log").await?;
        Ok(page)
    }

    /// The newest `limit` emails of the outbox, sent or waiting.
    /// How the outbox stands, and its newest emails.
    pub async fn outbox_for(
        &self,
        actor: &Actor,
        limit: u32,
    ) -> Result<(OutboxHealth, Vec<OutboxEntry>), AccountError> {
        self.require(actor, Action::Read, Resource::Outbox).await?;
        let (health, emails) = tokio::try_join!(self.store().outbox_health(), self.store().outbox(limit))?;
        self.read(actor, "outbox").await?;
        Ok((health, emails))
    }
}
