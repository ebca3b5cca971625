//! Charts drawn on the server as inline SVG, so they need no JavaScript and take their
//! look from the site's stylesheet (classes only: the Content-Security-Policy allows no
//! inline style): a funnel plot of a service among its peers, and a trend over periods
//! with its CUSUM chart. Pure functions from plain figures to markup; every text is
//! escaped and every coordinate stays inside the drawing, whatever the input.

mod axis;
mod funnel;
mod progress;
mod svg;
mod trend;

#[cfg(test)]
mod tests;

pub use funnel::{Funnel, FunnelPoint, LimitPoint, funnel_svg};
pub use progress::progress_svg;
pub use trend::{Trend, TrendPoint, trend_svg};

/// Figures beyond this are not figures; they are held here so the arithmetic stays finite.
const LARGEST: f64 = 1e12;

/// How a chart's figures are read and labelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Proportions from 0 to 1, drawn within 0–100% and labelled "42%".
    Percent,
    /// Plain numbers, labelled with this many decimals: "0.35".
    Number { decimals: u8 },
}

impl Scale {
    /// Where a finite figure is drawn: a proportion stays within 0–100%.
    fn fit(self, value: f64) -> f64 {
        match self {
            Scale::Percent => value.clamp(0.0, 1.0),
            Scale::Number { .. } => value.clamp(-LARGEST, LARGEST),
        }
    }

    /// A figure in words: "62%", "0.35". A share that is neither none nor all never
    /// rounds to 0% or 100%.
    pub fn format(self, value: f64) -> String {
        match self {
            Scale::Percent => candour_domain::percent::percent_of_share(value),
            Scale::Number { decimals } => fixed(value, usize::from(decimals.min(6))),
        }
    }

    /// A tick's label on an axis whose step needs `decimals` digits after the point.
    fn tick(self, value: f64, decimals: usize) -> String {
        match self {
            Scale::Percent => format!("{}%", fixed(value * 100.0, decimals.saturating_sub(2))),
            Scale::Number { .. } => fixed(value, decimals),
        }
    }
}

/// `value` with `decimals` digits after the point and its thousands grouped: 1234.5 → "1,234.5".
/// Never "-0".
fn fixed(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) if rest.chars().any(|c| c.is_ascii_digit() && c != '0') => ("-", rest),
        Some(rest) => ("", rest),
        None => ("", text.as_str()),
    };
    let (whole, fraction) = digits.split_once('.').map_or((digits, None), |(w, f)| (w, Some(f)));
    let mut out = String::from(sign);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(fraction) = fraction {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

/// An amount of data in words: whole amounts without decimals, others with one.
fn amount(n: f64) -> String {
    if (n - n.round()).abs() < 1e-9 { fixed(n, 0) } else { fixed(n, 1) }
}

/// "a, b and c".
fn in_words_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}
