//! The assessment workflow's pages: an inspector opens an assessment from a
//! location's workspace, records scores, facts and judgements, sees the draft
//! rating with the computation shown, and sends it; the provider's administrators
//! raise factual-accuracy challenges in the window; the inspector decides each and
//! publishes. Every step is one call on the application's assessment service.

mod api;
pub(crate) mod trace;

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use candour_app::Actor;
use candour_app::assessments::rating::{self as model, key_question_code};
use candour_app::assessments::{AssessmentsError, DEFAULT_WINDOW_DAYS, Opened, Problem, Saved, findings};
use candour_domain::assessment::Part;
use candour_domain::{KeyQuestion, LocationId, Principal, ProviderId, Rating, Resource};
use candour_engine::AssessmentResult;
use candour_engine::voice::VoiceSummary;
use candour_store::{AssessmentRecord, AssessmentStatus, ChallengeStatus, LocationDetail};
use chrono::Utc;

use self::trace::Trace;
use crate::auth::SignedIn;
use crate::error::{PageError, WebError, render};
use crate::forms::{ErrorLink, pairs, value};
use crate::pages::chrome::{Chrome, Crumb, date_time};
use crate::pages::moderation::evidence::{EvidenceLine, statement_evidence};
use crate::pages::visits::{StatementEvidence, evidence_by_statement};
use crate::state::AppState;
use crate::views::{SelectOption, long_date};

/// The area's pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/manage/locations/{id}/assessments", post(open))
        .route("/manage/assessments/{id}", get(show))
        .route("/manage/assessments/{id}/facts", post(save_facts))
        .route("/manage/assessments/{id}/key-questions/{kq}", post(save_key_question))
        .route("/manage/assessments/{id}/judgements/{finding}", post(save_judgement))
        .route("/manage/assessments/{id}/send", post(send))
        .route("/manage/assessments/{id}/challenges", post(raise_challenge))
        .route("/manage/assessments/{id}/challenges/{challenge}", post(decide_challenge))
        .route("/manage/assessments/{id}/no-more-challenges", post(finish_challenges))
        .route("/manage/assessments/{id}/publish", post(publish))
}

/// The area's JSON API, nested under `/api`.
pub fn api_routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    api::routes()
}

/// The assessment as the access policy sees it (for the workspace's list).
pub fn assessment_resource<'a>(record: &'a AssessmentRecord, detail: &'a LocationDetail) -> Resource<'a> {
    candour_app::assessments::resource(record, &detail.location.provider_id)
}

// ---------------------------------------------------------------- waiting for review

/// A draft report waiting for the provider's review, as its workspaces show it.
pub struct AwaitingReview {
    /// The last day of the challenge window, in words.
    pub until: String,
    pub href: String,
    /// The service and its service group.
    pub label: String,
}

/// The draft reports at the provider's services (or at one of them) whose window
/// is open and which the principal may challenge.
pub async fn awaiting_review(
    state: &AppState,
    who: &Principal,
    provider: &ProviderId,
    location: Option<&LocationId>,
) -> Result<Vec<AwaitingReview>, WebError> {
    let actor = Actor::new(who.clone(), None);
    let today = Utc::now().date_naive();
    let waiting = state
        .app
        .assessments
        .awaiting_review(&actor, provider, location, today)
        .await
        .map_err(|e| WebError::from_store(e, String::new))?;
    Ok(waiting
        .into_iter()
        .map(|a| AwaitingReview {
            until: long_date(a.window_ends),
            href: format!("/manage/assessments/{}", a.id),
            label: format!("{}, {}", a.location_name, a.service_group),
        })
        .collect())
}

// ---------------------------------------------------------------- the page

#[derive(Template)]
#[template(path = "assessments/assessment.html")]
struct AssessmentPage {
    title: String,
    chrome: Chrome,
    errors: Vec<ErrorLink>,
    action: String,
    location_name: String,
    service_group: String,
    status: &'static str,
    window: String,
    inspector: bool,
    /// Sent, with findings reopened by accepted challenges (the forms show only those).
    reopened: bool,
    facts_open: bool,
    can_challenge: bool,
    can_finish: bool,
    finished: Option<String>,
    facts: Vec<FactBox>,
    key_questions: Vec<KeyQuestionForm>,
    trace: Option<Trace>,
    trace_problem: Option<String>,
    judgements: Vec<JudgementForm>,
    challenges: Vec<ChallengeLine>,
    corrections: Vec<CorrectionLine>,
    findings: Vec<SelectOption>,
    can_send: bool,
    can_publish: bool,
    /// Why publishing must wait, while it must.
    publish_wait: Option<String>,
    window_days: u64,
    published: Option<String>,
    public_href: String,
}

