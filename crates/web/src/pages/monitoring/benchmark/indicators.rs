//! One indicator of the benchmark page: the service's figure against its peers in
//! words, the funnel plot (for the indicator chosen), the trend with its CUSUM
//! chart, and the same numbers as tables. Below the minimum n nothing of the
//! service's own is shown: no figure, no dot, no verdict.

use candour_domain::returns::Month;
use candour_engine::monitoring::{
    Bad, Benchmark, Comparison, Indicator, IndicatorInfo, MonitoringPolicy, PeerFigure, Source, Span, Statistic,
    Status, TrendStep,
};

use crate::charts::{Funnel, FunnelPoint, LimitPoint, Scale, Trend, TrendPoint, funnel_svg, trend_svg};
use crate::views::thousands;

/// What a cell says when the group has no figure, and when the service's is not compared.
const NO_DATA: &str = "No data";
const NOT_COMPARED: &str = "Not compared";

/// An indicator's status as a labelled tag; the words carry the meaning.
#[derive(Debug, Clone, Copy)]
pub struct StatusTag {
    pub label: &'static str,
    pub modifier: &'static str,
}

impl StatusTag {
    pub fn of(status: Status) -> Self {
        let (label, modifier) = match status {
            Status::NotEnoughData => ("Not enough data", "no-data"),
            Status::NoEvidenceOfRisk => ("No evidence of risk", "no-risk"),
            Status::Risk => ("Risk", "risk"),
            Status::Elevated => ("Elevated risk", "elevated"),
        };
        StatusTag { label, modifier }
    }
}

pub struct IndicatorView {
    pub code: &'static str,
    pub name: &'static str,
    pub source: String,
    pub unit: &'static str,
    /// Which side of the peers is a warning sign, in words.
    pub bad_side: &'static str,
    pub status: StatusTag,
    /// The service's figure, or "Not enough data".
    pub value: String,
    pub n: String,
    pub window: String,
    pub theta0: String,
    pub z: String,
    /// The latest window in one sentence.
    pub summary: String,
    /// Drawn for the indicator chosen only.
    pub funnel: Option<FunnelView>,
    /// This page with this indicator's funnel drawn.
    pub funnel_href: String,
    pub trend_id: String,
    pub trend_svg: String,
    pub steps: Vec<StepRow>,
    /// The audit: how it is compared, θ0 and τ² unrounded enough to recompute, and how many services count.
    pub statistic: &'static str,
    pub theta0_exact: String,
    pub tau2: String,
    pub services_used: String,
}

pub struct FunnelView {
    pub id: String,
    pub svg: String,
    /// (what, figure): θ0, the service and the limits at its n.
    pub figures: Vec<(String, String)>,
    /// (where against the limits, how many similar services).
    pub positions: Vec<(&'static str, String)>,
}

/// One window of the trend, as text.
pub struct StepRow {
    pub months: String,
    pub n: String,
    pub value: String,
    pub peers: String,
    pub z: String,
    pub cusum: String,
    pub signal: &'static str,
    pub status: StatusTag,
}

pub fn view(bench: &Benchmark, policy: &MonitoringPolicy, with_funnel: bool, funnel_href: String) -> IndicatorView {
    let info = bench.indicator.info();
    let figures = Figures::of(info, policy);
    let latest = bench.latest();
    let comparison = latest.and_then(|s| s.comparison);
    // θ0 and τ² belong to the group: the peers carry them when the service has too little data.
    let group = comparison.or_else(|| bench.peers.first().map(|p| p.comparison));
    let window = latest.map_or(String::new(), |s| window_label(s.end, bench.window_months));
    let used = bench.peers.len() + usize::from(comparison.is_some());
    IndicatorView {
        code: info.code,
        name: info.name,
        source: source_name(info.source).to_string(),
        unit: info.unit,
        bad_side: bad_side(info.bad),
        status: StatusTag::of(latest.map_or(Status::NotEnoughData, |s| s.status)),
        value: figures.value(latest.and_then(|s| s.value)),
        n: figures.n(latest.map_or(0, |s| s.n)),
        window: match info.span {
            Span::LatestReturn => format!("{window} (latest return)"),
            Span::Current => format!("{window} (as it stands)"),
            _ => window.clone(),
        },
        theta0: group.map_or(NO_DATA.to_string(), |c| figures.figure(c.theta0)),
        z: comparison.map_or(NOT_COMPARED.to_string(), |c| signed(c.z)),
        summary: summary(info, &figures, latest, group, &window),
        funnel: with_funnel.then(|| funnel(info, &figures, bench)),
        funnel_href,
        trend_id: format!("trend-{}", info.code),
        trend_svg: trend(info, &figures, bench, policy),
        steps: bench.trend.iter().rev().map(|step| step_row(&figures, step, bench.window_months)).collect(),
        statistic: statistic_words(info.statistic),
        theta0_exact: group.map_or(NO_DATA.to_string(), |c| significant(c.theta0, 4)),
        tau2: group.map_or(NO_DATA.to_string(), |c| significant(c.tau2, 3)),
        services_used: thousands(used as u64),
    }
}

/// How an indicator's figures and amounts of data are written.
struct Figures {
    scale: Scale,
    n_units: (&'static str, &'static str),
    min_n: u32,
}

impl Figures {
    fn of(info: &IndicatorInfo, policy: &MonitoringPolicy) -> Figures {
        let scale = match info.statistic {
            Statistic::Proportion => Scale::Percent,
            Statistic::Rate | Statistic::Mean => Scale::Number { decimals: 2 },
        };
        Figures { scale, n_units: n_units(info.indicator), min_n: policy.dispersion.min_n.max(1) }
    }

