//! Visits by experts by experience. Experts see the services they are asked to
//! visit, write the report and send it; the provider's administrators challenge its
//! facts in the window; the expert (or an inspector) decides and publishes; the
//! public page shows what people with lived experience found. Inspectors ask
//! experts to visit. Every step is one call on the application's visits service.

mod report;

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use candour_app::accounts::{AccountError, ExpertAsked};
use candour_app::assessments::{AssessmentsError, Saved};
use candour_app::visits::OpenedVisit;
use candour_domain::visit::VisitPart;
use candour_domain::{Action, AssessmentStatus, ChallengeStatus, Email, Resource, authorize};
use chrono::Utc;

use self::report::{PartForm, ReportView, part_forms};
pub use self::report::{StatementEvidence, VisitSummary, evidence_by_statement};
use crate::auth::SignedIn;
use crate::error::{PageError, WebError, render};
use crate::forms::{ErrorLink, pairs, value};
use crate::pages::assessments::{links, refused_step};
use crate::pages::chrome::{Chrome, Crumb, date_time};
use crate::state::AppState;
use crate::views::{SelectOption, long_date};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/visits", get(list).post(start))
        .route("/visits/experts", post(ask_expert))
        .route("/visits/{id}", get(show))
        .route("/visits/{id}/report", post(save))
        .route("/visits/{id}/send", post(send))
        .route("/visits/{id}/challenges", post(raise_challenge))
        .route("/visits/{id}/challenges/{challenge}", post(decide_challenge))
        .route("/visits/{id}/no-more-challenges", post(finish_challenges))
        .route("/visits/{id}/publish", post(publish))
        .route("/locations/{id}/visits/{visit}", get(public))
}

// ---------------------------------------------------------------- the list

#[derive(Template)]
#[template(path = "visits/list.html")]
struct ListPage {
    title: String,
    chrome: Chrome,
    errors: Vec<ErrorLink>,
    notice: Option<String>,
    visits: Vec<ListLine>,
    /// The services an expert may start a visit at.
    to_visit: Vec<SelectOption>,
    /// The actor asks experts to visit (an inspector).
    asks_experts: bool,
    ask: AskForm,
}

struct ListLine {
    href: String,
    location: String,
    status: &'static str,
    visited: String,
}

#[derive(Default)]
struct AskForm {
    name: String,
    email: String,
    location: String,
}

fn status_label(status: AssessmentStatus) -> &'static str {
    match status {
        AssessmentStatus::Draft => "Draft",
        AssessmentStatus::Sent => "With the provider",
        AssessmentStatus::Published => "Published",
    }
}

async fn list_page(
    state: &AppState,
    who: &SignedIn,
    errors: Vec<ErrorLink>,
    notice: Option<String>,
    ask: AskForm,
) -> Result<ListPage, WebError> {
    let actor = who.actor();
    let lines = state.app.visits.list(&actor).await.map_err(|e| WebError::from_store(e, String::new))?;
    let to_visit =
        state.app.visits.locations_to_visit(&actor).await.map_err(|e| WebError::from_store(e, String::new))?;
    let title = if errors.is_empty() {
        "Visits by experts by experience".to_string()
    } else {
        "Error: Visits by experts by experience".to_string()
    };
    Ok(ListPage {
        title,
        chrome: Chrome::with(who, vec![Crumb::new("Manage", "/manage")], "Visits by experts by experience"),
        errors,
        notice,
        visits: lines
            .into_iter()
            .map(|l| ListLine {
                href: format!("/visits/{}", l.visit.id),
                location: l.location_name,
                status: status_label(l.visit.status),
                visited: l.visit.report.visited_on.map(long_date).unwrap_or_else(|| "Not yet".into()),
            })
            .collect(),
        to_visit: to_visit.into_iter().map(|(id, name)| SelectOption::new(id.to_string(), name, None)).collect(),
        asks_experts: authorize(who.principal(), Action::Write, Resource::ExpertAccounts).is_allowed(),
        ask,
    })
}

