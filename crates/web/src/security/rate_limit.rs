//! Allowances, kept by the store so that every instance on one database shares
//! them (see [`AllowanceStore`]): each client address (or service) may make
//! `burst` requests at once and then one more every `60 / per_minute` seconds.
//! Used on sign-in and password reset, and on sending feedback, per address and
//! per service.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use candour_domain::LocationId;
use candour_store::{AllowanceStore, Refused};

use crate::config::RateLimit;
use crate::error::{PageError, WebError};
use crate::security::client_ip::ClientIp;

/// One limit on one kind of request, keyed by the caller.
#[derive(Clone)]
pub struct RateLimiter {
    store: Arc<dyn AllowanceStore>,
    /// Names the limit in the store's keys: `<kind>:<key>`.
    kind: &'static str,
    limit: RateLimit,
}

impl RateLimiter {
    pub fn new(store: Arc<dyn AllowanceStore>, kind: &'static str, limit: RateLimit) -> Self {
        Self { store, kind, limit }
    }

    /// Takes one request's allowance for `key`, or says how long until there is one.
    pub async fn check(&self, key: &str) -> Result<Result<(), Duration>, WebError> {
        let key = self.key(key);
        let taken = self.store.take_allowances(&[(&key, self.limit.allowance())], Utc::now()).await;
        Ok(taken.map_err(no_allowance)?.map_err(|refused| refused.wait))
    }

    fn key(&self, key: &str) -> String {
        format!("{}:{key}", self.kind)
    }
}

fn no_allowance(e: candour_store::StoreError) -> WebError {
    WebError::from_store(e, || "no allowance".into())
}

/// Middleware: limits POSTs by client address; other methods pass untouched.
pub async fn limit_posts(
    State(limiter): State<RateLimiter>,
    client: ClientIp,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    match limiter.check(&client.0.to_string()).await {
        Ok(Ok(())) => next.run(request).await,
        Err(error) => PageError(error).into_response(),
        Ok(Err(wait)) => {
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
pub struct FeedbackLimits {
    per_address: RateLimiter,
    per_service: RateLimiter,
}

impl FeedbackLimits {
    pub fn new(store: Arc<dyn AllowanceStore>, per_address: RateLimit, per_service: RateLimit) -> Arc<Self> {
        Arc::new(Self {
            per_address: RateLimiter::new(store.clone(), "feedback-address", per_address),
            per_service: RateLimiter::new(store, "feedback-service", per_service),
        })
    }

    /// Takes one submission's allowance, or the refusal to answer with. The
    /// address is taken first, so one busy sender does not use up a service's
    /// allowance; both in one go, so the check costs one trip to the store.
    pub async fn check(&self, client: IpAddr, service: &LocationId) -> Result<(), WebError> {
        let (address, per_service) =
            (self.per_address.key(&client.to_string()), self.per_service.key(service.as_str()));
        let keys = [
            (address.as_str(), self.per_address.limit.allowance()),
            (&per_service, self.per_service.limit.allowance()),
        ];
        match self.per_address.store.take_allowances(&keys, Utc::now()).await.map_err(no_allowance)? {
            Ok(()) => Ok(()),
            Err(Refused { link: 0, wait }) => Err(WebError::TooManyRequests { retry_after_secs: whole_seconds(wait) }),
            Err(Refused { wait, .. }) => {
                tracing::warn!(%service, "feedback rate limit for the service reached");
                Err(WebError::ServiceBusy { retry_after_secs: whole_seconds(wait) })
            }
        }
    }
}
