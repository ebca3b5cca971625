//! The forms that set a provider's safeguarding lead and an area's safeguarding
//! team. A refused form is shown again on the provider's or the area's page.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_app::voice::VoiceError;
use candour_store::ContactScope;
use chrono::Utc;

use super::contacts::{EMAIL, NAME};
use super::voice_failure;
use crate::auth::SignedIn;
use crate::error::{PageError, WebError};
use crate::forms::{FormErrors, pairs, value};
use crate::pages::chrome::area_href;
use crate::pages::manage;
use crate::state::AppState;

/// Sets the contact, or the problems with it against the form's fields.
async fn save(
    state: &AppState,
    who: &SignedIn,
    scope: &ContactScope,
    form: &[(String, String)],
) -> Result<Option<FormErrors>, WebError> {
    let (name, email) = (value(form, NAME), value(form, EMAIL));
    match state.app.moderation.set_contact(&who.actor(), scope, name, email, Utc::now()).await {
        Ok(()) => Ok(None),
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
    let form = pairs(&body);
    match save(&state, &who, &ContactScope::LocalAuthority(name.clone()), &form).await? {
        None => Ok(Redirect::to(&format!("{}?contact=saved#safeguarding", area_href(&name))).into_response()),
        Some(errors) => manage::area_response(&state, &who, ws, errors, &form, StatusCode::BAD_REQUEST).await,
    }
}
