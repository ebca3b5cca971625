//! The workspaces service against a real SQLite store: one access decision per
//! call, the same `NotFound` for another tenant's record as for none, and every
//! private read in the audit log.

mod common;

use common::{import, open_store};

use std::collections::HashSet;
use std::sync::Arc;

use candour_app::workspaces::{Via, WorkspacesError};
use candour_app::{Actor, App, Denied, Settings};
use candour_domain::{Email, Grant, Location, LocationId, Principal, Provider, ProviderId, Role, Scope, UserId};
use candour_store::{AccountStore, AuditQuery, NewUser, Store};
use candour_store_sqlite::SqliteStore;

struct Harness {
    app: App,
    store: Arc<SqliteStore>,
    _dir: tempfile::TempDir,
}

async fn harness() -> Harness {
    let (store, dir) = open_store().await;
    let mut ours = Location::new(LocationId::parse("1-100").expect("id"), provider("1-1"), "Willowbrook House");
    ours.local_authority = Some("Leeds".into());
    let mut theirs = Location::new(LocationId::parse("1-200").expect("id"), provider("1-2"), "Amber Lodge");
    theirs.local_authority = Some("York".into());
    let providers =
        vec![Provider::new(provider("1-1"), "Brightwater Care Ltd"), Provider::new(provider("1-2"), "Meadowview Ltd")];
    import(&store, providers, vec![ours, theirs]).await;
    let app = App::new(Arc::clone(&store) as Arc<dyn Store>, &Settings::new("https://candour.example.org"));
    Harness { app, store, _dir: dir }
}

fn provider(id: &str) -> ProviderId {
    ProviderId::parse(id).expect("provider id")
}

impl Harness {
    async fn actor(&self, address: &str, grants: Vec<Grant>) -> Actor {
        let email = Email::parse(address).expect("email");
        let user = self.store.create_user(&NewUser { email, name: "Jo".into(), grants }).await.expect("user");
        Actor::new(Principal { user_id: user.id, email: user.email, grants: user.grants }, Some("192.0.2.1".into()))
    }

    async fn audit_of(&self, user: UserId) -> Vec<String> {
        let log = self.store.audit_log(&AuditQuery { per_page: 100, ..Default::default() }).await.expect("audit");
        log.items
            .iter()
            .filter(|e| e.actor == Some(user))
            .map(|e| format!("{} {} {}", e.action, e.resource, e.detail.as_deref().unwrap_or("")).trim().to_string())
            .collect()
    }
}

fn is_not_found<T: std::fmt::Debug>(result: &Result<T, WorkspacesError>) -> bool {
    matches!(result, Err(WorkspacesError::Denied(Denied::NotFound)))
}

#[tokio::test]
async fn a_provider_administrator_reads_their_own_workspaces_and_nobody_elses() {
    let h = harness().await;
    let admin = h
        .actor("boss@example.org", vec![Grant { role: Role::ProviderAdmin, scope: Scope::Provider(provider("1-1")) }])
        .await;
    let ws = &h.app.workspaces;

    let own = ws.provider(&admin, "1-1", Via::Page).await.expect("their own provider");
    assert_eq!(own.provider.name, "Brightwater Care Ltd");
    assert!(
        own.people.as_ref().is_some_and(|p| p.iter().any(|p| p.email.as_str() == "boss@example.org")),
        "they manage its accounts"
    );
    let location = ws.location(&admin, "1-100", Via::Api).await.expect("their own service");
    assert_eq!(location.detail.location.name, "Willowbrook House");

    // Another provider's, a missing one and a malformed ID: the same answer.
    assert!(is_not_found(&ws.provider(&admin, "1-2", Via::Page).await));
    assert!(is_not_found(&ws.provider(&admin, "1-999", Via::Page).await));
    assert!(is_not_found(&ws.location(&admin, "1-200", Via::Page).await));
    assert!(is_not_found(&ws.location(&admin, "not an id", Via::Page).await));

    let audit = h.audit_of(admin.principal.user_id).await;
    assert!(audit.contains(&"read provider:1-1".to_string()), "{audit:?}");
    assert!(audit.contains(&"read location:1-100 api".to_string()), "the API's reads say so: {audit:?}");
    assert!(audit.iter().any(|a| a.starts_with("access_denied provider:1-2")), "the refusal is audited: {audit:?}");
    assert!(!audit.iter().any(|a| a.starts_with("read provider:1-2")), "nothing refused is read: {audit:?}");
}

#[tokio::test]
async fn an_area_is_read_by_its_commissioners_and_a_stranger_cannot_tell_it_exists() {
    let h = harness().await;
    let leeds = h
        .actor("c@example.org", vec![Grant { role: Role::Commissioner, scope: Scope::LocalAuthority("Leeds".into()) }])
        .await;
    let staff = h
        .actor(
            "s@example.org",
            vec![Grant { role: Role::Staff, scope: Scope::Location(LocationId::parse("1-100").expect("id")) }],
        )
        .await;
    let ws = &h.app.workspaces;
    let band_one = |_: &str| HashSet::from([LocationId::parse("1-100").expect("id")]);

    let area = ws.area(&leeds, "leeds", band_one).await.expect("their own area");
    assert_eq!(area.local_authority, "Leeds", "spelt as the register spells it");
    assert_eq!(area.registered, 1);
    assert_eq!(area.needing_attention.len(), 1, "band 1 makes a service urgent whatever its rating");

    assert!(is_not_found(&ws.area(&leeds, "York", |_| HashSet::new()).await));
    assert!(is_not_found(&ws.area(&staff, "Leeds", |_| HashSet::new()).await));
    assert_eq!(
        h.audit_of(leeds.principal.user_id).await.first().map(String::as_str),
        Some("access_denied area:York read refused (notfound)")
    );
    assert!(h.audit_of(leeds.principal.user_id).await.contains(&"read area:Leeds".to_string()));
}
