//! The API for good practice: published accounts, searched with the same filters as
//! the public page (`q`, `theme`, `statement`, `page`, and `per_page` up to 100).
//! Public: no token needed, and nothing unpublished is ever shown.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use candour_app::practice::PracticeError;
use candour_domain::practice::Theme;
use candour_domain::{LocationId, ProviderId};
use candour_store::{PracticeQuery, PracticeRecord, PracticeSummary};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::words::{read_search, statement_title};
use crate::error::{ApiError, ErrorBody, WebError};
use crate::openapi::NumberPath;
use crate::state::AppState;

/// Routes under `/api`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(search)).routes(routes!(account))
}

#[derive(Serialize, ToSchema)]
pub struct Coded {
    code: &'static str,
    label: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct StatementLine {
    /// The quality statement's code, S1 to W8.
    id: &'static str,
    title: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Named<'a, Id: ToSchema> {
    id: &'a Id,
    name: &'a str,
    /// Its public page, where the account links to it.
    #[serde(skip_serializing_if = "Option::is_none")]
    href: Option<String>,
}

fn statements(list: &[candour_domain::practice::QualityStatement]) -> Vec<StatementLine> {
    list.iter().map(|s| StatementLine { id: s.code(), title: statement_title(*s) }).collect()
}

fn theme(theme: Theme) -> Coded {
    Coded { code: theme.code(), label: theme.label() }
}

/// A published account in a list.
#[derive(Serialize, ToSchema)]
pub struct AccountLine<'a> {
    id: i64,
    title: &'a str,
    summary: &'a str,
    theme: Coded,
    statements: Vec<StatementLine>,
    location: Named<'a, LocationId>,
    provider: Named<'a, ProviderId>,
    published_at: Option<DateTime<Utc>>,
    /// Its public page.
    href: String,
}

impl<'a> AccountLine<'a> {
    fn of(s: &'a PracticeSummary) -> Self {
        AccountLine {
            id: s.id,
            title: &s.title,
            summary: &s.summary,
            theme: theme(s.theme),
            statements: statements(&s.statements),
            location: Named { id: &s.location_id, name: &s.location_name, href: None },
            provider: Named { id: &s.provider_id, name: &s.provider_name, href: None },
            published_at: s.published_at,
            href: format!("/good-practice/{}", s.id),
        }
    }
}

/// A page of published accounts.
#[derive(Serialize, ToSchema)]
pub struct AccountList<'a> {
    total: u64,
    page: u32,
    per_page: u32,
    pages: u32,
    items: Vec<AccountLine<'a>>,
}

/// The search, as the public page takes it.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct SearchParams {
    /// Words to find in the title, summary or account.
    q: Option<String>,
    /// A theme's code.
    theme: Option<String>,
    /// A quality statement's code, S1 to W8.
    statement: Option<String>,
    /// The page, from 1.
    page: Option<String>,
    /// Accounts a page, 1 to 100 (20 unless given).
    per_page: Option<String>,
}

/// Published accounts of good practice, searched as on the public page.
#[utoipa::path(get, path = "/v1/good-practice", tag = "Good practice", params(SearchParams),
    responses(
        (status = 200, description = "A page of accounts", body = AccountList),
        (status = 422, description = "A refused search value, against its field", body = ErrorBody),
    ))]
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
    let pages = page.pages();
    let items = page.items.iter().map(AccountLine::of).collect();
    Ok(Json(AccountList { total: page.total, page: page.page, per_page: page.per_page, pages, items }).into_response())
}

/// A published account in full.
#[derive(Serialize, ToSchema)]
pub struct Account<'a> {
    id: i64,
    title: &'a str,
    summary: &'a str,
    what_we_did: &'a str,
    why: &'a str,
    difference: &'a str,
    advice: &'a str,
    theme: Coded,
    statements: Vec<StatementLine>,
    location: Named<'a, LocationId>,
    provider: Named<'a, ProviderId>,
    published_at: Option<DateTime<Utc>>,
}

impl<'a> Account<'a> {
    fn of(r: &'a PracticeRecord) -> Self {
        let d = &r.draft;
        Account {
            id: r.id,
            title: &d.title,
            summary: &d.summary,
            what_we_did: &d.what_we_did,
            why: &d.why,
            difference: &d.difference,
            advice: &d.advice,
            theme: theme(d.theme),
            statements: statements(&d.statements),
            location: Named {
                id: &r.location_id,
                name: &r.location_name,
                href: Some(format!("/locations/{}", r.location_id)),
            },
            provider: Named { id: &r.provider_id, name: &r.provider_name, href: None },
            published_at: r.published_at,
        }
    }
}

/// A published account; not found for anything else.
#[utoipa::path(get, path = "/v1/good-practice/{id}", tag = "Good practice", params(NumberPath),
    responses(
        (status = 200, description = "The account", body = Account),
        (status = 404, description = "No published account has this ID", body = ErrorBody),
    ))]
pub async fn account(State(state): State<AppState>, Path(raw_id): Path<String>) -> Result<Response, ApiError> {
    let missing = || WebError::not_found(format!("There is no published account of good practice with ID {raw_id}"));
    let record = state.app.practice.published(&raw_id).await.map_err(|e| WebError::from_area(&e, missing))?;
    Ok(Json(Account::of(&record)).into_response())
}
