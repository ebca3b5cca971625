//! How one of a person's own outcomes has gone, rating by rating: worse, about the
//! same or better, in the order they were given. Small enough for a phone.

use candour_domain::voice::Progress;
use chrono::{DateTime, Utc};

use super::axis::Rect;
use super::svg::Svg;

const WIDTH: f64 = 480.0;
const HEIGHT: f64 = 170.0;
const LEVELS: [Progress; 3] = [Progress::Worse, Progress::Same, Progress::Better];

/// The chart of `ratings` (oldest first) of the outcome called `what`.
pub fn progress_svg(id: &str, what: &str, ratings: &[(DateTime<Utc>, Progress)]) -> String {
    let title = format!("How it has gone: {what}");
    let desc = match ratings {
        [] => "Not rated yet.".to_string(),
        _ => {
            let said: Vec<String> =
                ratings.iter().map(|(at, p)| format!("{} on {}", p.label(), at.format("%-d %B %Y"))).collect();
            format!("{} ratings, oldest first: {}.", ratings.len(), said.join("; "))
        }
    };
    let mut svg = Svg::new(id, (WIDTH, HEIGHT), &title, &desc);
    let area = Rect { left: 118.0, top: 16.0, right: WIDTH - 40.0, bottom: HEIGHT - 34.0 };
    if ratings.is_empty() {
        svg.no_data(&area);
        return svg.finish();
    }
    let y = |p: Progress| {
        let step = LEVELS.iter().position(|l| *l == p).unwrap_or(1) as f64;
        area.bottom - step * area.height() / 2.0
    };
    let mut grid = String::new();
    for level in LEVELS {
        grid.push_str(&format!("M{} {}L{} {}", area.left, y(level), area.right, y(level)));
        svg.text((area.left - 8.0, y(level) + 4.5), "chart__tick chart__tick--y", level.label());
    }
    svg.path("chart__grid", &grid);
    let x = |i: usize| match ratings.len() {
        1 => (area.left + area.right) / 2.0,
        n => area.left + 12.0 + i as f64 * (area.width() - 24.0) / (n - 1) as f64,
    };
    let line: Vec<String> = ratings.iter().enumerate().map(|(i, (_, p))| format!("{:.1} {:.1}", x(i), y(*p))).collect();
    svg.path("chart__line chart__line--service", &format!("M{}", line.join("L")));
    for (i, (_, p)) in ratings.iter().enumerate() {
        svg.circle((x(i), y(*p)), 5.0, "chart__dot");
    }
    let first = ratings.first().map(|(at, _)| at.format("%b %Y").to_string()).unwrap_or_default();
    let last = ratings.last().map(|(at, _)| at.format("%b %Y").to_string()).unwrap_or_default();
    svg.text((x(0), HEIGHT - 12.0), "chart__tick chart__tick--x", &first);
    if ratings.len() > 1 {
        svg.text((x(ratings.len() - 1), HEIGHT - 12.0), "chart__tick chart__tick--x", &last);
    }
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: i64) -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + chrono::Duration::days(20_000 + d)
    }

    #[test]
    fn each_rating_is_a_dot_on_its_level_and_described_in_words() {
        let ratings = [(day(0), Progress::Worse), (day(40), Progress::Same), (day(100), Progress::Better)];
        let svg = progress_svg("walk", "Walk to the <shop>", &ratings);
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(svg.contains("How it has gone: Walk to the &lt;shop&gt;"), "{svg}");
        assert!(svg.contains("3 ratings, oldest first: Worse on"), "{svg}");
        let (worse, better) = (svg.find("cy=\"136\"").is_some(), svg.find("cy=\"16\"").is_some());
        assert!(worse && better, "worse at the bottom, better at the top: {svg}");
        assert!(progress_svg("none", "Bake", &[]).contains("No data"));
    }
}
