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
use candour_domain::Action;
use candour_domain::improvement::{ActionStatus, RawAction, check_status_change, is_overdue};
use candour_store::{Plan, StatusChange, StoreError};
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::api::private_not_found;
use crate::auth::ApiCaller;
use crate::error::{ApiError, WebError};
use crate::json::json_body;
use crate::pages::improvement::{
    MonthProgress, Progress, csv_response, location_for, plan_for, progress, progress_by_month, statement_name,
};
use crate::state::AppState;
use crate::views::today;

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
        overdue_actions: plan
            .actions
            .iter()
            .filter(|a| is_overdue(a.status, a.details.due_on, today))
            .map(|a| a.id)
            .collect(),
        statements: plan
            .actions
            .iter()
            .map(|a| (a.details.statement.clone(), statement_name(&a.details.statement)))
            .collect(),
        progress_by_month: progress_by_month(plan, today),
    }
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

/// `GET /api/v1/manage/locations/{id}/plans`
async fn location_plans(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(raw_id): Path<String>,
) -> Result<Response, ApiError> {
    let missing = || private_not_found("location", &raw_id);
    let detail = location_for(&state, &caller, &raw_id, Action::Read, missing).await?;
    let plans = state.store.plans_of(&detail.location.id).await.map_err(|e| WebError::from_store(e, String::new))?;
    caller.record(&state, "read", &format!("improvement_plans:location:{}", detail.location.id), Some("api")).await?;
    let today = today();
    let lines: Vec<PlanLine> = plans
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
    Ok(Json(serde_json::json!({ "location_id": detail.location.id, "plans": lines })).into_response())
}

/// `GET /api/v1/plans/{id}`
async fn plan(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(raw_id): Path<String>,
) -> Result<Response, ApiError> {
    let missing = || private_not_found("plan", &raw_id);
    let (plan, _) = plan_for(&state, &caller, &raw_id, Action::Read, missing).await?;
    caller.record(&state, "read", &format!("improvement_plan:{}", plan.id), Some("api")).await?;
    Ok(Json(api_plan(&plan, today())).into_response())
}

/// `GET /api/v1/plans/{id}/actions.csv`
async fn actions_csv(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(raw_id): Path<String>,
) -> Result<Response, ApiError> {
    let missing = || private_not_found("plan", &raw_id);
    let (plan, _) = plan_for(&state, &caller, &raw_id, Action::Read, missing).await?;
    caller.record(&state, "export", &format!("improvement_plan:{}", plan.id), Some("api: actions.csv")).await?;
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
    let missing = || private_not_found("plan", &raw_id);
    let (plan, _) = plan_for(&state, &caller, &raw_id, Action::Write, missing).await?;
    let raw: RawAction = json_body(&headers, &body, "action")?;
    let details = crate::pages::improvement::check_action(&raw, &plan).map_err(|p| unprocessable("action", p))?;
    let action = state
        .store
        .add_action(plan.id, &details, caller.principal.user_id, Utc::now())
        .await
        .map_err(|e| WebError::from_store(e, String::new))?;
    let text = format!("api: action {}: {}", action.id, details.statement);
    caller.record(&state, "plan_action_add", &format!("improvement_plan:{}", plan.id), Some(&text)).await?;
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
    let missing = || private_not_found("plan", &raw_id);
    let (plan, _) = plan_for(&state, &caller, &raw_id, Action::Write, missing).await?;
    let action = raw_action
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|id| plan.action(id))
        .ok_or_else(|| private_not_found("action", &raw_action))?;
    let sent: StatusBody = json_body(&headers, &body, "status")?;
    let to = ActionStatus::parse(&sent.status).map_err(|e| unprocessable("status", vec![("status", e.to_string())]))?;
    check_status_change(action.status, to, action.evidence.len(), &sent.reason)
        .map_err(|p| unprocessable("status", vec![(p.field, p.message)]))?;
    let change = StatusChange {
        status: to,
        reason: (!sent.reason.trim().is_empty()).then(|| sent.reason.trim().to_string()),
        by: caller.principal.user_id,
        at: Utc::now(),
    };
    state.store.set_action_status(plan.id, action.id, &change).await.map_err(|e| match e {
        StoreError::Conflict(message) => unprocessable("status", vec![("status", message)]),
        other => WebError::from_store(other, String::new),
    })?;
    let text = format!("api: action {}: {} → {}", action.id, action.status.code(), to.code());
    caller.record(&state, "plan_action_status", &format!("improvement_plan:{}", plan.id), Some(&text)).await?;
    let plan = state.store.plan(plan.id).await.map_err(|e| WebError::from_store(e, String::new))?;
    let updated = plan.action(action.id).ok_or(WebError::Internal)?;
    Ok(Json(updated).into_response())
}
