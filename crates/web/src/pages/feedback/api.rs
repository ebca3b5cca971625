//! People's voice in the JSON API: sending feedback (the same checks as the
//! form) and reading a service's published aggregates and stories.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use candour_app::voice::VoiceError;
use candour_domain::LocationId;
use candour_domain::voice::{Channel, RawFeedback};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::links::{return_href, submission_key};
use super::public::{MAX_PAGE, PublicStory, public_summary, whole_number};
use crate::error::{ApiError, ErrorBody, WebError};
use crate::json::is_json;
use crate::openapi::LocationPath;
use crate::pages::parse_location_id;
use crate::security::client_ip::ClientIp;
use crate::state::AppState;

/// The most stories one request may ask for.
const MAX_PER_PAGE: u32 = 50;

#[derive(Serialize, ToSchema)]
pub struct Submitted {
    pub reference: String,
    /// The person's private link, where they read replies and rate progress.
    pub return_url: String,
    /// True when this key was sent before: nothing new was stored.
    pub duplicate: bool,
}

fn no_location(id: &LocationId) -> WebError {
    WebError::not_found(format!("There is no location with ID {id}"))
}

/// A voice failure as the API answers it; problems with the feedback are a 422
/// listing every field.
fn voice_error(err: VoiceError) -> WebError {
    match err {
        VoiceError::Denied(denied) => WebError::from_area(&denied, || WebError::not_found("Not found")),
        VoiceError::Invalid(problems) => WebError::Unprocessable {
            message: match problems.len() {
                1 => "The feedback has a problem: see fields".to_string(),
                n => format!("The feedback has {n} problems: see fields"),
            },
            fields: problems.into_iter().map(|p| (p.field, p.message)).collect(),
        },
        VoiceError::Refused(message) | VoiceError::Conflict(message) => WebError::bad_request(message),
        VoiceError::NotFound => WebError::not_found("Not found"),
        VoiceError::Store(err) => WebError::from_store(err, String::new),
    }
}

/// Sends feedback about a service: a JSON body with the form's keys (`answers` keyed
/// by question code). An `Idempotency-Key` header makes a resend harmless; it is also
/// the secret of the person's return link.
#[utoipa::path(post, path = "/v1/locations/{id}/feedback", tag = "People's voice",
    params(LocationPath, ("Idempotency-Key" = Option<String>, Header,
        description = "16 to 128 letters, digits, hyphens or underscores; the same key sent again stores nothing new")),
    request_body(content = RawFeedback, content_type = "application/json"),
    responses(
        (status = 201, description = "Taken; the return link is the person's own", body = Submitted),
        (status = 400, description = "Not a location ID, a bad key, or a body that is not feedback", body = ErrorBody),
        (status = 404, description = "No such location", body = ErrorBody),
        (status = 415, description = "The body was not JSON", body = ErrorBody),
        (status = 422, description = "The feedback has problems, each against its field", body = ErrorBody),
        (status = 429, description = "Too much feedback from this address or about this service; see Retry-After", body = ErrorBody),
    ))]
pub async fn submit(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    // Only JSON: a browser cannot send it to another site without asking first
    // (a CORS preflight), so no page elsewhere can post feedback in someone's name.
    if !is_json(&headers) {
        return Err(WebError::UnsupportedMediaType {
            message: "Send the feedback as JSON, with the header Content-Type: application/json".to_string(),
        }
        .into());
    }
    let id = parse_location_id(&raw_id)?;
    let key = match headers.get("idempotency-key") {
        Some(value) => submission_key(value.to_str().unwrap_or_default()).map_err(|_| {
            WebError::bad_request("Idempotency-Key must be 16 to 128 letters, digits, hyphens or underscores")
        })?,
        None => candour_app::voice::new_submission_key(),
    };
    let raw: RawFeedback = serde_json::from_slice(&body)
        .map_err(|err| WebError::bad_request(format!("The body could not be read as feedback: {err}")))?;
    state.feedback_limits.check(ip, &id).await?;
    let receipt =
        state.app.voice.submit(&id, &raw, Channel::Api, &key, None, Utc::now()).await.map_err(|err| match err {
            VoiceError::NotFound => no_location(&id),
            other => voice_error(other),
        })?;
    let submitted = Submitted {
        reference: receipt.reference,
        return_url: format!("{}{}", state.config.public_url(), return_href(&key)),
        duplicate: receipt.duplicate,
    };
    // A resend answers as the first send did, so a client retrying after a lost
    // answer sees the same outcome.
    Ok((StatusCode::CREATED, Json(submitted)).into_response())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VoiceParams {
    /// The page of stories, from 1.
    page: Option<String>,
    /// Stories a page, up to 50 (10 unless given).
    per_page: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct StoryList {
    pub items: Vec<PublicStory>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
    pub pages: u32,
}

#[derive(Serialize, ToSchema)]
pub struct VoiceView {
    pub location_id: LocationId,
    /// The aggregates; figures from fewer than 5 responses are `null`.
    #[schema(value_type = Object)]
    pub summary: serde_json::Value,
    /// Published stories with their published replies, newest first.
    pub stories: StoryList,
}

/// What people say of a service: the aggregates (nothing from fewer than 5
/// responses) and a page of published stories with their replies.
#[utoipa::path(get, path = "/v1/locations/{id}/voice", tag = "People's voice", params(LocationPath, VoiceParams),
    responses(
        (status = 200, description = "What people say", body = VoiceView),
        (status = 400, description = "Not a location ID, or a bad page", body = ErrorBody),
        (status = 404, description = "No such location", body = ErrorBody),
    ))]
pub async fn voice(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    query: Result<Query<VoiceParams>, QueryRejection>,
) -> Result<Json<VoiceView>, ApiError> {
    let id = parse_location_id(&raw_id)?;
    let params =
        query.map_err(|r| WebError::bad_request(format!("The query string could not be read: {}", r.body_text())))?.0;
    let page = whole_number("page", params.page.as_deref(), 1, MAX_PAGE)?;
    let per_page = whole_number("per_page", params.per_page.as_deref(), 10, MAX_PER_PAGE)?;
    let (_, summary, stories) = tokio::try_join!(
        async { state.store.location(&id).await.map_err(|e| WebError::from_store(e, || no_location(&id).message())) },
        async { state.app.voice.summary(&id, Utc::now()).await.map_err(voice_error) },
        async {
            state.store.published_stories(&id, page, per_page).await.map_err(|e| WebError::from_store(e, String::new))
        },
    )?;
    Ok(Json(VoiceView {
        location_id: id,
        summary: public_summary(&summary)?,
        stories: StoryList {
            items: stories.items.iter().map(PublicStory::of).collect(),
            total: stories.total,
            page: stories.page,
            per_page: stories.per_page,
            pages: stories.pages(),
        },
    }))
}
