//! `candour sync cqc`: brings the register up to date from the regulator's API,
//! one listing page at a time, each page imported in its own transaction and the
//! cursor saved after it, so that an interrupted sync continues where it stopped.

use anyhow::Context;
use chrono::{DateTime, Utc};

use candour_cqc::client::{ApiKey, ClientConfig, CqcClient, SYNC_STATE_KEY, SyncSink, SyncState, sync};
use candour_cqc::{ImportOptions, Parsed, plan, update_snapshot};
use candour_domain::ProviderId;
use candour_store::{ImportCounts, RegisterSnapshot, RegisterStore};
use candour_store_sqlite::SqliteStore;

use crate::DbArgs;
use crate::progress::Bar;

pub async fn run(db: &DbArgs, since: Option<DateTime<Utc>>, full: bool, base_url: &str) -> anyhow::Result<()> {
    let key = std::env::var("CQC_API_KEY")
        .ok()
        .filter(|k| !k.trim().is_empty())
        .context("set CQC_API_KEY to your CQC API subscription key")?;
    let store = super::open_store(db).await?;
    let mut state = match store.get_state(SYNC_STATE_KEY).await? {
        Some(text) => SyncState::from_json(&text).context("the saved sync state is not readable")?,
        None => SyncState::default(),
    };
    if let Some(since) = since {
        // An explicit start replaces the saved cursor and any unfinished run.
        state = SyncState { synced_until: Some(since), run: None };
    }
    let mut config = ClientConfig::new(ApiKey::new(key));
    config.base_url = base_url.trim_end_matches('/').to_string();
    let client = CqcClient::new(config)?;
    let mut sink = StoreSink { snapshot: store.register_snapshot().await?, store, counts: ImportCounts::default() };
    let report = sync(&client, state, full, &mut sink, &Bar::new("pages")).await?;
    println!(
        "{} {} page(s) from the CQC API{}: {} location record(s), {} provider record(s), {} problem(s).",
        if report.resumed { "Resumed and fetched" } else { "Fetched" },
        report.pages,
        if report.full { " (every location)" } else { " (changes)" },
        report.locations,
        report.providers,
        report.problems,
    );
    if let Some(until) = report.until {
        println!("The register is up to date with the API as of {}.", until.format("%Y-%m-%dT%H:%M:%SZ"));
    }
    super::import::print_counts(&sink.counts);
    Ok(())
}

/// Plans each batch against an in-memory register kept current between batches,
/// applies it, and keeps the cursor in the database.
struct StoreSink {
    store: SqliteStore,
    snapshot: RegisterSnapshot,
    counts: ImportCounts,
}

impl SyncSink for StoreSink {
    type Error = anyhow::Error;

    fn has_provider(&self, id: &ProviderId) -> bool {
        self.snapshot.providers.contains_key(id)
    }

    /// A record the API serves but we cannot read is listed and skipped: one bad
    /// record must not hold back the rest of the register.
    async fn apply(&mut self, batch: Parsed) -> anyhow::Result<()> {
        let planned = plan(batch, &self.snapshot, &ImportOptions { skip_invalid: true, ..ImportOptions::default() })
            .map_err(|rejected| anyhow::anyhow!("{rejected}"))?;
        for problem in &planned.problems {
            eprintln!("skipped: {problem}");
        }
        self.store.apply_import(&planned.plan).await?;
        update_snapshot(&mut self.snapshot, &planned.plan);
        add_counts(&mut self.counts, &planned.plan.counts);
        Ok(())
    }

    async fn save(&mut self, state: &SyncState) -> anyhow::Result<()> {
        Ok(self.store.set_state(SYNC_STATE_KEY, &state.to_json()).await?)
    }
}

fn add_counts(total: &mut ImportCounts, batch: &ImportCounts) {
    total.added += batch.added;
    total.changed += batch.changed;
    total.unchanged += batch.unchanged;
    total.deregistered += batch.deregistered;
    total.providers_added += batch.providers_added;
    total.providers_changed += batch.providers_changed;
    total.ratings_added += batch.ratings_added;
    total.ratings_changed += batch.ratings_changed;
    total.ratings_unchanged += batch.ratings_unchanged;
    total.skipped_rows += batch.skipped_rows;
}

/// Parses `--since`: UTC as the API writes it, `YYYY-MM-DDTHH:MM:SSZ`.
pub fn parse_since(value: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(value.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("{value:?} is not a UTC time like 2026-11-01T00:00:00Z"))
}
