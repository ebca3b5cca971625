//! The API for complaints.

use axum::Router;

use crate::AppState;

/// Routes under `/api`, authenticated by bearer token.
pub fn routes() -> Router<AppState> {
    Router::new()
}
