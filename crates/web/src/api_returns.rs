//! Provider returns through the API: a location's monthly figures, one month as
//! a JSON object or several as an array, checked exactly as the CSV import
//! checks them and kept all together or not at all.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use candour_domain::returns::{MonthlyReturn, RawReturn};
use candour_domain::{Action, LocationId};
use candour_store::{ComplaintLog, ReturnBatch, ReturnSource};
use chrono::{NaiveDate, Utc};
use serde_json::Value;

use crate::api::{private_not_found, unless_missing};
use crate::api_voice::is_json;
use crate::auth::ApiCaller;
use crate::error::{ApiError, WebError};
use crate::pages::location_resource;
use crate::state::AppState;

/// `POST /api/v1/manage/locations/{id}/returns`: 201 with the counts of months
/// added, replaced and unchanged; 422 listing every field's problem.
pub async fn submit(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(raw_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let missing = || private_not_found("location", &raw_id);
    let id = LocationId::parse(&raw_id).map_err(|_| missing())?;
    let detail = state.store.location(&id).await.map_err(|e| unless_missing(e, missing))?;
    caller.require(&state, Action::Write, location_resource(&detail), missing).await?;
    if !is_json(&headers) {
        return Err(WebError::UnsupportedMediaType {
            message: "Send the returns as JSON, with the header Content-Type: application/json".to_string(),
        }
        .into());
    }
    let log = crate::pages::returns::complaint_log(&state, &id).await?;
    let months = parse_months(&body, Utc::now().date_naive(), log.as_ref())?;
    let count = months.len();
    let batch = ReturnBatch {
        returns: months.into_iter().map(|m| (id.clone(), m)).collect(),
        sent_by: Some(caller.principal.user_id),
        sent_at: Utc::now(),
        source: ReturnSource::Api,
    };
    let counts = state.store.save_returns(&batch).await.map_err(|e| unless_missing(e, missing))?;
    caller.record(&state, "returns", &format!("location:{id}"), Some(&format!("api: {count} month(s)"))).await?;
    Ok((StatusCode::CREATED, Json(counts)).into_response())
}

/// The months in the body, every one checked, or every problem: a single
/// object's problems are named by field (`headcount`), an array's by position
/// and field (`[1].headcount`). Complaint figures the location's complaint log
/// counts may be left out.
fn parse_months(body: &[u8], today: NaiveDate, log: Option<&ComplaintLog>) -> Result<Vec<MonthlyReturn>, WebError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|err| WebError::bad_request(format!("The body could not be read as JSON: {err}")))?;
    let (items, prefix): (Vec<Value>, fn(usize) -> String) = match value {
        Value::Array(items) => (items, |i| format!("[{i}].")),
        object @ Value::Object(_) => (vec![object], |_| String::new()),
        _ => return Err(WebError::bad_request("Send one month as a JSON object, or several as an array of objects")),
    };
    if items.is_empty() {
        return Err(WebError::bad_request("The array is empty: send at least one month"));
    }
    let mut months: Vec<MonthlyReturn> = Vec::new();
    let mut problems = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let at = prefix(i);
        let mut raw: RawReturn = match serde_json::from_value(item) {
            Ok(raw) => raw,
            Err(err) => {
                let name = if at.is_empty() { "body".to_string() } else { at.trim_end_matches('.').to_string() };
                problems.push((name, format!("This month could not be read: {err}")));
                continue;
            }
        };
        crate::pages::returns::fill_from_log(&mut raw, log);
        match MonthlyReturn::parse(&raw, today) {
            Ok(m) => match months.iter().position(|earlier| earlier.month == m.month) {
                Some(j) => problems.push((format!("{at}month"), format!("{} is also given at [{j}]", m.month))),
                None => months.push(m),
            },
            Err(errors) => problems.extend(errors.into_iter().map(|e| (format!("{at}{}", e.field), e.message))),
        }
    }
    if problems.is_empty() {
        return Ok(months);
    }
    let message = match problems.len() {
        1 => "The return has a problem: see fields".to_string(),
        n => format!("The return has {n} problems: see fields"),
    };
    Err(WebError::Unprocessable { message, fields: problems })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 15).unwrap()
    }

    fn month(at: &str) -> Value {
        let figures = MonthlyReturn {
            month: candour_domain::returns::Month::parse(at).unwrap(),
            headcount: 40,
            leavers: 2,
            agency_hours: 300,
            hours_worked: 6000,
            vacancies: 3,
            supervision_pct: 85,
            training_pct: 92,
            registered_manager: true,
            manager_changed: false,
            people_supported: 38,
            incidents: 5,
            restraint: 1,
            seclusion: 0,
            segregation: 0,
            notifications: 2,
            safeguarding_referrals: 1,
            complaints_received: 3,
            complaints_upheld: 1,
            complaints_on_time: 3,
        };
        serde_json::to_value(figures.to_raw()).unwrap()
    }

    fn fields(err: WebError) -> Vec<String> {
        match err {
            WebError::Unprocessable { fields, .. } => fields.into_iter().map(|(f, _)| f).collect(),
            other => panic!("expected 422, got {other:?}"),
        }
    }

    #[test]
    fn an_object_or_an_array_of_months_is_read() {
        assert_eq!(parse_months(month("2026-01").to_string().as_bytes(), today(), None).unwrap().len(), 1);
        let both = Value::Array(vec![month("2026-01"), month("2026-02")]);
        assert_eq!(parse_months(both.to_string().as_bytes(), today(), None).unwrap().len(), 2);
    }

    #[test]
    fn problems_are_named_by_position_and_field() {
        let mut bad = month("2026-02");
        bad["complaints_upheld"] = Value::from(9);
        let mut unknown = month("2026-03");
        unknown["headcont"] = Value::from(1);
        let body = Value::Array(vec![month("2026-01"), bad, month("2026-01"), unknown]);
        let err = parse_months(body.to_string().as_bytes(), today(), None).unwrap_err();
        assert_eq!(fields(err), ["[1].complaints_upheld", "[2].month", "[3]"]);
        let mut single = month("2026-09");
        single["training_pct"] = Value::from(120);
        let err = parse_months(single.to_string().as_bytes(), today(), None).unwrap_err();
        assert_eq!(fields(err), ["month", "training_pct"]);
    }

    #[test]
    fn bodies_that_hold_no_months_are_bad_requests() {
        for body in ["[]", "42", "not json"] {
            let err = parse_months(body.as_bytes(), today(), None).unwrap_err();
            assert!(matches!(err, WebError::BadRequest { .. }), "{body}: {err:?}");
        }
    }
}
