//! Safeguarding alerts: the list of those in the caller's scope (open ones first,
//! ageing visibly, with each email's delivery), one alert with the story that
//! raised it (never who wrote it), and acknowledging it with a note. What is
//! alleged is shown only to those the policy lets read it
//! ([`Resource::SafeguardingAlertDetail`]); everyone else who may see the service
//! learns that an alert exists, its level, day and status, and whom to contact.

use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_app::moderation::SeenAlert as Seen;
use candour_app::voice::VoiceError;
use candour_domain::{Action, Resource, authorize};
use candour_store::OutboxEntry;
use chrono::Utc;
use serde::Deserialize;

use super::{age, voice_failure};
use crate::auth::SignedIn;
use crate::error::{PageError, WebError, render};
use crate::forms::{ErrorLink, Field, FormErrors, pairs, value};
use crate::pages::chrome::{Chrome, Crumb, date_time};
use crate::state::AppState;
use crate::views::{count_of, long_date};

// ---------------------------------------------------------------- views

struct AlertLine {
    href: String,
    title: String,
    location: String,
    level: String,
    raised: String,
    /// "Open for 3 hours", or plain "Open" for those not told the exact time.
    open_tag: String,
    open: bool,
    acknowledged: Option<String>,
    /// What is alleged, for those who may read it.
    detail: Option<AlertDetail>,
    /// Whom to ask, for those who may not: the service's safeguarding contacts.
    contacts: Vec<String>,
}

struct AlertDetail {
    reason: String,
    deliveries: Vec<Delivery>,
    /// "Step 1, 16 June 2025 at 12:00: not acknowledged within 4 working hours…; to …"
    escalations: Vec<String>,
}

struct Delivery {
    to: String,
    status: String,
    sent: bool,
    error: Option<String>,
}

fn delivery(e: &OutboxEntry) -> Delivery {
    let status = match (e.sent_at, e.attempts) {
        (Some(at), _) => format!("Sent {}", date_time(at)),
        (None, 0) => "Waiting to send: not tried yet".to_string(),
        (None, n) => format!("Waiting to send: {} so far, trying again", count_of(u64::from(n), "attempt", "attempts")),
    };
    Delivery {
        to: e.to.to_string(),
        status,
        sent: e.sent_at.is_some(),
        error: e.last_error.clone().filter(|_| e.sent_at.is_none()),
    }
}

fn alert_line(seen: &Seen, now: chrono::DateTime<Utc>) -> AlertLine {
    let a = &seen.alert;
    let day = |at: chrono::DateTime<Utc>| long_date(at.date_naive());
    let detail = seen.detail.then(|| AlertDetail {
        reason: a.reason.clone(),
        // The first emails went to the contacts; each escalation's are listed with it.
        deliveries: a.deliveries.iter().take_while(|d| d.created_at <= a.raised_at).map(delivery).collect(),
        escalations: a
            .escalations
            .iter()
            .map(|e| {
                let to: Vec<&str> = e.sent_to.iter().map(|t| t.as_str()).collect();
                format!("Step {}, {}: {}. Sent to {}.", e.step, date_time(e.at), e.reason, to.join(", "))
            })
            .collect(),
    });
    let told = detail.is_some();
    AlertLine {
        href: format!("/manage/alerts/{}", a.id),
        title: if told { format!("Alert {}", a.reference) } else { format!("Alert raised {}", day(a.raised_at)) },
        location: a.location_name.clone(),
        level: a.level.to_string(),
        raised: if told { date_time(a.raised_at) } else { day(a.raised_at) },
        open_tag: if told { format!("Open for {}", age(a.raised_at, now)) } else { "Open".to_string() },
        open: a.acknowledged_at.is_none(),
        acknowledged: a.acknowledged_at.map(|at| if told { date_time(at) } else { day(at) }),
        detail,
        contacts: seen.contacts.iter().map(|c| format!("{} ({})", c.name, c.email)).collect(),
    }
}

// ---------------------------------------------------------------- the list

#[derive(Template)]
#[template(path = "moderation/alerts.html")]
struct AlertsPage {
    title: String,
    chrome: Chrome,
    notice: Option<String>,
    caption: String,
    alerts: Vec<AlertLine>,
}

#[derive(Deserialize, Default)]
pub struct ListParams {
    reference: Option<String>,
}

/// `GET /manage/alerts`, and `?reference=…` (the link in alert emails), which
/// opens that alert when the caller may see it.
pub async fn list(
    State(state): State<AppState>,
    who: SignedIn,
    query: Result<Query<ListParams>, QueryRejection>,
) -> Result<Response, PageError> {
    let alerts = state.app.moderation.alerts(&who.actor()).await.map_err(|e| voice_failure(&who, e))?;
    let reference = query.ok().and_then(|q| q.0.reference).map(|r| r.trim().to_uppercase()).filter(|r| !r.is_empty());
    let mut notice = None;
    if let Some(reference) = reference {
        // The reference is part of what is alleged: only those told it can look it up.
        if let Some(s) = alerts.iter().find(|s| s.detail && s.alert.reference.eq_ignore_ascii_case(&reference)) {
            return Ok(Redirect::to(&format!("/manage/alerts/{}", s.alert.id)).into_response());
        }
        notice = Some(format!(
            "There is no alert with the reference {reference} among those you can see. Check the reference, or ask the person who sent it."
        ));
    }
    let now = Utc::now();
    let open = alerts.iter().filter(|s| s.alert.acknowledged_at.is_none()).count() as u64;
    let page = AlertsPage {
        title: "Safeguarding alerts".to_string(),
        chrome: Chrome::manage(&who, "Safeguarding alerts"),
        notice,
        caption: format!("{} open, oldest first; then those acknowledged", count_of(open, "alert", "alerts")),
        alerts: alerts.iter().map(|a| alert_line(a, now)).collect(),
    };
    Ok(render(StatusCode::OK, &page))
}

