//! What people hear of feedback. A moderator's decision tells the person who gave
//! it and left an email whether it was published (and if not, why), and the
//! service's managers that a published story awaits their reply. A published reply
//! tells the person; a change said to be planned is followed up with the managers
//! eight weeks on. Links to pages, never the story.

use candour_domain::voice::ChangeClaim;
use candour_store::{FeedbackRecord, ModerationDecision, PublishedReply};

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

/// To the person: the service replied, and what it says changed or will.
pub(super) fn replied(public_url: &str, p: &PublishedReply) -> Notice {
    let (service, reply) = (&p.location_name, &p.reply);
    let mut paragraphs = vec![format!("{} has replied to your feedback about {service}.", reply.provider_name)];
    match reply.change {
        ChangeClaim::Made => paragraphs.push(format!("They say a change has been made: {}", reply.change_what)),
        ChangeClaim::Planned => paragraphs.push(format!(
            "They say a change is planned: {}. We will ask them in eight weeks whether it was made.",
            reply.change_what
        )),
        ChangeClaim::None => {}
    }
    paragraphs.push("The reply appears under your story on the service's page with its next figures.".into());
    Notice {
        kind: NoticeKind::FeedbackProgress,
        subject: format!("{service} replied to your feedback (reference {})", p.reference),
        name: None,
        paragraphs,
        link: Link { label: format!("See {service}'s page"), url: format!("{public_url}/locations/{}", p.location_id) },
    }
}

/// To the managers, eight weeks after a reply said a change was planned: was it made?
pub(super) fn change_follow_up(public_url: &str, p: &PublishedReply) -> Notice {
    let service = &p.location_name;
    Notice {
        kind: NoticeKind::ChangeFollowUp,
        subject: format!("Was the change at {service} made?"),
        name: None,
        paragraphs: vec![
            format!(
                "On {} you replied to a story about {service} (reference {}) that a change was planned: {}",
                p.reply.created_at.format("%-d %B %Y"),
                p.reference,
                p.reply.change_what
            ),
            "Until you reply again to say it was made, the public page shows it as planned, not yet confirmed.".into(),
        ],
        link: Link {
            label: "Reply to say what happened (you will need to sign in)".into(),
            url: format!("{public_url}/manage/locations/{}/voice", p.location_id),
        },
    }
}
