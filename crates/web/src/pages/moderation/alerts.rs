//! Safeguarding alerts: the list of those in the caller's scope (open ones first,
//! ageing visibly, with each email's delivery), one alert with the story that
//! raised it (never who wrote it), and acknowledging it with a note. What is
//! alleged is shown only to those the policy lets read it
//! ([`Resource::SafeguardingAlertDetail`]); everyone else who may see the service
//! learns that an alert exists, its level, day and status, and whom to contact.

use std::collections::BTreeMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_domain::{Action, Email, Principal, Resource, Role, Scope, authorize};
use candour_store::{Alert, AlertScope, OutboxEntry, SafeguardingContact, StoreError};
use candour_voice::VoiceError;
use chrono::Utc;
use serde::Deserialize;

use super::{age, voice_failure};
use crate::auth::SignedIn;
use crate::error::{PageError, WebError, render};
use crate::forms::{ErrorLink, Field, FormErrors, pairs, value};
use crate::pages::chrome::{Chrome, Crumb, date_time};
use crate::state::AppState;
use crate::views::{count_of, long_date};

/// At most this many alerts are read per scope; open ones come first.
const LIMIT: u32 = 500;

fn alert_resource(a: &Alert) -> Resource<'_> {
    Resource::SafeguardingAlert {
        location: &a.location_id,
        provider: &a.provider_id,
        local_authority: a.local_authority.as_deref(),
    }
}

fn detail_resource<'a>(a: &'a Alert, contacts: &'a [Email]) -> Resource<'a> {
    Resource::SafeguardingAlertDetail {
        location: &a.location_id,
        provider: &a.provider_id,
        local_authority: a.local_authority.as_deref(),
        contacts,
    }
}

/// An alert the principal may see, with the contacts now set for its service and
/// whether the principal may read what is alleged and acknowledge it.
struct Seen {
    alert: Alert,
    contacts: Vec<SafeguardingContact>,
    detail: bool,
    may_acknowledge: bool,
}

impl Seen {
    fn of(p: &Principal, alert: Alert, contacts: Vec<SafeguardingContact>) -> Self {
        let emails: Vec<Email> = contacts.iter().map(|c| c.email.clone()).collect();
        let decide = |action| authorize(p, action, detail_resource(&alert, &emails)).is_allowed();
        let (detail, may_acknowledge) = (decide(Action::Read), decide(Action::Write));
        Seen { alert, contacts, detail, may_acknowledge }
    }
}

/// Puts each alert the principal may see to the policy, reading each service's
/// contacts once.
async fn seen(state: &AppState, p: &Principal, alerts: Vec<Alert>) -> Result<Vec<Seen>, WebError> {
    let mut contacts: BTreeMap<String, Vec<SafeguardingContact>> = BTreeMap::new();
    let mut seen = Vec::with_capacity(alerts.len());
    for alert in alerts {
        let key = alert.location_id.to_string();
        if !contacts.contains_key(&key) {
            let found = state
                .store
                .safeguarding_contacts_for(&alert.location_id)
                .await
                .map_err(|e| WebError::from_store(e, String::new))?;
            contacts.insert(key.clone(), found);
        }
        seen.push(Seen::of(p, alert, contacts[&key].clone()));
    }
    Ok(seen)
}

/// Where the store should look for the principal's alerts. Each alert found is
/// still put to the policy before it is shown.
fn alert_scopes(p: &Principal) -> Vec<AlertScope> {
    if [Role::Admin, Role::Moderator, Role::Inspector].into_iter().any(|r| p.has_role(r)) {
        return vec![AlertScope::All];
    }
    let mut scopes: Vec<AlertScope> = p
        .scopes(Role::ProviderAdmin)
        .filter_map(|s| match s {
            Scope::Provider(id) => Some(AlertScope::Provider(id.clone())),
            _ => None,
        })
        .collect();
    let locations: Vec<_> = [Role::Manager, Role::Staff]
        .into_iter()
        .flat_map(|r| p.scopes(r))
        .filter_map(|s| match s {
            Scope::Location(id) => Some(id.clone()),
            _ => None,
        })
        .collect();
    let authorities: Vec<String> = p
        .scopes(Role::Commissioner)
        .filter_map(|s| match s {
            Scope::LocalAuthority(la) => Some(la.clone()),
            _ => None,
        })
        .collect();
    if !locations.is_empty() {
        scopes.push(AlertScope::Locations(locations));
    }
    if !authorities.is_empty() {
        scopes.push(AlertScope::LocalAuthorities(authorities));
    }
    scopes
}

