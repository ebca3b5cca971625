//! Writing the SVG text: the root with its accessible name, escaped text, shapes by class,
//! and the parts every chart shares (title, legend, axis label, "No data").

use std::fmt::Write;

use super::axis::{Axis, Rect, num};

/// Text sizes in drawing units; `.chart text` and `.chart__title` in candour.css match them.
const FONT: f64 = 13.0;
const TITLE_FONT: f64 = 15.0;
/// The left and right margin of the title, legend and axis label.
pub(super) const MARGIN: f64 = 8.0;

/// An SVG document being written, element by element, in drawing order.
pub(super) struct Svg {
    out: String,
    pub width: f64,
}

impl Svg {
    /// The root, scaled by the stylesheet, named by its title and described in words for
    /// people who cannot see it. `id` prefixes the ids, so several charts share a page.
    pub fn new(id: &str, (width, height): (f64, f64), title: &str, desc: &str) -> Svg {
        let id = element_id(id);
        let (w, h) = (num(width), num(height));
        let mut svg = Svg { out: String::with_capacity(8 * 1024), width };
        svg.write(format_args!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" \
             height=\"{h}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\">\
             <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
            escape(title),
            escape(desc)
        ));
        svg
    }

    pub fn finish(mut self) -> String {
        self.out.push_str("</svg>");
        self.out
    }

    fn write(&mut self, args: std::fmt::Arguments) {
        // Writing to a String cannot fail.
        let _ = self.out.write_fmt(args);
    }

    pub fn text(&mut self, (x, y): (f64, f64), class: &str, text: &str) {
        self.write(format_args!("<text x=\"{}\" y=\"{}\" class=\"{class}\">{}</text>", num(x), num(y), escape(text)));
    }

    /// A path; nothing when there is nothing to draw.
    pub fn path(&mut self, class: &str, d: &str) {
        if !d.is_empty() {
            self.write(format_args!("<path class=\"{class}\" d=\"{d}\"/>"));
        }
    }

    /// A circle, styled by its group when `class` is empty: thousands of dots stay small.
    pub fn circle(&mut self, (cx, cy): (f64, f64), r: f64, class: &str) {
        let (cx, cy, r) = (num(cx), num(cy), num(r));
        if class.is_empty() {
            self.write(format_args!("<circle cx=\"{cx}\" cy=\"{cy}\" r=\"{r}\"/>"));
        } else {
            self.write(format_args!("<circle class=\"{class}\" cx=\"{cx}\" cy=\"{cy}\" r=\"{r}\"/>"));
        }
    }

    pub fn rect(&mut self, class: &str, r: &Rect) {
        let (x, y, w, h) = (num(r.left), num(r.top), num(r.width()), num(r.height()));
        self.write(format_args!("<rect class=\"{class}\" x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\"/>"));
    }

    pub fn group(&mut self, class: &str) {
        self.write(format_args!("<g class=\"{class}\">"));
    }

    pub fn end_group(&mut self) {
        self.out.push_str("</g>");
    }

    /// Level gridlines at the axis's ticks, their labels to the left, and the plot's left
    /// and bottom edges.
    pub fn y_axis(&mut self, axis: &Axis, area: &Rect, label: impl Fn(f64) -> String) {
        let ticks: Vec<(f64, String)> =
            axis.ticks().map(|tick| (axis.place(tick, area.bottom, area.top), label(tick))).collect();
        self.path("chart__grid", &ticks.iter().map(|(y, _)| level((area.left, area.right), *y)).collect::<String>());
        for (y, text) in &ticks {
            self.text((area.left - 6.0, y + FONT * 0.35), "chart__tick chart__tick--y", text);
        }
        let (l, t, b, r) = (num(area.left), num(area.top), num(area.bottom), num(area.right));
        self.path("chart__axis", &format!("M{l} {t}L{l} {b} {r} {b}"));
    }

    /// Upright gridlines at the axis's ticks with their labels below the plot.
    pub fn x_axis(&mut self, axis: &Axis, area: &Rect, label: impl Fn(f64) -> String) {
        let ticks: Vec<(f64, String)> =
            axis.ticks().map(|tick| (axis.place(tick, area.left, area.right), label(tick))).collect();
        let (t, b) = (num(area.top), num(area.bottom));
        self.path(
            "chart__grid",
            &ticks.iter().map(|(x, _)| format!("M{} {t}L{} {b}", num(*x), num(*x))).collect::<String>(),
        );
        for (x, text) in &ticks {
            self.text((*x, area.bottom + 18.0), "chart__tick chart__tick--x", text);
        }
    }

    /// The visible title, the legend and the figure's label above the plot; returns the
    /// y where the plot may begin.
    pub fn header(&mut self, title: &str, legend: &[Key], y_label: &str) -> f64 {
        let width = self.width - 2.0 * MARGIN;
        let mut y = 6.0;
        for line in wrap(title, width, TITLE_FONT * 1.05) {
            y += TITLE_FONT * 1.3;
            self.text((MARGIN, y), "chart__title", &line);
        }
        y = self.legend(legend, y + 6.0);
        for line in wrap(y_label, width, FONT) {
            y += FONT * 1.35;
            self.text((MARGIN, y), "chart__label", &line);
        }
        y + 12.0
    }

    /// The legend as rows of keys, each a small sample of the mark and its words; returns
    /// the y below it.
    fn legend(&mut self, keys: &[Key], top: f64) -> f64 {
        const ROW: f64 = 20.0;
        const SAMPLE: f64 = 22.0;
        let right = self.width - MARGIN;
        let (mut x, mut mid) = (MARGIN, top + ROW / 2.0);
        self.group("chart__legend");
        for key in keys {
            let width = SAMPLE + 6.0 + text_width(&key.text, FONT);
            if x > MARGIN && x + width > right {
                (x, mid) = (MARGIN, mid + ROW);
            }
            let centre = (x + SAMPLE / 2.0, mid);
            match key.mark {
                Mark::Dot(class) => self.circle(centre, 3.5, class),
                Mark::Diamond(class) => self.path(class, &diamond(centre, 6.0)),
                Mark::Triangle(class) => self.path(class, &triangle(centre, 6.0)),
                Mark::Line(class) => self.path(class, &level((x, x + SAMPLE), mid)),
                Mark::LineAndDot(line, dot) => {
                    self.path(line, &level((x, x + SAMPLE), mid));
                    self.circle(centre, 3.5, dot);
                }
            }
            self.text((x + SAMPLE + 6.0, mid + FONT * 0.35), "chart__key", &key.text);
            x += width + 18.0;
        }
        self.end_group();
        if keys.is_empty() { top } else { mid + ROW / 2.0 }
    }

    /// An empty plot that says so, rather than axes for nothing.
    pub fn no_data(&mut self, area: &Rect) {
        self.rect("chart__frame", area);
        let (x, y) = area.centre();
        self.text((x, y + FONT * 0.35), "chart__empty", "No data");
    }
}

