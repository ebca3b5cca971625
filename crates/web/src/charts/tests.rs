//! The charts read back as XML: well-formed, inside their drawing, honest about their data.

use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use super::funnel::sample_limits;
use super::*;

/// One element of a chart, in drawing order.
#[derive(Debug)]
struct Element {
    name: String,
    attributes: Vec<(String, String)>,
    text: String,
    /// The classes of the groups it is in.
    groups: Vec<String>,
}

impl Element {
    fn get(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    fn number(&self, name: &str) -> Option<f64> {
        self.get(name).map(|v| v.parse().unwrap_or_else(|_| panic!("{name}={v:?} is not a number")))
    }

    fn has_class(&self, class: &str) -> bool {
        self.get("class").is_some_and(|c| c.split(' ').any(|c| c == class))
    }

    fn in_legend(&self) -> bool {
        self.groups.iter().any(|g| g == "chart__legend")
    }

    fn is_shape(&self) -> bool {
        matches!(self.name.as_str(), "path" | "circle" | "rect")
    }
}

/// Parses a chart, failing the test unless it is one well-formed `<svg>` element.
fn parse(svg: &str) -> Vec<Element> {
    let mut reader = Reader::from_str(svg);
    let mut elements: Vec<Element> = Vec::new();
    // Indexes of the open elements.
    let mut open: Vec<usize> = Vec::new();
    let mut roots = 0;
    loop {
        let event =
            reader.read_event().unwrap_or_else(|e| panic!("not XML at {}: {e}\n{svg}", reader.buffer_position()));
        match event {
            Event::Start(e) => {
                roots += usize::from(open.is_empty());
                elements.push(element(&e, &elements, &open));
                open.push(elements.len() - 1);
            }
            Event::Empty(e) => {
                roots += usize::from(open.is_empty());
                elements.push(element(&e, &elements, &open));
            }
            Event::End(_) => {
                open.pop().expect("no end without a start");
            }
            Event::Text(t) => append(&mut elements, &open, &t.xml10_content()),
            Event::GeneralRef(r) => {
                let name: &str = &r;
                let resolved = match r.resolve_char_ref().expect("character references are valid") {
                    Some(c) => c.to_string(),
                    None => resolve_predefined_entity(name).expect("only XML's own entities").to_string(),
                };
                append(&mut elements, &open, &resolved);
            }
            Event::Eof => break,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(open.is_empty(), "unclosed elements");
    assert_eq!(roots, 1);
    assert_eq!(elements[0].name, "svg");
    elements
}

fn element(e: &BytesStart, elements: &[Element], open: &[usize]) -> Element {
    let attributes = (e.attributes())
        .map(|a| {
            let a = a.expect("attributes are well-formed and not repeated");
            let value = a.normalized_value(XmlVersion::Implicit1_0).expect("attribute values unescape");
            (a.key.as_ref().to_string(), value.into_owned())
        })
        .collect();
    let groups = (open.iter())
        .filter(|&&i| elements[i].name == "g")
        .filter_map(|&i| elements[i].get("class").map(str::to_string))
        .collect();
    let name = e.name().as_ref().to_string();
    Element { name, attributes, text: String::new(), groups }
}

fn append(elements: &mut [Element], open: &[usize], text: &str) {
    let &i = open.last().expect("no text outside the root");
    elements[i].text.push_str(text);
}

/// Fails unless every coordinate of every element lies inside the viewBox.
fn assert_inside_view_box(svg: &str) {
    assert!(!svg.contains("NaN") && !svg.contains("inf"), "a number that is not one:\n{svg}");
    let elements = parse(svg);
    let view_box: Vec<f64> = elements[0].get("viewBox").unwrap().split(' ').map(|v| v.parse().unwrap()).collect();
    let (width, height) = (view_box[2], view_box[3]);
    let inside = |x: f64, y: f64, what: &Element| {
        assert!((0.0..=width).contains(&x) && (0.0..=height).contains(&y), "({x}, {y}) outside in {what:?}");
    };
    for e in &elements {
        match e.name.as_str() {
            "text" => inside(e.number("x").unwrap(), e.number("y").unwrap(), e),
            "circle" => {
                let (cx, cy, r) = (e.number("cx").unwrap(), e.number("cy").unwrap(), e.number("r").unwrap());
                inside(cx - r, cy - r, e);
                inside(cx + r, cy + r, e);
            }
            "rect" => {
                let (x, y) = (e.number("x").unwrap(), e.number("y").unwrap());
                inside(x, y, e);
                inside(x + e.number("width").unwrap(), y + e.number("height").unwrap(), e);
            }
            "path" => {
                for (x, y) in path_points(e.get("d").unwrap()) {
                    inside(x, y, e);
                }
            }
            _ => {}
        }
    }
}

/// The points of path data made of absolute moves and lines, as the charts write it.
fn path_points(d: &str) -> Vec<(f64, f64)> {
    assert!(d.chars().all(|c| "MLZ -.".contains(c) || c.is_ascii_digit()), "unexpected path data {d}");
    let numbers: Vec<f64> =
        d.split(['M', 'L', 'Z', ' ']).filter(|s| !s.is_empty()).map(|s| s.parse().unwrap()).collect();
    assert!(numbers.len().is_multiple_of(2), "odd coordinates in {d}");
    numbers.chunks(2).map(|p| (p[0], p[1])).collect()
}

fn desc(elements: &[Element]) -> &str {
    &elements.iter().find(|e| e.name == "desc").unwrap().text
}

fn drawn<'a>(elements: &'a [Element], class: &str) -> Vec<&'a Element> {
    elements.iter().filter(|e| e.has_class(class) && !e.in_legend()).collect()
}

fn peers_drawn(elements: &[Element]) -> usize {
    elements.iter().filter(|e| e.name == "circle" && e.groups.iter().any(|g| g == "chart__peers")).count()
}

/// A peer group spread around 80%, with n from 5 to about 300: deterministic, no randomness needed.
fn peers(count: usize) -> Vec<FunnelPoint> {
    (0..count)
        .map(|i| {
            let n = 5.0 + ((i * 37) % 300) as f64;
            let wobble = (((i * 7919) % 101) as f64 / 100.0 - 0.5) * 0.6 / n.sqrt();
            FunnelPoint { n, value: (0.8 + wobble).clamp(0.0, 1.0) }
        })
        .collect()
}

fn funnel<'a>(peers: &'a [FunnelPoint], limits: &'a [LimitPoint], service: Option<FunnelPoint>) -> Funnel<'a> {
    Funnel {
        id: "positive",
        title: "Positive overall experience",
        y_label: "Positive overall experience (% of answers)",
        n_unit: "answers",
        scale: Scale::Percent,
        theta0: 0.81,
        limits,
        peers,
        service,
    }
}

fn period(label: &str, value: Option<f64>, cusum: Option<f64>, signal: bool) -> TrendPoint {
    TrendPoint { label: label.to_string(), value, peers: Some(0.81), cusum, signal }
}

fn trend(points: &[TrendPoint]) -> Trend<'_> {
    Trend {
        id: "positive-trend",
        title: "Positive overall experience over two years",
        y_label: "Positive overall experience (% of answers)",
        scale: Scale::Percent,
        threshold: 4.0,
        points,
    }
}

