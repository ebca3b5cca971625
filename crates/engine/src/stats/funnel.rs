//! Funnel limits: how far from the target θ0 a service of size n may lie by chance
//! alone (fair-comparison notes §2). The limits narrow as n grows, which is the funnel.

use std::f64::consts::FRAC_PI_2;

/// The variance-stabilising transform of a proportion: asin(√p).
pub fn arcsine(p: f64) -> f64 {
    p.clamp(0.0, 1.0).sqrt().asin()
}

/// Normal form for proportions: θ0 ± z·√(θ0(1−θ0)/n), clipped to [0, 1];
/// `(0, 1)` when n = 0.
pub fn proportion_limits(theta0: f64, n: u32, z: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let half = z * (theta0 * (1.0 - theta0) / f64::from(n)).sqrt();
    ((theta0 - half).max(0.0), (theta0 + half).min(1.0))
}

/// Arcsine form for proportions: sin²(asin(√θ0) ± z·√(1/(4n) + τ²)), the angle
/// kept within [0, π/2] so the limits stay in [0, 1]; `(0, 1)` when n = 0.
pub fn arcsine_limits(theta0: f64, n: u32, tau2: f64, z: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let centre = arcsine(theta0);
    let half = z * (1.0 / (4.0 * f64::from(n)) + tau2).sqrt();
    let limit = |angle: f64| angle.clamp(0.0, FRAC_PI_2).sin().powi(2);
    (limit(centre - half), limit(centre + half))
}

/// Means: θ0 ± z·σ/√n, σ the pooled person-level standard deviation; unbounded
/// when n = 0.
pub fn mean_limits(theta0: f64, sigma: f64, n: u32, z: f64) -> (f64, f64) {
    if n == 0 {
        return (f64::NEG_INFINITY, f64::INFINITY);
    }
    let half = z * sigma / f64::from(n).sqrt();
    (theta0 - half, theta0 + half)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::{Z_95, Z_998};

    fn rounded((lo, hi): (f64, f64)) -> (f64, f64) {
        ((lo * 1000.0).round() / 1000.0, (hi * 1000.0).round() / 1000.0)
    }

    #[test]
    fn normal_form_matches_the_worked_numbers() {
        // fair-comparison.md §2: θ0 = 0.8.
        assert_eq!(rounded(proportion_limits(0.8, 20, Z_95)), (0.625, 0.975));
        assert_eq!(rounded(proportion_limits(0.8, 200, Z_95)), (0.745, 0.855));
        assert_eq!(rounded(proportion_limits(0.8, 200, Z_998)), (0.713, 0.887));
    }

    #[test]
    fn normal_form_is_clipped_and_total_without_answers() {
        assert_eq!(proportion_limits(0.95, 5, Z_998).1, 1.0);
        assert_eq!(proportion_limits(0.05, 5, Z_998).0, 0.0);
        assert_eq!(proportion_limits(0.5, 0, Z_95), (0.0, 1.0));
    }

    #[test]
    fn arcsine_form_matches_the_worked_numbers() {
        assert_eq!(rounded(arcsine_limits(0.8, 20, 0.0, Z_95)), (0.602, 0.941));
        // Between-service variation widens the limits.
        let (lo, hi) = arcsine_limits(0.8, 20, 0.03, Z_95);
        assert!(lo < 0.602 && hi > 0.941);
        // Near the edge the angle is held at π/2: the upper limit is 1, not folded back.
        assert_eq!(arcsine_limits(0.99, 3, 0.0, Z_998).1, 1.0);
    }

    #[test]
    fn mean_limits_scale_with_sigma_over_root_n() {
        let (lo, hi) = mean_limits(2.0, 0.8, 16, Z_95);
        assert!((lo - (2.0 - Z_95 * 0.2)).abs() < 1e-12 && (hi - (2.0 + Z_95 * 0.2)).abs() < 1e-12);
        assert_eq!(mean_limits(2.0, 0.8, 0, Z_95), (f64::NEG_INFINITY, f64::INFINITY));
    }

    proptest::proptest! {
        #[test]
        fn limits_narrow_as_n_grows(theta0 in 0.01f64..0.99, n in 1u32..10_000, extra in 1u32..1000, tau2 in 0.0f64..0.1) {
            let width = |(lo, hi): (f64, f64)| hi - lo;
            let m = n + extra;
            proptest::prop_assert!(width(proportion_limits(theta0, m, Z_95)) <= width(proportion_limits(theta0, n, Z_95)));
            proptest::prop_assert!(width(arcsine_limits(theta0, m, tau2, Z_95)) <= width(arcsine_limits(theta0, n, tau2, Z_95)));
            proptest::prop_assert!(width(mean_limits(theta0, 0.7, m, Z_95)) < width(mean_limits(theta0, 0.7, n, Z_95)));
        }
    }
}
