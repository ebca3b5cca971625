use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use anyhow::Context;
use candour_store::RegisterStore;

use crate::DbArgs;

pub async fn run(db: &DbArgs, file: &Path) -> anyhow::Result<()> {
    let store = super::open_store(db).await?;
    let snapshot = store.register_snapshot().await?;
    let out = File::create(file).with_context(|| format!("cannot create {}", file.display()))?;
    let today = chrono::Utc::now().date_naive();
    let rows = candour_demo::export_directory(&snapshot, BufWriter::new(out), today)
        .with_context(|| format!("cannot write {}", file.display()))?;
    println!("Wrote {rows} locations to {}.", file.display());
    Ok(())
}