fn eight_periods() -> Vec<TrendPoint> {
    let labels = ["Nov–Jan 2025", "Feb–Apr 2025", "May–Jul 2025", "Aug–Oct 2025"];
    let labels = labels.iter().chain(&["Nov–Jan 2026", "Feb–Apr 2026", "May–Jul 2026", "Aug–Oct 2026"]);
    let values = [0.84, 0.82, 0.8, 0.77, 0.74, 0.7, 0.66, 0.62];
    let cusums = [0.0, 0.0, 0.4, 1.3, 2.6, 4.1, 1.2, 3.0];
    labels.zip(values).zip(cusums).map(|((l, v), c)| period(l, Some(v), Some(c), c >= 4.0)).collect()
}

#[test]
fn a_funnel_says_in_words_where_this_service_stands() {
    let peers = peers(200);
    let limits = sample_limits(0.81, 320.0);
    let svg = funnel_svg(&funnel(&peers, &limits, Some(FunnelPoint { n: 40.0, value: 0.58 })));
    assert_inside_view_box(&svg);
    let elements = parse(&svg);
    let root = &elements[0];
    assert_eq!(root.get("role"), Some("img"));
    assert_eq!(root.get("aria-labelledby"), Some("positive-title positive-desc"));
    assert!(elements.iter().any(|e| e.name == "title" && e.get("id") == Some("positive-title")));
    assert_eq!(
        desc(&elements),
        "Funnel plot of Positive overall experience (% of answers) against the number of answers, for 200 similar \
         services. This service: 58% from 40 answers; similar services 81%; below the 99.8% limit."
    );
    assert!(elements.iter().any(|e| e.name == "text" && e.text == "This service: 58%"));
    assert_eq!(peers_drawn(&elements), 200);
    assert_eq!(drawn(&elements, "chart__limit95").len(), 1);
    assert_eq!(drawn(&elements, "chart__limit998").len(), 1);
    assert_eq!(drawn(&elements, "chart__centre").len(), 1);
    let legend: Vec<&str> = elements.iter().filter(|e| e.has_class("chart__key")).map(|e| e.text.as_str()).collect();
    assert_eq!(legend, ["Similar services", "This service", "Similar services overall", "95% limits", "99.8% limits"]);
}

