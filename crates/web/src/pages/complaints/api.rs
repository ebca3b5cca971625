//! The API for complaints: a location's complaints with their statuses and
//! deadlines, one complaint in full, logging one received another way, and
//! taking a step (refused steps answer 422 with the refusal's words).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use candour_app::complaints::{ComplaintsError, Via, today};
use candour_domain::LocationId;
use candour_domain::complaints::{
    ComplaintError, ComplaintPolicy, ComplaintStatus, Late, Outcome, RawComplaint, RawStep, ReceivedBy,
};
use candour_store::ComplaintRecord;
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::private_not_found;
use crate::auth::ApiCaller;
use crate::error::{ApiError, WebError};
use crate::json::json_body;
use crate::openapi::{BodyErrors, LocationPath, NumberPath, TokenErrors};
use crate::state::AppState;

/// Routes under `/api`, authenticated by bearer token.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, log)).routes(routes!(one)).routes(routes!(step))
}

/// A location's complaints.
#[derive(Serialize, ToSchema)]
pub struct ComplaintList<'a> {
    location_id: &'a LocationId,
    complaints: Vec<ComplaintSummary<'a>>,
}

/// A complaint in a list: its status, deadlines and what is overdue.
#[derive(Serialize, ToSchema)]
pub struct ComplaintSummary<'a> {
    id: i64,
    reference: &'a str,
    location_id: &'a LocationId,
    status: ComplaintStatus,
    received_on: NaiveDate,
    channel: ReceivedBy,
    acknowledge_by: NaiveDate,
    acknowledged_on: Option<NaiveDate>,
    respond_by: NaiveDate,
    agreed_response_by: Option<NaiveDate>,
    response_sent_on: Option<NaiveDate>,
    closed_on: Option<NaiveDate>,
    outcome: Option<Outcome>,
    overdue: Late,
    policy: ComplaintPolicy,
}

/// A complaint in full, with what is overdue today.
#[derive(Serialize, ToSchema)]
pub struct ComplaintInFull<'a> {
    #[serde(flatten)]
    record: &'a ComplaintRecord,
    overdue: Late,
}

/// A complaint logged: give the follow link to the person who raised it.
#[derive(Serialize, ToSchema)]
pub struct Logged {
    id: i64,
    reference: String,
    follow_url: String,
}

fn failed(e: ComplaintsError, kind: &str, raw_id: &str) -> ApiError {
    match e {
        ComplaintsError::Invalid(problems) => ApiError(unprocessable(problems)),
        e => ApiError(WebError::from_area(&e, || private_not_found(kind, raw_id))),
    }
}

/// A location's complaints with their statuses and deadlines.
#[utoipa::path(get, path = "/v1/manage/locations/{id}/complaints", tag = "Complaints", security(("token" = [])),
    params(LocationPath), responses((status = 200, description = "The complaints", body = ComplaintList), TokenErrors))]
async fn list(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(raw_id): Path<String>,
) -> Result<Response, ApiError> {
    let found = state.app.complaints.for_location(&caller.actor(), &raw_id, None, Via::Api).await;
    let found = found.map_err(|e| failed(e, "location", &raw_id))?;
    let today = today();
    let complaints = found.complaints.iter().map(|r| ComplaintSummary::of(r, today)).collect();
    Ok(Json(ComplaintList { location_id: &found.detail.location.id, complaints }).into_response())
}

/// A complaint in full, with its timeline.
#[utoipa::path(get, path = "/v1/complaints/{id}", tag = "Complaints", security(("token" = [])),
    params(NumberPath), responses((status = 200, description = "The complaint", body = ComplaintInFull), TokenErrors))]
async fn one(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(raw_id): Path<String>,
) -> Result<Response, ApiError> {
    let handled = state.app.complaints.complaint(&caller.actor(), &raw_id, Via::Api).await;
    let handled = handled.map_err(|e| failed(e, "complaint", &raw_id))?;
    Ok(Json(ComplaintInFull::of(&handled.record, today())).into_response())
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

/// Logs a complaint received another way (by phone, letter or in person).
#[utoipa::path(post, path = "/v1/manage/locations/{id}/complaints", tag = "Complaints", security(("token" = [])),
    params(LocationPath), request_body(content = RawComplaint, content_type = "application/json"),
    responses(
        (status = 201, description = "Logged, with the private follow link for the person who raised it", body = Logged),
        BodyErrors,
        TokenErrors,
    ))]
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
    let body = Logged { id: kept.receipt.id, reference: kept.receipt.reference, follow_url: kept.follow_url };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Takes a step: acknowledge, investigate, agree a later date, respond, close.
#[utoipa::path(post, path = "/v1/complaints/{id}/steps", tag = "Complaints", security(("token" = [])),
    params(NumberPath), request_body(content = RawStep, content_type = "application/json"),
    responses(
        (status = 200, description = "The complaint as it now stands", body = ComplaintInFull),
        BodyErrors,
        TokenErrors,
    ))]
async fn step(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(raw_id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let raw: RawStep = json_body(&headers, &bytes, "step")?;
    match state.app.complaints.take_step(&caller.actor(), &raw_id, &raw).await {
        Ok(updated) => Ok(Json(ComplaintInFull::of(&updated, today())).into_response()),
        Err(ComplaintsError::Conflict(message)) => {
            Err(WebError::Unprocessable { fields: vec![("step".to_string(), message.clone())], message }.into())
        }
        Err(e) => Err(failed(e, "complaint", &raw_id)),
    }
}

impl<'a> ComplaintSummary<'a> {
    fn of(r: &'a ComplaintRecord, today: NaiveDate) -> Self {
        ComplaintSummary {
            id: r.id,
            reference: &r.reference,
            location_id: &r.location_id,
            status: r.status,
            received_on: r.received_on,
            channel: r.channel,
            acknowledge_by: r.deadlines.acknowledge_by,
            acknowledged_on: r.acknowledged_on,
            respond_by: r.deadlines.respond_by,
            agreed_response_by: r.agreed_response_by,
            response_sent_on: r.response_sent_on,
            closed_on: r.closed_on,
            outcome: r.outcome,
            overdue: r.overdue(today),
            policy: r.policy,
        }
    }
}

impl<'a> ComplaintInFull<'a> {
    fn of(record: &'a ComplaintRecord, today: NaiveDate) -> Self {
        ComplaintInFull { record, overdue: record.overdue(today) }
    }
}
