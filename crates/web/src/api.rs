//! What the JSON API's areas share: the one answer for a private record the caller
//! cannot see, the API's own 404 and the health check.
//! Each area's API sits beside its pages (`pages/<area>/api.rs`).

use axum::Json;
use axum::extract::{OriginalUri, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::error::{ApiError, WebError};
use crate::state::AppState;

/// The one answer for a private record that does not exist or that the caller
/// may not see.
pub(crate) fn private_not_found(kind: &str, raw_id: &str) -> WebError {
    WebError::not_found(format!("There is no {kind} with ID {raw_id} that you can see"))
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
