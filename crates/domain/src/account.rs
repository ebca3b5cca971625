//! People who sign in, and the rights they hold.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{LocationId, ParseError, ProviderId};

/// A user's number in our database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(transparent)]
pub struct UserId(pub i64);

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An email address, trimmed and lower-cased so that one person has one account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let v = value.trim().to_lowercase();
        let valid = v.len() <= 254
            && v.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && local.len() <= 64
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains("..")
            })
            && !v.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';'))
            && v.matches('@').count() == 1;
        if valid {
            Ok(Self(v))
        } else {
            Err(ParseError::new("email address", value, "expected an address like name@example.org"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password a person chose, checked against our rules. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 12;
    pub const MAX_CHARS: usize = 200;

    /// Length is what makes a password strong; we ask for 12 characters or more
    /// (three random words make a good one) and set no composition rules.
    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let n = value.chars().count();
        if n < Self::MIN_CHARS {
            return Err(ParseError::new("password", "", "use 12 characters or more, for example three random words"));
        }
        if n > Self::MAX_CHARS {
            return Err(ParseError::new("password", "", "use 200 characters or fewer"));
        }
        Ok(Self(value.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(redacted)")
    }
}

/// What a person does in Candour. A user may hold several roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Runs the system: everything.
    Admin,
    /// The regulator's inspector: all of England.
    Inspector,
    /// A local authority's commissioning team: the services in its authorities.
    Commissioner,
    /// Runs one provider and all its locations.
    ProviderAdmin,
    /// A registered manager: named locations.
    Manager,
    /// Care staff: named locations.
    Staff,
    /// Reads feedback before publication.
    Moderator,
    /// An expert by experience: someone with lived experience of care who visits the
    /// named locations and reports what they found.
    Expert,
}

/// What a role's scope names, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    None,
    LocalAuthority,
    Provider,
    Location,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Admin,
        Role::Inspector,
        Role::Commissioner,
        Role::ProviderAdmin,
        Role::Manager,
        Role::Staff,
        Role::Moderator,
        Role::Expert,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Inspector => "inspector",
            Role::Commissioner => "commissioner",
            Role::ProviderAdmin => "provider_admin",
            Role::Manager => "manager",
            Role::Staff => "staff",
            Role::Moderator => "moderator",
            Role::Expert => "expert",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Role::Admin => "System administrator",
            Role::Inspector => "Inspector",
            Role::Commissioner => "Commissioner",
            Role::ProviderAdmin => "Provider administrator",
            Role::Manager => "Registered manager",
            Role::Staff => "Staff",
            Role::Moderator => "Moderator",
            Role::Expert => "Expert by experience",
        }
    }

    pub fn scope_kind(self) -> ScopeKind {
        match self {
            Role::Admin | Role::Inspector | Role::Moderator => ScopeKind::None,
            Role::Commissioner => ScopeKind::LocalAuthority,
            Role::ProviderAdmin => ScopeKind::Provider,
            Role::Manager | Role::Staff | Role::Expert => ScopeKind::Location,
        }
    }

    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let key = value.trim().to_lowercase().replace(['-', ' '], "_");
        Role::ALL.into_iter().find(|r| r.code() == key).ok_or_else(|| {
            ParseError::new(
                "role",
                value,
                "expected admin, inspector, commissioner, provider_admin, manager, staff, moderator or expert",
            )
        })
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a grant covers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Scope {
    /// Everything the role reaches (administrators, inspectors, moderators).
    All,
    LocalAuthority(String),
    Provider(ProviderId),
    Location(LocationId),
}

/// One role over one scope. A commissioner of two authorities holds two grants.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Grant {
    pub role: Role,
    pub scope: Scope,
}

