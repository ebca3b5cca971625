//! Notices for people without an account. `/unsubscribe/{secret}`: the link at the
//! foot of every notice, and the one-click unsubscribe that mail programs post to
//! (RFC 8058). The secret is the whole authority: it stops (or starts again) one
//! kind of email to one address, so the page needs no sign-in, and the post no CSRF
//! token (mail programs send none). `/locations/{id}/follow` and `/follow/{secret}`:
//! following a service by email, confirmed through the link sent (double opt-in).

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use chrono::Utc;

use candour_app::notices::NoticeKind;
use candour_domain::{Email, LocationId};
use candour_store::{LocationDetail, StoreError};

use crate::error::{PageError, WebError, render};
use crate::forms::{ErrorLink, Field, FormErrors, pairs, value};
use crate::security::client_ip::ClientIp;
use crate::security::csrf::Csrf;
use crate::state::AppState;
use crate::views::location_href;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/unsubscribe/{secret}", get(asking).post(answer))
        .route("/locations/{id}/follow", get(follow_form).post(follow))
        .route("/follow/{secret}", get(confirming).post(confirm))
}

#[derive(Template)]
#[template(path = "notices/follow.html")]
struct FollowPage {
    title: String,
    heading: String,
    errors: Vec<ErrorLink>,
    service_name: String,
    service_href: String,
    action: String,
    csrf_token: String,
    email: Field,
    /// Once asked: the address the link went to.
    sent_to: Option<String>,
}

impl FollowPage {
    fn new(detail: &LocationDetail, raw_email: &str, errors: &FormErrors, csrf_token: String) -> Self {
        let l = &detail.location;
        let heading = format!("Get news of {} by email", l.name);
        FollowPage {
            title: errors.title(&heading),
            heading,
            errors: errors.links(),
            service_name: l.name.clone(),
            service_href: location_href(l.id.as_str()),
            action: format!("/locations/{}/follow", l.id),
            csrf_token,
            email: Field::new("email", "Your email address", "email", "email").value(raw_email).errors(errors),
            sent_to: None,
        }
    }
}

#[derive(Template)]
#[template(path = "notices/confirm_follow.html")]
struct ConfirmPage {
    title: String,
    service_name: String,
    service_href: String,
    action: String,
    csrf_token: String,
    confirmed: bool,
}

async fn followable(state: &AppState, raw_id: &str) -> Result<LocationDetail, WebError> {
    let missing = || format!("There is no location with ID {} in the register.", raw_id.trim());
    let id = LocationId::parse(raw_id).map_err(|_| WebError::not_found(missing()))?;
    state.store.location(&id).await.map_err(|e| WebError::from_store(e, missing))
}

/// `GET /locations/{id}/follow`: the address to send the link to.
async fn follow_form(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    Csrf(csrf): Csrf,
) -> Result<Response, PageError> {
    let detail = followable(&state, &raw_id).await?;
    Ok(render(StatusCode::OK, &FollowPage::new(&detail, "", &FormErrors::default(), csrf)))
}

/// `POST /locations/{id}/follow`: the link is emailed (within the same limits as
/// feedback, so that no one floods an address); or the form again with the problem.
async fn follow(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    ClientIp(ip): ClientIp,
    Csrf(csrf): Csrf,
    body: Bytes,
) -> Result<Response, PageError> {
    let detail = followable(&state, &raw_id).await?;
    let raw_email = value(&pairs(&body), "email").to_string();
    if Email::parse(raw_email.trim()).is_ok() {
        state.feedback_limits.check(ip, &detail.location.id).await?;
    }
    match state.app.notices.follow(&detail, &raw_email, Utc::now()).await {
        Ok(()) => {
            let mut page = FollowPage::new(&detail, "", &FormErrors::default(), csrf);
            (page.title, page.heading) = ("Check your email".into(), "Check your email".into());
            page.sent_to = Some(raw_email.trim().to_lowercase());
            Ok(render(StatusCode::OK, &page))
        }
        Err(StoreError::Invalid(message)) => {
            let mut errors = FormErrors::default();
            errors.add("email", message);
            Ok(render(StatusCode::BAD_REQUEST, &FollowPage::new(&detail, &raw_email, &errors, csrf)))
        }
        Err(err) => Err(PageError(WebError::from_store(err, String::new))),
    }
}

