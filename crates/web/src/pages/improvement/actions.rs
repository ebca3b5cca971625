//! A plan's actions: adding and changing one (which finding it answers, the
//! quality statement it improves, what, who and by when), its page with its
//! status history and evidence, and its status, which needs evidence to be done
//! and a reason to be dropped.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_app::improvement::{ActionView, ImprovementError, PlanView, Via, statements};
use candour_domain::UserId;
use candour_domain::improvement::{ActionDetails, ActionStatus, RawAction};
use candour_store::{LocationDetail, Plan, PlanAction};

use super::{plan_chrome, plan_href, statement_name, status_modifier, status_text};
use crate::auth::SignedIn;
use crate::error::{PageError, render};
use crate::forms::{ErrorLink, Field, FormErrors, RadioGroup, SelectField, pairs, value};
use crate::pages::chrome::{Chrome, date_time};
use crate::state::AppState;
use crate::views::today;
use crate::views::{SelectOption, long_date};

#[derive(Template)]
#[template(path = "improvement/action_form.html")]
struct ActionFormPage {
    title: String,
    chrome: Chrome,
    errors: Vec<ErrorLink>,
    name: String,
    heading: String,
    action: String,
    back_href: String,
    finding: SelectField,
    statement: SelectField,
    description: Field,
    owner: Field,
    due_on: Field,
    button: &'static str,
}

fn raw_of(form: &[(String, String)]) -> RawAction {
    RawAction {
        finding: value(form, "finding").to_string(),
        statement: value(form, "statement").to_string(),
        description: value(form, "description").to_string(),
        owner: value(form, "owner").to_string(),
        due_on: value(form, "due_on").to_string(),
    }
}

fn form_of(details: &ActionDetails) -> Vec<(String, String)> {
    vec![
        ("finding".into(), details.finding_id.to_string()),
        ("statement".into(), details.statement.clone()),
        ("description".into(), details.description.clone()),
        ("owner".into(), details.owner.clone()),
        ("due_on".into(), details.due_on.to_string()),
    ]
}

fn form_page(
    who: &SignedIn,
    detail: &LocationDetail,
    plan: &Plan,
    editing: Option<&PlanAction>,
    form: &[(String, String)],
    errors: &FormErrors,
) -> ActionFormPage {
    let heading = if editing.is_some() { "Change the action" } else { "Add an action" };
    let mut finding_options = vec![SelectOption::new("", "Choose a finding", None)];
    let chosen = value(form, "finding");
    finding_options
        .extend(plan.findings.iter().map(|f| SelectOption::new(f.id.to_string(), f.finding.headline(), Some(chosen))));
    let mut statement_options = vec![SelectOption::new("", "Choose a quality statement", None)];
    let statement = value(form, "statement");
    statement_options
        .extend(statements().into_iter().map(|(code, name)| SelectOption::new(code, name, Some(statement))));
    let mut finding = SelectField::new("finding", "Finding this action answers", finding_options, errors);
    finding.hint = Some("Each action answers one of the plan's findings.");
    let mut statement = SelectField::new("statement", "Quality statement it improves", statement_options, errors);
    statement.hint = Some("The regulator's quality statement this action is meant to improve.");
    let action = match editing {
        Some(a) => format!("{}/actions/{}/edit", plan_href(plan.id), a.id),
        None => format!("{}/actions/new", plan_href(plan.id)),
    };
    ActionFormPage {
        title: errors.title(heading),
        chrome: plan_chrome(who, detail, Some(plan), heading),
        errors: errors.links(),
        name: plan.title.clone(),
        heading: heading.to_string(),
        action,
        back_href: plan_href(plan.id),
        finding,
        statement,
        description: Field::new("description", "What will be done", "text", "off")
            .hint("Plain words anyone could check, like “Audit every medicines chart weekly and act on gaps the same day”.")
            .value(value(form, "description"))
            .errors(errors),
        owner: Field::new("owner", "Owner", "text", "off")
            .hint("The person or role who makes sure it happens, like “Deputy manager”.")
            .value(value(form, "owner"))
            .errors(errors),
        due_on: Field::new("due_on", "Due date", "text", "off")
            .hint("Written YYYY-MM-DD, like 2026-06-30.")
            .value(value(form, "due_on"))
            .errors(errors),
        button: if editing.is_some() { "Save the action" } else { "Add the action" },
    }
}

