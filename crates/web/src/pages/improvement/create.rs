//! A new plan, built from the location's current findings: the quality statements
//! scored 1 or 2 in its latest published assessment, its watchlist reasons, a
//! rating of Requires improvement or Inadequate, an upheld complaint (by its
//! reference) and any other finding in the provider's own words.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_app::improvement::{ImprovementError, Offered, RawPlan};
use candour_domain::LocationId;
use candour_domain::improvement::FindingKind;
use candour_store::LocationDetail;

use super::{plan_href, plans_href};
use crate::auth::SignedIn;
use crate::error::{PageError, render};
use crate::forms::{ErrorLink, Field, FormErrors, pairs, value};
use crate::pages::chrome::{Chrome, Crumb};
use crate::state::AppState;
use crate::views::today;

#[derive(Template)]
#[template(path = "improvement/new.html")]
struct NewPlanPage {
    title: String,
    chrome: Chrome,
    errors: Vec<ErrorLink>,
    name: String,
    action: String,
    back_href: String,
    plan_title: Field,
    started_on: Field,
    offered: Vec<Choice>,
    findings_error: Option<String>,
    complaint_reference: Field,
    complaint_text: Field,
    other_text: Field,
}

struct Choice {
    id: String,
    key: String,
    kind: &'static str,
    text: String,
    checked: bool,
}

/// The location's watchlist reasons (code, text), as monitoring last computed them.
fn watchlist(state: &AppState) -> impl FnOnce(&LocationId) -> Vec<(String, String)> + '_ {
    move |id| {
        let Some(snapshot) = state.monitor.current() else { return Vec::new() };
        let Some(watched) = snapshot.get(id) else { return Vec::new() };
        watched.entry.reasons.iter().map(|r| (r.code.to_string(), r.text.clone())).collect()
    }
}

/// `GET /manage/locations/{id}/plans/new`
pub async fn form(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let found = state.app.improvement.new_plan(&who.actor(), &raw_id, watchlist(&state)).await;
    let (detail, offered) = found.map_err(|e| who.fail(e))?;
    let form = vec![("started_on".to_string(), today().to_string())];
    Ok(render(StatusCode::OK, &page(&who, &detail, &offered, &form, &FormErrors::default())))
}

/// `POST /manage/locations/{id}/plans/new`: the plan, and on to it (303); or the form with every problem.
pub async fn submit(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = pairs(&body);
    let raw = RawPlan {
        title: value(&form, "title").to_string(),
        started_on: value(&form, "started_on").to_string(),
        findings: form.iter().filter(|(k, _)| k == "finding").map(|(_, v)| v.clone()).collect(),
        complaint_reference: value(&form, "complaint_reference").to_string(),
        complaint_text: value(&form, "complaint_text").to_string(),
        other_text: value(&form, "other_text").to_string(),
    };
    match state.app.improvement.create(&who.actor(), &raw_id, &raw, watchlist(&state)).await {
        Ok(plan) => Ok(Redirect::to(&format!("{}?saved=created", plan_href(plan.id))).into_response()),
        Err(ImprovementError::Invalid(problems)) => {
            let found = state.app.improvement.new_plan(&who.actor(), &raw_id, watchlist(&state)).await;
            let (detail, offered) = found.map_err(|e| who.fail(e))?;
            let mut errors = FormErrors::default();
            for (field, message) in problems {
                errors.add(field, message);
            }
            Ok(render(StatusCode::BAD_REQUEST, &page(&who, &detail, &offered, &form, &errors)))
        }
        Err(e) => Err(who.fail(e).into()),
    }
}

fn page(
    who: &SignedIn,
    detail: &LocationDetail,
    offered: &[Offered],
    form: &[(String, String)],
    errors: &FormErrors,
) -> NewPlanPage {
    let l = &detail.location;
    let chosen: Vec<&str> = form.iter().filter(|(k, _)| k == "finding").map(|(_, v)| v.as_str()).collect();
    NewPlanPage {
        title: errors.title("Start an improvement plan"),
        chrome: Chrome::with(
            who,
            vec![
                Crumb::new("Manage", "/manage"),
                Crumb::new(l.name.clone(), format!("/manage/locations/{}", l.id)),
                Crumb::new("Improvement plans", plans_href(&l.id)),
            ],
            "New plan",
        ),
        errors: errors.links(),
        name: l.name.clone(),
        action: format!("{}/new", plans_href(&l.id)),
        back_href: plans_href(&l.id),
        plan_title: Field::new("title", "Plan title", "text", "off")
            .hint("A short name, like “After the March 2026 inspection”.")
            .value(value(form, "title"))
            .errors(errors),
        started_on: Field::new("started_on", "Date the plan began", "text", "off")
            .hint("Written YYYY-MM-DD. What people say about the service is compared before and after this date.")
            .value(value(form, "started_on"))
            .errors(errors),
        offered: offered
            .iter()
            .enumerate()
            .map(|(i, o)| Choice {
                id: format!("finding-{}", i + 1),
                key: o.key.clone(),
                kind: o.finding.kind.label(),
                text: if o.finding.reference.is_empty() || o.finding.kind != FindingKind::Statement {
                    o.finding.text.clone()
                } else {
                    format!("{} {}", o.finding.reference, o.finding.text)
                },
                checked: chosen.contains(&o.key.as_str()),
            })
            .collect(),
        findings_error: errors.get("finding-1"),
        complaint_reference: Field::new("complaint_reference", "Complaint reference", "text", "off")
            .hint("An upheld complaint this plan answers that is not kept in Candour (those that are are listed above): its reference.")
            .value(value(form, "complaint_reference"))
            .errors(errors),
        complaint_text: Field::new("complaint_text", "What the complaint found", "text", "off")
            .hint("In a few words, without naming anyone.")
            .value(value(form, "complaint_text"))
            .errors(errors),
        other_text: Field::new("other_text", "Other finding", "text", "off")
            .hint("Anything else the plan answers, such as a local authority quality visit or your own audit.")
            .value(value(form, "other_text"))
            .errors(errors),
    }
}
