//! Geometry shared by the charts: round-numbered axes, the plot area, and lines clipped to it.

/// A rectangle of the drawing, in its own units (y grows downwards).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Rect {
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
}

impl Rect {
    pub fn width(&self) -> f64 {
        self.right - self.left
    }

    pub fn height(&self) -> f64 {
        self.bottom - self.top
    }

    pub fn centre(&self) -> (f64, f64) {
        ((self.left + self.right) / 2.0, (self.top + self.bottom) / 2.0)
    }
}

/// A linear axis over round numbers: its step is 1, 2 or 5 times a power of ten and
/// its ends are multiples of the step, so every tick is a number people can read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Axis {
    pub lo: f64,
    pub hi: f64,
    pub step: f64,
}

/// Slack for floating-point noise when a value should be a whole number of steps.
const SLACK: f64 = 1e-9;

impl Axis {
    /// The round axis covering `lo..=hi` (finite) in about `intervals` steps, each at least
    /// `min_step`. A range too narrow to show differences is widened around its middle.
    pub fn covering(lo: f64, hi: f64, intervals: u32, min_step: f64) -> Axis {
        let narrowest = (1e-3 * lo.abs().max(hi.abs())).max(1e-12);
        let (lo, hi) = if hi - lo > narrowest { (lo, hi) } else { around((lo + hi) / 2.0) };
        let step = nice_step((hi - lo) / f64::from(intervals.max(1))).max(min_step);
        let axis = Axis { lo, hi, step };
        Axis { lo: axis.steps((lo / step + SLACK).floor()), hi: axis.steps((hi / step - SLACK).ceil()), step }
    }

    /// The same axis cut to `min..=max` (a proportion never goes below 0% or above 100%).
    pub fn within(self, min: f64, max: f64) -> Axis {
        let (lo, hi) = (self.lo.max(min), self.hi.min(max));
        if hi > lo { Axis { lo, hi, ..self } } else { Axis::covering(min, max, 5, 0.0) }
    }

    /// The ticks, each a whole number of steps, from the bottom up.
    pub fn ticks(&self) -> impl Iterator<Item = f64> + use<> {
        let axis = *self;
        let first = (self.lo / self.step - SLACK).ceil() as i64;
        let last = (self.hi / self.step + SLACK).floor() as i64;
        (first..=last).map(move |i| axis.steps(i as f64))
    }

    /// `count` steps, as the decimal people would write: 6 × 0.1 is 0.6, not 0.6000000000000001.
    fn steps(&self, count: f64) -> f64 {
        let scale = 10f64.powi(self.decimals() as i32);
        count * (self.step * scale).round() / scale
    }

    /// Digits after the point a tick's label needs: 0.25 → 2 (never more than the step shows).
    pub fn decimals(&self) -> usize {
        if self.step >= 1.0 { 0 } else { (-self.step.log10() - SLACK).ceil() as usize }
    }

    /// Where `value` falls between `from` (at `lo`) and `to` (at `hi`).
    pub fn place(&self, value: f64, from: f64, to: f64) -> f64 {
        from + (value - self.lo) / (self.hi - self.lo) * (to - from)
    }
}

/// A range around a single value, so that one point still gets an axis.
fn around(value: f64) -> (f64, f64) {
    let pad = if value == 0.0 { 1.0 } else { value.abs() / 10.0 };
    (value - pad, value + pad)
}

/// The round step at or just above `raw`: 1, 2 or 5 times a power of ten.
pub(super) fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let power = 10f64.powf(raw.log10().floor());
    let mantissa = raw / power;
    let nice = [1.0, 2.0, 5.0].into_iter().find(|&m| mantissa <= m * (1.0 + SLACK)).unwrap_or(10.0);
    nice * power
}

/// Points closer than this (in drawing units) to the last one drawn add nothing visible.
const RESOLUTION: f64 = 0.5;

/// Path data for a line through `points`, broken where a point is missing (`None`), cut
/// to `area`, and thinned to what can be seen so a curve sampled thousands of times stays small.
pub(super) fn polyline(points: impl IntoIterator<Item = Option<(f64, f64)>>, area: &Rect) -> String {
    let mut d = String::new();
    // The end of the last segment drawn, and whether it follows a move.
    let mut pen: Option<(f64, f64)> = None;
    let mut after_move = false;
    let mut previous: Option<(f64, f64)> = None;
    for point in thinned(points) {
        if let (Some(a), Some(b)) = (previous, point)
            && let Some((start, end)) = clip(a, b, area)
        {
            if pen != Some(start) {
                d.push_str(&format!("M{} {}", num(start.0), num(start.1)));
                after_move = true;
            }
            d.push_str(&format!("{}{} {}", if after_move { "L" } else { " " }, num(end.0), num(end.1)));
            after_move = false;
            pen = Some(end);
        }
        previous = point;
    }
    d
}

/// Leaves out points within [`RESOLUTION`] of the last one kept, keeping the ends of every run.
fn thinned(points: impl IntoIterator<Item = Option<(f64, f64)>>) -> Vec<Option<(f64, f64)>> {
    let mut kept: Vec<Option<(f64, f64)>> = Vec::new();
    let mut skipped: Option<(f64, f64)> = None;
    for point in points {
        match (kept.last().copied().flatten(), point) {
            (Some(last), Some(p)) if (p.0 - last.0).abs() < RESOLUTION && (p.1 - last.1).abs() < RESOLUTION => {
                skipped = Some(p);
            }
            _ => {
                if point.is_none()
                    && let Some(end) = skipped
                {
                    kept.push(Some(end));
                }
                skipped = None;
                kept.push(point);
            }
        }
    }
    if let Some(end) = skipped {
        kept.push(Some(end));
    }
    kept
}

