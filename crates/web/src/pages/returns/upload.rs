//! The CSV template uploaded on the returns page: read as the command-line
//! import reads it, with only this location's rows accepted. One bad row and
//! nothing is saved; every problem is listed by line.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_app::returns::{FileRefusal, RefusedFile, ReturnsError, UploadedFile};
use chrono::Utc;

use super::page::{FILE_FIELD, MAX_FILE_BYTES, UploadForm, returns_page};
use super::words::saved_href;
use crate::auth::SignedIn;
use crate::error::{PageError, render};
use crate::state::AppState;

const CHOOSE_A_FILE: &str = "Choose a CSV file to upload";

/// `POST /manage/locations/{id}/returns/upload` (multipart): every row saved
/// together and back to the returns page (303), or the page again listing
/// every problem.
pub async fn upload(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let file = match multipart {
        Ok(parts) => read_file(parts).await,
        Err(_) => Err(CHOOSE_A_FILE.to_string()),
    };
    match state.app.returns.upload(&who.actor(), &raw_id, file, Utc::now()).await {
        Ok((id, counts)) => Ok(Redirect::to(&saved_href(&id, counts, None)).into_response()),
        Err(ReturnsError::FileRefused(refused)) => {
            let RefusedFile { overview, refusal } = *refused;
            let id = &overview.detail.location.id;
            let form = match refusal {
                FileRefusal::NoFile(message) => UploadForm::refused(id, message, &[]),
                FileRefusal::Problems { name, problems } => {
                    let error = match problems.len() {
                        1 => format!("{name} has a problem, shown below: nothing was saved"),
                        n => format!("{name} has {n} problems, listed below: nothing was saved"),
                    };
                    UploadForm::refused(id, error, &problems)
                }
            };
            Ok(render(StatusCode::BAD_REQUEST, &returns_page(&who, &overview, None, form)))
        }
        Err(e) => Err(who.fail(e).into()),
    }
}

/// The uploaded file's name and content; a message when there is none.
async fn read_file(mut parts: Multipart) -> Result<UploadedFile, String> {
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
        return Ok(UploadedFile { name, bytes: bytes.to_vec() });
    }
    Err(CHOOSE_A_FILE.to_string())
}
