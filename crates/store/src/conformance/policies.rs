//! Conformance cases for the policies store.

use super::*;

use candour_domain::policies::{PolicyDraft, PolicyKind, ReadCount, Version};

pub(super) fn draft(title: &str, changes: &str, requires_confirmation: bool) -> PolicyDraft {
    PolicyDraft {
        title: title.into(),
        kind: PolicyKind::Policy,
        body: format!("{title}: what to do.\n\nAnd <b>why</b>."),
        changes: changes.into(),
        requires_confirmation,
    }
}

pub(super) fn publish(provider: u32, policy: Option<i64>, d: PolicyDraft, hours: i64) -> NewPolicyVersion {
    NewPolicyVersion { provider: pid(provider), policy, draft: d, published_by: None, published_at: at(hours) }
}

/// Provider 1 (locations 100 and 102) with an administrator, a manager at 100, a
/// member of staff at both 100 and 102, one at 102 only, and someone disabled;
/// provider 2 with a member of staff of its own.
pub(super) async fn policy_people(store: &dyn Store) -> [User; 6] {
    store.apply_import(&small_register()).await.expect("import");
    let admin = add_user(store, "admin@example.org", vec![grant(Role::ProviderAdmin, Scope::Provider(pid(1)))]).await;
    let manager = add_user(store, "manager@example.org", vec![grant(Role::Manager, Scope::Location(lid(100)))]).await;
    let both = add_user(
        store,
        "both@example.org",
        vec![grant(Role::Staff, Scope::Location(lid(100))), grant(Role::Staff, Scope::Location(lid(102)))],
    )
    .await;
    let rose = add_user(store, "rose@example.org", vec![grant(Role::Staff, Scope::Location(lid(102)))]).await;
    let gone = add_user(store, "gone@example.org", vec![grant(Role::Staff, Scope::Location(lid(102)))]).await;
    store.update_user(gone.id, &UserUpdate { disabled: Some(true), ..Default::default() }).await.expect("disable");
    let other = add_user(store, "other@example.org", vec![grant(Role::Staff, Scope::Location(lid(103)))]).await;
    [admin, manager, both, rose, gone, other]
}

