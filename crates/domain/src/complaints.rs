//! Concerns and complaints: the lifecycle and its clocks. A complaint is received,
//! acknowledged (by default within 3 working days), investigated, answered (by the
//! date agreed with the complainant, or within 20 working days), and closed with an
//! outcome and what was learned; it may be escalated to the local authority or the
//! ombudsman. Both clocks are part of a stated, configurable policy.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ParseError;
use crate::working_days::{BeyondCalendar, add_working_days};

pub mod answer;
pub mod intake;
pub mod steps;

pub use answer::{Answer, RawAnswer};
pub use intake::{ComplaintContact, Intake, NewComplaintDetails, RawComplaint};
pub use steps::{ComplaintState, ComplaintStep, RawStep};

coded_enum!(
    /// Where a complaint is in its lifecycle.
    ComplaintStatus, "complaint status", "expected received, acknowledged, investigating, response_sent or closed" {
        Received => "received", "Received";
        Acknowledged => "acknowledged", "Acknowledged";
        Investigating => "investigating", "Being investigated";
        ResponseSent => "response_sent", "Response sent";
        Closed => "closed", "Closed";
    }
);

coded_enum!(
    /// What the investigation found.
    Outcome, "outcome", "expected upheld, partly_upheld or not_upheld" {
        Upheld => "upheld", "Upheld";
        PartlyUpheld => "partly_upheld", "Partly upheld";
        NotUpheld => "not_upheld", "Not upheld";
    }
);

coded_enum!(
    /// Who a complainant took it to next.
    EscalatedTo, "escalation", "expected local_authority or ombudsman" {
        LocalAuthority => "local_authority", "The local authority";
        Ombudsman => "ombudsman", "The Local Government and Social Care Ombudsman";
    }
);

coded_enum!(
    /// How a complaint reached the service.
    ReceivedBy, "channel", "expected online, phone, letter, email or in_person" {
        Online => "online", "Online, through Candour";
        Phone => "phone", "By phone";
        Letter => "letter", "By letter";
        Email => "email", "By email";
        InPerson => "in_person", "In person";
    }
);

coded_enum!(
    /// Who raised a complaint, as they are connected to the service.
    Relationship, "relationship", "expected person, family, advocate, staff or other" {
        Person => "person", "I use this service";
        Family => "family", "I am a family member or friend of someone who uses it";
        Advocate => "advocate", "I am an advocate for someone who uses it";
        Staff => "staff", "I work at this service";
        Other => "other", "Something else";
    }
);

impl Relationship {
    /// The connection written about someone else, for staff and the provider.
    pub fn described(self) -> &'static str {
        match self {
            Relationship::Person => "Uses the service",
            Relationship::Family => "Family member or friend",
            Relationship::Advocate => "Advocate",
            Relationship::Staff => "Works at the service",
            Relationship::Other => "Other",
        }
    }
}

/// A problem with one field of a complaint or a step, in words for the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ComplaintError {
    pub field: &'static str,
    pub message: String,
}

impl ComplaintError {
    pub fn new(field: &'static str, message: &str) -> Self {
        ComplaintError { field, message: message.to_string() }
    }
}

/// Complaints not closed and still unanswered after their response deadline: how
/// many, and the earliest of their deadlines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct OverdueComplaints {
    pub count: u32,
    pub oldest_due: NaiveDate,
}

/// The clocks, in working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ComplaintPolicy {
    pub acknowledge_within: u32,
    /// When no date was agreed with the complainant.
    pub respond_within: u32,
}

impl Default for ComplaintPolicy {
    fn default() -> Self {
        ComplaintPolicy { acknowledge_within: 3, respond_within: 20 }
    }
}

impl ComplaintPolicy {
    /// A policy with both clocks between 1 working day and a year's (260), and the
    /// response never due before the acknowledgement.
    pub fn new(acknowledge_within: u32, respond_within: u32) -> Result<ComplaintPolicy, Refused> {
        for (name, days) in [("acknowledge", acknowledge_within), ("respond", respond_within)] {
            if !(1..=260).contains(&days) {
                return Err(Refused(format!("The days to {name} in must be from 1 to 260 working days, not {days}.")));
            }
        }
        if respond_within < acknowledge_within {
            return Err(Refused(format!(
                "The days to respond in ({respond_within}) cannot be fewer than the days to acknowledge in \
                 ({acknowledge_within})."
            )));
        }
        Ok(ComplaintPolicy { acknowledge_within, respond_within })
    }
}

/// A change asked of a complaint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Acknowledge,
    Investigate,
    SendResponse,
    Close,
}

/// Why a step was refused, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

impl ComplaintStatus {
    /// The status after `step`, or why it cannot be taken now. Steps go forward one at
    /// a time, except that a response may be sent straight after acknowledging (a
    /// simple complaint needs no separate investigation).
    pub fn after(self, step: Step) -> Result<ComplaintStatus, Refused> {
        use ComplaintStatus::*;
        match (self, step) {
            (Received, Step::Acknowledge) => Ok(Acknowledged),
            (Acknowledged, Step::Investigate) => Ok(Investigating),
            (Acknowledged | Investigating, Step::SendResponse) => Ok(ResponseSent),
            (ResponseSent, Step::Close) => Ok(Closed),
            (Closed, _) => Err(Refused("This complaint is closed: nothing more can be recorded on it.".into())),
            (Received, _) => Err(Refused("Acknowledge the complaint first.".into())),
            (_, Step::Close) => Err(Refused("Send the response before closing the complaint.".into())),
            (status, step) => Err(Refused(format!(
                "A complaint that is {} cannot be {}.",
                status.label().to_lowercase(),
                step.done()
            ))),
        }
    }
}

