//! Giving feedback without an account: the form, its QR code and poster, the
//! thank-you page and the private return link.

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
