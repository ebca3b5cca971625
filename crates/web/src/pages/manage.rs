//! The private workspaces: `/manage` (links to everything the principal may
//! reach, found by asking the policy), a provider's, a location's and a local
//! authority's. Each handler loads the tenancy facts, asks the policy, records
//! the read, then renders. Their JSON API is in [`api`].

pub mod api;

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use candour_app::accounts::AccountError;
use candour_app::workspaces::{
    AreaComplaints, AreaPlan, AreaWorkspace, LocationWorkspace, Person, ProviderFacts, ProviderWorkspace, Urgency, Via,
    WorkspacesError, location_resource,
};
use candour_app::{Denied, monitoring};
use candour_domain::{Action, Email, Grant, LocationId, Principal, Resource, Role, Scope, authorize};
use candour_monitor::Snapshot;
use candour_store::LocationDetail;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::SignedIn;
use crate::error::{PageError, WebError, render};
use crate::forms::{ErrorLink, Field, FormErrors, SelectField, pairs, value};
use crate::manager::ManagerStatus;
use crate::pages::assessments::{AwaitingReview, awaiting_review};
use crate::pages::chrome::{Chrome, Crumb, StatusTag, area_href, path_segment};
use crate::pages::moderation::contacts::{self, ContactSection};
use crate::pdf::{Block, Report};
use crate::state::AppState;
use crate::views::{RatingTag, Row, SelectOption, SummaryView, count_of, long_date, optional_date, yes_no_unknown};

/// The workspace pages (never cached: the private routes' layer applies).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/manage", get(home))
        .route("/manage/providers/{id}", get(provider))
        .route("/manage/providers/{id}/invitations", post(invite_to_provider))
        .route("/manage/locations/{id}", get(location))
        .route("/manage/areas/{local_authority}", get(area))
        .route("/manage/areas/{local_authority}/report.pdf", get(area_report))
}

/// The workspaces through the API, nested under `/api`.
pub fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::me))
        .routes(routes!(api::manage_location))
        .routes(routes!(api::manage_provider))
}

// ---------------------------------------------------------------- /manage

#[derive(Template)]
#[template(path = "manage/home.html")]
struct ManagePage {
    title: &'static str,
    chrome: Chrome,
    sections: Vec<Section>,
}

struct Section {
    id: &'static str,
    heading: &'static str,
    intro: Option<&'static str>,
    links: Vec<LinkLine>,
}

struct LinkLine {
    label: String,
    href: Option<String>,
    note: String,
}

impl LinkLine {
    fn to(label: impl Into<String>, href: impl Into<String>, note: impl Into<String>) -> Self {
        LinkLine { label: label.into(), href: Some(href.into()), note: note.into() }
    }
}

/// `GET /manage`: the private home.
pub async fn home(State(state): State<AppState>, who: SignedIn) -> Result<Response, PageError> {
    let p = who.principal();
    let sections = [
        review_links(&state, p).await?,
        provider_links(&state, p).await?,
        location_links(&state, p).await?,
        area_links(p),
        national_links(&state, p).await?,
        administration_links(p),
        moderation_links(p),
        alert_links(&state, p).await?,
        watchlist_links(&state, p),
        policy_links(&state, p).await?,
        visit_links(p),
    ];
    let page = ManagePage {
        title: "Manage",
        chrome: Chrome::with(&who, Vec::new(), "Manage"),
        sections: sections.into_iter().flatten().collect(),
    };
    Ok(render(StatusCode::OK, &page))
}

/// The policies to read at each provider the principal works for (pages/policies.rs).
async fn policy_links(state: &AppState, p: &Principal) -> Result<Option<Section>, WebError> {
    let lines = crate::pages::policies::manage_links(state, p).await?;
    let links = lines.into_iter().map(|(label, href, note)| LinkLine::to(label, href, note)).collect();
    Ok(section("policies", "Policies", None, links))
}

fn section(
    id: &'static str,
    heading: &'static str,
    intro: Option<&'static str>,
    links: Vec<LinkLine>,
) -> Option<Section> {
    (!links.is_empty()).then_some(Section { id, heading, intro, links })
}

/// The draft reports waiting for the review of the providers the principal works for.
async fn review_links(state: &AppState, p: &Principal) -> Result<Option<Section>, WebError> {
    let mut links = Vec::new();
    for grant in &p.grants {
        let Scope::Provider(id) = &grant.scope else { continue };
        for r in awaiting_review(state, p, id, None).await? {
            let label = format!("A draft report is waiting for your review until {}", r.until);
            links.push(LinkLine::to(label, r.href, r.label));
        }
    }
    let actor = candour_app::Actor::new(p.clone(), None);
    let today = chrono::Utc::now().date_naive();
    let visits =
        state.app.visits.awaiting_review(&actor, today).await.map_err(|e| WebError::from_store(e, String::new))?;
    for line in visits {
        let until = line.visit.window_ends.map(crate::views::long_date).unwrap_or_default();
        let label = format!("A visit report by experts by experience is waiting for your review until {until}");
        links.push(LinkLine::to(label, format!("/visits/{}", line.visit.id), line.location_name));
    }
    Ok(section("reviews", "Draft reports to review", None, links))
}

async fn provider_links(state: &AppState, p: &Principal) -> Result<Option<Section>, WebError> {
    let mut links = Vec::new();
    for grant in &p.grants {
        let Scope::Provider(id) = &grant.scope else { continue };
        match state.app.workspaces.provider_facts(id.as_str()).await {
            Ok(facts) => {
                let resource = Resource::Provider { id, local_authorities: &facts.local_authorities };
                if authorize(p, Action::Read, resource).is_allowed() {
                    let note = count_of(facts.location_count() as u64, "service", "services");
                    links.push(LinkLine::to(facts.name(), format!("/manage/providers/{id}"), note));
                }
            }
            Err(WorkspacesError::Denied(Denied::NotFound)) => links.push(not_in_register(format!("Provider {id}"))),
            Err(err) => return Err(WebError::from_area(&err, || WebError::Internal)),
        }
    }
    Ok(section("providers", "Your providers", None, links))
}