    fn figure(&self, value: f64) -> String {
        self.scale.format(value)
    }

    fn value(&self, value: Option<f64>) -> String {
        value.map_or("Not enough data".to_string(), |v| self.figure(v))
    }

    /// How much data, never exact below the minimum n (a handful of answers can point to people).
    fn n(&self, n: u32) -> String {
        let (one, many) = self.n_units;
        match n {
            0 => format!("No {many}"),
            n if n < self.min_n => format!("Fewer than {} {many}", self.min_n),
            1 => format!("1 {one}"),
            n => format!("{} {many}", thousands(u64::from(n))),
        }
    }
}

/// What n counts, singular and plural.
fn n_units(indicator: Indicator) -> (&'static str, &'static str) {
    match indicator {
        Indicator::PositiveOverall | Indicator::OutcomeScore => ("answer", "answers"),
        Indicator::CriticalStories => ("story", "stories"),
        Indicator::StaffSpeakUp | Indicator::StaffSufficiency => ("staff answer", "staff answers"),
        Indicator::PartnerConcerns => ("partner's answer", "partners' answers"),
        Indicator::StaffTurnover => ("staff-year", "staff-years"),
        Indicator::AgencyShare => ("hour", "hours"),
        Indicator::Supervision | Indicator::Training => ("staff member", "staff"),
        Indicator::NotificationsPerIncident => ("incident", "incidents"),
        Indicator::ComplaintsUpheld | Indicator::ComplaintsOnTime => ("complaint", "complaints"),
        Indicator::VacancyRate => ("post-month", "post-months"),
        Indicator::PolicyReadRate => ("confirmation due", "confirmations due"),
        Indicator::FeedbackVolume
        | Indicator::RestrictivePractice
        | Indicator::Incidents
        | Indicator::SafeguardingReferrals
        | Indicator::Complaints => ("bed-month", "bed-months"),
    }
}

fn source_name(source: Source) -> &'static str {
    match source {
        Source::PeoplesVoice => "People's voice",
        Source::StaffVoice => "Staff voice",
        Source::PartnersVoice => "Partners' voice",
        Source::Returns => "Provider returns",
        Source::ProviderRecords => "The provider's records in Candour",
    }
}

fn bad_side(bad: Bad) -> &'static str {
    match bad {
        Bad::Low => "A warning sign when low",
        Bad::High => "A warning sign when high",
        Bad::Both => "A warning sign when high, or unusually low (under-reporting)",
    }
}

fn statistic_words(statistic: Statistic) -> &'static str {
    match statistic {
        Statistic::Proportion => "Proportion (x of n)",
        Statistic::Rate => "Rate (events per exposure)",
        Statistic::Mean => "Mean of answers",
    }
}

