//! What a list of complaints adds up to: what is overdue, and the counts above a
//! dashboard.

use candour_domain::complaints::{ComplaintStatus, Outcome};
use candour_store::ComplaintRecord;
use chrono::{Duration, NaiveDate};

/// Which of a complaint's deadlines have passed unmet: (acknowledgement, response).
pub fn overdue(r: &ComplaintRecord, today: NaiveDate) -> Option<(bool, bool)> {
    let late = r.overdue(today);
    (late.acknowledgement || late.response).then_some((late.acknowledgement, late.response))
}

/// The counts above a dashboard: open, overdue, received in the last 12 months,
/// upheld (of those decided) and answered on time (of those answered), of those
/// received in the last 12 months.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub open: usize,
    pub overdue: usize,
    pub recent: usize,
    pub decided: usize,
    pub upheld: usize,
    pub answered: usize,
    pub on_time: usize,
}

impl Summary {
    pub fn of(all: &[ComplaintRecord], today: NaiveDate) -> Self {
        let year_ago = today - Duration::days(365);
        let recent: Vec<&ComplaintRecord> = all.iter().filter(|r| r.received_on > year_ago).collect();
        let decided: Vec<&&ComplaintRecord> = recent.iter().filter(|r| r.outcome.is_some()).collect();
        let answered: Vec<bool> = recent.iter().filter_map(|r| r.answered_on_time()).collect();
        Summary {
            open: all.iter().filter(|r| r.status != ComplaintStatus::Closed).count(),
            overdue: all.iter().filter(|r| overdue(r, today).is_some()).count(),
            recent: recent.len(),
            decided: decided.len(),
            upheld: decided
                .iter()
                .filter(|r| matches!(r.outcome, Some(Outcome::Upheld | Outcome::PartlyUpheld)))
                .count(),
            answered: answered.len(),
            on_time: answered.iter().filter(|t| **t).count(),
        }
    }
}
