//! One indicator of one service against one peer group, in full, for its benchmark
//! page: every peer's figure (the funnel plot's dots, with the limits at their n),
//! and the service's figure window by window with the CUSUM charts.

use std::borrow::Borrow;

use serde::Serialize;

use candour_domain::returns::Month;

use super::catalogue::{Bad, Indicator, measure};
use super::compare::{Comparison, snapshot};
use super::input::{Service, index};
use super::{MonitoringError, MonitoringPolicy, Status, bad_side, steps};
use crate::stats::ZCusum;

/// A peer's figure at the latest window.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PeerFigure {
    pub n: u32,
    pub value: f64,
    /// The funnel limits at this n (they depend on n only, so the peers trace them).
    pub comparison: Comparison,
}

/// The service at one window of its history.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TrendStep {
    /// The window's last month.
    pub end: Month,
    pub n: u32,
    /// `None` below the minimum n.
    pub value: Option<f64>,
    pub comparison: Option<Comparison>,
    /// The CUSUM statistic on the bad side at this window (before any reset), and
    /// whether it reached the threshold.
    pub cusum: f64,
    pub signal: bool,
    pub status: Status,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Benchmark {
    pub indicator: Indicator,
    pub window_months: u32,
    /// Peers with enough data at the latest window, the service left out, by n.
    pub peers: Vec<PeerFigure>,
    /// Oldest first; the last is the latest window.
    pub trend: Vec<TrendStep>,
}

impl Benchmark {
    pub fn latest(&self) -> Option<&TrendStep> {
        self.trend.last()
    }
}

/// `group[target]` against the rest of `group` (which the caller chose as its peers)
/// on `indicator`, for the windows ending with `month`.
pub fn benchmark<S: Borrow<Service>>(
    group: &[S],
    target: usize,
    indicator: Indicator,
    month: Month,
    policy: &MonitoringPolicy,
) -> Result<Benchmark, MonitoringError> {
    policy.validate()?;
    let everyone = vec![(0..group.len()).collect::<Vec<usize>>()];
    let window = indicator.months(policy.window_months);
    let min_n = policy.dispersion.min_n.max(1);
    let bad = indicator.info().bad;
    let mut chart = ZCusum::new(policy.cusum_k, policy.cusum_h)?;
    let (mut trend, mut peers) = (Vec::new(), Vec::new());
    for back in steps(indicator, policy) {
        let end = index(month) - back * window as i32;
        let measures: Vec<_> =
            group.iter().map(|s| measure(indicator, s.borrow(), end, policy.window_months)).collect();
        let figures = snapshot(&measures, &everyone, indicator, policy.dispersion)?;
        let own = figures[target];
        let n = own.measure.map_or(0, |m| m.n());
        let comparison = own.comparison.filter(|_| n >= min_n);
        let (up, down) = chart.values();
        let (mut cusum, mut signal) = (0.0, false);
        if let Some(c) = comparison {
            let before = match bad {
                Bad::Low => down - c.z,
                Bad::High => up + c.z,
                Bad::Both => (up + c.z).max(down - c.z),
            };
            cusum = (before - policy.cusum_k).max(0.0);
            signal = bad_side(chart.step(c.z), bad);
        }
        let status = comparison.map_or(Status::NotEnoughData, |c| Status::of(c.z, bad, signal));
        let value = own.measure.filter(|_| n >= min_n).map(|m| m.value());
        trend.push(TrendStep { end: month_at(end), n, value, comparison, cusum, signal, status });
        if back == 0 {
            peers = figures
                .iter()
                .enumerate()
                .filter(|&(i, _)| i != target)
                .filter_map(|(_, f)| {
                    let (m, comparison) = (f.measure?, f.comparison?);
                    (m.n() >= min_n).then_some(PeerFigure { n: m.n(), value: m.value(), comparison })
                })
                .collect();
            peers.sort_by_key(|p| p.n);
        }
    }
    Ok(Benchmark { indicator, window_months: window, peers, trend })
}

fn month_at(index: i32) -> Month {
    Month::new(index.div_euclid(12), index.rem_euclid(12) as u32 + 1).expect("a month index within years 1000-9999")
}
