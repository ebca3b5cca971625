//! Replies waiting for a moderator's check (a responder's first replies, and
//! every claim of a change), each beside the story it answers: publish, or
//! reject with a reason.

use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_app::moderation::RawCheck;
use candour_app::voice::VoiceError;
use candour_domain::voice::ChangeClaim;
use candour_store::ReplyToCheck;
use chrono::Utc;
use serde::Deserialize;

use super::voice_failure;
use crate::auth::SignedIn;
use crate::error::{PageError, WebError, render};
use crate::forms::{ErrorLink, Field, FormErrors, pairs, value};
use crate::forms::{RadioGroup, plain};
use crate::pages::chrome::{Chrome, Crumb, date_time};
use crate::state::AppState;
use crate::views::count_of;

/// The oldest this many are shown; the rest wait their turn.
const SHOWN: u32 = 50;

#[derive(Template)]
#[template(path = "moderation/reply_checks.html")]
struct ChecksPage {
    title: String,
    chrome: Chrome,
    errors: Vec<ErrorLink>,
    notice: Option<String>,
    caption: String,
    replies: Vec<CheckLine>,
}

struct CheckLine {
    id: i64,
    action: String,
    reference: String,
    story_href: String,
    location: String,
    story: String,
    author: String,
    written: String,
    text: String,
    change: Option<String>,
    decision: RadioGroup,
    reason: Field,
}

#[derive(Deserialize, Default)]
pub struct ListParams {
    checked: Option<String>,
}

/// `GET /moderation/replies`
pub async fn list(
    State(state): State<AppState>,
    who: SignedIn,
    query: Result<Query<ListParams>, QueryRejection>,
) -> Result<Response, PageError> {
    let notice =
        query.ok().and_then(|q| q.0.checked).map(|_| "Saved. The reply's author sees your decision.".to_string());
    let page = checks_page(&state, &who, notice, &FormErrors::default(), None).await?;
    Ok(render(StatusCode::OK, &page))
}

async fn checks_page(
    state: &AppState,
    who: &SignedIn,
    notice: Option<String>,
    errors: &FormErrors,
    submitted: Option<(i64, &[(String, String)])>,
) -> Result<ChecksPage, WebError> {
    let waiting =
        state.app.moderation.replies_to_check(&who.actor(), SHOWN).await.map_err(|e| voice_failure(who, e))?;
    let replies = waiting
        .iter()
        .map(|r| {
            let form = submitted.filter(|(id, _)| *id == r.reply.id).map_or(&[][..], |(_, form)| form);
            check_line(r, errors, form)
        })
        .collect::<Vec<_>>();
    Ok(ChecksPage {
        title: errors.title("Replies to check"),
        chrome: Chrome::with(
            who,
            vec![Crumb::new("Manage", "/manage"), Crumb::new("Moderation", "/moderation")],
            "Replies to check",
        ),
        errors: errors.links(),
        notice,
        caption: format!("{} waiting, oldest first", count_of(replies.len() as u64, "reply", "replies")),
        replies,
    })
}

fn check_line(r: &ReplyToCheck, errors: &FormErrors, form: &[(String, String)]) -> CheckLine {
    let id = r.reply.id;
    let change = match r.reply.change {
        ChangeClaim::None => None,
        claim => Some(format!("{}: {}", claim.label(), r.reply.change_what)),
    };
    CheckLine {
        id,
        action: format!("/moderation/replies/{id}"),
        reference: r.reference.clone(),
        story_href: format!("/moderation/{}", r.reply.feedback_id),
        location: r.location_name.clone(),
        story: r.published_text.clone(),
        author: r.reply.provider_name.clone(),
        written: date_time(r.reply.created_at),
        text: r.reply.text.clone(),
        change,
        decision: RadioGroup::new(
            "decision",
            format!("reply-{id}-decision"),
            format!("Your decision on the reply to {}", r.reference),
            plain([("publish", "Publish it"), ("reject", "Reject it")]),
            value(form, "decision"),
            errors,
        )
        .hint("Publish it if it answers the story and any change it claims is believable and specific."),
        reason: Field::new(
            format!("reply-{id}-reason"),
            format!("Reason for rejecting the reply to {}", r.reference),
            "text",
            "off",
        )
        .hint("Only if you reject it. The reply's author sees it.")
        .value(value(form, &format!("reply-{id}-reason")))
        .errors(errors),
    }
}

/// `POST /moderation/replies/{id}`
pub async fn decide(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = pairs(&body);
    // The form's fields are named after the reply (the id is checked by the service).
    let id = raw_id.trim().parse::<i64>().unwrap_or_default();
    let raw = RawCheck {
        decision: value(&form, "decision").to_string(),
        reason: value(&form, &format!("reply-{id}-reason")).to_string(),
    };
    let mut errors = FormErrors::default();
    match state.app.moderation.check_reply(&who.actor(), &raw_id, &raw, Utc::now()).await {
        Ok(()) => Ok(Redirect::to(&format!("/moderation/replies?checked={id}")).into_response()),
        Err(VoiceError::Invalid(problems)) => {
            for p in problems {
                errors.add(format!("reply-{id}-{}", p.field), p.message);
            }
            let page = checks_page(&state, &who, None, &errors, Some((id, &form))).await?;
            Ok(render(StatusCode::BAD_REQUEST, &page))
        }
        Err(VoiceError::Conflict(_)) => {
            errors.add("replies", "This reply has already been checked, so your decision was not saved");
            let page = checks_page(&state, &who, None, &errors, None).await?;
            Ok(render(StatusCode::CONFLICT, &page))
        }
        Err(VoiceError::Refused(message)) => {
            errors.add(format!("reply-{id}-reason"), super::sentence(&message));
            let page = checks_page(&state, &who, None, &errors, Some((id, &form))).await?;
            Ok(render(StatusCode::BAD_REQUEST, &page))
        }
        Err(e) => Err(PageError(voice_failure(&who, e))),
    }
}
