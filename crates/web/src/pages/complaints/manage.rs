//! The provider's side: each location's and each provider's complaints with
//! their deadlines and what is overdue, a complaint in full with a form for each
//! step allowed now, logging a complaint received by phone, letter, email or in
//! person, and the CSV export. Inspectors and commissioners read; they record nothing.

use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_domain::complaints::{
    ComplaintStatus, ComplaintStep, EscalatedTo, Intake, NewComplaintDetails, Outcome, RawComplaint, RawStep, Step,
};
use candour_domain::percent::percent;
use candour_domain::{Action, LocationId, ProviderId, Resource, authorize};
use candour_store::{ComplaintRecord, LocationDetail, StoreError};
use chrono::{Duration, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{
    ComplaintFields, TimelineLine, complaint_href, form_errors, intake_resource, location_complaints_href,
    location_resource, lower_first, policy_text, read_form, record_resource, status_words, timeline, today,
};
use crate::auth::SignedIn;
use crate::download::csv_file;
use crate::error::{PageError, WebError, render};
use crate::forms::{ErrorLink, Field, FormErrors, RadioGroup, pairs, value};
use crate::pages::chrome::{Chrome, Crumb};
use crate::state::AppState;
use crate::views::{SelectOption, long_date, select};

// ---------------------------------------------------------------- dashboards

#[derive(Template)]
#[template(path = "complaints.html")]
struct DashboardPage {
    title: String,
    chrome: Chrome,
    name: String,
    show_location: bool,
    log_href: Option<String>,
    csv_href: Option<String>,
    policy: String,
    stats: Vec<(String, String)>,
    overdue_count: usize,
    filter_action: String,
    statuses: Vec<SelectOption>,
    caption: String,
    rows: Vec<Row>,
}

struct Row {
    href: String,
    reference: String,
    location: String,
    received: String,
    status: String,
    acknowledge_by: String,
    respond_by: String,
    overdue: Option<String>,
    /// The complaint raised a safeguarding alert.
    safeguarding: bool,
}

#[derive(Deserialize, Default)]
pub struct Filter {
    status: Option<String>,
}

fn status_filter(query: Result<Query<Filter>, QueryRejection>) -> Result<Option<ComplaintStatus>, WebError> {
    match query.ok().and_then(|q| q.0.status).filter(|s| !s.trim().is_empty()) {
        None => Ok(None),
        Some(s) => ComplaintStatus::parse(&s).map(Some).map_err(|_| {
            WebError::bad_request(
                "Choose a status from the list: received, acknowledged, investigating, response sent or closed",
            )
        }),
    }
}

/// What is overdue, in words (never colour alone).
fn overdue_text(r: &ComplaintRecord, today: NaiveDate) -> Option<String> {
    let late = r.overdue(today);
    match (late.acknowledgement, late.response) {
        (true, true) => Some("Overdue: acknowledgement and response".to_string()),
        (true, false) => Some("Overdue: acknowledgement".to_string()),
        (false, true) => Some("Overdue: response".to_string()),
        (false, false) => None,
    }
}

/// The counts above a dashboard: open, overdue, received in the last 12 months,
/// the share upheld and the share answered on time (of those received in them).
fn stats(all: &[ComplaintRecord], today: NaiveDate) -> Vec<(String, String)> {
    let year_ago = today - Duration::days(365);
    let recent: Vec<&ComplaintRecord> = all.iter().filter(|r| r.received_on > year_ago).collect();
    let open = all.iter().filter(|r| r.status != ComplaintStatus::Closed).count();
    let overdue = all.iter().filter(|r| overdue_text(r, today).is_some()).count();
    let decided: Vec<&&ComplaintRecord> = recent.iter().filter(|r| r.outcome.is_some()).collect();
    let upheld = decided.iter().filter(|r| matches!(r.outcome, Some(Outcome::Upheld | Outcome::PartlyUpheld))).count();
    let answered: Vec<bool> = recent.iter().filter_map(|r| r.answered_on_time()).collect();
    let on_time = answered.iter().filter(|t| **t).count();
    let share = |n: usize, of: usize, what: &str| {
        if of == 0 {
            format!("none {what} yet")
        } else {
            format!("{n} of {of} ({})", percent(n as f64 * 100.0 / of as f64))
        }
    };
    vec![
        (open.to_string(), "open".to_string()),
        (overdue.to_string(), "overdue".to_string()),
        (recent.len().to_string(), "received in the last 12 months".to_string()),
        (share(upheld, decided.len(), "decided"), "upheld or partly upheld".to_string()),
        (share(on_time, answered.len(), "answered"), "answered on time".to_string()),
    ]
}

#[allow(clippy::too_many_arguments)]
fn dashboard(
    chrome: Chrome,
    name: String,
    all: &[ComplaintRecord],
    status: Option<ComplaintStatus>,
    show_location: bool,
    filter_action: String,
    log_href: Option<String>,
    csv_href: Option<String>,
    policy: String,
) -> DashboardPage {
    let today = today();
    let shown: Vec<&ComplaintRecord> = all.iter().filter(|r| status.is_none_or(|s| r.status == s)).collect();
    let statuses = select(
        "Any status",
        ComplaintStatus::ALL.iter().map(|s| (s.code().to_string(), s.label().to_string())),
        status.map(|s| s.code()),
    );
    DashboardPage {
        title: format!("Complaints: {name}"),
        chrome,
        name,
        show_location,
        log_href,
        csv_href,
        policy,
        stats: stats(all, today),
        overdue_count: all.iter().filter(|r| overdue_text(r, today).is_some()).count(),
        filter_action,
        statuses,
        caption: match status {
            Some(s) => format!("{} {} complaints, latest received first", shown.len(), s.label().to_lowercase()),
            None => format!("{} complaints, latest received first", shown.len()),
        },
        rows: shown
            .iter()
            .map(|r| Row {
                href: complaint_href(r.id),
                reference: r.reference.clone(),
                location: r.location_name.clone(),
                received: long_date(r.received_on),
                status: r.status.label().to_string(),
                acknowledge_by: r.acknowledged_on.map_or_else(
                    || long_date(r.deadlines.acknowledge_by),
                    |on| format!("{} (done {})", long_date(r.deadlines.acknowledge_by), long_date(on)),
                ),
                respond_by: r.response_sent_on.map_or_else(
                    || long_date(r.deadlines.respond_by),
                    |on| format!("{} (sent {})", long_date(r.deadlines.respond_by), long_date(on)),
                ),
                overdue: overdue_text(r, today),
                safeguarding: r.alert.is_some(),
            })
            .collect(),
    }
}

fn location_chrome(who: &SignedIn, l: &candour_domain::Location, here: &str) -> Chrome {
    Chrome::with(
        who,
        vec![Crumb::new("Manage", "/manage"), Crumb::new(l.name.clone(), format!("/manage/locations/{}", l.id))],
        here,
    )
}

async fn location_detail(state: &AppState, who: &SignedIn, raw_id: &str) -> Result<LocationDetail, WebError> {
    let id = LocationId::parse(raw_id).map_err(|_| who.not_found())?;
    state.store.location(&id).await.map_err(who.store_error())
}

/// `GET /manage/locations/{id}/complaints?status=`
pub async fn location_dashboard(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    query: Result<Query<Filter>, QueryRejection>,
) -> Result<Response, PageError> {
    let detail = location_detail(&state, &who, &raw_id).await?;
    who.require(&state, Action::Read, location_resource(&detail)).await?;
    let status = status_filter(query)?;
    let l = &detail.location;
    who.caller.record(&state, "read", &format!("complaints:location:{}", l.id), None).await?;
    let all = state.store.complaints(std::slice::from_ref(&l.id), None).await.map_err(who.store_error())?;
    let can_log = authorize(who.principal(), Action::Write, intake_resource(&detail)).is_allowed();
    let page = dashboard(
        location_chrome(&who, l, "Complaints"),
        l.name.clone(),
        &all,
        status,
        false,
        location_complaints_href(&l.id),
        can_log.then(|| format!("{}/new", location_complaints_href(&l.id))),
        None,
        policy_text(state.config.complaint_policy),
    );
    Ok(render(StatusCode::OK, &page))
}

/// The provider's locations whose complaints the caller may read, or the normal 404.
async fn provider_locations(
    state: &AppState,
    who: &SignedIn,
    raw_id: &str,
) -> Result<(ProviderId, String, Vec<LocationId>), WebError> {
    let id = ProviderId::parse(raw_id).map_err(|_| who.not_found())?;
    let detail = state.store.provider(&id).await.map_err(who.store_error())?;
    let readable: Vec<LocationId> = detail
        .locations
        .iter()
        .filter(|l| {
            let resource =
                Resource::Complaints { location: &l.id, provider: &id, local_authority: l.local_authority.as_deref() };
            authorize(who.principal(), Action::Read, resource).is_allowed()
        })
        .map(|l| l.id.clone())
        .collect();
    if readable.is_empty() {
        let authorities: Vec<String> = detail.locations.iter().filter_map(|l| l.local_authority.clone()).collect();
        // Asked of the provider as a whole, so that the refusal is audited like any other.
        let resource = Resource::Provider { id: &id, local_authorities: &authorities };
        who.require(state, Action::Write, resource).await?;
        return Err(who.not_found());
    }
    Ok((id, detail.provider.name, readable))
}

/// `GET /manage/providers/{id}/complaints?status=`
pub async fn provider_dashboard(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    query: Result<Query<Filter>, QueryRejection>,
) -> Result<Response, PageError> {
    let (id, name, locations) = provider_locations(&state, &who, &raw_id).await?;
    let status = status_filter(query)?;
    who.caller.record(&state, "read", &format!("complaints:provider:{id}"), None).await?;
    let all = state.store.complaints(&locations, None).await.map_err(who.store_error())?;
    let chrome = Chrome::with(
        &who,
        vec![Crumb::new("Manage", "/manage"), Crumb::new(name.clone(), format!("/manage/providers/{id}"))],
        "Complaints",
    );
    let page = dashboard(
        chrome,
        name,
        &all,
        status,
        true,
        format!("/manage/providers/{id}/complaints"),
        None,
        Some(format!("/manage/providers/{id}/complaints.csv")),
        policy_text(state.config.complaint_policy),
    );
    Ok(render(StatusCode::OK, &page))
}

/// `GET /manage/providers/{id}/complaints.csv`: every complaint the caller may
/// read, one row each, without the complainant's name or contact details or
/// what they wrote.
pub async fn provider_csv(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let (id, _, locations) = provider_locations(&state, &who, &raw_id).await?;
    let all = state.store.complaints(&locations, None).await.map_err(who.store_error())?;
    who.caller
        .record(&state, "export", &format!("complaints:provider:{id}"), Some(&format!("csv: {} rows", all.len())))
        .await?;
    let body = csv(&all, today()).map_err(|e| {
        tracing::error!(error = %e, "the complaints CSV could not be written");
        WebError::Internal
    })?;
    Ok(csv_file(&format!("complaints-{id}.csv"), body)?)
}

fn csv(all: &[ComplaintRecord], today: NaiveDate) -> Result<String, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record([
        "reference",
        "location_id",
        "location_name",
        "received_on",
        "channel",
        "raised_by",
        "status",
        "acknowledge_within_working_days",
        "respond_within_working_days",
        "acknowledge_by",
        "acknowledged_on",
        "respond_by",
        "agreed_response_by",
        "response_sent_on",
        "answered_on_time",
        "closed_on",
        "outcome",
        "overdue",
        "escalations",
        "safeguarding_alert",
    ])?;
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    for r in all {
        let escalations: Vec<String> = r
            .escalations
            .iter()
            .map(|e| format!("{} {}{}", e.to.code(), e.on, e.result.as_ref().map_or("", |_| " (result recorded)")))
            .collect();
        out.write_record([
            r.reference.clone(),
            r.location_id.to_string(),
            r.location_name.clone(),
            r.received_on.to_string(),
            r.channel.code().to_string(),
            r.relationship.code().to_string(),
            r.status.code().to_string(),
            r.policy.acknowledge_within.to_string(),
            r.policy.respond_within.to_string(),
            r.deadlines.acknowledge_by.to_string(),
            date(r.acknowledged_on),
            r.deadlines.respond_by.to_string(),
            date(r.agreed_response_by),
            date(r.response_sent_on),
            r.answered_on_time().map_or(String::new(), |t| if t { "yes".into() } else { "no".into() }),
            date(r.closed_on),
            r.outcome.map_or(String::new(), |o| o.code().to_string()),
            overdue_text(r, today).map_or("no".to_string(), |_| "yes".to_string()),
            escalations.join("; "),
            r.alert.as_ref().map_or(String::new(), |a| format!("level {}", a.level.level())),
        ])?;
    }
    let bytes = out.into_inner().map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

// ---------------------------------------------------------------- logging one

#[derive(Template)]
#[template(path = "complaint_log.html")]
struct LogPage {
    title: String,
    chrome: Chrome,
    errors: Vec<ErrorLink>,
    name: String,
    action: String,
    back_href: String,
    key: String,
    fields: ComplaintFields,
    policy: String,
}

async fn loggable(state: &AppState, who: &SignedIn, raw_id: &str) -> Result<LocationDetail, WebError> {
    let detail = location_detail(state, who, raw_id).await?;
    who.require(state, Action::Write, intake_resource(&detail)).await?;
    Ok(detail)
}

fn log_page(
    state: &AppState,
    who: &SignedIn,
    detail: &LocationDetail,
    raw: &RawComplaint,
    errors: &FormErrors,
    key: &str,
) -> LogPage {
    let l = &detail.location;
    let can_read = authorize(who.principal(), Action::Read, location_resource(detail)).is_allowed();
    LogPage {
        title: errors.title("Log a complaint"),
        chrome: location_chrome(who, l, "Log a complaint"),
        errors: errors.links(),
        name: l.name.clone(),
        action: format!("{}/new", location_complaints_href(&l.id)),
        back_href: if can_read { location_complaints_href(&l.id) } else { format!("/manage/locations/{}", l.id) },
        key: key.to_string(),
        fields: ComplaintFields::new(raw, errors, true),
        policy: policy_text(state.config.complaint_policy),
    }
}

/// `GET /manage/locations/{id}/complaints/new`
pub async fn log_form(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let detail = loggable(&state, &who, &raw_id).await?;
    let raw = RawComplaint { received_on: today().to_string(), ..RawComplaint::default() };
    let key = candour_voice::new_submission_key();
    Ok(render(StatusCode::OK, &log_page(&state, &who, &detail, &raw, &FormErrors::default(), &key)))
}

/// `POST /manage/locations/{id}/complaints/new`: kept, then to the page with its
/// follow link to give the person (303); or the form again with its problems.
pub async fn log_submit(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let detail = loggable(&state, &who, &raw_id).await?;
    let form = pairs(&body);
    let key = value(&form, "key").to_string();
    super::public::follow_hash(&key)
        .map_err(|_| WebError::bad_request("This form could not be read. Go back, reload the page and try again."))?;
    let raw = read_form(&form);
    let details = match NewComplaintDetails::parse(&raw, Intake::Logged, today()) {
        Ok(details) => details,
        Err(problems) => {
            let page = log_page(&state, &who, &detail, &raw, &form_errors(&problems, ""), &key);
            return Ok(render(StatusCode::BAD_REQUEST, &page));
        }
    };
    log(&state, &who.caller, &detail, details, &key).await?;
    Ok(Redirect::to(&format!("{}/sent", super::follow_href(&key))).into_response())
}

/// Keeps a complaint logged by a member of staff (or through the API), audited.
pub async fn log(
    state: &AppState,
    caller: &crate::auth::Caller,
    detail: &LocationDetail,
    details: NewComplaintDetails,
    secret: &str,
) -> Result<candour_store::ComplaintReceipt, WebError> {
    let new = super::public::new_complaint(state, detail, details, secret, Some(caller.principal.user_id)).await?;
    let receipt = super::public::keep(state, new).await?;
    let about = format!("location:{}", detail.location.id);
    caller.record(state, "complaint_logged", &format!("complaint:{}", receipt.id), Some(&about)).await?;
    Ok(receipt)
}

// ---------------------------------------------------------------- one complaint

#[derive(Template)]
#[template(path = "complaint.html")]
struct ComplaintPage {
    title: String,
    chrome: Chrome,
    errors: Vec<ErrorLink>,
    notice: Option<String>,
    reference: String,
    name: String,
    status: String,
    overdue: Option<String>,
    alert: Option<String>,
    rows: Vec<(String, String)>,
    what_happened: String,
    desired_outcome: String,
    response: Option<String>,
    learned: Option<String>,
    escalations: Vec<String>,
    timeline: Vec<TimelineLine>,
    forms: Vec<StepForm>,
    can_write: bool,
    back_href: String,
}

pub struct StepForm {
    pub code: &'static str,
    pub heading: &'static str,
    pub hint: &'static str,
    pub submit: &'static str,
    pub action: String,
    pub inputs: Vec<StepInput>,
}

pub enum StepInput {
    Line(Field),
    Area(Field),
    Choice(RadioGroup),
}

/// Loads a complaint the caller may act on in this way, or the normal 404.
async fn allowed(state: &AppState, who: &SignedIn, raw_id: &str, action: Action) -> Result<ComplaintRecord, WebError> {
    let id: i64 = raw_id.parse().map_err(|_| who.not_found())?;
    let record = state.store.complaint(id).await.map_err(who.store_error())?;
    who.require(state, action, record_resource(&record)).await?;
    Ok(record)
}

/// `GET /manage/complaints/{id}`
pub async fn show(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    query: Query<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let record = allowed(&state, &who, &raw_id, Action::Read).await?;
    who.caller.record(&state, "read", &format!("complaint:{}", record.id), None).await?;
    let notice =
        query.0.iter().find(|(k, _)| k == "done").and_then(|(_, v)| step_label(v)).map(|l| format!("Saved: {l}"));
    let page = complaint_page(&who, &record, &FormErrors::default(), None, &[], notice);
    Ok(render(StatusCode::OK, &page))
}

fn step_label(code: &str) -> Option<&'static str> {
    candour_domain::complaints::steps::STEP_CODES.iter().find(|(c, _)| *c == code).map(|(_, l)| *l)
}

