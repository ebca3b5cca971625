//! The reflection on the improvement journey, and publishing a plan's summary on
//! the service's public page: the provider writes the summary and chooses which
//! actions and which evidence notes to show. Files are never shown to the public:
//! they may hold personal details the provider did not mean to share; the public
//! page says only how many there are.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_domain::Action;
use candour_domain::improvement::{MAX_TEXT_CHARS, REFLECTION_SECTIONS, Reflection};
use candour_store::{LocationDetail, Plan, Publishing};
use chrono::Utc;

use super::{page_plan, plan_chrome, plan_href};
use crate::auth::SignedIn;
use crate::error::{PageError, render};
use crate::forms::{ErrorLink, Field, FormErrors, pairs, value};
use crate::pages::chrome::Chrome;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "improvement/reflection.html")]
struct ReflectionPage {
    title: String,
    chrome: Chrome,
    errors: Vec<ErrorLink>,
    plan_title: String,
    action: String,
    back_href: String,
    sections: Vec<Field>,
}

fn reflection_page(
    who: &SignedIn,
    detail: &LocationDetail,
    plan: &Plan,
    text: impl Fn(&str) -> String,
    errors: &FormErrors,
) -> ReflectionPage {
    ReflectionPage {
        title: errors.title("Reflection on the improvement journey"),
        chrome: plan_chrome(who, detail, Some(plan), "Reflection"),
        errors: errors.links(),
        plan_title: plan.title.clone(),
        action: format!("{}/reflection", plan_href(plan.id)),
        back_href: plan_href(plan.id),
        sections: REFLECTION_SECTIONS
            .iter()
            .map(|(code, label, hint)| {
                Field::new(*code, *label, "text", "off").hint(hint).value(text(code)).errors(errors)
            })
            .collect(),
    }
}

/// `GET /manage/plans/{id}/reflection`
pub async fn reflection_form(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let (plan, detail) = page_plan(&state, &who, &raw_id, Action::Write).await?;
    let page =
        reflection_page(&who, &detail, &plan, |code| plan.reflection.get(code).to_string(), &FormErrors::default());
    Ok(render(StatusCode::OK, &page))
}

/// `POST /manage/plans/{id}/reflection`
pub async fn save_reflection(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let (plan, detail) = page_plan(&state, &who, &raw_id, Action::Write).await?;
    let form = pairs(&body);
    let reflection = match Reflection::parse(|code| value(&form, code).to_string()) {
        Ok(r) => r,
        Err(problems) => {
            let mut errors = FormErrors::default();
            for p in problems {
                errors.add(p.field, p.message);
            }
            let page = reflection_page(&who, &detail, &plan, |code| value(&form, code).to_string(), &errors);
            return Ok(render(StatusCode::BAD_REQUEST, &page));
        }
    };
    state.store.save_reflection(plan.id, &reflection, Utc::now()).await.map_err(who.store_error())?;
    let text = format!("{} section(s)", reflection.0.len());
    who.caller.record(&state, "plan_reflection", &format!("improvement_plan:{}", plan.id), Some(&text)).await?;
    Ok(Redirect::to(&format!("{}?saved=reflection", plan_href(plan.id))).into_response())
}

#[derive(Template)]
#[template(path = "improvement/publish.html")]
struct PublishPage {
    title: String,
    chrome: Chrome,
    errors: Vec<ErrorLink>,
    plan_title: String,
    published: bool,
    action: String,
    unpublish_action: String,
    back_href: String,
    summary: Field,
    actions: Vec<PublicChoice>,
    notes: Vec<PublicChoice>,
    files: usize,
}

struct PublicChoice {
    id: String,
    value: String,
    label: String,
    checked: bool,
}

