//! Publishing: a new policy (version 1), or the next version of one, filled with the
//! current version so that only what changed needs typing. Every problem is shown
//! at once, next to its field, with what was typed kept.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_domain::Action;
use candour_domain::policies::{PolicyDraft, PolicyKind, RawPolicy};
use candour_store::{NewPolicyVersion, PolicyRecord, StoreError};
use chrono::Utc;

use super::{Tenancy, chrome, library_href, policy_href, readable_policy, readable_tenancy};
use crate::auth::SignedIn;
use crate::error::{PageError, WebError, render};
use crate::forms::{ErrorLink, Field, FormErrors, RadioGroup, pairs, plain, value};
use crate::pages::chrome::Chrome;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "policy_form.html")]
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
    let tenancy = writable_tenancy(&state, &who, &raw_id).await?;
    let raw = RawPolicy { confirm: "yes".into(), ..RawPolicy::default() };
    Ok(render(StatusCode::OK, &form_page(&who, &tenancy, None, &raw, &FormErrors::default())))
}

/// `POST /manage/providers/{id}/policies/new`
pub async fn publish_new(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let tenancy = writable_tenancy(&state, &who, &raw_id).await?;
    publish(&state, &who, &tenancy, None, &body).await
}

/// `GET /manage/policies/{id}/new-version`
pub async fn version_form(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let (record, tenancy) = writable_policy(&state, &who, &raw_id).await?;
    let raw = record.current.draft.to_raw();
    Ok(render(StatusCode::OK, &form_page(&who, &tenancy, Some(&record), &raw, &FormErrors::default())))
}

/// `POST /manage/policies/{id}/new-version`
pub async fn publish_version(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let (record, tenancy) = writable_policy(&state, &who, &raw_id).await?;
    publish(&state, &who, &tenancy, Some(&record), &body).await
}

async fn writable_tenancy(state: &AppState, who: &SignedIn, raw_id: &str) -> Result<Tenancy, WebError> {
    let tenancy = readable_tenancy(state, who, raw_id).await?;
    who.require(state, Action::Write, tenancy.library()).await?;
    Ok(tenancy)
}

/// A policy still in force whose library the caller runs.
async fn writable_policy(state: &AppState, who: &SignedIn, raw_id: &str) -> Result<(PolicyRecord, Tenancy), WebError> {
    let (record, tenancy) = readable_policy(state, who, raw_id).await?;
    who.require(state, Action::Write, tenancy.library()).await?;
    if record.withdrawn_at.is_some() {
        return Err(who.not_found());
    }
    Ok((record, tenancy))
}

async fn publish(
    state: &AppState,
    who: &SignedIn,
    tenancy: &Tenancy,
    record: Option<&PolicyRecord>,
    body: &[u8],
) -> Result<Response, PageError> {
    let form = pairs(body);
    let raw = RawPolicy {
        title: value(&form, "title").to_string(),
        kind: value(&form, "kind").to_string(),
        body: value(&form, "body").to_string(),
        changes: value(&form, "changes").to_string(),
        confirm: value(&form, "confirm").to_string(),
    };
    let draft = match PolicyDraft::parse(&raw, record.is_none()) {
        Ok(draft) => draft,
        Err(problems) => {
            let mut errors = FormErrors::default();
            problems.into_iter().for_each(|p| errors.add(p.field, p.message));
            return Ok(render(StatusCode::BAD_REQUEST, &form_page(who, tenancy, record, &raw, &errors)));
        }
    };
    let new = NewPolicyVersion {
        provider: tenancy.id.clone(),
        policy: record.map(|r| r.id),
        draft,
        published_by: Some(who.principal().user_id),
        published_at: Utc::now(),
    };
    let kept = match state.store.publish_policy(&new).await {
        Ok(kept) => kept,
        // Withdrawn between loading the form and sending it.
        Err(StoreError::Conflict(_)) => return Err(who.not_found().into()),
        Err(err) => return Err(who.store_error()(err).into()),
    };
    let detail = format!("version {}", kept.version);
    who.caller.record(state, "publish", &format!("policy:{}", kept.policy_id), Some(&detail)).await?;
    Ok(Redirect::to(&format!("{}?published={}", policy_href(kept.policy_id), kept.version)).into_response())
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
