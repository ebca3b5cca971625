//! Router tests for complaints: raising one without an account and following
//! it, staff logging one, each step through the provider's forms, what is
//! overdue, who may see what, the API and the CSV export.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use candour_domain::{Role, Scope};
use candour_store::AuditQuery;
use serde_json::{Value, json};

use crate::browser::*;
use crate::fixture::*;

fn today() -> String {
    chrono::Utc::now().date_naive().to_string()
}

fn good(key: &str) -> Vec<(&'static str, String)> {
    vec![
        ("key", key.to_string()),
        ("what_happened", "My mother's tablets were given late three times last week.".to_string()),
        ("desired_outcome", "An explanation and a check of the medicines round.".to_string()),
        ("relationship", "family".to_string()),
        ("name", "Ann Example".to_string()),
        ("email", "ann@example.org".to_string()),
        ("phone", "0113 496 0000".to_string()),
    ]
}

async fn post(app: &TestApp, browser: &mut Browser, uri: &str, fields: &[(&str, String)]) -> Reply {
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    browser.post(app, uri, &fields).await
}

/// Opens the public form and returns the secret it carries.
async fn form_key(app: &TestApp, browser: &mut Browser, uri: &str) -> String {
    let reply = browser.get(app, uri).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    between(&reply.body, "name=\"key\" value=\"", "\"").expect("the form carries a key").to_string()
}

/// Raises a complaint about Rose Court as the public; returns the follow path.
pub(crate) async fn raise(app: &TestApp) -> String {
    let mut public = Browser::new();
    let uri = format!("/locations/{ROSE_COURT}/complaints/new");
    let key = form_key(app, &mut public, &uri).await;
    let reply = post(app, &mut public, &uri, &good(&key)).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    format!("/complaints/follow/{key}")
}

pub(crate) async fn only_complaint_id(app: &TestApp) -> i64 {
    let rose = candour_domain::LocationId::parse(ROSE_COURT).unwrap();
    let all = app.store.complaints(&[rose], None).await.expect("complaints");
    assert_eq!(all.len(), 1);
    all[0].id
}

#[tokio::test]
async fn anyone_raises_a_complaint_and_follows_it_by_its_private_link() {
    let app = TestApp::new().await;
    let page = app.get(&format!("/locations/{ROSE_COURT}")).await;
    page.assert_contains(&[&format!("/locations/{ROSE_COURT}/complaints/new"), "Raise a concern or complaint"]);

    let mut public = Browser::new();
    let uri = format!("/locations/{ROSE_COURT}/complaints/new");
    let form = public.get(&app, &uri).await;
    form.assert_contains(&["Who sees what you write", "never published", "acknowledge within 3 working days"]);
    let key = form_key(&app, &mut public, &uri).await;
    let reply = post(&app, &mut public, &uri, &good(&key)).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&reply), format!("/complaints/follow/{key}/sent"));
    // Sending the form again (a double click) keeps one complaint.
    assert_eq!(post(&app, &mut public, &uri, &good(&key)).await.status, StatusCode::SEE_OTHER);
    let id = only_complaint_id(&app).await;

    let sent = app.get(&format!("/complaints/follow/{key}/sent")).await;
    assert_eq!(sent.status, StatusCode::OK);
    let record = app.store.complaint(id).await.expect("kept");
    sent.assert_contains(&[&record.reference, &format!("http://candour.test/complaints/follow/{key}"), "emailed"]);
    let kept = serde_json::to_string(&record).expect("serialises");
    assert!(!kept.contains(&key), "only a hash of the secret is kept, and never shown");

    let follow = app.get(&format!("/complaints/follow/{key}")).await;
    assert_eq!(follow.status, StatusCode::OK);
    follow.assert_contains(&[
        "Your complaint about Rose Court",
        "Received. The service should acknowledge it by",
        "Local Government and Social Care Ombudsman",
    ]);
    follow.assert_lacks(&["ann@example.org", "0113 496 0000"]);
    assert_eq!(follow.headers[header::CACHE_CONTROL], "no-store");

    let outbox = app.store.outbox(10).await.expect("outbox");
    assert!(
        outbox
            .iter()
            .any(|e| e.to.as_str() == "ann@example.org" && e.body.contains(&format!("/complaints/follow/{key}")))
    );
    let query = AuditQuery { action: Some("complaint_raised".into()), ..AuditQuery::default() };
    assert_eq!(app.store.audit_log(&query).await.expect("audit").total, 1);
}

