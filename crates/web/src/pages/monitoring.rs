//! Monitoring: the watchlist (`/monitoring/watchlist`), a provider's warning signs
//! (`/manage/providers/{id}/warning-signs`), one service against similar services
//! (`/monitoring/locations/{id}`), and the same through the API
//! (`/api/v1/monitoring/…`). Who may see which service is the application's rule,
//! in [`candour_app::monitoring`]; here are the latest snapshot and the pages.

pub mod api;
pub mod benchmark;
mod shared;
pub mod watchlist;

pub(crate) use shared::{VOICE_LEFT_OUT, snapshot};

use crate::state::AppState;
use axum::Router;
use axum::routing::get;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The monitoring pages (never cached: the private routes' layer applies).
pub fn routes() -> Router<AppState> {
    Router::new()
        // How one service compares with similar services, indicator by indicator.
        .route("/monitoring/locations/{id}", get(benchmark::page))
        // The watchlist and a provider's warning signs.
        .route("/monitoring/watchlist", get(watchlist::page))
        .route("/monitoring/watchlist.csv", get(watchlist::csv))
        .route("/manage/providers/{id}/warning-signs", get(watchlist::warning_signs))
}

/// Monitoring through the API, nested under `/api`.
pub fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(api::location)).routes(routes!(api::watchlist))
}
