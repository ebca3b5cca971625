//! A service's accounts of good practice, for those who run it (the provider's
//! administrators and the registered manager): write, edit, preview, publish,
//! unpublish. Every problem with a form is shown next to its field.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_app::practice::PracticeError;
use candour_domain::practice::{PARTS, PracticeStatus, QualityStatement, RawPractice, Theme};
use candour_domain::{Action, KeyQuestion, LocationId, Resource};
use candour_store::LocationDetail;
use chrono::Utc;

use super::{AccountView, statement_label};
use crate::auth::SignedIn;
use crate::error::{PageError, render};
use crate::forms::{ErrorLink, Field, FormErrors, RadioGroup, pairs, value};
use crate::pages::chrome::{Chrome, Crumb};
use crate::state::AppState;
use crate::views::long_date;

fn list_href(id: &LocationId) -> String {
    format!("/manage/locations/{id}/good-practice")
}

fn preview_href(id: i64) -> String {
    format!("/manage/good-practice/{id}")
}

/// The link on a location's workspace page, for those who may write its accounts.
pub(crate) fn manage_link(p: &candour_domain::Principal, detail: &LocationDetail) -> Option<String> {
    let l = &detail.location;
    candour_domain::authorize(p, Action::Write, Resource::GoodPractice { location: &l.id, provider: &l.provider_id })
        .is_allowed()
        .then(|| list_href(&l.id))
}

fn location_chrome(who: &SignedIn, id: &LocationId, name: &str, here: Option<&str>) -> Chrome {
    let mut crumbs = vec![Crumb::new("Manage", "/manage"), Crumb::new(name, format!("/manage/locations/{id}"))];
    match here {
        Some(here) => {
            crumbs.push(Crumb::new("Good practice", list_href(id)));
            Chrome::with(who, crumbs, here)
        }
        None => Chrome::with(who, crumbs, "Good practice"),
    }
}

// ---------------------------------------------------------------- the list

#[derive(Template)]
#[template(path = "practice/manage.html")]
struct ListPage {
    title: String,
    chrome: Chrome,
    name: String,
    new_href: String,
    accounts: Vec<Line>,
}

struct Line {
    href: String,
    title: String,
    status: &'static str,
    modifier: &'static str,
    theme: &'static str,
    changed: String,
}

/// `GET /manage/locations/{id}/good-practice`
pub async fn list(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let (detail, accounts) = state.app.practice.of_location(&who.actor(), &raw_id).await.map_err(|e| who.fail(e))?;
    let l = &detail.location;
    let page = ListPage {
        title: format!("Good practice: {}", l.name),
        chrome: location_chrome(&who, &l.id, &l.name, None),
        name: l.name.clone(),
        new_href: format!("{}/new", list_href(&l.id)),
        accounts: accounts
            .iter()
            .map(|a| Line {
                href: preview_href(a.id),
                title: a.title.clone(),
                status: a.status.label(),
                modifier: status_modifier(a.status),
                theme: a.theme.label(),
                changed: long_date(a.updated_at.date_naive()),
            })
            .collect(),
    };
    Ok(render(StatusCode::OK, &page))
}

fn status_modifier(status: PracticeStatus) -> &'static str {
    match status {
        PracticeStatus::Published => "active",
        PracticeStatus::Draft => "invited",
        PracticeStatus::Unpublished => "disabled",
    }
}

// ---------------------------------------------------------------- preview

#[derive(Template)]
#[template(path = "practice/preview.html")]
struct PreviewPage {
    title: String,
    chrome: Chrome,
    notice: Option<String>,
    status: &'static str,
    modifier: &'static str,
    public_href: Option<String>,
    edit_href: String,
    publish_action: Option<String>,
    unpublish_action: Option<String>,
    view: AccountView,
}

#[derive(serde::Deserialize, Default)]
pub struct Done {
    done: Option<String>,
}