/// `POST /manage/complaints/{id}/steps`: the step taken and back to the
/// complaint (303); its problems beside its fields (400); or why it cannot be
/// taken now (409).
pub async fn step(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let record = allowed(&state, &who, &raw_id, Action::Write).await?;
    let form = pairs(&body);
    let raw = read_step(&form);
    let code = raw.step.clone();
    let step = match ComplaintStep::parse(&raw, today()) {
        Ok(step) => step,
        Err(problems) => {
            let errors = form_errors(&problems, &format!("{code}-"));
            let page = complaint_page(&who, &record, &errors, None, &form, None);
            return Ok(render(StatusCode::BAD_REQUEST, &page));
        }
    };
    match take(&state, &who.caller, &record, &step).await {
        Ok(_) => Ok(Redirect::to(&format!("{}?done={}", complaint_href(record.id), step.code())).into_response()),
        Err(Taken::Refused(message)) => {
            let page = complaint_page(&who, &record, &FormErrors::default(), Some(message), &form, None);
            Ok(render(StatusCode::CONFLICT, &page))
        }
        Err(Taken::Failed(e)) => Err(e.into()),
    }
}

pub enum Taken {
    Refused(String),
    Failed(WebError),
}

/// Takes a step on a complaint the caller may write to, audited.
pub async fn take(
    state: &AppState,
    caller: &crate::auth::Caller,
    record: &ComplaintRecord,
    step: &ComplaintStep,
) -> Result<ComplaintRecord, Taken> {
    let result = state.store.take_complaint_step(record.id, step, Some(caller.principal.user_id), Utc::now()).await;
    match result {
        Ok(updated) => {
            caller
                .record(state, "complaint_step", &format!("complaint:{}", record.id), Some(step.code()))
                .await
                .map_err(Taken::Failed)?;
            Ok(updated)
        }
        Err(StoreError::Conflict(message)) => Err(Taken::Refused(message)),
        Err(e) => Err(Taken::Failed(WebError::from_store(e, String::new))),
    }
}

