//! Who is asking, and may they: the plumbing every private handler shares.
//!
//! - [`SignedIn`] resolves the session cookie to a principal for pages, or
//!   redirects to the sign-in page; [`ApiCaller`] resolves a bearer token for the
//!   API, or answers 401 JSON.
//! - [`Caller::require`] asks the one access policy and turns its answer into the
//!   normal 404 (identical to an unknown ID) or a 403, recording refusals.
//! - [`Caller::record`] writes the audit entry for each private read and change.

use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use candour_app::{Actor, AreaError, Denied};
use candour_domain::{Action, Principal, Resource};

use crate::error::{ApiError, PageError, WebError};
use crate::security::client_ip::ClientIp;
use crate::security::cookies::{self, SESSION_COOKIE, SameSite};
use crate::security::csrf::{Csrf, has_bearer};
use crate::state::AppState;

/// A principal and where their request came from.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    pub ip: ClientIp,
}

impl Caller {
    pub fn ip_text(&self) -> String {
        self.ip.0.to_string()
    }

    /// The caller as the application layer knows them.
    pub fn actor(&self) -> Actor {
        Actor::new(self.principal.clone(), Some(self.ip_text()))
    }

    /// Asks the access policy through the one gate ([`candour_app::Gate::require`]).
    /// `NotFound` becomes `not_found` (which the handler also gives for a record
    /// that does not exist, so the two cannot be told apart); `Forbidden` a 403.
    /// Refusals are audited.
    pub async fn require(
        &self,
        state: &AppState,
        action: Action,
        resource: Resource<'_>,
        not_found: impl FnOnce() -> WebError,
    ) -> Result<(), WebError> {
        state.app.gate.require(&self.actor(), action, resource).await.map_err(|denied| match denied {
            Denied::NotFound => not_found(),
            Denied::Forbidden => WebError::Forbidden,
            Denied::Unaudited => WebError::Internal,
        })
    }

    /// Appends to the audit log. If the log cannot be written the request fails:
    /// a private record is not shown without its trace.
    pub async fn record(
        &self,
        state: &AppState,
        action: &str,
        resource: &str,
        detail: Option<&str>,
    ) -> Result<(), WebError> {
        let ip = self.ip_text();
        state.app.accounts.audit(Some(&self.principal), action, resource, detail, Some(&ip)).await.map_err(|err| {
            tracing::error!(error = %err, "the audit log could not be written");
            WebError::Internal
        })
    }
}

/// The session cookie's value, unless the request authenticates with a bearer
/// token: such requests skip the CSRF check, so cookies must not count for them.
pub fn session_secret(headers: &HeaderMap) -> Option<String> {
    if has_bearer(headers) { None } else { cookies::read(headers, SESSION_COOKIE) }
}

/// The principal of the request's session, if it has a live one.
pub async fn session_principal(state: &AppState, headers: &HeaderMap) -> Result<Option<Principal>, WebError> {
    let Some(secret) = session_secret(headers) else { return Ok(None) };
    state.app.accounts.session(&secret).await.map_err(|err| {
        tracing::error!(error = %err, "a session could not be looked up");
        WebError::Internal
    })
}

/// The `Set-Cookie` that starts a session, expiring with it.
pub fn session_cookie(state: &AppState, secret: &str, expires_at: chrono::DateTime<chrono::Utc>) -> HeaderValue {
    let max_age = (expires_at - chrono::Utc::now()).num_seconds();
    cookies::set(SESSION_COOKIE, secret, SameSite::Lax, state.config.secure_cookies(), Some(max_age))
}

pub fn clear_session_cookie(state: &AppState) -> HeaderValue {
    cookies::clear(SESSION_COOKIE, SameSite::Lax, state.config.secure_cookies())
}

/// A page request from someone signed in. Without a session, the request is
/// sent to the sign-in page, which brings the person back here afterwards.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub caller: Caller,
    /// The path asked for, for the 404 page of a record the caller may not see.
    pub path: String,
    /// The CSRF token for the page's forms (the header's sign-out button at least).
    pub csrf: String,
}

impl SignedIn {
    pub fn principal(&self) -> &Principal {
        &self.caller.principal
    }

    /// The normal 404 page for this path: the same whether the record does not
    /// exist or the caller may not see it.
    pub fn not_found(&self) -> WebError {
        not_found_at(&self.path)
    }

    pub async fn require(&self, state: &AppState, action: Action, resource: Resource<'_>) -> Result<(), WebError> {
        self.caller.require(state, action, resource, || self.not_found()).await
    }

    pub fn actor(&self) -> Actor {
        self.caller.actor()
    }

    /// An application error as this page answers it: missing, or not the
    /// caller's to see, is the normal 404 page for this path.
    pub fn fail(&self, error: impl AreaError) -> WebError {
        WebError::from_area(&error, || self.not_found())
    }
}

/// The message of every 404 page: it names only the path asked for.
pub fn not_found_at(path: &str) -> WebError {
    WebError::not_found(format!("There is no page at {path}. Check the address, or search for a care service."))
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let uri = OriginalUri::from_request_parts(parts, state).await.map(|u| u.0).unwrap_or_else(|e| match e {});
        let principal = session_principal(state, &parts.headers).await.map_err(|e| PageError(e).into_response())?;
        let Some(principal) = principal else {
            let next = uri.path_and_query().map_or(uri.path(), |pq| pq.as_str());
            let target =
                format!("/sign-in?next={}", form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>());
            return Err(Redirect::to(&target).into_response());
        };
        let ip = ClientIp::from_request_parts(parts, state).await.unwrap_or_else(|e| match e {});
        let Csrf(csrf) = Csrf::from_request_parts(parts, state).await.map_err(IntoResponse::into_response)?;
        Ok(SignedIn { caller: Caller { principal, ip }, path: uri.path().to_string(), csrf })
    }
}

/// An API request with a valid `Authorization: Bearer` token.
#[derive(Debug, Clone)]
pub struct ApiCaller(pub Caller);

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.get(..7).filter(|s| s.eq_ignore_ascii_case("bearer ")).map(|_| v[7..].trim()))
            .ok_or(ApiError(WebError::Unauthorized))?;
        let principal = state.app.accounts.api_principal(token).await.map_err(|err| {
            tracing::error!(error = %err, "an API token could not be looked up");
            ApiError(WebError::Internal)
        })?;
        let principal = principal.ok_or(ApiError(WebError::Unauthorized))?;
        let ip = ClientIp::from_request_parts(parts, state).await.unwrap_or_else(|e| match e {});
        Ok(ApiCaller(Caller { principal, ip }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_requests_ignore_the_session_cookie() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("candour_session=abcdefghijklmnopqrstuvwxyz"));
        assert!(session_secret(&headers).is_some());
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer cand_x"));
        assert!(session_secret(&headers).is_none());
    }
}
