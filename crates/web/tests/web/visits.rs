//! Visits by experts by experience over HTTP: an inspector asks an expert to visit;
//! the expert writes the report (quotes that name someone are refused, and nothing
//! typed is lost) and sends it; the provider challenges a fact; the expert accepts
//! and corrects it, then publishes; the public sees what the experts found, and the
//! inspector sees it beside the quality statements. And who may see what, when.

use axum::http::StatusCode;
use candour_domain::{Role, Scope};

use crate::browser::*;
use crate::fixture::*;

fn report_form() -> Vec<(&'static str, &'static str)> {
    vec![
        ("visited_on", "2026-01-05"),
        ("spoken_person", "6"),
        ("spoken_staff", "3"),
        ("area_safe", "People said the night staff check on them."),
        ("judgement_safe", "good"),
        ("quote_safe_1", "I go to sleep knowing someone is near"),
        ("quote_safe_1_from", "person"),
        ("judgement_time", "some_shortfalls"),
        ("quote_time_1", "They are always in a hurry after lunch"),
        ("quote_time_1_from", "person"),
        ("summary", "A kind home, stretched after lunch."),
    ]
}

#[tokio::test]
async fn a_visit_goes_from_the_expert_to_the_provider_to_the_public() {
    let app = TestApp::new().await;
    let mut inspector = signed_in(&app, "inspector@example.org", vec![grant(Role::Inspector, Scope::All)]).await;

    // The inspector asks someone to visit: bad input is refused beside its field.
    let reply =
        inspector.post(&app, "/visits/experts", &[("name", "Sam"), ("email", "sam"), ("location", ROSE_COURT)]).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    reply.assert_contains(&["Enter an email address in the correct format", r#"value="Sam""#]);
    let reply = inspector
        .post(&app, "/visits/experts", &[("name", "Sam"), ("email", "sam@example.org"), ("location", NOT_IN_REGISTER)])
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    reply.assert_contains(&["No location 1-000000099 is in the register"]);
    let reply = inspector
        .post(&app, "/visits/experts", &[("name", "Sam"), ("email", "sam@example.org"), ("location", ROSE_COURT)])
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.assert_contains(&["Sam is invited to visit 1-000000001"]);
    // An address whose account holds other roles is not made an expert's.
    let reply = inspector
        .post(&app, "/visits/experts", &[("name", "I"), ("email", "inspector@example.org"), ("location", ROSE_COURT)])
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);

    let mut expert = signed_in(&app, "expert@example.org", vec![grant(Role::Expert, location_scope(ROSE_COURT))]).await;
    let mut elsewhere =
        signed_in(&app, "other@example.org", vec![grant(Role::Expert, location_scope(OAK_LODGE))]).await;
    let mut provider =
        signed_in(&app, "pa@example.org", vec![grant(Role::ProviderAdmin, provider_scope(SUNRISE))]).await;
    expert.get(&app, "/manage").await.assert_contains(&[r#"href="/visits""#]);
    expert.get(&app, "/visits").await.assert_contains(&["Start a visit report", "Rose Court"]);

    // An expert starts visits only where asked.
    let reply = elsewhere.post(&app, "/visits", &[("location", ROSE_COURT)]).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let reply = expert.post(&app, "/visits", &[("location", ROSE_COURT)]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let page = location(&reply).split('#').next().expect("a path").to_string();

    // A quote naming someone is refused next to its field, and everything typed stays.
    let mut named = report_form();
    named.push(("quote_safe_2", "Mrs Patel on nights is wonderful"));
    named.push(("quote_safe_2_from", "family"));
    let reply = expert.post(&app, &format!("{page}/report"), &named).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    reply.assert_contains(&[
        "Take out the name: quotes must not identify anyone",
        r##"href="#quote_safe_2""##,
        "Mrs Patel on nights is wonderful",
        "They are always in a hurry after lunch",
    ]);
    let reply = expert.post(&app, &format!("{page}/report"), &report_form()).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);

    // A draft is the experts' and inspectors' only.
    assert_eq!(provider.get(&app, &page).await.status, StatusCode::NOT_FOUND);
    assert_eq!(elsewhere.get(&app, &page).await.status, StatusCode::NOT_FOUND);
    inspector.get(&app, &page).await.assert_contains(&["I go to sleep knowing someone is near"]);

    let reply = expert.post(&app, &format!("{page}/send"), &[("window_days", "14")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let sent = provider.get(&app, &page).await;
    assert_eq!(sent.status, StatusCode::OK);
    sent.assert_contains(&[
        "With the provider",
        "Challenge a fact in the report",
        "6 people who use the service, 3 staff",
    ]);
    sent.assert_lacks(&["Save the report", "Publish the report"]);
    provider
        .get(&app, "/manage")
        .await
        .assert_contains(&["A visit report by experts by experience is waiting for your review"]);
    // Once sent, the report is locked: a direct change is refused.
    let mut changed = report_form();
    changed.retain(|(k, _)| *k != "summary");
    changed.push(("summary", "Rewritten after sending."));
    let reply = expert.post(&app, &format!("{page}/report"), &changed).await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    reply.assert_contains(&["its findings are locked"]);

    // The provider challenges a fact; the expert accepts and corrects it.
    let reply = provider
        .post(
            &app,
            &format!("{page}/challenges"),
            &[("part", "statement:time"), ("text", "Two more staff work afternoons.")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let challenge = expert.get(&app, &page).await;
    challenge.assert_contains(&["Two more staff work afternoons.", "Record the decision"]);
    let id = challenge.body.split("/challenges/").nth(1).and_then(|s| s.split('"').next()).expect("a challenge");
    let reply = expert
        .post(&app, &format!("{page}/challenges/{id}"), &[("decision", "accept"), ("reason", "The rota shows it")])
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    expert.get(&app, &page).await.assert_contains(&["Correct: “Staff have time for me and do not rush me”"]);
    let reply =
        expert.post(&app, &format!("{page}/report"), &[("part", "statement:time"), ("judgement_time", "good")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    expert.get(&app, &page).await.assert_contains(&[
        "changed from “Some shortfalls; “They are always in a hurry after lunch”” to “Good; no quotes”",
    ]);

    // Published once the provider has no more challenges.
    assert_eq!(provider.post(&app, &format!("{page}/no-more-challenges"), &[]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(provider.post(&app, &format!("{page}/publish"), &[]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(expert.post(&app, &format!("{page}/publish"), &[]).await.status, StatusCode::SEE_OTHER);

    let visit = page.trim_start_matches("/visits/");
    let public = app.get(&format!("/locations/{ROSE_COURT}/visits/{visit}")).await;
    assert_eq!(public.status, StatusCode::OK);
    public.assert_contains(&[
        "What people with lived experience found",
        "This is not the regulator's rating",
        "I go to sleep knowing someone is near",
        "Someone who uses the service",
        "1 led to a correction",
    ]);
    let service = app.get(&format!("/locations/{ROSE_COURT}")).await;
    service.assert_contains(&[
        "What people with lived experience found",
        "“I feel safe, and I know who to tell if something is wrong”: <strong>Good</strong>",
    ]);
    assert_eq!(app.get(&format!("/locations/{OAK_LODGE}/visits/{visit}")).await.status, StatusCode::NOT_FOUND);
    let api = app.get(&format!("/api/v1/locations/{ROSE_COURT}")).await.json();
    let published = &api["expert_visits"][0];
    assert_eq!(published["report"]["findings"]["safe"]["judgement"], "good");
    assert_eq!(published["report"]["spoken_with"]["person"], 6);
    assert_eq!(published["href"], format!("/locations/{ROSE_COURT}/visits/{visit}"));

    // The inspector sees the experts' judgement beside the statements it is evidence for.
    let reply = inspector
        .post(
            &app,
            &format!("/manage/locations/{ROSE_COURT}/assessments"),
            &[("service_group", "Care home service with nursing")],
        )
        .await;
    let assessment = location(&reply).split('#').next().expect("a path").to_string();
    let scoring = inspector.get(&app, &assessment).await;
    scoring.assert_contains(&["What experts by experience found", &format!("/locations/{ROSE_COURT}/visits/{visit}")]);
}

#[tokio::test]
async fn a_draft_visit_is_not_public_and_an_empty_report_is_not_sent() {
    let app = TestApp::new().await;
    let mut expert = signed_in(&app, "expert@example.org", vec![grant(Role::Expert, location_scope(ROSE_COURT))]).await;
    let reply = expert.post(&app, "/visits", &[("location", ROSE_COURT)]).await;
    let page = location(&reply).split('#').next().expect("a path").to_string();
    let reply = expert.post(&app, &format!("{page}/send"), &[("window_days", "")]).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    reply.assert_contains(&["Enter the day of the visit", "Write a summary of what you found"]);
    let visit = page.trim_start_matches("/visits/");
    assert_eq!(app.get(&format!("/locations/{ROSE_COURT}/visits/{visit}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("/locations/{ROSE_COURT}/visits/nonsense")).await.status, StatusCode::NOT_FOUND);
    let api = app.get(&format!("/api/v1/locations/{ROSE_COURT}")).await.json();
    assert_eq!(api["expert_visits"], serde_json::json!([]), "a draft is not in the API");
    let reply = expert.post(&app, &format!("{page}/report"), &[("spoken_staff", "lots"), ("visited_on", "soon")]).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    reply.assert_contains(&[
        "Enter how many, as a whole number from 0 to 500",
        "Enter the day of the visit as a real date",
    ]);
}
