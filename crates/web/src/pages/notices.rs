//! `/unsubscribe/{secret}`: the link at the foot of every notice, and the
//! one-click unsubscribe that mail programs post to (RFC 8058). The secret is the
//! whole authority: it stops (or starts again) one kind of email to one address,
//! so the page needs no sign-in, and the post no CSRF token (mail programs send none).

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use chrono::Utc;

use candour_app::notices::NoticeKind;
use candour_domain::Email;
use candour_store::StoreError;

use crate::error::{PageError, WebError, render};
use crate::forms::{pairs, value};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/unsubscribe/{secret}", get(asking).post(answer))
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
