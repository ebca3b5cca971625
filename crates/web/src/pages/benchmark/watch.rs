//! The service's place on the watchlist (which compares with all of England): its
//! band and score, its warning flags and its indicators at risk, each with the data
//! behind it. Shaped for the watchlist's own macros (`watchlist_macros.html`), so
//! that a band and a reason read the same on every monitoring page.

use candour_engine::monitoring::{CATALOGUE, Reason, WatchEntry};

use crate::pages::watchlist::views::{BandBadge, ReasonView};

pub struct WatchView {
    /// For the `band` macro.
    pub badge: BandBadge,
    pub score: String,
    pub flags: Vec<ReasonView>,
    pub indicators: Vec<ReasonView>,
}

impl WatchView {
    pub fn of(entry: &WatchEntry) -> Self {
        let is_indicator = |r: &&Reason| CATALOGUE.iter().any(|info| info.code == r.code);
        WatchView {
            badge: BandBadge::of(entry.band),
            score: score(entry),
            flags: entry.reasons.iter().filter(|r| !is_indicator(r)).map(ReasonView::of).collect(),
            indicators: entry.reasons.iter().filter(is_indicator).map(ReasonView::of).collect(),
        }
    }
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