pub async fn policies_keep_every_version(store: &dyn Store) {
    let [admin, ..] = policy_people(store).await;
    let mut first = publish(1, None, draft("Fire safety", "First version.", true), 1);
    first.published_by = Some(admin.id);
    let v1 = store.publish_policy(&first).await.expect("publish");
    assert_eq!((v1.version, v1.published_by, v1.published_at), (Version(1), Some(admin.id), at(1)));
    assert_eq!(v1.draft, first.draft, "every field round trips");
    let id = v1.policy_id;

    let mut second = draft("Fire safety and evacuation", "Adds the evacuation plan.", false);
    second.kind = PolicyKind::Procedure;
    let v2 = store.publish_policy(&publish(1, Some(id), second.clone(), 2)).await.expect("publish again");
    assert_eq!((v2.policy_id, v2.version), (id, Version(2)));

    let record = store.policy(id).await.expect("policy");
    assert_eq!((record.current.version, &record.current.draft), (Version(2), &second));
    assert_eq!(record.provider_id, pid(1));
    let versions: Vec<_> = record.versions.iter().map(|v| (v.version.0, v.title.as_str())).collect();
    assert_eq!(versions, [(2, "Fire safety and evacuation"), (1, "Fire safety")], "newest first");
    assert_eq!(store.policy_version(id, Version(1)).await.expect("old version").draft, first.draft, "kept whole");
    assert!(matches!(store.policy_version(id, Version(3)).await, Err(StoreError::NotFound)));
    assert!(matches!(store.policy(id + 100).await, Err(StoreError::NotFound)));

    // Another provider cannot add a version to this one; an unknown provider has no policies.
    let stolen = store.publish_policy(&publish(2, Some(id), draft("Mine now", "x", true), 3)).await;
    assert!(matches!(stolen, Err(StoreError::NotFound)));
    let unknown = store.publish_policy(&publish(999, None, draft("Lost", "x", true), 3)).await;
    assert!(matches!(unknown, Err(StoreError::NotFound)));
    assert_eq!(store.policy(id).await.expect("policy").versions.len(), 2, "nothing was added by refusals");

    store.publish_policy(&publish(1, None, draft("Administering medicines", "First.", true), 4)).await.expect("2nd");
    let listed = store.policies_of(&pid(1)).await.expect("library");
    let titles: Vec<_> = listed.iter().map(|p| (p.title.as_str(), p.version.0)).collect();
    assert_eq!(titles, [("Administering medicines", 1), ("Fire safety and evacuation", 2)], "by title");
    assert!(store.policies_of(&pid(2)).await.expect("none").is_empty());
    // To confirm: current versions that ask for it (not version 2 of fire safety), published since.
    let to_confirm = store.policies_to_confirm(at(0)).await.expect("to confirm");
    let listed: Vec<_> = to_confirm.iter().map(|p| (p.title.as_str(), p.version.0, p.published_at)).collect();
    assert_eq!(listed, [("Administering medicines", 1, at(4))]);
    assert_eq!(to_confirm[0].provider_id, pid(1));
    assert!(store.policies_to_confirm(at(5)).await.expect("none since").is_empty());

    // A withdrawn policy is listed last, viewable, and takes no new version.
    store.withdraw_policy(id, at(5)).await.expect("withdraw");
    store.withdraw_policy(id, at(6)).await.expect("withdrawing again is harmless");
    assert_eq!(store.policy(id).await.expect("policy").withdrawn_at, Some(at(5)), "the first date is kept");
    let listed = store.policies_of(&pid(1)).await.expect("library");
    assert_eq!((listed[1].id, listed[1].withdrawn_at), (id, Some(at(5))));
    assert_eq!(listed[1].reads, ReadCount::default(), "nothing is expected of a withdrawn policy");
    let refused = store.publish_policy(&publish(1, Some(id), draft("Again", "x", true), 7)).await;
    assert!(matches!(refused, Err(StoreError::Conflict(_))));
    assert!(matches!(store.withdraw_policy(id + 100, at(5)).await, Err(StoreError::NotFound)));
}

pub async fn policy_confirmations_are_per_version(store: &dyn Store) {
    let [admin, manager, both, rose, gone, other] = policy_people(store).await;
    let id =
        store.publish_policy(&publish(1, None, draft("Fire safety", "First.", true), 1)).await.expect("v1").policy_id;
    assert_eq!(store.confirm_policy_read(id, Version(1), both.id, at(2)).await.expect("confirm"), at(2));
    assert_eq!(
        store.confirm_policy_read(id, Version(1), both.id, at(3)).await.expect("again"),
        at(2),
        "confirming twice keeps the first date"
    );
    store.confirm_policy_read(id, Version(1), admin.id, at(3)).await.expect("confirm");

    let readers = store.policy_readers(id).await.expect("readers");
    let names: Vec<_> = readers.iter().map(|r| (r.email.as_str(), r.confirmed_at)).collect();
    assert_eq!(
        names,
        [
            ("admin@example.org", Some(at(3))),
            ("both@example.org", Some(at(2))),
            ("manager@example.org", None),
            ("rose@example.org", None),
        ],
        "everyone working for the provider, by name; not the disabled account, not another provider's staff"
    );
    assert_eq!(readers[1].grants.len(), 2, "both grants of the person at two locations");
    assert!(!readers.iter().any(|r| r.user_id == gone.id || r.user_id == other.id));
    let summary = store.policies_of(&pid(1)).await.expect("library");
    assert_eq!(summary[0].reads, ReadCount { expected: 4, confirmed: 2 });
    let mine = store.confirmed_by(&pid(1), both.id).await.expect("mine");
    assert_eq!(mine, [(id, Version(1), at(2))]);

    // A new version starts unread, and an old version can no longer be confirmed.
    store.publish_policy(&publish(1, Some(id), draft("Fire safety", "New drill.", true), 4)).await.expect("v2");
    let stale = store.confirm_policy_read(id, Version(1), manager.id, at(5)).await;
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    assert!(store.policy_readers(id).await.expect("readers").iter().all(|r| r.confirmed_at.is_none()));
    assert!(store.confirmed_by(&pid(1), both.id).await.expect("mine").is_empty());
    assert_eq!(store.policies_of(&pid(1)).await.expect("library")[0].reads, ReadCount { expected: 4, confirmed: 0 });
    store.confirm_policy_read(id, Version(2), manager.id, at(6)).await.expect("confirm v2");
    let record = store.policy(id).await.expect("policy");
    let counts: Vec<_> = record.versions.iter().map(|v| (v.version.0, v.confirmations)).collect();
    assert_eq!(counts, [(2, 1), (1, 2)], "the old version keeps its confirmations");

    assert!(matches!(store.confirm_policy_read(id + 100, Version(1), rose.id, at(7)).await, Err(StoreError::NotFound)));
    assert!(matches!(store.policy_readers(id + 100).await, Err(StoreError::NotFound)));
    store.withdraw_policy(id, at(8)).await.expect("withdraw");
    let withdrawn = store.confirm_policy_read(id, Version(2), rose.id, at(9)).await;
    assert!(matches!(withdrawn, Err(StoreError::Conflict(_))));
}

