use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use candour_app::accounts::Accounts;
use candour_app::voice::EscalationPolicy;
use candour_domain::complaints::ComplaintPolicy;
use candour_engine::monitoring::MonitoringPolicy;
use candour_store::Store;
use candour_web::WebConfig;

use crate::{DbArgs, MailArgs};

/// What `candour serve` turns on or off.
pub struct Switches {
    /// Read each client's address from `X-Forwarded-For`.
    pub trust_forwarded_for: bool,
    /// Run the live monitor.
    pub monitor: bool,
    /// Read replicas of the (PostgreSQL) database.
    pub read_replicas: Vec<String>,
}

pub async fn run(
    db: &DbArgs,
    addr: SocketAddr,
    demo: bool,
    public_url: Option<String>,
    switches: Switches,
    mail: &MailArgs,
    (monitoring, complaints, escalation): (MonitoringPolicy, ComplaintPolicy, EscalationPolicy),
) -> anyhow::Result<()> {
    // Check the mail settings before anything else, so that a mistake stops the start at once.
    let mail = mail.settings()?;
    let database = db.database()?;
    let opened = candour_db::open_with_replicas(&database, &switches.read_replicas)
        .await
        .map_err(|e| candour_db::cannot_open(&database, e))?;
    let add_demo = demo && opened.is_empty().await?;
    let store: Arc<dyn Store> = opened.store();
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener.local_addr()?;
    let public_url = public_url.unwrap_or_else(|| format!("http://{local}"));
    let mut config = WebConfig::new(&public_url)?;
    config.trust_forwarded_for = switches.trust_forwarded_for;
    config.monitor_on = switches.monitor;
    config.monitoring = monitoring;
    config.complaint_policy = complaints;
    config.alert_escalation = escalation;
    if demo {
        if add_demo {
            super::demo::seed_demo(&store, crate::Scale::Small, 42, config.public_url()).await?;
        } else {
            println!("The database already holds a register; the demo register was not added.");
        }
    }
    // Build the in-memory directory now, so that the first visitor does not wait for it.
    store.register_stats().await?;
    if demo {
        let accounts = Accounts::new(store.clone(), config.accounts.clone());
        let users = super::demo_users::ensure(store.as_ref(), &accounts).await?;
        println!("Demo sign-ins (password {}):", super::demo_users::DEMO_PASSWORD);
        for user in users {
            println!("  {:<36} {}", user.email, user.role);
        }
        let key = super::demo::DEMO_RETURN_KEY;
        println!("A person's private page, following what matters to them: {}/feedback/{key}", config.public_url());
    }
    super::mail::start(store.clone(), mail)?;
    println!("Candour is running at {}/ (database {}). Press Ctrl-C to stop.", config.public_url(), db.database()?);
    candour_web::serve(listener, store, config).await.context("the web server stopped")?;
    Ok(())
}
