//! Where a request comes from: the socket's peer, or, behind a trusted proxy, the
//! address the proxy appended to `X-Forwarded-For`. Worked out once per request by
//! [`resolve`] and read by handlers (audit entries) and the rate limiter.

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, Request};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// Used when a request arrives without a socket address (only in-process calls):
/// all such requests share one allowance rather than escaping the limits.
const UNKNOWN: IpAddr = IpAddr::V4(Ipv4Addr::UNSPECIFIED);

/// Middleware: records the client's address on the request.
pub async fn resolve(trust_forwarded_for: bool, mut request: Request, next: Next) -> Response {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let forwarded = if trust_forwarded_for { last_forwarded(request.headers()) } else { None };
    let ip = forwarded.or(peer).unwrap_or(UNKNOWN);
    request.extensions_mut().insert(ClientIp(ip));
    next.run(request).await
}

/// The last address in `X-Forwarded-For`: the one our own proxy added, which the
/// client cannot forge (earlier entries it can).
fn last_forwarded(headers: &HeaderMap) -> Option<IpAddr> {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .next_back()
        .and_then(|ip| ip.trim().parse().ok())
}

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<ClientIp>().copied().unwrap_or(ClientIp(UNKNOWN)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn the_proxys_own_entry_wins() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_static("6.6.6.6, 203.0.113.7"));
        assert_eq!(last_forwarded(&headers), Some(IpAddr::from([203, 0, 113, 7])));
        headers.insert("x-forwarded-for", HeaderValue::from_static("not an address"));
        assert_eq!(last_forwarded(&headers), None);
    }
}
