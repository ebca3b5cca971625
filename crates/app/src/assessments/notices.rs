//! What the provider's side is told of a draft report: that it was sent for them
//! to check its facts, by when, and each decision on a challenge. Links only: the
//! findings are read in the workspace.

use candour_domain::ChallengeStatus;
use candour_store::{AssessmentRecord, LocationDetail};
use chrono::NaiveDate;

use crate::notices::{Link, Notice, NoticeKind};

fn link(public_url: &str, record: &AssessmentRecord) -> Link {
    Link {
        label: "Open the draft report (you will need to sign in)".into(),
        url: format!("{public_url}/manage/assessments/{}", record.id),
    }
}

/// The draft is sent: check its facts, and challenge what is wrong by the window's end.
pub(super) fn sent(public_url: &str, record: &AssessmentRecord, detail: &LocationDetail, ends: NaiveDate) -> Notice {
    let service = &detail.location.name;
    Notice {
        kind: NoticeKind::DraftToCheck,
        subject: format!("Draft report on {service}: check its facts by {}", ends.format("%-d %B %Y")),
        name: None,
        paragraphs: vec![
            format!(
                "The draft report on {service} ({}) has been sent to you to check its facts.",
                record.service_group
            ),
            format!(
                "If anything in it is factually inaccurate, challenge it from the report by the end of {}. \
                 It is not published before then, unless your provider says it has no more challenges.",
                ends.format("%-d %B %Y")
            ),
        ],
        link: link(public_url, record),
    }
}

/// A challenge to the draft was accepted or rejected.
pub(super) fn decided(
    public_url: &str,
    record: &AssessmentRecord,
    detail: &LocationDetail,
    status: ChallengeStatus,
) -> Notice {
    let service = &detail.location.name;
    let outcome = match status {
        ChallengeStatus::Accepted => "accepted: the report will be corrected",
        _ => "rejected: the finding stands",
    };
    Notice {
        kind: NoticeKind::ChallengeDecided,
        subject: format!("Your challenge to the draft report on {service} was decided"),
        name: None,
        paragraphs: vec![
            format!("A challenge to the draft report on {service} has been {outcome}."),
            "The reason for the decision is recorded with the challenge in the report.".into(),
        ],
        link: link(public_url, record),
    }
}
