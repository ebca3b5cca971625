//! A location's monthly returns on the web, for those who may send them (the
//! provider's administrators and the location's registered manager, as through
//! the API): the months sent and those missing from the last year, a form for
//! one month, and the upload of the CSV template. Figures are checked as the
//! command-line import and the API check them, and a file is kept whole or not
//! at all.

mod form;
mod upload;

use std::collections::HashMap;

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use candour_domain::returns::{Month, RawReturn, template};
use candour_domain::{Action, LocationId, UserId};
use candour_store::{ComplaintLog, LocationDetail, Locations, ReturnCounts, ReturnRecord, ReturnSource, StoreError};
use chrono::NaiveDate;
use serde::Deserialize;

pub use form::{form, submit};
pub use upload::upload;

use crate::auth::SignedIn;
use crate::download::csv_file;
use crate::error::{PageError, WebError, render};
use crate::forms::ErrorLink;
use crate::pages::chrome::{Chrome, Crumb};
use crate::pages::location_resource;
use crate::state::AppState;
use crate::views::{count_of, month_name, today};

/// How many complete months back the page looks for missing returns.
const MISSING_WINDOW: usize = 12;

#[derive(Template)]
#[template(path = "returns.html")]
struct ReturnsPage {
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
    upload: upload::UploadForm,
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
    let detail = readable_returns(&state, &who, &raw_id).await?;
    let notice = query.ok().and_then(|q| q.0.notice());
    let page = returns_page(&state, &who, &detail, notice, upload::UploadForm::new(&detail.location.id)).await?;
    Ok(render(StatusCode::OK, &page))
}

/// `GET /manage/locations/{id}/returns/template.csv`: the CSV template with a
/// row for each month missing from the last year, ready for its figures.
pub async fn template_file(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let detail = readable_returns(&state, &who, &raw_id).await?;
    let id = &detail.location.id;
    let sent = all_returns(&state, &who, id).await?;
    let mut months = missing_months(&sent, today());
    months.reverse();
    Ok(csv_file(&format!("returns-{id}.csv"), template::blank(id, &months))?)
}

/// The location, when the caller may send its returns (the API's rule); any
/// other caller gets the normal 404, as for a location that does not exist.
async fn writable_location(state: &AppState, who: &SignedIn, raw_id: &str) -> Result<LocationDetail, WebError> {
    let id = LocationId::parse(raw_id).map_err(|_| who.not_found())?;
    let detail = state.store.location(&id).await.map_err(who.store_error())?;
    who.require(state, Action::Write, location_resource(&detail)).await?;
    Ok(detail)
}

/// [`writable_location`], with the read of its returns audited.
async fn readable_returns(state: &AppState, who: &SignedIn, raw_id: &str) -> Result<LocationDetail, WebError> {
    let detail = writable_location(state, who, raw_id).await?;
    who.caller.record(state, "read", &format!("location:{}", detail.location.id), Some("returns")).await?;
    Ok(detail)
}

