//! The voice rules against a real SQLite store in a temporary directory.

mod common;

use common::{import, location_id, now, open_store, principal, provider_id};

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{Duration, TimeZone};
use tempfile::TempDir;

use candour_app::voice::{Voice, VoiceConfig, VoiceError, new_submission_key};
use candour_domain::voice::{ChangeClaim, Channel, Criticality, OUTCOME_QUESTIONS, Progress, RawFeedback};
use candour_domain::{Location, LocationId, Principal, Provider, ProviderId, Role, Scope};
use candour_store::{
    AccountStore, AlertScope, ContactScope, FeedbackStatus, ModerationDecision, OutboxStore, ReplyStatus, Store,
    VoiceStore,
};
use candour_store_sqlite::SqliteStore;

const PUBLIC_URL: &str = "https://candour.example.org";

struct Harness {
    voice: Voice,
    store: Arc<SqliteStore>,
    location: LocationId,
    provider: ProviderId,
    moderator: Principal,
    responder: Principal,
    _dir: TempDir,
}

async fn harness() -> Harness {
    let (store, dir) = open_store().await;
    let provider = provider_id("1-101");
    let location = location_id("1-201");
    let mut home = Location::new(location.clone(), provider.clone(), "Willowbrook House");
    home.local_authority = Some("Leeds".into());
    home.address.town = Some("Leeds".into());
    import(&store, vec![Provider::new(provider.clone(), "Brightwater Care Ltd")], vec![home]).await;
    let moderator = principal(&store, "moderator@example.org", Role::Moderator, Scope::All).await;
    let responder =
        principal(&store, "manager@brightwater.example", Role::ProviderAdmin, Scope::Provider(provider.clone())).await;
    let voice = Voice::new(Arc::clone(&store) as Arc<dyn Store>, VoiceConfig::new(PUBLIC_URL));
    Harness { voice, store, location, provider, moderator, responder, _dir: dir }
}

/// A person's feedback, every outcome question answered "good enough".
fn feedback(story: &str) -> RawFeedback {
    RawFeedback {
        respondent: "person".into(),
        overall: "good".into(),
        answers: OUTCOME_QUESTIONS.iter().map(|q| (q.code.to_string(), "good_enough".to_string())).collect(),
        story: story.into(),
        ..RawFeedback::default()
    }
}

const SEVERE_STORY: &str = "At night a carer punched my dad and he has bruises on his arm.";

impl Harness {
    async fn submit(&self, raw: &RawFeedback) -> (String, candour_store::Receipt) {
        let key = new_submission_key();
        let receipt =
            self.voice.submit(&self.location, raw, Channel::Online, &key, None, now()).await.expect("submit feedback");
        (key, receipt)
    }

    async fn set_both_contacts(&self) {
        let provider = ContactScope::Provider(self.provider.clone());
        let la = ContactScope::LocalAuthority("Leeds".into());
        let by = &self.moderator;
        self.voice
            .set_safeguarding_contact(&provider, "Sam Lead", "lead@brightwater.example", by, now())
            .await
            .unwrap();
        self.voice
            .set_safeguarding_contact(&la, "Leeds Adult Safeguarding", "safeguarding@leeds.example", by, now())
            .await
            .unwrap();
    }

    /// A published story to reply to.
    async fn published_story(&self) -> i64 {
        let (_, receipt) = self.submit(&feedback("The garden is lovely but lunch is often late.")).await;
        let publish = ModerationDecision::Publish { text: "The garden is lovely but lunch is often late.".into() };
        let level = Criticality::new(2).unwrap();
        self.voice.moderate(receipt.feedback_id, publish, level, &self.moderator, now()).await.expect("publish");
        receipt.feedback_id
    }
}

