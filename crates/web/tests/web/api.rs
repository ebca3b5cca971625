use axum::http::StatusCode;

use crate::fixture::*;

#[tokio::test]
async fn location_list_is_paged_with_totals() {
    let app = TestApp::new().await;
    let reply = app.get("/api/v1/locations?per_page=3").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.headers["content-type"].to_str().unwrap().starts_with("application/json"));
    let json = reply.json();
    assert_eq!(json["total"], 4);
    assert_eq!(json["page"], 1);
    assert_eq!(json["per_page"], 3);
    assert_eq!(json["pages"], 2);
    let items = json["items"].as_array().expect("items");
    assert_eq!(items.len(), 3);
    assert_eq!(items[0]["id"], HARBOUR_HOME_CARE);
    assert_eq!(items[0]["name"], "Harbour Home Care");
    assert_eq!(items[0]["provider_name"], "Harbour Homes");
    assert_eq!(items[0]["overall"], "inadequate");
    assert_eq!(items[0]["region"], "london");
    assert_eq!(items[0]["service_kinds"], serde_json::json!(["homecare"]));
}

#[tokio::test]
async fn location_list_takes_the_page_filters() {
    let app = TestApp::new().await;
    let json = app.get("/api/v1/locations?region=yorkshire_and_the_humber&sort=rating_best&rating=").await.json();
    let names: Vec<&str> = json["items"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Oak Lodge", "Rose Court"]);
    assert_eq!(json["total"], 2);
}

#[tokio::test]
async fn bad_filters_are_json_400s_naming_the_field() {
    let app = TestApp::new().await;
    for (query, field) in
        [("region=atlantis", "region"), ("page=0", "page"), ("per_page=1000", "per_page"), ("sort=x", "sort")]
    {
        let reply = app.get(&format!("/api/v1/locations?{query}")).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
        let json = reply.json();
        assert_eq!(json["error"]["status"], 400);
        assert_eq!(json["error"]["field"], field);
        assert!(json["error"]["message"].as_str().unwrap().contains("is not valid"), "{json}");
    }
}

#[tokio::test]
async fn every_bad_filter_is_listed_with_the_first_as_the_headline() {
    let app = TestApp::new().await;
    let reply = app.get("/api/v1/locations?region=atlantis&sort=x&per_page=1000").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let error = &reply.json()["error"];
    let fields: Vec<(&str, &str)> = error["fields"]
        .as_array()
        .expect("a list of field errors")
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["message"].as_str().unwrap()))
        .collect();
    let names: Vec<&str> = fields.iter().map(|(field, _)| *field).collect();
    // In the order the form shows the fields.
    assert_eq!(names, ["region", "sort", "per_page"], "{error}");
    assert!(fields.iter().all(|(_, message)| message.contains("is not valid")), "{error}");
    assert_eq!(error["field"], "region");
    assert_eq!(error["message"], fields[0].1);
    assert_eq!(error["status"], 400);
}

#[tokio::test]
async fn errors_not_caused_by_a_field_have_no_field_list() {
    let app = TestApp::new().await;
    let malformed = app.get("/api/v1/locations/abc").await.json();
    assert_eq!(malformed["error"]["field"], serde_json::Value::Null);
    assert_eq!(malformed["error"]["fields"], serde_json::json!([]));
    let missing = app.get("/api/v1/locations/1-999999999").await.json();
    assert_eq!(missing["error"]["fields"], serde_json::json!([]));
}

#[tokio::test]
async fn location_detail_has_ratings_history_and_related() {
    let app = TestApp::new().await;
    let reply = app.get(&format!("/api/v1/locations/{ROSE_COURT}")).await;
    assert_eq!(reply.status, StatusCode::OK);
    let json = reply.json();
    assert_eq!(json["location"]["name"], "Rose Court");
    assert_eq!(json["location"]["beds"], 40);
    assert_eq!(json["provider"]["id"], SUNRISE);
    assert_eq!(json["current_ratings"][0]["overall"], "good");
    assert_eq!(json["current_ratings"][0]["key_questions"]["safe"], "requires_improvement");
    assert_eq!(json["rating_history"].as_array().unwrap().len(), 2);
    assert_eq!(json["related"][0]["id"], OLD_ROSE_COURT);
    assert_eq!(json["related"][0]["known"], true);
}

#[tokio::test]
async fn provider_detail_lists_locations() {
    let app = TestApp::new().await;
    let json = app.get(&format!("/api/v1/providers/{HARBOUR}")).await.json();
    assert_eq!(json["provider"]["name"], "Harbour Homes");
    assert_eq!(json["locations"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn unknown_and_malformed_ids_are_json_errors() {
    let app = TestApp::new().await;
    let missing = app.get("/api/v1/locations/1-999999999").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.json()["error"]["status"], 404);

    let malformed = app.get("/api/v1/locations/abc").await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    let json = malformed.json();
    assert_eq!(
        json["error"]["message"],
        "abc is not a valid location ID: expected 1- followed by digits, like 1-545611283"
    );

    assert_eq!(app.get("/api/v1/providers/1-999999999").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/v1/providers/zzz").await.status, StatusCode::BAD_REQUEST);

    let nowhere = app.get("/api/v2/anything").await;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
    assert_eq!(nowhere.json()["error"]["message"], "There is no API endpoint at /api/v2/anything");
}

#[tokio::test]
async fn the_api_may_be_read_from_any_website() {
    let app = TestApp::new().await;
    let reply = app.get("/api/v1/locations").await;
    assert_eq!(reply.headers["access-control-allow-origin"], "*");
}

#[tokio::test]
async fn health_check_reports_ok_with_the_last_good_monitoring_round() {
    let app = TestApp::new().await;
    app.settled().await;
    let reply = app.get("/healthz").await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = reply.json();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["monitoring"]["state"], "ok");
    assert_eq!(body["monitoring"]["services_not_computed"], 0);
    let last = body["monitoring"]["last_good_round"].as_str().expect("a time");
    assert!(last.parse::<chrono::DateTime<chrono::Utc>>().is_ok(), "{last}");
}
