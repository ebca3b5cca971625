use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use anyhow::Context;

use crate::DbArgs;

pub async fn run(db: &DbArgs, file: &Path) -> anyhow::Result<()> {
    let register = super::open_app(db).await?.register;
    let export = register.export_directory().await?;
    let out = File::create(file).with_context(|| format!("cannot create {}", file.display()))?;
    let today = chrono::Utc::now().date_naive();
    let rows = export.write(BufWriter::new(out), today).with_context(|| format!("cannot write {}", file.display()))?;
    println!("Wrote {rows} locations to {}.", file.display());
    Ok(())
}