/// `GET /visits`
pub async fn list(State(state): State<AppState>, who: SignedIn) -> Result<Response, PageError> {
    Ok(render(StatusCode::OK, &list_page(&state, &who, Vec::new(), None, AskForm::default()).await?))
}

/// `POST /visits`: an expert starts a visit to one of the services they are asked to visit.
pub async fn start(State(state): State<AppState>, who: SignedIn, body: Bytes) -> Result<Response, PageError> {
    let form = pairs(&body);
    let id =
        state.app.visits.open(&who.actor(), value(&form, "location"), Utc::now()).await.map_err(|e| who.fail(e))?;
    Ok(back_to(id, "report"))
}

/// `POST /visits/experts`: an inspector asks an expert by experience to visit a service.
pub async fn ask_expert(State(state): State<AppState>, who: SignedIn, body: Bytes) -> Result<Response, PageError> {
    let form = pairs(&body);
    let ask = AskForm {
        name: value(&form, "name").to_string(),
        email: value(&form, "email").to_string(),
        location: value(&form, "location").to_string(),
    };
    let mut errors = Vec::new();
    let mut problem =
        |field: &str, message: &str| errors.push(ErrorLink { href: format!("#{field}"), message: message.to_string() });
    if ask.name.is_empty() {
        problem("name", "Enter the expert's name");
    }
    let email = Email::parse(&ask.email);
    if email.is_err() {
        problem("email", "Enter an email address in the correct format, like name@example.org");
    }
    let location = candour_domain::LocationId::parse(&ask.location);
    if location.is_err() {
        problem("location", "Enter the location ID of the service to visit, like 1-545611283");
    }
    let (Ok(email), Ok(location), true) = (email, location, errors.is_empty()) else {
        return Ok(render(StatusCode::BAD_REQUEST, &list_page(&state, &who, errors, None, ask).await?));
    };
    match state.app.accounts.ask_expert(&who.actor(), email, &ask.name, location.clone()).await {
        Ok(asked) => {
            let notice = match asked {
                ExpertAsked::Invited(_) => {
                    format!("{} is invited to visit {location}. The invitation is in the outbox.", ask.name)
                }
                ExpertAsked::Added(user) => format!("{} may now visit {location} too.", user.name),
            };
            Ok(render(StatusCode::OK, &list_page(&state, &who, Vec::new(), Some(notice), AskForm::default()).await?))
        }
        Err(AccountError::Invalid(message)) => {
            let field = match message.as_str() {
                m if m.contains("register") => "location",
                m if m.contains("name") && !m.contains("address") => "name",
                _ => "email",
            };
            let errors = vec![ErrorLink { href: format!("#{field}"), message }];
            Ok(render(StatusCode::BAD_REQUEST, &list_page(&state, &who, errors, None, ask).await?))
        }
        Err(err) => Err(who.fail(err).into()),
    }
}

// ---------------------------------------------------------------- one visit

#[derive(Template)]
#[template(path = "visits/visit.html")]
struct VisitPage {
    title: String,
    chrome: Chrome,
    errors: Vec<ErrorLink>,
    action: String,
    location_name: String,
    status: &'static str,
    window: String,
    /// The report as written, when it is not being edited whole.
    report: Option<ReportView>,
    /// The forms that may change the report now: the whole report in a draft; once
    /// sent, one for each part an accepted challenge reopened.
    forms: Vec<PartForm>,
    can_send: bool,
    window_days: u64,
    challenges: Vec<ChallengeLine>,
    corrections: Vec<String>,
    may_decide: bool,
    can_challenge: bool,
    parts: Vec<SelectOption>,
    can_finish: bool,
    finished: Option<String>,
    can_publish: bool,
    publish_wait: Option<String>,
    public_href: Option<String>,
}

struct ChallengeLine {
    id: i64,
    part: String,
    text: String,
    raised: String,
    status: &'static str,
    decision: Option<String>,
    open: bool,
}

fn part_name(code: &str) -> String {
    VisitPart::all().into_iter().find(|(p, _)| p.code() == code).map_or_else(|| code.to_string(), |(_, name)| name)
}

