//! A service's people's voice on the provider side: its figures, the published
//! stories with every reply and its status, and a reply form under each. Never
//! any respondent's contact details: the stories come as published.

use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_app::voice::VoiceError;
use candour_domain::voice::ChangeClaim;
use candour_domain::{Action, LocationId};
use candour_store::{LocationDetail, PublishedStory, Reply, ReplyStatus};
use chrono::Utc;
use serde::Deserialize;

use super::figures::summary_rows;
use super::queue::page_number;
use super::voice_failure;
use crate::auth::SignedIn;
use crate::error::{PageError, WebError, render};
use crate::forms::RadioGroup;
use crate::forms::{ErrorLink, Field, FormErrors, pairs, value};
use crate::pages::chrome::{Chrome, Crumb};
use crate::pages::feedback::public::day;
use crate::state::AppState;
use crate::views::{Row, count_of};

const PER_PAGE: u32 = 10;

#[derive(Template)]
#[template(path = "moderation/voice.html")]
struct VoicePage {
    title: String,
    chrome: Chrome,
    errors: Vec<ErrorLink>,
    notice: Option<String>,
    name: String,
    figures: Vec<Row>,
    caption: String,
    stories: Vec<StoryLine>,
    page: u32,
    previous: Option<String>,
    next: Option<String>,
    entry_href: String,
    public_href: String,
}

struct StoryLine {
    anchor: String,
    received: String,
    respondent: &'static str,
    overall: &'static str,
    text: String,
    replies: Vec<ReplyLine>,
    form: Option<ReplyForm>,
}

struct ReplyLine {
    text: String,
    change: Option<String>,
    written: String,
    status: &'static str,
    modifier: &'static str,
    reason: Option<String>,
}

struct ReplyForm {
    action: String,
    text: Field,
    change: RadioGroup,
    what: Field,
}

#[derive(Deserialize, Default)]
pub struct VoiceParams {
    page: Option<String>,
    replied: Option<String>,
}

/// `GET /manage/locations/{id}/voice?page=1`
pub async fn show(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    query: Result<Query<VoiceParams>, QueryRejection>,
) -> Result<Response, PageError> {
    let detail =
        state.app.voice.location(&who.actor(), &raw_id, Action::Read).await.map_err(|e| voice_failure(&who, e))?;
    let params = query.map(|q| q.0).unwrap_or_default();
    let page = page_number(params.page.as_deref())?;
    let notice = params.replied.map(|status| match status.as_str() {
        "published" => "Your reply is published.".to_string(),
        _ => "Your reply is saved. A moderator checks it before it shows: your first replies, and every reply that claims a change, are checked.".to_string(),
    });
    let view = voice_page(&state, &who, &detail, page, notice, &FormErrors::default(), None).await?;
    Ok(render(StatusCode::OK, &view))
}

async fn voice_page(
    state: &AppState,
    who: &SignedIn,
    detail: &LocationDetail,
    page: u32,
    notice: Option<String>,
    errors: &FormErrors,
    submitted: Option<(i64, &[(String, String)])>,
) -> Result<VoicePage, WebError> {
    let id = &detail.location.id;
    let voice = &state.app.voice;
    let summary = voice.summary(id, Utc::now()).await.map_err(|e| voice_failure(who, e))?;
    let found = voice.stories_to_answer(detail, page, PER_PAGE).await.map_err(|e| voice_failure(who, e))?;
    let may_reply = voice.may_reply(&who.actor(), detail);
    let stories = found
        .items
        .iter()
        .map(|s| {
            let form = submitted.filter(|(f, _)| *f == s.feedback_id).map_or(&[][..], |(_, form)| form);
            story_line(id, s, may_reply.then_some((errors, form)))
        })
        .collect();
    let href = |n: u32| format!("/manage/locations/{id}/voice?page={n}");
    let name = detail.location.name.clone();
    Ok(VoicePage {
        title: errors.title(&format!("People's voice: {name}")),
        chrome: Chrome::with(
            who,
            vec![Crumb::new("Manage", "/manage"), Crumb::new(name.clone(), format!("/manage/locations/{id}"))],
            "People's voice",
        ),
        errors: errors.links(),
        notice,
        figures: summary_rows(&summary),
        caption: format!("{} published, newest first", count_of(found.total, "story", "stories")),
        stories,
        page,
        previous: (page > 1).then(|| href(page - 1)),
        next: (page < found.pages()).then(|| href(page + 1)),
        entry_href: format!("/manage/locations/{id}/feedback/new"),
        public_href: format!("/locations/{id}"),
        name,
    })
}

