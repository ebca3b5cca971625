//! What a complaint sends. A new one: a safeguarding alert when its words suggest
//! harm, with an email to each safeguarding contact for the service, the follow
//! link to the person who raised it, and a notice to the service's managers. Each
//! step the person should hear of, and each deadline the working day before and
//! when missed: notices to the complainant and the managers.

use candour_domain::complaints::{Answer, ComplaintStep, NewComplaintDetails};
use candour_domain::working_days::add_working_days;
use candour_engine::prescreen;
use candour_store::{
    ComplaintAlert, ComplaintRecord, LocationDetail, NewComplaint, OutgoingEmail, SafeguardingContact,
};
use chrono::{DateTime, NaiveDate, Utc};

use crate::notices::{Link, Notice, NoticeKind};

use super::location_path;

/// A safeguarding alert when the words suggest harm, as feedback's pre-screen
/// judges it, with an email to each safeguarding contact for the service. The
/// emails name the service and the reference, never what was written or by whom.
pub(super) fn safeguarding(
    public_url: &str,
    detail: &LocationDetail,
    details: &NewComplaintDetails,
    contacts: &[SafeguardingContact],
    reference: &str,
    now: DateTime<Utc>,
) -> (Option<ComplaintAlert>, Vec<OutgoingEmail>) {
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
    let Some(level) = level.filter(|l| l.is_safeguarding()) else { return (None, Vec::new()) };
    let reason = format!("Pre-screen: words suggesting harm ({})", words.join(", "));
    let l = &detail.location;
    let url = format!("{public_url}{}", location_path(&l.id));
    let emails = contacts
        .iter()
        .map(|c| {
            OutgoingEmail::plain(
                c.email.clone(),
                format!("Safeguarding alert: complaint about {} (level {})", l.name, level.level()),
                format!(
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
                now,
            )
        })
        .collect();
    (Some(ComplaintAlert { level, reason }), emails)
}

/// The email that gives the person who raised it their follow link.
pub(super) fn follow_email(
    url: &str,
    detail: &LocationDetail,
    details: &NewComplaintDetails,
    reference: &str,
    now: DateTime<Utc>,
) -> Option<OutgoingEmail> {
    let to = details.contact.email.clone()?;
    Some(OutgoingEmail::plain(
        to,
        format!("Your complaint about {} (reference {reference})", detail.location.name),
        format!(
            "Hello {name},\n\n{service} has received your complaint. Your reference is {reference}.\n\n\
             Follow it, read the service's response and see what to do if you are not satisfied, through this \
             private link:\n\n{url}\n\nAnyone who has the link can read the complaint: do not share it.\n",
            name = details.contact.name,
            service = detail.location.name,
        ),
        now,
    ))
}

/// A date as the notices write it: "3 March 2026".
fn day(date: NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

/// The managers' notice of a new complaint: the service, the reference and the
/// deadlines; never what was written or by whom.
pub(super) fn received(public_url: &str, detail: &LocationDetail, new: &NewComplaint) -> Notice {
    let l = &detail.location;
    Notice {
        kind: NoticeKind::ComplaintReceived,
        subject: format!("New complaint about {} (reference {})", l.name, new.reference),
        name: None,
        paragraphs: vec![
            format!(
                "A complaint about {} was received on {}. Its reference is {}.",
                l.name,
                day(new.details.received_on),
                new.reference
            ),
            format!(
                "Acknowledge it by {} and send your response by {}.",
                day(new.deadlines.acknowledge_by),
                day(new.deadlines.respond_by)
            ),
        ],
        link: Link {
            label: "Read the complaint (you will need to sign in)".into(),
            url: format!("{public_url}{}", location_path(&l.id)),
        },
    }
}

/// What the complainant is told when a step is taken, if it is one they hear of.
pub(super) fn step_taken(record: &ComplaintRecord, step: &ComplaintStep, follow_url: &str) -> Option<Notice> {
    let service = &record.location_name;
    let paragraphs = match step {
        ComplaintStep::Acknowledge { .. } => vec![
            format!("{service} has acknowledged your complaint."),
            format!("They should send you their response by {}.", day(record.deadlines.respond_by)),
        ],
        ComplaintStep::AgreeResponseDate { by } => {
            vec![format!("{service} has recorded that you agreed to have their response by {}.", day(*by))]
        }
        ComplaintStep::SendResponse { .. } => vec![
            format!("{service} has sent its response to your complaint. You can read it through the link below."),
            ESCALATION.to_string(),
        ],
        ComplaintStep::Close { outcome, .. } => vec![
            format!(
                "{service} has closed your complaint. The outcome it recorded: {}.",
                outcome.label().to_lowercase()
            ),
            ESCALATION.to_string(),
        ],
        ComplaintStep::Investigate { .. } | ComplaintStep::Escalate { .. } | ComplaintStep::EscalationResult { .. } => {
            return None;
        }
    };
    Some(to_complainant(record, paragraphs, follow_url))
}

/// What someone who is not satisfied can do next, in the words the follow page uses.
const ESCALATION: &str = "If you are not satisfied, you can take your complaint to the local council if it arranges \
    or pays for the care, and then to the Local Government and Social Care Ombudsman (www.lgo.org.uk, \
    0300 061 0614), which looks at complaints about adult social care once the provider has had the chance to put \
    things right.";

fn to_complainant(record: &ComplaintRecord, mut paragraphs: Vec<String>, follow_url: &str) -> Notice {
    paragraphs.push("Anyone who has the link below can read your complaint: do not share it.".into());
    Notice {
        kind: NoticeKind::ComplaintProgress,
        subject: format!("Your complaint about {} (reference {})", record.location_name, record.reference),
        name: None,
        paragraphs,
        link: Link { label: "Follow your complaint".into(), url: follow_url.to_string() },
    }
}

/// A deadline the notices watch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Deadline {
    Acknowledgement,
    Response,
}

/// Whether a deadline is the next working day, or has been missed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum When {
    Tomorrow,
    Missed,
}