fn publish_page(
    who: &SignedIn,
    detail: &LocationDetail,
    plan: &Plan,
    form: Option<&[(String, String)]>,
    errors: &FormErrors,
) -> PublishPage {
    let chosen = |key: &str, id: i64, kept: bool| match form {
        Some(form) => form.iter().any(|(k, v)| k == key && v == &id.to_string()),
        None => kept,
    };
    let summary = match form {
        Some(form) => value(form, "summary").to_string(),
        None => plan.publication.as_ref().map(|p| p.summary.clone()).unwrap_or_default(),
    };
    PublishPage {
        title: errors.title("Publish a summary"),
        chrome: plan_chrome(who, detail, Some(plan), "Publish"),
        errors: errors.links(),
        plan_title: plan.title.clone(),
        published: plan.publication.is_some(),
        action: format!("{}/publish", plan_href(plan.id)),
        unpublish_action: format!("{}/unpublish", plan_href(plan.id)),
        back_href: plan_href(plan.id),
        summary: Field::new("summary", "Summary for the public", "text", "off")
            .hint("What the finding was and what you are doing about it, in plain words. Do not name anyone.")
            .value(summary)
            .errors(errors),
        actions: plan
            .actions
            .iter()
            .map(|a| PublicChoice {
                id: format!("action-{}", a.id),
                value: a.id.to_string(),
                label: format!("{} ({})", a.details.description, a.status.label().to_lowercase()),
                checked: chosen("action", a.id, a.public),
            })
            .collect(),
        notes: plan
            .actions
            .iter()
            // A note sent with a file stays private with it: it may describe what the file holds.
            .flat_map(|a| a.evidence.iter().filter(|e| !e.note.is_empty() && e.file.is_none()))
            .map(|e| PublicChoice {
                id: format!("evidence-{}", e.id),
                value: e.id.to_string(),
                label: e.note.clone(),
                checked: chosen("evidence", e.id, e.public),
            })
            .collect(),
        files: plan.actions.iter().flat_map(|a| &a.evidence).filter(|e| e.file.is_some()).count(),
    }
}

/// `GET /manage/plans/{id}/publish`
pub async fn publish_form(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let (plan, detail) = page_plan(&state, &who, &raw_id, Action::Write).await?;
    Ok(render(StatusCode::OK, &publish_page(&who, &detail, &plan, None, &FormErrors::default())))
}

/// `POST /manage/plans/{id}/publish`
pub async fn publish(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let (plan, detail) = page_plan(&state, &who, &raw_id, Action::Write).await?;
    let form = pairs(&body);
    let summary = value(&form, "summary");
    let mut errors = FormErrors::default();
    if summary.is_empty() {
        errors.add("summary", "Write the summary the public will read");
    } else if summary.chars().count() > MAX_TEXT_CHARS {
        errors.add("summary", format!("Keep the summary under {MAX_TEXT_CHARS} characters"));
    }
    let ids =
        |key: &str| -> Vec<i64> { form.iter().filter(|(k, _)| k == key).filter_map(|(_, v)| v.parse().ok()).collect() };
    // Only the plan's own items, and evidence only as notes: a file never becomes public.
    let actions: Vec<i64> = ids("action").into_iter().filter(|id| plan.action(*id).is_some()).collect();
    let evidence: Vec<i64> = ids("evidence")
        .into_iter()
        .filter(|id| plan.evidence(*id).is_some_and(|(_, e)| !e.note.is_empty() && e.file.is_none()))
        .collect();
    if !errors.is_empty() {
        return Ok(render(StatusCode::BAD_REQUEST, &publish_page(&who, &detail, &plan, Some(&form), &errors)));
    }
    let publishing =
        Publishing { summary: summary.to_string(), actions, evidence, by: who.principal().user_id, at: Utc::now() };
    state.store.publish_plan(plan.id, &publishing).await.map_err(who.store_error())?;
    let text = format!("{} action(s), {} note(s)", publishing.actions.len(), publishing.evidence.len());
    who.caller.record(&state, "plan_publish", &format!("improvement_plan:{}", plan.id), Some(&text)).await?;
    Ok(Redirect::to(&format!("{}?saved=published", plan_href(plan.id))).into_response())
}

/// `POST /manage/plans/{id}/unpublish`
pub async fn unpublish(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let (plan, _) = page_plan(&state, &who, &raw_id, Action::Write).await?;
    state.store.unpublish_plan(plan.id, Utc::now()).await.map_err(who.store_error())?;
    who.caller.record(&state, "plan_unpublish", &format!("improvement_plan:{}", plan.id), None).await?;
    Ok(Redirect::to(&format!("{}?saved=unpublished", plan_href(plan.id))).into_response())
}
