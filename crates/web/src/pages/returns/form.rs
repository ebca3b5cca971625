//! One month's return typed into a form: new, or an earlier month corrected
//! (`?month=YYYY-MM`, filled with the figures sent). Every problem is shown at
//! once, next to its field, with the values kept.

use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_domain::returns::{FieldError, Month, MonthlyReturn, RawReturn};
use candour_store::{LocationDetail, ReturnBatch, ReturnRecord, ReturnSource};
use chrono::Utc;
use serde::Deserialize;

use super::{senders, sent_text};
use crate::auth::SignedIn;
use crate::error::{PageError, WebError, render};
use crate::forms::{ErrorLink, Field, FormErrors, RadioGroup, pairs, plain, value};
use crate::pages::chrome::Chrome;
use crate::state::AppState;
use crate::views::month_name;
use crate::views::today;

/// A field of the return, its label, and a hint saying what is counted and in what unit.
type Question = (&'static str, &'static str, &'static str);

/// The figures, in sections. Every field of the return but the month is here once.
const SECTIONS: [(&str, &[Question]); 4] = [
    (
        "Staffing",
        &[
            (
                "headcount",
                "Staff employed",
                "People employed by the service on the last day of the month, each counted once whatever \
                 their hours. Agency staff are not counted.",
            ),
            ("leavers", "Staff who left", "People employed by the service who left during the month, for any reason."),
            ("agency_hours", "Agency staff hours", "Hours worked by agency staff during the month, in whole hours."),
            (
                "hours_worked",
                "All staff hours",
                "Hours worked by all staff during the month, agency staff included, in whole hours.",
            ),
            ("vacancies", "Vacant posts", "Posts vacant on the last day of the month."),
            (
                "supervision_pct",
                "Supervision up to date",
                "The percentage of staff whose supervision is up to date, a whole number from 0 to 100.",
            ),
            (
                "training_pct",
                "Mandatory training up to date",
                "The percentage of staff whose mandatory training is up to date, a whole number from 0 to 100.",
            ),
        ],
    ),
    (
        "Leadership",
        &[
            ("registered_manager", "Is a registered manager in post?", "At the end of the month."),
            ("manager_changed", "Did the manager change this month?", "A new manager started, or the manager left."),
        ],
    ),
    (
        "People, incidents and notifications",
        &[
            (
                "people_supported",
                "People supported",
                "Occupied beds; for a service without beds, the number of people it supports.",
            ),
            ("incidents", "Incidents", "Incidents recorded during the month."),
            ("restraint", "Restraint", "Times restraint was used during the month."),
            ("seclusion", "Seclusion", "Times seclusion was used during the month."),
            ("segregation", "Long-term segregation", "Times long-term segregation was used during the month."),
            ("notifications", "Statutory notifications", "Notifications sent to the regulator during the month."),
            (
                "safeguarding_referrals",
                "Safeguarding referrals",
                "Referrals made to the local authority's safeguarding team during the month.",
            ),
        ],
    ),
    (
        COMPLAINTS,
        &[
            ("complaints_received", "Complaints received", "Complaints received during the month."),
            ("complaints_upheld", "Complaints upheld", "Of the complaints received this month, those upheld."),
            (
                "complaints_on_time",
                "Complaints answered on time",
                "Of the complaints received this month, those answered within your own time limit.",
            ),
        ],
    ),
];

/// The questions answered yes or no.
const YES_NO: [&str; 2] = ["registered_manager", "manager_changed"];

/// What a service is like at the end of a month rather than what happened in it:
/// a new month's form starts with these from the last return, to be checked.
const CARRIED_OVER: [&str; 6] =
    ["headcount", "vacancies", "supervision_pct", "training_pct", "registered_manager", "people_supported"];

const MONTH_LABEL: &str = "Month";

/// The section a complaint log may count instead of the form.
const COMPLAINTS: &str = "Complaints";

#[derive(Template)]
#[template(path = "returns_form.html")]
struct FormPage {
    title: String,
    chrome: Chrome,
    errors: Vec<ErrorLink>,
    name: String,
    heading: String,
    correcting: Option<String>,
    action: String,
    back_href: String,
    month: Field,
    /// Where the figures already in a new month's form come from.
    prefilled: Option<String>,
    sections: Vec<Section>,
}

struct Section {
    heading: &'static str,
    /// Why the section asks nothing, when another source counts its figures.
    counted_elsewhere: Option<String>,
    inputs: Vec<Input>,
}

enum Input {
    Figure(Field),
    YesNo(RadioGroup),
}

#[derive(Deserialize, Default)]
pub struct FormQuery {
    month: Option<String>,
}

/// `GET /manage/locations/{id}/returns/new?month=YYYY-MM`: the last complete
/// month unless another is asked for, filled with its figures when it was sent.
pub async fn form(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    query: Result<Query<FormQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let detail = super::readable_returns(&state, &who, &raw_id).await?;
    let asked = query.ok().and_then(|q| q.0.month).filter(|m| !m.trim().is_empty());
    let month = match asked {
        Some(text) => Month::parse(&text)
            .ok()
            .filter(|m| *m <= Month::of(today()))
            .ok_or_else(|| WebError::bad_request("Ask for a month that has begun, written YYYY-MM, like 2026-01"))?,
        None => super::last_complete_month(today()),
    };
    let sent = sent_return(&state, &who, &detail, month).await?;
    let (raw, prefilled) = match &sent {
        Some(record) => (record.figures.to_raw(), None),
        None => carried_over(&state, &who, &detail, month).await?,
    };
    let fields: Vec<(String, String)> = raw.values().map(|(k, v)| (k.to_string(), v.to_string())).to_vec();
    let mut page = form_page(&state, &who, &detail, &fields, &FormErrors::default()).await?;
    page.prefilled = Some(prefilled).flatten();
    Ok(render(StatusCode::OK, &page))
}

/// A new month's form: what carries over from the last return before it, or,
/// before any return, whether the register says a registered manager is in post;
/// with a sentence saying where they come from.
async fn carried_over(
    state: &AppState,
    who: &SignedIn,
    detail: &LocationDetail,
    month: Month,
) -> Result<(RawReturn, Option<String>), WebError> {
    let mut raw = RawReturn { month: month.to_string(), ..RawReturn::default() };
    let Some(before) = month.previous() else { return Ok((raw, None)) };
    let from = (1..24).try_fold(before, |m, _| m.previous()).unwrap_or(before);
    let earlier = state.store.returns_of(&detail.location.id, from, before).await.map_err(who.store_error())?;
    if let Some(last) = earlier.last() {
        let figures = last.figures.to_raw();
        for (field, value) in figures.values() {
            if CARRIED_OVER.contains(&field) {
                raw.set(field, value);
            }
        }
        let note = format!(
            "The figures that carry over from month to month (staff employed, vacant posts, supervision, training, \
             the registered manager and people supported) are filled in from your return for {}. Check each one.",
            month_name(last.figures.month)
        );
        return Ok((raw, Some(note)));
    }
    match detail.location.registered_manager {
        Some(in_post) => {
            raw.set("registered_manager", if in_post { "yes" } else { "no" });
            Ok((
                raw,
                Some("Whether a registered manager is in post is filled in from the CQC register. Check it.".into()),
            ))
        }
        None => Ok((raw, None)),
    }
}

/// `POST /manage/locations/{id}/returns/new`: saved and back to the returns
/// page (303) with what happened, or the form again with every problem.
pub async fn submit(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let detail = super::writable_location(&state, &who, &raw_id).await?;
    let form = pairs(&body);
    let mut raw = RawReturn::default();
    for (field, _) in candour_domain::returns::FIELDS {
        raw.set(field, value(&form, field));
    }
    let log = super::complaint_log(&state, &detail.location.id).await?;
    super::fill_from_log(&mut raw, log.as_ref());
    let figures = match MonthlyReturn::parse(&raw, today()) {
        Ok(figures) => figures,
        Err(problems) => {
            let page = form_page(&state, &who, &detail, &form, &form_errors(&problems)).await?;
            return Ok(render(StatusCode::BAD_REQUEST, &page));
        }
    };
    let (id, month) = (detail.location.id.clone(), figures.month);
    let batch = ReturnBatch {
        returns: vec![(id.clone(), figures)],
        sent_by: Some(who.principal().user_id),
        sent_at: Utc::now(),
        source: ReturnSource::Form,
    };
    let counts = state.store.save_returns(&batch).await.map_err(who.store_error())?;
    who.caller.record(&state, "returns", &format!("location:{id}"), Some(&format!("form: {month}"))).await?;
    Ok(Redirect::to(&super::saved_href(&id, counts, Some(month))).into_response())
}

/// The return already sent for the month, if any.
async fn sent_return(
    state: &AppState,
    who: &SignedIn,
    detail: &LocationDetail,
    month: Month,
) -> Result<Option<ReturnRecord>, WebError> {
    let sent = state.store.returns_of(&detail.location.id, month, month).await.map_err(who.store_error())?;
    Ok(sent.into_iter().next())
}

/// Each problem against its field, named by the field's label so that the
/// error summary reads on its own.
fn form_errors(problems: &[FieldError]) -> FormErrors {
    let mut errors = FormErrors::default();
    for p in problems {
        let label = label(p.field);
        let message = if label.ends_with('?') {
            format!("{label} {}", p.message)
        } else {
            let mut rest = p.message.chars();
            let first = rest.next().map(|c| c.to_lowercase().collect::<String>()).unwrap_or_default();
            format!("{label}: {first}{}", rest.as_str())
        };
        errors.add(p.field, message);
    }
    errors
}

fn label(field: &str) -> &'static str {
    SECTIONS.iter().flat_map(|(_, fields)| fields.iter()).find(|(f, ..)| *f == field).map_or(MONTH_LABEL, |f| f.1)
}