struct FactBox {
    name: &'static str,
    label: &'static str,
    checked: bool,
}

struct KeyQuestionForm {
    code: &'static str,
    name: &'static str,
    /// The standing rating may change (always in a draft; once sent, when reopened).
    standing_open: bool,
    standing: Vec<SelectOption>,
    standing_on: String,
    statements: Vec<StatementForm>,
}

struct StatementForm {
    id: String,
    title: String,
    score: Vec<SelectOption>,
    categories: Vec<CategoryInput>,
    carried: String,
    voice: Vec<EvidenceLine>,
    /// What experts by experience found on their published visits.
    experts: Vec<StatementEvidence>,
}

struct CategoryInput {
    code: &'static str,
    name: String,
    score: Vec<SelectOption>,
    note: String,
}

struct JudgementForm {
    code: &'static str,
    name: &'static str,
    ratings: Vec<SelectOption>,
    reason: String,
    current: Option<String>,
}

struct CorrectionLine {
    challenge: i64,
    finding: String,
    before: String,
    after: String,
    by: String,
    at: String,
}

struct ChallengeLine {
    id: i64,
    finding: String,
    text: String,
    raised: String,
    status: &'static str,
    decision: Option<String>,
    open: bool,
}

fn score_options(current: Option<u8>) -> Vec<SelectOption> {
    let current = current.map(|s| s.to_string());
    let chosen = current.as_deref();
    std::iter::once(SelectOption { value: String::new(), label: "Not scored".into(), selected: chosen.is_none() })
        .chain((1..=4).map(|s| SelectOption::new(s.to_string(), s.to_string(), chosen)))
        .collect()
}

fn rating_options(current: Option<Rating>, empty: &str) -> Vec<SelectOption> {
    let chosen = current.map(|r| r.code());
    std::iter::once(SelectOption { value: String::new(), label: empty.into(), selected: chosen.is_none() })
        .chain(Rating::ALL.into_iter().map(|r| SelectOption::new(r.code(), r.name(), chosen)))
        .collect()
}

/// The key question's form, with only the statements that may change now.
fn key_question_form(
    framework: &candour_engine::Framework,
    record: &AssessmentRecord,
    evidence: &Evidence,
    kq: KeyQuestion,
) -> KeyQuestionForm {
    let lifecycle = record.lifecycle();
    let open = |part: Part| lifecycle.may_change(&part).is_ok();
    let standing = record.standing.iter().find(|s| s.key_question == kq);
    let statements = framework
        .statements_of(kq)
        .filter(|s| open(Part::Statement(s.id.to_string())))
        .map(|s| {
            let entry = record.statements.iter().find(|e| e.statement == s.id.to_string());
            let categories = framework
                .categories_for(s.id, record.service_kind)
                .into_iter()
                .map(|c| CategoryInput {
                    code: c.code(),
                    name: framework.category(c).map_or_else(|| c.code().to_string(), |i| i.name.clone()),
                    score: score_options(entry.and_then(|e| e.categories.get(c.code()).copied())),
                    note: entry.and_then(|e| e.notes.get(c.code()).cloned()).unwrap_or_default(),
                })
                .collect();
            StatementForm {
                id: s.id.to_string(),
                title: s.title.clone(),
                score: score_options(entry.and_then(|e| e.score)),
                categories,
                carried: entry.and_then(|e| e.carried_from).map(|d| d.to_string()).unwrap_or_default(),
                voice: statement_evidence(framework, &evidence.voice, s.id, record.service_kind),
                experts: evidence.experts.get(s.id.to_string().as_str()).cloned().unwrap_or_default(),
            }
        })
        .collect();
    KeyQuestionForm {
        code: key_question_code(kq),
        name: kq.name(),
        standing_open: open(Part::KeyQuestion(kq)),
        standing: rating_options(standing.map(|s| s.rating), "Assessed now (no standing rating)"),
        standing_on: standing.and_then(|s| s.rated_on).map(|d| d.to_string()).unwrap_or_default(),
        statements,
    }
}

