//! Improvement plans: actions linked to findings, owners, due dates, evidence and the reflection on the improvement journey.
//!
//! Those who run a service (its provider's administrators and registered managers)
//! build plans; inspectors and the commissioners of its area read them. Every page
//! asks [`Resource::ImprovementPlans`] of the plan's location, so a plan another
//! person may not see answers the normal 404. Reads and writes are audited.

mod actions;
mod create;
mod evidence;
pub mod public;
mod publish;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use candour_domain::improvement::{ActionStatus, REFLECTION_SECTIONS, is_overdue};
use candour_domain::{Action, KeyQuestion, Resource, authorize};
use candour_store::{LocationDetail, Plan, PlanAction};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::api::unless_missing;
use crate::auth::{Caller, SignedIn};
use crate::download::{self, spreadsheet_safe};
use crate::error::{PageError, WebError, render};
use crate::pages::chrome::{Chrome, Crumb};
use crate::state::AppState;
use crate::views::{count_of, long_date, today};

pub(crate) use actions::check_action;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/manage/locations/{id}/plans", get(list))
        .route("/manage/locations/{id}/plans/new", get(create::form).post(create::submit))
        .route("/manage/plans/{id}", get(show))
        .route("/manage/plans/{id}/actions.csv", get(csv_file))
        .route("/manage/plans/{id}/actions/new", get(actions::new_form).post(actions::add))
        .route("/manage/plans/{id}/actions/{action}", get(actions::show))
        .route("/manage/plans/{id}/actions/{action}/edit", get(actions::edit_form).post(actions::edit))
        .route("/manage/plans/{id}/actions/{action}/status", post(actions::set_status))
        .route("/manage/plans/{id}/evidence/{evidence}/file", get(evidence::download))
        .route("/manage/plans/{id}/reflection", get(publish::reflection_form).post(publish::save_reflection))
        .route("/manage/plans/{id}/publish", get(publish::publish_form).post(publish::publish))
        .route("/manage/plans/{id}/unpublish", post(publish::unpublish))
}

/// Evidence uploads: each path ends in `/evidence`, which the site lets carry a file.
pub fn upload_routes() -> Router<AppState> {
    Router::new()
        .route("/manage/plans/{id}/actions/{action}/evidence", post(evidence::upload))
        // The multipart reader's own default is 2 MB; the site's limit for these paths applies instead.
        .layer(axum::extract::DefaultBodyLimit::max(6 * 1024 * 1024))
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
}

/// The access rule for a location's plans.
pub(crate) fn plans_resource(detail: &LocationDetail) -> Resource<'_> {
    let l = &detail.location;
    Resource::ImprovementPlans {
        location: &l.id,
        provider: &l.provider_id,
        local_authority: l.local_authority.as_deref(),
    }
}

/// Whether the principal may build this location's plans.
pub(crate) fn may_write(caller: &Caller, detail: &LocationDetail) -> bool {
    authorize(&caller.principal, Action::Write, plans_resource(detail)).is_allowed()
}

/// The plan with its location, when the caller may `action` it; anything else is `not_found`.
pub(crate) async fn plan_for(
    state: &AppState,
    caller: &Caller,
    raw_id: &str,
    action: Action,
    not_found: impl Fn() -> WebError,
) -> Result<(Plan, LocationDetail), WebError> {
    let id: i64 = raw_id.trim().parse().map_err(|_| not_found())?;
    let plan = state.store.plan(id).await.map_err(|e| unless_missing(e, &not_found))?;
    let detail = state.store.location(&plan.location_id).await.map_err(|e| unless_missing(e, &not_found))?;
    caller.require(state, action, plans_resource(&detail), &not_found).await?;
    Ok((plan, detail))
}

/// The location, when the caller may `action` its plans.
pub(crate) async fn location_for(
    state: &AppState,
    caller: &Caller,
    raw_id: &str,
    action: Action,
    not_found: impl Fn() -> WebError,
) -> Result<LocationDetail, WebError> {
    let id = candour_domain::LocationId::parse(raw_id).map_err(|_| not_found())?;
    let detail = state.store.location(&id).await.map_err(|e| unless_missing(e, &not_found))?;
    caller.require(state, action, plans_resource(&detail), &not_found).await?;
    Ok(detail)
}

