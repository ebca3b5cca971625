//! The life of an assessment, as one pure rule every page, API and store asks:
//! draft → sent to the provider (challenges) → published. Once sent, findings are
//! locked; accepting a factual-accuracy challenge reopens just the finding it is
//! about. Publishing waits until every challenge is decided and the challenge
//! window has ended (or the provider has said it has no more challenges).

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::KeyQuestion;

/// Where an assessment is in its life. Only forwards: draft → sent → published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssessmentStatus {
    /// Being scored by the inspector; only inspectors see it.
    Draft,
    /// With the provider for factual-accuracy challenges; its findings are locked.
    Sent,
    /// The current rating; never changes again.
    Published,
}

impl AssessmentStatus {
    pub fn code(self) -> &'static str {
        match self {
            AssessmentStatus::Draft => "draft",
            AssessmentStatus::Sent => "sent",
            AssessmentStatus::Published => "published",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [AssessmentStatus::Draft, AssessmentStatus::Sent, AssessmentStatus::Published]
            .into_iter()
            .find(|s| s.code() == value)
    }
}

impl fmt::Display for AssessmentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChallengeStatus {
    Open,
    Accepted,
    Rejected,
}

impl ChallengeStatus {
    pub fn code(self) -> &'static str {
        match self {
            ChallengeStatus::Open => "open",
            ChallengeStatus::Accepted => "accepted",
            ChallengeStatus::Rejected => "rejected",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [ChallengeStatus::Open, ChallengeStatus::Accepted, ChallengeStatus::Rejected]
            .into_iter()
            .find(|s| s.code() == value)
    }
}

/// A key question's finding code, as challenges and judgements name it.
pub fn key_question_code(kq: KeyQuestion) -> &'static str {
    match kq {
        KeyQuestion::Safe => "safe",
        KeyQuestion::Effective => "effective",
        KeyQuestion::Caring => "caring",
        KeyQuestion::Responsive => "responsive",
        KeyQuestion::WellLed => "well_led",
    }
}

/// The key question a statement ID (`S1`, `W3`) belongs to, by its letter.
pub fn key_question_of_statement(statement: &str) -> Option<KeyQuestion> {
    match statement.chars().next()?.to_ascii_uppercase() {
        'S' => Some(KeyQuestion::Safe),
        'E' => Some(KeyQuestion::Effective),
        'C' => Some(KeyQuestion::Caring),
        'R' => Some(KeyQuestion::Responsive),
        'W' => Some(KeyQuestion::WellLed),
        _ => None,
    }
}

/// The part of an assessment a change touches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// One quality statement's scores and notes (`S3`).
    Statement(String),
    /// A key question's standing rating or judgement.
    KeyQuestion(KeyQuestion),
    /// The facts about the service and the overall judgement.
    Overall,
}

/// A part of a report that a factual-accuracy challenge may name.
pub trait Finding {
    /// Whether a challenge to `finding` is about this part.
    fn covered_by(&self, finding: &str) -> bool;
}

impl Finding for Part {
    /// A challenge to `finding` (`S3`, `safe` or `overall`) is about this part; a
    /// challenge to a key question covers its statements too.
    fn covered_by(&self, finding: &str) -> bool {
        match self {
            Part::Statement(id) => {
                finding.eq_ignore_ascii_case(id)
                    || key_question_of_statement(id).is_some_and(|kq| key_question_code(kq) == finding)
            }
            Part::KeyQuestion(kq) => key_question_code(*kq) == finding,
            Part::Overall => finding == "overall",
        }
    }
}

/// A challenge as the rule sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeState {
    pub id: i64,
    pub finding: String,
    pub status: ChallengeStatus,
}

/// Everything the rule needs to know about one assessment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lifecycle {
    pub status: AssessmentStatus,
    /// The last day on which challenges may be raised.
    pub window_ends: Option<NaiveDate>,
    /// The provider said it has no more challenges.
    pub provider_finished: bool,
    pub challenges: Vec<ChallengeState>,
}

/// Why a step is refused, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refusal(pub String);

fn refuse<T>(message: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal(message.into()))
}

impl Lifecycle {
    pub fn open_challenges(&self) -> usize {
        self.challenges.iter().filter(|c| c.status == ChallengeStatus::Open).count()
    }

    /// Whether the provider may still raise challenges on `today`.
    pub fn window_open(&self, today: NaiveDate) -> bool {
        self.status == AssessmentStatus::Sent
            && !self.provider_finished
            && self.window_ends.is_some_and(|end| today <= end)
    }

    /// Whether `part` may change: anything in a draft; once sent, only a part an
    /// accepted challenge reopened (`Ok(Some(challenge id))`, the latest such).
    pub fn may_change(&self, part: &impl Finding) -> Result<Option<i64>, Refusal> {
        match self.status {
            AssessmentStatus::Draft => Ok(None),
            AssessmentStatus::Published => refuse("the assessment is published and cannot change"),
            AssessmentStatus::Sent => self
                .challenges
                .iter()
                .rev()
                .find(|c| c.status == ChallengeStatus::Accepted && part.covered_by(&c.finding))
                .map(|c| Some(c.id))
                .ok_or_else(|| {
                    Refusal(
                        "the draft was sent to the provider, so its findings are locked: a finding \
                         reopens only when a factual-accuracy challenge to it is accepted"
                            .to_string(),
                    )
                }),
        }
    }

    pub fn may_send(&self) -> Result<(), Refusal> {
        match self.status {
            AssessmentStatus::Draft => Ok(()),
            status => refuse(format!("the assessment is already {status}")),
        }
    }

