//! Improvement actions watched: the service's managers are told the working day
//! before an open action is due, and the day after it is missed; each once.

use candour_domain::improvement::ActionStatus;
use candour_domain::working_days::add_working_days;
use candour_store::{Plan, PlanAction};
use chrono::NaiveDate;

use crate::notices::{Link, Notice, NoticeKind};

/// Whether an action is due the next working day, or past its date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum When {
    Tomorrow,
    Missed,
}

/// The action notices due on `today`, each with the key that makes it go once.
/// An action missed more than a week ago is not announced.
pub(super) fn due(plan: &Plan, today: NaiveDate) -> Vec<(String, &PlanAction, When)> {
    let next_working_day = add_working_days(today, 1).ok();
    plan.actions
        .iter()
        .filter(|a| matches!(a.status, ActionStatus::NotStarted | ActionStatus::InProgress))
        .filter_map(|a| {
            let due_on = a.details.due_on;
            let when = if today > due_on && today - due_on <= chrono::Duration::days(7) {
                When::Missed
            } else if next_working_day == Some(due_on) {
                When::Tomorrow
            } else {
                return None;
            };
            let word = if when == When::Missed { "missed" } else { "tomorrow" };
            Some((format!("plan:{}:action:{}:{word}:{due_on}", plan.id, a.id), a, when))
        })
        .collect()
}

pub(super) fn notice(public_url: &str, plan: &Plan, service: &str, action: &PlanAction, when: When) -> Notice {
    let due_on = action.details.due_on.format("%-d %B %Y");
    let (subject, first) = match when {
        When::Tomorrow => (
            format!("Improvement action at {service} due {due_on}"),
            format!("An action of the improvement plan “{}” at {service} is due by {due_on}.", plan.title),
        ),
        When::Missed => (
            format!("Improvement action at {service} past its date"),
            format!(
                "An action of the improvement plan “{}” at {service} was due by {due_on} and is not done.",
                plan.title
            ),
        ),
    };
    Notice {
        kind: NoticeKind::PlanActions,
        subject,
        name: None,
        paragraphs: vec![
            first,
            format!("The action: {}. Its owner: {}.", action.details.description, action.details.owner),
            "Record its progress and evidence on the plan, or change its date with the reason.".into(),
        ],
        link: Link {
            label: "Open the plan (you will need to sign in)".into(),
            url: format!("{public_url}/manage/plans/{}", plan.id),
        },
    }
}
