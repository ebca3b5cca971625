//! What a moderator's decision tells: the person who gave feedback and left an
//! email, whether it was published (and if not, why); and the service's managers,
//! that a published story awaits their reply. Links to pages, never the story.

use candour_store::{FeedbackRecord, ModerationDecision};

use crate::notices::{Link, Notice, NoticeKind};

/// To the person: published, or not and why.
pub(super) fn decided(public_url: &str, record: &FeedbackRecord, decision: &ModerationDecision) -> Notice {
    let service = &record.location_name;
    let paragraphs = match decision {
        ModerationDecision::Publish { text } if text.is_empty() => vec![format!(
            "Your answers about {service} have been checked and now count in the service's figures. Thank you."
        )],
        ModerationDecision::Publish { .. } => vec![
            format!("Your feedback about {service} has been published, with any names taken out."),
            "It appears on the service's page with its next figures, and the service can reply to it there.".into(),
        ],
        ModerationDecision::Reject { reason } => vec![
            format!("Your feedback about {service} has been read, but it has not been published."),
            format!("The moderator's reason: {reason}"),
            "Your answers to the questions are kept, and you can give feedback again at any time.".into(),
        ],
    };
    Notice {
        kind: NoticeKind::FeedbackProgress,
        subject: format!("Your feedback about {service} (reference {})", record.reference),
        name: None,
        paragraphs,
        link: Link {
            label: format!("See {service}'s page"),
            url: format!("{public_url}/locations/{}", record.location_id),
        },
    }
}

/// To the managers: a published story to answer.
pub(super) fn to_answer(public_url: &str, record: &FeedbackRecord) -> Notice {
    let service = &record.location_name;
    Notice {
        kind: NoticeKind::StoryToAnswer,
        subject: format!("A story about {service} is published and awaits your reply"),
        name: None,
        paragraphs: vec![
            format!("Someone's story about {service} has been published (reference {}).", record.reference),
            "A reply shows people that you listen, and what you will change.".into(),
        ],
        link: Link {
            label: "Read it and reply (you will need to sign in)".into(),
            url: format!("{public_url}/manage/locations/{}/voice", record.location_id),
        },
    }
}
