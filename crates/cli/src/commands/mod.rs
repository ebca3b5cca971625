pub mod copy;
pub mod demo;
pub mod demo_users;
pub mod export;
pub mod import;
pub mod mail;
pub mod rate;
pub mod recompute;
pub mod returns;
pub mod serve;
pub mod stats;
pub mod sync;
pub mod user;

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use candour_app::{App, Settings};
use candour_db::{Database, Opened};
use candour_store::Store;

use crate::DbArgs;

impl DbArgs {
    /// The database the value names; a bad URL is refused without its password.
    pub fn database(&self) -> anyhow::Result<Database> {
        Database::parse(&self.db).map_err(|e| anyhow::anyhow!("--db: {e}"))
    }
}

/// Opens the database, bringing its schema up to date.
pub async fn open_store(db: &DbArgs) -> anyhow::Result<Opened> {
    let database = db.database()?;
    candour_db::open(&database).await.map_err(|e| candour_db::cannot_open(&database, e))
}

/// Every area's service over the database: what a command calls. The commands
/// that use it (imports, returns, sync) send no emails, so the address links
/// would start with is the server's default.
pub async fn open_app(db: &DbArgs) -> anyhow::Result<App> {
    let store: Arc<dyn Store> = open_store(db).await?.store();
    Ok(App::new(store, &Settings::new("http://127.0.0.1:8080")))
}

/// Reads the file, or standard input for `-`, as UTF-8 text, with a name for it in
/// messages. Refuses more than `max_bytes` at once rather than filling memory.
pub fn read_input(file: &Path, max_bytes: u64) -> anyhow::Result<(String, String)> {
    let (reader, source): (Box<dyn Read>, String) = if file == Path::new("-") {
        (Box::new(std::io::stdin().lock()), "standard input".to_string())
    } else {
        let opened = std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
        (Box::new(opened), file.display().to_string())
    };
    let mut bytes = Vec::new();
    reader.take(max_bytes + 1).read_to_end(&mut bytes).with_context(|| format!("cannot read {source}"))?;
    if bytes.len() as u64 > max_bytes {
        anyhow::bail!("{source} is larger than {} MiB: it is not the file expected", max_bytes / 1024 / 1024);
    }
    let text = String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{source} is not UTF-8 text"))?;
    Ok((text, source))
}
