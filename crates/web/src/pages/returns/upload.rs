//! The CSV template uploaded on the returns page: read as the command-line
//! import reads it, with only this location's rows accepted. One bad row and
//! nothing is saved; every problem is listed by line.

use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_domain::LocationId;
use candour_domain::returns::Month;
use candour_domain::returns::template::{self, ComplaintLogs, LOCATION_COLUMN, Problem, Row};
use candour_store::{LocationDetail, ReturnBatch, ReturnSource};
use chrono::{NaiveDate, Utc};

use crate::auth::SignedIn;
use crate::error::{PageError, render};
use crate::forms::ErrorLink;
use crate::state::AppState;

/// The form field holding the file.
const FILE_FIELD: &str = "file";
/// The largest file taken: years of months for one service, and under the
/// server's limit on a request's body, so that a larger file gets this message.
const MAX_FILE_BYTES: usize = 60 * 1024;
/// At most this many problems are listed; the count says how many more there are.
const MAX_LISTED: usize = 50;
const CHOOSE_A_FILE: &str = "Choose a CSV file to upload";

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
        UploadForm {
            action: format!("{}/upload", super::returns_href(id)),
            error: None,
            problems: Vec::new(),
            unlisted: None,
        }
    }

    fn refused(id: &LocationId, error: impl Into<String>, problems: &[Problem]) -> Self {
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

/// `POST /manage/locations/{id}/returns/upload` (multipart): every row saved
/// together and back to the returns page (303), or the page again listing
/// every problem.
pub async fn upload(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let detail = super::writable_location(&state, &who, &raw_id).await?;
    let id = detail.location.id.clone();
    let file = match multipart {
        Ok(parts) => read_file(parts).await,
        Err(_) => Err(CHOOSE_A_FILE.to_string()),
    };
    let (name, bytes) = match file {
        Ok(file) => file,
        Err(message) => return refused(&state, &who, &detail, UploadForm::refused(&id, message, &[])).await,
    };
    let log = super::complaint_log(&state, &id).await?;
    let logs =
        |at: &LocationId, month: Month| log.as_ref().filter(|l| l.location_id == *at).and_then(|l| l.counts(month));
    let rows = match this_locations_rows(&bytes, &id, crate::views::today(), &logs) {
        Ok(rows) => rows,
        Err(problems) => {
            let error = match problems.len() {
                1 => format!("{name} has a problem, shown below: nothing was saved"),
                n => format!("{name} has {n} problems, listed below: nothing was saved"),
            };
            return refused(&state, &who, &detail, UploadForm::refused(&id, error, &problems)).await;
        }
    };
    let count = rows.len();
    let batch = ReturnBatch {
        returns: rows.into_iter().map(|r| (r.location, r.figures)).collect(),
        sent_by: Some(who.principal().user_id),
        sent_at: Utc::now(),
        source: ReturnSource::Csv,
    };
    let counts = state.store.save_returns(&batch).await.map_err(who.store_error())?;
    let detail_text = format!("csv: {count} month(s) from {name}");
    who.caller.record(&state, "returns", &format!("location:{id}"), Some(&detail_text)).await?;
    Ok(Redirect::to(&super::saved_href(&id, counts, None)).into_response())
}

async fn refused(
    state: &AppState,
    who: &SignedIn,
    detail: &LocationDetail,
    form: UploadForm,
) -> Result<Response, PageError> {
    let page = super::returns_page(state, who, detail, None, form).await?;
    Ok(render(StatusCode::BAD_REQUEST, &page))
}

/// The uploaded file's name and content; a message when there is none.
async fn read_file(mut parts: Multipart) -> Result<(String, Bytes), String> {
    let unreadable = |_| "The upload could not be read: choose the file again and upload it".to_string();
    while let Some(part) = parts.next_field().await.map_err(unreadable)? {
        if part.name() != Some(FILE_FIELD) {
            continue;
        }
        let name = part.file_name().map(str::trim).filter(|n| !n.is_empty()).map(str::to_string);
        let bytes = part.bytes().await.map_err(unreadable)?;
        // Browsers send an unnamed, empty part when no file was chosen.
        let Some(name) = name.or_else(|| (!bytes.is_empty()).then(|| "The file".to_string())) else { break };
        if bytes.is_empty() {
            return Err(format!("{name} is empty: fill in the template and upload it"));
        }
        if bytes.len() > MAX_FILE_BYTES {
            return Err(format!("{name} is larger than {} KB: split it into smaller files", MAX_FILE_BYTES / 1024));
        }
        return Ok((name, bytes));
    }
    Err(CHOOSE_A_FILE.to_string())
}

/// Every row of the file, checked, when all of them are good and for this
/// location; otherwise every problem, by line.
fn this_locations_rows(
    bytes: &[u8],
    id: &LocationId,
    today: NaiveDate,
    logs: ComplaintLogs<'_>,
) -> Result<Vec<Row>, Vec<Problem>> {
    let (rows, mut problems) = template::read(bytes, today, logs);
    for row in rows.iter().filter(|r| r.location != *id) {
        let reason = format!("{} is another service: this page takes the returns of {id} only", row.location);
        problems.push(Problem::new(row.line, Some(LOCATION_COLUMN), reason));
    }
    if problems.is_empty() {
        return Ok(rows);
    }
    problems.sort_by_key(|p| p.line);
    Err(problems)
}

/// "Line 3, column headcount: …".
fn sentence(problem: &Problem) -> String {
    let text = problem.to_string();
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "location_id,month,headcount,leavers,agency_hours,hours_worked,vacancies,supervision_pct,\
training_pct,registered_manager,manager_changed,people_supported,incidents,restraint,seclusion,segregation,\
notifications,safeguarding_referrals,complaints_received,complaints_upheld,complaints_on_time";

    fn row(location: &str, month: &str) -> String {
        format!("{location},{month},40,2,300,6000,3,85,92,yes,no,38,5,1,0,0,2,1,3,1,3")
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 15).unwrap()
    }

    #[test]
    fn only_this_locations_rows_are_taken() {
        let id = LocationId::parse("1-101").unwrap();
        let good = format!("{HEADER}\n{}\n{}\n", row("1-101", "2026-01"), row("1-101", "2026-02"));
        assert_eq!(this_locations_rows(good.as_bytes(), &id, today(), &template::no_logs).unwrap().len(), 2);

        let mixed = format!(
            "{HEADER}\n{}\n{}\n{}\n",
            row("1-101", "2026-01"),
            row("1-202", "2026-01"),
            row("1-101", "2026-13")
        );
        let problems: Vec<String> = this_locations_rows(mixed.as_bytes(), &id, today(), &template::no_logs)
            .unwrap_err()
            .iter()
            .map(sentence)
            .collect();
        assert_eq!(
            problems,
            [
                "Line 3, column location_id: 1-202 is another service: this page takes the returns of 1-101 only",
                "Line 4, column month: \"2026-13\" is not a month: write it as YYYY-MM, like 2026-01",
            ]
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
