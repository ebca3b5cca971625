//! Giving feedback without an account: the form (one question per screen, no
//! JavaScript needed), its short link, QR code and poster, the thank-you page and
//! the person's private return link, where they read replies and rate progress.

mod api;
pub mod form;
mod links;
mod poster;
pub mod public;
mod screens;

pub use links::{form_href, return_href, short_link, submission_key};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use candour_app::voice::VoiceError;
use candour_domain::LocationId;
use candour_domain::voice::{Channel, Feedback, FeedbackError, Progress, RawFeedback, Respondent};
use chrono::Utc;
use serde::Deserialize;
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{PageError, WebError, render};
use crate::forms::{FormErrors, pairs, value};
use crate::pages::parse_location_id;
use crate::security::client_ip::ClientIp;
use crate::security::csrf::Csrf;
use crate::state::AppState;

use form::{Go, Step};
use screens::{Screen, ThanksPage};

/// The off-screen field people never see or fill in (see [`step`]).
pub const HONEYPOT: &str = "website";

pub fn routes() -> Router<AppState> {
    let no_store = || SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // The form carries a fresh submission key: never cached, or two people could share one.
    let form = Router::new()
        .route("/locations/{id}/feedback", get(start).post(step))
        .route("/locations/{id}/feedback/thanks", get(sent))
        .layer(no_store());
    // The return link's key is in the address: never cached, and never sent to
    // another site in a Referer. (Not `no-referrer`: browsers then send
    // `Origin: null` with the page's own forms, which the CSRF check refuses.)
    let private_link = Router::new()
        .route("/feedback/{key}", get(own))
        .route("/feedback/{key}/thanks", get(thanks))
        .route("/feedback/{key}/progress", post(rate_progress))
        .route("/feedback/{key}/outcomes", post(add_outcome))
        .route("/feedback/{key}/outcomes/{id}/retire", post(retire_outcome))
        .route("/feedback/{key}/reminder", post(set_reminder))
        .route("/feedback/{key}/reminder/stop", post(stop_reminder))
        .route("/reminders/stop/{token}", get(stop_page).post(stop_by_token))
        .route("/feedback/{key}/card", get(card))
        .route("/feedback/{key}/card.svg", get(card_qr))
        .layer(no_store())
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")));
    Router::new()
        .route("/f/{digits}", get(follow_short_link))
        .route("/locations/{id}/feedback/qr.svg", get(poster::qr_svg))
        .route("/locations/{id}/feedback/qr.png", get(poster::qr_png))
        .route("/locations/{id}/feedback/poster", get(poster::poster))
        .merge(form)
        .merge(private_link)
}

/// The API's routes of people's voice, nested under `/api`: sending feedback and
/// reading a service's published figures and stories (open data, cacheable).
pub fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(api::submit)).routes(routes!(api::voice))
}

// ---------------------------------------------------------------- shared pieces

/// The service feedback is about: its ID and name, or the normal 404.
pub(crate) struct Service {
    pub id: LocationId,
    pub name: String,
}

pub(crate) async fn service(state: &AppState, raw_id: &str) -> Result<Service, WebError> {
    let id = parse_location_id(raw_id)?;
    let detail = state
        .store
        .location(&id)
        .await
        .map_err(|e| WebError::from_store(e, || format!("There is no location with ID {id} in the register.")))?;
    Ok(Service { id, name: detail.location.name })
}

/// A voice failure no form field explains.
fn voice_failure(err: VoiceError) -> WebError {
    match err {
        VoiceError::Denied(denied) => WebError::from_area(&denied, || WebError::not_found("Not found")),
        VoiceError::NotFound => {
            WebError::not_found("We could not find any feedback with this link. Check that you copied all of it.")
        }
        VoiceError::Refused(message) | VoiceError::Conflict(message) => WebError::bad_request(message),
        VoiceError::Invalid(errors) => {
            WebError::bad_request(errors.first().map_or_else(String::new, |e| e.message.clone()))
        }
        VoiceError::Store(err) => WebError::from_store(err, String::new),
    }
}

// ---------------------------------------------------------------- the form

/// `GET /f/{digits}`: the short link on posters.
async fn follow_short_link(Path(digits): Path<String>) -> Result<Response, PageError> {
    let id = LocationId::parse(&format!("1-{digits}"))
        .map_err(|_| WebError::not_found(format!("There is no feedback form at the short link /f/{digits}.")))?;
    Ok(Redirect::to(&form_href(&id)).into_response())
}