/// [`plan_for`] for a page, with the read or write audited by the caller.
async fn page_plan(
    state: &AppState,
    who: &SignedIn,
    raw_id: &str,
    action: Action,
) -> Result<(Plan, LocationDetail), WebError> {
    plan_for(state, &who.caller, raw_id, action, || who.not_found()).await
}

pub(crate) fn plan_href(id: i64) -> String {
    format!("/manage/plans/{id}")
}

pub(crate) fn plans_href(location: &candour_domain::LocationId) -> String {
    format!("/manage/locations/{location}/plans")
}

/// Manage › the location › its plans › `here`.
fn plan_chrome(who: &SignedIn, detail: &LocationDetail, plan: Option<&Plan>, here: &str) -> Chrome {
    let l = &detail.location;
    let mut crumbs = vec![
        Crumb::new("Manage", "/manage"),
        Crumb::new(l.name.clone(), format!("/manage/locations/{}", l.id)),
        Crumb::new("Improvement plans", plans_href(&l.id)),
    ];
    if let Some(plan) = plan {
        crumbs.push(Crumb::new(plan.title.clone(), plan_href(plan.id)));
    }
    Chrome::with(who, crumbs, here)
}

/// How far a plan has come.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Progress {
    pub actions: u32,
    pub not_started: u32,
    pub in_progress: u32,
    pub done: u32,
    pub dropped: u32,
    /// Open actions past their due date.
    pub overdue: u32,
}

pub(crate) fn progress(plan: &Plan, today: NaiveDate) -> Progress {
    let mut p = Progress::default();
    for a in &plan.actions {
        p.actions += 1;
        match a.status {
            ActionStatus::NotStarted => p.not_started += 1,
            ActionStatus::InProgress => p.in_progress += 1,
            ActionStatus::Done => p.done += 1,
            ActionStatus::Dropped => p.dropped += 1,
        }
        if is_overdue(a.status, a.details.due_on, today) {
            p.overdue += 1;
        }
    }
    p
}

/// One month of progress: actions done and still open at its end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct MonthProgress {
    pub month: String,
    pub label: String,
    /// "Jul 26", under its bar.
    pub short: String,
    pub done: u32,
    pub open: u32,
}

/// Most months shown in the progress table.
const PROGRESS_MONTHS: usize = 24;

/// Each month from the plan's start to `today`'s (the latest [`PROGRESS_MONTHS`]):
/// how many actions were done at its end (or today, for this month), from each
/// action's kept history.
pub(crate) fn progress_by_month(plan: &Plan, today: NaiveDate) -> Vec<MonthProgress> {
    let first = plan.started_on.min(plan.created_at.date_naive());
    let mut months = Vec::new();
    let mut at = NaiveDate::from_ymd_opt(first.year(), first.month(), 1).unwrap_or(first);
    while at <= today {
        let next = at.checked_add_months(chrono::Months::new(1)).unwrap_or(today);
        let end = next.pred_opt().unwrap_or(at).min(today);
        let (mut done, mut open) = (0, 0);
        for action in &plan.actions {
            match status_on(action, end) {
                Some(ActionStatus::Done) => done += 1,
                Some(ActionStatus::Dropped) | None => {}
                Some(_) => open += 1,
            }
        }
        months.push(MonthProgress {
            month: at.format("%Y-%m").to_string(),
            label: at.format("%B %Y").to_string(),
            short: at.format("%b %y").to_string(),
            done,
            open,
        });
        if next <= at {
            break;
        }
        at = next;
    }
    let skip = months.len().saturating_sub(PROGRESS_MONTHS);
    months.split_off(skip)
}

/// The action's status at the end of `day`; `None` before it was added.
fn status_on(action: &PlanAction, day: NaiveDate) -> Option<ActionStatus> {
    action.history.iter().take_while(|c| c.at.date_naive() <= day).last().map(|c| c.status)
}

