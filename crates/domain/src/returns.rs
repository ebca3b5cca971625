//! Provider returns: the monthly figures a service sends about how it runs (its
//! staffing, leadership, incidents, restrictive practice, notifications and
//! complaints), the *processes* evidence of monitoring. The same [`RawReturn`]
//! comes from a CSV row and from the JSON API, so both are checked alike.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::ParseError;

pub mod template;

/// The largest count or number of hours accepted: anything above is a typing slip.
pub const MAX_FIGURE: u32 = 10_000_000;

const OUT_OF_RANGE: &str = "expected a month like 2026-01, from 1990-01 to ten years ahead";

/// A calendar month, written `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    pub fn new(year: i32, month: u32) -> Result<Self, ParseError> {
        if (1000..=9999).contains(&year) && (1..=12).contains(&month) {
            Ok(Month { year, month })
        } else {
            Err(ParseError::new("month", &format!("{year}-{month:02}"), "expected a month like 2026-01"))
        }
    }

    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let invalid = || ParseError::new("month", value, "expected a month like 2026-01");
        let v = value.trim();
        let (year, month) = v.split_once('-').ok_or_else(invalid)?;
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(year, 4) || !digits(month, 2) {
            return Err(invalid());
        }
        let month = Month::new(year.parse().map_err(|_| invalid())?, month.parse().map_err(|_| invalid())?)
            .map_err(|_| invalid())?;
        // Within the plausible range of dates, as any date read is.
        crate::PlausibleDate::check(month.first_day()).map_err(|_| ParseError::new("month", value, OUT_OF_RANGE))?;
        Ok(month)
    }

    /// The month a day falls in.
    pub fn of(day: NaiveDate) -> Self {
        Month { year: day.year(), month: day.month() }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("a checked month has a first day")
    }

    /// The month before, or `None` before the year 1000.
    pub fn previous(self) -> Option<Self> {
        self.minus(1)
    }

    /// The month `months` before this one, or `None` before the year 1000.
    pub fn minus(self, months: u32) -> Option<Self> {
        let index = i64::from(self.year) * 12 + i64::from(self.month) - 1 - i64::from(months);
        Month::new(i32::try_from(index.div_euclid(12)).ok()?, index.rem_euclid(12) as u32 + 1).ok()
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

crate::text_schema!(Month, "A month, YYYY-MM", "2026-03");

impl Serialize for Month {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Month {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Month::parse(&s).map_err(de::Error::custom)
    }
}

/// The fields of a return, in the template's order, with what each means. The
/// CSV template's columns and the API's keys are these names.
pub const FIELDS: [(&str, &str); 20] = [
    ("month", "the month the figures are for, YYYY-MM"),
    ("headcount", "staff employed on the last day of the month"),
    ("leavers", "staff who left during the month"),
    ("agency_hours", "hours worked by agency staff"),
    ("hours_worked", "hours worked by all staff, agency included"),
    ("vacancies", "posts vacant on the last day of the month"),
    ("supervision_pct", "% of staff whose supervision is up to date"),
    ("training_pct", "% of staff whose mandatory training is up to date"),
    ("registered_manager", "a registered manager is in post: yes or no"),
    ("manager_changed", "the manager changed this month: yes or no"),
    ("people_supported", "occupied beds, or people supported for services without beds"),
    ("incidents", "incidents recorded"),
    ("restraint", "restraint events"),
    ("seclusion", "seclusion events"),
    ("segregation", "long-term segregation events"),
    ("notifications", "statutory notifications sent to the regulator"),
    ("safeguarding_referrals", "safeguarding referrals made to the local authority"),
    ("complaints_received", "complaints received"),
    ("complaints_upheld", "complaints upheld"),
    ("complaints_on_time", "complaints answered within the service's own time limit"),
];

/// A return as it arrives, every field still text: a CSV row, or the API's JSON
/// (where numbers and `true`/`false` are accepted as well as text).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RawReturn {
    #[serde(deserialize_with = "text")]
    pub month: String,
    #[serde(deserialize_with = "text")]
    pub headcount: String,
    #[serde(deserialize_with = "text")]
    pub leavers: String,
    #[serde(deserialize_with = "text")]
    pub agency_hours: String,
    #[serde(deserialize_with = "text")]
    pub hours_worked: String,
    #[serde(deserialize_with = "text")]
    pub vacancies: String,
    #[serde(deserialize_with = "text")]
    pub supervision_pct: String,
    #[serde(deserialize_with = "text")]
    pub training_pct: String,
    #[serde(deserialize_with = "text")]
    pub registered_manager: String,
    #[serde(deserialize_with = "text")]
    pub manager_changed: String,
    #[serde(deserialize_with = "text")]
    pub people_supported: String,
    #[serde(deserialize_with = "text")]
    pub incidents: String,
    #[serde(deserialize_with = "text")]
    pub restraint: String,
    #[serde(deserialize_with = "text")]
    pub seclusion: String,
    #[serde(deserialize_with = "text")]
    pub segregation: String,
    #[serde(deserialize_with = "text")]
    pub notifications: String,
    #[serde(deserialize_with = "text")]
    pub safeguarding_referrals: String,
    #[serde(deserialize_with = "text")]
    pub complaints_received: String,
    #[serde(deserialize_with = "text")]
    pub complaints_upheld: String,
    #[serde(deserialize_with = "text")]
    pub complaints_on_time: String,
}

