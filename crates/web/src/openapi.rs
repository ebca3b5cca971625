//! The API's description: an OpenAPI 3.1 document made from the handlers' own
//! annotations and the types they send, so it cannot drift from the code. It is
//! served as JSON at `/api/v1/openapi.json` and read as a page at `/developers`.

use std::sync::LazyLock;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use utoipa::OpenApi;
use utoipa::openapi::OpenApi as Document;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;

use crate::error::ErrorBody;
use crate::state::AppState;

/// The token security scheme's name; the handlers' annotations spell it `"token"`
/// (a literal is all they take).
const TOKEN: &str = "token";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Candour API",
        version = "1",
        description = "The register of adult social care services in England with their ratings, what people say of \
            them, and, for signed-in organisations with an API token, their own workspaces. Open data needs no key. \
            Errors are JSON with a message a person can act on, and the field to blame.",
        license(name = "Open Government Licence v3.0 for the regulator's data; AGPL-3.0-or-later for the software",
            url = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"),
    ),
    modifiers(&TokenScheme),
    tags(
        (name = "Register", description = "Services, their providers and ratings: open data."),
        (name = "People's voice", description = "Sending feedback, and reading what people say of a service."),
        (name = "Good practice", description = "Published accounts of good practice: open data."),
        (name = "Workspaces", description = "Who the token belongs to and the services it may see."),
        (name = "Monitoring", description = "Warning signs and the watchlist, for those who may see them."),
        (name = "Assessments", description = "Assessments against the quality statements."),
        (name = "Complaints", description = "Complaints a service has logged, and their steps."),
        (name = "Improvement", description = "Improvement plans and their actions."),
        (name = "Returns", description = "Monthly returns from services."),
        (name = "Policies", description = "A provider's policies and who has read them."),
    )
)]
struct ApiDoc;

/// Private operations take an API token, made on the account page, as a bearer token.
struct TokenScheme;

impl utoipa::Modify for TokenScheme {
    fn modify(&self, openapi: &mut Document) {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some("An API token from your account page: `Authorization: Bearer <token>`"))
            .build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(TOKEN, SecurityScheme::Http(scheme));
    }
}

/// The whole document: every route under `/api`, described by its own handler.
pub static DOCUMENT: LazyLock<Document> = LazyLock::new(|| {
    OpenApiRouter::<AppState>::with_openapi(ApiDoc::openapi()).nest("/api", crate::api_routes()).into_openapi()
});

static JSON: LazyLock<String> = LazyLock::new(|| DOCUMENT.to_pretty_json().expect("the OpenAPI document serialises"));

/// `GET /api/v1/openapi.json`
pub async fn document() -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], JSON.as_str()).into_response()
}

// The path parameters, described once. Handlers read them as text and check them
// themselves, so that a bad one gets our own error, never the framework's.

#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct LocationPath {
    /// The regulator's location ID, like `1-000000001`.
    #[param(pattern = "^1-[0-9]{1,15}$", example = "1-000000001")]
    id: String,
}

#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct ProviderPath {
    /// The regulator's provider ID, like `1-100000001`.
    #[param(pattern = "^1-[0-9]{1,15}$", example = "1-100000001")]
    id: String,
}

#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct NumberPath {
    /// Its number, as in its address.
    id: i64,
}

/// What any route that takes a token may answer besides its own.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum TokenErrors {
    /// A bad ID or value: the message says which, and `field` names it.
    #[response(status = 400)]
    BadRequest(ErrorBody<'static>),
    /// No valid API token was sent.
    #[response(status = 401)]
    Unauthorized(ErrorBody<'static>),
    /// The token's account may not do this.
    #[response(status = 403)]
    Forbidden(ErrorBody<'static>),
    /// Not there, or not the token's to see: the two are not told apart.
    #[response(status = 404)]
    NotFound(ErrorBody<'static>),
}

/// What any route that reads a JSON body may answer about the body.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum BodyErrors {
    /// The body was not JSON.
    #[response(status = 415)]
    NotJson(ErrorBody<'static>),
    /// The body was read, and refused: every problem against its field, or why it
    /// cannot be done now.
    #[response(status = 422)]
    Refused(ErrorBody<'static>),
}
