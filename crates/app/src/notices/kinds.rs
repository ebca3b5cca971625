//! The kinds of notice a person need not receive: each has a one-click unsubscribe
//! link, and those for account holders a choice on `/account`.

use candour_domain::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoticeKind {
    /// To the person who raised a complaint: each step taken, and a deadline missed.
    ComplaintProgress,
    /// To the person who gave feedback and left an email: published or not, and the reply.
    FeedbackProgress,
    /// To anyone following a service: its new ratings, published replies and improvement plans.
    ServiceNews,
    /// To a service's managers: a new complaint about it.
    ComplaintReceived,
    /// To a service's managers: a complaint's deadline the working day before, and when missed.
    ComplaintDeadline,
    /// To a service's managers: what a complainant said back through their link.
    ComplaintAnswered,
    /// To a service's managers: a published story awaiting their reply.
    StoryToAnswer,
    /// To a service's managers: a draft report sent for them to check its facts.
    DraftToCheck,
    /// To a service's managers: a decision on a challenge to a draft report.
    ChallengeDecided,
    /// To a service's managers: an improvement action due the next working day, or missed.
    PlanActions,
    /// To everyone who works for a provider: a new policy version to read and confirm, and a reminder.
    PolicyToConfirm,
    /// To a service's managers, eight weeks after a reply said a change was planned: was it made?
    ChangeFollowUp,
}

/// Who a kind of notice goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Audience {
    /// Someone without an account, at the address they gave.
    Public,
    /// A service's registered managers and its provider's administrators.
    Managers,
    /// Everyone who works for a provider: its administrators, and its services' managers and staff.
    Staff,
}

/// Who is told about a service: its registered managers and its provider's administrators.
pub const MANAGERS: [Role; 2] = [Role::Manager, Role::ProviderAdmin];

impl NoticeKind {
    pub const ALL: [NoticeKind; 12] = [
        NoticeKind::ComplaintProgress,
        NoticeKind::FeedbackProgress,
        NoticeKind::ServiceNews,
        NoticeKind::ComplaintReceived,
        NoticeKind::ComplaintDeadline,
        NoticeKind::ComplaintAnswered,
        NoticeKind::StoryToAnswer,
        NoticeKind::DraftToCheck,
        NoticeKind::ChallengeDecided,
        NoticeKind::PlanActions,
        NoticeKind::PolicyToConfirm,
        NoticeKind::ChangeFollowUp,
    ];

    pub fn code(self) -> &'static str {
        match self {
            NoticeKind::ComplaintProgress => "complaint_progress",
            NoticeKind::FeedbackProgress => "feedback_progress",
            NoticeKind::ServiceNews => "service_news",
            NoticeKind::ComplaintReceived => "complaint_received",
            NoticeKind::ComplaintDeadline => "complaint_deadline",
            NoticeKind::ComplaintAnswered => "complaint_answered",
            NoticeKind::StoryToAnswer => "story_to_answer",
            NoticeKind::DraftToCheck => "draft_to_check",
            NoticeKind::ChallengeDecided => "challenge_decided",
            NoticeKind::PlanActions => "plan_actions",
            NoticeKind::PolicyToConfirm => "policy_to_confirm",
            NoticeKind::ChangeFollowUp => "change_follow_up",
        }
    }

    pub fn parse(code: &str) -> Option<NoticeKind> {
        NoticeKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// What these emails are, in a few words.
    pub fn title(self) -> &'static str {
        match self {
            NoticeKind::ComplaintProgress => "How your complaint is going",
            NoticeKind::FeedbackProgress => "What happened to your feedback",
            NoticeKind::ServiceNews => "News of the services you follow",
            NoticeKind::ComplaintReceived => "New complaints about your services",
            NoticeKind::ComplaintDeadline => "Complaint deadlines: the working day before, and when missed",
            NoticeKind::ComplaintAnswered => "What complainants add, and whether they are satisfied",
            NoticeKind::StoryToAnswer => "Stories published about your services, awaiting your reply",
            NoticeKind::DraftToCheck => "Draft reports sent for you to check their facts",
            NoticeKind::ChallengeDecided => "Decisions on challenges to draft reports",
            NoticeKind::PlanActions => "Improvement actions: the working day before they are due, and when missed",
            NoticeKind::PolicyToConfirm => "New policies to read and confirm, and a reminder after a week",
            NoticeKind::ChangeFollowUp => "Whether a change you said was planned has been made, eight weeks on",
        }
    }

    /// Why the person gets them, said at the foot of each.
    pub fn why(self) -> &'static str {
        match self {
            NoticeKind::ComplaintProgress => "You get this email because you raised a complaint through Candour.",
            NoticeKind::FeedbackProgress => {
                "You get this email because you gave feedback through Candour and left your email address."
            }
            NoticeKind::PolicyToConfirm => "You get this email because you work for this provider on Candour.",
            NoticeKind::ServiceNews => "You get this email because you asked to follow this service on Candour.",
            _ => "You get this email because you manage this service on Candour.",
        }
    }

    fn audience(self) -> Audience {
        match self {
            NoticeKind::ComplaintProgress | NoticeKind::FeedbackProgress | NoticeKind::ServiceNews => Audience::Public,
            NoticeKind::PolicyToConfirm => Audience::Staff,
            _ => Audience::Managers,
        }
    }

    /// Whether it goes to account holders, who choose on `/account` and may take a daily digest.
    pub fn for_account_holders(self) -> bool {
        self.audience() != Audience::Public
    }

    /// Whether someone holding these roles may get it, and so choose it on `/account`.
    pub fn reaches(self, roles: &[Role]) -> bool {
        match self.audience() {
            Audience::Public => false,
            Audience::Managers => roles.iter().any(|r| MANAGERS.contains(r)),
            Audience::Staff => roles.iter().any(|r| MANAGERS.contains(r) || *r == Role::Staff),
        }
    }
}
