//! Administration, for system administrators: users (list, invite, change roles,
//! disable and enable, resend an invitation), the audit log and the outbox.

mod scopes;

use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_app::accounts::AccountError;
use candour_domain::{Email, Grant, PlausibleDate, Role, ScopeKind};
use candour_store::{AuditEntry, AuditQuery, OutboxEntry, User};
use chrono::{NaiveDate, TimeZone, Utc};
use serde::Deserialize;

use crate::auth::SignedIn;
use crate::error::{PageError, WebError, render};
use crate::forms::{ErrorLink, Field, FormErrors, SelectField, pairs, value};
use crate::pages::chrome::{Chrome, Crumb, StatusTag, date_time};
use crate::state::AppState;
use crate::views::{Row, SelectOption, count_of, thousands};

use scopes::Findings;

/// How many emails the outbox page lists.
const OUTBOX_LIMIT: u32 = 200;
const AUDIT_PER_PAGE: u32 = 50;

fn users_crumbs() -> Vec<Crumb> {
    vec![Crumb::new("Manage", "/manage"), Crumb::new("Users", "/admin/users")]
}

// ---------------------------------------------------------------- users

#[derive(Template)]
#[template(path = "accounts/admin_users.html")]
struct UsersPage {
    title: &'static str,
    chrome: Chrome,
    notice: Option<&'static str>,
    caption: String,
    users: Vec<UserLine>,
}

struct UserLine {
    href: String,
    name: String,
    email: String,
    roles: String,
    status: StatusTag,
    last_sign_in: String,
}

#[derive(Deserialize, Default)]
pub struct Done {
    done: Option<String>,
}

fn done(query: Result<Query<Done>, QueryRejection>) -> Option<String> {
    query.ok().and_then(|q| q.0.done)
}

/// `GET /admin/users`
pub async fn users(
    State(state): State<AppState>,
    who: SignedIn,
    query: Result<Query<Done>, QueryRejection>,
) -> Result<Response, PageError> {
    let users = state.app.accounts.users_for(&who.actor()).await.map_err(|e| who.fail(e))?;
    let page = UsersPage {
        title: "Users",
        chrome: Chrome::manage(&who, "Users"),
        notice: None.or(done(query).filter(|d| d == "invited").map(|_| "Invitation sent.")),
        caption: format!("{}, by email address", count_of(users.len() as u64, "account", "accounts")),
        users: users.iter().map(user_line).collect(),
    };
    Ok(render(StatusCode::OK, &page))
}

fn user_line(u: &User) -> UserLine {
    UserLine {
        href: format!("/admin/users/{}", u.id),
        name: u.name.clone(),
        email: u.email.to_string(),
        roles: candour_domain::describe_grants(&u.grants),
        status: StatusTag::of(u.disabled, u.has_password),
        last_sign_in: u.last_sign_in_at.map(date_time).unwrap_or_else(|| "Never".to_string()),
    }
}

// ---------------------------------------------------------------- invite

#[derive(Template)]
#[template(path = "accounts/admin_invite.html")]
struct InvitePage {
    title: String,
    chrome: Chrome,
    errors: Vec<ErrorLink>,
    name: Field,
    email: Field,
    role: SelectField,
    scopes: Field,
    search: ScopeSearch,
}

/// The register search beside the scope fields: a GET form, so it works without scripts.
struct ScopeSearch {
    action: String,
    find: Field,
    /// What was searched for and what it found, once someone has searched.
    results: Option<Searched>,
}

struct Searched {
    text: String,
    found: Findings,
}

#[derive(Deserialize, Default)]
pub struct Find {
    find: Option<String>,
    done: Option<String>,
}

impl ScopeSearch {
    async fn of(
        state: &AppState,
        action: String,
        query: Result<Query<Find>, QueryRejection>,
    ) -> Result<Self, WebError> {
        let text = query.ok().and_then(|q| q.0.find).map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
        let results = match text {
            Some(text) => Some(Searched { found: scopes::search(state, &text).await?, text }),
            None => None,
        };
        let typed = results.as_ref().map_or("", |r| r.text.as_str());
        Ok(ScopeSearch { find: Self::field().value(typed), action, results })
    }

    fn empty(action: String) -> Self {
        ScopeSearch { action, find: Self::field(), results: None }
    }

    fn field() -> Field {
        Field::new("find", "Name of a service, provider or local authority", "search", "off")
            .hint("We list the IDs of the services that match, their providers, and matching local authorities.")
    }
}

