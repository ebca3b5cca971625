//! Delivery of the outbox by SMTP, each email as plain text and HTML. Every email
//! Candour sends (invitations, password resets, safeguarding alerts, notices) is
//! committed to the outbox first; the [`Mailer`] takes what is due, sends it, and
//! records the outcome: sent, or failed with a time to try again (1 minute,
//! doubling to 1 hour, jittered). It never deletes an email, so an alert committed
//! just before a crash is sent after the restart. A crash between sending and
//! recording can send one email twice; it never loses one.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, Message, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use url::Url;

use candour_domain::markup::text_to_html;
use candour_store::{OutboxEntry, OutboxHealth, OutboxStore, StoreError};

#[cfg(feature = "testing")]
pub mod testing;

/// How many due emails one pass takes at most.
const BATCH: u32 = 100;
/// The first wait after a failure; it doubles with each attempt, up to [`MAX_RETRY`].
const FIRST_RETRY: Duration = Duration::from_secs(60);
const MAX_RETRY: Duration = Duration::from_secs(3600);
/// How long to wait for the server at each step before giving up on this attempt.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a claimed email is left to its sender: longer than any attempt takes,
/// so that two instances never send one email, and short enough that an email
/// whose sender died goes soon after.
const LEASE: Duration = Duration::from_secs(5 * 30);

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The SMTP URL or sender address cannot be used, with the reason.
    #[error("{0}")]
    Settings(String),
}

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// TLS from the start (`smtps://`, usually port 465).
    Tls,
    /// Plain at first, then upgraded with STARTTLS, which must succeed (`?tls=starttls`).
    StartTls,
    /// No encryption: only for a relay on the same machine or a trusted network.
    None,
}

/// Where and how to send: parsed from a URL like `smtps://user:pass@smtp.example.org`,
/// `smtp://smtp.example.org:587?tls=starttls` or `smtp://localhost:25`, and the
/// sender's address.
#[derive(Clone, PartialEq, Eq)]
pub struct MailSettings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// User name and password, if the server wants them.
    pub credentials: Option<(String, String)>,
    pub from: Mailbox,
}

impl std::fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("user", &self.credentials.as_ref().map(|(user, _)| user))
            .field("from", &self.from.to_string())
            .finish()
    }
}

impl MailSettings {
    pub fn parse(smtp_url: &str, from: &str) -> Result<Self, MailError> {
        let bad = |why: &str| MailError::Settings(format!("the SMTP URL {why}"));
        let url = Url::parse(smtp_url.trim()).map_err(|e| bad(&format!("cannot be read ({e})")))?;
        let implicit_tls = match url.scheme() {
            "smtp" => false,
            "smtps" => true,
            _ => return Err(bad("must start with smtp:// or smtps://")),
        };
        let host = url.host_str().filter(|h| !h.is_empty()).ok_or_else(|| bad("has no host"))?.to_string();
        let mut security = if implicit_tls { Security::Tls } else { Security::None };
        for (key, value) in url.query_pairs() {
            match (key.as_ref(), value.as_ref(), implicit_tls) {
                ("tls", "starttls" | "required", false) => security = Security::StartTls,
                ("tls", "none", false) => security = Security::None,
                ("tls", _, true) => return Err(bad("uses TLS already (smtps://): leave out ?tls=")),
                ("tls", other, _) => return Err(bad(&format!("has tls={other}: use tls=starttls or tls=none"))),
                (other, _, _) => return Err(bad(&format!("has an unknown setting {other:?}: only tls is known"))),
            }
        }
        let port = url.port().unwrap_or(match security {
            Security::Tls => 465,
            Security::StartTls => 587,
            Security::None => 25,
        });
        let credentials = match (url.username(), url.password()) {
            ("", None) => None,
            (user, password) => Some((decode(user)?, decode(password.unwrap_or(""))?)),
        };
        let loopback = matches!(host.as_str(), "localhost" | "127.0.0.1" | "[::1]");
        if credentials.is_some() && security == Security::None && !loopback {
            return Err(bad("would send the password unencrypted: use smtps:// or add ?tls=starttls"));
        }
        let from = from
            .trim()
            .parse::<Mailbox>()
            .map_err(|e| MailError::Settings(format!("the sender address {from:?} is not valid ({e})")))?;
        Ok(Self { host, port, security, credentials, from })
    }

