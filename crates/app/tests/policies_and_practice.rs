//! The policy cascade and good practice against a real SQLite store in a temporary
//! directory: who may do what, what is audited, and bad input refused against its
//! field with nothing written.

mod common;

use common::{actor, import, location_id, now, open_store, provider_id};

use std::sync::Arc;

use candour_app::policies::{Policies, PoliciesError, Publishing};
use candour_app::practice::{Practice, PracticeError, RawSearch};
use candour_app::{Actor, Denied, Gate};
use candour_domain::policies::RawPolicy;
use candour_domain::practice::RawPractice;
use candour_domain::{Location, LocationId, Provider, ProviderId, Role, Scope};
use candour_store::{AccountStore, AuditQuery, PolicyStore, PracticeStore};
use candour_store_sqlite::SqliteStore;
use tempfile::TempDir;

struct Harness {
    policies: Policies,
    practice: Practice,
    store: Arc<SqliteStore>,
    provider: ProviderId,
    location: LocationId,
    admin: Actor,
    staff: Actor,
    outsider: Actor,
    _dir: TempDir,
}

async fn harness() -> Harness {
    let (store, dir) = open_store().await;
    let provider = provider_id("1-101");
    let other = provider_id("1-102");
    let location = location_id("1-201");
    let providers = vec![Provider::new(provider.clone(), "Sunrise Care"), Provider::new(other.clone(), "Elsewhere")];
    import(&store, providers, vec![Location::new(location.clone(), provider.clone(), "Rose Court")]).await;
    let admin = actor(&store, "pa@sunrise.example", Role::ProviderAdmin, Scope::Provider(provider.clone())).await;
    let staff = actor(&store, "staff@rose.example", Role::Staff, Scope::Location(location.clone())).await;
    let outsider = actor(&store, "pa@elsewhere.example", Role::ProviderAdmin, Scope::Provider(other)).await;
    let gate = Gate::new(store.clone());
    let notices = candour_app::notices::Notices::new(store.clone(), "https://candour.example.org");
    let policies = Policies::new(store.clone(), gate.clone(), notices);
    let practice = Practice::new(store.clone(), store.clone(), gate);
    Harness { policies, practice, store, provider, location, admin, staff, outsider, _dir: dir }
}

impl Harness {
    async fn audited(&self, action: &str, resource: &str) -> Vec<Option<String>> {
        let query = AuditQuery { action: Some(action.into()), page: 1, per_page: 50, ..AuditQuery::default() };
        let log = self.store.audit_log(&query).await.expect("the audit log");
        log.items.into_iter().filter(|e| e.resource == resource).map(|e| e.detail).collect()
    }
}

fn fire_policy() -> RawPolicy {
    RawPolicy {
        title: "Fire safety".into(),
        kind: "procedure".into(),
        body: "Walk to the nearest exit.".into(),
        changes: String::new(),
        confirm: "yes".into(),
    }
}

#[tokio::test]
async fn only_administrators_publish_and_everyone_who_works_there_confirms() {
    let h = harness().await;
    let library = Publishing::NewPolicy { raw_provider: h.provider.as_str() };
    let refused = h.policies.publish(&h.staff, library, &fire_policy(), now()).await;
    assert!(matches!(refused, Err(PoliciesError::Denied(Denied::NotFound))), "{refused:?}");
    let outsider = h.policies.publish(&h.outsider, library, &fire_policy(), now()).await;
    assert!(matches!(outsider, Err(PoliciesError::Denied(Denied::NotFound))), "{outsider:?}");

    let blank = RawPolicy { title: " ".into(), kind: "memo".into(), ..fire_policy() };
    let Err(PoliciesError::Invalid(problems)) = h.policies.publish(&h.admin, library, &blank, now()).await else {
        panic!("a blank title and an unknown kind are refused");
    };
    let fields: Vec<&str> = problems.iter().map(|p| p.field).collect();
    assert!(fields.contains(&"title") && fields.contains(&"kind"), "{fields:?}");
    assert!(h.store.policies_of(&h.provider).await.expect("policies").is_empty(), "nothing written");

    let kept = h.policies.publish(&h.admin, library, &fire_policy(), now()).await.expect("published");
    let id = kept.policy_id.to_string();
    assert_eq!(h.audited("publish", &format!("policy:{id}")).await, vec![Some("version 1".to_string())]);

    // Staff read it (audited) and confirm it; an outsider cannot tell it exists.
    let missing = h.policies.policy(&h.outsider, &id, None).await;
    assert!(matches!(missing, Err(PoliciesError::Denied(Denied::NotFound))));
    let view = h.policies.policy(&h.staff, &id, None).await.expect("readable");
    assert!(view.readers.is_none(), "staff do not see who has read it");
    assert_eq!(h.audited("read", &format!("policy:{id}")).await.len(), 1);
    let stale = h.policies.confirm(&h.staff, &id, Some("2"), None, now()).await;
    assert!(matches!(stale, Err(PoliciesError::Stale { withdrawn: false, .. })), "{stale:?}");
    let confirmed = h.policies.confirm(&h.staff, &id, None, Some("api"), now()).await.expect("confirmed");
    assert_eq!(confirmed.version.0, 1);
    assert_eq!(h.audited("confirm_read", &format!("policy:{id}")).await, vec![Some("api: version 1".to_string())]);

    // The administrator sees the reading; staff see only their own.
    let theirs = h.policies.library(&h.admin, h.provider.as_str(), None).await.expect("the library");
    assert!(theirs.runs());
    assert_eq!(h.policies.versions(&theirs).await.expect("versions").len(), 1);
    let mine = h.policies.library(&h.staff, h.provider.as_str(), None).await.expect("the library");
    assert!(!mine.runs() && mine.confirmed.contains_key(&kept.policy_id));
    assert!(h.policies.versions(&mine).await.expect("versions").is_empty());
    let export = h.policies.reads(&h.staff, h.provider.as_str(), "reads.csv").await;
    assert!(matches!(export, Err(PoliciesError::Denied(Denied::NotFound))));
    let (_, rows) = h.policies.reads(&h.admin, h.provider.as_str(), "reads.csv").await.expect("the reads");
    assert_eq!(rows.len(), 1);
    let resource = format!("policies:provider:{}", h.provider);
    assert_eq!(h.audited("export", &resource).await, vec![Some("reads.csv".to_string())]);
}

