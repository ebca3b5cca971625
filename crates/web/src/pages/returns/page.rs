//! The returns page: the months sent and those missing from the last year, the
//! upload form, and the CSV template to fill in.

use std::collections::HashMap;

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use candour_app::returns::Overview;
use candour_domain::returns::Month;
use candour_domain::returns::template::Problem;
use candour_domain::{LocationId, UserId};
use candour_store::ReturnRecord;
use serde::Deserialize;

use super::words::{location_chrome, new_href, returns_href, sent_text};
use crate::auth::SignedIn;
use crate::download::csv_file;
use crate::error::{PageError, render};
use crate::forms::ErrorLink;
use crate::pages::chrome::Chrome;
use crate::state::AppState;
use crate::views::{count_of, month_name, today};

/// The form field holding the file.
pub const FILE_FIELD: &str = "file";
/// The largest file taken: years of months for one service, and under the
/// server's limit on a request's body, so that a larger file gets this message.
pub const MAX_FILE_BYTES: usize = 60 * 1024;
/// At most this many problems are listed; the count says how many more there are.
const MAX_LISTED: usize = 50;

#[derive(Template)]
#[template(path = "returns/page.html")]
pub struct ReturnsPage {
    title: String,
    chrome: Chrome,
    errors: Vec<ErrorLink>,
    notice: Option<String>,
    name: String,
    new_href: String,
    template_href: String,
    missing: Vec<MissingMonth>,
    returned_caption: String,
    returned: Vec<ReturnLine>,
    upload: UploadForm,
}

struct MissingMonth {
    label: String,
    href: String,
}

/// A month sent, with its main figures as text.
struct ReturnLine {
    month: String,
    correct_href: String,
    headcount: String,
    leavers: String,
    vacancies: String,
    incidents: String,
    restraint: String,
    complaints: String,
    sent: String,
}

/// The upload form, and what was wrong with the last file sent.
pub struct UploadForm {
    pub action: String,
    pub error: Option<String>,
    /// The file's problems, each with its line, at most [`MAX_LISTED`].
    pub problems: Vec<String>,
    pub unlisted: Option<String>,
}

impl UploadForm {
    pub fn new(id: &LocationId) -> Self {
        UploadForm { action: format!("{}/upload", returns_href(id)), error: None, problems: Vec::new(), unlisted: None }
    }

    pub fn refused(id: &LocationId, error: impl Into<String>, problems: &[Problem]) -> Self {
        let hidden = problems.len().saturating_sub(MAX_LISTED);
        UploadForm {
            error: Some(error.into()),
            problems: problems.iter().take(MAX_LISTED).map(sentence).collect(),
            unlisted: (hidden > 0).then(|| format!("and {hidden} more, not listed here")),
            ..UploadForm::new(id)
        }
    }

    /// The size limit, as the page states it.
    pub fn limit(&self) -> String {
        format!("{} KB", MAX_FILE_BYTES / 1024)
    }

    pub fn error_links(&self) -> Vec<ErrorLink> {
        let link = |message: &String| ErrorLink { href: format!("#{FILE_FIELD}"), message: message.clone() };
        self.error.iter().map(link).collect()
    }
}

