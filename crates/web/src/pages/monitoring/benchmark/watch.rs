//! The service's place on the watchlist (which compares with all of England): its
//! band and score, its warning flags and its indicators at risk, each with the data
//! behind it. Shaped for the watchlist's own macros (`watchlist_macros.html`), so
//! that a band and a reason read the same on every monitoring page.

use candour_engine::monitoring::{CATALOGUE, Reason, WatchEntry};

use crate::pages::monitoring::watchlist::views::{BandBadge, ReasonView};
use crate::views::count_of;

pub struct WatchView {
    /// For the `band` macro.
    pub badge: BandBadge,
    /// The page's result in a sentence, for its summary.
    pub headline: String,
    pub score: String,
    pub flags: Vec<ReasonView>,
    pub indicators: Vec<ReasonView>,
}

impl WatchView {
    pub fn of(entry: &WatchEntry) -> Self {
        let is_indicator = |r: &&Reason| CATALOGUE.iter().any(|info| info.code == r.code);
        let flags: Vec<ReasonView> = entry.reasons.iter().filter(|r| !is_indicator(r)).map(ReasonView::of).collect();
        let indicators: Vec<ReasonView> = entry.reasons.iter().filter(is_indicator).map(ReasonView::of).collect();
        WatchView {
            badge: BandBadge::of(entry.band),
            headline: headline(entry.band, flags.len(), indicators.len()),
            score: score(entry),
            flags,
            indicators,
        }
    }
}

/// "Band 2 of 6 on the watchlist (band 1: look first), with 1 warning flag and 2 indicators at risk …".
fn headline(band: u8, flags: usize, indicators: usize) -> String {
    format!(
        "Band {band} of 6 on the watchlist (band 1: look first), with {} and {} against similar services \
         across England.",
        count_of(flags as u64, "warning flag", "warning flags"),
        count_of(indicators as u64, "indicator at risk", "indicators at risk")
    )
}

fn score(entry: &WatchEntry) -> String {
    let Some(score) = entry.score else {
        return "No indicator has enough data yet, so there is no score: band 6 unless a flag lifts it.".to_string();
    };
    let lifted = if entry.band < entry.score_band {
        format!(" The score alone gives band {}; a flag lifts it to band {}.", entry.score_band, entry.band)
    } else {
        String::new()
    };
    format!(
        "Score {score:.2}: {} at risk and {} at elevated risk of {} indicators with enough data, counted as \
         (risk + 2 × elevated) ÷ (2 × indicators with enough data).{lifted}",
        entry.risk, entry.elevated, entry.with_data
    )
}
