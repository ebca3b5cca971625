//! Concerns and complaints: raising one (anyone), following it through its
//! private link, logging one received another way (staff), and handling it on
//! the provider's side, read too by those who oversee the service.

mod manage;
mod public;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::routing::{get, post};
use candour_domain::complaints::{
    ComplaintError, ComplaintPolicy, ComplaintStatus, NewComplaintDetails, RawComplaint, ReceivedBy, Relationship,
};
use candour_domain::{LocationId, Resource};
use candour_engine::prescreen;
use candour_store::{ComplaintAlert, ComplaintRecord, LocationDetail, OutgoingEmail};
use chrono::{DateTime, Utc};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::error::WebError;
use crate::forms::{Field, FormErrors, RadioGroup, plain, value};
use crate::state::AppState;
use crate::views::{long_date, today};

pub use manage::{Taken, complaint_json, complaint_summary_json, log, take};

pub fn routes() -> Router<AppState> {
    // The follow link's secret is in the address: never sent to another site in a Referer.
    let private_link = Router::new()
        .route("/complaints/follow/{secret}", get(public::follow))
        .route("/complaints/follow/{secret}/sent", get(public::sent))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")));
    Router::new()
        .route("/locations/{id}/complaints/new", get(public::form).post(public::submit))
        .route("/manage/locations/{id}/complaints", get(manage::location_dashboard))
        .route("/manage/locations/{id}/complaints/new", get(manage::log_form).post(manage::log_submit))
        .route("/manage/providers/{id}/complaints", get(manage::provider_dashboard))
        .route("/manage/providers/{id}/complaints.csv", get(manage::provider_csv))
        .route("/manage/complaints/{id}", get(manage::show))
        .route("/manage/complaints/{id}/steps", post(manage::step))
        .merge(private_link)
}

// ---------------------------------------------------------------- paths

pub fn raise_href(id: &LocationId) -> String {
    format!("/locations/{id}/complaints/new")
}

pub fn follow_href(secret: &str) -> String {
    format!("/complaints/follow/{secret}")
}

pub fn location_complaints_href(id: &LocationId) -> String {
    format!("/manage/locations/{id}/complaints")
}

pub fn complaint_href(id: i64) -> String {
    format!("/manage/complaints/{id}")
}

// ---------------------------------------------------------------- access

/// A location's complaints, as the access policy knows them.
pub fn location_resource(detail: &LocationDetail) -> Resource<'_> {
    let l = &detail.location;
    Resource::Complaints { location: &l.id, provider: &l.provider_id, local_authority: l.local_authority.as_deref() }
}

pub fn record_resource(r: &ComplaintRecord) -> Resource<'_> {
    Resource::Complaints {
        location: &r.location_id,
        provider: &r.provider_id,
        local_authority: r.local_authority.as_deref(),
    }
}

pub fn intake_resource(detail: &LocationDetail) -> Resource<'_> {
    Resource::ComplaintIntake { location: &detail.location.id, provider: &detail.location.provider_id }
}

// ---------------------------------------------------------------- shared pieces

/// "Acknowledge within 3 working days; respond within 20 working days, unless
/// another date is agreed with the person who raised it."
pub fn policy_text(policy: ComplaintPolicy) -> String {
    format!(
        "acknowledge within {} working days; respond within {} working days, unless another date is agreed with \
         the person who raised it (weekends and bank holidays in England and Wales are not counted)",
        policy.acknowledge_within, policy.respond_within
    )
}

/// The status in plain words, for the person who raised it and the provider.
pub fn status_words(r: &ComplaintRecord) -> String {
    let d = &r.deadlines;
    match r.status {
        ComplaintStatus::Received => {
            format!("Received. The service should acknowledge it by {}.", long_date(d.acknowledge_by))
        }
        ComplaintStatus::Acknowledged => {
            format!("Acknowledged. The service should send its response by {}.", long_date(d.respond_by))
        }
        ComplaintStatus::Investigating => {
            format!("Being investigated. The service should send its response by {}.", long_date(d.respond_by))
        }
        ComplaintStatus::ResponseSent => "The service has sent its response.".to_string(),
        ComplaintStatus::Closed => "Closed.".to_string(),
    }
}

/// One line of a complaint's timeline.
pub struct TimelineLine {
    pub date: String,
    pub what: String,
}

