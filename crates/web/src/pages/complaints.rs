//! Concerns and complaints: raising one (anyone), following it through its
//! private link, logging one received another way (staff), and handling it on
//! the provider's side, read too by those who oversee the service.

pub mod api;
mod manage;
mod public;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::routing::{get, post};
use candour_domain::LocationId;
use candour_domain::complaints::{
    ComplaintError, ComplaintPolicy, ComplaintStatus, RawComplaint, ReceivedBy, Relationship,
};
use candour_store::ComplaintRecord;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::forms::{Field, FormErrors, RadioGroup, plain, value};
use crate::state::AppState;
use crate::views::{long_date, today};

pub use api::routes as api_routes;

pub fn routes() -> Router<AppState> {
    // The follow link's secret is in the address: never sent to another site in a Referer.
    let private_link = Router::new()
        .route("/complaints/follow/{secret}", get(public::follow))
        .route("/complaints/follow/{secret}/sent", get(public::sent))
        .route("/complaints/follow/{secret}/answers", post(public::answer))
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
    candour_app::complaints::follow_path(secret)
}

pub fn location_complaints_href(id: &LocationId) -> String {
    candour_app::complaints::location_path(id)
}

pub fn complaint_href(id: i64) -> String {
    format!("/manage/complaints/{id}")
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
                "complainant_information" => format!("Information added by the person who raised it: {}", e.detail),
                "complainant_satisfied" => "The person who raised it is satisfied with the response".to_string(),
                "complainant_not_satisfied" if e.detail.is_empty() => {
                    "The person who raised it is not satisfied with the response".to_string()
                }
                "complainant_not_satisfied" => {
                    format!("The person who raised it is not satisfied with the response: {}", e.detail)
                }
                "alert_escalated" => format!("Safeguarding alert escalated: {}", e.detail),
                "complainant_escalating" => {
                    format!("The person who raised it is taking it to {}", lower_first(&e.detail))
                }
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
