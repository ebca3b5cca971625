//! How monitoring reads on the watchlist and warning-signs pages: bands, scores,
//! reasons with the data behind them, the time since inspection, and the policy
//! behind it all, as ready-made text.

use chrono::{Datelike, NaiveDate};

use candour_domain::percent::percent_of_share;
use candour_domain::returns::Month;
use candour_engine::monitoring::{CATALOGUE, Fact, FlagKind, MonitoringPolicy, Reason, Seriousness, WatchEntry};
use candour_monitor::{ServiceFacts, Watched};

use crate::views::{RatingTag, Row, month_name};

/// The reasons shown on a watchlist row before "more reasons".
const TOP_REASONS: usize = 2;

/// A band in words, with a modifier the stylesheet gives a colour and a border
/// pattern; the words carry the meaning.
#[derive(Debug, Clone)]
pub struct BandBadge {
    pub band: u8,
    pub label: String,
}

impl BandBadge {
    pub fn of(band: u8) -> BandBadge {
        BandBadge { band, label: format!("Band {band}") }
    }
}

/// One reason in plain words, how serious it is, and the figures behind it.
#[derive(Debug, Clone)]
pub struct ReasonView {
    pub seriousness: &'static str,
    pub modifier: &'static str,
    pub text: String,
    pub data: Vec<FactView>,
}

#[derive(Debug, Clone)]
pub struct FactView {
    pub label: String,
    pub value: String,
}

impl ReasonView {
    pub fn of(reason: &Reason) -> ReasonView {
        let (seriousness, modifier) = seriousness_words(reason.seriousness);
        ReasonView { seriousness, modifier, text: reason.text.clone(), data: reason.data.iter().map(fact).collect() }
    }
}

fn fact(fact: &Fact) -> FactView {
    let mut label = fact.label.to_string();
    if let Some(first) = label.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    FactView { label, value: fact.value.clone() }
}

fn seriousness_words(seriousness: Seriousness) -> (&'static str, &'static str) {
    match seriousness {
        Seriousness::Override => ("Look first", "override"),
        Seriousness::Serious => ("Serious", "serious"),
        Seriousness::Concern => ("Concern", "concern"),
    }
}

/// A service's reasons, most serious first, split into those shown at once and the rest.
pub fn reasons(entry: &WatchEntry) -> (Vec<ReasonView>, Vec<ReasonView>) {
    let mut all: Vec<ReasonView> = entry.reasons.iter().map(ReasonView::of).collect();
    let rest = all.split_off(all.len().min(TOP_REASONS));
    (all, rest)
}

/// What to say when a service has no reasons at all.
pub fn no_reasons(entry: &WatchEntry) -> &'static str {
    if entry.with_data == 0 {
        "Not enough data yet to compare it with similar services."
    } else {
        "No warning signs: no indicator at risk and no flag raised."
    }
}

/// "0.42", or "No data" when no indicator had enough data.
pub fn score_text(entry: &WatchEntry) -> String {
    entry.score.map_or_else(|| "No data".to_string(), |s| format!("{s:.2}"))
}

/// "3 of 12 indicators at risk".
pub fn score_note(entry: &WatchEntry) -> String {
    match entry.with_data {
        0 => "No indicator has enough data".to_string(),
        n => format!("{} of {n} indicators at risk", entry.risk + entry.elevated),
    }
}

/// The name of a warning flag, as a short label.
pub fn flag_name(kind: FlagKind) -> &'static str {
    match kind {
        FlagKind::SevereSafeguardingAlert => "Severe safeguarding alert",
        FlagKind::ClosedCulture => "Closed-culture warning signs",
        FlagKind::NoRegisteredManager => "No registered manager",
        FlagKind::ManagerChanges => "Repeated manager changes",
        FlagKind::DataSilence => "Little or no feedback",
        FlagKind::FewComplaints => "Unusually few complaints",
        FlagKind::OverdueComplaints => "Complaints left unanswered",
    }
}

/// "Leeds · Homecare": where the service is and what kind it is compared as.
pub fn place(facts: &ServiceFacts) -> String {
    let local_authority = facts.local_authority.as_deref().unwrap_or("Local authority not known");
    format!("{local_authority} · {}", facts.kind.name())
}

/// The service's rating, and how long since it was last inspected on `today`.
pub fn inspection(row: &Watched<'_>, today: NaiveDate) -> (RatingTag, String) {
    (RatingTag::of(row.facts.rating.map(|(r, _)| r)), since(row.facts.last_inspection, today))
}

