//! The statistics behind fair comparison (see the fair-comparison notes): the
//! uncertainty of one service's figures (Wilson), funnel limits, over-dispersion,
//! shrinkage towards the peer group, CUSUM charts over time and peer groups.
//! Everything here is pure: slices and numbers in, numbers out.

mod compare;
mod cusum;
mod dispersion;
mod funnel;
mod peers;
mod shrinkage;

pub use compare::{ProportionComparison, ProportionOptions, ServiceFigures, compare_proportions};
pub use cusum::{BernoulliCusum, ZCusum, ZSignal, bernoulli_weights, in_control_run_length};
pub use dispersion::{Dispersion, DispersionOptions, Score, adjusted_limits, adjusted_z, dispersion};
pub use funnel::{arcsine_limits, mean_limits, proportion_limits};
pub use peers::{PeerGroup, PeerScope, SizeBand};
pub use shrinkage::{BetaPrior, PriorFit, beta_prior, shrink_mean};

use serde::Serialize;

/// The 95 % two-sided normal quantile ("alert").
pub const Z_95: f64 = 1.959964;

/// The 99.8 % two-sided normal quantile ("alarm").
pub const Z_998: f64 = 3.090232;

/// Why a statistics function refused its input: a parameter outside its range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{name} must be {expected} (it is {value})")]
pub struct StatsError {
    pub name: &'static str,
    pub expected: &'static str,
    pub value: f64,
}

impl StatsError {
    fn new(name: &'static str, expected: &'static str, value: f64) -> Self {
        StatsError { name, expected, value }
    }
}

/// How far a score lies from the target: beyond 1.959964 an alert, beyond 3.090232 an alarm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = ControlChartFlag)]
pub enum Flag {
    None,
    Alert,
    Alarm,
}

impl Flag {
    /// |z| > Z_998 → alarm; |z| > Z_95 → alert; otherwise none.
    pub fn of(z: f64) -> Flag {
        match z.abs() {
            a if a > Z_998 => Flag::Alarm,
            a if a > Z_95 => Flag::Alert,
            _ => Flag::None,
        }
    }
}

/// The Wilson score interval of the proportion `x / n` at quantile `z`, as
/// fractions `(lo, hi)`. Unlike the normal approximation it stays inside [0, 1]
/// and works for `x = 0` and `x = n`. With no answers at all it is `(0, 1)`.
pub fn wilson(x: u32, n: u32, z: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (none, all) = (x == 0, x >= n);
    let p = f64::from(x.min(n)) / f64::from(n);
    let n = f64::from(n);
    let z2 = z * z;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denominator;
    // At x = 0 and x = n the bound is exactly 0 or 1; rounding would leave 1e-16 off.
    let lo = if none { 0.0 } else { (centre - half).max(0.0) };
    let hi = if all { 1.0 } else { (centre + half).min(1.0) };
    (lo, hi)
}

/// The median of the values (the mean of the middle two for an even count);
/// `None` when there are none.
pub fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    match sorted.len() {
        0 => None,
        len if len % 2 == 1 => Some(sorted[mid]),
        _ => Some((sorted[mid - 1] + sorted[mid]) / 2.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rounded((lo, hi): (f64, f64)) -> (f64, f64) {
        ((lo * 1000.0).round() / 1000.0, (hi * 1000.0).round() / 1000.0)
    }

    /// Within a thousandth: the notes round 0.43448 up to 0.435.
    fn near((lo, hi): (f64, f64), (want_lo, want_hi): (f64, f64)) -> bool {
        (lo - want_lo).abs() <= 1e-3 && (hi - want_hi).abs() <= 1e-3
    }

    #[test]
    fn wilson_matches_the_worked_numbers() {
        // fair-comparison.md §1: 8/10 → [0.490, 0.943]; 0/5 → [0.000, 0.435].
        assert_eq!(rounded(wilson(8, 10, Z_95)), (0.490, 0.943));
        assert!(near(wilson(0, 5, Z_95), (0.0, 0.435)), "{:?}", wilson(0, 5, Z_95));
        assert_eq!(wilson(0, 5, Z_95).0, 0.0);
    }

    #[test]
    fn wilson_is_symmetric_and_stays_inside_zero_to_one() {
        let (lo, hi) = wilson(5, 5, Z_95);
        assert_eq!(rounded((lo, hi)), (0.566, 1.0));
        let (lo2, hi2) = wilson(0, 5, Z_95);
        assert!((lo - (1.0 - hi2)).abs() < 1e-12 && (hi - (1.0 - lo2)).abs() < 1e-12);
        assert_eq!(wilson(0, 0, Z_95), (0.0, 1.0));
        assert_eq!(wilson(10, 10, Z_95).1, 1.0);
    }

    #[test]
    fn a_wider_quantile_gives_a_wider_interval() {
        let (lo95, hi95) = wilson(30, 40, Z_95);
        let (lo998, hi998) = wilson(30, 40, 3.090232);
        assert!(lo998 < lo95 && hi998 > hi95);
    }

    #[test]
    fn median_of_odd_even_and_empty() {
        assert_eq!(median(&[5.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 10.0]), Some(3.5));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn flags_follow_the_two_quantiles() {
        assert_eq!(Flag::of(1.95), Flag::None);
        assert_eq!(Flag::of(-1.97), Flag::Alert);
        assert_eq!(Flag::of(3.09), Flag::Alert);
        assert_eq!(Flag::of(-3.1), Flag::Alarm);
    }

    proptest::proptest! {
        #[test]
        fn wilson_contains_the_observed_proportion(n in 1u32..5000, x_frac in 0.0f64..=1.0) {
            let x = (x_frac * f64::from(n)).round() as u32;
            let p = f64::from(x) / f64::from(n);
            let (lo, hi) = wilson(x, n, Z_95);
            proptest::prop_assert!(lo <= p + 1e-12 && p <= hi + 1e-12, "{x}/{n}: [{lo}, {hi}]");
        }
    }
}
