//! `/account`: who you are, your roles, changing your password (which signs out
//! everywhere else and revokes your API tokens), and your API tokens (created
//! here, the secret shown once; listed; revoked).

use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use candour_app::accounts::{AccountError, SignInError};
use candour_app::notices::NoticeKind;
use candour_domain::{Action, Password, Resource};
use candour_store::{ApiToken, MailChoice, StoreError};
use chrono::Utc;
use serde::Deserialize;

use crate::auth::SignedIn;
use crate::error::{PageError, WebError, render};
use crate::forms::{ErrorLink, Field, FormErrors, RadioGroup, pairs, raw, value};
use crate::pages::chrome::{Chrome, GrantLine, date_time};
use crate::state::AppState;
use crate::views::Row;

#[derive(Template)]
#[template(path = "accounts/account.html")]
struct AccountPage {
    title: String,
    chrome: Chrome,
    errors: Vec<ErrorLink>,
    notice: Option<&'static str>,
    details: Vec<Row>,
    current_password: Field,
    new_password: Field,
    grants: Vec<GrantLine>,
    tokens: Vec<TokenRow>,
    token_name: Field,
    /// How the person gets each kind of email they may get; empty for none.
    emails: Vec<RadioGroup>,
    /// Said beside the emails section, where the page opens after saving them.
    emails_saved: bool,
}

struct TokenRow {
    id: i64,
    name: String,
    prefix: String,
    created: String,
    last_used: String,
    revoked: Option<String>,
}

#[derive(Template)]
#[template(path = "accounts/token_created.html")]
struct TokenCreatedPage {
    title: &'static str,
    chrome: Chrome,
    name: String,
    secret: String,
    example_url: String,
}

#[derive(Deserialize, Default)]
pub struct AccountQuery {
    done: Option<String>,
}

/// `GET /account`
pub async fn show(
    State(state): State<AppState>,
    who: SignedIn,
    query: Result<Query<AccountQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let mut page = account_page(&state, &who, FormErrors::default(), "").await?;
    let done = query.ok().and_then(|q| q.0.done);
    page.notice = match done.as_deref() {
        Some("password") => Some(
            "Your password has been changed. You have been signed out everywhere else, and your API tokens revoked.",
        ),
        _ => None,
    };
    page.emails_saved = done.as_deref() == Some("emails");
    Ok(render(StatusCode::OK, &page))
}

/// `POST /account/password`: checks the current password, sets the new one, and
/// carries on in a new session; every other session, link and token ends.
pub async fn change_password(
    State(state): State<AppState>,
    who: SignedIn,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = pairs(&body);
    let (current, new) = (raw(&form, "current_password"), raw(&form, "new_password"));
    let mut errors = FormErrors::default();
    if current.is_empty() {
        errors.add("current_password", "Enter your current password");
    }
    let password = Password::parse(new)
        .map_err(|e| errors.add("new_password", format!("Your new password is not strong enough: {}", e.expected)));
    if let (true, Ok(password)) = (errors.is_empty(), &password) {
        let ip = who.caller.ip_text();
        match state.app.accounts.change_password(who.principal(), current, password, Some(&ip)).await {
            Ok(signed_in) => {
                let next = "/account?done=password";
                return Ok(super::sign_in::begin_session(&state, &headers, signed_in, &ip, next).await?);
            }
            Err(SignInError::Refused) => errors.add(
                "current_password",
                "Your current password is not right. After several wrong tries, your account pauses for a while.",
            ),
            Err(SignInError::Failed(err)) => return Err(account_failure(err)),
        }
    }
    Ok(render(StatusCode::BAD_REQUEST, &account_page(&state, &who, errors, "").await?))
}

/// `POST /account/emails`: how the person gets each kind of email; a choice that
/// is not one is shown against its question, and nothing changes.
pub async fn choose_emails(State(state): State<AppState>, who: SignedIn, body: Bytes) -> Result<Response, PageError> {
    let form = pairs(&body);
    match state.app.notices.choose(&who.actor(), &form, Utc::now()).await {
        Ok(()) => Ok(Redirect::to("/account?done=emails#emails").into_response()),
        Err(StoreError::Invalid(message)) => {
            let mut errors = FormErrors::default();
            let first = form.iter().find_map(|(k, _)| NoticeKind::parse(k)).map_or("emails", NoticeKind::code);
            errors.add(first, message);
            Ok(render(StatusCode::BAD_REQUEST, &account_page(&state, &who, errors, "").await?))
        }
        Err(err) => Err(PageError(WebError::from_store(err, String::new))),
    }
}

