//! Provider returns through the API (`POST /api/v1/manage/locations/{id}/returns`)
//! and on the web (the returns page, its form and its CSV upload): who may send a
//! location's monthly figures, what is kept, and how problems are answered.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use candour_domain::returns::Month;
use candour_domain::{LocationId, Role, Scope};
use candour_store::AuditQuery;
use serde_json::{Value, json};

use crate::browser::*;
use crate::fixture::*;

fn month(at: &str, incidents: u32) -> Value {
    json!({
        "month": at, "headcount": 40, "leavers": 2, "agency_hours": 300, "hours_worked": 6000, "vacancies": 3,
        "supervision_pct": 85, "training_pct": "92", "registered_manager": true, "manager_changed": "no",
        "people_supported": 38, "incidents": incidents, "restraint": 1, "seclusion": 0, "segregation": 0,
        "notifications": 2, "safeguarding_referrals": 1, "complaints_received": 3, "complaints_upheld": 1,
        "complaints_on_time": 3
    })
}

async fn send(app: &TestApp, token: Option<&str>, location: &str, body: &Value) -> Reply {
    let mut request = Request::post(format!("/api/v1/manage/locations/{location}/returns"))
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    app.request(request.body(Body::from(body.to_string())).expect("a request")).await
}

async fn incidents_kept(app: &TestApp, location: &str) -> Vec<(String, u32)> {
    let id = LocationId::parse(location).expect("an ID");
    let (from, to) = (Month::parse("2000-01").expect("a month"), Month::new(2099, 12).expect("a month"));
    let kept = app.store.returns_of(&id, from, to).await.expect("returns");
    kept.into_iter().map(|r| (r.figures.month.to_string(), r.figures.incidents)).collect()
}

#[tokio::test]
async fn a_provider_admin_sends_months_and_resending_changes_nothing() {
    let app = TestApp::new().await;
    let admin =
        api_token(&app, "admin@sunrise.example", vec![grant(Role::ProviderAdmin, provider_scope(SUNRISE))]).await;
    let months = json!([month("2025-01", 4), month("2025-02", 5)]);
    let reply = send(&app, Some(&admin), ROSE_COURT, &months).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert_eq!(reply.json(), json!({ "added": 2, "replaced": 0, "unchanged": 0 }));
    let reply = send(&app, Some(&admin), ROSE_COURT, &months).await;
    assert_eq!(reply.json(), json!({ "added": 0, "replaced": 0, "unchanged": 2 }));

    // One month alone, as an object, corrects what was sent.
    let reply = send(&app, Some(&admin), ROSE_COURT, &month("2025-01", 7)).await;
    assert_eq!(reply.json(), json!({ "added": 0, "replaced": 1, "unchanged": 0 }));
    assert_eq!(incidents_kept(&app, ROSE_COURT).await, [("2025-01".into(), 7), ("2025-02".into(), 5)]);
    let rose = LocationId::parse(ROSE_COURT).expect("an ID");
    let kept = app.store.returns_of(&rose, month_of("2025-01"), month_of("2025-01")).await.expect("returns");
    assert!(kept[0].sent_by.is_some(), "the sender is recorded");

    let query = AuditQuery { action: Some("returns".into()), ..AuditQuery::default() };
    let audit = app.store.audit_log(&query).await.expect("the audit log");
    assert_eq!(audit.total, 3);
    assert_eq!(audit.items[0].resource, format!("location:{ROSE_COURT}"));
}

fn month_of(at: &str) -> Month {
    Month::parse(at).expect("a month")
}

