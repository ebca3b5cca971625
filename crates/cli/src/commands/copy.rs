//! `candour copy --from <db> --to <db>`: a whole deployment into an empty database,
//! then every table's row count and checksum on both sides.

use anyhow::bail;
use candour_db::Database;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub async fn run(from: &str, to: &str) -> anyhow::Result<()> {
    let from = Database::parse(from).map_err(|e| anyhow::anyhow!("--from: {e}"))?;
    let to = Database::parse(to).map_err(|e| anyhow::anyhow!("--to: {e}"))?;
    // Drawn only when standard error is a terminal.
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{msg:>24} [{bar:40}] {pos}/{len} rows ({eta})")
            .expect("static template is valid")
            .progress_chars("=> "),
    );
    let report = candour_db::copy(&from, &to, &bar).await?;
    print!("{}", report.render());
    let different: Vec<&str> = report.differences().iter().map(|t| t.table.as_str()).collect();
    if !different.is_empty() {
        bail!("the copy in {to} differs from {from} in: {}", different.join(", "));
    }
    println!("Copied {from} to {to}: every table has the same rows on both sides.");
    Ok(())
}
