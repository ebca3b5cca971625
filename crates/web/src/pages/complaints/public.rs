//! Raising a concern or complaint without an account, and following it through
//! its private link. The form carries a fresh secret, which becomes the secret
//! of the follow link (only its hash is kept), so sending the form twice keeps
//! one complaint.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_app::complaints::ComplaintsError;
use candour_domain::complaints::{ComplaintStatus, RawAnswer, RawComplaint};
use candour_store::{ComplaintRecord, LocationDetail};

use super::{ComplaintFields, TimelineLine, follow_href, form_errors, read_form, status_words, timeline};
use crate::error::{PageError, WebError, render};
use crate::forms::{ErrorLink, Field, FormErrors, RadioGroup, pairs, value};
use crate::security::client_ip::ClientIp;
use crate::security::csrf::Csrf;
use crate::state::AppState;
use crate::views::{location_href, long_date};

#[derive(Template)]
#[template(path = "complaints/raise.html")]
struct RaisePage {
    title: String,
    errors: Vec<ErrorLink>,
    service_name: String,
    service_href: String,
    action: String,
    key: String,
    csrf_token: String,
    fields: ComplaintFields,
    policy: String,
}

#[derive(Template)]
#[template(path = "complaints/sent.html")]
struct SentPage {
    title: &'static str,
    service_name: String,
    service_href: String,
    reference: String,
    follow_url: String,
    emailed: bool,
    logged: bool,
}

#[derive(Template)]
#[template(path = "complaints/follow.html")]
struct FollowPage {
    title: String,
    service_name: String,
    service_href: String,
    reference: String,
    status: String,
    closed: bool,
    received: String,
    acknowledge_by: String,
    respond_by: String,
    agreed: bool,
    response: Option<String>,
    response_sent: String,
    outcome: Option<String>,
    learned: Option<String>,
    timeline: Vec<TimelineLine>,
    local_authority: Option<String>,
    /// The form to say something back.
    errors: Vec<ErrorLink>,
    action: String,
    csrf_token: String,
    answer: RadioGroup,
    text: Field,
    to: RadioGroup,
    /// Said after an answer was kept.
    answered: bool,
}

/// The normal answer for a location the register does not have, or a failed action.
fn failed(raw_id: &str, e: ComplaintsError) -> WebError {
    WebError::from_area(&e, || {
        WebError::not_found(format!("There is no location with ID {} in the register.", raw_id.trim()))
    })
}

fn raise_page(
    state: &AppState,
    detail: &LocationDetail,
    raw: &RawComplaint,
    errors: &FormErrors,
    key: &str,
    csrf_token: String,
) -> RaisePage {
    let l = &detail.location;
    RaisePage {
        title: errors.title(&format!("Raise a concern or complaint about {}", l.name)),
        errors: errors.links(),
        service_name: l.name.clone(),
        service_href: location_href(l.id.as_str()),
        action: super::raise_href(&l.id),
        key: key.to_string(),
        csrf_token,
        fields: ComplaintFields::new(raw, errors, false),
        policy: super::policy_text(state.app.complaints.policy()),
    }
}

/// `GET /locations/{id}/complaints/new`
pub async fn form(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    Csrf(csrf): Csrf,
) -> Result<Response, PageError> {
    let detail = state.app.complaints.raisable(&raw_id).await.map_err(|e| failed(&raw_id, e))?;
    let key = candour_app::voice::new_submission_key();
    let page = raise_page(&state, &detail, &RawComplaint::default(), &FormErrors::default(), &key, csrf);
    Ok(render(StatusCode::OK, &page))
}

fn not_followed() -> WebError {
    WebError::not_found("We could not find a complaint with this link. Check that you copied all of it.")
}

/// `POST /locations/{id}/complaints/new`: kept, then to the page with the follow
/// link (303); or the form again with every problem beside its field.
pub async fn submit(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    ClientIp(ip): ClientIp,
    Csrf(csrf): Csrf,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = pairs(&body);
    let key = value(&form, "key").to_string();
    let raw = read_form(&form);
    let mut limited = None;
    let admit = async |location: &candour_domain::LocationId| match state.feedback_limits.check(ip, location).await {
        Ok(()) => true,
        Err(e) => {
            limited = Some(e);
            false
        }
    };
    let raised = state.app.complaints.raise(&raw_id, &key, &raw, Some(&ip.to_string()), admit).await;
    match raised {
        Ok(_) => Ok(Redirect::to(&format!("{}/sent", follow_href(&key))).into_response()),
        Err(ComplaintsError::Unreadable) => {
            Err(WebError::bad_request("This form could not be read. Start again from the service's page.").into())
        }
        Err(ComplaintsError::Invalid(problems)) => {
            let detail = state.app.complaints.raisable(&raw_id).await.map_err(|e| failed(&raw_id, e))?;
            let page = raise_page(&state, &detail, &raw, &form_errors(&problems, ""), &key, csrf);
            Ok(render(StatusCode::BAD_REQUEST, &page))
        }
        Err(ComplaintsError::Limited) => Err(limited.unwrap_or(WebError::Internal).into()),
        Err(e) => Err(failed(&raw_id, e).into()),
    }
}