/// One entry of a legend.
pub(super) struct Key {
    pub mark: Mark,
    pub text: String,
}

impl Key {
    pub fn new(mark: Mark, text: &str) -> Key {
        Key { mark, text: text.to_string() }
    }
}

/// How a legend entry is drawn, each with the class of the mark it stands for.
pub(super) enum Mark {
    Dot(&'static str),
    Diamond(&'static str),
    Triangle(&'static str),
    Line(&'static str),
    LineAndDot(&'static str, &'static str),
}

/// A level line from x `from` to `to` at `y`.
pub(super) fn level((from, to): (f64, f64), y: f64) -> String {
    format!("M{} {}L{} {}", num(from), num(y), num(to), num(y))
}

/// A diamond of half-diagonal `r` around `centre`: this service, a different shape from its peers' dots.
pub(super) fn diamond((x, y): (f64, f64), r: f64) -> String {
    format!("M{} {}L{} {} {} {} {} {}Z", num(x), num(y - r), num(x + r), num(y), num(x), num(y + r), num(x - r), num(y))
}

/// An upward triangle around `centre`: a signal.
pub(super) fn triangle((x, y): (f64, f64), r: f64) -> String {
    let base = y + r * 0.8;
    format!("M{} {}L{} {} {} {}Z", num(x), num(y - r), num(x + r), num(base), num(x - r), num(base))
}

/// How wide `text` will be, roughly: an average glyph is about 0.55 em in the site's sans-serif.
pub(super) fn text_width(text: &str, font: f64) -> f64 {
    text.chars().count() as f64 * font * 0.55
}

/// `text` in lines that fit `width`, broken between words; at most two lines, the second
/// cut short with "…" if it must be (the title and description carry the whole text).
pub(super) fn wrap(text: &str, width: f64, font: f64) -> Vec<String> {
    let max_chars = ((width / (font * 0.55)) as usize).max(8);
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= max_chars => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    if lines.len() > 2 {
        let rest = lines.split_off(1).join(" ");
        lines.push(shortened(&rest, max_chars));
    }
    lines.iter_mut().for_each(|line| *line = shortened(line, max_chars));
    lines
}

fn shortened(line: &str, max_chars: usize) -> String {
    if line.chars().count() <= max_chars {
        return line.to_string();
    }
    let mut cut: String = line.chars().take(max_chars.saturating_sub(1)).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

/// Text safe in XML content and attributes; characters XML cannot hold at all are left out.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {}
            c => out.push(c),
        }
    }
    out
}

/// An id that is valid and safe anywhere: letters, digits, '-' and '_', starting with a letter.
fn element_id(prefix: &str) -> String {
    let cleaned: String =
        prefix.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect();
    if cleaned.starts_with(|c: char| c.is_ascii_alphabetic()) { cleaned } else { format!("chart-{cleaned}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_ids_are_made_safe() {
        assert_eq!(escape("<b>Tom & \"Jerry's\"</b>"), "&lt;b&gt;Tom &amp; &quot;Jerry&#39;s&quot;&lt;/b&gt;");
        assert_eq!(escape("a\u{0}b\u{1b}c\nd"), "abc d");
        assert_eq!(element_id("positive_overall"), "positive_overall");
        assert_eq!(element_id("9 x\"><script>"), "chart-9-x---script-");
        assert_eq!(element_id(""), "chart-");
    }

    #[test]
    fn long_text_wraps_onto_two_lines_at_most() {
        assert_eq!(wrap("Short title", 600.0, 13.0), vec!["Short title"]);
        let lines = wrap(&"word ".repeat(200), 300.0, 13.0);
        assert_eq!(lines.len(), 2);
        assert!(lines[1].ends_with('…'));
        assert!(lines.iter().all(|l| text_width(l, 13.0) <= 300.0));
        assert!(wrap("", 300.0, 13.0).is_empty());
    }
}