#[tokio::test]
async fn feedback_is_stored_once_per_key_and_read_back_through_it() {
    let h = harness().await;
    let raw = feedback("The staff are kind.");
    let (key, first) = h.submit(&raw).await;
    assert!(!first.duplicate);
    assert_eq!(first.alert_id, None);
    let reference = first.reference.clone();
    assert!(reference.len() == 9 && reference.as_bytes()[4] == b'-', "{reference}");

    let again = h.voice.submit(&h.location, &raw, Channel::Online, &key, None, now()).await.expect("resubmit");
    assert!(again.duplicate);
    assert_eq!((again.feedback_id, again.reference), (first.feedback_id, reference.clone()));

    let own = h.voice.own_feedback(&key).await.expect("own feedback");
    assert_eq!(
        (own.reference, own.status, own.story.as_str()),
        (reference, FeedbackStatus::Pending, "The staff are kind.")
    );
    assert!(matches!(h.voice.own_feedback(&new_submission_key()).await, Err(VoiceError::NotFound)));
}

#[tokio::test]
async fn bad_feedback_keys_and_locations_are_refused() {
    let h = harness().await;
    let key = new_submission_key();
    let mut raw = feedback("");
    raw.overall = String::new();
    raw.answers = BTreeMap::new();
    let Err(VoiceError::Invalid(errors)) = h.voice.submit(&h.location, &raw, Channel::Online, &key, None, now()).await
    else {
        panic!("missing answers must be refused field by field");
    };
    assert!(errors.iter().any(|e| e.field == "overall") && errors.iter().any(|e| e.field == "answers.safe"));

    let good = feedback("");
    for bad_key in ["short", "has spaces in the key here", &"k".repeat(129)] {
        let result = h.voice.submit(&h.location, &good, Channel::Online, bad_key, None, now()).await;
        assert!(matches!(result, Err(VoiceError::Refused(_))), "{bad_key:?}");
        assert!(matches!(h.voice.own_feedback(bad_key).await, Err(VoiceError::Refused(_))));
    }
    let nowhere = LocationId::parse("1-999").unwrap();
    let result = h.voice.submit(&nowhere, &good, Channel::Online, &key, None, now()).await;
    assert!(matches!(result, Err(VoiceError::NotFound)), "{result:?}");
}

#[tokio::test]
async fn staff_typing_in_paper_are_recorded_as_entering_it() {
    let h = harness().await;
    let key = new_submission_key();
    let receipt =
        h.voice.submit(&h.location, &feedback("x"), Channel::Paper, &key, Some(&h.responder), now()).await.unwrap();
    let record = h.store.feedback_record(receipt.feedback_id).await.unwrap();
    assert_eq!((record.channel, record.entered_by), (Channel::Paper, Some(h.responder.user_id)));
}

#[tokio::test]
async fn strong_prescreen_signals_raise_an_alert_emailed_to_both_contacts() {
    let h = harness().await;
    h.set_both_contacts().await;
    let mut raw = feedback(SEVERE_STORY);
    raw.anonymous = "no".into();
    raw.contact_name = "Priya Distinctive".into();
    raw.contact_email = "priya.distinctive@example.net".into();
    raw.contact_phone = "07700 900123".into();
    let (_, receipt) = h.submit(&raw).await;

    let alert_id = receipt.alert_id.expect("a severe pre-screen raises an alert at once");
    let alert = h.store.alert(alert_id).await.expect("the alert is stored");
    assert_eq!(alert.level, Criticality::SEVERE);
    assert!(alert.reason.contains("punched") && alert.reason.contains("bruises"), "{}", alert.reason);
    let record = h.store.feedback_record(receipt.feedback_id).await.unwrap();
    assert_eq!(record.prescreen.suggested, Some(Criticality::SEVERE));
    assert_eq!(record.prescreen.words, ["punched", "bruises"]);

    let mut to: Vec<String> = alert.deliveries.iter().map(|d| d.to.to_string()).collect();
    to.sort();
    assert_eq!(to, ["lead@brightwater.example", "safeguarding@leeds.example"]);
    for email in &alert.deliveries {
        assert_eq!(email.alert_id, Some(alert_id));
        assert!(email.subject.contains("Willowbrook House"), "{}", email.subject);
        let link = format!("{PUBLIC_URL}/manage/alerts?reference={}", receipt.reference);
        for expected in ["Willowbrook House", "Brightwater Care Ltd", "5 (severe)", "punched", &link] {
            assert!(email.body.contains(expected), "{expected:?} missing from:\n{}", email.body);
        }
        // Neither the story nor who wrote it goes by email.
        for private in ["At night a carer", "Priya", "priya.distinctive", "07700"] {
            assert!(!email.body.contains(private) && !email.subject.contains(private), "{private:?} emailed");
        }
    }
    let due = h.store.claim_due_emails(now(), now(), 10).await.unwrap();
    assert_eq!(due.iter().filter(|e| e.alert_id == Some(alert_id)).count(), 2);
}