fn summary(
    info: &IndicatorInfo,
    figures: &Figures,
    latest: Option<&TrendStep>,
    group: Option<Comparison>,
    window: &str,
) -> String {
    let peers = group.map(|c| format!(" Similar services: {}.", figures.figure(c.theta0))).unwrap_or_default();
    match latest.and_then(|s| Some((s, s.value?, s.comparison?))) {
        Some((step, value, c)) => format!(
            "{window}: this service {} ({}) from {}.{peers} Adjusted z {}{}.",
            figures.figure(value),
            info.unit,
            figures.n(step.n),
            signed(c.z),
            if step.signal { "; the CUSUM chart signalled in this window" } else { "" }
        ),
        None => {
            let n = figures.n(latest.map_or(0, |s| s.n));
            format!(
                "Not enough data in {window}: {} (at least {} are needed), so no figure is shown and nothing is \
                 compared.{peers}",
                n.to_lowercase(),
                figures.min_n
            )
        }
    }
}

fn funnel(info: &IndicatorInfo, figures: &Figures, bench: &Benchmark) -> FunnelView {
    let id = format!("funnel-{}", info.code);
    let own = bench.latest().and_then(|s| Some((s.n, s.value?, s.comparison?)));
    let at = |n: u32, c: &Comparison| LimitPoint {
        n: f64::from(n),
        lo95: c.lo95,
        hi95: c.hi95,
        lo998: c.lo998,
        hi998: c.hi998,
    };
    let limits: Vec<LimitPoint> =
        bench.peers.iter().map(|p| at(p.n, &p.comparison)).chain(own.map(|(n, _, c)| at(n, &c))).collect();
    let peers: Vec<FunnelPoint> =
        bench.peers.iter().map(|p| FunnelPoint { n: f64::from(p.n), value: p.value }).collect();
    let theta0 = own.map(|(_, _, c)| c).or_else(|| bench.peers.first().map(|p| p.comparison)).map(|c| c.theta0);
    let title = format!("{}: this service among similar services", info.name);
    let y_label = format!("{} ({})", info.name, info.unit);
    let svg = funnel_svg(&Funnel {
        id: &id,
        title: &title,
        y_label: &y_label,
        n_unit: figures.n_units.1,
        scale: figures.scale,
        theta0: theta0.unwrap_or(f64::NAN),
        limits: &limits,
        peers: &peers,
        service: own.map(|(n, value, _)| FunnelPoint { n: f64::from(n), value }),
    });
    let mut facts =
        vec![("Similar services overall (θ0)".to_string(), theta0.map_or(NO_DATA.to_string(), |t| figures.figure(t)))];
    match own {
        Some((n, value, c)) => facts.extend([
            ("This service".to_string(), format!("{} from {}", figures.figure(value), figures.n(n))),
            ("95% limits at its n".to_string(), range(figures, c.lo95, c.hi95)),
            ("99.8% limits at its n".to_string(), range(figures, c.lo998, c.hi998)),
            ("Adjusted z".to_string(), signed(c.z)),
        ]),
        None => facts.push(("This service".to_string(), "Not enough data".to_string())),
    }
    FunnelView { id, svg, figures: facts, positions: positions(&bench.peers) }
}

fn range(figures: &Figures, lo: f64, hi: f64) -> String {
    format!("{} to {}", figures.figure(lo), figures.figure(hi))
}

/// How many peers lie where against the limits at their own n: the funnel's dots, counted.
fn positions(peers: &[PeerFigure]) -> Vec<(&'static str, String)> {
    let count = |test: fn(f64, &Comparison) -> bool| {
        thousands(peers.iter().filter(|p| test(p.value, &p.comparison)).count() as u64)
    };
    vec![
        ("Above the 99.8% limit", count(|v, c| v > c.hi998)),
        ("Between the 95% and 99.8% limits, above", count(|v, c| v > c.hi95 && v <= c.hi998)),
        ("Within the 95% limits", count(|v, c| v >= c.lo95 && v <= c.hi95)),
        ("Between the 95% and 99.8% limits, below", count(|v, c| v < c.lo95 && v >= c.lo998)),
        ("Below the 99.8% limit", count(|v, c| v < c.lo998)),
        ("Similar services with enough data", thousands(peers.len() as u64)),
    ]
}

