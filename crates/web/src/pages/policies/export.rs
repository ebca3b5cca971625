//! Who has read what, as CSV: one row per person and policy in force that asks for
//! confirmation, with the date they confirmed its current version (blank: not yet).

use axum::extract::{Path, State};
use axum::response::Response;
use candour_domain::Action;

use super::{Tenancy, readable_tenancy, roles_text};
use crate::auth::SignedIn;
use crate::download::{csv_file, spreadsheet_safe};
use crate::error::{PageError, WebError};
use crate::state::AppState;

/// `GET /manage/providers/{id}/policies/reads.csv`
pub async fn download(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let tenancy = readable_tenancy(&state, &who, &raw_id).await?;
    who.require(&state, Action::Read, tenancy.library()).await?;
    let csv = reads_csv(&state, &tenancy).await?;
    who.caller.record(&state, "export", &format!("policies:provider:{}", tenancy.id), Some("reads.csv")).await?;
    Ok(csv_response(&tenancy, csv)?)
}

pub(crate) fn csv_response(tenancy: &Tenancy, csv: String) -> Result<Response, WebError> {
    csv_file(&format!("policy-reads-{}.csv", tenancy.id), csv)
}

/// The CSV text. The caller has been checked already.
pub(crate) async fn reads_csv(state: &AppState, tenancy: &Tenancy) -> Result<String, WebError> {
    let failed = |e| WebError::from_store(e, String::new);
    let policies = state.store.policies_of(&tenancy.id).await.map_err(failed)?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let header = ["policy_id", "title", "kind", "version", "published_on", "name", "email", "roles", "read_on"];
    out.write_record(header).map_err(|_| WebError::Internal)?;
    for p in policies.iter().filter(|p| p.withdrawn_at.is_none() && p.requires_confirmation) {
        for r in state.store.policy_readers(p.id).await.map_err(failed)? {
            let read_on = r.confirmed_at.map(|at| at.date_naive().to_string()).unwrap_or_default();
            let row = [
                p.id.to_string(),
                p.title.clone(),
                p.kind.code().to_string(),
                p.version.to_string(),
                p.published_at.date_naive().to_string(),
                r.name.clone(),
                r.email.to_string(),
                roles_text(&r),
                read_on,
            ];
            out.write_record(row.iter().map(|cell| spreadsheet_safe(cell))).map_err(|_| WebError::Internal)?;
        }
    }
    let bytes = out.into_inner().map_err(|_| WebError::Internal)?;
    String::from_utf8(bytes).map_err(|_| WebError::Internal)
}
