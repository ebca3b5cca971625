//! Improvement plans on the web and through the API: building a plan from the
//! location's findings, actions and their status, evidence uploads (good, too
//! large, the wrong type), downloads, publishing to the public page, the CSV
//! export, and who may see or change what.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use candour_domain::improvement::ActionStatus;
use candour_domain::{LocationId, Role, Scope};
use candour_store::AuditQuery;
use serde_json::{Value, json};

use crate::browser::*;
use crate::fixture::*;

fn rose() -> LocationId {
    LocationId::parse(ROSE_COURT).expect("an ID")
}

async fn admin(app: &TestApp) -> Browser {
    signed_in(app, "admin@sunrise.example", vec![grant(Role::ProviderAdmin, provider_scope(SUNRISE))]).await
}

/// Starts a plan at Rose Court from its Safe rating (Requires improvement) and an
/// upheld complaint; returns its ID.
async fn start_plan(app: &TestApp, browser: &mut Browser) -> i64 {
    let reply = browser
        .post(
            app,
            &format!("/manage/locations/{ROSE_COURT}/plans/new"),
            &[
                ("title", "After the 2024 inspection"),
                ("started_on", "2025-01-06"),
                ("finding", "rating:safe"),
                ("complaint_reference", "CMP-1042"),
                ("complaint_text", "Missed evening medicines"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let to = location(&reply);
    assert!(to.starts_with("/manage/plans/") && to.ends_with("?saved=created"), "{to}");
    to["/manage/plans/".len()..to.find('?').unwrap()].parse().expect("a plan ID")
}

async fn add_action(app: &TestApp, browser: &mut Browser, plan: i64, description: &str, due: &str) -> i64 {
    let kept = app.store.plan(plan).await.expect("the plan");
    let finding = kept.findings[0].id.to_string();
    let reply = browser
        .post(
            app,
            &format!("/manage/plans/{plan}/actions/new"),
            &[
                ("finding", &finding),
                ("statement", "S4"),
                ("description", description),
                ("owner", "Deputy manager"),
                ("due_on", due),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    app.store.plan(plan).await.expect("the plan").actions.last().expect("an action").id
}

/// Sends the evidence form as a browser does: multipart, with the CSRF token, a note and a file.
async fn upload(
    app: &TestApp,
    browser: &mut Browser,
    plan: i64,
    action: i64,
    note: &str,
    file: Option<(&str, &[u8])>,
) -> Reply {
    let token = browser.csrf_token(app).await;
    let boundary = "candour-plan-boundary-93a1";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\n{note}\r\n"
    )
    .into_bytes();
    let (name, content) = file.unwrap_or(("", b""));
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let cookies: Vec<String> = ["candour_session", "candour_csrf"]
        .into_iter()
        .filter_map(|name| browser.cookie(name).map(|value| format!("{name}={value}")))
        .collect();
    let request = Request::post(format!("/manage/plans/{plan}/actions/{action}/evidence"))
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .header(header::COOKIE, cookies.join("; "))
        .body(Body::from(body))
        .expect("a request");
    app.request(request).await
}

#[tokio::test]
async fn a_provider_builds_a_plan_from_its_findings() {
    let app = TestApp::new().await;
    let mut browser = admin(&app).await;
    let form = browser.get(&app, &format!("/manage/locations/{ROSE_COURT}/plans/new")).await;
    assert_eq!(form.status, StatusCode::OK);
    form.assert_contains(&["Start an improvement plan", "value=\"rating:safe\"", "Safe rated Requires improvement"]);
    form.assert_lacks(&["rating:overall"]);

    let plan = start_plan(&app, &mut browser).await;
    let kept = app.store.plan(plan).await.expect("the plan");
    let findings: Vec<(&str, &str)> =
        kept.findings.iter().map(|f| (f.finding.kind.code(), f.finding.reference.as_str())).collect();
    assert_eq!(findings, [("rating", "safe"), ("complaint", "CMP-1042")]);

    let action = add_action(&app, &mut browser, plan, "Check every medicines chart each evening", "2020-02-01").await;
    let page = browser.get(&app, &format!("/manage/plans/{plan}")).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains(&[
        "After the 2024 inspection",
        "Check every medicines chart each evening",
        "S4 Safe:",
        "Not started: overdue, was due 1 February 2020",
        "0 of 1 action done, 1 overdue",
        "Actions done by the end of each month",
    ]);
    assert_eq!(page.headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
    let list = browser.get(&app, &format!("/manage/locations/{ROSE_COURT}/plans")).await;
    list.assert_contains(&["After the 2024 inspection", "0 of 1 action done, 1 overdue", "Not published"]);

    let audit = app.store.audit_log(&AuditQuery { action: Some("plan_create".into()), ..Default::default() }).await;
    assert_eq!(audit.expect("audit").total, 1);
    let audit = app.store.audit_log(&AuditQuery { action: Some("plan_action_add".into()), ..Default::default() }).await;
    assert_eq!(audit.expect("audit").items[0].resource, format!("improvement_plan:{plan}"));
    let _ = action;
}

#[tokio::test]
async fn bad_plans_and_actions_are_refused_beside_their_fields() {
    let app = TestApp::new().await;
    let mut browser = admin(&app).await;
    let reply = browser
        .post(
            &app,
            &format!("/manage/locations/{ROSE_COURT}/plans/new"),
            &[("title", ""), ("started_on", "2025-02-30")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    reply.assert_contains(&[
        "Error: Start an improvement plan",
        r##"<a href="#title">Enter a title for the plan</a>"##,
        r##"<a href="#started_on">Enter the date the plan began as a real date"##,
        r#"id="title-error""#,
    ]);
    let reply = browser
        .post(
            &app,
            &format!("/manage/locations/{ROSE_COURT}/plans/new"),
            &[("title", "A plan"), ("started_on", "2025-02-01")],
        )
        .await;
    reply.assert_contains(&["Choose at least one finding", r#"id="finding-1-error""#]);
    let reply = browser
        .post(
            &app,
            &format!("/manage/locations/{ROSE_COURT}/plans/new"),
            &[("title", "A plan"), ("started_on", "2025-02-01"), ("complaint_text", "Rude reply")],
        )
        .await;
    reply.assert_contains(&[r##"<a href="#complaint_reference">Enter the complaint&#39;s reference number</a>"##]);

    let plan = start_plan(&app, &mut browser).await;
    let reply = browser
        .post(
            &app,
            &format!("/manage/plans/{plan}/actions/new"),
            &[("finding", "999"), ("statement", "Q1"), ("due_on", "soon")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    reply.assert_contains(&[
        "Choose the finding this action answers",
        "Choose the quality statement this action improves",
        "Describe what will be done",
        "Enter who owns this action",
        "Enter the due date as a real date",
    ]);
    assert!(app.store.plan(plan).await.expect("plan").actions.is_empty(), "nothing saved");

    // A year outside the plausible range is refused, naming the range.
    let finding = app.store.plan(plan).await.expect("plan").findings[0].id.to_string();
    for slip in ["1900-01-01", "0001-01-01", "3000-01-01"] {
        let fields = [
            ("finding", finding.as_str()),
            ("statement", "S4"),
            ("description", "Weekly medicines audit"),
            ("owner", "Deputy manager"),
            ("due_on", slip),
        ];
        let reply = browser.post(&app, &format!("/manage/plans/{plan}/actions/new"), &fields).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{slip}");
        reply.assert_contains(&["Enter the due date between 1 January 1990 and 31 December", r##"href="#due_on""##]);
    }
    assert!(app.store.plan(plan).await.expect("plan").actions.is_empty(), "nothing saved");
}

#[tokio::test]
async fn evidence_is_checked_by_content_and_done_needs_it() {
    let app = TestApp::new().await;
    let mut browser = admin(&app).await;
    let plan = start_plan(&app, &mut browser).await;
    let action = add_action(&app, &mut browser, plan, "Weekly medicines audit", "2035-01-01").await;
    let status = format!("/manage/plans/{plan}/actions/{action}/status");

    // Done without evidence is refused, with the reason beside the field.
    let reply = browser.post(&app, &status, &[("status", "done")]).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    reply.assert_contains(&[
        "Add evidence of completion (a note or a file) before marking the action done",
        r#"id="status-error""#,
    ]);

    // A program renamed .pdf: refused by content, the note not saved either.
    let exe: &[u8] = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00";
    let reply = upload(&app, &mut browser, plan, action, "Audit attached", Some(("audit.pdf", exe))).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    reply.assert_contains(&[
        r##"<a href="#file">audit.pdf is not a file we accept: send PDF, PNG or JPEG images, or plain text or CSV files"##,
        r#"id="file-error""#,
    ]);
    // A web page called notes.txt is refused too.
    let reply =
        upload(&app, &mut browser, plan, action, "", Some(("notes.txt", b"<html><script>x</script></html>"))).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    // Over 5 MB (but within what a request may carry): refused beside the field.
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(5 * 1024 * 1024 + 1, b'x');
    let reply = upload(&app, &mut browser, plan, action, "", Some(("scan.pdf", &big))).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    reply.assert_contains(&["scan.pdf is larger than 5 MB"]);
    // Nothing at all.
    let reply = upload(&app, &mut browser, plan, action, " ", None).await;
    reply.assert_contains(&["Write an evidence note, or choose a file, or both"]);
    assert!(app.store.plan(plan).await.expect("plan").actions[0].evidence.is_empty(), "nothing saved");

    // A real PDF and a note are kept.
    let pdf: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF";
    let reply = upload(
        &app,
        &mut browser,
        plan,
        action,
        "March audit: 40 of 40 charts complete",
        Some(("march audit.pdf", pdf)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let kept = app.store.plan(plan).await.expect("plan");
    let evidence = &kept.actions[0].evidence[0];
    let file = evidence.file.as_ref().expect("a file");
    assert_eq!((file.name.as_str(), file.kind.code(), file.size), ("march audit.pdf", "pdf", pdf.len() as u64));

    let reply = browser.post(&app, &status, &[("status", "done")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let kept = app.store.plan(plan).await.expect("plan");
    assert_eq!(kept.actions[0].status, ActionStatus::Done);
    assert_eq!(kept.actions[0].history.len(), 2);

    // Downloaded as an attachment with its checked type.
    let href = format!("/manage/plans/{plan}/evidence/{}/file", evidence.id);
    let reply = browser.get(&app, &href).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.headers.get(header::CONTENT_TYPE).unwrap(), "application/pdf");
    assert_eq!(reply.headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(), "nosniff");
    let disposition = reply.headers.get(header::CONTENT_DISPOSITION).unwrap().to_str().unwrap();
    assert!(disposition.starts_with("attachment; filename=\"march audit.pdf\""), "{disposition}");
    assert_eq!(reply.body.as_bytes(), pdf);

    // Dropping needs a reason.
    let second = add_action(&app, &mut browser, plan, "Second", "2035-01-01").await;
    let reply =
        browser.post(&app, &format!("/manage/plans/{plan}/actions/{second}/status"), &[("status", "dropped")]).await;
    reply.assert_contains(&["Give the reason for dropping the action"]);

    // Staff, the other provider and the public cannot download it.
    let mut staff = signed_in(&app, "staff@example.org", vec![grant(Role::Staff, location_scope(ROSE_COURT))]).await;
    assert_eq!(staff.get(&app, &href).await.status, StatusCode::NOT_FOUND);
    let mut other =
        signed_in(&app, "admin@harbour.example", vec![grant(Role::ProviderAdmin, provider_scope(HARBOUR))]).await;
    assert_eq!(other.get(&app, &href).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&href).await.status, StatusCode::SEE_OTHER, "to sign in");
    // An inspector may.
    let mut inspector = signed_in(&app, "inspector@example.org", vec![grant(Role::Inspector, Scope::All)]).await;
    assert_eq!(inspector.get(&app, &href).await.status, StatusCode::OK);

    // A file of exactly 5 MB is taken, past the multipart reader's own 2 MB default.
    big.truncate(5 * 1024 * 1024);
    let reply = upload(&app, &mut browser, plan, second, "", Some(("scan.pdf", &big))).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let kept = app.store.plan(plan).await.expect("plan");
    assert_eq!(kept.actions[1].evidence[0].file.as_ref().map(|f| f.size), Some(5 * 1024 * 1024));
}

#[tokio::test]
async fn each_role_sees_only_what_it_may() {
    let app = TestApp::new().await;
    let mut owner = admin(&app).await;
    let plan = start_plan(&app, &mut owner).await;
    let page = format!("/manage/plans/{plan}");
    let list = format!("/manage/locations/{ROSE_COURT}/plans");
    let new_action = format!("/manage/plans/{plan}/actions/new");

    let mut manager =
        signed_in(&app, "manager@example.org", vec![grant(Role::Manager, location_scope(ROSE_COURT))]).await;
    assert_eq!(manager.get(&app, &page).await.status, StatusCode::OK);
    assert_eq!(manager.get(&app, &new_action).await.status, StatusCode::OK);

    let mut inspector = signed_in(&app, "inspector@example.org", vec![grant(Role::Inspector, Scope::All)]).await;
    let seen = inspector.get(&app, &page).await;
    assert_eq!(seen.status, StatusCode::OK);
    seen.assert_lacks(&["Add an action", "Publish a summary"]);
    assert_eq!(inspector.get(&app, &new_action).await.status, StatusCode::NOT_FOUND);
    let refused = inspector.post(&app, &format!("/manage/plans/{plan}/reflection"), &[("lessons", "x")]).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);

    let leeds = vec![grant(Role::Commissioner, Scope::LocalAuthority("Leeds".into()))];
    let mut commissioner = signed_in(&app, "leeds@example.gov.uk", leeds).await;
    assert_eq!(commissioner.get(&app, &page).await.status, StatusCode::OK);
    assert_eq!(commissioner.get(&app, &list).await.status, StatusCode::OK);
    let camden = vec![grant(Role::Commissioner, Scope::LocalAuthority("Camden".into()))];
    let mut elsewhere = signed_in(&app, "camden@example.gov.uk", camden).await;
    assert_eq!(elsewhere.get(&app, &page).await.status, StatusCode::NOT_FOUND);

    let mut staff = signed_in(&app, "staff@example.org", vec![grant(Role::Staff, location_scope(ROSE_COURT))]).await;
    assert_eq!(staff.get(&app, &page).await.status, StatusCode::NOT_FOUND);
    assert_eq!(staff.get(&app, &list).await.status, StatusCode::NOT_FOUND);
    let mut other =
        signed_in(&app, "admin@harbour.example", vec![grant(Role::ProviderAdmin, provider_scope(HARBOUR))]).await;
    assert_eq!(other.get(&app, &page).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        other.get(&app, &format!("/manage/locations/{ROSE_COURT}/plans/new")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(other.get(&app, "/manage/plans/999999").await.status, StatusCode::NOT_FOUND);
    assert_eq!(other.get(&app, "/manage/plans/not-a-number").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn publishing_shows_the_chosen_parts_on_the_public_page() {
    let app = TestApp::new().await;
    let mut browser = admin(&app).await;
    let plan = start_plan(&app, &mut browser).await;
    let shown = add_action(&app, &mut browser, plan, "Evening medicines check by two staff", "2035-03-01").await;
    add_action(&app, &mut browser, plan, "Disciplinary review of the night team", "2035-03-01").await;
    let reply = upload(&app, &mut browser, plan, shown, "Checks done every evening since March", None).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let reply = upload(
        &app,
        &mut browser,
        plan,
        shown,
        "Private: agency staff names on rota",
        Some(("rota.csv", b"name,shift\nA,night\n")),
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let kept = app.store.plan(plan).await.expect("plan");
    let public_note = kept.actions[0].evidence[0].id.to_string();
    let file_item = kept.actions[0].evidence[1].id.to_string();
    browser.post(&app, &format!("/manage/plans/{plan}/reflection"), &[("lessons", "Private lesson text")]).await;

    let reply = browser.post(&app, &format!("/manage/plans/{plan}/publish"), &[("summary", "")]).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    reply.assert_contains(&["Write the summary the public will read"]);
    let reply = browser
        .post(
            &app,
            &format!("/manage/plans/{plan}/publish"),
            &[
                ("summary", "We found evening medicines were missed and changed how they are checked."),
                ("action", &shown.to_string()),
                ("evidence", &public_note),
                ("evidence", &file_item),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);

    let public = app.get(&format!("/locations/{ROSE_COURT}")).await;
    assert_eq!(public.status, StatusCode::OK);
    public.assert_contains(&[
        "Improving after our inspection",
        "We found evening medicines were missed and changed how they are checked.",
        "Evening medicines check by two staff",
        "Checks done every evening since March",
        "1 file of evidence kept privately",
        "In the year before the plan began",
        "Too few answers to show",
    ]);
    public.assert_lacks(&[
        "Disciplinary review",
        "Private: agency staff",
        "rota.csv",
        "Deputy manager",
        "Private lesson text",
    ]);

    let reply = browser.post(&app, &format!("/manage/plans/{plan}/unpublish"), &[]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    app.get(&format!("/locations/{ROSE_COURT}")).await.assert_lacks(&["Improving after our inspection"]);
    assert!(app.store.plans_of(&rose()).await.expect("plans")[0].publication.is_none());
}

#[tokio::test]
async fn the_csv_export_lists_every_action() {
    let app = TestApp::new().await;
    let mut browser = admin(&app).await;
    let plan = start_plan(&app, &mut browser).await;
    add_action(&app, &mut browser, plan, "=HYPERLINK(\"x\")", "2020-01-01").await;
    let reply = browser.get(&app, &format!("/manage/plans/{plan}/actions.csv")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.headers.get(header::CONTENT_DISPOSITION).unwrap().to_str().unwrap().starts_with("attachment"));
    let lines: Vec<&str> = reply.body.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[1].contains("'=HYPERLINK") && lines[1].contains(",not_started,yes,"), "{}", lines[1]);
}

#[tokio::test]
async fn the_api_reads_plans_adds_actions_and_changes_status() {
    let app = TestApp::new().await;
    let mut browser = admin(&app).await;
    let plan = start_plan(&app, &mut browser).await;
    let token = api_token(&app, "api@sunrise.example", vec![grant(Role::ProviderAdmin, provider_scope(SUNRISE))]).await;
    let get = |uri: String, token: String| {
        let app = &app;
        async move {
            let request =
                Request::get(uri).header(header::AUTHORIZATION, format!("Bearer {token}")).body(Body::empty());
            app.request(request.expect("a request")).await
        }
    };
    let post = |uri: String, token: String, body: Value| {
        let app = &app;
        async move {
            let request = Request::post(uri)
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()));
            app.request(request.expect("a request")).await
        }
    };
    let list = get(format!("/api/v1/manage/locations/{ROSE_COURT}/plans"), token.clone()).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert_eq!(list.json()["plans"][0]["id"], json!(plan));

    let finding = app.store.plan(plan).await.expect("plan").findings[0].id;
    let bad =
        post(format!("/api/v1/plans/{plan}/actions"), token.clone(), json!({ "finding": "0", "statement": "S4" }))
            .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    let fields: Vec<String> = bad.json()["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields, ["finding", "description", "owner", "due_on"]);
    let unknown = post(format!("/api/v1/plans/{plan}/actions"), token.clone(), json!({ "colour": "red" })).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);

    let action = json!({
        "finding": finding.to_string(), "statement": "S4", "description": "Two-person medicines check",
        "owner": "Deputy manager", "due_on": "2020-05-01"
    });
    let added = post(format!("/api/v1/plans/{plan}/actions"), token.clone(), action).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    let id = added.json()["id"].as_i64().unwrap();
    assert_eq!(added.json()["status"], "not_started");

    let done =
        post(format!("/api/v1/plans/{plan}/actions/{id}/status"), token.clone(), json!({ "status": "done" })).await;
    assert_eq!(done.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(done.json()["error"]["fields"][0]["message"].as_str().unwrap().contains("Add evidence"));
    let started =
        post(format!("/api/v1/plans/{plan}/actions/{id}/status"), token.clone(), json!({ "status": "in_progress" }))
            .await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    assert_eq!(started.json()["history"].as_array().unwrap().len(), 2);

    let full = get(format!("/api/v1/plans/{plan}"), token.clone()).await;
    assert_eq!(full.status, StatusCode::OK);
    let body = full.json();
    assert_eq!(body["progress"]["overdue"], 1);
    assert_eq!(body["overdue_actions"], json!([id]));
    assert_eq!(body["actions"][0]["statement"], "S4");
    assert!(body["reflection"].is_object());
    let csv = get(format!("/api/v1/plans/{plan}/actions.csv"), token.clone()).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.contains("Two-person medicines check"));

    let audit =
        app.store.audit_log(&AuditQuery { action: Some("plan_action_status".into()), ..Default::default() }).await;
    assert_eq!(audit.expect("audit").total, 1);

    // Others find nothing.
    let staff = api_token(&app, "staff@sunrise.example", vec![grant(Role::Staff, location_scope(ROSE_COURT))]).await;
    assert_eq!(get(format!("/api/v1/plans/{plan}"), staff.clone()).await.status, StatusCode::NOT_FOUND);
    let harbour =
        api_token(&app, "api@harbour.example", vec![grant(Role::ProviderAdmin, provider_scope(HARBOUR))]).await;
    assert_eq!(get(format!("/api/v1/plans/{plan}"), harbour.clone()).await.status, StatusCode::NOT_FOUND);
    let inspector = api_token(&app, "inspector@example.org", vec![grant(Role::Inspector, Scope::All)]).await;
    assert_eq!(get(format!("/api/v1/plans/{plan}"), inspector.clone()).await.status, StatusCode::OK);
    let write = post(
        format!("/api/v1/plans/{plan}/actions/{id}/status"),
        inspector,
        json!({ "status": "dropped", "reason": "x" }),
    )
    .await;
    assert_eq!(write.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("/api/v1/plans/{plan}")).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_upheld_complaint_in_the_log_is_offered_by_reference_without_its_words() {
    use candour_domain::complaints::*;
    use candour_store::NewComplaint;
    let app = TestApp::new().await;
    let received_on = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).expect("a date");
    let policy = ComplaintPolicy::default();
    let complaint = |reference: &str, secret: &str| NewComplaint {
        location_id: rose(),
        details: NewComplaintDetails {
            what_happened: "Mrs Example's tablets were missed.".into(),
            desired_outcome: String::new(),
            relationship: Relationship::Family,
            contact: ComplaintContact { name: "Ann Example".into(), email: None, phone: None },
            channel: ReceivedBy::Phone,
            received_on,
        },
        reference: reference.into(),
        follow_hash: secret.into(),
        policy,
        deadlines: deadlines(received_on, None, policy).expect("in the calendar"),
        logged_by: None,
        created_at: chrono::Utc::now(),
        alert: None,
        emails: vec![],
    };
    for (reference, outcome) in [("CMP-UP", Outcome::PartlyUpheld), ("CMP-NOT", Outcome::NotUpheld)] {
        let id = app.store.add_complaint(&complaint(reference, reference)).await.expect("kept").id;
        let on = received_on + chrono::Duration::days(3);
        for step in [
            ComplaintStep::Acknowledge { on },
            ComplaintStep::SendResponse { on, response: "We are sorry.".into() },
            ComplaintStep::Close { on, outcome, learned: "Checks at each round.".into() },
        ] {
            app.store.take_complaint_step(id, &step, None, chrono::Utc::now(), &[]).await.expect("step");
        }
    }
    let mut browser = admin(&app).await;
    let form = browser.get(&app, &format!("/manage/locations/{ROSE_COURT}/plans/new")).await;
    form.assert_contains(&["value=\"complaint:CMP-UP\"", "Complaint CMP-UP: Partly upheld, closed 5 March 2026"]);
    form.assert_lacks(&["CMP-NOT", "Mrs Example"]);
}
