//! The API for policies: a provider's policies with their versions and read rates,
//! confirming a version as the token's user, and who has read what as CSV.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use candour_app::policies::PoliciesError;
use candour_domain::policies::{ReadCount, Version};
use candour_domain::{LocationId, ProviderId};
use candour_store::VersionLine;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::words::reads_csv;
use crate::api::private_not_found;
use crate::auth::ApiCaller;
use crate::error::{ApiError, ErrorBody, WebError};
use crate::openapi::{NumberPath, ProviderPath, TokenErrors};
use crate::state::AppState;

/// Routes under `/api`, authenticated by bearer token.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(library)).routes(routes!(export)).routes(routes!(confirm))
}

/// A provider's policies as the token's user sees them.
#[derive(Serialize, ToSchema)]
pub struct PolicyLibrary<'a> {
    provider: ProviderName<'a>,
    policies: Vec<PolicyLine<'a>>,
    /// Each location's read rate: for the provider's administrators only.
    #[serde(skip_serializing_if = "Option::is_none")]
    locations: Option<Vec<LocationReads<'a>>>,
}

#[derive(Serialize, ToSchema)]
pub struct ProviderName<'a> {
    id: &'a ProviderId,
    name: &'a str,
}

/// A policy with its current version, and whether the token's user confirmed it.
#[derive(Serialize, ToSchema)]
pub struct PolicyLine<'a> {
    id: i64,
    title: &'a str,
    kind: &'static str,
    version: Version,
    published_at: DateTime<Utc>,
    requires_confirmation: bool,
    withdrawn_at: Option<DateTime<Utc>>,
    you_confirmed_at: Option<&'a DateTime<Utc>>,
    /// For the provider's administrators only.
    #[serde(skip_serializing_if = "Option::is_none")]
    read_rate: Option<ReadRate>,
    /// Every version: for the provider's administrators only.
    #[serde(skip_serializing_if = "Option::is_none")]
    versions: Option<Vec<VersionLine>>,
}

#[derive(Serialize, ToSchema)]
pub struct LocationReads<'a> {
    location_id: &'a LocationId,
    name: Option<&'a String>,
    people: u64,
    read_rate: ReadRate,
}

/// How many were asked to confirm and how many did; `rate` is null when none were asked.
#[derive(Serialize, ToSchema)]
pub struct ReadRate {
    expected: u64,
    confirmed: u64,
    rate: Option<f64>,
}

impl From<ReadCount> for ReadRate {
    fn from(reads: ReadCount) -> Self {
        ReadRate { expected: reads.expected, confirmed: reads.confirmed, rate: reads.rate() }
    }
}

/// Every policy with its current version and whether the token's user confirmed it;
/// for the provider's administrators also each policy's versions and read rate, and
/// the read rate of each location.
#[utoipa::path(get, path = "/v1/manage/providers/{id}/policies", tag = "Policies", security(("token" = [])),
    params(ProviderPath), responses((status = 200, description = "The policies", body = PolicyLibrary), TokenErrors))]
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
    let lines = library
        .policies
        .iter()
        .filter(|p| runs || p.withdrawn_at.is_none())
        .map(|p| PolicyLine {
            id: p.id,
            title: &p.title,
            kind: p.kind.code(),
            version: p.version,
            published_at: p.published_at,
            requires_confirmation: p.requires_confirmation,
            withdrawn_at: p.withdrawn_at,
            you_confirmed_at: library.confirmed.get(&p.id),
            read_rate: runs.then(|| p.reads.into()),
            versions: runs.then(|| versions.remove(&p.id).unwrap_or_default()),
        })
        .collect();
    let tenancy = &library.tenancy;
    let locations = library.rates.as_ref().map(|rates| {
        rates
            .iter()
            .map(|r| LocationReads {
                location_id: &r.location_id,
                name: tenancy.location_names.get(&r.location_id),
                people: r.people,
                read_rate: r.reads.into(),
            })
            .collect()
    });
    let provider = ProviderName { id: &tenancy.id, name: &tenancy.name };
    Ok(Json(PolicyLibrary { provider, policies: lines, locations }).into_response())
}

/// `{"version": N}`, or nothing to confirm whatever version is current.
#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmBody {
    version: Option<u32>,
}

/// The version confirmed, and when.
#[derive(Serialize, ToSchema)]
pub struct ConfirmedJson {
    policy_id: i64,
    version: Version,
    confirmed_at: DateTime<Utc>,
}

/// Confirms, as the token's user, that they have read the policy's current version
/// (or checks that N is it). Refused when N is not the current version or the
/// policy asks for no confirmation.
#[utoipa::path(post, path = "/v1/policies/{id}/read", tag = "Policies", security(("token" = [])),
    params(NumberPath), request_body(content = Option<ConfirmBody>, content_type = "application/json"),
    responses(
        (status = 200, description = "Confirmed", body = ConfirmedJson),
        (status = 422, description = "Not the current version, or nothing to confirm", body = ErrorBody),
        TokenErrors,
    ))]
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
    let body = ConfirmedJson { policy_id: confirmed.policy_id, version: confirmed.version, confirmed_at: confirmed.at };
    Ok(Json(body).into_response())
}

/// Who has read what, as CSV: for the provider's administrators.
#[utoipa::path(get, path = "/v1/manage/providers/{id}/policies/reads.csv", tag = "Policies", security(("token" = [])),
    params(ProviderPath),
    responses((status = 200, description = "A row per person and policy", content_type = "text/csv", body = String), TokenErrors))]
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
