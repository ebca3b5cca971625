//! What every private page shows around its content: who is signed in, the
//! sign-out button (with its CSRF token) and the breadcrumbs; and how roles and
//! accounts are written on these pages.

use candour_domain::{Grant, Role, Scope};
use chrono::{DateTime, Utc};

use crate::auth::SignedIn;
use crate::views::long_date;

#[derive(Debug, Clone)]
pub struct Crumb {
    pub label: String,
    pub href: String,
}

impl Crumb {
    pub fn new(label: impl Into<String>, href: impl Into<String>) -> Self {
        Crumb { label: label.into(), href: href.into() }
    }
}

#[derive(Debug, Clone)]
pub struct Chrome {
    pub email: String,
    pub csrf_token: String,
    pub breadcrumbs: Vec<Crumb>,
    /// The current page's name, last in the breadcrumbs.
    pub here: String,
}

impl Chrome {
    /// A page under "Manage" (the private home).
    pub fn manage(who: &SignedIn, here: impl Into<String>) -> Self {
        Self::with(who, vec![Crumb::new("Manage", "/manage")], here)
    }

    pub fn with(who: &SignedIn, breadcrumbs: Vec<Crumb>, here: impl Into<String>) -> Self {
        Chrome {
            email: who.principal().email.to_string(),
            csrf_token: who.csrf.clone(),
            breadcrumbs,
            here: here.into(),
        }
    }
}

/// A role and what it covers, with a link to the workspace it opens.
#[derive(Debug, Clone)]
pub struct GrantLine {
    pub role: &'static str,
    pub scope: String,
    pub href: Option<String>,
}

impl GrantLine {
    pub fn of(grant: &Grant) -> Self {
        let (scope, href) = match &grant.scope {
            Scope::All => ("Everything this role covers".to_string(), None),
            Scope::LocalAuthority(la) => (format!("Local authority: {la}"), Some(area_href(la))),
            Scope::Provider(id) => (format!("Provider {id}"), Some(format!("/manage/providers/{id}"))),
            Scope::Location(id) if grant.role == Role::Expert => {
                (format!("Location {id}"), Some("/visits".to_string()))
            }
            Scope::Location(id) => (format!("Location {id}"), Some(format!("/manage/locations/{id}"))),
        };
        GrantLine { role: grant.role.name(), scope, href }
    }
}

pub fn area_href(local_authority: &str) -> String {
    format!("/manage/areas/{}", path_segment(local_authority))
}

/// Percent-encodes text for one path segment ("Tower Hamlets" → "Tower%20Hamlets").
pub fn path_segment(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// "3 March 2024 at 14:05 UTC".
pub fn date_time(at: DateTime<Utc>) -> String {
    format!("{} at {} UTC", long_date(at.date_naive()), at.format("%H:%M"))
}

/// An account's status as a tag: disabled, invited (no password yet) or active.
#[derive(Debug, Clone)]
pub struct StatusTag {
    pub label: &'static str,
    pub modifier: &'static str,
}

impl StatusTag {
    pub fn of(disabled: bool, has_password: bool) -> Self {
        match (disabled, has_password) {
            (true, _) => StatusTag { label: "Disabled", modifier: "disabled" },
            (false, false) => StatusTag { label: "Invited", modifier: "invited" },
            (false, true) => StatusTag { label: "Active", modifier: "active" },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candour_domain::ProviderId;

    #[test]
    fn grants_read_plainly_and_link_to_their_workspace() {
        let grant = Grant { role: Role::Commissioner, scope: Scope::LocalAuthority("Tower Hamlets".into()) };
        let line = GrantLine::of(&grant);
        assert_eq!(line.href.as_deref(), Some("/manage/areas/Tower%20Hamlets"));
        let admin = Grant { role: Role::ProviderAdmin, scope: Scope::Provider(ProviderId::parse("1-1").unwrap()) };
        assert_eq!(
            candour_domain::describe_grants(&[grant, admin]),
            "Commissioner (Tower Hamlets), Provider administrator (1-1)"
        );
    }
}
