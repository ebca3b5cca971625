//! The API for complaints: a location's complaints with their statuses and
//! deadlines, one complaint in full, logging one received another way, and
//! taking a step (refused steps answer 422 with the refusal's words).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use candour_domain::complaints::{ComplaintError, ComplaintStep, Intake, NewComplaintDetails, RawComplaint, RawStep};
use candour_domain::{Action, LocationId};
use serde_json::json;

use crate::api::{private_not_found, unless_missing};
use crate::auth::ApiCaller;
use crate::error::{ApiError, WebError};
use crate::json::json_body;
use crate::pages::complaints::{self, Taken};
use crate::state::AppState;
use crate::views::today;

/// Routes under `/api`, authenticated by bearer token.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/manage/locations/{id}/complaints", get(list).post(log))
        .route("/v1/complaints/{id}", get(one))
        .route("/v1/complaints/{id}/steps", post(step))
}

async fn location(
    state: &AppState,
    caller: &crate::auth::Caller,
    raw_id: &str,
    action: Action,
) -> Result<candour_store::LocationDetail, WebError> {
    let missing = || private_not_found("location", raw_id);
    let id = LocationId::parse(raw_id).map_err(|_| missing())?;
    let detail = state.store.location(&id).await.map_err(|e| unless_missing(e, missing))?;
    let resource = match action {
        Action::Read => complaints::location_resource(&detail),
        Action::Write => complaints::intake_resource(&detail),
    };
    caller.require(state, action, resource, missing).await?;
    Ok(detail)
}

async fn complaint(
    state: &AppState,
    caller: &crate::auth::Caller,
    raw_id: &str,
    action: Action,
) -> Result<candour_store::ComplaintRecord, WebError> {
    let missing = || private_not_found("complaint", raw_id);
    let id: i64 = raw_id.parse().map_err(|_| missing())?;
    let record = state.store.complaint(id).await.map_err(|e| unless_missing(e, missing))?;
    caller.require(state, action, complaints::record_resource(&record), missing).await?;
    Ok(record)
}

/// `GET /api/v1/manage/locations/{id}/complaints`
async fn list(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(raw_id): Path<String>,
) -> Result<Response, ApiError> {
    let detail = location(&state, &caller, &raw_id, Action::Read).await?;
    let id = &detail.location.id;
    caller.record(&state, "read", &format!("complaints:location:{id}"), Some("api")).await?;
    let all = state
        .store
        .complaints(std::slice::from_ref(id), None)
        .await
        .map_err(|e| WebError::from_store(e, String::new))?;
    let today = today();
    let items: Vec<_> = all.iter().map(|r| complaints::complaint_summary_json(r, today)).collect();
    Ok(Json(json!({ "location_id": id, "complaints": items })).into_response())
}

/// `GET /api/v1/complaints/{id}`
async fn one(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(raw_id): Path<String>,
) -> Result<Response, ApiError> {
    let record = complaint(&state, &caller, &raw_id, Action::Read).await?;
    caller.record(&state, "read", &format!("complaint:{}", record.id), Some("api")).await?;
    Ok(Json(complaints::complaint_json(&record, today())).into_response())
}

fn unprocessable(problems: Vec<ComplaintError>) -> WebError {
    let message = match problems.len() {
        1 => "There is a problem: see fields".to_string(),
        n => format!("There are {n} problems: see fields"),
    };
    WebError::Unprocessable {
        message,
        fields: problems.into_iter().map(|p| (p.field.to_string(), p.message)).collect(),
    }
}

/// `POST /api/v1/manage/locations/{id}/complaints`: 201 with the complaint's id,
/// reference and private follow link (to give to the person who raised it).
async fn log(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(raw_id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let detail = location(&state, &caller, &raw_id, Action::Write).await?;
    let raw: RawComplaint = json_body(&headers, &bytes, "complaint")?;
    let details = NewComplaintDetails::parse(&raw, Intake::Logged, today()).map_err(unprocessable)?;
    let secret = candour_app::voice::new_submission_key();
    let receipt = complaints::log(&state, &caller, &detail, details, &secret).await?;
    let follow_url = format!("{}{}", state.config.public_url(), complaints::follow_href(&secret));
    let body = json!({ "id": receipt.id, "reference": receipt.reference, "follow_url": follow_url });
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// `POST /api/v1/complaints/{id}/steps`: 200 with the complaint as it now stands;
/// 422 with each field's problem, or with why the step cannot be taken now.
async fn step(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(raw_id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let record = complaint(&state, &caller, &raw_id, Action::Write).await?;
    let raw: RawStep = json_body(&headers, &bytes, "step")?;
    let step = ComplaintStep::parse(&raw, today()).map_err(unprocessable)?;
    match complaints::take(&state, &caller, &record, &step).await {
        Ok(updated) => Ok(Json(complaints::complaint_json(&updated, today())).into_response()),
        Err(Taken::Refused(message)) => {
            Err(WebError::Unprocessable { fields: vec![("step".to_string(), message.clone())], message }.into())
        }
        Err(Taken::Failed(e)) => Err(e.into()),
    }
}