/// One form per finding. A judgement is shown beside the rating computed now (scores
/// may have changed since it was recorded), or the one recorded with it when the
/// assessment cannot be rated.
fn judgement_forms(record: &AssessmentRecord, result: Option<&AssessmentResult>) -> Vec<JudgementForm> {
    let lifecycle = record.lifecycle();
    let findings = KeyQuestion::ALL.into_iter().map(Some).chain([None]);
    findings
        .filter(|finding| lifecycle.may_change(&finding.map_or(Part::Overall, Part::KeyQuestion)).is_ok())
        .map(|finding| {
            let existing = record.judgements.iter().find(|j| j.key_question == finding);
            JudgementForm {
                code: finding.map_or("overall", key_question_code),
                name: finding.map_or("Overall", KeyQuestion::name),
                ratings: rating_options(existing.map(|j| j.rating), "The computed rating (no judgement)"),
                reason: existing.map(|j| j.reason.clone()).unwrap_or_default(),
                current: existing.map(|j| {
                    let computed = result.map_or(j.computed, |r| model::computed_rating(r, finding));
                    let computed = computed.map_or("no rating", Rating::name);
                    format!("{} in place of the computed {computed}", j.rating.name())
                }),
            }
        })
        .collect()
}

fn challenge_lines(record: &AssessmentRecord) -> Vec<ChallengeLine> {
    record
        .challenges
        .iter()
        .map(|c| ChallengeLine {
            id: c.id,
            finding: c.finding.clone(),
            text: c.text.clone(),
            raised: date_time(c.raised_at),
            status: match c.status {
                ChallengeStatus::Open => "Open",
                ChallengeStatus::Accepted => "Accepted",
                ChallengeStatus::Rejected => "Rejected",
            },
            decision: c.decision_reason.clone(),
            open: c.status == ChallengeStatus::Open,
        })
        .collect()
}

fn correction_lines(opened: &Opened) -> Vec<CorrectionLine> {
    opened
        .record
        .corrections
        .iter()
        .map(|c| CorrectionLine {
            challenge: c.challenge_id,
            finding: c.finding.clone(),
            before: c.before.clone(),
            after: c.after.clone(),
            by: opened.name(c.corrected_by),
            at: date_time(c.corrected_at),
        })
        .collect()
}

/// What a challenge can be about: each statement recorded, each key question, the overall rating.
fn finding_options(record: &AssessmentRecord) -> Vec<SelectOption> {
    findings(record).into_iter().map(|(v, l)| SelectOption::new(v, l, None)).collect()
}

fn status_text(record: &AssessmentRecord) -> (&'static str, String) {
    match (record.status, record.window_ends) {
        (AssessmentStatus::Draft, _) => ("Draft", "Only inspectors can see this draft.".to_string()),
        (AssessmentStatus::Sent, _) if record.challenges_finished_at.is_some() => (
            "Sent to the provider",
            "The provider has said it has no more challenges. Scores are locked: a finding reopens only when a \
             challenge to it is accepted."
                .to_string(),
        ),
        (AssessmentStatus::Sent, Some(end)) => (
            "Sent to the provider",
            format!(
                "The provider may challenge findings until the end of {}. Scores are locked: a finding reopens \
                 only when a challenge to it is accepted.",
                long_date(end)
            ),
        ),
        (AssessmentStatus::Sent, None) => ("Sent to the provider", String::new()),
        (AssessmentStatus::Published, _) => {
            ("Published", "This assessment is published and can no longer change.".to_string())
        }
    }
}

