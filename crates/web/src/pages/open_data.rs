//! `/open-data`: the files anyone may download in bulk, each with its data
//! dictionary and licence. A file is made on disk the first time it is asked for
//! after a change (the change journal's position and the day name its version),
//! then streamed from there with an ETag and Last-Modified, so that a national
//! file is never held whole in memory and an unchanged one is not sent again.

use std::path::PathBuf;
use std::time::SystemTime;

use askama::Template;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use candour_app::open_data::{DATASETS, DataFile, Description};
use chrono::{DateTime, Utc};
use tokio::sync::Mutex;
use tokio_util::io::ReaderStream;

use crate::error::{PageError, WebError, render};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/open-data", get(page)).route("/open-data/{file}", get(download))
}

/// Where this server keeps the files it has made: a folder of its own, removed when it stops.
pub struct Files {
    dir: PathBuf,
    /// One file is made at a time: a second request for it waits and then finds it made.
    making: Mutex<()>,
}

impl Files {
    pub fn new() -> Self {
        let mut random = [0u8; 8];
        let _ = getrandom::fill(&mut random);
        let tag: String = random.iter().map(|b| format!("{b:02x}")).collect();
        Files {
            dir: std::env::temp_dir().join(format!("candour-open-data-{}-{tag}", std::process::id())),
            making: Mutex::new(()),
        }
    }
}

impl Drop for Files {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[derive(Template)]
#[template(path = "open_data.html")]
struct OpenDataPage {
    title: &'static str,
    datasets: Vec<DatasetView>,
}

struct DatasetView {
    title: &'static str,
    about: &'static str,
    licence: &'static str,
    columns: &'static [(&'static str, &'static str)],
    /// (href, name, format)
    files: Vec<(String, String, &'static str)>,
}

impl DatasetView {
    fn of(d: &'static Description) -> Self {
        let files = DataFile::ALL
            .into_iter()
            .filter(|f| f.dataset == d.dataset)
            .map(|f| {
                let format = match f.format {
                    candour_app::open_data::Format::Csv => "CSV",
                    candour_app::open_data::Format::Ods => "OpenDocument spreadsheet",
                };
                (format!("/open-data/{}", f.name()), f.name(), format)
            })
            .collect();
        DatasetView { title: d.title, about: d.about, licence: d.licence, columns: d.columns, files }
    }
}

/// `GET /open-data`
async fn page() -> Response {
    render(
        StatusCode::OK,
        &OpenDataPage { title: "Open data", datasets: DATASETS.iter().map(DatasetView::of).collect() },
    )
}

/// `GET /open-data/{file}`
async fn download(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let Some(file) = DataFile::parse(&name) else {
        return Err(WebError::not_found(format!("There is no open data file called {name}.")).into());
    };
    let now = Utc::now();
    let position = state.store.last_change().await.map_err(|e| WebError::from_store(e, String::new))?;
    // The voice file moves with the month, the others with the data: the day covers both.
    let version = format!("{position}-{}", now.format("%Y%m%d"));
    let etag = format!("\"{}-{version}\"", file.name());
    if headers.get(header::IF_NONE_MATCH).is_some_and(|v| v.as_bytes() == etag.as_bytes()) {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response());
    }
    let path = state.open_data.dir.join(format!("{version}-{}", file.name()));
    if !path.exists() {
        let _making = state.open_data.making.lock().await;
        if !path.exists() {
            make(&state, file, &path, now).await?;
        }
    }
    let opened = tokio::fs::File::open(&path).await.map_err(|e| internal("open", e))?;
    let made: DateTime<Utc> = opened.metadata().await.and_then(|m| m.modified()).unwrap_or(SystemTime::now()).into();
    let mut response = Body::from_stream(ReaderStream::new(opened)).into_response();
    let set = response.headers_mut();
    set.insert(header::CONTENT_TYPE, HeaderValue::from_static(file.media_type()));
    let disposition = format!("attachment; filename=\"{}\"", file.name());
    set.insert(header::CONTENT_DISPOSITION, HeaderValue::from_str(&disposition).map_err(|e| internal("name", e))?);
    set.insert(header::ETAG, HeaderValue::from_str(&etag).map_err(|e| internal("tag", e))?);
    let modified = made.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    set.insert(header::LAST_MODIFIED, HeaderValue::from_str(&modified).map_err(|e| internal("date", e))?);
    set.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    Ok(response)
}

/// Makes the file beside where it belongs, then moves it there: a reader never finds half a file.
async fn make(state: &AppState, file: DataFile, path: &std::path::Path, now: DateTime<Utc>) -> Result<(), WebError> {
    tokio::fs::create_dir_all(&state.open_data.dir).await.map_err(|e| internal("folder", e))?;
    let partial = path.with_extension("partial");
    let written = state.app.open_data.write(file, &partial, now.date_naive()).await;
    if let Err(e) = written {
        let _ = tokio::fs::remove_file(&partial).await;
        return Err(internal("write", e));
    }
    tokio::fs::rename(&partial, path).await.map_err(|e| internal("move", e))
}

fn internal(step: &str, e: impl std::fmt::Display) -> WebError {
    tracing::error!(error = %e, step, "an open data file could not be made");
    WebError::Internal
}
