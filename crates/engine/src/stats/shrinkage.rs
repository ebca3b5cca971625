//! Shrinkage towards the peer group, empirical Bayes (fair-comparison notes §4): a
//! service with few responses is pulled towards its peers, one with many barely moves.

use serde::Serialize;
use statrs::distribution::{Beta, ContinuousCDF};

/// How the beta prior came out of the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PriorFit {
    /// M estimated by moments.
    Estimated,
    /// No variation beyond chance (the denominator of M ≤ 0, or M above Σn): every
    /// service is pooled with the mean, M capped at Σn, the responses it was estimated from.
    Pooled,
    /// More variation than a beta-binomial allows (M ≤ 0), or fewer than two services:
    /// no shrinkage, M = 0.
    NoShrinkage,
}

/// A beta prior Beta(α, β) fitted by moments to the services' counts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BetaPrior {
    /// μ = Σx/Σn.
    pub mu: f64,
    /// s² = N·Σ n_i(x_i/n_i − μ)² / ((N−1)·Σn_i).
    pub s2: f64,
    /// M = (μ(1−μ) − s²) / (s² − (μ(1−μ)/N)·Σ(1/n_i)), the prior's weight in responses.
    pub m: f64,
    /// α = Mμ.
    pub alpha: f64,
    /// β = M(1−μ).
    pub beta: f64,
    /// N, the services it was fitted to.
    pub services: usize,
    pub fit: PriorFit,
}

/// Fits Beta(α, β) by moments to the (x, n) counts of the services with n ≥ min_n.
pub fn beta_prior(counts: &[(u32, u32)], min_n: u32) -> BetaPrior {
    let used = || counts.iter().filter(move |&&(_, n)| n >= min_n.max(1));
    let (services, sum_x, sum_n, sum_inv_n) = used().fold((0usize, 0.0, 0.0, 0.0), |(c, sx, sn, si), &(x, n)| {
        (c + 1, sx + f64::from(x), sn + f64::from(n), si + 1.0 / f64::from(n))
    });
    let mu = if sum_n > 0.0 { sum_x / sum_n } else { 0.0 };
    if services < 2 {
        return BetaPrior::with(mu, 0.0, 0.0, services, PriorFit::NoShrinkage);
    }
    let big_n = services as f64;
    let spread: f64 = used().map(|&(x, n)| f64::from(n) * (f64::from(x) / f64::from(n) - mu).powi(2)).sum();
    let s2 = big_n * spread / ((big_n - 1.0) * sum_n);
    let binomial = mu * (1.0 - mu);
    let denominator = s2 - binomial / big_n * sum_inv_n;
    let m = (binomial - s2) / denominator;
    match m {
        _ if denominator <= 0.0 || m > sum_n => BetaPrior::with(mu, s2, sum_n, services, PriorFit::Pooled),
        m if m <= 0.0 => BetaPrior::with(mu, s2, 0.0, services, PriorFit::NoShrinkage),
        m => BetaPrior::with(mu, s2, m, services, PriorFit::Estimated),
    }
}

impl BetaPrior {
    fn with(mu: f64, s2: f64, m: f64, services: usize, fit: PriorFit) -> BetaPrior {
        BetaPrior { mu, s2, m, alpha: m * mu, beta: m * (1.0 - mu), services, fit }
    }

    /// The shrunk estimate (x + α)/(n + M); μ when there is neither data nor prior.
    pub fn shrunk(&self, x: u32, n: u32) -> f64 {
        let weight = f64::from(n) + self.m;
        if weight > 0.0 { (f64::from(x) + self.alpha) / weight } else { self.mu }
    }

    /// The shrinkage factor B = M/(M + n): 1 all prior, 0 all the service's own data.
    pub fn factor(&self, n: u32) -> f64 {
        let weight = f64::from(n) + self.m;
        if weight > 0.0 { self.m / weight } else { 1.0 }
    }

    /// The equal-tailed credible interval holding `mass` (e.g. 0.95) of Beta(α + x, β + n − x).
    /// A shape of 0 is the limit of a beta distribution: all its mass at 0 (or 1).
    pub fn interval(&self, x: u32, n: u32, mass: f64) -> (f64, f64) {
        let a = self.alpha + f64::from(x);
        let b = self.beta + f64::from(n.saturating_sub(x));
        let tail = ((1.0 - mass) / 2.0).clamp(0.0, 0.5);
        match (a > 0.0, b > 0.0) {
            (false, false) => (0.0, 1.0),
            (false, true) => (0.0, 0.0),
            (true, false) => (1.0, 1.0),
            (true, true) => match Beta::new(a, b) {
                Ok(beta) => (beta.inverse_cdf(tail), beta.inverse_cdf(1.0 - tail)),
                // Only non-finite shapes get here; they carry no information.
                Err(_) => (0.0, 1.0),
            },
        }
    }
}

