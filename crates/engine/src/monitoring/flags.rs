//! Rule-based warning flags, each with its reason in plain words and the data
//! behind it. A flag stands on its own: no good rating or good feedback offsets it.

use chrono::NaiveDate;
use serde::Serialize;

use candour_domain::returns::Month;

use super::catalogue::{Indicator, measure};
use super::input::{Service, index};
use super::{IndicatorResult, MonitoringPolicy, Status};

/// How serious a reason is; the watchlist lists the most serious first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Seriousness {
    /// An indicator at risk, or a flag that caps the band at the policy's concern band.
    Concern,
    /// An indicator at elevated risk, or a flag that caps the band at the serious band.
    Serious,
    /// Puts the service in band 1 whatever its score.
    Override,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FlagKind {
    SevereSafeguardingAlert,
    ClosedCulture,
    NoRegisteredManager,
    ManagerChanges,
    DataSilence,
    FewComplaints,
    OverdueComplaints,
}

impl FlagKind {
    /// The flag's code, as the watchlist and its exports name it.
    pub fn code(self) -> &'static str {
        match self {
            FlagKind::SevereSafeguardingAlert => "severe_safeguarding_alert",
            FlagKind::ClosedCulture => "closed_culture",
            FlagKind::NoRegisteredManager => "no_registered_manager",
            FlagKind::ManagerChanges => "manager_changes",
            FlagKind::DataSilence => "data_silence",
            FlagKind::FewComplaints => "few_complaints",
            FlagKind::OverdueComplaints => "overdue_complaints",
        }
    }

    pub fn seriousness(self) -> Seriousness {
        match self {
            FlagKind::SevereSafeguardingAlert | FlagKind::ClosedCulture => Seriousness::Override,
            FlagKind::NoRegisteredManager => Seriousness::Serious,
            FlagKind::ManagerChanges
            | FlagKind::DataSilence
            | FlagKind::FewComplaints
            | FlagKind::OverdueComplaints => Seriousness::Concern,
        }
    }

    /// The indicator the flag already speaks for, whose own reason would repeat it.
    pub fn indicator(self) -> Option<Indicator> {
        match self {
            FlagKind::DataSilence => Some(Indicator::FeedbackVolume),
            FlagKind::FewComplaints => Some(Indicator::Complaints),
            _ => None,
        }
    }
}

/// One figure behind a flag or reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Fact {
    pub label: &'static str,
    pub value: String,
}

