//! The assessment workflow over HTTP: an inspector opens, scores and sends; the
//! provider's administrator challenges; the inspector decides and publishes; the
//! public page shows the rating and how it was worked out. And every refusal.

use axum::http::StatusCode;
use candour_domain::{LocationId, Role, Scope};
use candour_store::{AssessmentStatus, NewChallenge};
use chrono::{Days, Utc};

use crate::browser::*;
use crate::fixture::*;

/// Opens an assessment of Rose Court (a care home with nursing) and returns its page path.
pub(crate) async fn open_assessment(app: &TestApp, inspector: &mut Browser) -> String {
    let reply = inspector
        .post(
            app,
            &format!("/manage/locations/{ROSE_COURT}/assessments"),
            &[("service_group", "Care home service with nursing")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    location(&reply).split('#').next().expect("a path").to_string()
}

/// Scores every key question 3 except Safe (4, 4, 2 → 83.33 %) and Effective by category.
async fn score_all(app: &TestApp, inspector: &mut Browser, page: &str) {
    let posts: [(&str, Vec<(&str, &str)>); 5] = [
        (
            "safe",
            vec![("S1-score", "4"), ("S2-score", "4"), ("S3-score", "2"), ("S3-note-processes", "Two audits late")],
        ),
        (
            "effective",
            vec![("E1-people_experience", "3"), ("E1-processes", "2"), ("E1-note-processes", "Care plans out of date")],
        ),
        ("caring", vec![("caring-standing", "good"), ("caring-standing-on", "2023-06-01")]),
        ("responsive", vec![("R1-score", "3")]),
        ("well_led", vec![("W1-score", "3"), ("W2-score", "3")]),
    ];
    for (kq, fields) in posts {
        let reply = inspector.post(app, &format!("{page}/key-questions/{kq}"), &fields).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{kq}: {}", reply.body);
    }
}

#[tokio::test]
async fn an_assessment_goes_from_draft_to_challenge_to_publication() {
    let app = TestApp::new().await;
    let mut inspector = signed_in(&app, "inspector@example.org", vec![grant(Role::Inspector, Scope::All)]).await;
    let mut provider =
        signed_in(&app, "pa@example.org", vec![grant(Role::ProviderAdmin, provider_scope(SUNRISE))]).await;

    let workspace = inspector.get(&app, &format!("/manage/locations/{ROSE_COURT}")).await;
    workspace.assert_contains(&["Open an assessment", r#"<option value="Care home service with nursing">"#]);
    let page = open_assessment(&app, &mut inspector).await;
    score_all(&app, &mut inspector, &page).await;

    let draft = inspector.get(&app, &page).await;
    assert_eq!(draft.status, StatusCode::OK);
    draft.assert_contains(&[
        "Draft",
        "Learning culture 4; Safe systems, pathways and transitions 4; Safeguarding 2",
        "10 of 12",
        "83.33%",
        "83%",
        "Care plans out of date",
        "Two audits late",
        "Standing rating",
        "The rules used",
        "<strong>Otherwise Good.</strong> No key question is rated Inadequate, at most one Requires improvement",
    ]);
    // Statements by their titles and rules in words, each rule explained once.
    draft.assert_lacks(&["S1 = 4", "otherwise_good", "standing_rating"]);
    assert_eq!(draft.body.matches("<strong>Percentage band.</strong>").count(), 1, "each rule once");
    // Homecare has no observation, but a care home does: only the service type's categories are offered.
    draft.assert_contains(&["S5-observation"]);

    // The provider cannot see a draft at all.
    assert_eq!(provider.get(&app, &page).await.status, StatusCode::NOT_FOUND);

    let reply = inspector.post(&app, &format!("{page}/judgements/safe"), &[("rating", "good"), ("reason", "")]).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "a judgement needs a reason");
    reply.assert_contains(&["Give the reason"]);
    let reply = inspector
        .post(&app, &format!("{page}/judgements/safe"), &[("rating", "good"), ("reason", "Night staffing fell short")])
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    inspector
        .get(&app, &page)
        .await
        .assert_contains(&["Good in place of the computed Good", "Night staffing fell short"]);

    let reply = inspector.post(&app, &format!("{page}/send"), &[("window_days", "0")]).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "a window of no days");
    assert_eq!(
        inspector.post(&app, &format!("{page}/send"), &[("window_days", "14")]).await.status,
        StatusCode::SEE_OTHER
    );

    let sent = provider.get(&app, &page).await;
    assert_eq!(sent.status, StatusCode::OK);
    sent.assert_contains(&["Sent to the provider", "Challenge a finding", "We have no more challenges"]);
    sent.assert_lacks(&["Publish the rating", "Save Safe"]);

    // Once sent, the scores and judgements are locked: no forms, and a direct POST is refused.
    let locked = inspector.get(&app, &page).await;
    locked.assert_contains(&["Scores are locked", "Publish the rating"]);
    locked.assert_lacks(&["Save Safe", "Save Well-led", "Save the facts", "Save the Well-led judgement"]);
    let reply = inspector.post(&app, &format!("{page}/key-questions/well_led"), &[("W1-score", "4")]).await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "a score after sending");
    reply.assert_contains(&["its findings are locked"]);
    let reply = inspector
        .post(&app, &format!("{page}/judgements/well_led"), &[("rating", "good"), ("reason", "On reflection")])
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "a judgement after sending");
    let reply = inspector.post(&app, &format!("{page}/facts"), &[("breach", "yes")]).await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "the facts after sending");

    // The provider's workspaces say a draft is waiting for its review, with a link.
    let waiting = "A draft report is waiting for your review until ";
    let link = format!(r#"href="{page}""#);
    for path in [format!("/manage/providers/{SUNRISE}"), format!("/manage/locations/{ROSE_COURT}"), "/manage".into()] {
        let reply = provider.get(&app, &path).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        reply.assert_contains(&[waiting, link.as_str(), "Rose Court, Care home service with nursing"]);
    }
    inspector.get(&app, &format!("/manage/locations/{ROSE_COURT}")).await.assert_lacks(&[waiting]);
    let reply = provider
        .post(&app, &format!("{page}/challenges"), &[("finding", "S3"), ("text", "The audits were done in May.")])
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);

    let reply = inspector.post(&app, &format!("{page}/publish"), &[]).await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "publishing with an open challenge");
    reply.assert_contains(&["still open"]);

    let challenge_id = {
        let id: i64 = page.rsplit('/').next().unwrap().parse().unwrap();
        app.store.assessment(id).await.unwrap().challenges[0].id
    };
    let decide = format!("{page}/challenges/{challenge_id}");
    assert_eq!(
        inspector.post(&app, &decide, &[("decision", "accept")]).await.status,
        StatusCode::BAD_REQUEST,
        "no reason"
    );
    let correction = [("S3-score", "3")];
    let reply = inspector.post(&app, &format!("{page}/key-questions/safe"), &correction).await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "locked until the challenge is accepted");
    assert_eq!(
        inspector.post(&app, &decide, &[("decision", "accept"), ("reason", "S3 corrected to 3")]).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        inspector.post(&app, &decide, &[("decision", "reject"), ("reason", "again")]).await.status,
        StatusCode::CONFLICT
    );
    let reopened = inspector.get(&app, &page).await;
    reopened.assert_contains(&["Save Safe", "S3-score", "reopened by an accepted factual-accuracy challenge"]);
    reopened.assert_lacks(&["S1-score", "Save Well-led", "Save the facts"]);
    let reply = inspector.post(&app, &format!("{page}/key-questions/safe"), &[("S1-score", "1")]).await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "only the challenged statement reopens");
    let reply = inspector.post(&app, &format!("{page}/key-questions/safe"), &correction).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    inspector
        .get(&app, &page)
        .await
        .assert_contains(&["S3 changed from score 2 to score 3, after challenge", "by inspector@example.org"]);

    let reply = inspector.post(&app, &format!("{page}/publish"), &[]).await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "the window is open and the provider has not finished");
    reply.assert_contains(&["may raise challenges until the end of"]);
    let reply = provider.post(&app, &format!("{page}/no-more-challenges"), &[]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let finished = provider.get(&app, &page).await;
    finished.assert_contains(&["pa@example.org said the provider has no more challenges"]);
    finished.assert_lacks(&["Challenge a finding", "We have no more challenges"]);
    let reply = provider.post(&app, &format!("{page}/challenges"), &[("finding", "S1"), ("text", "One more")]).await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "no challenges after saying so");

    let reply = inspector.post(&app, &format!("{page}/publish"), &[]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let published = inspector.get(&app, &page).await;
    published.assert_contains(&["Published", "S3 corrected to 3", "S3 changed from score 2 to score 3"]);
    published.assert_lacks(&["Save Safe", "Publish the rating"]);

    let edit = inspector.post(&app, &format!("{page}/key-questions/safe"), &[("S1-score", "1")]).await;
    assert_eq!(edit.status, StatusCode::CONFLICT, "a published assessment cannot change");
    assert_eq!(inspector.post(&app, &format!("{page}/publish"), &[]).await.status, StatusCode::CONFLICT);

    let public = app.get(&format!("/locations/{ROSE_COURT}")).await;
    public.assert_contains(&[
        "assessed in Candour",
        "by CQC",
        "How this was worked out",
        "Learning culture 4; Safe systems, pathways and transitions 4; Safeguarding 3",
        "91.67%",
        "92%",
    ]);
    let detail = app.store.location(&LocationId::parse(ROSE_COURT).unwrap()).await.unwrap();
    assert!(detail.current_ratings.iter().any(|r| r.source == candour_domain::RatingSource::Candour));
}