    fn transport(&self) -> Result<AsyncSmtpTransport<Tokio1Executor>, MailError> {
        let tls = |host: &str| {
            TlsParameters::new(host.to_string())
                .map_err(|e| MailError::Settings(format!("cannot set up TLS for {host} ({e})")))
        };
        let tls = match self.security {
            Security::Tls => Tls::Wrapper(tls(&self.host)?),
            Security::StartTls => Tls::Required(tls(&self.host)?),
            Security::None => Tls::None,
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&self.host)
            .port(self.port)
            .tls(tls)
            .timeout(Some(SMTP_TIMEOUT));
        if let Some((user, password)) = &self.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(builder.build())
    }
}

/// A user name or password as written in the URL, percent-encoding undone.
fn decode(part: &str) -> Result<String, MailError> {
    urlencoding::decode(part)
        .map(|v| v.into_owned())
        .map_err(|_| MailError::Settings("the SMTP URL's user name or password is not valid UTF-8".into()))
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pass {
    pub sent: u32,
    pub failed: u32,
    /// The pass took a full batch: more may be due at once.
    pub more: bool,
}

/// Sends the outbox.
pub struct Mailer {
    store: Arc<dyn OutboxStore>,
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    pub fn new(store: Arc<dyn OutboxStore>, settings: &MailSettings) -> Result<Self, MailError> {
        Ok(Self { store, transport: settings.transport()?, from: settings.from.clone() })
    }

    /// Tries each email due at `now` once, recording each outcome. Stops early
    /// when the server cannot be reached, leaving the rest for the next pass.
    pub async fn send_due(&self, now: DateTime<Utc>) -> Result<Pass, StoreError> {
        // One at a time, so that a pass that stops early holds no claim on the rest.
        let lease_until = now + chrono::Duration::from_std(LEASE).expect("minutes");
        let mut pass = Pass::default();
        for _ in 0..BATCH {
            let Some(email) = self.store.claim_due_emails(now, lease_until, 1).await?.pop() else {
                return Ok(pass);
            };
            match self.send(&email).await {
                Ok(()) => {
                    self.store.mark_email_sent(email.id, now).await?;
                    pass.sent += 1;
                }
                Err(failure) => {
                    let retry_at = now + retry_delay(email.attempts);
                    let (id, error) = (email.id, &failure.message);
                    tracing::warn!(email = id, to = %email.to, %error, %retry_at, "email not sent; will try again");
                    self.store.mark_email_failed(email.id, &failure.message, retry_at).await?;
                    pass.failed += 1;
                    if !failure.only_this_email {
                        return Ok(pass);
                    }
                }
            }
        }
        pass.more = true;
        Ok(pass)
    }

    /// Sends what is due now and every few seconds after, for as long as the task runs;
    /// warns in the log, hourly, while mail has been failing for an hour or more.
    pub async fn run(self, every: Duration) {
        let mut watch = FailureWatch::default();
        loop {
            let now = Utc::now();
            match self.send_due(now).await {
                Ok(pass) => {
                    if let Some(since) = watch.observe(&pass, now) {
                        tracing::warn!(%since, "mail has been failing for an hour or more: see /admin/outbox");
                    }
                    if pass.more {
                        continue;
                    }
                }
                Err(e) => tracing::error!(error = %e, "cannot read or update the outbox"),
            }
            tokio::time::sleep(every).await;
        }
    }

    async fn send(&self, email: &OutboxEntry) -> Result<(), Failure> {
        let to: Address = email.to.as_str().parse().map_err(|e| Failure::of_this_email(format!("bad address: {e}")))?;
        let mut builder = Message::builder().from(self.from.clone()).to(Mailbox::new(None, to)).subject(&email.subject);
        if let Some(url) = &email.unsubscribe_url {
            // RFC 8058: mail programs offer their own unsubscribe button, which posts to the link.
            builder = builder
                .header(ListUnsubscribe(format!("<{url}>")))
                .header(ListUnsubscribePost("List-Unsubscribe=One-Click".into()));
        }
        // Every email goes as text and HTML; one written as text alone gets its text as HTML.
        let html = email.html.clone().unwrap_or_else(|| text_to_html(&email.subject, &email.body));
        let message = builder
            .multipart(MultiPart::alternative_plain_html(email.body.clone(), html))
            .map_err(|e| Failure::of_this_email(format!("cannot build the message: {e}")))?;
        self.transport.send(message).await.map(drop).map_err(|e| Failure {
            // The server refused this message outright; others may still go.
            only_this_email: e.is_permanent(),
            message: e.to_string(),
        })
    }
}

/// Declares a header whose value is sent as it is given (ASCII only: links and fixed words).
macro_rules! plain_header {
    ($type:ident, $name:literal) => {
        #[derive(Clone)]
        struct $type(String);

        impl Header for $type {
            fn name() -> HeaderName {
                HeaderName::new_from_ascii_str($name)
            }

            fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
                Ok($type(s.to_string()))
            }

            fn display(&self) -> HeaderValue {
                HeaderValue::new(Self::name(), self.0.clone())
            }
        }
    };
}

