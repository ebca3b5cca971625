//! The private side of people's voice over HTTP: moderation, safeguarding alerts
//! and contacts, replies and their checks, paper entry and the inspector's
//! evidence; and every refusal.

use axum::http::StatusCode;
use candour_app::voice::{Voice, VoiceConfig, new_submission_key};
use candour_domain::voice::{Channel, Criticality, OUTCOME_QUESTIONS, RawFeedback};
use candour_domain::{LocationId, Principal, Role, Scope};
use candour_store::{ContactScope, FeedbackStatus, ModerationDecision, Receipt};
use chrono::Utc;

use crate::browser::*;
use crate::fixture::*;

// ---------------------------------------------------------------- set-up shared with other tests

/// The voice service over the test app's store.
pub fn voice(app: &TestApp) -> Voice {
    Voice::new(app.store.clone(), VoiceConfig::new("http://candour.test"))
}

/// A person's feedback: good overall, every outcome question "good enough".
pub fn feedback(story: &str) -> RawFeedback {
    RawFeedback {
        respondent: "person".into(),
        overall: "good".into(),
        answers: OUTCOME_QUESTIONS.iter().map(|q| (q.code.to_string(), "good_enough".to_string())).collect(),
        story: story.into(),
        ..RawFeedback::default()
    }
}

pub fn lid(id: &str) -> LocationId {
    LocationId::parse(id).expect("a location ID")
}

/// Feedback given online about a location.
pub async fn give(app: &TestApp, location: &str, raw: &RawFeedback) -> Receipt {
    let key = new_submission_key();
    voice(app).submit(&lid(location), raw, Channel::Online, &key, None, Utc::now()).await.expect("feedback stored")
}

/// A principal for acting through the service directly, with an account behind it.
pub async fn principal(app: &TestApp, email: &str, grants: Vec<candour_domain::Grant>) -> Principal {
    let id = add_user(app, email, grants).await;
    candour_app::accounts::principal(&app.store.user(id).await.expect("the user"))
}

/// Publishes a response as a moderator would.
pub async fn publish(app: &TestApp, moderator: &Principal, feedback_id: i64, text: &str) {
    let decision = ModerationDecision::Publish { text: text.into() };
    voice(app).moderate(feedback_id, decision, Criticality::NONE, moderator, Utc::now()).await.expect("published");
}

/// Publishes the voice figures due as of `at`, as the server does on its timer and after moderation.
pub async fn refresh_figures(app: &TestApp, at: chrono::DateTime<Utc>) -> u64 {
    voice(app).refresh_snapshots(at).await.expect("figures refreshed")
}

async fn moderator_browser(app: &TestApp) -> Browser {
    signed_in(app, "moderator@example.org", vec![grant(Role::Moderator, Scope::All)]).await
}

async fn provider_browser(app: &TestApp) -> Browser {
    signed_in(app, "pa@example.org", vec![grant(Role::ProviderAdmin, provider_scope(SUNRISE))]).await
}

fn assert_status(reply: &Reply, status: StatusCode) {
    assert_eq!(reply.status, status, "{}", reply.body);
}

// ---------------------------------------------------------------- moderation

