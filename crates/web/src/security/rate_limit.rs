//! A token bucket per key, in memory: each client address (or service) may make
//! `burst` requests at once and then one more every `60 / per_minute` seconds.
//! Used on sign-in and password reset, and on sending feedback, per address and
//! per service.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use candour_domain::LocationId;

use crate::config::RateLimit;
use crate::error::{PageError, WebError};
use crate::security::client_ip::ClientIp;

/// Past this many keys, buckets that have filled up again are forgotten.
const PRUNE_ABOVE: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

#[derive(Debug)]
pub struct RateLimiter<K = IpAddr> {
    limit: RateLimit,
    buckets: Mutex<HashMap<K, Bucket>>,
}

impl<K: Eq + Hash> RateLimiter<K> {
    pub fn new(limit: RateLimit) -> Arc<Self> {
        Arc::new(Self::unshared(limit))
    }

    fn unshared(limit: RateLimit) -> Self {
        Self { limit, buckets: Mutex::new(HashMap::new()) }
    }

    fn per_second(&self) -> f64 {
        f64::from(self.limit.per_minute.max(1)) / 60.0
    }

    fn capacity(&self) -> f64 {
        f64::from(self.limit.burst.max(1))
    }

    /// Takes one request's allowance for `key`, or says how long until there is one.
    pub fn check(&self, key: K, now: Instant) -> Result<(), Duration> {
        // A poisoned lock only means another request panicked mid-update; the map is still usable.
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() > PRUNE_ABOVE {
            let full_after = Duration::from_secs_f64(self.capacity() / self.per_second());
            buckets.retain(|_, b| now.saturating_duration_since(b.updated) < full_after);
        }
        let bucket = buckets.entry(key).or_insert(Bucket { tokens: self.capacity(), updated: now });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.per_second()).min(self.capacity());
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / self.per_second()))
        }
    }
}

/// Middleware: limits POSTs by client address; other methods pass untouched.
pub async fn limit_posts(
    State(limiter): State<Arc<RateLimiter>>,
    client: ClientIp,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    match limiter.check(client.0, Instant::now()) {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            tracing::warn!(client = %client.0, path = request.uri().path(), "rate limit reached");
            PageError(WebError::TooManyRequests { retry_after_secs: whole_seconds(wait) }).into_response()
        }
    }
}

/// A wait as the whole seconds a `Retry-After` header gives, never 0.
fn whole_seconds(wait: Duration) -> u64 {
    (wait.as_secs_f64().ceil() as u64).max(1)
}

/// The two limits on sending feedback: per client address, and per service
/// whoever sends it. Shared by the form's last step and the API.
#[derive(Debug)]
pub struct FeedbackLimits {
    per_address: RateLimiter<IpAddr>,
    per_service: RateLimiter<LocationId>,
}

impl FeedbackLimits {
    pub fn new(per_address: RateLimit, per_service: RateLimit) -> Arc<Self> {
        Arc::new(Self {
            per_address: RateLimiter::unshared(per_address),
            per_service: RateLimiter::unshared(per_service),
        })
    }

    /// Takes one submission's allowance, or the refusal to answer with. The
    /// address is checked first, so one busy sender does not use up a service's allowance.
    pub fn check(&self, client: IpAddr, service: &LocationId, now: Instant) -> Result<(), WebError> {
        self.per_address
            .check(client, now)
            .map_err(|wait| WebError::TooManyRequests { retry_after_secs: whole_seconds(wait) })?;
        self.per_service.check(service.clone(), now).map_err(|wait| {
            tracing::warn!(%service, "feedback rate limit for the service reached");
            WebError::ServiceBusy { retry_after_secs: whole_seconds(wait) }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([192, 0, 2, last])
    }

    #[test]
    fn allows_a_burst_then_one_per_interval() {
        let limiter = RateLimiter::new(RateLimit { per_minute: 10, burst: 3 });
        let start = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check(ip(1), start).is_ok());
        }
        let wait = limiter.check(ip(1), start).unwrap_err();
        assert_eq!(wait.as_secs(), 6, "one request comes back every six seconds");
        assert!(limiter.check(ip(2), start).is_ok(), "other clients are not affected");
        assert!(limiter.check(ip(1), start + Duration::from_secs(6)).is_ok());
        assert!(limiter.check(ip(1), start + Duration::from_secs(7)).is_err());
    }

    #[test]
    fn feedback_is_limited_per_address_then_per_service() {
        let limits =
            FeedbackLimits::new(RateLimit { per_minute: 60, burst: 2 }, RateLimit { per_minute: 60, burst: 3 });
        let (rose, oak) = (LocationId::parse("1-1").unwrap(), LocationId::parse("1-2").unwrap());
        let now = Instant::now();
        assert!(limits.check(ip(1), &rose, now).is_ok());
        assert!(limits.check(ip(1), &oak, now).is_ok());
        let refused = limits.check(ip(1), &rose, now).unwrap_err();
        assert!(matches!(refused, WebError::TooManyRequests { retry_after_secs: 1 }), "{refused:?}");
        assert!(limits.check(ip(2), &rose, now).is_ok());
        assert!(limits.check(ip(3), &rose, now).is_ok(), "the address refusal used none of Rose's allowance");
        let busy = limits.check(ip(4), &rose, now).unwrap_err();
        assert!(matches!(busy, WebError::ServiceBusy { retry_after_secs: 1 }), "{busy:?}");
        assert!(limits.check(ip(4), &oak, now).is_ok(), "other services are not affected");
    }

    #[test]
    fn an_idle_client_gets_no_more_than_the_burst() {
        let limiter = RateLimiter::new(RateLimit { per_minute: 60, burst: 2 });
        let start = Instant::now();
        let later = start + Duration::from_secs(3600);
        assert!(limiter.check(ip(1), start).is_ok());
        assert!(limiter.check(ip(1), later).is_ok());
        assert!(limiter.check(ip(1), later).is_ok());
        assert!(limiter.check(ip(1), later).is_err());
    }
}