/// "S4 Safe: Safe and effective staffing", or the code alone when the framework does not know it.
pub(crate) fn statement_name(code: &str) -> String {
    let found = candour_engine::StatementId::parse(code).ok().and_then(|id| {
        let framework = candour_engine::Framework::current().ok()?;
        framework.statement(id).map(|s| format!("{code} {}: {}", s.key_question.name(), s.title))
    });
    found.unwrap_or_else(|| code.to_string())
}

/// Every statement of the framework as (code, name), in order.
pub(crate) fn statements() -> Vec<(String, String)> {
    let Ok(framework) = candour_engine::Framework::current() else { return Vec::new() };
    KeyQuestion::ALL
        .into_iter()
        .flat_map(|kq| framework.statements_of(kq).map(|s| (s.id.to_string(), statement_name(&s.id.to_string()))))
        .collect()
}

/// "Done", "In progress", or "Not started – overdue, was due 3 March 2026".
pub(crate) fn status_text(action: &PlanAction, today: NaiveDate) -> String {
    if is_overdue(action.status, action.details.due_on, today) {
        format!("{}: overdue, was due {}", action.status.label(), long_date(action.details.due_on))
    } else {
        action.status.label().to_string()
    }
}

/// A status as a tag's modifier class.
pub(crate) fn status_modifier(action: &PlanAction, today: NaiveDate) -> &'static str {
    if is_overdue(action.status, action.details.due_on, today) {
        return "overdue";
    }
    match action.status {
        ActionStatus::NotStarted => "not-started",
        ActionStatus::InProgress => "in-progress",
        ActionStatus::Done => "done",
        ActionStatus::Dropped => "dropped",
    }
}

pub(crate) fn progress_text(p: &Progress) -> String {
    if p.actions == 0 {
        return "No actions yet".to_string();
    }
    let mut text = format!("{} of {} done", p.done, count_of(u64::from(p.actions), "action", "actions"));
    if p.overdue > 0 {
        text.push_str(&format!(", {} overdue", p.overdue));
    }
    text
}

// ---------------------------------------------------------------- the list

#[derive(Template)]
#[template(path = "improvement/plans.html")]
struct ListPage {
    title: String,
    chrome: Chrome,
    name: String,
    new_href: Option<String>,
    plans: Vec<PlanLine>,
}

struct PlanLine {
    title: String,
    href: String,
    started: String,
    findings: String,
    progress: String,
    overdue: u32,
    published: &'static str,
}

/// `GET /manage/locations/{id}/plans`
pub async fn list(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let detail = location_for(&state, &who.caller, &raw_id, Action::Read, || who.not_found()).await?;
    let l = &detail.location;
    let plans = state.store.plans_of(&l.id).await.map_err(who.store_error())?;
    who.caller.record(&state, "read", &format!("improvement_plans:location:{}", l.id), None).await?;
    let today = today();
    let page = ListPage {
        title: format!("Improvement plans: {}", l.name),
        chrome: Chrome::with(
            &who,
            vec![Crumb::new("Manage", "/manage"), Crumb::new(l.name.clone(), format!("/manage/locations/{}", l.id))],
            "Improvement plans",
        ),
        name: l.name.clone(),
        new_href: may_write(&who.caller, &detail).then(|| format!("{}/new", plans_href(&l.id))),
        plans: plans
            .iter()
            .map(|p| {
                let progress = progress(p, today);
                PlanLine {
                    title: p.title.clone(),
                    href: plan_href(p.id),
                    started: long_date(p.started_on),
                    findings: count_of(p.findings.len() as u64, "finding", "findings"),
                    progress: progress_text(&progress),
                    overdue: progress.overdue,
                    published: if p.publication.is_some() { "Published" } else { "Not published" },
                }
            })
            .collect(),
    };
    Ok(render(StatusCode::OK, &page))
}

// ---------------------------------------------------------------- one plan

