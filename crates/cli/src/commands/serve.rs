use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use candour_accounts::Accounts;
use candour_store::Store;
use candour_web::WebConfig;

use crate::DbArgs;

pub async fn run(db: &DbArgs, addr: SocketAddr, demo: bool, public_url: Option<String>) -> anyhow::Result<()> {
    let store = super::open_store(db).await?;
    if demo {
        if store.is_empty().await? {
            super::demo::seed_demo(&store, crate::Scale::Small, 42).await?;
        } else {
            println!("The database already holds a register; the demo register was not added.");
        }
    }
    // Build the in-memory directory now, so that the first visitor does not wait for it.
    store.register_stats().await?;
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener.local_addr()?;
    let public_url = public_url.unwrap_or_else(|| format!("http://{local}"));
    let config = WebConfig::new(&public_url)?;
    let store: Arc<dyn Store> = Arc::new(store);
    if demo {
        let accounts = Accounts::new(store.clone(), config.accounts.clone());
        let users = super::demo_users::ensure(store.as_ref(), &accounts).await?;
        println!("Demo sign-ins (password {}):", super::demo_users::DEMO_PASSWORD);
        for user in users {
            println!("  {:<36} {}", user.email, user.role);
        }
    }
    println!("Candour is running at {}/ (database {}). Press Ctrl-C to stop.", config.public_url(), db.db.display());
    candour_web::serve(listener, store, config).await.context("the web server stopped")?;
    Ok(())
}
