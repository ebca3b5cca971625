//! The API for good practice: published accounts, searched with the same filters as
//! the public page (`q`, `theme`, `statement`, `page`, and `per_page` up to 100).
//! Public: no token needed, and nothing unpublished is ever shown.

use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use candour_app::practice::PracticeError;
use candour_store::{PracticeQuery, PracticeRecord, PracticeSummary};
use serde_json::{Value, json};

use super::words::{read_search, statement_title};
use crate::error::{ApiError, WebError};
use crate::state::AppState;

/// Routes under `/api`.
pub fn routes() -> Router<AppState> {
    Router::new().route("/v1/good-practice", get(search)).route("/v1/good-practice/{id}", get(account))
}

fn statements(list: &[candour_domain::practice::QualityStatement]) -> Value {
    list.iter().map(|s| json!({ "id": s.code(), "title": statement_title(*s) })).collect()
}

fn summary(s: &PracticeSummary) -> Value {
    json!({
        "id": s.id,
        "title": s.title,
        "summary": s.summary,
        "theme": { "code": s.theme.code(), "label": s.theme.label() },
        "statements": statements(&s.statements),
        "location": { "id": s.location_id, "name": s.location_name },
        "provider": { "id": s.provider_id, "name": s.provider_name },
        "published_at": s.published_at,
        "href": format!("/good-practice/{}", s.id),
    })
}

/// `GET /api/v1/good-practice`
pub async fn search(State(state): State<AppState>, RawQuery(query): RawQuery) -> Result<Response, ApiError> {
    let raw = read_search(query.as_deref());
    let pairs = crate::forms::pairs(query.as_deref().unwrap_or_default().as_bytes());
    let per_page = match crate::forms::value(&pairs, "per_page") {
        "" => 20,
        text => {
            text.parse::<u32>().ok().filter(|n| (1..=PracticeQuery::MAX_PER_PAGE).contains(n)).ok_or_else(|| {
                WebError::Unprocessable {
                    message: "per_page must be a whole number from 1 to 100".into(),
                    fields: vec![("per_page".into(), "per_page must be a whole number from 1 to 100".into())],
                }
            })?
        }
    };
    let page = state.app.practice.search(&raw, per_page).await.map_err(|e| match e {
        PracticeError::Invalid(problems) => {
            let fields: Vec<(String, String)> = ["q", "theme", "statement", "page"]
                .into_iter()
                .filter_map(|f| problems.iter().find(|p| p.field == f).map(|p| (f.to_string(), p.message.clone())))
                .collect();
            let message = fields.first().map(|(_, m)| m.clone()).unwrap_or_default();
            WebError::Unprocessable { message, fields }
        }
        other => WebError::from_area(&other, || WebError::Internal),
    })?;
    Ok(Json(json!({
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
        "pages": page.pages(),
        "items": page.items.iter().map(summary).collect::<Vec<_>>(),
    }))
    .into_response())
}

fn account_json(r: &PracticeRecord) -> Value {
    let d = &r.draft;
    json!({
        "id": r.id,
        "title": d.title,
        "summary": d.summary,
        "what_we_did": d.what_we_did,
        "why": d.why,
        "difference": d.difference,
        "advice": d.advice,
        "theme": { "code": d.theme.code(), "label": d.theme.label() },
        "statements": statements(&d.statements),
        "location": { "id": r.location_id, "name": r.location_name, "href": format!("/locations/{}", r.location_id) },
        "provider": { "id": r.provider_id, "name": r.provider_name },
        "published_at": r.published_at,
    })
}

/// `GET /api/v1/good-practice/{id}`: a published account; 404 for anything else.
pub async fn account(State(state): State<AppState>, Path(raw_id): Path<String>) -> Result<Response, ApiError> {
    let missing = || WebError::not_found(format!("There is no published account of good practice with ID {raw_id}"));
    let record = state.app.practice.published(&raw_id).await.map_err(|e| WebError::from_area(&e, missing))?;
    Ok(Json(account_json(&record)).into_response())
}