#[tokio::test]
async fn an_alert_with_no_contact_configured_is_still_stored() {
    let h = harness().await;
    let (_, receipt) = h.submit(&feedback(SEVERE_STORY)).await;
    let alert = h.store.alert(receipt.alert_id.expect("alert raised")).await.unwrap();
    assert!(alert.deliveries.is_empty());
    assert!(alert.acknowledged_at.is_none());
    let open = h.store.alerts(&AlertScope::All, true, 10).await.unwrap();
    assert_eq!(open.iter().map(|a| a.id).collect::<Vec<_>>(), [alert.id]);
}

#[tokio::test]
async fn personal_outcomes_are_screened_too_and_mild_words_raise_no_alert() {
    let h = harness().await;
    let mut raw = feedback("Lunch is sometimes late.");
    let (_, mild) = h.submit(&raw).await;
    assert_eq!(mild.alert_id, None);
    let record = h.store.feedback_record(mild.feedback_id).await.unwrap();
    assert_eq!(
        (record.prescreen.suggested, record.prescreen.words.as_slice()),
        (Some(Criticality::new(3).unwrap()), &["late".to_string()][..])
    );

    raw.story = String::new();
    raw.personal_outcomes = vec!["Not to be locked in my room".into()];
    let (_, outcome) = h.submit(&raw).await;
    assert!(outcome.alert_id.is_some(), "words in a personal outcome count as much as in a story");
}

#[tokio::test]
async fn moderation_at_level_four_raises_one_alert() {
    let h = harness().await;
    h.set_both_contacts().await;
    let (_, receipt) = h.submit(&feedback("My mum is often left without a drink all afternoon.")).await;
    assert_eq!(receipt.alert_id, None);
    let publish = || ModerationDecision::Publish { text: "My mum is often left without a drink.".into() };

    let alert_id = h
        .voice
        .moderate(receipt.feedback_id, publish(), Criticality::STRONG, &h.moderator, now())
        .await
        .expect("moderate")
        .expect("level 4 raises an alert");
    let alert = h.store.alert(alert_id).await.unwrap();
    assert_eq!((alert.level, alert.deliveries.len()), (Criticality::STRONG, 2));
    assert!(alert.deliveries.iter().all(|d| !d.body.contains("without a drink")));
    let record = h.store.feedback_record(receipt.feedback_id).await.unwrap();
    assert_eq!((record.status, record.alert_id), (FeedbackStatus::Published, Some(alert_id)));

    let again = h.voice.moderate(receipt.feedback_id, publish(), Criticality::SEVERE, &h.moderator, now()).await;
    assert!(matches!(again, Err(VoiceError::Conflict(_))), "{again:?}");
    assert_eq!(h.store.alerts(&AlertScope::All, false, 10).await.unwrap().len(), 1);
}

#[tokio::test]
async fn moderation_raises_no_second_alert_where_the_prescreen_raised_one() {
    let h = harness().await;
    let (_, receipt) = h.submit(&feedback(SEVERE_STORY)).await;
    let reject = ModerationDecision::Reject { reason: "Names a member of staff throughout".into() };
    let raised = h.voice.moderate(receipt.feedback_id, reject, Criticality::SEVERE, &h.moderator, now()).await;
    assert_eq!(raised.expect("moderate"), None);
    assert_eq!(h.store.alerts(&AlertScope::All, false, 10).await.unwrap().len(), 1);
}

