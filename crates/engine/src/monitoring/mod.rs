//! Continuous monitoring (the monitoring notes): per service and month, each
//! indicator against the service's peers with its status, the rule-based warning
//! flags (closed-culture signs among them), and the watchlist that bands services
//! 1 (look first) to 6. Pure: the caller gathers the months, this computes.
//!
//! The same computation serves every scope: pass the services of a provider, an
//! authority or England, each with the key of the peer group it is compared with.

mod benchmark;
mod catalogue;
mod compare;
mod flags;
mod input;
mod watchlist;

pub use benchmark::{Benchmark, PeerFigure, TrendStep, benchmark};
pub use catalogue::{Bad, CATALOGUE, Indicator, IndicatorInfo, Measure, Source, Span, Statistic};

use catalogue::measure;
pub use compare::Comparison;
pub use flags::{Fact, Flag, FlagKind, Seriousness};
pub use input::{OverdueComplaints, PolicyReads, Service, ServiceMonth, VoiceMonth};
pub use watchlist::{BandPolicy, Reason, WatchEntry, watch_entry, watch_order, watchlist};

use std::borrow::Borrow;

use chrono::NaiveDate;
use serde::Serialize;

use candour_domain::returns::Month;
use candour_domain::voice::MIN_RESPONSES_SHOWN;

use crate::people::PeoplePolicy;
use crate::stats::{DispersionOptions, StatsError, Z_95, Z_998, ZCusum};

use compare::{Figure, snapshot};
pub(crate) use compare::{compare_group, peer_groups};
use input::index;
pub(crate) use input::index as month_index;

/// The smallest minimum n a policy may set (fair-comparison notes §7: configurable,
/// never below 3).
pub const MIN_N_FLOOR: u32 = 3;

/// The choices behind indicators, flags and bands; all stated with the results.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MonitoringPolicy {
    /// Months each indicator's figure is drawn from (turnover always uses twelve).
    pub window_months: u32,
    /// Months of history the CUSUM charts run over, in steps of one window.
    pub history_months: u32,
    /// Trim, minimum n (below it: not enough data) and the τ² rules of the comparisons.
    pub dispersion: DispersionOptions,
    /// The CUSUM allowance k and threshold h on adjusted z-scores. k = 0.5, h = 4 give an
    /// average of about 336 windows between false signals on the bad side when nothing
    /// changes (168 for indicators where both sides are bad), by simulation
    /// ([`crate::stats::in_control_run_length`]): with 3-month windows, one false signal
    /// per indicator and service in about 84 years.
    pub cusum_k: f64,
    pub cusum_h: f64,
    /// No people's feedback for this many months is data silence.
    pub silence_months: u32,
    /// This many manager changes within `manager_months` is a flag.
    pub manager_changes: u32,
    pub manager_months: u32,
    /// A severe safeguarding alert within this many days puts the service in band 1.
    pub alert_days: i64,
    /// A complaint left unanswered more than this many days after its response
    /// deadline is a flag: a concern that went nowhere.
    pub complaint_overdue_days: i64,
    pub bands: BandPolicy,
    /// The people's own rating, computed with monitoring from the same months.
    pub people: PeoplePolicy,
}

impl Default for MonitoringPolicy {
    fn default() -> Self {
        MonitoringPolicy {
            window_months: 3,
            history_months: 24,
            dispersion: DispersionOptions { min_n: MIN_RESPONSES_SHOWN, ..DispersionOptions::default() },
            cusum_k: 0.5,
            cusum_h: 4.0,
            silence_months: 3,
            manager_changes: 2,
            manager_months: 24,
            alert_days: 30,
            complaint_overdue_days: 10,
            bands: BandPolicy::default(),
            people: PeoplePolicy::default(),
        }
    }
}

