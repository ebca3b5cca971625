//! The watchlist as CSV: one row per service in watchlist order, the same columns
//! wherever it is exported (the watchlist page, `candour recompute --csv`).

use std::io::Write;

use crate::snapshot::Watched;

const HEADER: [&str; 17] = [
    "band",
    "score",
    "location_id",
    "name",
    "provider_id",
    "provider",
    "local_authority",
    "region",
    "service_type",
    "beds",
    "peer_group",
    "risk",
    "elevated",
    "indicators_with_data",
    "last_inspection",
    "rating",
    "reasons",
];

pub fn write_watchlist_csv<'a, W: Write>(
    rows: impl Iterator<Item = Watched<'a>>,
    out: &mut csv::Writer<W>,
) -> csv::Result<()> {
    out.write_record(HEADER)?;
    for row in rows {
        let (facts, entry) = (row.facts, row.entry);
        let reasons: Vec<&str> = entry.reasons.iter().map(|r| r.text.as_str()).collect();
        out.write_record([
            entry.band.to_string(),
            entry.score.map_or(String::new(), |s| format!("{s:.3}")),
            facts.id.to_string(),
            facts.name.clone(),
            facts.provider_id.to_string(),
            facts.provider_name.clone(),
            facts.local_authority.clone().unwrap_or_default(),
            facts.region.map_or(String::new(), |r| r.name().to_string()),
            facts.kind.name().to_string(),
            facts.beds.map_or(String::new(), |b| b.to_string()),
            entry.peer_group.clone(),
            entry.risk.to_string(),
            entry.elevated.to_string(),
            entry.with_data.to_string(),
            facts.last_inspection.map_or(String::new(), |d| d.to_string()),
            facts.rating.map_or(String::new(), |(r, _)| r.to_string()),
            reasons.join(" "),
        ])?;
    }
    Ok(())
}