fn story_line(
    location: &LocationId,
    s: &PublishedStory,
    form: Option<(&FormErrors, &[(String, String)])>,
) -> StoryLine {
    let fid = s.feedback_id;
    StoryLine {
        anchor: format!("story-{fid}"),
        // To the day: a time of day would help tell who wrote it.
        received: day(s.received_at),
        respondent: s.respondent.described(),
        overall: s.overall.label(),
        text: s.text.clone(),
        replies: s.replies.iter().map(reply_line).collect(),
        form: form.map(|(errors, form)| reply_form(location, fid, errors, form)),
    }
}

fn reply_line(r: &Reply) -> ReplyLine {
    let (status, modifier) = match r.status {
        ReplyStatus::Pending => ("Waiting for a moderator's check", "invited"),
        ReplyStatus::Published => ("Published", "active"),
        ReplyStatus::Rejected => ("Rejected by a moderator", "disabled"),
    };
    ReplyLine {
        text: r.text.clone(),
        change: (r.change != ChangeClaim::None).then(|| format!("{}: {}", r.change.label(), r.change_what)),
        written: day(r.created_at),
        status,
        modifier,
        reason: r.reject_reason.clone(),
    }
}

fn field_id(feedback: i64, name: &str) -> String {
    format!("story-{feedback}-{name}")
}

fn reply_form(location: &LocationId, fid: i64, errors: &FormErrors, form: &[(String, String)]) -> ReplyForm {
    let changes = ChangeClaim::ALL.iter().map(|c| {
        let label = match c {
            ChangeClaim::None => "No change to report",
            ChangeClaim::Planned => "A change is planned",
            ChangeClaim::Made => "A change has been made",
        };
        (c.code().to_string(), label.to_string(), None)
    });
    let chosen = match value(form, "change") {
        "" => ChangeClaim::None.code(),
        other => other,
    };
    ReplyForm {
        action: format!("/manage/locations/{location}/voice/stories/{fid}/replies"),
        text: Field::new(field_id(fid, "text"), "Your reply", "text", "off")
            .hint("It is published under the provider's name. Do not name the person or anyone else.")
            .value(value(form, &field_id(fid, "text")))
            .errors(errors),
        change: RadioGroup::new(
            "change",
            field_id(fid, "change"),
            "Has anything changed because of this?",
            changes,
            chosen,
            errors,
        )
        .hint("A moderator checks every change you report before it shows."),
        what: Field::new(field_id(fid, "what"), "What the change is", "text", "off")
            .hint("Only if you report a change: say what it is, plainly.")
            .value(value(form, &field_id(fid, "what")))
            .errors(errors),
    }
}

/// `POST /manage/locations/{id}/voice/stories/{feedback}/replies`
pub async fn reply(
    State(state): State<AppState>,
    who: SignedIn,
    Path((raw_id, raw_feedback)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let (actor, voice) = (who.actor(), &state.app.voice);
    let detail = voice.location(&actor, &raw_id, Action::Read).await.map_err(|e| voice_failure(&who, e))?;
    let fid = voice.story_to_answer(&actor, &detail, &raw_feedback).await.map_err(|e| voice_failure(&who, e))?;
    let form = pairs(&body);
    let text = value(&form, &field_id(fid, "text"));
    let what = value(&form, &field_id(fid, "what"));
    let mut errors = FormErrors::default();
    if text.is_empty() {
        errors.add(field_id(fid, "text"), "Write your reply");
    }
    let change = match ChangeClaim::parse(value(&form, "change")) {
        Ok(change) => Some(change),
        Err(_) if value(&form, "change").is_empty() => Some(ChangeClaim::None),
        Err(_) => {
            errors.add(field_id(fid, "change"), "Choose whether anything has changed");
            None
        }
    };
    if change.is_some_and(|c| c != ChangeClaim::None) && what.is_empty() {
        errors.add(field_id(fid, "what"), "Say what the change is");
    }
    let status = match change {
        Some(change) if errors.is_empty() => {
            match voice.reply_to_story(&actor, &detail, &raw_feedback, text, change, what, Utc::now()).await {
                Ok(reply) => {
                    let to = format!(
                        "/manage/locations/{}/voice?replied={}#story-{fid}",
                        detail.location.id,
                        reply.status.code()
                    );
                    return Ok(Redirect::to(&to).into_response());
                }
                Err(VoiceError::Refused(message)) => {
                    let field = if what.chars().count() > candour_app::voice::MAX_NOTE_CHARS { "what" } else { "text" };
                    errors.add(field_id(fid, field), super::sentence(&message));
                    StatusCode::BAD_REQUEST
                }
                Err(VoiceError::Conflict(message)) => {
                    errors.add(field_id(fid, "text"), super::sentence(&message));
                    StatusCode::CONFLICT
                }
                Err(e) => return Err(PageError(voice_failure(&who, e))),
            }
        }
        _ => StatusCode::BAD_REQUEST,
    };
    let page = page_number(Some(value(&form, "page"))).unwrap_or(1);
    let page = voice_page(&state, &who, &detail, page, None, &errors, Some((fid, &form))).await?;
    Ok(render(status, &page))
}
