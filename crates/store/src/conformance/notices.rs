//! Conformance cases for notices: mail choices, unsubscribe links, once-only
//! notices, digests, who is told about a service, and complaints' further links.

use candour_domain::complaints::ComplaintStep;

use super::complaints::complaint;
use super::*;

fn notice(to: &str, subject: &str, hours: i64, for_digest: bool) -> OutgoingEmail {
    OutgoingEmail {
        html: Some(format!("<p>{subject}</p>")),
        link: Some(format!("https://c.example/{subject}")),
        unsubscribe: Some(Unsubscribe {
            kind: "complaint_received".into(),
            token_hash: format!("unsubscribe-{to}-{subject}"),
            url: format!("https://c.example/unsubscribe/{subject}"),
        }),
        for_digest,
        ..OutgoingEmail::plain(email(to), subject.into(), format!("About {subject}"), at(hours))
    }
}

pub async fn mail_choices_default_to_each_and_keep_the_last(store: &dyn Store) {
    let (jo, sam) = (email("jo@example.org"), email("sam@example.org"));
    let both = [jo.clone(), sam.clone()];
    assert_eq!(
        store.mail_choices("complaint_received", &both).await.expect("choices"),
        [(jo.clone(), MailChoice::Each), (sam.clone(), MailChoice::Each)]
    );
    store.set_mail_choice(&jo, "complaint_received", MailChoice::Digest, at(1)).await.expect("set");
    store.set_mail_choice(&jo, "complaint_received", MailChoice::None, at(2)).await.expect("changed");
    store.set_mail_choice(&jo, "complaint_deadline", MailChoice::Digest, at(2)).await.expect("set");
    assert_eq!(
        store.mail_choices("complaint_received", &both).await.expect("choices"),
        [(jo.clone(), MailChoice::None), (sam, MailChoice::Each)]
    );
    assert_eq!(
        store.mail_choices_of(&jo).await.expect("all of Jo's"),
        [("complaint_deadline".to_string(), MailChoice::Digest), ("complaint_received".to_string(), MailChoice::None)]
    );
    assert!(store.mail_choices("complaint_received", &[]).await.expect("none asked").is_empty());
}

pub async fn emails_keep_their_html_link_and_unsubscribe_link(store: &dyn Store) {
    let sent = notice("jo@example.org", "one", 1, false);
    store.queue_email(&sent).await.expect("queued");
    let kept = store.outbox(1).await.expect("outbox").remove(0);
    assert_eq!((kept.html, kept.link, kept.for_digest), (sent.html, sent.link, false));
    assert_eq!(kept.unsubscribe_url.as_deref(), Some("https://c.example/unsubscribe/one"));
    let (to, kind) = store.unsubscribe_link("unsubscribe-jo@example.org-one").await.expect("link kept");
    assert_eq!((to.as_str(), kind.as_str()), ("jo@example.org", "complaint_received"));
    assert!(matches!(store.unsubscribe_link("unsubscribe-nobody").await, Err(StoreError::NotFound)));
}

pub async fn a_once_only_notice_is_queued_once(store: &dyn Store) {
    let emails = [notice("jo@example.org", "due", 1, false), notice("sam@example.org", "due", 1, false)];
    assert!(store.queue_once("complaint:1:respond:missed", &emails, at(1)).await.expect("first"));
    assert!(!store.queue_once("complaint:1:respond:missed", &emails, at(2)).await.expect("again"));
    assert!(store.queue_once("complaint:2:respond:missed", &[], at(2)).await.expect("no one to tell, still once"));
    assert_eq!(store.outbox(10).await.expect("outbox").len(), 2);
    let keys = ["complaint:1:respond:missed".to_string(), "complaint:3:respond:missed".to_string()];
    assert_eq!(store.sent_notices(&keys).await.expect("sent"), ["complaint:1:respond:missed"]);
    assert!(store.sent_notices(&[]).await.expect("none asked").is_empty());
}

