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
use candour_app::improvement::{ImprovementError, RawPublishing};
use candour_domain::improvement::REFLECTION_SECTIONS;
use candour_store::{LocationDetail, Plan};

use super::{plan_chrome, plan_href};
use crate::auth::SignedIn;
use crate::error::{PageError, render};
use crate::forms::{ErrorLink, Field, FormErrors, pairs, value};
use crate::pages::chrome::Chrome;
use crate::state::AppState;

fn errors_of(problems: Vec<(&'static str, String)>) -> FormErrors {
    let mut errors = FormErrors::default();
    for (field, message) in problems {
        errors.add(field, message);
    }
    errors
}

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
    let view = state.app.improvement.writable(&who.actor(), &raw_id).await.map_err(|e| who.fail(e))?;
    let (plan, detail) = (view.plan, view.detail);
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
    let form = pairs(&body);
    match state.app.improvement.save_reflection(&who.actor(), &raw_id, |code| value(&form, code).to_string()).await {
        Ok(plan) => Ok(Redirect::to(&format!("{}?saved=reflection", plan_href(plan))).into_response()),
        Err(ImprovementError::Invalid(problems)) => {
            let view = state.app.improvement.writable(&who.actor(), &raw_id).await.map_err(|e| who.fail(e))?;
            let errors = errors_of(problems);
            let text = |code: &str| value(&form, code).to_string();
            let page = reflection_page(&who, &view.detail, &view.plan, text, &errors);
            Ok(render(StatusCode::BAD_REQUEST, &page))
        }
        Err(e) => Err(who.fail(e).into()),
    }
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
    let view = state.app.improvement.writable(&who.actor(), &raw_id).await.map_err(|e| who.fail(e))?;
    Ok(render(StatusCode::OK, &publish_page(&who, &view.detail, &view.plan, None, &FormErrors::default())))
}

/// `POST /manage/plans/{id}/publish`
pub async fn publish(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = pairs(&body);
    let all = |key: &str| -> Vec<String> { form.iter().filter(|(k, _)| k == key).map(|(_, v)| v.clone()).collect() };
    let raw = RawPublishing {
        summary: value(&form, "summary").to_string(),
        actions: all("action"),
        evidence: all("evidence"),
    };
    match state.app.improvement.publish(&who.actor(), &raw_id, &raw).await {
        Ok(plan) => Ok(Redirect::to(&format!("{}?saved=published", plan_href(plan))).into_response()),
        Err(ImprovementError::Invalid(problems)) => {
            let view = state.app.improvement.writable(&who.actor(), &raw_id).await.map_err(|e| who.fail(e))?;
            let page = publish_page(&who, &view.detail, &view.plan, Some(&form), &errors_of(problems));
            Ok(render(StatusCode::BAD_REQUEST, &page))
        }
        Err(e) => Err(who.fail(e).into()),
    }
}

/// `POST /manage/plans/{id}/unpublish`
pub async fn unpublish(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let plan = state.app.improvement.unpublish(&who.actor(), &raw_id).await.map_err(|e| who.fail(e))?;
    Ok(Redirect::to(&format!("{}?saved=unpublished", plan_href(plan))).into_response())
}
