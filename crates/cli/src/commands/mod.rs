pub mod demo;
pub mod demo_users;
pub mod export;
pub mod import;
pub mod mail;
pub mod rate;
pub mod serve;
pub mod sync;
pub mod user;

use anyhow::Context;
use candour_store_sqlite::SqliteStore;

use crate::DbArgs;

pub async fn open_store(db: &DbArgs) -> anyhow::Result<SqliteStore> {
    SqliteStore::open(&db.db).await.with_context(|| format!("cannot open the database {}", db.db.display()))
}