pub async fn held_emails_wait_for_one_digest_per_person(store: &dyn Store) {
    for email in [
        notice("jo@example.org", "first", 1, true),
        notice("sam@example.org", "other", 2, true),
        notice("jo@example.org", "second", 3, true),
        notice("jo@example.org", "now", 3, false),
        notice("jo@example.org", "late", 30, true),
    ] {
        store.queue_email(&email).await.expect("queued");
    }
    let claimed = store.claim_due_emails(at(40), at(41), 100).await.expect("claim");
    assert_eq!(claimed.iter().map(|e| e.subject.as_str()).collect::<Vec<_>>(), ["now"], "held ones never go alone");
    assert_eq!(store.outbox_health().await.expect("health").waiting, 1, "held ones are not waiting to be sent");

    let compose = |digest: Digest<'_>| {
        let subjects: Vec<&str> = digest.items.iter().map(|e| e.subject.as_str()).collect();
        OutgoingEmail::plain(digest.to.clone(), "Digest".into(), subjects.join(", "), at(24))
    };
    assert_eq!(store.queue_digests(at(24), at(24), &compose).await.expect("gathered"), 2);
    assert_eq!(store.queue_digests(at(24), at(24), &compose).await.expect("again"), 0, "each held email once");
    let outbox = store.outbox(20).await.expect("outbox");
    let digests: Vec<(&str, &str)> =
        outbox.iter().filter(|e| e.subject == "Digest").map(|e| (e.to.as_str(), e.body.as_str())).collect();
    assert_eq!(digests.len(), 2);
    assert!(digests.contains(&("jo@example.org", "first, second")) && digests.contains(&("sam@example.org", "other")));
    let late = outbox.iter().find(|e| e.subject == "late").expect("late");
    assert!(late.sent_at.is_none(), "held after the digest's hour: tomorrow's");
    assert!(
        outbox
            .iter()
            .filter(|e| ["first", "second", "other"].contains(&e.subject.as_str()))
            .all(|e| e.sent_at == Some(at(24)))
    );
}

pub async fn notices_go_to_the_signed_up_managers_of_the_service_or_its_provider(store: &dyn Store) {
    store.apply_import(&small_register()).await.expect("import");
    let here = grant(Role::Manager, Scope::Location(lid(100)));
    let manager = add_user(store, "manager@example.org", vec![here.clone()]).await;
    let owner = add_user(store, "owner@example.org", vec![grant(Role::ProviderAdmin, Scope::Provider(pid(1)))]).await;
    let staff = add_user(store, "staff@example.org", vec![grant(Role::Staff, Scope::Location(lid(100)))]).await;
    let other = add_user(store, "other@example.org", vec![grant(Role::Manager, Scope::Location(lid(102)))]).await;
    let left = add_user(store, "left@example.org", vec![here.clone()]).await;
    add_user(store, "invited@example.org", vec![here]).await;
    for user in [&manager, &owner, &staff, &other, &left] {
        store.set_password_hash(user.id, "$argon2id$test", at(0)).await.expect("password");
    }
    let disabled = UserUpdate { disabled: Some(true), ..UserUpdate::default() };
    store.update_user(left.id, &disabled).await.expect("disabled");
    let told = store.recipients_for(&lid(100), &[Role::Manager, Role::ProviderAdmin]).await.expect("recipients");
    let addresses: Vec<&str> = told.iter().map(|r| r.email.as_str()).collect();
    assert_eq!(addresses, ["manager@example.org", "owner@example.org"]);
    assert_eq!(told[0].name, "User manager@example.org");
    let at_rose = store.recipients_for(&lid(102), &[Role::Manager, Role::ProviderAdmin]).await.expect("recipients");
    assert_eq!(
        at_rose.iter().map(|r| r.email.as_str()).collect::<Vec<_>>(),
        ["other@example.org", "owner@example.org"]
    );
    assert!(store.recipients_for(&lid(100), &[]).await.expect("no roles").is_empty());
    assert!(store.recipients_for(&lid(999), &[Role::Manager]).await.expect("not in the register").is_empty());
}