plain_header!(ListUnsubscribe, "List-Unsubscribe");
plain_header!(ListUnsubscribePost, "List-Unsubscribe-Post");

/// Follows the sender's passes: since when every attempt has failed, and when to
/// say so again.
#[derive(Debug, Default)]
struct FailureWatch {
    failing_since: Option<DateTime<Utc>>,
    warned_at: Option<DateTime<Utc>>,
}

impl FailureWatch {
    /// Since when mail has been failing, when a warning is due at `now`: once the
    /// failures have gone on for [`OutboxHealth::FAILING_TOO_LONG`], then each such
    /// span after. A pass that sends anything ends the failing.
    fn observe(&mut self, pass: &Pass, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if pass.sent > 0 {
            *self = FailureWatch::default();
            return None;
        }
        if pass.failed > 0 && self.failing_since.is_none() {
            self.failing_since = Some(now);
        }
        let since = self.failing_since?;
        let last = self.warned_at.unwrap_or(since);
        (now - last >= OutboxHealth::FAILING_TOO_LONG).then(|| {
            self.warned_at = Some(now);
            since
        })
    }
}

/// Why one email was not sent, and whether the next one may fare better.
struct Failure {
    message: String,
    only_this_email: bool,
}

impl Failure {
    fn of_this_email(message: String) -> Self {
        Self { message, only_this_email: true }
    }
}

/// How long to wait after the `attempts`-th failed attempt (0 for the first):
/// 1 minute doubling to 1 hour, each between 80 % and 100 % of that so that
/// emails that failed together spread out.
fn retry_delay(attempts: u32) -> chrono::Duration {
    let full = FIRST_RETRY.saturating_mul(1 << attempts.min(16)).min(MAX_RETRY);
    let jittered = full.mul_f64(0.8 + 0.2 * fastrand::f64());
    chrono::Duration::from_std(jittered).expect("at most an hour")
}

#[cfg(test)]
mod tests {
    use super::*;

    const FROM: &str = "Candour <alerts@candour.example.org>";

