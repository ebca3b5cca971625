//! What the monitoring engine reads: per service, its peer group and, month by
//! month, the counts of people's and staff voice and the provider's return.

use chrono::NaiveDate;
use serde::Serialize;

pub use candour_domain::complaints::OverdueComplaints;
use candour_domain::returns::{Month, MonthlyReturn};
pub use candour_domain::voice_month::VoiceMonth;

/// One service watched over time.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Service {
    pub id: String,
    /// The key of the peer group it is compared with (see [`crate::stats::PeerGroup::key`]).
    pub peer_group: String,
    /// People here are highly dependent on staff or may not be able to speak up (learning
    /// disability, autism, dementia, mental health, acquired brain injury): the first
    /// closed-culture risk factor.
    pub dependent: bool,
    /// The day of the latest safeguarding alert of the severe level, if any.
    pub last_severe_alert: Option<NaiveDate>,
    /// Complaints in Candour's complaint log still unanswered after their response
    /// deadline, if any.
    pub overdue_complaints: Option<OverdueComplaints>,
    /// The month from which its returns' complaint figures were replaced by its
    /// complaint log's, when it keeps one in Candour.
    pub complaint_log_since: Option<Month>,
    /// How far its staff have confirmed reading the provider's current policies, if
    /// the provider publishes policies in Candour.
    pub policy_reads: Option<PolicyReads>,
    /// Moderators' decisions on months of unusually many answers: whether each month's
    /// answers count towards the people's rating (`true`) or stay out (`false`).
    pub burst_reviews: Vec<(Month, bool)>,
    /// One entry per month watched, in month order, each month once; a month with
    /// nothing may be left out.
    pub months: Vec<ServiceMonth>,
}

/// Read confirmations of the current policy versions by the people who work at a
/// service, as they stood in `month` (the month the monitor last read them): a state,
/// so it has one figure and no history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PolicyReads {
    pub month: Month,
    pub confirmed: u32,
    /// People times the current policies each must confirm.
    pub expected: u32,
}

/// One service's counts for one calendar month.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ServiceMonth {
    pub month: Month,
    pub voice: VoiceMonth,
    /// The provider's return, when one was sent.
    pub return_: Option<MonthlyReturn>,
}

/// A month as a count of months since year 0, so windows are plain arithmetic.
pub(crate) fn index(month: Month) -> i32 {
    month.year() * 12 + month.month() as i32 - 1
}

impl Service {
    /// The months in the `len` months ending with `end` (an [`index`]), in order: a
    /// slice, as months are kept in order (checked by `compute`).
    pub(crate) fn window(&self, end: i32, len: u32) -> &[ServiceMonth] {
        let start = self.months.partition_point(|m| index(m.month) <= end - len as i32);
        let stop = self.months.partition_point(|m| index(m.month) <= end);
        &self.months[start..stop.max(start)]
    }

    /// The returns in the window, in month order.
    pub(crate) fn returns(&self, end: i32, len: u32) -> impl DoubleEndedIterator<Item = &MonthlyReturn> {
        self.window(end, len).iter().filter_map(|m| m.return_.as_ref())
    }
}