pub async fn complaint_links_open_their_complaint_and_steps_queue_their_emails(store: &dyn Store) {
    store.apply_import(&small_register()).await.expect("import");
    let open = store.add_complaint(&complaint(100, "a", date(2026, 3, 2))).await.expect("a");
    let closed = store.add_complaint(&complaint(102, "b", date(2026, 3, 2))).await.expect("b");
    store.add_complaint_link(open.id, "further-a", at(2)).await.expect("link added");
    assert_eq!(store.complaint_by_follow("further-a").await.expect("opens").id, open.id);
    assert_eq!(store.complaint_by_follow("hash-a").await.expect("the first still opens").id, open.id);
    assert!(matches!(store.add_complaint_link(open.id + 100, "further-x", at(2)).await, Err(StoreError::NotFound)));

    let told = notice("ann@example.org", "acknowledged", 2, false);
    let on = date(2026, 3, 3);
    store.take_complaint_step(open.id, &ComplaintStep::Acknowledge { on }, None, at(2), &[told]).await.expect("step");
    assert_eq!(store.outbox(10).await.expect("outbox")[0].subject, "acknowledged", "queued with the step");
    let refused = store
        .take_complaint_step(
            open.id,
            &ComplaintStep::Acknowledge { on },
            None,
            at(3),
            &[notice("ann@example.org", "twice", 3, false)],
        )
        .await;
    assert!(matches!(refused, Err(StoreError::Conflict(_))));
    assert!(
        store.outbox(10).await.expect("outbox").iter().all(|e| e.subject != "twice"),
        "a refused step sends nothing"
    );

    for step in [
        ComplaintStep::Acknowledge { on },
        ComplaintStep::SendResponse { on, response: "Sorry".into() },
        ComplaintStep::Close { on, outcome: candour_domain::complaints::Outcome::Upheld, learned: "Rotas".into() },
    ] {
        store.take_complaint_step(closed.id, &step, None, at(3), &[]).await.expect("step");
    }
    let still_open: Vec<i64> = store.open_complaints().await.expect("open").iter().map(|c| c.id).collect();
    assert_eq!(still_open, [open.id]);
}

pub async fn a_follow_counts_once_it_is_confirmed_and_only_once(store: &dyn Store) {
    store.apply_import(&small_register()).await.expect("import");
    let fan = email("fan@example.org");
    let ask = |subject: &str| OutgoingEmail::plain(fan.clone(), subject.into(), "Confirm".into(), at(1));
    store.add_follow(&lid(100), &fan, "first", &ask("one"), at(1)).await.expect("asked");
    store.add_follow(&lid(100), &fan, "second", &ask("two"), at(2)).await.expect("asked again");
    assert!(matches!(store.add_follow(&lid(999), &fan, "third", &ask("x"), at(2)).await, Err(StoreError::NotFound)));
    assert_eq!(store.outbox(10).await.expect("outbox").len(), 2, "each request queues its email; a refused one none");
    assert!(store.follows().await.expect("follows").is_empty(), "nothing counts before it is confirmed");
    assert_eq!(store.follow_by_token("first").await.expect("found").confirmed_at, None);

    let confirmed = store.confirm_follow("first", at(3)).await.expect("confirmed");
    assert_eq!(
        (confirmed.location_id.clone(), confirmed.email.clone(), confirmed.confirmed_at),
        (lid(100), fan.clone(), Some(at(3)))
    );
    assert_eq!(
        store.confirm_follow("first", at(4)).await.expect("again").confirmed_at,
        Some(at(3)),
        "the first time kept"
    );
    assert_eq!(store.confirm_follow("second", at(5)).await.expect("the other link").id, confirmed.id, "one follow");
    assert_eq!(store.follows().await.expect("follows"), [confirmed]);
    assert!(matches!(store.confirm_follow("unknown", at(5)).await, Err(StoreError::NotFound)));
    assert!(matches!(store.follow_by_token("unknown").await, Err(StoreError::NotFound)));
}
