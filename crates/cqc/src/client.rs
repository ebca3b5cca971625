//! The regulator's API: paged listings, single records, the changes feed, back-off
//! when it is busy, and a resumable sync that hands records over page by page.

use std::collections::HashSet;
use std::fmt;
use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;

use candour_domain::{LocationId, ProviderId};

use crate::api::{API_CARRIED, add_record};
use crate::collect::Collector;
use crate::error::RowProblem;
use crate::{Parsed, Progress, SourceKind};

pub const DEFAULT_BASE_URL: &str = "https://api.service.cqc.org.uk/public/v1";
/// The header that carries the subscription key.
pub const KEY_HEADER: &str = "Ocp-Apim-Subscription-Key";
/// The key under which callers keep [`SyncState`] (see `Store::set_state`).
pub const SYNC_STATE_KEY: &str = "cqc_sync";

/// A subscription key: never printed.
#[derive(Clone)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(redacted)")
    }
}

#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub base_url: String,
    pub api_key: ApiKey,
    /// Items per page of the listings.
    pub per_page: u32,
    /// Retries of a request the API answered with 429 or 5xx, or that failed in transit.
    pub max_retries: u32,
    /// The first back-off; each retry doubles it, up to `max_delay`.
    pub base_delay: Duration,
    /// The longest wait between attempts, `Retry-After` included.
    pub max_delay: Duration,
    pub timeout: Duration,
    /// Records fetched at once.
    pub concurrency: usize,
    /// Extra query parameters for the full listing, e.g. `inspectionDirectorate`.
    pub location_filters: Vec<(String, String)>,
}

impl ClientConfig {
    pub fn new(api_key: ApiKey) -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.to_string(),
            api_key,
            per_page: 500,
            max_retries: 6,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(60),
            timeout: Duration::from_secs(60),
            concurrency: 4,
            location_filters: Vec::new(),
        }
    }
}

#[derive(Debug, Error)]
pub enum ClientError {
    #[error("cannot set up the HTTP client: {0}")]
    Setup(String),
    #[error("{url}: the API refused the subscription key (HTTP {status}); check CQC_API_KEY")]
    Unauthorised { url: String, status: u16 },
    #[error("{url}: not found")]
    NotFound { url: String },
    #[error("{url}: HTTP {status} after {attempts} attempt(s)")]
    Status { url: String, status: u16, attempts: u32 },
    #[error("{url}: {message} (after {attempts} attempt(s))")]
    Transport { url: String, message: String, attempts: u32 },
    #[error("{url}: unexpected response: {message}")]
    Body { url: String, message: String },
}

/// One page of a listing: location IDs and how many pages there are.
#[derive(Debug, Clone, PartialEq)]
pub struct ListPage {
    pub page: u32,
    pub total_pages: u32,
    pub ids: Vec<LocationId>,
    /// Items whose ID was not valid.
    pub problems: Vec<RowProblem>,
}

#[derive(Debug, Clone)]
pub struct CqcClient {
    http: reqwest::Client,
    config: ClientConfig,
}

/// The API's timestamps: UTC to the second, `YYYY-MM-DDTHH:MM:SSZ`.
pub fn api_timestamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