/// `GET /manage/good-practice/{id}`: the account as the public would see it, with its status.
pub async fn preview(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    query: Result<axum::extract::Query<Done>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let record = state.app.practice.account(&who.actor(), &raw_id).await.map_err(|e| who.fail(e))?;
    let notice = query.ok().and_then(|q| q.0.done).and_then(|d| match d.as_str() {
        "saved" => Some("Account saved. Preview it, then publish it when it is ready."),
        "published" => Some("Account published. Anyone can now find it."),
        "unpublished" => Some("Account unpublished. The public can no longer see it."),
        _ => None,
    });
    let published = record.status == PracticeStatus::Published;
    let page = PreviewPage {
        title: record.draft.title.clone(),
        chrome: location_chrome(&who, &record.location_id, &record.location_name, Some(&record.draft.title)),
        notice: notice.map(String::from),
        status: record.status.label(),
        modifier: status_modifier(record.status),
        public_href: published.then(|| format!("/good-practice/{}", record.id)),
        edit_href: format!("{}/edit", preview_href(record.id)),
        publish_action: (!published).then(|| format!("{}/publish", preview_href(record.id))),
        unpublish_action: published.then(|| format!("{}/unpublish", preview_href(record.id))),
        view: AccountView::of(&record),
    };
    Ok(render(StatusCode::OK, &page))
}

/// `POST /manage/good-practice/{id}/publish`
pub async fn publish(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    set_published(&state, &who, &raw_id, true).await
}

/// `POST /manage/good-practice/{id}/unpublish`
pub async fn unpublish(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    set_published(&state, &who, &raw_id, false).await
}

async fn set_published(state: &AppState, who: &SignedIn, raw_id: &str, published: bool) -> Result<Response, PageError> {
    let id =
        state.app.practice.set_published(&who.actor(), raw_id, published, Utc::now()).await.map_err(|e| who.fail(e))?;
    let done = if published { "published" } else { "unpublished" };
    Ok(Redirect::to(&format!("{}?done={done}", preview_href(id))).into_response())
}

// ---------------------------------------------------------------- the form