fn trend(info: &IndicatorInfo, figures: &Figures, bench: &Benchmark, policy: &MonitoringPolicy) -> String {
    let points: Vec<TrendPoint> = bench
        .trend
        .iter()
        .map(|step| TrendPoint {
            label: window_label(step.end, bench.window_months),
            value: step.value,
            peers: step.comparison.map(|c| c.theta0),
            cusum: step.comparison.map(|_| step.cusum),
            signal: step.signal,
        })
        .collect();
    let id = format!("trend-{}", info.code);
    let title = format!("{} over time", info.name);
    let y_label = format!("{} ({})", info.name, info.unit);
    trend_svg(&Trend {
        id: &id,
        title: &title,
        y_label: &y_label,
        scale: figures.scale,
        threshold: policy.cusum_h,
        points: &points,
    })
}

fn step_row(figures: &Figures, step: &TrendStep, window_months: u32) -> StepRow {
    let none = || NOT_COMPARED.to_string();
    StepRow {
        months: window_label(step.end, window_months),
        n: figures.n(step.n),
        value: figures.value(step.value),
        peers: step.comparison.map_or_else(none, |c| figures.figure(c.theta0)),
        z: step.comparison.map_or_else(none, |c| signed(c.z)),
        cusum: step.comparison.map_or_else(none, |_| format!("{:.2}", step.cusum)),
        signal: if step.signal { "Yes" } else { "No" },
        status: StatusTag::of(step.status),
    }
}

/// "Sep–Nov 2026", "Dec 2025–Nov 2026", or "Nov 2026" for one month.
pub fn window_label(end: Month, months: u32) -> String {
    let start = months_before(end, months.saturating_sub(1));
    let short = |m: Month| m.first_day().format("%b").to_string();
    if start == end {
        format!("{} {}", short(end), end.year())
    } else if start.year() == end.year() {
        format!("{}–{} {}", short(start), short(end), end.year())
    } else {
        format!("{} {}–{} {}", short(start), start.year(), short(end), end.year())
    }
}

fn months_before(month: Month, back: u32) -> Month {
    let index = month.year() * 12 + month.month() as i32 - 1 - back as i32;
    Month::new(index.div_euclid(12), index.rem_euclid(12) as u32 + 1).unwrap_or(month)
}

/// A z-score with two decimals and its sign: "+2.31", "−0.40", "0.00".
pub(super) fn signed(z: f64) -> String {
    let text = Scale::Number { decimals: 2 }.format(z);
    match text.strip_prefix('-') {
        Some(rest) => format!("−{rest}"),
        None if text.chars().any(|c| c.is_ascii_digit() && c != '0') => format!("+{text}"),
        None => text,
    }
}

/// `value` to `digits` significant figures, in plain notation: 0.000412, 0.8123, 12.35.
fn significant(value: f64, digits: i32) -> String {
    if value == 0.0 || !value.is_finite() {
        return if value == 0.0 { "0".to_string() } else { NO_DATA.to_string() };
    }
    let magnitude = value.abs().log10().floor() as i32;
    let decimals = (digits - 1 - magnitude).clamp(0, 12) as usize;
    format!("{value:.decimals$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(text: &str) -> Month {
        Month::parse(text).unwrap()
    }

    #[test]
    fn windows_read_as_people_write_them() {
        assert_eq!(window_label(month("2026-11"), 3), "Sep–Nov 2026");
        assert_eq!(window_label(month("2026-02"), 3), "Dec 2025–Feb 2026");
        assert_eq!(window_label(month("2026-11"), 12), "Dec 2025–Nov 2026");
        assert_eq!(window_label(month("2026-11"), 1), "Nov 2026");
    }

    #[test]
    fn figures_keep_their_sign_and_precision() {
        assert_eq!(signed(2.314), "+2.31");
        assert_eq!(signed(-0.4), "−0.40");
        assert_eq!(signed(-0.001), "0.00");
        assert_eq!(significant(0.000_412_34, 3), "0.000412");
        assert_eq!(significant(0.812_34, 4), "0.8123");
        assert_eq!(significant(0.0, 3), "0");
    }

    #[test]
    fn amounts_below_the_minimum_are_never_exact() {
        let figures = Figures { scale: Scale::Percent, n_units: ("answer", "answers"), min_n: 5 };
        assert_eq!(figures.n(0), "No answers");
        assert_eq!(figures.n(3), "Fewer than 5 answers");
        assert_eq!(figures.n(1200), "1,200 answers");
        assert_eq!(figures.value(None), "Not enough data");
        assert_eq!(figures.value(Some(0.623)), "62%");
    }
}