/// The complaints a service's complaint log in Candour counts for one month. From
/// the month it logs its first complaint, the log's counts are its complaint
/// figures, so a return need not give them again.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoggedComplaints {
    pub received: u32,
    pub upheld: u32,
    pub on_time: u32,
}

/// The fields a complaint log counts instead of the return.
pub const COMPLAINT_FIELDS: [&str; 3] = ["complaints_received", "complaints_upheld", "complaints_on_time"];

impl RawReturn {
    /// Fills each blank complaint field with the log's count; a figure given is kept.
    pub fn fill_complaints_from(&mut self, logged: LoggedComplaints) {
        let counts = [logged.received, logged.upheld, logged.on_time];
        for (field, count) in COMPLAINT_FIELDS.into_iter().zip(counts) {
            let blank = self.values().into_iter().any(|(f, v)| f == field && v.trim().is_empty());
            if blank {
                self.set(field, &count.to_string());
            }
        }
    }

    /// Sets a field by its name (a CSV column); `false` for a name that is not a field.
    pub fn set(&mut self, field: &str, value: &str) -> bool {
        let slot = match field {
            "month" => &mut self.month,
            "headcount" => &mut self.headcount,
            "leavers" => &mut self.leavers,
            "agency_hours" => &mut self.agency_hours,
            "hours_worked" => &mut self.hours_worked,
            "vacancies" => &mut self.vacancies,
            "supervision_pct" => &mut self.supervision_pct,
            "training_pct" => &mut self.training_pct,
            "registered_manager" => &mut self.registered_manager,
            "manager_changed" => &mut self.manager_changed,
            "people_supported" => &mut self.people_supported,
            "incidents" => &mut self.incidents,
            "restraint" => &mut self.restraint,
            "seclusion" => &mut self.seclusion,
            "segregation" => &mut self.segregation,
            "notifications" => &mut self.notifications,
            "safeguarding_referrals" => &mut self.safeguarding_referrals,
            "complaints_received" => &mut self.complaints_received,
            "complaints_upheld" => &mut self.complaints_upheld,
            "complaints_on_time" => &mut self.complaints_on_time,
            _ => return false,
        };
        *slot = value.to_string();
        true
    }

    /// Every field's name and value, in the template's order: what a form is filled with.
    pub fn values(&self) -> [(&'static str, &str); 20] {
        [
            ("month", &self.month),
            ("headcount", &self.headcount),
            ("leavers", &self.leavers),
            ("agency_hours", &self.agency_hours),
            ("hours_worked", &self.hours_worked),
            ("vacancies", &self.vacancies),
            ("supervision_pct", &self.supervision_pct),
            ("training_pct", &self.training_pct),
            ("registered_manager", &self.registered_manager),
            ("manager_changed", &self.manager_changed),
            ("people_supported", &self.people_supported),
            ("incidents", &self.incidents),
            ("restraint", &self.restraint),
            ("seclusion", &self.seclusion),
            ("segregation", &self.segregation),
            ("notifications", &self.notifications),
            ("safeguarding_referrals", &self.safeguarding_referrals),
            ("complaints_received", &self.complaints_received),
            ("complaints_upheld", &self.complaints_upheld),
            ("complaints_on_time", &self.complaints_on_time),
        ]
        .map(|(field, value)| (field, value.as_str()))
    }
}

/// Reads a JSON string, number or boolean as text, so that `"headcount": 40` and
/// `"headcount": "40"` are the same; the checks then apply to the text.
fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    struct Text;
    impl Visitor<'_> for Text {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("text, a number, or true or false")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
            Ok(if v { "yes" } else { "no" }.to_string())
        }
        fn visit_unit<E: de::Error>(self) -> Result<String, E> {
            Ok(String::new())
        }
    }
    d.deserialize_any(Text)
}

