//! Publishing: a new policy (version 1), or the next version of one, filled with the
//! current version so that only what changed needs typing. Every problem is shown
//! at once, next to its field, with what was typed kept.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_app::policies::{PoliciesError, Publishing, Tenancy};
use candour_domain::policies::{PolicyKind, RawPolicy};
use candour_store::PolicyRecord;
use chrono::Utc;

use super::{chrome, library_href, policy_href};
use crate::auth::SignedIn;
use crate::error::{PageError, render};
use crate::forms::{ErrorLink, Field, FormErrors, RadioGroup, pairs, plain, value};
use crate::pages::chrome::Chrome;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "policies/form.html")]
struct FormPage {
    title: String,
    chrome: Chrome,
    errors: Vec<ErrorLink>,
    provider: String,
    heading: String,
    intro: String,
    action: String,
    back_href: String,
    title_field: Field,
    kind: RadioGroup,
    body: Field,
    changes: Field,
    changes_hint: &'static str,
    confirm: RadioGroup,
    button: String,
}

/// `GET /manage/providers/{id}/policies/new`
pub async fn new_form(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    form(&state, &who, Publishing::NewPolicy { raw_provider: &raw_id }).await
}

/// `POST /manage/providers/{id}/policies/new`
pub async fn publish_new(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    publish(&state, &who, Publishing::NewPolicy { raw_provider: &raw_id }, &body).await
}

/// `GET /manage/policies/{id}/new-version`
pub async fn version_form(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    form(&state, &who, Publishing::NextVersion { raw_policy: &raw_id }).await
}

/// `POST /manage/policies/{id}/new-version`
pub async fn publish_version(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    publish(&state, &who, Publishing::NextVersion { raw_policy: &raw_id }, &body).await
}

/// The empty form for a new policy, or one filled with the current version.
async fn form(state: &AppState, who: &SignedIn, to: Publishing<'_>) -> Result<Response, PageError> {
    let (tenancy, record) = state.app.policies.publishing(&who.actor(), to).await.map_err(|e| who.fail(e))?;
    let raw = match &record {
        Some(record) => record.current.draft.to_raw(),
        None => RawPolicy { confirm: "yes".into(), ..RawPolicy::default() },
    };
    Ok(render(StatusCode::OK, &form_page(who, &tenancy, record.as_ref(), &raw, &FormErrors::default())))
}

async fn publish(state: &AppState, who: &SignedIn, to: Publishing<'_>, body: &[u8]) -> Result<Response, PageError> {
    let form = pairs(body);
    let raw = RawPolicy {
        title: value(&form, "title").to_string(),
        kind: value(&form, "kind").to_string(),
        body: value(&form, "body").to_string(),
        changes: value(&form, "changes").to_string(),
        confirm: value(&form, "confirm").to_string(),
    };
    match state.app.policies.publish(&who.actor(), to, &raw, Utc::now()).await {
        Ok(kept) => {
            let to = format!("{}?published={}", policy_href(kept.policy_id), kept.version);
            Ok(Redirect::to(&to).into_response())
        }
        Err(PoliciesError::Invalid(problems)) => {
            let (tenancy, record) = state.app.policies.publishing(&who.actor(), to).await.map_err(|e| who.fail(e))?;
            let mut errors = FormErrors::default();
            problems.into_iter().for_each(|p| errors.add(p.field, p.message));
            Ok(render(StatusCode::BAD_REQUEST, &form_page(who, &tenancy, record.as_ref(), &raw, &errors)))
        }
        Err(e) => Err(who.fail(e).into()),
    }
}

fn form_page(
    who: &SignedIn,
    tenancy: &Tenancy,
    record: Option<&PolicyRecord>,
    raw: &RawPolicy,
    errors: &FormErrors,
) -> FormPage {
    let (heading, intro, action, back_href, button, changes_hint) = match record {
        None => (
            "Publish a policy".to_string(),
            "Everyone who works for you will see it. When you ask them to, each confirms they have read it."
                .to_string(),
            format!("{}/new", library_href(&tenancy.id)),
            library_href(&tenancy.id),
            "Publish version 1".to_string(),
            "Optional for a first version: what the document is for.",
        ),
        Some(r) => (
            format!("Publish version {} of {}", r.current.version.next(), r.current.draft.title),
            format!(
                "Version {} stays viewable. Everyone asked to read the new version must confirm it again.",
                r.current.version
            ),
            format!("{}/new-version", policy_href(r.id)),
            policy_href(r.id),
            format!("Publish version {}", r.current.version.next()),
            "Say what has changed, so that people know what to look for.",
        ),
    };
    let kinds = plain(PolicyKind::ALL.iter().map(|k| (k.code(), k.label())));
    let confirm =
        plain([("yes", "Yes, ask everyone to confirm they have read it"), ("no", "No, it is for information")]);
    FormPage {
        title: errors.title(&heading),
        chrome: chrome(who, tenancy, Some(if record.is_some() { "New version" } else { "Publish a policy" })),
        errors: errors.links(),
        provider: tenancy.name.clone(),
        heading,
        intro,
        action,
        back_href,
        title_field: Field::new("title", "Title", "text", "off").value(raw.title.clone()).errors(errors),
        kind: RadioGroup::new("kind", "kind", "What kind of document is it?", kinds, &raw.kind, errors),
        body: Field::new("body", "Text", "text", "off")
            .hint("Plain text. Leave a blank line between paragraphs.")
            .value(raw.body.clone())
            .errors(errors),
        changes: Field::new("changes", "What has changed", "text", "off").value(raw.changes.clone()).errors(errors),
        changes_hint,
        confirm: RadioGroup::new(
            "confirm",
            "confirm",
            "Must staff confirm they have read it?",
            confirm,
            &raw.confirm,
            errors,
        ),
        button,
    }
}
