//! The anonymity promise: a respondent's contact details are seen by moderators
//! and never by anyone else. Feedback with distinctive contact details is given,
//! raises an alert, is published and answered; then every role but moderator
//! and administrator fetches every page and API route reachable for that
//! service, its provider and its area, public and private, and none of them
//! contains any part of the contact details. A moderator's page does, so the
//! test can tell.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use candour_domain::voice::{ChangeClaim, RawFeedback};
use candour_domain::{Role, Scope};
use candour_store::{ContactScope, NewAssessment};
use chrono::Utc;

use crate::browser::*;
use crate::fixture::*;
use crate::moderation::{feedback, give, lid, principal, publish, voice};

const NAME: &str = "Zebedee Quillfeather";
const EMAIL: &str = "zebedee.quill@private-contact.example";
const PHONE: &str = "07700 900461";
/// Each part on its own, so a partial leak is caught too.
const SECRETS: [&str; 4] = ["Quillfeather", "zebedee.quill", "private-contact.example", "900461"];

fn contactable(story: &str, anonymous: &str) -> RawFeedback {
    RawFeedback {
        anonymous: anonymous.into(),
        contact_name: NAME.into(),
        contact_email: EMAIL.into(),
        contact_phone: PHONE.into(),
        ..feedback(story)
    }
}

/// The records the pages show: feedback raising an alert, published with a
/// published reply; feedback whose giver agreed to be named, still waiting; and
/// an assessment sent to the provider.
struct Records {
    feedback: i64,
    reference: String,
    alert: i64,
    assessment: i64,
    key: String,
}

async fn records(app: &TestApp) -> Records {
    let moderator = principal(app, "setup-moderator@example.org", vec![grant(Role::Moderator, Scope::All)]).await;
    let provider =
        principal(app, "setup-pa@example.org", vec![grant(Role::ProviderAdmin, provider_scope(SUNRISE))]).await;
    let key = candour_app::voice::new_submission_key();
    let raw = contactable("A carer slapped me, and Zebedee saw it.", "yes");
    let receipt = voice(app)
        .submit(&lid(ROSE_COURT), &raw, candour_domain::voice::Channel::Online, &key, None, Utc::now())
        .await
        .expect("feedback stored");
    publish(app, &moderator, receipt.feedback_id, "A carer hurt me.").await;
    let reply = voice(app)
        .reply(receipt.feedback_id, &provider, "We are looking into it.", ChangeClaim::None, "", Utc::now())
        .await
        .expect("a reply");
    voice(app).check_reply(reply.id, None, &moderator, Utc::now()).await.expect("the reply published");
    give(app, ROSE_COURT, &contactable("I am happy to be named.", "no")).await;
    let assessment = app
        .store
        .create_assessment(&NewAssessment {
            location_id: lid(ROSE_COURT),
            service_group: "Care home service with nursing".into(),
            service_kind: candour_domain::ServiceKind::CareHomeNursing,
            policy: "{}".into(),
            created_by: moderator.user_id,
            created_at: Utc::now(),
        })
        .await
        .expect("an assessment");
    app.store
        .send_assessment(assessment.id, Utc::now().date_naive() + chrono::Days::new(14), Utc::now(), &[])
        .await
        .expect("sent");
    Records {
        feedback: receipt.feedback_id,
        reference: receipt.reference,
        alert: receipt.alert_id.expect("an alert"),
        assessment: assessment.id,
        key,
    }
}