async fn followed(state: &AppState, secret: &str) -> Result<ComplaintRecord, WebError> {
    state.app.complaints.follow(secret).await.map_err(|e| WebError::from_area(&e, not_followed))
}

/// `GET /complaints/follow/{secret}/sent`: the reference and the follow link.
pub async fn sent(State(state): State<AppState>, Path(secret): Path<String>) -> Result<Response, PageError> {
    let r = followed(&state, &secret).await?;
    let page = SentPage {
        title: "Your complaint has been sent",
        service_name: r.location_name.clone(),
        service_href: location_href(r.location_id.as_str()),
        reference: r.reference.clone(),
        follow_url: state.app.complaints.follow_url(&secret),
        emailed: r.contact.email.is_some(),
        logged: r.logged_by.is_some(),
    };
    Ok(render(StatusCode::OK, &page))
}

/// `GET /complaints/follow/{secret}`: the complaint as the person who raised it follows it.
pub async fn follow(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    Query(query): Query<FollowQuery>,
    Csrf(csrf): Csrf,
) -> Result<Response, PageError> {
    let r = followed(&state, &secret).await?;
    let mut page = follow_page(&r, &secret, &RawAnswer::default(), &FormErrors::default(), csrf);
    page.answered = query.done.as_deref() == Some("answered");
    Ok(render(StatusCode::OK, &page))
}

#[derive(serde::Deserialize, Default)]
pub struct FollowQuery {
    done: Option<String>,
}

/// `POST /complaints/follow/{secret}/answers`: what the person says back, kept on the
/// timeline; or the page again with the problem beside its field.
pub async fn answer(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    ClientIp(ip): ClientIp,
    Csrf(csrf): Csrf,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = pairs(&body);
    let raw = RawAnswer {
        answer: value(&form, "answer").to_string(),
        text: value(&form, "text").to_string(),
        to: value(&form, "to").to_string(),
    };
    match state.app.complaints.answer(&secret, &raw, Some(&ip.to_string()), chrono::Utc::now()).await {
        Ok(_) => Ok(Redirect::to(&format!("{}?done=answered#tell-the-service", follow_href(&secret))).into_response()),
        Err(ComplaintsError::Invalid(problems)) => {
            let r = followed(&state, &secret).await?;
            let page = follow_page(&r, &secret, &raw, &form_errors(&problems, ""), csrf);
            Ok(render(StatusCode::BAD_REQUEST, &page))
        }
        Err(e) => Err(WebError::from_area(&e, not_followed).into()),
    }
}

fn follow_page(
    r: &ComplaintRecord,
    secret: &str,
    raw: &RawAnswer,
    errors: &FormErrors,
    csrf_token: String,
) -> FollowPage {
    let answers = [
        ("information", "Add information", Some("Something that happened since, or that was left out")),
        ("satisfied", "I am satisfied with the response", None),
        ("not_satisfied", "I am not satisfied with the response", Some("Say why below, if you want to")),
        ("escalating", "I am taking it further", Some("To the council or the ombudsman: see below")),
    ];
    let answers = answers.into_iter().map(|(v, l, h)| (v.to_string(), l.to_string(), h.map(str::to_string)));
    let council = match &r.local_authority {
        Some(la) => format!("The council ({la}), which arranges or pays for the care"),
        None => "The council, if it arranges or pays for the care".to_string(),
    };
    let to = [
        ("local_authority".to_string(), council, None),
        ("ombudsman".to_string(), "The Local Government and Social Care Ombudsman".to_string(), None),
    ];
    FollowPage {
        title: errors.title(&format!("Your complaint about {}", r.location_name)),
        service_name: r.location_name.clone(),
        service_href: location_href(r.location_id.as_str()),
        reference: r.reference.clone(),
        status: status_words(r),
        closed: r.status == ComplaintStatus::Closed,
        received: long_date(r.received_on),
        acknowledge_by: long_date(r.deadlines.acknowledge_by),
        respond_by: long_date(r.deadlines.respond_by),
        agreed: r.agreed_response_by.is_some(),
        response: r.response.clone(),
        response_sent: r.response_sent_on.map(long_date).unwrap_or_default(),
        outcome: r.outcome.map(|o| o.label().to_string()),
        learned: r.learned.clone().filter(|l| !l.is_empty()),
        timeline: timeline(r),
        local_authority: r.local_authority.clone(),
        errors: errors.links(),
        action: format!("{}/answers", follow_href(secret)),
        csrf_token,
        answer: RadioGroup::new(
            "answer",
            "answer",
            "What do you want to tell the service?",
            answers,
            &raw.answer,
            errors,
        ),
        text: Field::new("text", "Your words (optional unless you are adding information)", "text", "off")
            .value(&raw.text)
            .errors(errors),
        to: RadioGroup::new("to", "to", "Who are you taking it to?", to, &raw.to, errors)
            .hint("Only if you are taking it further"),
        answered: false,
    }
}
