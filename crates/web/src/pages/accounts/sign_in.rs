//! Signing in and out. Every refusal gives one message, whatever the reason, so
//! the page never says whether an account exists; each sign-in starts a new
//! session (ending any the browser had) and a new CSRF token.

use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use candour_app::accounts::{SignInError, SignedIn};
use serde::Deserialize;

use crate::auth::{clear_session_cookie, session_cookie, session_principal, session_secret};
use crate::error::{PageError, WebError, render};
use crate::forms::{ErrorLink, Field, FormErrors, pairs, raw, value};
use crate::security::client_ip::ClientIp;
use crate::security::csrf::{self, Csrf};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "accounts/sign_in.html")]
struct SignInPage {
    title: String,
    errors: Vec<ErrorLink>,
    notice: Option<&'static str>,
    csrf_token: String,
    next: String,
    email: Field,
    password: Field,
}

#[derive(Deserialize, Default)]
pub struct SignInQuery {
    next: Option<String>,
    done: Option<String>,
}

/// Where to go after signing in when no (safe) destination was asked for.
const HOME: &str = "/manage";

/// `GET /sign-in`. Someone already signed in goes straight on.
pub async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Csrf(csrf_token): Csrf,
    query: Result<Query<SignInQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let query = query.map(|q| q.0).unwrap_or_default();
    let next = safe_next(query.next.as_deref());
    if session_principal(&state, &headers).await?.is_some() {
        return Ok(Redirect::to(&next).into_response());
    }
    let notice = match query.done.as_deref() {
        Some("signed_out") => Some("You have signed out."),
        Some("password_changed") => Some("Your password has been changed. Sign in with your new password."),
        _ => None,
    };
    let page = page(FormErrors::default(), notice, csrf_token, next, "");
    Ok(render(StatusCode::OK, &page))
}

/// `POST /sign-in`
pub async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Csrf(csrf_token): Csrf,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = pairs(&body);
    let (email, password) = (value(&form, "email"), raw(&form, "password"));
    let next = safe_next(Some(value(&form, "next")));
    let mut errors = FormErrors::default();
    if email.is_empty() {
        errors.add("email", "Enter your email address");
    }
    if password.is_empty() {
        errors.add("password", "Enter your password");
    }
    if !errors.is_empty() {
        return Ok(render(StatusCode::BAD_REQUEST, &page(errors, None, csrf_token, next, email)));
    }
    let ip = ip.to_string();
    match state.app.accounts.sign_in(email, password, Some(&ip)).await {
        Ok(signed_in) => Ok(begin_session(&state, &headers, signed_in, &ip, &next).await?),
        Err(SignInError::Refused) => {
            let mut errors = FormErrors::default();
            errors.add("email", refusal_message(&state));
            Ok(render(StatusCode::BAD_REQUEST, &page(errors, None, csrf_token, next, email)))
        }
        Err(SignInError::Failed(err)) => {
            tracing::error!(error = %err, "signing in failed");
            Err(WebError::Internal.into())
        }
    }
}

/// After a successful sign-in (or accepting an invitation): ends the browser's old
/// session, sets the new session cookie and a new CSRF token, and goes on to `next`.
pub async fn begin_session(
    state: &AppState,
    headers: &HeaderMap,
    signed_in: SignedIn,
    ip: &str,
    next: &str,
) -> Result<Response, WebError> {
    if let Some(old) = session_secret(headers) {
        state.app.accounts.sign_out(&old, Some(ip)).await.map_err(|err| {
            tracing::error!(error = %err, "an earlier session could not be ended");
            WebError::Internal
        })?;
    }
    let (_, csrf_cookie) = csrf::rotated(state.config.secure_cookies())?;
    let session = session_cookie(state, signed_in.session_secret.expose(), signed_in.expires_at);
    let mut response = Redirect::to(next).into_response();
    response.headers_mut().append(header::SET_COOKIE, session);
    response.headers_mut().append(header::SET_COOKIE, csrf_cookie);
    Ok(response)
}

/// `POST /sign-out`: ends the session (if any) and forgets the cookie.
pub async fn sign_out(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    if let Some(secret) = session_secret(&headers) {
        state.app.accounts.sign_out(&secret, Some(&ip.to_string())).await.map_err(|err| {
            tracing::error!(error = %err, "a session could not be ended");
            WebError::Internal
        })?;
    }
    let mut response = Redirect::to("/sign-in?done=signed_out").into_response();
    response.headers_mut().append(header::SET_COOKIE, clear_session_cookie(&state));
    Ok(response)
}

/// The one answer for every failed sign-in, with the lockout rule in it.
fn refusal_message(state: &AppState) -> String {
    let policy = state.app.accounts.policy();
    format!(
        "Enter a correct email address and password. After {} wrong attempts an account is locked for {} minutes.",
        policy.lockout_after,
        policy.lockout_for.num_minutes()
    )
}

fn page(errors: FormErrors, notice: Option<&'static str>, csrf_token: String, next: String, email: &str) -> SignInPage {
    SignInPage {
        title: errors.title("Sign in"),
        errors: errors.links(),
        notice,
        csrf_token,
        next,
        email: Field::new("email", "Email address", "email", "username").value(email).errors(&errors),
        password: Field::new("password", "Password", "password", "current-password").errors(&errors),
    }
}

/// Only a path on this site: never another host (`//evil.example`, `/\evil`), and
/// only printable ASCII, as a `Location` header needs (the sign-in page's own
/// links are percent-encoded).
pub fn safe_next(next: Option<&str>) -> String {
    match next.map(str::trim) {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && path.bytes().all(|b| b.is_ascii_graphic())
                && !path.starts_with("/sign-in") =>
        {
            path.to_string()
        }
        _ => HOME.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next(Some("/manage/locations/1-1?x=1")), "/manage/locations/1-1?x=1");
        for unsafe_next in
            ["https://evil.example", "//evil.example", "/\\evil.example", "", "/sign-in", "manage", "/a b", "/é"]
        {
            assert_eq!(safe_next(Some(unsafe_next)), "/manage", "{unsafe_next}");
        }
        assert_eq!(safe_next(None), "/manage");
    }
}