async fn returns_page(
    state: &AppState,
    who: &SignedIn,
    detail: &LocationDetail,
    notice: Option<String>,
    upload: upload::UploadForm,
) -> Result<ReturnsPage, WebError> {
    let l = &detail.location;
    let sent = all_returns(state, who, &l.id).await?;
    let senders = senders(state, &sent).await?;
    let missing = missing_months(&sent, today())
        .into_iter()
        .map(|m| MissingMonth { label: month_name(m), href: new_href(&l.id, Some(m)) })
        .collect();
    let errors = upload.error_links();
    Ok(ReturnsPage {
        title: if errors.is_empty() { "Monthly returns".to_string() } else { "Error: Monthly returns".to_string() },
        chrome: location_chrome(who, detail, "Monthly returns"),
        errors,
        notice,
        name: l.name.clone(),
        new_href: new_href(&l.id, None),
        template_href: format!("{}/template.csv", returns_href(&l.id)),
        missing,
        returned_caption: format!("{} sent, latest first", count_of(sent.len() as u64, "month", "months")),
        returned: sent.iter().rev().map(|r| return_line(r, &senders)).collect(),
        upload,
    })
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

/// Every return the location has sent, oldest first.
async fn all_returns(state: &AppState, who: &SignedIn, id: &LocationId) -> Result<Vec<ReturnRecord>, WebError> {
    let first = Month::new(1000, 1).map_err(|_| WebError::Internal)?;
    state.store.returns_of(id, first, Month::of(today())).await.map_err(who.store_error())
}

/// The names of the accounts that sent these returns.
async fn senders(state: &AppState, sent: &[ReturnRecord]) -> Result<HashMap<UserId, String>, WebError> {
    let mut names = HashMap::new();
    for id in sent.iter().filter_map(|r| r.sent_by) {
        if names.contains_key(&id) {
            continue;
        }
        let name = match state.store.user(id).await {
            Ok(user) => user.name,
            Err(StoreError::NotFound) => format!("account {id}, since removed"),
            Err(err) => return Err(WebError::from_store(err, String::new)),
        };
        names.insert(id, name);
    }
    Ok(names)
}

/// "3 Nov 2026 by Jane Smith, web form": when, who and how a return came.
fn sent_text(r: &ReturnRecord, senders: &HashMap<UserId, String>) -> String {
    let when = r.sent_at.format("%-d %b %Y");
    let Some(name) = r.sent_by.and_then(|id| senders.get(&id)) else {
        return format!("{when}, imported on the server");
    };
    let how = match r.source {
        ReturnSource::Form => "web form",
        ReturnSource::Csv => "CSV file",
        ReturnSource::Api => "API",
    };
    format!("{when} by {name}, {how}")
}

/// The complete months of the last year with no return, latest first.
fn missing_months(sent: &[ReturnRecord], today: NaiveDate) -> Vec<Month> {
    std::iter::successors(Month::of(today).previous(), |m| m.previous())
        .take(MISSING_WINDOW)
        .filter(|m| !sent.iter().any(|r| r.figures.month == *m))
        .collect()
}

/// The last month that has ended: the one a return is due for.
fn last_complete_month(today: NaiveDate) -> Month {
    let this = Month::of(today);
    this.previous().unwrap_or(this)
}

fn returns_href(id: &LocationId) -> String {
    format!("/manage/locations/{id}/returns")
}

fn new_href(id: &LocationId, month: Option<Month>) -> String {
    match month {
        Some(m) => format!("{}/new?month={m}", returns_href(id)),
        None => format!("{}/new", returns_href(id)),
    }
}

/// Where the caller goes after a return or a file was saved, with its notice.
fn saved_href(id: &LocationId, counts: ReturnCounts, month: Option<Month>) -> String {
    match month {
        Some(month) => {
            let outcome = match counts {
                ReturnCounts { added: 1.., .. } => "saved",
                ReturnCounts { replaced: 1.., .. } => "replaced",
                _ => "unchanged",
            };
            format!("{}?month={month}&outcome={outcome}", returns_href(id))
        }
        None => {
            let ReturnCounts { added, replaced, unchanged } = counts;
            format!("{}?added={added}&replaced={replaced}&unchanged={unchanged}", returns_href(id))
        }
    }
}

/// Manage › the location › `here`.
fn location_chrome(who: &SignedIn, detail: &LocationDetail, here: &str) -> Chrome {
    let l = &detail.location;
    Chrome::with(
        who,
        vec![Crumb::new("Manage", "/manage"), Crumb::new(l.name.clone(), format!("/manage/locations/{}", l.id))],
        here,
    )
}

/// The returns page's link, for those who may send the location's returns.
pub fn returns_link(p: &candour_domain::Principal, detail: &LocationDetail) -> Option<String> {
    candour_domain::authorize(p, Action::Write, location_resource(detail))
        .is_allowed()
        .then(|| returns_href(&detail.location.id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use candour_domain::returns::MonthlyReturn;

    fn month(at: &str) -> Month {
        Month::parse(at).unwrap()
    }

    fn record(at: &str, source: ReturnSource, sent_by: Option<UserId>) -> ReturnRecord {
        let mut raw = candour_domain::returns::RawReturn::default();
        for (field, _) in candour_domain::returns::FIELDS {
            raw.set(field, "0");
        }
        (raw.month, raw.registered_manager, raw.manager_changed) = (at.into(), "yes".into(), "no".into());
        let figures = MonthlyReturn::parse(&raw, NaiveDate::from_ymd_opt(2030, 1, 1).unwrap()).unwrap();
        let sent_at = NaiveDate::from_ymd_opt(2026, 11, 3).unwrap().and_hms_opt(10, 5, 0).unwrap().and_utc();
        ReturnRecord { location_id: LocationId::parse("1-1").unwrap(), figures, sent_by, sent_at, source }
    }

    #[test]
    fn the_missing_months_are_the_last_twelve_complete_ones_not_sent() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 15).unwrap();
        let sent = [record("2026-10", ReturnSource::Form, None), record("2026-01", ReturnSource::Csv, None)];
        let missing: Vec<String> = missing_months(&sent, today).iter().map(ToString::to_string).collect();
        assert_eq!(missing.first().map(String::as_str), Some("2026-09"), "October is sent; November has not ended");
        assert_eq!(missing.last().map(String::as_str), Some("2025-11"));
        assert_eq!(missing.len(), 10);
        assert_eq!(last_complete_month(today), month("2026-10"));
        assert_eq!(last_complete_month(NaiveDate::from_ymd_opt(2027, 1, 2).unwrap()), month("2026-12"));
    }

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
    fn redirects_carry_what_was_saved() {
        let id = LocationId::parse("1-1").unwrap();
        let one = |added, replaced, unchanged| ReturnCounts { added, replaced, unchanged };
        let to = |counts| saved_href(&id, counts, Some(month("2026-10")));
        assert_eq!(to(one(1, 0, 0)), "/manage/locations/1-1/returns?month=2026-10&outcome=saved");
        assert_eq!(to(one(0, 1, 0)), "/manage/locations/1-1/returns?month=2026-10&outcome=replaced");
        assert_eq!(to(one(0, 0, 1)), "/manage/locations/1-1/returns?month=2026-10&outcome=unchanged");
        assert_eq!(saved_href(&id, one(2, 1, 0), None), "/manage/locations/1-1/returns?added=2&replaced=1&unchanged=0");
    }

    #[test]
    fn senders_are_named_with_how_they_sent() {
        let user = UserId(7);
        let names = HashMap::from([(user, "Jane Smith".to_string())]);
        assert_eq!(
            sent_text(&record("2026-10", ReturnSource::Form, Some(user)), &names),
            "3 Nov 2026 by Jane Smith, web form"
        );
        assert_eq!(
            sent_text(&record("2026-10", ReturnSource::Csv, None), &names),
            "3 Nov 2026, imported on the server"
        );
    }
}

/// The location's complaint log in Candour, if it has logged a complaint: from
/// that month on it counts the complaint figures a return would otherwise give.
pub(crate) async fn complaint_log(state: &AppState, id: &LocationId) -> Result<Option<ComplaintLog>, WebError> {
    let logs = state
        .store
        .complaint_logs(Locations::One(id), ComplaintLog::ever(), today())
        .await
        .map_err(|e| WebError::from_store(e, String::new))?;
    Ok(logs.rows.into_iter().find(|log| log.location_id == *id))
}

/// Fills a return's blank complaint figures from the log, where it counts the month.
pub(crate) fn fill_from_log(raw: &mut RawReturn, log: Option<&ComplaintLog>) {
    if let (Some(log), Ok(month)) = (log, Month::parse(&raw.month))
        && let Some(logged) = log.counts(month)
    {
        raw.fill_complaints_from(logged);
    }
}
