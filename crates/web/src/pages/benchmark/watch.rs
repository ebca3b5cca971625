//! The service's place on the watchlist (which compares with all of England): its
//! band and score, its warning flags and its indicators at risk, each with the data
//! behind it. Shaped for the watchlist's own macros (`watchlist_macros.html`), so
//! that a band and a reason read the same on every monitoring page.

use candour_engine::monitoring::{CATALOGUE, Fact, Reason, Seriousness, WatchEntry};

pub struct WatchView {
    /// For the `band` macro.
    pub badge: BandBadge,
    pub score: String,
    pub flags: Vec<ReasonView>,
    pub indicators: Vec<ReasonView>,
}

pub struct BandBadge {
    pub band: u8,
    pub label: String,
}

/// For the `reasons` macro.
pub struct ReasonView {
    pub seriousness: &'static str,
    pub modifier: &'static str,
    pub text: String,
    pub data: Vec<FactView>,
}

pub struct FactView {
    pub label: String,
    pub value: String,
}

impl WatchView {
    pub fn of(entry: &WatchEntry) -> Self {
        let is_indicator = |r: &&Reason| CATALOGUE.iter().any(|info| info.code == r.code);
        WatchView {
            badge: BandBadge { band: entry.band, label: format!("Band {}", entry.band) },
            score: score(entry),
            flags: entry.reasons.iter().filter(|r| !is_indicator(r)).map(reason).collect(),
            indicators: entry.reasons.iter().filter(is_indicator).map(reason).collect(),
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

fn reason(reason: &Reason) -> ReasonView {
    let (seriousness, modifier) = match reason.seriousness {
        Seriousness::Override => ("Look first", "override"),
        Seriousness::Serious => ("Serious", "serious"),
        Seriousness::Concern => ("Concern", "concern"),
    };
    ReasonView { seriousness, modifier, text: reason.text.clone(), data: reason.data.iter().map(fact).collect() }
}

fn fact(fact: &Fact) -> FactView {
    let mut chars = fact.label.chars();
    let label = chars.next().map_or(String::new(), |first| first.to_uppercase().chain(chars).collect());
    FactView { label, value: fact.value.clone() }
}
