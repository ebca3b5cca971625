//! Reading the `Cookie` header and writing `Set-Cookie`, for our two cookies only.
//! Their values are our own URL-safe secrets, so no escaping is needed; anything
//! else found in a cookie is ignored.

use axum::http::{HeaderMap, HeaderValue, header};

pub const SESSION_COOKIE: &str = "candour_session";
pub const CSRF_COOKIE: &str = "candour_csrf";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    Lax,
    Strict,
}

/// The value of the named cookie, if the request carries one that looks like ours.
pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim().to_string())
        .filter(|value| is_token(value))
}

/// Our secrets are URL-safe base64 of a fixed, modest length.
fn is_token(value: &str) -> bool {
    (16..=128).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A `Set-Cookie` value: HttpOnly, Path=/, the given SameSite, Secure when asked,
/// and `Max-Age` when the cookie should outlive the browser session.
pub fn set(name: &str, value: &str, same_site: SameSite, secure: bool, max_age_secs: Option<i64>) -> HeaderValue {
    let mut cookie = format!(
        "{name}={value}; Path=/; HttpOnly; SameSite={}",
        match same_site {
            SameSite::Lax => "Lax",
            SameSite::Strict => "Strict",
        }
    );
    if let Some(age) = max_age_secs {
        cookie.push_str(&format!("; Max-Age={}", age.max(0)));
    }
    if secure {
        cookie.push_str("; Secure");
    }
    header_value(cookie)
}

/// A `Set-Cookie` value that makes the browser forget the cookie.
pub fn clear(name: &str, same_site: SameSite, secure: bool) -> HeaderValue {
    set(name, "", same_site, secure, Some(0))
}

fn header_value(cookie: String) -> HeaderValue {
    // Names are our constants and values our own URL-safe tokens, so this cannot fail;
    // an empty cookie is the harmless answer if it ever did.
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_our_cookie_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("a=b; candour_session=abcdefghijklmnopqrstuv; c=d"));
        assert_eq!(read(&headers, SESSION_COOKIE).as_deref(), Some("abcdefghijklmnopqrstuv"));
        assert_eq!(read(&headers, CSRF_COOKIE), None);
    }

    #[test]
    fn ignores_values_that_are_not_our_tokens() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("candour_session=short"));
        assert_eq!(read(&headers, SESSION_COOKIE), None);
        headers.insert(header::COOKIE, HeaderValue::from_static("candour_session=has spaces and more than sixteen"));
        assert_eq!(read(&headers, SESSION_COOKIE), None);
    }

    #[test]
    fn writes_the_protective_attributes() {
        let v = set(SESSION_COOKIE, "abc", SameSite::Lax, true, Some(3600));
        assert_eq!(v, "candour_session=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=3600; Secure");
        let v = clear(CSRF_COOKIE, SameSite::Strict, false);
        assert_eq!(v, "candour_csrf=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    }
}
