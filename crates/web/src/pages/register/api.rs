//! The register's open data through the JSON API, version 1: the same directory,
//! locations and providers as the pages, for councils, researchers and anyone
//! else. Errors are JSON too.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use candour_store::{LocationDetail, LocationSummary, ProviderDetail};
use serde::Serialize;
use utoipa::ToSchema;

use super::ids::{parse_location_id, parse_provider_id};
use super::people::PeopleRatingJson;
use crate::error::{ApiError, ErrorBody, WebError};
use crate::openapi::{LocationPath, ProviderPath};
use crate::params::DirectoryParams;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct LocationList {
    pub items: Vec<LocationSummary>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
    pub pages: u32,
}

/// The directory, with the same query parameters as `/locations`.
#[utoipa::path(get, path = "/v1/locations", tag = "Register", params(DirectoryParams), responses(
    (status = 200, description = "A page of services", body = LocationList),
    (status = 400, description = "A refused query value, named in `field`", body = ErrorBody),
))]
pub async fn locations(
    State(state): State<AppState>,
    query: Result<Query<DirectoryParams>, QueryRejection>,
) -> Result<Json<LocationList>, ApiError> {
    let params =
        query.map_err(|r| WebError::bad_request(format!("The query string could not be read: {}", r.body_text())))?.0;
    let near = params.near.clone();
    let mut query = params.validate().map_err(WebError::from_fields)?;
    query.near = super::near(&state, near.as_deref(), query.sort).await.map_err(WebError::from_fields)?;
    let query = super::with_standings(&state, query)?;
    let page = state
        .store
        .search_locations(&query)
        .await
        .map_err(|e| WebError::from_store(e, || "No locations match".to_string()))?;
    let pages = page.pages();
    Ok(Json(LocationList { items: page.items, total: page.total, page: page.page, per_page: page.per_page, pages }))
}

/// A location with what people say of it against similar services.
#[derive(Serialize, ToSchema)]
pub struct LocationWithPeople {
    #[serde(flatten)]
    pub detail: LocationDetail,
    /// Null before the first monitoring snapshot and for services not monitored (deregistered).
    pub people_rating: Option<PeopleRatingJson>,
    /// Published visits by experts by experience, newest first.
    pub expert_visits: Vec<PublishedVisitJson>,
}

/// A published visit: the report as the experts wrote it (counts of whom they spoke
/// with, observations by outcome area, judged "I" statements with their quotes).
#[derive(Serialize, ToSchema)]
pub struct PublishedVisitJson {
    pub id: i64,
    pub published_on: Option<chrono::NaiveDate>,
    /// Its public page.
    pub href: String,
    pub report: candour_domain::visit::VisitReport,
}

/// A service: its registration, ratings with their history, what people say of it
/// against similar services, and published visits by experts by experience.
#[utoipa::path(get, path = "/v1/locations/{id}", tag = "Register", params(LocationPath), responses(
    (status = 200, description = "The service", body = LocationWithPeople),
    (status = 400, description = "Not a location ID", body = ErrorBody),
    (status = 404, description = "No such location", body = ErrorBody),
))]
pub async fn location(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
) -> Result<Json<LocationWithPeople>, ApiError> {
    let id = parse_location_id(&raw_id)?;
    let detail = state
        .store
        .location(&id)
        .await
        .map_err(|e| WebError::from_store(e, || format!("There is no location with ID {id}")))?;
    let people_rating = state.monitor.current().and_then(|snapshot| PeopleRatingJson::of(&snapshot, &id));
    let visits = state.app.visits.published(&id).await.map_err(|e| WebError::from_store(e, String::new))?;
    let expert_visits = visits
        .into_iter()
        .map(|v| PublishedVisitJson {
            href: format!("/locations/{id}/visits/{}", v.id),
            id: v.id,
            published_on: v.published_on,
            report: v.report,
        })
        .collect();
    Ok(Json(LocationWithPeople { detail, people_rating, expert_visits }))
}

/// A provider with its services.
#[utoipa::path(get, path = "/v1/providers/{id}", tag = "Register", params(ProviderPath), responses(
    (status = 200, description = "The provider", body = ProviderDetail),
    (status = 400, description = "Not a provider ID", body = ErrorBody),
    (status = 404, description = "No such provider", body = ErrorBody),
))]
pub async fn provider(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
) -> Result<Json<ProviderDetail>, ApiError> {
    let id = parse_provider_id(&raw_id)?;
    let detail = state
        .store
        .provider(&id)
        .await
        .map_err(|e| WebError::from_store(e, || format!("There is no provider with ID {id}")))?;
    Ok(Json(detail))
}
