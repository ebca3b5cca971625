//! Raising a concern or complaint without an account, and following it through
//! its private link. The form carries a fresh secret, which becomes the secret
//! of the follow link (only its hash is kept), so sending the form twice keeps
//! one complaint.

use std::time::Instant;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_domain::complaints::{ComplaintStatus, Intake, NewComplaintDetails, RawComplaint, deadlines};
use candour_store::{ComplaintReceipt, ComplaintRecord, LocationDetail, NewComplaint, StoreError};
use chrono::Utc;

use super::{ComplaintFields, TimelineLine, follow_href, form_errors, read_form, status_words, timeline, today};
use crate::error::{PageError, WebError, render};
use crate::forms::{ErrorLink, FormErrors, pairs, value};
use crate::pages::parse_location_id;
use crate::security::client_ip::ClientIp;
use crate::security::csrf::Csrf;
use crate::state::AppState;
use crate::views::{location_href, long_date};

#[derive(Template)]
#[template(path = "complaint_raise.html")]
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
#[template(path = "complaint_sent.html")]
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
#[template(path = "complaint_follow.html")]
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
}

async fn location(state: &AppState, raw_id: &str) -> Result<LocationDetail, WebError> {
    let id = parse_location_id(raw_id)?;
    state
        .store
        .location(&id)
        .await
        .map_err(|e| WebError::from_store(e, || format!("There is no location with ID {id} in the register.")))
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
        policy: super::policy_text(state.config.complaint_policy),
    }
}

/// `GET /locations/{id}/complaints/new`
pub async fn form(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    Csrf(csrf): Csrf,
) -> Result<Response, PageError> {
    let detail = location(&state, &raw_id).await?;
    let key = candour_voice::new_submission_key();
    let page = raise_page(&state, &detail, &RawComplaint::default(), &FormErrors::default(), &key, csrf);
    Ok(render(StatusCode::OK, &page))
}

/// The hash of a follow secret, or the normal 404 for one that cannot be ours.
pub(super) fn follow_hash(secret: &str) -> Result<String, WebError> {
    candour_voice::key_hash(secret).map_err(|_| not_followed())
}

fn not_followed() -> WebError {
    WebError::not_found("We could not find a complaint with this link. Check that you copied all of it.")
}

/// Keeps a new complaint, drawing another reference in the unlikely case the one
/// drawn is taken.
pub(super) async fn keep(state: &AppState, mut new: NewComplaint) -> Result<ComplaintReceipt, WebError> {
    for _ in 0..5 {
        match state.store.add_complaint(&new).await {
            Err(StoreError::Conflict(_)) => new.reference = candour_voice::new_reference(),
            Err(e) => return Err(WebError::from_store(e, String::new)),
            Ok(receipt) => return Ok(receipt),
        }
    }
    tracing::error!("no free complaint reference after five tries");
    Err(WebError::Internal)
}

/// Everything a new complaint is kept with: its deadlines under the policy in
/// force, a reference, any safeguarding alert and the emails to send.
pub(super) async fn new_complaint(
    state: &AppState,
    detail: &LocationDetail,
    details: NewComplaintDetails,
    secret: &str,
    logged_by: Option<candour_domain::UserId>,
) -> Result<NewComplaint, WebError> {
    let now = Utc::now();
    let policy = state.config.complaint_policy;
    let due = deadlines(details.received_on, None, policy).map_err(|e| {
        tracing::error!(error = %e, "a complaint's deadlines are beyond the bank holiday calendar");
        WebError::Internal
    })?;
    let reference = candour_voice::new_reference();
    let (alert, mut emails) = super::safeguarding(state, detail, &details, &reference, now).await?;
    emails.extend(super::follow_email(state, detail, &details, &reference, secret, now));
    Ok(NewComplaint {
        location_id: detail.location.id.clone(),
        details,
        reference,
        follow_hash: follow_hash(secret)?,
        policy,
        deadlines: due,
        logged_by,
        created_at: now,
        alert,
        emails,
    })
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
    let detail = location(&state, &raw_id).await?;
    let form = pairs(&body);
    let key = value(&form, "key").to_string();
    follow_hash(&key)
        .map_err(|_| WebError::bad_request("This form could not be read. Start again from the service's page."))?;
    let raw = read_form(&form);
    let details = match NewComplaintDetails::parse(&raw, Intake::Online, today()) {
        Ok(details) => details,
        Err(problems) => {
            let page = raise_page(&state, &detail, &raw, &form_errors(&problems, ""), &key, csrf);
            return Ok(render(StatusCode::BAD_REQUEST, &page));
        }
    };
    state.feedback_limits.check(ip, &detail.location.id, Instant::now())?;
    let new = new_complaint(&state, &detail, details, &key, None).await?;
    let receipt = keep(&state, new).await?;
    if !receipt.duplicate {
        let about = format!("location:{}", detail.location.id);
        let resource = format!("complaint:{}", receipt.id);
        let ip = ip.to_string();
        // The complaint is kept; a failed audit write is logged rather than lose the person's answer.
        if let Err(err) = state.accounts.audit(None, "complaint_raised", &resource, Some(&about), Some(&ip)).await {
            tracing::error!(error = %err, "the audit log could not be written");
        }
    }
    Ok(Redirect::to(&format!("{}/sent", follow_href(&key))).into_response())
}

async fn followed(state: &AppState, secret: &str) -> Result<ComplaintRecord, WebError> {
    let hash = follow_hash(secret)?;
    state.store.complaint_by_follow(&hash).await.map_err(|e| match e {
        StoreError::NotFound => not_followed(),
        other => WebError::from_store(other, String::new),
    })
}

/// `GET /complaints/follow/{secret}/sent`: the reference and the follow link.
pub async fn sent(State(state): State<AppState>, Path(secret): Path<String>) -> Result<Response, PageError> {
    let r = followed(&state, &secret).await?;
    let page = SentPage {
        title: "Your complaint has been sent",
        service_name: r.location_name.clone(),
        service_href: location_href(r.location_id.as_str()),
        reference: r.reference.clone(),
        follow_url: format!("{}{}", state.config.public_url(), follow_href(&secret)),
        emailed: r.contact.email.is_some(),
        logged: r.logged_by.is_some(),
    };
    Ok(render(StatusCode::OK, &page))
}

/// `GET /complaints/follow/{secret}`: the complaint as the person who raised it follows it.
pub async fn follow(State(state): State<AppState>, Path(secret): Path<String>) -> Result<Response, PageError> {
    let r = followed(&state, &secret).await?;
    let page = FollowPage {
        title: format!("Your complaint about {}", r.location_name),
        service_name: r.location_name.clone(),
        service_href: location_href(r.location_id.as_str()),
        reference: r.reference.clone(),
        status: status_words(&r),
        closed: r.status == ComplaintStatus::Closed,
        received: long_date(r.received_on),
        acknowledge_by: long_date(r.deadlines.acknowledge_by),
        respond_by: long_date(r.deadlines.respond_by),
        agreed: r.agreed_response_by.is_some(),
        response: r.response.clone(),
        response_sent: r.response_sent_on.map(long_date).unwrap_or_default(),
        outcome: r.outcome.map(|o| o.label().to_string()),
        learned: r.learned.clone().filter(|l| !l.is_empty()),
        timeline: timeline(&r),
        local_authority: r.local_authority.clone(),
    };
    Ok(render(StatusCode::OK, &page))
}