/// The alerts the principal may read: open ones first (oldest first), then
/// acknowledged ones (newest first).
async fn visible_alerts(state: &AppState, p: &Principal, open_only: bool) -> Result<Vec<Alert>, WebError> {
    let mut found = BTreeMap::new();
    for scope in alert_scopes(p) {
        let alerts =
            state.store.alerts(&scope, open_only, LIMIT).await.map_err(|e| WebError::from_store(e, String::new))?;
        for a in alerts {
            if authorize(p, Action::Read, alert_resource(&a)).is_allowed() {
                found.insert(a.id, a);
            }
        }
    }
    let mut alerts: Vec<Alert> = found.into_values().collect();
    alerts.sort_by(|a, b| match (a.acknowledged_at, b.acknowledged_at) {
        (None, None) => a.raised_at.cmp(&b.raised_at),
        (None, Some(_)) => std::cmp::Ordering::Less,
        (Some(_), None) => std::cmp::Ordering::Greater,
        (Some(x), Some(y)) => y.cmp(&x),
    });
    Ok(alerts)
}

/// How many open alerts the principal may see, for the private home; `None`
/// when they may not see alerts at all.
pub async fn open_alert_count(state: &AppState, p: &Principal) -> Result<Option<usize>, WebError> {
    if !authorize(p, Action::Read, Resource::SafeguardingAlerts).is_allowed() {
        return Ok(None);
    }
    Ok(Some(visible_alerts(state, p, true).await?.len()))
}

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
    let detail = seen
        .detail
        .then(|| AlertDetail { reason: a.reason.clone(), deliveries: a.deliveries.iter().map(delivery).collect() });
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
#[template(path = "voice_alerts.html")]
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
    who.require(&state, Action::Read, Resource::SafeguardingAlerts).await?;
    let alerts = seen(&state, who.principal(), visible_alerts(&state, who.principal(), false).await?).await?;
    who.caller.record(&state, "read", "safeguarding_alerts", None).await?;
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
#[template(path = "voice_alert.html")]
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
    let id: i64 = raw_id.parse().map_err(|_| who.not_found())?;
    let alert = state.store.alert(id).await.map_err(who.store_error())?;
    who.require(state, Action::Read, alert_resource(&alert)).await?;
    let seen = seen(state, who.principal(), vec![alert]).await?.remove(0);
    let detail = seen.detail.then_some("what is alleged");
    who.caller.record(state, "read", &format!("alert:{id}"), detail).await?;
    Ok(seen)
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
    let acknowledged_by = match a.acknowledged_by.filter(|_| seen.detail) {
        Some(id) => match state.store.user(id).await {
            Ok(user) => Some(user.name),
            Err(StoreError::NotFound) => Some(format!("User {id}")),
            Err(e) => return Err(WebError::from_store(e, String::new)),
        },
        None => None,
    };
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
    let emails: Vec<Email> = seen.contacts.iter().map(|c| c.email.clone()).collect();
    who.require(&state, Action::Write, detail_resource(&seen.alert, &emails)).await?;
    let id = seen.alert.id;
    let form = pairs(&body);
    let mut errors = FormErrors::default();
    let status = match state.voice.acknowledge_alert(id, who.principal(), value(&form, "note"), Utc::now()).await {
        Ok(()) => {
            who.caller.record(&state, "acknowledge", &format!("alert:{id}"), None).await?;
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
    let current = state.store.alert(id).await.map_err(|e| WebError::from_store(e, String::new))?;
    let current = Seen { alert: current, ..seen };
    let page = alert_page(&state, &who, &current, None, &errors, &form).await?;
    Ok(render(status, &page))
}

#[cfg(test)]
mod tests {
    use super::*;
    use candour_domain::{Email, Grant, LocationId, ProviderId, UserId};

    fn principal(grants: Vec<Grant>) -> Principal {
        Principal { user_id: UserId(1), email: Email::parse("a@example.org").unwrap(), grants }
    }

    #[test]
    fn each_role_looks_for_alerts_in_its_own_scope() {
        let inspector = principal(vec![Grant { role: Role::Inspector, scope: Scope::All }]);
        assert_eq!(alert_scopes(&inspector), [AlertScope::All]);
        let provider = ProviderId::parse("1-1").unwrap();
        let location = LocationId::parse("1-10").unwrap();
        let mixed = principal(vec![
            Grant { role: Role::ProviderAdmin, scope: Scope::Provider(provider.clone()) },
            Grant { role: Role::Staff, scope: Scope::Location(location.clone()) },
            Grant { role: Role::Commissioner, scope: Scope::LocalAuthority("Leeds".into()) },
        ]);
        assert_eq!(
            alert_scopes(&mixed),
            [
                AlertScope::Provider(provider),
                AlertScope::Locations(vec![location]),
                AlertScope::LocalAuthorities(vec!["Leeds".into()])
            ]
        );
        assert!(alert_scopes(&principal(vec![])).is_empty());
    }
}
