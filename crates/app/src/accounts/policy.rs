//! The settings that shape signing in, and the clock the rules read.

use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

/// How long things last and how hard signing in is to guess at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountPolicy {
    /// A session ends after this long without use.
    pub session_idle: Duration,
    /// A session ends this long after sign-in, however busy.
    pub session_max: Duration,
    /// Consecutive failed sign-ins that lock an account.
    pub lockout_after: u32,
    /// How long a locked account refuses every sign-in.
    pub lockout_for: Duration,
    pub invitation_valid: Duration,
    pub reset_valid: Duration,
    /// Where people reach Candour, for the links in emails, without a trailing slash.
    pub public_url: String,
    pub password_cost: PasswordCost,
}

impl Default for AccountPolicy {
    fn default() -> Self {
        Self {
            session_idle: Duration::minutes(30),
            session_max: Duration::hours(12),
            lockout_after: 5,
            lockout_for: Duration::minutes(15),
            invitation_valid: Duration::days(7),
            reset_valid: Duration::hours(1),
            public_url: "http://127.0.0.1:8080".into(),
            password_cost: PasswordCost::RECOMMENDED,
        }
    }
}

impl AccountPolicy {
    /// Cookies get the `Secure` flag when people reach Candour over TLS.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// `public_url` followed by `path` (which starts with a slash).
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.public_url.trim_end_matches('/'))
    }
}

/// The argon2id parameters for new password hashes. Existing hashes keep the
/// parameters they were made with, so raising the cost needs no migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordCost {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl PasswordCost {
    /// OWASP's recommendation for argon2id: 19 MiB, two passes, one lane.
    pub const RECOMMENDED: PasswordCost = PasswordCost { memory_kib: 19 * 1024, iterations: 2, parallelism: 1 };
}

/// Where the rules read the time, so that tests can move it instead of waiting.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
}

/// The real time.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until moved: for tests of expiry and lockout.
#[derive(Debug)]
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self(Mutex::new(start))
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_secure_behind_tls_and_links_join_cleanly() {
        let mut policy = AccountPolicy::default();
        assert!(!policy.secure_cookies());
        policy.public_url = "https://candour.example.org/".into();
        assert!(policy.secure_cookies());
        assert_eq!(policy.url("/invitations/abc"), "https://candour.example.org/invitations/abc");
    }

    #[test]
    fn the_manual_clock_moves_only_when_told() {
        let start = DateTime::from_timestamp(1_700_000_000, 0).expect("valid time");
        let clock = ManualClock::new(start);
        assert_eq!(clock.now(), start);
        clock.advance(Duration::minutes(15));
        assert_eq!(clock.now(), start + Duration::minutes(15));
    }
}
