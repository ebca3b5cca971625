//! `candour sync cqc` against a local server speaking the API's documented shapes.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::{Path as UrlPath, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use serde_json::{Value, json};

const KEY: &str = "test-key";
const LOCATION: &str = "1-1000000001";
const PROVIDER: &str = "1-2000000001";

type Log = Arc<Mutex<Vec<String>>>;

fn authorised(headers: &HeaderMap) -> Result<(), StatusCode> {
    match headers.get("Ocp-Apim-Subscription-Key") {
        Some(k) if k == KEY => Ok(()),
        _ => Err(StatusCode::UNAUTHORIZED),
    }
}

fn record() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cqc/tests/fixtures/api/01-legacy.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("fixture is JSON")
}

async fn mock_api(log: Log) -> String {
    let app = axum::Router::new()
        .route(
            "/locations",
            get(|State(log): State<Log>, headers: HeaderMap, RawQuery(q): RawQuery| async move {
                log.lock().expect("log").push(format!("/locations?{}", q.unwrap_or_default()));
                authorised(&headers)?;
                Ok::<_, StatusCode>(Json(json!({"page": 1, "totalPages": 1, "perPage": 500,
                    "locations": [{"locationId": LOCATION, "locationName": "Rose Court Care Home", "postalCode": "M20 2AB"}]})))
            }),
        )
        .route(
            "/locations/{id}",
            get(|State(log): State<Log>, headers: HeaderMap, UrlPath(id): UrlPath<String>| async move {
                log.lock().expect("log").push(format!("/locations/{id}"));
                authorised(&headers)?;
                if id == LOCATION { Ok(Json(record())) } else { Err(StatusCode::NOT_FOUND) }
            }),
        )
        .route(
            "/providers/{id}",
            get(|State(log): State<Log>, headers: HeaderMap, UrlPath(id): UrlPath<String>| async move {
                log.lock().expect("log").push(format!("/providers/{id}"));
                authorised(&headers)?;
                Ok::<_, StatusCode>(Json(json!({"providerId": id, "name": "Rose Group Ltd", "type": "Social Care Org",
                    "ownershipType": "Organisation", "registrationStatus": "Registered"})))
            }),
        )
        .route(
            "/changes/location",
            get(|State(log): State<Log>, headers: HeaderMap, RawQuery(q): RawQuery| async move {
                log.lock().expect("log").push(format!("/changes/location?{}", q.unwrap_or_default()));
                authorised(&headers)?;
                Ok::<_, StatusCode>(Json(json!({"page": 1, "totalPages": 1, "changes": [LOCATION]})))
            }),
        )
        .with_state(log);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

async fn sync(db: &str, url: &str, key: Option<&str>, extra: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_candour"));
    cmd.args(["sync", "cqc", "--db", db, "--base-url", url]).args(extra).env_remove("CQC_API_KEY");
    if let Some(key) = key {
        cmd.env("CQC_API_KEY", key);
    }
    tokio::task::spawn_blocking(move || cmd.output().expect("run candour")).await.expect("join")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn sync_fetches_everything_first_then_only_changes() {
    let log = Log::default();
    let url = mock_api(log.clone()).await;
    let database = candour_db::TestDatabase::fresh().await;
    let db = database.value();

    let out = sync(&db, &url, None, &[]).await;
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("set CQC_API_KEY"), "{}", text(&out.stderr));

    let out = sync(&db, &url, Some("wrong"), &[]).await;
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("refused the subscription key"), "{}", text(&out.stderr));

    let out = sync(&db, &url, Some(KEY), &[]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("(every location)"), "{stdout}");
    assert!(stdout.contains("Locations: 1 added"), "{stdout}");
    assert!(log.lock().expect("log").contains(&format!("/providers/{PROVIDER}")), "the unknown provider is fetched");

    log.lock().expect("log").clear();
    let out = sync(&db, &url, Some(KEY), &[]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("(changes)") && stdout.contains("0 added, 0 changed, 1 unchanged"), "{stdout}");
    let requests = log.lock().expect("log").clone();
    assert!(requests.iter().any(|r| r.starts_with("/changes/location?startTimestamp=")), "{requests:?}");
    assert!(
        !requests.iter().any(|r| r.starts_with("/providers/")),
        "a known provider is not fetched again: {requests:?}"
    );

    log.lock().expect("log").clear();
    let out = sync(&db, &url, Some(KEY), &["--since", "2026-11-01T00:00:00Z"]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let requests = log.lock().expect("log").clone();
    assert!(
        requests[0].contains("startTimestamp=2026-11-01T00%3A00%3A00Z")
            || requests[0].contains("startTimestamp=2026-11-01T00:00:00Z"),
        "{requests:?}"
    );
}

#[tokio::test]
async fn a_malformed_since_is_refused() {
    let database = candour_db::TestDatabase::fresh().await;
    let db = database.value();
    let out = sync(&db, "http://127.0.0.1:9", Some(KEY), &["--since", "yesterday"]).await;
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("is not a UTC time like 2026-11-01T00:00:00Z"), "{}", text(&out.stderr));
}