#[tokio::test]
async fn a_moderator_reads_edits_and_publishes_and_a_level_four_raises_an_alert() {
    let app = TestApp::new().await;
    let mut raw = feedback("Nurse Jenny Wren left my mother with a bruise on her arm.");
    raw.contact_name = "Alice Example".into();
    raw.contact_email = "alice@example.org".into();
    let receipt = give(&app, ROSE_COURT, &raw).await;
    let mut moderator = moderator_browser(&app).await;

    let queue = moderator.get(&app, "/moderation").await;
    assert_status(&queue, StatusCode::OK);
    queue.assert_contains(&[
        &receipt.reference,
        "Rose Court",
        "1 response waiting to be read",
        "The pre-screen suggests 5",
    ]);

    let path = format!("/moderation/{}", receipt.feedback_id);
    let page = moderator.get(&app, &path).await;
    assert_status(&page, StatusCode::OK);
    page.assert_contains(&[
        "<mark>bruise</mark>",
        "Alice Example",
        "alice@example.org",
        "remove names of people and staff",
        "(suggested by the pre-screen)",
        "A safeguarding alert was raised when this arrived",
    ]);
    // The textarea starts with the original story.
    page.assert_contains(&[">Nurse Jenny Wren left my mother with a bruise on her arm.</textarea>"]);

    let reply = moderator
        .post(
            &app,
            &path,
            &[
                ("published_text", "A nurse left my mother with a bruise on her arm."),
                ("criticality", "4"),
                ("decision", "publish"),
            ],
        )
        .await;
    assert_status(&reply, StatusCode::SEE_OTHER);
    assert_eq!(location(&reply), format!("{path}?done=yes"));
    let done = moderator.get(&app, location(&reply)).await;
    done.assert_contains(&["You published this response.", "Criticality", "4 (strong)", "See the alert"]);

    let stories = app.store.stories_to_answer(&lid(ROSE_COURT), 1, 10).await.expect("stories");
    assert_eq!(stories.items[0].text, "A nurse left my mother with a bruise on her arm.");
    let record = app.store.feedback_record(receipt.feedback_id).await.expect("the record");
    assert_eq!(record.story, "Nurse Jenny Wren left my mother with a bruise on her arm.", "the original is kept");

    let audit = app.store.audit_log(&Default::default()).await.expect("the audit log");
    let actions: Vec<&str> = audit.items.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"read_contact"), "reading contact details is audited: {actions:?}");
    assert!(actions.contains(&"moderate"), "{actions:?}");
}

#[tokio::test]
async fn a_moderation_at_level_four_lists_an_alert_for_the_provider() {
    let app = TestApp::new().await;
    let receipt = give(&app, ROSE_COURT, &feedback("The carers are often late and the food is cold.")).await;
    assert_eq!(receipt.alert_id, None, "nothing here suggests harm to the pre-screen");
    let mut moderator = moderator_browser(&app).await;
    let path = format!("/moderation/{}", receipt.feedback_id);
    let fields = [("criticality", "4"), ("decision", "reject"), ("reason", "Being looked into privately")];
    assert_status(&moderator.post(&app, &path, &fields).await, StatusCode::SEE_OTHER);
    let done = moderator.get(&app, &format!("{path}?done=yes")).await;
    done.assert_contains(&["You rejected this response.", "A safeguarding alert was raised at once."]);

    let alerts = moderator.get(&app, "/manage/alerts").await;
    assert_status(&alerts, StatusCode::OK);
    alerts.assert_contains(&[
        &format!("Alert {}", receipt.reference),
        "4 (strong)",
        "A moderator judged the feedback",
        "No email was sent: no safeguarding contact was set",
        "1 alert open",
    ]);
    // The provider's administrator is not its named lead (none is set): told that
    // there is an alert, its level and day, but not what is alleged, nor its reference.
    let mut provider = provider_browser(&app).await;
    let alerts = provider.get(&app, "/manage/alerts").await;
    assert_status(&alerts, StatusCode::OK);
    alerts.assert_contains(&[
        "Alert raised",
        "4 (strong)",
        "No safeguarding contact is set for this service",
        "1 alert open",
    ]);
    alerts.assert_lacks(&[&receipt.reference, "A moderator judged the feedback", "Email to", " UTC"]);
    let home = provider.get(&app, "/manage").await;
    home.assert_contains(&["Safeguarding alerts", "1 alert open"]);
}

