//! What can go wrong in a request, and how it is shown: as a page in the site's
//! layout, or as JSON for the API. Store failures are logged here and shown with
//! a generic message, so no database detail reaches the public.

use askama::Template;
use axum::Json;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use candour_app::{AreaError, Failure};
use candour_store::StoreError;
use serde::Serialize;

use crate::params::{FieldError, FieldErrors};

#[derive(Debug)]
pub enum WebError {
    /// The request itself is wrong; the message says what to change.
    /// `fields` lists every refused query value when the request was a form.
    BadRequest {
        message: String,
        fields: Vec<FieldError>,
    },
    NotFound {
        message: String,
    },
    /// Signed in, but this account may not do this.
    Forbidden,
    /// An API request without a valid token.
    Unauthorized,
    /// A state-changing request failed the CSRF check.
    FormExpired,
    /// Over a rate limit; the client may try again after this many seconds.
    TooManyRequests {
        retry_after_secs: u64,
    },
    /// Over the limit of feedback about one service, whoever sends it.
    ServiceBusy {
        retry_after_secs: u64,
    },
    /// The body is in a format this endpoint does not read; the message names the one it does.
    UnsupportedMediaType {
        message: String,
    },
    /// The body was read but its content is refused: every problem, against its field.
    Unprocessable {
        message: String,
        fields: Vec<(String, String)>,
    },
    /// The record has moved on (already sent, already decided); the message says how.
    Conflict {
        message: String,
    },
    /// Monitoring is still computing its first results after a start.
    NotReady,
    /// The body is over the size every request is held to.
    TooLarge {
        limit_kb: usize,
    },
    /// Something failed on our side; details are in the log, not the response.
    Internal,
}

impl WebError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        WebError::BadRequest { message: message.into(), fields: Vec::new() }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        WebError::NotFound { message: message.into() }
    }

    /// Maps a store error; `missing` says what was not found, in plain words.
    pub fn from_store(err: StoreError, missing: impl FnOnce() -> String) -> Self {
        match err {
            StoreError::NotFound => WebError::not_found(missing()),
            StoreError::Invalid(message) => WebError::bad_request(message),
            other => {
                tracing::error!(error = %other, "store request failed");
                WebError::Internal
            }
        }
    }

    /// An area's error from the application layer; `not_found` is the caller's
    /// normal 404, the same for a record that is missing and one not theirs to see.
    pub fn from_area(error: &(impl AreaError + ?Sized), not_found: impl FnOnce() -> WebError) -> Self {
        match error.failure() {
            Failure::NotFound => not_found(),
            Failure::Forbidden => WebError::Forbidden,
            Failure::Invalid => WebError::Unprocessable { message: error.to_string(), fields: Vec::new() },
            Failure::Refused(message) => WebError::bad_request(message),
            Failure::Conflict(message) => WebError::Conflict { message: message.to_string() },
            Failure::Internal => {
                tracing::error!(%error, "an action failed");
                WebError::Internal
            }
        }
    }

    /// Every field error of a refused query; the first one is the headline message.
    pub fn from_fields(errors: FieldErrors) -> Self {
        match errors.first() {
            Some(first) => WebError::BadRequest { message: first.message.clone(), fields: errors.0 },
            None => WebError::bad_request("The request was not valid"),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            WebError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            WebError::NotFound { .. } => StatusCode::NOT_FOUND,
            WebError::Forbidden | WebError::FormExpired => StatusCode::FORBIDDEN,
            WebError::Unauthorized => StatusCode::UNAUTHORIZED,
            WebError::TooManyRequests { .. } | WebError::ServiceBusy { .. } => StatusCode::TOO_MANY_REQUESTS,
            WebError::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            WebError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::Conflict { .. } => StatusCode::CONFLICT,
            WebError::NotReady => StatusCode::SERVICE_UNAVAILABLE,
            WebError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn message(&self) -> String {
        match self {
            WebError::BadRequest { message, .. }
            | WebError::NotFound { message }
            | WebError::UnsupportedMediaType { message }
            | WebError::Unprocessable { message, .. }
            | WebError::Conflict { message } => message.clone(),
            WebError::Forbidden => {
                "Your account does not give you access to this page. If you need it, ask a system administrator."
                    .to_string()
            }
            WebError::Unauthorized => {
                "Send a valid API token in the Authorization header, as: Authorization: Bearer <token>. \
                 Create a token on your account page."
                    .to_string()
            }
            WebError::FormExpired => "This form has expired. Go back, reload the page and try again.".to_string(),
            WebError::TooManyRequests { retry_after_secs } => format!(
                "There have been too many attempts from your connection. Wait {} and try again.",
                wait_text(*retry_after_secs)
            ),
            WebError::ServiceBusy { retry_after_secs } => format!(
                "A lot of feedback about this service has arrived in the last minute. Wait {} and send yours again.",
                wait_text(*retry_after_secs)
            ),
            WebError::TooLarge { limit_kb } => format!(
                "What was sent is larger than {limit_kb} KB, the most one form, file or API request may hold. \
                 Nothing was saved. Send less at a time: for monthly returns, a file of a year's months is well \
                 within it."
            ),
            WebError::NotReady => {
                "The indicators, the watchlist and what people say are being worked out after a restart. Try again in a few \
                 seconds."
                    .to_string()
            }
            WebError::Internal => "Sorry, something went wrong on our side. Please try again later.".to_string(),
        }
    }

    fn heading(&self) -> &'static str {
        match self {
            WebError::BadRequest { .. } => "There is a problem with the address",
            WebError::NotFound { .. } => "Page not found",
            WebError::Forbidden => "You do not have access to this page",
            WebError::Unauthorized => "Sign in to use this part of the API",
            WebError::FormExpired => "This form has expired",
            WebError::TooManyRequests { .. } => "Too many attempts",
            WebError::ServiceBusy { .. } => "Too much feedback at once",
            WebError::UnsupportedMediaType { .. } => "The request is in the wrong format",
            WebError::Unprocessable { .. } => "There is a problem with what was sent",
            WebError::Conflict { .. } => "This has already moved on",
            WebError::NotReady => "Monitoring is being computed",
            WebError::TooLarge { .. } => "What was sent is too large",
            WebError::Internal => "Sorry, there is a problem with the service",
        }
    }

    /// Headers the status calls for: when to retry, or how to authenticate.
    fn extra_headers(&self) -> Vec<(HeaderName, HeaderValue)> {
        match self {
            WebError::TooManyRequests { retry_after_secs } | WebError::ServiceBusy { retry_after_secs } => {
                vec![(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs))]
            }
            WebError::Unauthorized => vec![(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))],
            WebError::NotReady => vec![(header::RETRY_AFTER, HeaderValue::from(5))],
            _ => Vec::new(),
        }
    }
}

