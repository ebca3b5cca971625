//! The indicator catalogue as data: what each indicator is, where it comes from,
//! which way is bad and how it is measured from a window of months.

use serde::Serialize;

use candour_domain::returns::MonthlyReturn;

use super::input::{Service, ServiceMonth, index};

/// Every indicator the watchlist counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Indicator {
    PositiveOverall,
    OutcomeScore,
    FeedbackVolume,
    CriticalStories,
    StaffSpeakUp,
    StaffSufficiency,
    PartnerConcerns,
    StaffTurnover,
    AgencyShare,
    Supervision,
    Training,
    RestrictivePractice,
    Incidents,
    NotificationsPerIncident,
    SafeguardingReferrals,
    Complaints,
    ComplaintsUpheld,
    ComplaintsOnTime,
    VacancyRate,
    PolicyReadRate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    PeoplesVoice,
    StaffVoice,
    PartnersVoice,
    Returns,
    /// What the provider keeps in Candour itself: its policy cascade.
    ProviderRecords,
}

/// Which side of the peers is a warning sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Bad {
    Low,
    High,
    /// Both: too many is a concern, and unusually few suggests under-reporting.
    Both,
}

/// How the indicator is compared with its peers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Statistic {
    /// x of n: funnel z in the normal form, over-dispersion allowed for.
    Proportion,
    /// Events per unit of exposure, compared as a Poisson rate: s = √(θ0/exposure).
    Rate,
    /// A mean of person-level values: s = σ/√n, σ the peers' pooled standard deviation.
    Mean,
}

/// Which months an indicator's figure is drawn from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Span {
    /// The policy's window (3 months by default).
    Window,
    /// Twelve months, as turnover is defined.
    Year,
    /// The latest return in the policy's window: completion is a state, not a count.
    LatestReturn,
    /// The state now: one figure for the current month, no history.
    Current,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct IndicatorInfo {
    pub indicator: Indicator,
    pub code: &'static str,
    pub name: &'static str,
    pub source: Source,
    pub bad: Bad,
    pub unit: &'static str,
    pub statistic: Statistic,
    pub span: Span,
}

const fn info(
    indicator: Indicator,
    code: &'static str,
    name: &'static str,
    (source, bad, statistic, span): (Source, Bad, Statistic, Span),
    unit: &'static str,
) -> IndicatorInfo {
    IndicatorInfo { indicator, code, name, source, bad, unit, statistic, span }
}

use Bad::{Both, High, Low};
use Source::{PartnersVoice, PeoplesVoice, ProviderRecords, Returns, StaffVoice};
use Span::{Current, LatestReturn, Window, Year};
use Statistic::{Mean, Proportion, Rate};

/// The catalogue, in the order indicators are shown.
pub const CATALOGUE: [IndicatorInfo; 20] = [
    info(
        Indicator::PositiveOverall,
        "positive_overall",
        "Positive overall experience",
        (PeoplesVoice, Low, Proportion, Window),
        "% of answers",
    ),
    info(
        Indicator::OutcomeScore,
        "outcome_score",
        "Mean outcome score",
        (PeoplesVoice, Low, Mean, Window),
        "0–3 score",
    ),
    info(
        Indicator::FeedbackVolume,
        "feedback_volume",
        "Feedback received per occupied bed",
        (PeoplesVoice, Low, Rate, Window),
        "responses per bed-month",
    ),
    info(
        Indicator::CriticalStories,
        "critical_stories",
        "Share of critical stories",
        (PeoplesVoice, High, Proportion, Window),
        "% of stories",
    ),
    info(
        Indicator::StaffSpeakUp,
        "staff_speak_up",
        "Staff speak-up score",
        (StaffVoice, Low, Mean, Window),
        "0–3 score",
    ),
    info(
        Indicator::StaffSufficiency,
        "staff_sufficiency",
        "Staff say there are enough staff",
        (StaffVoice, Low, Mean, Window),
        "0–3 score",
    ),
    info(
        Indicator::PartnerConcerns,
        "partner_concerns",
        "Concerns from partners",
        (PartnersVoice, High, Proportion, Window),
        "% of partners rating it poor or very poor",
    ),
    info(
        Indicator::StaffTurnover,
        "staff_turnover",
        "Staff turnover",
        (Returns, High, Rate, Year),
        "leavers per staff member a year",
    ),
    info(
        Indicator::AgencyShare,
        "agency_share",
        "Agency share of hours",
        (Returns, High, Proportion, Window),
        "% of hours",
    ),
    info(
        Indicator::Supervision,
        "supervision",
        "Supervision up to date",
        (Returns, Low, Proportion, LatestReturn),
        "% of staff",
    ),
    info(
        Indicator::Training,
        "training",
        "Mandatory training up to date",
        (Returns, Low, Proportion, LatestReturn),
        "% of staff",
    ),
    info(
        Indicator::RestrictivePractice,
        "restrictive_practice",
        "Restrictive practice (restraint, seclusion, segregation)",
        (Returns, High, Rate, Window),
        "events per bed-month",
    ),
    info(Indicator::Incidents, "incidents", "Incidents recorded", (Returns, Both, Rate, Window), "per bed-month"),
    info(
        Indicator::NotificationsPerIncident,
        "notifications_per_incident",
        "Statutory notifications per incident",
        (Returns, Low, Rate, Window),
        "notifications per incident",
    ),
    info(
        Indicator::SafeguardingReferrals,
        "safeguarding_referrals",
        "Safeguarding referrals made",
        (Returns, Both, Rate, Window),
        "per bed-month",
    ),
    info(Indicator::Complaints, "complaints", "Complaints received", (Returns, Both, Rate, Window), "per bed-month"),
    info(
        Indicator::ComplaintsUpheld,
        "complaints_upheld",
        "Complaints upheld",
        (Returns, High, Proportion, Window),
        "% of complaints",
    ),
    info(
        Indicator::ComplaintsOnTime,
        "complaints_on_time",
        "Complaints answered on time",
        (Returns, Low, Proportion, Window),
        "% of complaints",
    ),
    info(Indicator::VacancyRate, "vacancy_rate", "Staff vacancies", (Returns, High, Proportion, Window), "% of posts"),
    info(
        Indicator::PolicyReadRate,
        "policy_read_rate",
        "Policies read by staff",
        (ProviderRecords, Low, Proportion, Current),
        "% of confirmations due",
    ),
];

