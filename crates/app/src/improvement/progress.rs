//! How far a plan has come: its actions by status, the overdue ones, and month by
//! month from each action's kept history.

use candour_domain::improvement::{ActionStatus, is_overdue};
use candour_store::{Plan, PlanAction};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// How far a plan has come.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = PlanProgress)]
pub struct Progress {
    pub actions: u32,
    pub not_started: u32,
    pub in_progress: u32,
    pub done: u32,
    pub dropped: u32,
    /// Open actions past their due date.
    pub overdue: u32,
}

pub fn progress(plan: &Plan, today: NaiveDate) -> Progress {
    let mut p = Progress::default();
    for a in &plan.actions {
        p.actions += 1;
        match a.status {
            ActionStatus::NotStarted => p.not_started += 1,
            ActionStatus::InProgress => p.in_progress += 1,
            ActionStatus::Done => p.done += 1,
            ActionStatus::Dropped => p.dropped += 1,
        }
        if is_overdue(a.status, a.details.due_on, today) {
            p.overdue += 1;
        }
    }
    p
}

/// The ids of the plan's open actions past their due date.
pub fn overdue_actions(plan: &Plan, today: NaiveDate) -> Vec<i64> {
    plan.actions.iter().filter(|a| is_overdue(a.status, a.details.due_on, today)).map(|a| a.id).collect()
}

/// One month of progress: actions done and still open at its end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MonthProgress {
    pub month: String,
    pub label: String,
    /// "Jul 26", under its bar.
    pub short: String,
    pub done: u32,
    pub open: u32,
}

/// Most months shown in the progress table.
const PROGRESS_MONTHS: usize = 24;

/// Each month from the plan's start to `today`'s (the latest [`PROGRESS_MONTHS`]):
/// how many actions were done at its end (or today, for this month), from each
/// action's kept history.
pub fn progress_by_month(plan: &Plan, today: NaiveDate) -> Vec<MonthProgress> {
    let first = plan.started_on.min(plan.created_at.date_naive());
    let mut months = Vec::new();
    let mut at = NaiveDate::from_ymd_opt(first.year(), first.month(), 1).unwrap_or(first);
    while at <= today {
        let next = at.checked_add_months(chrono::Months::new(1)).unwrap_or(today);
        let end = next.pred_opt().unwrap_or(at).min(today);
        let (mut done, mut open) = (0, 0);
        for action in &plan.actions {
            match status_on(action, end) {
                Some(ActionStatus::Done) => done += 1,
                Some(ActionStatus::Dropped) | None => {}
                Some(_) => open += 1,
            }
        }
        months.push(MonthProgress {
            month: at.format("%Y-%m").to_string(),
            label: at.format("%B %Y").to_string(),
            short: at.format("%b %y").to_string(),
            done,
            open,
        });
        if next <= at {
            break;
        }
        at = next;
    }
    let skip = months.len().saturating_sub(PROGRESS_MONTHS);
    months.split_off(skip)
}

/// The action's status at the end of `day`; `None` before it was added.
fn status_on(action: &PlanAction, day: NaiveDate) -> Option<ActionStatus> {
    action.history.iter().take_while(|c| c.at.date_naive() <= day).last().map(|c| c.status)
}

/// "S4 Safe: Safe and effective staffing", or the code alone when the framework does not know it.
pub fn statement_name(code: &str) -> String {
    let found = candour_engine::StatementId::parse(code).ok().and_then(|id| {
        let framework = candour_engine::Framework::current().ok()?;
        framework.statement(id).map(|s| format!("{code} {}: {}", s.key_question.name(), s.title))
    });
    found.unwrap_or_else(|| code.to_string())
}

/// Every statement of the framework as (code, name), in order.
pub fn statements() -> Vec<(String, String)> {
    let Ok(framework) = candour_engine::Framework::current() else { return Vec::new() };
    candour_domain::KeyQuestion::ALL
        .into_iter()
        .flat_map(|kq| framework.statements_of(kq).map(|s| (s.id.to_string(), statement_name(&s.id.to_string()))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use candour_domain::improvement::{ActionDetails, Finding, FindingKind, Reflection};
    use candour_domain::{LocationId, UserId};
    use candour_store::{PlanFinding, StatusChange};
    use chrono::{DateTime, TimeZone, Utc};

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()
    }

    fn action(id: i64, due: NaiveDate, changes: &[(ActionStatus, DateTime<Utc>)]) -> PlanAction {
        PlanAction {
            id,
            details: ActionDetails {
                finding_id: 1,
                statement: "S4".into(),
                description: "Audit".into(),
                owner: "Deputy".into(),
                due_on: due,
            },
            status: changes.last().unwrap().0,
            public: false,
            history: changes
                .iter()
                .map(|(s, t)| StatusChange { status: *s, reason: None, by: UserId(1), at: *t })
                .collect(),
            evidence: Vec::new(),
            created_at: changes[0].1,
        }
    }

    fn plan(actions: Vec<PlanAction>) -> Plan {
        Plan {
            id: 3,
            location_id: LocationId::parse("1-1").unwrap(),
            title: "Plan".into(),
            started_on: NaiveDate::from_ymd_opt(2026, 1, 10).unwrap(),
            findings: vec![PlanFinding {
                id: 1,
                finding: Finding { kind: FindingKind::Other, reference: String::new(), text: "Late audits".into() },
            }],
            actions,
            reflection: Reflection::default(),
            publication: None,
            created_by: UserId(1),
            created_at: at(2026, 1, 10),
            updated_at: at(2026, 1, 10),
        }
    }

    #[test]
    fn progress_counts_statuses_and_overdue_actions() {
        let due = NaiveDate::from_ymd_opt(2026, 2, 1).unwrap();
        let p = plan(vec![
            action(1, due, &[(ActionStatus::NotStarted, at(2026, 1, 10)), (ActionStatus::Done, at(2026, 2, 5))]),
            action(2, due, &[(ActionStatus::NotStarted, at(2026, 1, 10))]),
            action(3, due, &[(ActionStatus::NotStarted, at(2026, 1, 11)), (ActionStatus::InProgress, at(2026, 3, 1))]),
        ]);
        let today = NaiveDate::from_ymd_opt(2026, 3, 15).unwrap();
        let counts = progress(&p, today);
        assert_eq!((counts.actions, counts.done, counts.in_progress, counts.overdue), (3, 1, 1, 2));
        assert_eq!(overdue_actions(&p, today), [2, 3]);
        let months = progress_by_month(&p, today);
        let done: Vec<(&str, u32, u32)> = months.iter().map(|m| (m.month.as_str(), m.done, m.open)).collect();
        assert_eq!(done, [("2026-01", 0, 3), ("2026-02", 1, 2), ("2026-03", 1, 2)]);
    }

    #[test]
    fn statements_are_named_from_the_framework() {
        assert!(statement_name("S1").starts_with("S1 Safe: "), "{}", statement_name("S1"));
        assert_eq!(statement_name("Z9"), "Z9");
        assert!(statements().len() >= 30);
    }
}