#[tokio::test]
async fn moderation_needs_the_text_to_publish_or_a_reason_to_reject() {
    let h = harness().await;
    let (_, receipt) = h.submit(&feedback("Fine.")).await;
    let id = receipt.feedback_id;
    let level = Criticality::NONE;
    let publish = ModerationDecision::Publish { text: "  \n ".into() };
    assert!(matches!(h.voice.moderate(id, publish, level, &h.moderator, now()).await, Err(VoiceError::Refused(_))));
    let reject = ModerationDecision::Reject { reason: " ".into() };
    assert!(matches!(h.voice.moderate(id, reject, level, &h.moderator, now()).await, Err(VoiceError::Refused(_))));
    let long = ModerationDecision::Publish { text: "x".repeat(5001) };
    assert!(matches!(h.voice.moderate(id, long, level, &h.moderator, now()).await, Err(VoiceError::Refused(_))));
    assert_eq!(h.store.feedback_record(id).await.unwrap().status, FeedbackStatus::Pending);

    let publish = ModerationDecision::Publish { text: "  Fine.  ".into() };
    h.voice.moderate(id, publish, level, &h.moderator, now()).await.expect("publish");
    assert_eq!(h.store.feedback_record(id).await.unwrap().published_text.as_deref(), Some("Fine."));
    assert!(matches!(
        h.voice.moderate(404_404, ModerationDecision::Reject { reason: "x".into() }, level, &h.moderator, now()).await,
        Err(VoiceError::NotFound)
    ));
}

#[tokio::test]
async fn a_responders_first_ten_replies_and_every_change_claim_are_checked() {
    let h = harness().await;
    let story = h.published_story().await;
    let by = &h.responder;
    for n in 0..10 {
        let reply = h.voice.reply(story, by, &format!("Thank you ({n})"), ChangeClaim::None, "", now()).await.unwrap();
        assert_eq!(reply.status, ReplyStatus::Pending, "reply {n} is among the first ten");
        h.voice.check_reply(reply.id, None, &h.moderator, now()).await.expect("publish the reply");
    }
    let eleventh = h.voice.reply(story, by, "Thank you again", ChangeClaim::None, "ignored", now()).await.unwrap();
    assert_eq!((eleventh.status, eleventh.change_what.as_str()), (ReplyStatus::Published, ""));
    let claim =
        h.voice.reply(story, by, "We changed lunch", ChangeClaim::Made, " Lunch at 12:30 ", now()).await.unwrap();
    assert_eq!((claim.status, claim.change_what.as_str()), (ReplyStatus::Pending, "Lunch at 12:30"));
}

#[tokio::test]
async fn replies_are_refused_without_text_or_without_saying_what_changed() {
    let h = harness().await;
    let story = h.published_story().await;
    let by = &h.responder;
    for (text, change, what) in [
        ("   ", ChangeClaim::None, ""),
        (&"x".repeat(2001) as &str, ChangeClaim::None, ""),
        ("We will look at it", ChangeClaim::Planned, "  "),
    ] {
        let result = h.voice.reply(story, by, text, change, what, now()).await;
        assert!(matches!(result, Err(VoiceError::Refused(_))), "{text:?} {change:?} {what:?}: {result:?}");
    }
    assert!(h.voice.reply(story, by, &"x".repeat(2000), ChangeClaim::None, "", now()).await.is_ok());

    let (_, pending) = h.submit(&feedback("Not yet moderated.")).await;
    let result = h.voice.reply(pending.feedback_id, by, "Thanks", ChangeClaim::None, "", now()).await;
    assert!(matches!(result, Err(VoiceError::Conflict(_))), "{result:?}");
}

#[tokio::test]
async fn a_reply_is_checked_once_and_rejected_only_with_a_reason() {
    let h = harness().await;
    let story = h.published_story().await;
    let reply = h.voice.reply(story, &h.responder, "Thanks", ChangeClaim::None, "", now()).await.unwrap();
    let refused = h.voice.check_reply(reply.id, Some(" "), &h.moderator, now()).await;
    assert!(matches!(refused, Err(VoiceError::Refused(_))));
    h.voice.check_reply(reply.id, Some("Names the person"), &h.moderator, now()).await.expect("reject");
    let again = h.voice.check_reply(reply.id, None, &h.moderator, now()).await;
    assert!(matches!(again, Err(VoiceError::Conflict(_))), "{again:?}");
}

