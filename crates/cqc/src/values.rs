//! Parsers for single cell values. Each returns a message written for the person who
//! supplied the file; the caller adds where the value was.

use chrono::NaiveDate;

use candour_domain::{DateError, PlausibleDate, Rating, is_blank};

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

/// A date as the regulator writes it: `dd/mm/yyyy`, `yyyy-mm-dd` (optionally with a
/// time after it, as spreadsheet date cells give), or `1 March 2024` / `01-Mar-2024`;
/// read as any date given to Candour is, within the plausible range.
pub fn date(value: &str) -> Result<Option<NaiveDate>, String> {
    let v = value.trim();
    if is_blank(v) {
        return Ok(None);
    }
    match PlausibleDate::parse(v) {
        Ok(d) => Ok(Some(d.date())),
        Err(DateError::Unreadable) => Err(format!("{v:?} is not a date (expected dd/mm/yyyy or yyyy-mm-dd)")),
        Err(out_of_range) => Err(format!("{v:?} is not a plausible date: {out_of_range}")),
    }
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
