//! The API's description: an OpenAPI 3.1 document made from the handlers, with
//! every route, the token on the private ones, and no reference to a type it does
//! not describe; and the page that reads it to people.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use serde_json::Value;

use crate::fixture::*;

const OPEN: [(&str, &str); 7] = [
    ("get", "/api/v1/locations"),
    ("get", "/api/v1/locations/{id}"),
    ("get", "/api/v1/providers/{id}"),
    ("post", "/api/v1/locations/{id}/feedback"),
    ("get", "/api/v1/locations/{id}/voice"),
    ("get", "/api/v1/good-practice"),
    ("get", "/api/v1/good-practice/{id}"),
];

const WITH_TOKEN: [(&str, &str); 20] = [
    ("get", "/api/v1/me"),
    ("get", "/api/v1/manage/locations/{id}"),
    ("get", "/api/v1/manage/providers/{id}"),
    ("get", "/api/v1/monitoring/locations/{id}"),
    ("get", "/api/v1/monitoring/watchlist"),
    ("post", "/api/v1/manage/locations/{id}/returns"),
    ("get", "/api/v1/manage/locations/{id}/complaints"),
    ("post", "/api/v1/manage/locations/{id}/complaints"),
    ("get", "/api/v1/complaints/{id}"),
    ("post", "/api/v1/complaints/{id}/steps"),
    ("get", "/api/v1/manage/locations/{id}/plans"),
    ("get", "/api/v1/plans/{id}"),
    ("post", "/api/v1/plans/{id}/actions"),
    ("get", "/api/v1/plans/{id}/actions.csv"),
    ("post", "/api/v1/plans/{id}/actions/{action}/status"),
    ("get", "/api/v1/manage/locations/{id}/assessments"),
    ("get", "/api/v1/assessments/{id}"),
    ("get", "/api/v1/manage/providers/{id}/policies"),
    ("get", "/api/v1/manage/providers/{id}/policies/reads.csv"),
    ("post", "/api/v1/policies/{id}/read"),
];

async fn document(app: &TestApp) -> Value {
    let reply = app.get("/api/v1/openapi.json").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.headers["content-type"], "application/json");
    reply.json()
}

/// Every `$ref` in the document, wherever it is.
fn references(value: &Value, found: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                found.insert(r.clone());
            }
            map.values().for_each(|v| references(v, found));
        }
        Value::Array(items) => items.iter().for_each(|v| references(v, found)),
        _ => {}
    }
}

#[tokio::test]
async fn the_document_describes_every_route_with_its_answers_and_the_token_where_one_is_needed() {
    let app = TestApp::new().await;
    let doc = document(&app).await;
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")), "{}", doc["openapi"]);

    let described: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| item.as_object().unwrap().keys().map(move |m| (m.clone(), path.clone())))
        .collect();
    let expected: BTreeSet<(String, String)> =
        OPEN.iter().chain(&WITH_TOKEN).map(|(m, p)| (m.to_string(), p.to_string())).collect();
    assert_eq!(described, expected);

    for (method, path) in OPEN.iter().chain(&WITH_TOKEN) {
        let op = &doc["paths"][path][method];
        let needs_token = WITH_TOKEN.contains(&(method, path));
        assert_eq!(op["security"].is_array(), needs_token, "{method} {path}: security");
        assert!(!op["summary"].as_str().unwrap_or_default().is_empty(), "{method} {path}: a summary");
        let statuses: Vec<&String> = op["responses"].as_object().unwrap().keys().collect();
        assert!(statuses.iter().any(|s| s.starts_with('2')), "{method} {path}: a success");
        assert!(statuses.iter().any(|s| s.starts_with('4')), "{method} {path}: its errors");
        if needs_token {
            assert!(statuses.contains(&&"401".to_string()), "{method} {path}: 401 without a token");
        }
        for parameter in path.split('{').skip(1).map(|p| p.trim_end_matches(|c| c != '}').trim_end_matches('}')) {
            let params = op["parameters"].as_array().unwrap();
            assert!(
                params.iter().any(|p| p["name"] == parameter && p["in"] == "path" && p["required"] == true),
                "{method} {path}: path parameter {parameter}"
            );
        }
    }
    assert_eq!(doc["components"]["securitySchemes"]["token"]["scheme"], "bearer");

    // Every type referred to is described.
    let mut refs = BTreeSet::new();
    references(&doc, &mut refs);
    for r in &refs {
        let name = r.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("an outside reference: {r}"));
        assert!(doc["components"]["schemas"][name].is_object(), "{r} is not described");
    }
    // The error shape every route shares, and a type from each layer.
    for name in ["ErrorBody", "LocationSummary", "PeopleRatingJson", "VisitReport", "RawFeedback", "ComplaintInFull"] {
        assert!(doc["components"]["schemas"][name].is_object(), "{name}");
    }
}

#[tokio::test]
async fn an_error_is_sent_as_the_document_describes_it() {
    let app = TestApp::new().await;
    let doc = document(&app).await;
    let error = &doc["components"]["schemas"]["ErrorDetail"];
    let reply = app.get("/api/v1/locations?region=atlantis").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let body = reply.json();
    let sent: BTreeSet<&String> = body["error"].as_object().unwrap().keys().collect();
    let described: BTreeSet<&String> = error["properties"].as_object().unwrap().keys().collect();
    assert_eq!(sent, described);
    assert_eq!(body["error"]["field"], "region");
}

#[tokio::test]
async fn the_developers_page_reads_the_document_to_people() {
    let app = TestApp::new().await;
    let reply = app.get("/developers").await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.assert_contains(&[
        "<h1 class=\"heading-xl\">The Candour API</h1>",
        r#"href="/api/v1/openapi.json""#,
        "<code>GET /api/v1/locations/{id}</code>",
        "<code>POST /api/v1/locations/{id}/feedback</code>",
        "A service: its registration, ratings with their history",
        "needs a token",
        r##"<a href="#schema-locationsummary">array of LocationSummary</a>"##,
        r#"id="schema-locationsummary""#,
    ]);
    for (method, path) in OPEN.iter().chain(&WITH_TOKEN) {
        reply.assert_contains(&[&format!("<code>{} {path}</code>", method.to_uppercase())]);
    }
    // Linked from every page's footer.
    app.get("/").await.assert_contains(&[r#"<a href="/developers">"#]);
}
