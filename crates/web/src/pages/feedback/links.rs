//! The addresses of giving feedback, and the submission key as a link carries it:
//! shared by the pages and the API.

use candour_domain::LocationId;

use crate::error::WebError;

/// The path of a service's feedback form.
pub fn form_href(id: &LocationId) -> String {
    format!("/locations/{id}/feedback")
}

/// The short link printed on posters: the location ID's digits, `/f/545611283`.
pub fn short_link(id: &LocationId) -> String {
    format!("/f/{}", id.as_str().trim_start_matches("1-"))
}

/// The private return link of a piece of feedback.
pub fn return_href(key: &str) -> String {
    format!("/feedback/{key}")
}

/// A submission key as the form, the return link or the API's `Idempotency-Key`
/// gives it: URL-safe letters and digits, long enough not to be guessed.
pub fn submission_key(raw: &str) -> Result<String, WebError> {
    let ok =
        (16..=128).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(raw.to_string())
    } else {
        Err(WebError::bad_request(
            "This feedback link is not complete. Check that you copied all of it, or start again from the service's page.",
        ))
    }
}
