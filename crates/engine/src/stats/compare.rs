//! One proportion compared fairly across services: everything the notes ask to
//! publish about each service, and the figures (θ0, φ, τ², trim, minimum n) that let
//! anyone recompute it.

use serde::Serialize;

use super::{
    BetaPrior, DispersionOptions, Flag, Score, StatsError, Z_95, Z_998, adjusted_limits, adjusted_z, beta_prior, wilson,
};

/// The choices behind a comparison of proportions.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ProportionOptions {
    /// A stated standard θ0; `None` compares with the pooled Σx/Σn.
    pub target: Option<f64>,
    pub dispersion: DispersionOptions,
}

/// The comparison of every service with θ0, in the order the counts were given.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ProportionComparison {
    pub theta0: f64,
    pub phi: f64,
    pub tau2: f64,
    /// False when τ² is the stated default because too few services had enough responses.
    pub tau2_estimated: bool,
    /// The services with at least the minimum n: those θ0 (when pooled), φ, τ² and the prior come from.
    pub services_used: usize,
    /// The beta prior every service is shrunk towards.
    pub prior: BetaPrior,
    pub services: Vec<ServiceFigures>,
}

/// One service's figures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ServiceFigures {
    pub n: u32,
    pub p: f64,
    pub wilson_lo: f64,
    pub wilson_hi: f64,
    /// (p − θ0)/√(θ0(1−θ0)/n).
    pub z: f64,
    /// (p − θ0)/√(θ0(1−θ0)/n + τ²).
    pub z_adj: f64,
    pub lo95: f64,
    pub hi95: f64,
    pub lo998: f64,
    pub hi998: f64,
    /// (x + α)/(n + M).
    pub shrunk: f64,
    /// The 95 % credible interval of the shrunk estimate, from Beta(α + x, β + n − x).
    pub shrunk_lo: f64,
    pub shrunk_hi: f64,
    /// By |z_adj|; `none` for services below the minimum n.
    pub flag: Flag,
}

/// Compares the (x, n) counts of services in the normal form, allowing for over-dispersion,
/// and shrinks each towards the peers with a beta-binomial prior.
pub fn compare_proportions(
    counts: &[(u32, u32)],
    options: ProportionOptions,
) -> Result<ProportionComparison, StatsError> {
    let min_n = options.dispersion.min_n.max(1);
    let theta0 = match options.target {
        Some(target) if target > 0.0 && target < 1.0 => target,
        Some(target) => return Err(StatsError::new("the target", "between 0 and 1, not either", target)),
        None => pooled(counts, min_n)?,
    };
    let scores: Vec<Score> = counts.iter().map(|&(x, n)| Score::proportion(x, n, theta0)).collect();
    let dispersion = super::dispersion(&scores, theta0, options.dispersion)?;
    let prior = beta_prior(counts, min_n);
    let services = counts
        .iter()
        .zip(&scores)
        .map(|(&(x, _), &score)| figures(x, score, theta0, dispersion.tau2, &prior, min_n))
        .collect();
    Ok(ProportionComparison {
        theta0,
        phi: dispersion.phi,
        tau2: dispersion.tau2,
        tau2_estimated: dispersion.tau2_estimated,
        services_used: dispersion.services,
        prior,
        services,
    })
}

/// θ0 = Σx/Σn over the services with at least `min_n` responses.
fn pooled(counts: &[(u32, u32)], min_n: u32) -> Result<f64, StatsError> {
    let (x, n) = counts
        .iter()
        .filter(|&&(_, n)| n >= min_n)
        .fold((0u64, 0u64), |(sx, sn), &(x, n)| (sx + u64::from(x), sn + u64::from(n)));
    match (n, counts.is_empty()) {
        (0, true) => Err(StatsError::new("the number of services", "at least 1", 0.0)),
        (0, false) => Err(StatsError::new(
            "the minimum number of responses",
            "at most the most responses any service has",
            f64::from(min_n),
        )),
        _ => Ok(x as f64 / n as f64),
    }
}

