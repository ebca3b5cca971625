//! Parsers for single cell values. Each returns a message written for the person who
//! supplied the file; the caller adds where the value was.

use chrono::NaiveDate;

use candour_domain::{Rating, is_blank};

/// The most beds any one location could plausibly have; larger values are typing errors.
pub const MAX_BEDS: u32 = 2000;

/// A Y/N flag: y, yes, n, no in any case; blank-ish means unknown.
pub fn yes_no(value: &str) -> Result<Option<bool>, String> {
    let v = value.trim();
    if is_blank(v) {
        return Ok(None);
    }
    if v.eq_ignore_ascii_case("y") || v.eq_ignore_ascii_case("yes") {
        Ok(Some(true))
    } else if v.eq_ignore_ascii_case("n") || v.eq_ignore_ascii_case("no") {
        Ok(Some(false))
    } else {
        Err(format!("{v:?} is not Y or N"))
    }
}

/// A flag column's cell: "Y" (any case) sets the flag; blank or "N" leaves it unset.
pub fn flag(value: &str) -> Result<bool, String> {
    yes_no(value).map(|v| v == Some(true)).map_err(|_| format!("{:?} is not Y or blank", value.trim()))
}

/// A count of beds: a whole number from 0 to [`MAX_BEDS`]; blank-ish means none given.
pub fn beds(value: &str) -> Result<Option<u32>, String> {
    let v = value.trim();
    if is_blank(v) {
        return Ok(None);
    }
    let n: u64 = v.parse().map_err(|_| format!("{v:?} is not a whole number"))?;
    if n > u64::from(MAX_BEDS) {
        return Err(format!("{v:?} is more beds than any location has (at most {MAX_BEDS})"));
    }
    Ok(Some(n as u32))
}

pub fn latitude(value: &str) -> Result<Option<f64>, String> {
    coordinate(value, 90.0, "latitude")
}

pub fn longitude(value: &str) -> Result<Option<f64>, String> {
    coordinate(value, 180.0, "longitude")
}

fn coordinate(value: &str, limit: f64, what: &str) -> Result<Option<f64>, String> {
    let v = value.trim();
    if is_blank(v) {
        return Ok(None);
    }
    match v.parse::<f64>() {
        Ok(x) if x.is_finite() && x.abs() <= limit => Ok(Some(x)),
        _ => Err(format!("{v:?} is not a {what} (a number from -{limit} to {limit})")),
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

/// A date as the regulator writes it: `dd/mm/yyyy`, `yyyy-mm-dd` (optionally with a
/// time after it, as spreadsheet date cells give), or `1 March 2024` / `01-Mar-2024`.
pub fn date(value: &str) -> Result<Option<NaiveDate>, String> {
    let v = value.trim();
    if is_blank(v) {
        return Ok(None);
    }
    parse_date(v).map(Some).ok_or_else(|| format!("{v:?} is not a date (expected dd/mm/yyyy or yyyy-mm-dd)"))
}

fn parse_date(v: &str) -> Option<NaiveDate> {
    if let Some(d) = numeric_date(v.as_bytes()) {
        return Some(d);
    }
    // Spreadsheet date-time cells: keep the date part.
    let day_part = v.split(['T', ' ']).next().unwrap_or(v);
    if let Ok(d) = NaiveDate::parse_from_str(day_part, "%Y-%m-%d") {
        return Some(d);
    }
    if let Ok(d) = NaiveDate::parse_from_str(day_part, "%d/%m/%Y") {
        return Some(d);
    }
    named_month_date(v)
}

/// The two shapes of nearly every date in the files, read without allocating:
/// `dd/mm/yyyy` and `yyyy-mm-dd`.
fn numeric_date(b: &[u8]) -> Option<NaiveDate> {
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

/// "1 March 2024", "01 Mar 2024", "01-Mar-2024".
fn named_month_date(v: &str) -> Option<NaiveDate> {
    let parts: Vec<&str> = v.split([' ', '-']).filter(|p| !p.is_empty()).collect();
    let [day, month, year] = parts.as_slice() else { return None };
    let day: u32 = day.parse().ok()?;
    let year: i32 = year.parse().ok()?;
    let month = month.to_lowercase();
    if month.len() < 3 {
        return None;
    }
    let index = MONTHS.iter().position(|m| m.starts_with(&month) || (month.len() == 3 && m[..3] == month))?;
    NaiveDate::from_ymd_opt(year, index as u32 + 1, day)
}

/// A rating, or `None` for "not rated" and blanks; the usual spellings are matched
/// without allocating, the rest by the domain's parser.
pub fn rating(value: &str) -> Result<Option<Rating>, String> {
    let v = value.trim();
    if let Some(r) = Rating::ALL.into_iter().find(|r| r.name().eq_ignore_ascii_case(v)) {
        return Ok(Some(r));
    }
    Rating::parse_optional(v).map_err(|e| e.to_string())
}

/// Splits a `|`-separated list cell into its non-blank items.
pub fn pipe_list(value: &str) -> impl Iterator<Item = String> + '_ {
    value.split('|').map(str::trim).filter(|s| !is_blank(s)).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn dates_in_every_published_shape() {
        assert_eq!(date("05/03/2024").unwrap(), d(2024, 3, 5));
        assert_eq!(date("2024-03-05").unwrap(), d(2024, 3, 5));
        assert_eq!(date("2024-03-05T00:00:00").unwrap(), d(2024, 3, 5));
        assert_eq!(date("5 March 2024").unwrap(), d(2024, 3, 5));
        assert_eq!(date("05-Mar-2024").unwrap(), d(2024, 3, 5));
        assert_eq!(date(" - ").unwrap(), None);
        assert!(date("31/02/2024").is_err());
        assert!(date("March 2024").is_err());
        assert!(date("5 Ma 2024").is_err());
    }

    #[test]
    fn beds_must_be_whole_and_plausible() {
        assert_eq!(beds("12").unwrap(), Some(12));
        assert_eq!(beds("-").unwrap(), None);
        assert_eq!(beds("twelve").unwrap_err(), "\"twelve\" is not a whole number");
        assert!(beds("12.5").is_err());
        assert!(beds("-3").is_err());
        assert!(beds("2001").is_err());
        assert_eq!(beds("2000").unwrap(), Some(2000));
    }

    #[test]
    fn flags_and_yes_no() {
        assert_eq!(yes_no("YES").unwrap(), Some(true));
        assert_eq!(yes_no("n").unwrap(), Some(false));
        assert_eq!(yes_no("").unwrap(), None);
        assert!(yes_no("maybe").is_err());
        assert!(flag("y").unwrap());
        assert!(!flag("").unwrap());
        assert!(flag("X").is_err());
    }

    #[test]
    fn coordinates_are_range_checked() {
        assert_eq!(latitude("53.79").unwrap(), Some(53.79));
        assert!(latitude("91").is_err());
        assert!(longitude("abc").is_err());
        assert_eq!(longitude("").unwrap(), None);
    }

    #[test]
    fn pipe_lists_drop_blanks() {
        let items: Vec<String> = pipe_list(" Dementia | - || Older people ").collect();
        assert_eq!(items, vec!["Dementia", "Older people"]);
    }
}
