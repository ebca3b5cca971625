//! A new complaint as it arrives (from the public form, a member of staff or the
//! API), every field still text, checked into [`NewComplaintDetails`] with each
//! problem against its field.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{ComplaintError, ReceivedBy, Relationship};
use crate::{DateError, Email, PlausibleDate};

/// The longest account of what happened, in characters.
pub const MAX_WHAT_HAPPENED: usize = 5000;
/// The longest answer to "what would you like to happen", and to other free text.
pub const MAX_SHORT_TEXT: usize = 2000;
/// The longest name.
pub const MAX_NAME: usize = 200;

/// The fields of a new complaint as sent. `channel` and `received_on` are for
/// complaints logged by staff; the public form leaves them empty (online, today).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RawComplaint {
    pub what_happened: String,
    pub desired_outcome: String,
    pub relationship: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub channel: String,
    pub received_on: String,
}

/// How to reach the person who raised it. Seen by the provider and those who
/// oversee the service; never published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ComplaintContact {
    pub name: String,
    pub email: Option<Email>,
    pub phone: Option<String>,
}

/// A checked new complaint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct NewComplaintDetails {
    pub what_happened: String,
    /// Empty when the person did not say.
    pub desired_outcome: String,
    pub relationship: Relationship,
    pub contact: ComplaintContact,
    pub channel: ReceivedBy,
    pub received_on: NaiveDate,
}

/// Who is sending the complaint in: the person themselves online, or a member
/// of staff (or a system, through the API) logging one received another way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intake {
    Online,
    Logged,
}

impl NewComplaintDetails {
    /// Checks every field; `today` bounds the date received (a complaint cannot
    /// arrive in the future, and its deadlines run from that date).
    pub fn parse(raw: &RawComplaint, intake: Intake, today: NaiveDate) -> Result<Self, Vec<ComplaintError>> {
        let mut errors = Vec::new();
        let what_happened =
            text(&mut errors, "what_happened", &raw.what_happened, MAX_WHAT_HAPPENED, Some("Describe what happened"));
        let desired_outcome = text(&mut errors, "desired_outcome", &raw.desired_outcome, MAX_SHORT_TEXT, None);
        let relationship = Relationship::parse(&raw.relationship)
            .map_err(|_| {
                let message = match intake {
                    Intake::Online => "Choose how you are connected to the service",
                    Intake::Logged => "Choose how the person is connected to the service",
                };
                errors.push(ComplaintError::new("relationship", message));
            })
            .ok();
        let name = text(
            &mut errors,
            "name",
            &raw.name,
            MAX_NAME,
            Some(match intake {
                Intake::Online => "Enter your name",
                Intake::Logged => "Enter the name of the person who raised it",
            }),
        );
        let email = match raw.email.trim() {
            "" => None,
            e => Email::parse(e)
                .map_err(|_| errors.push(ComplaintError::new("email", "Enter an email address like name@example.org")))
                .ok(),
        };
        let phone = match raw.phone.trim() {
            "" => None,
            p => phone_number(p)
                .map_err(|_| {
                    errors.push(ComplaintError::new(
                        "phone",
                        "Enter a phone number like 0113 496 0000 or +44 113 496 0000",
                    ))
                })
                .ok(),
        };
        let (channel, received_on) = match intake {
            Intake::Online => (Some(ReceivedBy::Online), Some(today)),
            Intake::Logged => {
                let channel = ReceivedBy::parse(&raw.channel)
                    .ok()
                    .filter(|c| *c != ReceivedBy::Online)
                    .ok_or_else(|| errors.push(ComplaintError::new("channel", "Choose how the complaint was received")))
                    .ok();
                (channel, past_date(&mut errors, "received_on", &raw.received_on, today, "the complaint was received"))
            }
        };
        match (relationship, channel, received_on) {
            (Some(relationship), Some(channel), Some(received_on)) if errors.is_empty() => Ok(NewComplaintDetails {
                what_happened,
                desired_outcome,
                relationship,
                contact: ComplaintContact { name, email, phone },
                channel,
                received_on,
            }),
            _ => Err(errors),
        }
    }
}