/// `GET /locations/{id}/feedback`: the first screen, with a fresh submission key.
async fn start(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    Csrf(csrf_token): Csrf,
) -> Result<Response, PageError> {
    let service = service(&state, &raw_id).await?;
    let screen = Screen { service: &service, key: &candour_app::voice::new_submission_key(), csrf_token: &csrf_token };
    Ok(screen.show(Step::Respondent, &RawFeedback::default(), &FormErrors::default(), false, StatusCode::OK))
}

/// `POST /locations/{id}/feedback`: every screen posts here. It checks the
/// screen's own answers, then draws the next (or the same one with its problems).
async fn step(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    client: ClientIp,
    Csrf(csrf_token): Csrf,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = pairs(&body);
    let key = submission_key(value(&form, "key"))?;
    let service = service(&state, &raw_id).await?;
    if !value(&form, HONEYPOT).is_empty() {
        // The honeypot: a field people never see, which form-filling robots fill
        // in. They get the same "sent" a person gets, so they have nothing to
        // learn from or retry against, and nothing is stored.
        tracing::info!(location = %service.id, "feedback with the honeypot filled in was dropped");
        return Ok(Redirect::to(&format!("{}/thanks", form_href(&service.id))).into_response());
    }
    let raw = form::read(&form);
    let respondent = Respondent::parse(&raw.respondent).ok();
    let unreadable = || WebError::bad_request("This form could not be read. Start again from the service's page.");
    let at = Step::parse(value(&form, "step"), respondent).ok_or_else(unreadable)?;
    let go = Go::parse(value(&form, "go"), respondent).ok_or_else(unreadable)?;
    let changing = value(&form, "changing") == "yes";
    let screen = Screen { service: &service, key: &key, csrf_token: &csrf_token };
    let none = FormErrors::default();
    Ok(match go {
        Go::Back => {
            let back = form::previous(at, &raw, changing);
            screen.show(back, &raw, &none, changing && back != Step::Check, StatusCode::OK)
        }
        Go::Change(target) => screen.show(target, &raw, &none, target != Step::Check, StatusCode::OK),
        Go::Next => {
            let problems = form::problems(at, &raw);
            if problems.is_empty() {
                let next = form::next(at, &raw, changing);
                screen.show(next, &raw, &none, changing && next != Step::Check, StatusCode::OK)
            } else {
                screen.show(at, &raw, &form_errors(&problems), changing, StatusCode::BAD_REQUEST)
            }
        }
        Go::Submit => submit(&state, &screen, &raw, client).await?,
    })
}

/// The last screen's "Send": checks everything once more, applies the rate
/// limits, and stores the feedback durably before the thank-you page.
async fn submit(
    state: &AppState,
    screen: &Screen<'_>,
    raw: &RawFeedback,
    ClientIp(ip): ClientIp,
) -> Result<Response, PageError> {
    if let Err(problems) = Feedback::parse(raw, Channel::Online) {
        return Ok(show_problems(screen, raw, &problems));
    }
    if let Err(refusal) = state.feedback_limits.check(ip, &screen.service.id).await {
        return Ok(screen.refused(raw, &refusal));
    }
    let received = state.app.voice.submit(&screen.service.id, raw, Channel::Online, screen.key, None, Utc::now()).await;
    match received {
        // A repeat of the same key (a double click, a resend after a lost answer)
        // lands on the same thank-you page as the first.
        Ok(_) => Ok(Redirect::to(&format!("{}/thanks", return_href(screen.key))).into_response()),
        Err(VoiceError::Invalid(problems)) => Ok(show_problems(screen, raw, &problems)),
        Err(VoiceError::NotFound) => {
            Err(WebError::not_found(format!("There is no location with ID {} in the register.", screen.service.id))
                .into())
        }
        Err(err) => Err(voice_failure(err).into()),
    }
}

/// Problems the final check found: shown on the screen of the first of them.
fn show_problems(screen: &Screen<'_>, raw: &RawFeedback, problems: &[FeedbackError]) -> Response {
    let respondent = Respondent::parse(&raw.respondent).ok();
    let at = problems.first().and_then(|p| form::step_of(&p.field, respondent)).unwrap_or(Step::Check);
    let own: Vec<FeedbackError> = match at {
        Step::Check => problems.to_vec(),
        _ => problems.iter().filter(|p| form::step_of(&p.field, respondent) == Some(at)).cloned().collect(),
    };
    screen.show(at, raw, &form_errors(&own), true, StatusCode::BAD_REQUEST)
}

