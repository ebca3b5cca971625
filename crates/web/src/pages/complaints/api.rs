//! The API for complaints: a location's complaints with their statuses and
//! deadlines, one complaint in full, logging one received another way, and
//! taking a step (refused steps answer 422 with the refusal's words).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use candour_app::complaints::{ComplaintsError, Via, today};
use candour_domain::complaints::{ComplaintError, RawComplaint, RawStep};
use candour_store::ComplaintRecord;
use chrono::NaiveDate;
use serde_json::{Value, json};

use crate::api::private_not_found;
use crate::auth::ApiCaller;
use crate::error::{ApiError, WebError};
use crate::json::json_body;
use crate::state::AppState;

/// Routes under `/api`, authenticated by bearer token.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/manage/locations/{id}/complaints", get(list).post(log))
        .route("/v1/complaints/{id}", get(one))
        .route("/v1/complaints/{id}/steps", post(step))
}

fn failed(e: ComplaintsError, kind: &str, raw_id: &str) -> ApiError {
    match e {
        ComplaintsError::Invalid(problems) => ApiError(unprocessable(problems)),
        e => ApiError(WebError::from_area(&e, || private_not_found(kind, raw_id))),
    }
}

/// `GET /api/v1/manage/locations/{id}/complaints`
async fn list(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(raw_id): Path<String>,
) -> Result<Response, ApiError> {
    let found = state.app.complaints.for_location(&caller.actor(), &raw_id, None, Via::Api).await;
    let found = found.map_err(|e| failed(e, "location", &raw_id))?;
    let today = today();
    let items: Vec<_> = found.complaints.iter().map(|r| complaint_summary_json(r, today)).collect();
    Ok(Json(json!({ "location_id": found.detail.location.id, "complaints": items })).into_response())
}

/// `GET /api/v1/complaints/{id}`
async fn one(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(raw_id): Path<String>,
) -> Result<Response, ApiError> {
    let handled = state.app.complaints.complaint(&caller.actor(), &raw_id, Via::Api).await;
    let handled = handled.map_err(|e| failed(e, "complaint", &raw_id))?;
    Ok(Json(complaint_json(&handled.record, today())).into_response())
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
    let raw: RawComplaint = json_body(&headers, &bytes, "complaint")?;
    let secret = candour_app::voice::new_submission_key();
    let kept = state.app.complaints.log(&caller.actor(), &raw_id, &secret, &raw).await;
    let kept = kept.map_err(|e| failed(e, "location", &raw_id))?;
    let body = json!({ "id": kept.receipt.id, "reference": kept.receipt.reference, "follow_url": kept.follow_url });
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
    let raw: RawStep = json_body(&headers, &bytes, "step")?;
    match state.app.complaints.take_step(&caller.actor(), &raw_id, &raw).await {
        Ok(updated) => Ok(Json(complaint_json(&updated, today())).into_response()),
        Err(ComplaintsError::Conflict(message)) => {
            Err(WebError::Unprocessable { fields: vec![("step".to_string(), message.clone())], message }.into())
        }
        Err(e) => Err(failed(e, "complaint", &raw_id)),
    }
}

/// A complaint in a list: its status, deadlines and what is overdue.
pub fn complaint_summary_json(r: &ComplaintRecord, today: NaiveDate) -> Value {
    let late = r.overdue(today);
    json!({
        "id": r.id,
        "reference": r.reference,
        "location_id": r.location_id,
        "status": r.status,
        "received_on": r.received_on,
        "channel": r.channel,
        "acknowledge_by": r.deadlines.acknowledge_by,
        "acknowledged_on": r.acknowledged_on,
        "respond_by": r.deadlines.respond_by,
        "agreed_response_by": r.agreed_response_by,
        "response_sent_on": r.response_sent_on,
        "closed_on": r.closed_on,
        "outcome": r.outcome,
        "overdue": { "acknowledgement": late.acknowledgement, "response": late.response },
        "policy": r.policy,
    })
}

/// A complaint in full.
pub fn complaint_json(r: &ComplaintRecord, today: NaiveDate) -> Value {
    let mut value = serde_json::to_value(r).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        let late = r.overdue(today);
        map.insert("overdue".into(), json!({ "acknowledgement": late.acknowledgement, "response": late.response }));
    }
    value
}