/// The page, with the report's forms filled from `form` (what was sent, after a
/// refusal) or from the report as recorded.
fn visit_page(
    who: &SignedIn,
    opened: &OpenedVisit,
    errors: Vec<ErrorLink>,
    form: Option<&[(String, String)]>,
) -> VisitPage {
    let visit = &opened.visit;
    let today = Utc::now().date_naive();
    let lifecycle = visit.lifecycle();
    let draft = visit.status == AssessmentStatus::Draft;
    let recorded = visit.report.to_form();
    let values = form.unwrap_or(&recorded);
    let forms = if opened.may_write { part_forms(&lifecycle, values, &errors) } else { Vec::new() };
    let titled = |title: &str| if errors.is_empty() { title.to_string() } else { format!("Error: {title}") };
    let window = match (visit.status, visit.window_ends) {
        (AssessmentStatus::Sent, Some(end)) if lifecycle.window_open(today) => {
            format!("The provider may challenge its facts until the end of {}.", long_date(end))
        }
        (AssessmentStatus::Sent, _) => "The challenge window has ended.".to_string(),
        (AssessmentStatus::Draft, _) => "Only the experts and inspectors see a draft.".to_string(),
        (AssessmentStatus::Published, _) => String::new(),
    };
    let title = format!("Visit to {}", opened.location.location.name);
    VisitPage {
        title: titled(&title),
        chrome: Chrome::with(who, vec![Crumb::new("Visits", "/visits")], title),
        errors,
        action: format!("/visits/{}", visit.id),
        location_name: opened.location.location.name.clone(),
        status: status_label(visit.status),
        window,
        report: (!draft || !opened.may_write).then(|| ReportView::of(&visit.report)),
        forms,
        can_send: draft && opened.may_write,
        window_days: candour_app::assessments::DEFAULT_WINDOW_DAYS,
        challenges: visit
            .challenges
            .iter()
            .map(|c| ChallengeLine {
                id: c.id,
                part: part_name(&c.finding),
                text: c.text.clone(),
                raised: date_time(c.raised_at),
                status: match c.status {
                    ChallengeStatus::Open => "Open",
                    ChallengeStatus::Accepted => "Accepted",
                    ChallengeStatus::Rejected => "Rejected",
                },
                decision: c.decision_reason.clone(),
                open: c.status == ChallengeStatus::Open,
            })
            .collect(),
        corrections: visit
            .corrections
            .iter()
            .map(|c| {
                format!(
                    "{} changed from “{}” to “{}” after challenge {} was accepted, {}",
                    part_name(&c.finding),
                    c.before,
                    c.after,
                    c.challenge_id,
                    date_time(c.corrected_at)
                )
            })
            .collect(),
        may_decide: opened.may_write && visit.status == AssessmentStatus::Sent,
        can_challenge: opened.may_challenge && lifecycle.window_open(today),
        parts: VisitPart::all().into_iter().map(|(p, name)| SelectOption::new(p.code(), name, None)).collect(),
        can_finish: opened.may_challenge && lifecycle.may_finish_challenges(today).is_ok(),
        finished: visit
            .challenges_finished_at
            .map(|at| format!("The provider said it had no more challenges, {}.", date_time(at))),
        can_publish: opened.may_write && visit.status == AssessmentStatus::Sent,
        publish_wait: lifecycle.may_publish(today).err().map(|r| r.0),
        public_href: visit.published_on.map(|_| format!("/locations/{}/visits/{}", visit.location_id, visit.id)),
    }
}

fn back_to(id: i64, anchor: &str) -> Response {
    Redirect::to(&format!("/visits/{id}#{anchor}")).into_response()
}

/// Where a step goes: back to its part of the page, or the page again with why it
/// was refused (bad input as 400, the workflow's order as 409), keeping what was typed.
async fn after(
    state: &AppState,
    who: &SignedIn,
    raw_id: &str,
    step: Result<Saved, AssessmentsError>,
    form: Option<&[(String, String)]>,
) -> Result<Response, PageError> {
    let (status, problems) = match step {
        Ok(saved) => return Ok(back_to(saved.id, saved.anchor)),
        Err(e) => refused_step(e).map_err(|e| who.fail(e))?,
    };
    let opened = state.app.visits.visit(&who.actor(), raw_id).await.map_err(|e| who.fail(e))?;
    Ok(render(status, &visit_page(who, &opened, links(problems), form)))
}