/// A problem with one field of a return, written for the person who sent it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = ReturnFieldError)]
pub struct FieldError {
    /// The field's name, which is also its CSV column and JSON key.
    pub field: &'static str,
    pub message: String,
}

/// One location's figures for one month, every check passed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MonthlyReturn {
    pub month: Month,
    pub headcount: u32,
    pub leavers: u32,
    pub agency_hours: u32,
    pub hours_worked: u32,
    pub vacancies: u32,
    pub supervision_pct: u8,
    pub training_pct: u8,
    pub registered_manager: bool,
    pub manager_changed: bool,
    pub people_supported: u32,
    pub incidents: u32,
    pub restraint: u32,
    pub seclusion: u32,
    pub segregation: u32,
    pub notifications: u32,
    pub safeguarding_referrals: u32,
    pub complaints_received: u32,
    pub complaints_upheld: u32,
    pub complaints_on_time: u32,
}

/// Collects problems while the fields are read one by one.
#[derive(Default)]
struct Checks {
    errors: Vec<FieldError>,
}

impl Checks {
    fn fail(&mut self, field: &'static str, message: impl Into<String>) {
        self.errors.push(FieldError { field, message: message.into() });
    }

    fn figure(&mut self, field: &'static str, value: &str) -> Option<u32> {
        let v = value.trim();
        if v.is_empty() {
            self.fail(field, "Give a whole number, or 0 if there were none");
            return None;
        }
        match v.parse::<u32>() {
            Ok(n) if n <= MAX_FIGURE => Some(n),
            _ if v.starts_with('-') => {
                self.fail(field, format!("{v} is below zero: give a whole number from 0 up"));
                None
            }
            Ok(_) => {
                self.fail(field, format!("{v} is too large: give a whole number up to 10,000,000"));
                None
            }
            Err(_) => {
                self.fail(field, format!("{v:?} is not a whole number: give digits only, like 12"));
                None
            }
        }
    }

    fn percent(&mut self, field: &'static str, value: &str) -> Option<u8> {
        let v = value.trim().trim_end_matches('%').trim_end();
        match v.parse::<u8>() {
            Ok(n) if n <= 100 => Some(n),
            _ if v.is_empty() => {
                self.fail(field, "Give a percentage, a whole number from 0 to 100");
                None
            }
            _ => {
                self.fail(field, format!("{:?} is not a percentage: give a whole number from 0 to 100", value.trim()));
                None
            }
        }
    }

    fn yes_no(&mut self, field: &'static str, value: &str) -> Option<bool> {
        match value.trim().to_ascii_lowercase().as_str() {
            "yes" | "y" | "true" => Some(true),
            "no" | "n" | "false" => Some(false),
            "" => {
                self.fail(field, "Answer yes or no");
                None
            }
            _ => {
                self.fail(field, format!("{:?} is not an answer: give yes or no", value.trim()));
                None
            }
        }
    }

    fn month(&mut self, value: &str, today: NaiveDate) -> Option<Month> {
        if value.trim().is_empty() {
            self.fail("month", "Give the month the figures are for, like 2026-01");
            return None;
        }
        match Month::parse(value) {
            Ok(month) if month > Month::of(today) => {
                self.fail("month", format!("{month} has not happened yet: send figures for months that have begun"));
                None
            }
            Ok(month) => Some(month),
            Err(e) => {
                let what = format!("{:?} is not a month: write it as YYYY-MM, like 2026-01", value.trim());
                let range = if e.expected == OUT_OF_RANGE { ", from 1990-01 to ten years ahead" } else { "" };
                self.fail("month", format!("{what}{range}"));
                None
            }
        }
    }