async fn form_page(
    state: &AppState,
    who: &SignedIn,
    detail: &LocationDetail,
    form: &[(String, String)],
    errors: &FormErrors,
) -> Result<FormPage, WebError> {
    let id = &detail.location.id;
    let month = Month::parse(value(form, "month")).ok();
    let sent = match month {
        Some(m) => sent_return(state, who, detail, m).await?,
        None => None,
    };
    let correcting = match (&sent, month) {
        (Some(record), Some(m)) => {
            let by = sent_text(record, &senders(state, std::slice::from_ref(record)).await?);
            Some(format!("The return for {} was sent on {by}. Saving this form replaces it.", month_name(m)))
        }
        _ => None,
    };
    let log = super::complaint_log(state, id).await?;
    let logged = month.and_then(|m| Some((m, log.as_ref()?.counts(m)?)));
    let heading = match (&sent, month) {
        (Some(_), Some(m)) => format!("Correct the return for {}", month_name(m)),
        _ => "Send a monthly return".to_string(),
    };
    Ok(FormPage {
        title: errors.title(&heading),
        chrome: super::location_chrome(who, detail, "Send a return"),
        errors: errors.links(),
        name: detail.location.name.clone(),
        heading,
        correcting,
        action: super::new_href(id, None),
        back_href: super::returns_href(id),
        month: Field::new("month", MONTH_LABEL, "text", "off")
            .hint("The month the figures are for, written YYYY-MM, like 2026-01.")
            .value(value(form, "month"))
            .errors(errors),
        prefilled: None,
        sections: SECTIONS
            .iter()
            .map(|(heading, fields)| {
                let counted_elsewhere = logged.filter(|_| *heading == COMPLAINTS).map(|(m, c)| {
                    format!(
                        "Your complaint log in Candour already counts the complaints for {}: {} received, {} upheld, \
                         {} answered on time. They are taken from the log, so you need not give them here.",
                        month_name(m),
                        c.received,
                        c.upheld,
                        c.on_time
                    )
                });
                let asked = if counted_elsewhere.is_none() { *fields } else { &[] };
                Section {
                    heading,
                    counted_elsewhere,
                    inputs: asked.iter().map(|&(field, label, hint)| input(field, label, hint, form, errors)).collect(),
                }
            })
            .collect(),
    })
}