/// A [`WebError`] shown as a page.
#[derive(Debug)]
pub struct PageError(pub WebError);

impl From<WebError> for PageError {
    fn from(err: WebError) -> Self {
        PageError(err)
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    heading: &'a str,
    message: &'a str,
    status: u16,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let message = self.0.message();
        let page = ErrorPage {
            title: self.0.heading(),
            heading: self.0.heading(),
            message: &message,
            status: status.as_u16(),
        };
        let mut response = render(status, &page);
        response.headers_mut().extend(self.0.extra_headers());
        response
    }
}

/// Renders a page with a status. A template failure is logged and becomes a
/// plain 500 rather than a panic.
pub fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "template failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "Sorry, there is a problem with the service.").into_response()
        }
    }
}

/// A [`WebError`] shown as JSON. `message` and `field` are the first problem;
/// `fields` lists every refused query value (empty when none was to blame):
/// `{"error": {"status": 400, "message": "...", "field": "region",
/// "fields": [{"field": "region", "message": "..."}]}}`.
#[derive(Debug)]
pub struct ApiError(pub WebError);

impl From<WebError> for ApiError {
    fn from(err: WebError) -> Self {
        ApiError(err)
    }
}

/// The body of every API error.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody<'a> {
    pub error: ErrorDetail<'a>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail<'a> {
    /// The HTTP status again.
    pub status: u16,
    /// What went wrong and what to change, in plain words.
    pub message: String,
    /// The first field to blame, if any.
    pub field: Option<&'a str>,
    /// Every refused field with its own message.
    pub fields: Vec<FieldMessage<'a>>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct FieldMessage<'a> {
    pub field: &'a str,
    pub message: &'a str,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let fields: Vec<FieldMessage> = match &self.0 {
            WebError::BadRequest { fields, .. } => fields
                .iter()
                .map(|FieldError { field, message }| FieldMessage { field, message: message.as_str() })
                .collect(),
            WebError::Unprocessable { fields, .. } => {
                fields.iter().map(|(field, message)| FieldMessage { field, message }).collect()
            }
            _ => Vec::new(),
        };
        let body = ErrorBody {
            error: ErrorDetail {
                status: status.as_u16(),
                message: self.0.message(),
                field: fields.first().map(|f| f.field),
                fields,
            },
        };
        let mut response = (status, Json(body)).into_response();
        response.headers_mut().extend(self.0.extra_headers());
        response
    }
}

/// "1 second", "40 seconds", "2 minutes".
fn wait_text(secs: u64) -> String {
    match secs {
        0 | 1 => "1 second".to_string(),
        2..=90 => format!("{secs} seconds"),
        _ => format!("{} minutes", secs.div_ceil(60)),
    }
}
