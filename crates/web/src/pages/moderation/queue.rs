//! The moderation queue, and one response in full: the moderator reads it, writes
//! the de-identified copy to publish, sets its criticality and publishes or
//! rejects it. Contact details are shown only to moderators, and reading them is
//! audited.

use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_app::moderation::RawDecision;
use candour_app::voice::VoiceError;
use candour_domain::voice::{Criticality, Level, question};
use candour_store::{FeedbackRecord, FeedbackStatus};
use chrono::Utc;
use serde::Deserialize;

use super::{criticality_meaning, voice_failure};
use crate::auth::SignedIn;
use crate::error::{PageError, WebError, render};
use crate::forms::{ErrorLink, Field, FormErrors, pairs, value};
use crate::forms::{RadioGroup, plain};
use crate::pages::chrome::{Chrome, Crumb, date_time};
use crate::state::AppState;
use crate::views::{Row, count_of};

const PER_PAGE: u32 = 20;
/// How much of a story the queue shows.
const EXCERPT_CHARS: usize = 240;

// ---------------------------------------------------------------- the queue

#[derive(Template)]
#[template(path = "moderation/queue.html")]
struct QueuePage {
    title: String,
    chrome: Chrome,
    tabs: Vec<Tab>,
    caption: String,
    items: Vec<QueueLine>,
    previous: Option<String>,
    next: Option<String>,
    notice: Option<String>,
    reference: String,
    /// Bursts of answers waiting for a decision, once monitoring has found them.
    bursts_waiting: usize,
}

struct Tab {
    label: &'static str,
    href: String,
    current: bool,
}

struct QueueLine {
    href: String,
    reference: String,
    location: String,
    received: String,
    respondent: &'static str,
    overall: &'static str,
    screen: Option<String>,
    decided: Option<String>,
    alert: bool,
    excerpt: String,
}

#[derive(Deserialize, Default)]
pub struct QueueParams {
    status: Option<String>,
    page: Option<String>,
    reference: Option<String>,
}

const TABS: [(FeedbackStatus, &str); 3] = [
    (FeedbackStatus::Pending, "Waiting"),
    (FeedbackStatus::Published, "Published"),
    (FeedbackStatus::Rejected, "Rejected"),
];

/// `GET /moderation?status=pending&page=1`: waiting responses with the strongest
/// pre-screen first, or those already decided, newest first. `?reference=…`
/// opens the response with that reference (one a person quotes on the phone).
pub async fn list(
    State(state): State<AppState>,
    who: SignedIn,
    query: Result<Query<QueueParams>, QueryRejection>,
) -> Result<Response, PageError> {
    let actor = who.actor();
    state.app.moderation.open_queue(&actor).await.map_err(|e| voice_failure(&who, e))?;
    let params =
        query.map_err(|r| WebError::bad_request(format!("The address could not be read: {}", r.body_text())))?;
    let status = match params.status.as_deref().map(str::trim) {
        None | Some("") => FeedbackStatus::Pending,
        Some(code) => FeedbackStatus::parse(code)
            .ok_or_else(|| WebError::bad_request("Choose the pending, published or rejected responses"))?,
    };
    let page = page_number(params.page.as_deref())?;
    let reference = params.reference.as_deref().unwrap_or("").trim().to_uppercase();
    let mut notice = None;
    if !reference.is_empty() {
        match state.app.moderation.find_reference(&actor, &reference).await.map_err(|e| voice_failure(&who, e))? {
            Some(id) => return Ok(Redirect::to(&format!("/moderation/{id}")).into_response()),
            None => {
                notice = Some(format!("No response has the reference {reference}. Check it and try again."));
            }
        }
    }
    let found = state.app.moderation.queue(&actor, status, page, PER_PAGE).await.map_err(|e| voice_failure(&who, e))?;
    let href = |n: u32| format!("/moderation?status={}&page={n}", status.code());
    let waiting = match status {
        FeedbackStatus::Pending => "waiting to be read",
        FeedbackStatus::Published => "published",
        FeedbackStatus::Rejected => "rejected",
    };
    let page_view = QueuePage {
        title: "Moderation".to_string(),
        chrome: Chrome::manage(&who, "Moderation"),
        tabs: TABS
            .iter()
            .map(|(s, label)| Tab { label, href: format!("/moderation?status={}", s.code()), current: *s == status })
            .collect(),
        caption: format!("{} {waiting}", count_of(found.total, "response", "responses")),
        items: found.items.iter().map(queue_line).collect(),
        previous: (page > 1).then(|| href(page - 1)),
        next: (page < found.pages()).then(|| href(page + 1)),
        notice,
        reference,
        bursts_waiting: state.monitor.current().map_or(0, |snapshot| super::bursts::waiting(&snapshot)),
    };
    Ok(render(StatusCode::OK, &page_view))
}