/// A step form's fields, each input named `{step}-{field}`.
fn read_step(form: &[(String, String)]) -> RawStep {
    let step = value(form, "step").to_string();
    let field = |name: &str| {
        let key = format!("{step}-{name}");
        form.iter().find(|(k, _)| *k == key).map_or(String::new(), |(_, v)| v.trim().to_string())
    };
    RawStep {
        on: field("on"),
        agreed_by: field("agreed_by"),
        response: field("response"),
        outcome: field("outcome"),
        learned: field("learned"),
        escalated_to: field("escalated_to"),
        reference: field("reference"),
        escalation: field("escalation"),
        result: field("result"),
        step,
    }
}

fn complaint_page(
    who: &SignedIn,
    r: &ComplaintRecord,
    errors: &FormErrors,
    refused: Option<String>,
    form: &[(String, String)],
    notice: Option<String>,
) -> ComplaintPage {
    let can_write = authorize(who.principal(), Action::Write, record_resource(r)).is_allowed();
    let mut links = errors.links();
    if let Some(message) = refused {
        links.insert(0, ErrorLink { href: "#steps".to_string(), message });
    }
    let contact = &r.contact;
    let mut rows = vec![
        ("Service".to_string(), r.location_name.clone()),
        ("Received".to_string(), format!("{} ({})", long_date(r.received_on), r.channel.label().to_lowercase())),
        ("Raised by".to_string(), format!("{}, {}", contact.name, r.relationship.described().to_lowercase())),
        ("Email".to_string(), contact.email.as_ref().map_or("Not given".to_string(), |e| e.to_string())),
        ("Phone".to_string(), contact.phone.clone().unwrap_or_else(|| "Not given".to_string())),
        ("Acknowledge by".to_string(), done(r.deadlines.acknowledge_by, r.acknowledged_on, "acknowledged")),
        (
            "Respond by".to_string(),
            format!(
                "{}{}",
                done(r.deadlines.respond_by, r.response_sent_on, "sent"),
                if r.agreed_response_by.is_some() { ", agreed with the complainant" } else { "" }
            ),
        ),
        (
            "Deadlines set by".to_string(),
            format!("the complaints policy in force when it was received: {}", policy_text(r.policy)),
        ),
    ];
    if let Some(on) = r.investigating_on {
        rows.push(("Investigation started".to_string(), long_date(on)));
    }
    if let (Some(on), Some(outcome)) = (r.closed_on, r.outcome) {
        rows.push(("Closed".to_string(), format!("{}: {}", long_date(on), outcome.label().to_lowercase())));
    }
    let escalations = r
        .escalations
        .iter()
        .map(|e| {
            let reference =
                if e.reference.is_empty() { String::new() } else { format!(" (reference {})", e.reference) };
            let result = match (&e.result, e.result_on) {
                (Some(text), Some(on)) => format!(". Result on {}: {text}", long_date(on)),
                _ => ". No result recorded yet".to_string(),
            };
            format!("To {} on {}{reference}{result}", lower_first(e.to.label()), long_date(e.on))
        })
        .collect();
    let title = format!("Complaint {}", r.reference);
    ComplaintPage {
        title: if links.is_empty() { title.clone() } else { format!("Error: {title}") },
        chrome: Chrome::with(
            who,
            vec![
                Crumb::new("Manage", "/manage"),
                Crumb::new(r.location_name.clone(), format!("/manage/locations/{}", r.location_id)),
                Crumb::new("Complaints", location_complaints_href(&r.location_id)),
            ],
            title.clone(),
        ),
        errors: links,
        notice,
        reference: r.reference.clone(),
        name: r.location_name.clone(),
        status: status_words(r),
        overdue: overdue_text(r, today()),
        alert: r.alert.as_ref().map(|a| format!("Safeguarding alert raised, level {}: {}", a.level.level(), a.reason)),
        rows,
        what_happened: r.what_happened.clone(),
        desired_outcome: r.desired_outcome.clone(),
        response: r.response.clone(),
        learned: r.learned.clone(),
        escalations,
        timeline: timeline(r),
        forms: if can_write { step_forms(r, errors, form) } else { Vec::new() },
        can_write,
        back_href: location_complaints_href(&r.location_id),
    }
}

