//! The policy cascade: a provider publishes versioned policies to its staff, who confirm they have read them.
//!
//! - `/manage/providers/{id}/policies`: the provider's policies. Everyone who works
//!   for it sees what they have to read; its administrators also see the read rate
//!   of each policy and of each location, publish, and export who has read what.
//! - `/manage/policies/{id}`: one policy's current version, with the confirmation
//!   form; for administrators, who has not read it, its versions and withdrawal.

mod api;
mod export;
mod form;
mod words;

use words::roles_text;

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use candour_app::Actor;
use candour_app::policies::{PoliciesError, PolicyView, Tenancy};
use candour_domain::policies::{ReadCount, Version, paragraphs};
use candour_domain::{Action, LocationId, Principal, ProviderId, Resource, authorize};
use candour_store::Reader;
use chrono::Utc;
use serde::Deserialize;

use crate::auth::SignedIn;
use crate::error::{PageError, WebError, render};
use crate::forms::{ErrorLink, pairs, value};
use crate::pages::chrome::{Chrome, Crumb, StatusTag};
use crate::state::AppState;
use crate::views::{count_of, long_date};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/manage/providers/{id}/policies", get(library))
        .route("/manage/providers/{id}/policies/new", get(form::new_form).post(form::publish_new))
        .route("/manage/providers/{id}/policies/reads.csv", get(export::download))
        .route("/manage/policies/{id}", get(show))
        .route("/manage/policies/{id}/versions/{version}", get(show_version))
        .route("/manage/policies/{id}/new-version", get(form::version_form).post(form::publish_version))
        .route("/manage/policies/{id}/read", post(confirm))
        .route("/manage/policies/{id}/withdraw", post(withdraw))
}

/// The area's JSON API, nested under `/api`.
pub fn api_routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    api::routes()
}

pub(crate) fn library_href(id: &ProviderId) -> String {
    format!("/manage/providers/{id}/policies")
}

pub(crate) fn policy_href(id: i64) -> String {
    format!("/manage/policies/{id}")
}

/// "Manage › Provider › Policies › `here`".
fn chrome(who: &SignedIn, tenancy: &Tenancy, here: Option<&str>) -> Chrome {
    let mut crumbs = vec![Crumb::new("Manage", "/manage")];
    if authorize(who.principal(), Action::Read, Resource::Provider { id: &tenancy.id, local_authorities: &[] })
        .is_allowed()
    {
        crumbs.push(Crumb::new(tenancy.name.clone(), format!("/manage/providers/{}", tenancy.id)));
    }
    match here {
        Some(here) => {
            crumbs.push(Crumb::new("Policies", library_href(&tenancy.id)));
            Chrome::with(who, crumbs, here)
        }
        None => Chrome::with(who, crumbs, "Policies"),
    }
}

// ---------------------------------------------------------------- the library

#[derive(Template)]
#[template(path = "policies/library.html")]
struct LibraryPage {
    title: String,
    chrome: Chrome,
    notice: Option<String>,
    provider: String,
    to_read: Vec<ReadingLine>,
    read: Vec<ReadingLine>,
    admin: Option<AdminLibrary>,
}

/// A policy in force as one person sees it.
struct ReadingLine {
    href: String,
    title: String,
    kind: &'static str,
    version: String,
    status: String,
}

struct AdminLibrary {
    new_href: String,
    csv_href: String,
    overall: String,
    policies: Vec<AdminLine>,
    locations: Vec<LocationLine>,
}

struct AdminLine {
    href: String,
    title: String,
    kind: &'static str,
    version: String,
    published: String,
    reads: String,
    withdrawn: bool,
}

struct LocationLine {
    name: String,
    href: String,
    people: String,
    reads: String,
}

#[derive(Deserialize, Default)]
pub struct Notice {
    published: Option<String>,
    withdrawn: Option<String>,
    read: Option<String>,
}

impl Notice {
    fn text(&self) -> Option<String> {
        if let Some(v) = &self.published {
            let v = Version::parse(v).ok()?;
            return Some(format!("Version {v} published. Everyone who works for you is asked to read it."));
        }
        if self.withdrawn.is_some() {
            return Some("Policy withdrawn. Nobody is asked to read it any more.".to_string());
        }
        self.read.as_ref().map(|_| "Thank you: your confirmation is recorded.".to_string())
    }
}

