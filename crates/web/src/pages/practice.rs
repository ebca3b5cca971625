//! Good practice: accounts of what works well at a service, searchable by theme and quality statement.
//!
//! - `/good-practice`: the public search (text, theme, statement, paged), every
//!   match as CSV at `/good-practice.csv`, and `/good-practice/{id}`: one published
//!   account. Anything unpublished is 404.
//! - `/manage/locations/{id}/good-practice`: a service's accounts for those who run
//!   it, with writing, editing, publishing and unpublishing.

mod api;
mod manage;
mod words;

pub(crate) use manage::manage_link;
use words::{read_search, statement_label};

use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use candour_app::practice::{PracticeError, RawSearch};
use candour_domain::policies::FieldError;
use candour_domain::practice::{PracticeDraft, PracticeStatus, QualityStatement, Theme};
use candour_store::{PracticeRecord, PracticeSummary};

use crate::download::{csv_file, spreadsheet_safe};
use crate::error::{PageError, WebError, render};
use crate::forms::{ErrorLink, FormErrors};
use crate::pagination::{Pagination, pagination};
use crate::state::AppState;
use crate::views::{SelectOption, count_of, long_date, select};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/good-practice", get(search))
        .route("/good-practice.csv", get(search_csv))
        .route("/good-practice/{id}", get(account))
        .route("/manage/locations/{id}/good-practice", get(manage::list))
        .route("/manage/locations/{id}/good-practice/new", get(manage::new_form).post(manage::create))
        .route("/manage/good-practice/{id}", get(manage::preview))
        .route("/manage/good-practice/{id}/edit", get(manage::edit_form).post(manage::update))
        .route("/manage/good-practice/{id}/publish", post(manage::publish))
        .route("/manage/good-practice/{id}/unpublish", post(manage::unpublish))
}

/// The area's JSON API, nested under `/api`.
pub fn api_routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    api::routes()
}

/// Accounts a page of results shows.
const PER_PAGE: u32 = 10;

/// The query string of a search without its page, for the page links.
fn base(raw: &RawSearch) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (key, value) in [("q", &raw.text), ("theme", &raw.theme), ("statement", &raw.statement)] {
        if !value.is_empty() {
            s.append_pair(key, value);
        }
    }
    s.finish()
}

fn form_errors(problems: Vec<FieldError>) -> FormErrors {
    let mut errors = FormErrors::default();
    problems.into_iter().for_each(|p| errors.add(p.field, p.message));
    errors
}

#[derive(Template)]
#[template(path = "practice/search.html")]
struct SearchPage {
    title: String,
    errors: Vec<ErrorLink>,
    text: String,
    text_error: Option<String>,
    themes: Vec<SelectOption>,
    theme_error: Option<String>,
    statements: Vec<SelectOption>,
    statement_error: Option<String>,
    results: Option<Results>,
}

struct Results {
    heading: String,
    items: Vec<ResultLine>,
    pagination: Pagination,
    /// Every match, as CSV.
    csv_href: String,
}

pub(crate) struct ResultLine {
    pub href: String,
    pub title: String,
    pub summary: String,
    pub service: String,
    pub service_href: String,
    pub provider: String,
    pub theme: &'static str,
    pub statements: String,
    pub date: String,
}

impl ResultLine {
    pub fn of(s: &PracticeSummary) -> Self {
        ResultLine {
            href: format!("/good-practice/{}", s.id),
            title: s.title.clone(),
            summary: s.summary.clone(),
            service: s.location_name.clone(),
            service_href: format!("/locations/{}", s.location_id),
            provider: s.provider_name.clone(),
            theme: s.theme.label(),
            statements: s.statements.iter().map(|st| statement_label(*st)).collect::<Vec<_>>().join("; "),
            date: long_date(s.published_at.unwrap_or(s.updated_at).date_naive()),
        }
    }
}

/// `GET /good-practice.csv`: every published account the search finds, one a row.
pub async fn search_csv(State(state): State<AppState>, RawQuery(query): RawQuery) -> Result<Response, PageError> {
    let raw = read_search(query.as_deref());
    let all = match state.app.practice.search_all(&raw).await {
        Ok(all) => all,
        Err(PracticeError::Invalid(_)) => {
            return Err(WebError::bad_request(
                "The search is not one we can run: go back to the search and correct it.",
            )
            .into());
        }
        Err(e) => return Err(WebError::from_area(&e, || WebError::Internal).into()),
    };
    let mut out = csv::Writer::from_writer(Vec::new());
    let failed = |_| WebError::Internal;
    out.write_record([
        "id",
        "title",
        "summary",
        "service",
        "location_id",
        "provider",
        "theme",
        "quality_statements",
        "published_on",
        "url",
    ])
    .map_err(failed)?;
    for s in &all {
        let statements: Vec<&str> = s.statements.iter().map(|st| st.code()).collect();
        let published = s.published_at.unwrap_or(s.updated_at).date_naive().to_string();
        let url = format!("{}/good-practice/{}", state.config.public_url(), s.id);
        let row = [
            &s.id.to_string(),
            &s.title,
            &s.summary,
            &s.location_name,
            s.location_id.as_str(),
            &s.provider_name,
            s.theme.code(),
            &statements.join(" "),
            &published,
            &url,
        ];
        out.write_record(row.map(spreadsheet_safe)).map_err(failed)?;
    }
    let body = out.into_inner().map_err(|_| WebError::Internal)?;
    Ok(csv_file("good-practice.csv", body)?)
}