fn confirm_page(secret: &str, detail: &LocationDetail, confirmed: bool, csrf_token: String) -> ConfirmPage {
    let l = &detail.location;
    ConfirmPage {
        title: if confirmed {
            format!("You are following {}", l.name)
        } else {
            format!("Confirm you want news of {}", l.name)
        },
        service_name: l.name.clone(),
        service_href: location_href(l.id.as_str()),
        action: format!("/follow/{secret}"),
        csrf_token,
        confirmed,
    }
}

fn unknown_follow(err: StoreError) -> PageError {
    PageError(WebError::from_store(err, || {
        "This link to confirm is not known: check that it was copied in full from the email.".into()
    }))
}

/// `GET /follow/{secret}`: one button away from confirming; a mail program that
/// opens links to check them confirms nothing.
async fn confirming(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    Csrf(csrf): Csrf,
) -> Result<Response, PageError> {
    let (detail, confirmed) = state.app.notices.followed(&secret).await.map_err(unknown_follow)?;
    Ok(render(StatusCode::OK, &confirm_page(&secret, &detail, confirmed, csrf)))
}

/// `POST /follow/{secret}`
async fn confirm(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    Csrf(csrf): Csrf,
) -> Result<Response, PageError> {
    let detail = state.app.notices.confirm_follow(&secret, Utc::now()).await.map_err(unknown_follow)?;
    Ok(render(StatusCode::OK, &confirm_page(&secret, &detail, true, csrf)))
}

#[derive(Template)]
#[template(path = "notices/unsubscribe.html")]
struct UnsubscribePage {
    title: String,
    action: String,
    what: &'static str,
    to: String,
    /// `None` while asking; then whether these emails are stopped.
    stopped: Option<bool>,
}

impl UnsubscribePage {
    fn new(secret: &str, to: &Email, kind: NoticeKind, stopped: Option<bool>) -> Self {
        let title = match stopped {
            None => "Stop these emails",
            Some(true) => "Emails stopped",
            Some(false) => "Emails started again",
        };
        UnsubscribePage {
            title: title.into(),
            action: format!("/unsubscribe/{secret}"),
            what: kind.title(),
            to: masked(to),
            stopped,
        }
    }
}

/// `GET /unsubscribe/{secret}`: one button away from stopping.
async fn asking(State(state): State<AppState>, Path(secret): Path<String>) -> Result<Response, PageError> {
    let (to, kind) = state.app.notices.unsubscribing(&secret).await.map_err(unknown)?;
    Ok(render(StatusCode::OK, &UnsubscribePage::new(&secret, &to, kind, None)))
}

/// `POST /unsubscribe/{secret}`: stops them (the button, or a mail program's
/// `List-Unsubscribe=One-Click`), or with `choice=resume` starts them again.
async fn answer(State(state): State<AppState>, Path(secret): Path<String>, body: Bytes) -> Result<Response, PageError> {
    let resume = value(&pairs(&body), "choice") == "resume";
    let (to, kind) = state.app.notices.unsubscribe(&secret, resume, Utc::now()).await.map_err(unknown)?;
    Ok(render(StatusCode::OK, &UnsubscribePage::new(&secret, &to, kind, Some(!resume))))
}

fn unknown(err: StoreError) -> PageError {
    PageError(WebError::from_store(err, || {
        "This link to stop emails is not known: check that it was copied in full from the email.".into()
    }))
}

/// An address as the page shows it, enough to recognise and no more: `j…@example.org`.
fn masked(email: &Email) -> String {
    let (local, domain) = email.as_str().split_once('@').unwrap_or((email.as_str(), ""));
    let first: String = local.chars().take(1).collect();
    format!("{first}…@{domain}")
}
