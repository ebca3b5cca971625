//! Working-day clocks: Monday to Friday, bank holidays in England and Wales
//! excepted, the holidays read from data (`data/bank-holidays-england-and-wales.txt`).
//! A clock that would run past the last year listed is refused rather than guessed.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use chrono::{DateTime, Datelike, Days, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday};

const LISTED: &str = include_str!("../data/bank-holidays-england-and-wales.txt");

/// A date the calendar does not cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("working days can only be counted up to {last}: bank holidays after that are not known yet")]
pub struct BeyondCalendar {
    pub last: NaiveDate,
}

/// The bank holidays, and the last day they are known up to (the end of the last year listed).
struct Calendar {
    holidays: BTreeSet<NaiveDate>,
    last: NaiveDate,
}

fn calendar() -> &'static Calendar {
    static CALENDAR: OnceLock<Calendar> = OnceLock::new();
    CALENDAR.get_or_init(|| {
        let holidays: BTreeSet<NaiveDate> = LISTED
            .lines()
            .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
            .map(|line| {
                let date = line.get(..10).unwrap_or(line);
                NaiveDate::parse_from_str(date, "%Y-%m-%d").expect("the bank holiday list holds valid dates")
            })
            .collect();
        let year = holidays.last().map_or(1970, |d| d.year());
        let last = NaiveDate::from_ymd_opt(year, 12, 31).expect("the last day of a year");
        Calendar { holidays, last }
    })
}

/// The last day working days can be counted up to.
pub fn known_until() -> NaiveDate {
    calendar().last
}

pub fn is_bank_holiday(date: NaiveDate) -> bool {
    calendar().holidays.contains(&date)
}

/// Monday to Friday and not a bank holiday.
pub fn is_working_day(date: NaiveDate) -> Result<bool, BeyondCalendar> {
    let calendar = calendar();
    if date > calendar.last {
        return Err(BeyondCalendar { last: calendar.last });
    }
    Ok(!matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !calendar.holidays.contains(&date))
}

/// The day `n` working days after `start` (not counting `start` itself): a complaint
/// received on a Friday and due "within 3 working days" is due on the Wednesday.
pub fn add_working_days(start: NaiveDate, n: u32) -> Result<NaiveDate, BeyondCalendar> {
    let mut day = start;
    let mut left = n;
    while left > 0 {
        day = day + Days::new(1);
        if is_working_day(day)? {
            left -= 1;
        }
    }
    Ok(day)
}

/// Working days after `from` up to and including `to` (0 when `to` is not after `from`):
/// how many of a clock's days have been used.
pub fn working_days_between(from: NaiveDate, to: NaiveDate) -> Result<u32, BeyondCalendar> {
    let mut count = 0;
    let mut day = from;
    while day < to {
        day = day + Days::new(1);
        count += u32::from(is_working_day(day)?);
    }
    Ok(count)
}

/// The working day's hours, in England's local time.
const OPENS: u32 = 9;
const CLOSES: u32 = 17;

/// England's local time at `at`: GMT, or BST (an hour ahead) from 01:00 UTC on the
/// last Sunday of March to 01:00 UTC on the last Sunday of October.
fn local(at: DateTime<Utc>) -> NaiveDateTime {
    at.naive_utc() + utc_offset(at.naive_utc().date().year(), at.naive_utc())
}

fn utc_offset(year: i32, utc: NaiveDateTime) -> Duration {
    let last_sunday = |month: u32| {
        let last = NaiveDate::from_ymd_opt(year, month, 31).expect("March and October have 31 days");
        last - Days::new(u64::from(last.weekday().num_days_from_sunday()))
    };
    let change = |day: NaiveDate| day.and_time(NaiveTime::from_hms_opt(1, 0, 0).expect("01:00"));
    let summer = utc >= change(last_sunday(3)) && utc < change(last_sunday(10));
    Duration::hours(i64::from(summer))
}

/// The UTC instant of a local time in England (outside the hour the clocks change).
fn from_local(local: NaiveDateTime) -> DateTime<Utc> {
    let guess = local - utc_offset(local.date().year(), local);
    Utc.from_utc_datetime(&(local - utc_offset(local.date().year(), guess)))
}

/// The latest instant at or before `at` when England's clocks showed `hour`:00: the
/// last time a daily task set for that hour was due.
pub fn latest_local_hour(at: DateTime<Utc>, hour: u32) -> DateTime<Utc> {
    let now = local(at);
    let today = now.date().and_time(NaiveTime::from_hms_opt(hour, 0, 0).expect("an hour of the day"));
    from_local(if today <= now { today } else { today - Days::new(1) })
}

