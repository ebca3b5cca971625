//! Evidence of completion: a note, a file, or both, sent as one multipart form.
//! A file is checked by its content (PDF, PNG, JPEG, plain text or CSV, up to
//! 5 MB) before anything is saved; a refused file saves nothing, not even the
//! note, and the page says why beside the field. Files are served only to those
//! who may read the plan, as attachments with their checked type.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use candour_app::improvement::{ImprovementError, RawEvidence};
use candour_domain::improvement::MAX_EVIDENCE_BYTES;
use candour_store::FileMeta;

use super::actions::{UploadForm, action_href, action_page};
use crate::auth::SignedIn;
use crate::error::{PageError, render};
use crate::forms::FormErrors;
use crate::state::AppState;

/// What the form sent: the note and the file (its name and bytes), or why it could not be read.
struct Sent {
    note: String,
    file: Option<(String, Vec<u8>)>,
}

async fn read_parts(mut parts: Multipart) -> Result<Sent, String> {
    let unreadable = |_| "The upload could not be read: choose the file again and send it".to_string();
    let mut sent = Sent { note: String::new(), file: None };
    while let Some(part) = parts.next_field().await.map_err(unreadable)? {
        match part.name() {
            Some("note") => sent.note = part.text().await.map_err(unreadable)?,
            Some("file") => {
                let name = part.file_name().map(str::trim).unwrap_or("").to_string();
                let bytes = part.bytes().await.map_err(unreadable)?;
                // Browsers send an unnamed, empty part when no file was chosen.
                if !(name.is_empty() && bytes.is_empty()) {
                    let name = if name.is_empty() { "The file".to_string() } else { name };
                    sent.file = Some((name, bytes.to_vec()));
                }
            }
            _ => {}
        }
    }
    Ok(sent)
}

/// `POST /manage/plans/{id}/actions/{action}/evidence` (multipart)
pub async fn upload(
    State(state): State<AppState>,
    who: SignedIn,
    Path((raw_id, raw_action)): Path<(String, String)>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let sent = match multipart {
        Ok(parts) => match read_parts(parts).await {
            Ok(sent) => RawEvidence { note: sent.note, file: sent.file, unreadable: None },
            Err(message) => RawEvidence { unreadable: Some(message), ..RawEvidence::default() },
        },
        Err(_) => RawEvidence::default(),
    };
    match state.app.improvement.add_evidence(&who.actor(), &raw_id, &raw_action, &sent).await {
        Ok((plan, action)) => {
            Ok(Redirect::to(&format!("{}?saved=evidence", action_href(plan, action))).into_response())
        }
        Err(ImprovementError::Invalid(problems)) => {
            let mut errors = FormErrors::default();
            for (field, message) in problems {
                errors.add(field, message);
            }
            let view = state.app.improvement.writable_action(&who.actor(), &raw_id, &raw_action).await;
            let view = view.map_err(|e| who.fail(e))?;
            let upload = UploadForm::new(view.plan.plan.id, view.action, &sent.note, &errors);
            let page = action_page(&who, &view, &[], &errors, upload, None);
            Ok(render(StatusCode::BAD_REQUEST, &page))
        }
        Err(e) => Err(who.fail(e).into()),
    }
}

/// `GET /manage/plans/{id}/evidence/{evidence}/file`: the file as an attachment,
/// with the type its content was checked to be, never sniffed by the browser.
pub async fn download(
    State(state): State<AppState>,
    who: SignedIn,
    Path((raw_id, raw_evidence)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let file = state.app.improvement.evidence_file(&who.actor(), &raw_id, &raw_evidence).await;
    let (meta, bytes) = file.map_err(|e| who.fail(e))?;
    Ok(file_response(&meta, bytes))
}

pub(crate) fn file_response(meta: &FileMeta, bytes: Vec<u8>) -> Response {
    let ascii: String = meta.name.chars().map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '_' }).collect();
    let encoded: String = form_urlencoded::byte_serialize(meta.name.as_bytes()).collect::<String>().replace('+', "%20");
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment; filename=\"evidence\""));
    debug_assert!(bytes.len() <= MAX_EVIDENCE_BYTES);
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static(meta.kind.media_type())),
        (header::CONTENT_DISPOSITION, disposition),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox")),
    ];
    (headers, bytes).into_response()
}