#[tokio::test]
async fn every_refusal_of_a_moderation_is_explained_beside_its_field() {
    let app = TestApp::new().await;
    let receipt = give(&app, ROSE_COURT, &feedback("Good care.")).await;
    let mut moderator = moderator_browser(&app).await;
    let path = format!("/moderation/{}", receipt.feedback_id);

    let none = moderator.post(&app, &path, &[("published_text", "Good care.")]).await;
    assert_status(&none, StatusCode::BAD_REQUEST);
    none.assert_contains(&[
        "<title>Error: Response",
        r##"<a href="#criticality">Choose how serious the most serious thing said is"##,
        r##"<a href="#decision">Choose whether to publish or reject"##,
        r#"id="criticality-error""#,
    ]);
    let empty =
        moderator.post(&app, &path, &[("published_text", "  "), ("criticality", "1"), ("decision", "publish")]).await;
    assert_status(&empty, StatusCode::BAD_REQUEST);
    empty.assert_contains(&["Write the copy to publish, with names of people and staff removed"]);
    // The moderator's choices are kept.
    empty.assert_contains(&[r#"value="1" checked"#, r#"value="publish" checked"#]);
    let no_reason = moderator.post(&app, &path, &[("criticality", "0"), ("decision", "reject")]).await;
    assert_status(&no_reason, StatusCode::BAD_REQUEST);
    no_reason.assert_contains(&["Give the reason for rejecting it"]);
    let bad_level =
        moderator.post(&app, &path, &[("criticality", "7"), ("decision", "reject"), ("reason", "Spam")]).await;
    assert_status(&bad_level, StatusCode::BAD_REQUEST);

    let fields = [("published_text", "Good care."), ("criticality", "0"), ("decision", "publish")];
    assert_status(&moderator.post(&app, &path, &fields).await, StatusCode::SEE_OTHER);
    let again = moderator.post(&app, &path, &[("criticality", "1"), ("decision", "reject"), ("reason", "Late")]).await;
    assert_status(&again, StatusCode::CONFLICT);
    again.assert_contains(&["This response has already been moderated, so your decision was not saved"]);
    let record = app.store.feedback_record(receipt.feedback_id).await.expect("the record");
    assert_eq!(record.status, FeedbackStatus::Published, "the first decision stands");

    let found = moderator.get(&app, &format!("/moderation?reference=+{}+", receipt.reference.to_lowercase())).await;
    assert_eq!(location(&found), path, "a reference quoted on the phone finds the response");
    let unknown = moderator.get(&app, "/moderation?reference=ZZZZ-ZZZZ").await;
    unknown.assert_contains(&["No response has the reference ZZZZ-ZZZZ"]);
    let queue = moderator.get(&app, "/moderation?status=archived").await;
    assert_status(&queue, StatusCode::BAD_REQUEST);
    assert_status(&moderator.get(&app, "/moderation?page=0").await, StatusCode::BAD_REQUEST);
    assert_status(&moderator.get(&app, "/moderation/999999").await, StatusCode::NOT_FOUND);
}

// ---------------------------------------------------------------- replies and their checks

#[tokio::test]
async fn the_provider_replies_and_the_moderator_checks_it_with_every_refusal() {
    let app = TestApp::new().await;
    let moderator = principal(&app, "mo@example.org", vec![grant(Role::Moderator, Scope::All)]).await;
    let receipt = give(&app, ROSE_COURT, &feedback("Lunch was cold, twice.")).await;
    publish(&app, &moderator, receipt.feedback_id, "Lunch was cold, twice.").await;
    let fid = receipt.feedback_id;

    let mut provider = provider_browser(&app).await;
    let voice_page = format!("/manage/locations/{ROSE_COURT}/voice");
    let page = provider.get(&app, &voice_page).await;
    assert_status(&page, StatusCode::OK);
    page.assert_contains(&[
        "Lunch was cold, twice.",
        "Reply to this story",
        "Responses counted",
        "Fewer than 5 answers: not shown",
    ]);

    let action = format!("{voice_page}/stories/{fid}/replies");
    let text = format!("story-{fid}-text");
    let what = format!("story-{fid}-what");
    let empty = provider.post(&app, &action, &[(text.as_str(), " "), ("change", "none")]).await;
    assert_status(&empty, StatusCode::BAD_REQUEST);
    empty.assert_contains(&[&format!(r##"<a href="#{text}">Write your reply</a>"##)]);
    let vague = provider.post(&app, &action, &[(text.as_str(), "Sorry."), ("change", "made")]).await;
    assert_status(&vague, StatusCode::BAD_REQUEST);
    vague.assert_contains(&[&format!(r##"<a href="#{what}">Say what the change is</a>"##), ">Sorry.</textarea>"]);

    let fields = [(text.as_str(), "We are sorry."), ("change", "made"), (what.as_str(), "Plates are warmed now")];
    let sent = provider.post(&app, &action, &fields).await;
    assert_status(&sent, StatusCode::SEE_OTHER);
    let after = provider.get(&app, location(&sent)).await;
    after.assert_contains(&[
        "A moderator checks it before it shows",
        "Waiting for a moderator&#39;s check",
        "Change made: Plates are warmed now",
    ]);

    let mut moderator = moderator_browser(&app).await;
    let checks = moderator.get(&app, "/moderation/replies").await;
    checks.assert_contains(&[
        "We are sorry.",
        "Lunch was cold, twice.",
        "Change made: Plates are warmed now",
        &receipt.reference,
    ]);
    let reply_id = app.store.replies_to_check(10).await.expect("replies")[0].reply.id;
    let check = format!("/moderation/replies/{reply_id}");
    let undecided = moderator.post(&app, &check, &[]).await;
    assert_status(&undecided, StatusCode::BAD_REQUEST);
    undecided.assert_contains(&["Choose whether to publish or reject the reply"]);
    let reason = format!("reply-{reply_id}-reason");
    let unexplained = moderator.post(&app, &check, &[("decision", "reject"), (reason.as_str(), "")]).await;
    assert_status(&unexplained, StatusCode::BAD_REQUEST);
    unexplained.assert_contains(&["Give the reason for rejecting the reply"]);
    let rejected = moderator.post(&app, &check, &[("decision", "reject"), (reason.as_str(), "Say which plates")]).await;
    assert_status(&rejected, StatusCode::SEE_OTHER);
    let twice = moderator.post(&app, &check, &[("decision", "publish")]).await;
    assert_status(&twice, StatusCode::CONFLICT);
    twice.assert_contains(&["This reply has already been checked"]);

    let seen = provider.get(&app, &voice_page).await;
    seen.assert_contains(&["Rejected by a moderator", "The moderator's reason: Say which plates"]);
}

#[tokio::test]
async fn a_provider_cannot_answer_another_services_story_through_its_own_page() {
    let app = TestApp::new().await;
    let moderator = principal(&app, "mo@example.org", vec![grant(Role::Moderator, Scope::All)]).await;
    let receipt = give(&app, ROSE_COURT, &feedback("Kind staff.")).await;
    publish(&app, &moderator, receipt.feedback_id, "Kind staff.").await;
    let mut harbour = signed_in(&app, "h@example.org", vec![grant(Role::ProviderAdmin, provider_scope(HARBOUR))]).await;
    let action = format!("/manage/locations/{HARBOUR_HOME_CARE}/voice/stories/{}/replies", receipt.feedback_id);
    let field = format!("story-{}-text", receipt.feedback_id);
    let reply = harbour.post(&app, &action, &[(field.as_str(), "Not ours"), ("change", "none")]).await;
    assert_status(&reply, StatusCode::NOT_FOUND);
    assert!(app.store.replies_of(&lid(ROSE_COURT)).await.expect("replies").is_empty());
}

// ---------------------------------------------------------------- alerts and contacts

#[tokio::test]
async fn alerts_go_to_the_contacts_set_and_are_acknowledged_once() {
    let app = TestApp::new().await;
    let mut provider = provider_browser(&app).await;
    let lead_form = format!("/manage/providers/{SUNRISE}/safeguarding-lead");
    let bad = provider.post(&app, &lead_form, &[("safeguarding_name", ""), ("safeguarding_email", "nope")]).await;
    assert_status(&bad, StatusCode::BAD_REQUEST);
    bad.assert_contains(&[r##"<a href="#safeguarding_name">"##, r##"<a href="#safeguarding_email">"##]);
    let fields = [("safeguarding_name", "Sam Lead"), ("safeguarding_email", "lead@sunrise.example")];
    let saved = provider.post(&app, &lead_form, &fields).await;
    assert_status(&saved, StatusCode::SEE_OTHER);
    provider
        .get(&app, location(&saved))
        .await
        .assert_contains(&["Safeguarding lead saved.", "Sam Lead (lead@sunrise.example)"]);

    let mut commissioner =
        signed_in(&app, "c@example.org", vec![grant(Role::Commissioner, Scope::LocalAuthority("Leeds".into()))]).await;
    let fields =
        [("safeguarding_name", "Leeds Adult Safeguarding"), ("safeguarding_email", "safeguarding@leeds.example")];
    let team = commissioner.post(&app, "/manage/areas/Leeds/safeguarding-team", &fields).await;
    assert_status(&team, StatusCode::SEE_OTHER);
    let leeds = app.store.safeguarding_contact(&ContactScope::LocalAuthority("Leeds".into())).await.expect("read");
    assert_eq!(leeds.map(|c| c.name).as_deref(), Some("Leeds Adult Safeguarding"));

    let receipt = give(&app, ROSE_COURT, &feedback("A carer slapped my dad.")).await;
    let alert = receipt.alert_id.expect("the pre-screen raises an alert");
    // The named lead signs in with the address alerts are sent to.
    let mut lead =
        signed_in(&app, "lead@sunrise.example", vec![grant(Role::ProviderAdmin, provider_scope(SUNRISE))]).await;
    // The email's link finds the alert by its reference.
    let found = lead.get(&app, &format!("/manage/alerts?reference={}", receipt.reference.to_lowercase())).await;
    assert_eq!((found.status, location(&found)), (StatusCode::SEE_OTHER, format!("/manage/alerts/{alert}").as_str()));
    let missing = lead.get(&app, "/manage/alerts?reference=ZZZZ-ZZZZ").await;
    missing.assert_contains(&["There is no alert with the reference ZZZZ-ZZZZ"]);

    let page = lead.get(&app, &format!("/manage/alerts/{alert}")).await;
    assert_status(&page, StatusCode::OK);
    page.assert_contains(&[
        "A carer slapped my dad.",
        &receipt.reference,
        "Email to lead@sunrise.example:",
        "Email to safeguarding@leeds.example:",
        "Waiting to send: not tried yet",
        "Acknowledge this alert",
    ]);

    // Everyone else who sees the service (the accused may be among them) is told
    // that there is an alert and whom to contact, never what is alleged.
    let ack = format!("/manage/alerts/{alert}/acknowledge");
    let mut staff = signed_in(&app, "s@example.org", vec![grant(Role::Staff, location_scope(ROSE_COURT))]).await;
    let mut manager = signed_in(&app, "m@example.org", vec![grant(Role::Manager, location_scope(ROSE_COURT))]).await;
    for (who, browser) in [
        ("staff", &mut staff),
        ("manager", &mut manager),
        ("administrator", &mut provider),
        ("commissioner", &mut commissioner),
    ] {
        let limited = browser.get(&app, &format!("/manage/alerts/{alert}")).await;
        assert_status(&limited, StatusCode::OK);
        limited.assert_contains(&[
            "Alert raised",
            "Who to contact",
            "Sam Lead (lead@sunrise.example); Leeds Adult Safeguarding (safeguarding@leeds.example)",
            "What is alleged is shown only to those who must act on it",
        ]);
        limited.assert_lacks(&[
            "slapped",
            &receipt.reference,
            "Pre-screen",
            "Email to",
            " UTC",
            "Acknowledge this alert",
        ]);
        let list = browser.get(&app, "/manage/alerts").await;
        list.assert_contains(&["1 alert open", "Alert raised"]);
        list.assert_lacks(&["slapped", &receipt.reference, "Pre-screen"]);
        let by_reference = browser.get(&app, &format!("/manage/alerts?reference={}", receipt.reference)).await;
        assert_status(&by_reference, StatusCode::OK);
        by_reference.assert_contains(&["There is no alert with the reference"]);
        assert_status(&browser.post(&app, &ack, &[("note", "Seen")]).await, StatusCode::NOT_FOUND);
        assert!(app.store.alert(alert).await.expect("the alert").acknowledged_at.is_none(), "{who} acknowledged");
    }
    let empty = lead.post(&app, &ack, &[("note", "")]).await;
    assert_status(&empty, StatusCode::BAD_REQUEST);
    empty.assert_contains(&["Say what has been done, or will be, about this alert"]);
    let done = lead.post(&app, &ack, &[("note", "Spoke to the family; carer suspended")]).await;
    assert_status(&done, StatusCode::SEE_OTHER);
    let mut team = signed_in(
        &app,
        "safeguarding@leeds.example",
        vec![grant(Role::Commissioner, Scope::LocalAuthority("Leeds".into()))],
    )
    .await;
    let twice = team.post(&app, &ack, &[("note", "Also seen")]).await;
    assert_status(&twice, StatusCode::CONFLICT);
    twice.assert_contains(&["This alert has already been acknowledged", "Spoke to the family; carer suspended"]);
    let acknowledged = staff.get(&app, &format!("/manage/alerts/{alert}")).await;
    acknowledged.assert_contains(&["Acknowledged"]);
    acknowledged.assert_lacks(&["carer suspended"]);
    provider.get(&app, "/manage").await.assert_contains(&["No open alerts"]);
}

#[tokio::test]
async fn a_control_character_in_a_contact_name_is_refused_and_nothing_is_saved() {
    let app = TestApp::new().await;
    let mut provider = provider_browser(&app).await;
    let lead_form = format!("/manage/providers/{SUNRISE}/safeguarding-lead");
    let fields = [("safeguarding_name", "Sam\0Lead"), ("safeguarding_email", "lead@sunrise.example")];
    let refused = provider.post(&app, &lead_form, &fields).await;
    assert_status(&refused, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains(&["The field safeguarding_name contains a control character (U+0000)"]);
    let scope = ContactScope::Provider(candour_domain::ProviderId::parse(SUNRISE).expect("an ID"));
    assert_eq!(app.store.safeguarding_contact(&scope).await.expect("read"), None);
}

// ---------------------------------------------------------------- paper entry

async fn post_fields(app: &TestApp, browser: &mut Browser, path: &str, fields: &[(String, String)]) -> Reply {
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    browser.post(app, path, &refs).await
}

#[tokio::test]
async fn staff_type_in_a_paper_form_once_and_every_problem_is_shown() {
    let app = TestApp::new().await;
    let mut staff = signed_in(&app, "s@example.org", vec![grant(Role::Staff, location_scope(ROSE_COURT))]).await;
    let path = format!("/manage/locations/{ROSE_COURT}/feedback/new");
    let page = staff.get(&app, &path).await;
    assert_status(&page, StatusCode::OK);
    let key = between(&page.body, r#"name="key" value=""#, "\"").expect("a submission key").to_string();
    page.assert_contains(&["I feel safe", r#"name="answers.safe""#, "What matters to them, 1 of 3"]);

    let mut fields: Vec<(String, String)> = vec![
        ("key".into(), key.clone()),
        ("group".into(), "people".into()),
        ("channel".into(), "assisted".into()),
        ("helper".into(), "none".into()),
        ("respondent".into(), "family".into()),
    ];
    let refused = post_fields(&app, &mut staff, &path, &fields).await;
    assert_status(&refused, StatusCode::BAD_REQUEST);
    refused.assert_contains(&[
        r##"<a href="#helper">Choose who helped the person"##,
        r##"<a href="#overall">"##,
        r##"<a href="#answers-safe">"##,
    ]);
    refused.assert_contains(&[&format!(r#"name="key" value="{key}""#)]);

    fields.retain(|(k, _)| k != "helper" && k != "channel");
    fields.push(("channel".into(), "paper".into()));
    fields.push(("overall".into(), "poor".into()));
    for q in OUTCOME_QUESTIONS {
        fields.push((format!("answers.{}", q.code), "some_not_enough".into()));
    }
    fields.push(("story".into(), "The garden is always locked.".into()));
    let saved = post_fields(&app, &mut staff, &path, &fields).await;
    assert_status(&saved, StatusCode::SEE_OTHER);
    let reference = location(&saved).split("saved=").nth(1).expect("a reference").to_string();
    staff.get(&app, location(&saved)).await.assert_contains(&[&format!("Saved, as {reference}")]);
    let again = post_fields(&app, &mut staff, &path, &fields).await;
    assert!(location(&again).contains("duplicate=yes"), "the same page sent twice is stored once");

    let query = candour_store::ModerationQuery { status: FeedbackStatus::Pending, page: 1, per_page: 10 };
    let queue = app.store.moderation_queue(&query).await.expect("the queue");
    assert_eq!(queue.total, 1);
    let record = &queue.items[0];
    assert_eq!((record.channel, record.reference.as_str()), (Channel::Paper, reference.as_str()));
    assert!(record.entered_by.is_some(), "the member of staff who typed it in is recorded");
}

#[tokio::test]
async fn staff_and_partner_forms_ask_their_own_questions() {
    let app = TestApp::new().await;
    let mut manager = signed_in(&app, "m@example.org", vec![grant(Role::Manager, location_scope(ROSE_COURT))]).await;
    let staff = manager.get(&app, &format!("/manage/locations/{ROSE_COURT}/feedback/new?group=staff")).await;
    staff.assert_contains(&["There are enough of us to give good care", r#"value="staff" checked"#]);
    staff.assert_lacks(&["I feel safe", "What matters to them"]);
    let partners = manager.get(&app, &format!("/manage/locations/{ROSE_COURT}/feedback/new?group=partners")).await;
    partners.assert_contains(&["People move safely into, out of and between services"]);
    let bad = manager.get(&app, &format!("/manage/locations/{ROSE_COURT}/feedback/new?group=visitors")).await;
    assert_status(&bad, StatusCode::BAD_REQUEST);
}

// ---------------------------------------------------------------- evidence for inspectors

#[tokio::test]
async fn the_inspector_sees_voice_evidence_beside_each_statement() {
    let app = TestApp::new().await;
    let mut inspector = signed_in(&app, "i@example.org", vec![grant(Role::Inspector, Scope::All)]).await;
    let page = crate::assessments::open_assessment(&app, &mut inspector).await;
    let four = inspector.get(&app, &page).await;
    four.assert_contains(&["People&#39;s experience", "(people_experience)", "Fewer than 5 answers: not shown"]);
    for _ in 0..5 {
        give(&app, ROSE_COURT, &feedback("")).await;
    }
    refresh_figures(&app, Utc::now()).await;
    let five = inspector.get(&app, &page).await;
    five.assert_contains(&[
        "\u{201c}I feel safe\u{201d}: 2.0 out of 3 (n = 5)",
        "People overall: 100% positive (5 of 5 answers",
        "(outcomes). Progress on personal outcomes",
    ]);
}

#[tokio::test]
async fn the_location_workspace_links_to_voice_for_the_provider_side_only() {
    let app = TestApp::new().await;
    let mut provider = provider_browser(&app).await;
    let page = provider.get(&app, &format!("/manage/locations/{ROSE_COURT}")).await;
    page.assert_contains(&[
        &format!("/manage/locations/{ROSE_COURT}/voice"),
        &format!("/manage/locations/{ROSE_COURT}/feedback/new"),
        &format!("/locations/{ROSE_COURT}/feedback/poster"),
        &format!("/locations/{ROSE_COURT}/feedback/qr.svg"),
        &format!("/locations/{ROSE_COURT}/feedback/qr.png"),
    ]);
    let mut inspector = signed_in(&app, "i@example.org", vec![grant(Role::Inspector, Scope::All)]).await;
    let theirs = inspector.get(&app, &format!("/manage/locations/{ROSE_COURT}")).await;
    theirs.assert_lacks(&[&format!("/manage/locations/{ROSE_COURT}/voice")]);
}
