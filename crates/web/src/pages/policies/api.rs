//! The API for policies: a provider's policies with their versions and read rates,
//! confirming a version as the token's user, and who has read what as CSV.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use candour_app::policies::PoliciesError;
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};

use super::words::reads_csv;
use crate::api::private_not_found;
use crate::auth::ApiCaller;
use crate::error::{ApiError, WebError};
use crate::state::AppState;

/// Routes under `/api`, authenticated by bearer token.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/manage/providers/{id}/policies", get(library))
        .route("/v1/manage/providers/{id}/policies/reads.csv", get(export))
        .route("/v1/policies/{id}/read", post(confirm))
}

/// `GET /api/v1/manage/providers/{id}/policies`: every policy with its current version
/// and whether the caller confirmed it; for the provider's administrators also each
/// policy's versions and read rate, and the read rate of each location.
pub async fn library(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(raw_id): Path<String>,
) -> Result<Response, ApiError> {
    let policies = &state.app.policies;
    let failed = |e: PoliciesError| WebError::from_area(&e, || private_not_found("provider", &raw_id));
    let library = policies.library(&caller.actor(), &raw_id, Some("api")).await.map_err(failed)?;
    let mut versions = policies.versions(&library).await.map_err(failed)?;
    let runs = library.runs();
    let mut items = Vec::new();
    for p in library.policies.iter().filter(|p| runs || p.withdrawn_at.is_none()) {
        let mut item = json!({
            "id": p.id,
            "title": p.title,
            "kind": p.kind.code(),
            "version": p.version,
            "published_at": p.published_at,
            "requires_confirmation": p.requires_confirmation,
            "withdrawn_at": p.withdrawn_at,
            "you_confirmed_at": library.confirmed.get(&p.id),
        });
        if runs {
            item["read_rate"] = rate(p.reads);
            let lines = versions.remove(&p.id).unwrap_or_default();
            item["versions"] = serde_json::to_value(&lines).map_err(|_| WebError::Internal)?;
        }
        items.push(item);
    }
    let tenancy = &library.tenancy;
    let mut body = json!({ "provider": { "id": tenancy.id, "name": tenancy.name }, "policies": items });
    if let Some(rates) = &library.rates {
        body["locations"] = rates
            .iter()
            .map(|r| {
                json!({
                    "location_id": r.location_id,
                    "name": tenancy.location_names.get(&r.location_id),
                    "people": r.people,
                    "read_rate": rate(r.reads),
                })
            })
            .collect();
    }
    Ok(Json(body).into_response())
}

fn rate(reads: candour_domain::policies::ReadCount) -> Value {
    json!({ "expected": reads.expected, "confirmed": reads.confirmed, "rate": reads.rate() })
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ConfirmBody {
    version: Option<u32>,
}

/// `POST /api/v1/policies/{id}/read`, optionally with `{"version": N}`: confirms the
/// current version (or checks that N is it) as the token's user. 422 when N is not
/// the current version or the policy asks for no confirmation.
pub async fn confirm(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(raw_id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let asked: ConfirmBody = if body.iter().all(u8::is_ascii_whitespace) {
        ConfirmBody::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| WebError::bad_request(format!("Send {{\"version\": N}}, or nothing: {e}")))?
    };
    let version = asked.version.map(|n| n.to_string());
    let confirmed = state
        .app
        .policies
        .confirm(&caller.actor(), &raw_id, version.as_deref(), Some("api"), Utc::now())
        .await
        .map_err(|e| match e {
            PoliciesError::Invalid(_) | PoliciesError::NothingToConfirm | PoliciesError::Stale { .. } => {
                let message = e.to_string();
                WebError::Unprocessable { message: message.clone(), fields: vec![("version".to_string(), message)] }
            }
            other => WebError::from_area(&other, || private_not_found("policy", &raw_id)),
        })?;
    let body = json!({ "policy_id": confirmed.policy_id, "version": confirmed.version, "confirmed_at": confirmed.at });
    Ok(Json(body).into_response())
}

/// `GET /api/v1/manage/providers/{id}/policies/reads.csv`: for the provider's administrators.
pub async fn export(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(raw_id): Path<String>,
) -> Result<Response, ApiError> {
    let (tenancy, rows) = state
        .app
        .policies
        .reads(&caller.actor(), &raw_id, "api: reads.csv")
        .await
        .map_err(|e| WebError::from_area(&e, || private_not_found("provider", &raw_id)))?;
    Ok(reads_csv(&tenancy, &rows)?)
}
