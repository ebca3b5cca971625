//! The funnel plot: every peer service at (how much data, its figure), the peers' figure θ0,
//! the 95% and 99.8% control limits narrowing around it as the data grow, and this service
//! on top. A service outside the limits differs from its peers by more than chance.

use super::axis::{Axis, Rect, polyline};
use super::svg::{Key, Mark, Svg, diamond, level, text_width};
use super::{LARGEST, Scale, amount};
use crate::views::count_of;

const SIZE: (f64, f64) = (640.0, 380.0);
const PLOT_LEFT: f64 = 64.0;
const PLOT_RIGHT: f64 = 612.0;
const PLOT_BOTTOM: f64 = SIZE.1 - 50.0;
/// This service's diamond, half its diagonal.
const SERVICE_SIZE: f64 = 7.0;
/// Above this many peers their dots are drawn smaller, so a crowd stays readable.
const CROWD: usize = 500;

/// One service: `n` how much data its figure rests on (answers, bed-months…), and the figure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FunnelPoint {
    pub n: f64,
    pub value: f64,
}

/// The control limits at one n, as the engine computed them (over-dispersion allowed for).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LimitPoint {
    pub n: f64,
    pub lo95: f64,
    pub hi95: f64,
    pub lo998: f64,
    pub hi998: f64,
}

/// A funnel plot of one indicator.
#[derive(Debug, Clone, Copy)]
pub struct Funnel<'a> {
    /// Unique on the page: the chart's element ids begin with it.
    pub id: &'a str,
    pub title: &'a str,
    /// What the figure is, with its unit: "Positive overall experience (% of answers)".
    pub y_label: &'a str,
    /// What n counts, in the plural: "answers", "bed-months".
    pub n_unit: &'a str,
    pub scale: Scale,
    /// The peers' figure.
    pub theta0: f64,
    /// The limits sampled along n, in any order.
    pub limits: &'a [LimitPoint],
    /// The other services of the peer group.
    pub peers: &'a [FunnelPoint],
    /// This service, drawn last, larger and as a diamond; `None` when it has no figure.
    pub service: Option<FunnelPoint>,
}

/// The figures that can be drawn: finite, n not negative, proportions within 0–1.
struct Drawable {
    peers: Vec<(f64, f64)>,
    service: Option<(f64, f64)>,
    theta0: Option<f64>,
    /// Sorted by n; a limit that is not finite is NaN and leaves a gap.
    limits: Vec<LimitPoint>,
}

impl Drawable {
    fn of(f: &Funnel) -> Drawable {
        let point = |p: &FunnelPoint| {
            (p.n.is_finite() && p.n >= 0.0 && p.value.is_finite()).then(|| (p.n.min(LARGEST), f.scale.fit(p.value)))
        };
        let limit = |v: f64| if v.is_finite() { f.scale.fit(v) } else { f64::NAN };
        let mut limits: Vec<LimitPoint> = (f.limits.iter())
            .filter(|l| l.n.is_finite() && l.n >= 0.0)
            .map(|l| LimitPoint {
                n: l.n.min(LARGEST),
                lo95: limit(l.lo95),
                hi95: limit(l.hi95),
                lo998: limit(l.lo998),
                hi998: limit(l.hi998),
            })
            .collect();
        limits.sort_by(|a, b| a.n.total_cmp(&b.n));
        Drawable {
            peers: f.peers.iter().filter_map(point).collect(),
            service: f.service.as_ref().and_then(point),
            theta0: f.theta0.is_finite().then(|| f.scale.fit(f.theta0)),
            limits,
        }
    }

    fn points(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.peers.iter().copied().chain(self.service)
    }

    /// The limits at `n`, read between the two samples around it; `None` outside them.
    fn limits_at(&self, n: f64) -> Option<LimitPoint> {
        let after = self.limits.partition_point(|l| l.n < n);
        let (a, b) = match (after.checked_sub(1).map(|i| self.limits[i]), self.limits.get(after).copied()) {
            (_, Some(b)) if b.n == n => (b, b),
            (Some(a), Some(b)) => (a, b),
            _ => return None,
        };
        let t = if b.n > a.n { (n - a.n) / (b.n - a.n) } else { 0.0 };
        let mix = |x: f64, y: f64| x + t * (y - x);
        let at = LimitPoint {
            n,
            lo95: mix(a.lo95, b.lo95),
            hi95: mix(a.hi95, b.hi95),
            lo998: mix(a.lo998, b.lo998),
            hi998: mix(a.hi998, b.hi998),
        };
        [at.lo95, at.hi95, at.lo998, at.hi998].iter().all(|v| v.is_finite()).then_some(at)
    }
}

