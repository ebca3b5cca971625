//! The private side of people's voice: moderation, safeguarding alerts and
//! contacts, replies and their checks, paper entry.

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
