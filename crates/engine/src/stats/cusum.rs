//! CUSUM charts (fair-comparison notes §6): deterioration over time, found as soon as
//! the evidence adds up, and reset after each signal so the next one is fresh news.

use super::StatsError;

/// The Bernoulli CUSUM weights for baseline p0 and odds ratio R:
/// p_A = R·p0/(1 − p0 + R·p0); (adverse ln(p_A/p0), other ln((1 − p_A)/(1 − p0))).
pub fn bernoulli_weights(p0: f64, odds_ratio: f64) -> Result<(f64, f64), StatsError> {
    if !(p0 > 0.0 && p0 < 1.0) {
        return Err(StatsError::new("the baseline rate p0", "between 0 and 1", p0));
    }
    if !(odds_ratio > 0.0 && odds_ratio.is_finite()) {
        return Err(StatsError::new("the odds ratio R", "a number above 0", odds_ratio));
    }
    let pa = odds_ratio * p0 / (1.0 - p0 + odds_ratio * p0);
    Ok(((pa / p0).ln(), ((1.0 - pa) / (1.0 - p0)).ln()))
}

fn check_threshold(h: f64) -> Result<(), StatsError> {
    if h > 0.0 && h.is_finite() { Ok(()) } else { Err(StatsError::new("the threshold h", "a number above 0", h)) }
}

/// A Bernoulli CUSUM over single responses: C_t = max(0, C_{t−1} + W_t), a signal
/// when C_t ≥ h, after which C is reset to 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BernoulliCusum {
    adverse: f64,
    other: f64,
    h: f64,
    value: f64,
}

impl BernoulliCusum {
    pub fn new(p0: f64, odds_ratio: f64, h: f64) -> Result<Self, StatsError> {
        let (adverse, other) = bernoulli_weights(p0, odds_ratio)?;
        check_threshold(h)?;
        Ok(BernoulliCusum { adverse, other, h, value: 0.0 })
    }

    /// Adds one response; true when it completes a signal (C is then reset to 0).
    pub fn step(&mut self, adverse: bool) -> bool {
        let weight = if adverse { self.adverse } else { self.other };
        self.value = (self.value + weight).max(0.0);
        let signal = self.value >= self.h;
        if signal {
            self.value = 0.0;
        }
        signal
    }

    /// C after the last response.
    pub fn value(&self) -> f64 {
        self.value
    }
}

/// What one period's z-score did to the two charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ZSignal {
    /// The upper chart signalled: the scores have been running high.
    pub up: bool,
    /// The mirror chart signalled: the scores have been running low.
    pub down: bool,
}

/// A CUSUM over periods' adjusted z-scores, with its mirror: C⁺_t = max(0, C⁺_{t−1} + z_t − k),
/// C⁻_t = max(0, C⁻_{t−1} − z_t − k); each signals at ≥ h and is then reset to 0. Whether
/// high is worse or better depends on the indicator, so the caller names the directions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ZCusum {
    k: f64,
    h: f64,
    up: f64,
    down: f64,
}

impl ZCusum {
    /// The notes' k is 0.5.
    pub fn new(k: f64, h: f64) -> Result<Self, StatsError> {
        if !(k >= 0.0 && k.is_finite()) {
            return Err(StatsError::new("the allowance k", "a number of at least 0", k));
        }
        check_threshold(h)?;
        Ok(ZCusum { k, h, up: 0.0, down: 0.0 })
    }

    /// Adds one period's z-score.
    pub fn step(&mut self, z: f64) -> ZSignal {
        self.up = (self.up + z - self.k).max(0.0);
        self.down = (self.down - z - self.k).max(0.0);
        let signal = ZSignal { up: self.up >= self.h, down: self.down >= self.h };
        if signal.up {
            self.up = 0.0;
        }
        if signal.down {
            self.down = 0.0;
        }
        signal
    }

    /// (C⁺, C⁻) after the last period.
    pub fn values(&self) -> (f64, f64) {
        (self.up, self.down)
    }
}