fn fact(label: &'static str, value: impl ToString) -> Fact {
    Fact { label, value: value.to_string() }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Flag {
    pub kind: FlagKind,
    pub seriousness: Seriousness,
    pub reason: String,
    pub data: Vec<Fact>,
}

impl Flag {
    fn new(kind: FlagKind, reason: impl Into<String>, data: Vec<Fact>) -> Flag {
        Flag { kind, seriousness: kind.seriousness(), reason: reason.into(), data }
    }
}

/// Every flag the service raises for `month`, most serious first.
pub(crate) fn flags(
    service: &Service,
    indicators: &[IndicatorResult],
    month: Month,
    today: NaiveDate,
    policy: &MonitoringPolicy,
) -> Vec<Flag> {
    let status = |indicator: Indicator| indicators.iter().find(|r| r.indicator == indicator).map(|r| r.status);
    let silence = data_silence(service, month, policy, status(Indicator::FeedbackVolume));
    let closed = closed_culture(service, month, policy, silence.is_some(), &status);
    let mut found: Vec<Flag> = [
        severe_alert(service, today, policy),
        closed,
        no_manager(service, month, policy),
        manager_changes(service, month, policy),
        silence,
        few_complaints(indicators),
        overdue_complaints(service, today, policy),
    ]
    .into_iter()
    .flatten()
    .collect();
    found.sort_by_key(|f| std::cmp::Reverse(f.seriousness));
    found
}

fn severe_alert(service: &Service, today: NaiveDate, policy: &MonitoringPolicy) -> Option<Flag> {
    let day = service.last_severe_alert?;
    let days = (today - day).num_days();
    (0..=policy.alert_days).contains(&days).then(|| {
        Flag::new(
            FlagKind::SevereSafeguardingAlert,
            format!("A severe safeguarding alert was raised {}.", days_ago(days)),
            vec![fact("alert raised on", day), fact("days ago", days)],
        )
    })
}

fn no_manager(service: &Service, month: Month, policy: &MonitoringPolicy) -> Option<Flag> {
    let latest = service.returns(index(month), policy.window_months).next_back()?;
    (!latest.registered_manager).then(|| {
        Flag::new(
            FlagKind::NoRegisteredManager,
            format!(
                "No registered manager was in post in the latest return: the provider return for {}.",
                latest.month.first_day().format("%B %Y")
            ),
            vec![fact("latest return", latest.month), fact("registered manager in post", "no")],
        )
    })
}

fn manager_changes(service: &Service, month: Month, policy: &MonitoringPolicy) -> Option<Flag> {
    let changes: Vec<Month> =
        service.returns(index(month), policy.manager_months).filter(|r| r.manager_changed).map(|r| r.month).collect();
    let count = changes.len() as u32;
    let months: Vec<String> = changes.iter().map(Month::to_string).collect();
    (count >= policy.manager_changes).then(|| {
        Flag::new(
            FlagKind::ManagerChanges,
            format!("The manager changed {count} times in {} months.", policy.manager_months),
            vec![fact("manager changes", count), fact("months of the changes", months.join(", "))],
        )
    })
}

/// No feedback from people for `silence_months` or more (counted from the first month
/// watched when there has never been any), or feedback far below the peers'.
fn data_silence(service: &Service, month: Month, policy: &MonitoringPolicy, volume: Option<Status>) -> Option<Flag> {
    let end = index(month);
    let first = service.months.iter().map(|m| index(m.month)).filter(|&m| m <= end).min()?;
    let heard = service.months.iter().filter(|m| m.voice.responses > 0 && index(m.month) <= end).map(|m| m.month).max();
    let silent = heard.map_or(end - first + 1, |heard| end - index(heard)) as u32;
    if silent >= policy.silence_months {
        let heard = heard.map_or("never".to_string(), |m| m.to_string());
        return Some(Flag::new(
            FlagKind::DataSilence,
            format!("No feedback from people who use the service for {silent} months."),
            vec![fact("months without feedback", silent), fact("last feedback", heard)],
        ));
    }
    (volume == Some(Status::Elevated)).then(|| {
        Flag::new(
            FlagKind::DataSilence,
            "Feedback per occupied bed is far below similar services.",
            vec![fact("feedback volume", "elevated risk against peers")],
        )
    })
}

/// Complaints per bed significantly below peers: concerns may not be heard or recorded.
fn few_complaints(indicators: &[IndicatorResult]) -> Option<Flag> {
    let complaints = indicators.iter().find(|r| r.indicator == Indicator::Complaints)?;
    let comparison = complaints.comparison?;
    let value = complaints.value?;
    (comparison.z <= -crate::stats::Z_95).then(|| {
        Flag::new(
            FlagKind::FewComplaints,
            format!(
                "Unusually few complaints for the service's size: {value:.2} per bed-month against {:.2} for \
                 similar services.",
                comparison.theta0
            ),
            vec![
                fact("complaints per bed-month", format!("{value:.2}")),
                fact("similar services", format!("{:.2}", comparison.theta0)),
                fact("bed-months", complaints.n),
            ],
        )
    })
}

/// A complaint unanswered well past its deadline: a concern that went nowhere.
fn overdue_complaints(service: &Service, today: NaiveDate, policy: &MonitoringPolicy) -> Option<Flag> {
    let overdue = service.overdue_complaints?;
    let days = (today - overdue.oldest_due).num_days();
    (days > policy.complaint_overdue_days).then(|| {
        let count = match overdue.count {
            1 => "A complaint has".to_string(),
            n => format!("{n} complaints have"),
        };
        Flag::new(
            FlagKind::OverdueComplaints,
            format!("{count} not been answered by the deadline; the oldest was due {days} days ago."),
            vec![
                fact("complaints overdue", overdue.count),
                fact("oldest response due on", overdue.oldest_due),
                fact("days overdue", days),
            ],
        )
    })
}

/// People highly dependent on staff, cut off (silence or little feedback), a workforce
/// under strain, and restrictive practice rising: the closed-culture pattern.
fn closed_culture(
    service: &Service,
    month: Month,
    policy: &MonitoringPolicy,
    silent: bool,
    status: &dyn Fn(Indicator) -> Option<Status>,
) -> Option<Flag> {
    let at_risk = |indicator| status(indicator).is_some_and(|s| s >= Status::Risk);
    let isolated = silent || at_risk(Indicator::FeedbackVolume);
    let workforce: Vec<&str> =
        [Indicator::StaffTurnover, Indicator::AgencyShare, Indicator::Supervision, Indicator::Training]
            .into_iter()
            .filter(|&i| at_risk(i))
            .map(|i| i.info().name)
            .collect();
    if !(service.dependent && isolated && !workforce.is_empty()) {
        return None;
    }
    let (before, now) = restrictive_rise(service, month, policy)?;
    Some(Flag::new(
        FlagKind::ClosedCulture,
        "Warning signs of a closed culture: people who depend on staff, little or no feedback, a workforce \
         under strain and restrictive practice rising.",
        vec![
            fact("people highly dependent on staff", "yes"),
            fact("isolation", if silent { "no recent feedback" } else { "feedback far below peers" }),
            fact("workforce signs", workforce.join(", ")),
            fact("restrictive practice per bed-month, previous window", format!("{before:.2}")),
            fact("restrictive practice per bed-month, latest window", format!("{now:.2}")),
        ],
    ))
}

/// (previous, latest) restrictive events per bed-month when the latest window's rate
/// is above the previous one's; `None` when not rising or either window has no returns.
fn restrictive_rise(service: &Service, month: Month, policy: &MonitoringPolicy) -> Option<(f64, f64)> {
    let rate =
        |end: i32| measure(Indicator::RestrictivePractice, service, end, policy.window_months).map(|m| m.value());
    let end = index(month);
    let (before, now) = (rate(end - policy.window_months as i32)?, rate(end)?);
    (now > before).then_some((before, now))
}

fn days_ago(days: i64) -> String {
    match days {
        0 => "today".to_string(),
        1 => "yesterday".to_string(),
        n => format!("{n} days ago"),
    }
}
