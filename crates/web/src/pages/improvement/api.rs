//! The API for improvement plans, under the same access rule as the pages: the
//! plans of a location, one plan in full (its actions, evidence metadata, reflection
//! and progress; never a file's content), adding an action, changing an action's
//! status, and a plan's actions as CSV. Every write is audited.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use candour_app::improvement::{
    ImprovementError, MonthProgress, Progress, Via, overdue_actions, progress, progress_by_month, statement_name,
};
use candour_domain::improvement::RawAction;
use candour_store::Plan;
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::export::csv_response;
use crate::api::private_not_found;
use crate::auth::ApiCaller;
use crate::error::{ApiError, WebError};
use crate::json::json_body;
use crate::state::AppState;

/// Routes under `/api`, authenticated by bearer token.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/manage/locations/{id}/plans", get(location_plans))
        .route("/v1/plans/{id}", get(plan))
        .route("/v1/plans/{id}/actions", post(add_action))
        .route("/v1/plans/{id}/actions.csv", get(actions_csv))
        .route("/v1/plans/{id}/actions/{action}/status", post(set_status))
}

/// A plan as the API shows it: the stored plan with its progress, the overdue
/// actions and each statement's name.
#[derive(Serialize)]
struct ApiPlan<'a> {
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
#[derive(Serialize)]
struct PlanLine<'a> {
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

/// `GET /api/v1/manage/locations/{id}/plans`
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
    Ok(Json(serde_json::json!({ "location_id": found.detail.location.id, "plans": lines })).into_response())
}

/// `GET /api/v1/plans/{id}`
async fn plan(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(raw_id): Path<String>,
) -> Result<Response, ApiError> {
    let view = state.app.improvement.plan(&caller.actor(), &raw_id, Via::Api).await;
    let view = view.map_err(|e| failed(e, "plan", "plan", &raw_id, ""))?;
    Ok(Json(api_plan(&view.plan, today())).into_response())
}

/// `GET /api/v1/plans/{id}/actions.csv`
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

/// `POST /api/v1/plans/{id}/actions`: 201 with the action; 422 listing every problem.
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusBody {
    status: String,
    #[serde(default)]
    reason: String,
}

/// `POST /api/v1/plans/{id}/actions/{action}/status`: 200 with the action; 422
/// when the change is refused (done without evidence, dropped without a reason).
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