/// A page number from the address: absent is the first page.
pub(super) fn page_number(raw: Option<&str>) -> Result<u32, WebError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(1),
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| WebError::bad_request("The page must be a whole number, 1 or more")),
    }
}

fn queue_line(r: &FeedbackRecord) -> QueueLine {
    let story = r.story.trim();
    let excerpt = match story.chars().count() {
        0 if r.personal_outcomes.is_empty() => "No story".to_string(),
        0 => "No story; personal outcomes only".to_string(),
        n if n > EXCERPT_CHARS => format!("{}…", story.chars().take(EXCERPT_CHARS).collect::<String>()),
        _ => story.to_string(),
    };
    QueueLine {
        href: format!("/moderation/{}", r.id),
        reference: r.reference.clone(),
        location: r.location_name.clone(),
        received: date_time(r.received_at),
        respondent: r.respondent.described(),
        overall: r.overall.label(),
        screen: r.prescreen.suggested.filter(|s| s.level() > 0).map(|s| screen_text(s, &r.prescreen.words)),
        decided: r.criticality.map(|c| format!("Criticality {c}")),
        alert: r.alert_id.is_some(),
        excerpt,
    }
}

fn screen_text(suggested: Criticality, words: &[String]) -> String {
    if words.is_empty() {
        format!("The pre-screen suggests {suggested}")
    } else {
        format!("The pre-screen suggests {suggested}, from the words: {}", words.join(", "))
    }
}

// ---------------------------------------------------------------- one response

#[derive(Template)]
#[template(path = "moderation/response.html")]
struct ResponsePage {
    title: String,
    chrome: Chrome,
    errors: Vec<ErrorLink>,
    notice: Option<String>,
    alert: Option<AlertLink>,
    reference: String,
    status: &'static str,
    facts: Vec<Row>,
    answers: Vec<Row>,
    story: Vec<Piece>,
    screen: String,
    outcomes: Vec<String>,
    contact: Option<Vec<Row>>,
    anonymity: &'static str,
    decision: Vec<Row>,
    published_text: Option<String>,
    form: Option<ModerationForm>,
}

struct AlertLink {
    href: String,
    text: &'static str,
}

/// A run of the story, marked when the pre-screen flagged it.
pub struct Piece {
    pub text: String,
    pub marked: bool,
}

struct ModerationForm {
    action: String,
    text: Field,
    criticality: RadioGroup,
    decision: RadioGroup,
    reason: Field,
}

#[derive(Deserialize, Default)]
pub struct ShowParams {
    done: Option<String>,
}

/// `GET /moderation/{id}`
pub async fn show(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    query: Result<Query<ShowParams>, QueryRejection>,
) -> Result<Response, PageError> {
    let record = state.app.moderation.response(&who.actor(), &raw_id).await.map_err(|e| voice_failure(&who, e))?;
    let done = query.ok().and_then(|q| q.0.done).is_some();
    let page = response_page(&state, &who, &record, &FormErrors::default(), &[], done).await?;
    Ok(render(StatusCode::OK, &page))
}