fn assessment_page(
    who: &SignedIn,
    opened: &Opened,
    evidence: &Evidence,
    errors: Vec<ErrorLink>,
) -> Result<AssessmentPage, WebError> {
    let (record, detail) = (&opened.record, &opened.location);
    let framework = model::framework().map_err(|e| {
        tracing::error!(error = %e, "the framework could not be loaded");
        WebError::Internal
    })?;
    let today = Utc::now().date_naive();
    let (inspector, may_challenge) = (opened.may_score, opened.may_challenge);
    let result = model::compute(record);
    let (trace, trace_problem) = match &result {
        Ok(result) => (trace::trace_of(result), None),
        Err(problem) => (None, Some(problem.clone())),
    };
    let (status, window) = status_text(record);
    let lifecycle = record.lifecycle();
    let key_questions: Vec<KeyQuestionForm> = KeyQuestion::ALL
        .into_iter()
        .map(|kq| key_question_form(framework, record, evidence, kq))
        .filter(|form| form.standing_open || !form.statements.is_empty())
        .collect();
    let location_name = detail.location.name.clone();
    Ok(AssessmentPage {
        title: if errors.is_empty() {
            format!("Assessment of {location_name}")
        } else {
            format!("Error: Assessment of {location_name}")
        },
        chrome: Chrome::with(
            who,
            vec![
                Crumb::new("Manage", "/manage"),
                Crumb::new(location_name.clone(), format!("/manage/locations/{}", record.location_id)),
            ],
            format!("Assessment {}", record.id),
        ),
        errors,
        action: format!("/manage/assessments/{}", record.id),
        service_group: record.service_group.clone(),
        status,
        window,
        inspector,
        reopened: record.status == AssessmentStatus::Sent && !key_questions.is_empty(),
        facts_open: lifecycle.may_change(&Part::Overall).is_ok(),
        can_challenge: may_challenge && lifecycle.window_open(today),
        can_finish: may_challenge && lifecycle.may_finish_challenges(today).is_ok(),
        finished: record.challenges_finished_at.map(|at| match record.challenges_finished_by {
            Some(by) => format!("{} said the provider has no more challenges on {}.", opened.name(by), date_time(at)),
            None => format!("The provider said it has no more challenges on {}.", date_time(at)),
        }),
        facts: vec![
            FactBox { name: "breach", label: "A breach of regulations was found", checked: record.facts.breach },
            FactBox {
                name: "registered_manager",
                label: "The service has a registered manager",
                checked: record.facts.registered_manager,
            },
            FactBox {
                name: "manager_recruitment_under_way",
                label: "Without one, satisfactory recruitment is under way",
                checked: record.facts.manager_recruitment_under_way,
            },
            FactBox {
                name: "notifications_ok",
                label: "Statutory notifications were sent (or there was good reason not to)",
                checked: record.facts.notifications_ok,
            },
        ],
        key_questions,
        trace,
        trace_problem,
        judgements: judgement_forms(record, result.as_ref().ok()),
        challenges: challenge_lines(record),
        corrections: correction_lines(opened),
        findings: finding_options(record),
        can_send: inspector && record.status == AssessmentStatus::Draft,
        can_publish: inspector && record.status == AssessmentStatus::Sent,
        publish_wait: lifecycle.may_publish(today).err().map(|r| r.0),
        window_days: DEFAULT_WINDOW_DAYS,
        published: record.published_on.map(long_date),
        public_href: format!("/locations/{}", record.location_id),
        location_name,
    })
}

/// Shows the page again with the problems at the top, after a refused step.
async fn refused(
    state: &AppState,
    who: &SignedIn,
    raw_id: &str,
    status: StatusCode,
    errors: Vec<ErrorLink>,
) -> Result<Response, PageError> {
    let opened = state.app.assessments.again(&who.actor(), raw_id).await.map_err(|e| who.fail(e))?;
    let evidence = evidence(state, who, &opened.record).await?;
    Ok(render(status, &assessment_page(who, &opened, &evidence, errors)?))
}

pub(crate) fn links(problems: Vec<Problem>) -> Vec<ErrorLink> {
    problems.into_iter().map(|p| ErrorLink { href: format!("#{}", p.field), message: p.message }).collect()
}

/// Where a step goes: back to its part of the page, or the page again with why it
/// was refused (bad input as 400, the workflow's order as 409).
async fn after(
    state: &AppState,
    who: &SignedIn,
    raw_id: &str,
    step: Result<Saved, AssessmentsError>,
) -> Result<Response, PageError> {
    let (status, problems) = match step {
        Ok(saved) => return Ok(back_to(saved.id, saved.anchor)),
        Err(e) => refused_step(e).map_err(|e| who.fail(e))?,
    };
    refused(state, who, raw_id, status, links(problems)).await
}

/// A step refused as asked (400) or by the workflow's order (409), with the problems
/// to show beside their fields; any other failure is given back. Visits share it.
pub(crate) fn refused_step(e: AssessmentsError) -> Result<(StatusCode, Vec<Problem>), AssessmentsError> {
    match e {
        AssessmentsError::Invalid(problems) => Ok((StatusCode::BAD_REQUEST, problems)),
        AssessmentsError::Refused { field, message } => Ok((StatusCode::BAD_REQUEST, vec![Problem { field, message }])),
        AssessmentsError::Conflict { field, message } => Ok((StatusCode::CONFLICT, vec![Problem { field, message }])),
        other => Err(other),
    }
}

/// What stands beside each statement: the service's people's voice now, and the
/// judgements of experts by experience on its published visits.
struct Evidence {
    voice: VoiceSummary,
    experts: BTreeMap<&'static str, Vec<StatementEvidence>>,
}