    pub fn may_challenge(&self, today: NaiveDate) -> Result<(), Refusal> {
        match (self.status, self.window_ends) {
            _ if self.window_open(today) => Ok(()),
            (AssessmentStatus::Sent, _) if self.provider_finished => {
                refuse("the provider has said it has no more challenges")
            }
            (AssessmentStatus::Sent, Some(end)) => refuse(format!("the challenge window closed at the end of {end}")),
            (status, _) => refuse(format!("the assessment is {status}, not open to challenge")),
        }
    }

    /// The provider says it has no more challenges, so publishing need not wait
    /// for the window to end.
    pub fn may_finish_challenges(&self, today: NaiveDate) -> Result<(), Refusal> {
        match self.status {
            AssessmentStatus::Sent if self.provider_finished => refuse("the provider has already said so"),
            AssessmentStatus::Sent if !self.window_open(today) => refuse("the challenge window has already ended"),
            AssessmentStatus::Sent => Ok(()),
            status => refuse(format!("the assessment is {status}, not open to challenge")),
        }
    }

    pub fn may_decide(&self) -> Result<(), Refusal> {
        match self.status {
            AssessmentStatus::Sent => Ok(()),
            status => refuse(format!("the assessment is {status}")),
        }
    }

    /// Publishing needs every challenge decided, and the window ended or the
    /// provider finished; the refusal says what is missing and until when.
    pub fn may_publish(&self, today: NaiveDate) -> Result<(), Refusal> {
        match self.status {
            AssessmentStatus::Draft => return refuse("send the draft to the provider before publishing it"),
            AssessmentStatus::Published => return refuse("the assessment is already published"),
            AssessmentStatus::Sent => {}
        }
        let open = self.open_challenges();
        if open > 0 {
            return refuse(format!(
                "{open} factual-accuracy challenge(s) are still open: accept or reject each before publishing"
            ));
        }
        if self.window_open(today) {
            let end = self.window_ends.map(|d| d.format("%-d %B %Y").to_string()).unwrap_or_default();
            return refuse(format!(
                "the provider may raise challenges until the end of {end}: publish after that, \
                 or once the provider says it has no more challenges"
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    fn sent(challenges: Vec<ChallengeState>) -> Lifecycle {
        Lifecycle { status: AssessmentStatus::Sent, window_ends: Some(day(15)), provider_finished: false, challenges }
    }

    fn challenge(id: i64, finding: &str, status: ChallengeStatus) -> ChallengeState {
        ChallengeState { id, finding: finding.into(), status }
    }

    #[test]
    fn a_sent_draft_is_locked_except_what_an_accepted_challenge_reopens() {
        let draft = Lifecycle { status: AssessmentStatus::Draft, ..sent(Vec::new()) };
        assert_eq!(draft.may_change(&Part::Overall), Ok(None));

        let locked = sent(Vec::new());
        let refusal = locked.may_change(&Part::KeyQuestion(KeyQuestion::WellLed)).unwrap_err();
        assert!(refusal.0.contains("locked"), "{refusal}");

        let decided = sent(vec![
            challenge(1, "S3", ChallengeStatus::Accepted),
            challenge(2, "W1", ChallengeStatus::Rejected),
            challenge(3, "effective", ChallengeStatus::Accepted),
            challenge(4, "caring", ChallengeStatus::Open),
        ]);
        assert_eq!(decided.may_change(&Part::Statement("S3".into())), Ok(Some(1)));
        assert!(decided.may_change(&Part::Statement("S2".into())).is_err(), "only the finding challenged");
        assert!(decided.may_change(&Part::Statement("W1".into())).is_err(), "a rejected challenge reopens nothing");
        assert!(decided.may_change(&Part::Statement("C1".into())).is_err(), "an open one neither");
        assert_eq!(
            decided.may_change(&Part::Statement("E2".into())),
            Ok(Some(3)),
            "a key question covers its statements"
        );
        assert_eq!(decided.may_change(&Part::KeyQuestion(KeyQuestion::Effective)), Ok(Some(3)));
        assert!(decided.may_change(&Part::Overall).is_err());

        let published = Lifecycle { status: AssessmentStatus::Published, ..decided };
        assert!(published.may_change(&Part::Statement("S3".into())).is_err());
    }

    #[test]
    fn publishing_waits_for_decisions_and_the_window_or_the_provider() {
        let open = sent(vec![challenge(1, "S3", ChallengeStatus::Open)]);
        assert!(open.may_publish(day(20)).unwrap_err().0.contains("still open"));

        let decided = sent(vec![challenge(1, "S3", ChallengeStatus::Rejected)]);
        let refusal = decided.may_publish(day(10)).unwrap_err();
        assert!(refusal.0.contains("until the end of 15 March 2026"), "{refusal}");
        assert!(decided.may_publish(day(15)).is_err(), "the last day is in the window");
        assert_eq!(decided.may_publish(day(16)), Ok(()));

        assert_eq!(decided.may_finish_challenges(day(10)), Ok(()));
        let finished = Lifecycle { provider_finished: true, ..decided.clone() };
        assert_eq!(finished.may_publish(day(10)), Ok(()));
        assert!(finished.may_challenge(day(10)).unwrap_err().0.contains("no more challenges"));
        assert!(finished.may_finish_challenges(day(10)).is_err());
        assert!(decided.may_finish_challenges(day(16)).is_err(), "after the window");

        let draft = Lifecycle { status: AssessmentStatus::Draft, ..decided };
        assert!(draft.may_publish(day(20)).is_err());
        assert!(draft.may_challenge(day(10)).is_err());
    }
}