fn account(title: &str) -> RawPractice {
    RawPractice {
        title: title.into(),
        summary: "Residents plan the garden together.".into(),
        what_we_did: "We asked.".into(),
        why: "Because.".into(),
        difference: "A lot.".into(),
        advice: "Start small.".into(),
        theme: "dementia".into(),
        statements: vec!["S1".into()],
    }
}

#[tokio::test]
async fn accounts_are_written_by_those_who_run_the_service_and_public_once_published() {
    let h = harness().await;
    let at = h.location.as_str();
    let refused = h.practice.create(&h.staff, at, &account("Gardens"), now()).await;
    assert!(matches!(refused, Err(PracticeError::Denied(Denied::NotFound))), "{refused:?}");
    let Err(PracticeError::Invalid(problems)) = h.practice.create(&h.admin, at, &account(""), now()).await else {
        panic!("an account without a title is refused");
    };
    assert_eq!(problems[0].field, "title");
    assert!(h.store.practices_of(&h.location).await.expect("accounts").is_empty(), "nothing written");

    let id = h.practice.create(&h.admin, at, &account("Gardens"), now()).await.expect("created");
    assert_eq!(h.audited("create", &format!("good_practice:{id}")).await, vec![Some(format!("location:{at}"))]);
    let hidden = h.practice.published(&id.to_string()).await;
    assert!(matches!(hidden, Err(PracticeError::Denied(Denied::NotFound))), "a draft is not public");
    let outsider = h.practice.set_published(&h.outsider, &id.to_string(), true, now()).await;
    assert!(matches!(outsider, Err(PracticeError::Denied(Denied::NotFound))));

    h.practice.set_published(&h.admin, &id.to_string(), true, now()).await.expect("published");
    h.practice.set_published(&h.admin, &id.to_string(), true, now()).await.expect("a second click changes nothing");
    assert_eq!(h.practice.published(&id.to_string()).await.expect("public").draft.title, "Gardens");
    let raw = RawSearch { theme: "dementia".into(), ..RawSearch::default() };
    assert_eq!(h.practice.search(&raw, 10).await.expect("found").total, 1);
    let bad = RawSearch { theme: "gardening".into(), page: "0".into(), ..RawSearch::default() };
    let Err(PracticeError::Invalid(problems)) = h.practice.search(&bad, 10).await else { panic!("refused") };
    assert_eq!(problems.iter().map(|p| p.field).collect::<Vec<_>>(), ["theme", "page"]);

    let (_, accounts) = h.practice.of_location(&h.admin, at).await.expect("the list");
    assert_eq!(accounts.len(), 1);
    let resource = format!("good_practice:location:{at}");
    assert_eq!(h.audited("read", &resource).await.len(), 1, "the list is an audited read");
}

#[tokio::test]
async fn everyone_who_works_there_is_asked_to_read_a_new_version_and_reminded_after_a_week() {
    let h = harness().await;
    for person in [&h.admin, &h.staff, &h.outsider] {
        h.store.set_password_hash(person.principal.user_id, "$argon2id$test", now()).await.expect("signed up");
    }
    let library = Publishing::NewPolicy { raw_provider: h.provider.as_str() };
    let kept = h.policies.publish(&h.admin, library, &fire_policy(), now()).await.expect("published");
    let id = kept.policy_id.to_string();
    assert_eq!(h.policies.queue_read_notices(now()).await.expect("pass"), 2, "the administrator and the staff");
    assert_eq!(h.policies.queue_read_notices(now() + chrono::Duration::hours(1)).await.expect("pass"), 0, "once");
    let asked: Vec<(String, String)> =
        h.store.outbox(10).await.expect("outbox").into_iter().map(|e| (e.to.to_string(), e.subject)).collect();
    assert!(asked.iter().all(|(_, s)| s == "New policy to read: “Fire safety”"), "{asked:?}");
    assert!(!asked.iter().any(|(to, _)| to == "pa@elsewhere.example"), "only those who work there");

    // The administrator confirms; a week on, only the staff member is reminded, once.
    h.policies.confirm(&h.admin, &id, None, None, now()).await.expect("confirmed");
    let week = now() + chrono::Duration::days(7);
    assert_eq!(h.policies.queue_read_notices(week).await.expect("pass"), 1);
    assert_eq!(h.policies.queue_read_notices(week + chrono::Duration::days(1)).await.expect("pass"), 0);
    let reminder = h.store.outbox(1).await.expect("outbox").remove(0);
    assert_eq!(
        (reminder.to.as_str(), reminder.subject.as_str()),
        ("staff@rose.example", "Reminder: please read “Fire safety” and confirm")
    );
    assert!(reminder.link.as_deref().is_some_and(|l| l.ends_with(&format!("/manage/policies/{id}"))));
    assert!(!reminder.body.contains("Walk to the nearest exit"), "a link, not the policy");
}