const INVITE: &str = "/admin/users/invite";

/// `GET /admin/users/invite?find=…`: the form, and what the register search found.
pub async fn invite_form(
    State(state): State<AppState>,
    who: SignedIn,
    query: Result<Query<Find>, QueryRejection>,
) -> Result<Response, PageError> {
    state.app.accounts.may_administer(&who.actor()).await.map_err(|e| who.fail(e))?;
    let search = ScopeSearch::of(&state, INVITE.to_string(), query).await?;
    Ok(render(StatusCode::OK, &invite_page(&who, FormErrors::default(), &[], search)))
}

/// `POST /admin/users/invite`
pub async fn invite(State(state): State<AppState>, who: SignedIn, body: Bytes) -> Result<Response, PageError> {
    let actor = who.actor();
    state.app.accounts.may_administer(&actor).await.map_err(|e| who.fail(e))?;
    let form = pairs(&body);
    let refused =
        |errors| render(StatusCode::BAD_REQUEST, &invite_page(&who, errors, &form, ScopeSearch::empty(INVITE.into())));
    let (email, name, grants) = match read_invitation(&form) {
        Ok(parts) => parts,
        Err(errors) => return Ok(refused(errors)),
    };
    let grants = match scopes::in_register(&state, grants).await? {
        Ok(grants) => grants,
        Err((_, message)) => {
            let mut errors = FormErrors::default();
            errors.add("scopes", message);
            return Ok(refused(errors));
        }
    };
    match state.app.accounts.invite_as(&actor, email, &name, grants).await {
        Ok(invitation) => {
            Ok(Redirect::to(&format!("/admin/users/{}?done=invited", invitation.user.id)).into_response())
        }
        Err(AccountError::Conflict(_)) => {
            let mut errors = FormErrors::default();
            errors.add("email", "Someone already has an account with this email address");
            Ok(refused(errors))
        }
        Err(AccountError::Invalid(message)) => {
            let mut errors = FormErrors::default();
            errors.add("scopes", message);
            Ok(refused(errors))
        }
        Err(err) => Err(who.fail(err).into()),
    }
}

fn read_invitation(form: &[(String, String)]) -> Result<(Email, String, Vec<Grant>), FormErrors> {
    let mut errors = FormErrors::default();
    let name = value(form, "name");
    if name.is_empty() {
        errors.add("name", "Enter the person's name");
    }
    let email = Email::parse(value(form, "email"));
    if email.is_err() {
        errors.add("email", "Enter an email address in the correct format, like name@example.org");
    }
    let grants = match Role::parse(value(form, "role")) {
        Ok(role) => match Grant::for_role(role, &scope_lines(value(form, "scopes"))) {
            Ok(grants) => Some(grants),
            Err(e) => {
                errors.add("scopes", scope_message(role, e.expected));
                None
            }
        },
        Err(_) => {
            errors.add("role", "Choose a role");
            None
        }
    };
    match (email, grants) {
        (Ok(email), Some(grants)) if errors.is_empty() => Ok((email, name.to_string(), grants)),
        _ => Err(errors),
    }
}

/// One scope per line (local authority names can contain commas).
fn scope_lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}

fn scope_message(role: Role, expected: &str) -> String {
    format!("{}: {expected}", role.name())
}

fn invite_page(who: &SignedIn, errors: FormErrors, form: &[(String, String)], search: ScopeSearch) -> InvitePage {
    let chosen = Some(value(form, "role")).filter(|v| !v.is_empty());
    let prompt = SelectOption { value: String::new(), label: "Choose a role".to_string(), selected: chosen.is_none() };
    let roles = std::iter::once(prompt)
        .chain(Role::ALL.into_iter().map(|r| SelectOption::new(r.code(), r.name(), chosen)))
        .collect();
    InvitePage {
        title: errors.title("Invite a user"),
        chrome: Chrome::with(who, users_crumbs(), "Invite a user"),
        errors: errors.links(),
        name: Field::new("name", "Full name", "text", "off").value(value(form, "name")).errors(&errors),
        email: Field::new("email", "Email address", "email", "off").value(value(form, "email")).errors(&errors),
        role: SelectField::new("role", "Role", roles, &errors),
        scopes: Field::new("scopes", "What the role covers", "textarea", "")
            .hint(SCOPE_HINT)
            .value(value(form, "scopes"))
            .errors(&errors),
        search,
    }
}