/// Every page a role might reach for the service, its provider and its area.
fn pages(r: &Records) -> Vec<String> {
    let id = ROSE_COURT;
    let digits = id.trim_start_matches("1-");
    vec![
        "/".into(),
        "/locations".into(),
        "/locations?name=Rose".into(),
        "/locations?local_authority=Leeds".into(),
        format!("/locations/{id}"),
        format!("/locations/{id}?page=1"),
        format!("/providers/{SUNRISE}"),
        format!("/locations/{id}/feedback"),
        format!("/locations/{id}/feedback/poster"),
        format!("/locations/{id}/feedback/qr.svg"),
        format!("/f/{digits}"),
        "/manage".into(),
        "/account".into(),
        format!("/manage/providers/{SUNRISE}"),
        format!("/manage/locations/{id}"),
        "/manage/areas/Leeds".into(),
        format!("/manage/assessments/{}", r.assessment),
        "/manage/alerts".into(),
        format!("/manage/alerts?reference={}", r.reference),
        format!("/manage/alerts/{}", r.alert),
        format!("/manage/locations/{id}/voice"),
        format!("/manage/locations/{id}/feedback/new"),
        format!("/manage/locations/{id}/feedback/new?group=staff"),
        "/moderation".into(),
        format!("/moderation/{}", r.feedback),
        "/moderation/replies".into(),
        "/admin/audit".into(),
        "/admin/outbox".into(),
        "/admin/users".into(),
    ]
}

/// Every API route, public and private.
fn api(r: &Records) -> Vec<String> {
    let id = ROSE_COURT;
    vec![
        "/api/v1/locations?local_authority=Leeds".into(),
        format!("/api/v1/locations/{id}"),
        format!("/api/v1/locations/{id}/voice"),
        format!("/api/v1/providers/{SUNRISE}"),
        "/api/v1/me".into(),
        format!("/api/v1/manage/locations/{id}"),
        format!("/api/v1/manage/providers/{SUNRISE}"),
        format!("/api/v1/manage/locations/{id}/assessments"),
        format!("/api/v1/assessments/{}", r.assessment),
    ]
}

#[tokio::test]
async fn no_page_or_api_route_shows_a_respondents_contact_details_outside_moderation() {
    let app = TestApp::new().await;
    let r = records(&app).await;
    let roles: Vec<(&str, Vec<candour_domain::Grant>)> = vec![
        ("provider_admin", vec![grant(Role::ProviderAdmin, provider_scope(SUNRISE))]),
        ("manager", vec![grant(Role::Manager, location_scope(ROSE_COURT))]),
        ("staff", vec![grant(Role::Staff, location_scope(ROSE_COURT))]),
        ("commissioner", vec![grant(Role::Commissioner, Scope::LocalAuthority("Leeds".into()))]),
        ("inspector", vec![grant(Role::Inspector, Scope::All)]),
    ];
    let mut callers = vec![("anonymous", Browser::new(), None)];
    for (role, grants) in roles {
        let email = format!("{role}@example.org");
        let browser = signed_in(&app, &email, grants).await;
        let users = app.store.users().await.expect("users");
        let user = users.into_iter().find(|u| u.email.as_str() == email).expect("the user");
        let (_, secret) = accounts(&app)
            .create_api_token(&candour_app::accounts::principal(&user), "anonymity", None)
            .await
            .expect("a token");
        callers.push((role, browser, Some(secret.expose().to_string())));
    }

    let mut leaks = Vec::new();
    let mut answered = std::collections::HashSet::new();
    for (role, browser, token) in &mut callers {
        for uri in pages(&r) {
            let reply = browser.get(&app, &uri).await;
            if reply.status.is_success() {
                answered.insert(format!("{role} {uri}"));
            }
            leaks.extend(SECRETS.iter().filter(|s| reply.body.contains(*s)).map(|s| format!("{role} GET {uri}: {s}")));
        }
        for uri in api(&r) {
            let mut request = Request::get(uri.as_str());
            if let Some(token) = token {
                request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
            }
            let reply = app.request(request.body(Body::empty()).expect("a request")).await;
            if reply.status.is_success() {
                answered.insert(format!("{role} {uri}"));
            }
            leaks.extend(SECRETS.iter().filter(|s| reply.body.contains(*s)).map(|s| format!("{role} API {uri}: {s}")));
        }
    }
    assert!(leaks.is_empty(), "contact details leaked:\n{}", leaks.join("\n"));
    // Each role really did see the pages that show the story, its alert and its reply.
    for seen in [
        format!("provider_admin /manage/locations/{ROSE_COURT}/voice"),
        format!("staff /manage/alerts/{}", r.alert),
        format!("commissioner /manage/alerts/{}", r.alert),
        format!("inspector /manage/assessments/{}", r.assessment),
        format!("manager /api/v1/assessments/{}", r.assessment),
        format!("anonymous /locations/{ROSE_COURT}"),
        format!("anonymous /api/v1/locations/{ROSE_COURT}/voice"),
    ] {
        assert!(answered.contains(&seen), "{seen} did not answer: the search would prove nothing");
    }

    // Alert emails and notices go to the provider, the authority and the managers: they carry
    // no contact details either. The person's own notices, to the address they left, greet
    // them by name and carry nothing else of theirs.
    for email in app.store.outbox(100).await.expect("the outbox") {
        let theirs = email.to.as_str() == EMAIL.to_lowercase();
        for s in SECRETS.iter().filter(|s| !theirs || PHONE.contains(**s)) {
            let html = email.html.as_deref().unwrap_or_default();
            let carried = email.body.contains(s) || email.subject.contains(s) || html.contains(s);
            assert!(!carried, "an email to {} carries {s}", email.to);
        }
    }

    // The moderator sees them, so the search above would have found a leak.
    let mut moderator = signed_in(&app, "moderator@example.org", vec![grant(Role::Moderator, Scope::All)]).await;
    let page = moderator.get(&app, &format!("/moderation/{}", r.feedback)).await;
    page.assert_contains(&[NAME, EMAIL, PHONE]);
    // The person's own return page is theirs alone, and is not a provider's page.
    let own = Browser::new().get(&app, &format!("/feedback/{}", r.key)).await;
    own.assert_contains(&["We are looking into it."]);
}

