//! Notices against a real SQLite store: who is told of a new complaint, of each
//! step and of each deadline, once; what the emails carry and never carry; the
//! one-click unsubscribe; and the daily digest, under a fixed clock.

mod common;

use common::{actor, import, location_id, open_store, provider_id};

use std::sync::Arc;

use candour_app::Actor;
use candour_app::complaints::{ComplaintSettings, Complaints};
use candour_app::notices::Notices;
use candour_app::{Gate, voice::new_submission_key};
use candour_domain::complaints::{ComplaintPolicy, RawComplaint, RawStep};
use candour_domain::working_days::add_working_days;
use candour_domain::{Location, Provider, Role, Scope};
use candour_store::{AccountStore, ComplaintStore, MailChoice, NoticeStore, OutboxEntry, OutboxStore, Store};
use candour_store_sqlite::SqliteStore;
use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use tempfile::TempDir;

const PUBLIC_URL: &str = "https://candour.example.org";
const STORY: &str = "My mother's tablets were given late three times last week.";

struct Harness {
    complaints: Complaints,
    notices: Notices,
    store: Arc<SqliteStore>,
    manager: Actor,
    _dir: TempDir,
}

/// Willowbrook House with a manager and a provider administrator (both signed up),
/// staff, an invited manager who has not accepted, and Elm Court's manager.
async fn harness() -> Harness {
    let (store, dir) = open_store().await;
    let provider = provider_id("1-101");
    let home = Location::new(location_id("1-201"), provider.clone(), "Willowbrook House");
    let elm = Location::new(location_id("1-202"), provider.clone(), "Elm Court");
    import(&store, vec![Provider::new(provider.clone(), "Brightwater Care Ltd")], vec![home, elm]).await;
    let here = Scope::Location(location_id("1-201"));
    let manager = actor(&store, "manager@example.org", Role::Manager, here.clone()).await;
    let owner = actor(&store, "owner@example.org", Role::ProviderAdmin, Scope::Provider(provider)).await;
    let staff = actor(&store, "staff@example.org", Role::Staff, here.clone()).await;
    let elm = actor(&store, "elm@example.org", Role::Manager, Scope::Location(location_id("1-202"))).await;
    actor(&store, "invited@example.org", Role::Manager, here).await;
    for signed_up in [&manager, &owner, &staff, &elm] {
        store.set_password_hash(signed_up.principal.user_id, "$argon2id$test", Utc::now()).await.expect("password");
    }
    let bundle: Arc<dyn Store> = store.clone();
    let notices = Notices::new(bundle.clone(), PUBLIC_URL);
    let settings = ComplaintSettings { policy: ComplaintPolicy::default(), public_url: PUBLIC_URL.into() };
    let complaints = Complaints::new(bundle.clone(), Gate::new(bundle), settings, notices.clone());
    Harness { complaints, notices, store, manager, _dir: dir }
}

fn complaint() -> RawComplaint {
    RawComplaint {
        what_happened: STORY.into(),
        desired_outcome: "An explanation.".into(),
        relationship: "family".into(),
        name: "Ann Example".into(),
        email: "ann@example.org".into(),
        ..RawComplaint::default()
    }
}

impl Harness {
    async fn raise(&self) -> (i64, String) {
        let key = new_submission_key();
        let kept = self.complaints.raise("1-201", &key, &complaint(), None, async |_| true).await.expect("raised");
        (kept.receipt.id, kept.receipt.reference)
    }

    async fn step(&self, id: i64, step: &str, extra: &[(&str, &str)]) {
        let mut raw = RawStep { step: step.into(), on: Utc::now().date_naive().to_string(), ..RawStep::default() };
        for (field, value) in extra {
            match *field {
                "response" => raw.response = value.to_string(),
                "outcome" => raw.outcome = value.to_string(),
                "learned" => raw.learned = value.to_string(),
                _ => unreachable!(),
            }
        }
        self.complaints.take_step(&self.manager, &id.to_string(), &raw).await.expect("step taken");
    }

    /// Every email queued, oldest first.
    async fn outbox(&self) -> Vec<OutboxEntry> {
        let mut all = self.store.outbox(1000).await.expect("outbox");
        all.reverse();
        all
    }

