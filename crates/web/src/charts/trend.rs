//! The trend: this service's figure and its peers' in each period, and below it the CUSUM
//! statistic that accumulates the service's distance from its peers, with its threshold h
//! and the periods where it reached h (a signal) marked in both panels.

use super::axis::{Axis, Rect, polyline};
use super::svg::{Key, Mark, Svg, level, text_width, triangle};
use super::{LARGEST, Scale, fixed, in_words_list};

const SIZE: (f64, f64) = (640.0, 440.0);
const PLOT_LEFT: f64 = 64.0;
/// Room on the right for the threshold's label, outside the plot where no point can hide it.
const PLOT_RIGHT: f64 = 600.0;
const CUSUM_TOP: f64 = SIZE.1 - 136.0;
const CUSUM_BOTTOM: f64 = SIZE.1 - 52.0;
const FONT: f64 = 13.0;

/// One period, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendPoint {
    /// "Aug–Oct 2026".
    pub label: String,
    /// This service's figure; `None` leaves a gap (not enough data, say).
    pub value: Option<f64>,
    /// The peers' figure.
    pub peers: Option<f64>,
    /// The CUSUM statistic, before or after its reset on a signal.
    pub cusum: Option<f64>,
    /// The CUSUM reached the threshold in this period.
    pub signal: bool,
}

/// A trend of one indicator with its CUSUM chart.
#[derive(Debug, Clone, Copy)]
pub struct Trend<'a> {
    /// Unique on the page: the chart's element ids begin with it.
    pub id: &'a str,
    pub title: &'a str,
    /// What the figure is, with its unit.
    pub y_label: &'a str,
    pub scale: Scale,
    /// The CUSUM threshold h.
    pub threshold: f64,
    pub points: &'a [TrendPoint],
}

/// The trend and its CUSUM chart as inline SVG.
pub fn trend_svg(t: &Trend) -> String {
    let threshold = (t.threshold.is_finite() && t.threshold > 0.0).then(|| t.threshold.min(LARGEST));
    let mut svg = Svg::new(t.id, SIZE, t.title, &describe(t, threshold));
    let legend = [
        Key::new(Mark::LineAndDot("chart__line chart__line--service", "chart__dot"), "This service"),
        Key::new(Mark::Line("chart__line chart__line--peers"), "Similar services"),
        Key::new(Mark::Triangle("chart__signal"), "CUSUM signal"),
    ];
    let top = svg.header(t.title, if t.points.is_empty() { &[] } else { &legend }, t.y_label);
    let figures = Rect { left: PLOT_LEFT, top, right: PLOT_RIGHT, bottom: CUSUM_TOP - 42.0 };
    let cusums = Rect { left: PLOT_LEFT, top: CUSUM_TOP, right: PLOT_RIGHT, bottom: CUSUM_BOTTOM };
    let cusum_label = match threshold {
        Some(h) => format!("CUSUM statistic: a signal when it reaches h = {}", short(h)),
        None => "CUSUM statistic".to_string(),
    };
    svg.text((8.0, CUSUM_TOP - 12.0), "chart__label", &cusum_label);
    if t.points.is_empty() {
        svg.no_data(&figures);
        svg.no_data(&cusums);
        return svg.finish();
    }
    let slots = Slots { area: figures, count: t.points.len() };
    draw_signal_bands(&mut svg, t.points, &slots, &[figures, cusums]);
    draw_figures(&mut svg, t, &slots);
    draw_cusum(&mut svg, t.points, threshold, &Slots { area: cusums, count: t.points.len() });
    draw_period_labels(&mut svg, t.points, &slots, CUSUM_BOTTOM);
    svg.finish()
}

/// The periods side by side, each in the middle of its own slot.
struct Slots {
    area: Rect,
    count: usize,
}

impl Slots {
    fn width(&self) -> f64 {
        self.area.width() / self.count as f64
    }

    fn x(&self, i: usize) -> f64 {
        self.area.left + (i as f64 + 0.5) * self.width()
    }
}

/// A light band behind each signalled period, in both panels, joining the signal to the figures.
fn draw_signal_bands(svg: &mut Svg, points: &[TrendPoint], slots: &Slots, panels: &[Rect]) {
    let half = (slots.width() * 0.45).min(20.0);
    for (i, _) in points.iter().enumerate().filter(|(_, p)| p.signal) {
        for panel in panels {
            let band = Rect { left: slots.x(i) - half, right: slots.x(i) + half, ..*panel };
            svg.rect("chart__signal-band", &band);
        }
    }
}

/// The upper panel: the peers' figure dashed, this service's solid with a dot per period.
fn draw_figures(svg: &mut Svg, t: &Trend, slots: &Slots) {
    let fit = |v: Option<f64>| v.filter(|v| v.is_finite()).map(|v| t.scale.fit(v));
    let values = t.points.iter().flat_map(|p| [fit(p.value), fit(p.peers)]).flatten();
    let Some((lo, hi)) =
        values.fold(None, |range: Option<(f64, f64)>, v| Some(range.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v)))))
    else {
        svg.no_data(&slots.area);
        return;
    };
    let axis = Axis::covering(lo, hi, 4, 0.0);
    let axis = if t.scale == Scale::Percent { axis.within(0.0, 1.0) } else { axis };
    let area = slots.area;
    let at = |i: usize, v: Option<f64>| fit(v).map(|v| (slots.x(i), axis.place(v, area.bottom, area.top)));
    svg.y_axis(&axis, &area, |v| t.scale.tick(v, axis.decimals()));
    let peers = polyline(t.points.iter().enumerate().map(|(i, p)| at(i, p.peers)), &area);
    svg.path("chart__line chart__line--peers", &peers);
    let service = polyline(t.points.iter().enumerate().map(|(i, p)| at(i, p.value)), &area);
    svg.path("chart__line chart__line--service", &service);
    for point in t.points.iter().enumerate().filter_map(|(i, p)| at(i, p.value)) {
        svg.circle(point, 3.5, "chart__dot");
    }
}