impl MonitoringPolicy {
    pub fn validate(&self) -> Result<(), MonitoringError> {
        self.dispersion.validate()?;
        if self.dispersion.min_n < MIN_N_FLOOR {
            let expected = "at least 3: fewer could point to a person";
            return Err(StatsError { name: "the minimum n", expected, value: f64::from(self.dispersion.min_n) }.into());
        }
        ZCusum::new(self.cusum_k, self.cusum_h)?;
        let months = |name, value: u32, expected| {
            if value >= 1 { Ok(()) } else { Err(StatsError { name, expected, value: f64::from(value) }) }
        };
        months("the window", self.window_months, "at least 1 month")?;
        months("the silence period", self.silence_months, "at least 1 month")?;
        months("the manager changes that raise a flag", self.manager_changes, "at least 1")?;
        months("the manager period", self.manager_months, "at least 1 month")?;
        if self.history_months < self.window_months {
            let expected = "at least the window";
            return Err(StatsError { name: "the history", expected, value: f64::from(self.history_months) }.into());
        }
        if self.alert_days < 0 {
            let expected = "a number of days of at least 0";
            return Err(StatsError { name: "the alert period", expected, value: self.alert_days as f64 }.into());
        }
        if self.complaint_overdue_days < 0 {
            let expected = "a number of days of at least 0";
            let value = self.complaint_overdue_days as f64;
            return Err(StatsError { name: "the days a complaint may be overdue", expected, value }.into());
        }
        self.people.validate()?;
        self.bands.validate()
    }
}

/// Why monitoring could not run: a policy out of range, or input that cannot be right.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MonitoringError {
    #[error("{0}")]
    Policy(#[from] StatsError),
    #[error("{0}")]
    Bands(String),
    #[error("service {service}'s months are out of order or repeated at {month}: give each month once, in order")]
    MonthsOutOfOrder { service: String, month: Month },
}

/// An indicator's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Below the minimum n: no figure shown and no verdict, either way.
    NotEnoughData,
    NoEvidenceOfRisk,
    /// |z^D| ≥ 1.96 on the bad side, or a CUSUM signal on the bad side.
    Risk,
    /// |z^D| ≥ 3.09 on the bad side.
    Elevated,
}

impl Status {
    /// The verdict on an adjusted z-score, given which side is bad and whether the
    /// CUSUM chart on the bad side has just signalled.
    pub fn of(z: f64, bad: Bad, cusum_signal: bool) -> Status {
        let against = match bad {
            Bad::Low => -z,
            Bad::High => z,
            Bad::Both => z.abs(),
        };
        match against {
            a if a >= Z_998 => Status::Elevated,
            a if a >= Z_95 => Status::Risk,
            _ if cusum_signal => Status::Risk,
            _ => Status::NoEvidenceOfRisk,
        }
    }

    /// Whether it counts towards the watchlist score.
    pub fn has_data(self) -> bool {
        self != Status::NotEnoughData
    }
}

/// One indicator of one service for one month.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct IndicatorResult {
    pub indicator: Indicator,
    /// The months the figure is drawn from, ending with the month computed.
    pub window_months: u32,
    /// How much data is behind it (answers, bed-months, staff, incidents).
    pub n: u32,
    /// The figure; `None` below the minimum n, where nothing is shown.
    pub value: Option<f64>,
    pub comparison: Option<Comparison>,
    /// The CUSUM chart on the bad side signalled at this window.
    pub cusum_signal: bool,
    pub status: Status,
    /// The CUSUM charts as they stood before this window: a change to this window
    /// alone (a new response) continues them rather than running the history again.
    #[serde(skip)]
    #[schema(ignore)]
    pub chart_before: ZCusum,
}

/// Everything monitoring says about one service for one month.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ServiceIndicators {
    pub service_id: String,
    pub peer_group: String,
    pub month: Month,
    /// In catalogue order.
    pub indicators: Vec<IndicatorResult>,
    pub flags: Vec<Flag>,
}

impl ServiceIndicators {
    pub fn indicator(&self, indicator: Indicator) -> Option<&IndicatorResult> {
        self.indicators.iter().find(|r| r.indicator == indicator)
    }

    pub fn status(&self, indicator: Indicator) -> Status {
        self.indicator(indicator).map_or(Status::NotEnoughData, |r| r.status)
    }
}

