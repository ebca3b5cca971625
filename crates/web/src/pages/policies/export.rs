//! Who has read what, as CSV, for the provider's administrators.

use axum::extract::{Path, State};
use axum::response::Response;

use super::words::reads_csv;
use crate::auth::SignedIn;
use crate::error::PageError;
use crate::state::AppState;

/// `GET /manage/providers/{id}/policies/reads.csv`
pub async fn download(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let (tenancy, rows) =
        state.app.policies.reads(&who.actor(), &raw_id, "reads.csv").await.map_err(|e| who.fail(e))?;
    Ok(reads_csv(&tenancy, &rows)?)
}