#[derive(Template)]
#[template(path = "improvement/plan.html")]
struct PlanPage {
    title: String,
    chrome: Chrome,
    notice: Option<String>,
    name: String,
    plan_title: String,
    started: String,
    findings: Vec<FindingLine>,
    progress: String,
    counts: Progress,
    actions: Vec<ActionLine>,
    months: Vec<MonthProgress>,
    chart: String,
    reflection: Vec<(&'static str, String)>,
    published: Option<String>,
    public_href: String,
    writable: bool,
    new_action_href: String,
    reflection_href: String,
    publish_href: String,
    csv_href: String,
}

struct FindingLine {
    kind: &'static str,
    reference: String,
    text: String,
    actions: usize,
}

struct ActionLine {
    href: String,
    description: String,
    finding: String,
    statement: String,
    owner: String,
    due: String,
    status: String,
    modifier: &'static str,
    evidence: String,
}

#[derive(serde::Deserialize, Default)]
pub struct Notice {
    saved: Option<String>,
}

impl Notice {
    fn text(&self) -> Option<String> {
        let text = match self.saved.as_deref()? {
            "created" => "Plan created. Add its actions next.",
            "action" => "Action added",
            "reflection" => "Reflection saved",
            "published" => "Summary published on the service's public page",
            "unpublished" => "Summary taken off the public page",
            _ => return None,
        };
        Some(text.to_string())
    }
}

/// `GET /manage/plans/{id}`
pub async fn show(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    query: Result<axum::extract::Query<Notice>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let (plan, detail) = page_plan(&state, &who, &raw_id, Action::Read).await?;
    who.caller.record(&state, "read", &format!("improvement_plan:{}", plan.id), None).await?;
    let today = today();
    let counts = progress(&plan, today);
    let months = progress_by_month(&plan, today);
    let notice = query.ok().and_then(|q| q.0.text());
    let page = PlanPage {
        title: plan.title.clone(),
        chrome: plan_chrome(&who, &detail, None, &plan.title),
        notice,
        name: detail.location.name.clone(),
        plan_title: plan.title.clone(),
        started: long_date(plan.started_on),
        findings: plan
            .findings
            .iter()
            .map(|f| FindingLine {
                kind: f.finding.kind.label(),
                reference: f.finding.reference.clone(),
                text: f.finding.text.clone(),
                actions: plan.actions.iter().filter(|a| a.details.finding_id == f.id).count(),
            })
            .collect(),
        progress: progress_text(&counts),
        counts,
        actions: plan.actions.iter().map(|a| action_line(&plan, a, today)).collect(),
        chart: progress_chart(&months),
        months,
        reflection: REFLECTION_SECTIONS
            .iter()
            .filter(|(code, ..)| !plan.reflection.get(code).is_empty())
            .map(|(code, label, _)| (*label, plan.reflection.get(code).to_string()))
            .collect(),
        published: plan
            .publication
            .as_ref()
            .map(|p| format!("Published on {}: “{}”", long_date(p.published_at.date_naive()), p.summary)),
        public_href: format!("/locations/{}#improvement", detail.location.id),
        writable: may_write(&who.caller, &detail),
        new_action_href: format!("{}/actions/new", plan_href(plan.id)),
        reflection_href: format!("{}/reflection", plan_href(plan.id)),
        publish_href: format!("{}/publish", plan_href(plan.id)),
        csv_href: format!("{}/actions.csv", plan_href(plan.id)),
    };
    Ok(render(StatusCode::OK, &page))
}

fn action_line(plan: &Plan, a: &PlanAction, today: NaiveDate) -> ActionLine {
    let files = a.evidence.iter().filter(|e| e.file.is_some()).count() as u64;
    let notes = a.evidence.len() as u64 - files;
    ActionLine {
        href: format!("{}/actions/{}", plan_href(plan.id), a.id),
        description: a.details.description.clone(),
        finding: plan.finding(a.details.finding_id).map(|f| f.finding.headline()).unwrap_or_default(),
        statement: statement_name(&a.details.statement),
        owner: a.details.owner.clone(),
        due: long_date(a.details.due_on),
        status: status_text(a, today),
        modifier: status_modifier(a, today),
        evidence: if a.evidence.is_empty() {
            "None yet".to_string()
        } else {
            format!("{}, {}", count_of(notes, "note", "notes"), count_of(files, "file", "files"))
        },
    }
}

/// Actions done at the end of each month, as bars: drawn on the server, with a
/// title and description, beside the same numbers in a table. The drawing is 640
/// units wide, as the page shows it, so its text keeps its size; with many months
/// the bars narrow and only every few months are named.
pub(crate) fn progress_chart(months: &[MonthProgress]) -> String {
    use std::fmt::Write;
    const WIDTH: f64 = 640.0;
    let total = months.iter().map(|m| m.done + m.open).max().unwrap_or(0).max(1);
    let (height, top, left) = (160.0, 12.0, 36.0);
    let slot = ((WIDTH - left) / months.len().max(1) as f64).min(80.0);
    let (bar, every) = (slot * 0.7, (64.0 / slot).ceil().max(1.0) as usize);
    let mut svg = format!(
        r#"<svg class="chart plan-chart" role="img" aria-labelledby="progress-chart-title progress-chart-desc" viewBox="0 0 {WIDTH} {h:.0}" xmlns="http://www.w3.org/2000/svg"><title id="progress-chart-title">Actions done by the end of each month</title><desc id="progress-chart-desc">Bars show how many of the plan's actions were done at the end of each month; the table below gives the same numbers.</desc>"#,
        h = height + top + 28.0
    );
    let base = top + height;
    let _ = write!(svg, r#"<line class="chart__axis" x1="{left}" y1="{base}" x2="{WIDTH}" y2="{base}"/>"#);
    for (value, y) in [(total, top + 4.0), (0, base)] {
        let _ = write!(
            svg,
            r#"<text class="chart__label" x="{x}" y="{y}" text-anchor="end">{value}</text>"#,
            x = left - 6.0
        );
    }
    for (i, m) in months.iter().enumerate() {
        let x = left + i as f64 * slot + (slot - bar) / 2.0;
        let h = height * f64::from(m.done) / f64::from(total);
        let _ = write!(
            svg,
            r#"<rect class="plan-chart__done" x="{x:.1}" y="{y:.1}" width="{bar:.1}" height="{h:.1}"><title>{label}: {done} done</title></rect>"#,
            y = base - h,
            label = m.label,
            done = m.done
        );
        if i % every == 0 {
            let _ = write!(
                svg,
                r#"<text class="chart__label" x="{cx:.1}" y="{y:.1}" text-anchor="middle">{short}</text>"#,
                cx = x + bar / 2.0,
                y = base + 20.0,
                short = m.short
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

// ---------------------------------------------------------------- the CSV export

/// The actions of a plan as CSV rows, one per action, for the page and the API.
pub(crate) fn actions_csv(plan: &Plan, today: NaiveDate) -> Result<Vec<u8>, WebError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let header = [
        "action_id",
        "finding",
        "statement",
        "description",
        "owner",
        "due_on",
        "status",
        "overdue",
        "evidence_notes",
        "evidence_files",
        "last_change",
    ];
    out.write_record(header).map_err(|_| WebError::Internal)?;
    for a in &plan.actions {
        let files = a.evidence.iter().filter(|e| e.file.is_some()).count();
        let finding = plan.finding(a.details.finding_id).map(|f| f.finding.headline()).unwrap_or_default();
        let last = a.history.last().map(|c| c.at.format("%Y-%m-%dT%H:%M:%SZ").to_string()).unwrap_or_default();
        out.write_record([
            a.id.to_string(),
            spreadsheet_safe(&finding),
            a.details.statement.clone(),
            spreadsheet_safe(&a.details.description),
            spreadsheet_safe(&a.details.owner),
            a.details.due_on.to_string(),
            a.status.code().to_string(),
            if is_overdue(a.status, a.details.due_on, today) { "yes" } else { "no" }.to_string(),
            (a.evidence.len() - files).to_string(),
            files.to_string(),
            last,
        ])
        .map_err(|_| WebError::Internal)?;
    }
    out.into_inner().map_err(|_| WebError::Internal)
}

/// Text that a spreadsheet would run as a formula gets a leading apostrophe.

pub(crate) fn csv_response(plan: &Plan, today: NaiveDate) -> Result<Response, WebError> {
    download::csv_file(&format!("plan-{}-actions.csv", plan.id), actions_csv(plan, today)?)
}

/// `GET /manage/plans/{id}/actions.csv`
pub async fn csv_file(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let (plan, _) = page_plan(&state, &who, &raw_id, Action::Read).await?;
    who.caller.record(&state, "export", &format!("improvement_plan:{}", plan.id), Some("actions.csv")).await?;
    Ok(csv_response(&plan, today())?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use candour_domain::improvement::{ActionDetails, Finding, FindingKind, Reflection};
    use candour_domain::{LocationId, UserId};
    use candour_store::{PlanFinding, StatusChange};
    use chrono::{DateTime, TimeZone, Utc};

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()
    }

    fn action(id: i64, due: NaiveDate, changes: &[(ActionStatus, DateTime<Utc>)]) -> PlanAction {
        PlanAction {
            id,
            details: ActionDetails {
                finding_id: 1,
                statement: "S4".into(),
                description: "=SUM(A1)".into(),
                owner: "Deputy".into(),
                due_on: due,
            },
            status: changes.last().unwrap().0,
            public: false,
            history: changes
                .iter()
                .map(|(s, t)| StatusChange { status: *s, reason: None, by: UserId(1), at: *t })
                .collect(),
            evidence: Vec::new(),
            created_at: changes[0].1,
        }
    }

    fn plan(actions: Vec<PlanAction>) -> Plan {
        Plan {
            id: 3,
            location_id: LocationId::parse("1-1").unwrap(),
            title: "Plan".into(),
            started_on: NaiveDate::from_ymd_opt(2026, 1, 10).unwrap(),
            findings: vec![PlanFinding {
                id: 1,
                finding: Finding { kind: FindingKind::Other, reference: String::new(), text: "Late audits".into() },
            }],
            actions,
            reflection: Reflection::default(),
            publication: None,
            created_by: UserId(1),
            created_at: at(2026, 1, 10),
            updated_at: at(2026, 1, 10),
        }
    }

    #[test]
    fn progress_counts_statuses_and_overdue_actions() {
        let due = NaiveDate::from_ymd_opt(2026, 2, 1).unwrap();
        let p = plan(vec![
            action(1, due, &[(ActionStatus::NotStarted, at(2026, 1, 10)), (ActionStatus::Done, at(2026, 2, 5))]),
            action(2, due, &[(ActionStatus::NotStarted, at(2026, 1, 10))]),
            action(3, due, &[(ActionStatus::NotStarted, at(2026, 1, 11)), (ActionStatus::InProgress, at(2026, 3, 1))]),
        ]);
        let today = NaiveDate::from_ymd_opt(2026, 3, 15).unwrap();
        let counts = progress(&p, today);
        assert_eq!((counts.actions, counts.done, counts.in_progress, counts.overdue), (3, 1, 1, 2));
        assert_eq!(progress_text(&counts), "1 of 3 actions done, 2 overdue");
        let months = progress_by_month(&p, today);
        let done: Vec<(&str, u32, u32)> = months.iter().map(|m| (m.month.as_str(), m.done, m.open)).collect();
        assert_eq!(done, [("2026-01", 0, 3), ("2026-02", 1, 2), ("2026-03", 1, 2)]);
        assert!(progress_chart(&months).contains("<title id=\"progress-chart-title\">"));
    }

    #[test]
    fn the_csv_has_a_row_per_action_and_defuses_formulas() {
        let due = NaiveDate::from_ymd_opt(2026, 2, 1).unwrap();
        let p = plan(vec![action(1, due, &[(ActionStatus::NotStarted, at(2026, 1, 10))])]);
        let text = String::from_utf8(actions_csv(&p, NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()).unwrap()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with("action_id,finding,statement"));
        assert!(lines[1].contains(",'=SUM(A1),"), "{}", lines[1]);
        assert!(lines[1].contains(",not_started,yes,0,0,"), "{}", lines[1]);
    }

    #[test]
    fn statements_are_named_from_the_framework() {
        assert!(statement_name("S1").starts_with("S1 Safe: "), "{}", statement_name("S1"));
        assert_eq!(statement_name("Z9"), "Z9");
        assert!(statements().len() >= 30);
    }
}