#[tokio::test]
async fn an_alert_is_acknowledged_once_with_a_note() {
    let h = harness().await;
    let (_, receipt) = h.submit(&feedback(SEVERE_STORY)).await;
    let id = receipt.alert_id.unwrap();
    let empty = h.voice.acknowledge_alert(id, &h.responder, "  ", now()).await;
    assert!(matches!(empty, Err(VoiceError::Refused(_))));
    h.voice.acknowledge_alert(id, &h.responder, "Referred to the council; carer suspended", now()).await.unwrap();
    let alert = h.store.alert(id).await.unwrap();
    assert_eq!(alert.acknowledged_by, Some(h.responder.user_id));
    let again = h.voice.acknowledge_alert(id, &h.moderator, "Seen", now()).await;
    assert!(matches!(again, Err(VoiceError::Conflict(_))), "{again:?}");
}

#[tokio::test]
async fn safeguarding_contacts_are_checked_replaced_and_removed() {
    let h = harness().await;
    let scope = ContactScope::Provider(h.provider.clone());
    let Err(VoiceError::Invalid(errors)) =
        h.voice.set_safeguarding_contact(&scope, "", "not an email", &h.responder, now()).await
    else {
        panic!("a contact without a name and a good email is refused");
    };
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["name", "email"]);

    h.voice
        .set_safeguarding_contact(&scope, " Sam Lead ", "Lead@Brightwater.example", &h.responder, now())
        .await
        .unwrap();
    let contact = h.store.safeguarding_contact(&scope).await.unwrap().expect("set");
    assert_eq!((contact.name.as_str(), contact.email.as_str()), ("Sam Lead", "lead@brightwater.example"));
    h.voice.set_safeguarding_contact(&scope, "", " ", &h.responder, now()).await.unwrap();
    assert_eq!(h.store.safeguarding_contact(&scope).await.unwrap(), None);
}

#[tokio::test]
async fn progress_is_rated_through_the_return_link_only() {
    let h = harness().await;
    let mut raw = feedback("");
    raw.personal_outcomes = vec!["Walk to the shop".into()];
    let (key, _) = h.submit(&raw).await;
    let outcome = h.voice.own_feedback(&key).await.unwrap().personal_outcomes[0].id;
    let (other_key, _) = h.submit(&feedback("")).await;
    let wrong = h.voice.rate_progress(&other_key, outcome, Progress::Better, now()).await;
    assert!(matches!(wrong, Err(VoiceError::NotFound)), "{wrong:?}");
    h.voice.rate_progress(&key, outcome, Progress::Better, now() + Duration::days(30)).await.unwrap();
    let own = h.voice.own_feedback(&key).await.unwrap();
    assert_eq!(own.personal_outcomes[0].progress.iter().map(|(_, p)| *p).collect::<Vec<_>>(), [Progress::Better]);
}

#[tokio::test]
async fn the_summary_counts_the_window_and_shows_nothing_below_five() {
    let h = harness().await;
    let old = new_submission_key();
    let long_ago = now() - Duration::days(400);
    h.voice.submit(&h.location, &feedback(""), Channel::Online, &old, None, long_ago).await.unwrap();
    for _ in 0..4 {
        h.submit(&feedback("")).await;
    }
    assert_eq!(h.voice.refresh_snapshots(now()).await.unwrap(), 1);
    let four = h.voice.summary(&h.location, now()).await.unwrap();
    assert_eq!((four.responses, four.people.overall), (4, None), "the one from 400 days ago is outside the year");
    for _ in 0..5 {
        h.submit(&feedback("")).await;
    }
    let tomorrow = now() + Duration::days(1);
    assert_eq!(h.voice.refresh_snapshots(tomorrow).await.unwrap(), 1);
    let nine = h.voice.summary(&h.location, tomorrow).await.unwrap();
    let overall = nine.people.overall.expect("nine responses are shown");
    assert_eq!((overall.positive, overall.denominator), (9, 9));
    assert_eq!(nine.people.questions[0].mean, Some(2.0));
}

