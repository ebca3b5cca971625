//! Months sent through the API: one month alone, or several in a list, each
//! already read from the request's body into the return's raw fields.

use candour_domain::returns::{MonthlyReturn, RawReturn};
use candour_store::ComplaintLog;
use chrono::NaiveDate;

use super::error::ReturnsError;
use super::rules::fill_from_log;

/// The body of an API request as its adapter read it. Each month is its raw
/// fields, or why they could not be read from the body.
#[derive(Debug, Clone)]
pub enum ApiMonths {
    /// The body was not sent in the format the API reads.
    NotJson,
    /// The body holds no months, with a message saying why.
    Unreadable(String),
    /// The months sent. A month sent alone (`single`) has its problems named by
    /// field alone (`headcount`); months sent in a list, by position and field
    /// (`[1].headcount`).
    Months { items: Vec<Result<RawReturn, String>>, single: bool },
}

impl ApiMonths {
    /// One month sent alone.
    pub fn one(item: Result<RawReturn, String>) -> Self {
        ApiMonths::Months { items: vec![item], single: true }
    }

    /// Months sent in a list.
    pub fn several(items: Vec<Result<RawReturn, String>>) -> Self {
        ApiMonths::Months { items, single: false }
    }
}

/// The months of a body that holds some.
pub(super) struct Items {
    items: Vec<Result<RawReturn, String>>,
    single: bool,
}

impl ApiMonths {
    pub(super) fn items(self) -> Result<Items, ReturnsError> {
        match self {
            ApiMonths::NotJson => Err(ReturnsError::NotJson),
            ApiMonths::Unreadable(message) => Err(ReturnsError::Refused(message)),
            ApiMonths::Months { items, .. } if items.is_empty() => {
                Err(ReturnsError::Refused("The array is empty: send at least one month".to_string()))
            }
            ApiMonths::Months { items, single } => Ok(Items { items, single }),
        }
    }
}

impl Items {
    /// Every month checked, or every problem by name. Complaint figures the
    /// location's complaint log counts may be left out; a month given twice is a
    /// problem.
    pub(super) fn check(
        self,
        today: NaiveDate,
        log: Option<&ComplaintLog>,
    ) -> Result<Vec<MonthlyReturn>, Vec<(String, String)>> {
        let mut months: Vec<MonthlyReturn> = Vec::new();
        let mut problems = Vec::new();
        for (i, item) in self.items.into_iter().enumerate() {
            let at = if self.single { String::new() } else { format!("[{i}].") };
            let mut raw = match item {
                Ok(raw) => raw,
                Err(err) => {
                    let name = if self.single { "body".to_string() } else { format!("[{i}]") };
                    problems.push((name, format!("This month could not be read: {err}")));
                    continue;
                }
            };
            fill_from_log(&mut raw, log);
            match MonthlyReturn::parse(&raw, today) {
                Ok(m) => match months.iter().position(|earlier| earlier.month == m.month) {
                    Some(j) => problems.push((format!("{at}month"), format!("{} is also given at [{j}]", m.month))),
                    None => months.push(m),
                },
                Err(errors) => problems.extend(errors.into_iter().map(|e| (format!("{at}{}", e.field), e.message))),
            }
        }
        if problems.is_empty() { Ok(months) } else { Err(problems) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candour_domain::returns::Month;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 15).unwrap()
    }

    fn month(at: &str) -> RawReturn {
        let figures = MonthlyReturn {
            month: Month::parse(at).unwrap(),
            headcount: 40,
            leavers: 2,
            agency_hours: 300,
            hours_worked: 6000,
            vacancies: 3,
            supervision_pct: 85,
            training_pct: 92,
            registered_manager: true,
            manager_changed: false,
            people_supported: 38,
            incidents: 5,
            restraint: 1,
            seclusion: 0,
            segregation: 0,
            notifications: 2,
            safeguarding_referrals: 1,
            complaints_received: 3,
            complaints_upheld: 1,
            complaints_on_time: 3,
        };
        figures.to_raw()
    }

    fn check(body: ApiMonths) -> Result<Vec<MonthlyReturn>, Vec<String>> {
        let items = body.items().map_err(|e| vec![e.to_string()])?;
        items.check(today(), None).map_err(|problems| problems.into_iter().map(|(f, _)| f).collect())
    }

    #[test]
    fn one_month_or_a_list_of_months_is_read() {
        assert_eq!(check(ApiMonths::one(Ok(month("2026-01")))).unwrap().len(), 1);
        assert_eq!(check(ApiMonths::several(vec![Ok(month("2026-01")), Ok(month("2026-02"))])).unwrap().len(), 2);
    }

    #[test]
    fn problems_are_named_by_position_and_field() {
        let mut bad = month("2026-02");
        bad.complaints_upheld = "9".into();
        let unreadable = Err("unknown field `headcont`".to_string());
        let body = ApiMonths::several(vec![Ok(month("2026-01")), Ok(bad), Ok(month("2026-01")), unreadable]);
        assert_eq!(check(body).unwrap_err(), ["[1].complaints_upheld", "[2].month", "[3]"]);
        let mut single = month("2026-09");
        single.training_pct = "120".into();
        assert_eq!(check(ApiMonths::one(Ok(single))).unwrap_err(), ["month", "training_pct"]);
        assert_eq!(check(ApiMonths::one(Err("expected a string".into()))).unwrap_err(), ["body"]);
    }

    #[test]
    fn bodies_that_hold_no_months_are_refused() {
        for body in [ApiMonths::several(Vec::new()), ApiMonths::Unreadable("42".into())] {
            assert!(matches!(body.items(), Err(ReturnsError::Refused(_))));
        }
        assert!(matches!(ApiMonths::NotJson.items(), Err(ReturnsError::NotJson)));
    }
}
