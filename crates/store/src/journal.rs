//! The change journal: every write that feeds monitoring, the directory or a public
//! page appends `(sequence, location, kind, at)` in the same transaction as the write.
//! Whatever keeps a view of the data (the live monitor, the directory index) follows
//! the journal by sequence number, whichever process wrote.

use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;

use candour_domain::LocationId;

use crate::StoreResult;

/// What kind of write a journal entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// A location added, changed or deregistered by a register import or sync (its
    /// provider or ratings included).
    Register,
    /// A response submitted, or its progress rated: dated by when it was received
    /// or rated, so that only the months from then on change.
    Feedback,
    /// Responses of any date loaded in bulk (the demo's history).
    FeedbackHistory,
    /// A response published or rejected, or its alert acknowledged.
    Moderation,
    /// A provider's reply added or checked.
    Reply,
    /// A provider return saved.
    Return,
    /// A complaint logged or a step taken on it.
    Complaint,
    /// A policy confirmed as read, or a policy published or withdrawn (which changes
    /// what its people are asked to read).
    PolicyRead,
    /// An assessment published: the location's ratings change.
    Assessment,
    /// An improvement plan published or withdrawn.
    Improvement,
    /// An account of good practice published or withdrawn.
    Practice,
}

impl ChangeKind {
    pub const ALL: [ChangeKind; 11] = [
        ChangeKind::Register,
        ChangeKind::Feedback,
        ChangeKind::FeedbackHistory,
        ChangeKind::Moderation,
        ChangeKind::Reply,
        ChangeKind::Return,
        ChangeKind::Complaint,
        ChangeKind::PolicyRead,
        ChangeKind::Assessment,
        ChangeKind::Improvement,
        ChangeKind::Practice,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ChangeKind::Register => "register",
            ChangeKind::Feedback => "feedback",
            ChangeKind::FeedbackHistory => "feedback_history",
            ChangeKind::Moderation => "moderation",
            ChangeKind::Reply => "reply",
            ChangeKind::Return => "return",
            ChangeKind::Complaint => "complaint",
            ChangeKind::PolicyRead => "policy_read",
            ChangeKind::Assessment => "assessment",
            ChangeKind::Improvement => "improvement",
            ChangeKind::Practice => "practice",
        }
    }

    pub fn parse(code: &str) -> Option<ChangeKind> {
        ChangeKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Whether the change alters what the register says about its location (its
    /// directory row, its current rating): the directory index follows these.
    pub fn changes_register(self) -> bool {
        matches!(self, ChangeKind::Register | ChangeKind::Assessment)
    }
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One journal entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Change {
    /// Increasing, never reused (not even after pruning).
    pub sequence: i64,
    /// The location whose data changed; `None` when the write is not one location's.
    pub location: Option<LocationId>,
    pub kind: ChangeKind,
    pub at: DateTime<Utc>,
}

/// The change journal.
///
/// Guarantees every backend must keep:
/// - an entry is appended in the same transaction as the write it records, so a
///   write that fails (or is refused) appends nothing, and a committed write is
///   never missing from the journal;
/// - entries become visible to readers in sequence order: once a reader sees entry
///   `n`, no entry below `n` can appear later. SQLite serialises writers, which
///   gives this for free; a backend with concurrent writers (PostgreSQL) must keep
///   it, e.g. by taking a lock on the journal for the append, so that a follower
///   that reads "everything after `n`" misses nothing;
/// - sequence numbers are never reused, even after [`prune_changes`](Self::prune_changes).
#[async_trait]
pub trait JournalStore: Send + Sync {
    /// Entries with a sequence above `after`, oldest first, at most `limit` of them.
    async fn changes_after(&self, after: i64, limit: u32) -> StoreResult<Vec<Change>>;

    /// Waits until an entry past `after` may have been appended, or `timeout` has
    /// passed. A backend that can be told of commits (PostgreSQL's LISTEN) returns
    /// early; one that cannot simply waits. Callers then read [`changes_after`](Self::changes_after)
    /// as always, so a wake-up that never comes costs only the timeout.
    async fn wait_for_changes(&self, after: i64, timeout: std::time::Duration);

    /// Where the primary's history stands now, when reads may go to replicas
    /// (see [`consistency`](crate::consistency)); `None` for a backend without them.
    async fn write_position(&self) -> StoreResult<Option<crate::consistency::WritePosition>>;

    /// The sequence of the latest entry (0 when none was ever appended).
    async fn last_change(&self) -> StoreResult<i64>;

    /// Removes the oldest entries: those with a sequence below `before` and below
    /// that of any entry recorded at or after `older_than` (so that what is left is
    /// always an unbroken run up to the last); returns how many went.
    async fn prune_changes(&self, before: i64, older_than: DateTime<Utc>) -> StoreResult<u64>;
}
