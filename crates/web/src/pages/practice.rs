//! Good practice: accounts of what works well at a service, searchable by theme and quality statement.

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
