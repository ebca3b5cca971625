//! The public register: the home page (`/`), the directory (`/locations`), a
//! location's page (`/locations/{id}`), a provider's (`/providers/{id}`), and the
//! same open data through the API (`/api/v1/locations…`, `/api/v1/providers/{id}`).

pub mod api;
mod compare;
mod directory;
mod home;
mod ids;
mod location;
pub mod people;
mod provider;

use axum::Router;
use axum::routing::get;

pub use ids::parse_location_id;
pub use people::modifier as people_modifier;

use candour_store::{LocationQuery, LocationSort};

use crate::error::WebError;
use crate::state::AppState;

/// The register's pages (public, cacheable).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/locations", get(directory::directory))
        .route("/locations/{id}", get(location::location))
        .route("/providers/{id}", get(provider::provider))
        .route("/compare", get(compare::compare))
}

/// The register's open data, nested under `/api`.
pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/v1/locations", get(api::locations))
        .route("/v1/locations/{id}", get(api::location))
        .route("/v1/providers/{id}", get(api::provider))
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
