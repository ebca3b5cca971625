//! `POST /api/v1/manage/locations/{id}/returns`: who may send a location's
//! monthly figures, what is kept, and how problems are answered.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use candour_domain::returns::Month;
use candour_domain::{LocationId, Role, Scope};
use candour_store::{AccountStore, AuditQuery, ReturnsStore};
use serde_json::{Value, json};

use crate::browser::*;
use crate::fixture::*;

/// An API token for a new account with these grants.
async fn token(app: &TestApp, email: &str, grants: Vec<candour_domain::Grant>) -> String {
    let id = add_user(app, email, grants).await;
    let user = app.store.user(id).await.expect("the user");
    let (_, secret) =
        accounts(app).create_api_token(&candour_accounts::principal(&user), "returns", None).await.expect("a token");
    secret.expose().to_string()
}

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
    let (from, to) = (Month::parse("2000-01").expect("a month"), Month::parse("2099-12").expect("a month"));
    let kept = app.store.returns_of(&id, from, to).await.expect("returns");
    kept.into_iter().map(|r| (r.figures.month.to_string(), r.figures.incidents)).collect()
}

#[tokio::test]
async fn a_provider_admin_sends_months_and_resending_changes_nothing() {
    let app = TestApp::new().await;
    let admin = token(&app, "admin@sunrise.example", vec![grant(Role::ProviderAdmin, provider_scope(SUNRISE))]).await;
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
    let manager = token(&app, "manager@example.org", vec![grant(Role::Manager, location_scope(ROSE_COURT))]).await;
    let body = month("2025-01", 1);
    assert_eq!(send(&app, Some(&manager), ROSE_COURT, &body).await.status, StatusCode::CREATED);

    let staff = token(&app, "staff@example.org", vec![grant(Role::Staff, location_scope(ROSE_COURT))]).await;
    let inspector = token(&app, "inspector@example.org", vec![grant(Role::Inspector, Scope::All)]).await;
    let other_admin =
        token(&app, "admin@harbour.example", vec![grant(Role::ProviderAdmin, provider_scope(HARBOUR))]).await;
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
    let admin = token(&app, "admin@sunrise.example", vec![grant(Role::ProviderAdmin, provider_scope(SUNRISE))]).await;
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
            "[1].agency_hours: 7000 is more than hours_worked (6000): hours worked counts agency hours too",
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