/// "5 March 2026 (acknowledged 4 March 2026)".
fn done(due: NaiveDate, on: Option<NaiveDate>, what: &str) -> String {
    match on {
        Some(on) => format!("{} ({what} {})", long_date(due), long_date(on)),
        None => long_date(due),
    }
}

/// A form for each step allowed now, filled with what was sent when it failed.
fn step_forms(r: &ComplaintRecord, errors: &FormErrors, form: &[(String, String)]) -> Vec<StepForm> {
    let today = today().to_string();
    let action = format!("{}/steps", complaint_href(r.id));
    let sent =
        |id: &str, default: &str| form.iter().find(|(k, _)| k == id).map_or(default.to_string(), |(_, v)| v.clone());
    let date = |code: &str, name: &str, label: &str, hint: &'static str| {
        let id = format!("{code}-{name}");
        StepInput::Line(Field::new(id.clone(), label, "date", "off").hint(hint).value(sent(&id, &today)).errors(errors))
    };
    let area = |code: &str, name: &str, label: &str, hint: &'static str| {
        let id = format!("{code}-{name}");
        StepInput::Area(Field::new(id.clone(), label, "text", "off").hint(hint).value(sent(&id, "")).errors(errors))
    };
    let line = |code: &str, name: &str, label: &str, hint: &'static str| {
        let id = format!("{code}-{name}");
        StepInput::Line(Field::new(id.clone(), label, "text", "off").hint(hint).value(sent(&id, "")).errors(errors))
    };
    let choice = |code: &str, name: &str, legend: &str, choices: Vec<(String, String, Option<String>)>| {
        let id = format!("{code}-{name}");
        StepInput::Choice(RadioGroup::new(id.clone(), id.clone(), legend, choices, &sent(&id, ""), errors))
    };
    let form = |code: &'static str, heading, hint, submit, inputs| StepForm {
        code,
        heading,
        hint,
        submit,
        action: action.clone(),
        inputs,
    };
    let mut forms = Vec::new();
    let can = |step: Step| r.status.after(step).is_ok();
    if can(Step::Acknowledge) {
        forms.push(form(
            "acknowledge",
            "Acknowledge the complaint",
            "Record the day you told the person you have received it.",
            "Record the acknowledgement",
            vec![date("acknowledge", "on", "Date acknowledged", "Today or in the past.")],
        ));
    }
    if can(Step::Investigate) {
        forms.push(form(
            "investigate",
            "Start investigating",
            "For a complaint that needs looking into before you answer. A simple one can be answered straight away.",
            "Record the start of the investigation",
            vec![date("investigate", "on", "Date the investigation started", "Today or in the past.")],
        ));
    }
    if can(Step::SendResponse) {
        forms.push(form(
            "send_response",
            "Send the response",
            "The person who raised the complaint reads this response through their private link.",
            "Record the response",
            vec![
                area(
                    "send_response",
                    "response",
                    "The response",
                    "What you found, what you will do, and an apology where one is due.",
                ),
                date("send_response", "on", "Date sent", "Today or in the past."),
            ],
        ));
    }
    if !matches!(r.status, ComplaintStatus::ResponseSent | ComplaintStatus::Closed) {
        forms.push(form(
            "agree_response_date",
            "Agree a response date with the complainant",
            "When the person agrees to a later date than the policy's, it replaces the response deadline.",
            "Record the agreed date",
            vec![date("agree_response_date", "agreed_by", "Agreed response date", "After the day it was received.")],
        ));
    }
    if can(Step::Close) {
        forms.push(form(
            "close",
            "Close the complaint",
            "Record the outcome and what the service has learned.",
            "Close the complaint",
            vec![
                choice(
                    "close",
                    "outcome",
                    "Outcome",
                    Outcome::ALL.iter().map(|o| (o.code().to_string(), o.label().to_string(), None)).collect(),
                ),
                area("close", "learned", "What was learned", "What will change as a result, or why nothing needs to."),
                date("close", "on", "Date closed", "Today or in the past."),
            ],
        ));
    }
    forms.push(form(
        "escalate",
        "Record an escalation",
        "When the person takes the complaint to the local authority or the ombudsman.",
        "Record the escalation",
        vec![
            choice(
                "escalate",
                "escalated_to",
                "Escalated to",
                EscalatedTo::ALL.iter().map(|e| (e.code().to_string(), e.label().to_string(), None)).collect(),
            ),
            date("escalate", "on", "Date escalated", "Today or in the past."),
            line(
                "escalate",
                "reference",
                "Their reference (optional)",
                "As given by the local authority or the ombudsman.",
            ),
        ],
    ));
    let open: Vec<(String, String, Option<String>)> = r
        .escalations
        .iter()
        .filter(|e| e.result.is_none())
        .map(|e| (e.id.to_string(), format!("To {} on {}", lower_first(e.to.label()), long_date(e.on)), None))
        .collect();
    if !open.is_empty() {
        forms.push(form(
            "escalation_result",
            "Record the result of an escalation",
            "What the local authority or the ombudsman decided.",
            "Record the result",
            vec![
                choice("escalation_result", "escalation", "Which escalation", open),
                area("escalation_result", "result", "Result", "Their decision, in short."),
                date("escalation_result", "on", "Date of the result", "Today or in the past."),
            ],
        ));
    }
    forms
}

// ---------------------------------------------------------------- JSON

/// A complaint in a list: its status, deadlines and what is overdue.
pub fn complaint_summary_json(r: &ComplaintRecord, today: NaiveDate) -> Value {
    let late = r.overdue(today);
    json!({
        "id": r.id,
        "reference": r.reference,
        "location_id": r.location_id,
        "status": r.status,
        "received_on": r.received_on,
        "channel": r.channel,
        "acknowledge_by": r.deadlines.acknowledge_by,
        "acknowledged_on": r.acknowledged_on,
        "respond_by": r.deadlines.respond_by,
        "agreed_response_by": r.agreed_response_by,
        "response_sent_on": r.response_sent_on,
        "closed_on": r.closed_on,
        "outcome": r.outcome,
        "overdue": { "acknowledgement": late.acknowledgement, "response": late.response },
        "policy": r.policy,
    })
}

/// A complaint in full.
pub fn complaint_json(r: &ComplaintRecord, today: NaiveDate) -> Value {
    let mut value = serde_json::to_value(r).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        let late = r.overdue(today);
        map.insert("overdue".into(), json!({ "acknowledgement": late.acknowledgement, "response": late.response }));
    }
    value
}