/// The deadline notices due for a complaint on `today`, each with the key that
/// makes it go once.
pub(super) fn deadlines_due(record: &ComplaintRecord, today: NaiveDate) -> Vec<(String, Deadline, When, NaiveDate)> {
    let next_working_day = add_working_days(today, 1).ok();
    let watched = [
        (Deadline::Acknowledgement, record.acknowledged_on, record.deadlines.acknowledge_by, "acknowledge"),
        (Deadline::Response, record.response_sent_on, record.deadlines.respond_by, "respond"),
    ];
    watched
        .into_iter()
        .filter(|(_, done, ..)| done.is_none())
        .filter_map(|(deadline, _, due, code)| {
            let when = if today > due {
                When::Missed
            } else if next_working_day == Some(due) {
                When::Tomorrow
            } else {
                return None;
            };
            let word = if when == When::Missed { "missed" } else { "tomorrow" };
            Some((format!("complaint:{}:{code}:{word}:{due}", record.id), deadline, when, due))
        })
        .collect()
}

/// The managers' notice of a deadline tomorrow or missed.
pub(super) fn deadline_to_managers(
    public_url: &str,
    record: &ComplaintRecord,
    deadline: Deadline,
    when: When,
    due: NaiveDate,
) -> Notice {
    let (what, verb) = match deadline {
        Deadline::Acknowledgement => ("acknowledgement", "acknowledge it"),
        Deadline::Response => ("response", "send your response"),
    };
    let (subject, first) = match when {
        When::Tomorrow => (
            format!("Complaint {} about {}: {what} due {}", record.reference, record.location_name, day(due)),
            format!(
                "The complaint {} about {} is due its {what} by {}, the next working day.",
                record.reference,
                record.location_name,
                day(due)
            ),
        ),
        When::Missed => (
            format!("Complaint {} about {}: {what} overdue", record.reference, record.location_name),
            format!(
                "The complaint {} about {} was due its {what} by {}, and none is recorded.",
                record.reference,
                record.location_name,
                day(due)
            ),
        ),
    };
    Notice {
        kind: NoticeKind::ComplaintDeadline,
        subject,
        name: None,
        paragraphs: vec![first, format!("Please {verb}, and record it on the complaint.")],
        link: Link {
            label: "Open the complaint (you will need to sign in)".into(),
            url: format!("{public_url}/manage/complaints/{}", record.id),
        },
    }
}

/// The complainant's notice of a deadline missed.
pub(super) fn deadline_missed(
    record: &ComplaintRecord,
    deadline: Deadline,
    due: NaiveDate,
    follow_url: &str,
) -> Notice {
    let what = match deadline {
        Deadline::Acknowledgement => "acknowledged your complaint",
        Deadline::Response => "sent its response to your complaint",
    };
    let paragraphs = vec![
        format!("{} should have {what} by {}, and has not recorded doing so.", record.location_name, day(due)),
        "We have reminded the service. You can also contact them directly and quote your reference.".to_string(),
        ESCALATION.to_string(),
    ];
    to_complainant(record, paragraphs, follow_url)
}

/// The managers' notice of what the complainant said back: what kind of answer,
/// never their words.
pub(super) fn answered(public_url: &str, record: &ComplaintRecord, answer: &Answer) -> Notice {
    Notice {
        kind: NoticeKind::ComplaintAnswered,
        subject: format!(
            "Complaint {} about {}: the complainant {}",
            record.reference,
            record.location_name,
            answer.summary()
        ),
        name: None,
        paragraphs: vec![format!(
            "The person who raised the complaint {} about {} {}. Read it on the complaint.",
            record.reference,
            record.location_name,
            answer.summary()
        )],
        link: Link {
            label: "Open the complaint (you will need to sign in)".into(),
            url: format!("{public_url}/manage/complaints/{}", record.id),
        },
    }
}