#[test]
fn this_service_is_drawn_once_and_last() {
    let peers = peers(3000);
    let limits = sample_limits(0.81, 320.0);
    let svg = funnel_svg(&funnel(&peers, &limits, Some(FunnelPoint { n: 150.0, value: 0.95 })));
    let elements = parse(&svg);
    let services = drawn(&elements, "chart__service");
    assert_eq!(services.len(), 1);
    let last_shape = elements.iter().rfind(|e| e.is_shape()).unwrap();
    assert!(last_shape.has_class("chart__service"), "the last shape drawn is {last_shape:?}");
    assert!(desc(&elements).contains("This service: 95% from 150 answers; similar services 81%; above the 99.8%"));
    // Without this service: no diamond outside the legend, and the words say so.
    let elements = parse(&funnel_svg(&funnel(&peers, &limits, None)));
    assert!(drawn(&elements, "chart__service").is_empty());
    assert!(desc(&elements).contains("No figure for this service. Similar services overall: 81%."));
}

#[test]
fn a_crowded_funnel_stays_small() {
    let peers = peers(3000);
    let limits = sample_limits(0.81, 320.0);
    let svg = funnel_svg(&funnel(&peers, &limits, Some(FunnelPoint { n: 150.0, value: 0.7 })));
    assert_inside_view_box(&svg);
    assert_eq!(peers_drawn(&parse(&svg)), 3000);
    assert!(svg.len() < 120_000, "{} bytes for 3,000 services", svg.len());
    // Limits sampled once per service still make four short curves.
    let dense = sample_dense(0.81, 320.0, 3000);
    let svg = funnel_svg(&funnel(&peers, &dense, None));
    let limits_markup: usize = parse(&svg).iter().filter(|e| e.name == "path").map(|e| e.get("d").unwrap().len()).sum();
    assert!(limits_markup < 20_000, "{limits_markup} bytes of paths");
}

fn sample_dense(theta0: f64, largest_n: f64, count: usize) -> Vec<LimitPoint> {
    let sparse = sample_limits(theta0, largest_n);
    (0..count).map(|i| sparse[i * sparse.len() / count]).collect()
}

