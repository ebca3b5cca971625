//! The moderation service against a real SQLite store in a temporary directory:
//! who may act, what the audit log says, and that a refused decision writes nothing.

mod common;

use common::{actor, import, location_id, now, open_store, provider_id};

use std::collections::BTreeMap;
use std::sync::Arc;

use tempfile::TempDir;

use candour_app::moderation::{RawCheck, RawDecision};
use candour_app::voice::{VoiceError, new_submission_key};
use candour_app::{Actor, App, Denied, Settings};
use candour_domain::voice::{ChangeClaim, Channel, OUTCOME_QUESTIONS, RawFeedback};
use candour_domain::{Location, LocationId, Provider, ProviderId, Role, Scope};
use candour_store::{
    AccountStore, AuditEntry, AuditQuery, ContactScope, FeedbackStatus, RegisterStore, Store, VoiceStore,
};
use candour_store_sqlite::SqliteStore;

struct Harness {
    app: App,
    store: Arc<SqliteStore>,
    location: LocationId,
    provider: ProviderId,
    moderator: Actor,
    provider_admin: Actor,
    stranger: Actor,
    _dir: TempDir,
}

async fn harness() -> Harness {
    let (store, dir) = open_store().await;
    let provider = provider_id("1-101");
    let location = location_id("1-201");
    let mut home = Location::new(location.clone(), provider.clone(), "Willowbrook House");
    home.local_authority = Some("Leeds".into());
    let other = provider_id("1-102");
    let providers =
        vec![Provider::new(provider.clone(), "Brightwater Care Ltd"), Provider::new(other.clone(), "Other")];
    import(&store, providers, vec![home]).await;
    let moderator = actor(&store, "moderator@example.org", Role::Moderator, Scope::All).await;
    let provider_admin =
        actor(&store, "admin@brightwater.example", Role::ProviderAdmin, Scope::Provider(provider.clone())).await;
    let stranger = actor(&store, "admin@other.example", Role::ProviderAdmin, Scope::Provider(other)).await;
    let bundle: Arc<dyn Store> = store.clone();
    let app = App::new(bundle, &Settings::new("https://candour.example.org"));
    Harness { app, store, location, provider, moderator, provider_admin, stranger, _dir: dir }
}

fn feedback(story: &str) -> RawFeedback {
    RawFeedback {
        respondent: "person".into(),
        overall: "good".into(),
        answers: OUTCOME_QUESTIONS
            .iter()
            .map(|q| (q.code.to_string(), "good_enough".to_string()))
            .collect::<BTreeMap<_, _>>(),
        story: story.into(),
        ..RawFeedback::default()
    }
}

fn publish(text: &str) -> RawDecision {
    RawDecision {
        decision: "publish".into(),
        criticality: "1".into(),
        published_text: text.into(),
        reason: String::new(),
    }
}

impl Harness {
    async fn give(&self, story: &str) -> i64 {
        let key = new_submission_key();
        let receipt = self.app.voice.submit(&self.location, &feedback(story), Channel::Online, &key, None, now()).await;
        receipt.expect("feedback stored").feedback_id
    }

    async fn audit(&self, action: &str) -> Vec<AuditEntry> {
        let query = AuditQuery { action: Some(action.into()), per_page: 200, ..AuditQuery::default() };
        self.store.audit_log(&query).await.expect("audit log").items
    }
}

#[tokio::test]
async fn only_moderators_decide_and_each_decision_is_audited() {
    let h = harness().await;
    let id = h.give("Lunch was late again.").await.to_string();
    let refused = h.app.moderation.moderate(&h.provider_admin, &id, &publish("Lunch was late."), now()).await;
    assert!(matches!(refused, Err(VoiceError::Denied(Denied::Forbidden))), "{refused:?}");
    let denied = h.audit("access_denied").await;
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0].resource, "moderation_queue");

    let missing = h.app.moderation.moderate(&h.moderator, "404404", &publish("x"), now()).await;
    assert!(matches!(missing, Err(VoiceError::NotFound)), "{missing:?}");
    let garbled = h.app.moderation.response(&h.moderator, "not-a-number").await;
    assert!(matches!(garbled, Err(VoiceError::NotFound)), "{garbled:?}");

    h.app.moderation.moderate(&h.moderator, &id, &publish("Lunch was late."), now()).await.expect("published");
    let record = h.store.feedback_record(id.parse().unwrap()).await.unwrap();
    assert_eq!(record.status, FeedbackStatus::Published);
    let moderated = h.audit("moderate").await;
    assert_eq!(moderated.len(), 1);
    assert_eq!(
        (moderated[0].resource.as_str(), moderated[0].detail.as_deref()),
        (format!("feedback:{id}").as_str(), Some("published at criticality 1"))
    );
    assert_eq!(moderated[0].ip.as_deref(), Some("192.0.2.1"));

    let again = h.app.moderation.moderate(&h.moderator, &id, &publish("Again"), now()).await;
    assert!(matches!(again, Err(VoiceError::Conflict(_))), "{again:?}");
}