async fn response_page(
    state: &AppState,
    who: &SignedIn,
    r: &FeedbackRecord,
    errors: &FormErrors,
    form: &[(String, String)],
    done: bool,
) -> Result<ResponsePage, WebError> {
    let moderation = &state.app.moderation;
    let failed = |e| voice_failure(who, e);
    let contact = moderation.show_contact(&who.actor(), r).await.map_err(failed)?.then(|| contact_rows(r));
    let entered_by = moderation.user_name(r.entered_by).await.map_err(failed)?;
    let moderated_by = moderation.user_name(r.moderated_by).await.map_err(failed)?;
    let status = match r.status {
        FeedbackStatus::Pending => "Waiting to be read",
        FeedbackStatus::Published => "Published",
        FeedbackStatus::Rejected => "Rejected",
    };
    let facts = vec![
        Row::link("Service", r.location_name.clone(), Some(format!("/locations/{}", r.location_id))),
        Row::text("Received", date_time(r.received_at)),
        Row::text("Who gave it", r.respondent.described()),
        Row::text("How it came", r.channel.label()),
        Row::text("Who helped", r.helper.map_or("No one", |h| h.label())),
        Row::text("Typed in by", entered_by.unwrap_or_else(|| "Not typed in by staff".to_string())),
        Row::text("Overall", r.overall.label()),
    ];
    let mut decision = Vec::new();
    if r.status != FeedbackStatus::Pending {
        decision.push(Row::text("Decision", status));
        if let Some(level) = r.criticality {
            decision.push(Row::text("Criticality", level.to_string()));
        }
        decision.push(Row::text("Moderated by", moderated_by.unwrap_or_else(|| "Published on arrival".to_string())));
        if let Some(at) = r.moderated_at {
            decision.push(Row::text("Moderated", date_time(at)));
        }
        if let Some(reason) = &r.reject_reason {
            decision.push(Row::text("Reason for rejecting", reason.clone()));
        }
    }
    let notice = done.then(|| match r.status {
        FeedbackStatus::Published => "You published this response.".to_string(),
        FeedbackStatus::Rejected => "You rejected this response. It will not be published.".to_string(),
        FeedbackStatus::Pending => "This response is still waiting.".to_string(),
    });
    Ok(ResponsePage {
        title: errors.title(&format!("Response {}", r.reference)),
        chrome: Chrome::with(who, vec![Crumb::new("Manage", "/manage"), Crumb::new("Moderation", "/moderation")], r.reference.clone()),
        errors: errors.links(),
        notice,
        alert: r.alert_id.map(|id| AlertLink {
            href: format!("/manage/alerts/{id}"),
            text: if r.criticality.is_some_and(Criticality::is_safeguarding) {
                "A safeguarding alert was raised at once. It is emailed to the provider's safeguarding lead and the local authority's safeguarding team, where they are set."
            } else {
                "A safeguarding alert was raised when this arrived, because of the pre-screen's strongest signals."
            },
        }),
        reference: r.reference.clone(),
        status,
        facts,
        answers: answer_rows(r),
        story: highlight(&r.story),
        screen: match r.prescreen.suggested {
            Some(level) if level.level() > 0 || !r.prescreen.words.is_empty() => {
                format!("{}. The words it flagged are marked in the story.", screen_text(level, &r.prescreen.words))
            }
            _ => "The pre-screen found no words that suggest harm. Read it all the same.".to_string(),
        },
        outcomes: r.personal_outcomes.iter().map(|o| o.text.clone()).collect(),
        contact,
        anonymity: if r.anonymous {
            "Wants to stay anonymous to the provider"
        } else {
            "Agreed to be named to the provider (contact details are still never shown to them)"
        },
        decision,
        published_text: r.published_text.clone(),
        form: (r.status == FeedbackStatus::Pending).then(|| moderation_form(r, errors, form)),
    })
}

/// The respondent's contact details, for those who may see them.
fn contact_rows(r: &FeedbackRecord) -> Vec<Row> {
    let or_none = |v: &str| if v.is_empty() { "Not given".to_string() } else { v.to_string() };
    vec![
        Row::text("Name", or_none(&r.contact.name)),
        Row::text("Email", or_none(&r.contact.email)),
        Row::text("Phone", or_none(&r.contact.phone)),
    ]
}

fn answer_rows(r: &FeedbackRecord) -> Vec<Row> {
    r.answers
        .iter()
        .filter_map(|(code, score)| {
            let q = question(code)?;
            let answer = score
                .and_then(|s| Level::ALL.iter().find(|l| l.score() == s))
                .map_or("Doesn't apply to me", |l| l.label());
            Some(Row::text(q.text, answer))
        })
        .collect()
}