/// Free text trimmed; a problem when it is required and empty, or too long.
pub(crate) fn text(
    errors: &mut Vec<ComplaintError>,
    field: &'static str,
    value: &str,
    max: usize,
    missing: Option<&str>,
) -> String {
    let value = value.trim();
    match missing {
        Some(message) if value.is_empty() => errors.push(ComplaintError::new(field, message)),
        _ if value.chars().count() > max => {
            errors.push(ComplaintError::new(field, &format!("Keep this under {} characters", thousands(max))))
        }
        _ => {}
    }
    value.to_string()
}

/// A [`PlausibleDate`], not after `today`.
pub(crate) fn past_date(
    errors: &mut Vec<ComplaintError>,
    field: &'static str,
    value: &str,
    today: NaiveDate,
    what: &str,
) -> Option<NaiveDate> {
    match date(value) {
        Err(_) if value.trim().is_empty() => {
            errors.push(ComplaintError::new(field, &format!("Enter the date {what}")));
            None
        }
        Err(e) => {
            errors.push(ComplaintError::new(field, &e.to_string()));
            None
        }
        Ok(d) if d > today => {
            errors.push(ComplaintError::new(field, &format!("The date {what} must be today or in the past")));
            None
        }
        Ok(d) => Some(d),
    }
}

/// Reads a [`PlausibleDate`]: `2026-03-27` or `27/3/2026` (or another accepted shape).
pub fn date(value: &str) -> Result<NaiveDate, DateError> {
    PlausibleDate::parse(value).map(PlausibleDate::date)
}

/// A phone number: digits, spaces and `+()-`, with 6 to 15 digits.
fn phone_number(value: &str) -> Result<String, ()> {
    let allowed = value.chars().all(|c| c.is_ascii_digit() || " +()-".contains(c));
    let digits = value.chars().filter(char::is_ascii_digit).count();
    if allowed && (6..=15).contains(&digits) && value.len() <= 30 { Ok(value.to_string()) } else { Err(()) }
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 27).unwrap()
    }

    fn good() -> RawComplaint {
        RawComplaint {
            what_happened: "Mum's medication was late three times".into(),
            desired_outcome: "An apology and a check of the rota".into(),
            relationship: "family".into(),
            name: "Ann Example".into(),
            email: "Ann@Example.org".into(),
            phone: "0113 496 0000".into(),
            ..RawComplaint::default()
        }
    }

    fn fields(errors: &[ComplaintError]) -> Vec<&str> {
        errors.iter().map(|e| e.field).collect()
    }

    #[test]
    fn an_online_complaint_is_received_today() {
        let c = NewComplaintDetails::parse(&good(), Intake::Online, today()).unwrap();
        assert_eq!((c.channel, c.received_on), (ReceivedBy::Online, today()));
        assert_eq!(c.contact.email.unwrap().as_str(), "ann@example.org");
        assert_eq!(c.relationship, Relationship::Family);
    }

    #[test]
    fn every_problem_is_against_its_field() {
        let raw = RawComplaint { email: "nope".into(), phone: "call me".into(), ..RawComplaint::default() };
        let errors = NewComplaintDetails::parse(&raw, Intake::Online, today()).unwrap_err();
        assert_eq!(fields(&errors), ["what_happened", "relationship", "name", "email", "phone"]);
        let long = RawComplaint { what_happened: "x".repeat(MAX_WHAT_HAPPENED + 1), ..good() };
        let errors = NewComplaintDetails::parse(&long, Intake::Online, today()).unwrap_err();
        assert_eq!(errors[0].message, "Keep this under 5,000 characters");
    }

    #[test]
    fn a_logged_complaint_needs_how_and_when_not_in_the_future() {
        let mut raw = good();
        let errors = NewComplaintDetails::parse(&raw, Intake::Logged, today()).unwrap_err();
        assert_eq!(fields(&errors), ["channel", "received_on"]);
        (raw.channel, raw.received_on) = ("online".into(), "2026-03-28".into());
        let errors = NewComplaintDetails::parse(&raw, Intake::Logged, today()).unwrap_err();
        assert_eq!(fields(&errors), ["channel", "received_on"], "online is not logged; tomorrow has not come");
        assert!(errors[1].message.contains("today or in the past"));
        (raw.channel, raw.received_on) = ("phone".into(), "20/3/2026".into());
        let c = NewComplaintDetails::parse(&raw, Intake::Logged, today()).unwrap();
        assert_eq!((c.channel, c.received_on), (ReceivedBy::Phone, NaiveDate::from_ymd_opt(2026, 3, 20).unwrap()));
    }
}