impl Grant {
    /// Builds the grants for a role over the given scope values (none for roles
    /// without a scope; one or more for the others), checking each value's shape.
    pub fn for_role(role: Role, scopes: &[String]) -> Result<Vec<Grant>, ParseError> {
        let grant = |scope| Grant { role, scope };
        match role.scope_kind() {
            ScopeKind::None if scopes.is_empty() => Ok(vec![grant(Scope::All)]),
            ScopeKind::None => {
                Err(ParseError::new("scope", &scopes.join(", "), "this role covers everything; give no scope"))
            }
            _ if scopes.is_empty() => Err(ParseError::new(
                "scope",
                "",
                match role.scope_kind() {
                    ScopeKind::LocalAuthority => "name one or more local authorities",
                    ScopeKind::Provider => "name the provider's ID, like 1-101641521",
                    _ => "name one or more location IDs, like 1-545611283",
                },
            )),
            ScopeKind::LocalAuthority => scopes
                .iter()
                .map(|s| match crate::non_blank(s) {
                    Some(name) if name.len() <= 100 => Ok(grant(Scope::LocalAuthority(name.to_string()))),
                    _ => Err(ParseError::new("local authority", s, "expected a local authority's name, like Leeds")),
                })
                .collect(),
            ScopeKind::Provider => scopes.iter().map(|s| Ok(grant(Scope::Provider(ProviderId::parse(s)?)))).collect(),
            ScopeKind::Location => scopes.iter().map(|s| Ok(grant(Scope::Location(LocationId::parse(s)?)))).collect(),
        }
    }
}

impl fmt::Display for Grant {
    /// "Commissioner (Leeds)", "Inspector".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.scope {
            Scope::All => write!(f, "{}", self.role),
            Scope::LocalAuthority(la) => write!(f, "{} ({la})", self.role),
            Scope::Provider(id) => write!(f, "{} ({id})", self.role),
            Scope::Location(id) => write!(f, "{} ({id})", self.role),
        }
    }
}

/// "Commissioner (Leeds), Moderator", or "No roles".
pub fn describe_grants(grants: &[Grant]) -> String {
    if grants.is_empty() {
        return "No roles".to_string();
    }
    grants.iter().map(Grant::to_string).collect::<Vec<_>>().join(", ")
}

/// Someone signed in (or calling with an API token): who, and what they hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Principal {
    pub user_id: UserId,
    pub email: Email,
    pub grants: Vec<Grant>,
}

impl Principal {
    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    /// The scopes in which the principal holds `role`.
    pub fn scopes(&self, role: Role) -> impl Iterator<Item = &Scope> {
        self.grants.iter().filter(move |g| g.role == role).map(|g| &g.scope)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(Email::parse(" Jo.Bloggs@Example.ORG ").unwrap().as_str(), "jo.bloggs@example.org");
        for bad in [
            "",
            "jo",
            "jo@",
            "@example.org",
            "jo@example",
            "jo@@example.org",
            "jo bloggs@example.org",
            "jo@.org",
            "a@b..org",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn passwords_need_length_not_symbols_and_never_print() {
        assert!(Password::parse("short").is_err());
        let p = Password::parse("correct horse battery staple").unwrap();
        assert_eq!(format!("{p:?}"), "Password(redacted)");
        assert!(Password::parse(&"x".repeat(201)).is_err());
    }

    #[test]
    fn grants_check_their_scopes() {
        assert_eq!(
            Grant::for_role(Role::Inspector, &[]).unwrap(),
            vec![Grant { role: Role::Inspector, scope: Scope::All }]
        );
        assert!(Grant::for_role(Role::Inspector, &["Leeds".into()]).is_err());
        assert!(Grant::for_role(Role::Commissioner, &[]).is_err());
        assert_eq!(Grant::for_role(Role::Commissioner, &["Leeds".into(), "Kent".into()]).unwrap().len(), 2);
        assert!(Grant::for_role(Role::ProviderAdmin, &["Leeds".into()]).is_err());
        assert!(Grant::for_role(Role::Manager, &["1-123".into()]).is_ok());
        assert_eq!(Role::parse("Provider-Admin").unwrap(), Role::ProviderAdmin);
    }
}