const SCOPE_HINT: &str = "One per line. Commissioner: local authority names, like Leeds. Provider administrator: the \
     provider's ID, like 1-101641521. Registered manager, staff or expert by experience: location IDs, like 1-545611283. Leave empty \
     for the other roles. Each must be in the register: search for it by name below.";

// ---------------------------------------------------------------- one user

#[derive(Template)]
#[template(path = "accounts/admin_user.html")]
struct UserPage {
    title: String,
    chrome: Chrome,
    errors: Vec<ErrorLink>,
    notice: Option<&'static str>,
    name: String,
    details: Vec<Row>,
    action: String,
    roles: Vec<RoleChoice>,
    resend_action: Option<String>,
    status_action: String,
    disabled: bool,
    search: ScopeSearch,
}

struct RoleChoice {
    code: &'static str,
    name: &'static str,
    checked: bool,
    scope_label: Option<&'static str>,
    scopes: String,
    error: Option<String>,
}

/// `GET /admin/users/{id}`
pub async fn user(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    query: Result<Query<Find>, QueryRejection>,
) -> Result<Response, PageError> {
    let user = state.app.accounts.user_for(&who.actor(), &raw_id).await.map_err(|e| who.fail(e))?;
    let done = query.as_ref().ok().and_then(|q| q.0.done.clone());
    let search = ScopeSearch::of(&state, format!("/admin/users/{}", user.id), query).await?;
    let notice = match done.as_deref() {
        Some("invited") => Some("Invitation sent. The link is in the outbox."),
        Some("saved") => Some("Roles saved."),
        Some("disabled") => Some("Account disabled. Its owner has been signed out everywhere."),
        Some("enabled") => Some("Account enabled."),
        _ => None,
    };
    let choices = role_choices_of(&user.grants);
    Ok(render(StatusCode::OK, &user_page(&who, &user, notice, FormErrors::default(), choices, search)))
}

/// `POST /admin/users/{id}`: replaces the user's roles.
pub async fn update_roles(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let actor = who.actor();
    let user = state.app.accounts.user_to_change(&actor, &raw_id).await.map_err(|e| who.fail(e))?;
    let form = pairs(&body);
    let (grants, mut errors, mut choices) = read_roles(&form);
    let search = || ScopeSearch::empty(format!("/admin/users/{}", user.id));
    if !errors.is_empty() {
        return Ok(render(StatusCode::BAD_REQUEST, &user_page(&who, &user, None, errors, choices, search())));
    }
    let grants = match scopes::in_register(&state, grants).await? {
        Ok(grants) => grants,
        Err((role, message)) => {
            errors.add(scope_field(role), message.clone());
            if let Some(choice) = choices.iter_mut().find(|c| c.code == role.code()) {
                choice.error = Some(message);
            }
            return Ok(render(StatusCode::BAD_REQUEST, &user_page(&who, &user, None, errors, choices, search())));
        }
    };
    match state.app.accounts.set_roles(&actor, user.id, grants).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/users/{}?done=saved", user.id)).into_response()),
        Err(AccountError::Invalid(message)) => {
            let mut errors = FormErrors::default();
            errors.add("role-admin", message);
            Ok(render(StatusCode::BAD_REQUEST, &user_page(&who, &user, None, errors, choices, search())))
        }
        Err(err) => Err(who.fail(err).into()),
    }
}

/// The grants the roles form asks for, what is wrong with it, and the form as sent.
fn read_roles(form: &[(String, String)]) -> (Vec<Grant>, FormErrors, Vec<RoleChoice>) {
    let mut errors = FormErrors::default();
    let mut grants = Vec::new();
    let mut choices = Vec::new();
    for role in Role::ALL {
        let checked = form.iter().any(|(k, v)| k == "roles" && v == role.code());
        let scopes = form.iter().find(|(k, _)| *k == format!("scopes-{}", role.code())).map_or("", |(_, v)| v.as_str());
        let mut choice = role_choice(role, checked, scopes.trim().to_string());
        if checked {
            match Grant::for_role(role, &scope_lines(scopes)) {
                Ok(more) => grants.extend(more),
                Err(e) => {
                    let message = scope_message(role, e.expected);
                    errors.add(scope_field(role), message.clone());
                    choice.error = Some(message);
                }
            }
        }
        choices.push(choice);
    }
    if grants.is_empty() && errors.is_empty() {
        errors.add("role-admin", "Tick at least one role. To stop someone signing in, disable their account instead.");
    }
    (grants, errors, choices)
}

