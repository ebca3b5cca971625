//! The whole access matrix: every role × every kind of resource × read and write,
//! in its own tenant and another's. `A` allow, `N` not found (the record's
//! existence is not confirmed), `F` forbidden.

use candour_domain::{
    Action, Decision, Email, Grant, LocationId, Principal, ProviderId, Resource, Role, Scope, UserId, authorize,
};

const ROLES: [&str; 9] =
    ["admin", "inspector", "commissioner", "provider_admin", "manager", "staff", "moderator", "expert", "none"];

/// Each principal holds one role over "its own" tenant: Leeds, provider 1-1, location 1-10.
fn principal(role: &str, user: i64) -> Principal {
    let grants = match role {
        "none" => vec![],
        "commissioner" => vec![Grant { role: Role::Commissioner, scope: Scope::LocalAuthority("Leeds".into()) }],
        "provider_admin" => vec![Grant { role: Role::ProviderAdmin, scope: Scope::Provider(pid("1-1")) }],
        "manager" => vec![Grant { role: Role::Manager, scope: Scope::Location(lid("1-10")) }],
        "staff" => vec![Grant { role: Role::Staff, scope: Scope::Location(lid("1-10")) }],
        "expert" => vec![Grant { role: Role::Expert, scope: Scope::Location(lid("1-10")) }],
        other => vec![Grant { role: Role::parse(other).expect("role"), scope: Scope::All }],
    };
    Principal { user_id: UserId(user), email: Email::parse("someone@example.org").expect("email"), grants }
}

fn pid(s: &str) -> ProviderId {
    ProviderId::parse(s).expect("provider id")
}

fn lid(s: &str) -> LocationId {
    LocationId::parse(s).expect("location id")
}

fn decisions(row: &str) -> Vec<Decision> {
    row.split_whitespace()
        .map(|d| match d {
            "A" => Decision::Allow,
            "N" => Decision::NotFound,
            "F" => Decision::Forbidden,
            other => panic!("unknown decision {other}"),
        })
        .collect()
}

