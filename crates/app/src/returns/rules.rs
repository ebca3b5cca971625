//! The rules of returns that need no store: which months are missing, which is
//! due, what a complaint log fills in, and which rows an upload may hold.

use candour_domain::returns::template::{self, ComplaintLogs, LOCATION_COLUMN, Problem, Row};
use candour_domain::returns::{Month, RawReturn};
use candour_domain::{LocationId, Resource};
use candour_store::{ComplaintLog, LocationDetail, ReturnRecord};
use chrono::NaiveDate;

/// How many complete months back a location's missing returns are looked for.
pub const MISSING_WINDOW: usize = 12;

/// What a new month's form carries over from the last return: what a service is
/// like at the end of a month rather than what happened in it.
pub const CARRIED_OVER: [&str; 6] =
    ["headcount", "vacancies", "supervision_pct", "training_pct", "registered_manager", "people_supported"];

/// Who may send a location's returns: those who may write to its workspace.
pub fn location_resource(detail: &LocationDetail) -> Resource<'_> {
    let l = &detail.location;
    Resource::Location { id: &l.id, provider: &l.provider_id, local_authority: l.local_authority.as_deref() }
}

/// The last month that has ended: the one a return is due for.
pub fn last_complete_month(today: NaiveDate) -> Month {
    let this = Month::of(today);
    this.previous().unwrap_or(this)
}

/// Fills a return's blank complaint figures from the log, where it counts the month.
pub(super) fn fill_from_log(raw: &mut RawReturn, log: Option<&ComplaintLog>) {
    if let (Some(log), Ok(month)) = (log, Month::parse(&raw.month))
        && let Some(logged) = log.counts(month)
    {
        raw.fill_complaints_from(logged);
    }
}

/// The complete months of the last year with no return, latest first.
pub fn missing_months(sent: &[ReturnRecord], today: NaiveDate) -> Vec<Month> {
    std::iter::successors(Month::of(today).previous(), |m| m.previous())
        .take(MISSING_WINDOW)
        .filter(|m| !sent.iter().any(|r| r.figures.month == *m))
        .collect()
}

/// Every row of the file, checked, when all of them are good and for this
/// location; otherwise every problem, by line.
pub(super) fn this_locations_rows(
    bytes: &[u8],
    id: &LocationId,
    today: NaiveDate,
    logs: ComplaintLogs<'_>,
) -> Result<Vec<Row>, Vec<Problem>> {
    let (rows, mut problems) = template::read(bytes, today, logs);
    for row in rows.iter().filter(|r| r.location != *id) {
        let reason = format!("{} is another service: this page takes the returns of {id} only", row.location);
        problems.push(Problem::new(row.line, Some(LOCATION_COLUMN), reason));
    }
    if problems.is_empty() {
        return Ok(rows);
    }
    problems.sort_by_key(|p| p.line);
    Err(problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use candour_domain::UserId;
    use candour_domain::returns::{MonthlyReturn, RawReturn};
    use candour_store::ReturnSource;

    const HEADER: &str = "location_id,month,headcount,leavers,agency_hours,hours_worked,vacancies,supervision_pct,\
training_pct,registered_manager,manager_changed,people_supported,incidents,restraint,seclusion,segregation,\
notifications,safeguarding_referrals,complaints_received,complaints_upheld,complaints_on_time";

    fn row(location: &str, month: &str) -> String {
        format!("{location},{month},40,2,300,6000,3,85,92,yes,no,38,5,1,0,0,2,1,3,1,3")
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn record(at: &str, source: ReturnSource, sent_by: Option<UserId>) -> ReturnRecord {
        let mut raw = RawReturn::default();
        for (field, _) in candour_domain::returns::FIELDS {
            raw.set(field, "0");
        }
        (raw.month, raw.registered_manager, raw.manager_changed) = (at.into(), "yes".into(), "no".into());
        let figures = MonthlyReturn::parse(&raw, day(2030, 1, 1)).unwrap();
        let sent_at = day(2026, 11, 3).and_hms_opt(10, 5, 0).unwrap().and_utc();
        ReturnRecord { location_id: LocationId::parse("1-1").unwrap(), figures, sent_by, sent_at, source }
    }

    #[test]
    fn the_missing_months_are_the_last_twelve_complete_ones_not_sent() {
        let today = day(2026, 11, 15);
        let sent = [record("2026-10", ReturnSource::Form, None), record("2026-01", ReturnSource::Csv, None)];
        let missing: Vec<String> = missing_months(&sent, today).iter().map(ToString::to_string).collect();
        assert_eq!(missing.first().map(String::as_str), Some("2026-09"), "October is sent; November has not ended");
        assert_eq!(missing.last().map(String::as_str), Some("2025-11"));
        assert_eq!(missing.len(), 10);
        let month = |at: &str| Month::parse(at).unwrap();
        assert_eq!(last_complete_month(today), month("2026-10"));
        assert_eq!(last_complete_month(day(2027, 1, 2)), month("2026-12"));
    }

    #[test]
    fn only_this_locations_rows_are_taken() {
        let id = LocationId::parse("1-101").unwrap();
        let today = day(2026, 3, 15);
        let good = format!("{HEADER}\n{}\n{}\n", row("1-101", "2026-01"), row("1-101", "2026-02"));
        assert_eq!(this_locations_rows(good.as_bytes(), &id, today, &template::no_logs).unwrap().len(), 2);

        let mixed = format!(
            "{HEADER}\n{}\n{}\n{}\n",
            row("1-101", "2026-01"),
            row("1-202", "2026-01"),
            row("1-101", "2026-13")
        );
        let problems: Vec<String> = this_locations_rows(mixed.as_bytes(), &id, today, &template::no_logs)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            problems,
            [
                "line 3, column location_id: 1-202 is another service: this page takes the returns of 1-101 only",
                "line 4, column month: \"2026-13\" is not a month: write it as YYYY-MM, like 2026-01",
            ]
        );
    }
}
