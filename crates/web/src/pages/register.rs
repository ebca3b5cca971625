//! The public register: the home page (`/`), the directory (`/locations`), a
//! location's page (`/locations/{id}`), a provider's (`/providers/{id}`), and the
//! same open data through the API (`/api/v1/locations…`, `/api/v1/providers/{id}`).

pub mod api;
mod directory;
mod home;
mod ids;
mod location;
mod provider;

use axum::Router;
use axum::routing::get;

pub use ids::parse_location_id;

use crate::state::AppState;

/// The register's pages (public, cacheable).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/locations", get(directory::directory))
        .route("/locations/{id}", get(location::location))
        .route("/providers/{id}", get(provider::provider))
}

/// The register's open data, nested under `/api`.
pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/v1/locations", get(api::locations))
        .route("/v1/locations/{id}", get(api::location))
        .route("/v1/providers/{id}", get(api::provider))
}
