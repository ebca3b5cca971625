//! Dates people and files give us: every form, API field and import reads its dates
//! through [`PlausibleDate`], so a slip like `1/1/1` or `0001-01-01` is refused at the
//! edge with a message naming the range, rather than stored to trip up whatever
//! reads it later (monitoring groups complaints by month, deadlines count working days).
//!
//! The plausible range is stated here once: from [`EARLIEST`] (before any record
//! Candour keeps: the regulator's register starts in 2010) to the end of the year
//! [`YEARS_AHEAD`] years after this one (far enough for a plan's due dates).

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

/// The earliest date accepted.
pub const EARLIEST: NaiveDate = NaiveDate::from_ymd_opt(1990, 1, 1).expect("a real date");
/// How many years after this one a date may fall.
pub const YEARS_AHEAD: i32 = 10;

/// The latest date accepted: the end of the year [`YEARS_AHEAD`] years from now.
pub fn latest() -> NaiveDate {
    let year = Utc::now().date_naive().year() + YEARS_AHEAD;
    NaiveDate::from_ymd_opt(year, 12, 31).expect("the last day of a year")
}

/// A date within the plausible range, read from `2026-03-27` (a date input; a
/// spreadsheet cell may add a time after it), `27/3/2026`, `27 March 2026` or `27-Mar-2026`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PlausibleDate(NaiveDate);

/// Why a text is not a plausible date; the message is for the person who wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateError {
    Unreadable,
    OutOfRange { latest: NaiveDate },
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let long = |date: NaiveDate| date.format("%-d %B %Y");
        match self {
            DateError::Unreadable => f.write_str("Enter a real date, like 2026-03-27 or 27/3/2026"),
            DateError::OutOfRange { latest } => {
                write!(f, "Enter a date between {} and {}", long(EARLIEST), long(*latest))
            }
        }
    }
}

impl std::error::Error for DateError {}

impl DateError {
    /// The message for a field that names what its date is, such as "due date".
    pub fn message_for(&self, label: &str) -> String {
        match self {
            DateError::Unreadable => format!("Enter the {label} as a real date, like 2026-03-27 or 27/3/2026"),
            DateError::OutOfRange { .. } => self.to_string().replacen("a date", &format!("the {label}"), 1),
        }
    }
}

impl PlausibleDate {
    pub fn parse(value: &str) -> Result<Self, DateError> {
        let date = read(value.trim()).ok_or(DateError::Unreadable)?;
        Self::check(date)
    }

    /// A date already read, if it lies within the range.
    pub fn check(date: NaiveDate) -> Result<Self, DateError> {
        let latest = latest();
        if (EARLIEST..=latest).contains(&date) {
            Ok(PlausibleDate(date))
        } else {
            Err(DateError::OutOfRange { latest })
        }
    }

    pub fn date(self) -> NaiveDate {
        self.0
    }
}

impl From<PlausibleDate> for NaiveDate {
    fn from(d: PlausibleDate) -> NaiveDate {
        d.0
    }
}

impl fmt::Display for PlausibleDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for PlausibleDate {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Self, DateError> {
        PlausibleDate::parse(s)
    }
}

crate::text_schema!(PlausibleDate, "A date, YYYY-MM-DD", "2026-03-14");

impl Serialize for PlausibleDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de> Deserialize<'de> for PlausibleDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        PlausibleDate::parse(&text).map_err(|e| de::Error::custom(format!("{text:?}: {e}")))
    }
}

/// Any of the accepted shapes, with a four-digit year; no range check yet.
fn read(v: &str) -> Option<NaiveDate> {
    if let Some(d) = numeric(v.as_bytes()) {
        return Some(d);
    }
    // Spreadsheet date-time cells: keep the date part.
    let day_part = v.split(['T', ' ']).next().unwrap_or(v);
    let four_digit_year = |d: &NaiveDate| (1000..=9999).contains(&d.year());
    let parsed = NaiveDate::parse_from_str(day_part, "%Y-%m-%d")
        .ok()
        .filter(|_| day_part.split('-').next().is_some_and(|y| y.len() == 4))
        .or_else(|| {
            let year_digits = day_part.rsplit('/').next().is_some_and(|y| y.len() == 4);
            NaiveDate::parse_from_str(day_part, "%d/%m/%Y").ok().filter(|_| year_digits)
        });
    parsed.or_else(|| named_month(v)).filter(four_digit_year)
}

