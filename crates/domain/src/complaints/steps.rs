//! What is recorded on a complaint after it arrives: the lifecycle's steps with
//! their dates and words, agreeing a response date with the complainant, and
//! escalations with their results. [`RawStep`] is what a form or the API sends;
//! [`ComplaintStep::parse`] checks it alone, [`ComplaintStep::check`] against the
//! complaint as it stands, so that a refused step changes nothing.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::intake::{MAX_SHORT_TEXT, date, past_date, text};
use super::{ComplaintError, ComplaintStatus, EscalatedTo, Outcome, Refused, Step};

/// The longest response to the complainant, in characters.
pub const MAX_RESPONSE: usize = 10_000;

/// A step as sent: `step` names it, the other fields are those it needs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RawStep {
    pub step: String,
    /// The day it was done: acknowledged, investigation started, response sent,
    /// closed, escalated, or the escalation's result received.
    pub on: String,
    /// The response date agreed with the complainant.
    pub agreed_by: String,
    pub response: String,
    pub outcome: String,
    pub learned: String,
    pub escalated_to: String,
    pub reference: String,
    /// Which escalation a result is for.
    pub escalation: String,
    pub result: String,
}

/// A checked step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum ComplaintStep {
    Acknowledge { on: NaiveDate },
    AgreeResponseDate { by: NaiveDate },
    Investigate { on: NaiveDate },
    SendResponse { on: NaiveDate, response: String },
    Close { on: NaiveDate, outcome: Outcome, learned: String },
    Escalate { to: EscalatedTo, on: NaiveDate, reference: String },
    EscalationResult { escalation: i64, on: NaiveDate, result: String },
}

/// The names of the steps, as `step` gives them, with what each records.
pub const STEP_CODES: [(&str, &str); 7] = [
    ("acknowledge", "Acknowledge the complaint"),
    ("agree_response_date", "Agree a response date with the complainant"),
    ("investigate", "Start investigating"),
    ("send_response", "Send the response"),
    ("close", "Close the complaint"),
    ("escalate", "Record an escalation"),
    ("escalation_result", "Record the result of an escalation"),
];

/// What a step is checked against: the complaint as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplaintState {
    pub status: ComplaintStatus,
    pub received_on: NaiveDate,
    pub acknowledged_on: Option<NaiveDate>,
    pub investigating_on: Option<NaiveDate>,
    pub response_sent_on: Option<NaiveDate>,
    /// Each escalation's id, date and whether its result is recorded.
    pub escalations: Vec<(i64, NaiveDate, bool)>,
}

