//! Over-dispersion (fair-comparison notes §3): real differences between services
//! beyond chance. Without allowing for it most large services look like outliers.

use super::StatsError;
use super::funnel::arcsine;

/// One service's figure on the scale it is compared on: value Y, standard error s
/// and the number of responses n behind it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    pub y: f64,
    pub s: f64,
    pub n: u32,
}

impl Score {
    /// Normal-form proportion: Y = x/n, s = √(θ0(1−θ0)/n); compare with θ0.
    pub fn proportion(x: u32, n: u32, theta0: f64) -> Score {
        let p = if n == 0 { 0.0 } else { f64::from(x) / f64::from(n) };
        Score { y: p, s: (theta0 * (1.0 - theta0) / f64::from(n)).sqrt(), n }
    }

    /// Arcsine-form proportion: Y = asin(√(x/n)), s = 1/(2√n); compare with asin(√θ0).
    pub fn arcsine(x: u32, n: u32) -> Score {
        let p = if n == 0 { 0.0 } else { f64::from(x) / f64::from(n) };
        Score { y: arcsine(p), s: 1.0 / (2.0 * f64::from(n).sqrt()), n }
    }

    /// A mean of n people's values: Y = ȳ, s = σ/√n (σ the pooled person-level SD).
    pub fn mean(mean: f64, n: u32, sigma: f64) -> Score {
        Score { y: mean, s: sigma / f64::from(n).sqrt(), n }
    }

    /// z = (Y − θ0)/s; 0 when nothing can be told apart (no answers, or s = 0 because
    /// θ0 is 0 or 1 and so is every service).
    pub fn z(&self, centre: f64) -> f64 {
        adjusted_z(*self, centre, 0.0)
    }

    /// Whether the score takes part in the estimates: enough answers and a usable s.
    fn counts(&self, min_n: u32) -> bool {
        self.n >= min_n.max(1) && self.s.is_finite() && self.s > 0.0
    }
}

/// z^D = (Y − θ0)/√(s² + τ²): the score allowing for real variation between services.
pub fn adjusted_z(score: Score, centre: f64, tau2: f64) -> f64 {
    let spread = (score.s * score.s + tau2).sqrt();
    if spread > 0.0 && spread.is_finite() { (score.y - centre) / spread } else { 0.0 }
}

/// Limits θ0 ± z·√(s² + τ²), on the comparison scale (not clipped).
pub fn adjusted_limits(centre: f64, s: f64, tau2: f64, z: f64) -> (f64, f64) {
    let half = z * (s * s + tau2).sqrt();
    (centre - half, centre + half)
}

/// The choices behind an over-dispersion estimate; all are reported with the result.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct DispersionOptions {
    /// Winsorise the z-scores at this fraction from each end (0.1: the 10th and 90th percentiles).
    pub trim: f64,
    /// Services with fewer responses are left out of φ and τ².
    pub min_n: u32,
    /// With fewer services than this, τ² is not estimated: `default_tau2` is used.
    pub min_services: usize,
    /// The stated τ² used when there are too few services to estimate it.
    pub default_tau2: f64,
}

impl Default for DispersionOptions {
    fn default() -> Self {
        DispersionOptions { trim: 0.1, min_n: 1, min_services: 10, default_tau2: 0.0 }
    }
}

impl DispersionOptions {
    pub fn validate(&self) -> Result<(), StatsError> {
        if !(0.0..0.5).contains(&self.trim) {
            return Err(StatsError::new("the trim fraction", "at least 0 and below 0.5", self.trim));
        }
        if !(self.default_tau2 >= 0.0 && self.default_tau2.is_finite()) {
            return Err(StatsError::new("the default τ²", "a number of at least 0", self.default_tau2));
        }
        Ok(())
    }
}

/// The estimate of over-dispersion from a set of services.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dispersion {
    /// φ = (1/I)·Σ z_i² over the winsorised scores; 1 (none) when no service counts.
    pub phi: f64,
    /// The between-service variance τ², estimated or the stated default.
    pub tau2: f64,
    /// I, the number of services the estimate is from.
    pub services: usize,
    /// False when there were fewer than `min_services` services and the default τ² was used.
    pub tau2_estimated: bool,
}

/// φ from the winsorised z-scores of services with n ≥ min_n; then τ² = 0 if I·φ ≤ I − 1,
/// else (I·φ − (I − 1)) / (Σw − Σw²/Σw) with w = 1/s².
pub fn dispersion(scores: &[Score], centre: f64, options: DispersionOptions) -> Result<Dispersion, StatsError> {
    options.validate()?;
    let mut zs: Vec<f64> = scores.iter().filter(|s| s.counts(options.min_n)).map(|s| s.z(centre)).collect();
    let services = zs.len();
    if services == 0 {
        return Ok(Dispersion { phi: 1.0, tau2: options.default_tau2, services, tau2_estimated: false });
    }
    winsorise(&mut zs, options.trim);
    let i = services as f64;
    let phi = zs.iter().map(|z| z * z).sum::<f64>() / i;
    // The formula needs two services at least: with one, its denominator is 0.
    if services < options.min_services.max(2) {
        return Ok(Dispersion { phi, tau2: options.default_tau2, services, tau2_estimated: false });
    }
    let tau2 = if i * phi <= i - 1.0 { 0.0 } else { (i * phi - (i - 1.0)) / weight_term(scores, options.min_n) };
    Ok(Dispersion { phi, tau2, services, tau2_estimated: true })
}

