//! The kinds of notice a person need not receive: each has a one-click unsubscribe
//! link and a choice on `/account`.

use candour_domain::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoticeKind {
    /// To the person who raised a complaint: each step taken, and a deadline missed.
    ComplaintProgress,
    /// To a service's managers: a new complaint about it.
    ComplaintReceived,
    /// To a service's managers: a complaint's deadline the working day before, and when missed.
    ComplaintDeadline,
}

/// Who is told about a service's complaints: its registered managers and its provider's administrators.
pub const MANAGERS: [Role; 2] = [Role::Manager, Role::ProviderAdmin];

impl NoticeKind {
    pub const ALL: [NoticeKind; 3] =
        [NoticeKind::ComplaintProgress, NoticeKind::ComplaintReceived, NoticeKind::ComplaintDeadline];

    pub fn code(self) -> &'static str {
        match self {
            NoticeKind::ComplaintProgress => "complaint_progress",
            NoticeKind::ComplaintReceived => "complaint_received",
            NoticeKind::ComplaintDeadline => "complaint_deadline",
        }
    }

    pub fn parse(code: &str) -> Option<NoticeKind> {
        NoticeKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// What these emails are, in a few words: "New complaints".
    pub fn title(self) -> &'static str {
        match self {
            NoticeKind::ComplaintProgress => "How your complaint is going",
            NoticeKind::ComplaintReceived => "New complaints about your services",
            NoticeKind::ComplaintDeadline => "Complaint deadlines: the working day before, and when missed",
        }
    }

    /// Why the person gets them, said at the foot of each.
    pub fn why(self) -> &'static str {
        match self {
            NoticeKind::ComplaintProgress => "You get this email because you raised a complaint through Candour.",
            NoticeKind::ComplaintReceived | NoticeKind::ComplaintDeadline => {
                "You get this email because you manage this service on Candour."
            }
        }
    }

    /// Whether it may wait for a daily digest (managers' notices; never a complainant's).
    pub fn digestible(self) -> bool {
        !matches!(self, NoticeKind::ComplaintProgress)
    }

    /// Whether someone holding these roles may get it, and so choose it on `/account`.
    pub fn reaches(self, roles: &[Role]) -> bool {
        match self {
            NoticeKind::ComplaintProgress => false,
            NoticeKind::ComplaintReceived | NoticeKind::ComplaintDeadline => roles.iter().any(|r| MANAGERS.contains(r)),
        }
    }
}
