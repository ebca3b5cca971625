//! The API for policies: a provider's policies with their versions and read rates,
//! confirming a version as the token's user, and who has read what as CSV.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use candour_domain::policies::Version;
use candour_domain::{Action, ProviderId, authorize};
use candour_store::StoreError;
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::{private_not_found, unless_missing};
use crate::auth::{ApiCaller, Caller};
use crate::error::{ApiError, WebError};
use crate::pages::policies::{Tenancy, reads_csv};
use crate::state::AppState;

/// Routes under `/api`, authenticated by bearer token.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/manage/providers/{id}/policies", get(library))
        .route("/v1/manage/providers/{id}/policies/reads.csv", get(export))
        .route("/v1/policies/{id}/read", post(confirm))
}

async fn tenancy(state: &AppState, caller: &Caller, raw_id: &str) -> Result<Tenancy, WebError> {
    let missing = || private_not_found("provider", raw_id);
    let id = ProviderId::parse(raw_id).map_err(|_| missing())?;
    let tenancy = Tenancy::load(state.store.as_ref(), &id).await.map_err(|e| unless_missing(e, missing))?;
    caller.require(state, Action::Read, tenancy.reading(), missing).await?;
    Ok(tenancy)
}

/// `GET /api/v1/manage/providers/{id}/policies`: every policy with its current version
/// and whether the caller confirmed it; for the provider's administrators also each
/// policy's versions and read rate, and the read rate of each location.
pub async fn library(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(raw_id): Path<String>,
) -> Result<Response, ApiError> {
    let tenancy = tenancy(&state, &caller, &raw_id).await?;
    let failed = |e| WebError::from_store(e, String::new);
    let store = state.store.as_ref();
    let runs = authorize(&caller.principal, Action::Read, tenancy.library()).is_allowed();
    let policies = store.policies_of(&tenancy.id).await.map_err(failed)?;
    let mine = store.confirmed_by(&tenancy.id, caller.principal.user_id).await.map_err(failed)?;
    let mut items = Vec::new();
    for p in policies.iter().filter(|p| runs || p.withdrawn_at.is_none()) {
        let confirmed_at = mine.iter().find(|(id, ..)| *id == p.id).map(|(_, _, at)| *at);
        let mut item = json!({
            "id": p.id,
            "title": p.title,
            "kind": p.kind.code(),
            "version": p.version,
            "published_at": p.published_at,
            "requires_confirmation": p.requires_confirmation,
            "withdrawn_at": p.withdrawn_at,
            "you_confirmed_at": confirmed_at,
        });
        if runs {
            let record = store.policy(p.id).await.map_err(failed)?;
            item["read_rate"] = rate(p.reads);
            item["versions"] = serde_json::to_value(&record.versions).map_err(|_| WebError::Internal)?;
        }
        items.push(item);
    }
    let mut body = json!({ "provider": { "id": tenancy.id, "name": tenancy.name }, "policies": items });
    if runs {
        let rates = store.policy_read_rates(Some(&tenancy.id)).await.map_err(failed)?;
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
    caller.record(&state, "read", &format!("policies:provider:{}", tenancy.id), Some("api")).await?;
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
    let missing = || private_not_found("policy", &raw_id);
    let id: i64 = raw_id.parse().map_err(|_| missing())?;
    let record = state.store.policy(id).await.map_err(|e| unless_missing(e, missing))?;
    let tenancy =
        Tenancy::load(state.store.as_ref(), &record.provider_id).await.map_err(|e| unless_missing(e, missing))?;
    caller.require(&state, Action::Write, tenancy.reading(), missing).await?;
    let asked: ConfirmBody = if body.iter().all(u8::is_ascii_whitespace) {
        ConfirmBody::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| WebError::bad_request(format!("Send {{\"version\": N}}, or nothing: {e}")))?
    };
    let refuse = |message: String| WebError::Unprocessable {
        message: message.clone(),
        fields: vec![("version".to_string(), message)],
    };
    if !record.current.draft.requires_confirmation {
        return Err(refuse("This document is for information: there is nothing to confirm".into()).into());
    }
    let version = match asked.version {
        Some(0) => return Err(refuse("Versions start at 1".into()).into()),
        Some(n) => Version(n),
        None => record.current.version,
    };
    let at = match state.store.confirm_policy_read(id, version, caller.principal.user_id, Utc::now()).await {
        Ok(at) => at,
        Err(StoreError::Conflict(message)) => return Err(refuse(message).into()),
        Err(e) => return Err(unless_missing(e, missing).into()),
    };
    caller.record(&state, "confirm_read", &format!("policy:{id}"), Some(&format!("api: version {version}"))).await?;
    Ok(Json(json!({ "policy_id": id, "version": version, "confirmed_at": at })).into_response())
}

/// `GET /api/v1/manage/providers/{id}/policies/reads.csv`: for the provider's administrators.
pub async fn export(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(raw_id): Path<String>,
) -> Result<Response, ApiError> {
    let tenancy = tenancy(&state, &caller, &raw_id).await?;
    caller.require(&state, Action::Read, tenancy.library(), || private_not_found("provider", &raw_id)).await?;
    let csv = reads_csv(&state, &tenancy).await?;
    caller.record(&state, "export", &format!("policies:provider:{}", tenancy.id), Some("api: reads.csv")).await?;
    Ok(crate::pages::policies::csv_response(&tenancy, csv)?)
}
