//! Evidence of completion: a note, a file, or both, sent as one multipart form.
//! A file is checked by its content (PDF, PNG, JPEG, plain text or CSV, up to
//! 5 MB) before anything is saved; a refused file saves nothing, not even the
//! note, and the page says why beside the field. Files are served only to those
//! who may read the plan, as attachments with their checked type.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use candour_domain::Action;
use candour_domain::improvement::{MAX_EVIDENCE_BYTES, check_file, parse_note};
use candour_store::{FileMeta, NewEvidence};
use chrono::Utc;

use super::actions::{UploadForm, action_href, action_page};
use super::page_plan;
use crate::auth::SignedIn;
use crate::error::{PageError, render};
use crate::forms::FormErrors;
use crate::state::AppState;

const CHOOSE: &str = "Write an evidence note, or choose a file, or both";

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
    let (plan, detail) = page_plan(&state, &who, &raw_id, Action::Write).await?;
    let action = raw_action.trim().parse::<i64>().ok().and_then(|id| plan.action(id)).ok_or_else(|| who.not_found())?;
    let mut errors = FormErrors::default();
    let sent = match multipart {
        Ok(parts) => read_parts(parts).await.unwrap_or_else(|message| {
            errors.add("file", message);
            Sent { note: String::new(), file: None }
        }),
        Err(_) => Sent { note: String::new(), file: None },
    };
    let note = parse_note("note", &sent.note, false).map_err(|p| errors.add(p.field, p.message)).ok();
    let file = match &sent.file {
        Some((name, bytes)) => match check_file(name, bytes) {
            Ok(checked) => Some((
                FileMeta { name: checked.name, kind: checked.kind, size: checked.size, sha256: checked.sha256 },
                bytes.clone(),
            )),
            Err(message) => {
                errors.add("file", message);
                None
            }
        },
        None => None,
    };
    if errors.is_empty() && file.is_none() && note.as_deref().is_none_or(str::is_empty) {
        errors.add("note", CHOOSE);
    }
    if !errors.is_empty() {
        let upload = UploadForm::new(plan.id, action.id, &sent.note, &errors);
        let page = action_page(&state, &who, &detail, &plan, action, &[], &errors, upload, None).await?;
        return Ok(render(StatusCode::BAD_REQUEST, &page));
    }
    let text = match &file {
        Some((meta, _)) => {
            format!("action {}: file {} ({} bytes, sha256 {})", action.id, meta.name, meta.size, meta.sha256)
        }
        None => format!("action {}: note", action.id),
    };
    let evidence =
        NewEvidence { note: note.unwrap_or_default(), file, added_by: who.principal().user_id, added_at: Utc::now() };
    state.store.add_evidence(plan.id, action.id, &evidence).await.map_err(who.store_error())?;
    who.caller.record(&state, "plan_evidence_add", &format!("improvement_plan:{}", plan.id), Some(&text)).await?;
    Ok(Redirect::to(&format!("{}?saved=evidence", action_href(plan.id, action.id))).into_response())
}

/// `GET /manage/plans/{id}/evidence/{evidence}/file`: the file as an attachment,
/// with the type its content was checked to be, never sniffed by the browser.
pub async fn download(
    State(state): State<AppState>,
    who: SignedIn,
    Path((raw_id, raw_evidence)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (plan, _) = page_plan(&state, &who, &raw_id, Action::Read).await?;
    let id = raw_evidence.trim().parse::<i64>().map_err(|_| who.not_found())?;
    let (meta, bytes) = state.store.evidence_file(plan.id, id).await.map_err(who.store_error())?;
    who.caller
        .record(&state, "download", &format!("improvement_plan:{}", plan.id), Some(&format!("evidence {id}")))
        .await?;
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
