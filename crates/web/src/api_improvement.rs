//! The API for improvement.

use axum::Router;

use crate::AppState;

/// Routes under `/api`, authenticated by bearer token.
pub fn routes() -> Router<AppState> {
    Router::new()
}
