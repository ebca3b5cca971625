//! `candour mail`: sending the outbox, and the mailer that runs beside the server.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chrono::Utc;

use candour_mail::{MailSettings, Mailer};
use candour_store::Store;

use crate::{DbArgs, MailArgs};

/// How often the mailer beside the server looks for emails due.
const EVERY: Duration = Duration::from_secs(5);

impl MailArgs {
    /// The settings, when an SMTP server is given.
    pub fn settings(&self) -> anyhow::Result<Option<MailSettings>> {
        let Some(url) = &self.smtp_url else { return Ok(None) };
        let from = self.mail_from.as_deref().context("give --mail-from (or CANDOUR_MAIL_FROM) with --smtp-url")?;
        Ok(Some(MailSettings::parse(url, from).context("cannot use the mail settings")?))
    }
}

/// Starts sending the outbox in the background when an SMTP server is given, and
/// says where emails go either way.
pub fn start(store: Arc<dyn Store>, settings: Option<MailSettings>) -> anyhow::Result<()> {
    match settings {
        Some(settings) => {
            println!("Emails are sent through {}:{}.", settings.host, settings.port);
            tokio::spawn(Mailer::new(store, &settings)?.run(EVERY));
        }
        None => println!("No SMTP server is set (--smtp-url): emails wait in the outbox at /admin/outbox."),
    }
    Ok(())
}

/// `candour mail send-due`: sends what is due now, once.
pub async fn send_due(db: &DbArgs, mail: &MailArgs) -> anyhow::Result<()> {
    let settings = mail.settings()?.context("give the SMTP server with --smtp-url (or CANDOUR_SMTP_URL)")?;
    let store: Arc<dyn Store> = super::open_store(db).await?.store();
    let mailer = Mailer::new(store, &settings)?;
    let (mut sent, mut failed) = (0, 0);
    loop {
        let pass = mailer.send_due(Utc::now()).await.context("cannot read or update the outbox")?;
        (sent, failed) = (sent + pass.sent, failed + pass.failed);
        if !pass.more {
            break;
        }
    }
    println!("Sent {sent} email{}.", if sent == 1 { "" } else { "s" });
    if failed > 0 {
        anyhow::bail!("{failed} email(s) could not be sent; they stay in the outbox and will be tried again later");
    }
    Ok(())
}
