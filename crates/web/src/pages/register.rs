//! The public register: the home page (`/`), the directory (`/locations`), a
//! location's page (`/locations/{id}`), a provider's (`/providers/{id}`), and the
//! same open data through the API (`/api/v1/locations…`, `/api/v1/providers/{id}`).

pub mod api;
mod compare;
mod directory;
mod home;
mod ids;
mod location;
mod market;
pub mod people;
mod provider;

use axum::Router;
use axum::routing::get;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use ids::parse_location_id;
pub(crate) use market::{find_area, report_file, report_of};
pub use people::modifier as people_modifier;

use candour_store::{LocationQuery, LocationSort, Place};

use crate::error::WebError;
use crate::state::AppState;

/// The register's pages (public, cacheable).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/locations", get(directory::directory))
        .route("/locations/{id}", get(location::location))
        .route("/locations/{id}/report.pdf", get(location::report))
        .route("/providers/{id}", get(provider::provider))
        .route("/compare", get(compare::compare))
        .route("/areas/{local_authority}", get(market::market))
        .route("/areas/{local_authority}/report.pdf", get(market::report))
}

/// The register's open data, nested under `/api`.
pub fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(api::locations)).routes(routes!(api::location)).routes(routes!(api::provider))
}

/// The place a person typed to measure distances from, found in the register: a 400
/// against the field `near` when it is not there, or when sorting by distance without one.
pub(crate) async fn near(
    state: &AppState,
    typed: Option<&str>,
    sort: LocationSort,
) -> Result<Option<Place>, crate::params::FieldErrors> {
    let mut errors = crate::params::FieldErrors::default();
    let typed = typed.map(str::trim).filter(|t| !t.is_empty());
    match typed {
        Some(text) if text.chars().count() > 60 => errors.push("near", "Enter a postcode or a town, not more"),
        Some(text) => match state.store.place(text).await {
            Ok(Some(place)) => return Ok(Some(place)),
            Ok(None) => errors.push(
                "near",
                format!(
                    "We could not find {text:?}: enter a postcode like LS1 4AP, the start of one like LS1, or a town"
                ),
            ),
            Err(e) => {
                tracing::error!(error = %e, "a place could not be looked up");
                errors.push("near", "The place could not be looked up: try again");
            }
        },
        None if sort == LocationSort::Distance => {
            errors.push("near", "Enter a postcode or a town to sort by distance from it")
        }
        None => return Ok(None),
    }
    Err(errors)
}

/// The query with the people's standings of the latest monitoring snapshot, so that
/// listed services carry what people say of them; a 503 while the first snapshot is
/// computed if the query filters or sorts by it.
pub(crate) fn with_standings(state: &AppState, mut query: LocationQuery) -> Result<LocationQuery, WebError> {
    query.standings = state.monitor.current().map(|snapshot| snapshot.standings.clone());
    let asks = query.people_verdict.is_some() || query.sort == LocationSort::PeopleRating;
    if asks && query.standings.is_none() {
        return Err(WebError::NotReady);
    }
    Ok(query)
}