async fn location_links(state: &AppState, p: &Principal) -> Result<Option<Section>, WebError> {
    let mut links = Vec::new();
    for grant in &p.grants {
        let Scope::Location(id) = &grant.scope else { continue };
        match state.store.location(id).await {
            Ok(detail) => {
                if authorize(p, Action::Read, location_resource(&detail)).is_allowed() {
                    let note = format!("{} ({})", grant.role.name(), detail.provider.name);
                    links.push(LinkLine::to(detail.location.name.clone(), format!("/manage/locations/{id}"), note));
                }
            }
            Err(candour_store::StoreError::NotFound) => links.push(not_in_register(format!("Location {id}"))),
            Err(err) => return Err(WebError::from_store(err, String::new)),
        }
    }
    Ok(section("locations", "Your services", None, links))
}

fn not_in_register(label: String) -> LinkLine {
    LinkLine { label, href: None, note: "Not in the register at the moment".to_string() }
}

fn area_links(p: &Principal) -> Option<Section> {
    let links = p
        .grants
        .iter()
        .filter_map(|g| match &g.scope {
            Scope::LocalAuthority(la) => Some(la),
            _ => None,
        })
        .filter(|la| authorize(p, Action::Read, Resource::Area { local_authority: la }).is_allowed())
        .map(|la| LinkLine::to(la.clone(), area_href(la), "Local authority"))
        .collect();
    section("areas", "Your areas", None, links)
}

/// Every local authority, for those who may read England-wide.
async fn national_links(state: &AppState, p: &Principal) -> Result<Option<Section>, WebError> {
    if !authorize(p, Action::Read, Resource::National).is_allowed() {
        return Ok(None);
    }
    let areas = state.store.local_authorities().await.map_err(|e| WebError::from_store(e, String::new))?;
    let links = areas
        .iter()
        .map(|a| {
            let note = count_of(a.locations, "registered service", "registered services");
            LinkLine::to(a.local_authority.clone(), area_href(&a.local_authority), note)
        })
        .collect();
    Ok(section(
        "england",
        "All areas of England",
        Some("Open an area to see its services and those needing attention."),
        links,
    ))
}

fn administration_links(p: &Principal) -> Option<Section> {
    let pages = [
        (Resource::Accounts, "Users", "/admin/users", "Invite people, change their roles, disable accounts"),
        (Resource::AuditLog, "Audit log", "/admin/audit", "Who read or changed which private record, and when"),
        (Resource::Outbox, "Outbox", "/admin/outbox", "Emails sent or waiting, with their invitation and reset links"),
    ];
    let links = pages
        .into_iter()
        .filter(|(resource, ..)| authorize(p, Action::Read, *resource).is_allowed())
        .map(|(_, label, href, note)| LinkLine::to(label, href, note))
        .collect();
    section("administration", "Administration", None, links)
}

/// Visits by experts by experience, for those who make, answer for or oversee them.
fn visit_links(p: &Principal) -> Option<Section> {
    let involved = [Role::Expert, Role::Inspector, Role::ProviderAdmin, Role::Manager, Role::Admin];
    if !involved.iter().any(|r| p.has_role(*r)) {
        return None;
    }
    let note = if p.has_role(Role::Expert) {
        "The services you are asked to visit, and your reports"
    } else {
        "Reports by people with lived experience of care, and their factual-accuracy challenges"
    };
    section("visits", "Visits by experts by experience", None, vec![LinkLine::to("Visits", "/visits", note)])
}

fn moderation_links(p: &Principal) -> Option<Section> {
    if !authorize(p, Action::Read, Resource::ModerationQueue).is_allowed() {
        return None;
    }
    let lines = [
        ("Moderation queue", "/moderation", "Feedback waiting for you to read before it is published"),
        ("Replies to check", "/moderation/replies", "Providers' replies waiting for a check before they show"),
    ];
    let links = lines.into_iter().map(|(label, href, note)| LinkLine::to(label, href, note));
    section("moderation", "Moderation", None, links.collect())
}

/// Safeguarding alerts, with how many are open, for those who may see any.
async fn alert_links(state: &AppState, p: &Principal) -> Result<Option<Section>, WebError> {
    let actor = candour_app::Actor::new(p.clone(), None);
    let open = state.app.moderation.open_alert_count(&actor).await;
    let Some(open) = open.map_err(|e| WebError::from_area(&e, || WebError::not_found(String::new())))? else {
        return Ok(None);
    };
    let note = match open {
        0 => "No open alerts".to_string(),
        n => format!("{} open", count_of(n as u64, "alert", "alerts")),
    };
    Ok(section("alerts", "Safeguarding", None, vec![LinkLine::to("Safeguarding alerts", "/manage/alerts", note)]))
}

/// The watchlist, for those who may see any service once monitoring has been worked out.
fn watchlist_links(state: &AppState, p: &Principal) -> Option<Section> {
    let count = crate::pages::monitoring::watchlist::visible_count(state, p)?;
    let note =
        format!("Warning signs and where to look first, across {}", count_of(count as u64, "service", "services"));
    section("monitoring", "Monitoring", None, vec![LinkLine::to("Watchlist", "/monitoring/watchlist", note)])
}

// ---------------------------------------------------------------- providers