#[test]
fn extreme_funnels_stay_inside_their_drawing() {
    let limits = sample_limits(0.5, 100.0);
    let edge = [
        FunnelPoint { n: 0.0, value: 0.0 },
        FunnelPoint { n: 0.0, value: 1.0 },
        FunnelPoint { n: 100.0, value: 1.0 },
        FunnelPoint { n: 1e15, value: 0.5 },
        FunnelPoint { n: 3.0, value: 7.5 },
        FunnelPoint { n: 4.0, value: -2.0 },
    ];
    let one = [FunnelPoint { n: 12.0, value: 0.4 }];
    let broken = [
        FunnelPoint { n: f64::NAN, value: 0.5 },
        FunnelPoint { n: 10.0, value: f64::INFINITY },
        FunnelPoint { n: -5.0, value: 0.5 },
        FunnelPoint { n: 20.0, value: 0.55 },
    ];
    let bad_limits = [
        LimitPoint { n: f64::NAN, lo95: 0.1, hi95: 0.9, lo998: 0.0, hi998: 1.0 },
        LimitPoint { n: 5.0, lo95: f64::NEG_INFINITY, hi95: 0.9, lo998: -3.0, hi998: 4.0 },
        LimitPoint { n: 10.0, lo95: 0.3, hi95: f64::NAN, lo998: 0.2, hi998: 0.8 },
    ];
    let cases: [(&[FunnelPoint], &[LimitPoint], Option<FunnelPoint>); 6] = [
        (&edge, &limits, Some(FunnelPoint { n: 0.0, value: 0.0 })),
        (&edge, &limits, Some(FunnelPoint { n: 1e15, value: 1.0 })),
        (&one, &[], None),
        (&[], &limits, Some(FunnelPoint { n: 7.0, value: 0.5 })),
        (&broken, &bad_limits, Some(FunnelPoint { n: f64::INFINITY, value: 0.5 })),
        (&broken, &bad_limits, Some(FunnelPoint { n: 10.0, value: 0.5 })),
    ];
    for (peers, limits, service) in cases {
        for scale in [Scale::Percent, Scale::Number { decimals: 2 }] {
            let f = Funnel { scale, theta0: f64::NAN, ..funnel(peers, limits, service) };
            assert_inside_view_box(&funnel_svg(&f));
        }
    }
    // What cannot be drawn is left out, not guessed at.
    let elements = parse(&funnel_svg(&funnel(&broken, &bad_limits, None)));
    assert_eq!(peers_drawn(&elements), 1);
}

#[test]
fn an_empty_funnel_says_no_data() {
    for limits in [vec![], sample_limits(0.8, 50.0)] {
        let svg = funnel_svg(&funnel(&[], &limits, None));
        assert_inside_view_box(&svg);
        let elements = parse(&svg);
        assert!(elements.iter().any(|e| e.name == "text" && e.text == "No data"));
        assert!(drawn(&elements, "chart__tick").is_empty(), "no axes for nothing");
    }
}

/// The numbers of the labelled ticks of one axis, from their text.
fn tick_values(elements: &[Element], class: &str) -> Vec<f64> {
    (elements.iter())
        .filter(|e| e.has_class(class))
        .map(|e| e.text.trim_end_matches('%').replace(',', "").parse().unwrap_or_else(|_| panic!("tick {:?}", e.text)))
        .collect()
}

fn assert_nice_steps(values: &[f64]) {
    assert!(values.len() >= 2, "{values:?}");
    let step = (values[1] - values[0]).abs();
    let mantissa = step / 10f64.powf(step.log10().floor());
    assert!([1.0, 2.0, 5.0].iter().any(|m| (mantissa - m).abs() < 1e-6), "step {step} in {values:?}");
    for pair in values.windows(2) {
        assert!(((pair[1] - pair[0]).abs() - step).abs() < step * 1e-6, "uneven ticks {values:?}");
    }
    for v in values {
        assert!(((v / step) - (v / step).round()).abs() < 1e-6, "{v} is not a whole number of steps {step}");
    }
}

#[test]
fn ticks_are_round_numbers_and_percentages_stay_within_0_to_100() {
    let peers = peers(300);
    let limits = sample_limits(0.81, 320.0);
    let elements = parse(&funnel_svg(&funnel(&peers, &limits, Some(FunnelPoint { n: 40.0, value: 0.62 }))));
    let y = tick_values(&elements, "chart__tick--y");
    assert_nice_steps(&y);
    assert!(y.iter().all(|v| (0.0..=100.0).contains(v)) && y.contains(&100.0), "{y:?}");
    let x = tick_values(&elements, "chart__tick--x");
    assert_nice_steps(&x);
    assert_eq!(x[0], 0.0);
    assert!(*x.last().unwrap() >= 304.0 && *x.last().unwrap() <= 400.0, "{x:?}");

    let rates: Vec<FunnelPoint> =
        (1..=50).map(|i| FunnelPoint { n: f64::from(i) * 7.3, value: 0.013 * f64::from(i % 7) }).collect();
    let f = Funnel { scale: Scale::Number { decimals: 3 }, theta0: 0.04, ..funnel(&rates, &[], None) };
    let elements = parse(&funnel_svg(&f));
    assert_nice_steps(&tick_values(&elements, "chart__tick--y"));
    assert_nice_steps(&tick_values(&elements, "chart__tick--x"));
}

