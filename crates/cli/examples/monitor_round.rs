//! How long one round of the live monitor takes after new responses, on a real
//! database (BENCHMARKS.md): a full computation, then the round that follows new
//! answers this month at every `EVERY`-th service (2: half of them), as under a
//! flood of feedback, timed three times.
//!
//!     cargo run --release -p candour --example monitor_round -- DB [EVERY]

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;

use candour_engine::monitoring::{MonitoringPolicy, Service};
use candour_monitor::{Snapshot, recompute};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: monitor_round DB [EVERY]";
    let db = candour_db::Database::parse(&args.next().context(usage)?).map_err(anyhow::Error::msg)?;
    let every: usize = args.next().map_or(Ok(2), |n| n.parse()).context(usage)?;
    anyhow::ensure!(every >= 1, usage);
    let store = candour_db::open(&db).await?.store();
    let policy = MonitoringPolicy::default();
    let today = chrono::Utc::now().date_naive();
    let (mut inputs, snapshot) = recompute(store.as_ref(), &policy, today).await?;
    let timings = snapshot.timings;
    println!("full round: load {:?}, compute {:?}", timings.load, timings.compute);
    let mut changed = Vec::new();
    for i in (0..inputs.services.len()).step_by(every) {
        let mut service = Service::clone(&inputs.services[i]);
        if let Some(latest) = service.months.last_mut().filter(|m| m.month == inputs.month) {
            latest.voice.responses += 1;
            latest.voice.rated += 1;
            latest.voice.positive += 1;
            inputs.services[i] = Arc::new(service);
            changed.push(i);
        }
    }
    println!("a new positive answer this month at {} of {} services", changed.len(), inputs.services.len());
    for _ in 0..3 {
        let started = Instant::now();
        let updated = Snapshot::update(&snapshot, &inputs, &changed, Duration::ZERO)?;
        println!("round: {:?} (people's ratings {:?})", started.elapsed(), updated.timings.people);
    }
    Ok(())
}