/// The text of the public page's headline rating.
fn headline(body: &str) -> &str {
    let start = body.find(r#"class="headline-rating""#).expect("a headline rating");
    let end = start + body[start..].find("</div>").expect("its end");
    &body[start..end]
}

/// A Candour rating published after the regulator's becomes the headline rating
/// everywhere one is shown, saying who made it and when; the regulator's stays in
/// the history. Rose Court runs two services here, so Candour rates one of them
/// and the regulator's location-wide rating (Good, 2024) is older, not replaced.
#[tokio::test]
async fn a_published_assessment_becomes_the_headline_rating() {
    let app = TestApp::new().await;
    let mut two_services = plan();
    let rose = two_services.locations.iter_mut().find(|l| l.id.as_str() == ROSE_COURT).expect("Rose Court");
    rose.service_types.push("Domiciliary care service".to_string());
    app.store.apply_import(&two_services).await.expect("import");
    let mut inspector = signed_in(&app, "inspector@example.org", vec![grant(Role::Inspector, Scope::All)]).await;
    let mut provider =
        signed_in(&app, "pa@example.org", vec![grant(Role::ProviderAdmin, provider_scope(SUNRISE))]).await;
    let page = open_assessment(&app, &mut inspector).await;
    // Safe and Well-led at 50%: two Requires improvement make the overall rating Requires improvement.
    let posts: [(&str, &[(&str, &str)]); 5] = [
        ("safe", &[("S1-score", "2"), ("S2-score", "2")]),
        ("effective", &[("E1-score", "3")]),
        ("caring", &[("C1-score", "3")]),
        ("responsive", &[("R1-score", "3")]),
        ("well_led", &[("W1-score", "2"), ("W2-score", "2")]),
    ];
    for (kq, fields) in posts {
        let reply = inspector.post(&app, &format!("{page}/key-questions/{kq}"), fields).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{kq}: {}", reply.body);
    }
    assert_eq!(inspector.post(&app, &format!("{page}/send"), &[]).await.status, StatusCode::SEE_OTHER);
    let before = app.get(&format!("/locations/{ROSE_COURT}")).await;
    assert!(headline(&before.body).contains("Good"), "{}", headline(&before.body));
    assert!(headline(&before.body).contains("by the Care Quality Commission (CQC)"), "{}", headline(&before.body));
    assert_eq!(provider.post(&app, &format!("{page}/no-more-challenges"), &[]).await.status, StatusCode::SEE_OTHER);
    let reply = inspector.post(&app, &format!("{page}/publish"), &[]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);

    let public = app.get(&format!("/locations/{ROSE_COURT}")).await;
    let today = Utc::now().date_naive().format("%-d %B %Y");
    let shown = headline(&public.body);
    assert!(shown.contains("Requires improvement"), "{shown}");
    assert!(shown.contains(&format!("Published {today} by Candour for Care home service with nursing")), "{shown}");
    public.assert_contains(&["by CQC"]);

    let json: serde_json::Value =
        serde_json::from_str(&app.get(&format!("/api/v1/locations/{ROSE_COURT}")).await.body).expect("JSON");
    assert_eq!(json["headline_rating"]["source"], "candour");
    assert_eq!(json["headline_rating"]["overall"], "requires_improvement");

    let rose_link = format!(r#"href="/locations/{ROSE_COURT}""#);
    let directory = app.get("/locations?rating=requires_improvement").await;
    assert!(directory.body.contains(&rose_link), "the directory filters by the headline rating");
    assert!(!app.get("/locations?rating=good").await.body.contains(&rose_link));
    let sunrise = app.store.provider(&candour_domain::ProviderId::parse(SUNRISE).unwrap()).await.unwrap();
    let listed = sunrise.locations.iter().find(|l| l.id.as_str() == ROSE_COURT).expect("listed");
    assert_eq!(listed.overall, Some(candour_domain::Rating::RequiresImprovement), "the provider's page");
}

#[tokio::test]
async fn challenges_after_the_window_and_from_other_providers_are_refused() {
    let app = TestApp::new().await;
    let mut inspector = signed_in(&app, "inspector@example.org", vec![grant(Role::Inspector, Scope::All)]).await;
    let mut other =
        signed_in(&app, "other@example.org", vec![grant(Role::ProviderAdmin, provider_scope(HARBOUR))]).await;
    let mut own = signed_in(&app, "pa@example.org", vec![grant(Role::ProviderAdmin, provider_scope(SUNRISE))]).await;
    let mut manager =
        signed_in(&app, "manager@example.org", vec![grant(Role::Manager, location_scope(ROSE_COURT))]).await;
    let page = open_assessment(&app, &mut inspector).await;
    let id: i64 = page.rsplit('/').next().unwrap().parse().unwrap();

    // Sent three weeks ago with a 14-day window: closed now.
    let sent_at = Utc::now() - chrono::Duration::days(21);
    let ends = sent_at.date_naive().checked_add_days(Days::new(14)).unwrap();
    app.store.send_assessment(id, ends, sent_at, &[]).await.unwrap();
    assert_eq!(app.store.assessment(id).await.unwrap().status, AssessmentStatus::Sent);

    assert_eq!(other.get(&app, &page).await.status, StatusCode::NOT_FOUND, "another provider's administrator");
    let reply = other.post(&app, &format!("{page}/challenges"), &[("finding", "safe"), ("text", "x")]).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);

    let reply = own.get(&app, &page).await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.assert_lacks(&["Challenge a finding"]);
    let reply = own.post(&app, &format!("{page}/challenges"), &[("finding", "safe"), ("text", "Too late?")]).await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "after the window");
    reply.assert_contains(&["The challenge window closed"]);

    assert_eq!(manager.get(&app, &page).await.status, StatusCode::OK, "the location's manager reads a sent assessment");
    let reply = manager.post(&app, &format!("{page}/challenges"), &[("finding", "safe"), ("text", "x")]).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "only provider administrators challenge");
    let reply = own.post(&app, &format!("{page}/publish"), &[]).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "only inspectors publish");

    let edit = inspector.post(&app, &format!("{page}/key-questions/safe"), &[("S1-score", "3")]).await;
    assert_eq!(edit.status, StatusCode::CONFLICT, "sent and closed");
    own.get(&app, &format!("/manage/providers/{SUNRISE}"))
        .await
        .assert_lacks(&["A draft report is waiting for your review"]);
    let late = NewChallenge {
        finding: "safe".into(),
        text: "x".into(),
        raised_by: candour_domain::UserId(1),
        raised_at: Utc::now(),
    };
    assert!(app.store.raise_challenge(id, &late).await.is_err());
}