    /// `part` cannot exceed `whole`, named in the words of the form (`the hours
    /// worked`), never by its field; checked only when both were read.
    fn at_most(&mut self, part: (&'static str, Option<u32>), whole: (&str, Option<u32>), why: &str) {
        if let (Some(p), Some(w)) = (part.1, whole.1)
            && p > w
        {
            self.fail(part.0, format!("{p} is more than {} ({w}): {why}", whole.0));
        }
    }
}

impl MonthlyReturn {
    /// Checks every field and reports every problem at once. `today` decides
    /// which months have begun.
    pub fn parse(raw: &RawReturn, today: NaiveDate) -> Result<MonthlyReturn, Vec<FieldError>> {
        let mut c = Checks::default();
        let month = c.month(&raw.month, today);
        let headcount = c.figure("headcount", &raw.headcount);
        let leavers = c.figure("leavers", &raw.leavers);
        let agency_hours = c.figure("agency_hours", &raw.agency_hours);
        let hours_worked = c.figure("hours_worked", &raw.hours_worked);
        let vacancies = c.figure("vacancies", &raw.vacancies);
        let supervision_pct = c.percent("supervision_pct", &raw.supervision_pct);
        let training_pct = c.percent("training_pct", &raw.training_pct);
        let registered_manager = c.yes_no("registered_manager", &raw.registered_manager);
        let manager_changed = c.yes_no("manager_changed", &raw.manager_changed);
        let people_supported = c.figure("people_supported", &raw.people_supported);
        let incidents = c.figure("incidents", &raw.incidents);
        let restraint = c.figure("restraint", &raw.restraint);
        let seclusion = c.figure("seclusion", &raw.seclusion);
        let segregation = c.figure("segregation", &raw.segregation);
        let notifications = c.figure("notifications", &raw.notifications);
        let safeguarding_referrals = c.figure("safeguarding_referrals", &raw.safeguarding_referrals);
        let complaints_received = c.figure("complaints_received", &raw.complaints_received);
        let complaints_upheld = c.figure("complaints_upheld", &raw.complaints_upheld);
        let complaints_on_time = c.figure("complaints_on_time", &raw.complaints_on_time);

        c.at_most(
            ("agency_hours", agency_hours),
            ("the hours worked by all staff", hours_worked),
            "all staff hours include agency staff hours",
        );
        let received = ("the complaints received", complaints_received);
        c.at_most(("complaints_upheld", complaints_upheld), received, "only complaints received can be upheld");
        c.at_most(("complaints_on_time", complaints_on_time), received, "only complaints received can be answered");
        // Staff on the books at some time in the month are those still there plus
        // those who left; hours by the service's own staff need at least one.
        if let (Some(h), Some(l), Some(a), Some(w)) = (headcount, leavers, agency_hours, hours_worked)
            && h + l == 0
            && w > a
        {
            c.fail(
                "headcount",
                "Your own staff worked hours this month, but the number of staff employed is 0 and no-one left",
            );
        }

        if !c.errors.is_empty() {
            return Err(c.errors);
        }
        let required = "every field was read, since there were no problems";
        Ok(MonthlyReturn {
            month: month.expect(required),
            headcount: headcount.expect(required),
            leavers: leavers.expect(required),
            agency_hours: agency_hours.expect(required),
            hours_worked: hours_worked.expect(required),
            vacancies: vacancies.expect(required),
            supervision_pct: supervision_pct.expect(required),
            training_pct: training_pct.expect(required),
            registered_manager: registered_manager.expect(required),
            manager_changed: manager_changed.expect(required),
            people_supported: people_supported.expect(required),
            incidents: incidents.expect(required),
            restraint: restraint.expect(required),
            seclusion: seclusion.expect(required),
            segregation: segregation.expect(required),
            notifications: notifications.expect(required),
            safeguarding_referrals: safeguarding_referrals.expect(required),
            complaints_received: complaints_received.expect(required),
            complaints_upheld: complaints_upheld.expect(required),
            complaints_on_time: complaints_on_time.expect(required),
        })
    }