#[tokio::test]
async fn a_decision_with_problems_is_refused_against_its_fields_and_writes_nothing() {
    let h = harness().await;
    let id = h.give("The garden is lovely.").await;
    let raw = RawDecision { decision: "reject".into(), criticality: "9".into(), ..RawDecision::default() };
    let Err(VoiceError::Invalid(problems)) =
        h.app.moderation.moderate(&h.moderator, &id.to_string(), &raw, now()).await
    else {
        panic!("expected problems");
    };
    let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, ["criticality", "reason"]);
    assert_eq!(h.store.feedback_record(id).await.unwrap().status, FeedbackStatus::Pending);
    assert!(h.audit("moderate").await.is_empty());
}

#[tokio::test]
async fn reading_the_queue_and_a_response_is_audited() {
    let h = harness().await;
    let id = h.give("Kind staff.").await;
    let page = h.app.moderation.queue(&h.moderator, FeedbackStatus::Pending, 1, 20).await.expect("queue");
    assert_eq!(page.total, 1);
    let refused = h.app.moderation.queue(&h.provider_admin, FeedbackStatus::Pending, 1, 20).await;
    assert!(matches!(refused, Err(VoiceError::Denied(Denied::Forbidden))));
    h.app.moderation.response(&h.moderator, &id.to_string()).await.expect("response");
    let reads: Vec<String> = h.audit("read").await.into_iter().map(|e| e.resource).collect();
    assert!(reads.contains(&"moderation_queue".to_string()), "{reads:?}");
    assert!(reads.contains(&format!("feedback:{id}")), "{reads:?}");
}

#[tokio::test]
async fn reply_checks_need_a_decision_and_a_reason_to_reject() {
    let h = harness().await;
    let story = h.give("The garden is lovely.").await;
    h.app
        .moderation
        .moderate(&h.moderator, &story.to_string(), &publish("The garden is lovely."), now())
        .await
        .unwrap();
    let detail = h.store.location(&h.location).await.unwrap();
    let reply = h
        .app
        .voice
        .reply_to_story(&h.provider_admin, &detail, &story.to_string(), "Thank you", ChangeClaim::None, "", now())
        .await
        .expect("reply");
    assert_eq!(h.audit("reply").await.len(), 1);
    let check = |decision: &str, reason: &str| RawCheck { decision: decision.into(), reason: reason.into() };
    let id = reply.id.to_string();
    let fields = |result: Result<(), VoiceError>| match result {
        Err(VoiceError::Invalid(problems)) => problems.into_iter().map(|p| p.field).collect::<Vec<_>>(),
        other => panic!("expected problems, got {other:?}"),
    };
    assert_eq!(fields(h.app.moderation.check_reply(&h.moderator, &id, &check("", ""), now()).await), ["decision"]);
    assert_eq!(fields(h.app.moderation.check_reply(&h.moderator, &id, &check("reject", " "), now()).await), ["reason"]);
    let refused = h.app.moderation.check_reply(&h.provider_admin, &id, &check("publish", ""), now()).await;
    assert!(matches!(refused, Err(VoiceError::Denied(Denied::Forbidden))));
    assert!(h.audit("check").await.is_empty());
    h.app.moderation.check_reply(&h.moderator, &id, &check("publish", ""), now()).await.expect("checked");
    let checked = h.audit("check").await;
    assert_eq!(
        (checked[0].resource.as_str(), checked[0].detail.as_deref()),
        (format!("reply:{id}").as_str(), Some("published"))
    );
}