impl CqcClient {
    pub fn new(config: ClientConfig) -> Result<Self, ClientError> {
        // Installing twice is harmless: a provider may already be installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .user_agent(concat!("candour/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClientError::Setup(e.to_string()))?;
        Ok(Self { http, config })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// `GET /locations?page=N&perPage=M` (1-based pages).
    pub async fn locations_page(&self, page: u32) -> Result<ListPage, ClientError> {
        let mut query = self.paging(page);
        query.extend(self.config.location_filters.iter().cloned());
        let body = self.get_json("/locations", &query).await?;
        list_page(&body, "locations", page, &self.url("/locations"))
    }

    /// `GET /changes/location?startTimestamp=…&endTimestamp=…`: locations changed in the window.
    pub async fn changes_page(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        page: u32,
    ) -> Result<ListPage, ClientError> {
        let mut query = vec![
            ("startTimestamp".to_string(), api_timestamp(start)),
            ("endTimestamp".to_string(), api_timestamp(end)),
        ];
        query.extend(self.paging(page));
        let body = self.get_json("/changes/location", &query).await?;
        list_page(&body, "changes", page, &self.url("/changes/location"))
    }

    /// `GET /locations/{id}`: the full record, for [`crate::parse_location_record`].
    pub async fn location(&self, id: &LocationId) -> Result<Value, ClientError> {
        self.get_json(&format!("/locations/{id}"), &[]).await
    }

    /// `GET /providers/{id}`: the full record, for [`crate::parse_provider_record`].
    pub async fn provider(&self, id: &ProviderId) -> Result<Value, ClientError> {
        self.get_json(&format!("/providers/{id}"), &[]).await
    }

    fn paging(&self, page: u32) -> Vec<(String, String)> {
        vec![("page".to_string(), page.to_string()), ("perPage".to_string(), self.config.per_page.to_string())]
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.config.base_url.trim_end_matches('/'))
    }

    /// GETs JSON, retrying (with back-off) when the API is busy or failing.
    async fn get_json(&self, path: &str, query: &[(String, String)]) -> Result<Value, ClientError> {
        let url = self.url(path);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let sent = self.http.get(&url).header(KEY_HEADER, &self.config.api_key.0).query(query).send().await;
            let wait = match sent {
                Ok(response) if response.status().is_success() => {
                    return response
                        .json::<Value>()
                        .await
                        .map_err(|e| ClientError::Body { url, message: e.to_string() });
                }
                Ok(response) => {
                    let status = response.status();
                    if !is_retryable(status) || attempt > self.config.max_retries {
                        return Err(status_error(url, status, attempt));
                    }
                    self.backoff(attempt, retry_after(response.headers()))
                }
                Err(e) => {
                    if attempt > self.config.max_retries {
                        return Err(ClientError::Transport { url, message: e.to_string(), attempts: attempt });
                    }
                    self.backoff(attempt, None)
                }
            };
            tracing::warn!(%url, attempt, wait_ms = wait.as_millis() as u64, "the API is busy or failing; retrying");
            tokio::time::sleep(wait).await;
        }
    }

    /// `Retry-After` when the API gives one; otherwise doubling from the base delay.
    fn backoff(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let doubled = self.config.base_delay.saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)));
        retry_after.unwrap_or(doubled).min(self.config.max_delay)
    }
}

fn is_retryable(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

fn status_error(url: String, status: StatusCode, attempts: u32) -> ClientError {
    match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => ClientError::Unauthorised { url, status: status.as_u16() },
        StatusCode::NOT_FOUND => ClientError::NotFound { url },
        _ => ClientError::Status { url, status: status.as_u16(), attempts },
    }
}

/// `Retry-After` as seconds or as an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = DateTime::parse_from_rfc2822(value).ok()?.with_timezone(&Utc);
    Some((when - Utc::now()).to_std().unwrap_or(Duration::ZERO))
}

/// Reads a listing page: `{page, totalPages, <items>: [...]}` where items are
/// location summaries (`{locationId, ...}`) or, in the changes feed, bare IDs.
fn list_page(body: &Value, items_key: &str, page: u32, url: &str) -> Result<ListPage, ClientError> {
    let body_error = |message: String| ClientError::Body { url: url.to_string(), message };
    let total_pages =
        body.get("totalPages").and_then(Value::as_u64).ok_or_else(|| body_error("no totalPages number".to_string()))?;
    let items = match body.get(items_key) {
        Some(Value::Array(items)) => items.as_slice(),
        None | Some(Value::Null) => &[],
        Some(_) => return Err(body_error(format!("{items_key} is not a list"))),
    };
    let origin = |index: usize| format!("{url}?page={page}, item {index}");
    let mut ids = Vec::with_capacity(items.len());
    let mut problems = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let raw = item.as_str().or_else(|| item.get("locationId").and_then(Value::as_str)).unwrap_or("");
        match LocationId::parse(raw) {
            Ok(id) => ids.push(id),
            Err(e) => problems.push(RowProblem::new(index, Some("locationId"), e.to_string()).in_file(&origin(index))),
        }
    }
    Ok(ListPage { page, total_pages: u32::try_from(total_pages).unwrap_or(u32::MAX), ids, problems })
}