/// The batching rule with its real numbers: published figures move at most once a
/// day, only when at least 5 more responses have been published since they last
/// moved, and only with published ones; between moves they stay exactly as they were.
#[tokio::test]
async fn published_figures_move_at_most_daily_and_by_at_least_five() {
    use candour_domain::voice::{SNAPSHOT_MIN_HOURS, SNAPSHOT_MIN_NEW};
    assert_eq!((SNAPSHOT_MIN_NEW, SNAPSHOT_MIN_HOURS), (5, 24));
    let h = &harness().await;
    let summary = |at| async move { h.voice.summary(&h.location, at).await.unwrap() };
    for _ in 0..4 {
        h.submit(&feedback("")).await;
    }
    assert_eq!(h.voice.refresh_snapshots(now()).await.unwrap(), 0, "4 published");
    let nothing = summary(now()).await;
    assert_eq!((nothing.updated_at, nothing.responses), (None, 0));
    h.submit(&feedback("")).await;
    assert_eq!(h.voice.refresh_snapshots(now()).await.unwrap(), 1, "5 published");
    let first = summary(now()).await;
    assert_eq!((first.updated_at, first.until, first.responses), (Some(now()), now(), 5));

    let (_, pending) = h.submit(&feedback("Waiting to be read")).await;
    for _ in 0..4 {
        h.submit(&feedback("")).await;
    }
    let a_day_on = now() + Duration::hours(SNAPSHOT_MIN_HOURS);
    assert_eq!(h.voice.refresh_snapshots(a_day_on).await.unwrap(), 0, "4 more published and one waiting");
    h.submit(&feedback("")).await;
    let almost = a_day_on - Duration::seconds(1);
    assert_eq!(h.voice.refresh_snapshots(almost).await.unwrap(), 0, "5 more, but not yet a day on");
    assert_eq!(summary(almost).await, first, "nothing moved in between");
    assert_eq!(summary(now() + Duration::days(300)).await, first, "nor ages out while the snapshot stands");
    assert_eq!(h.voice.refresh_snapshots(a_day_on).await.unwrap(), 1);
    let second = summary(a_day_on).await;
    assert_eq!((second.updated_at, second.responses), (Some(a_day_on), 10), "the waiting one is not counted");

    let decision = ModerationDecision::Publish { text: "Read".into() };
    h.voice.moderate(pending.feedback_id, decision, Criticality::NONE, &h.moderator, a_day_on).await.unwrap();
    assert_eq!(h.voice.refresh_snapshots(a_day_on + Duration::days(2)).await.unwrap(), 0, "1 more");
    assert_eq!(summary(a_day_on + Duration::days(2)).await, second);
}

/// An inspector and an administrator who have accepted their invitations, and one
/// inspector who has not.
async fn overseers(h: &Harness) {
    for (address, role) in [("inspector@cqc.example", Role::Inspector), ("admin@candour.example", Role::Admin)] {
        let who = principal(&h.store, address, role, Scope::All).await;
        h.store.set_password_hash(who.user_id, "hash", now()).await.expect("a password");
    }
    principal(&h.store, "invited@cqc.example", Role::Inspector, Scope::All).await;
}

fn escalated_to(alert: &candour_store::Alert, step: usize) -> Vec<String> {
    let mut to: Vec<String> = alert.escalations[step].sent_to.iter().map(|e| e.to_string()).collect();
    to.sort();
    to
}

