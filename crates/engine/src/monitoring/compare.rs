//! One indicator at one window, every service against its peer group: θ0, the
//! adjusted z (over-dispersion allowed for) and the funnel limits.

use std::borrow::Borrow;
use std::collections::HashMap;

use serde::Serialize;

use crate::stats::{DispersionOptions, Score, StatsError, Z_95, Z_998, adjusted_limits, adjusted_z, dispersion};

use super::catalogue::{Indicator, Measure, Statistic};
use super::input::Service;

/// A service's figure against its peers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Comparison {
    /// The peers' figure (pooled over those with enough data).
    pub theta0: f64,
    /// The between-service variance allowed for.
    pub tau2: f64,
    /// The service's own standard error s, on the figure's scale.
    pub s: f64,
    /// z^D = (Y − θ0)/√(s² + τ²).
    pub z: f64,
    pub lo95: f64,
    pub hi95: f64,
    pub lo998: f64,
    pub hi998: f64,
}

/// One service's figure for one indicator and window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Figure {
    pub measure: Option<Measure>,
    /// `None` with too little data to compare.
    pub comparison: Option<Comparison>,
}

/// Every service's figure for `indicator` over one window, from its measure, in the
/// services' order, each compared with the services sharing its peer group.
pub(crate) fn snapshot(
    measures: &[Option<Measure>],
    groups: &[Vec<usize>],
    indicator: Indicator,
    options: DispersionOptions,
) -> Result<Vec<Figure>, StatsError> {
    let mut figures: Vec<Figure> = measures.iter().map(|&measure| Figure { measure, comparison: None }).collect();
    for group in groups {
        let members: Vec<usize> = group.iter().copied().filter(|&i| measures[i].is_some()).collect();
        let measured: Vec<Measure> = members.iter().filter_map(|&i| measures[i]).collect();
        let compared = compare_group(indicator.info().statistic, &measured, options)?;
        for (&i, comparison) in members.iter().zip(compared) {
            figures[i].comparison = comparison;
        }
    }
    Ok(figures)
}

/// Each measure of one peer group against the group, in order; `None` for those with
/// too little data.
pub(crate) fn compare_group(
    statistic: Statistic,
    group: &[Measure],
    options: DispersionOptions,
) -> Result<Vec<Option<Comparison>>, StatsError> {
    match statistic {
        Statistic::Proportion => proportions(group, options),
        Statistic::Rate => rates(group, options),
        Statistic::Mean => means(group, options),
    }
}

/// The services of each peer group, as positions in `services`.
pub(crate) fn peer_groups<S: Borrow<Service>>(services: &[S]) -> Vec<Vec<usize>> {
    let mut groups: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, service) in services.iter().map(Borrow::borrow).enumerate() {
        groups.entry(service.peer_group.as_str()).or_default().push(i);
    }
    groups.into_values().collect()
}

fn enough(measure: &Measure, options: DispersionOptions) -> bool {
    measure.n() >= options.min_n.max(1)
}

/// Proportions: θ0 = Σx/Σn over those with enough answers, s from θ0 (the funnel's
/// normal form, as `compare_proportions` computes it, without the shrinkage that
/// monitoring does not show).
fn proportions(group: &[Measure], options: DispersionOptions) -> Result<Vec<Option<Comparison>>, StatsError> {
    let parts = |m: &Measure| match *m {
        Measure::Proportion { x, n } => (x, n),
        _ => (0, 0),
    };
    let (x, n) = group
        .iter()
        .filter(|m| enough(m, options))
        .map(parts)
        .fold((0u64, 0u64), |(sx, sn), (x, n)| (sx + u64::from(x), sn + u64::from(n)));
    let theta0 = if n > 0 { x as f64 / n as f64 } else { 0.0 };
    let scores: Vec<Score> = group.iter().map(|m| Score::proportion(parts(m).0, parts(m).1, theta0)).collect();
    compared(group, &scores, theta0, options, (0.0, 1.0))
}

/// Rates: θ0 = Σevents/Σexposure over those with enough exposure, s = √(θ0/exposure).
fn rates(group: &[Measure], options: DispersionOptions) -> Result<Vec<Option<Comparison>>, StatsError> {
    let parts = |m: &Measure| match *m {
        Measure::Rate { events, exposure } => (events, exposure),
        _ => (0.0, 0.0),
    };
    let (events, exposure) =
        group.iter().filter(|m| enough(m, options)).map(parts).fold((0.0, 0.0), |(e, x), (me, mx)| (e + me, x + mx));
    let theta0 = if exposure > 0.0 { events / exposure } else { 0.0 };
    let scores: Vec<Score> = group
        .iter()
        .map(|m| {
            let (_, exposure) = parts(m);
            Score { y: m.value(), s: (theta0 / exposure).sqrt(), n: m.n() }
        })
        .collect();
    compared(group, &scores, theta0, options, (0.0, f64::INFINITY))
}

/// Means: θ0 = Σsum/Σn and σ² the pooled within-service variance, over those with enough answers.
fn means(group: &[Measure], options: DispersionOptions) -> Result<Vec<Option<Comparison>>, StatsError> {
    let parts = |m: &Measure| match *m {
        Measure::Mean { n, sum, sum_sq } => (f64::from(n), sum, sum_sq),
        _ => (0.0, 0.0, 0.0),
    };
    let used: Vec<(f64, f64, f64)> = group.iter().filter(|m| enough(m, options)).map(parts).collect();
    let total_n: f64 = used.iter().map(|p| p.0).sum();
    let theta0 = if total_n > 0.0 { used.iter().map(|p| p.1).sum::<f64>() / total_n } else { 0.0 };
    let within: f64 = used.iter().map(|&(n, sum, sum_sq)| (sum_sq - sum * sum / n).max(0.0)).sum();
    let freedom = total_n - used.len() as f64;
    let sigma = if freedom > 0.0 { (within / freedom).sqrt() } else { 0.0 };
    let scores: Vec<Score> = group.iter().map(|m| Score::mean(m.value(), m.n(), sigma)).collect();
    compared(group, &scores, theta0, options, (f64::NEG_INFINITY, f64::INFINITY))
}

/// z^D and limits for scores already on their scale; limits are clipped to `bounds`.
fn compared(
    group: &[Measure],
    scores: &[Score],
    theta0: f64,
    options: DispersionOptions,
    (floor, ceiling): (f64, f64),
) -> Result<Vec<Option<Comparison>>, StatsError> {
    if !group.iter().any(|m| enough(m, options)) {
        return Ok(vec![None; group.len()]);
    }
    let tau2 = dispersion(scores, theta0, options)?.tau2;
    let comparisons = group.iter().zip(scores).map(|(m, &score)| {
        let limits = |z: f64| {
            let (lo, hi) = adjusted_limits(theta0, score.s, tau2, z);
            (lo.max(floor), hi.min(ceiling))
        };
        let ((lo95, hi95), (lo998, hi998)) = (limits(Z_95), limits(Z_998));
        let z = adjusted_z(score, theta0, tau2);
        enough(m, options).then_some(Comparison { theta0, tau2, s: score.s, z, lo95, hi95, lo998, hi998 })
    });
    Ok(comparisons.collect())
}