/// The funnel plot as inline SVG.
pub fn funnel_svg(f: &Funnel) -> String {
    let data = Drawable::of(f);
    let mut svg = Svg::new(f.id, SIZE, f.title, &describe(f, &data));
    let legend = [
        Key::new(Mark::Dot("chart__peer"), "Similar services"),
        Key::new(Mark::Diamond("chart__service"), "This service"),
        Key::new(Mark::Line("chart__centre"), "Similar services overall"),
        Key::new(Mark::Line("chart__limit95"), "95% limits"),
        Key::new(Mark::Line("chart__limit998"), "99.8% limits"),
    ];
    let empty = data.points().next().is_none();
    let top = svg.header(f.title, if empty { &[] } else { &legend }, f.y_label);
    let area = Rect { left: PLOT_LEFT, top, right: PLOT_RIGHT, bottom: PLOT_BOTTOM };
    let x_label = format!("Number of {}", f.n_unit);
    svg.text(((area.left + area.right) / 2.0, SIZE.1 - 8.0), "chart__label chart__label--x", &x_label);
    let Some(largest_n) = data.points().map(|(n, _)| n).reduce(f64::max) else {
        svg.no_data(&area);
        return svg.finish();
    };
    let x_axis = Axis::covering(0.0, (largest_n * 1.05).max(1.0), 6, 1.0);
    let y_axis = figure_axis(&data, f.scale, x_axis.hi);
    let at = |(n, v): (f64, f64)| (x_axis.place(n, area.left, area.right), y_axis.place(v, area.bottom, area.top));

    svg.y_axis(&y_axis, &area, |v| f.scale.tick(v, y_axis.decimals()));
    svg.x_axis(&x_axis, &area, amount);
    draw_limits(&mut svg, &data.limits, &area, at);
    if let Some(theta0) = data.theta0 {
        svg.path("chart__centre", &level((area.left, area.right), at((0.0, theta0)).1));
    }
    let r = if data.peers.len() > CROWD { 2.0 } else { 3.0 };
    svg.group("chart__peers");
    for &point in &data.peers {
        svg.circle(at(point), r, "");
    }
    svg.end_group();
    if let Some(service) = data.service {
        draw_service(&mut svg, at(service), &area, &f.scale.format(service.1));
    }
    svg.finish()
}

/// The figure's axis: every point, θ0, and the limits where there are services to compare
/// (the funnel's mouth at tiny n would otherwise flatten everything else).
fn figure_axis(data: &Drawable, scale: Scale, largest_n: f64) -> Axis {
    let smallest_n = data.points().map(|(n, _)| n).reduce(f64::min).unwrap_or(0.0);
    let limits = (data.limits.iter())
        .filter(|l| l.n >= smallest_n && l.n <= largest_n)
        .flat_map(|l| [l.lo95, l.hi95, l.lo998, l.hi998])
        .filter(|v| v.is_finite());
    let values = data.points().map(|(_, v)| v).chain(data.theta0).chain(limits);
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let axis = Axis::covering(lo, hi, 5, 0.0);
    if scale == Scale::Percent { axis.within(0.0, 1.0) } else { axis }
}

/// Each level of limits as one path, its lower and upper curves cut to the plot.
fn draw_limits(svg: &mut Svg, limits: &[LimitPoint], area: &Rect, at: impl Fn((f64, f64)) -> (f64, f64)) {
    let curve = |value: fn(&LimitPoint) -> f64| {
        polyline(limits.iter().map(|l| Some(value(l)).filter(|v| v.is_finite()).map(|v| at((l.n, v)))), area)
    };
    svg.path("chart__limit998", &(curve(|l| l.lo998) + &curve(|l| l.hi998)));
    svg.path("chart__limit95", &(curve(|l| l.lo95) + &curve(|l| l.hi95)));
}