/// What happened, oldest first, in words.
pub fn timeline(r: &ComplaintRecord) -> Vec<TimelineLine> {
    r.timeline
        .iter()
        .map(|e| {
            let what = match e.step.as_str() {
                "received" => format!("Received ({})", e.detail.to_lowercase()),
                "acknowledge" => "Acknowledged".to_string(),
                "agree_response_date" => format!("Response date agreed: {}", lower_first(&e.detail)),
                "investigate" => "Investigation started".to_string(),
                "send_response" => "Response sent".to_string(),
                "close" => format!("Closed: {}", e.detail.to_lowercase()),
                "escalate" => format!("Escalated to {}", lower_first(&e.detail)),
                "escalation_result" => format!("Result of the escalation: {}", e.detail),
                other => other.to_string(),
            };
            TimelineLine { date: long_date(e.on), what }
        })
        .collect()
}

pub(super) fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_lowercase().chain(chars).collect()).unwrap_or_default()
}

/// The form fields shared by the public form and the staff log.
pub struct ComplaintFields {
    pub what_happened: Field,
    pub desired_outcome: Field,
    pub relationship: RadioGroup,
    pub name: Field,
    pub email: Field,
    pub phone: Field,
    /// Only when staff log one.
    pub channel: Option<RadioGroup>,
    pub received_on: Option<Field>,
}

impl ComplaintFields {
    pub fn new(raw: &RawComplaint, errors: &FormErrors, logged: bool) -> Self {
        let (what_hint, relationship_legend, name_hint) = if logged {
            (
                "What the person said happened, in their words where you can, with dates and who was involved.",
                "How is the person connected to the service?",
                "The person who raised it, so the service can reply to them.",
            )
        } else {
            (
                "Say what happened, when, and who was involved. Give as much detail as you can.",
                "How are you connected to the service?",
                "So the service can reply to you.",
            )
        };
        let relationship = Relationship::ALL.iter().map(|r| {
            let label = if logged { r.described() } else { r.label() };
            (r.code().to_string(), label.to_string(), None)
        });
        ComplaintFields {
            what_happened: Field::new("what_happened", "What happened?", "text", "off")
                .hint(what_hint)
                .value(raw.what_happened.clone())
                .errors(errors),
            desired_outcome: Field::new(
                "desired_outcome",
                if logged {
                    "What would they like to happen? (optional)"
                } else {
                    "What would you like to happen? (optional)"
                },
                "text",
                "off",
            )
            .hint("For example an apology, an explanation, or a change to how care is given.")
            .value(raw.desired_outcome.clone())
            .errors(errors),
            relationship: RadioGroup::new(
                "relationship",
                "relationship",
                relationship_legend,
                relationship.collect::<Vec<_>>(),
                &raw.relationship,
                errors,
            ),
            name: Field::new(
                "name",
                if logged { "Their name" } else { "Your name" },
                "text",
                if logged { "off" } else { "name" },
            )
            .hint(name_hint)
            .value(raw.name.clone())
            .errors(errors),
            email: Field::new("email", "Email address (optional)", "email", if logged { "off" } else { "email" })
                .hint(if logged {
                    "We will email them a private link to follow the complaint."
                } else {
                    "We will email you a private link to follow your complaint."
                })
                .value(raw.email.clone())
                .errors(errors),
            phone: Field::new("phone", "Phone number (optional)", "tel", if logged { "off" } else { "tel" })
                .value(raw.phone.clone())
                .errors(errors),
            channel: logged.then(|| {
                let choices = ReceivedBy::ALL
                    .iter()
                    .filter(|c| **c != ReceivedBy::Online)
                    .map(|c| (c.code(), c.label()))
                    .collect::<Vec<_>>();
                RadioGroup::new("channel", "channel", "How was it received?", plain(choices), &raw.channel, errors)
            }),
            received_on: logged.then(|| {
                Field::new("received_on", "Date received", "date", "off")
                    .hint("The deadlines run from this date. It cannot be in the future.")
                    .value(raw.received_on.clone())
                    .errors(errors)
            }),
        }
    }
}