/// The part of the segment a→b inside `area` (Liang–Barsky), its ends exactly a and b where
/// they are inside, so that consecutive segments join without a new move.
fn clip(a: (f64, f64), b: (f64, f64), area: &Rect) -> Option<((f64, f64), (f64, f64))> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let (mut t0, mut t1) = (0.0_f64, 1.0_f64);
    for (p, q) in [(-dx, a.0 - area.left), (dx, area.right - a.0), (-dy, a.1 - area.top), (dy, area.bottom - a.1)] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
            continue;
        }
        let t = q / p;
        if p < 0.0 {
            t0 = t0.max(t);
        } else {
            t1 = t1.min(t);
        }
        if t0 > t1 {
            return None;
        }
    }
    let at = |t: f64| {
        if t == 0.0 {
            a
        } else if t == 1.0 {
            b
        } else {
            (a.0 + t * dx, a.1 + t * dy)
        }
    };
    Some((at(t0), at(t1)))
}

/// A coordinate as short as it can be: one decimal at most, no trailing ".0", never "-0".
pub(super) fn num(value: f64) -> String {
    let tenths = (value * 10.0).round();
    if tenths == 0.0 {
        "0".to_string()
    } else if tenths % 10.0 == 0.0 {
        format!("{}", (tenths / 10.0) as i64)
    } else {
        format!("{:.1}", tenths / 10.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_nice(step: f64) -> bool {
        let power = 10f64.powf(step.log10().floor());
        let mantissa = step / power;
        [1.0, 2.0, 5.0, 10.0].iter().any(|m| (mantissa - m).abs() < 1e-6)
    }

    #[test]
    fn steps_are_one_two_or_five_times_a_power_of_ten() {
        assert_eq!(nice_step(0.07), 0.1);
        assert_eq!(nice_step(0.15), 0.2);
        assert_eq!(nice_step(3.0), 5.0);
        assert_eq!(nice_step(700.0), 1000.0);
        assert_eq!(nice_step(f64::NAN), 1.0);
        for raw in [1e-7, 0.0031, 0.9, 1.0, 1.01, 42.0, 9_999.0, 3.3e9] {
            let step = nice_step(raw);
            assert!(is_nice(step) && step >= raw * (1.0 - 1e-9) && step < raw * 10.0, "{raw} → {step}");
        }
    }

    #[test]
    fn axes_cover_their_range_with_round_ticks() {
        for (lo, hi) in
            [(0.61, 0.95), (0.0, 1.0), (0.6, 0.6), (0.0, 0.0), (-3.2, 17.9), (0.3, 0.30000001), (1e11, 1e12)]
        {
            let axis = Axis::covering(lo, hi, 5, 0.0);
            let noise = axis.step * 1e-9;
            assert!(axis.lo <= lo + noise && axis.hi >= hi - noise && axis.hi > axis.lo, "{lo}..{hi} → {axis:?}");
            let ticks: Vec<f64> = axis.ticks().collect();
            assert!((2..=12).contains(&ticks.len()), "{lo}..{hi} → {ticks:?}");
            assert!(is_nice(axis.step));
            for tick in ticks {
                assert!(((tick / axis.step) - (tick / axis.step).round()).abs() < 1e-6, "{tick} on {axis:?}");
            }
        }
        let axis = Axis::covering(0.6, 0.95, 5, 0.0);
        assert_eq!((axis.lo, axis.hi, axis.step), (0.6, 1.0, 0.1));
        assert_eq!(axis.decimals(), 1);
    }

    #[test]
    fn proportions_stay_within_nought_and_one() {
        let axis = Axis::covering(0.02, 0.99, 5, 0.0).within(0.0, 1.0);
        assert_eq!((axis.lo, axis.hi), (0.0, 1.0));
        let axis = Axis::covering(1.0, 1.0, 5, 0.0).within(0.0, 1.0);
        assert!(axis.lo >= 0.0 && axis.hi == 1.0 && axis.hi > axis.lo);
    }

    #[test]
    fn lines_are_cut_to_the_area_and_broken_at_gaps() {
        let area = Rect { left: 0.0, top: 0.0, right: 100.0, bottom: 100.0 };
        let d = polyline([Some((10.0, 10.0)), Some((20.0, 20.0)), None, Some((30.0, 30.0)), Some((40.0, 40.0))], &area);
        assert_eq!(d, "M10 10L20 20M30 30L40 40");
        // Leaving through the top and coming back: two pieces, each ending on the edge.
        let d = polyline([Some((0.0, 50.0)), Some((50.0, -50.0)), Some((100.0, 50.0))], &area);
        assert_eq!(d, "M0 50L25 0M75 0L100 50");
        assert_eq!(polyline([Some((-10.0, -10.0)), Some((-5.0, -20.0))], &area), "");
        // A single point draws nothing; the dots show it.
        assert_eq!(polyline([Some((5.0, 5.0)), None], &area), "");
    }

    #[test]
    fn dense_lines_are_thinned_but_keep_their_ends() {
        let area = Rect { left: 0.0, top: 0.0, right: 100.0, bottom: 100.0 };
        let points = (0..=1000).map(|i| Some((f64::from(i) / 10.0, 50.0)));
        let d = polyline(points, &area);
        assert!(d.starts_with("M0 50L") && d.ends_with(" 100 50"), "{d}");
        assert!(d.len() < 2000, "{} characters", d.len());
    }

    #[test]
    fn coordinates_are_short() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.345), "12.3");
        assert_eq!(num(-0.01), "0");
        assert_eq!(num(639.96), "640");
    }
}
