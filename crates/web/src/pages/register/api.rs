//! The register's open data through the JSON API, version 1: the same directory,
//! locations and providers as the pages, for councils, researchers and anyone
//! else. Errors are JSON too.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use candour_store::{LocationDetail, LocationSummary, ProviderDetail};
use serde::Serialize;

use super::ids::{parse_location_id, parse_provider_id};
use super::people::PeopleRatingJson;
use crate::error::{ApiError, WebError};
use crate::params::DirectoryParams;
use crate::state::AppState;

#[derive(Serialize)]
pub struct LocationList {
    pub items: Vec<LocationSummary>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
    pub pages: u32,
}

/// `GET /api/v1/locations`: the directory, with the same query parameters as `/locations`.
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
#[derive(Serialize)]
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
#[derive(Serialize)]
pub struct PublishedVisitJson {
    pub id: i64,
    pub published_on: Option<chrono::NaiveDate>,
    /// Its public page.
    pub href: String,
    pub report: candour_domain::visit::VisitReport,
}

/// `GET /api/v1/locations/{id}`
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

/// `GET /api/v1/providers/{id}`
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
