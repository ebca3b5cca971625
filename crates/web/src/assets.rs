//! The stylesheet and logo, compiled into the binary so the site needs nothing
//! from the network. Pages link to each asset with a `?v=` fingerprint of its
//! content, so a fingerprinted request can be cached for a year: a new build
//! with changed content gets a new URL.

use std::sync::LazyLock;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::error::WebError;

struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
    fingerprint: u64,
}

const fn asset(name: &'static str, content_type: &'static str, body: &'static [u8]) -> Asset {
    Asset { name, content_type, body, fingerprint: fnv1a(body) }
}

const ASSETS: [Asset; 3] = [
    asset("candour.css", "text/css; charset=utf-8", include_bytes!("../assets/candour.css")),
    asset("charts.js", "text/javascript; charset=utf-8", include_bytes!("../assets/charts.js")),
    asset("logo.svg", "image/svg+xml", include_bytes!("../assets/logo.svg")),
];

/// FNV-1a: a small, stable hash, good enough to tell one build's asset from another's.
const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}

fn find(name: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.name == name)
}

fn href(name: &str) -> String {
    let fingerprint = find(name).map_or(0, |a| a.fingerprint);
    format!("/assets/{name}?v={fingerprint:016x}")
}

/// The stylesheet's URL, fingerprinted.
pub static CSS_HREF: LazyLock<String> = LazyLock::new(|| href("candour.css"));
/// The script that scrolls a chart to the service's own marker, fingerprinted.
pub static CHARTS_JS_HREF: LazyLock<String> = LazyLock::new(|| href("charts.js"));
/// The logo's URL, fingerprinted.
pub static LOGO_HREF: LazyLock<String> = LazyLock::new(|| href("logo.svg"));

#[derive(Deserialize)]
pub struct Version {
    v: Option<String>,
}

/// `GET /assets/{name}`: the asset, with an ETag; a year's caching when the
/// request carries the current fingerprint, five minutes otherwise.
pub async fn serve_asset(
    Path(name): Path<String>,
    version: Result<Query<Version>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, crate::error::PageError> {
    let asset = find(&name).ok_or_else(|| WebError::not_found(format!("There is no file called {name}")))?;
    let etag = format!("\"{:016x}\"", asset.fingerprint);
    // An unreadable query string just means the request is not for the current version.
    let requested = version.ok().and_then(|Query(v)| v.v);
    let current = requested.as_deref() == Some(&etag[1..etag.len() - 1]);
    let cache = if current { "public, max-age=31536000, immutable" } else { "public, max-age=300" };
    let etag_value = HeaderValue::from_str(&etag).map_err(|_| WebError::Internal)?;
    let common = [(header::ETAG, etag_value), (header::CACHE_CONTROL, HeaderValue::from_static(cache))];
    let not_modified = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if not_modified {
        return Ok((StatusCode::NOT_MODIFIED, common).into_response());
    }
    let content_type = [(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type))];
    Ok((common, content_type, asset.body).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_follow_content() {
        assert_ne!(fnv1a(b"a{}"), fnv1a(b"a{ }"));
        assert!(CSS_HREF.starts_with("/assets/candour.css?v="));
        assert_eq!(CSS_HREF.len(), "/assets/candour.css?v=".len() + 16);
    }
}