/// The id of the field an error about a role's scopes links to.
fn scope_field(role: Role) -> &'static str {
    match role {
        Role::Commissioner => "scopes-commissioner",
        Role::ProviderAdmin => "scopes-provider_admin",
        Role::Manager => "scopes-manager",
        Role::Staff => "scopes-staff",
        Role::Expert => "scopes-expert",
        Role::Admin => "role-admin",
        Role::Inspector => "role-inspector",
        Role::Moderator => "role-moderator",
    }
}

fn role_choices_of(grants: &[Grant]) -> Vec<RoleChoice> {
    Role::ALL
        .into_iter()
        .map(|role| {
            let scopes: Vec<String> = grants
                .iter()
                .filter(|g| g.role == role)
                .filter_map(|g| match &g.scope {
                    candour_domain::Scope::All => None,
                    candour_domain::Scope::LocalAuthority(la) => Some(la.clone()),
                    candour_domain::Scope::Provider(id) => Some(id.to_string()),
                    candour_domain::Scope::Location(id) => Some(id.to_string()),
                })
                .collect();
            role_choice(role, grants.iter().any(|g| g.role == role), scopes.join("\n"))
        })
        .collect()
}

fn role_choice(role: Role, checked: bool, scopes: String) -> RoleChoice {
    let scope_label = match role.scope_kind() {
        ScopeKind::None => None,
        ScopeKind::LocalAuthority => Some("Local authorities, one per line"),
        ScopeKind::Provider => Some("Provider IDs, one per line"),
        ScopeKind::Location => Some("Location IDs, one per line"),
    };
    RoleChoice { code: role.code(), name: role.name(), checked, scope_label, scopes, error: None }
}

fn user_page(
    who: &SignedIn,
    user: &User,
    notice: Option<&'static str>,
    errors: FormErrors,
    roles: Vec<RoleChoice>,
    search: ScopeSearch,
) -> UserPage {
    let status = StatusTag::of(user.disabled, user.has_password);
    let details = vec![
        Row::text("Email address", user.email.to_string()),
        Row::text("Status", status.label),
        Row::text("Roles", candour_domain::describe_grants(&user.grants)),
        Row::text("Account created", date_time(user.created_at)),
        Row::text("Last signed in", user.last_sign_in_at.map(date_time).unwrap_or_else(|| "Never".to_string())),
    ];
    UserPage {
        title: errors.title(&user.name),
        chrome: Chrome::with(who, users_crumbs(), user.name.clone()),
        errors: errors.links(),
        notice,
        name: user.name.clone(),
        details,
        action: format!("/admin/users/{}", user.id),
        roles,
        resend_action: (!user.has_password && !user.disabled).then(|| format!("/admin/users/{}/invitation", user.id)),
        status_action: format!("/admin/users/{}/status", user.id),
        disabled: user.disabled,
        search,
    }
}

/// `POST /admin/users/{id}/status`: `disabled=yes` or `disabled=no`.
pub async fn set_status(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let actor = who.actor();
    let user = state.app.accounts.user_to_change(&actor, &raw_id).await.map_err(|e| who.fail(e))?;
    let disabled = match value(&pairs(&body), "disabled") {
        "yes" => true,
        "no" => false,
        _ => {
            return Err(WebError::bad_request("Say whether to disable the account: disabled=yes or disabled=no").into());
        }
    };
    state.app.accounts.set_disabled(&actor, user.id, disabled).await.map_err(|e| who.fail(e))?;
    let done = if disabled { "disabled" } else { "enabled" };
    Ok(Redirect::to(&format!("/admin/users/{}?done={done}", user.id)).into_response())
}

/// `POST /admin/users/{id}/invitation`: a new link for someone yet to accept.
pub async fn resend_invitation(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let invitation = state.app.accounts.resend_invitation_as(&who.actor(), &raw_id).await.map_err(|e| who.fail(e))?;
    Ok(Redirect::to(&format!("/admin/users/{}?done=invited", invitation.user.id)).into_response())
}

// ---------------------------------------------------------------- audit log

#[derive(Template)]
#[template(path = "accounts/admin_audit.html")]
struct AuditPage {
    title: String,
    chrome: Chrome,
    errors: Vec<ErrorLink>,
    actor: Field,
    action: Field,
    resource: Field,
    from: Field,
    to: Field,
    heading: String,
    entries: Vec<AuditLine>,
    page_of: String,
    previous: Option<String>,
    next: Option<String>,
}