/// `GET /visits/{id}`
pub async fn show(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let opened = state.app.visits.visit(&who.actor(), &raw_id).await.map_err(|e| who.fail(e))?;
    Ok(render(StatusCode::OK, &visit_page(&who, &opened, Vec::new(), None)))
}

/// `POST /visits/{id}/report`: the whole report in a draft, or one reopened part.
pub async fn save(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = pairs(&body);
    let step = state.app.visits.save(&who.actor(), &raw_id, &form, Utc::now()).await;
    after(&state, &who, &raw_id, step, Some(&form)).await
}

/// `POST /visits/{id}/send`: to the provider, with the challenge window.
pub async fn send(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = pairs(&body);
    let step = state.app.visits.send(&who.actor(), &raw_id, value(&form, "window_days"), Utc::now()).await;
    after(&state, &who, &raw_id, step, None).await
}

/// `POST /visits/{id}/challenges`: the provider challenges a part of the report.
pub async fn raise_challenge(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = pairs(&body);
    let (part, text) = (value(&form, "part"), value(&form, "text"));
    let step = state.app.visits.raise_challenge(&who.actor(), &raw_id, part, text, Utc::now()).await;
    after(&state, &who, &raw_id, step, None).await
}

/// `POST /visits/{id}/challenges/{challenge}`: the expert or an inspector decides it.
pub async fn decide_challenge(
    State(state): State<AppState>,
    who: SignedIn,
    Path((raw_id, challenge)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = pairs(&body);
    let (decision, reason) = (value(&form, "decision"), value(&form, "reason"));
    let step = state.app.visits.decide_challenge(&who.actor(), &raw_id, &challenge, decision, reason, Utc::now()).await;
    after(&state, &who, &raw_id, step, None).await
}

/// `POST /visits/{id}/no-more-challenges`
pub async fn finish_challenges(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let step = state.app.visits.finish_challenges(&who.actor(), &raw_id, Utc::now()).await;
    after(&state, &who, &raw_id, step, None).await
}

/// `POST /visits/{id}/publish`
pub async fn publish(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let step = state.app.visits.publish(&who.actor(), &raw_id, Utc::now()).await;
    after(&state, &who, &raw_id, step, None).await
}

// ---------------------------------------------------------------- the public page

#[derive(Template)]
#[template(path = "visits/public.html")]
struct PublicPage {
    title: String,
    location_name: String,
    location_href: String,
    published: String,
    challenged: String,
    report: ReportView,
}

/// `GET /locations/{id}/visits/{visit}`: a published visit, for everyone.
pub async fn public(
    State(state): State<AppState>,
    Path((location, raw_id)): Path<(String, String)>,
    uri: axum::http::Uri,
) -> Result<Response, PageError> {
    let (visit, detail) = state
        .app
        .visits
        .published_visit(&location, &raw_id)
        .await
        .map_err(|e| WebError::from_area(&e, || crate::auth::not_found_at(uri.path())))?;
    let accepted = visit.challenges.iter().filter(|c| c.status == ChallengeStatus::Accepted).count();
    let challenged = match visit.challenges.len() {
        0 => "The provider raised no factual-accuracy challenges.".to_string(),
        1 => format!("The provider raised 1 factual-accuracy challenge; {accepted} led to a correction."),
        n => format!("The provider raised {n} factual-accuracy challenges; {accepted} led to a correction."),
    };
    let page = PublicPage {
        title: format!("What people with lived experience found at {}", detail.location.name),
        location_name: detail.location.name.clone(),
        location_href: format!("/locations/{}", detail.location.id),
        published: visit.published_on.map(long_date).unwrap_or_default(),
        challenged,
        report: ReportView::of(&visit.report),
    };
    Ok(render(StatusCode::OK, &page))
}
