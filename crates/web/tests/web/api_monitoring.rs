//! Monitoring through the API: a service's indicators, flags and band with the
//! policy behind them, and the watchlist, each for the services the caller may see.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use candour_domain::{Role, Scope};
use serde_json::{Value, json};

use crate::browser::*;
use crate::fixture::*;

async fn get(app: &TestApp, token: Option<&str>, uri: &str) -> Reply {
    let mut request = Request::get(uri);
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    app.request(request.body(Body::empty()).expect("a request")).await
}

/// A month's return for Rose Court without a registered manager in post.
async fn manager_leaves(app: &TestApp, admin: &str) {
    let month = (chrono::Utc::now().date_naive() - chrono::Months::new(1)).format("%Y-%m").to_string();
    let body = json!({
        "month": month, "headcount": 40, "leavers": 2, "agency_hours": 300, "hours_worked": 6000, "vacancies": 3,
        "supervision_pct": 85, "training_pct": 92, "registered_manager": false, "manager_changed": true,
        "people_supported": 38, "incidents": 4, "restraint": 1, "seclusion": 0, "segregation": 0,
        "notifications": 2, "safeguarding_referrals": 1, "complaints_received": 3, "complaints_upheld": 1,
        "complaints_on_time": 3
    });
    let request = Request::post(format!("/api/v1/manage/locations/{ROSE_COURT}/returns"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {admin}"))
        .body(Body::from(body.to_string()))
        .expect("a request");
    assert_eq!(app.request(request).await.status, StatusCode::CREATED);
}

fn ids(watchlist: &Value) -> Vec<String> {
    let services = watchlist["services"].as_array().expect("services");
    let mut ids: Vec<String> = services.iter().map(|s| s["location_id"].as_str().unwrap().to_string()).collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn a_return_shows_in_the_service_s_monitoring_with_the_policy_behind_it() {
    let app = TestApp::new().await;
    let admin =
        api_token(&app, "admin@sunrise.example", vec![grant(Role::ProviderAdmin, provider_scope(SUNRISE))]).await;
    manager_leaves(&app, &admin).await;
    app.settled().await;
    let reply = get(&app, Some(&admin), &format!("/api/v1/monitoring/locations/{ROSE_COURT}")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let found = reply.json();
    assert_eq!(found["service"]["id"], ROSE_COURT);
    assert!(found["band"].as_u64().unwrap() <= 2, "no registered manager is serious: {}", found["band"]);
    let flags: Vec<&str> = found["flags"].as_array().unwrap().iter().map(|f| f["kind"].as_str().unwrap()).collect();
    assert!(flags.contains(&"no_registered_manager"), "{flags:?}");
    assert_eq!(found["policy"]["cusum_h"], 4.0);
    assert_eq!(found["policy"]["dispersion"]["min_n"], 5);
    let agency = found["indicators"].as_array().unwrap().iter().find(|i| i["code"] == "agency_share").unwrap();
    assert_eq!((agency["name"].as_str(), agency["n"].as_u64()), (Some("Agency share of hours"), Some(6000)));
}

#[tokio::test]
async fn each_caller_sees_only_the_services_they_may() {
    let app = TestApp::new().await;
    let sunrise =
        api_token(&app, "admin@sunrise.example", vec![grant(Role::ProviderAdmin, provider_scope(SUNRISE))]).await;
    let harbour =
        api_token(&app, "admin@harbour.example", vec![grant(Role::ProviderAdmin, provider_scope(HARBOUR))]).await;
    let inspector = api_token(&app, "inspector@example.org", vec![grant(Role::Inspector, Scope::All)]).await;
    app.settled().await;
    let everyone = ids(&get(&app, Some(&inspector), "/api/v1/monitoring/watchlist").await.json());
    let theirs = ids(&get(&app, Some(&sunrise), "/api/v1/monitoring/watchlist").await.json());
    let others = ids(&get(&app, Some(&harbour), "/api/v1/monitoring/watchlist").await.json());
    assert!(theirs.contains(&ROSE_COURT.to_string()) && !others.contains(&ROSE_COURT.to_string()));
    assert!(!theirs.is_empty() && !others.is_empty());
    assert!(theirs.iter().chain(&others).all(|id| everyone.contains(id)));
    let hidden = get(&app, Some(&harbour), &format!("/api/v1/monitoring/locations/{ROSE_COURT}")).await;
    let unknown = get(&app, Some(&harbour), &format!("/api/v1/monitoring/locations/{NOT_IN_REGISTER}")).await;
    assert_eq!(
        (hidden.status, hidden.body.clone()),
        (unknown.status, unknown.body.replace(NOT_IN_REGISTER, ROSE_COURT))
    );
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert_eq!(get(&app, None, "/api/v1/monitoring/watchlist").await.status, StatusCode::UNAUTHORIZED);
    for bad in ["band=9", "band=abc"] {
        let reply = get(&app, Some(&inspector), &format!("/api/v1/monitoring/watchlist?{bad}")).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(reply.json()["error"]["message"].as_str().unwrap().contains("band"), "{}", reply.body);
    }
    let band6 = get(&app, Some(&inspector), "/api/v1/monitoring/watchlist?band=6").await.json();
    assert!(band6["services"].as_array().unwrap().iter().all(|s| s["band"] == 6));
}
