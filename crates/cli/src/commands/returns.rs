//! `candour import provider-returns FILE`: providers' monthly figures from the CSV
//! template (`examples/provider-returns.csv`), read as the web upload reads it
//! (`candour_domain::returns::template`). Every row is checked first; one bad
//! row, or one location not in the register, and nothing is written.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context;
use candour_domain::LocationId;
use candour_domain::returns::Month;
use candour_domain::returns::template::{self, LOCATION_COLUMN, Problem, Row};
use candour_store::{
    ComplaintLog, Locations, MonitoringStore, ReturnBatch, ReturnSource, ReturnsStore, Store, StoreError,
};
use chrono::Utc;

use crate::ReturnsArgs;

pub async fn import(args: &ReturnsArgs) -> anyhow::Result<()> {
    let text = std::fs::read(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?;
    let store = super::open_store(&args.db).await?;
    let today = Utc::now().date_naive();
    // Complaint figures a location's complaint log counts may be left blank.
    let logs: HashMap<LocationId, ComplaintLog> = store
        .complaint_logs(Locations::All, ComplaintLog::ever(), today)
        .await
        .context("the complaint logs could not be read")?
        .rows
        .into_iter()
        .map(|log| (log.location_id.clone(), log))
        .collect();
    let counted = |id: &LocationId, month: Month| logs.get(id).and_then(|log| log.counts(month));
    let (rows, mut problems) = template::read(&text, today, &counted);
    problems.extend(unknown_locations(&store, &rows).await?);
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.line);
        let list: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
        anyhow::bail!(
            "{} has {} problem(s); nothing was imported:\n{}",
            args.file.display(),
            problems.len(),
            list.join("\n")
        );
    }
    let batch = ReturnBatch {
        returns: rows.into_iter().map(|r| (r.location, r.figures)).collect(),
        sent_by: None,
        sent_at: Utc::now(),
        source: ReturnSource::Csv,
    };
    let counts = store
        .save_returns(&batch)
        .await
        .with_context(|| format!("the returns in {} were not saved; nothing was imported", display(&args.file)))?;
    println!(
        "Provider returns from {}: {} added, {} replaced, {} unchanged.",
        display(&args.file),
        counts.added,
        counts.replaced,
        counts.unchanged
    );
    Ok(())
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

/// Rows naming a location that is not in the register, each named.
async fn unknown_locations(store: &dyn Store, rows: &[Row]) -> anyhow::Result<Vec<Problem>> {
    let mut known: HashMap<&LocationId, bool> = HashMap::new();
    let mut problems = Vec::new();
    for row in rows {
        if !known.contains_key(&row.location) {
            let found = match store.location(&row.location).await {
                Ok(_) => true,
                Err(StoreError::NotFound) => false,
                Err(e) => return Err(e).context("the register could not be read"),
            };
            known.insert(&row.location, found);
        }
        if !known[&row.location] {
            let reason = format!("there is no location with ID {} in the register", row.location);
            problems.push(Problem::new(row.line, Some(LOCATION_COLUMN), reason));
        }
    }
    Ok(problems)
}