/// Feedback problems keyed by the ids of the inputs they are about.
fn form_errors(problems: &[FeedbackError]) -> FormErrors {
    let mut errors = FormErrors::default();
    errors.add_feedback(problems);
    errors
}

/// `GET /locations/{id}/feedback/thanks`: where the honeypot's "sent" leads.
async fn sent(State(state): State<AppState>, Path(raw_id): Path<String>) -> Result<Response, PageError> {
    let service = service(&state, &raw_id).await?;
    Ok(render(StatusCode::OK, &ThanksPage::without_reference(&service)))
}

// ---------------------------------------------------------------- after sending

/// `GET /feedback/{key}/thanks`: the reference and the private return link.
async fn thanks(State(state): State<AppState>, Path(raw_key): Path<String>) -> Result<Response, PageError> {
    let key = submission_key(&raw_key)?;
    let own = state.app.voice.own_feedback(&key).await.map_err(voice_failure)?;
    let return_url = format!("{}{}", state.config.public_url(), return_href(&key));
    Ok(render(StatusCode::OK, &ThanksPage::of(&own, return_url)))
}

#[derive(Deserialize)]
struct OwnQuery {
    /// What was just saved: `rated`, `added` or `retired`.
    done: Option<String>,
}

/// `GET /feedback/{key}`: the person's own view through their return link.
async fn own(
    State(state): State<AppState>,
    Path(raw_key): Path<String>,
    Csrf(csrf_token): Csrf,
    Query(query): Query<OwnQuery>,
) -> Result<Response, PageError> {
    let key = submission_key(&raw_key)?;
    let own = state.app.voice.own_feedback(&key).await.map_err(voice_failure)?;
    let notice = match query.done.as_deref() {
        Some("rated") => Some("Thank you: your progress has been saved."),
        Some("added") => Some("Added. You can tell us how it is going whenever you come back."),
        Some("retired") => Some("Done: we will not ask about it again. What you told us about it is kept."),
        Some("reminded") => Some("Done: we will email you a reminder."),
        Some("unreminded") => Some("Done: we will not send you reminders."),
        _ => None,
    };
    let page = screens::own_page(&own, &key, csrf_token, &FormErrors::default(), &[], notice);
    Ok(render(StatusCode::OK, &page))
}

/// `POST /feedback/{key}/outcomes`: one more thing that matters to the person.
async fn add_outcome(
    State(state): State<AppState>,
    Path(raw_key): Path<String>,
    Csrf(csrf_token): Csrf,
    body: Bytes,
) -> Result<Response, PageError> {
    let key = submission_key(&raw_key)?;
    let form = pairs(&body);
    // A full list has no field to add to: its error points at the list.
    let (field, message) = match state.app.voice.add_outcome(&key, value(&form, "new_outcome")).await {
        Ok(id) => return Ok(Redirect::to(&format!("{}?done=added#outcome-{id}", return_href(&key))).into_response()),
        Err(VoiceError::Invalid(problems)) => {
            ("new_outcome", problems.first().map_or_else(String::new, |p| p.message.clone()))
        }
        Err(VoiceError::Conflict(_)) => {
            ("outcomes", "You can follow three things at once: stop following one first".to_string())
        }
        Err(e) => return Err(voice_failure(e).into()),
    };
    let mut errors = FormErrors::default();
    errors.add(field, message);
    refused(&state, &key, csrf_token, &errors, &form).await
}

/// The person's page again, a 400: one of its forms was refused, with `errors`
/// against its fields and what was typed kept.
async fn refused(
    state: &AppState,
    key: &str,
    csrf_token: String,
    errors: &FormErrors,
    form: &[(String, String)],
) -> Result<Response, PageError> {
    let own = state.app.voice.own_feedback(key).await.map_err(voice_failure)?;
    Ok(render(StatusCode::BAD_REQUEST, &screens::own_page(&own, key, csrf_token, errors, form, None)))
}

/// `POST /feedback/{key}/reminder`: email me now and then to ask how things are going.
async fn set_reminder(
    State(state): State<AppState>,
    Path(raw_key): Path<String>,
    Csrf(csrf_token): Csrf,
    body: Bytes,
) -> Result<Response, PageError> {
    let key = submission_key(&raw_key)?;
    let form = pairs(&body);
    let (email, weeks) = (value(&form, "reminder_email"), value(&form, "reminder_weeks"));
    match state.app.voice.set_reminder(&key, email, weeks, Utc::now()).await {
        Ok(_) => Ok(Redirect::to(&format!("{}?done=reminded#reminder", return_href(&key))).into_response()),
        Err(VoiceError::Invalid(problems)) => {
            let mut errors = FormErrors::default();
            for p in problems {
                errors.add(p.field, p.message);
            }
            refused(&state, &key, csrf_token, &errors, &form).await
        }
        Err(e) => Err(voice_failure(e).into()),
    }
}

