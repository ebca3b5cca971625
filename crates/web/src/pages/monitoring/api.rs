//! Monitoring through the API, for whoever may see the services: one service's
//! indicators, flags and band with the policy that produced them, and the
//! watchlist of every service the caller may see.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use candour_domain::LocationId;
use candour_domain::returns::Month;
use candour_engine::monitoring::{Flag, IndicatorResult, MonitoringPolicy, Reason};
use candour_monitor::{ServiceFacts, Watched};

use super::shared::snapshot;
use crate::api::private_not_found;
use crate::auth::ApiCaller;
use crate::error::{ApiError, ErrorBody, WebError};
use crate::openapi::{LocationPath, TokenErrors};
use crate::state::AppState;
use candour_app::monitoring::{Seen, may_see, sees_voice, visible};

#[derive(Serialize, utoipa::ToSchema)]
pub struct ServiceMonitoring<'a> {
    month: Month,
    computed_at: DateTime<Utc>,
    policy: &'a MonitoringPolicy,
    service: &'a ServiceFacts,
    peer_group: &'a str,
    band: u8,
    score: Option<f64>,
    reasons: &'a [Reason],
    flags: &'a [Flag],
    indicators: Vec<IndicatorLine<'a>>,
}

/// An indicator's result with the names a reader needs.
#[derive(Serialize, utoipa::ToSchema)]
pub struct IndicatorLine<'a> {
    code: &'static str,
    name: &'static str,
    unit: &'static str,
    #[serde(flatten)]
    result: &'a IndicatorResult,
}

/// One service's indicators, flags, band and score, with the policy that produced
/// them. Not found for a service the token may not see.
#[utoipa::path(get, path = "/v1/monitoring/locations/{id}", tag = "Monitoring", security(("token" = [])),
    params(LocationPath),
    responses(
        (status = 200, description = "The service's monitoring", body = ServiceMonitoring),
        (status = 503, description = "Monitoring is still making its first results; try again shortly", body = ErrorBody),
        TokenErrors,
    ))]
pub async fn location(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(raw_id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let missing = || private_not_found("location", &raw_id);
    let id = LocationId::parse(&raw_id).map_err(|_| missing())?;
    let snapshot = snapshot(&state)?;
    let found = snapshot.get(&id).filter(|w| may_see(&caller.principal, w.facts)).ok_or_else(missing)?;
    let seen = Seen::of(found, sees_voice(&caller.principal, found.facts), &snapshot.policy);
    let watched = seen.watched();
    let indicators = watched.results.indicators.iter().map(|result| {
        let info = result.indicator.info();
        IndicatorLine { code: info.code, name: info.name, unit: info.unit, result }
    });
    let body = ServiceMonitoring {
        month: snapshot.month,
        computed_at: snapshot.computed_at,
        policy: &snapshot.policy,
        service: watched.facts,
        peer_group: &watched.entry.peer_group,
        band: watched.entry.band,
        score: watched.entry.score,
        reasons: &watched.entry.reasons,
        flags: &watched.results.flags,
        indicators: indicators.collect(),
    };
    Ok(Json(serde_json::to_value(body).map_err(|_| WebError::Internal)?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WatchlistQuery {
    /// Only services in this band, 1 (most concern) to 6.
    #[param(minimum = 1, maximum = 6)]
    band: Option<u8>,
}

/// The services the token may see, band 1 first, with the policy.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Watchlist<'a> {
    month: Month,
    computed_at: DateTime<Utc>,
    policy: &'a MonitoringPolicy,
    services: Vec<Row<'a>>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Row<'a> {
    band: u8,
    score: Option<f64>,
    location_id: &'a LocationId,
    name: &'a str,
    provider: &'a str,
    local_authority: Option<&'a str>,
    service_type: &'static str,
    reasons: Vec<&'a str>,
}

fn row<'a>(watched: Watched<'a>) -> Row<'a> {
    Row {
        band: watched.entry.band,
        score: watched.entry.score,
        location_id: &watched.facts.id,
        name: &watched.facts.name,
        provider: &watched.facts.provider_name,
        local_authority: watched.facts.local_authority.as_deref(),
        service_type: watched.facts.kind.name(),
        reasons: watched.entry.reasons.iter().map(|r| r.text.as_str()).collect(),
    }
}

/// The token's services, band 1 first.
#[utoipa::path(get, path = "/v1/monitoring/watchlist", tag = "Monitoring", security(("token" = [])),
    params(WatchlistQuery),
    responses(
        (status = 200, description = "The watchlist", body = Watchlist),
        (status = 503, description = "Monitoring is still making its first results; try again shortly", body = ErrorBody),
        TokenErrors,
    ))]
pub async fn watchlist(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    query: Result<Query<WatchlistQuery>, QueryRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let query =
        query.map_err(|r| WebError::bad_request(format!("The query string could not be read: {}", r.body_text())))?.0;
    if let Some(band) = query.band.filter(|b| !(1..=6).contains(b)) {
        return Err(WebError::bad_request(format!("band must be 1 to 6, not {band}")).into());
    }
    let snapshot = snapshot(&state)?;
    let seen = visible(&snapshot, &caller.principal);
    let rows: Vec<Row> = seen
        .iter()
        .map(Seen::watched)
        .filter(|w| query.band.is_none_or(|band| w.entry.band == band))
        .map(row)
        .collect();
    let body = Watchlist {
        month: snapshot.month,
        computed_at: snapshot.computed_at,
        policy: &snapshot.policy,
        services: rows,
    };
    Ok(Json(serde_json::to_value(body).map_err(|_| WebError::Internal)?))
}
