//! Provider returns through the API: a location's monthly figures, one month as
//! a JSON object or several as an array, checked exactly as the CSV import
//! checks them and kept all together or not at all.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use candour_app::returns::{ApiMonths, ReturnsError};
use candour_domain::returns::RawReturn;
use candour_store::ReturnCounts;
use chrono::Utc;
use serde_json::Value;

use crate::api::private_not_found;
use crate::auth::ApiCaller;
use crate::error::{ApiError, WebError};
use crate::json::is_json;
use crate::openapi::{BodyErrors, LocationPath, TokenErrors};
use crate::state::AppState;

/// Sends a location's monthly return: one month as an object, or several as an
/// array, kept all together or not at all. Answers with the counts of months
/// added, replaced and unchanged.
#[utoipa::path(post, path = "/v1/manage/locations/{id}/returns", tag = "Returns", security(("token" = [])),
    params(LocationPath),
    request_body(content = Vec<RawReturn>, content_type = "application/json",
        description = "One month's return, or an array of them"),
    responses(
        (status = 201, description = "Stored", body = ReturnCounts),
        BodyErrors,
        TokenErrors,
    ))]
pub async fn submit(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(raw_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let months = if is_json(&headers) { read_months(&body) } else { ApiMonths::NotJson };
    match state.app.returns.submit_api(&caller.actor(), &raw_id, months, Utc::now()).await {
        Ok(counts) => Ok((StatusCode::CREATED, Json(counts)).into_response()),
        Err(e @ ReturnsError::NotJson) => Err(WebError::UnsupportedMediaType { message: e.to_string() }.into()),
        Err(e @ ReturnsError::Problems(_)) => {
            let message = e.to_string();
            let ReturnsError::Problems(fields) = e else { unreachable!() };
            Err(WebError::Unprocessable { message, fields }.into())
        }
        Err(e) => Err(WebError::from_area(&e, || private_not_found("location", &raw_id)).into()),
    }
}

/// The months in the body: a single object, or an array of them, each read
/// into the return's raw fields or with why it could not be.
fn read_months(body: &[u8]) -> ApiMonths {
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(err) => return ApiMonths::Unreadable(format!("The body could not be read as JSON: {err}")),
    };
    let read = |item: Value| serde_json::from_value::<RawReturn>(item).map_err(|err| err.to_string());
    match value {
        Value::Array(items) => ApiMonths::several(items.into_iter().map(read).collect()),
        object @ Value::Object(_) => ApiMonths::one(read(object)),
        _ => ApiMonths::Unreadable("Send one month as a JSON object, or several as an array of objects".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(at: &str) -> Value {
        let mut raw = RawReturn::default();
        for (field, _) in candour_domain::returns::FIELDS {
            raw.set(field, "1");
        }
        raw.month = at.to_string();
        serde_json::to_value(raw).unwrap()
    }

    #[test]
    fn an_object_or_an_array_of_months_is_read() {
        let ApiMonths::Months { items, single: true } = read_months(month("2026-01").to_string().as_bytes()) else {
            panic!("one month")
        };
        assert!(items.len() == 1 && items[0].is_ok());
        let both = Value::Array(vec![month("2026-01"), month("2026-02")]);
        let ApiMonths::Months { items, single: false } = read_months(both.to_string().as_bytes()) else {
            panic!("several")
        };
        assert_eq!(items.len(), 2);
        assert!(items.iter().all(Result::is_ok));
    }

    #[test]
    fn a_month_with_an_unknown_field_is_unreadable_alone() {
        let mut unknown = month("2026-03");
        unknown["headcont"] = Value::from(1);
        let body = Value::Array(vec![month("2026-01"), unknown]);
        let ApiMonths::Months { items, .. } = read_months(body.to_string().as_bytes()) else { panic!("several") };
        assert!(items[0].is_ok());
        assert!(items[1].as_ref().is_err_and(|e| e.contains("headcont")), "{:?}", items[1]);
    }

    #[test]
    fn bodies_that_hold_no_months_are_bad_requests() {
        for body in ["42", "not json"] {
            assert!(matches!(read_months(body.as_bytes()), ApiMonths::Unreadable(_)), "{body}");
        }
        assert!(matches!(read_months(b"[]"), ApiMonths::Months { items, .. } if items.is_empty()));
    }
}