#[tokio::test]
async fn another_providers_story_cannot_be_answered_and_looks_missing() {
    let h = harness().await;
    let story = h.give("The garden is lovely.").await;
    let detail = h.store.location(&h.location).await.unwrap();
    let stranger = h.app.voice.location(&h.stranger, h.location.as_str(), candour_domain::Action::Read).await;
    assert!(matches!(stranger, Err(VoiceError::Denied(Denied::NotFound))), "{stranger:?}");
    let refused = h.app.voice.story_to_answer(&h.stranger, &detail, &story.to_string()).await;
    assert!(matches!(refused, Err(VoiceError::Denied(Denied::NotFound))), "{refused:?}");
    let unknown = h.app.voice.story_to_answer(&h.provider_admin, &detail, "404404").await;
    assert!(matches!(unknown, Err(VoiceError::NotFound)), "{unknown:?}");
}

#[tokio::test]
async fn safeguarding_contacts_are_set_by_their_own_administrators_and_audited() {
    let h = harness().await;
    let scope = ContactScope::Provider(h.provider.clone());
    let refused = h.app.moderation.set_contact(&h.stranger, &scope, "Sam", "sam@example.org", now()).await;
    assert!(matches!(refused, Err(VoiceError::Denied(_))), "{refused:?}");
    let Err(VoiceError::Invalid(problems)) =
        h.app.moderation.set_contact(&h.provider_admin, &scope, "", "nope", now()).await
    else {
        panic!("expected problems");
    };
    assert_eq!(problems.iter().map(|p| p.field.as_str()).collect::<Vec<_>>(), ["name", "email"]);
    assert!(h.audit("update").await.is_empty());
    h.app.moderation.set_contact(&h.provider_admin, &scope, "Sam Lead", "lead@example.org", now()).await.unwrap();
    let view = h.app.moderation.contact(&h.provider_admin, &scope).await.unwrap();
    assert!(view.may_change);
    assert_eq!(view.current.map(|c| c.name).as_deref(), Some("Sam Lead"));
    let updated = h.audit("update").await;
    assert_eq!(
        (updated[0].resource.as_str(), updated[0].detail.as_deref()),
        (format!("safeguarding_contact:provider:{}", h.provider).as_str(), Some("set"))
    );
}

#[tokio::test]
async fn alerts_are_seen_in_scope_and_acknowledged_once() {
    let h = harness().await;
    h.give("At night a carer punched my dad and he has bruises on his arm.").await;
    assert_eq!(h.app.moderation.open_alert_count(&h.moderator).await.unwrap(), Some(1));
    assert_eq!(h.app.moderation.open_alert_count(&h.stranger).await.unwrap(), Some(0));
    let alerts = h.app.moderation.alerts(&h.provider_admin).await.expect("alerts");
    assert_eq!(alerts.len(), 1);
    let id = alerts[0].alert.id.to_string();
    let hidden = h.app.moderation.alert(&h.stranger, &id).await;
    assert!(matches!(hidden, Err(VoiceError::Denied(Denied::NotFound))), "{hidden:?}");
    h.app.moderation.acknowledge(&h.moderator, &id, "Referred to the council", now()).await.expect("acknowledged");
    let again = h.app.moderation.acknowledge(&h.moderator, &id, "Seen", now()).await;
    assert!(matches!(again, Err(VoiceError::Conflict(_))), "{again:?}");
    assert_eq!(h.audit("acknowledge").await.len(), 1);
    assert_eq!(h.app.moderation.open_alert_count(&h.moderator).await.unwrap(), Some(0));
}

