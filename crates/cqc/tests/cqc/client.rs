//! The API client against a local server that speaks the API's shapes.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use candour_cqc::client::{ApiKey, ClientConfig, ClientError, CqcClient, SyncSink, SyncState, sync};
use candour_cqc::{NoProgress, Parsed};
use candour_domain::ProviderId;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

const KEY: &str = "test-key-123";

/// A failure the server gives before answering normally.
#[derive(Clone)]
enum Fault {
    Busy { retry_after: &'static str },
    Unavailable,
}

#[derive(Default)]
struct Mock {
    locations: BTreeMap<String, Value>,
    providers: BTreeMap<String, Value>,
    changed: Vec<String>,
    /// Faults to give, in turn, for a request path (with `?page=N` for listings).
    faults: HashMap<String, VecDeque<Fault>>,
    /// Paths that fail every time while set.
    broken: HashSet<String>,
    requests: Vec<String>,
    change_windows: Vec<(String, String)>,
}

type Shared = Arc<Mutex<Mock>>;

fn location_record(n: u32) -> Value {
    json!({
        "locationId": format!("1-10{n:08}"),
        "providerId": format!("1-20{:08}", n % 2),
        "name": format!("Home number {n}"),
        "registrationStatus": "Registered",
        "registrationDate": "2015-04-01",
        "careHome": "Y",
        "numberOfBeds": 20 + n,
        "postalCode": "LS1 4AP",
        "region": "Yorkshire and The Humber",
        "localAuthority": "Leeds",
        "gacServiceTypes": [{"name": "Residential homes", "description": "Care home service without nursing"}],
        "lastReport": {"publicationDate": "2024-02-01"},
        "currentRatings": {"overall": {"rating": "Good", "reportDate": "2024-02-01", "keyQuestionRatings": [{"name": "Safe", "rating": "Good"}]}}
    })
}

fn mock(count: u32) -> Shared {
    let mut m = Mock::default();
    for n in 1..=count {
        let record = location_record(n);
        m.locations.insert(record["locationId"].as_str().unwrap_or_default().to_string(), record);
    }
    for p in 0..2 {
        let id = format!("1-20{p:08}");
        m.providers.insert(
            id.clone(),
            json!({"providerId": id, "name": format!("Provider {p}"), "registrationStatus": "Registered"}),
        );
    }
    Arc::new(Mutex::new(m))
}

/// Records the request and gives its fault, if any is due.
fn check(state: &Shared, headers: &HeaderMap, path: String) -> Option<Response> {
    let mut m = state.lock().expect("mock state");
    m.requests.push(path.clone());
    if headers.get("Ocp-Apim-Subscription-Key").and_then(|v| v.to_str().ok()) != Some(KEY) {
        return Some((StatusCode::UNAUTHORIZED, "Access denied due to missing subscription key").into_response());
    }
    if m.broken.contains(&path) {
        return Some(StatusCode::INTERNAL_SERVER_ERROR.into_response());
    }
    match m.faults.get_mut(&path).and_then(VecDeque::pop_front)? {
        Fault::Busy { retry_after } => Some(
            (StatusCode::TOO_MANY_REQUESTS, [("Retry-After", retry_after)], "Rate limit is exceeded").into_response(),
        ),
        Fault::Unavailable => Some(StatusCode::SERVICE_UNAVAILABLE.into_response()),
    }
}

fn paged(items: Vec<Value>, query: &HashMap<String, String>, key: &str) -> Value {
    let page: usize = query.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
    let per_page: usize = query.get("perPage").and_then(|p| p.parse().ok()).unwrap_or(1000);
    let total_pages = items.len().div_ceil(per_page);
    let slice: Vec<Value> = items.into_iter().skip((page - 1) * per_page).take(per_page).collect();
    json!({"total": slice.len(), "totalPages": total_pages, "page": page, "perPage": per_page, key: slice})
}

async fn list_locations(
    State(s): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let page = q.get("page").cloned().unwrap_or_default();
    if let Some(fault) = check(&s, &headers, format!("/locations?page={page}")) {
        return fault;
    }
    let m = s.lock().expect("mock state");
    let items = m
        .locations
        .values()
        .map(|l| json!({"locationId": l["locationId"], "locationName": l["name"], "postalCode": l["postalCode"]}))
        .collect();
    Json(paged(items, &q, "locations")).into_response()
}

async fn one_location(State(s): State<Shared>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(fault) = check(&s, &headers, format!("/locations/{id}")) {
        return fault;
    }
    match s.lock().expect("mock state").locations.get(&id) {
        Some(record) => Json(record.clone()).into_response(),
        None => {
            (StatusCode::NOT_FOUND, Json(json!({"statusCode": 404, "message": "Resource not found"}))).into_response()
        }
    }
}

async fn one_provider(State(s): State<Shared>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(fault) = check(&s, &headers, format!("/providers/{id}")) {
        return fault;
    }
    match s.lock().expect("mock state").providers.get(&id) {
        Some(record) => Json(record.clone()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn changes(State(s): State<Shared>, headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Response {
    let page = q.get("page").cloned().unwrap_or_default();
    if let Some(fault) = check(&s, &headers, format!("/changes/location?page={page}")) {
        return fault;
    }
    let mut m = s.lock().expect("mock state");
    let window =
        (q.get("startTimestamp").cloned().unwrap_or_default(), q.get("endTimestamp").cloned().unwrap_or_default());
    m.change_windows.push(window);
    let items = m.changed.iter().map(|id| json!(id)).collect();
    Json(paged(items, &q, "changes")).into_response()
}

async fn serve(state: Shared) -> String {
    let app = Router::new()
        .route("/public/v1/locations", get(list_locations))
        .route("/public/v1/locations/{id}", get(one_location))
        .route("/public/v1/providers/{id}", get(one_provider))
        .route("/public/v1/changes/location", get(changes))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a local port");
    let address = listener.local_addr().expect("its address");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("the mock serves") });
    format!("http://{address}/public/v1")
}

fn client(base_url: String, key: &str) -> CqcClient {
    let mut config = ClientConfig::new(ApiKey::new(key));
    config.base_url = base_url;
    config.per_page = 2;
    config.max_retries = 3;
    config.base_delay = Duration::from_millis(5);
    config.max_delay = Duration::from_secs(2);
    config.concurrency = 2;
    CqcClient::new(config).expect("a client")
}

/// Keeps what a sync hands over, as the CLI would apply and store it.
#[derive(Default)]
struct Sink {
    batches: Vec<Parsed>,
    states: Vec<SyncState>,
    known_providers: HashSet<ProviderId>,
}

impl SyncSink for Sink {
    type Error = String;

    fn has_provider(&self, id: &ProviderId) -> bool {
        self.known_providers.contains(id)
    }

    async fn apply(&mut self, batch: Parsed) -> Result<(), String> {
        self.known_providers.extend(batch.providers.iter().map(|p| p.id.clone()));
        self.batches.push(batch);
        Ok(())
    }

    async fn save(&mut self, state: &SyncState) -> Result<(), String> {
        // Round-trip through the stored form, as the CLI keeps it.
        let stored = SyncState::from_json(&state.to_json()).map_err(|e| e.to_string())?;
        self.states.push(stored);
        Ok(())
    }
}

impl Sink {
    fn location_ids(&self) -> Vec<String> {
        self.batches.iter().flat_map(|b| b.locations.iter().map(|l| l.id.to_string())).collect()
    }
}

fn requests(state: &Shared) -> Vec<String> {
    state.lock().expect("mock state").requests.clone()
}

#[tokio::test]
async fn a_full_sync_pages_through_every_location_despite_busy_answers() {
    let state = mock(5);
    {
        let mut m = state.lock().expect("mock state");
        m.faults.insert("/locations/1-1000000002".into(), VecDeque::from([Fault::Busy { retry_after: "1" }]));
        m.faults.insert("/locations?page=2".into(), VecDeque::from([Fault::Unavailable, Fault::Unavailable]));
    }
    let client = client(serve(state.clone()).await, KEY);
    let mut sink = Sink::default();
    let started = Instant::now();
    let report = sync(&client, SyncState::default(), false, &mut sink, &NoProgress).await.expect("the sync completes");
    assert!(started.elapsed() >= Duration::from_secs(1), "Retry-After was honoured");

    assert!(report.full && !report.resumed);
    assert_eq!((report.pages, report.locations, report.providers, report.problems), (3, 5, 2, 0));
    assert_eq!(sink.batches.len(), 3, "one batch per page");
    assert_eq!(sink.location_ids(), ["1-1000000001", "1-1000000002", "1-1000000003", "1-1000000004", "1-1000000005"]);
    let first = &sink.batches[0];
    assert_eq!(first.providers.len(), 2, "unknown providers are fetched with the first page");
    assert!(sink.batches[1].providers.is_empty(), "known providers are not fetched again");
    let home = first.locations[0].location.as_ref().expect("details");
    assert_eq!(home.beds, Some(21));
    assert_eq!(first.locations[0].ratings.len(), 1);

    let final_state = sink.states.last().expect("saved");
    assert_eq!(final_state.run, None);
    assert_eq!(final_state.synced_until, report.until);
    let log = requests(&state);
    assert_eq!(log.iter().filter(|r| *r == "/locations?page=2").count(), 3, "two 503s, then the page");
    assert_eq!(log.iter().filter(|r| *r == "/locations/1-1000000002").count(), 2, "one 429, then the record");
}

#[tokio::test]
async fn the_changes_feed_fetches_only_what_changed_since_the_last_sync() {
    let state = mock(6);
    state.lock().expect("mock state").changed =
        vec!["1-1000000004".into(), "1-1000000006".into(), "1-1000000099".into()];
    let client = client(serve(state.clone()).await, KEY);
    let since: DateTime<Utc> = "2024-05-01T06:30:00Z".parse().expect("a timestamp");
    let previous = SyncState { synced_until: Some(since), run: None };
    let mut sink = Sink::default();
    sink.known_providers.insert(ProviderId::parse("1-2000000000").expect("valid"));
    let report = sync(&client, previous, false, &mut sink, &NoProgress).await.expect("the sync completes");

    assert!(!report.full);
    assert_eq!(report.pages, 2);
    assert_eq!(sink.location_ids(), ["1-1000000004", "1-1000000006"]);
    assert_eq!(report.problems, 1, "a changed location the API no longer has");
    let problem = sink.batches[1].problems[0].to_string();
    assert_eq!(problem, "GET /locations/1-1000000099: listed by the API, but no record is found there");
    assert_eq!(report.providers, 0, "provider 1-2000000000 is known");

    let windows = state.lock().expect("mock state").change_windows.clone();
    let (start, end) = &windows[0];
    assert_eq!(start, "2024-05-01T06:30:00Z");
    assert_eq!(end.len(), 20);
    assert!(end.ends_with('Z') && end.as_bytes()[10] == b'T', "{end}");
    assert!(windows.iter().all(|w| w == &windows[0]), "every page asks about the same window");
    assert!(!requests(&state).iter().any(|r| r.starts_with("/locations?")), "no full listing");
    assert_eq!(sink.states.last().expect("saved").synced_until, report.until);
}

#[tokio::test]
async fn an_interrupted_sync_continues_where_it_stopped() {
    let state = mock(6);
    state.lock().expect("mock state").broken.insert("/locations/1-1000000004".into());
    let client = client(serve(state.clone()).await, KEY);
    let mut sink = Sink::default();

    let err =
        sync(&client, SyncState::default(), false, &mut sink, &NoProgress).await.expect_err("the API keeps failing");
    assert!(err.to_string().contains("/locations/1-1000000004: HTTP 500 after 4 attempt(s)"), "{err}");
    let saved = sink.states.last().cloned().expect("saved");
    let run = saved.run.clone().expect("an unfinished run");
    assert_eq!(run.pages_done, 1, "page 1 was handed over; page 2 was not");
    assert_eq!(saved.synced_until, None);

    {
        let mut m = state.lock().expect("mock state");
        m.broken.clear();
        m.requests.clear();
    }
    let report = sync(&client, saved, false, &mut sink, &NoProgress).await.expect("the sync completes");
    assert!(report.resumed);
    assert_eq!(report.until, Some(run.until), "the same window");
    assert_eq!(report.pages, 2);
    let log = requests(&state);
    assert!(!log.contains(&"/locations?page=1".to_string()), "page 1 is not fetched again");
    assert!(!log.contains(&"/locations/1-1000000001".to_string()));
    assert_eq!(
        sink.location_ids(),
        ["1-1000000001", "1-1000000002", "1-1000000003", "1-1000000004", "1-1000000005", "1-1000000006"]
    );
    assert_eq!(sink.states.last().expect("saved").run, None);
}

#[tokio::test]
async fn a_refused_key_and_endless_failures_are_clear_errors() {
    let state = mock(1);
    let base = serve(state.clone()).await;
    let err = client(base.clone(), "wrong").locations_page(1).await.expect_err("refused");
    assert!(matches!(err, ClientError::Unauthorised { status: 401, .. }), "{err}");
    assert!(err.to_string().ends_with("the API refused the subscription key (HTTP 401); check CQC_API_KEY"));

    state.lock().expect("mock state").broken.insert("/locations/1-1000000001".into());
    state.lock().expect("mock state").requests.clear();
    let id = candour_domain::LocationId::parse("1-1000000001").expect("valid");
    let err = client(base.clone(), KEY).location(&id).await.expect_err("keeps failing");
    assert!(matches!(err, ClientError::Status { status: 500, attempts: 4, .. }), "{err}");
    assert_eq!(requests(&state).len(), 4, "bounded retries");

    let missing = candour_domain::LocationId::parse("1-1000000042").expect("valid");
    let err = client(base, KEY).location(&missing).await.expect_err("absent");
    assert!(matches!(err, ClientError::NotFound { .. }), "{err}");
}
