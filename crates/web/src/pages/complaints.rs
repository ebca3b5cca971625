//! Concerns and complaints: raising one (anyone), following it through its private link, logging one received another way, and handling it on the provider's side.

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
