//! Safeguarding contacts, whom alerts are emailed to: a provider's named lead
//! (set by its administrators on the provider's page) and a local authority's
//! team (set by its commissioners on the area's page).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_domain::{Action, Resource, authorize};
use candour_store::ContactScope;
use candour_voice::VoiceError;
use chrono::Utc;

use super::voice_failure;
use crate::auth::SignedIn;
use crate::error::{PageError, WebError};
use crate::forms::{Field, FormErrors, pairs, value};
use crate::pages::chrome::{area_href, date_time};
use crate::pages::manage;
use crate::state::AppState;

/// The contact as the page shows it, and the form to change it for those who may.
pub struct ContactSection {
    pub heading: &'static str,
    pub intro: &'static str,
    pub current: Option<String>,
    pub missing: &'static str,
    pub form: Option<ContactForm>,
}

pub struct ContactForm {
    pub action: String,
    pub name: Field,
    pub email: Field,
}

const NAME: &str = "safeguarding_name";
const EMAIL: &str = "safeguarding_email";

/// The section for a provider's page.
pub async fn provider_section(
    state: &AppState,
    who: &SignedIn,
    provider: &candour_domain::ProviderId,
    errors: &FormErrors,
    form: &[(String, String)],
) -> Result<ContactSection, WebError> {
    let may_write =
        authorize(who.principal(), Action::Write, Resource::ProviderSafeguardingLead { provider }).is_allowed();
    let action = format!("/manage/providers/{provider}/safeguarding-lead");
    let scope = ContactScope::Provider(provider.clone());
    section(state, &scope, PROVIDER, may_write.then_some(action), errors, form).await
}

/// The section for a local authority's page.
pub async fn area_section(
    state: &AppState,
    who: &SignedIn,
    local_authority: &str,
    errors: &FormErrors,
    form: &[(String, String)],
) -> Result<ContactSection, WebError> {
    let may_write =
        authorize(who.principal(), Action::Write, Resource::AreaSafeguardingTeam { local_authority }).is_allowed();
    let action = format!("{}/safeguarding-team", area_href(local_authority));
    let scope = ContactScope::LocalAuthority(local_authority.to_string());
    section(state, &scope, AREA, may_write.then_some(action), errors, form).await
}

/// The words of a section: its heading, what the contact is for, and the warning when none is set.
type Wording = (&'static str, &'static str, &'static str);

const PROVIDER: Wording = (
    "Safeguarding lead",
    "Safeguarding alerts about this provider's services are emailed at once to its named lead.",
    "No safeguarding lead is set, so alerts about this provider's services are emailed to no one here.",
);

const AREA: Wording = (
    "Safeguarding team",
    "Safeguarding alerts about services in this area are emailed at once to the authority's safeguarding team.",
    "No safeguarding team is set, so alerts about services in this area are emailed to no one at the authority.",
);

/// `action` is where the form posts, for those who may change the contact.
async fn section(
    state: &AppState,
    scope: &ContactScope,
    (heading, intro, missing): Wording,
    action: Option<String>,
    errors: &FormErrors,
    form: &[(String, String)],
) -> Result<ContactSection, WebError> {
    let current = state.store.safeguarding_contact(scope).await.map_err(|e| WebError::from_store(e, String::new))?;
    let (name, email) = match (&current, form.is_empty()) {
        (Some(c), true) => (c.name.clone(), c.email.to_string()),
        _ => (value(form, NAME).to_string(), value(form, EMAIL).to_string()),
    };
    Ok(ContactSection {
        heading,
        intro,
        current: current.map(|c| format!("{} ({}), set {}", c.name, c.email, date_time(c.updated_at))),
        missing,
        form: action.map(|action| ContactForm {
            action,
            name: Field::new(NAME, "Name of the person or team", "text", "off").value(name).errors(errors),
            email: Field::new(EMAIL, "Email address", "email", "off")
                .hint("Use an address that is read every working day. Leave both empty to remove the contact.")
                .value(email)
                .errors(errors),
        }),
    })
}

/// Sets the contact, or the problems with it against the form's fields.
async fn save(
    state: &AppState,
    who: &SignedIn,
    scope: &ContactScope,
    form: &[(String, String)],
) -> Result<Option<FormErrors>, WebError> {
    let (name, email) = (value(form, NAME), value(form, EMAIL));
    match state.voice.set_safeguarding_contact(scope, name, email, who.principal(), Utc::now()).await {
        Ok(()) => {
            let resource = match scope {
                ContactScope::Provider(id) => format!("safeguarding_contact:provider:{id}"),
                ContactScope::LocalAuthority(la) => format!("safeguarding_contact:area:{la}"),
            };
            let detail = if name.is_empty() && email.is_empty() { "removed" } else { "set" };
            who.caller.record(state, "update", &resource, Some(detail)).await?;
            Ok(None)
        }
        Err(VoiceError::Invalid(problems)) => {
            let mut errors = FormErrors::default();
            for p in problems {
                errors.add(if p.field == "email" { EMAIL } else { NAME }, p.message);
            }
            Ok(Some(errors))
        }
        Err(e) => Err(voice_failure(who, e)),
    }
}

/// `POST /manage/providers/{id}/safeguarding-lead`
pub async fn set_provider_lead(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let facts = manage::readable_provider(&state, &who, &raw_id).await?;
    let provider = facts.id.clone();
    who.require(&state, Action::Write, Resource::ProviderSafeguardingLead { provider: &provider }).await?;
    let form = pairs(&body);
    match save(&state, &who, &ContactScope::Provider(provider.clone()), &form).await? {
        None => Ok(Redirect::to(&format!("/manage/providers/{provider}?contact=saved#safeguarding")).into_response()),
        Some(errors) => manage::provider_response(&state, &who, facts, errors, &form, StatusCode::BAD_REQUEST).await,
    }
}

/// `POST /manage/areas/{local_authority}/safeguarding-team`
pub async fn set_area_team(
    State(state): State<AppState>,
    who: SignedIn,
    Path(local_authority): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let ws = manage::readable_area(&state, &who, &local_authority).await?;
    let name = ws.local_authority.clone();
    who.require(&state, Action::Write, Resource::AreaSafeguardingTeam { local_authority: &name }).await?;
    let form = pairs(&body);
    match save(&state, &who, &ContactScope::LocalAuthority(name.clone()), &form).await? {
        None => Ok(Redirect::to(&format!("{}?contact=saved#safeguarding", area_href(&name))).into_response()),
        Some(errors) => manage::area_response(&state, &who, ws, errors, &form, StatusCode::BAD_REQUEST).await,
    }
}