#[tokio::test]
async fn the_location_manager_may_send_but_staff_and_others_find_nothing() {
    let app = TestApp::new().await;
    let manager = api_token(&app, "manager@example.org", vec![grant(Role::Manager, location_scope(ROSE_COURT))]).await;
    let body = month("2025-01", 1);
    assert_eq!(send(&app, Some(&manager), ROSE_COURT, &body).await.status, StatusCode::CREATED);

    let staff = api_token(&app, "staff@example.org", vec![grant(Role::Staff, location_scope(ROSE_COURT))]).await;
    let inspector = api_token(&app, "inspector@example.org", vec![grant(Role::Inspector, Scope::All)]).await;
    let other_admin =
        api_token(&app, "admin@harbour.example", vec![grant(Role::ProviderAdmin, provider_scope(HARBOUR))]).await;
    let unknown = send(&app, Some(&manager), "1-999999999", &body).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    for (who, token) in [("staff", &staff), ("inspector", &inspector), ("another provider", &other_admin)] {
        let reply = send(&app, Some(token), ROSE_COURT, &month("2025-02", 1)).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{who}: {}", reply.body);
        let message = &reply.json()["error"]["message"];
        let unknown_message = unknown.json()["error"]["message"].as_str().unwrap().replace("1-999999999", ROSE_COURT);
        assert_eq!(message.as_str(), Some(unknown_message.as_str()), "{who}: the same answer as an unknown ID");
    }
    assert_eq!(send(&app, Some(&manager), OAK_LODGE, &body).await.status, StatusCode::NOT_FOUND);
    assert_eq!(send(&app, None, ROSE_COURT, &body).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(incidents_kept(&app, ROSE_COURT).await, [("2025-01".into(), 1)], "only the manager's month");
}

#[tokio::test]
async fn every_problem_is_answered_at_once_and_nothing_is_kept() {
    let app = TestApp::new().await;
    let admin =
        api_token(&app, "admin@sunrise.example", vec![grant(Role::ProviderAdmin, provider_scope(SUNRISE))]).await;
    let mut bad = month("2025-02", 1);
    bad["agency_hours"] = json!(7000);
    bad["supervision_pct"] = json!(-5);
    let reply = send(&app, Some(&admin), ROSE_COURT, &json!([month("2025-01", 1), bad, month("2025-01", 2)])).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
    let fields: Vec<String> = reply.json()["error"]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| format!("{}: {}", f["field"].as_str().unwrap(), f["message"].as_str().unwrap()))
        .collect();
    assert_eq!(
        fields,
        [
            "[1].supervision_pct: \"-5\" is not a percentage: give a whole number from 0 to 100",
            "[1].agency_hours: 7000 is more than the hours worked by all staff (6000): all staff hours include agency staff hours",
            "[2].month: 2025-01 is also given at [0]",
        ]
    );
    assert!(incidents_kept(&app, ROSE_COURT).await.is_empty(), "the good month was not kept either");

    let request = Request::post(format!("/api/v1/manage/locations/{ROSE_COURT}/returns"))
        .header(header::AUTHORIZATION, format!("Bearer {admin}"))
        .header(header::CONTENT_TYPE, "text/csv")
        .body(Body::from("location_id,month"))
        .expect("a request");
    assert_eq!(app.request(request).await.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(send(&app, Some(&admin), ROSE_COURT, &json!([])).await.status, StatusCode::BAD_REQUEST);
}

// ---------------------------------------------------------------- the web pages

/// The month a return is due for now, and the one before it.
fn last_complete_months() -> (Month, Month) {
    let this = Month::of(chrono::Utc::now().date_naive());
    let last = this.previous().expect("a month before");
    (last, last.previous().expect("a month before"))
}

/// "October 2026".
fn month_name(month: Month) -> String {
    month.first_day().format("%B %Y").to_string()
}

/// A complete, valid form for `month`, as the browser sends it.
fn form_fields(month: Month, incidents: &str) -> Vec<(&'static str, String)> {
    let mut fields = vec![("month", month.to_string())];
    for (field, value) in [
        ("headcount", "40"),
        ("leavers", "2"),
        ("agency_hours", "300"),
        ("hours_worked", "6000"),
        ("vacancies", "3"),
        ("supervision_pct", "85"),
        ("training_pct", "92"),
        ("registered_manager", "yes"),
        ("manager_changed", "no"),
        ("people_supported", "38"),
        ("incidents", incidents),
        ("restraint", "1"),
        ("seclusion", "0"),
        ("segregation", "0"),
        ("notifications", "2"),
        ("safeguarding_referrals", "1"),
        ("complaints_received", "3"),
        ("complaints_upheld", "1"),
        ("complaints_on_time", "3"),
    ] {
        fields.push((field, value.to_string()));
    }
    fields
}

async fn post_form(app: &TestApp, browser: &mut Browser, location: &str, fields: &[(&str, String)]) -> Reply {
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    browser.post(app, &format!("/manage/locations/{location}/returns/new"), &fields).await
}

const HEADER: &str = "location_id,month,headcount,leavers,agency_hours,hours_worked,vacancies,supervision_pct,\
training_pct,registered_manager,manager_changed,people_supported,incidents,restraint,seclusion,segregation,\
notifications,safeguarding_referrals,complaints_received,complaints_upheld,complaints_on_time";

fn csv_row(location: &str, month: Month, headcount: &str) -> String {
    format!("{location},{month},{headcount},2,300,6000,3,85,92,yes,no,38,5,1,0,0,2,1,3,1,3")
}

/// Uploads a file as the returns page's form does: multipart, with the CSRF
/// token as one part and the file (named `name`, empty for none chosen) as another.
async fn upload(app: &TestApp, browser: &mut Browser, location: &str, name: &str, csv: &str) -> Reply {
    let token = browser.csrf_token(app).await;
    let boundary = "candour-test-boundary-7d2f";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    );
    let cookies: Vec<String> = ["candour_session", "candour_csrf"]
        .into_iter()
        .filter_map(|name| browser.cookie(name).map(|value| format!("{name}={value}")))
        .collect();
    let request = Request::post(format!("/manage/locations/{location}/returns/upload"))
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .header(header::COOKIE, cookies.join("; "))
        .body(Body::from(body))
        .expect("a request");
    app.request(request).await
}