#[tokio::test]
async fn the_provider_sees_the_published_story_and_reply_but_never_the_original() {
    let app = TestApp::new().await;
    let r = records(&app).await;
    let mut provider =
        signed_in(&app, "pa@example.org", vec![grant(Role::ProviderAdmin, provider_scope(SUNRISE))]).await;
    let page = provider.get(&app, &format!("/manage/locations/{ROSE_COURT}/voice")).await;
    page.assert_contains(&["A carer hurt me.", "We are looking into it."]);
    page.assert_lacks(&["Zebedee saw it", "I am happy to be named."]);
    // The alert shows the story as written to those who must act on it (here the
    // provider's named safeguarding lead), but not who wrote it.
    let lead = candour_domain::Email::parse("pa@example.org").expect("an email");
    let scope = ContactScope::Provider(candour_domain::ProviderId::parse(SUNRISE).expect("an ID"));
    app.store.set_safeguarding_contact(&scope, Some(("Pat Lead", &lead)), None, Utc::now()).await.expect("set");
    let alert = provider.get(&app, &format!("/manage/alerts/{}", r.alert)).await;
    alert.assert_contains(&["A carer slapped me"]);
    alert.assert_lacks(&SECRETS);
}

#[tokio::test]
async fn feeds_and_reports_carry_the_published_story_and_reply_never_the_original() {
    let app = TestApp::new().await;
    records(&app).await;
    // Stories appear with the figures, once a snapshot counts them.
    let now = Utc::now();
    app.store.refresh_voice_snapshots(1, now, now).await.expect("a snapshot");
    for path in [format!("/locations/{ROSE_COURT}/feed.atom"), "/areas/Leeds/feed.atom".to_string()] {
        let feed = app.get(&path).await;
        assert_eq!(feed.status, StatusCode::OK, "{path}");
        feed.assert_contains(&["A carer hurt me.", "We are looking into it."]);
        feed.assert_lacks(&SECRETS);
        feed.assert_lacks(&["Zebedee saw it"]);
    }
    app.get("/areas/Leeds/feed.atom").await.assert_contains(&["at Rose Court: "]);
    for path in [format!("/locations/{ROSE_COURT}/report.pdf"), "/areas/Leeds/report.pdf".to_string()] {
        let pdf = app.get(&path).await;
        assert_eq!(pdf.status, StatusCode::OK, "{path}");
        pdf.assert_lacks(&SECRETS);
    }
}
