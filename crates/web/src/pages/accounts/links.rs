//! The single-use links: asking for a password reset (always the same answer),
//! choosing a new password from a reset link, and accepting an invitation. A link
//! is used up only when the form is sent, not when the page is opened, so that a
//! mail scanner opening it does not spend it.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use candour_app::accounts::AccountError;
use candour_domain::{Email, Password};

use super::sign_in::begin_session;
use crate::error::{PageError, WebError, render};
use crate::forms::{ErrorLink, Field, FormErrors, pairs, raw, value};
use crate::pages::chrome::path_segment;
use crate::security::client_ip::ClientIp;
use crate::security::csrf::Csrf;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "accounts/password_reset.html")]
struct ResetRequestPage {
    title: String,
    errors: Vec<ErrorLink>,
    csrf_token: String,
    email: Field,
}

#[derive(Template)]
#[template(path = "accounts/choose_password.html")]
struct ChoosePasswordPage {
    title: String,
    heading: &'static str,
    intro: &'static str,
    button: &'static str,
    action: String,
    errors: Vec<ErrorLink>,
    csrf_token: String,
    password: Field,
    confirm: Field,
}

/// A link for [`NoticePage`].
pub struct NoticeLink {
    pub href: &'static str,
    pub label: &'static str,
}

/// A heading and a few paragraphs: confirmations and dead ends.
#[derive(Template)]
#[template(path = "notice.html")]
pub struct NoticePage {
    pub title: &'static str,
    pub heading: &'static str,
    pub paragraphs: Vec<String>,
    pub link: Option<NoticeLink>,
}

/// `GET /password-reset`
pub async fn reset_form(Csrf(csrf_token): Csrf) -> Response {
    render(StatusCode::OK, &reset_page(FormErrors::default(), csrf_token, ""))
}

/// `POST /password-reset`: the same confirmation whether or not the address has an account.
pub async fn reset_request(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Csrf(csrf_token): Csrf,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = pairs(&body);
    let email = value(&form, "email");
    let mut errors = FormErrors::default();
    if email.is_empty() {
        errors.add("email", "Enter your email address");
    } else if Email::parse(email).is_err() {
        errors.add("email", "Enter an email address in the correct format, like name@example.org");
    }
    if !errors.is_empty() {
        return Ok(render(StatusCode::BAD_REQUEST, &reset_page(errors, csrf_token, email)));
    }
    state.app.accounts.request_password_reset(email, Some(&ip.to_string())).await.map_err(internal)?;
    let valid = candour_app::accounts::describe_duration(state.app.accounts.policy().reset_valid);
    let page = NoticePage {
        title: "Check your email",
        heading: "Check your email",
        paragraphs: vec![
            format!("If {email} belongs to an account, we have sent it a link to choose a new password."),
            format!(
                "The link works once, for {valid}. If no email arrives, check your spam folder or ask a system administrator."
            ),
        ],
        link: Some(NoticeLink { href: "/sign-in", label: "Back to sign in" }),
    };
    Ok(render(StatusCode::OK, &page))
}

fn reset_page(errors: FormErrors, csrf_token: String, email: &str) -> ResetRequestPage {
    ResetRequestPage {
        title: errors.title("Reset your password"),
        errors: errors.links(),
        csrf_token,
        email: Field::new("email", "Email address", "email", "username").value(email).errors(&errors),
    }
}

/// `GET /password-reset/{secret}`
pub async fn new_password_form(Path(secret): Path<String>, Csrf(csrf_token): Csrf) -> Response {
    render(StatusCode::OK, &choose_page(Purpose::Reset, &secret, FormErrors::default(), csrf_token))
}

/// `POST /password-reset/{secret}`: sets the password; every session of the account ends.
pub async fn new_password(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    ClientIp(ip): ClientIp,
    Csrf(csrf_token): Csrf,
    body: Bytes,
) -> Result<Response, PageError> {
    let password = match chosen_password(&body) {
        Ok(password) => password,
        Err(errors) => {
            return Ok(render(StatusCode::BAD_REQUEST, &choose_page(Purpose::Reset, &secret, errors, csrf_token)));
        }
    };
    match state.app.accounts.reset_password(&secret, &password, Some(&ip.to_string())).await {
        Ok(()) => Ok(Redirect::to("/sign-in?done=password_changed").into_response()),
        Err(AccountError::LinkExpired) => Ok(link_expired("/password-reset", "Ask for a new link")),
        Err(err) => Err(internal(err)),
    }
}