fn errors_of(problems: Vec<(&'static str, String)>) -> FormErrors {
    let mut errors = FormErrors::default();
    for (field, message) in problems {
        errors.add(field, message);
    }
    errors
}

/// `GET /manage/plans/{id}/actions/new`
pub async fn new_form(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let view = state.app.improvement.writable(&who.actor(), &raw_id).await.map_err(|e| who.fail(e))?;
    let PlanView { plan, detail, .. } = view;
    let form = match plan.findings.as_slice() {
        [only] => vec![("finding".to_string(), only.id.to_string())],
        _ => Vec::new(),
    };
    Ok(render(StatusCode::OK, &form_page(&who, &detail, &plan, None, &form, &FormErrors::default())))
}

/// `POST /manage/plans/{id}/actions/new`
pub async fn add(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = pairs(&body);
    match state.app.improvement.add_action(&who.actor(), &raw_id, &raw_of(&form), Via::Page).await {
        Ok((plan, _)) => Ok(Redirect::to(&format!("{}?saved=action", plan_href(plan))).into_response()),
        Err(ImprovementError::Invalid(problems)) => {
            let view = state.app.improvement.writable(&who.actor(), &raw_id).await.map_err(|e| who.fail(e))?;
            let page = form_page(&who, &view.detail, &view.plan, None, &form, &errors_of(problems));
            Ok(render(StatusCode::BAD_REQUEST, &page))
        }
        Err(e) => Err(who.fail(e).into()),
    }
}

/// `GET /manage/plans/{id}/actions/{action}/edit`
pub async fn edit_form(
    State(state): State<AppState>,
    who: SignedIn,
    Path((raw_id, raw_action)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let view =
        state.app.improvement.writable_action(&who.actor(), &raw_id, &raw_action).await.map_err(|e| who.fail(e))?;
    let form = form_of(&view.action().details);
    let page = form_page(&who, &view.plan.detail, &view.plan.plan, Some(view.action()), &form, &FormErrors::default());
    Ok(render(StatusCode::OK, &page))
}

/// `POST /manage/plans/{id}/actions/{action}/edit`
pub async fn edit(
    State(state): State<AppState>,
    who: SignedIn,
    Path((raw_id, raw_action)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = pairs(&body);
    match state.app.improvement.edit_action(&who.actor(), &raw_id, &raw_action, &raw_of(&form)).await {
        Ok((plan, action)) => Ok(Redirect::to(&action_href(plan, action)).into_response()),
        Err(ImprovementError::Invalid(problems)) => {
            let view = state.app.improvement.writable_action(&who.actor(), &raw_id, &raw_action).await;
            let view = view.map_err(|e| who.fail(e))?;
            let (plan, action) = (&view.plan.plan, view.action());
            let page = form_page(&who, &view.plan.detail, plan, Some(action), &form, &errors_of(problems));
            Ok(render(StatusCode::BAD_REQUEST, &page))
        }
        Err(e) => Err(who.fail(e).into()),
    }
}

pub(super) fn action_href(plan: i64, action: i64) -> String {
    format!("{}/actions/{action}", plan_href(plan))
}

// ---------------------------------------------------------------- the action's page

#[derive(Template)]
#[template(path = "improvement/action.html")]
pub(super) struct ActionPage {
    title: String,
    chrome: Chrome,
    errors: Vec<ErrorLink>,
    notice: Option<String>,
    plan_title: String,
    description: String,
    rows: Vec<crate::views::Row>,
    status: String,
    modifier: &'static str,
    history: Vec<HistoryLine>,
    evidence: Vec<EvidenceLine>,
    writable: bool,
    edit_href: String,
    status_form: StatusForm,
    upload: UploadForm,
    back_href: String,
}

struct HistoryLine {
    when: String,
    status: &'static str,
    reason: String,
    by: String,
}

struct EvidenceLine {
    note: String,
    file: Option<(String, String, String)>,
    added: String,
}

pub(super) struct StatusForm {
    pub action: String,
    pub status: RadioGroup,
    pub reason: Field,
    pub needs_evidence: bool,
}

/// The evidence form: a note, a file, or both.
pub(super) struct UploadForm {
    pub action: String,
    pub note: Field,
    pub file_error: Option<String>,
}

impl UploadForm {
    pub(super) fn new(plan: i64, action: i64, note: &str, errors: &FormErrors) -> Self {
        UploadForm {
            action: format!("{}/evidence", action_href(plan, action)),
            note: Field::new("note", "Evidence note", "text", "off")
                .hint("What shows the action worked: what was checked, by whom, what it found. Do not name people who use the service.")
                .value(note)
                .errors(errors),
            file_error: errors.get("file"),
        }
    }
}

#[derive(serde::Deserialize, Default)]
pub struct ActionNotice {
    saved: Option<String>,
}

/// `GET /manage/plans/{id}/actions/{action}`
pub async fn show(
    State(state): State<AppState>,
    who: SignedIn,
    Path((raw_id, raw_action)): Path<(String, String)>,
    query: Result<axum::extract::Query<ActionNotice>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let view = state.app.improvement.action(&who.actor(), &raw_id, &raw_action).await.map_err(|e| who.fail(e))?;
    let action = view.action();
    let notice = match query.ok().and_then(|q| q.0.saved).as_deref() {
        Some("evidence") => Some("Evidence added".to_string()),
        Some("status") => Some(format!("Status changed to {}", action.status.label().to_lowercase())),
        _ => None,
    };
    let errors = FormErrors::default();
    let upload = UploadForm::new(view.plan.plan.id, action.id, "", &errors);
    let page = action_page(&who, &view, &[], &errors, upload, notice);
    Ok(render(StatusCode::OK, &page))
}

pub(super) fn action_page(
    who: &SignedIn,
    view: &ActionView,
    form: &[(String, String)],
    errors: &FormErrors,
    upload: UploadForm,
    notice: Option<String>,
) -> ActionPage {
    let today = today();
    let (detail, plan, action) = (&view.plan.detail, &view.plan.plan, view.action());
    let name = |id: &UserId| view.names.get(id).cloned().unwrap_or_default();
    let finding = plan.finding(action.details.finding_id).map(|f| f.finding.headline()).unwrap_or_default();
    let current = value(form, "status");
    let choices = ActionStatus::ALL
        .iter()
        .filter(|s| **s != action.status)
        .map(|s| (s.code().to_string(), s.label().to_string(), None))
        .collect::<Vec<_>>();
    let status = RadioGroup::new("status", "status", "New status", choices, current, errors)
        .hint("Marking it done needs evidence of completion; dropping it needs a reason.");
    ActionPage {
        title: errors.title(&action.details.description),
        chrome: plan_chrome(who, detail, Some(plan), "Action"),
        errors: errors.links(),
        notice,
        plan_title: plan.title.clone(),
        description: action.details.description.clone(),
        rows: vec![
            crate::views::Row::text("Finding", finding),
            crate::views::Row::text("Quality statement", statement_name(&action.details.statement)),
            crate::views::Row::text("Owner", action.details.owner.clone()),
            crate::views::Row::text("Due", long_date(action.details.due_on)),
        ],
        status: status_text(action, today),
        modifier: status_modifier(action, today),
        history: action
            .history
            .iter()
            .rev()
            .map(|h| HistoryLine {
                when: date_time(h.at),
                status: h.status.label(),
                reason: h.reason.clone().unwrap_or_default(),
                by: name(&h.by),
            })
            .collect(),
        evidence: action
            .evidence
            .iter()
            .map(|e| EvidenceLine {
                note: e.note.clone(),
                file: e.file.as_ref().map(|f| {
                    (
                        format!("{}/evidence/{}/file", plan_href(plan.id), e.id),
                        f.name.clone(),
                        format!(
                            "{}, {}, SHA-256 {}…",
                            f.kind.label(),
                            size_text(f.size),
                            f.sha256.get(..12).unwrap_or("")
                        ),
                    )
                }),
                added: format!("{} by {}", date_time(e.added_at), name(&e.added_by)),
            })
            .collect(),
        writable: view.plan.writable,
        edit_href: format!("{}/edit", action_href(plan.id, action.id)),
        status_form: StatusForm {
            action: format!("{}/status", action_href(plan.id, action.id)),
            status,
            reason: Field::new("reason", "Reason or note (optional unless dropping)", "text", "off")
                .hint("Why the status changed, for the record.")
                .value(value(form, "reason"))
                .errors(errors),
            needs_evidence: action.evidence.is_empty() && action.status != ActionStatus::Done,
        },
        upload,
        back_href: plan_href(plan.id),
    }
}

/// "1.2 MB", "340 KB", "12 bytes".
pub(crate) fn size_text(bytes: u64) -> String {
    match bytes {
        0..1024 => format!("{bytes} bytes"),
        1024..1_048_576 => format!("{} KB", bytes.div_ceil(1024)),
        _ => format!("{:.1} MB", bytes as f64 / 1_048_576.0),
    }
}

/// `POST /manage/plans/{id}/actions/{action}/status`
pub async fn set_status(
    State(state): State<AppState>,
    who: SignedIn,
    Path((raw_id, raw_action)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = pairs(&body);
    let (status, reason) = (value(&form, "status"), value(&form, "reason"));
    let set = state.app.improvement.set_status(&who.actor(), &raw_id, &raw_action, status, reason, Via::Page).await;
    let mut errors = FormErrors::default();
    match set {
        Ok((plan, action)) => {
            return Ok(Redirect::to(&format!("{}?saved=status", action_href(plan, action.id))).into_response());
        }
        Err(ImprovementError::Invalid(problems)) => {
            for (field, message) in problems {
                errors.add(field, message);
            }
        }
        Err(ImprovementError::UnknownStatus(_)) => errors.add("status", "Choose the new status"),
        Err(e) => return Err(who.fail(e).into()),
    }
    let view =
        state.app.improvement.writable_action(&who.actor(), &raw_id, &raw_action).await.map_err(|e| who.fail(e))?;
    let upload = UploadForm::new(view.plan.plan.id, view.action, "", &FormErrors::default());
    let page = action_page(&who, &view, &form, &errors, upload, None);
    Ok(render(StatusCode::BAD_REQUEST, &page))
}
