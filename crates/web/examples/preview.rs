#[path = "../tests/web/fixture.rs"]
#[allow(dead_code)]
mod fixture;
use std::sync::Arc;
use candour_store::Store;
#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let store = candour_store_sqlite::SqliteStore::open(&dir.path().join("p.db")).await.unwrap();
    store.apply_import(&fixture::plan()).await.unwrap();
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:8088".into());
    let listener = tokio::net::TcpListener::bind(&addr).await.unwrap();
    candour_web::serve(listener, Arc::new(store)).await.unwrap();
}