fn input(field: &str, label: &str, hint: &'static str, form: &[(String, String)], errors: &FormErrors) -> Input {
    if YES_NO.contains(&field) {
        let choices = plain([("yes", "Yes"), ("no", "No")]);
        Input::YesNo(RadioGroup::new(field, field, label, choices, value(form, field), errors).hint(hint))
    } else {
        Input::Figure(Field::new(field, label, "text", "off").hint(hint).value(value(form, field)).errors(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candour_domain::returns::FIELDS;

    #[test]
    fn every_field_but_the_month_is_asked_once_in_the_template_order() {
        let asked: Vec<&str> = SECTIONS.iter().flat_map(|(_, fields)| fields.iter().map(|f| f.0)).collect();
        let expected: Vec<&str> = FIELDS.iter().skip(1).map(|f| f.0).collect();
        assert_eq!(asked, expected);
        assert!(YES_NO.iter().all(|f| asked.contains(f)));
    }

    #[test]
    fn problems_are_named_by_their_label() {
        let problems = [
            FieldError { field: "headcount", message: "Give a whole number, or 0 if there were none".into() },
            FieldError { field: "month", message: "2027-01 has not happened yet".into() },
            FieldError { field: "manager_changed", message: "Answer yes or no".into() },
        ];
        let errors = form_errors(&problems);
        assert_eq!(
            errors.get("headcount").as_deref(),
            Some("Staff employed: give a whole number, or 0 if there were none")
        );
        assert_eq!(errors.get("month").as_deref(), Some("Month: 2027-01 has not happened yet"));
        let question = errors.get("manager_changed");
        assert_eq!(question.as_deref(), Some("Did the manager change this month? Answer yes or no"));
    }
}