#[tokio::test]
async fn a_wrong_or_broken_follow_link_finds_nothing() {
    let app = TestApp::new().await;
    let follow = raise(&app).await;
    assert_eq!(app.get(&follow).await.status, StatusCode::OK);
    for wrong in [
        "/complaints/follow/AAAAAAAAAAAAAAAAAAAAAA",
        "/complaints/follow/short",
        "/complaints/follow/a.b.c.d.e.f.g.h.i.j",
    ] {
        assert_eq!(app.get(wrong).await.status, StatusCode::NOT_FOUND, "{wrong}");
        assert_eq!(app.get(&format!("{wrong}/sent")).await.status, StatusCode::NOT_FOUND, "{wrong}/sent");
    }
}

#[tokio::test]
async fn each_bad_field_is_shown_beside_it_and_nothing_is_kept() {
    let app = TestApp::new().await;
    let mut public = Browser::new();
    let uri = format!("/locations/{ROSE_COURT}/complaints/new");
    let key = form_key(&app, &mut public, &uri).await;
    let cases: [(&str, &str, &str); 6] = [
        ("what_happened", "", "Describe what happened"),
        ("what_happened", &"x".repeat(5001), "Keep this under 5,000 characters"),
        ("relationship", "cousin", "Choose how you are connected to the service"),
        ("name", " ", "Enter your name"),
        ("email", "ann@", "Enter an email address like name@example.org"),
        ("phone", "call me", "Enter a phone number like"),
    ];
    for (field, bad, message) in cases {
        let mut fields = good(&key);
        fields.iter_mut().filter(|(k, _)| *k == field).for_each(|(_, v)| *v = bad.to_string());
        let reply = post(&app, &mut public, &uri, &fields).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{field}");
        reply.assert_contains(&[
            "There is a problem",
            &format!("href=\"#{field}\""),
            message,
            &format!("id=\"{field}-error\""),
        ]);
        assert!(reply.body.starts_with("<!DOCTYPE html>"));
    }
    let rose = candour_domain::LocationId::parse(ROSE_COURT).unwrap();
    assert!(app.store.complaints(&[rose], None).await.expect("none").is_empty());
    let broken = post(&app, &mut public, &uri, &good("not a key")).await;
    assert_eq!(broken.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.get(&format!("/locations/{NOT_IN_REGISTER}/complaints/new")).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn staff_log_a_complaint_but_cannot_read_the_dashboard() {
    let app = TestApp::new().await;
    let mut staff = signed_in(&app, "staff@example.org", vec![grant(Role::Staff, location_scope(ROSE_COURT))]).await;
    let uri = format!("/manage/locations/{ROSE_COURT}/complaints/new");
    let key = form_key(&app, &mut staff, &uri).await;
    let mut fields = good(&key);
    let tomorrow = chrono::Utc::now().date_naive().succ_opt().unwrap();
    fields.push(("received_on", tomorrow.to_string()));
    let reply = post(&app, &mut staff, &uri, &fields).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    reply.assert_contains(&["Choose how the complaint was received", "must be today or in the past"]);
    fields.pop();
    fields.push(("received_on", "2026-11-02".to_string()));
    fields.push(("channel", "phone".to_string()));
    let reply = post(&app, &mut staff, &uri, &fields).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let sent = staff.get(&app, location(&reply)).await;
    sent.assert_contains(&["Complaint logged", "Give this link to the person"]);
    let id = only_complaint_id(&app).await;
    let kept = app.store.complaint(id).await.expect("kept");
    assert_eq!(kept.channel.code(), "phone");
    assert_eq!(kept.received_on.to_string(), "2026-11-02");
    assert!(kept.logged_by.is_some());

    assert_eq!(
        staff.get(&app, &format!("/manage/locations/{ROSE_COURT}/complaints")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(staff.get(&app, &format!("/manage/complaints/{id}")).await.status, StatusCode::NOT_FOUND);
    let other = format!("/manage/locations/{HARBOUR_HOME_CARE}/complaints/new");
    assert_eq!(staff.get(&app, &other).await.status, StatusCode::NOT_FOUND);
    // Their workspace offers what they may do, and nothing else.
    let workspace = staff.get(&app, &format!("/manage/locations/{ROSE_COURT}")).await;
    workspace.assert_contains(&[&format!(r#"href="/manage/locations/{ROSE_COURT}/complaints/new""#)]);
    workspace.assert_lacks(&[
        &format!(r#"href="/manage/locations/{ROSE_COURT}/complaints""#),
        &format!(r#"href="/manage/locations/{ROSE_COURT}/plans""#),
    ]);
}

#[tokio::test]
async fn the_provider_takes_every_step_through_the_forms_and_the_follower_sees_them() {
    let app = TestApp::new().await;
    let follow = raise(&app).await;
    let id = only_complaint_id(&app).await;
    let mut admin =
        signed_in(&app, "admin@sunrise.example", vec![grant(Role::ProviderAdmin, provider_scope(SUNRISE))]).await;
    let steps_uri = format!("/manage/complaints/{id}/steps");
    let page = admin.get(&app, &format!("/manage/complaints/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains(&["Ann Example", "ann@example.org", "Acknowledge the complaint", "tablets were given late"]);
    page.assert_lacks(&["Close the complaint"]);

    // Refused: the lifecycle's words; bad input: beside the field.
    let refused = post(
        &app,
        &mut admin,
        &steps_uri,
        &[
            ("step", "close".into()),
            ("close-on", today()),
            ("close-outcome", "upheld".into()),
            ("close-learned", "x".into()),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    refused.assert_contains(&["Acknowledge the complaint first."]);
    let bad =
        post(&app, &mut admin, &steps_uri, &[("step", "acknowledge".into()), ("acknowledge-on", "".into())]).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    bad.assert_contains(&[
        "Enter the date it was acknowledged",
        "id=\"acknowledge-on-error\"",
        "href=\"#acknowledge-on\"",
    ]);

    let t = today();
    let steps: Vec<Vec<(&str, String)>> = vec![
        vec![("step", "acknowledge".into()), ("acknowledge-on", t.clone())],
        vec![("step", "agree_response_date".into()), ("agree_response_date-agreed_by", "2027-01-29".into())],
        vec![("step", "investigate".into()), ("investigate-on", t.clone())],
        vec![
            ("step", "send_response".into()),
            ("send_response-on", t.clone()),
            ("send_response-response", "We are sorry: the round now starts at 8.".into()),
        ],
        vec![
            ("step", "close".into()),
            ("close-on", t.clone()),
            ("close-outcome", "partly_upheld".into()),
            ("close-learned", "Rota changed".into()),
        ],
        vec![
            ("step", "escalate".into()),
            ("escalate-on", t.clone()),
            ("escalate-escalated_to", "ombudsman".into()),
            ("escalate-reference", "LG-77".into()),
        ],
    ];
    for fields in &steps {
        let reply = post(&app, &mut admin, &steps_uri, fields).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{:?}: {}", fields[0], reply.body);
        assert!(location(&reply).starts_with(&format!("/manage/complaints/{id}?done=")));
    }
    let record = app.store.complaint(id).await.expect("kept");
    let escalation = record.escalations[0].id.to_string();
    let result = [
        ("step", "escalation_result".into()),
        ("escalation_result-escalation", escalation),
        ("escalation_result-on", t.clone()),
        ("escalation_result-result", "Not upheld".into()),
    ];
    assert_eq!(post(&app, &mut admin, &steps_uri, &result).await.status, StatusCode::SEE_OTHER);
    let page = admin.get(&app, &format!("/manage/complaints/{id}?done=escalation_result")).await;
    page.assert_contains(&[
        "Saved: Record the result of an escalation",
        "Response date agreed",
        "Closed: partly upheld",
        "reference LG-77",
        "Result on",
    ]);

    let followed = app.get(&follow).await;
    followed.assert_contains(&["We are sorry: the round now starts at 8.", "Partly upheld", "Rota changed", "Closed."]);
    let query = AuditQuery { action: Some("complaint_step".into()), ..AuditQuery::default() };
    assert_eq!(app.store.audit_log(&query).await.expect("audit").total, 7);
}

#[tokio::test]
async fn overdue_complaints_are_flagged_in_words() {
    let app = TestApp::new().await;
    let mut manager =
        signed_in(&app, "manager@example.org", vec![grant(Role::Manager, location_scope(ROSE_COURT))]).await;
    let uri = format!("/manage/locations/{ROSE_COURT}/complaints/new");
    let key = form_key(&app, &mut manager, &uri).await;
    let mut fields = good(&key);
    fields.push(("received_on", "2026-01-05".to_string()));
    fields.push(("channel", "letter".to_string()));
    assert_eq!(post(&app, &mut manager, &uri, &fields).await.status, StatusCode::SEE_OTHER);
    let dashboard = manager.get(&app, &format!("/manage/locations/{ROSE_COURT}/complaints")).await;
    assert_eq!(dashboard.status, StatusCode::OK);
    dashboard.assert_contains(&["Overdue: acknowledgement and response", "1 complaint is overdue", "8 January 2026"]);
    let filtered = manager.get(&app, &format!("/manage/locations/{ROSE_COURT}/complaints?status=closed")).await;
    filtered.assert_contains(&["There are no complaints to show."]);
    let bad = manager.get(&app, &format!("/manage/locations/{ROSE_COURT}/complaints?status=lost")).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn overseers_read_but_write_nothing_and_others_find_nothing() {
    let app = TestApp::new().await;
    raise(&app).await;
    let id = only_complaint_id(&app).await;
    let page = format!("/manage/complaints/{id}");
    let dashboard = format!("/manage/locations/{ROSE_COURT}/complaints");
    let provider = format!("/manage/providers/{SUNRISE}/complaints");
    let ack = [("step", "acknowledge".to_string()), ("acknowledge-on", today())];

    for (email, grants) in [
        ("inspector@example.org", vec![grant(Role::Inspector, Scope::All)]),
        ("leeds@example.org", vec![grant(Role::Commissioner, Scope::LocalAuthority("Leeds".into()))]),
    ] {
        let mut b = signed_in(&app, email, grants).await;
        let reply = b.get(&app, &page).await;
        assert_eq!(reply.status, StatusCode::OK, "{email}");
        reply.assert_contains(&["Only the provider records its steps"]);
        reply.assert_lacks(&["Record the acknowledgement"]);
        assert_eq!(b.get(&app, &dashboard).await.status, StatusCode::OK, "{email}");
        assert_eq!(b.get(&app, &provider).await.status, StatusCode::OK, "{email}");
        assert_eq!(post(&app, &mut b, &format!("{page}/steps"), &ack).await.status, StatusCode::NOT_FOUND, "{email}");
    }
    for (email, grants) in [
        ("harbour@example.org", vec![grant(Role::ProviderAdmin, provider_scope(HARBOUR))]),
        ("bristol@example.org", vec![grant(Role::Commissioner, Scope::LocalAuthority("Bristol".into()))]),
    ] {
        let mut b = signed_in(&app, email, grants).await;
        for uri in [&page, &dashboard, &provider, &format!("{provider}.csv")] {
            assert_eq!(b.get(&app, uri).await.status, StatusCode::NOT_FOUND, "{email} {uri}");
        }
        assert_eq!(post(&app, &mut b, &format!("{page}/steps"), &ack).await.status, StatusCode::NOT_FOUND);
    }
    // Another service's manager sees the provider's page with their own service's complaints only.
    let reference = app.store.complaint(id).await.expect("kept").reference;
    let mut oak = signed_in(&app, "oak@example.org", vec![grant(Role::Manager, location_scope(OAK_LODGE))]).await;
    for uri in [&page, &dashboard] {
        assert_eq!(oak.get(&app, uri).await.status, StatusCode::NOT_FOUND, "{uri}");
    }
    let theirs = oak.get(&app, &provider).await;
    assert_eq!(theirs.status, StatusCode::OK);
    theirs.assert_lacks(&[&reference]);
    assert_eq!(post(&app, &mut oak, &format!("{page}/steps"), &ack).await.status, StatusCode::NOT_FOUND);
    let anonymous = app.get(&page).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER, "to sign in");
    assert_eq!(app.store.complaint(id).await.expect("kept").acknowledged_on, None, "nobody wrote");
}

async fn api(app: &TestApp, token: &str, method: &str, uri: &str, body: Option<Value>) -> Reply {
    let mut request =
        Request::builder().method(method).uri(uri).header(header::AUTHORIZATION, format!("Bearer {token}"));
    let body = match body {
        Some(value) => {
            request = request.header(header::CONTENT_TYPE, "application/json");
            Body::from(value.to_string())
        }
        None => Body::empty(),
    };
    app.request(request.body(body).expect("a request")).await
}

#[tokio::test]
async fn the_api_logs_lists_reads_and_steps_complaints() {
    let app = TestApp::new().await;
    let admin =
        api_token(&app, "admin@sunrise.example", vec![grant(Role::ProviderAdmin, provider_scope(SUNRISE))]).await;
    let list = format!("/api/v1/manage/locations/{ROSE_COURT}/complaints");
    let new = json!({
        "what_happened": "Nobody came for the 8 o'clock call", "relationship": "person", "name": "Bob",
        "channel": "email", "received_on": today()
    });
    let reply = api(&app, &admin, "POST", &list, Some(new.clone())).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let id = reply.json()["id"].as_i64().expect("an id");
    assert!(reply.json()["follow_url"].as_str().expect("a link").starts_with("http://candour.test/complaints/follow/"));

    let bad = api(&app, &admin, "POST", &list, Some(json!({ "relationship": "cousin" }))).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = bad.json();
    let fields: Vec<&str> =
        body["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["what_happened", "relationship", "name", "channel", "received_on"]);

    let listed = api(&app, &admin, "GET", &list, None).await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(listed.json()["complaints"][0]["status"], "received");
    assert_eq!(listed.json()["complaints"][0]["overdue"]["acknowledgement"], false);

    let steps = format!("/api/v1/complaints/{id}/steps");
    let refused =
        api(&app, &admin, "POST", &steps, Some(json!({ "step": "send_response", "on": today(), "response": "Sorry" })))
            .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.json()["error"]["message"], "Acknowledge the complaint first.");
    let done = api(&app, &admin, "POST", &steps, Some(json!({ "step": "acknowledge", "on": today() }))).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.json()["status"], "acknowledged");
    let one = api(&app, &admin, "GET", &format!("/api/v1/complaints/{id}"), None).await;
    assert_eq!(one.json()["contact"]["name"], "Bob");
    assert_eq!(one.json()["timeline"].as_array().unwrap().len(), 2);

    let staff = api_token(&app, "staff@example.org", vec![grant(Role::Staff, location_scope(ROSE_COURT))]).await;
    assert_eq!(api(&app, &staff, "GET", &list, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(api(&app, &staff, "POST", &list, Some(new)).await.status, StatusCode::CREATED, "staff may log");
    assert_eq!(api(&app, &staff, "GET", &format!("/api/v1/complaints/{id}"), None).await.status, StatusCode::NOT_FOUND);
    let inspector = api_token(&app, "inspector@example.org", vec![grant(Role::Inspector, Scope::All)]).await;
    assert_eq!(api(&app, &inspector, "GET", &list, None).await.status, StatusCode::OK);
    let write = api(&app, &inspector, "POST", &steps, Some(json!({ "step": "investigate", "on": today() }))).await;
    assert_eq!(write.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_csv_export_leaves_out_who_complained_and_is_audited() {
    let app = TestApp::new().await;
    raise(&app).await;
    let mut admin =
        signed_in(&app, "admin@sunrise.example", vec![grant(Role::ProviderAdmin, provider_scope(SUNRISE))]).await;
    let reply = admin.get(&app, &format!("/manage/providers/{SUNRISE}/complaints.csv")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/csv"));
    let record = app.store.complaint(only_complaint_id(&app).await).await.expect("kept");
    reply.assert_contains(&[
        "reference,location_id,location_name,received_on",
        &record.reference,
        "Rose Court",
        "received",
    ]);
    reply.assert_lacks(&["Ann Example", "ann@example.org", "0113", "tablets"]);
    let query = AuditQuery { action: Some("export".into()), ..AuditQuery::default() };
    assert_eq!(
        app.store.audit_log(&query).await.expect("audit").items[0].resource,
        format!("complaints:provider:{SUNRISE}")
    );
}

#[tokio::test]
async fn a_complaint_describing_harm_raises_a_safeguarding_alert_that_monitoring_sees() {
    let app = TestApp::new().await;
    let mut public = Browser::new();
    let uri = format!("/locations/{ROSE_COURT}/complaints/new");
    let key = form_key(&app, &mut public, &uri).await;
    let mut fields = good(&key);
    fields[1].1 = "The night carer punched my father and I saw bruises on his arm.".to_string();
    assert_eq!(post(&app, &mut public, &uri, &fields).await.status, StatusCode::SEE_OTHER);

    let mut manager =
        signed_in(&app, "manager@example.org", vec![grant(Role::Manager, location_scope(ROSE_COURT))]).await;
    let dashboard = manager.get(&app, &format!("/manage/locations/{ROSE_COURT}/complaints")).await;
    dashboard.assert_contains(&["Safeguarding alert</strong>"]);
    let id = only_complaint_id(&app).await;
    let page = manager.get(&app, &format!("/manage/complaints/{id}")).await;
    page.assert_contains(&["Safeguarding alert raised, level 5"]);

    // A severe alert from a complaint puts the service in band 1, as feedback's does.
    let snapshot = app.settled().await;
    let rose = candour_domain::LocationId::parse(ROSE_COURT).unwrap();
    let watched = snapshot.get(&rose).expect("watched");
    assert!(
        watched.results.flags.iter().any(|f| f.kind == candour_engine::monitoring::FlagKind::SevereSafeguardingAlert)
    );
    assert_eq!(watched.entry.band, 1);

    // The benchmark page says where its complaint figures come from.
    let mut inspector = signed_in(&app, "inspector@example.org", vec![grant(Role::Inspector, Scope::All)]).await;
    let page = inspector.get(&app, &format!("/monitoring/locations/{ROSE_COURT}")).await;
    let since = chrono::Utc::now().date_naive().format("%B %Y");
    page.assert_contains(&[&format!("complaint log from {since}")]);
}

/// A date slip such as `1/1/1` is refused beside its field, not stored to trip up
/// monitoring later; so is a year before the plausible range.
#[tokio::test]
async fn implausible_received_dates_are_refused_on_the_form() {
    let app = TestApp::new().await;
    let mut staff = signed_in(&app, "staff@example.org", vec![grant(Role::Staff, location_scope(ROSE_COURT))]).await;
    let uri = format!("/manage/locations/{ROSE_COURT}/complaints/new");
    for (slip, message) in [
        ("1/1/1", "Enter a real date, like 2026-03-27 or 27/3/2026"),
        ("0001-01-01", "Enter a date between 1 January 1990 and 31 December"),
        ("1/1/1900", "Enter a date between 1 January 1990 and 31 December"),
    ] {
        let key = form_key(&app, &mut staff, &uri).await;
        let mut fields = good(&key);
        fields.push(("received_on", slip.to_string()));
        fields.push(("channel", "phone".to_string()));
        let reply = post(&app, &mut staff, &uri, &fields).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{slip}");
        reply.assert_contains(&[message, r##"href="#received_on""##, r#"id="received_on-error""#]);
    }
    let rose = candour_domain::LocationId::parse(ROSE_COURT).unwrap();
    assert!(app.store.complaints(&[rose], None).await.expect("none").is_empty(), "nothing was stored");
}

#[tokio::test]
async fn implausible_received_dates_are_refused_by_the_api() {
    let app = TestApp::new().await;
    let admin =
        api_token(&app, "admin@sunrise.example", vec![grant(Role::ProviderAdmin, provider_scope(SUNRISE))]).await;
    let list = format!("/api/v1/manage/locations/{ROSE_COURT}/complaints");
    for slip in ["0001-01-01", "1/1/1", "-2026-01-01"] {
        let new = json!({
            "what_happened": "Nobody came for the 8 o'clock call", "relationship": "person", "name": "Bob",
            "channel": "email", "received_on": slip
        });
        let reply = api(&app, &admin, "POST", &list, Some(new)).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{slip}: {}", reply.body);
        let field = &reply.json()["error"]["fields"][0];
        assert_eq!(field["field"], "received_on", "{slip}");
        assert!(field["message"].as_str().unwrap().starts_with("Enter a"), "{slip}: {field}");
    }
    let rose = candour_domain::LocationId::parse(ROSE_COURT).unwrap();
    assert!(app.store.complaints(&[rose], None).await.expect("none").is_empty(), "nothing was stored");
}