/// Every service's indicators and flags for `month`, on `today` (for the age of alerts).
pub fn compute<S: Borrow<Service> + Sync>(
    services: &[S],
    month: Month,
    today: NaiveDate,
    policy: &MonitoringPolicy,
) -> Result<Vec<ServiceIndicators>, MonitoringError> {
    policy.validate()?;
    check_months(services)?;
    let all: Vec<(Indicator, Start)> = CATALOGUE.iter().map(|info| (info.indicator, Start::History)).collect();
    let columns = columns(services, all, index(month), policy)?;
    Ok(with_flags(services, month, today, policy, |i| columns.iter().map(|column| column[i]).collect()))
}

/// [`compute`] again, after the services at `changed` changed from how they were
/// (given beside each), with `previous` the results of `services` before. An
/// indicator none of whose measures changed keeps its results, since comparisons
/// and charts are drawn from the measures alone (a new response changes the people's
/// voice indicators, not the returns'). One whose latest window alone changed is
/// compared again at that window, its charts continued from where they stood
/// before it; only the others are compared again over the whole history.
pub fn recompute<S: Borrow<Service> + Sync>(
    services: &[S],
    previous: &[&ServiceIndicators],
    changed: &[(usize, &Service)],
    month: Month,
    today: NaiveDate,
    policy: &MonitoringPolicy,
) -> Result<Vec<ServiceIndicators>, MonitoringError> {
    policy.validate()?;
    check_months(services)?;
    let end = index(month);
    // Service by service, so that each one's months are read while in cache.
    let mut changes = vec![Change::None; CATALOGUE.len()];
    for &(at, before) in changed {
        let after = services[at].borrow();
        let Some(from) = first_change(before, after, end) else { continue };
        let service = Changed { before, after, from };
        for (change, info) in changes.iter_mut().zip(CATALOGUE).filter(|(change, _)| **change < Change::Earlier) {
            *change = (*change).max(service.change(info.indicator, end, policy));
        }
    }
    let stale: Vec<(Indicator, Start)> = CATALOGUE
        .iter()
        .zip(changes)
        .enumerate()
        .filter_map(|(k, (info, change))| match change {
            Change::None => None,
            Change::Latest => {
                let charts = previous.iter().map(|p| p.indicators[k].chart_before).collect();
                Some((info.indicator, Start::BeforeLatest(charts)))
            }
            Change::Earlier => Some((info.indicator, Start::History)),
        })
        .collect();
    let indicators: Vec<Indicator> = stale.iter().map(|&(indicator, _)| indicator).collect();
    let columns = columns(services, stale, end, policy)?;
    Ok(with_flags(services, month, today, policy, |i| {
        let kept = CATALOGUE.iter().zip(&previous[i].indicators);
        kept.map(|(info, &result)| match indicators.iter().position(|&s| s == info.indicator) {
            Some(k) => columns[k][i],
            None => result,
        })
        .collect()
    }))
}

/// Which of an indicator's windows a change to a service touched, least first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Change {
    None,
    Latest,
    Earlier,
}

/// A service as it was and as it is, measured alike before month `from` (an index).
struct Changed<'a> {
    before: &'a Service,
    after: &'a Service,
    from: i32,
}

impl Changed<'_> {
    /// Which of the indicator's windows changed; only those that reach `from` can have.
    fn change(&self, indicator: Indicator, end: i32, policy: &MonitoringPolicy) -> Change {
        let step = indicator.months(policy.window_months) as i32;
        let differs = |back| {
            window(indicator, self.before, end, back, policy) != window(indicator, self.after, end, back, policy)
        };
        let mut earlier = steps(indicator, policy).filter(|&back| back > 0 && end - back * step >= self.from);
        match earlier.any(differs) {
            true => Change::Earlier,
            false if differs(0) => Change::Latest,
            false => Change::None,
        }
    }
}

