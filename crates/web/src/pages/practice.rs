//! Good practice: accounts of what works well at a service, searchable by theme and quality statement.
//!
//! - `/good-practice`: the public search (text, theme, statement, paged), every
//!   match as CSV at `/good-practice.csv`, and `/good-practice/{id}`: one published
//!   account. Anything unpublished is 404.
//! - `/manage/locations/{id}/good-practice`: a service's accounts for those who run
//!   it, with writing, editing, publishing and unpublishing.

mod manage;

pub(crate) use manage::manage_link;

use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use candour_domain::practice::{PracticeDraft, PracticeStatus, QualityStatement, Theme};
use candour_engine::{Framework, StatementId};
use candour_store::{Page, PracticeQuery, PracticeRecord, PracticeSummary, StoreError};

use crate::download::{csv_file, spreadsheet_safe};
use crate::error::{PageError, WebError, render};
use crate::forms::{ErrorLink, FormErrors, pairs};
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

/// Accounts a page of results shows.
const PER_PAGE: u32 = 10;

/// "S3 Safeguarding": a statement's ID and its title in the framework.
pub(crate) fn statement_label(s: QualityStatement) -> String {
    match statement_title(s) {
        Some(title) => format!("{} {title}", s.code()),
        None => s.code().to_string(),
    }
}

pub(crate) fn statement_title(s: QualityStatement) -> Option<String> {
    let id = StatementId::parse(s.code()).ok()?;
    Framework::current().ok()?.statement(id).map(|st| st.title.clone())
}

/// The search as asked, every value still text, and what is wrong with it.
#[derive(Default)]
pub(crate) struct SearchForm {
    pub text: String,
    pub theme: String,
    pub statement: String,
    pub page: String,
}

impl SearchForm {
    pub fn read(query: Option<&str>) -> Self {
        let pairs = pairs(query.unwrap_or_default().as_bytes());
        let get = |key: &str| crate::forms::value(&pairs, key).to_string();
        SearchForm { text: get("q"), theme: get("theme"), statement: get("statement"), page: get("page") }
    }

    /// The store's query, or every problem against its field.
    pub fn validate(&self, per_page: u32) -> Result<PracticeQuery, FormErrors> {
        let mut errors = FormErrors::default();
        let theme = match self.theme.as_str() {
            "" => None,
            code => Theme::parse(code).map_err(|_| errors.add("theme", "Choose a theme from the list")).ok(),
        };
        let statement = match self.statement.as_str() {
            "" => None,
            code => QualityStatement::parse(code)
                .map_err(|_| errors.add("statement", "Choose a quality statement from the list"))
                .ok(),
        };
        let page = match self.page.as_str() {
            "" => Some(1),
            text => text.parse::<u32>().ok().filter(|p| (1..=10_000).contains(p)),
        };
        if page.is_none() {
            errors.add("page", "The page must be a whole number from 1");
        }
        if self.text.chars().count() > 200 {
            errors.add("q", "Search for 200 characters or fewer");
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let text = Some(self.text.clone()).filter(|t| !t.is_empty());
        Ok(PracticeQuery { text, theme, statement, page: page.unwrap_or(1), per_page })
    }

    /// The query string of this search without its page, for the page links.
    fn base(&self) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (key, value) in [("q", &self.text), ("theme", &self.theme), ("statement", &self.statement)] {
            if !value.is_empty() {
                s.append_pair(key, value);
            }
        }
        s.finish()
    }
}

#[derive(Template)]
#[template(path = "practice_search.html")]
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
    let form = SearchForm::read(query.as_deref());
    let Ok(mut q) = form.validate(PracticeQuery::MAX_PER_PAGE) else {
        return Err(
            WebError::bad_request("The search is not one we can run: go back to the search and correct it.").into()
        );
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
    loop {
        let page = state.store.search_practice(&q).await.map_err(|e| WebError::from_store(e, String::new))?;
        for s in &page.items {
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
            out.write_record(row.map(|cell| spreadsheet_safe(cell))).map_err(failed)?;
        }
        if q.page >= page.pages() {
            break;
        }
        q.page += 1;
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
    let form = SearchForm::read(query.as_deref());
    let (status, errors, results) = match form.validate(PER_PAGE) {
        Ok(q) => {
            let page: Page<PracticeSummary> =
                state.store.search_practice(&q).await.map_err(|e| WebError::from_store(e, String::new))?;
            let pages = page.pages();
            let heading = match page.total {
                0 => "No accounts match your search".to_string(),
                n => format!("{} found", count_of(n, "account", "accounts")),
            };
            let results = Results {
                heading,
                items: page.items.iter().map(ResultLine::of).collect(),
                pagination: pagination("/good-practice", &form.base(), page.page, pages),
                csv_href: format!("/good-practice.csv?{}", form.base()),
            };
            (StatusCode::OK, FormErrors::default(), Some(results))
        }
        Err(errors) => (StatusCode::BAD_REQUEST, errors, None),
    };
    let page = SearchPage {
        title: errors.title("Good practice"),
        errors: errors.links(),
        text_error: errors.get("q"),
        themes: theme_options(&form.theme),
        theme_error: errors.get("theme"),
        statements: statement_options(&form.statement),
        statement_error: errors.get("statement").or_else(|| errors.get("page")),
        text: form.text,
        results,
    };
    Ok(render(status, &page))
}

#[derive(Template)]
#[template(path = "practice.html")]
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
    let missing = || crate::auth::not_found_at(uri.path());
    let id: i64 = raw_id.parse().map_err(|_| missing())?;
    let record = match state.store.practice(id).await {
        Ok(r) if r.status == PracticeStatus::Published => r,
        Ok(_) | Err(StoreError::NotFound) => return Err(missing().into()),
        Err(err) => return Err(WebError::from_store(err, String::new).into()),
    };
    let view = AccountView::of(&record);
    Ok(render(StatusCode::OK, &AccountPage { title: view.title.clone(), view }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_framework_statement_can_be_chosen_with_its_title() {
        let framework = Framework::current().expect("the framework");
        let codes: Vec<String> = framework.statements().map(|s| s.id.to_string()).collect();
        let ours: Vec<String> = QualityStatement::all().map(|s| s.code().to_string()).collect();
        assert_eq!(codes.len(), ours.len());
        for code in &codes {
            assert!(ours.contains(code), "{code} is missing from the domain's list");
        }
        assert_eq!(statement_label(QualityStatement::parse("S3").unwrap()), "S3 Safeguarding");
    }

    #[test]
    fn searches_are_checked_field_by_field() {
        let form = SearchForm::read(Some("q=100%25&theme=dementia&statement=w3&page=2"));
        let q = form.validate(10).expect("valid");
        assert_eq!(q.text.as_deref(), Some("100%"));
        assert_eq!((q.theme, q.statement.map(|s| s.code()), q.page), (Some(Theme::Dementia), Some("W3"), 2));
        assert_eq!(form.base(), "q=100%25&theme=dementia&statement=w3");
        let bad = SearchForm::read(Some("theme=gardening&statement=S99&page=0")).validate(10).unwrap_err();
        assert!(bad.get("theme").is_some() && bad.get("statement").is_some() && bad.get("page").is_some());
        assert_eq!(SearchForm::read(None).validate(10).unwrap(), PracticeQuery { per_page: 10, ..Default::default() });
    }
}
