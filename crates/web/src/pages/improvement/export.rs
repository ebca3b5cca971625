//! A plan's actions as CSV, one row per action: the same file from the page and the API.

use axum::response::Response;
use candour_domain::improvement::is_overdue;
use candour_store::Plan;
use chrono::NaiveDate;

use crate::download::{self, spreadsheet_safe};
use crate::error::WebError;

/// The actions of a plan as CSV rows, one per action.
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

pub(crate) fn csv_response(plan: &Plan, today: NaiveDate) -> Result<Response, WebError> {
    download::csv_file(&format!("plan-{}-actions.csv", plan.id), actions_csv(plan, today)?)
}