impl Indicator {
    /// Its entry: the catalogue lists the indicators in their declared order (tested).
    pub fn info(self) -> &'static IndicatorInfo {
        &CATALOGUE[self as usize]
    }

    /// The months its figure is drawn from, for a policy window of `window` months.
    pub fn months(self, window: u32) -> u32 {
        match self.info().span {
            Span::Year => 12,
            Span::Current => 1,
            Span::Window | Span::LatestReturn => window,
        }
    }
}

/// One service's raw figure for one indicator over one window.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(tag = "statistic", rename_all = "snake_case")]
pub enum Measure {
    Proportion { x: u32, n: u32 },
    Rate { events: f64, exposure: f64 },
    Mean { n: u32, sum: f64, sum_sq: f64 },
}

impl Measure {
    /// The figure itself: a fraction, a rate or a mean.
    pub fn value(&self) -> f64 {
        match *self {
            Measure::Proportion { x, n } => ratio(f64::from(x), f64::from(n)),
            Measure::Rate { events, exposure } => ratio(events, exposure),
            Measure::Mean { n, sum, .. } => ratio(sum, f64::from(n)),
        }
    }

    /// How much data is behind it: answers, people, bed-months, staff or incidents.
    pub fn n(&self) -> u32 {
        match *self {
            Measure::Proportion { n, .. } | Measure::Mean { n, .. } => n,
            Measure::Rate { exposure, .. } => exposure.floor().min(f64::from(u32::MAX)) as u32,
        }
    }
}

fn ratio(top: f64, bottom: f64) -> f64 {
    if bottom > 0.0 { top / bottom } else { 0.0 }
}

/// The indicator's measure for the service over the months ending with `end` (a month
/// index); `None` when there is nothing to measure (no answers, no return, no beds).
pub(crate) fn measure(indicator: Indicator, service: &Service, end: i32, window: u32) -> Option<Measure> {
    let months = service.window(end, indicator.months(window));
    let sum = |f: fn(&ServiceMonth) -> u32| months.iter().map(|m| u64::from(f(m))).sum::<u64>();
    let measure = match indicator {
        Indicator::PositiveOverall => proportion(sum(|m| m.voice.positive), sum(|m| m.voice.rated)),
        Indicator::CriticalStories => proportion(sum(|m| m.voice.critical_stories), sum(|m| m.voice.stories)),
        Indicator::OutcomeScore => mean(months, |m| (m.voice.outcome_n, m.voice.outcome_sum, m.voice.outcome_sum_sq)),
        Indicator::StaffSpeakUp => {
            mean(months, |m| (m.voice.speak_up_n, m.voice.speak_up_sum, m.voice.speak_up_sum_sq))
        }
        Indicator::StaffSufficiency => {
            mean(months, |m| (m.voice.enough_staff_n, m.voice.enough_staff_sum, m.voice.enough_staff_sum_sq))
        }
        Indicator::PartnerConcerns => proportion(sum(|m| m.voice.partner_concerns), sum(|m| m.voice.partner_responses)),
        Indicator::FeedbackVolume => per_bed(service, end, window, sum(|m| m.voice.responses) as f64),
        Indicator::StaffTurnover => turnover(service, end),
        Indicator::AgencyShare => {
            let hours =
                |f: fn(&MonthlyReturn) -> u32| service.returns(end, window).map(|r| u64::from(f(r))).sum::<u64>();
            proportion(hours(|r| r.agency_hours), hours(|r| r.hours_worked))
        }
        Indicator::Supervision => completion(service, end, window, |r| r.supervision_pct),
        Indicator::Training => completion(service, end, window, |r| r.training_pct),
        Indicator::RestrictivePractice => {
            returned_per_bed(service, end, window, |r| r.restraint + r.seclusion + r.segregation)
        }
        Indicator::Incidents => returned_per_bed(service, end, window, |r| r.incidents),
        Indicator::SafeguardingReferrals => returned_per_bed(service, end, window, |r| r.safeguarding_referrals),
        Indicator::Complaints => returned_per_bed(service, end, window, |r| r.complaints_received),
        Indicator::ComplaintsUpheld => {
            returned_share(service, end, window, |r| (r.complaints_upheld, r.complaints_received))
        }
        Indicator::ComplaintsOnTime => {
            returned_share(service, end, window, |r| (r.complaints_on_time, r.complaints_received))
        }
        // Posts unfilled of all posts (filled and vacant), month by month.
        Indicator::VacancyRate => returned_share(service, end, window, |r| (r.vacancies, r.headcount + r.vacancies)),
        Indicator::PolicyReadRate => {
            let reads = service.policy_reads.filter(|r| index(r.month) == end)?;
            proportion(u64::from(reads.confirmed), u64::from(reads.expected))
        }
        Indicator::NotificationsPerIncident => {
            let (incidents, notifications) = service
                .returns(end, window)
                .fold((0.0, 0.0), |(i, n), r| (i + f64::from(r.incidents), n + f64::from(r.notifications)));
            Some(Measure::Rate { events: notifications, exposure: incidents })
        }
    }?;
    (measure.n() > 0).then_some(measure)
}

