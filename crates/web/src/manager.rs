//! Whether a registered manager is in post, as each source says it: the CQC
//! register (as last read) and the provider's latest monthly return. The two
//! can disagree (a manager left last month; the register has not caught up),
//! so every page names the source and its date, and shows both when they differ.

use candour_domain::Location;
use candour_domain::returns::Month;
use candour_store::{Store, StoreResult};
use chrono::NaiveDate;

use crate::views::{long_date, month_name, today, yes_no_unknown};

/// How far back the latest return is looked for.
const RETURN_MONTHS: u32 = 24;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagerStatus {
    /// The register's answer, and since when there has been no manager, if it says.
    pub register: Option<bool>,
    pub register_absent_since: Option<NaiveDate>,
    /// The day the register was last read into Candour.
    pub register_read: Option<NaiveDate>,
    /// The latest provider return's answer, and its month.
    pub latest_return: Option<(Month, bool)>,
}

impl ManagerStatus {
    pub async fn load(store: &dyn Store, location: &Location) -> StoreResult<Self> {
        let register_read = store.import_runs(1).await?.first().map(|run| run.finished_at.date_naive());
        let to = Month::of(today());
        let from = (1..RETURN_MONTHS).try_fold(to, |m, _| m.previous()).unwrap_or(to);
        let returns = store.returns_of(&location.id, from, to).await?;
        Ok(ManagerStatus {
            register: location.registered_manager,
            register_absent_since: location.registered_manager_absent_since,
            register_read,
            latest_return: returns.last().map(|r| (r.figures.month, r.figures.registered_manager)),
        })
    }

    /// The register and the latest return give different answers.
    pub fn disagree(&self) -> bool {
        matches!((self.register, self.latest_return), (Some(a), Some((_, b))) if a != b)
    }

    /// "Yes (register (CQC), read 1 November 2026)".
    pub fn register_text(&self) -> String {
        let answer = match (self.register, self.register_absent_since) {
            (Some(false), Some(since)) => format!("No, not since {}", long_date(since)),
            (value, _) => yes_no_unknown(value).to_string(),
        };
        match self.register_read {
            Some(day) => format!("{answer} (register (CQC), read {})", long_date(day)),
            None => format!("{answer} (register (CQC))"),
        }
    }

    /// "No (provider return for October 2026)", when a return has been sent.
    pub fn return_text(&self) -> Option<String> {
        self.latest_return.map(|(month, in_post)| {
            format!("{} (provider return for {})", yes_no_unknown(Some(in_post)), month_name(month))
        })
    }

    /// Every source in a sentence, the disagreement said plainly.
    pub fn text(&self) -> String {
        let register = self.register_text();
        match self.return_text() {
            None => register,
            Some(latest) if self.disagree() => {
                format!("The register and the latest return disagree: {register}; {latest}")
            }
            Some(latest) => format!("{register}; {latest}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(register: Option<bool>, latest: Option<bool>) -> ManagerStatus {
        ManagerStatus {
            register,
            register_absent_since: None,
            register_read: NaiveDate::from_ymd_opt(2026, 11, 1),
            latest_return: latest.map(|b| (Month::new(2026, 10).unwrap(), b)),
        }
    }

    #[test]
    fn each_answer_names_its_source_and_when() {
        assert_eq!(status(Some(true), None).text(), "Yes (register (CQC), read 1 November 2026)");
        assert_eq!(
            status(Some(true), Some(true)).text(),
            "Yes (register (CQC), read 1 November 2026); Yes (provider return for October 2026)"
        );
        assert_eq!(
            status(None, Some(false)).text(),
            "Not known (register (CQC), read 1 November 2026); No (provider return for October 2026)"
        );
    }

    #[test]
    fn a_disagreement_is_said_plainly_with_both_answers() {
        let both = status(Some(true), Some(false));
        assert!(both.disagree());
        assert_eq!(
            both.text(),
            "The register and the latest return disagree: Yes (register (CQC), read 1 November 2026); \
             No (provider return for October 2026)"
        );
    }
}