/// "Line 3, column headcount: …".
fn sentence(problem: &Problem) -> String {
    let text = problem.to_string();
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The notice after a form or a file was saved, carried in the redirect's query.
#[derive(Deserialize, Default)]
pub struct Saved {
    month: Option<String>,
    outcome: Option<String>,
    added: Option<u64>,
    replaced: Option<u64>,
    unchanged: Option<u64>,
}

impl Saved {
    fn notice(&self) -> Option<String> {
        if let (Some(month), Some(outcome)) = (&self.month, &self.outcome) {
            let month = Month::parse(month).ok()?;
            let outcome = ["saved", "replaced", "unchanged"].into_iter().find(|o| o == outcome)?;
            return Some(format!("Return for {} {outcome}", month_name(month)));
        }
        let (added, replaced, unchanged) = (self.added?, self.replaced?, self.unchanged?);
        let months = count_of(added + replaced + unchanged, "month", "months");
        Some(format!("File uploaded: {months} ({added} added, {replaced} replaced, {unchanged} unchanged)"))
    }
}

/// `GET /manage/locations/{id}/returns`
pub async fn page(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    query: Result<Query<Saved>, QueryRejection>,
) -> Result<Response, PageError> {
    let overview = state.app.returns.overview(&who.actor(), &raw_id, today()).await.map_err(|e| who.fail(e))?;
    let notice = query.ok().and_then(|q| q.0.notice());
    let upload = UploadForm::new(&overview.detail.location.id);
    Ok(render(StatusCode::OK, &returns_page(&who, &overview, notice, upload)))
}

/// `GET /manage/locations/{id}/returns/template.csv`: the CSV template with a
/// row for each month missing from the last year, ready for its figures.
pub async fn template_file(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let (id, text) = state.app.returns.template(&who.actor(), &raw_id, today()).await.map_err(|e| who.fail(e))?;
    Ok(csv_file(&format!("returns-{id}.csv"), text)?)
}

pub fn returns_page(who: &SignedIn, overview: &Overview, notice: Option<String>, upload: UploadForm) -> ReturnsPage {
    let Overview { detail, sent, senders, missing } = overview;
    let l = &detail.location;
    let errors = upload.error_links();
    ReturnsPage {
        title: if errors.is_empty() { "Monthly returns".to_string() } else { "Error: Monthly returns".to_string() },
        chrome: location_chrome(who, detail, "Monthly returns"),
        errors,
        notice,
        name: l.name.clone(),
        new_href: new_href(&l.id, None),
        template_href: format!("{}/template.csv", returns_href(&l.id)),
        missing: missing
            .iter()
            .map(|&m| MissingMonth { label: month_name(m), href: new_href(&l.id, Some(m)) })
            .collect(),
        returned_caption: format!("{} sent, latest first", count_of(sent.len() as u64, "month", "months")),
        returned: sent.iter().rev().map(|r| return_line(r, senders)).collect(),
        upload,
    }
}

fn return_line(r: &ReturnRecord, senders: &HashMap<UserId, String>) -> ReturnLine {
    let f = &r.figures;
    ReturnLine {
        month: month_name(f.month),
        correct_href: new_href(&r.location_id, Some(f.month)),
        headcount: f.headcount.to_string(),
        leavers: f.leavers.to_string(),
        vacancies: f.vacancies.to_string(),
        incidents: f.incidents.to_string(),
        restraint: f.restraint.to_string(),
        complaints: format!("{} ({} upheld)", f.complaints_received, f.complaints_upheld),
        sent: sent_text(r, senders),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_name_the_month_or_the_counts() {
        let saved = |month: &str, outcome: &str| Saved {
            month: Some(month.into()),
            outcome: Some(outcome.into()),
            ..Saved::default()
        };
        assert_eq!(saved("2026-10", "saved").notice().as_deref(), Some("Return for October 2026 saved"));
        assert_eq!(saved("2026-10", "unchanged").notice().as_deref(), Some("Return for October 2026 unchanged"));
        assert_eq!(saved("2026-10", "deleted").notice(), None);
        assert_eq!(saved("October", "saved").notice(), None);
        let file = Saved { added: Some(2), replaced: Some(0), unchanged: Some(1), ..Saved::default() };
        assert_eq!(file.notice().as_deref(), Some("File uploaded: 3 months (2 added, 0 replaced, 1 unchanged)"));
        assert_eq!(Saved::default().notice(), None);
    }

    #[test]
    fn problems_read_as_sentences() {
        let problem = Problem::new(3, Some("location_id"), "1-202 is another service");
        assert_eq!(sentence(&problem), "Line 3, column location_id: 1-202 is another service");
        let month = Problem::new(4, Some("month"), "\"2026-13\" is not a month: write it as YYYY-MM, like 2026-01");
        assert_eq!(
            sentence(&month),
            "Line 4, column month: \"2026-13\" is not a month: write it as YYYY-MM, like 2026-01"
        );
    }

    #[test]
    fn long_lists_of_problems_are_cut_with_a_count() {
        let id = LocationId::parse("1-101").unwrap();
        let problems: Vec<Problem> = (2..=61).map(|line| Problem::new(line, None, "has 2 values")).collect();
        let form = UploadForm::refused(&id, "returns.csv has 60 problems", &problems);
        assert_eq!(form.problems.len(), MAX_LISTED);
        assert_eq!(form.problems[0], "Line 2: has 2 values");
        assert_eq!(form.unlisted.as_deref(), Some("and 10 more, not listed here"));
        assert_eq!(form.error_links()[0].href, "#file");
        assert!(UploadForm::new(&id).error_links().is_empty());
    }
}