/// Σw − Σw²/Σw over the services that count, w = 1/s².
fn weight_term(scores: &[Score], min_n: u32) -> f64 {
    let (sum, sum_sq) = scores
        .iter()
        .filter(|s| s.counts(min_n))
        .map(|s| 1.0 / (s.s * s.s))
        .fold((0.0, 0.0), |(sum, sum_sq), w| (sum + w, sum_sq + w * w));
    sum - sum_sq / sum
}

/// Clamps the values to their `trim` and `1 − trim` percentiles (linear interpolation
/// between order statistics); no change when trim is 0.
fn winsorise(values: &mut [f64], trim: f64) {
    if trim <= 0.0 || values.len() < 2 {
        return;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let (lo, hi) = (percentile(&sorted, trim), percentile(&sorted, 1.0 - trim));
    values.iter_mut().for_each(|v| *v = v.clamp(lo, hi));
}

/// The q-th percentile of sorted values: the value at rank (len − 1)·q, interpolated.
fn percentile(sorted: &[f64], q: f64) -> f64 {
    let rank = (sorted.len() - 1) as f64 * q;
    let below = rank.floor() as usize;
    let above = (below + 1).min(sorted.len() - 1);
    sorted[below] + (rank - below as f64) * (sorted[above] - sorted[below])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// fair-comparison.md §3: the seven services.
    const SEVEN: [(u32, u32); 7] = [(19, 20), (30, 50), (4, 10), (170, 200), (25, 45), (10, 10), (2, 3)];

    fn round2(v: f64) -> f64 {
        (v * 100.0).round() / 100.0
    }

    fn seven_scores() -> (f64, Vec<Score>) {
        let theta0 = 300.0 / 390.0;
        (theta0, SEVEN.iter().map(|&(x, n)| Score::proportion(x, n, theta0)).collect())
    }

    fn untrimmed(min_services: usize) -> DispersionOptions {
        DispersionOptions { trim: 0.0, min_services, ..DispersionOptions::default() }
    }

    #[test]
    fn the_seven_services_match_the_worked_numbers() {
        let (theta0, scores) = seven_scores();
        let found = dispersion(&scores, theta0, untrimmed(2)).unwrap();
        assert_eq!((found.phi * 100.0).round() / 100.0, 5.93);
        assert_eq!((found.tau2 * 100_000.0).round() / 100_000.0, 0.03085);
        assert!(found.tau2_estimated);
        assert_eq!(found.services, 7);
        let raw: Vec<f64> = scores.iter().map(|s| round2(s.z(theta0))).collect();
        assert_eq!(raw, [1.92, -2.84, -2.77, 2.71, -3.40, 1.73, -0.42]);
        let adjusted: Vec<f64> = scores.iter().map(|s| adjusted_z(*s, theta0, found.tau2)).collect();
        // The notes print −1.68 for 4/10; the formula gives −1.6749, which rounds to −1.67.
        assert!((adjusted[2] + 1.6749).abs() < 1e-4, "{}", adjusted[2]);
        let rounded: Vec<f64> = adjusted.iter().map(|&z| round2(z)).collect();
        assert_eq!(rounded, [0.91, -0.91, -1.67, 0.45, -1.15, 1.05, -0.34]);
    }

    #[test]
    fn too_few_services_use_the_stated_default() {
        let (theta0, scores) = seven_scores();
        let options = DispersionOptions { default_tau2: 0.01, ..untrimmed(10) };
        let found = dispersion(&scores, theta0, options).unwrap();
        assert_eq!((found.tau2, found.tau2_estimated), (0.01, false));
        assert_eq!((found.phi * 100.0).round() / 100.0, 5.93);
    }

    #[test]
    fn small_services_are_left_out_and_no_excess_means_no_tau2() {
        let (theta0, scores) = seven_scores();
        let found = dispersion(&scores, theta0, DispersionOptions { min_n: 11, ..untrimmed(2) }).unwrap();
        assert_eq!(found.services, 4);
        let calm: Vec<Score> = (0..12).map(|i| Score::proportion(40 + i % 2, 50, 0.81)).collect();
        let found = dispersion(&calm, 0.81, untrimmed(10)).unwrap();
        assert_eq!((found.tau2, found.tau2_estimated), (0.0, true));
        let none = dispersion(&[], 0.5, DispersionOptions::default()).unwrap();
        assert_eq!((none.phi, none.tau2, none.services), (1.0, 0.0, 0));
    }

    #[test]
    fn winsorising_pulls_in_the_extremes() {
        let mut values = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 100.0];
        winsorise(&mut values, 0.1);
        assert_eq!(values[0], 1.0);
        assert_eq!(values[10], 9.0);
        assert_eq!(values[5], 5.0);
        let mut untouched = [3.0, -7.0, 50.0];
        winsorise(&mut untouched, 0.0);
        assert_eq!(untouched, [3.0, -7.0, 50.0]);
    }

    #[test]
    fn bad_options_are_refused() {
        let bad = DispersionOptions { trim: 0.5, ..DispersionOptions::default() };
        let error = dispersion(&[], 0.5, bad).unwrap_err();
        assert_eq!(error.to_string(), "the trim fraction must be at least 0 and below 0.5 (it is 0.5)");
        let bad = DispersionOptions { default_tau2: -1.0, ..DispersionOptions::default() };
        assert!(dispersion(&[], 0.5, bad).is_err());
    }
}