    #[test]
    fn a_warning_is_due_after_an_hour_of_failures_then_hourly_until_one_is_sent() {
        let at = |minutes: i64| DateTime::<Utc>::UNIX_EPOCH + chrono::Duration::minutes(minutes);
        let (failed, sent, idle) =
            (Pass { sent: 0, failed: 1, more: false }, Pass { sent: 1, failed: 0, more: false }, Pass::default());
        let mut watch = FailureWatch::default();
        assert_eq!(watch.observe(&failed, at(0)), None);
        // Waiting for the retry: still failing.
        assert_eq!(watch.observe(&idle, at(30)), None);
        assert_eq!(watch.observe(&failed, at(59)), None);
        assert_eq!(watch.observe(&failed, at(60)), Some(at(0)), "an hour of failures");
        assert_eq!(watch.observe(&failed, at(90)), None, "said once an hour");
        assert_eq!(watch.observe(&idle, at(120)), Some(at(0)));
        assert_eq!(watch.observe(&sent, at(121)), None);
        assert_eq!(watch.observe(&failed, at(130)), None, "a new span begins");
        assert_eq!(watch.observe(&failed, at(190)), Some(at(130)));
        // Nothing failing, nothing said.
        assert_eq!(FailureWatch::default().observe(&idle, at(500)), None);
    }

    #[test]
    fn urls_give_host_port_security_and_credentials() {
        let s = MailSettings::parse("smtps://ann:p%40ss%2Fword@smtp.example.org", FROM).unwrap();
        assert_eq!((s.host.as_str(), s.port, s.security), ("smtp.example.org", 465, Security::Tls));
        assert_eq!(s.credentials, Some(("ann".into(), "p@ss/word".into())));
        assert_eq!(s.from.email.to_string(), "alerts@candour.example.org");

        let s = MailSettings::parse("smtp://smtp.example.org?tls=starttls", FROM).unwrap();
        assert_eq!((s.port, s.security, s.credentials), (587, Security::StartTls, None));
        let s = MailSettings::parse("smtp://localhost:2525", FROM).unwrap();
        assert_eq!((s.host.as_str(), s.port, s.security), ("localhost", 2525, Security::None));
        let s = MailSettings::parse("smtp://user:pw@127.0.0.1:25", FROM).unwrap();
        assert_eq!(s.credentials, Some(("user".into(), "pw".into())));
    }

    #[test]
    fn unusable_settings_are_refused_with_the_reason() {
        for (url, why) in [
            ("http://smtp.example.org", "smtp:// or smtps://"),
            ("smtp://", "no host"),
            ("smtp://smtp.example.org?tls=maybe", "tls=starttls or tls=none"),
            ("smtps://smtp.example.org?tls=starttls", "leave out"),
            ("smtp://smtp.example.org?timeout=5", "unknown setting"),
            ("smtp://ann:secret@smtp.example.org", "password unencrypted"),
            ("not a url", "cannot be read"),
        ] {
            let err = MailSettings::parse(url, FROM).unwrap_err().to_string();
            assert!(err.contains(why), "{url}: {err}");
        }
        let err = MailSettings::parse("smtp://localhost", "nobody").unwrap_err().to_string();
        assert!(err.contains("sender address"), "{err}");
    }

    #[test]
    fn the_password_is_never_printed() {
        let s = MailSettings::parse("smtps://ann:hunter2@smtp.example.org", FROM).unwrap();
        let shown = format!("{s:?}");
        assert!(shown.contains("ann") && !shown.contains("hunter2"), "{shown}");
    }

    #[test]
    fn retries_wait_a_minute_doubling_to_an_hour_with_jitter() {
        for _ in 0..50 {
            let seconds = |attempts| retry_delay(attempts).num_seconds();
            assert!((48..=60).contains(&seconds(0)), "{}", seconds(0));
            assert!((96..=120).contains(&seconds(1)));
            assert!((1536..=1920).contains(&seconds(5)));
            assert!((2880..=3600).contains(&seconds(6)));
            assert!((2880..=3600).contains(&seconds(u32::MAX)));
        }
    }
}
