use std::time::Instant;

use candour_store::Store;
use candour_store_sqlite::SqliteStore;

use crate::{DbArgs, Scale};

pub async fn run(db: &DbArgs, scale: Scale, seed: u64) -> anyhow::Result<()> {
    let store = super::open_store(db).await?;
    if !store.is_empty().await? {
        anyhow::bail!(
            "{} already holds a register; the demo is only added to an empty database (choose another --db)",
            db.db.display()
        );
    }
    let started = Instant::now();
    let counts = seed_demo(&store, scale, seed).await?;
    println!(
        "Demo register written to {} in {:.1} s: {} locations, {} providers, {} ratings.",
        db.db.display(),
        started.elapsed().as_secs_f64(),
        counts.added,
        counts.providers_added,
        counts.ratings_added
    );
    Ok(())
}

/// Generates the demo register and writes it in one transaction.
pub async fn seed_demo(store: &SqliteStore, scale: Scale, seed: u64) -> anyhow::Result<candour_store::ImportCounts> {
    let scale = match scale {
        Scale::Small => candour_demo::Scale::Small,
        Scale::National => candour_demo::Scale::National,
    };
    let plan = tokio::task::spawn_blocking(move || candour_demo::generate(scale, seed)).await?;
    store.apply_import(&plan).await?;
    Ok(plan.counts)
}