// ---------------------------------------------------------------- sync

/// Where syncing has got to, kept between runs (as JSON under [`SYNC_STATE_KEY`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncState {
    /// The end of the last window fetched in full: the next run asks for the
    /// changes since then.
    pub synced_until: Option<DateTime<Utc>>,
    /// A run that stopped before finishing, to continue where it stopped.
    pub run: Option<SyncRun>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncRun {
    /// The start of the changes window; `None` for a fetch of every location.
    pub since: Option<DateTime<Utc>>,
    /// The end of the window, fixed when the run starts so a resumed run asks the same question.
    pub until: DateTime<Utc>,
    /// Listing pages whose records have all been handed over.
    pub pages_done: u32,
}

impl SyncState {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }
}

/// Where a sync hands its records and keeps its state; the caller plans and
/// applies each batch (see [`crate::plan`]) and stores the state.
pub trait SyncSink {
    type Error: fmt::Display;

    /// Whether the register already has this provider, so its record need not be fetched.
    fn has_provider(&self, id: &ProviderId) -> bool;

    /// Imports one batch: the location records of one listing page, with the
    /// records of providers the register lacks.
    fn apply(&mut self, batch: Parsed) -> impl Future<Output = Result<(), Self::Error>>;

    /// Keeps the state, so that an interrupted sync can continue.
    fn save(&mut self, state: &SyncState) -> impl Future<Output = Result<(), Self::Error>>;
}

#[derive(Debug, Error)]
pub enum SyncError<E: fmt::Display + fmt::Debug> {
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error("cannot import a batch or keep the sync state: {0}")]
    Sink(E),
}

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Whether it continued an interrupted run.
    pub resumed: bool,
    /// Whether it fetched every location (rather than the changes).
    pub full: bool,
    pub pages: u32,
    pub locations: u64,
    pub providers: u64,
    /// Records the API returned that could not be read, or no longer has.
    pub problems: u64,
    pub until: Option<DateTime<Utc>>,
}

/// Fetches every location (`full`, or when nothing was synced before) or the
/// locations changed since the last sync, and hands them to `sink` page by page,
/// saving the state after each page. An interrupted run is continued first (unless
/// `full` is asked for and the interrupted run was not a full one).
pub async fn sync<S>(
    client: &CqcClient,
    mut state: SyncState,
    full: bool,
    sink: &mut S,
    progress: &dyn Progress,
) -> Result<SyncReport, SyncError<S::Error>>
where
    S: SyncSink,
    S::Error: fmt::Debug,
{
    let (mut run, resumed) = match state.run.take() {
        Some(run) if !full || run.since.is_none() => (run, true),
        _ => {
            let since = if full { None } else { state.synced_until };
            (SyncRun { since, until: Utc::now().trunc_subsecs(0), pages_done: 0 }, false)
        }
    };
    let mut report = SyncReport { resumed, full: run.since.is_none(), until: Some(run.until), ..Default::default() };
    state.run = Some(run.clone());
    sink.save(&state).await.map_err(SyncError::Sink)?;
    let mut fetched_providers = HashSet::new();
    loop {
        let page = run.pages_done + 1;
        let listing = match run.since {
            None => client.locations_page(page).await?,
            Some(since) => client.changes_page(since, run.until, page).await?,
        };
        if report.pages == 0 {
            progress.start(u64::from(listing.total_pages));
            progress.advance(u64::from(run.pages_done));
        }
        if !listing.ids.is_empty() {
            let batch = fetch_batch(client, &listing, &*sink, &mut fetched_providers).await?;
            report.locations += batch.locations.len() as u64;
            report.providers += batch.providers.len() as u64;
            report.problems += batch.problems.len() as u64;
            sink.apply(batch).await.map_err(SyncError::Sink)?;
        }
        run.pages_done = page;
        report.pages += 1;
        state.run = Some(run.clone());
        sink.save(&state).await.map_err(SyncError::Sink)?;
        progress.advance(1);
        if page >= listing.total_pages {
            break;
        }
    }
    state.synced_until = Some(run.until);
    state.run = None;
    sink.save(&state).await.map_err(SyncError::Sink)?;
    progress.finish();
    Ok(report)
}

