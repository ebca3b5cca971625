//! The small rules behind [`Accounts`](crate::accounts::Accounts): when a sign-in is
//! refused, what counts as a valid name or set of roles, and whose accounts a
//! person may manage.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use chrono::{DateTime, Utc};

use candour_domain::{
    Action, Email, Grant, LocationId, Principal, ProviderId, Resource, Role, Scope, ScopeKind, UserId, authorize,
};
use candour_store::{SignInRecord, SignInState, StoreError, User, UserUpdate};

use crate::accounts::{AccountError, AccountPolicy, Accounts};

/// Why a sign-in was refused: for the audit log only, never for the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    NoAccount,
    Disabled,
    Locked,
    NoPassword,
    WrongPassword,
}

impl Refusal {
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Refusal::NoAccount => "no such account",
            Refusal::Disabled => "account disabled",
            Refusal::Locked => "account locked after repeated failures",
            Refusal::NoPassword => "invitation not yet accepted",
            Refusal::WrongPassword => "wrong password",
        }
    }
}

/// Whether an account may try a password at all.
pub(crate) fn judge(record: Option<&SignInRecord>, now: DateTime<Utc>) -> Result<(), Refusal> {
    let record = record.ok_or(Refusal::NoAccount)?;
    if record.user.disabled {
        Err(Refusal::Disabled)
    } else if record.locked_until.is_some_and(|until| until > now) {
        Err(Refusal::Locked)
    } else if record.password_hash.is_none() {
        Err(Refusal::NoPassword)
    } else {
        Ok(())
    }
}

/// The state after one more wrong password: locked once the count reaches the limit.
pub(crate) fn after_failure(policy: &AccountPolicy, failed_attempts: u32, now: DateTime<Utc>) -> SignInState {
    let failed_attempts = failed_attempts.saturating_add(1);
    let locked_until = (failed_attempts >= policy.lockout_after).then(|| now + policy.lockout_for);
    SignInState { failed_attempts, locked_until, signed_in_at: None }
}

/// Which of `turns` locks an account's sign-in attempts.
pub(crate) fn turn_of(email: &Email, turns: usize) -> usize {
    let mut hasher = DefaultHasher::new();
    email.hash(&mut hasher);
    (hasher.finish() % turns as u64) as usize
}

pub(crate) fn user_resource(id: UserId) -> String {
    format!("user:{id}")
}

const MAX_NAME_CHARS: usize = 100;

pub(crate) fn checked_name(name: &str) -> Result<String, AccountError> {
    match name.trim() {
        "" => Err(AccountError::Invalid("Enter the person's name".into())),
        n if n.chars().count() > MAX_NAME_CHARS => {
            Err(AccountError::Invalid(format!("Enter a name of {MAX_NAME_CHARS} characters or fewer")))
        }
        n => Ok(n.to_string()),
    }
}

pub(crate) fn checked_token_name(name: &str) -> Result<String, AccountError> {
    match name.trim() {
        "" => Err(AccountError::Invalid("Give the token a name, so that you can tell it apart later".into())),
        n if n.chars().count() > MAX_NAME_CHARS => {
            Err(AccountError::Invalid(format!("Give the token a name of {MAX_NAME_CHARS} characters or fewer")))
        }
        n => Ok(n.to_string()),
    }
}

/// Everyone holds at least one role, and each role's scope is of the kind it needs.
pub(crate) fn check_grants(grants: &[Grant]) -> Result<(), AccountError> {
    if grants.is_empty() {
        return Err(AccountError::Invalid(
            "Give the person at least one role (to stop someone signing in, disable their account)".into(),
        ));
    }
    for grant in grants {
        let fits = matches!(
            (grant.role.scope_kind(), &grant.scope),
            (ScopeKind::None, Scope::All)
                | (ScopeKind::LocalAuthority, Scope::LocalAuthority(_))
                | (ScopeKind::Provider, Scope::Provider(_))
                | (ScopeKind::Location, Scope::Location(_))
        );
        if !fits {
            return Err(AccountError::Invalid(format!(
                "The role {} cannot cover {}",
                grant.role,
                describe_scope(&grant.scope)
            )));
        }
    }
    Ok(())
}

pub(crate) fn checked_update(update: UserUpdate) -> Result<UserUpdate, AccountError> {
    let name = update.name.as_deref().map(checked_name).transpose()?;
    if let Some(grants) = &update.grants {
        check_grants(grants)?;
    }
    Ok(UserUpdate { name, ..update })
}

fn describe_scope(scope: &Scope) -> String {
    match scope {
        Scope::All => "everything".into(),
        Scope::LocalAuthority(name) => format!("local authority {name}"),
        Scope::Provider(id) => format!("provider {id}"),
        Scope::Location(id) => format!("location {id}"),
    }
}

/// "roles: Commissioner (Leeds), Moderator": for the audit log.
pub(crate) fn describe_grants(grants: &[Grant]) -> String {
    format!("roles: {}", candour_domain::describe_grants(grants))
}

pub(crate) fn describe_update(update: &UserUpdate) -> String {
    let mut parts = Vec::new();
    if update.name.is_some() {
        parts.push("name changed".to_string());
    }
    if let Some(grants) = &update.grants {
        parts.push(describe_grants(grants));
    }
    match update.disabled {
        Some(true) => parts.push("disabled".into()),
        Some(false) => parts.push("enabled".into()),
        None => {}
    }
    if parts.is_empty() { "nothing changed".into() } else { parts.join("; ") }
}