/// The average number of periods before the upper chart of a z-score CUSUM with
/// allowance `k` and threshold `h` signals when nothing has changed (each z drawn from
/// N(0, 1)), estimated from `runs` simulated charts: the in-control average run length,
/// whose reciprocal is the false-alarm rate per period. The mirror chart has the same.
/// Deterministic for a given seed.
pub fn in_control_run_length(k: f64, h: f64, runs: u32, seed: u64) -> Result<f64, StatsError> {
    ZCusum::new(k, h)?;
    if runs == 0 {
        return Err(StatsError::new("the number of runs", "at least 1", 0.0));
    }
    let mut random = fastrand::Rng::with_seed(seed);
    let mut normal = move || {
        // Box–Muller: two uniforms on (0, 1] give a standard normal.
        let (u, v) = (1.0 - random.f64(), random.f64());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    };
    let mut total = 0u64;
    for _ in 0..runs {
        let mut chart = ZCusum::new(k, h)?;
        let mut periods = 0u64;
        // A chart that never signals in a million periods is counted as a million.
        while periods < 1_000_000 {
            periods += 1;
            if chart.step(normal()).up {
                break;
            }
        }
        total += periods;
    }
    Ok(total as f64 / f64::from(runs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round4(v: f64) -> f64 {
        (v * 10_000.0).round() / 10_000.0
    }

    #[test]
    fn weights_match_the_worked_numbers() {
        let (adverse, other) = bernoulli_weights(0.05, 2.0).unwrap();
        assert_eq!((round4(adverse), round4(other)), (0.6444, -0.0488));
    }

    #[test]
    fn a_hand_worked_run_signals_and_resets() {
        // h = 1: 0.6444, 0.5956, 1.2399 ≥ 1 → signal and reset; 0 (not −0.0488); 0.6444.
        let mut chart = BernoulliCusum::new(0.05, 2.0, 1.0).unwrap();
        let mut trace = Vec::new();
        for adverse in [true, false, true, false, true] {
            let signal = chart.step(adverse);
            trace.push((round4(chart.value()), signal));
        }
        assert_eq!(trace, [(0.6444, false), (0.5956, false), (0.0, true), (0.0, false), (0.6444, false)]);
    }

    #[test]
    fn the_z_chart_and_its_mirror() {
        let mut chart = ZCusum::new(0.5, 2.0).unwrap();
        assert_eq!(chart.step(1.5), ZSignal { up: false, down: false });
        assert_eq!(chart.values(), (1.0, 0.0));
        assert_eq!(chart.step(1.5), ZSignal { up: true, down: false });
        assert_eq!(chart.values(), (0.0, 0.0));
        chart.step(-1.5);
        assert_eq!(chart.values(), (0.0, 1.0));
        assert_eq!(chart.step(-1.5), ZSignal { up: false, down: true });
    }

    #[test]
    fn bad_parameters_are_refused() {
        assert_eq!(
            bernoulli_weights(1.0, 2.0).unwrap_err().to_string(),
            "the baseline rate p0 must be between 0 and 1 (it is 1)"
        );
        assert!(bernoulli_weights(0.05, 0.0).is_err());
        assert!(BernoulliCusum::new(0.05, 2.0, 0.0).is_err());
        assert!(ZCusum::new(-0.1, 4.0).is_err());
        assert!(ZCusum::new(0.5, f64::NAN).is_err());
    }

    proptest::proptest! {
        #[test]
        fn cusum_is_never_negative(
            outcomes in proptest::collection::vec(proptest::bool::ANY, 0..200),
            zs in proptest::collection::vec(-6.0f64..6.0, 0..200),
            p0 in 0.01f64..0.5,
        ) {
            let mut chart = BernoulliCusum::new(p0, 2.0, 3.0).unwrap();
            for adverse in outcomes {
                chart.step(adverse);
                proptest::prop_assert!(chart.value() >= 0.0);
            }
            let mut z_chart = ZCusum::new(0.5, 4.0).unwrap();
            for z in zs {
                z_chart.step(z);
                let (up, down) = z_chart.values();
                proptest::prop_assert!(up >= 0.0 && down >= 0.0);
            }
        }
    }

    #[test]
    fn the_default_threshold_gives_about_336_periods_between_false_alarms() {
        // k = 0.5, h = 4: tabulated about 336 for one chart (168 for either of the pair).
        let arl = in_control_run_length(0.5, 4.0, 4000, 7).unwrap();
        assert!((300.0..380.0).contains(&arl), "{arl}");
        let lower = in_control_run_length(0.5, 3.0, 4000, 7).unwrap();
        assert!(lower < arl / 2.0, "a lower threshold alarms sooner: {lower}");
        assert_eq!(in_control_run_length(0.5, 4.0, 50, 1).unwrap(), in_control_run_length(0.5, 4.0, 50, 1).unwrap());
        assert!(in_control_run_length(0.5, 0.0, 10, 1).is_err() && in_control_run_length(0.5, 4.0, 0, 1).is_err());
    }
}