impl Step {
    fn done(self) -> &'static str {
        match self {
            Step::Acknowledge => "acknowledged again",
            Step::Investigate => "put under investigation now",
            Step::SendResponse => "answered again",
            Step::Close => "closed",
        }
    }
}

/// When each answer is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Deadlines {
    pub acknowledge_by: NaiveDate,
    pub respond_by: NaiveDate,
}

/// The deadlines of a complaint received on `received` under `policy`.
pub fn deadlines(
    received: NaiveDate,
    agreed_response_by: Option<NaiveDate>,
    policy: ComplaintPolicy,
) -> Result<Deadlines, BeyondCalendar> {
    let respond_by = match agreed_response_by {
        Some(agreed) => agreed,
        None => add_working_days(received, policy.respond_within)?,
    };
    Ok(Deadlines { acknowledge_by: add_working_days(received, policy.acknowledge_within)?, respond_by })
}

/// Which answers are late on `today`: not given by the deadline (or given after it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, utoipa::ToSchema)]
pub struct Late {
    pub acknowledgement: bool,
    pub response: bool,
}

impl Deadlines {
    pub fn late(&self, acknowledged: Option<NaiveDate>, response_sent: Option<NaiveDate>, today: NaiveDate) -> Late {
        let late = |done: Option<NaiveDate>, due: NaiveDate| done.map_or(today > due, |on| on > due);
        Late {
            acknowledgement: late(acknowledged, self.acknowledge_by),
            response: late(response_sent, self.respond_by),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ComplaintStatus::*;

    #[test]
    fn a_policy_keeps_its_clocks_in_range_and_in_order() {
        assert_eq!(ComplaintPolicy::new(3, 20), Ok(ComplaintPolicy::default()));
        assert_eq!(ComplaintPolicy::new(5, 5).map(|p| p.respond_within), Ok(5));
        let refused = |a, r| ComplaintPolicy::new(a, r).unwrap_err().0;
        assert_eq!(refused(0, 20), "The days to acknowledge in must be from 1 to 260 working days, not 0.");
        assert_eq!(refused(3, 261), "The days to respond in must be from 1 to 260 working days, not 261.");
        assert_eq!(refused(10, 5), "The days to respond in (5) cannot be fewer than the days to acknowledge in (10).");
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn every_transition_and_the_refused_ones() {
        let steps = [Step::Acknowledge, Step::Investigate, Step::SendResponse, Step::Close];
        let allowed: Vec<(ComplaintStatus, Step, ComplaintStatus)> = ComplaintStatus::ALL
            .iter()
            .flat_map(|&s| steps.iter().filter_map(move |&step| s.after(step).ok().map(|to| (s, step, to))))
            .collect();
        assert_eq!(
            allowed,
            [
                (Received, Step::Acknowledge, Acknowledged),
                (Acknowledged, Step::Investigate, Investigating),
                (Acknowledged, Step::SendResponse, ResponseSent),
                (Investigating, Step::SendResponse, ResponseSent),
                (ResponseSent, Step::Close, Closed),
            ]
        );
        assert_eq!(Received.after(Step::SendResponse).unwrap_err().0, "Acknowledge the complaint first.");
        assert_eq!(Investigating.after(Step::Close).unwrap_err().0, "Send the response before closing the complaint.");
        assert_eq!(
            Acknowledged.after(Step::Acknowledge).unwrap_err().0,
            "A complaint that is acknowledged cannot be acknowledged again."
        );
        assert!(Closed.after(Step::Close).unwrap_err().0.starts_with("This complaint is closed"));
    }

    #[test]
    fn deadlines_count_working_days_unless_a_date_was_agreed() {
        let policy = ComplaintPolicy::default();
        // Received Thursday 24 December 2026: Christmas and Boxing Day's substitute intervene.
        let due = deadlines(date(2026, 12, 24), None, policy).unwrap();
        assert_eq!(due.acknowledge_by, date(2026, 12, 31));
        assert_eq!(due.respond_by, date(2027, 1, 26));
        let agreed = deadlines(date(2026, 12, 24), Some(date(2027, 2, 12)), policy).unwrap();
        assert_eq!(agreed.respond_by, date(2027, 2, 12));
        let quick =
            deadlines(date(2026, 11, 23), None, ComplaintPolicy { acknowledge_within: 1, respond_within: 5 }).unwrap();
        assert_eq!((quick.acknowledge_by, quick.respond_by), (date(2026, 11, 24), date(2026, 11, 30)));
        assert!(deadlines(date(2027, 12, 20), None, policy).is_err(), "beyond the known bank holidays");
    }

    #[test]
    fn late_means_not_done_by_the_deadline() {
        let due = deadlines(date(2026, 11, 23), None, ComplaintPolicy::default()).unwrap();
        assert_eq!(due.acknowledge_by, date(2026, 11, 26));
        assert_eq!(due.late(None, None, date(2026, 11, 26)), Late::default(), "due today is not late");
        assert_eq!(due.late(None, None, date(2026, 11, 27)), Late { acknowledgement: true, response: false });
        assert!(!due.late(Some(date(2026, 11, 26)), None, date(2026, 12, 30)).acknowledgement);
        assert!(due.late(Some(date(2026, 11, 27)), None, date(2026, 11, 27)).acknowledgement, "answered late");
        assert_eq!(due.late(Some(date(2026, 11, 24)), Some(date(2026, 12, 21)), date(2027, 1, 5)), Late::default());
        assert!(due.late(Some(date(2026, 11, 24)), None, date(2026, 12, 22)).response);
    }
}
