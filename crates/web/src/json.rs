//! Reading a JSON request body: the API's requests that carry one.

use axum::http::{HeaderMap, header};

use crate::error::WebError;

/// The body as `T`: 415 unless it is declared as JSON, 400 when it does not read as
/// one. `what` names it in the message ("the complaint").
pub(crate) fn json_body<T: serde::de::DeserializeOwned>(
    headers: &HeaderMap,
    body: &[u8],
    what: &str,
) -> Result<T, WebError> {
    if !is_json(headers) {
        return Err(WebError::UnsupportedMediaType {
            message: format!("Send the {what} as JSON, with the header Content-Type: application/json"),
        });
    }
    serde_json::from_slice(body)
        .map_err(|err| WebError::bad_request(format!("The body could not be read as JSON: {err}")))
}

/// Whether the body is declared as `application/json` (any parameters, any case).
pub(crate) fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn json_is_recognised_with_parameters_and_in_any_case() {
        let with =
            |value: &'static str| HeaderMap::from_iter([(header::CONTENT_TYPE, HeaderValue::from_static(value))]);
        assert!(is_json(&with("Application/JSON; charset=utf-8")));
        for other in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", "application/jsonx"] {
            assert!(!is_json(&with(other)), "{other}");
        }
        assert!(!is_json(&HeaderMap::new()));
    }
}
