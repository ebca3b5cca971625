//! The API for improvement plans, under the same access rule as the pages: the
//! plans of a location, one plan in full (its actions, evidence metadata, reflection
//! and progress; never a file's content), adding an action, changing an action's
//! status, and a plan's actions as CSV. Every write is audited.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use candour_app::improvement::{
    ImprovementError, MonthProgress, Progress, Via, overdue_actions, progress, progress_by_month, statement_name,
};
use candour_domain::LocationId;
use candour_domain::improvement::RawAction;
use candour_store::{Plan, PlanAction};
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::export::csv_response;
use crate::api::private_not_found;
use crate::auth::ApiCaller;
use crate::error::{ApiError, WebError};
use crate::json::json_body;
use crate::openapi::{BodyErrors, LocationPath, NumberPath, TokenErrors};
use crate::state::AppState;

/// Routes under `/api`, authenticated by bearer token.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(location_plans))
        .routes(routes!(plan))
        .routes(routes!(add_action))
        .routes(routes!(actions_csv))
        .routes(routes!(set_status))
}

/// A location's improvement plans.
#[derive(Serialize, ToSchema)]
pub struct PlanList<'a> {
    location_id: &'a LocationId,
    plans: Vec<PlanLine<'a>>,
}

/// An action's number in its plan's address.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
struct ActionPath {
    /// The plan's number.
    id: i64,
    /// The action's number.
    action: i64,
}

/// A plan as the API shows it: the stored plan with its progress, the overdue
/// actions and each statement's name.
#[derive(Serialize, ToSchema)]
pub struct ApiPlan<'a> {
    #[serde(flatten)]
    plan: &'a Plan,
    progress: Progress,
    overdue_actions: Vec<i64>,
    statements: std::collections::BTreeMap<String, String>,
    progress_by_month: Vec<MonthProgress>,
}

fn api_plan(plan: &Plan, today: NaiveDate) -> ApiPlan<'_> {
    ApiPlan {
        plan,
        progress: progress(plan, today),
        overdue_actions: overdue_actions(plan, today),
        statements: plan
            .actions
            .iter()
            .map(|a| (a.details.statement.clone(), statement_name(&a.details.statement)))
            .collect(),
        progress_by_month: progress_by_month(plan, today),
    }
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// A plan in a list: its summary and progress, without the actions.
#[derive(Serialize, ToSchema)]
pub struct PlanLine<'a> {
    id: i64,
    title: &'a str,
    started_on: NaiveDate,
    findings: usize,
    progress: Progress,
    published: bool,
    href: String,
}

/// An area error as the API answers it; `kind` names what was asked for by `raw_id`.
fn failed(e: ImprovementError, what: &str, kind: &str, raw_id: &str, raw_action: &str) -> ApiError {
    ApiError(match e {
        ImprovementError::Invalid(problems) => unprocessable(what, problems),
        ImprovementError::UnknownStatus(message) => unprocessable("status", vec![("status", message)]),
        ImprovementError::Conflict(message) => unprocessable("status", vec![("status", message)]),
        ImprovementError::NoSuchAction => private_not_found("action", raw_action),
        e => WebError::from_area(&e, || private_not_found(kind, raw_id)),
    })
}

/// A location's improvement plans with their progress.
#[utoipa::path(get, path = "/v1/manage/locations/{id}/plans", tag = "Improvement", security(("token" = [])),
    params(LocationPath), responses((status = 200, description = "The plans", body = PlanList), TokenErrors))]
async fn location_plans(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(raw_id): Path<String>,
) -> Result<Response, ApiError> {
    let found = state.app.improvement.plans_of(&caller.actor(), &raw_id, Via::Api).await;
    let found = found.map_err(|e| failed(e, "plan", "location", &raw_id, ""))?;
    let today = today();
    let lines: Vec<PlanLine> = found
        .plans
        .iter()
        .map(|p| PlanLine {
            id: p.id,
            title: &p.title,
            started_on: p.started_on,
            findings: p.findings.len(),
            progress: progress(p, today),
            published: p.publication.is_some(),
            href: format!("/api/v1/plans/{}", p.id),
        })
        .collect();
    Ok(Json(PlanList { location_id: &found.detail.location.id, plans: lines }).into_response())
}

/// A plan in full: its actions, evidence (never a file's content), reflection and progress.
#[utoipa::path(get, path = "/v1/plans/{id}", tag = "Improvement", security(("token" = [])),
    params(NumberPath), responses((status = 200, description = "The plan", body = ApiPlan), TokenErrors))]
async fn plan(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(raw_id): Path<String>,
) -> Result<Response, ApiError> {
    let view = state.app.improvement.plan(&caller.actor(), &raw_id, Via::Api).await;
    let view = view.map_err(|e| failed(e, "plan", "plan", &raw_id, ""))?;
    Ok(Json(api_plan(&view.plan, today())).into_response())
}

/// A plan's actions as CSV.
#[utoipa::path(get, path = "/v1/plans/{id}/actions.csv", tag = "Improvement", security(("token" = [])),
    params(NumberPath),
    responses((status = 200, description = "The actions, a row each", content_type = "text/csv", body = String), TokenErrors))]
async fn actions_csv(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(raw_id): Path<String>,
) -> Result<Response, ApiError> {
    let plan = state.app.improvement.export(&caller.actor(), &raw_id, Via::Api).await;
    let plan = plan.map_err(|e| failed(e, "plan", "plan", &raw_id, ""))?;
    Ok(csv_response(&plan, today())?)
}

fn unprocessable(what: &str, problems: Vec<(&'static str, String)>) -> WebError {
    let message = match problems.len() {
        1 => format!("The {what} has a problem: see fields"),
        n => format!("The {what} has {n} problems: see fields"),
    };
    WebError::Unprocessable { message, fields: problems.into_iter().map(|(f, m)| (f.to_string(), m)).collect() }
}

/// Adds an action to a plan.
#[utoipa::path(post, path = "/v1/plans/{id}/actions", tag = "Improvement", security(("token" = [])),
    params(NumberPath), request_body(content = RawAction, content_type = "application/json"),
    responses(
        (status = 201, description = "The action added", body = PlanAction),
        BodyErrors,
        TokenErrors,
    ))]
async fn add_action(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(raw_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let raw: RawAction = json_body(&headers, &body, "action")?;
    let added = state.app.improvement.add_action(&caller.actor(), &raw_id, &raw, Via::Api).await;
    let (_, action) = added.map_err(|e| failed(e, "action", "plan", &raw_id, ""))?;
    Ok((StatusCode::CREATED, Json(action)).into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    /// `not_started`, `in_progress`, `done` or `dropped`.
    status: String,
    /// Why, when dropping an action.
    #[serde(default)]
    reason: String,
}

/// Changes an action's status; refused when done without evidence or dropped without a reason.
#[utoipa::path(post, path = "/v1/plans/{id}/actions/{action}/status", tag = "Improvement", security(("token" = [])),
    params(ActionPath), request_body(content = StatusBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The action as it now stands", body = PlanAction),
        BodyErrors,
        TokenErrors,
    ))]
async fn set_status(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path((raw_id, raw_action)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let sent: StatusBody = json_body(&headers, &body, "status")?;
    let actor = caller.actor();
    let set = state.app.improvement.set_status(&actor, &raw_id, &raw_action, &sent.status, &sent.reason, Via::Api);
    let (_, updated) = set.await.map_err(|e| failed(e, "status", "plan", &raw_id, &raw_action))?;
    Ok(Json(updated).into_response())
}
