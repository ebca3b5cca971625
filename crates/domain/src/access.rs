//! Who may do what: the one place where access is decided. Every page and API
//! route describes what it touches as a [`Resource`] and asks [`authorize`].

use crate::{Email, LocationId, Principal, ProviderId, Role, Scope, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Read,
    Write,
}

/// A private thing someone wants to reach, with the facts that decide who owns it.
#[derive(Debug, Clone, Copy)]
pub enum Resource<'a> {
    /// A provider's workspace. `local_authorities` are where its locations are.
    Provider { id: &'a ProviderId, local_authorities: &'a [String] },
    /// A location's workspace.
    Location { id: &'a LocationId, provider: &'a ProviderId, local_authority: Option<&'a str> },
    /// A local authority's view of the services in its area.
    Area { local_authority: &'a str },
    /// The accounts of a provider's staff, which its administrators manage.
    ProviderAccounts { provider: &'a ProviderId },
    /// Every account: inviting, changing and disabling users.
    Accounts,
    /// The audit log.
    AuditLog,
    /// Email waiting to be sent or already sent.
    Outbox,
    /// Feedback waiting for moderation, each response in full, and the replies
    /// waiting for a check.
    ModerationQueue,
    /// The contact details a respondent gave: for moderators only, never the provider.
    RespondentContact,
    /// A service's people's voice on the provider side: its stories to answer and
    /// their replies (read), replying and typing in paper feedback (write).
    LocationVoice { location: &'a LocationId, provider: &'a ProviderId },
    /// The list of safeguarding alerts: each entry is then asked about as a
    /// [`Resource::SafeguardingAlert`].
    SafeguardingAlerts,
    /// That a safeguarding alert about a location exists, with its level, day and
    /// status: read by everyone who works at or oversees the service. Never written:
    /// what is alleged, and acknowledging it, are [`Resource::SafeguardingAlertDetail`].
    SafeguardingAlert { location: &'a LocationId, provider: &'a ProviderId, local_authority: Option<&'a str> },
    /// What a safeguarding alert says is alleged (the story as written, its reference,
    /// the exact time and why it was raised): read only by those who must act on it or
    /// oversee it, and acknowledged (written) by those who act on it. They are the
    /// moderators, the inspectors (read only), and whoever may see the alert and signs
    /// in with one of `contacts`: the addresses set as the provider's safeguarding lead
    /// and the local authority's safeguarding team. The service's staff, its manager,
    /// and administrators or commissioners who are not the named contact are not told:
    /// the person accused may be any of them.
    SafeguardingAlertDetail {
        location: &'a LocationId,
        provider: &'a ProviderId,
        local_authority: Option<&'a str>,
        contacts: &'a [Email],
    },
    /// A provider's named safeguarding lead, whom its alerts are sent to.
    ProviderSafeguardingLead { provider: &'a ProviderId },
    /// A local authority's safeguarding team, whom alerts about its area are sent to.
    AreaSafeguardingTeam { local_authority: &'a str },
    /// A user's API tokens.
    ApiTokens { owner: UserId },
    /// England-wide views: the national watchlist and register administration.
    National,
    /// A service's monitoring: its indicators, warning signs and watchlist band. Read by
    /// those who run it (the provider's administrators, its registered managers) and
    /// those who oversee it (inspectors, its authority's commissioners); not by care staff.
    LocationMonitoring { location: &'a LocationId, provider: &'a ProviderId, local_authority: Option<&'a str> },
    /// An assessment of one of a location's services. `sent`: it has gone to the
    /// provider (it is sent or published); drafts are the inspectors' alone.
    Assessment { location: &'a LocationId, provider: &'a ProviderId, sent: bool },
    /// The factual-accuracy challenges to an assessment: the provider raises them
    /// (writes); the inspector decides them by writing to the assessment.
    AssessmentChallenges { location: &'a LocationId, provider: &'a ProviderId, sent: bool },
    /// A service's concerns and complaints, each in full: handled (written) by those
    /// who run it; read too by those who oversee it. Care staff neither see nor handle
    /// them: complaints name people.
    Complaints { location: &'a LocationId, provider: &'a ProviderId, local_authority: Option<&'a str> },
    /// Logging a complaint received by phone, letter or in person: anyone who works at
    /// the service, care staff included (written); they then see only what they logged.
    ComplaintIntake { location: &'a LocationId, provider: &'a ProviderId },
    /// A service's improvement plans with their actions and evidence: built (written)
    /// by those who run it; read too by those who oversee it.
    ImprovementPlans { location: &'a LocationId, provider: &'a ProviderId, local_authority: Option<&'a str> },
    /// A provider's policy library: its administrators publish versions (write) and see
    /// who has read them (read).
    PolicyLibrary { provider: &'a ProviderId },
    /// A provider's published policies, read and confirmed by anyone who works for it:
    /// its administrators, and the managers and staff of `locations` (its locations).
    PolicyReading { provider: &'a ProviderId, locations: &'a [LocationId] },
    /// Accounts of good practice at a service: written by those who run it. Published
    /// accounts are public and need no resource.
    GoodPractice { location: &'a LocationId, provider: &'a ProviderId },
    /// A visit by experts by experience to a location, before it is published (a
    /// published visit is public): written by the experts asked to visit it and by
    /// inspectors; read too, once sent, by those who answer for the service.
    Visit { location: &'a LocationId, provider: &'a ProviderId, sent: bool },
    /// The factual-accuracy challenges to a visit's report: raised (written) by the
    /// provider's administrators once it is sent; decided by those who write the visit.
    VisitChallenges { location: &'a LocationId, provider: &'a ProviderId, sent: bool },
    /// Accounts of experts by experience: inspectors invite them and ask them to visit.
    ExpertAccounts,
}

/// The answer. Private records of a tenant the principal has no right to answer
/// `NotFound`, so that guessing IDs reveals nothing; system areas answer
/// `Forbidden`, since their existence is no secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Forbidden,
    NotFound,
}

impl Decision {
    pub fn is_allowed(self) -> bool {
        self == Decision::Allow
    }
}

pub fn authorize(principal: &Principal, action: Action, resource: Resource<'_>) -> Decision {
    if principal.has_role(Role::Admin) {
        return Decision::Allow;
    }
    let allowed = match resource {
        Resource::Provider { id, local_authorities } => match action {
            Action::Read => {
                principal.has_role(Role::Inspector)
                    || holds(principal, Role::ProviderAdmin, |s| s == &Scope::Provider(id.clone()))
                    || local_authorities.iter().any(|la| commissions(principal, la))
            }
            Action::Write => holds(principal, Role::ProviderAdmin, |s| s == &Scope::Provider(id.clone())),
        },
        Resource::Location { id, provider, local_authority } => {
            let runs_it = holds(principal, Role::ProviderAdmin, |s| s == &Scope::Provider(provider.clone()));
            let manages_it = holds(principal, Role::Manager, |s| s == &Scope::Location(id.clone()));
            match action {
                Action::Read => {
                    runs_it
                        || manages_it
                        || holds(principal, Role::Staff, |s| s == &Scope::Location(id.clone()))
                        || principal.has_role(Role::Inspector)
                        || local_authority.is_some_and(|la| commissions(principal, la))
                }
                Action::Write => runs_it || manages_it,
            }
        }
        Resource::Area { local_authority } => match action {
            Action::Read => principal.has_role(Role::Inspector) || commissions(principal, local_authority),
            Action::Write => false,
        },
        Resource::ProviderAccounts { provider } => {
            holds(principal, Role::ProviderAdmin, |s| s == &Scope::Provider(provider.clone()))
        }
        Resource::ApiTokens { owner } => owner == principal.user_id,
        Resource::ModerationQueue | Resource::RespondentContact => principal.has_role(Role::Moderator),
        Resource::LocationVoice { location, provider } => {
            holds(principal, Role::ProviderAdmin, |s| s == &Scope::Provider(provider.clone()))
                || holds(principal, Role::Manager, |s| s == &Scope::Location(location.clone()))
                || holds(principal, Role::Staff, |s| s == &Scope::Location(location.clone()))
        }
        Resource::SafeguardingAlerts => action == Action::Read && !principal.grants.is_empty(),
        Resource::SafeguardingAlert { location, provider, local_authority } => {
            action == Action::Read
                && (principal.has_role(Role::Moderator)
                    || principal.has_role(Role::Inspector)
                    || holds(principal, Role::ProviderAdmin, |s| s == &Scope::Provider(provider.clone()))
                    || holds(principal, Role::Manager, |s| s == &Scope::Location(location.clone()))
                    || holds(principal, Role::Staff, |s| s == &Scope::Location(location.clone()))
                    || local_authority.is_some_and(|la| commissions(principal, la)))
        }
        Resource::SafeguardingAlertDetail { location, provider, local_authority, contacts } => {
            let sees_alert = Resource::SafeguardingAlert { location, provider, local_authority };
            let named_contact = contacts.iter().any(|c| c == &principal.email)
                && authorize(principal, Action::Read, sees_alert).is_allowed();
            let acts_on_it = principal.has_role(Role::Moderator) || named_contact;
            match action {
                Action::Read => acts_on_it || principal.has_role(Role::Inspector),
                Action::Write => acts_on_it,
            }
        }
        Resource::ProviderSafeguardingLead { provider } => {
            holds(principal, Role::ProviderAdmin, |s| s == &Scope::Provider(provider.clone()))
        }
        Resource::AreaSafeguardingTeam { local_authority } => commissions(principal, local_authority),
        Resource::National => action == Action::Read && principal.has_role(Role::Inspector),
        Resource::LocationMonitoring { location, provider, local_authority } => {
            action == Action::Read
                && (principal.has_role(Role::Inspector)
                    || holds(principal, Role::ProviderAdmin, |s| s == &Scope::Provider(provider.clone()))
                    || holds(principal, Role::Manager, |s| s == &Scope::Location(location.clone()))
                    || local_authority.is_some_and(|la| commissions(principal, la)))
        }
        Resource::Assessment { location, provider, sent } => match action {
            Action::Read => principal.has_role(Role::Inspector) || (sent && sees_sent(principal, location, provider)),
            Action::Write => principal.has_role(Role::Inspector),
        },
        Resource::AssessmentChallenges { location, provider, sent } => match action {
            Action::Read => principal.has_role(Role::Inspector) || (sent && sees_sent(principal, location, provider)),
            Action::Write => sent && holds(principal, Role::ProviderAdmin, |s| s == &Scope::Provider(provider.clone())),
        },
        Resource::Complaints { location, provider, local_authority } => {
            let handles_it = sees_sent(principal, location, provider);
            match action {
                Action::Read => {
                    handles_it
                        || principal.has_role(Role::Inspector)
                        || local_authority.is_some_and(|la| commissions(principal, la))
                }
                Action::Write => handles_it,
            }
        }
        Resource::ComplaintIntake { location, provider } => {
            action == Action::Write
                && (sees_sent(principal, location, provider)
                    || holds(principal, Role::Staff, |s| s == &Scope::Location(location.clone())))
        }
        Resource::ImprovementPlans { location, provider, local_authority } => {
            let runs_it = sees_sent(principal, location, provider);
            match action {
                Action::Read => {
                    runs_it
                        || principal.has_role(Role::Inspector)
                        || local_authority.is_some_and(|la| commissions(principal, la))
                }
                Action::Write => runs_it,
            }
        }
        Resource::PolicyLibrary { provider } => {
            holds(principal, Role::ProviderAdmin, |s| s == &Scope::Provider(provider.clone()))
        }
        Resource::PolicyReading { provider, locations } => {
            holds(principal, Role::ProviderAdmin, |s| s == &Scope::Provider(provider.clone()))
                || principal.grants.iter().any(|grant| {
                    matches!(grant.role, Role::Manager | Role::Staff)
                        && matches!(&grant.scope, Scope::Location(l) if locations.contains(l))
                })
        }
        Resource::GoodPractice { location, provider } => sees_sent(principal, location, provider),
        Resource::Visit { location, provider, sent } => {
            let writes_it = principal.has_role(Role::Inspector) || visits(principal, location);
            match action {
                Action::Read => writes_it || (sent && sees_sent(principal, location, provider)),
                Action::Write => writes_it,
            }
        }
        Resource::VisitChallenges { location, provider, sent } => match action {
            Action::Read => {
                principal.has_role(Role::Inspector)
                    || visits(principal, location)
                    || (sent && sees_sent(principal, location, provider))
            }
            Action::Write => sent && holds(principal, Role::ProviderAdmin, |s| s == &Scope::Provider(provider.clone())),
        },
        Resource::ExpertAccounts => principal.has_role(Role::Inspector),
        Resource::Accounts | Resource::AuditLog | Resource::Outbox => false,
    };
    match (allowed, resource) {
        (true, _) => Decision::Allow,
        (false, Resource::Provider { .. } | Resource::Location { .. } | Resource::Area { .. })
        | (false, Resource::ProviderAccounts { .. } | Resource::ApiTokens { .. })
        | (false, Resource::Assessment { .. } | Resource::AssessmentChallenges { .. })
        | (false, Resource::LocationVoice { .. } | Resource::SafeguardingAlert { .. })
        | (false, Resource::SafeguardingAlertDetail { .. })
        | (false, Resource::LocationMonitoring { .. })
        | (false, Resource::Complaints { .. } | Resource::ComplaintIntake { .. })
        | (false, Resource::ImprovementPlans { .. } | Resource::GoodPractice { .. })
        | (false, Resource::PolicyLibrary { .. } | Resource::PolicyReading { .. })
        | (false, Resource::Visit { .. } | Resource::VisitChallenges { .. })
        | (false, Resource::ProviderSafeguardingLead { .. } | Resource::AreaSafeguardingTeam { .. }) => {
            Decision::NotFound
        }
        (false, _) => Decision::Forbidden,
    }
}

/// Who reads an assessment once it has gone to the provider: the provider's
/// administrators and the location's registered managers.
fn sees_sent(principal: &Principal, location: &LocationId, provider: &ProviderId) -> bool {
    holds(principal, Role::ProviderAdmin, |s| s == &Scope::Provider(provider.clone()))
        || holds(principal, Role::Manager, |s| s == &Scope::Location(location.clone()))
}

/// Whether the principal is an expert by experience asked to visit the location.
fn visits(principal: &Principal, location: &LocationId) -> bool {
    holds(principal, Role::Expert, |s| s == &Scope::Location(location.clone()))
}

fn holds(principal: &Principal, role: Role, scope: impl Fn(&Scope) -> bool) -> bool {
    principal.scopes(role).any(scope)
}

/// Whether the principal commissions services in the named authority (names compared ignoring case).
fn commissions(principal: &Principal, local_authority: &str) -> bool {
    holds(
        principal,
        Role::Commissioner,
        |s| matches!(s, Scope::LocalAuthority(la) if la.eq_ignore_ascii_case(local_authority)),
    )
}
