//! The API for assessments: one assessment with the engine's result and its trace,
//! and a location's assessments the caller may read.

use axum::Json;
use axum::extract::{Path, State};
use candour_app::assessments::rating::result_of;
use candour_store::AssessmentRecord;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::private_not_found;
use crate::auth::ApiCaller;
use crate::error::{ApiError, WebError};
use crate::openapi::{LocationPath, NumberPath, TokenErrors};
use crate::state::AppState;

/// Routes under `/api`, authenticated by bearer token.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(location_assessments)).routes(routes!(assessment))
}

/// An assessment with the engine's result for it (as published, or as it now computes).
#[derive(Serialize, utoipa::ToSchema)]
pub struct AssessmentView {
    pub assessment: AssessmentRecord,
    /// `None` when the assessment cannot be rated yet; `problem` says why.
    pub result: Option<candour_engine::AssessmentResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

impl AssessmentView {
    fn of(mut record: AssessmentRecord) -> Self {
        let computed = result_of(&record);
        record.result = None;
        match computed {
            Ok(result) => AssessmentView { assessment: record, result: Some(result), problem: None },
            Err(problem) => AssessmentView { assessment: record, result: None, problem: Some(problem) },
        }
    }
}

/// An assessment and its computed result with the trace.
#[utoipa::path(get, path = "/v1/assessments/{id}", tag = "Assessments", security(("token" = [])),
    params(NumberPath), responses((status = 200, description = "The assessment", body = AssessmentView), TokenErrors))]
pub async fn assessment(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(raw_id): Path<String>,
) -> Result<Json<AssessmentView>, ApiError> {
    let opened = state
        .app
        .assessments
        .assessment(&caller.actor(), &raw_id, Some("api"))
        .await
        .map_err(|e| WebError::from_area(&e, || private_not_found("assessment", &raw_id)))?;
    Ok(Json(AssessmentView::of(opened.record)))
}

/// The location's assessments the token may read, newest first.
#[utoipa::path(get, path = "/v1/manage/locations/{id}/assessments", tag = "Assessments", security(("token" = [])),
    params(LocationPath),
    responses((status = 200, description = "The assessments", body = Vec<AssessmentView>), TokenErrors))]
pub async fn location_assessments(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(raw_id): Path<String>,
) -> Result<Json<Vec<AssessmentView>>, ApiError> {
    let all = state
        .app
        .assessments
        .of_location(&caller.actor(), &raw_id, Some("api"))
        .await
        .map_err(|e| WebError::from_area(&e, || private_not_found("location", &raw_id)))?;
    Ok(Json(all.into_iter().map(AssessmentView::of).collect()))
}