#[derive(Template)]
#[template(path = "practice/form.html")]
struct FormPage {
    title: String,
    chrome: Chrome,
    errors: Vec<ErrorLink>,
    name: String,
    heading: String,
    action: String,
    back_href: String,
    title_field: Field,
    summary: Field,
    parts: Vec<(Field, &'static str)>,
    theme: RadioGroup,
    statements: StatementGroup,
    button: &'static str,
}

/// The quality statements as checkboxes, grouped by key question.
struct StatementGroup {
    error: Option<String>,
    groups: Vec<(&'static str, Vec<StatementBox>)>,
}

struct StatementBox {
    id: String,
    code: &'static str,
    label: String,
    checked: bool,
}

/// `GET /manage/locations/{id}/good-practice/new`
pub async fn new_form(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let detail = state.app.practice.location(&who.actor(), &raw_id).await.map_err(|e| who.fail(e))?;
    let l = &detail.location;
    let page = form_page(&who, &l.id, &l.name, None, &RawPractice::default(), &FormErrors::default());
    Ok(render(StatusCode::OK, &page))
}

/// `POST /manage/locations/{id}/good-practice/new`: kept as a draft.
pub async fn create(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let raw = read_form(&body);
    match state.app.practice.create(&who.actor(), &raw_id, &raw, Utc::now()).await {
        Ok(id) => Ok(Redirect::to(&format!("{}?done=saved", preview_href(id))).into_response()),
        Err(PracticeError::Invalid(problems)) => {
            let detail = state.app.practice.location(&who.actor(), &raw_id).await.map_err(|e| who.fail(e))?;
            let l = &detail.location;
            let errors = form_errors(problems);
            Ok(render(StatusCode::BAD_REQUEST, &form_page(&who, &l.id, &l.name, None, &raw, &errors)))
        }
        Err(e) => Err(who.fail(e).into()),
    }
}

/// `GET /manage/good-practice/{id}/edit`
pub async fn edit_form(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let r = state.app.practice.account(&who.actor(), &raw_id).await.map_err(|e| who.fail(e))?;
    let page = form_page(&who, &r.location_id, &r.location_name, Some(r.id), &r.draft.to_raw(), &FormErrors::default());
    Ok(render(StatusCode::OK, &page))
}

/// `POST /manage/good-practice/{id}/edit`: a published account changes in public at once.
pub async fn update(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let raw = read_form(&body);
    match state.app.practice.update(&who.actor(), &raw_id, &raw, Utc::now()).await {
        Ok(id) => Ok(Redirect::to(&format!("{}?done=saved", preview_href(id))).into_response()),
        Err(PracticeError::Invalid(problems)) => {
            let r = state.app.practice.account(&who.actor(), &raw_id).await.map_err(|e| who.fail(e))?;
            let errors = form_errors(problems);
            let page = form_page(&who, &r.location_id, &r.location_name, Some(r.id), &raw, &errors);
            Ok(render(StatusCode::BAD_REQUEST, &page))
        }
        Err(e) => Err(who.fail(e).into()),
    }
}

fn read_form(body: &[u8]) -> RawPractice {
    let form = pairs(body);
    let get = |key: &str| value(&form, key).to_string();
    RawPractice {
        title: get("title"),
        summary: get("summary"),
        what_we_did: get("what_we_did"),
        why: get("why"),
        difference: get("difference"),
        advice: get("advice"),
        theme: get("theme"),
        statements: form.iter().filter(|(k, _)| k == "statements").map(|(_, v)| v.clone()).collect(),
    }
}

fn form_errors(problems: Vec<candour_domain::policies::FieldError>) -> FormErrors {
    let mut errors = FormErrors::default();
    for p in problems {
        // The statements' error links to the first checkbox.
        let field = if p.field == "statements" { "statements-S1".to_string() } else { p.field.to_string() };
        errors.add(field, p.message);
    }
    errors
}

fn form_page(
    who: &SignedIn,
    location: &LocationId,
    name: &str,
    editing: Option<i64>,
    raw: &RawPractice,
    errors: &FormErrors,
) -> FormPage {
    let (heading, action, back_href, button) = match editing {
        None => (
            "Write an account of good practice".to_string(),
            format!("{}/new", list_href(location)),
            list_href(location),
            "Save as a draft",
        ),
        Some(id) => {
            ("Edit the account".to_string(), format!("{}/edit", preview_href(id)), preview_href(id), "Save changes")
        }
    };
    let part_text = |field: &str| match field {
        "what_we_did" => raw.what_we_did.clone(),
        "why" => raw.why.clone(),
        "difference" => raw.difference.clone(),
        _ => raw.advice.clone(),
    };
    let themes = Theme::ALL.iter().map(|t| (t.code().to_string(), t.label().to_string(), None));
    let chosen: Vec<QualityStatement> = raw.statements.iter().filter_map(|s| QualityStatement::parse(s).ok()).collect();
    let groups = KeyQuestion::ALL
        .into_iter()
        .map(|kq| {
            let letter = kq.name().chars().next().unwrap_or('S');
            let boxes = QualityStatement::all()
                .filter(|s| s.code().starts_with(letter))
                .map(|s| StatementBox {
                    id: format!("statements-{}", s.code()),
                    code: s.code(),
                    label: statement_label(s),
                    checked: chosen.contains(&s),
                })
                .collect();
            (kq.name(), boxes)
        })
        .collect();
    FormPage {
        title: errors.title(&heading),
        chrome: location_chrome(who, location, name, Some(if editing.is_some() { "Edit" } else { "New account" })),
        errors: errors.links(),
        name: name.to_string(),
        heading,
        action,
        back_href,
        title_field: Field::new("title", "Title", "text", "off").value(raw.title.clone()).errors(errors),
        summary: Field::new("summary", "Summary", "text", "off")
            .hint("Two or three sentences: what works well, and for whom.")
            .value(raw.summary.clone())
            .errors(errors),
        parts: PARTS
            .iter()
            .map(|(field, label, hint)| {
                (Field::new(*field, *label, "text", "off").hint(hint).value(part_text(field)).errors(errors), *hint)
            })
            .collect(),
        theme: RadioGroup::new("theme", "theme", "Theme", themes, &raw.theme, errors)
            .hint("Choose the one theme the account is most about."),
        statements: StatementGroup { error: errors.get("statements-S1"), groups },
        button,
    }
}