/// The two shapes of nearly every date in the regulator's files, read without
/// allocating: `dd/mm/yyyy` and `yyyy-mm-dd`.
fn numeric(b: &[u8]) -> Option<NaiveDate> {
    let number = |digits: &[u8]| -> Option<u32> {
        digits.iter().try_fold(0u32, |n, d| d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0')))
    };
    match b {
        [d1, d2, b'/', m1, m2, b'/', y @ ..] if y.len() == 4 => {
            NaiveDate::from_ymd_opt(number(y)? as i32, number(&[*m1, *m2])?, number(&[*d1, *d2])?)
        }
        [y0, y1, y2, y3, b'-', m1, m2, b'-', d1, d2] => {
            NaiveDate::from_ymd_opt(number(&[*y0, *y1, *y2, *y3])? as i32, number(&[*m1, *m2])?, number(&[*d1, *d2])?)
        }
        _ => None,
    }
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// "1 March 2024", "01 Mar 2024", "01-Mar-2024".
fn named_month(v: &str) -> Option<NaiveDate> {
    let parts: Vec<&str> = v.split([' ', '-']).filter(|p| !p.is_empty()).collect();
    let [day, month, year] = parts.as_slice() else { return None };
    let day: u32 = day.parse().ok()?;
    let year: i32 = if year.len() == 4 { year.parse().ok()? } else { return None };
    let month = month.to_lowercase();
    if month.len() < 3 {
        return None;
    }
    let index = MONTHS.iter().position(|m| m.starts_with(&month) || (month.len() == 3 && m[..3] == month))?;
    NaiveDate::from_ymd_opt(year, index as u32 + 1, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Result<NaiveDate, DateError> {
        Ok(NaiveDate::from_ymd_opt(y, m, day).unwrap())
    }

    fn parse(v: &str) -> Result<NaiveDate, DateError> {
        PlausibleDate::parse(v).map(PlausibleDate::date)
    }

    #[test]
    fn every_accepted_shape() {
        assert_eq!(parse("2024-03-05"), d(2024, 3, 5));
        assert_eq!(parse(" 2024-03-05T00:00:00 "), d(2024, 3, 5));
        assert_eq!(parse("05/03/2024"), d(2024, 3, 5));
        assert_eq!(parse("5/3/2024"), d(2024, 3, 5));
        assert_eq!(parse("5 March 2024"), d(2024, 3, 5));
        assert_eq!(parse("05-Mar-2024"), d(2024, 3, 5));
        assert_eq!(parse("1990-01-01"), d(1990, 1, 1));
    }

    #[test]
    fn slips_are_refused_with_a_message_naming_the_range() {
        for unreadable in
            ["", "1/1/1", "31/02/2024", "2024-3-5-1", "March 2024", "5 Ma 2024", "+2024-03-05", "24-03-05"]
        {
            assert_eq!(parse(unreadable), Err(DateError::Unreadable), "{unreadable:?}");
        }
        for (slip, year) in [("0001-01-01", 1), ("1900-01-01", 1900), ("1989-12-31", 1989), ("9999-12-31", 9999)] {
            let error = parse(slip).unwrap_err();
            assert_eq!(error, DateError::OutOfRange { latest: latest() }, "{slip:?} ({year})");
            let message = error.to_string();
            assert!(message.starts_with("Enter a date between 1 January 1990 and 31 December "), "{message}");
            assert!(error.message_for("due date").starts_with("Enter the due date between 1 January 1990 and "));
        }
        assert_eq!(parse(&latest().to_string()).map(|d| d.year()), Ok(Utc::now().year() + YEARS_AHEAD));
        assert!(parse(&latest().succ_opt().unwrap().to_string()).is_err());
    }

    #[test]
    fn json_fields_are_checked_alike() {
        let refused = serde_json::from_str::<PlausibleDate>("\"0001-01-01\"").unwrap_err().to_string();
        assert!(refused.contains("Enter a date between 1 January 1990"), "{refused}");
        assert_eq!(serde_json::from_str::<PlausibleDate>("\"2024-03-05\"").unwrap().date(), d(2024, 3, 5).unwrap());
    }
}
