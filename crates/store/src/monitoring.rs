//! What continuous monitoring reads: every location's month-by-month voice
//! counts, its provider returns and its latest severe safeguarding alert, in bulk
//! for a national recompute or for the locations whose data changed.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use candour_domain::complaints::OverdueComplaints;
use candour_domain::returns::{LoggedComplaints, Month, MonthlyReturn};
use candour_domain::voice_month::VoiceMonth;
use candour_domain::{LocationId, ProviderId, Rating, Region, ServiceKind};

use crate::StoreResult;

/// Which locations to read: all of them, or those listed (the ones a round of the
/// live monitor finds changed, read back together rather than one by one).
#[derive(Debug, Clone, Copy)]
pub enum Locations<'a> {
    All,
    These(&'a [LocationId]),
}

impl<'a> Locations<'a> {
    pub fn one(id: &'a LocationId) -> Self {
        Locations::These(std::slice::from_ref(id))
    }
}

/// What the register says about a watched service: what pages filter and show.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ServiceFacts {
    pub id: LocationId,
    pub name: String,
    pub provider_id: ProviderId,
    pub provider_name: String,
    pub local_authority: Option<String>,
    pub region: Option<Region>,
    /// The first of its kinds in [`ServiceKind`]'s order (nursing homes first), as
    /// a location registered for several is compared as one of them.
    pub kind: ServiceKind,
    pub beds: Option<u32>,
    pub specialisms: Vec<String>,
    pub last_inspection: Option<NaiveDate>,
    /// The current overall rating and when it was published.
    pub rating: Option<(Rating, NaiveDate)>,
}

/// A service's complaints kept in Candour's complaint log, as monitoring reads them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ComplaintLog {
    pub location_id: LocationId,
    /// The month of the first complaint it logged: from then on its complaint figures
    /// come from the log rather than its returns.
    pub since: Month,
    /// The months from the `from` asked for in which complaints were received, in order.
    pub months: Vec<ComplaintMonth>,
    /// Complaints not closed and still unanswered after their response deadline.
    pub overdue: Option<OverdueComplaints>,
}

impl ComplaintLog {
    /// The month from which a complaint log's counts are read when a return is
    /// checked: before any service could have logged a complaint in Candour.
    pub fn ever() -> Month {
        Month::new(2000, 1).expect("January 2000 is a month")
    }

    /// What the log counts for `month`: from the month of its first complaint on,
    /// the complaints received that month (none in a month without any), upheld
    /// (fully or partly) and answered by the deadline; `None` before.
    pub fn counts(&self, month: Month) -> Option<LoggedComplaints> {
        (month >= self.since).then(|| {
            self.months.iter().find(|m| m.month == month).map_or_else(LoggedComplaints::default, |m| LoggedComplaints {
                received: m.received,
                upheld: m.upheld,
                on_time: m.answered_on_time,
            })
        })
    }
}

/// The complaints received in one month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ComplaintMonth {
    pub month: Month,
    pub received: u32,
    /// Closed as upheld or partly upheld.
    pub upheld: u32,
    /// Answered on or before the response deadline.
    pub answered_on_time: u32,
}

/// A location whose stored data monitoring could not read, and why. Old data or
/// another writer can hold what no form accepts (a month that is not one, a count
/// below zero); monitoring leaves that one service out and says so, rather than
/// failing for every service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Unreadable {
    /// The location's ID as stored (it may itself be what could not be read).
    pub location: String,
    pub reason: String,
}

/// What a monitoring read found: every location's rows that could be read, and
/// the locations that could not (none of whose rows are in `rows`).
#[derive(Debug, Clone, PartialEq)]
pub struct Readings<T> {
    pub rows: Vec<T>,
    pub unreadable: Vec<Unreadable>,
}

impl<T> Default for Readings<T> {
    fn default() -> Self {
        Readings { rows: Vec::new(), unreadable: Vec::new() }
    }
}

/// Each read isolates what it cannot read to its location, in `unreadable`; an
/// error means the read as a whole failed.
#[async_trait]
pub trait MonitoringStore {
    /// Every registered location, by ID.
    async fn monitored_locations(&self) -> StoreResult<Readings<ServiceFacts>>;

    /// Voice counts per location and calendar month (UTC) from `from` on; rejected
    /// responses are left out. Months with no responses are absent.
    async fn voice_months(
        &self,
        which: Locations<'_>,
        from: Month,
    ) -> StoreResult<Readings<(LocationId, Month, VoiceMonth)>>;

    /// Provider returns from `from` on.
    async fn monitored_returns(
        &self,
        which: Locations<'_>,
        from: Month,
    ) -> StoreResult<Readings<(LocationId, MonthlyReturn)>>;

    /// Each location's latest safeguarding alert of at least `level`.
    async fn latest_alerts(
        &self,
        which: Locations<'_>,
        level: u8,
    ) -> StoreResult<Readings<(LocationId, DateTime<Utc>)>>;

    /// The complaint log of every location that has logged a complaint received by
    /// `today`, with its months from `from` on and what is overdue on `today`.
    async fn complaint_logs(
        &self,
        which: Locations<'_>,
        from: Month,
        today: NaiveDate,
    ) -> StoreResult<Readings<ComplaintLog>>;

    /// Moderators' decisions on bursts of answers, months from `from` on: whether each
    /// month's answers count towards the location's people's rating.
    async fn burst_reviews(
        &self,
        which: Locations<'_>,
        from: Month,
    ) -> StoreResult<Readings<(LocationId, Month, bool)>>;
}