fn moderation_form(r: &FeedbackRecord, errors: &FormErrors, form: &[(String, String)]) -> ModerationForm {
    let submitted = !form.is_empty();
    let text = if submitted { value(form, "published_text").to_string() } else { r.story.clone() };
    let levels = (0..=5).filter_map(|n| Criticality::new(n).ok()).map(|level| {
        let suggested = r.prescreen.suggested == Some(level);
        let label = format!(
            "{}: {}{}",
            level.level(),
            level.label(),
            if suggested { " (suggested by the pre-screen)" } else { "" }
        );
        (level.level().to_string(), label, Some(criticality_meaning(level).to_string()))
    });
    ModerationForm {
        action: format!("/moderation/{}", r.id),
        text: Field::new("published_text", "The copy to publish", "text", "off")
            .hint("Edit the story as it will appear in public: remove names of people and staff, and anything else that could identify someone. The original is kept privately.")
            .value(text)
            .errors(errors),
        criticality: RadioGroup::new(
            "criticality",
            "criticality",
            "How serious is the most serious thing said?",
            levels,
            value(form, "criticality"),
            errors,
        )
        .hint("You decide: the pre-screen only suggests. Levels 4 and 5 raise a safeguarding alert at once, whether or not the story is published."),
        decision: RadioGroup::new(
            "decision",
            "decision",
            "Publish or reject?",
            plain([("publish", "Publish the copy above"), ("reject", "Reject it (abuse, advertising, or not about this service)")]),
            value(form, "decision"),
            errors,
        ),
        reason: Field::new("reason", "Reason for rejecting", "text", "off")
            .hint("Only if you reject it. Kept privately.")
            .value(value(form, "reason"))
            .errors(errors),
    }
}

/// The story in runs, the pre-screen's flagged words marked (the engine's own
/// word list, so the marks match the suggestion).
fn highlight(story: &str) -> Vec<Piece> {
    candour_engine::prescreen::marked(story)
        .into_iter()
        .map(|(text, marked)| Piece { text: text.to_string(), marked })
        .collect()
}

// ---------------------------------------------------------------- the decision

/// The decision as the form sends it.
fn read_decision(form: &[(String, String)]) -> RawDecision {
    RawDecision {
        decision: value(form, "decision").to_string(),
        criticality: value(form, "criticality").to_string(),
        published_text: value(form, "published_text").to_string(),
        reason: value(form, "reason").to_string(),
    }
}

/// `POST /moderation/{id}`: publish or reject, with the criticality.
pub async fn moderate(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let actor = who.actor();
    let moderation = &state.app.moderation;
    let record = moderation.to_decide(&actor, &raw_id).await.map_err(|e| voice_failure(&who, e))?;
    let form = pairs(&body);
    let raw = read_decision(&form);
    let publishing = raw.decision == "publish";
    match moderation.moderate(&actor, &raw_id, &raw, Utc::now()).await {
        Ok(_) => {
            crate::refresh_voice_snapshots(&state.app.voice);
            Ok(Redirect::to(&format!("/moderation/{}?done=yes", record.id)).into_response())
        }
        Err(VoiceError::Invalid(problems)) => {
            let mut errors = FormErrors::default();
            for p in problems {
                errors.add(p.field, p.message);
            }
            refused(&state, &who, &record, StatusCode::BAD_REQUEST, errors, &form).await
        }
        Err(VoiceError::Conflict(_)) => {
            // Someone decided first: show their decision, and say ours was not saved.
            let current = moderation.response(&actor, &raw_id).await.map_err(|e| voice_failure(&who, e))?;
            let mut errors = FormErrors::default();
            errors.add("decision", "This response has already been moderated, so your decision was not saved. The decision made is shown on this page.");
            let page = response_page(&state, &who, &current, &errors, &[], false).await?;
            Ok(render(StatusCode::CONFLICT, &page))
        }
        Err(VoiceError::Refused(message)) => {
            let mut errors = FormErrors::default();
            errors.add(if publishing { "published_text" } else { "reason" }, super::sentence(&message));
            refused(&state, &who, &record, StatusCode::BAD_REQUEST, errors, &form).await
        }
        Err(e) => Err(PageError(voice_failure(&who, e))),
    }
}

async fn refused(
    state: &AppState,
    who: &SignedIn,
    record: &FeedbackRecord,
    status: StatusCode,
    errors: FormErrors,
    form: &[(String, String)],
) -> Result<Response, PageError> {
    let page = response_page(state, who, record, &errors, form, false).await?;
    Ok(render(status, &page))
}