/// `POST /account/tokens`: creates a token and shows its secret, this once.
pub async fn create_token(State(state): State<AppState>, who: SignedIn, body: Bytes) -> Result<Response, PageError> {
    let owner = who.principal().user_id;
    who.require(&state, Action::Write, Resource::ApiTokens { owner }).await?;
    let form = pairs(&body);
    let name = value(&form, "name");
    let ip = who.caller.ip_text();
    match state.app.accounts.create_api_token(who.principal(), name, Some(&ip)).await {
        Ok((token, secret)) => {
            let page = TokenCreatedPage {
                title: "Your new API token",
                chrome: Chrome::with(
                    &who,
                    vec![crate::pages::chrome::Crumb::new("Your account", "/account")],
                    "New token",
                ),
                name: token.name,
                secret: secret.expose().to_string(),
                example_url: format!("{}/api/v1/me", state.config.public_url()),
            };
            Ok(render(StatusCode::OK, &page))
        }
        Err(AccountError::Invalid(message)) => {
            let mut errors = FormErrors::default();
            errors.add("name", message);
            Ok(render(StatusCode::BAD_REQUEST, &account_page(&state, &who, errors, name).await?))
        }
        Err(err) => Err(account_failure(err)),
    }
}

/// `POST /account/tokens/{id}/revoke`: another person's token is not found.
pub async fn revoke_token(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let owner = who.principal().user_id;
    who.require(&state, Action::Write, Resource::ApiTokens { owner }).await?;
    let id: i64 = raw_id.parse().map_err(|_| who.not_found())?;
    let ip = who.caller.ip_text();
    match state.app.accounts.revoke_api_token(who.principal(), id, Some(&ip)).await {
        Ok(()) => Ok(Redirect::to("/account").into_response()),
        Err(AccountError::NotFound) => Err(who.not_found().into()),
        Err(err) => Err(account_failure(err)),
    }
}

async fn account_page(
    state: &AppState,
    who: &SignedIn,
    errors: FormErrors,
    token_name: &str,
) -> Result<AccountPage, WebError> {
    let principal = who.principal();
    who.require(state, Action::Read, Resource::ApiTokens { owner: principal.user_id }).await?;
    let user = state.app.accounts.user(principal.user_id).await.map_err(|e| account_failure(e).0)?;
    let tokens = state.app.accounts.api_tokens(principal).await.map_err(|e| account_failure(e).0)?;
    let choices = state.app.notices.choices(&who.actor()).await.map_err(|e| WebError::from_store(e, String::new))?;
    let details = vec![
        Row::text("Name", user.name.clone()),
        Row::text("Email address", user.email.to_string()),
        Row::text("Account created", date_time(user.created_at)),
        Row::text("Last signed in", user.last_sign_in_at.map(date_time).unwrap_or_else(|| "Never".to_string())),
    ];
    Ok(AccountPage {
        title: errors.title("Your account"),
        chrome: Chrome::manage(who, "Your account"),
        errors: errors.links(),
        notice: None,
        details,
        current_password: Field::new("current_password", "Current password", "password", "current-password")
            .errors(&errors),
        new_password: Field::new("new_password", "New password", "password", "new-password")
            .hint("Use 12 characters or more. Changing it signs you out everywhere else and revokes your API tokens.")
            .errors(&errors),
        grants: user.grants.iter().map(GrantLine::of).collect(),
        tokens: tokens.iter().map(token_row).collect(),
        token_name: Field::new("name", "Token name", "text", "off")
            .hint("What the token is for, for example \"Council dashboard\"")
            .value(token_name)
            .errors(&errors),
        emails: choices.iter().map(|(kind, choice)| email_choice(*kind, *choice, &errors)).collect(),
        emails_saved: false,
    })
}

/// One kind of email's question: each as it happens, a daily digest, or none.
fn email_choice(kind: NoticeKind, choice: MailChoice, errors: &FormErrors) -> RadioGroup {
    let choices = [
        (MailChoice::Each, "Each one as it happens"),
        (MailChoice::Digest, "In one email a day, at 7am"),
        (MailChoice::None, "None"),
    ];
    let choices = choices.into_iter().map(|(c, label)| (c.code().to_string(), label.to_string(), None));
    RadioGroup::new(kind.code(), kind.code(), kind.title(), choices, choice.code(), errors)
}

fn token_row(t: &ApiToken) -> TokenRow {
    TokenRow {
        id: t.id,
        name: t.name.clone(),
        prefix: format!("{}…", t.prefix),
        created: date_time(t.created_at),
        last_used: t.last_used_at.map(date_time).unwrap_or_else(|| "Never".to_string()),
        revoked: t.revoked_at.map(date_time),
    }
}

pub fn account_failure(err: AccountError) -> PageError {
    match err {
        AccountError::Invalid(message) | AccountError::Conflict(message) => PageError(WebError::bad_request(message)),
        AccountError::Forbidden(_) => PageError(WebError::Forbidden),
        other => {
            tracing::error!(error = %other, "an account operation failed");
            PageError(WebError::Internal)
        }
    }
}
