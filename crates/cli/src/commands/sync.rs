//! `candour sync cqc`: brings the register up to date from the regulator's API,
//! one listing page at a time, each page imported in its own transaction and the
//! cursor saved after it, so that an interrupted sync continues where it stopped.

use anyhow::Context;
use chrono::{DateTime, Utc};

use candour_cqc::client::{ApiKey, ClientConfig, CqcClient};

use crate::DbArgs;
use crate::progress::Bar;

pub async fn run(db: &DbArgs, since: Option<DateTime<Utc>>, full: bool, base_url: &str) -> anyhow::Result<()> {
    let key = std::env::var("CQC_API_KEY")
        .ok()
        .filter(|k| !k.trim().is_empty())
        .context("set CQC_API_KEY to your CQC API subscription key")?;
    let register = super::open_app(db).await?.register;
    let state = register.sync_state(since).await?;
    let mut config = ClientConfig::new(ApiKey::new(key));
    config.base_url = base_url.trim_end_matches('/').to_string();
    let client = CqcClient::new(config)?;
    let mut skipped = |problem: &candour_cqc::RowProblem| eprintln!("skipped: {problem}");
    let outcome = register.sync(&client, state, full, &Bar::new("pages"), &mut skipped).await?;
    let report = &outcome.report;
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
    super::import::print_counts(&outcome.counts);
    Ok(())
}

/// Parses `--since`: UTC as the API writes it, `YYYY-MM-DDTHH:MM:SSZ`.
pub fn parse_since(value: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(value.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("{value:?} is not a UTC time like 2026-11-01T00:00:00Z"))
}
