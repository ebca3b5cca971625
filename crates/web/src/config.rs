//! How the web server is deployed: the address people reach it at (which decides
//! our origin for CSRF checks and whether cookies are `Secure`), whether a proxy in
//! front of it tells us the client's address, and how hard forms may be hit.

use std::fmt;
use std::time::Duration;

use candour_app::accounts::AccountPolicy;
use candour_engine::monitoring::MonitoringPolicy;

/// A limit of `per_minute` requests from one client address (or about one
/// service), allowing a burst of `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub per_minute: u32,
    pub burst: u32,
}

impl RateLimit {
    /// Signing in and asking for a password reset: enough for a person who mistypes,
    /// far too few for guessing passwords.
    pub const SIGN_IN: RateLimit = RateLimit { per_minute: 10, burst: 5 };

    /// Sending feedback from one address: a family filling in a form each on one
    /// home connection, or a care home's shared tablet, fits easily; a script does not.
    pub const FEEDBACK_PER_ADDRESS: RateLimit = RateLimit { per_minute: 10, burst: 5 };

    /// Sending feedback about one service, from anywhere: far above any real
    /// service's day (a poster in a busy reception), low enough to blunt a flood.
    pub const FEEDBACK_PER_SERVICE: RateLimit = RateLimit { per_minute: 120, burst: 60 };

    /// How long one request's allowance takes to come back.
    pub fn refill_interval(self) -> Duration {
        Duration::from_secs(60) / self.per_minute.max(1)
    }

    /// The limit as the store keeps it.
    pub fn allowance(self) -> candour_store::Allowance {
        candour_store::Allowance { per_minute: self.per_minute, burst: self.burst }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct WebConfig {
    /// The address people use, e.g. `https://candour.example.org`, without a path.
    public_url: String,
    /// `scheme://host[:port]`, as browsers send it in the `Origin` header.
    origin: String,
    secure_cookies: bool,
    /// Whether to read the client's address from `X-Forwarded-For` (set only behind
    /// a proxy that writes that header itself).
    pub trust_forwarded_for: bool,
    /// Limit on `POST /sign-in` and `POST /password-reset`, per client address.
    pub sign_in_limit: RateLimit,
    /// Limit on sending feedback (the form's final step and the API), per client address.
    pub feedback_per_address: RateLimit,
    /// Limit on sending feedback about any one service, whoever sends it.
    pub feedback_per_service: RateLimit,
    /// Sessions, lockout, link lifetimes and password hashing cost. Its
    /// `public_url` is set to ours, for the links in emails.
    pub accounts: AccountPolicy,
    /// Indicators, comparisons, flags and bands: stated with every result.
    pub monitoring: MonitoringPolicy,
    /// Whether the live monitor runs. Off (`candour serve --no-monitor`), monitoring
    /// pages answer that monitoring is not ready: for benchmarks and public-only sites.
    pub monitor_on: bool,
    /// The working days a complaint is acknowledged and answered within; each
    /// complaint keeps the policy it was received under.
    pub complaint_policy: candour_domain::complaints::ComplaintPolicy,
    /// When unacknowledged safeguarding alerts are escalated.
    pub alert_escalation: candour_app::voice::EscalationPolicy,
}

/// Why a public URL cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

impl WebConfig {
    /// Configuration for a site reached at `public_url` (`http://` or `https://`,
    /// a host, an optional port, no path). Cookies are `Secure` when it is https.
    pub fn new(public_url: &str) -> Result<Self, ConfigError> {
        let origin = parse_origin(public_url)?;
        Ok(Self {
            secure_cookies: origin.starts_with("https://"),
            public_url: origin.clone(),
            accounts: AccountPolicy { public_url: origin.clone(), ..AccountPolicy::default() },
            origin,
            trust_forwarded_for: false,
            sign_in_limit: RateLimit::SIGN_IN,
            feedback_per_address: RateLimit::FEEDBACK_PER_ADDRESS,
            feedback_per_service: RateLimit::FEEDBACK_PER_SERVICE,
            monitoring: MonitoringPolicy::default(),
            monitor_on: true,
            complaint_policy: candour_domain::complaints::ComplaintPolicy::default(),
            alert_escalation: candour_app::voice::EscalationPolicy::default(),
        })
    }

    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    pub fn secure_cookies(&self) -> bool {
        self.secure_cookies
    }
}

fn parse_origin(public_url: &str) -> Result<String, ConfigError> {
    let url = public_url.trim().trim_end_matches('/');
    let problem = |why: &str| ConfigError(format!("the public URL {public_url:?} is not valid: {why}"));
    let (scheme, rest) = url.split_once("://").ok_or_else(|| problem("it must start with http:// or https://"))?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return Err(problem("it must start with http:// or https://"));
    }
    if rest.is_empty() {
        return Err(problem("it names no host"));
    }
    if rest.contains(['/', '?', '#', '@']) || rest.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(problem("give only the scheme, host and port, like https://candour.example.org"));
    }
    let host_ok = rest.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if !host_ok {
        return Err(problem("the host may contain only letters, digits, dots, hyphens and a port"));
    }
    Ok(format!("{scheme}://{}", rest.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_urls_make_cookies_secure() {
        let config = WebConfig::new("HTTPS://Candour.Example.org/").unwrap();
        assert_eq!(config.origin(), "https://candour.example.org");
        assert!(config.secure_cookies());
        assert_eq!(config.accounts.public_url, "https://candour.example.org", "links in emails use it too");
        let local = WebConfig::new("http://127.0.0.1:8080").unwrap();
        assert_eq!(local.origin(), "http://127.0.0.1:8080");
        assert!(!local.secure_cookies());
    }

    #[test]
    fn urls_with_paths_or_other_schemes_are_refused() {
        for bad in
            ["candour.example.org", "ftp://x.org", "https://", "https://x.org/app", "https://u@x.org", "http://a b"]
        {
            let err = WebConfig::new(bad).unwrap_err();
            assert!(err.to_string().contains("is not valid"), "{bad}: {err}");
        }
    }

    #[test]
    fn the_sign_in_limit_refills_every_six_seconds() {
        assert_eq!(RateLimit::SIGN_IN.refill_interval(), Duration::from_secs(6));
    }
}