pub async fn policy_read_rates_count_people_per_location(store: &dyn Store) {
    let [_admin, manager, both, rose, _gone, other] = policy_people(store).await;
    let fire = store.publish_policy(&publish(1, None, draft("Fire", "x", true), 1)).await.expect("fire").policy_id;
    let meds = store.publish_policy(&publish(1, None, draft("Meds", "x", true), 1)).await.expect("meds").policy_id;
    // Neither a guide that asks for no confirmation nor a withdrawn policy is expected.
    store.publish_policy(&publish(1, None, draft("Tea rota", "x", false), 1)).await.expect("info");
    let old = store.publish_policy(&publish(1, None, draft("Old", "x", true), 1)).await.expect("old").policy_id;
    store.withdraw_policy(old, at(2)).await.expect("withdraw");
    let theirs = store.publish_policy(&publish(2, None, draft("Theirs", "x", true), 1)).await.expect("2").policy_id;

    store.confirm_policy_read(fire, Version(1), both.id, at(3)).await.expect("confirm");
    store.confirm_policy_read(meds, Version(1), both.id, at(3)).await.expect("confirm");
    store.confirm_policy_read(fire, Version(1), manager.id, at(3)).await.expect("confirm");
    store.confirm_policy_read(old, Version(1), rose.id, at(1)).await.expect_err("withdrawn");
    store.confirm_policy_read(theirs, Version(1), other.id, at(3)).await.expect("confirm");

    let rates = store.policy_read_rates(None).await.expect("rates");
    let seen: Vec<_> =
        rates.iter().map(|r| (r.location_id.as_str(), r.provider_id.as_str(), r.people, r.reads)).collect();
    let rc = |expected, confirmed| ReadCount { expected, confirmed };
    // 100: the manager and the person at both (2 × 2 expected; fire twice, meds once).
    // 102: the person at both and Rose; the disabled account is not counted.
    // 103: provider 2's member of staff, who read its one policy.
    assert_eq!(
        seen,
        [
            (lid(100).as_str(), pid(1).as_str(), 2, rc(4, 3)),
            (lid(102).as_str(), pid(1).as_str(), 2, rc(4, 2)),
            (lid(103).as_str(), pid(2).as_str(), 1, rc(1, 1)),
        ]
    );
    let one = store.policy_read_rates(Some(&pid(2))).await.expect("one provider");
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].location_id, lid(103));

    // A second version of "fire" resets its confirmations everywhere.
    store.publish_policy(&publish(1, Some(fire), draft("Fire", "changed", true), 4)).await.expect("v2");
    let rates = store.policy_read_rates(Some(&pid(1))).await.expect("rates");
    assert_eq!(rates.iter().map(|r| r.reads).collect::<Vec<_>>(), [rc(4, 1), rc(4, 1)]);
}