pub(crate) fn theme_options(current: &str) -> Vec<SelectOption> {
    select("Any theme", Theme::ALL.iter().map(|t| (t.code().to_string(), t.label().to_string())), Some(current))
}

pub(crate) fn statement_options(current: &str) -> Vec<SelectOption> {
    let options = QualityStatement::all().map(|s| (s.code().to_string(), statement_label(s)));
    select("Any quality statement", options, Some(current))
}

/// `GET /good-practice?q=&theme=&statement=&page=`
pub async fn search(State(state): State<AppState>, RawQuery(query): RawQuery) -> Result<Response, PageError> {
    let raw = read_search(query.as_deref());
    let (status, errors, results) = match state.app.practice.search(&raw, PER_PAGE).await {
        Ok(page) => {
            let pages = page.pages();
            let heading = match page.total {
                0 => "No accounts match your search".to_string(),
                n => format!("{} found", count_of(n, "account", "accounts")),
            };
            let results = Results {
                heading,
                items: page.items.iter().map(ResultLine::of).collect(),
                pagination: pagination("/good-practice", &base(&raw), page.page, pages),
                csv_href: format!("/good-practice.csv?{}", base(&raw)),
            };
            (StatusCode::OK, FormErrors::default(), Some(results))
        }
        Err(PracticeError::Invalid(problems)) => (StatusCode::BAD_REQUEST, form_errors(problems), None),
        Err(e) => return Err(WebError::from_area(&e, || WebError::Internal).into()),
    };
    let page = SearchPage {
        title: errors.title("Good practice"),
        errors: errors.links(),
        text_error: errors.get("q"),
        themes: theme_options(&raw.theme),
        theme_error: errors.get("theme"),
        statements: statement_options(&raw.statement),
        statement_error: errors.get("statement").or_else(|| errors.get("page")),
        text: raw.text,
        results,
    };
    Ok(render(status, &page))
}

#[derive(Template)]
#[template(path = "practice/account_page.html")]
struct AccountPage {
    title: String,
    view: AccountView,
}

/// An account as a page shows it, public or in preview.
pub(crate) struct AccountView {
    pub title: String,
    pub summary: Vec<String>,
    pub service: String,
    pub service_href: String,
    pub provider: String,
    pub theme: &'static str,
    pub theme_href: String,
    pub statements: Vec<(String, String)>,
    pub date: String,
    pub parts: Vec<(&'static str, Vec<Vec<String>>)>,
}

impl AccountView {
    pub fn of(r: &PracticeRecord) -> Self {
        let d: &PracticeDraft = &r.draft;
        let paragraphs = |text: &str| -> Vec<Vec<String>> {
            candour_domain::policies::paragraphs(text)
                .into_iter()
                .map(|p| p.into_iter().map(String::from).collect())
                .collect()
        };
        AccountView {
            title: d.title.clone(),
            summary: d.summary.lines().map(String::from).collect(),
            service: r.location_name.clone(),
            service_href: format!("/locations/{}", r.location_id),
            provider: r.provider_name.clone(),
            theme: d.theme.label(),
            theme_href: format!("/good-practice?theme={}", d.theme.code()),
            statements: d
                .statements
                .iter()
                .map(|s| (statement_label(*s), format!("/good-practice?statement={}", s.code())))
                .collect(),
            date: match (r.status, r.published_at) {
                (PracticeStatus::Published, Some(at)) => format!("Published on {}", long_date(at.date_naive())),
                _ => format!("Last changed on {}", long_date(r.updated_at.date_naive())),
            },
            parts: d.parts().iter().map(|(label, text)| (*label, paragraphs(text))).collect(),
        }
    }
}

/// `GET /good-practice/{id}`: a published account; anything else is the normal 404.
pub async fn account(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    uri: axum::http::Uri,
) -> Result<Response, PageError> {
    let record = state
        .app
        .practice
        .published(&raw_id)
        .await
        .map_err(|e| WebError::from_area(&e, || crate::auth::not_found_at(uri.path())))?;
    let view = AccountView::of(&record);
    Ok(render(StatusCode::OK, &AccountPage { title: view.title.clone(), view }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn searches_keep_their_filters_in_the_page_links() {
        let raw = read_search(Some("q=100%25&theme=dementia&statement=w3&page=2"));
        assert_eq!(base(&raw), "q=100%25&theme=dementia&statement=w3");
        let q = raw.parse(10).expect("valid");
        assert_eq!((q.theme, q.statement.map(|s| s.code()), q.page), (Some(Theme::Dementia), Some("W3"), 2));
    }
}