/// The first month (an index) whose figures differ between two versions of a
/// service; `end` when only its current state (policy reads) does; `None` when
/// nothing that is measured does.
pub(crate) fn first_change(before: &Service, after: &Service, end: i32) -> Option<i32> {
    let pairs = before.months.iter().zip(&after.months);
    let differing = pairs.filter(|(b, a)| b != a).map(|(b, a)| index(b.month.min(a.month))).next();
    // The first month one of them holds beyond the other's last.
    let extra = before.months.get(after.months.len()).or_else(|| after.months.get(before.months.len()));
    let added = extra.map(|m| index(m.month));
    let current = (before.policy_reads != after.policy_reads).then_some(end);
    [differing, added, current].into_iter().flatten().min()
}

/// Where an indicator's CUSUM charts start, one per service.
enum Start {
    /// Afresh, at the first window of the history.
    History,
    /// At the latest window, continuing the charts as they stood before it.
    BeforeLatest(Vec<ZCusum>),
}

impl Start {
    /// How many windows back each step measured ends, oldest first.
    fn steps(&self, indicator: Indicator, policy: &MonitoringPolicy) -> std::iter::Rev<std::ops::Range<i32>> {
        match self {
            Start::History => steps(indicator, policy),
            Start::BeforeLatest(_) => (0..1).rev(),
        }
    }
}

/// Each service's results with its flags, given its indicators (in catalogue order).
fn with_flags<S: Borrow<Service>>(
    services: &[S],
    month: Month,
    today: NaiveDate,
    policy: &MonitoringPolicy,
    mut indicators_of: impl FnMut(usize) -> Vec<IndicatorResult>,
) -> Vec<ServiceIndicators> {
    let results = services.iter().map(Borrow::borrow).enumerate().map(|(i, service): (usize, &Service)| {
        let indicators = indicators_of(i);
        let flags = flags::flags(service, &indicators, month, today, policy);
        ServiceIndicators {
            service_id: service.id.clone(),
            peer_group: service.peer_group.clone(),
            month,
            indicators,
            flags,
        }
    });
    results.collect()
}

fn check_months<S: Borrow<Service>>(services: &[S]) -> Result<(), MonitoringError> {
    for service in services.iter().map(Borrow::borrow) {
        if let Some(pair) = service.months.windows(2).find(|pair| pair[0].month >= pair[1].month) {
            return Err(MonitoringError::MonthsOutOfOrder { service: service.id.clone(), month: pair[1].month });
        }
    }
    Ok(())
}

/// The columns of `indicators`, in that order. The measures are taken service by
/// service (each service's months read once, while in cache), then compared
/// indicator by indicator; both halves are shared between two threads.
fn columns<S: Borrow<Service> + Sync>(
    services: &[S],
    indicators: Vec<(Indicator, Start)>,
    end: i32,
    policy: &MonitoringPolicy,
) -> Result<Vec<Vec<IndicatorResult>>, MonitoringError> {
    let groups = peer_groups(services);
    let (left, right) = services.split_at(services.len() / 2);
    let (mut measures, right) = std::thread::scope(|scope| {
        let other = scope.spawn(|| measures(right, &indicators, end, policy));
        (measures(left, &indicators, end, policy), other.join().expect("measuring does not panic"))
    });
    for (mine, theirs) in measures.iter_mut().flatten().zip(right.into_iter().flatten()) {
        mine.extend(theirs);
    }
    let column = |((indicator, start), measures): ((Indicator, Start), Vec<Vec<Option<Measure>>>)| {
        let charts = match start {
            Start::History => vec![ZCusum::new(policy.cusum_k, policy.cusum_h)?; services.len()],
            Start::BeforeLatest(charts) => charts,
        };
        indicator_column(&measures, charts, &groups, indicator, policy)
    };
    let mut all: Vec<_> = indicators.into_iter().zip(measures).collect();
    let second = all.split_off(all.len() / 2);
    let (first, second) = std::thread::scope(|scope| {
        let other = scope.spawn(|| second.into_iter().map(column).collect::<Result<Vec<_>, _>>());
        let mine = all.into_iter().map(column).collect::<Result<Vec<_>, _>>();
        (mine, other.join().expect("an indicator column does not panic"))
    });
    let mut columns = first?;
    columns.extend(second?);
    Ok(columns)
}

