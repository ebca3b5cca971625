//! Cross-site request forgery protection, on every state-changing request that is
//! not authenticated by an API bearer token:
//!
//! - double submit: a random token lives in the `candour_csrf` cookie (HttpOnly,
//!   SameSite=Strict) and the same value in each form's hidden `csrf_token` field
//!   (urlencoded, or a part of a multipart file upload) or an `X-CSRF-Token` header; another site can make a browser send the
//!   cookie, but cannot read it to fill in the field;
//! - an `Origin` header, when the browser sends one, must be our own origin.
//!
//! One-click unsubscribe links are not checked either: see [`UNSUBSCRIBE`].
//!
//! Requests to the API are not checked: the API never reads cookies (private
//! routes take a bearer token), so a browser tricked into sending one carries no
//! one's authority. Its one anonymous write, feedback, takes only JSON, which a
//! browser sends to another site only after a CORS preflight the API never grants.
//!
//! Handlers that draw a form take the [`Csrf`] extractor; the cookie is set on the
//! response only when a new token was handed out that way.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{FromRequest, FromRequestParts, Multipart, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{PageError, WebError};
use crate::security::cookies::{self, CSRF_COOKIE, SameSite};
use crate::security::secret;

/// The name of the hidden field every form carries.
pub const FIELD: &str = "csrf_token";
const HEADER: &str = "x-csrf-token";

#[derive(Debug, Clone)]
pub struct CsrfSettings {
    pub origin: String,
    pub secure_cookies: bool,
    /// How much of a body to a path is read whole to find the field; the router's own
    /// limits apply too.
    pub body_limit: fn(&str) -> usize,
}

/// The request's token, shared with the handler; `used` records whether a page drew it.
#[derive(Debug, Clone)]
struct Issued {
    value: String,
    used: Arc<AtomicBool>,
}

/// The CSRF token to put in a form's hidden `csrf_token` field.
#[derive(Debug, Clone)]
pub struct Csrf(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Csrf {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let issued = parts.extensions.get::<Issued>().ok_or_else(|| {
            tracing::error!("the CSRF middleware is not installed on this route");
            PageError(WebError::Internal)
        })?;
        issued.used.store(true, Ordering::Relaxed);
        Ok(Csrf(issued.value.clone()))
    }
}

/// A new token and the `Set-Cookie` that stores it: handed out at sign-in, so a
/// token seen before signing in is worthless after.
pub fn rotated(secure_cookies: bool) -> Result<(String, HeaderValue), WebError> {
    let token = secret::new_token()?;
    let cookie = cookies::set(CSRF_COOKIE, &token, SameSite::Strict, secure_cookies, None);
    Ok((token, cookie))
}

/// Middleware: checks state-changing requests, and hands every request a token.
pub async fn protect(State(settings): State<Arc<CsrfSettings>>, request: Request, next: Next) -> Response {
    let cookie_token = cookies::read(request.headers(), CSRF_COOKIE);
    let request = if needs_check(request.method(), request.uri().path(), request.headers()) {
        match check(&settings, cookie_token.as_deref(), request).await {
            Ok(request) => request,
            Err(refusal) => return refusal,
        }
    } else {
        request
    };
    issue_and_run(&settings, cookie_token, request, next).await
}

fn needs_check(method: &Method, path: &str, headers: &HeaderMap) -> bool {
    let changes_state = !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE);
    changes_state && !has_bearer(headers) && !path.starts_with("/api/") && !path.starts_with(UNSUBSCRIBE)
}

/// One-click unsubscribe links: mail programs post to them without cookies (RFC
/// 8058), and the link's own secret is its whole authority, which another site
/// cannot know.
const UNSUBSCRIBE: &str = "/unsubscribe/";

/// A request carrying `Authorization: Bearer` is authenticated by that token alone
/// (never by cookies), and a browser cannot add the header to a cross-site request.
pub fn has_bearer(headers: &HeaderMap) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.len() > 7 && v[..7].eq_ignore_ascii_case("bearer "))
}

async fn check(settings: &CsrfSettings, cookie_token: Option<&str>, request: Request) -> Result<Request, Response> {
    if !origin_allowed(settings, request.headers()) {
        tracing::warn!(path = request.uri().path(), "refused a state-changing request from another origin");
        return Err(refused());
    }
    let header_token = request.headers().get(HEADER).and_then(|v| v.to_str().ok()).map(str::to_string);
    let (parts, body) = request.into_parts();
    let limit = (settings.body_limit)(parts.uri.path());
    let bytes = to_bytes(body, limit).await.map_err(|err| {
        // The body limit's error is only told apart by its words (a test holds it to them).
        let error = if err.to_string().contains("length limit exceeded") {
            WebError::TooLarge { limit_kb: limit / 1024 }
        } else {
            WebError::bad_request("The form could not be read. Go back and try again.")
        };
        PageError(error).into_response()
    })?;
    let submitted = match header_token {
        Some(token) => Some(token),
        None => body_token(&parts.headers, &bytes).await,
    };
    match (cookie_token, submitted) {
        (Some(expected), Some(given)) if same_secret(expected, &given) => {
            Ok(Request::from_parts(parts, Body::from(bytes)))
        }
        _ => {
            tracing::warn!(path = parts.uri.path(), "refused a state-changing request without a valid CSRF token");
            Err(refused())
        }
    }
}

fn refused() -> Response {
    PageError(WebError::FormExpired).into_response()
}