#[test]
fn text_is_escaped() {
    let peers = peers(10);
    let f = Funnel {
        id: "a\"b<c>",
        title: "Care <&> \"quotes\" 'here'",
        y_label: "</text><script>alert(1)</script>",
        n_unit: "answers & stories",
        ..funnel(&peers, &[], None)
    };
    let svg = funnel_svg(&f);
    assert!(!svg.contains("<script>") && !svg.contains("<&>"));
    let elements = parse(&svg);
    assert_eq!(elements.iter().find(|e| e.name == "title").unwrap().text, "Care <&> \"quotes\" 'here'");
    assert!(elements.iter().any(|e| e.name == "text" && e.text == "Care <&> \"quotes\" 'here'"));
    assert!(desc(&elements).contains("</text><script>alert(1)</script>"));
    assert_eq!(elements[0].get("aria-labelledby"), Some("a-b-c--title a-b-c--desc"));

    let mut points = eight_periods();
    points[7].label = "<Q3 & Q4>".to_string();
    let svg = trend_svg(&Trend { title: "Trend <&>", ..trend(&points) });
    let elements = parse(&svg);
    assert_eq!(elements.iter().find(|e| e.name == "title").unwrap().text, "Trend <&>");
    assert!(elements.iter().any(|e| e.name == "text" && e.text.contains("<Q3")));
    assert!(desc(&elements).contains("Latest, <Q3 & Q4>: this service 62%"));
}

#[test]
fn charts_on_one_page_have_their_own_ids() {
    let peers = peers(10);
    let a = parse(&funnel_svg(&Funnel { id: "one", ..funnel(&peers, &[], None) }));
    let b = parse(&funnel_svg(&Funnel { id: "two", ..funnel(&peers, &[], None) }));
    let ids = |elements: &[Element]| -> Vec<String> {
        elements.iter().filter_map(|e| e.get("id")).map(str::to_string).collect()
    };
    assert_eq!(ids(&a), ["one-title", "one-desc"]);
    assert_eq!(ids(&b), ["two-title", "two-desc"]);
}

#[test]
fn a_trend_marks_exactly_the_signalled_periods() {
    let mut points = eight_periods();
    points[1].signal = true; // a signal given with its statistic already reset
    let svg = trend_svg(&trend(&points));
    assert_inside_view_box(&svg);
    let elements = parse(&svg);
    let signals = drawn(&elements, "chart__signal");
    assert_eq!(signals.len(), 2);
    // Each triangle stands in the middle of its period's slot, at or above the threshold line.
    let slot = (600.0 - 64.0) / 8.0;
    let threshold_y = path_points(drawn(&elements, "chart__threshold")[0].get("d").unwrap())[0].1;
    for (signal, period) in signals.iter().zip([1.0, 5.0]) {
        let corners = path_points(signal.get("d").unwrap());
        let centre = corners[0].0;
        assert!((centre - (64.0 + (period + 0.5) * slot)).abs() < 0.1, "{centre} for period {period}");
        assert!(corners[0].1 <= threshold_y, "the signal sits below the threshold");
    }
    assert_eq!(drawn(&elements, "chart__signal-band").len(), 4, "a band in each panel");
    assert_eq!(drawn(&elements, "chart__dot").len(), 8);
    assert_eq!(
        desc(&elements),
        "Positive overall experience (% of answers) for this service and similar services over 8 periods, \
         Nov–Jan 2025 to Aug–Oct 2026, with the CUSUM statistic below. Latest, Aug–Oct 2026: this service 62%, \
         similar services 81%. The CUSUM reached its threshold h = 4 in Feb–Apr 2025 and Feb–Apr 2026."
    );
    let quiet: Vec<TrendPoint> = eight_periods().into_iter().map(|p| TrendPoint { signal: false, ..p }).collect();
    let elements = parse(&trend_svg(&trend(&quiet)));
    assert!(drawn(&elements, "chart__signal").is_empty() && drawn(&elements, "chart__signal-band").is_empty());
    assert!(desc(&elements).ends_with("The CUSUM did not reach its threshold h = 4 in any period."));
}

