//! The set-up the integration tests share: a SQLite store in a temporary
//! directory, a small register imported into it, users with one grant each,
//! and a fixed moment in time.

#![allow(dead_code)]

use std::sync::Arc;

use candour_app::Actor;
use candour_domain::{Email, Grant, Location, LocationId, Principal, Provider, ProviderId, Role, Scope};
use candour_store::{AccountStore, ImportPlan, NewUser, RegisterStore};
use candour_store_sqlite::SqliteStore;
use chrono::{DateTime, Utc};
use tempfile::TempDir;

/// The address every test actor acts from.
pub const IP: &str = "192.0.2.1";

/// The moment the tests take as now.
pub fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_750_000_000, 0).expect("valid time")
}

/// An empty store in a new temporary directory, which lives as long as the directory.
pub async fn open_store() -> (Arc<SqliteStore>, TempDir) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = Arc::new(SqliteStore::open(&dir.path().join("candour.db")).await.expect("open store"));
    (store, dir)
}

pub fn provider_id(id: &str) -> ProviderId {
    ProviderId::parse(id).expect("valid provider id")
}

pub fn location_id(id: &str) -> LocationId {
    LocationId::parse(id).expect("valid location id")
}

/// Imports these providers and locations as the register.
pub async fn import(store: &SqliteStore, providers: Vec<Provider>, locations: Vec<Location>) {
    let plan = ImportPlan {
        kind: "test".into(),
        origin: "tests".into(),
        providers,
        locations,
        ratings: Vec::new(),
        counts: Default::default(),
    };
    store.apply_import(&plan).await.expect("import the register");
}

/// A new user holding one grant, as a principal.
pub async fn principal(store: &SqliteStore, address: &str, role: Role, scope: Scope) -> Principal {
    let email = Email::parse(address).expect("valid email");
    let new = NewUser { email: email.clone(), name: "Jo Bloggs".into(), grants: vec![Grant { role, scope }] };
    let user = store.create_user(&new).await.expect("create user");
    Principal { user_id: user.id, email, grants: user.grants }
}

/// A new user holding one grant, acting from [`IP`].
pub async fn actor(store: &SqliteStore, address: &str, role: Role, scope: Scope) -> Actor {
    Actor::new(principal(store, address, role, scope).await, Some(IP.into()))
}
