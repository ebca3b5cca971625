//! A location's monthly returns on the web, for those who may send them (the
//! provider's administrators and the location's registered manager, as through
//! the API): the months sent and those missing from the last year, a form for
//! one month, and the upload of the CSV template. Each page and the API call
//! the same service ([`candour_app::returns::Returns`]), which checks figures as
//! the command-line import checks them and keeps a file whole or not at all.

mod api;
mod form;
mod page;
mod upload;
mod words;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::routing::{get, post};
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub use words::returns_link;

/// The returns pages, never cached.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/manage/locations/{id}/returns", get(page::page))
        .route("/manage/locations/{id}/returns/new", get(form::form).post(form::submit))
        .route("/manage/locations/{id}/returns/upload", post(upload::upload))
        .route("/manage/locations/{id}/returns/template.csv", get(page::template_file))
        .layer(no_store())
}

/// The returns API, mounted under `/api`, never cached.
pub fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(api::submit)).layer(no_store())
}

fn no_store() -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))
}
