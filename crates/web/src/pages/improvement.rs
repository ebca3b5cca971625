//! Improvement plans: actions linked to findings, owners, due dates, evidence and the reflection on the improvement journey.

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}

/// Evidence uploads: each path ends in `/evidence`, which the site lets carry a file.
pub fn upload_routes() -> Router<AppState> {
    Router::new()
}
