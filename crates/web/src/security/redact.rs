//! Request logging that never writes a secret: the one-time links, and the private
//! return link of someone who gave feedback, carry theirs in the path, so those
//! segments are replaced before the path reaches a log.

use axum::body::Body;
use axum::http::Request;
use tracing::Span;

/// Paths whose segments after these prefixes hold a secret.
const SECRET_PREFIXES: [&str; 3] = ["/password-reset/", "/invitations/", "/feedback/"];

pub fn span_without_secrets(request: &Request<Body>) -> Span {
    tracing::debug_span!(
        "request",
        method = %request.method(),
        path = %redacted_path(request.uri().path()),
        version = ?request.version(),
    )
}

/// The path with any link secret replaced by `[redacted]`; the query is left out.
pub fn redacted_path(path: &str) -> String {
    for prefix in SECRET_PREFIXES {
        if path.starts_with(prefix) && path.len() > prefix.len() {
            return format!("{prefix}[redacted]");
        }
    }
    path.to_string()
}

#[cfg(test)]
mod tests {
    use super::redacted_path;

    #[test]
    fn link_secrets_never_reach_the_log() {
        assert_eq!(redacted_path("/password-reset/abcDEF123"), "/password-reset/[redacted]");
        assert_eq!(redacted_path("/invitations/abc"), "/invitations/[redacted]");
        assert_eq!(redacted_path("/feedback/abc/thanks"), "/feedback/[redacted]");
        assert_eq!(redacted_path("/locations/1-1/feedback"), "/locations/1-1/feedback");
        assert_eq!(redacted_path("/password-reset"), "/password-reset");
        assert_eq!(redacted_path("/locations/1-123"), "/locations/1-123");
    }
}