#[tokio::test]
async fn the_person_hears_what_became_of_their_feedback_and_managers_of_a_story_to_answer() {
    let h = harness().await;
    h.store.set_password_hash(h.provider_admin.principal.user_id, "$argon2id$test", now()).await.expect("signed up");
    let key = new_submission_key();
    let mut raw = feedback("The night staff were kind to Mr Jones.");
    raw.contact_email = "jo.writer@example.net".into();
    raw.contact_name = "Jo Writer".into();
    let id =
        h.app.voice.submit(&h.location, &raw, Channel::Online, &key, None, now()).await.expect("stored").feedback_id;
    h.app
        .moderation
        .moderate(&h.moderator, &id.to_string(), &publish("The night staff were kind."), now())
        .await
        .expect("published");
    let outbox = h.store.outbox(10).await.expect("outbox");
    let to: Vec<&str> = outbox.iter().rev().map(|e| e.to.as_str()).collect();
    assert_eq!(to, ["jo.writer@example.net", "admin@brightwater.example"]);
    let (manager, person) = (&outbox[0], &outbox[1]);
    assert!(
        person.body.starts_with("Hello Jo Writer,") && person.body.contains("has been published"),
        "{}",
        person.body
    );
    assert_eq!(manager.subject, "A story about Willowbrook House is published and awaits your reply");
    for email in [manager, person] {
        assert!(!email.body.contains("night staff") && !email.body.contains("Mr Jones"), "never the story");
    }
    assert!(!manager.body.contains("Jo Writer") && !manager.body.contains("jo.writer"), "nor who wrote it");

    // Rejected: the person hears why; the managers hear nothing.
    let other = h.app.voice.submit(&h.location, &raw, Channel::Online, &new_submission_key(), None, now()).await;
    let other = other.expect("stored").feedback_id.to_string();
    let reject = RawDecision { decision: "reject".into(), reason: "It names a member of staff.".into(), ..publish("") };
    h.app.moderation.moderate(&h.moderator, &other, &reject, now()).await.expect("rejected");
    let outbox = h.store.outbox(10).await.expect("outbox");
    assert_eq!(outbox.len(), 3);
    assert_eq!(outbox[0].to.as_str(), "jo.writer@example.net");
    assert!(
        outbox[0].body.contains("has not been published") && outbox[0].body.contains("It names a member of staff.")
    );
}

#[tokio::test]
async fn a_reply_is_told_to_the_person_and_a_planned_change_followed_up_after_eight_weeks() {
    let h = harness().await;
    h.store.set_password_hash(h.provider_admin.principal.user_id, "$argon2id$test", now()).await.expect("signed up");
    let mut raw = feedback("Lunch was often cold.");
    raw.contact_email = "jo.writer@example.net".into();
    let story = h.app.voice.submit(&h.location, &raw, Channel::Online, &new_submission_key(), None, now()).await;
    let story = story.expect("stored").feedback_id.to_string();
    h.app.moderation.moderate(&h.moderator, &story, &publish("Lunch was often cold."), now()).await.expect("published");
    let detail = h.store.location(&h.location).await.unwrap();
    let reply = h
        .app
        .voice
        .reply_to_story(&h.provider_admin, &detail, &story, "Sorry.", ChangeClaim::Planned, "Heated trolleys", now())
        .await
        .expect("reply");
    assert_eq!(h.app.voice.queue_reply_notices(now()).await.expect("pass"), 0, "held for its check: not yet public");
    let check = RawCheck { decision: "publish".into(), reason: String::new() };
    h.app.moderation.check_reply(&h.moderator, &reply.id.to_string(), &check, now()).await.expect("checked");
    let before = h.store.outbox(50).await.expect("outbox").len();

    assert_eq!(h.app.voice.queue_reply_notices(now()).await.expect("pass"), 1, "the person is told");
    assert_eq!(h.app.voice.queue_reply_notices(now()).await.expect("pass"), 0, "once");
    let told = h.store.outbox(1).await.expect("outbox").remove(0);
    assert_eq!(told.to.as_str(), "jo.writer@example.net");
    assert!(told.subject.starts_with("Willowbrook House replied to your feedback (reference "), "{}", told.subject);
    assert!(told.body.contains("a change is planned: Heated trolleys"), "{}", told.body);

    let eight_weeks = now() + chrono::Duration::weeks(8) + chrono::Duration::hours(1);
    assert_eq!(h.app.voice.queue_reply_notices(eight_weeks).await.expect("pass"), 1, "the managers are asked");
    assert_eq!(h.app.voice.queue_reply_notices(eight_weeks).await.expect("pass"), 0, "once");
    let asked = h.store.outbox(1).await.expect("outbox").remove(0);
    assert_eq!(
        (asked.to.as_str(), asked.subject.as_str()),
        ("admin@brightwater.example", "Was the change at Willowbrook House made?")
    );
    assert_eq!(h.store.outbox(50).await.expect("outbox").len(), before + 2);
}