/// `GET /manage/providers/{id}/policies`
pub async fn library(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    query: Result<Query<Notice>, QueryRejection>,
) -> Result<Response, PageError> {
    let library = state.app.policies.library(&who.actor(), &raw_id, None).await.map_err(|e| who.fail(e))?;
    let (tenancy, policies, mine) = (&library.tenancy, &library.policies, &library.confirmed);
    let (mut to_read, mut read) = (Vec::new(), Vec::new());
    for p in policies.iter().filter(|p| p.withdrawn_at.is_none()) {
        let mut line = ReadingLine {
            href: policy_href(p.id),
            title: p.title.clone(),
            kind: p.kind.label(),
            version: p.version.to_string(),
            status: "For information".to_string(),
        };
        match (p.requires_confirmation, mine.get(&p.id)) {
            (true, Some(at)) => {
                line.status = format!("Read on {}", long_date(at.date_naive()));
                read.push(line);
            }
            (true, None) => {
                line.status = "To read".to_string();
                to_read.push(line);
            }
            (false, _) => read.push(line),
        }
    }
    let admin = if let Some(rates) = &library.rates {
        let mut overall = ReadCount::default();
        policies.iter().for_each(|p| overall.add(p.reads));
        Some(AdminLibrary {
            new_href: format!("{}/new", library_href(&tenancy.id)),
            csv_href: format!("{}/reads.csv", library_href(&tenancy.id)),
            overall: overall.describe(),
            policies: policies
                .iter()
                .map(|p| AdminLine {
                    href: policy_href(p.id),
                    title: p.title.clone(),
                    kind: p.kind.label(),
                    version: p.version.to_string(),
                    published: long_date(p.published_at.date_naive()),
                    reads: match (p.withdrawn_at, p.requires_confirmation) {
                        (Some(at), _) => format!("Withdrawn on {}", long_date(at.date_naive())),
                        (None, false) => "No confirmation asked".to_string(),
                        (None, true) => p.reads.describe(),
                    },
                    withdrawn: p.withdrawn_at.is_some(),
                })
                .collect(),
            locations: rates
                .iter()
                .map(|r| LocationLine {
                    name: tenancy
                        .location_names
                        .get(&r.location_id)
                        .cloned()
                        .unwrap_or_else(|| r.location_id.to_string()),
                    href: format!("/manage/locations/{}", r.location_id),
                    people: count_of(r.people, "person", "people"),
                    reads: r.reads.describe(),
                })
                .collect(),
        })
    } else {
        None
    };
    let page = LibraryPage {
        title: format!("Policies: {}", tenancy.name),
        chrome: chrome(&who, tenancy, None),
        notice: query.ok().and_then(|q| q.0.text()),
        provider: tenancy.name.clone(),
        to_read,
        read,
        admin,
    };
    Ok(render(StatusCode::OK, &page))
}

// ---------------------------------------------------------------- one policy

#[derive(Template)]
#[template(path = "policies/policy.html")]
struct PolicyPage {
    title: String,
    chrome: Chrome,
    errors: Vec<ErrorLink>,
    notice: Option<String>,
    provider: String,
    heading: String,
    kind: &'static str,
    facts: String,
    /// When this is an earlier version: where the current one is.
    earlier: Option<String>,
    withdrawn: Option<String>,
    changes: Vec<Vec<String>>,
    body: Vec<Vec<String>>,
    reading: Reading,
    admin: Option<AdminPolicy>,
}

/// What the reader can do with the version shown.
enum Reading {
    /// Nothing: an earlier version, a withdrawn policy, or one for information.
    Nothing(String),
    Confirmed(String),
    Form {
        action: String,
        version: String,
        label: String,
        error: Option<String>,
    },
}

struct AdminPolicy {
    reads: String,
    not_read: Vec<PersonLine>,
    have_read: Vec<PersonLine>,
    versions: Vec<VersionLink>,
    new_version_href: Option<String>,
    withdraw_action: Option<String>,
}

struct PersonLine {
    name: String,
    email: String,
    roles: String,
    status: StatusTag,
    read_on: String,
}

struct VersionLink {
    href: String,
    label: String,
    published: String,
    changes: String,
    confirmations: String,
}