#[tokio::test]
async fn an_unacknowledged_alert_is_escalated_after_four_working_hours_and_again_until_acknowledged() {
    let h = harness().await;
    h.set_both_contacts().await;
    overseers(&h).await;
    // Raised on Sunday 15 June 2025 at 16:06 (BST): its four working hours run from
    // 09:00 on Monday to 13:00, which is 12:00 UTC.
    let (_, receipt) = h.submit(&feedback(SEVERE_STORY)).await;
    let alert_id = receipt.alert_id.expect("an alert");
    let utc = |d, h, m| chrono::Utc.with_ymd_and_hms(2025, 6, d, h, m, 0).unwrap();
    let escalations =
        candour_app::voice::Escalations::new(Arc::clone(&h.store) as Arc<dyn Store>, Default::default(), PUBLIC_URL);

    assert_eq!(escalations.escalate_due(utc(16, 11, 59)).await.expect("look"), 0, "not yet due");
    assert_eq!(escalations.escalate_due(utc(16, 12, 0)).await.expect("look"), 1);
    assert_eq!(escalations.escalate_due(utc(16, 12, 5)).await.expect("look"), 0, "each step once");
    let alert = h.store.alert(alert_id).await.unwrap();
    assert_eq!(alert.escalations.len(), 1);
    assert_eq!(alert.escalations[0].reason, "Not acknowledged within 4 working hours of being raised");
    assert_eq!(escalated_to(&alert, 0), ["admin@candour.example", "inspector@cqc.example"]);
    let emails: Vec<_> =
        alert.deliveries.iter().filter(|d| d.subject.starts_with("Safeguarding alert not acknowledged")).collect();
    assert_eq!(emails.len(), 2);
    for email in &emails {
        assert!(email.body.contains(&format!("{PUBLIC_URL}/manage/alerts/{alert_id}")), "{}", email.body);
        assert!(!email.body.contains("punched"), "never the story");
    }

    // Again after four more working hours: 12:00 UTC (13:00) + 4 runs to 17:00, so 16:00 UTC.
    assert_eq!(escalations.escalate_due(utc(16, 15, 59)).await.expect("look"), 0);
    assert_eq!(escalations.escalate_due(utc(16, 16, 0)).await.expect("look"), 1);
    let alert = h.store.alert(alert_id).await.unwrap();
    assert_eq!(alert.escalations[1].reason, "Still not acknowledged 4 working hours after step 1");

    // Acknowledged: nothing more.
    h.store.acknowledge_alert(alert_id, h.responder.user_id, "Called the family", utc(16, 16, 30)).await.unwrap();
    assert_eq!(escalations.escalate_due(utc(20, 12, 0)).await.expect("look"), 0);
    assert_eq!(h.store.alert(alert_id).await.unwrap().escalations.len(), 2);
}

#[tokio::test]
async fn an_alert_no_one_was_told_of_goes_to_the_overseers_at_the_first_look_and_a_policy_sets_the_hours() {
    let h = harness().await;
    overseers(&h).await;
    let (_, receipt) = h.submit(&feedback(SEVERE_STORY)).await;
    let alert_id = receipt.alert_id.expect("an alert");
    let policy = candour_app::voice::EscalationPolicy { working_hours: 2 };
    let escalations = candour_app::voice::Escalations::new(Arc::clone(&h.store) as Arc<dyn Store>, policy, PUBLIC_URL);
    assert_eq!(escalations.escalate_due(now()).await.expect("look"), 1, "at once: no contact was set");
    let alert = h.store.alert(alert_id).await.unwrap();
    assert!(alert.escalations[0].reason.starts_with("No safeguarding contact is set"));
    assert_eq!(escalated_to(&alert, 0), ["admin@candour.example", "inspector@cqc.example"]);
    // Then each 2 working hours: Monday 09:00 + 2 = 11:00 BST, 10:00 UTC.
    let utc = |d, h, m| chrono::Utc.with_ymd_and_hms(2025, 6, d, h, m, 0).unwrap();
    assert_eq!(escalations.escalate_due(utc(16, 9, 59)).await.expect("look"), 0);
    assert_eq!(escalations.escalate_due(utc(16, 10, 0)).await.expect("look"), 1);
    // Two instances looking at once take a step once.
    let (a, b) = tokio::join!(escalations.escalate_due(utc(16, 12, 0)), escalations.escalate_due(utc(16, 12, 0)));
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    assert_eq!(h.store.alert(alert_id).await.unwrap().escalations.len(), 3);
}