#[test]
fn every_role_resource_and_action() {
    let (own_provider, other_provider) = (pid("1-1"), pid("1-2"));
    // A guessed ID is just another tenant's (or no one's) record: it must answer the same.
    let (own_location, other_location, guessed) = (lid("1-10"), lid("1-20"), lid("1-99999999"));
    let leeds = vec!["Leeds".to_string()];
    let kent = vec!["Kent".to_string()];
    let me = UserId(1);
    let named =
        vec![Email::parse("lead@example.org").expect("email"), Email::parse("someone@example.org").expect("email")];
    let others = vec![Email::parse("lead@example.org").expect("email")];

    #[rustfmt::skip]
    let table: Vec<(&str, Resource, &str)> = vec![
        //                                                                                          adm ins com pad man sta mod exp none
        ("own provider",    Resource::Provider { id: &own_provider, local_authorities: &leeds },   "A A A A N N N N N"),
        ("other provider",  Resource::Provider { id: &other_provider, local_authorities: &kent },  "A A N N N N N N N"),
        ("own location",    Resource::Location { id: &own_location, provider: &own_provider, local_authority: Some("LEEDS") }, "A A A A A A N N N"),
        ("other location",  Resource::Location { id: &other_location, provider: &other_provider, local_authority: Some("Kent") }, "A A N N N N N N N"),
        ("guessed location", Resource::Location { id: &guessed, provider: &other_provider, local_authority: None }, "A A N N N N N N N"),
        ("own area",        Resource::Area { local_authority: "Leeds" },                           "A A A N N N N N N"),
        ("other area",      Resource::Area { local_authority: "Kent" },                            "A A N N N N N N N"),
        ("own accounts",    Resource::ProviderAccounts { provider: &own_provider },                "A N N A N N N N N"),
        ("other accounts",  Resource::ProviderAccounts { provider: &other_provider },              "A N N N N N N N N"),
        ("own tokens",      Resource::ApiTokens { owner: me },                                     "A A A A A A A A A"),
        ("other tokens",    Resource::ApiTokens { owner: UserId(2) },                              "A N N N N N N N N"),
        ("all accounts",    Resource::Accounts,                                                    "A F F F F F F F F"),
        ("audit log",       Resource::AuditLog,                                                    "A F F F F F F F F"),
        ("outbox",          Resource::Outbox,                                                      "A F F F F F F F F"),
        ("moderation",      Resource::ModerationQueue,                                             "A F F F F F A F F"),
        ("national",        Resource::National,                                                    "A A F F F F F F F"),
        ("own draft",       Resource::Assessment { location: &own_location, provider: &own_provider, sent: false }, "A A N N N N N N N"),
        ("own sent",        Resource::Assessment { location: &own_location, provider: &own_provider, sent: true }, "A A N A A N N N N"),
        ("other sent",      Resource::Assessment { location: &other_location, provider: &other_provider, sent: true }, "A A N N N N N N N"),
        ("own draft challenges", Resource::AssessmentChallenges { location: &own_location, provider: &own_provider, sent: false }, "A A N N N N N N N"),
        ("own sent challenges",  Resource::AssessmentChallenges { location: &own_location, provider: &own_provider, sent: true }, "A A N A A N N N N"),
        ("other sent challenges", Resource::AssessmentChallenges { location: &other_location, provider: &other_provider, sent: true }, "A A N N N N N N N"),
        ("respondent contact", Resource::RespondentContact,                                         "A F F F F F A F F"),
        ("own voice",       Resource::LocationVoice { location: &own_location, provider: &own_provider }, "A N N A A A N N N"),
        ("other voice",     Resource::LocationVoice { location: &other_location, provider: &other_provider }, "A N N N N N N N N"),
        ("alerts",          Resource::SafeguardingAlerts,                                          "A A A A A A A A F"),
        ("own alert",       Resource::SafeguardingAlert { location: &own_location, provider: &own_provider, local_authority: Some("LEEDS") }, "A A A A A A A N N"),
        ("other alert",     Resource::SafeguardingAlert { location: &other_location, provider: &other_provider, local_authority: Some("Kent") }, "A A N N N N A N N"),
        // What is alleged: to moderators and inspectors, and to the named contacts among those who see the alert.
        ("own alert detail", Resource::SafeguardingAlertDetail { location: &own_location, provider: &own_provider, local_authority: Some("LEEDS"), contacts: &others }, "A A N N N N A N N"),
        ("own alert, named", Resource::SafeguardingAlertDetail { location: &own_location, provider: &own_provider, local_authority: Some("LEEDS"), contacts: &named }, "A A A A A A A N N"),
        ("other alert, named", Resource::SafeguardingAlertDetail { location: &other_location, provider: &other_provider, local_authority: Some("Kent"), contacts: &named }, "A A N N N N A N N"),
        ("own lead",        Resource::ProviderSafeguardingLead { provider: &own_provider },        "A N N A N N N N N"),
        ("other lead",      Resource::ProviderSafeguardingLead { provider: &other_provider },      "A N N N N N N N N"),
        ("own team",        Resource::AreaSafeguardingTeam { local_authority: "leeds" },           "A N A N N N N N N"),
        ("other team",      Resource::AreaSafeguardingTeam { local_authority: "Kent" },            "A N N N N N N N N"),
        // A visit by experts by experience: its experts and inspectors write it; once sent, those who answer for the service read it.
        ("own draft visit", Resource::Visit { location: &own_location, provider: &own_provider, sent: false }, "A A N N N N N A N"),
        ("own sent visit",  Resource::Visit { location: &own_location, provider: &own_provider, sent: true },  "A A N A A N N A N"),
        ("other sent visit", Resource::Visit { location: &other_location, provider: &other_provider, sent: true }, "A A N N N N N N N"),
        ("own draft visit challenges", Resource::VisitChallenges { location: &own_location, provider: &own_provider, sent: false }, "A A N N N N N A N"),
        ("own sent visit challenges", Resource::VisitChallenges { location: &own_location, provider: &own_provider, sent: true }, "A A N A A N N A N"),
        ("expert accounts", Resource::ExpertAccounts,                                              "A A F F F F F F F"),
    ];
    #[rustfmt::skip]
    let writes: Vec<(&str, &str)> = vec![
        ("own provider",     "A N N A N N N N N"),
        ("other provider",   "A N N N N N N N N"),
        ("own location",     "A N N A A N N N N"),
        ("other location",   "A N N N N N N N N"),
        ("guessed location", "A N N N N N N N N"),
        ("own area",         "A N N N N N N N N"),
        ("other area",       "A N N N N N N N N"),
        ("own accounts",     "A N N A N N N N N"),
        ("other accounts",   "A N N N N N N N N"),
        ("own tokens",       "A A A A A A A A A"),
        ("other tokens",     "A N N N N N N N N"),
        ("all accounts",     "A F F F F F F F F"),
        ("audit log",        "A F F F F F F F F"),
        ("outbox",           "A F F F F F F F F"),
        ("moderation",       "A F F F F F A F F"),
        ("national",         "A F F F F F F F F"),
        ("own draft",        "A A N N N N N N N"),
        ("own sent",         "A A N N N N N N N"),
        ("other sent",       "A A N N N N N N N"),
        ("own draft challenges",  "A N N N N N N N N"),
        ("own sent challenges",   "A N N A N N N N N"),
        ("other sent challenges", "A N N N N N N N N"),
        ("respondent contact",    "A F F F F F A F F"),
        ("own voice",             "A N N A A A N N N"),
        ("other voice",           "A N N N N N N N N"),
        ("alerts",                "A F F F F F F F F"),
        ("own alert",             "A N N N N N N N N"),
        ("other alert",           "A N N N N N N N N"),
        ("own alert detail",      "A N N N N N A N N"),
        // Anyone named who may see the alert acts on it, an inspector too.
        ("own alert, named",      "A A A A A A A N N"),
        ("other alert, named",    "A A N N N N A N N"),
        ("own lead",              "A N N A N N N N N"),
        ("other lead",            "A N N N N N N N N"),
        ("own team",              "A N A N N N N N N"),
        ("other team",            "A N N N N N N N N"),
        ("own draft visit",       "A A N N N N N A N"),
        ("own sent visit",        "A A N N N N N A N"),
        ("other sent visit",      "A A N N N N N N N"),
        ("own draft visit challenges", "A N N N N N N N N"),
        ("own sent visit challenges",  "A N N A N N N N N"),
        ("expert accounts",       "A A F F F F F F F"),
    ];
    let mut failures = Vec::new();
    for (name, resource, reads) in &table {
        let write_row = writes.iter().find(|(n, _)| n == name).map(|(_, w)| *w).expect("a write row per resource");
        for (action, row) in [(Action::Read, *reads), (Action::Write, write_row)] {
            for (role, expected) in ROLES.iter().zip(decisions(row)) {
                let got = authorize(&principal(role, me.0), action, *resource);
                if got != expected {
                    failures.push(format!("{role} {action:?} {name}: expected {expected:?}, got {got:?}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn several_roles_add_up() {
    let mut p = principal("manager", 1);
    p.grants.push(Grant { role: Role::Commissioner, scope: Scope::LocalAuthority("Kent".into()) });
    let other = pid("1-2");
    let kent_home = lid("1-20");
    let read = authorize(
        &p,
        Action::Read,
        Resource::Location { id: &kent_home, provider: &other, local_authority: Some("Kent") },
    );
    let write = authorize(
        &p,
        Action::Write,
        Resource::Location { id: &kent_home, provider: &other, local_authority: Some("Kent") },
    );
    assert_eq!((read, write), (Decision::Allow, Decision::NotFound), "commissioning reads but does not write");
}