struct AuditLine {
    at: String,
    actor: String,
    action: String,
    resource: String,
    detail: String,
    ip: String,
}

#[derive(Deserialize, Default)]
pub struct AuditParams {
    actor: Option<String>,
    action: Option<String>,
    resource: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<String>,
}

/// `GET /admin/audit`: searched by actor email, action, record and dates; paged.
pub async fn audit(
    State(state): State<AppState>,
    who: SignedIn,
    params: Result<Query<AuditParams>, QueryRejection>,
) -> Result<Response, PageError> {
    let params = params.map(|q| q.0).unwrap_or_default();
    let (query, errors) = audit_query(&params);
    let searched = errors.is_empty().then_some(&query);
    let page = state.app.accounts.audit_log_for(&who.actor(), searched).await.map_err(|e| who.fail(e))?;
    let text = |v: &Option<String>| v.as_deref().unwrap_or("").trim().to_string();
    let (heading, entries, page_of, previous, next) = match &page {
        Some(p) => {
            let pages = p.pages();
            let link = |n: u32| audit_href(&params, n);
            (
                format!("{} found", count_of(p.total, "entry", "entries")),
                p.items.iter().map(audit_line).collect(),
                format!("Page {} of {}", p.page, thousands(u64::from(pages))),
                (p.page > 1).then(|| link(p.page - 1)),
                (p.page < pages).then(|| link(p.page + 1)),
            )
        }
        None => ("Correct the search to see entries".to_string(), Vec::new(), String::new(), None, None),
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    let view = AuditPage {
        title: errors.title("Audit log"),
        chrome: Chrome::manage(&who, "Audit log"),
        errors: errors.links(),
        actor: Field::new("actor", "Who (email address, or its start)", "text", "off").value(text(&params.actor)),
        action: Field::new("action", "Action", "text", "off")
            .hint("For example read, sign_in, invite")
            .value(text(&params.action)),
        resource: Field::new("resource", "Record", "text", "off")
            .hint("For example location:1-545611283 or user:12")
            .value(text(&params.resource)),
        from: Field::new("from", "From (date)", "date", "off").value(text(&params.from)).errors(&errors),
        to: Field::new("to", "To (date)", "date", "off").value(text(&params.to)).errors(&errors),
        heading,
        entries,
        page_of,
        previous,
        next,
    };
    Ok(render(status, &view))
}

fn audit_query(params: &AuditParams) -> (AuditQuery, FormErrors) {
    let mut errors = FormErrors::default();
    let text = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(|s| s.to_lowercase());
    let text_kept = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let mut date = |field: &'static str, v: &Option<String>| -> Option<NaiveDate> {
        let raw = v.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
        PlausibleDate::parse(raw).map(PlausibleDate::date).map_err(|e| errors.add(field, e.to_string())).ok()
    };
    let from = date("from", &params.from);
    let to = date("to", &params.to);
    let page = params.page.as_deref().and_then(|p| p.trim().parse::<u32>().ok()).filter(|p| (1..=100_000).contains(p));
    let query = AuditQuery {
        actor_email: text(&params.actor),
        action: text(&params.action),
        resource: text_kept(&params.resource),
        since: from.and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| Utc.from_utc_datetime(&t)),
        until: to.and_then(|d| d.succ_opt()).and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| Utc.from_utc_datetime(&t)),
        page: page.unwrap_or(1),
        per_page: AUDIT_PER_PAGE,
    };
    (query, errors)
}

fn audit_href(params: &AuditParams, page: u32) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    let fields = [
        ("actor", &params.actor),
        ("action", &params.action),
        ("resource", &params.resource),
        ("from", &params.from),
        ("to", &params.to),
    ];
    for (key, v) in fields {
        if let Some(v) = v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            out.append_pair(key, v);
        }
    }
    out.append_pair("page", &page.to_string());
    format!("/admin/audit?{}", out.finish())
}

fn audit_line(e: &AuditEntry) -> AuditLine {
    AuditLine {
        at: date_time(e.at),
        actor: e.actor_email.clone().unwrap_or_else(|| "Nobody signed in".to_string()),
        action: e.action.clone(),
        resource: e.resource.clone(),
        detail: e.detail.clone().unwrap_or_default(),
        ip: e.ip.clone().unwrap_or_default(),
    }
}

// ---------------------------------------------------------------- outbox

#[derive(Template)]
#[template(path = "accounts/admin_outbox.html")]
struct OutboxPage {
    title: &'static str,
    chrome: Chrome,
    health: Vec<Row>,
    /// Set when mail has been failing for an hour or more.
    warning: Option<String>,
    emails: Vec<EmailView>,
}