/// The token field of the body: a urlencoded form's, or a multipart upload's.
async fn body_token(headers: &HeaderMap, body: &Bytes) -> Option<String> {
    match headers.get(header::CONTENT_TYPE) {
        // Our forms put the token first, so only the start of an upload (an evidence
        // file may be megabytes, past the multipart reader's own limit) is read.
        Some(kind) if is_multipart(kind) => multipart_token(kind, body.slice(..body.len().min(64 * 1024))).await,
        _ => form_token(body),
    }
}

fn form_token(body: &[u8]) -> Option<String> {
    form_urlencoded::parse(body).find(|(key, _)| key == FIELD).map(|(_, value)| value.into_owned())
}

fn is_multipart(content_type: &HeaderValue) -> bool {
    content_type.to_str().is_ok_and(|v| v.trim_start().to_ascii_lowercase().starts_with("multipart/form-data"))
}

/// Reads the parts in order until the token's; a body that is not valid multipart has none.
async fn multipart_token(content_type: &HeaderValue, body: Bytes) -> Option<String> {
    let request = Request::builder().header(header::CONTENT_TYPE, content_type).body(Body::from(body)).ok()?;
    let mut parts = Multipart::from_request(request, &()).await.ok()?;
    while let Ok(Some(part)) = parts.next_field().await {
        if part.name() == Some(FIELD) {
            return part.text().await.ok();
        }
    }
    None
}

/// Compares without stopping at the first difference, so timing reveals nothing.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// No `Origin` (older browsers, non-browser clients) passes: the token still
/// decides. When present it must be our configured origin, or, for a server run
/// on this machine, the loopback address the page was loaded from.
fn origin_allowed(settings: &CsrfSettings, headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    let origin = origin.to_ascii_lowercase();
    if origin == settings.origin {
        return true;
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).map(str::to_ascii_lowercase);
    host.is_some_and(|host| is_loopback(&host) && origin == format!("http://{host}"))
}

fn is_loopback(host: &str) -> bool {
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    matches!(name, "localhost" | "127.0.0.1" | "[::1]")
}

async fn issue_and_run(
    settings: &CsrfSettings,
    cookie_token: Option<String>,
    mut request: Request,
    next: Next,
) -> Response {
    let (value, fresh) = match cookie_token {
        Some(token) => (token, false),
        None => match secret::new_token() {
            Ok(token) => (token, true),
            Err(err) => return PageError(err).into_response(),
        },
    };
    let used = Arc::new(AtomicBool::new(false));
    request.extensions_mut().insert(Issued { value: value.clone(), used: used.clone() });
    let mut response = next.run(request).await;
    if fresh && used.load(Ordering::Relaxed) && !sets_csrf_cookie(&response) {
        let cookie = cookies::set(CSRF_COOKIE, &value, SameSite::Strict, settings.secure_cookies, None);
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

fn sets_csrf_cookie(response: &Response) -> bool {
    let prefix = format!("{CSRF_COOKIE}=");
    response.headers().get_all(header::SET_COOKIE).iter().any(|v| v.as_bytes().starts_with(prefix.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> CsrfSettings {
        CsrfSettings { origin: "https://candour.example.org".into(), secure_cookies: true, body_limit: |_| 1024 }
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn only_our_origin_may_post() {
        let s = settings();
        assert!(origin_allowed(&s, &headers(&[])));
        assert!(origin_allowed(&s, &headers(&[("origin", "https://candour.example.org")])));
        assert!(!origin_allowed(&s, &headers(&[("origin", "https://evil.example")])));
        assert!(!origin_allowed(&s, &headers(&[("origin", "null")])));
        assert!(!origin_allowed(&s, &headers(&[("origin", "http://candour.example.org")])));
        assert!(origin_allowed(&s, &headers(&[("origin", "http://127.0.0.1:8080"), ("host", "127.0.0.1:8080")])));
        assert!(!origin_allowed(&s, &headers(&[("origin", "http://evil.example"), ("host", "evil.example")])));
    }

    #[test]
    fn reads_and_compares_tokens() {
        assert_eq!(form_token(b"email=a%40b.org&csrf_token=abc123&x=1").as_deref(), Some("abc123"));
        assert_eq!(form_token(b"email=a"), None);
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
    }

    #[tokio::test]
    async fn reads_the_token_of_a_multipart_upload() {
        let kind = HeaderValue::from_static("multipart/form-data; boundary=XyZ");
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"r.csv\"\r\n\r\na,b\r\n\
                    --XyZ\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nabc123\r\n--XyZ--\r\n";
        let with_kind = headers(&[("content-type", "multipart/form-data; boundary=XyZ")]);
        assert_eq!(body_token(&with_kind, &Bytes::from(body)).await.as_deref(), Some("abc123"));
        assert_eq!(multipart_token(&kind, Bytes::from("not multipart")).await, None);
        let urlencoded = headers(&[("content-type", "application/x-www-form-urlencoded")]);
        assert_eq!(body_token(&urlencoded, &Bytes::from(body)).await, None, "read by its declared type only");
    }

    #[test]
    fn bearer_requests_and_reads_are_not_checked() {
        assert!(!needs_check(&Method::GET, "/", &headers(&[])));
        assert!(needs_check(&Method::POST, "/", &headers(&[])));
        assert!(needs_check(&Method::DELETE, "/", &headers(&[("authorization", "Basic abc")])));
        assert!(!needs_check(&Method::POST, "/", &headers(&[("authorization", "Bearer abc")])));
    }

    #[test]
    fn the_api_goes_without_a_token_and_forms_keep_theirs() {
        let json = headers(&[("content-type", "application/json")]);
        assert!(!needs_check(&Method::POST, "/api/v1/locations/1-1/feedback", &json));
        assert!(needs_check(&Method::POST, "/locations/1-1/feedback", &json), "forms keep their check");
        assert!(needs_check(&Method::POST, "/apix", &json));
    }
}
