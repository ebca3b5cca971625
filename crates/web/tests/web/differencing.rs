//! A provider must not learn what one person answered. Published voice figures
//! (and the stories published with them) move only in batches: reading the
//! public API and the location page before and after one response, even once it
//! is published, shows exactly the same thing; only once at least 5 more have
//! been published and a day has passed do the figures move, all together.

use axum::body::Body;
use axum::http::{Request, header};
use candour_domain::voice::{Criticality, OUTCOME_QUESTIONS, SNAPSHOT_MIN_HOURS};
use candour_domain::{Role, Scope};
use candour_store::ModerationDecision;
use chrono::{Duration, Utc};

use crate::browser::*;
use crate::fixture::*;
use crate::moderation::{feedback, give, principal, publish, refresh_figures, voice};

/// What anyone can read about a service's voice: the API and the public page,
/// once monitoring (whose people's rating the page shows) has seen every response.
async fn public_reads(app: &TestApp) -> (String, String) {
    app.settled().await;
    let api = app.get(&format!("/api/v1/locations/{ROSE_COURT}/voice")).await;
    let page = app.get(&format!("/locations/{ROSE_COURT}")).await;
    (api.body, page.body)
}

/// One person's distinctive answers, sent through the public API.
async fn one_response(app: &TestApp, story: &str) -> i64 {
    let answers: serde_json::Map<String, serde_json::Value> =
        OUTCOME_QUESTIONS.iter().map(|q| (q.code.to_string(), "not_at_all".into())).collect();
    let body =
        serde_json::json!({ "respondent": "family", "overall": "very_poor", "answers": answers, "story": story });
    let request = Request::post(format!("/api/v1/locations/{ROSE_COURT}/feedback"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .expect("a request");
    let created = app.request(request).await;
    assert_eq!(created.status, axum::http::StatusCode::CREATED, "{}", created.body);
    let reference = created.json()["reference"].as_str().expect("a reference").to_string();
    app.store.feedback_by_reference(&reference).await.expect("stored").id
}

#[tokio::test]
async fn reading_before_and_after_one_response_reveals_nothing_of_it() {
    let app = TestApp::new().await;
    let moderator = principal(&app, "m@example.org", vec![grant(Role::Moderator, Scope::All)]).await;
    for _ in 0..5 {
        give(&app, ROSE_COURT, &feedback("")).await;
    }
    let told = give(&app, ROSE_COURT, &feedback("The garden is lovely.")).await;
    publish(&app, &moderator, told.feedback_id, "The garden is lovely.").await;
    let start = Utc::now();
    assert_eq!(refresh_figures(&app, start).await, 1, "the first batch");
    let before = public_reads(&app).await;
    let today = start.date_naive().to_string();
    let api: serde_json::Value = serde_json::from_str(&before.0).expect("JSON");
    assert_eq!(api["summary"]["people"]["responses"], 6);
    assert_eq!(api["summary"]["updated_at"], today.as_str(), "to the day");
    let story = &api["stories"]["items"][0];
    assert_eq!((story["received_at"].as_str(), story["published_at"].as_str()), (Some(&*today), Some(&*today)));
    assert!(before.1.contains("These figures were last updated on"), "the page says when");

    // One person answers, is published, and the server refreshes as it would.
    let id = one_response(&app, "Nobody came when I rang.").await;
    assert_eq!(public_reads(&app).await, before, "on arrival");
    let decision = ModerationDecision::Publish { text: "Nobody came when they rang.".into() };
    voice(&app).moderate(id, decision, Criticality::NONE, &moderator, Utc::now()).await.expect("published");
    assert_eq!(refresh_figures(&app, Utc::now()).await, 0);
    assert_eq!(refresh_figures(&app, start + Duration::hours(SNAPSHOT_MIN_HOURS + 1)).await, 0, "a day on, 1 more");
    assert_eq!(public_reads(&app).await, before, "once published");

    // Four more make a batch of five: a day after the last one, the figures move.
    for _ in 0..4 {
        give(&app, ROSE_COURT, &feedback("")).await;
    }
    assert_eq!(refresh_figures(&app, start + Duration::hours(SNAPSHOT_MIN_HOURS - 1)).await, 0, "not yet a day on");
    assert_eq!(public_reads(&app).await, before, "a batch waits for its day");
    assert_eq!(refresh_figures(&app, start + Duration::hours(SNAPSHOT_MIN_HOURS + 1)).await, 1);
    let after = public_reads(&app).await;
    let api: serde_json::Value = serde_json::from_str(&after.0).expect("JSON");
    assert_eq!(api["summary"]["people"]["responses"], 11);
    assert_eq!(api["stories"]["total"], 2);
    assert!(after.1.contains("Nobody came when they rang."));
}

/// Stories and replies show the day they were written, never the time of day,
/// in public and to the provider.
#[tokio::test]
async fn story_and_reply_times_are_shown_to_the_day() {
    let app = TestApp::new().await;
    let moderator = principal(&app, "m@example.org", vec![grant(Role::Moderator, Scope::All)]).await;
    let provider = principal(&app, "p@example.org", vec![grant(Role::ProviderAdmin, provider_scope(SUNRISE))]).await;
    let told = give(&app, ROSE_COURT, &feedback("The garden is lovely.")).await;
    publish(&app, &moderator, told.feedback_id, "The garden is lovely.").await;
    let reply = voice(&app)
        .reply(told.feedback_id, &provider, "Thank you.", candour_domain::voice::ChangeClaim::None, "", Utc::now())
        .await
        .expect("a reply");
    voice(&app).check_reply(reply.id, None, &moderator, Utc::now()).await.expect("published");
    for _ in 0..4 {
        give(&app, ROSE_COURT, &feedback("")).await;
    }
    refresh_figures(&app, Utc::now()).await;
    let today = Utc::now().date_naive().to_string();
    let api = app.get(&format!("/api/v1/locations/{ROSE_COURT}/voice")).await.json();
    let story = &api["stories"]["items"][0];
    assert_eq!(story["received_at"], today.as_str());
    assert_eq!(story["published_at"], today.as_str());
    assert_eq!(story["replies"][0]["created_at"], today.as_str());
    assert_eq!(
        (api["summary"]["since"].as_str().map(str::len), api["summary"]["until"].as_str()),
        (Some(10), Some(&*today))
    );

    let mut manager =
        signed_in(&app, "pa@example.org", vec![grant(Role::ProviderAdmin, provider_scope(SUNRISE))]).await;
    let page = manager.get(&app, &format!("/manage/locations/{ROSE_COURT}/voice")).await;
    page.assert_contains(&["The garden is lovely.", "Thank you.", "Last updated", "the figures move in batches"]);
    page.assert_lacks(&[" UTC"]);
}

/// Monitoring counts feedback as it arrives, so its voice indicators move with
/// each response: those who run a service see its monitoring without them (and
/// with its score and band worked out without them); those who oversee it see all.
#[tokio::test]
async fn those_who_run_a_service_see_its_monitoring_without_voice_indicators() {
    use candour_engine::monitoring::{CATALOGUE, Source};
    let app = TestApp::new().await;
    for _ in 0..6 {
        give(&app, ROSE_COURT, &feedback("")).await;
    }
    app.settled().await;
    let voice_codes: Vec<&str> = CATALOGUE
        .iter()
        .filter(|i| matches!(i.source, Source::PeoplesVoice | Source::StaffVoice | Source::PartnersVoice))
        .map(|i| i.code)
        .collect();
    let rows = |codes: &[&str]| codes.iter().map(|c| format!("<a href=\"#{c}\">")).collect::<Vec<_>>();
    let page = format!("/monitoring/locations/{ROSE_COURT}");
    let left_out = "voice is left out here";

    let mut inspector = signed_in(&app, "i@example.org", vec![grant(Role::Inspector, Scope::All)]).await;
    let all = inspector.get(&app, &page).await;
    all.assert_contains(&rows(&voice_codes).iter().map(String::as_str).collect::<Vec<_>>());
    all.assert_lacks(&[left_out]);

    let mut admin = signed_in(&app, "pa@example.org", vec![grant(Role::ProviderAdmin, provider_scope(SUNRISE))]).await;
    let theirs = admin.get(&app, &page).await;
    assert_eq!(theirs.status, axum::http::StatusCode::OK, "{}", theirs.body);
    theirs.assert_lacks(&rows(&voice_codes).iter().map(String::as_str).collect::<Vec<_>>());
    theirs.assert_contains(&[left_out, "<a href=\"#staff_turnover\">"]);
    let asked = admin.get(&app, &format!("{page}?indicator=positive_overall")).await;
    assert_eq!(asked.status, axum::http::StatusCode::BAD_REQUEST, "a voice funnel is not theirs to ask for");
    let signs = admin.get(&app, &format!("/manage/providers/{SUNRISE}/warning-signs")).await;
    signs.assert_contains(&[left_out]);
    signs.assert_lacks(&["Positive overall experience"]);
}
