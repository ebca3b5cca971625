//! Notices: the emails that tell people what happened next, so that nothing waits
//! unseen. Each area composes its own [`Notice`]s and queues them through the
//! durable outbox in the same transaction as the event; this service addresses
//! them as each person has chosen (each alone, in a daily digest, or none), gives
//! each a one-click unsubscribe link, gathers the digests, and looks for the
//! notices that fall due with time (complaint deadlines) go once only.

mod follows;
mod kinds;
mod template;

use std::sync::Arc;

use chrono::{DateTime, Utc};

use candour_domain::working_days::latest_local_hour;
use candour_domain::{Email, LocationId};
use candour_store::{MailChoice, OutgoingEmail, Recipient, Store, StoreError, Unsubscribe};

use crate::Actor;
use crate::voice::{key_hash, new_submission_key};
pub use kinds::{MANAGERS, NoticeKind};
pub use template::{Link, Notice};

/// When each day's digests are gathered: 07:00 in England, before the working day.
pub const DIGEST_HOUR: u32 = 7;

#[derive(Clone)]
pub struct Notices {
    store: Arc<dyn Store>,
    public_url: String,
}

impl Notices {
    pub fn new(store: Arc<dyn Store>, public_url: impl Into<String>) -> Self {
        Notices { store, public_url: public_url.into() }
    }

    /// The start of every link the notices carry, like `https://candour.example`.
    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// The emails of `notice` to each person, as each has chosen for its kind: sent
    /// alone, held for their digest, or not at all.
    pub async fn emails(
        &self,
        notice: &Notice,
        to: &[Recipient],
        now: DateTime<Utc>,
    ) -> Result<Vec<OutgoingEmail>, StoreError> {
        let people: Vec<Email> = to.iter().map(|r| r.email.clone()).collect();
        let choices = self.store.mail_choices(notice.kind.code(), &people).await?;
        let kind = notice.kind;
        Ok(to
            .iter()
            .zip(choices)
            .filter_map(|(person, (_, choice))| {
                let for_digest = match choice {
                    MailChoice::None => return None,
                    MailChoice::Digest => kind.for_account_holders(),
                    MailChoice::Each => false,
                };
                let name = Some(person.name.clone()).filter(|n| !n.is_empty());
                let notice = Notice { name, ..notice.clone() };
                Some(notice.email(&person.email, self.footer(kind), for_digest, now))
            })
            .collect())
    }

    /// The registered managers and provider administrators of a service, whose accounts are in use.
    pub async fn managers_of(&self, location: &LocationId) -> Result<Vec<Recipient>, StoreError> {
        self.store.recipients_for(location, &MANAGERS).await
    }

    /// Which of these once-only notices have gone already.
    pub async fn sent(&self, keys: &[String]) -> Result<Vec<String>, StoreError> {
        self.store.sent_notices(keys).await
    }

    /// Queues a once-only notice's emails, unless it has gone already; whether it went now.
    pub async fn queue_once(
        &self,
        key: &str,
        emails: &[OutgoingEmail],
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.store.queue_once(key, emails, now).await
    }

    fn footer(&self, kind: NoticeKind) -> template::Footer {
        let secret = new_submission_key();
        template::Footer {
            unsubscribe: Unsubscribe {
                kind: kind.code().to_string(),
                token_hash: key_hash(&secret).expect("a fresh key is well formed"),
                url: format!("{}/unsubscribe/{secret}", self.public_url),
            },
            settings: kind.for_account_holders().then(|| self.settings_url()),
        }
    }

    fn settings_url(&self) -> String {
        format!("{}/account#emails", self.public_url)
    }

    /// Gathers every email held for a digest before today's digest time (or
    /// yesterday's, before 07:00) into one email per person; answers how many.
    pub async fn queue_digests(&self, now: DateTime<Utc>) -> Result<u32, StoreError> {
        let before = latest_local_hour(now, DIGEST_HOUR);
        let settings = self.settings_url();
        self.store.queue_digests(before, now, &move |digest| template::digest(digest, &settings, now)).await
    }

    /// Whom an unsubscribe link stops, and which kind: `NotFound` for a link not ours.
    pub async fn unsubscribing(&self, secret: &str) -> Result<(Email, NoticeKind), StoreError> {
        let hash = key_hash(secret).map_err(|_| StoreError::NotFound)?;
        let (email, code) = self.store.unsubscribe_link(&hash).await?;
        Ok((email, NoticeKind::parse(&code).ok_or(StoreError::NotFound)?))
    }

    /// Stops (or, with `resume`, starts again, each as it happens) the kind of email the link names.
    pub async fn unsubscribe(
        &self,
        secret: &str,
        resume: bool,
        now: DateTime<Utc>,
    ) -> Result<(Email, NoticeKind), StoreError> {
        let (email, kind) = self.unsubscribing(secret).await?;
        let choice = if resume { MailChoice::Each } else { MailChoice::None };
        self.store.set_mail_choice(&email, kind.code(), choice, now).await?;
        Ok((email, kind))
    }

    /// The kinds of email the signed-in person may get, with what they chose for each.
    pub async fn choices(&self, actor: &Actor) -> Result<Vec<(NoticeKind, MailChoice)>, StoreError> {
        let roles: Vec<_> = actor.principal.grants.iter().map(|g| g.role).collect();
        let made = self.store.mail_choices_of(&actor.principal.email).await?;
        Ok(NoticeKind::ALL
            .into_iter()
            .filter(|k| k.reaches(&roles))
            .map(|k| (k, made.iter().find(|(code, _)| code == k.code()).map(|(_, c)| *c).unwrap_or_default()))
            .collect())
    }

    /// Sets the signed-in person's choices from the form's `kind=choice` pairs. A
    /// choice that is not one is refused and nothing changes; a kind they cannot
    /// get (or another field) is passed over.
    pub async fn choose(&self, actor: &Actor, form: &[(String, String)], now: DateTime<Utc>) -> Result<(), StoreError> {
        let roles: Vec<_> = actor.principal.grants.iter().map(|g| g.role).collect();
        let mut chosen = Vec::new();
        for (code, value) in form {
            let Some(kind) = NoticeKind::parse(code).filter(|k| k.reaches(&roles)) else { continue };
            let choice = MailChoice::parse(value)
                .filter(|c| *c != MailChoice::Digest || kind.for_account_holders())
                .ok_or_else(|| StoreError::Invalid(format!("Choose how to get “{}”", kind.title())))?;
            chosen.push((kind, choice));
        }
        for (kind, choice) in chosen {
            self.store.set_mail_choice(&actor.principal.email, kind.code(), choice, now).await?;
        }
        Ok(())
    }
}