#[tokio::test]
async fn drafts_refuse_bad_input_and_publication_before_sending() {
    let app = TestApp::new().await;
    let mut inspector = signed_in(&app, "inspector@example.org", vec![grant(Role::Inspector, Scope::All)]).await;
    let reply = inspector
        .post(&app, &format!("/manage/locations/{ROSE_COURT}/assessments"), &[("service_group", "Shared Lives")])
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "not one of the location's services");
    let page = open_assessment(&app, &mut inspector).await;
    let reply = inspector.post(&app, &format!("{page}/key-questions/safe"), &[("S1-score", "5")]).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    reply.assert_contains(&["Choose a score from 1 to 4", "href=\"#S1-score\""]);
    let reply =
        inspector.post(&app, &format!("{page}/key-questions/safe"), &[("S1-score", "3"), ("S1-processes", "2")]).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "both modes");
    let reply = inspector
        .post(&app, &format!("{page}/key-questions/safe"), &[("S1-score", "3"), ("safe-standing", "good")])
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "scores and a standing rating");
    let reply = inspector.post(&app, &format!("{page}/publish"), &[]).await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "a draft with no ratings is not published");
    assert_eq!(inspector.get(&app, "/manage/assessments/999999").await.status, StatusCode::NOT_FOUND);
    assert_eq!(inspector.get(&app, "/manage/assessments/abc").await.status, StatusCode::NOT_FOUND);

    let mut staff = signed_in(&app, "staff@example.org", vec![grant(Role::Staff, location_scope(ROSE_COURT))]).await;
    assert_eq!(staff.get(&app, &page).await.status, StatusCode::NOT_FOUND);
    let reply = staff
        .post(
            &app,
            &format!("/manage/locations/{ROSE_COURT}/assessments"),
            &[("service_group", "Care home service with nursing")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "only inspectors open assessments");
}