/// Reads the complaint's fields from a submitted form.
pub fn read_form(form: &[(String, String)]) -> RawComplaint {
    let text = |key: &str| form.iter().find(|(k, _)| k == key).map_or(String::new(), |(_, v)| v.clone());
    RawComplaint {
        what_happened: text("what_happened"),
        desired_outcome: text("desired_outcome"),
        relationship: value(form, "relationship").to_string(),
        name: value(form, "name").to_string(),
        email: value(form, "email").to_string(),
        phone: value(form, "phone").to_string(),
        channel: value(form, "channel").to_string(),
        received_on: value(form, "received_on").to_string(),
    }
}

/// Each problem keyed by its input's id.
pub fn form_errors(problems: &[ComplaintError], prefix: &str) -> FormErrors {
    let mut errors = FormErrors::default();
    for p in problems {
        errors.add(format!("{prefix}{}", p.field), p.message.clone());
    }
    errors
}

/// A safeguarding alert when the words suggest harm, as feedback's pre-screen
/// judges it, with an email to each safeguarding contact for the service. The
/// emails name the service and the reference, never what was written or by whom.
pub async fn safeguarding(
    state: &AppState,
    detail: &LocationDetail,
    details: &NewComplaintDetails,
    reference: &str,
    now: DateTime<Utc>,
) -> Result<(Option<ComplaintAlert>, Vec<OutgoingEmail>), WebError> {
    let mut level = None;
    let mut words: Vec<String> = Vec::new();
    for text in [&details.what_happened, &details.desired_outcome] {
        let screen = prescreen::screen(text);
        if !screen.words.is_empty() {
            level = level.max(Some(screen.suggested));
        }
        for w in screen.words {
            if !words.iter().any(|x| x.eq_ignore_ascii_case(&w)) {
                words.push(w);
            }
        }
    }
    let Some(level) = level.filter(|l| l.is_safeguarding()) else { return Ok((None, Vec::new())) };
    let reason = format!("Pre-screen: words suggesting harm ({})", words.join(", "));
    let l = &detail.location;
    let contacts =
        state.store.safeguarding_contacts_for(&l.id).await.map_err(|e| WebError::from_store(e, String::new))?;
    let url = format!("{}{}", state.config.public_url(), location_complaints_href(&l.id));
    let emails = contacts
        .iter()
        .map(|c| OutgoingEmail {
            to: c.email.clone(),
            subject: format!("Safeguarding alert: complaint about {} (level {})", l.name, level.level()),
            body: format!(
                "Hello {name},\n\nA complaint about {service} (location {id}, run by {provider}) suggests that \
                 someone may be at risk of harm. A safeguarding alert has been raised with it.\n\n\
                 Level: {level}, on a scale from 0 (none) to 5 (severe)\nWhy: {reason}\n\
                 Complaint reference: {reference}\n\n\
                 Read the complaint (you will need to sign in):\n\n{url}\n\n\
                 To keep the person safe and their words private, this email does not include what they wrote \
                 or who they are.\n",
                name = c.name,
                service = l.name,
                id = l.id,
                provider = detail.provider.name,
            ),
            created_at: now,
        })
        .collect();
    Ok((Some(ComplaintAlert { level, reason }), emails))
}

/// The email that gives the person who raised it their follow link.
pub fn follow_email(
    state: &AppState,
    detail: &LocationDetail,
    details: &NewComplaintDetails,
    reference: &str,
    secret: &str,
    now: DateTime<Utc>,
) -> Option<OutgoingEmail> {
    let to = details.contact.email.clone()?;
    let url = format!("{}{}", state.config.public_url(), follow_href(secret));
    Some(OutgoingEmail {
        to,
        subject: format!("Your complaint about {} (reference {reference})", detail.location.name),
        body: format!(
            "Hello {name},\n\n{service} has received your complaint. Your reference is {reference}.\n\n\
             Follow it, read the service's response and see what to do if you are not satisfied, through this \
             private link:\n\n{url}\n\nAnyone who has the link can read the complaint: do not share it.\n",
            name = details.contact.name,
            service = detail.location.name,
        ),
        created_at: now,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_is_stated_in_working_days() {
        let text = policy_text(ComplaintPolicy { acknowledge_within: 2, respond_within: 15 });
        assert!(text.starts_with("acknowledge within 2 working days; respond within 15 working days"));
    }

    #[test]
    fn form_errors_are_keyed_by_input() {
        let errors = form_errors(&[ComplaintError::new("on", "Enter the date")], "close-");
        assert_eq!(errors.get("close-on").as_deref(), Some("Enter the date"));
        assert_eq!(lower_first("The local authority"), "the local authority");
    }
}