fn figures(x: u32, score: Score, theta0: f64, tau2: f64, prior: &BetaPrior, min_n: u32) -> ServiceFigures {
    let (wilson_lo, wilson_hi) = wilson(x, score.n, Z_95);
    let limits = |z: f64| {
        let (lo, hi) = adjusted_limits(theta0, score.s, tau2, z);
        (lo.max(0.0), hi.min(1.0))
    };
    let ((lo95, hi95), (lo998, hi998)) = (limits(Z_95), limits(Z_998));
    let z_adj = adjusted_z(score, theta0, tau2);
    let (shrunk_lo, shrunk_hi) = prior.interval(x, score.n, 0.95);
    ServiceFigures {
        n: score.n,
        p: score.y,
        wilson_lo,
        wilson_hi,
        z: score.z(theta0),
        z_adj,
        lo95,
        hi95,
        lo998,
        hi998,
        shrunk: prior.shrunk(x, score.n),
        shrunk_lo,
        shrunk_hi,
        flag: if score.n >= min_n { Flag::of(z_adj) } else { Flag::None },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEVEN: [(u32, u32); 7] = [(19, 20), (30, 50), (4, 10), (170, 200), (25, 45), (10, 10), (2, 3)];

    fn untrimmed(min_n: u32) -> ProportionOptions {
        let dispersion = DispersionOptions { trim: 0.0, min_n, min_services: 2, default_tau2: 0.0 };
        ProportionOptions { target: None, dispersion }
    }

    #[test]
    fn the_seven_services_are_compared_as_worked() {
        let found = compare_proportions(&SEVEN, untrimmed(1)).unwrap();
        assert_eq!((found.theta0 * 10_000.0).round() / 10_000.0, 0.7692);
        assert_eq!((found.tau2 * 100_000.0).round() / 100_000.0, 0.03085);
        assert_eq!(found.services_used, 7);
        let flags: Vec<Flag> = found.services.iter().map(|s| s.flag).collect();
        assert_eq!(flags, [Flag::None; 7], "every raw alert and alarm vanishes once τ² is allowed for");
        let alone = found.services[5];
        assert_eq!((alone.n, alone.p, (alone.shrunk * 1000.0).round() / 1000.0), (10, 1.0, 0.858));
        let spread = (found.theta0 * (1.0 - found.theta0) / 10.0 + found.tau2).sqrt();
        assert!((alone.lo95 - (found.theta0 - Z_95 * spread)).abs() < 1e-12);
        assert!((alone.lo998 - (found.theta0 - Z_998 * spread)).abs() < 1e-12);
        assert_eq!((alone.hi95, alone.hi998), (1.0, 1.0));
        assert!(alone.shrunk_lo < alone.shrunk && alone.shrunk < alone.shrunk_hi);
    }

    #[test]
    fn small_services_get_figures_but_no_flag_and_no_say() {
        let counts = [(0, 3), (95, 100), (60, 100), (80, 100)];
        // Three services are too few to estimate τ²: the default 0 leaves z_adj = z.
        let mut options = untrimmed(5);
        options.dispersion.min_services = 10;
        let found = compare_proportions(&counts, options).unwrap();
        assert_eq!(found.theta0, 235.0 / 300.0);
        assert_eq!((found.services_used, found.tau2_estimated), (3, false));
        let small = found.services[0];
        assert!(small.z < -3.1, "{}", small.z);
        assert_eq!(small.flag, Flag::None);
        assert_eq!(found.services[2].flag, Flag::Alarm);
    }

    #[test]
    fn a_stated_target_replaces_the_pooled_rate() {
        let options = ProportionOptions { target: Some(0.9), ..untrimmed(1) };
        let found = compare_proportions(&SEVEN, options).unwrap();
        assert_eq!(found.theta0, 0.9);
        assert!((found.services[0].z - (0.95 - 0.9) / (0.9f64 * 0.1 / 20.0).sqrt()).abs() < 1e-12);
        // The prior is still the peers' own mean: shrinkage is towards them, not the standard.
        assert_eq!(found.prior.mu, 300.0 / 390.0);
    }

    #[test]
    fn impossible_requests_are_refused() {
        let options = ProportionOptions { target: Some(1.0), ..untrimmed(1) };
        assert_eq!(
            compare_proportions(&SEVEN, options).unwrap_err().to_string(),
            "the target must be between 0 and 1, not either (it is 1)"
        );
        assert_eq!(
            compare_proportions(&SEVEN, untrimmed(201)).unwrap_err().to_string(),
            "the minimum number of responses must be at most the most responses any service has (it is 201)"
        );
        assert!(compare_proportions(&[], untrimmed(1)).is_err());
    }
}