/// `POST /feedback/{key}/reminder/stop`
async fn stop_reminder(State(state): State<AppState>, Path(raw_key): Path<String>) -> Result<Response, PageError> {
    let key = submission_key(&raw_key)?;
    state.app.voice.stop_reminder(&key).await.map_err(voice_failure)?;
    Ok(Redirect::to(&format!("{}?done=unreminded#reminder", return_href(&key))).into_response())
}

/// `GET /reminders/stop/{token}`: the link in every reminder, one button away from stopping.
async fn stop_page(Path(token): Path<String>, Csrf(csrf_token): Csrf) -> Result<Response, PageError> {
    let token = submission_key(&token)?;
    Ok(render(StatusCode::OK, &screens::StopPage::asking(&token, csrf_token)))
}

/// `POST /reminders/stop/{token}`
async fn stop_by_token(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Csrf(csrf_token): Csrf,
) -> Result<Response, PageError> {
    let token = submission_key(&token)?;
    let stopped = state.app.voice.stop_reminder_by_token(&token).await.map_err(voice_failure)?;
    Ok(render(StatusCode::OK, &screens::StopPage::done(&token, csrf_token, stopped)))
}

/// `POST /feedback/{key}/outcomes/{id}/retire`: stop asking about one of them.
async fn retire_outcome(
    State(state): State<AppState>,
    Path((raw_key, raw_id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let key = submission_key(&raw_key)?;
    let id: i64 = raw_id.trim().parse().map_err(|_| voice_failure(VoiceError::NotFound))?;
    match state.app.voice.retire_outcome(&key, id, Utc::now()).await {
        Ok(()) | Err(VoiceError::Conflict(_)) => {
            Ok(Redirect::to(&format!("{}?done=retired#outcomes", return_href(&key))).into_response())
        }
        Err(e) => Err(voice_failure(e).into()),
    }
}

/// `GET /feedback/{key}/card`: the return link on a card to print and keep, with a
/// QR code, for someone without email.
async fn card(State(state): State<AppState>, Path(raw_key): Path<String>) -> Result<Response, PageError> {
    let key = submission_key(&raw_key)?;
    let own = state.app.voice.own_feedback(&key).await.map_err(voice_failure)?;
    Ok(render(StatusCode::OK, &screens::card_page(&own, &key, state.config.public_url())))
}

/// `GET /feedback/{key}/card.svg`: the return link as a QR code.
async fn card_qr(State(state): State<AppState>, Path(raw_key): Path<String>) -> Result<Response, PageError> {
    let key = submission_key(&raw_key)?;
    state.app.voice.own_feedback(&key).await.map_err(voice_failure)?;
    let url = format!("{}{}", state.config.public_url(), return_href(&key));
    let image = poster::qr_code(&url)?.render::<qrcode::render::svg::Color>().min_dimensions(300, 300).build();
    Ok(([(header::CONTENT_TYPE, "image/svg+xml")], image).into_response())
}

/// `POST /feedback/{key}/progress`: better, the same or worse on one personal outcome.
async fn rate_progress(
    State(state): State<AppState>,
    Path(raw_key): Path<String>,
    Csrf(csrf_token): Csrf,
    body: Bytes,
) -> Result<Response, PageError> {
    let key = submission_key(&raw_key)?;
    let form = pairs(&body);
    let outcome: i64 = value(&form, "outcome").parse().map_err(|_| {
        WebError::bad_request("This form could not be read. Go back to your feedback link and try again.")
    })?;
    let Ok(progress) = Progress::parse(value(&form, "progress")) else {
        let mut errors = FormErrors::default();
        errors.add(screens::progress_id(outcome), "Choose better, about the same or worse");
        return refused(&state, &key, csrf_token, &errors, &form).await;
    };
    state.app.voice.rate_progress(&key, outcome, progress, Utc::now()).await.map_err(voice_failure)?;
    Ok(Redirect::to(&format!("{}?done=rated#outcome-{outcome}", return_href(&key))).into_response())
}
