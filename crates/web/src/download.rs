//! Files to download: CSV with the headers that make a browser save it under a
//! name, and cells a spreadsheet will not run as formulas.

use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::error::WebError;

/// `body` as a CSV file named `filename` (which must be plain ASCII).
pub fn csv_file(filename: &str, body: impl Into<Body>) -> Result<Response, WebError> {
    let disposition =
        HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")).map_err(|_| WebError::Internal)?;
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8")),
        (header::CONTENT_DISPOSITION, disposition),
    ];
    Ok((headers, body.into()).into_response())
}

/// A cell a spreadsheet will not run as a formula: text starting with `=`, `+`,
/// `-`, `@` or a control character gets a leading apostrophe.
pub fn spreadsheet_safe(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused() {
        assert_eq!(spreadsheet_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(spreadsheet_safe("@sum"), "'@sum");
        assert_eq!(spreadsheet_safe("-1"), "'-1");
        assert_eq!(spreadsheet_safe("Fire safety"), "Fire safety");
        assert_eq!(spreadsheet_safe(""), "");
    }

    #[test]
    fn a_csv_file_is_saved_under_its_name() {
        let response = csv_file("plan-1-actions.csv", "a,b\n").unwrap();
        assert_eq!(response.headers()[header::CONTENT_TYPE], "text/csv; charset=utf-8");
        assert_eq!(response.headers()[header::CONTENT_DISPOSITION], "attachment; filename=\"plan-1-actions.csv\"");
    }
}