async fn sources_kept(app: &TestApp, location: &str) -> Vec<(String, candour_store::ReturnSource, bool)> {
    let id = LocationId::parse(location).expect("an ID");
    let kept =
        app.store.returns_of(&id, month_of("2000-01"), Month::new(2099, 12).expect("a month")).await.expect("returns");
    kept.into_iter().map(|r| (r.figures.month.to_string(), r.source, r.sent_by.is_some())).collect()
}

async fn manager(app: &TestApp) -> Browser {
    signed_in(app, "manager@example.org", vec![grant(Role::Manager, location_scope(ROSE_COURT))]).await
}

#[tokio::test]
async fn a_month_sent_through_the_form_shows_on_the_returns_page() {
    let app = TestApp::new().await;
    let mut browser = manager(&app).await;
    let (last, earlier) = last_complete_months();
    let returns = format!("/manage/locations/{ROSE_COURT}/returns");

    let page = browser.get(&app, &returns).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.assert_contains(&[
        "Monthly returns",
        "No returns have been sent for this service yet.",
        &format!("Send the return for {}", month_name(last)),
        &format!("{returns}/template.csv"),
        r#"enctype="multipart/form-data""#,
    ]);

    let form = browser.get(&app, &format!("{returns}/new")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    form.assert_contains(&[
        &format!(r#"autocomplete="off" value="{last}""#),
        r#"<label class="label" for="headcount">Staff employed</label>"#,
        r#"id="headcount-hint""#,
        "Agency staff are not counted.",
        "Is a registered manager in post?",
        "Send a monthly return",
    ]);

    let reply = post_form(&app, &mut browser, ROSE_COURT, &form_fields(last, "5")).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(location(&reply), format!("{returns}?month={last}&outcome=saved"));
    let page = browser.get(&app, location(&reply).to_string().as_str()).await;
    page.assert_contains(&[
        &format!("Return for {} saved", month_name(last)),
        "1 month sent, latest first",
        "by Test Person, web form",
        "3 (1 upheld)",
        &format!("{returns}/new?month={last}"),
    ]);
    page.assert_lacks(&[&format!("Send the return for {}", month_name(last))]);
    assert_eq!(sources_kept(&app, ROSE_COURT).await, [(last.to_string(), candour_store::ReturnSource::Form, true)]);

    // The same figures again change nothing; a corrected one replaces them.
    let reply = post_form(&app, &mut browser, ROSE_COURT, &form_fields(last, "5")).await;
    assert_eq!(location(&reply), format!("{returns}?month={last}&outcome=unchanged"));
    let correction = browser.get(&app, &format!("{returns}/new?month={last}")).await;
    correction.assert_contains(&[
        &format!("Correct the return for {}", month_name(last)),
        "by Test Person, web form. Saving this form replaces it.",
        r#"name="incidents" type="text" inputmode="numeric" autocomplete="off" spellcheck="false" value="5""#,
        r#"value="yes" checked"#,
    ]);
    let reply = post_form(&app, &mut browser, ROSE_COURT, &form_fields(last, "9")).await;
    assert_eq!(location(&reply), format!("{returns}?month={last}&outcome=replaced"));
    let page = browser.get(&app, location(&reply).to_string().as_str()).await;
    page.assert_contains(&[&format!("Return for {} replaced", month_name(last))]);
    assert_eq!(incidents_kept(&app, ROSE_COURT).await, [(last.to_string(), 9)]);

    // An earlier month, asked for by the link on the page, starts empty but for its month.
    let earlier_form = browser.get(&app, &format!("{returns}/new?month={earlier}")).await;
    earlier_form.assert_contains(&[&format!(r#"value="{earlier}""#), "Send a monthly return"]);
    let future = browser.get(&app, &format!("{returns}/new?month=2999-01")).await;
    assert_eq!(future.status, StatusCode::BAD_REQUEST);

    let query = AuditQuery { action: Some("returns".into()), ..AuditQuery::default() };
    let audit = app.store.audit_log(&query).await.expect("the audit log");
    assert_eq!(audit.total, 3, "each save is audited");
    assert_eq!(audit.items[0].detail.as_deref(), Some(format!("form: {last}").as_str()));
}

#[tokio::test]
async fn every_problem_in_the_form_is_shown_by_its_field_and_nothing_is_saved() {
    let app = TestApp::new().await;
    let mut browser = manager(&app).await;
    let (last, _) = last_complete_months();
    let future = Month::of(chrono::Utc::now().date_naive() + chrono::Months::new(2)).to_string();
    let cases = [
        ("month", "", "Month: give the month the figures are for"),
        ("month", future.as_str(), "has not happened yet"),
        ("month", "Oct 2026", "is not a month: write it as YYYY-MM"),
        ("headcount", "", "Staff employed: give a whole number, or 0 if there were none"),
        ("leavers", "-1", "Staff who left: -1 is below zero"),
        ("incidents", "12.5", "Incidents: &#34;12.5&#34; is not a whole number"),
        ("supervision_pct", "101", "Supervision up to date: &#34;101&#34; is not a percentage"),
        ("agency_hours", "7000", "Agency staff hours: 7000 is more than the hours worked by all staff (6000)"),
        ("registered_manager", "", "Is a registered manager in post? Answer yes or no"),
        ("complaints_upheld", "9", "Complaints upheld: 9 is more than the complaints received (3)"),
    ];
    for (field, value, message) in cases {
        let mut fields = form_fields(last, "5");
        fields.iter_mut().filter(|(f, _)| *f == field).for_each(|(_, v)| *v = value.to_string());
        let reply = post_form(&app, &mut browser, ROSE_COURT, &fields).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{field}={value}: {}", reply.body);
        reply.assert_contains(&[
            "<title>Error: ",
            "There is a problem",
            &format!(r##"<a href="#{field}">"##),
            &format!(r#"id="{field}-error""#),
            message,
        ]);
        if !value.is_empty() {
            reply.assert_contains(&[&format!(r#"value="{}""#, value.replace('"', "&#34;"))]);
        }
        // Every other value typed is kept.
        reply.assert_contains(&[r#"value="6000""#]);
    }
    assert!(incidents_kept(&app, ROSE_COURT).await.is_empty(), "no refused form saved anything");
}

#[tokio::test]
async fn an_uploaded_file_saves_every_row() {
    let app = TestApp::new().await;
    let mut browser =
        signed_in(&app, "admin@sunrise.example", vec![grant(Role::ProviderAdmin, provider_scope(SUNRISE))]).await;
    let (last, earlier) = last_complete_months();
    let csv = format!("{HEADER}\n{}\n{}\n", csv_row(ROSE_COURT, earlier, "40"), csv_row(ROSE_COURT, last, "41"));
    let reply = upload(&app, &mut browser, ROSE_COURT, "returns.csv", &csv).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let returns = format!("/manage/locations/{ROSE_COURT}/returns");
    assert_eq!(location(&reply), format!("{returns}?added=2&replaced=0&unchanged=0"));
    let page = browser.get(&app, location(&reply).to_string().as_str()).await;
    page.assert_contains(&["File uploaded: 2 months (2 added, 0 replaced, 0 unchanged)", "by Test Person, CSV file"]);
    let kept = sources_kept(&app, ROSE_COURT).await;
    assert_eq!(kept.len(), 2);
    assert!(kept.iter().all(|(_, source, by)| *source == candour_store::ReturnSource::Csv && *by), "{kept:?}");

    let reply = upload(&app, &mut browser, ROSE_COURT, "returns.csv", &csv).await;
    assert_eq!(location(&reply), format!("{returns}?added=0&replaced=0&unchanged=2"));

    // The template holds the header and a row for each missing month, ready to fill.
    let template = browser.get(&app, &format!("{returns}/template.csv")).await;
    assert_eq!(template.status, StatusCode::OK);
    assert_eq!(template.headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    assert!(template.body.starts_with(&format!("{HEADER}\n{ROSE_COURT},")), "{}", template.body);
    assert_eq!(template.body.lines().count(), 1 + 10, "the last 12 months but the 2 sent");
    assert!(!template.body.contains(&format!(",{last},")), "a sent month is not asked for again");
}

#[tokio::test]
async fn a_file_with_any_bad_row_saves_nothing_and_names_each_line() {
    let app = TestApp::new().await;
    let mut browser =
        signed_in(&app, "admin@sunrise.example", vec![grant(Role::ProviderAdmin, provider_scope(SUNRISE))]).await;
    let (last, earlier) = last_complete_months();

    let bad = format!("{HEADER}\n{}\n{}\n", csv_row(ROSE_COURT, earlier, "40"), csv_row(ROSE_COURT, last, "forty"));
    let reply = upload(&app, &mut browser, ROSE_COURT, "march.csv", &bad).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    reply.assert_contains(&[
        "<title>Error: Monthly returns",
        r##"<a href="#file">march.csv has a problem, shown below: nothing was saved</a>"##,
        r#"id="file-error""#,
        "Line 3, column headcount: &#34;forty&#34; is not a whole number",
    ]);

    // Oak Lodge is the same provider's, but this page takes Rose Court's rows only.
    let other = format!("{HEADER}\n{}\n{}\n", csv_row(ROSE_COURT, earlier, "40"), csv_row(OAK_LODGE, last, "40"));
    let reply = upload(&app, &mut browser, ROSE_COURT, "both.csv", &other).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    reply.assert_contains(&[&format!(
        "Line 3, column location_id: {OAK_LODGE} is another service: this page takes the returns of {ROSE_COURT} only"
    )]);

    let reply = upload(&app, &mut browser, ROSE_COURT, "", "").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    reply.assert_contains(&[r##"<a href="#file">Choose a CSV file to upload</a>"##]);
    let reply = upload(&app, &mut browser, ROSE_COURT, "big.csv", &"x".repeat(61 * 1024)).await;
    reply.assert_contains(&["big.csv is larger than 60 KB"]);
    // Over the site's limit for any request: still a page that says so, nothing saved.
    let reply = upload(&app, &mut browser, ROSE_COURT, "huge.csv", &"x".repeat(70 * 1024)).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    reply.assert_contains(&["What was sent is too large", "Nothing was saved"]);
    let reply = upload(&app, &mut browser, ROSE_COURT, "header.csv", HEADER).await;
    reply.assert_contains(&["Line 2: the file has a header but no rows"]);
    // A form sent without its file, as a plain form.
    let reply = browser.post(&app, &format!("/manage/locations/{ROSE_COURT}/returns/upload"), &[]).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    reply.assert_contains(&["Choose a CSV file to upload"]);

    assert!(incidents_kept(&app, ROSE_COURT).await.is_empty(), "the good rows were not kept either");
    assert!(incidents_kept(&app, OAK_LODGE).await.is_empty());
}

#[tokio::test]
async fn another_providers_user_finds_nothing_and_the_signed_out_are_sent_to_sign_in() {
    let app = TestApp::new().await;
    let mut other =
        signed_in(&app, "admin@harbour.example", vec![grant(Role::ProviderAdmin, provider_scope(HARBOUR))]).await;
    let (last, _) = last_complete_months();
    let returns = format!("/manage/locations/{ROSE_COURT}/returns");
    for uri in [returns.clone(), format!("{returns}/new"), format!("{returns}/template.csv")] {
        let reply = other.get(&app, &uri).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{uri}");
        let unknown = other.get(&app, &uri.replace(ROSE_COURT, "1-999999999")).await;
        assert_eq!(reply.body.replace(ROSE_COURT, "ID"), unknown.body.replace("1-999999999", "ID"), "{uri}");
    }
    let reply = post_form(&app, &mut other, ROSE_COURT, &form_fields(last, "5")).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let csv = format!("{HEADER}\n{}\n", csv_row(ROSE_COURT, last, "40"));
    assert_eq!(upload(&app, &mut other, ROSE_COURT, "returns.csv", &csv).await.status, StatusCode::NOT_FOUND);

    let mut anonymous = Browser::new();
    let reply = anonymous.get(&app, &returns).await;
    assert_eq!(
        (reply.status, location(&reply)),
        (StatusCode::SEE_OTHER, "/sign-in?next=%2Fmanage%2Flocations%2F1-000000001%2Freturns")
    );
    let reply = upload(&app, &mut anonymous, ROSE_COURT, "returns.csv", &csv).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert!(location(&reply).starts_with("/sign-in?next="), "{}", location(&reply));
    assert!(incidents_kept(&app, ROSE_COURT).await.is_empty());
}

#[tokio::test]
async fn the_location_page_links_to_the_returns_for_those_who_may_send_them() {
    let app = TestApp::new().await;
    let page = format!("/manage/locations/{ROSE_COURT}");
    let link = format!(r#"<a href="/manage/locations/{ROSE_COURT}/returns">Monthly returns</a>"#);
    let mut manager = manager(&app).await;
    manager.get(&app, &page).await.assert_contains(&[&link]);
    let mut staff = signed_in(&app, "staff@example.org", vec![grant(Role::Staff, location_scope(ROSE_COURT))]).await;
    let staff_page = staff.get(&app, &page).await;
    assert_eq!(staff_page.status, StatusCode::OK);
    staff_page.assert_lacks(&[&link]);
}

#[tokio::test]
async fn the_registered_manager_is_shown_from_each_source_and_a_new_month_starts_from_the_last_return() {
    let app = TestApp::new().await;
    let mut browser = manager(&app).await;
    let (last, before) = last_complete_months();
    let mut fields = form_fields(before, "5");
    fields.iter_mut().filter(|(k, _)| *k == "registered_manager").for_each(|(_, v)| *v = "no".to_string());
    fields.iter_mut().filter(|(k, _)| *k == "headcount").for_each(|(_, v)| *v = "41".to_string());
    assert_eq!(post_form(&app, &mut browser, ROSE_COURT, &fields).await.status, StatusCode::SEE_OTHER);

    // The register says a manager is in post; the return says not: both, plainly, with their dates.
    let read = chrono::Utc::now().date_naive().format("%-d %B %Y").to_string();
    let both = format!(
        "The register and the latest return disagree: Yes (register (CQC), read {read}); No (provider return for {})",
        month_name(before)
    );
    browser.get(&app, &format!("/manage/locations/{ROSE_COURT}")).await.assert_contains(&[&both]);
    Browser::new().get(&app, &format!("/locations/{ROSE_COURT}")).await.assert_contains(&[&both]);

    // The next month's form starts from that return, never from a bare "No".
    let form = browser.get(&app, &format!("/manage/locations/{ROSE_COURT}/returns/new")).await;
    form.assert_contains(&[
        &format!(r#"value="{last}""#),
        r#"id="headcount" name="headcount" type="text" inputmode="numeric" autocomplete="off" spellcheck="false" value="41""#,
        r#"name="registered_manager" value="no" checked"#,
        &format!("filled in from your return for {}", month_name(before)),
    ]);
    form.assert_lacks(&[r#"name="registered_manager" value="yes" checked"#]);
}

#[tokio::test]
async fn months_a_complaint_log_counts_need_no_complaint_figures() {
    let app = TestApp::new().await;
    crate::workspaces::severe_alert_at_rose_court(&app).await;
    let this = Month::of(chrono::Utc::now().date_naive());
    let mut browser = manager(&app).await;
    let form = browser.get(&app, &format!("/manage/locations/{ROSE_COURT}/returns/new?month={this}")).await;
    form.assert_contains(&["Your complaint log in Candour already counts the complaints for", "1 received"]);
    form.assert_lacks(&[r#"name="complaints_received""#]);

    let without: Vec<(&str, String)> =
        form_fields(this, "2").into_iter().filter(|(k, _)| !k.starts_with("complaints_")).collect();
    let saved = post_form(&app, &mut browser, ROSE_COURT, &without).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let id = LocationId::parse(ROSE_COURT).expect("an ID");
    let kept = app.store.returns_of(&id, this, this).await.expect("returns");
    assert_eq!(kept[0].figures.complaints_received, 1, "taken from the log");

    // The API need not send them either; a month before the log still must.
    let token = api_token(&app, "api@example.org", vec![grant(Role::Manager, location_scope(ROSE_COURT))]).await;
    let mut body = month(&this.to_string(), 3);
    for key in ["complaints_received", "complaints_upheld", "complaints_on_time"] {
        body.as_object_mut().expect("an object").remove(key);
    }
    assert_eq!(send(&app, Some(&token), ROSE_COURT, &body).await.status, StatusCode::CREATED);
    body["month"] = json!(this.previous().expect("a month").to_string());
    assert_eq!(send(&app, Some(&token), ROSE_COURT, &body).await.status, StatusCode::UNPROCESSABLE_ENTITY);
}
