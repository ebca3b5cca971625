//! `candour recompute`: every service's indicators, comparisons, flags and
//! watchlist band, computed afresh from the database, with how long it took. The
//! watchlist can be written as CSV, in the columns of the watchlist page's export.
//! A service whose stored data cannot be read is left out and listed; the rest are
//! still computed and written, and the command then fails (exits non-zero).

use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use chrono::NaiveDate;

use candour_engine::monitoring::MonitoringPolicy;
use candour_monitor::{Snapshot, recompute};

use crate::{DbArgs, MonitoringArgs};

impl MonitoringArgs {
    /// The policy these choices make, checked.
    pub fn policy(&self) -> anyhow::Result<MonitoringPolicy> {
        let mut policy = MonitoringPolicy { cusum_h: self.cusum_h, ..MonitoringPolicy::default() };
        policy.dispersion.min_n = self.min_n;
        policy.validate().context("the monitoring settings cannot be used")?;
        Ok(policy)
    }
}

pub async fn run(
    db: &DbArgs,
    today: Option<NaiveDate>,
    csv: Option<&Path>,
    monitoring: &MonitoringArgs,
) -> anyhow::Result<()> {
    let policy = monitoring.policy()?;
    let started = Instant::now();
    let store = super::open_store(db).await?.store();
    let today = today.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let (_, snapshot) = recompute(store.as_ref(), &policy, today).await.context("cannot recompute monitoring")?;
    let total = started.elapsed();
    if let Some(path) = csv {
        write_csv(&snapshot, path).with_context(|| format!("cannot write {}", path.display()))?;
    }
    let flags: usize = snapshot.results.iter().map(|r| r.flags.len()).sum();
    let summary = serde_json::json!({
        "month": snapshot.month,
        "services": snapshot.len(),
        "bands_1_to_6": snapshot.band_counts(),
        "flags": flags,
        "people_verdicts": candour_domain::people::Verdict::ALL
            .iter()
            .zip(snapshot.verdict_counts())
            .map(|(v, n)| (v.code(), n))
            .collect::<std::collections::BTreeMap<_, _>>(),
        "load_seconds": snapshot.timings.load.as_secs_f64(),
        "compute_seconds": snapshot.timings.compute.as_secs_f64(),
        "people_seconds": snapshot.timings.people.as_secs_f64(),
        "total_seconds": total.as_secs_f64(),
        "policy": policy,
        "not_computed": snapshot.not_computed.as_slice(),
    });
    println!("{}", serde_json::to_string_pretty(&summary)?);
    match snapshot.not_computed.as_slice() {
        [] => Ok(()),
        left_out => {
            let each: Vec<String> = left_out.iter().map(|n| format!("{}: {}", n.location, n.reason)).collect();
            let services = if left_out.len() == 1 { "service" } else { "services" };
            anyhow::bail!("{} {services} could not be computed: {}", left_out.len(), each.join("; "))
        }
    }
}

fn write_csv(snapshot: &Snapshot, path: &Path) -> anyhow::Result<()> {
    let mut out = csv::Writer::from_path(path)?;
    candour_monitor::write_watchlist_csv(snapshot.ranked(), &mut out)?;
    out.flush()?;
    Ok(())
}
