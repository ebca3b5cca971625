//! The policy cascade: a provider publishes versioned policies to its staff, who confirm they have read them.

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