/// Normal shrinkage of a mean: θ̂ = B·ȳ + (1 − B)·ȳ_i, B = σ_i²/(σ_i² + τ²), σ_i² = σ²/n_i.
/// Returns (θ̂, B); with no answers B = 1.
pub fn shrink_mean(mean: f64, n: u32, grand_mean: f64, sigma: f64, tau2: f64) -> (f64, f64) {
    if n == 0 {
        return (grand_mean, 1.0);
    }
    let own = sigma * sigma / f64::from(n);
    let factor = if own + tau2 > 0.0 { own / (own + tau2) } else { 0.0 };
    (factor * grand_mean + (1.0 - factor) * mean, factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEVEN: [(u32, u32); 7] = [(19, 20), (30, 50), (4, 10), (170, 200), (25, 45), (10, 10), (2, 3)];

    fn round(v: f64, places: i32) -> f64 {
        let scale = 10f64.powi(places);
        (v * scale).round() / scale
    }

    #[test]
    fn the_seven_services_match_the_worked_numbers() {
        let prior = beta_prior(&SEVEN, 1);
        assert_eq!((round(prior.mu, 3), round(prior.m, 2), prior.fit), (0.769, 16.08, PriorFit::Estimated));
        assert_eq!((round(prior.shrunk(10, 10), 3), round(prior.factor(10), 2)), (0.858, 0.62));
        assert_eq!((round(prior.shrunk(2, 3), 3), round(prior.factor(3), 2)), (0.753, 0.84));
        assert_eq!((round(prior.shrunk(170, 200), 3), round(prior.factor(200), 2)), (0.844, 0.07));
        assert!((prior.alpha - prior.m * prior.mu).abs() < 1e-12);
        let (lo, hi) = prior.interval(10, 10, 0.95);
        assert!(lo < prior.shrunk(10, 10) && prior.shrunk(10, 10) < hi && hi < 1.0, "[{lo}, {hi}]");
    }

    #[test]
    fn the_interval_is_the_beta_quantiles() {
        // Beta(1, 1) is uniform; Beta(2, 1) has cdf x², so its quantiles are square roots.
        let uniform = BetaPrior::with(0.5, 0.0, 2.0, 2, PriorFit::Estimated);
        let (lo, hi) = uniform.interval(0, 0, 0.95);
        assert!((lo - 0.025).abs() < 1e-9 && (hi - 0.975).abs() < 1e-9, "[{lo}, {hi}]");
        let (lo, hi) = uniform.interval(1, 1, 0.95);
        assert!((lo - 0.025f64.sqrt()).abs() < 1e-9 && (hi - 0.975f64.sqrt()).abs() < 1e-9, "[{lo}, {hi}]");
    }

    #[test]
    fn no_excess_variation_pools_completely() {
        let same = [(40, 50), (40, 50), (80, 100)];
        let prior = beta_prior(&same, 1);
        assert_eq!((prior.fit, prior.m), (PriorFit::Pooled, 200.0));
        assert!((prior.shrunk(0, 2) - 160.0 / 202.0).abs() < 1e-12);
    }

    #[test]
    fn extreme_variation_or_one_service_means_no_shrinkage() {
        let prior = beta_prior(&[(0, 100), (100, 100)], 1);
        assert_eq!((prior.fit, prior.m), (PriorFit::NoShrinkage, 0.0));
        assert_eq!(prior.shrunk(0, 100), 0.0);
        assert_eq!(prior.interval(0, 100, 0.95), (0.0, 0.0));
        assert_eq!(prior.interval(100, 100, 0.95), (1.0, 1.0));
        let alone = beta_prior(&[(3, 4), (1, 0)], 1);
        assert_eq!((alone.fit, alone.services, alone.mu), (PriorFit::NoShrinkage, 1, 0.75));
    }

    #[test]
    fn mean_shrinkage_weighs_by_precision() {
        let (estimate, factor) = shrink_mean(3.0, 4, 2.0, 1.0, 0.25);
        assert_eq!(factor, 0.5);
        assert_eq!(estimate, 2.5);
        assert_eq!(shrink_mean(3.0, 4, 2.0, 1.0, 0.0), (2.0, 1.0));
        assert_eq!(shrink_mean(3.0, 0, 2.0, 1.0, 0.25), (2.0, 1.0));
    }

    proptest::proptest! {
        #[test]
        fn shrinkage_pulls_towards_the_mean_and_less_as_n_grows(
            mu in 0.05f64..0.95, m in 0.5f64..500.0, n in 1u32..500, x_frac in 0.0f64..=1.0, k in 2u32..20,
        ) {
            let prior = BetaPrior::with(mu, 0.0, m, 10, PriorFit::Estimated);
            let x = (x_frac * f64::from(n)).round() as u32;
            let p = f64::from(x) / f64::from(n);
            let shrunk = prior.shrunk(x, n);
            proptest::prop_assert!(shrunk >= p.min(mu) - 1e-12 && shrunk <= p.max(mu) + 1e-12);
            let bigger = prior.shrunk(x * k, n * k);
            proptest::prop_assert!((bigger - p).abs() <= (shrunk - p).abs() + 1e-12);
            proptest::prop_assert!(prior.factor(n * k) < prior.factor(n));
            let (lo, hi) = prior.interval(x, n, 0.95);
            proptest::prop_assert!(lo <= shrunk && shrunk <= hi);
        }
    }
}