/// `measures[indicator][step][service]`: each indicator's window ending `step` windows
/// before `end` (non-overlapping windows, oldest first, the last ending with `end`),
/// over the windows its charts start from.
fn measures<S: Borrow<Service>>(
    services: &[S],
    indicators: &[(Indicator, Start)],
    end: i32,
    policy: &MonitoringPolicy,
) -> Vec<Vec<Vec<Option<Measure>>>> {
    let mut measures: Vec<Vec<Vec<Option<Measure>>>> = indicators
        .iter()
        .map(|(indicator, start)| vec![Vec::with_capacity(services.len()); start.steps(*indicator, policy).len()])
        .collect();
    for service in services.iter().map(Borrow::borrow) {
        for ((indicator, start), columns) in indicators.iter().zip(&mut measures) {
            let windows = start.steps(*indicator, policy).map(|back| window(*indicator, service, end, back, policy));
            for (column, measure) in columns.iter_mut().zip(windows) {
                column.push(measure);
            }
        }
    }
    measures
}

/// The measure of the window ending `back` windows before `end`.
fn window(indicator: Indicator, service: &Service, end: i32, back: i32, policy: &MonitoringPolicy) -> Option<Measure> {
    let step = indicator.months(policy.window_months) as i32;
    measure(indicator, service, end - back * step, policy.window_months)
}

/// How many windows back each CUSUM step ends, oldest first: the history in whole windows.
fn steps(indicator: Indicator, policy: &MonitoringPolicy) -> std::iter::Rev<std::ops::Range<i32>> {
    let step = indicator.months(policy.window_months);
    (0..(policy.history_months / step).max(1) as i32).rev()
}

/// One indicator for every service: each window's measures (oldest first, the last
/// the latest) compared with the peers and added to the CUSUM charts `charts`; the
/// latest window's comparison is the result.
fn indicator_column(
    measures: &[Vec<Option<Measure>>],
    mut charts: Vec<ZCusum>,
    groups: &[Vec<usize>],
    indicator: Indicator,
    policy: &MonitoringPolicy,
) -> Result<Vec<IndicatorResult>, MonitoringError> {
    let bad = indicator.info().bad;
    let add = |step: &[Option<Measure>], charts: &mut [ZCusum]| -> Result<_, MonitoringError> {
        let figures = snapshot(step, groups, indicator, policy.dispersion)?;
        let signals: Vec<bool> = charts
            .iter_mut()
            .zip(&figures)
            .map(|(chart, figure)| figure.comparison.is_some_and(|c| bad_side(chart.step(c.z), bad)))
            .collect();
        Ok((figures, signals))
    };
    let Some((latest, earlier)) = measures.split_last() else { return Ok(Vec::new()) };
    for step in earlier {
        add(step, &mut charts)?;
    }
    let before = charts.clone();
    let (figures, signals) = add(latest, &mut charts)?;
    let window = indicator.months(policy.window_months);
    let results = figures
        .iter()
        .zip(signals)
        .zip(before)
        .map(|((figure, signal), chart_before)| result(indicator, figure, signal, chart_before, window, policy));
    Ok(results.collect())
}

fn bad_side(signal: crate::stats::ZSignal, bad: Bad) -> bool {
    match bad {
        Bad::Low => signal.down,
        Bad::High => signal.up,
        Bad::Both => signal.up || signal.down,
    }
}

fn result(
    indicator: Indicator,
    figure: &Figure,
    cusum_signal: bool,
    chart_before: ZCusum,
    window_months: u32,
    policy: &MonitoringPolicy,
) -> IndicatorResult {
    let n = figure.measure.map_or(0, |m| m.n());
    let enough = n >= policy.dispersion.min_n.max(1);
    let comparison = figure.comparison.filter(|_| enough);
    let status = comparison.map_or(Status::NotEnoughData, |c| Status::of(c.z, indicator.info().bad, cusum_signal));
    IndicatorResult {
        indicator,
        window_months,
        n,
        value: figure.measure.filter(|_| enough).map(|m| m.value()),
        comparison,
        cusum_signal: cusum_signal && comparison.is_some(),
        status,
        chart_before,
    }
}

#[cfg(test)]
mod tests;
