//! The web's edge for text: every form and JSON body that changes something is
//! read once here, and refused when any value (or key) holds a control character
//! (see [`candour_domain::check_text`]), before any handler sees it. One layer for
//! every route, so a new form or API endpoint is covered without remembering to be.

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use candour_domain::check_text;
use serde_json::Value;

use crate::error::{ApiError, PageError, WebError};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Form,
    Json,
}

fn kind(headers: &HeaderMap) -> Option<Kind> {
    let media = headers.get(header::CONTENT_TYPE)?.to_str().ok()?.split(';').next()?.trim().to_ascii_lowercase();
    match media.as_str() {
        "application/x-www-form-urlencoded" => Some(Kind::Form),
        "application/json" => Some(Kind::Json),
        _ => None,
    }
}

pub async fn refuse_control_characters(request: Request, next: Next) -> Response {
    let changes_state = !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let Some(kind) = kind(request.headers()).filter(|_| changes_state) else { return next.run(request).await };
    let api = request.uri().path().starts_with("/api/");
    let (parts, body) = request.into_parts();
    let limit = crate::body_limit(parts.uri.path());
    let bytes = match to_bytes(body, limit).await {
        Ok(bytes) => bytes,
        Err(_) => return refusal(api, WebError::TooLarge { limit_kb: limit / 1024 }),
    };
    let problems = match kind {
        Kind::Form => form_problems(&bytes),
        Kind::Json => json_problems(&bytes),
    };
    if problems.is_empty() {
        return next.run(Request::from_parts(parts, Body::from(bytes))).await;
    }
    let message = problems.iter().map(|(field, problem)| format!("{field} {problem}.")).collect::<Vec<_>>().join(" ");
    let message = if api { message } else { format!("{message} Go back, remove it and send the form again.") };
    refusal(api, WebError::Unprocessable { message, fields: problems })
}

fn refusal(api: bool, error: WebError) -> Response {
    if api { ApiError(error).into_response() } else { PageError(error).into_response() }
}

/// Each form field holding a control character, named as the form names it.
fn form_problems(body: &Bytes) -> Vec<(String, String)> {
    form_urlencoded::parse(body)
        .filter_map(|(key, value)| {
            let problem = check_text(&key).and(check_text(&value)).err()?;
            Some((format!("The field {}", key.escape_debug()), problem.to_string()))
        })
        .collect()
}

/// Each string (or key) in a JSON body holding a control character, by its path
/// (`answers.safe`, `items[2]`). A body that is not JSON is left to the handler's reader.
fn json_problems(body: &Bytes) -> Vec<(String, String)> {
    let Ok(value) = serde_json::from_slice::<Value>(body) else { return Vec::new() };
    let mut problems = Vec::new();
    walk(&value, String::new(), &mut problems);
    problems.into_iter().map(|(path, problem)| (if path.is_empty() { "body".into() } else { path }, problem)).collect()
}

fn walk(value: &Value, path: String, problems: &mut Vec<(String, String)>) {
    match value {
        Value::String(text) => {
            if let Err(problem) = check_text(text) {
                problems.push((path, problem.to_string()));
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, format!("{path}[{i}]"), problems);
            }
        }
        Value::Object(fields) => {
            for (key, item) in fields {
                let inner = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                match check_text(key) {
                    Err(problem) => problems.push((inner.escape_debug().to_string(), problem.to_string())),
                    Ok(()) => walk(item, inner, problems),
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_fields_with_control_characters_are_named() {
        let problems = form_problems(&Bytes::from_static(b"name=Rose&story=a%00b&note=two%0D%0Alines%09ok"));
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].0, "The field story");
        assert!(problems[0].1.contains("U+0000"), "{problems:?}");
    }

    #[test]
    fn json_strings_and_keys_are_found_by_path() {
        let body = br#"{"story": "ok\nfine", "answers": {"safe": "x\u0000"}, "list": ["a", "\u001b[2J"], "n": 3}"#;
        let paths: Vec<String> = json_problems(&Bytes::from_static(body)).into_iter().map(|(p, _)| p).collect();
        assert_eq!(paths, ["answers.safe", "list[1]"]);
        assert!(json_problems(&Bytes::from_static(b"not json\0")).is_empty(), "left to the handler's reader");
    }
}
