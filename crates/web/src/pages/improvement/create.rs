//! A new plan, built from the location's current findings: the quality statements
//! scored 1 or 2 in its latest published assessment, its watchlist reasons, a
//! rating of Requires improvement or Inadequate, an upheld complaint (by its
//! reference) and any other finding in the provider's own words.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_domain::complaints::{ComplaintStatus, Outcome};
use candour_domain::improvement::{Finding, FindingKind, Problem, parse_date, parse_title};
use candour_domain::{Action, KeyQuestion, Rating};
use candour_store::{AssessmentStatus, LocationDetail, NewPlan};
use chrono::Utc;

use super::{location_for, plan_href, plans_href};
use crate::auth::SignedIn;
use crate::error::{PageError, WebError, render};
use crate::forms::{ErrorLink, Field, FormErrors, pairs, value};
use crate::pages::chrome::{Chrome, Crumb};
use crate::state::AppState;
use crate::views::long_date;
use crate::views::today;

/// A finding offered to link, with the key its checkbox sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Offered {
    pub key: String,
    pub finding: Finding,
}

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

/// The findings a location has now, from its latest published assessment, its
/// current ratings, its upheld complaints and its watchlist entry.
pub(crate) async fn current_findings(state: &AppState, detail: &LocationDetail) -> Result<Vec<Offered>, WebError> {
    let mut offered = Vec::new();
    let id = &detail.location.id;
    let assessments = state.store.assessments_of(id).await.map_err(|e| WebError::from_store(e, String::new))?;
    let latest = assessments.iter().find(|a| a.status == AssessmentStatus::Published);
    if let Some(a) = latest {
        let result: Option<candour_engine::AssessmentResult> =
            a.result.as_deref().and_then(|r| serde_json::from_str(r).ok());
        let on = a.published_on.map(long_date).unwrap_or_default();
        for group in result.iter().flat_map(|r| &r.service_groups) {
            for kq in KeyQuestion::ALL {
                for s in &group.key_questions.get(kq).statements {
                    let score = s.score.get();
                    if score > 2 {
                        continue;
                    }
                    let code = s.id.to_string();
                    let key = format!("statement:{code}");
                    if offered.iter().any(|o: &Offered| o.key == key) {
                        continue;
                    }
                    offered.push(Offered {
                        key,
                        finding: Finding {
                            kind: FindingKind::Statement,
                            reference: code,
                            text: format!(
                                "{}: {}, scored {score} in the assessment published {on}",
                                kq.name(),
                                s.title
                            ),
                        },
                    });
                }
            }
        }
    }
    if let Some(r) = &detail.headline_rating {
        let poor = |rating: Option<Rating>| matches!(rating, Some(Rating::RequiresImprovement | Rating::Inadequate));
        let on = long_date(r.published);
        if poor(r.overall) {
            let name = r.overall.map_or("", |x| x.name());
            offered.push(rating_finding("overall", format!("Rated {name} overall, published {on}")));
        }
        for kq in KeyQuestion::ALL {
            let rating = r.key_questions.get(kq);
            if poor(rating) {
                let name = rating.map_or("", |x| x.name());
                offered.push(rating_finding(
                    &kq.name().to_lowercase(),
                    format!("{} rated {name}, published {on}", kq.name()),
                ));
            }
        }
    }
    // Upheld complaints, named by reference, outcome and date only: a published plan
    // shows its findings, and a complaint's own words may name people.
    let closed = state.store.complaints(std::slice::from_ref(id), Some(ComplaintStatus::Closed)).await;
    let closed = closed.map_err(|e| WebError::from_store(e, String::new))?;
    for c in closed.iter().filter(|c| matches!(c.outcome, Some(Outcome::Upheld | Outcome::PartlyUpheld))) {
        let (outcome, on) = (c.outcome.map_or("", |o| o.label()), c.closed_on.map(long_date).unwrap_or_default());
        offered.push(Offered {
            key: format!("complaint:{}", c.reference),
            finding: Finding {
                kind: FindingKind::Complaint,
                reference: c.reference.clone(),
                text: format!("Complaint {}: {outcome}, closed {on}", c.reference),
            },
        });
    }
    if let Some(snapshot) = state.monitor.current()
        && let Some(watched) = snapshot.get(id)
    {
        for reason in &watched.entry.reasons {
            offered.push(Offered {
                key: format!("watchlist:{}", reason.code),
                finding: Finding {
                    kind: FindingKind::Watchlist,
                    reference: reason.code.to_string(),
                    text: reason.text.clone(),
                },
            });
        }
    }
    Ok(offered)
}

fn rating_finding(reference: &str, text: String) -> Offered {
    Offered {
        key: format!("rating:{reference}"),
        finding: Finding { kind: FindingKind::Rating, reference: reference.to_string(), text },
    }
}

/// `GET /manage/locations/{id}/plans/new`
pub async fn form(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let detail = location_for(&state, &who.caller, &raw_id, Action::Write, || who.not_found()).await?;
    let offered = current_findings(&state, &detail).await?;
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
    let detail = location_for(&state, &who.caller, &raw_id, Action::Write, || who.not_found()).await?;
    let offered = current_findings(&state, &detail).await?;
    let form = pairs(&body);
    let mut errors = FormErrors::default();
    let mut add = |p: Problem| errors.add(p.field, p.message);
    let title = parse_title(value(&form, "title")).map_err(&mut add).ok();
    let started_on = parse_date("started_on", "date the plan began", value(&form, "started_on")).map_err(&mut add).ok();
    let mut findings: Vec<Finding> = form
        .iter()
        .filter(|(k, _)| k == "finding")
        .filter_map(|(_, key)| offered.iter().find(|o| &o.key == key))
        .map(|o| o.finding.clone())
        .collect();
    findings.dedup();
    let (reference, complaint) = (value(&form, "complaint_reference"), value(&form, "complaint_text"));
    if !reference.is_empty() || !complaint.is_empty() {
        match Finding::parse("complaint", reference, complaint) {
            Ok(f) => findings.push(f),
            Err(p) => add(p),
        }
    }
    let other = value(&form, "other_text");
    if !other.is_empty() {
        match Finding::parse("other", "", other) {
            Ok(f) => findings.push(f),
            Err(p) => add(p),
        }
    }
    if findings.is_empty() && errors.is_empty() {
        let first = if offered.is_empty() { "complaint_reference" } else { "finding-1" };
        errors.add(first, "Choose at least one finding, or describe one, for the plan to answer");
    }
    let (Some(title), Some(started_on), true) = (title, started_on, errors.is_empty()) else {
        return Ok(render(StatusCode::BAD_REQUEST, &page(&who, &detail, &offered, &form, &errors)));
    };
    let new = NewPlan {
        location_id: detail.location.id.clone(),
        title,
        started_on,
        findings,
        created_by: who.principal().user_id,
        created_at: Utc::now(),
    };
    let plan = state.store.create_plan(&new).await.map_err(who.store_error())?;
    let detail_text = format!("location {}: {} finding(s)", detail.location.id, plan.findings.len());
    who.caller.record(&state, "plan_create", &format!("improvement_plan:{}", plan.id), Some(&detail_text)).await?;
    Ok(Redirect::to(&format!("{}?saved=created", plan_href(plan.id))).into_response())
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