impl ComplaintStep {
    pub fn code(&self) -> &'static str {
        match self {
            ComplaintStep::Acknowledge { .. } => "acknowledge",
            ComplaintStep::AgreeResponseDate { .. } => "agree_response_date",
            ComplaintStep::Investigate { .. } => "investigate",
            ComplaintStep::SendResponse { .. } => "send_response",
            ComplaintStep::Close { .. } => "close",
            ComplaintStep::Escalate { .. } => "escalate",
            ComplaintStep::EscalationResult { .. } => "escalation_result",
        }
    }

    /// Checks the step's own fields; `today` bounds every date of something done.
    pub fn parse(raw: &RawStep, today: NaiveDate) -> Result<Self, Vec<ComplaintError>> {
        let mut errors = Vec::new();
        let on = |errors: &mut Vec<ComplaintError>, what: &str| past_date(errors, "on", &raw.on, today, what);
        let step = match raw.step.trim() {
            "acknowledge" => on(&mut errors, "it was acknowledged").map(|on| ComplaintStep::Acknowledge { on }),
            "agree_response_date" => match date(&raw.agreed_by) {
                Ok(by) => Some(ComplaintStep::AgreeResponseDate { by }),
                Err(e) => {
                    let message = if raw.agreed_by.trim().is_empty() {
                        "Enter the response date agreed with the complainant".to_string()
                    } else {
                        e.to_string()
                    };
                    errors.push(ComplaintError::new("agreed_by", &message));
                    None
                }
            },
            "investigate" => on(&mut errors, "the investigation started").map(|on| ComplaintStep::Investigate { on }),
            "send_response" => {
                let on = on(&mut errors, "the response was sent");
                let response =
                    text(&mut errors, "response", &raw.response, MAX_RESPONSE, Some("Enter the response you sent"));
                on.map(|on| ComplaintStep::SendResponse { on, response })
            }
            "close" => {
                let on = on(&mut errors, "it was closed");
                let outcome = Outcome::parse(&raw.outcome)
                    .map_err(|_| errors.push(ComplaintError::new("outcome", "Choose the outcome")))
                    .ok();
                let learned = text(
                    &mut errors,
                    "learned",
                    &raw.learned,
                    MAX_SHORT_TEXT,
                    Some("Say what was learned, or what will change, as a result"),
                );
                match (on, outcome) {
                    (Some(on), Some(outcome)) => Some(ComplaintStep::Close { on, outcome, learned }),
                    _ => None,
                }
            }
            "escalate" => {
                let to = EscalatedTo::parse(&raw.escalated_to)
                    .map_err(|_| errors.push(ComplaintError::new("escalated_to", "Choose who it was escalated to")))
                    .ok();
                let on = on(&mut errors, "it was escalated");
                let reference = text(&mut errors, "reference", &raw.reference, 100, None);
                match (to, on) {
                    (Some(to), Some(on)) => Some(ComplaintStep::Escalate { to, on, reference }),
                    _ => None,
                }
            }
            "escalation_result" => {
                let escalation = raw
                    .escalation
                    .trim()
                    .parse::<i64>()
                    .map_err(|_| errors.push(ComplaintError::new("escalation", "Choose the escalation")))
                    .ok();
                let on = on(&mut errors, "the result was received");
                let result = text(&mut errors, "result", &raw.result, MAX_SHORT_TEXT, Some("Say what the result was"));
                match (escalation, on) {
                    (Some(escalation), Some(on)) => Some(ComplaintStep::EscalationResult { escalation, on, result }),
                    _ => None,
                }
            }
            _ => {
                let names: Vec<&str> = STEP_CODES.iter().map(|(c, _)| *c).collect();
                errors.push(ComplaintError::new("step", &format!("Name the step: one of {}", names.join(", "))));
                None
            }
        };
        match step {
            Some(step) if errors.is_empty() => Ok(step),
            _ => Err(errors),
        }
    }

    /// The complaint's status once this step is taken, or why it cannot be now.
    pub fn check(&self, state: &ComplaintState) -> Result<ComplaintStatus, Refused> {
        let not_before = |on: NaiveDate, earlier: Option<NaiveDate>, what: &str| match earlier {
            Some(e) if on < e => {
                Err(Refused(format!("The date cannot be before the day {what} ({}).", e.format("%-d %B %Y"))))
            }
            _ => Ok(()),
        };
        let received = Some(state.received_on);
        match self {
            ComplaintStep::Acknowledge { on } => {
                let to = state.status.after(Step::Acknowledge)?;
                not_before(*on, received, "it was received")?;
                Ok(to)
            }
            ComplaintStep::Investigate { on } => {
                let to = state.status.after(Step::Investigate)?;
                not_before(*on, state.acknowledged_on, "it was acknowledged")?;
                Ok(to)
            }
            ComplaintStep::SendResponse { on, .. } => {
                let to = state.status.after(Step::SendResponse)?;
                not_before(*on, state.acknowledged_on, "it was acknowledged")?;
                not_before(*on, state.investigating_on, "the investigation started")?;
                Ok(to)
            }
            ComplaintStep::Close { on, .. } => {
                let to = state.status.after(Step::Close)?;
                not_before(*on, state.response_sent_on, "the response was sent")?;
                Ok(to)
            }
            ComplaintStep::AgreeResponseDate { by } => match state.status {
                ComplaintStatus::ResponseSent | ComplaintStatus::Closed => {
                    Err(Refused("The response has been sent: there is no response date left to agree.".into()))
                }
                _ if *by <= state.received_on => {
                    Err(Refused("The agreed response date must be after the day the complaint was received.".into()))
                }
                status => Ok(status),
            },
            ComplaintStep::Escalate { on, .. } => {
                not_before(*on, received, "it was received")?;
                Ok(state.status)
            }
            ComplaintStep::EscalationResult { escalation, on, .. } => {
                match state.escalations.iter().find(|(id, ..)| id == escalation) {
                    None => Err(Refused("There is no such escalation on this complaint.".into())),
                    Some((_, _, true)) => Err(Refused("The result of this escalation is already recorded.".into())),
                    Some((_, escalated_on, false)) => {
                        not_before(*on, Some(*escalated_on), "it was escalated")?;
                        Ok(state.status)
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn raw(step: &str, on: &str) -> RawStep {
        RawStep { step: step.into(), on: on.into(), ..RawStep::default() }
    }

    fn state(status: ComplaintStatus) -> ComplaintState {
        ComplaintState {
            status,
            received_on: date(2026, 3, 2),
            acknowledged_on: Some(date(2026, 3, 4)),
            investigating_on: None,
            response_sent_on: None,
            escalations: vec![(7, date(2026, 3, 20), false), (8, date(2026, 3, 21), true)],
        }
    }

    #[test]
    fn steps_are_read_with_every_problem() {
        let today = date(2026, 3, 27);
        assert_eq!(
            ComplaintStep::parse(&raw("acknowledge", "2026-03-04"), today),
            Ok(ComplaintStep::Acknowledge { on: date(2026, 3, 4) })
        );
        let errors = ComplaintStep::parse(&raw("close", "2026-03-28"), today).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["on", "outcome", "learned"]);
        let errors = ComplaintStep::parse(&raw("send_response", ""), today).unwrap_err();
        assert_eq!(errors[0].message, "Enter the date the response was sent");
        assert_eq!(errors[1].field, "response");
        assert_eq!(ComplaintStep::parse(&raw("dance", ""), today).unwrap_err()[0].field, "step");
        let agreed =
            RawStep { step: "agree_response_date".into(), agreed_by: "2026-05-01".into(), ..RawStep::default() };
        assert_eq!(ComplaintStep::parse(&agreed, today), Ok(ComplaintStep::AgreeResponseDate { by: date(2026, 5, 1) }));
    }

    #[test]
    fn steps_follow_the_lifecycle_and_its_dates() {
        use ComplaintStatus::*;
        let send = ComplaintStep::SendResponse { on: date(2026, 3, 10), response: "Sorry".into() };
        assert_eq!(send.check(&state(Acknowledged)), Ok(ResponseSent));
        assert_eq!(send.check(&state(Received)).unwrap_err().0, "Acknowledge the complaint first.");
        let early = ComplaintStep::SendResponse { on: date(2026, 3, 3), response: "Sorry".into() };
        assert!(
            early
                .check(&state(Acknowledged))
                .unwrap_err()
                .0
                .starts_with("The date cannot be before the day it was acknowledged")
        );
        let ack = ComplaintStep::Acknowledge { on: date(2026, 3, 1) };
        assert!(ack.check(&state(Received)).is_err(), "before it was received");
        let agree = ComplaintStep::AgreeResponseDate { by: date(2026, 4, 30) };
        assert_eq!(agree.check(&state(Investigating)), Ok(Investigating));
        assert!(agree.check(&state(ResponseSent)).is_err());
        assert!(ComplaintStep::AgreeResponseDate { by: date(2026, 3, 2) }.check(&state(Received)).is_err());
        let escalate =
            ComplaintStep::Escalate { to: EscalatedTo::Ombudsman, on: date(2026, 3, 25), reference: String::new() };
        assert_eq!(escalate.check(&state(Closed)), Ok(Closed), "escalation may follow closing");
        let result =
            |id| ComplaintStep::EscalationResult { escalation: id, on: date(2026, 3, 26), result: "Upheld".into() };
        assert_eq!(result(7).check(&state(Closed)), Ok(Closed));
        assert!(result(8).check(&state(Closed)).unwrap_err().0.contains("already recorded"));
        assert!(result(9).check(&state(Closed)).unwrap_err().0.contains("no such escalation"));
    }
}