/// `GET /invitations/{secret}`
pub async fn invitation_form(Path(secret): Path<String>, Csrf(csrf_token): Csrf) -> Response {
    render(StatusCode::OK, &choose_page(Purpose::Invitation, &secret, FormErrors::default(), csrf_token))
}

/// `POST /invitations/{secret}`: sets the password and signs the person in.
pub async fn accept_invitation(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Csrf(csrf_token): Csrf,
    body: Bytes,
) -> Result<Response, PageError> {
    let password = match chosen_password(&body) {
        Ok(password) => password,
        Err(errors) => {
            return Ok(render(StatusCode::BAD_REQUEST, &choose_page(Purpose::Invitation, &secret, errors, csrf_token)));
        }
    };
    let ip = ip.to_string();
    match state.app.accounts.accept_invitation(&secret, &password, Some(&ip)).await {
        Ok(signed_in) => Ok(begin_session(&state, &headers, signed_in, &ip, "/manage").await?),
        Err(AccountError::LinkExpired) => Ok(link_expired("/sign-in", "Go to the sign-in page")),
        Err(err) => Err(internal(err)),
    }
}

#[derive(Clone, Copy)]
enum Purpose {
    Reset,
    Invitation,
}

fn choose_page(purpose: Purpose, secret: &str, errors: FormErrors, csrf_token: String) -> ChoosePasswordPage {
    let (heading, intro, button, base) = match purpose {
        Purpose::Reset => (
            "Choose a new password",
            "Choose a new password for your account. Signing in anywhere else will end.",
            "Change password",
            "/password-reset/",
        ),
        Purpose::Invitation => (
            "Set up your account",
            "You have been invited to Candour. Choose a password to finish setting up your account; you will then be signed in.",
            "Set password and sign in",
            "/invitations/",
        ),
    };
    let hint = "Use 12 characters or more. Three random words make a strong password that is easy to remember.";
    ChoosePasswordPage {
        title: errors.title(heading),
        heading,
        intro,
        button,
        action: format!("{base}{}", path_segment(secret)),
        errors: errors.links(),
        csrf_token,
        password: Field::new("password", "New password", "password", "new-password").hint(hint).errors(&errors),
        confirm: Field::new("confirm", "Confirm the new password", "password", "new-password").errors(&errors),
    }
}

/// The password from a choose-password form, or what is wrong with it.
fn chosen_password(body: &[u8]) -> Result<Password, FormErrors> {
    let form = pairs(body);
    let (password, confirm) = (raw(&form, "password"), raw(&form, "confirm"));
    let mut errors = FormErrors::default();
    let parsed = if password.is_empty() {
        errors.add("password", "Enter a new password");
        None
    } else {
        match Password::parse(password) {
            Ok(p) => Some(p),
            Err(e) => {
                errors.add("password", format!("Your password is not strong enough: {}", e.expected));
                None
            }
        }
    };
    if parsed.is_some() && confirm != password {
        errors.add("confirm", "The passwords do not match: enter the same password twice");
    }
    match parsed {
        Some(password) if errors.is_empty() => Ok(password),
        _ => Err(errors),
    }
}

fn link_expired(href: &'static str, label: &'static str) -> Response {
    let page = NoticePage {
        title: "This link has expired",
        heading: "This link has expired or has already been used",
        paragraphs: vec![
            "Each link works once and only for a limited time.".to_string(),
            "Ask for a new link, or ask a system administrator to invite you again.".to_string(),
        ],
        link: Some(NoticeLink { href, label }),
    };
    render(StatusCode::NOT_FOUND, &page)
}

fn internal(err: AccountError) -> PageError {
    tracing::error!(error = %err, "an account operation failed");
    PageError(WebError::Internal)
}

#[cfg(test)]
mod tests {
    use super::chosen_password;

    #[test]
    fn passwords_must_be_long_and_confirmed() {
        assert!(chosen_password(b"password=three+random+words&confirm=three+random+words").is_ok());
        let short = chosen_password(b"password=short&confirm=short").unwrap_err();
        assert!(short.get("password").unwrap().contains("12 characters or more"));
        let mismatch = chosen_password(b"password=three+random+words&confirm=three+random+word").unwrap_err();
        assert!(mismatch.get("confirm").is_some() && mismatch.get("password").is_none());
        assert!(chosen_password(b"").unwrap_err().get("password").is_some());
    }
}