async fn evidence(state: &AppState, who: &SignedIn, record: &AssessmentRecord) -> Result<Evidence, WebError> {
    let visits =
        state.app.visits.published(&record.location_id).await.map_err(|e| WebError::from_store(e, String::new))?;
    let voice = voice_summary(state, who, record).await?;
    Ok(Evidence { voice, experts: evidence_by_statement(&visits) })
}

/// The service's people's voice now.
async fn voice_summary(state: &AppState, who: &SignedIn, record: &AssessmentRecord) -> Result<VoiceSummary, WebError> {
    state.app.voice.summary(&record.location_id, Utc::now()).await.map_err(|e| match e {
        candour_app::voice::VoiceError::NotFound => who.not_found(),
        other => {
            tracing::error!(error = %other, "the voice summary could not be computed");
            WebError::Internal
        }
    })
}

fn back_to(id: i64, anchor: &str) -> Response {
    Redirect::to(&format!("/manage/assessments/{id}#{anchor}")).into_response()
}

/// `GET /manage/assessments/{id}`
pub async fn show(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let opened = state.app.assessments.assessment(&who.actor(), &raw_id, None).await.map_err(|e| who.fail(e))?;
    let evidence = evidence(&state, &who, &opened.record).await?;
    Ok(render(StatusCode::OK, &assessment_page(&who, &opened, &evidence, Vec::new())?))
}

/// `POST /manage/locations/{id}/assessments`: an inspector opens an assessment of
/// one of the location's service types.
pub async fn open(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = pairs(&body);
    let group = value(&form, "service_group");
    let id = state.app.assessments.open(&who.actor(), &raw_id, group, Utc::now()).await.map_err(|e| who.fail(e))?;
    Ok(back_to(id, "scores"))
}

/// `POST /manage/assessments/{id}/key-questions/{kq}`: one key question's scores.
pub async fn save_key_question(
    State(state): State<AppState>,
    who: SignedIn,
    Path((raw_id, kq)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let step = state.app.assessments.save_key_question(&who.actor(), &raw_id, &kq, &pairs(&body), Utc::now()).await;
    after(&state, &who, &raw_id, step).await
}

/// `POST /manage/assessments/{id}/facts`
pub async fn save_facts(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let step = state.app.assessments.save_facts(&who.actor(), &raw_id, &pairs(&body), Utc::now()).await;
    after(&state, &who, &raw_id, step).await
}

/// `POST /manage/assessments/{id}/judgements/{finding}`
pub async fn save_judgement(
    State(state): State<AppState>,
    who: SignedIn,
    Path((raw_id, finding)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let step = state.app.assessments.save_judgement(&who.actor(), &raw_id, &finding, &pairs(&body), Utc::now()).await;
    after(&state, &who, &raw_id, step).await
}

/// `POST /manage/assessments/{id}/send`: to the provider, with the challenge window.
pub async fn send(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = pairs(&body);
    let step = state.app.assessments.send(&who.actor(), &raw_id, value(&form, "window_days"), Utc::now()).await;
    after(&state, &who, &raw_id, step).await
}

/// `POST /manage/assessments/{id}/no-more-challenges`: the provider's administrator
/// says it has no more challenges, so publishing need not wait for the window to end.
pub async fn finish_challenges(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let step = state.app.assessments.finish_challenges(&who.actor(), &raw_id, Utc::now()).await;
    after(&state, &who, &raw_id, step).await
}

/// `POST /manage/assessments/{id}/publish`: the computed result becomes the rating.
pub async fn publish(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let step = state.app.assessments.publish(&who.actor(), &raw_id, Utc::now()).await;
    after(&state, &who, &raw_id, step).await
}

/// `POST /manage/assessments/{id}/challenges`: the provider challenges a finding.
pub async fn raise_challenge(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = pairs(&body);
    let (finding, text) = (value(&form, "finding"), value(&form, "text"));
    let step = state.app.assessments.raise_challenge(&who.actor(), &raw_id, finding, text, Utc::now()).await;
    after(&state, &who, &raw_id, step).await
}

/// `POST /manage/assessments/{id}/challenges/{challenge}`: the inspector accepts or rejects it.
pub async fn decide_challenge(
    State(state): State<AppState>,
    who: SignedIn,
    Path((raw_id, challenge)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = pairs(&body);
    let (decision, reason) = (value(&form, "decision"), value(&form, "reason"));
    let step =
        state.app.assessments.decide_challenge(&who.actor(), &raw_id, &challenge, decision, reason, Utc::now()).await;
    after(&state, &who, &raw_id, step).await
}