/// This service's diamond and its label, beside it on whichever side has room.
fn draw_service(svg: &mut Svg, (x, y): (f64, f64), area: &Rect, value: &str) {
    svg.path("chart__service", &diamond((x, y), SERVICE_SIZE));
    let label = format!("This service: {value}");
    let width = text_width(&label, 13.0);
    let gap = SERVICE_SIZE + 5.0;
    let (label_x, class) = if x + gap + width <= area.right {
        (x + gap, "chart__service-label")
    } else {
        (x - gap, "chart__service-label chart__service-label--left")
    };
    let label_y = (y + 4.5).clamp(area.top + 12.0, area.bottom - 4.0);
    svg.text((label_x, label_y), class, &label);
}

/// The chart in words, for people who cannot see it.
fn describe(f: &Funnel, data: &Drawable) -> String {
    let peers = count_of(data.peers.len() as u64, "similar service", "similar services");
    let mut words = format!("Funnel plot of {} against the number of {}, for {peers}.", f.y_label, f.n_unit);
    let overall = data.theta0.map(|t| f.scale.format(t));
    match data.service {
        Some((n, value)) => {
            words.push_str(&format!(" This service: {} from {} {}", f.scale.format(value), amount(n), f.n_unit));
            if let Some(overall) = overall {
                words.push_str(&format!("; similar services {overall}"));
            }
            if let Some(position) = data.limits_at(n).map(|limits| position(value, &limits)) {
                words.push_str(&format!("; {position}"));
            }
            words.push('.');
        }
        None => {
            words.push_str(" No figure for this service.");
            if let Some(overall) = overall {
                words.push_str(&format!(" Similar services overall: {overall}."));
            }
        }
    }
    words
}

/// Where a figure lies against the limits at its n.
fn position(value: f64, limits: &LimitPoint) -> &'static str {
    if value > limits.hi998 {
        "above the 99.8% limit"
    } else if value > limits.hi95 {
        "above the 95% limit, within the 99.8% limits"
    } else if value < limits.lo998 {
        "below the 99.8% limit"
    } else if value < limits.lo95 {
        "below the 95% limit, within the 99.8% limits"
    } else {
        "within the 95% limits"
    }
}

#[cfg(test)]
pub(super) fn sample_limits(theta0: f64, largest_n: f64) -> Vec<LimitPoint> {
    // The normal form of the notes, for tests: θ0 ± z·√(θ0(1−θ0)/n), clipped to 0–1.
    (1..=100)
        .map(|i| {
            let n = largest_n * f64::from(i) / 100.0;
            let s = (theta0 * (1.0 - theta0) / n).sqrt();
            let at = |z: f64| (theta0 + z * s).clamp(0.0, 1.0);
            LimitPoint { n, lo95: at(-1.959964), hi95: at(1.959964), lo998: at(-3.090232), hi998: at(3.090232) }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_against_the_limits_are_read_between_samples() {
        let limits = sample_limits(0.8, 200.0);
        let data = Drawable { peers: vec![], service: None, theta0: Some(0.8), limits };
        // n = 200: 95% [0.745, 0.855], 99.8% [0.713, 0.887] (the notes' vectors).
        let at = data.limits_at(200.0).unwrap();
        assert!((at.lo95 - 0.745).abs() < 0.001 && (at.hi998 - 0.887).abs() < 0.001, "{at:?}");
        assert_eq!(position(0.70, &at), "below the 99.8% limit");
        assert_eq!(position(0.73, &at), "below the 95% limit, within the 99.8% limits");
        assert_eq!(position(0.80, &at), "within the 95% limits");
        assert_eq!(position(0.86, &at), "above the 95% limit, within the 99.8% limits");
        assert_eq!(position(0.95, &at), "above the 99.8% limit");
        // Between samples the limits are interpolated; outside them nothing is said.
        let between = data.limits_at(101.0).unwrap();
        assert!(between.lo95 < data.limits_at(102.0).unwrap().lo95);
        assert!(data.limits_at(1.0).is_none() && data.limits_at(201.0).is_none());
    }
}