#[derive(Template)]
#[template(path = "manage/provider.html")]
struct ProviderPage {
    title: String,
    chrome: Chrome,
    errors: Vec<ErrorLink>,
    notice: Option<String>,
    name: String,
    details: Vec<Row>,
    locations_caption: String,
    locations: Vec<LocationLine>,
    /// The people with access, for those who manage the provider's accounts.
    people: Option<Vec<PersonLine>>,
    invite: Option<InviteForm>,
    safeguarding: ContactSection,
    warning_signs_href: String,
    awaiting: Vec<AwaitingReview>,
}

struct LocationLine {
    href: String,
    name: String,
    place: String,
    registration: &'static str,
    rating: RatingTag,
    manager: String,
}

struct InviteForm {
    action: String,
    /// How long the emailed link works.
    valid: String,
    name: Field,
    email: Field,
    role: SelectField,
    location: SelectField,
}

#[derive(Deserialize, Default)]
pub struct ProviderQuery {
    invited: Option<String>,
    contact: Option<String>,
}

/// `GET /manage/providers/{id}`
pub async fn provider(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    query: Result<Query<ProviderQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let facts = readable_provider(&state, &who, &raw_id).await?;
    let query = query.map(|q| q.0).unwrap_or_default();
    let notice = match (query.invited, query.contact) {
        (Some(_), _) => Some("Invitation sent. We have emailed a link to choose a password.".to_string()),
        (None, Some(_)) => Some("Safeguarding lead saved.".to_string()),
        (None, None) => None,
    };
    let page = provider_page(&state, &who, facts, notice, FormErrors::default(), &[]).await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /manage/providers/{id}/invitations`: a provider administrator invites a
/// registered manager or staff member for one of the provider's locations.
pub async fn invite_to_provider(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let facts = state.app.workspaces.provider_facts(&raw_id).await.map_err(|e| who.fail(e))?;
    let (provider, actor) = (facts.id.clone(), who.actor());
    let accounts = Resource::ProviderAccounts { provider: &provider };
    state.app.accounts.require(&actor, Action::Write, accounts).await.map_err(|e| who.fail(e))?;
    let form = pairs(&body);
    let invitation = match read_invitation(&form, &facts) {
        Ok(invitation) => invitation,
        Err(errors) => return invite_failed(&state, &who, facts, errors, &form).await,
    };
    let (email, name, grants) = invitation;
    match state.app.accounts.invite_to_provider(&actor, &provider, email, &name, grants).await {
        Ok(_) => Ok(Redirect::to(&format!("/manage/providers/{provider}?invited=yes")).into_response()),
        Err(AccountError::Conflict(_)) => {
            let mut errors = FormErrors::default();
            errors.add("email", "Someone already has an account with this email address");
            invite_failed(&state, &who, facts, errors, &form).await
        }
        Err(AccountError::Invalid(message)) => {
            let mut errors = FormErrors::default();
            errors.add("name", message);
            invite_failed(&state, &who, facts, errors, &form).await
        }
        Err(err) => Err(who.fail(err).into()),
    }
}

async fn invite_failed(
    state: &AppState,
    who: &SignedIn,
    facts: ProviderFacts,
    errors: FormErrors,
    form: &[(String, String)],
) -> Result<Response, PageError> {
    provider_response(state, who, facts, errors, form, StatusCode::BAD_REQUEST).await
}

/// The provider's page again, with the problems of a refused form.
pub async fn provider_response(
    state: &AppState,
    who: &SignedIn,
    facts: ProviderFacts,
    errors: FormErrors,
    form: &[(String, String)],
    status: StatusCode,
) -> Result<Response, PageError> {
    let page = provider_page(state, who, facts, None, errors, form).await?;
    Ok(render(status, &page))
}

/// The invitation's email, name and grant, or what is wrong with the form.
fn read_invitation(
    form: &[(String, String)],
    facts: &ProviderFacts,
) -> Result<(Email, String, Vec<Grant>), FormErrors> {
    let mut errors = FormErrors::default();
    let name = value(form, "name");
    if name.is_empty() {
        errors.add("name", "Enter the person's name");
    }
    let email = Email::parse(value(form, "email"));
    if email.is_err() {
        errors.add("email", "Enter an email address in the correct format, like name@example.org");
    }
    let role = match value(form, "role") {
        "manager" => Some(Role::Manager),
        "staff" => Some(Role::Staff),
        _ => {
            errors.add("role", "Choose registered manager or staff");
            None
        }
    };
    let location = LocationId::parse(value(form, "location")).ok().filter(|id| facts.runs(id));
    if location.is_none() {
        errors.add("location", "Choose one of this provider's services");
    }
    match (email, role, location) {
        (Ok(email), Some(role), Some(location)) if errors.is_empty() => {
            Ok((email, name.to_string(), vec![Grant { role, scope: Scope::Location(location) }]))
        }
        _ => Err(errors),
    }
}

/// The provider's facts once the caller may read its workspace (the read audited);
/// the normal 404 otherwise.
pub async fn readable_provider(state: &AppState, who: &SignedIn, raw_id: &str) -> Result<ProviderFacts, WebError> {
    state.app.workspaces.readable_provider(&who.actor(), raw_id, Via::Page).await.map_err(|e| who.fail(e))
}

async fn provider_page(
    state: &AppState,
    who: &SignedIn,
    facts: ProviderFacts,
    notice: Option<String>,
    errors: FormErrors,
    form: &[(String, String)],
) -> Result<ProviderPage, WebError> {
    let id = facts.id.clone();
    let can_invite =
        authorize(who.principal(), Action::Write, Resource::ProviderAccounts { provider: &id }).is_allowed();
    let ws = state.app.workspaces.provider_workspace(&who.actor(), facts).await.map_err(|e| who.fail(e))?;
    let valid = candour_app::accounts::describe_duration(state.app.accounts.policy().invitation_valid);
    let invite = can_invite.then(|| invite_form(&ws, &errors, form, valid));
    let safeguarding = contacts::provider_section(state, who, &id, &errors, form).await?;
    let awaiting = awaiting_review(state, who.principal(), &id, None).await?;
    let name = ws.provider.name.clone();
    Ok(ProviderPage {
        title: errors.title(&name),
        chrome: Chrome::manage(who, name.clone()),
        errors: errors.links(),
        notice,
        details: provider_rows(&ws),
        locations_caption: format!("{} run by {name}", count_of(ws.locations.len() as u64, "service", "services")),
        locations: ws.locations.iter().map(location_line).collect(),
        people: ws.people.as_ref().map(|people| people.iter().map(PersonLine::of).collect()),
        invite,
        safeguarding,
        warning_signs_href: format!("/manage/providers/{id}/warning-signs"),
        awaiting,
        name,
    })
}

fn provider_rows(ws: &ProviderWorkspace) -> Vec<Row> {
    let id = ws.provider.id.as_str();
    let registered = ws.locations.iter().filter(|l| l.registered).count() as u64;
    vec![
        Row::text("Provider ID", id),
        Row::text("Registered services", count_of(registered, "service", "services")),
        Row::text("Local authorities", ws.local_authorities().join(", ")),
        Row::link("Public page", "See what the public sees", Some(format!("/providers/{id}"))),
    ]
}

fn location_line(l: &candour_store::LocationSummary) -> LocationLine {
    let view = SummaryView::of(l);
    LocationLine {
        href: format!("/manage/locations/{}", l.id),
        name: view.name,
        place: view.place,
        registration: if l.registered { "Registered" } else { "Deregistered" },
        rating: view.rating,
        manager: manager_text(l.registered_manager, l.registered_manager_absent_since),
    }
}

fn manager_text(in_post: Option<bool>, absent_since: Option<chrono::NaiveDate>) -> String {
    match (in_post, absent_since) {
        (Some(false), Some(since)) => format!("No, not since {}", long_date(since)),
        (value, _) => yes_no_unknown(value).to_string(),
    }
}

fn invite_form(ws: &ProviderWorkspace, errors: &FormErrors, form: &[(String, String)], valid: String) -> InviteForm {
    let chosen_role = Some(value(form, "role")).filter(|v| !v.is_empty());
    let roles = [("manager", Role::Manager.name()), ("staff", Role::Staff.name())]
        .map(|(code, name)| (code.to_string(), name.to_string()));
    let chosen_location = Some(value(form, "location")).filter(|v| !v.is_empty());
    let locations = ws
        .locations
        .iter()
        .filter(|l| l.registered)
        .map(|l| SelectOption::new(l.id.to_string(), l.name.clone(), chosen_location));
    InviteForm {
        action: format!("/manage/providers/{}/invitations", ws.provider.id),
        valid,
        name: Field::new("name", "Full name", "text", "off").value(value(form, "name")).errors(errors),
        email: Field::new("email", "Email address", "email", "off").value(value(form, "email")).errors(errors),
        role: SelectField::new("role", "Role", with_prompt("Choose a role", roles, chosen_role), errors),
        location: SelectField::new(
            "location",
            "Service",
            with_prompt_options("Choose a service", locations.collect(), chosen_location),
            errors,
        ),
    }
}

fn with_prompt(
    prompt: &str,
    options: impl IntoIterator<Item = (String, String)>,
    current: Option<&str>,
) -> Vec<SelectOption> {
    let options = options.into_iter().map(|(v, l)| SelectOption::new(v, l, current)).collect();
    with_prompt_options(prompt, options, current)
}

fn with_prompt_options(prompt: &str, options: Vec<SelectOption>, current: Option<&str>) -> Vec<SelectOption> {
    let prompt = SelectOption { value: String::new(), label: prompt.to_string(), selected: current.is_none() };
    std::iter::once(prompt).chain(options).collect()
}

/// A person with access, as a table row.
pub struct PersonLine {
    pub name: String,
    pub email: String,
    pub roles: String,
    pub status: StatusTag,
}

impl PersonLine {
    pub fn of(p: &Person) -> Self {
        PersonLine {
            name: p.name.clone(),
            email: p.email.to_string(),
            roles: candour_domain::describe_grants(&p.grants),
            status: StatusTag::of(p.disabled, p.active),
        }
    }
}

// ---------------------------------------------------------------- locations

#[derive(Template)]
#[template(path = "manage/location.html")]
struct LocationPage {
    title: String,
    chrome: Chrome,
    name: String,
    overall: RatingTag,
    details: Vec<Row>,
    /// The people with access, for those who manage the provider's accounts.
    people: Option<Vec<PersonLine>>,
    public_href: String,
    assessments: Vec<AssessmentLine>,
    open_assessment: Option<OpenAssessment>,
    voice_links: Vec<LinkLine>,
    /// The monthly returns page, for those who may send the location's returns.
    returns_href: Option<String>,
    /// The benchmark page, for those who may see the service's monitoring while it is registered.
    benchmark_href: Option<String>,
    /// The complaints dashboard and the form to log one, each for those who may use it.
    complaints_href: Option<String>,
    log_complaint_href: Option<String>,
    /// The service's improvement plans, for those who may read them.
    plans_href: Option<String>,
    /// The read rate of the provider's policies here, and the library, for its administrators.
    policy_reads: Option<(String, String)>,
    /// The service's accounts of good practice, for those who write them.
    good_practice_href: Option<String>,
    /// Draft reports waiting for the caller's review.
    awaiting: Vec<AwaitingReview>,
    /// What needs doing now, first on the page; `None` when the caller may see none of it.
    needs: Option<Vec<LinkLine>>,
}

struct AssessmentLine {
    href: String,
    label: String,
    status: &'static str,
}

/// The form an inspector uses to open an assessment of one of the location's service types.
struct OpenAssessment {
    action: String,
    services: Vec<SelectOption>,
}

/// The assessments of the location the caller may read, newest first.
async fn assessment_lines(
    state: &AppState,
    who: &SignedIn,
    detail: &LocationDetail,
) -> Result<Vec<AssessmentLine>, WebError> {
    let all =
        state.store.assessments_of(&detail.location.id).await.map_err(|e| WebError::from_store(e, String::new))?;
    Ok(all
        .iter()
        .filter(|a| {
            authorize(who.principal(), Action::Read, crate::pages::assessments::assessment_resource(a, detail))
                .is_allowed()
        })
        .map(|a| AssessmentLine {
            href: format!("/manage/assessments/{}", a.id),
            label: format!("{} (opened {})", a.service_group, long_date(a.created_at.date_naive())),
            status: match a.status {
                candour_store::AssessmentStatus::Draft => "Draft",
                candour_store::AssessmentStatus::Sent => "Sent to the provider",
                candour_store::AssessmentStatus::Published => "Published",
            },
        })
        .collect())
}

fn open_assessment_form(who: &SignedIn, detail: &LocationDetail) -> Option<OpenAssessment> {
    let l = &detail.location;
    let resource = Resource::Assessment { location: &l.id, provider: &l.provider_id, sent: false };
    let allowed = authorize(who.principal(), Action::Write, resource).is_allowed() && !l.service_types.is_empty();
    allowed.then(|| OpenAssessment {
        action: format!("/manage/locations/{}/assessments", l.id),
        services: l.service_types.iter().map(|s| SelectOption::new(s.clone(), s.clone(), None)).collect(),
    })
}

/// `GET /manage/locations/{id}`
pub async fn location(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let detail =
        state.app.workspaces.readable_location(&who.actor(), &raw_id, Via::Page).await.map_err(|e| who.fail(e))?;
    let provider_link = provider_link(who.principal(), &detail);
    let assessments = assessment_lines(&state, &who, &detail).await?;
    let open_assessment = open_assessment_form(&who, &detail);
    let l = &detail.location;
    let awaiting = awaiting_review(&state, who.principal(), &l.provider_id, Some(&l.id)).await?;
    let manager = ManagerStatus::load(state.store.as_ref(), &detail.location)
        .await
        .map_err(|e| WebError::from_store(e, String::new))?;
    let ws = state.app.workspaces.location_workspace(&who.actor(), detail).await.map_err(|e| who.fail(e))?;
    let mut page = location_page(&who, &ws, provider_link, &manager);
    (page.assessments, page.open_assessment, page.awaiting) = (assessments, open_assessment, awaiting);
    page.voice_links = voice_links(who.principal(), &ws.detail);
    page.needs = needs_lines(&state, &who, &ws.detail, page.benchmark_href.as_deref()).await?;
    let l = &ws.detail.location;
    page.policy_reads =
        crate::pages::policies::location_read_rate(&state, who.principal(), &l.id, &l.provider_id).await?;
    Ok(render(StatusCode::OK, &page))
}

/// What needs doing now at a service, as links to where it is done; `None` when
/// the caller may see none of it. Counts of nothing are left out.
async fn needs_lines(
    state: &AppState,
    who: &SignedIn,
    detail: &LocationDetail,
    benchmark_href: Option<&str>,
) -> Result<Option<Vec<LinkLine>>, WebError> {
    let today = chrono::Utc::now().date_naive();
    let needs = state.app.workspaces.needs_doing(&who.actor(), detail, today).await.map_err(|e| who.fail(e))?;
    let id = &detail.location.id;
    let mut lines = Vec::new();
    let mut count = |n: u32, one: &str, many: &str, href: String, note: &str| {
        if n > 0 {
            lines.push(LinkLine::to(count_of(u64::from(n), one, many), href, note));
        }
    };
    if let Some(n) = needs.open_alerts {
        count(
            n,
            "open safeguarding alert",
            "open safeguarding alerts",
            "/manage/alerts".into(),
            "Acknowledge each and record what was done",
        );
    }
    if let Some(due) = needs.complaints {
        let href = format!("/manage/locations/{id}/complaints");
        count(
            due.overdue,
            "complaint overdue",
            "complaints overdue",
            href.clone(),
            "Its acknowledgement or response is late",
        );
        count(
            due.due_soon,
            "complaint due by the next working day",
            "complaints due by the next working day",
            href,
            "",
        );
    }
    if let Some(n) = needs.stories_unanswered {
        count(
            n,
            "story without a reply",
            "stories without a reply",
            format!("/manage/locations/{id}/voice"),
            "Answer what people said",
        );
    }
    if let Some(n) = needs.actions_overdue {
        count(
            n,
            "improvement action past its date",
            "improvement actions past their date",
            format!("/manage/locations/{id}/plans"),
            "",
        );
    }
    if let Some(Some(month)) = needs.return_missing {
        let label = format!("The monthly return for {} is not in", crate::views::month_name(month));
        lines.push(LinkLine::to(
            label,
            crate::pages::returns::returns_link(who.principal(), detail).unwrap_or_default(),
            "",
        ));
    }
    let band = benchmark_href.zip(state.monitor.current()).and_then(|(href, snapshot)| {
        let band = snapshot.get(id)?.entry.band;
        Some(LinkLine::to(format!("Monitoring band {band} of 6"), href, "Band 1 is looked at first; see why"))
    });
    let visible = needs != candour_app::workspaces::NeedsDoing::default() || band.is_some();
    lines.extend(band);
    Ok(visible.then_some(lines))
}

/// The provider's workspace when the policy lets the caller read it (judged on
/// this location's authority alone, which can only under-grant), else its public page.
fn provider_link(p: &Principal, detail: &LocationDetail) -> String {
    let id = &detail.provider.id;
    let authorities: Vec<String> = detail.location.local_authority.iter().cloned().collect();
    let resource = Resource::Provider { id, local_authorities: &authorities };
    if authorize(p, Action::Read, resource).is_allowed() {
        format!("/manage/providers/{id}")
    } else {
        format!("/providers/{id}")
    }
}

fn location_page(
    who: &SignedIn,
    ws: &LocationWorkspace,
    provider_href: String,
    manager: &ManagerStatus,
) -> LocationPage {
    let d = &ws.detail;
    let l = &d.location;
    let overall = d.headline_rating.as_ref();
    let address = l.address.one_line();
    let details = vec![
        Row::text("Location ID", l.id.as_str()),
        Row::link("Provider", d.provider.name.clone(), Some(provider_href)),
        Row::text("Address", if address.is_empty() { "Not known".to_string() } else { address }),
        Row::text("Type of service", crate::views::service_names(&l.service_kinds())),
        Row::text("Registration", if l.is_registered() { "Registered" } else { "Deregistered" }),
        Row::text("Registered manager in post", manager.text()),
        Row::text(
            "Rating published",
            overall.map(|r| long_date(r.published)).unwrap_or_else(|| "Not yet rated".to_string()),
        ),
        Row::text("Last inspection", optional_date(l.last_inspection)),
        Row::text("Local authority", l.local_authority.clone().unwrap_or_else(|| "Not known".to_string())),
    ];
    LocationPage {
        title: l.name.clone(),
        chrome: Chrome::manage(who, l.name.clone()),
        name: l.name.clone(),
        overall: RatingTag::of(overall.and_then(|r| r.overall)),
        details,
        people: ws.people.as_ref().map(|people| people.iter().map(PersonLine::of).collect()),
        public_href: format!("/locations/{}", l.id),
        assessments: Vec::new(),
        open_assessment: None,
        awaiting: Vec::new(),
        needs: None,
        voice_links: Vec::new(),
        returns_href: crate::pages::returns::returns_link(who.principal(), d),
        benchmark_href: benchmark_link(who.principal(), l),
        complaints_href: allowed(
            who.principal(),
            Action::Read,
            complaints(l),
            format!("/manage/locations/{}/complaints", l.id),
        ),
        log_complaint_href: allowed(
            who.principal(),
            Action::Write,
            Resource::ComplaintIntake { location: &l.id, provider: &l.provider_id },
            format!("/manage/locations/{}/complaints/new", l.id),
        ),
        plans_href: allowed(
            who.principal(),
            Action::Read,
            Resource::ImprovementPlans {
                location: &l.id,
                provider: &l.provider_id,
                local_authority: l.local_authority.as_deref(),
            },
            format!("/manage/locations/{}/plans", l.id),
        ),
        policy_reads: None,
        good_practice_href: crate::pages::practice::manage_link(who.principal(), d),
    }
}

fn complaints(l: &candour_domain::Location) -> Resource<'_> {
    Resource::Complaints { location: &l.id, provider: &l.provider_id, local_authority: l.local_authority.as_deref() }
}

/// `href` when the principal may take `action` on `resource`.
fn allowed(principal: &Principal, action: Action, resource: Resource<'_>, href: String) -> Option<String> {
    authorize(principal, action, resource).is_allowed().then_some(href)
}

fn benchmark_link(principal: &Principal, l: &candour_domain::Location) -> Option<String> {
    let resource = Resource::LocationMonitoring {
        location: &l.id,
        provider: &l.provider_id,
        local_authority: l.local_authority.as_deref(),
    };
    let allowed = l.is_registered() && authorize(principal, Action::Read, resource).is_allowed();
    allowed.then(|| format!("/monitoring/locations/{}", l.id))
}

/// People's voice for the provider side: stories to answer, paper entry, and the
/// poster and QR code to display.
fn voice_links(p: &Principal, detail: &LocationDetail) -> Vec<LinkLine> {
    let l = &detail.location;
    let resource = Resource::LocationVoice { location: &l.id, provider: &l.provider_id };
    if !authorize(p, Action::Read, resource).is_allowed() {
        return Vec::new();
    }
    let id = &l.id;
    vec![
        LinkLine::to("Stories and replies", format!("/manage/locations/{id}/voice"), "Answer what people said"),
        LinkLine::to(
            "Type in feedback",
            format!("/manage/locations/{id}/feedback/new"),
            "From a paper form, or given with someone's help",
        ),
        LinkLine::to("Poster to print", format!("/locations/{id}/feedback/poster"), "With the QR code and short link"),
        LinkLine::to("QR code (SVG)", format!("/locations/{id}/feedback/qr.svg"), "For printing at any size"),
        LinkLine::to("QR code (PNG)", format!("/locations/{id}/feedback/qr.png"), "For documents and websites"),
    ]
}

// ---------------------------------------------------------------- areas

#[derive(Template)]
#[template(path = "manage/area.html")]
struct AreaPage {
    title: String,
    chrome: Chrome,
    errors: Vec<ErrorLink>,
    notice: Option<String>,
    safeguarding: ContactSection,
    name: String,
    registered: String,
    by_rating: Vec<RatingCount>,
    attention_caption: String,
    attention: Vec<AttentionRow>,
    directory_href: String,
    watchlist_href: String,
    /// `None` until monitoring has made its first results after a start.
    warnings: Option<WarningsView>,
    complaints: ComplaintsView,
    plans: Vec<PlanRow>,
    market_href: String,
    report_href: String,
}

/// Warning signs across the area: services by watchlist band, and those in the
/// highest bands with why.
struct WarningsView {
    bands: Vec<(u8, u64, String)>,
    highest: Vec<WarningRow>,
}

struct WarningRow {
    name: String,
    href: String,
    band: u8,
    reasons: Vec<String>,
}

struct ComplaintsView {
    received: u64,
    open: u64,
    overdue: u64,
    upheld: String,
    overdue_by_service: Vec<(String, String, u64)>,
}

struct PlanRow {
    service: String,
    href: String,
    title: String,
    started_on: String,
    progress: String,
    published: bool,
}

struct AttentionRow {
    service: SummaryView,
    /// Why it is listed ahead of its rating, if it is; empty otherwise.
    urgent: Vec<&'static str>,
}

struct RatingCount {
    tag: RatingTag,
    count: String,
}

/// `GET /manage/areas/{local_authority}`
pub async fn area(
    State(state): State<AppState>,
    who: SignedIn,
    Path(local_authority): Path<String>,
    query: Result<Query<AreaQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let ws = readable_area(&state, &who, &local_authority).await?;
    let notice = query.ok().and_then(|q| q.0.contact).map(|_| "Safeguarding team saved.".to_string());
    let safeguarding = contacts::area_section(&state, &who, &ws.local_authority, &FormErrors::default(), &[]).await?;
    let page = area_page(&state, &who, ws, safeguarding, notice, &FormErrors::default());
    Ok(render(StatusCode::OK, &page))
}

/// `GET /manage/areas/{local_authority}/report.pdf`: the public market report, with
/// what only those who oversee the area may see added at its start.
pub async fn area_report(
    State(state): State<AppState>,
    who: SignedIn,
    Path(local_authority): Path<String>,
) -> Result<Response, PageError> {
    let ws = readable_area(&state, &who, &local_authority).await?;
    let (name, public) = crate::pages::register::report_of(&state, &ws.local_authority).await?;
    let safeguarding = contacts::area_section(&state, &who, &ws.local_authority, &FormErrors::default(), &[]).await?;
    let page = area_page(&state, &who, ws, safeguarding, None, &FormErrors::default());
    let mut blocks = page.private_blocks();
    blocks.push(Block::Heading("The market in public".into()));
    blocks.extend(public.blocks);
    let report = Report {
        title: format!("{name}: the care market, for commissioners"),
        subtitle: format!(
            "{} Not for publication: it holds warning signs, complaints and improvement plans that only those who oversee the area may see.",
            public.subtitle
        ),
        blocks,
    };
    Ok(crate::pdf::response(&report, &crate::pages::register::report_file(&name, "commissioners-report")))
}

impl AreaPage {
    /// What the commissioners' view adds, as report blocks in the page's order.
    fn private_blocks(&self) -> Vec<Block> {
        let mut blocks = vec![
            Block::Heading("Services needing attention".into()),
            Block::Table {
                caption: self.attention_caption.clone(),
                header: ["Service", "Provider", "Overall rating", "Urgent"].map(String::from).to_vec(),
                rows: self
                    .attention
                    .iter()
                    .map(|a| {
                        let urgent = if a.urgent.is_empty() { "No".to_string() } else { a.urgent.join("; ") };
                        vec![
                            a.service.name.clone(),
                            a.service.provider_name.clone(),
                            a.service.rating.label.to_string(),
                            urgent,
                        ]
                    })
                    .collect(),
            },
            Block::Heading("Warning signs".into()),
        ];
        match &self.warnings {
            Some(w) => {
                blocks.push(Block::Table {
                    caption: "Services by watchlist band (1 calls most for a look)".into(),
                    header: vec!["Band".into(), "Services".into()],
                    rows: w.bands.iter().map(|(band, n, _)| vec![format!("Band {band}"), n.to_string()]).collect(),
                });
                blocks.push(Block::Table {
                    caption: "In bands 1 and 2, with why".into(),
                    header: vec!["Service".into(), "Band".into(), "Why".into()],
                    rows: w
                        .highest
                        .iter()
                        .map(|r| vec![r.name.clone(), r.band.to_string(), r.reasons.join("; ")])
                        .collect(),
                });
            }
            None => blocks.push(Block::Paragraph("Monitoring was still working out the warning signs.".into())),
        }
        let c = &self.complaints;
        blocks.push(Block::Heading("Complaints".into()));
        blocks.push(Block::Table {
            caption: "Complaints the area's services have logged in Candour".into(),
            header: vec!["".into(), "Complaints".into()],
            rows: [
                ("Received in the last 12 months", c.received.to_string()),
                ("Open now", c.open.to_string()),
                ("Open and past their response deadline", c.overdue.to_string()),
                ("Upheld or partly upheld, of those closed in 12 months", c.upheld.clone()),
            ]
            .into_iter()
            .map(|(what, n)| vec![what.to_string(), n])
            .collect(),
        });
        blocks.push(Block::Heading("Improvement plans".into()));
        blocks.push(Block::Table {
            caption: "Improvement plans of the area's services, newest first".into(),
            header: ["Service", "Plan", "Started", "Progress"].map(String::from).to_vec(),
            rows: self
                .plans
                .iter()
                .map(|p| vec![p.service.clone(), p.title.clone(), p.started_on.clone(), p.progress.clone()])
                .collect(),
        });
        blocks
    }
}

#[derive(Deserialize, Default)]
pub struct AreaQuery {
    contact: Option<String>,
}

/// The area's page again, with the problems of a refused form.
pub async fn area_response(
    state: &AppState,
    who: &SignedIn,
    ws: AreaWorkspace,
    errors: FormErrors,
    form: &[(String, String)],
    status: StatusCode,
) -> Result<Response, PageError> {
    let safeguarding = contacts::area_section(state, who, &ws.local_authority, &errors, form).await?;
    Ok(render(status, &area_page(state, who, ws, safeguarding, None, &errors)))
}

/// Asks the policy before looking the authority up, so an authority the caller
/// may not read and one with no services give the same 404.
pub async fn readable_area(state: &AppState, who: &SignedIn, name: &str) -> Result<AreaWorkspace, WebError> {
    let snapshot = state.monitor.current();
    let band_one = |known: &str| monitoring::band_one_in(snapshot.as_deref(), who.principal(), known);
    state.app.workspaces.area(&who.actor(), name, band_one).await.map_err(|e| who.fail(e))
}

fn urgency_text(urgency: Urgency) -> &'static str {
    match urgency {
        Urgency::WatchlistBandOne => "Watchlist band 1",
        Urgency::OpenSevereAlert => "Open safeguarding alert, level 5",
    }
}

fn attention_caption(listed: u64, urgent: u64) -> String {
    let listed = count_of(listed, "service", "services");
    match urgent {
        0 => format!("{listed} rated Inadequate or Requires improvement, worst first"),
        n => format!(
            "{listed}: {} in watchlist band 1 or with an open level 5 safeguarding alert first, whatever the rating; \
             then those rated Inadequate or Requires improvement, worst first",
            count_of(n, "service", "services")
        ),
    }
}

fn area_page(
    state: &AppState,
    who: &SignedIn,
    ws: AreaWorkspace,
    safeguarding: ContactSection,
    notice: Option<String>,
    errors: &FormErrors,
) -> AreaPage {
    let attention: Vec<AttentionRow> = ws
        .needing_attention
        .iter()
        .map(|a| {
            let mut service = SummaryView::of(&a.service);
            service.href = format!("/manage/locations/{}", a.service.id);
            AttentionRow { service, urgent: a.urgent.iter().copied().map(urgency_text).collect() }
        })
        .collect();
    let urgent = attention.iter().filter(|a| !a.urgent.is_empty()).count() as u64;
    let query =
        form_urlencoded::Serializer::new(String::new()).append_pair("local_authority", &ws.local_authority).finish();
    AreaPage {
        title: errors.title(&ws.local_authority),
        errors: errors.links(),
        notice,
        safeguarding,
        chrome: Chrome::with(who, vec![Crumb::new("Manage", "/manage")], ws.local_authority.clone()),
        registered: count_of(ws.registered, "service is", "services are"),
        by_rating: ws
            .by_rating
            .iter()
            .map(|(r, n)| RatingCount { tag: RatingTag::of(*r), count: n.to_string() })
            .collect(),
        attention_caption: attention_caption(attention.len() as u64, urgent),
        attention,
        directory_href: format!("/locations?{query}"),
        watchlist_href: format!("/monitoring/watchlist?{query}"),
        warnings: state.monitor.current().map(|s| warnings_view(&s, who.principal(), &ws.local_authority, &query)),
        complaints: complaints_view(&ws.complaints),
        plans: ws.plans.iter().map(plan_row).collect(),
        market_href: format!("/areas/{}", path_segment(&ws.local_authority)),
        report_href: format!("/manage/areas/{}/report.pdf", path_segment(&ws.local_authority)),
        name: ws.local_authority,
    }
}

fn warnings_view(snapshot: &Snapshot, principal: &Principal, local_authority: &str, query: &str) -> WarningsView {
    let seen = monitoring::warnings_in(snapshot, principal, local_authority);
    let bands = seen.by_band.iter().enumerate().map(|(i, &n)| {
        let band = i as u8 + 1;
        (band, n, format!("/monitoring/watchlist?{query}&band={band}"))
    });
    let highest = seen
        .highest
        .iter()
        .map(|s| {
            let w = s.watched();
            WarningRow {
                name: w.facts.name.clone(),
                href: format!("/monitoring/locations/{}", w.facts.id),
                band: w.entry.band,
                reasons: w.entry.reasons.iter().map(|r| r.text.clone()).collect(),
            }
        })
        .collect();
    WarningsView { bands: bands.collect(), highest }
}

fn complaints_view(c: &AreaComplaints) -> ComplaintsView {
    ComplaintsView {
        received: c.received,
        open: c.open,
        overdue: c.overdue,
        upheld: match c.closed {
            0 => "None closed".to_string(),
            closed => format!("{} of {}", c.upheld, count_of(closed, "closed", "closed")),
        },
        overdue_by_service: c
            .overdue_by_service
            .iter()
            .map(|s| (s.service.name.clone(), format!("/manage/locations/{}/complaints", s.service.id), s.count))
            .collect(),
    }
}

fn plan_row(p: &AreaPlan) -> PlanRow {
    let g = &p.progress;
    let mut progress = format!("{} of {} done", g.done, count_of(u64::from(g.actions), "action", "actions"));
    if g.overdue > 0 {
        progress.push_str(&format!(", {} overdue", g.overdue));
    }
    PlanRow {
        service: p.service.name.clone(),
        href: format!("/manage/plans/{}", p.plan_id),
        title: p.title.clone(),
        started_on: p.started_on.format("%-d %B %Y").to_string(),
        progress,
        published: p.published,
    }
}