/// The instant `hours` working hours after `start`: hours from 09:00 to 17:00,
/// England's local time, on working days. An alert raised at 16:00 on a Friday and
/// due "within 4 working hours" is due at 12:00 on the Monday.
pub fn add_working_hours(start: DateTime<Utc>, hours: u32) -> Result<DateTime<Utc>, BeyondCalendar> {
    let mut now = local(start);
    let mut left = Duration::hours(i64::from(hours));
    let at = |day: NaiveDate, hour: u32| day.and_time(NaiveTime::from_hms_opt(hour, 0, 0).expect("an hour"));
    loop {
        let day = now.date();
        let (opens, closes) = (at(day, OPENS), at(day, CLOSES));
        if is_working_day(day)? && now < closes {
            let from = now.max(opens);
            if from + left <= closes {
                return Ok(from_local(from + left));
            }
            left -= closes - from;
        }
        now = at(day + Days::new(1), 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_local_hour_follows_the_clocks() {
        let utc = |m, d, h, min| Utc.with_ymd_and_hms(2026, m, d, h, min, 0).unwrap();
        // Winter: 07:00 local is 07:00 UTC.
        assert_eq!(latest_local_hour(utc(1, 14, 7, 0), 7), utc(1, 14, 7, 0));
        assert_eq!(latest_local_hour(utc(1, 14, 6, 59), 7), utc(1, 13, 7, 0));
        // Summer: 07:00 local is 06:00 UTC.
        assert_eq!(latest_local_hour(utc(7, 14, 6, 30), 7), utc(7, 14, 6, 0));
        assert_eq!(latest_local_hour(utc(7, 14, 5, 59), 7), utc(7, 13, 6, 0));
    }

    #[test]
    fn working_hours_run_from_nine_to_five_on_working_days_in_local_time() {
        let utc = |y, m, d, h, min| Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap();
        // Winter (GMT): Monday 10:00 + 4 hours is 14:00.
        assert_eq!(add_working_hours(utc(2026, 12, 7, 10, 0), 4), Ok(utc(2026, 12, 7, 14, 0)));
        // Friday 16:00 + 4 hours is Monday 12:00.
        assert_eq!(add_working_hours(utc(2026, 12, 4, 16, 0), 4), Ok(utc(2026, 12, 7, 12, 0)));
        // Raised at night: the clock starts at 09:00.
        assert_eq!(add_working_hours(utc(2026, 12, 8, 2, 30), 4), Ok(utc(2026, 12, 8, 13, 0)));
        // Christmas Eve 15:00 (Thursday) + 4: Christmas and Boxing Day (Monday 28th, in lieu) are not working days.
        assert_eq!(add_working_hours(utc(2026, 12, 24, 15, 0), 4), Ok(utc(2026, 12, 29, 11, 0)));
        // Summer (BST, UTC+1): 10:00 local is 09:00 UTC; + 4 hours is 14:00 local, 13:00 UTC.
        assert_eq!(add_working_hours(utc(2026, 7, 6, 9, 0), 4), Ok(utc(2026, 7, 6, 13, 0)));
        // Eight hours is a whole working day.
        assert_eq!(add_working_hours(utc(2026, 7, 6, 8, 0), 8), Ok(utc(2026, 7, 6, 16, 0)));
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn weekends_and_bank_holidays_are_not_working_days() {
        assert_eq!(is_working_day(date(2026, 11, 23)), Ok(true), "a Monday");
        assert_eq!(is_working_day(date(2026, 11, 21)), Ok(false), "a Saturday");
        assert_eq!(is_working_day(date(2026, 12, 28)), Ok(false), "Boxing Day's substitute");
        assert_eq!(is_working_day(date(2022, 9, 19)), Ok(false), "a one-off bank holiday");
        assert!(is_bank_holiday(date(2026, 4, 3)) && !is_bank_holiday(date(2026, 4, 2)));
    }

    #[test]
    fn clocks_skip_weekends_and_bank_holidays() {
        // Received on a Friday: three working days is the Wednesday.
        assert_eq!(add_working_days(date(2026, 11, 20), 3), Ok(date(2026, 11, 25)));
        // Over Easter 2026 (Good Friday 3 April, Easter Monday 6 April).
        assert_eq!(add_working_days(date(2026, 4, 2), 1), Ok(date(2026, 4, 7)));
        // Over Christmas 2026: 25, 28 December are holidays, 26–27 a weekend.
        assert_eq!(add_working_days(date(2026, 12, 24), 3), Ok(date(2026, 12, 31)));
        // Twenty working days from 1 December 2026 cross Christmas; one more, New Year.
        assert_eq!(add_working_days(date(2026, 12, 1), 20), Ok(date(2026, 12, 31)));
        assert_eq!(add_working_days(date(2026, 12, 1), 21), Ok(date(2027, 1, 4)));
        assert_eq!(add_working_days(date(2026, 12, 1), 0), Ok(date(2026, 12, 1)));
        assert_eq!(working_days_between(date(2026, 12, 1), date(2027, 1, 4)), Ok(21));
        assert_eq!(working_days_between(date(2026, 11, 20), date(2026, 11, 22)), Ok(0), "a weekend");
        assert_eq!(working_days_between(date(2026, 11, 25), date(2026, 11, 20)), Ok(0));
    }

    #[test]
    fn a_clock_past_the_known_years_is_refused() {
        assert_eq!(known_until(), date(2027, 12, 31));
        let refused = add_working_days(date(2027, 12, 20), 20).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "working days can only be counted up to 2027-12-31: bank holidays after that are not known yet"
        );
        assert!(is_working_day(date(2028, 1, 3)).is_err());
    }

    #[test]
    fn every_listed_holiday_falls_on_a_weekday() {
        assert!(calendar().holidays.iter().all(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)));
        assert_eq!(calendar().holidays.iter().filter(|d| d.year() == 2022).count(), 10);
    }
}
