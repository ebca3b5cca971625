//! Safeguarding contacts, whom alerts are emailed to: a provider's named lead
//! (set by its administrators on the provider's page) and a local authority's
//! team (set by its commissioners on the area's page). This is the section the
//! provider's and the area's pages show; the forms it posts are handled in
//! `contact_forms`.

use candour_store::ContactScope;

use crate::auth::SignedIn;
use crate::error::WebError;
use crate::forms::{Field, FormErrors, value};
use crate::pages::chrome::{area_href, date_time};
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

pub(super) const NAME: &str = "safeguarding_name";
pub(super) const EMAIL: &str = "safeguarding_email";

/// The section for a provider's page.
pub async fn provider_section(
    state: &AppState,
    who: &SignedIn,
    provider: &candour_domain::ProviderId,
    errors: &FormErrors,
    form: &[(String, String)],
) -> Result<ContactSection, WebError> {
    let action = format!("/manage/providers/{provider}/safeguarding-lead");
    let scope = ContactScope::Provider(provider.clone());
    section(state, who, &scope, PROVIDER, action, errors, form).await
}

/// The section for a local authority's page.
pub async fn area_section(
    state: &AppState,
    who: &SignedIn,
    local_authority: &str,
    errors: &FormErrors,
    form: &[(String, String)],
) -> Result<ContactSection, WebError> {
    let action = format!("{}/safeguarding-team", area_href(local_authority));
    let scope = ContactScope::LocalAuthority(local_authority.to_string());
    section(state, who, &scope, AREA, action, errors, form).await
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

/// `action` is where the form posts; the form is shown to those who may change the contact.
async fn section(
    state: &AppState,
    who: &SignedIn,
    scope: &ContactScope,
    (heading, intro, missing): Wording,
    action: String,
    errors: &FormErrors,
    form: &[(String, String)],
) -> Result<ContactSection, WebError> {
    let view = state.app.moderation.contact(&who.actor(), scope).await.map_err(|e| who.fail(e))?;
    let (current, action) = (view.current, view.may_change.then_some(action));
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