/// "3 years 2 months ago", "5 months ago", "Less than a month ago"; "Never".
pub fn since(last: Option<NaiveDate>, today: NaiveDate) -> String {
    let Some(last) = last else { return "Never".to_string() };
    let mut months = (today.year() - last.year()) * 12 + today.month() as i32 - last.month() as i32;
    if today.day() < last.day() {
        months -= 1;
    }
    let (years, months) = (months.max(0) / 12, months.max(0) % 12);
    let unit = |n: i32, one: &str, many: &str| if n == 1 { format!("1 {one}") } else { format!("{n} {many}") };
    match (years, months) {
        (0, 0) => "Less than a month ago".to_string(),
        (0, m) => format!("{} ago", unit(m, "month", "months")),
        (y, 0) => format!("{} ago", unit(y, "year", "years")),
        (y, m) => format!("{} {} ago", unit(y, "year", "years"), unit(m, "month", "months")),
    }
}

/// How the watchlist is worked out, from the policy it was worked out with.
pub fn policy_rows(policy: &MonitoringPolicy, month: Month) -> Vec<Row> {
    let bands = &policy.bands;
    let cuts = bands
        .cuts
        .iter()
        .enumerate()
        .map(|(i, cut)| format!("{} {}: {cut:.2} or more", if i == 0 { "Band" } else { "band" }, i + 1));
    let d = &policy.dispersion;
    vec![
        Row::text(
            "Score",
            format!(
                "(indicators at risk + 2 × indicators at elevated risk) ÷ (2 × indicators with enough data), from 0 to \
                 1. Each of the {} indicators is compared with similar services.",
                CATALOGUE.len()
            ),
        ),
        Row::text(
            "Risk and elevated risk",
            "Risk: an adjusted z-score of 1.96 or more on the bad side, or a CUSUM signal. Elevated risk: 3.09 or more.",
        ),
        Row::text(
            "Bands",
            format!(
                "{}; band 6: below {:.2}, or no indicator with enough data. Band 1 is where to look first.",
                cuts.collect::<Vec<_>>().join("; "),
                bands.cuts[4]
            ),
        ),
        Row::text(
            "Overrides",
            format!(
                "A severe safeguarding alert in the last {} days, or the warning signs of a closed culture, put a \
                 service in band 1. No registered manager keeps it in band {} or above. {} or more manager changes \
                 in {} months, {} months without feedback, unusually few complaints, or a complaint unanswered \
                 more than {} days after its deadline keep it in band {} or above. No good rating or good feedback \
                 offsets a flag.",
                policy.alert_days,
                bands.serious_band,
                policy.manager_changes,
                policy.manager_months,
                policy.silence_months,
                policy.complaint_overdue_days,
                bands.concern_band
            ),
        ),
        Row::text(
            "Data window",
            format!(
                "Each indicator is worked out over the {} months to {} (staff turnover over 12 months). The CUSUM \
                 charts run over the last {} months.",
                policy.window_months,
                month_name(month),
                policy.history_months
            ),
        ),
        Row::text(
            "Minimum n",
            format!(
                "An indicator needs at least {} (responses, bed-months, staff or events) behind it. Below that no \
                 figure is shown and it counts neither way: \"not enough data\".",
                d.min_n
            ),
        ),
        Row::text(
            "Similar services",
            format!(
                "The same type of service and size band, across England. Real variation between services is allowed \
                 for: z-scores winsorised at {} each end, estimated from at least {} services.",
                percent_of_share(d.trim),
                d.min_services
            ),
        ),
        Row::text(
            "CUSUM",
            format!(
                "On each window's adjusted z-score, with allowance k = {:.1} and threshold h = {:.1}.",
                policy.cusum_k, policy.cusum_h
            ),
        ),
    ]
}

/// The page about one service's indicators against its peers.
pub fn benchmark_href(row: &Watched<'_>) -> String {
    format!("/monitoring/locations/{}", row.facts.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn time_since_inspection_reads_in_years_and_months() {
        let today = date(2026, 11, 23);
        assert_eq!(since(Some(date(2023, 9, 1)), today), "3 years 2 months ago");
        assert_eq!(since(Some(date(2023, 9, 24)), today), "3 years 1 month ago");
        assert_eq!(since(Some(date(2025, 11, 23)), today), "1 year ago");
        assert_eq!(since(Some(date(2026, 6, 30)), today), "4 months ago");
        assert_eq!(since(Some(date(2026, 11, 1)), today), "Less than a month ago");
        assert_eq!(since(Some(date(2026, 12, 1)), today), "Less than a month ago");
        assert_eq!(since(None, today), "Never");
    }

    #[test]
    fn the_policy_is_stated_from_its_values() {
        let policy = MonitoringPolicy::default();
        let rows = policy_rows(&policy, Month::parse("2026-11").unwrap());
        let text = |key: &str| rows.iter().find(|r| r.key == key).map(|r| r.value.clone()).unwrap();
        assert!(text("Bands").starts_with("Band 1: 0.50 or more; band 2: 0.30 or more;"), "{}", text("Bands"));
        assert!(text("Data window").contains("3 months to November 2026"));
        assert!(text("CUSUM").contains("k = 0.5 and threshold h = 4.0"));
        assert!(text("Minimum n").contains(&format!("at least {}", policy.dispersion.min_n)));
        assert!(text("Overrides").contains("band 2 or above"));
    }
}