fn proportion(x: u64, n: u64) -> Option<Measure> {
    let clip = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
    Some(Measure::Proportion { x: clip(x.min(n)), n: clip(n) })
}

fn mean(months: &[ServiceMonth], f: fn(&ServiceMonth) -> (u32, f64, f64)) -> Option<Measure> {
    let (n, sum, sum_sq) =
        months.iter().map(f).fold((0u32, 0.0, 0.0), |(n, s, q), (mn, ms, mq)| (n.saturating_add(mn), s + ms, q + mq));
    Some(Measure::Mean { n, sum, sum_sq })
}

/// Occupied beds (or people supported) summed over the returns of the window.
fn bed_months(service: &Service, end: i32, window: u32) -> f64 {
    service.returns(end, window).map(|r| f64::from(r.people_supported)).sum()
}

fn per_bed(service: &Service, end: i32, window: u32, events: f64) -> Option<Measure> {
    Some(Measure::Rate { events, exposure: bed_months(service, end, window) })
}

fn returned_per_bed(service: &Service, end: i32, window: u32, f: fn(&MonthlyReturn) -> u32) -> Option<Measure> {
    let events: f64 = service.returns(end, window).map(|r| f64::from(f(r))).sum();
    per_bed(service, end, window, events)
}

/// x of n summed over the returns of the window.
fn returned_share(service: &Service, end: i32, window: u32, f: fn(&MonthlyReturn) -> (u32, u32)) -> Option<Measure> {
    let (x, n) = service
        .returns(end, window)
        .map(f)
        .fold((0u64, 0u64), |(sx, sn), (x, n)| (sx + u64::from(x), sn + u64::from(n)));
    proportion(x, n)
}

/// Leavers per staff-year: 12-month leavers over average headcount when all twelve
/// returns are in; with fewer, the exposure is the staff-years they cover.
fn turnover(service: &Service, end: i32) -> Option<Measure> {
    let (leavers, staff_months) =
        service.returns(end, 12).fold((0.0, 0.0), |(l, h), r| (l + f64::from(r.leavers), h + f64::from(r.headcount)));
    Some(Measure::Rate { events: leavers, exposure: staff_months / 12.0 })
}

/// The latest return's completion, as staff up to date of headcount.
fn completion(service: &Service, end: i32, window: u32, pct: fn(&MonthlyReturn) -> u8) -> Option<Measure> {
    let latest = service.returns(end, window).next_back()?;
    let done = (f64::from(pct(latest)) * f64::from(latest.headcount) / 100.0).round() as u64;
    proportion(done, u64::from(latest.headcount))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_lists_every_indicator_once_with_a_unique_code() {
        for (i, info) in CATALOGUE.iter().enumerate() {
            assert_eq!(info.indicator.info(), info);
            assert!(CATALOGUE[i + 1..].iter().all(|other| other.code != info.code), "{}", info.code);
        }
        assert_eq!(Indicator::Complaints.info().bad, Bad::Both);
        assert_eq!(Indicator::StaffTurnover.months(3), 12);
        assert_eq!(Indicator::Incidents.months(3), 3);
        assert_eq!(Indicator::PolicyReadRate.months(3), 1);
    }

    #[test]
    fn values_and_sizes() {
        assert_eq!(Measure::Proportion { x: 3, n: 4 }.value(), 0.75);
        assert_eq!(Measure::Rate { events: 3.0, exposure: 7.5 }.n(), 7);
        assert_eq!(Measure::Mean { n: 0, sum: 0.0, sum_sq: 0.0 }.value(), 0.0);
    }
}