struct EmailView {
    to: String,
    subject: String,
    created: String,
    status: String,
    links: Vec<String>,
    body: String,
}

/// `GET /admin/outbox`
pub async fn outbox(State(state): State<AppState>, who: SignedIn) -> Result<Response, PageError> {
    let (health, emails) = state.app.accounts.outbox_for(&who.actor(), OUTBOX_LIMIT).await.map_err(|e| who.fail(e))?;
    let public_url = state.config.public_url();
    let when = |at: Option<chrono::DateTime<chrono::Utc>>| at.map_or_else(|| "None".to_string(), date_time);
    let page = OutboxPage {
        title: "Outbox",
        chrome: Chrome::manage(&who, "Outbox"),
        health: vec![
            Row::text("Waiting to be sent", health.waiting.to_string()),
            Row::text("Sent", health.sent.to_string()),
            Row::text("Failing (waiting after a failed attempt)", health.failing.to_string()),
            Row::text("Oldest waiting since", when(health.oldest_waiting)),
        ],
        warning: health.failing_too_long(chrono::Utc::now()).map(|since| {
            format!(
                "Mail has been failing since {}. Check the mail server settings (CANDOUR_SMTP_URL) and the server log.",
                date_time(since)
            )
        }),
        emails: emails.iter().map(|e| email_view(e, public_url)).collect(),
    };
    Ok(render(StatusCode::OK, &page))
}

fn email_view(e: &OutboxEntry, public_url: &str) -> EmailView {
    let status = match (&e.sent_at, &e.last_error) {
        (Some(at), _) => format!("Sent {}", date_time(*at)),
        (None, Some(error)) => format!("Not sent after {} attempts: {error}", e.attempts),
        (None, None) => "Waiting to be sent (no mail server is set up)".to_string(),
    };
    EmailView {
        to: e.to.to_string(),
        subject: e.subject.clone(),
        created: date_time(e.created_at),
        status,
        links: our_links(&e.body, public_url),
        body: e.body.clone(),
    }
}

/// The links in an email body that point at this site: the only ones worth a click here.
fn our_links(body: &str, public_url: &str) -> Vec<String> {
    let prefix = format!("{public_url}/");
    body.split_whitespace()
        .filter(|word| word.starts_with(&prefix))
        .map(|word| word.trim_end_matches(['.', ',', ')']).to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_forms_need_scopes_where_the_role_has_them() {
        let form = pairs(b"roles=commissioner&scopes-commissioner=Leeds%0D%0ABristol%2C+City+of&roles=moderator");
        let (grants, errors, _) = read_roles(&form);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(grants.len(), 3, "two authorities and the moderator role");
        let (_, errors, choices) = read_roles(&pairs(b"roles=manager"));
        assert!(errors.get("scopes-manager").unwrap().contains("location IDs"));
        assert!(choices.iter().any(|c| c.code == "manager" && c.error.is_some()));
        let (_, errors, _) = read_roles(&[]);
        assert!(errors.get("role-admin").is_some(), "no roles at all is refused");
    }

    #[test]
    fn audit_dates_cover_whole_days() {
        let params =
            AuditParams { from: Some("2024-03-01".into()), to: Some("2024-03-01".into()), ..Default::default() };
        let (query, errors) = audit_query(&params);
        assert!(errors.is_empty());
        assert_eq!(query.until.unwrap() - query.since.unwrap(), chrono::Duration::days(1));
        let (written, errors) = audit_query(&AuditParams { to: Some("31/03/2024".into()), ..Default::default() });
        assert!(errors.is_empty(), "any shape a date is accepted in");
        assert_eq!(
            written.until,
            audit_query(&AuditParams { to: Some("2024-03-31".into()), ..Default::default() }).0.until
        );
        for slip in ["1/1/1", "0001-01-01", "tomorrow"] {
            let (_, errors) = audit_query(&AuditParams { to: Some(slip.into()), ..Default::default() });
            assert!(errors.get("to").is_some(), "{slip}");
        }
    }

    #[test]
    fn only_our_links_are_picked_out_of_emails() {
        let body = "Open this:\n\nhttp://127.0.0.1:8080/invitations/abc\n\nor http://evil.example/x.";
        assert_eq!(our_links(body, "http://127.0.0.1:8080"), vec!["http://127.0.0.1:8080/invitations/abc"]);
    }
}