/// The lower panel: the statistic, its threshold and a triangle at each signal, placed at
/// the threshold or above it (the statistic may be given after its reset to 0).
fn draw_cusum(svg: &mut Svg, points: &[TrendPoint], threshold: Option<f64>, slots: &Slots) {
    let fit = |v: Option<f64>| v.filter(|v| v.is_finite()).map(|v| v.clamp(0.0, LARGEST));
    let largest = points.iter().filter_map(|p| fit(p.cusum)).chain(threshold).reduce(f64::max);
    let area = slots.area;
    let axis = Axis::covering(0.0, largest.unwrap_or(1.0).max(1e-6), 3, 0.0);
    let y = |v: f64| axis.place(v, area.bottom, area.top);
    match largest {
        Some(_) => svg.y_axis(&axis, &area, |v| fixed(v, axis.decimals())),
        // Signals are still marked, at the top: the caller said they happened.
        None => svg.no_data(&area),
    }
    if let Some(h) = threshold {
        svg.path("chart__threshold", &level((area.left, area.right), y(h)));
        svg.text((area.right + 5.0, y(h) + FONT * 0.35), "chart__threshold-label", "h");
    }
    let line = polyline(points.iter().enumerate().map(|(i, p)| fit(p.cusum).map(|c| (slots.x(i), y(c)))), &area);
    svg.path("chart__cusum", &line);
    for (i, c) in points.iter().enumerate().filter_map(|(i, p)| fit(p.cusum).map(|c| (i, c))) {
        svg.circle((slots.x(i), y(c)), 2.5, "chart__cusum-dot");
    }
    for (i, point) in points.iter().enumerate().filter(|(_, p)| p.signal) {
        let level = fit(point.cusum).into_iter().chain(threshold).reduce(f64::max).unwrap_or(axis.hi);
        let mark_y = y(level).clamp(area.top + 6.0, area.bottom - 5.0);
        svg.path("chart__signal", &triangle((slots.x(i), mark_y), 6.0));
    }
}

/// The periods' labels under the lower panel, on two lines where they need them, and only
/// every so many when they would crowd (always the latest).
fn draw_period_labels(svg: &mut Svg, points: &[TrendPoint], slots: &Slots, bottom: f64) {
    let lines: Vec<Vec<String>> = points.iter().map(|p| period_lines(&p.label, slots.width() - 4.0)).collect();
    let widest = lines.iter().flatten().map(|l| text_width(l, FONT)).fold(0.0, f64::max);
    let every = ((widest + 8.0) / slots.width()).ceil().max(1.0) as usize;
    for (i, label) in lines.iter().enumerate().filter(|(i, _)| (points.len() - 1 - i).is_multiple_of(every)) {
        for (row, line) in label.iter().enumerate() {
            svg.text((slots.x(i), bottom + 16.0 + 14.0 * row as f64), "chart__tick chart__tick--x", line);
        }
    }
}

/// A period's label, split before its last word when it is too wide: "Aug–Oct" over "2026".
fn period_lines(label: &str, width: f64) -> Vec<String> {
    let label = label.trim();
    match label.rsplit_once(' ') {
        Some((first, last)) if text_width(label, FONT) > width => vec![first.to_string(), last.to_string()],
        _ => vec![label.to_string()],
    }
}

/// The chart in words, for people who cannot see it.
fn describe(t: &Trend, threshold: Option<f64>) -> String {
    let (Some(first), Some(last)) = (t.points.first(), t.points.last()) else {
        return format!("{}: no data.", t.y_label);
    };
    let mut words = format!(
        "{} for this service and similar services over {} periods, {} to {}, with the CUSUM statistic below.",
        t.y_label,
        t.points.len(),
        first.label.trim(),
        last.label.trim()
    );
    let finite = |v: Option<f64>| v.filter(|v| v.is_finite()).map(|v| t.scale.format(t.scale.fit(v)));
    match t.points.iter().rev().find_map(|p| finite(p.value).map(|v| (p, v))) {
        Some((latest, value)) => {
            words.push_str(&format!(" Latest, {}: this service {value}", latest.label.trim()));
            if let Some(peers) = finite(latest.peers) {
                words.push_str(&format!(", similar services {peers}"));
            }
            words.push('.');
        }
        None => words.push_str(" No figures for this service in these periods."),
    }
    let signals: Vec<String> = t.points.iter().filter(|p| p.signal).map(|p| p.label.trim().to_string()).collect();
    let h = threshold.map_or(String::new(), |h| format!(" h = {}", short(h)));
    if signals.is_empty() {
        words.push_str(&format!(" The CUSUM did not reach its threshold{h} in any period."));
    } else {
        words.push_str(&format!(" The CUSUM reached its threshold{h} in {}.", in_words_list(&signals)));
    }
    words
}

/// A threshold as people write it: 4, 4.5, 3.25.
fn short(value: f64) -> String {
    let text = fixed(value, 2);
    if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_string() } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_period_labels_go_on_two_lines() {
        assert_eq!(period_lines("Aug–Oct 2026", 40.0), vec!["Aug–Oct", "2026"]);
        assert_eq!(period_lines("Aug–Oct 2026", 200.0), vec!["Aug–Oct 2026"]);
        assert_eq!(period_lines("Q3", 10.0), vec!["Q3"]);
    }

    #[test]
    fn thresholds_read_naturally() {
        assert_eq!(short(4.0), "4");
        assert_eq!(short(4.5), "4.5");
        assert_eq!(short(3.256), "3.26");
    }
}