    /// The return as text again, field by field: what a template row or a form holds.
    pub fn to_raw(&self) -> RawReturn {
        let yes_no = |b: bool| if b { "yes" } else { "no" }.to_string();
        RawReturn {
            month: self.month.to_string(),
            headcount: self.headcount.to_string(),
            leavers: self.leavers.to_string(),
            agency_hours: self.agency_hours.to_string(),
            hours_worked: self.hours_worked.to_string(),
            vacancies: self.vacancies.to_string(),
            supervision_pct: self.supervision_pct.to_string(),
            training_pct: self.training_pct.to_string(),
            registered_manager: yes_no(self.registered_manager),
            manager_changed: yes_no(self.manager_changed),
            people_supported: self.people_supported.to_string(),
            incidents: self.incidents.to_string(),
            restraint: self.restraint.to_string(),
            seclusion: self.seclusion.to_string(),
            segregation: self.segregation.to_string(),
            notifications: self.notifications.to_string(),
            safeguarding_referrals: self.safeguarding_referrals.to_string(),
            complaints_received: self.complaints_received.to_string(),
            complaints_upheld: self.complaints_upheld.to_string(),
            complaints_on_time: self.complaints_on_time.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 15).unwrap()
    }

    fn good() -> RawReturn {
        let mut raw = RawReturn::default();
        for (field, value) in [
            ("month", "2026-02"),
            ("headcount", "40"),
            ("leavers", "2"),
            ("agency_hours", "300"),
            ("hours_worked", "6000"),
            ("vacancies", "3"),
            ("supervision_pct", "85"),
            ("training_pct", "92%"),
            ("registered_manager", "Yes"),
            ("manager_changed", "no"),
            ("people_supported", "38"),
            ("incidents", "5"),
            ("restraint", "1"),
            ("seclusion", "0"),
            ("segregation", "0"),
            ("notifications", "2"),
            ("safeguarding_referrals", "1"),
            ("complaints_received", "3"),
            ("complaints_upheld", "1"),
            ("complaints_on_time", "3"),
        ] {
            assert!(raw.set(field, value), "{field} is a field");
        }
        raw
    }

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_complete_return_parses_and_round_trips_as_text() {
        let r = MonthlyReturn::parse(&good(), today()).unwrap();
        assert_eq!(r.month, Month::new(2026, 2).unwrap());
        assert_eq!((r.training_pct, r.registered_manager, r.manager_changed), (92, true, false));
        assert_eq!(MonthlyReturn::parse(&r.to_raw(), today()).unwrap(), r);
    }

    #[test]
    fn every_field_is_named_and_settable() {
        let mut raw = RawReturn::default();
        for (field, _) in FIELDS {
            assert!(raw.set(field, &format!("{field}!")), "{field}");
        }
        for ((field, value), (expected, _)) in raw.values().into_iter().zip(FIELDS) {
            assert_eq!((field, value), (expected, format!("{expected}!").as_str()), "read back in order");
        }
        assert!(!raw.set("location_id", "x"));
        let errors = MonthlyReturn::parse(&raw, today()).unwrap_err();
        assert_eq!(fields(&errors), FIELDS.map(|(f, _)| f));
    }

    #[test]
    fn blank_negative_large_and_fractional_figures_are_refused_with_reasons() {
        let mut raw = good();
        raw.headcount = " ".into();
        raw.leavers = "-1".into();
        raw.incidents = "10000001".into();
        raw.agency_hours = "12.5".into();
        raw.supervision_pct = "101".into();
        raw.registered_manager = "maybe".into();
        let errors = MonthlyReturn::parse(&raw, today()).unwrap_err();
        assert_eq!(
            fields(&errors),
            ["headcount", "leavers", "agency_hours", "supervision_pct", "registered_manager", "incidents"]
        );
        assert!(errors[1].message.contains("below zero"), "{}", errors[1].message);
        assert!(errors[2].message.contains("not a whole number"), "{}", errors[2].message);
        assert!(errors[3].message.contains("0 to 100"), "{}", errors[3].message);
        assert!(errors[5].message.contains("too large"), "{}", errors[5].message);
    }

    #[test]
    fn figures_that_cannot_be_true_together_are_refused() {
        let mut raw = good();
        raw.agency_hours = "7000".into();
        raw.complaints_upheld = "4".into();
        raw.complaints_on_time = "5".into();
        let errors = MonthlyReturn::parse(&raw, today()).unwrap_err();
        assert_eq!(fields(&errors), ["agency_hours", "complaints_upheld", "complaints_on_time"]);
        assert!(errors[1].message.contains("more than the complaints received (3)"), "{}", errors[1].message);

        let mut raw = good();
        (raw.headcount, raw.leavers) = ("0".into(), "0".into());
        assert_eq!(fields(&MonthlyReturn::parse(&raw, today()).unwrap_err()), ["headcount"]);
        // Agency staff alone may run a month with no employees.
        raw.agency_hours = raw.hours_worked.clone();
        assert!(MonthlyReturn::parse(&raw, today()).is_ok());
    }