    async fn to(&self, address: &str) -> Vec<OutboxEntry> {
        self.outbox().await.into_iter().filter(|e| e.to.as_str() == address).collect()
    }
}

/// The secret at the end of a link in an email's text, after `prefix`.
fn secret_after(body: &str, prefix: &str) -> String {
    let at = body.find(prefix).unwrap_or_else(|| panic!("{prefix} in {body}")) + prefix.len();
    body[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

/// Notices carry links, never what the person wrote or how to reach them; the
/// complainant is greeted by name, and never named to anyone else.
fn assert_private(email: &OutboxEntry) {
    for text in [Some(&email.body), email.html.as_ref()].into_iter().flatten() {
        assert!(!text.contains("tablets") && !text.contains("ann@example.org"), "{text}");
        assert!(email.to.as_str() == "ann@example.org" || !text.contains("Ann Example"), "{text}");
    }
}

#[tokio::test]
async fn a_new_complaint_tells_the_signed_up_managers_and_nobody_else() {
    let h = harness().await;
    let (_, reference) = h.raise().await;
    let outbox = h.outbox().await;
    let to: Vec<&str> = outbox.iter().map(|e| e.to.as_str()).collect();
    assert_eq!(to, ["ann@example.org", "manager@example.org", "owner@example.org"], "follow link, then the managers");
    let notice = &outbox[1];
    assert_eq!(notice.subject, format!("New complaint about Willowbrook House (reference {reference})"));
    assert!(notice.body.starts_with("Hello Jo Bloggs,"), "{}", notice.body);
    assert_eq!(notice.link.as_deref(), Some("https://candour.example.org/manage/locations/1-201/complaints"));
    let html = notice.html.as_deref().expect("html beside the text");
    assert!(html.contains("<html lang=\"en-GB\">") && html.contains(&reference));
    let unsubscribe = notice.unsubscribe_url.as_deref().expect("one-click unsubscribe");
    assert!(unsubscribe.starts_with("https://candour.example.org/unsubscribe/"));
    assert!(notice.body.contains(unsubscribe) && html.contains(unsubscribe));
    for email in &outbox[1..] {
        assert_private(email);
    }
}

#[tokio::test]
async fn the_complainant_hears_of_each_step_with_a_link_that_opens_their_complaint() {
    let h = harness().await;
    let (id, reference) = h.raise().await;
    h.step(id, "acknowledge", &[]).await;
    h.step(id, "investigate", &[]).await;
    h.step(id, "send_response", &[("response", "We are sorry: the rota has changed.")]).await;
    h.step(id, "close", &[("outcome", "upheld"), ("learned", "Medicines rounds are checked daily.")]).await;
    let emails = h.to("ann@example.org").await;
    let subjects: Vec<&str> = emails.iter().map(|e| e.subject.as_str()).collect();
    let expected = format!("Your complaint about Willowbrook House (reference {reference})");
    // The follow link, then acknowledged, response sent and closed: not the investigation.
    assert_eq!(subjects, [expected.as_str(); 4]);
    assert!(emails[1].body.contains("Willowbrook House has acknowledged your complaint."));
    assert!(emails[2].body.contains("has sent its response") && emails[2].body.contains("Ombudsman"));
    assert!(emails[3].body.contains("The outcome it recorded: upheld."));
    for email in &emails[1..] {
        assert!(!email.body.contains("the rota has changed"), "the response is read through the link");
        let secret = secret_after(&email.body, "https://candour.example.org/complaints/follow/");
        let followed = h.complaints.follow(&secret).await.expect("each link opens the complaint");
        assert_eq!(followed.id, id);
        assert!(email.unsubscribe_url.is_some());
    }
}

/// 08:00 UTC on a day: after 07:00 in England, summer or winter.
fn morning(day: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(8, 0, 0).expect("a time"))
}

/// The working day before `day`.
fn working_day_before(day: NaiveDate) -> NaiveDate {
    (1..10).map(|n| day - Days::new(n)).find(|d| add_working_days(*d, 1).ok() == Some(day)).expect("a working day")
}

#[tokio::test]
async fn deadlines_are_told_the_working_day_before_and_when_missed_each_once() {
    let h = harness().await;
    let (id, reference) = h.raise().await;
    let record = h.store.complaint(id).await.expect("complaint");
    let acknowledge_by = record.deadlines.acknowledge_by;
    let before = h.outbox().await.len();

    // Two days before: nothing yet.
    let early = working_day_before(working_day_before(acknowledge_by));
    assert_eq!(h.complaints.queue_deadline_notices(morning(early)).await.expect("pass"), 0);

    // The working day before: the managers, once however often the pass runs.
    let eve = morning(working_day_before(acknowledge_by));
    assert_eq!(h.complaints.queue_deadline_notices(eve).await.expect("pass"), 1);
    assert_eq!(h.complaints.queue_deadline_notices(eve).await.expect("pass"), 0);
    let due: Vec<OutboxEntry> = h.outbox().await.split_off(before);
    let to: Vec<&str> = due.iter().map(|e| e.to.as_str()).collect();
    assert_eq!(to, ["manager@example.org", "owner@example.org"]);
    assert!(due[0].subject.starts_with(&format!("Complaint {reference} about Willowbrook House: acknowledgement due")));
    assert_eq!(due[0].link.as_deref(), Some(format!("https://candour.example.org/manage/complaints/{id}").as_str()));

    // The day after: missed, to the managers and the complainant, once.
    let late = morning(acknowledge_by + Days::new(1));
    assert_eq!(h.complaints.queue_deadline_notices(late).await.expect("pass"), 1);
    assert_eq!(h.complaints.queue_deadline_notices(late + chrono::Duration::hours(3)).await.expect("pass"), 0);
    let missed: Vec<OutboxEntry> = h.outbox().await.split_off(before + 2);
    let to: Vec<&str> = missed.iter().map(|e| e.to.as_str()).collect();
    assert_eq!(to, ["manager@example.org", "owner@example.org", "ann@example.org"]);
    assert!(missed[0].subject.ends_with("acknowledgement overdue"), "{}", missed[0].subject);
    assert!(missed[2].body.contains("should have acknowledged your complaint by"), "{}", missed[2].body);
    let secret = secret_after(&missed[2].body, "/complaints/follow/");
    assert_eq!(h.complaints.follow(&secret).await.expect("opens").id, id);
    missed.iter().for_each(assert_private);

    // Acknowledged: nothing more about the acknowledgement, ever.
    h.step(id, "acknowledge", &[]).await;
    let after = h.outbox().await.len();
    let week_later = morning(acknowledge_by + Days::new(7));
    h.complaints.queue_deadline_notices(week_later).await.expect("pass");
    assert!(h.outbox().await[after..].iter().all(|e| !e.subject.contains("acknowledgement")));
}

#[tokio::test]
async fn one_click_stops_a_kind_of_email_and_can_start_it_again() {
    let h = harness().await;
    h.raise().await;
    let notice = h.to("manager@example.org").await.remove(0);
    let url = notice.unsubscribe_url.expect("link");
    let secret = url.rsplit('/').next().expect("secret");
    let (email, kind) = h.notices.unsubscribing(secret).await.expect("known link");
    assert_eq!((email.as_str(), kind.code()), ("manager@example.org", "complaint_received"));
    h.notices.unsubscribe(secret, false, Utc::now()).await.expect("stopped");
    h.raise().await;
    assert_eq!(h.to("manager@example.org").await.len(), 1, "no second notice");
    assert_eq!(h.to("owner@example.org").await.len(), 2, "others still told");
    h.notices.unsubscribe(secret, true, Utc::now()).await.expect("started again");
    h.raise().await;
    assert_eq!(h.to("manager@example.org").await.len(), 2);
    assert!(h.notices.unsubscribing(&new_submission_key()).await.is_err(), "a link not ours");
    assert!(h.notices.unsubscribing("../../etc").await.is_err());
}

#[tokio::test]
async fn a_manager_who_chose_a_digest_gets_one_email_a_day_at_seven() {
    let h = harness().await;
    h.notices.choose(&h.manager, &[("complaint_received".into(), "digest".into())], Utc::now()).await.expect("chosen");
    let chosen = h.notices.choices(&h.manager).await.expect("choices");
    assert!(chosen.iter().any(|(k, c)| k.code() == "complaint_received" && *c == MailChoice::Digest));
    let (_, first) = h.raise().await;
    let (_, second) = h.raise().await;
    let held = h.to("manager@example.org").await;
    assert!(held.len() == 2 && held.iter().all(|e| e.for_digest && e.sent_at.is_none()));
    // Held emails are never sent alone.
    let far = Utc::now() + chrono::Duration::days(3);
    let claimed = h.store.claim_due_emails(far, far, 100).await.expect("claim");
    assert!(claimed.iter().all(|e| e.to.as_str() != "manager@example.org"));

    // Gathered at the next 07:00 in England, into one email; nothing left to gather after.
    let tomorrow = Utc::now().date_naive() + Days::new(1);
    let seven = morning(tomorrow);
    assert_eq!(h.notices.queue_digests(seven).await.expect("digests"), 1);
    assert_eq!(h.notices.queue_digests(seven).await.expect("digests"), 0);
    let mine = h.to("manager@example.org").await;
    let digest = mine.iter().find(|e| !e.for_digest).expect("the digest");
    assert_eq!(digest.subject, "Candour: 2 things since yesterday");
    assert!(digest.body.contains(&first) && digest.body.contains(&second), "{}", digest.body);
    assert!(digest.html.as_deref().is_some_and(|h| h.contains("<ul>")));
    assert!(mine.iter().filter(|e| e.for_digest).all(|e| e.sent_at.is_some()), "held ones marked sent");
    assert_private(digest);
}

#[tokio::test]
async fn choices_are_checked_and_limited_to_what_the_person_can_get() {
    let h = harness().await;
    let refused = h.notices.choose(&h.manager, &[("complaint_received".into(), "weekly".into())], Utc::now()).await;
    assert!(refused.is_err());
    // A complainant's kind cannot be chosen by a manager: ignored, not stored.
    h.notices.choose(&h.manager, &[("complaint_progress".into(), "none".into())], Utc::now()).await.expect("ignored");
    let stored = h.store.mail_choices_of(&h.manager.principal.email).await.expect("choices");
    assert!(stored.is_empty(), "{stored:?}");
    let kinds: Vec<&str> =
        h.notices.choices(&h.manager).await.expect("choices").iter().map(|(k, _)| k.code()).collect();
    assert_eq!(
        kinds,
        [
            "complaint_received",
            "complaint_deadline",
            "complaint_answered",
            "story_to_answer",
            "draft_to_check",
            "challenge_decided",
            "plan_actions",
            "policy_to_confirm",
            "change_follow_up"
        ]
    );
}

/// Imports Willowbrook House again with a rating published on `day`.
async fn rated(h: &Harness, day: NaiveDate) {
    use candour_domain::{KeyQuestionRatings, Rating, RatingRecord, RatingSource};
    let provider = provider_id("1-101");
    let rating = RatingRecord {
        location_id: location_id("1-201"),
        service_group: RatingRecord::LOCATION_GROUP.into(),
        published: day,
        source: RatingSource::Cqc,
        overall: Some(Rating::Good),
        key_questions: KeyQuestionRatings::default(),
        report_type: None,
        inherited: false,
    };
    let plan = candour_store::ImportPlan {
        kind: "test".into(),
        origin: "tests".into(),
        providers: vec![Provider::new(provider.clone(), "Brightwater Care Ltd")],
        locations: vec![Location::new(location_id("1-201"), provider, "Willowbrook House")],
        ratings: vec![rating],
        counts: Default::default(),
    };
    candour_store::RegisterStore::apply_import(h.store.as_ref(), &plan).await.expect("import");
}

#[tokio::test]
async fn a_confirmed_follower_hears_of_a_new_rating_once_and_can_stop() {
    let h = harness().await;
    let detail = candour_store::RegisterStore::location(h.store.as_ref(), &location_id("1-201")).await.expect("detail");
    assert!(h.notices.follow(&detail, "not an address", Utc::now()).await.is_err());
    h.notices.follow(&detail, "fan@example.org", Utc::now()).await.expect("asked");
    let ask = h.to("fan@example.org").await.remove(0);
    let secret = secret_after(&ask.body, "https://candour.example.org/follow/");
    rated(&h, Utc::now().date_naive()).await;
    assert_eq!(h.notices.queue_service_news(Utc::now()).await.expect("pass"), 0, "nothing before confirming");

    h.notices.confirm_follow(&secret, Utc::now() - chrono::Duration::hours(1)).await.expect("confirmed");
    assert_eq!(h.notices.queue_service_news(Utc::now()).await.expect("pass"), 1, "the new rating");
    assert_eq!(h.notices.queue_service_news(Utc::now()).await.expect("pass"), 0, "once");
    let news = h.to("fan@example.org").await.remove(1);
    assert_eq!(news.subject, "Willowbrook House has a new rating");
    assert!(news.body.starts_with("Hello,\n") && news.body.contains("was rated good"), "{}", news.body);

    let unsubscribe = news.unsubscribe_url.expect("a link to stop");
    h.notices.unsubscribe(unsubscribe.rsplit('/').next().expect("secret"), false, Utc::now()).await.expect("stopped");
    rated(&h, Utc::now().date_naive() + Days::new(1)).await;
    h.notices.queue_service_news(Utc::now() + chrono::Duration::days(1)).await.expect("pass");
    assert_eq!(h.to("fan@example.org").await.len(), 2, "stopped: nothing more");
}

#[tokio::test]
async fn an_alert_raised_by_a_complaint_is_escalated_until_the_complaint_is_acknowledged() {
    use candour_app::voice::Escalations;
    use candour_domain::working_days::add_working_hours;
    let h = harness().await;
    let inspector = actor(&h.store, "inspector@cqc.example", Role::Inspector, Scope::All).await;
    h.store.set_password_hash(inspector.principal.user_id, "$argon2id$test", Utc::now()).await.expect("signed up");
    let raw = RawComplaint {
        what_happened: "A carer slapped my mother and she is afraid of staff now.".into(),
        ..complaint()
    };
    let kept = h.complaints.raise("1-201", &new_submission_key(), &raw, None, async |_| true).await.expect("raised");
    let record = h.store.complaint(kept.receipt.id).await.expect("complaint");
    assert!(record.alert.is_some(), "the words raise an alert");
    let escalations = Escalations::new(h.store.clone() as Arc<dyn Store>, Default::default(), PUBLIC_URL);

    // No safeguarding contact is set here: the overseers hear at once, once.
    assert_eq!(escalations.escalate_due(record.created_at).await.expect("look"), 1);
    assert_eq!(escalations.escalate_due(record.created_at).await.expect("look"), 0);
    // Then after four working hours without the complaint acknowledged.
    let four = add_working_hours(record.created_at, 4).expect("in the calendar");
    assert_eq!(escalations.escalate_due(four - chrono::Duration::minutes(1)).await.expect("look"), 0);
    assert_eq!(escalations.escalate_due(four).await.expect("look"), 1);
    let told = h.to("inspector@cqc.example").await;
    assert_eq!(told.len(), 2);
    assert!(told[0].subject.starts_with("Safeguarding alert not acted on: complaint about Willowbrook House"));
    assert!(told[1].body.contains("Escalated (step 2): The complaint was not acknowledged within 4 working hours"));
    assert!(told.iter().all(|e| !e.body.contains("slapped") && !e.body.contains("Ann Example")), "never the words");
    let steps = h.store.complaint(record.id).await.expect("complaint").timeline;
    assert_eq!(steps.iter().filter(|e| e.step == "alert_escalated").count(), 2, "each step noted on the complaint");

    // Acknowledged: nothing more, however long it waits.
    h.step(record.id, "acknowledge", &[]).await;
    let later = add_working_hours(record.created_at, 40).expect("in the calendar");
    assert_eq!(escalations.escalate_due(later).await.expect("look"), 0);
    assert_eq!(h.to("inspector@cqc.example").await.len(), 2);
}
