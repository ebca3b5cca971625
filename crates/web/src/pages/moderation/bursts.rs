//! Bursts of answers: months in which a service had far more answers than it
//! usually gets, held out of its people's rating until a moderator decides whether
//! they count. Awaiting a decision first, then those decided.

use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_app::moderation::RawBurstReview;
use candour_app::voice::VoiceError;
use candour_domain::LocationId;
use candour_engine::people::Burst;
use candour_monitor::Snapshot;
use chrono::Utc;
use serde::Deserialize;

use super::voice_failure;
use crate::auth::SignedIn;
use crate::error::{PageError, WebError, render};
use crate::forms::{ErrorLink, FormErrors, RadioGroup, pairs, plain, value};
use crate::pages::chrome::{Chrome, Crumb};
use crate::state::AppState;
use crate::views::{count_of, location_href, month_name};

#[derive(Template)]
#[template(path = "moderation/bursts.html")]
struct BurstsPage {
    title: String,
    chrome: Chrome,
    errors: Vec<ErrorLink>,
    notice: Option<String>,
    caption: String,
    bursts: Vec<BurstLine>,
}

struct BurstLine {
    id: String,
    action: String,
    location: String,
    location_href: String,
    month: String,
    month_code: String,
    what: String,
    status: &'static str,
    decision: RadioGroup,
}

#[derive(Deserialize, Default)]
pub struct ListParams {
    saved: Option<String>,
}

/// `GET /moderation/bursts`
pub async fn list(
    State(state): State<AppState>,
    who: SignedIn,
    query: Result<Query<ListParams>, QueryRejection>,
) -> Result<Response, PageError> {
    let notice = query
        .ok()
        .and_then(|q| q.0.saved)
        .map(|_| "Saved. The service's rating takes your decision into account within a few seconds.".to_string());
    let page = bursts_page(&state, &who, notice, &FormErrors::default(), None).await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /moderation/bursts/{location}`
pub async fn decide(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_location): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = pairs(&body);
    let raw =
        RawBurstReview { month: value(&form, "month").to_string(), decision: value(&form, "decision").to_string() };
    match state.app.moderation.review_burst(&who.actor(), &raw_location, &raw, Utc::now()).await {
        Ok(()) => Ok(Redirect::to("/moderation/bursts?saved=1").into_response()),
        Err(VoiceError::Invalid(problems)) => {
            let mut errors = FormErrors::default();
            let id = line_id(&raw_location, &raw.month);
            for p in problems {
                errors.add(format!("{id}-{}", p.field), p.message);
            }
            let page = bursts_page(&state, &who, None, &errors, Some((id, &form))).await?;
            Ok(render(StatusCode::BAD_REQUEST, &page))
        }
        Err(e) => Err(PageError(voice_failure(&who, e))),
    }
}

async fn bursts_page(
    state: &AppState,
    who: &SignedIn,
    notice: Option<String>,
    errors: &FormErrors,
    submitted: Option<(String, &[(String, String)])>,
) -> Result<BurstsPage, WebError> {
    state.app.moderation.open_queue(&who.actor()).await.map_err(|e| voice_failure(who, e))?;
    let snapshot = crate::pages::monitoring::snapshot(state)?;
    let mut found = bursts_in(&snapshot);
    // Decisions are read from the store, so a decision just made shows at once.
    let ids: Vec<LocationId> = found.iter().map(|(id, _, _)| id.clone()).collect();
    let from = found.iter().map(|(_, _, b)| b.month).min();
    if let Some(from) = from {
        let decided =
            state.app.moderation.burst_reviews(&who.actor(), &ids, from).await.map_err(|e| voice_failure(who, e))?;
        for (id, _, burst) in &mut found {
            burst.review = decided.iter().find(|(d, m, _)| d == id && *m == burst.month).map(|&(_, _, c)| c);
        }
    }
    found.sort_by_key(|(_, name, b)| (b.review.is_some(), std::cmp::Reverse(b.month), name.clone()));
    let waiting = found.iter().filter(|(_, _, b)| b.review.is_none()).count();
    let bursts = found
        .iter()
        .map(|(id, name, burst)| {
            let line = line_id(id.as_str(), &burst.month.to_string());
            let form = submitted.as_ref().filter(|(s, _)| *s == line).map_or(&[][..], |(_, form)| *form);
            burst_line(id, name, burst, errors, form)
        })
        .collect();
    Ok(BurstsPage {
        title: errors.title("Bursts of answers"),
        chrome: Chrome::with(
            who,
            vec![Crumb::new("Manage", "/manage"), Crumb::new("Moderation", "/moderation")],
            "Bursts of answers",
        ),
        errors: errors.links(),
        notice,
        caption: format!("{} waiting for a decision", count_of(waiting as u64, "burst", "bursts")),
        bursts,
    })
}

/// Every burst in the snapshot's people's ratings, with its service.
fn bursts_in(snapshot: &Snapshot) -> Vec<(LocationId, String, Burst)> {
    let rated = snapshot.facts.iter().zip(&snapshot.people);
    rated.flat_map(|(facts, rating)| rating.bursts.iter().map(|b| (facts.id.clone(), facts.name.clone(), *b))).collect()
}

/// How many bursts wait for a decision, for the moderation queue's notice.
pub fn waiting(snapshot: &Snapshot) -> usize {
    bursts_in(snapshot).iter().filter(|(_, _, b)| b.review.is_none()).count()
}

fn line_id(location: &str, month: &str) -> String {
    format!("burst-{location}-{month}")
}

fn burst_line(id: &LocationId, name: &str, burst: &Burst, errors: &FormErrors, form: &[(String, String)]) -> BurstLine {
    let line = line_id(id.as_str(), &burst.month.to_string());
    let month = month_name(burst.month);
    let status = match burst.review {
        None => "Held out of the rating until you decide",
        Some(true) => "Counted in the rating",
        Some(false) => "Kept out of the rating",
    };
    let current = value(form, "decision");
    let current = if current.is_empty() {
        burst.review.map(|counted| if counted { "count" } else { "keep_out" }).unwrap_or_default()
    } else {
        current
    };
    BurstLine {
        action: format!("/moderation/bursts/{}", id.as_str()),
        location: name.to_string(),
        location_href: location_href(id.as_str()),
        month: month.clone(),
        month_code: burst.month.to_string(),
        what: format!(
            "{} in {month}, where it usually gets {} a month.",
            count_of(u64::from(burst.responses), "answer", "answers"),
            usual(burst)
        ),
        status,
        decision: RadioGroup::new(
            "decision",
            format!("{line}-decision"),
            format!("Do the answers of {month} at {name} count?"),
            plain([("count", "They count: a genuine round of feedback"), ("keep_out", "Keep them out of the rating")]),
            current,
            errors,
        )
        .hint("Look at when they came, how they were given and what they say. Keeping them out changes nothing else: they stay in the voice figures and in monitoring."),
        id: line,
    }
}

fn usual(burst: &Burst) -> String {
    if burst.usual == 0.0 { "none".to_string() } else { format!("{:.0}", burst.usual) }
}