    #[test]
    fn blank_complaint_figures_come_from_the_log_and_given_ones_are_kept() {
        let mut raw = good();
        (raw.complaints_received, raw.complaints_upheld, raw.complaints_on_time) = ("".into(), " ".into(), "0".into());
        assert!(MonthlyReturn::parse(&raw, today()).is_err(), "without the log they are required");
        raw.fill_complaints_from(LoggedComplaints { received: 4, upheld: 1, on_time: 3 });
        let figures = MonthlyReturn::parse(&raw, today()).expect("complete");
        assert_eq!((figures.complaints_received, figures.complaints_upheld, figures.complaints_on_time), (4, 1, 0));
    }

    /// Every message the checks can give, in the words of the form: none names a
    /// field as the CSV and API spell it (`hours_worked`, `headcount`).
    #[test]
    fn no_message_names_an_internal_field() {
        let mut messages = Vec::new();
        for (field, _) in FIELDS {
            for bad in ["", " ", "-1", "x", "12.5", "10000001", "101", "maybe", "2999-01"] {
                let mut raw = good();
                raw.set(field, bad);
                if let Err(errors) = MonthlyReturn::parse(&raw, today()) {
                    messages.extend(errors.into_iter().map(|e| e.message));
                }
            }
        }
        let mut raw = good();
        (raw.agency_hours, raw.complaints_upheld, raw.complaints_on_time) = ("7000".into(), "4".into(), "5".into());
        messages.extend(MonthlyReturn::parse(&raw, today()).unwrap_err().into_iter().map(|e| e.message));
        let mut raw = good();
        (raw.headcount, raw.leavers) = ("0".into(), "0".into());
        messages.extend(MonthlyReturn::parse(&raw, today()).unwrap_err().into_iter().map(|e| e.message));

        assert!(messages.iter().any(|m| m.contains("more than the hours worked by all staff (6000)")), "{messages:?}");
        let internal = FIELDS.iter().map(|(f, _)| *f).filter(|f| f.contains('_') || *f == "headcount");
        for name in internal {
            assert!(!messages.iter().any(|m| m.contains(name)), "{name} in {messages:?}");
        }
    }

    #[test]
    fn months_are_yyyy_mm_and_not_in_the_future() {
        let mut raw = good();
        raw.month = "2026-03".into();
        assert!(MonthlyReturn::parse(&raw, today()).is_ok(), "the current month has begun");
        for bad in ["2026-04", "2026-3", "March 2026", "2026-13", "26-03", "", "1900-01", "0001-01"] {
            raw.month = bad.into();
            assert_eq!(fields(&MonthlyReturn::parse(&raw, today()).unwrap_err()), ["month"], "{bad:?}");
        }
        assert!(Month::parse("2025-12").unwrap() < Month::parse("2026-01").unwrap());
        assert_eq!(Month::parse("2026-01").unwrap().previous(), Some(Month::new(2025, 12).unwrap()));
        assert_eq!(Month::parse("2026-03").unwrap().previous(), Some(Month::new(2026, 2).unwrap()));
        assert_eq!(Month::new(1000, 1).unwrap().previous(), None);
        assert_eq!(Month::parse("2026-11").unwrap().minus(11), Some(Month::new(2025, 12).unwrap()));
        assert_eq!(Month::parse("2026-11").unwrap().minus(0), Some(Month::new(2026, 11).unwrap()));
        assert!(Month::parse("1900-01").is_err() && Month::parse("0001-01").is_err(), "outside the plausible range");
        assert_eq!(Month::parse(" 2026-01 ").unwrap().to_string(), "2026-01");
    }

    #[test]
    fn json_numbers_and_booleans_read_as_their_text() {
        let raw: RawReturn = serde_json::from_str(
            r#"{"month": "2026-01", "headcount": 40, "registered_manager": true, "incidents": null}"#,
        )
        .unwrap();
        assert_eq!((raw.headcount.as_str(), raw.registered_manager.as_str()), ("40", "yes"));
        assert_eq!(raw.incidents, "");
        assert!(serde_json::from_str::<RawReturn>(r#"{"headcont": 40}"#).is_err(), "unknown keys are refused");
        assert_eq!(serde_json::to_string(&Month::new(2026, 1).unwrap()).unwrap(), r#""2026-01""#);
    }
}
