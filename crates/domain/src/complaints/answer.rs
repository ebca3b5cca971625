//! What the person who raised a complaint says back through their private link:
//! more information, whether they are satisfied with the response, or that they
//! are taking it further. Each is kept on the complaint's timeline.

use serde::Deserialize;

use super::{ComplaintError, EscalatedTo};
use crate::complaints::intake::MAX_WHAT_HAPPENED;

/// The answer form as sent, every field still text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct RawAnswer {
    /// `information`, `satisfied`, `not_satisfied` or `escalating`.
    pub answer: String,
    pub text: String,
    /// For `escalating`: `local_authority` or `ombudsman`.
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// More information: what happened since, or what was left out.
    Information(String),
    Satisfied,
    /// Not satisfied with the response, and why (which may be left empty).
    NotSatisfied(String),
    /// Taking it to the council or the ombudsman.
    Escalating(EscalatedTo),
}

impl Answer {
    /// Checks the form; being satisfied or not waits for the response to be sent.
    pub fn parse(raw: &RawAnswer, response_sent: bool) -> Result<Answer, Vec<ComplaintError>> {
        let text = raw.text.trim();
        let refuse = |field, message: &str| Err(vec![ComplaintError::new(field, message)]);
        if text.chars().count() > MAX_WHAT_HAPPENED {
            return refuse("text", "This is too long: keep it under 5,000 characters");
        }
        match raw.answer.trim() {
            "information" if text.is_empty() => refuse("text", "Write what you want to add"),
            "information" => Ok(Answer::Information(text.to_string())),
            "satisfied" | "not_satisfied" if !response_sent => {
                refuse("answer", "The service has not sent its response yet: you can say so once it has")
            }
            "satisfied" => Ok(Answer::Satisfied),
            "not_satisfied" => Ok(Answer::NotSatisfied(text.to_string())),
            "escalating" => match EscalatedTo::parse(raw.to.trim()) {
                Ok(to) => Ok(Answer::Escalating(to)),
                Err(_) => refuse("to", "Choose who you are taking it to"),
            },
            _ => refuse("answer", "Choose what you want to tell the service"),
        }
    }

    /// The timeline step it is kept as.
    pub fn code(&self) -> &'static str {
        match self {
            Answer::Information(_) => "complainant_information",
            Answer::Satisfied => "complainant_satisfied",
            Answer::NotSatisfied(_) => "complainant_not_satisfied",
            Answer::Escalating(_) => "complainant_escalating",
        }
    }

    /// What is kept with it: the person's words, or whom they are taking it to.
    pub fn detail(&self) -> String {
        match self {
            Answer::Information(text) | Answer::NotSatisfied(text) => text.clone(),
            Answer::Satisfied => String::new(),
            Answer::Escalating(to) => to.label().to_string(),
        }
    }

    /// What it says, for the service's managers: never the person's words.
    pub fn summary(&self) -> &'static str {
        match self {
            Answer::Information(_) => "has added information",
            Answer::Satisfied => "is satisfied with the response",
            Answer::NotSatisfied(_) => "is not satisfied with the response",
            Answer::Escalating(EscalatedTo::LocalAuthority) => "is taking it to the local authority",
            Answer::Escalating(EscalatedTo::Ombudsman) => {
                "is taking it to the Local Government and Social Care Ombudsman"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(answer: &str, text: &str, to: &str) -> RawAnswer {
        RawAnswer { answer: answer.into(), text: text.into(), to: to.into() }
    }

    #[test]
    fn each_answer_is_checked_against_its_field() {
        assert_eq!(Answer::parse(&raw("information", " More. ", ""), false), Ok(Answer::Information("More.".into())));
        let field = |r: &RawAnswer, sent| Answer::parse(r, sent).unwrap_err()[0].field;
        assert_eq!(field(&raw("information", " ", ""), false), "text");
        assert_eq!(field(&raw("satisfied", "", ""), false), "answer", "no response yet");
        assert_eq!(Answer::parse(&raw("satisfied", "", ""), true), Ok(Answer::Satisfied));
        assert_eq!(Answer::parse(&raw("not_satisfied", "", ""), true), Ok(Answer::NotSatisfied(String::new())));
        assert_eq!(
            Answer::parse(&raw("escalating", "", "ombudsman"), false),
            Ok(Answer::Escalating(EscalatedTo::Ombudsman))
        );
        assert_eq!(field(&raw("escalating", "", "court"), false), "to");
        assert_eq!(field(&raw("", "", ""), false), "answer");
        assert_eq!(field(&raw("information", &"x".repeat(5001), ""), false), "text");
    }
}
