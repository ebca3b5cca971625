//! `candour import provider-returns FILE`: providers' monthly figures from the CSV
//! template (`examples/provider-returns.csv`), read as the web upload reads it,
//! by the same service. Every row is checked first; one bad row, or one location
//! not in the register, and nothing is written. The server's operator imports
//! them: they are kept with no sender, as imported on the server.

use anyhow::Context;
use candour_app::returns::ReturnsError;
use chrono::Utc;

use crate::ReturnsArgs;

pub async fn import(args: &ReturnsArgs) -> anyhow::Result<()> {
    let text = std::fs::read(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?;
    let returns = super::open_app(&args.db).await?.returns;
    let file = match returns.check_server_file(&text, Utc::now().date_naive()).await {
        Ok(file) => file,
        Err(ReturnsError::FileProblems(problems)) => {
            let list: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
            anyhow::bail!(
                "{} has {} problem(s); nothing was imported:\n{}",
                args.file.display(),
                problems.len(),
                list.join("\n")
            );
        }
        Err(other) => return Err(other.into()),
    };
    let counts = returns
        .save_on_server(file, Utc::now())
        .await
        .with_context(|| format!("the returns in {} were not saved; nothing was imported", args.file.display()))?;
    println!(
        "Provider returns from {}: {} added, {} replaced, {} unchanged.",
        args.file.display(),
        counts.added,
        counts.replaced,
        counts.unchanged
    );
    Ok(())
}