/// Whose accounts one person may manage, asked of the access policy. A grant
/// lies within a provider when it is that provider's administration or a role
/// at one of its locations; the register says which provider runs a location.
pub(crate) struct Reach<'a> {
    accounts: &'a Accounts,
    by: &'a Principal,
    runs: HashMap<LocationId, Option<ProviderId>>,
}

impl<'a> Reach<'a> {
    pub(crate) fn of(accounts: &'a Accounts, by: &'a Principal) -> Self {
        Self { accounts, by, runs: HashMap::new() }
    }

    /// Whether `by` may give (or take away) every one of `grants`.
    async fn covers(&mut self, grants: &[Grant]) -> Result<bool, AccountError> {
        if authorize(self.by, Action::Write, Resource::Accounts).is_allowed() {
            return Ok(true);
        }
        if grants.is_empty() {
            return Ok(false);
        }
        for grant in grants {
            if grant.role == Role::Expert {
                // Experts by experience are asked to visit by inspectors, never by providers.
                if !authorize(self.by, Action::Write, Resource::ExpertAccounts).is_allowed() {
                    return Ok(false);
                }
                continue;
            }
            let Some(provider) = self.provider_of(grant).await? else { return Ok(false) };
            if !authorize(self.by, Action::Write, Resource::ProviderAccounts { provider: &provider }).is_allowed() {
                return Ok(false);
            }
        }
        Ok(true)
    }

    pub(crate) async fn manages(&mut self, user: &User) -> Result<bool, AccountError> {
        self.covers(&user.grants).await
    }

    /// An account beyond reach answers `NotFound`, so that its existence stays private.
    pub(crate) async fn require_manages(&mut self, user: &User) -> Result<(), AccountError> {
        if self.manages(user).await? { Ok(()) } else { Err(AccountError::NotFound) }
    }

    pub(crate) async fn require_grantable(&mut self, grants: &[Grant]) -> Result<(), AccountError> {
        if self.covers(grants).await? {
            Ok(())
        } else {
            Err(AccountError::Forbidden("You can only give roles at your own provider's services".into()))
        }
    }

    async fn provider_of(&mut self, grant: &Grant) -> Result<Option<ProviderId>, AccountError> {
        match (grant.role, &grant.scope) {
            (Role::ProviderAdmin, Scope::Provider(id)) => Ok(Some(id.clone())),
            (Role::Manager | Role::Staff, Scope::Location(id)) => {
                if let Some(known) = self.runs.get(id) {
                    return Ok(known.clone());
                }
                let provider = match self.accounts.register().location(id).await {
                    Ok(detail) => Some(detail.location.provider_id),
                    Err(StoreError::NotFound) => None,
                    Err(e) => return Err(e.into()),
                };
                self.runs.insert(id.clone(), provider.clone());
                Ok(provider)
            }
            _ => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(role: Role, scope: Scope) -> Grant {
        Grant { role, scope }
    }

    #[test]
    fn lockout_starts_at_the_limit_and_lasts_the_period() {
        let policy = AccountPolicy::default();
        let now = DateTime::from_timestamp(1_700_000_000, 0).expect("valid time");
        assert_eq!(
            after_failure(&policy, 3, now),
            SignInState { failed_attempts: 4, locked_until: None, signed_in_at: None }
        );
        let locked = after_failure(&policy, 4, now);
        assert_eq!((locked.failed_attempts, locked.locked_until), (5, Some(now + policy.lockout_for)));
        assert_eq!(after_failure(&policy, u32::MAX, now).failed_attempts, u32::MAX);
    }

    #[test]
    fn roles_need_a_scope_of_their_kind() {
        let leeds = || Scope::LocalAuthority("Leeds".into());
        assert!(check_grants(&[grant(Role::Commissioner, leeds()), grant(Role::Moderator, Scope::All)]).is_ok());
        assert!(check_grants(&[]).is_err());
        assert!(check_grants(&[grant(Role::Commissioner, Scope::All)]).is_err());
        assert!(check_grants(&[grant(Role::Admin, leeds())]).is_err());
        let location = Scope::Location(LocationId::parse("1-100").expect("valid id"));
        assert!(check_grants(&[grant(Role::ProviderAdmin, location)]).is_err());
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(checked_name("  Jo Bloggs ").expect("valid"), "Jo Bloggs");
        assert!(checked_name("   ").is_err());
        assert!(checked_name(&"x".repeat(101)).is_err());
        assert!(checked_token_name("").is_err());
        let update = checked_update(UserUpdate { name: Some(" Kim ".into()), ..Default::default() }).expect("valid");
        assert_eq!(update.name.as_deref(), Some("Kim"));
        assert!(checked_update(UserUpdate { grants: Some(vec![]), ..Default::default() }).is_err());
    }

    #[test]
    fn updates_are_described_for_the_audit_log() {
        let update = UserUpdate {
            name: Some("Kim".into()),
            grants: Some(vec![grant(Role::Commissioner, Scope::LocalAuthority("Leeds".into()))]),
            disabled: Some(true),
        };
        assert_eq!(describe_update(&update), "name changed; roles: Commissioner (Leeds); disabled");
        assert_eq!(describe_update(&UserUpdate::default()), "nothing changed");
    }
}