#[test]
fn missing_periods_leave_gaps() {
    let mut points = eight_periods();
    points[3].value = None;
    points[3].cusum = Some(f64::NAN);
    points[4].value = Some(f64::INFINITY);
    let svg = trend_svg(&trend(&points));
    assert_inside_view_box(&svg);
    let elements = parse(&svg);
    let line = drawn(&elements, "chart__line--service")[0].get("d").unwrap();
    assert_eq!(line.matches('M').count(), 2, "{line}");
    assert_eq!(drawn(&elements, "chart__dot").len(), 6);
    assert_eq!(drawn(&elements, "chart__cusum")[0].get("d").unwrap().matches('M').count(), 2);
}

#[test]
fn extreme_trends_stay_inside_their_drawing() {
    let many: Vec<TrendPoint> = (0..120)
        .map(|i| TrendPoint {
            label: format!("Month {i} 2026"),
            value: Some(f64::from(i % 3) / 2.0),
            peers: Some(0.5),
            cusum: Some(f64::from(i % 11)),
            signal: i % 11 == 10,
        })
        .collect();
    let cases: Vec<Vec<TrendPoint>> = vec![
        vec![],
        vec![period("Only", Some(0.5), Some(0.0), false)],
        vec![period("Only", None, None, true)],
        vec![period("a", Some(0.0), Some(-3.0), false), period("b", Some(1.0), Some(1e300), true)],
        vec![period("a", Some(f64::NAN), Some(f64::INFINITY), false), period("b", Some(-1.0), None, true)],
        many,
    ];
    for points in &cases {
        for (scale, threshold) in
            [(Scale::Percent, 4.0), (Scale::Number { decimals: 1 }, f64::NAN), (Scale::Percent, -1.0)]
        {
            let svg = trend_svg(&Trend { scale, threshold, ..trend(points) });
            assert_inside_view_box(&svg);
            let elements = parse(&svg);
            let signalled = points.iter().filter(|p| p.signal).count();
            assert_eq!(drawn(&elements, "chart__signal").len(), signalled);
        }
    }
    let elements = parse(&trend_svg(&trend(&[])));
    assert_eq!(elements.iter().filter(|e| e.name == "text" && e.text == "No data").count(), 2);
    // Crowded labels are thinned, the latest always shown.
    let elements = parse(&trend_svg(&trend(&cases[5])));
    let labels: Vec<&str> =
        elements.iter().filter(|e| e.has_class("chart__tick--x")).map(|e| e.text.as_str()).collect();
    assert!(labels.len() < 60 && labels.contains(&"Month 119"), "{labels:?}");
}

#[test]
fn figures_read_naturally() {
    assert_eq!(Scale::Percent.format(0.62), "62%");
    assert_eq!(Scale::Percent.format(0.998), "99.8%");
    assert_eq!(Scale::Percent.format(0.9996), "99.9%");
    assert_eq!(Scale::Percent.format(0.0001), "0.1%");
    assert_eq!(Scale::Percent.format(1.0), "100%");
    assert_eq!(Scale::Number { decimals: 2 }.format(0.3456), "0.35");
    assert_eq!(Scale::Number { decimals: 0 }.format(-0.2), "0");
    assert_eq!(Scale::Number { decimals: 1 }.format(12345.67), "12,345.7");
    assert_eq!(Scale::Percent.tick(0.05, 2), "5%");
    assert_eq!(Scale::Percent.tick(0.025, 3), "2.5%");
    assert_eq!(amount(1500.0), "1,500");
    assert_eq!(amount(12.26), "12.3");
}