// ---------------------------------------------------------------- one alert

#[derive(Template)]
#[template(path = "moderation/alert.html")]
struct AlertPage {
    title: String,
    chrome: Chrome,
    errors: Vec<ErrorLink>,
    notice: Option<String>,
    alert: AlertLine,
    /// The story as written, for those who may read what is alleged.
    story: Option<String>,
    service_href: String,
    acknowledgement: Option<String>,
    acknowledged_by: Option<String>,
    form: Option<AcknowledgeForm>,
}

struct AcknowledgeForm {
    action: String,
    note: Field,
}

#[derive(Deserialize, Default)]
pub struct ShowParams {
    acknowledged: Option<String>,
}

/// The alert, after asking the policy and recording the read (of what is alleged,
/// when the principal is told it).
async fn load(state: &AppState, who: &SignedIn, raw_id: &str) -> Result<Seen, WebError> {
    state.app.moderation.alert(&who.actor(), raw_id).await.map_err(|e| voice_failure(who, e))
}

/// `GET /manage/alerts/{id}`
pub async fn show(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    query: Result<Query<ShowParams>, QueryRejection>,
) -> Result<Response, PageError> {
    let alert = load(&state, &who, &raw_id).await?;
    let notice = query
        .ok()
        .and_then(|q| q.0.acknowledged)
        .map(|_| "Acknowledged. Your note is kept with the alert.".to_string());
    let page = alert_page(&state, &who, &alert, notice, &FormErrors::default(), &[]).await?;
    Ok(render(StatusCode::OK, &page))
}

async fn alert_page(
    state: &AppState,
    who: &SignedIn,
    seen: &Seen,
    notice: Option<String>,
    errors: &FormErrors,
    form: &[(String, String)],
) -> Result<AlertPage, WebError> {
    let (p, a) = (who.principal(), &seen.alert);
    let location = Resource::Location {
        id: &a.location_id,
        provider: &a.provider_id,
        local_authority: a.local_authority.as_deref(),
    };
    let service_href = if authorize(p, Action::Read, location).is_allowed() {
        format!("/manage/locations/{}", a.location_id)
    } else {
        format!("/locations/{}", a.location_id)
    };
    let acknowledged_by = state
        .app
        .moderation
        .user_name(a.acknowledged_by.filter(|_| seen.detail))
        .await
        .map_err(|e| voice_failure(who, e))?;
    let alert = alert_line(seen, Utc::now());
    Ok(AlertPage {
        title: errors.title(&alert.title),
        chrome: Chrome::with(
            who,
            vec![Crumb::new("Manage", "/manage"), Crumb::new("Safeguarding alerts", "/manage/alerts")],
            alert.title.clone(),
        ),
        errors: errors.links(),
        notice,
        alert,
        story: seen.detail.then(|| a.story.clone()),
        service_href,
        acknowledgement: a.acknowledgement.clone().filter(|_| seen.detail),
        acknowledged_by,
        form: (seen.may_acknowledge && a.acknowledged_at.is_none()).then(|| AcknowledgeForm {
            action: format!("/manage/alerts/{}/acknowledge", a.id),
            note: Field::new("note", "What has been done, or will be", "text", "off")
                .hint("For example: who was told, what was checked, and what happens next. Those who can read what is alleged read it too.")
                .value(value(form, "note"))
                .errors(errors),
        }),
    })
}

/// `POST /manage/alerts/{id}/acknowledge`
pub async fn acknowledge(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let seen = load(&state, &who, &raw_id).await?;
    let id = seen.alert.id;
    let form = pairs(&body);
    let mut errors = FormErrors::default();
    let moderation = &state.app.moderation;
    let status = match moderation.acknowledge(&who.actor(), &raw_id, value(&form, "note"), Utc::now()).await {
        Ok(()) => {
            return Ok(Redirect::to(&format!("/manage/alerts/{id}?acknowledged=yes")).into_response());
        }
        Err(VoiceError::Conflict(_)) => {
            errors.add("acknowledgement", "This alert has already been acknowledged, so your note was not saved. The note recorded is shown below.");
            StatusCode::CONFLICT
        }
        Err(VoiceError::Refused(message)) => {
            errors.add("note", super::sentence(&message));
            StatusCode::BAD_REQUEST
        }
        Err(e) => return Err(PageError(voice_failure(&who, e))),
    };
    let current = moderation.current_alert(&seen).await.map_err(|e| voice_failure(&who, e))?;
    let page = alert_page(&state, &who, &current, None, &errors, &form).await?;
    Ok(render(status, &page))
}
