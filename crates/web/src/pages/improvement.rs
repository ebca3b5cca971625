//! Improvement plans: actions linked to findings, owners, due dates, evidence and the reflection on the improvement journey.
//!
//! Those who run a service (its provider's administrators and registered managers)
//! build plans; inspectors and the commissioners of its area read them. Every page
//! asks [`Resource::ImprovementPlans`] of the plan's location, so a plan another
//! person may not see answers the normal 404. Reads and writes are audited.

mod actions;
pub mod api;
mod create;
mod evidence;
mod export;
pub mod public;
mod publish;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use candour_app::improvement::{LocationPlans, MonthProgress, PlanView, Progress, Via, progress, progress_by_month};
use candour_domain::improvement::{ActionStatus, REFLECTION_SECTIONS, is_overdue};
use candour_store::{LocationDetail, Plan, PlanAction};
use chrono::NaiveDate;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::auth::SignedIn;
use crate::error::{PageError, render};
use crate::pages::chrome::{Chrome, Crumb};
use crate::state::AppState;
use crate::views::{count_of, long_date, today};

pub use api::routes as api_routes;
pub(crate) use candour_app::improvement::statement_name;

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
    let found = state.app.improvement.plans_of(&who.actor(), &raw_id, Via::Page).await;
    let LocationPlans { detail, plans, writable } = found.map_err(|e| who.fail(e))?;
    let l = &detail.location;
    let today = today();
    let page = ListPage {
        title: format!("Improvement plans: {}", l.name),
        chrome: Chrome::with(
            &who,
            vec![Crumb::new("Manage", "/manage"), Crumb::new(l.name.clone(), format!("/manage/locations/{}", l.id))],
            "Improvement plans",
        ),
        name: l.name.clone(),
        new_href: writable.then(|| format!("{}/new", plans_href(&l.id))),
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
    let found = state.app.improvement.plan(&who.actor(), &raw_id, Via::Page).await;
    let PlanView { plan, detail, writable } = found.map_err(|e| who.fail(e))?;
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
        writable,
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

/// `GET /manage/plans/{id}/actions.csv`
pub async fn csv_file(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let plan = state.app.improvement.export(&who.actor(), &raw_id, Via::Page).await.map_err(|e| who.fail(e))?;
    Ok(export::csv_response(&plan, today())?)
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

    pub(super) fn action(id: i64, due: NaiveDate, changes: &[(ActionStatus, DateTime<Utc>)]) -> PlanAction {
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

    pub(super) fn plan(actions: Vec<PlanAction>) -> Plan {
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
    fn progress_is_told_in_words_and_drawn() {
        let due = NaiveDate::from_ymd_opt(2026, 2, 1).unwrap();
        let p = plan(vec![
            action(1, due, &[(ActionStatus::NotStarted, at(2026, 1, 10)), (ActionStatus::Done, at(2026, 2, 5))]),
            action(2, due, &[(ActionStatus::NotStarted, at(2026, 1, 10))]),
            action(3, due, &[(ActionStatus::NotStarted, at(2026, 1, 11)), (ActionStatus::InProgress, at(2026, 3, 1))]),
        ]);
        let today = NaiveDate::from_ymd_opt(2026, 3, 15).unwrap();
        assert_eq!(progress_text(&progress(&p, today)), "1 of 3 actions done, 2 overdue");
        assert!(progress_chart(&progress_by_month(&p, today)).contains("<title id=\"progress-chart-title\">"));
    }

    #[test]
    fn the_csv_has_a_row_per_action_and_defuses_formulas() {
        let due = NaiveDate::from_ymd_opt(2026, 2, 1).unwrap();
        let p = plan(vec![action(1, due, &[(ActionStatus::NotStarted, at(2026, 1, 10))])]);
        let csv = export::actions_csv(&p, NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()).unwrap();
        let text = String::from_utf8(csv).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with("action_id,finding,statement"));
        assert!(lines[1].contains(",'=SUM(A1),"), "{}", lines[1]);
        assert!(lines[1].contains(",not_started,yes,0,0,"), "{}", lines[1]);
    }
}
