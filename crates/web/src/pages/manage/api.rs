//! The workspaces through the JSON API: who the token acts for, and a provider's
//! and a location's workspace, each the same service call as its page.

use axum::Json;
use axum::extract::{Path, State};
use candour_app::workspaces::{LocationWorkspace, ProviderWorkspace, Via};
use candour_domain::{Grant, Principal};
use serde::Serialize;

use crate::api::private_not_found;
use crate::auth::ApiCaller;
use crate::error::{ApiError, WebError};
use crate::openapi::{LocationPath, ProviderPath, TokenErrors};
use crate::state::AppState;

/// Who the token acts for.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Me {
    pub user_id: i64,
    pub email: String,
    pub grants: Vec<Grant>,
}

/// Who the token acts for, and what it may see.
#[utoipa::path(get, path = "/v1/me", tag = "Workspaces", security(("token" = [])),
    responses((status = 200, description = "The token's account", body = Me), TokenErrors))]
pub async fn me(ApiCaller(caller): ApiCaller) -> Json<Me> {
    let Principal { user_id, email, grants } = caller.principal;
    Json(Me { user_id: user_id.0, email: email.to_string(), grants })
}

/// A location's workspace.
#[utoipa::path(get, path = "/v1/manage/locations/{id}", tag = "Workspaces", security(("token" = [])), params(LocationPath),
    responses((status = 200, description = "The location's workspace", body = LocationWorkspace), TokenErrors))]
pub async fn manage_location(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(raw_id): Path<String>,
) -> Result<Json<LocationWorkspace>, ApiError> {
    let missing = || private_not_found("location", &raw_id);
    let ws = state.app.workspaces.location(&caller.actor(), &raw_id, Via::Api).await;
    Ok(Json(ws.map_err(|e| WebError::from_area(&e, missing))?))
}

/// A provider's workspace.
#[utoipa::path(get, path = "/v1/manage/providers/{id}", tag = "Workspaces", security(("token" = [])), params(ProviderPath),
    responses((status = 200, description = "The provider's workspace", body = ProviderWorkspace), TokenErrors))]
pub async fn manage_provider(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(raw_id): Path<String>,
) -> Result<Json<ProviderWorkspace>, ApiError> {
    let missing = || private_not_found("provider", &raw_id);
    let ws = state.app.workspaces.provider(&caller.actor(), &raw_id, Via::Api).await;
    Ok(Json(ws.map_err(|e| WebError::from_area(&e, missing))?))
}
