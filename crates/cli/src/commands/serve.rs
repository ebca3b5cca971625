use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use candour_store::Store;

use crate::DbArgs;

pub async fn run(db: &DbArgs, addr: SocketAddr, demo: bool) -> anyhow::Result<()> {
    let store = super::open_store(db).await?;
    if demo {
        if store.is_empty().await? {
            super::demo::seed_demo(&store, crate::Scale::Small, 42).await?;
        } else {
            println!("The database already holds a register; the demo was not added.");
        }
    }
    // Build the in-memory directory now, so that the first visitor does not wait for it.
    store.register_stats().await?;
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener.local_addr()?;
    println!("Candour is running at http://{local}/ (database {}). Press Ctrl-C to stop.", db.db.display());
    candour_web::serve(listener, Arc::new(store)).await.context("the web server stopped")?;
    Ok(())
}