/// Fetches the records of one listing page, and of the providers they name that
/// the register lacks.
async fn fetch_batch<S: SyncSink>(
    client: &CqcClient,
    listing: &ListPage,
    sink: &S,
    fetched_providers: &mut HashSet<ProviderId>,
) -> Result<Parsed, ClientError> {
    let mut collector = Collector::new();
    for problem in &listing.problems {
        collector.reject(None, vec![problem.clone()]);
    }
    let mut ids: Vec<&LocationId> = Vec::new();
    for id in &listing.ids {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    let records = fetch_all(client, ids.iter().map(|id| format!("/locations/{id}")).collect()).await?;
    let mut wanted_providers = Vec::new();
    for (path, record) in &records {
        match record {
            Some(value) => {
                add_record(&mut collector, value, 0, &format!("GET {path}"));
                let provider = value.get("providerId").and_then(Value::as_str).and_then(|p| ProviderId::parse(p).ok());
                if let Some(provider) =
                    provider.filter(|p| !sink.has_provider(p) && fetched_providers.insert(p.clone()))
                {
                    wanted_providers.push(format!("/providers/{provider}"));
                }
            }
            None => collector.reject(None, vec![gone(path)]),
        }
    }
    for (path, record) in fetch_all(client, wanted_providers).await? {
        match record {
            Some(value) => add_record(&mut collector, &value, 0, &format!("GET {path}")),
            None => collector.reject(None, vec![gone(&path)]),
        }
    }
    Ok(collector.finish(SourceKind::Api, client.config.base_url.clone(), None, API_CARRIED))
}

fn gone(path: &str) -> RowProblem {
    RowProblem::new(0, None, "listed by the API, but no record is found there").in_file(&format!("GET {path}"))
}

/// GETs each path, a few at a time; a record the API no longer has is `None`.
async fn fetch_all(client: &CqcClient, paths: Vec<String>) -> Result<Vec<(String, Option<Value>)>, ClientError> {
    let mut out = Vec::with_capacity(paths.len());
    for chunk in paths.chunks(client.config.concurrency.max(1)) {
        let mut tasks = tokio::task::JoinSet::new();
        for (i, path) in chunk.iter().enumerate() {
            let client = client.clone();
            let path = path.clone();
            tasks.spawn(async move {
                let result = client.get_json(&path, &[]).await;
                (i, path, result)
            });
        }
        let mut results = Vec::with_capacity(chunk.len());
        while let Some(joined) = tasks.join_next().await {
            let (i, path, result) = joined.map_err(|e| ClientError::Setup(format!("a fetch stopped: {e}")))?;
            let record = match result {
                Ok(value) => Some(value),
                Err(ClientError::NotFound { .. }) => None,
                Err(e) => return Err(e),
            };
            results.push((i, path, record));
        }
        results.sort_by_key(|(i, _, _)| *i);
        out.extend(results.into_iter().map(|(_, path, record)| (path, record)));
    }
    Ok(out)
}