/// `GET /manage/policies/{id}`
pub async fn show(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    query: Result<Query<Notice>, QueryRejection>,
) -> Result<Response, PageError> {
    let view = state.app.policies.policy(&who.actor(), &raw_id, None).await.map_err(|e| who.fail(e))?;
    let notice = query.ok().and_then(|q| q.0.text());
    Ok(render(StatusCode::OK, &policy_page(&who, &view, notice, None)))
}

/// `GET /manage/policies/{id}/versions/{version}`: an earlier (or the current) version.
pub async fn show_version(
    State(state): State<AppState>,
    who: SignedIn,
    Path((raw_id, raw_version)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let view = state.app.policies.policy(&who.actor(), &raw_id, Some(&raw_version)).await.map_err(|e| who.fail(e))?;
    Ok(render(StatusCode::OK, &policy_page(&who, &view, None, None)))
}

/// `POST /manage/policies/{id}/read`: "I have read and understood version N".
pub async fn confirm(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = pairs(&body);
    let asked = value(&form, "version");
    let message = match state.app.policies.confirm(&who.actor(), &raw_id, Some(asked), None, Utc::now()).await {
        Ok(confirmed) => {
            return Ok(Redirect::to(&format!("{}?read=yes", policy_href(confirmed.policy_id))).into_response());
        }
        Err(PoliciesError::Invalid(_)) => "Read the policy, then confirm with the button below it".to_string(),
        Err(e @ PoliciesError::NothingToConfirm) => e.to_string(),
        Err(PoliciesError::Stale { withdrawn: true, .. }) => {
            "This policy has been withdrawn: there is nothing to confirm".to_string()
        }
        Err(PoliciesError::Stale { current, .. }) => {
            format!("Version {current} has been published since you opened the page: read it, then confirm")
        }
        Err(e) => return Err(who.fail(e).into()),
    };
    let view = state.app.policies.policy_again(&who.actor(), &raw_id).await.map_err(|e| who.fail(e))?;
    Ok(render(StatusCode::CONFLICT, &policy_page(&who, &view, None, Some(message))))
}

/// `POST /manage/policies/{id}/withdraw`
pub async fn withdraw(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let provider = state.app.policies.withdraw(&who.actor(), &raw_id, Utc::now()).await.map_err(|e| who.fail(e))?;
    Ok(Redirect::to(&format!("{}?withdrawn=yes", library_href(&provider))).into_response())
}

fn owned_paragraphs(text: &str) -> Vec<Vec<String>> {
    paragraphs(text).into_iter().map(|p| p.into_iter().map(String::from).collect()).collect()
}

fn policy_page(who: &SignedIn, view: &PolicyView, notice: Option<String>, error: Option<String>) -> PolicyPage {
    let PolicyView { record, tenancy, shown, confirmed_at: mine, .. } = view;
    let current = shown.version == record.current.version;
    let d = &shown.draft;
    let reading = match (current, record.withdrawn_at, d.requires_confirmation, mine) {
        (false, ..) => Reading::Nothing("This is an earlier version: read the current one.".to_string()),
        (true, Some(_), ..) => Reading::Nothing("This policy has been withdrawn and is no longer in force.".into()),
        (true, None, false, _) => {
            Reading::Nothing("This document is for information: nobody is asked to confirm it.".into())
        }
        (true, None, true, Some(at)) => Reading::Confirmed(format!(
            "You confirmed that you have read and understood version {} on {}.",
            shown.version,
            long_date(at.date_naive())
        )),
        (true, None, true, None) => Reading::Form {
            action: format!("{}/read", policy_href(record.id)),
            version: shown.version.to_string(),
            label: format!("I have read and understood version {}", shown.version),
            error: error.clone(),
        },
    };
    let admin = view.readers.as_ref().map(|readers| admin_policy(record, readers));
    let heading = d.title.clone();
    let by = view.published_by.as_ref().map(|name| format!(" by {name}")).unwrap_or_default();
    PolicyPage {
        title: if error.is_some() { format!("Error: {heading}") } else { heading.clone() },
        chrome: chrome(who, tenancy, Some(&heading)),
        errors: error.map(|message| vec![ErrorLink { href: "#confirm".to_string(), message }]).unwrap_or_default(),
        notice,
        provider: tenancy.name.clone(),
        kind: d.kind.label(),
        facts: format!("Version {}, published on {}{by}", shown.version, long_date(shown.published_at.date_naive())),
        earlier: (!current).then(|| policy_href(record.id)),
        withdrawn: record.withdrawn_at.map(|at| format!("Withdrawn on {}", long_date(at.date_naive()))),
        changes: owned_paragraphs(&d.changes),
        body: owned_paragraphs(&d.body),
        heading,
        reading,
        admin,
    }
}

fn admin_policy(record: &candour_store::PolicyRecord, readers: &[Reader]) -> AdminPolicy {
    let asked = record.current.draft.requires_confirmation && record.withdrawn_at.is_none();
    let reads = ReadCount {
        expected: if asked { readers.len() as u64 } else { 0 },
        confirmed: if asked { readers.iter().filter(|r| r.confirmed_at.is_some()).count() as u64 } else { 0 },
    };
    let (have_read, not_read): (Vec<&Reader>, Vec<&Reader>) = readers.iter().partition(|r| r.confirmed_at.is_some());
    let line = |r: &&Reader| PersonLine {
        name: r.name.clone(),
        email: r.email.to_string(),
        roles: roles_text(r),
        status: StatusTag::of(false, r.has_password),
        read_on: r.confirmed_at.map(|at| long_date(at.date_naive())).unwrap_or_default(),
    };
    let open = record.withdrawn_at.is_none();
    AdminPolicy {
        reads: if asked {
            format!("Version {}: {} confirmed", record.current.version, reads.describe())
        } else if open {
            "Nobody is asked to confirm this document.".to_string()
        } else {
            "Withdrawn: nobody is asked to read it.".to_string()
        },
        not_read: if asked { not_read.iter().map(line).collect() } else { Vec::new() },
        have_read: have_read.iter().map(line).collect(),
        versions: record
            .versions
            .iter()
            .map(|v| VersionLink {
                href: format!("{}/versions/{}", policy_href(record.id), v.version),
                label: format!("Version {}", v.version),
                published: long_date(v.published_at.date_naive()),
                changes: v.changes.clone(),
                confirmations: count_of(v.confirmations, "confirmation", "confirmations"),
            })
            .collect(),
        new_version_href: open.then(|| format!("{}/new-version", policy_href(record.id))),
        withdraw_action: open.then(|| format!("{}/withdraw", policy_href(record.id))),
    }
}

// ---------------------------------------------------------------- elsewhere in the workspace

/// The providers the principal works for, with how many current policies they have
/// still to confirm: the lines of the policies section on `/manage`.
pub(crate) async fn manage_links(state: &AppState, p: &Principal) -> Result<Vec<(String, String, String)>, WebError> {
    let actor = Actor::new(p.clone(), None);
    let lines = state.app.policies.to_read(&actor).await.map_err(|e| WebError::from_store(e, String::new))?;
    Ok(lines
        .into_iter()
        .map(|line| {
            let note = match line.unread {
                0 => "You have read every policy asked of you".to_string(),
                n => format!("{} to read and confirm", count_of(n, "policy", "policies")),
            };
            (format!("Policies: {}", line.name), library_href(&line.provider), note)
        })
        .collect())
}

/// The read rate of a location across its provider's policies in force, for its
/// workspace page, when the caller may see the provider's library.
pub(crate) async fn location_read_rate(
    state: &AppState,
    p: &Principal,
    location: &LocationId,
    provider: &ProviderId,
) -> Result<Option<(String, String)>, WebError> {
    let actor = Actor::new(p.clone(), None);
    let rate = state
        .app
        .policies
        .location_read_rate(&actor, location, provider)
        .await
        .map_err(|e| WebError::from_store(e, String::new))?;
    Ok(rate.map(|reads: ReadCount| (reads.describe(), library_href(provider))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_say_what_happened() {
        let n = |published: Option<&str>, withdrawn: bool, read: bool| Notice {
            published: published.map(String::from),
            withdrawn: withdrawn.then(|| "yes".to_string()),
            read: read.then(|| "yes".to_string()),
        };
        assert!(n(Some("2"), false, false).text().unwrap().starts_with("Version 2 published"));
        assert_eq!(n(Some("two"), false, false).text(), None, "a made-up version says nothing");
        assert!(n(None, true, false).text().unwrap().starts_with("Policy withdrawn"));
        assert!(n(None, false, true).text().unwrap().contains("confirmation is recorded"));
        assert_eq!(n(None, false, false).text(), None);
    }
}
