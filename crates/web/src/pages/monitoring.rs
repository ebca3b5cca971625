//! Monitoring: the watchlist (`/monitoring/watchlist`), a provider's warning signs
//! (`/manage/providers/{id}/warning-signs`), one service against similar services
//! (`/monitoring/locations/{id}`), and the same through the API
//! (`/api/v1/monitoring/…`). Who may see which service is the application's rule,
//! in [`candour_app::monitoring`]; here are the latest snapshot and the pages.

pub mod api;
pub mod benchmark;
pub mod watchlist;

use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use candour_monitor::Snapshot;

use crate::error::WebError;
use crate::state::AppState;

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
pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/v1/monitoring/locations/{id}", get(api::location))
        .route("/v1/monitoring/watchlist", get(api::watchlist))
}

/// The latest snapshot, or a 503 asking to retry while the first is computed.
pub(crate) fn snapshot(state: &AppState) -> Result<Arc<Snapshot>, WebError> {
    state.monitor.current().ok_or(WebError::NotReady)
}

/// Said wherever the voice indicators are left out.
pub(crate) const VOICE_LEFT_OUT: &str = "People's, staff and partners' voice is left out here, and the score and \
     band are worked out without it: monitoring counts each response as it arrives, so these figures could show what \
     one person said. Your published voice figures, which move in batches, are on each service's voice page.";
