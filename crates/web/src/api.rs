//! What the JSON API's areas share: the one answer for a private record the caller
//! cannot see, the API's own 404 and the health check; and the assessments' API.
//! Each area's API sits beside its pages (`pages/<area>/api.rs`).

use axum::Json;
use axum::extract::OriginalUri;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use candour_store::StoreError;
use serde::Serialize;
use serde_json::json;

use candour_domain::{Action, LocationId};

use crate::auth::ApiCaller;
use crate::error::{ApiError, WebError};
use crate::pages::location_resource;
use crate::state::AppState;

/// The one answer for a private record that does not exist or that the caller
/// may not see.
pub(crate) fn private_not_found(kind: &str, raw_id: &str) -> WebError {
    WebError::not_found(format!("There is no {kind} with ID {raw_id} that you can see"))
}

/// A store failure, with a record that is not there answered as `missing`.
pub(crate) fn unless_missing(err: StoreError, missing: impl FnOnce() -> WebError) -> WebError {
    match err {
        StoreError::NotFound => missing(),
        other => WebError::from_store(other, String::new),
    }
}

/// Any other path under `/api`.
pub async fn not_found(OriginalUri(uri): OriginalUri) -> ApiError {
    ApiError(WebError::not_found(format!("There is no API endpoint at {}", uri.path())))
}

/// `GET /healthz`: 200 while the database answers and monitoring keeps up; 503
/// when the database does not answer, or monitoring's rounds are failing or stale,
/// saying why and when the last good round was.
pub async fn health(State(state): State<AppState>) -> Response {
    if let Err(err) = state.store.ping().await {
        tracing::error!(error = %err, "health check failed: the store did not answer");
        return (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "unavailable" }))).into_response();
    }
    let monitoring = state.monitor.health();
    let status = if monitoring.state.is_healthy() { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let word = if monitoring.state.is_healthy() { "ok" } else { "monitoring_not_current" };
    (status, Json(json!({ "status": word, "monitoring": monitoring }))).into_response()
}

/// An assessment with the engine's result for it (as published, or as it now computes).
#[derive(Serialize)]
pub struct AssessmentView {
    pub assessment: candour_store::AssessmentRecord,
    /// `None` when the assessment cannot be rated yet; `problem` says why.
    pub result: Option<candour_engine::AssessmentResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

impl AssessmentView {
    fn of(mut record: candour_store::AssessmentRecord) -> Self {
        let published = record.result.take().and_then(|text| serde_json::from_str(&text).ok());
        let computed = match published {
            Some(result) => Ok(result),
            None => crate::assessment::compute(&record),
        };
        match computed {
            Ok(result) => AssessmentView { assessment: record, result: Some(result), problem: None },
            Err(problem) => AssessmentView { assessment: record, result: None, problem: Some(problem) },
        }
    }
}

/// `GET /api/v1/assessments/{id}`: an assessment and its computed result with the trace.
pub async fn assessment(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(raw_id): Path<String>,
) -> Result<Json<AssessmentView>, ApiError> {
    let missing = || private_not_found("assessment", &raw_id);
    let id: i64 = raw_id.parse().map_err(|_| missing())?;
    let record = state.store.assessment(id).await.map_err(|e| unless_missing(e, missing))?;
    let detail = state.store.location(&record.location_id).await.map_err(|e| unless_missing(e, missing))?;
    let resource = crate::pages::assessments::assessment_resource(&record, &detail);
    caller.require(&state, Action::Read, resource, missing).await?;
    caller.record(&state, "read", &format!("assessment:{id}"), Some("api")).await?;
    Ok(Json(AssessmentView::of(record)))
}

/// `GET /api/v1/manage/locations/{id}/assessments`: the location's assessments the
/// caller may read, newest first.
pub async fn location_assessments(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(raw_id): Path<String>,
) -> Result<Json<Vec<AssessmentView>>, ApiError> {
    let missing = || private_not_found("location", &raw_id);
    let id = LocationId::parse(&raw_id).map_err(|_| missing())?;
    let detail = state.store.location(&id).await.map_err(|e| unless_missing(e, missing))?;
    caller.require(&state, Action::Read, location_resource(&detail), missing).await?;
    caller.record(&state, "read", &format!("assessments:location:{id}"), Some("api")).await?;
    let all = state.store.assessments_of(&id).await.map_err(|e| WebError::from_store(e, String::new))?;
    let readable = all.into_iter().filter(|a| {
        let resource = crate::pages::assessments::assessment_resource(a, &detail);
        candour_domain::authorize(&caller.principal, Action::Read, resource).is_allowed()
    });
    Ok(Json(readable.map(AssessmentView::of).collect()))
}
