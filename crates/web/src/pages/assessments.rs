//! The assessment workflow's pages: an inspector opens an assessment from a
//! location's workspace, records scores, facts and judgements, sees the draft
//! rating with the computation shown, and sends it; the provider's administrators
//! raise factual-accuracy challenges in the window; the inspector decides each and
//! publishes. Every handler loads, asks the policy, records, then acts.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;

use candour_domain::assessment::Part;
use candour_domain::{
    Action, KeyQuestion, LocationId, Principal, ProviderId, Rating, Resource, ServiceKind, UserId, authorize,
};
use candour_engine::AssessmentResult;
use candour_engine::voice::VoiceSummary;
use candour_store::{
    AssessmentChange, AssessmentRecord, AssessmentStatus, ChallengeDecision, ChallengeStatus, LocationDetail,
    NewAssessment, NewChallenge, Publication, StoreError,
};
use chrono::{Days, Utc};

use crate::assessment::{self as model, Problems, Trace, key_question_code};
use crate::auth::SignedIn;
use crate::error::{PageError, WebError, render};
use crate::forms::{ErrorLink, pairs, value};
use crate::pages::chrome::{Chrome, Crumb, date_time};
use crate::pages::moderation::evidence::{EvidenceLine, statement_evidence};
use crate::state::AppState;
use crate::views::{SelectOption, long_date};

/// The challenge window when the inspector does not choose another.
pub const DEFAULT_WINDOW_DAYS: u64 = 14;
const MAX_WINDOW_DAYS: u64 = 90;

// ---------------------------------------------------------------- loading and policy

pub fn assessment_resource<'a>(record: &'a AssessmentRecord, detail: &'a LocationDetail) -> Resource<'a> {
    let sent = record.status != AssessmentStatus::Draft;
    Resource::Assessment { location: &record.location_id, provider: &detail.location.provider_id, sent }
}

fn challenges_resource<'a>(record: &'a AssessmentRecord, detail: &'a LocationDetail) -> Resource<'a> {
    let sent = record.status != AssessmentStatus::Draft;
    Resource::AssessmentChallenges { location: &record.location_id, provider: &detail.location.provider_id, sent }
}

/// The assessment and its location, or the normal 404 for an unknown ID or one
/// the caller may not read (the two look the same).
async fn load(state: &AppState, who: &SignedIn, raw_id: &str) -> Result<(AssessmentRecord, LocationDetail), WebError> {
    let id: i64 = raw_id.parse().map_err(|_| who.not_found())?;
    let record = state.store.assessment(id).await.map_err(who.store_error())?;
    let detail = state.store.location(&record.location_id).await.map_err(who.store_error())?;
    who.require(state, Action::Read, assessment_resource(&record, &detail)).await?;
    Ok((record, detail))
}

/// Loads and asks the policy for `action` on the assessment (or its challenges).
async fn load_for(
    state: &AppState,
    who: &SignedIn,
    raw_id: &str,
    challenges: bool,
) -> Result<(AssessmentRecord, LocationDetail), WebError> {
    let (record, detail) = load(state, who, raw_id).await?;
    let resource =
        if challenges { challenges_resource(&record, &detail) } else { assessment_resource(&record, &detail) };
    who.require(state, Action::Write, resource).await?;
    Ok((record, detail))
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
    let today = Utc::now().date_naive();
    let sent =
        state.store.assessments_awaiting_review(provider).await.map_err(|e| WebError::from_store(e, String::new))?;
    let mut lines = Vec::new();
    for a in sent.iter().filter(|a| location.is_none_or(|l| *l == a.location_id)) {
        let resource = Resource::AssessmentChallenges { location: &a.location_id, provider, sent: true };
        let Some(end) = a.window_ends.filter(|_| a.window_open(today)) else { continue };
        if !authorize(who, Action::Write, resource).is_allowed() {
            continue;
        }
        let detail = state.store.location(&a.location_id).await.map_err(|e| WebError::from_store(e, String::new))?;
        lines.push(AwaitingReview {
            until: long_date(end),
            href: format!("/manage/assessments/{}", a.id),
            label: format!("{}, {}", detail.location.name, a.service_group),
        });
    }
    Ok(lines)
}

// ---------------------------------------------------------------- the page

#[derive(Template)]
#[template(path = "assessment.html")]
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
    voice: &VoiceSummary,
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
                voice: statement_evidence(framework, voice, s.id, record.service_kind),
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

fn correction_lines(record: &AssessmentRecord, names: &People) -> Vec<CorrectionLine> {
    record
        .corrections
        .iter()
        .map(|c| CorrectionLine {
            challenge: c.challenge_id,
            finding: c.finding.clone(),
            before: c.before.clone(),
            after: c.after.clone(),
            by: names.name(c.corrected_by),
            at: date_time(c.corrected_at),
        })
        .collect()
}

/// The email addresses of the people named on the assessment, by user ID.
struct People(HashMap<UserId, String>);

impl People {
    async fn of(state: &AppState, record: &AssessmentRecord) -> Result<People, WebError> {
        let ids = record.corrections.iter().map(|c| c.corrected_by).chain(record.challenges_finished_by);
        let mut names = HashMap::new();
        for id in ids {
            if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(id) {
                let user = state.store.user(id).await.map_err(|e| WebError::from_store(e, String::new))?;
                slot.insert(user.email.to_string());
            }
        }
        Ok(People(names))
    }

    fn name(&self, id: UserId) -> String {
        self.0.get(&id).cloned().unwrap_or_else(|| format!("user {}", id.0))
    }
}

/// What a challenge can be about: each statement recorded, each key question, the overall rating.
fn finding_options(record: &AssessmentRecord) -> Vec<SelectOption> {
    let statements = record.statements.iter().map(|s| (s.statement.clone(), format!("Statement {}", s.statement)));
    let questions = KeyQuestion::ALL.into_iter().map(|kq| (key_question_code(kq).to_string(), kq.name().to_string()));
    statements
        .chain(questions)
        .chain([("overall".to_string(), "Overall rating".to_string())])
        .map(|(v, l)| SelectOption::new(v, l, None))
        .collect()
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
    record: &AssessmentRecord,
    detail: &LocationDetail,
    voice: &VoiceSummary,
    people: &People,
    errors: Problems,
) -> Result<AssessmentPage, WebError> {
    let framework = model::framework().map_err(|e| {
        tracing::error!(error = %e, "the framework could not be loaded");
        WebError::Internal
    })?;
    let today = Utc::now().date_naive();
    let inspector = authorize(who.principal(), Action::Write, assessment_resource(record, detail)).is_allowed();
    let may_challenge = authorize(who.principal(), Action::Write, challenges_resource(record, detail)).is_allowed();
    let result = model::compute(record);
    let (trace, trace_problem) = match &result {
        Ok(result) => (model::trace_of(result), None),
        Err(problem) => (None, Some(problem.clone())),
    };
    let (status, window) = status_text(record);
    let lifecycle = record.lifecycle();
    let key_questions: Vec<KeyQuestionForm> = KeyQuestion::ALL
        .into_iter()
        .map(|kq| key_question_form(framework, record, voice, kq))
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
            Some(by) => format!("{} said the provider has no more challenges on {}.", people.name(by), date_time(at)),
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
        corrections: correction_lines(record, people),
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
    errors: Problems,
) -> Result<Response, PageError> {
    let (record, detail) = load(state, who, raw_id).await?;
    let voice = voice_summary(state, who, &record).await?;
    let people = People::of(state, &record).await?;
    Ok(render(status, &assessment_page(who, &record, &detail, &voice, &people, errors)?))
}

/// The service's people's voice now, for the evidence beside each statement.
async fn voice_summary(state: &AppState, who: &SignedIn, record: &AssessmentRecord) -> Result<VoiceSummary, WebError> {
    state.app.voice.summary(&record.location_id, Utc::now()).await.map_err(|e| match e {
        candour_app::voice::VoiceError::NotFound => who.not_found(),
        other => {
            tracing::error!(error = %other, "the voice summary could not be computed");
            WebError::Internal
        }
    })
}

/// A store refusal shown on the page: a conflict (the workflow's order) as 409,
/// bad input as 400; anything else is a failure.
async fn store_refusal(
    state: &AppState,
    who: &SignedIn,
    raw_id: &str,
    field: &str,
    e: StoreError,
) -> Result<Response, PageError> {
    let (status, message) = match e {
        StoreError::Conflict(m) => (StatusCode::CONFLICT, m),
        StoreError::Invalid(m) => (StatusCode::BAD_REQUEST, m),
        other => return Err(PageError(who.store_error()(other))),
    };
    let mut chars = message.chars();
    let message = chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or(message);
    refused(state, who, raw_id, status, vec![ErrorLink { href: format!("#{field}"), message }]).await
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
    let (record, detail) = load(&state, &who, &raw_id).await?;
    who.caller.record(&state, "read", &format!("assessment:{}", record.id), None).await?;
    let voice = voice_summary(&state, &who, &record).await?;
    let people = People::of(&state, &record).await?;
    Ok(render(StatusCode::OK, &assessment_page(&who, &record, &detail, &voice, &people, Vec::new())?))
}

// ---------------------------------------------------------------- opening

/// `POST /manage/locations/{id}/assessments`: an inspector opens an assessment of
/// one of the location's service types.
pub async fn open(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let id = LocationId::parse(&raw_id).map_err(|_| who.not_found())?;
    let detail = state.store.location(&id).await.map_err(who.store_error())?;
    let provider = &detail.location.provider_id;
    who.require(&state, Action::Write, Resource::Assessment { location: &id, provider, sent: false }).await?;
    let form = pairs(&body);
    let group = value(&form, "service_group");
    if !detail.location.service_types.iter().any(|s| s == group) {
        return Err(PageError(WebError::bad_request("Choose one of this location's service types to assess")));
    }
    let new = NewAssessment {
        location_id: id.clone(),
        service_group: group.to_string(),
        service_kind: ServiceKind::classify(group),
        policy: serde_json::to_string(&candour_engine::Policy::default()).map_err(|_| WebError::Internal)?,
        created_by: who.principal().user_id,
        created_at: Utc::now(),
    };
    let record = state.store.create_assessment(&new).await.map_err(who.store_error())?;
    who.caller.record(&state, "create", &format!("assessment:{}", record.id), Some(&format!("location:{id}"))).await?;
    Ok(back_to(record.id, "scores"))
}

// ---------------------------------------------------------------- the inspector's steps

async fn change(
    state: &AppState,
    who: &SignedIn,
    raw_id: &str,
    changes: Vec<AssessmentChange>,
    what: &str,
    anchor: &str,
) -> Result<Response, PageError> {
    let id: i64 = raw_id.parse().map_err(|_| who.not_found())?;
    for change in &changes {
        if let Err(e) = state.store.update_assessment(id, change, who.principal().user_id, Utc::now()).await {
            return store_refusal(state, who, raw_id, anchor, e).await;
        }
    }
    who.caller.record(state, "update", &format!("assessment:{id}"), Some(what)).await?;
    Ok(back_to(id, anchor))
}

/// `POST /manage/assessments/{id}/key-questions/{kq}`: one key question's scores.
pub async fn save_key_question(
    State(state): State<AppState>,
    who: SignedIn,
    Path((raw_id, kq)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let (record, _) = load_for(&state, &who, &raw_id, false).await?;
    let Some(Some(kq)) = model::parse_finding(&kq) else { return Err(PageError(who.not_found())) };
    let framework = model::framework().map_err(|_| WebError::Internal)?;
    match model::read_key_question(framework, &record, kq, &pairs(&body)) {
        Ok(changes) => {
            change(&state, &who, &raw_id, changes, &format!("scores {}", kq.name()), key_question_code(kq)).await
        }
        Err(problems) => refused(&state, &who, &raw_id, StatusCode::BAD_REQUEST, problems).await,
    }
}

/// `POST /manage/assessments/{id}/facts`
pub async fn save_facts(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    load_for(&state, &who, &raw_id, false).await?;
    let facts = model::read_facts(&pairs(&body));
    change(&state, &who, &raw_id, vec![AssessmentChange::Facts(facts)], "facts", "facts").await
}

/// `POST /manage/assessments/{id}/judgements/{finding}`
pub async fn save_judgement(
    State(state): State<AppState>,
    who: SignedIn,
    Path((raw_id, finding)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let (record, _) = load_for(&state, &who, &raw_id, false).await?;
    let Some(finding) = model::parse_finding(&finding) else { return Err(PageError(who.not_found())) };
    match model::read_judgement(&record, finding, &pairs(&body)) {
        Ok(judgement) => change(&state, &who, &raw_id, vec![judgement], "judgement", "judgements").await,
        Err(problems) => refused(&state, &who, &raw_id, StatusCode::BAD_REQUEST, problems).await,
    }
}

/// `POST /manage/assessments/{id}/send`: to the provider, with the challenge window.
pub async fn send(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let (record, _) = load_for(&state, &who, &raw_id, false).await?;
    let form = pairs(&body);
    let days = match value(&form, "window_days") {
        "" => Some(DEFAULT_WINDOW_DAYS),
        text => text.parse::<u64>().ok().filter(|d| (1..=MAX_WINDOW_DAYS).contains(d)),
    };
    let Some(days) = days else {
        let message = format!("Enter the challenge window as a whole number of days from 1 to {MAX_WINDOW_DAYS}");
        return refused(
            &state,
            &who,
            &raw_id,
            StatusCode::BAD_REQUEST,
            vec![ErrorLink { href: "#window_days".into(), message }],
        )
        .await;
    };
    let now = Utc::now();
    let ends = now.date_naive().checked_add_days(Days::new(days)).ok_or(WebError::Internal)?;
    if let Err(e) = state.store.send_assessment(record.id, ends, now).await {
        return store_refusal(&state, &who, &raw_id, "send", e).await;
    }
    who.caller
        .record(&state, "send", &format!("assessment:{}", record.id), Some(&format!("window ends {ends}")))
        .await?;
    Ok(back_to(record.id, "workflow"))
}

/// `POST /manage/assessments/{id}/no-more-challenges`: the provider's administrator
/// says it has no more challenges, so publishing need not wait for the window to end.
pub async fn finish_challenges(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let (record, _) = load_for(&state, &who, &raw_id, true).await?;
    if let Err(e) = state.store.finish_challenges(record.id, who.principal().user_id, Utc::now()).await {
        return store_refusal(&state, &who, &raw_id, "no-more-challenges", e).await;
    }
    who.caller.record(&state, "finish challenges", &format!("assessment:{}", record.id), None).await?;
    Ok(back_to(record.id, "workflow"))
}

/// `POST /manage/assessments/{id}/publish`: the computed result becomes the rating.
pub async fn publish(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let (record, detail) = load_for(&state, &who, &raw_id, false).await?;
    let problem = |m: String| vec![ErrorLink { href: "#publish".into(), message: m }];
    let now = Utc::now();
    if let Err(refusal) = record.lifecycle().may_publish(now.date_naive()) {
        return store_refusal(&state, &who, &raw_id, "publish", StoreError::Conflict(refusal.0)).await;
    }
    let result = match model::compute(&record) {
        Ok(result) => result,
        Err(m) => return refused(&state, &who, &raw_id, StatusCode::CONFLICT, problem(m)).await,
    };
    let only_service = detail.location.service_types.len() <= 1;
    let ratings = match model::rating_records(&record, &result, now.date_naive(), only_service) {
        Ok(ratings) => ratings,
        Err(m) => {
            return refused(
                &state,
                &who,
                &raw_id,
                StatusCode::CONFLICT,
                problem(format!("It cannot be published yet: {m}")),
            )
            .await;
        }
    };
    let publication = Publication {
        published_on: now.date_naive(),
        published_at: now,
        published_by: who.principal().user_id,
        ratings,
        result: serde_json::to_string(&result).map_err(|_| WebError::Internal)?,
    };
    if let Err(e) = state.store.publish_assessment(record.id, &publication).await {
        return store_refusal(&state, &who, &raw_id, "publish", e).await;
    }
    who.caller.record(&state, "publish", &format!("assessment:{}", record.id), None).await?;
    Ok(back_to(record.id, "workflow"))
}

// ---------------------------------------------------------------- challenges

/// `POST /manage/assessments/{id}/challenges`: the provider challenges a finding.
pub async fn raise_challenge(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let (record, _) = load_for(&state, &who, &raw_id, true).await?;
    let form = pairs(&body);
    let finding = value(&form, "finding");
    let known = finding_options(&record).iter().any(|o| o.value == finding);
    let text = value(&form, "text");
    let mut problems = Vec::new();
    if !known {
        problems.push(ErrorLink { href: "#finding".into(), message: "Choose the finding you are challenging".into() });
    }
    if text.is_empty() {
        problems.push(ErrorLink { href: "#text".into(), message: "Say what is factually inaccurate, and why".into() });
    }
    if !problems.is_empty() {
        return refused(&state, &who, &raw_id, StatusCode::BAD_REQUEST, problems).await;
    }
    let new = NewChallenge {
        finding: finding.into(),
        text: text.into(),
        raised_by: who.principal().user_id,
        raised_at: Utc::now(),
    };
    match state.store.raise_challenge(record.id, &new).await {
        Ok(c) => {
            who.caller
                .record(&state, "challenge", &format!("assessment:{}", record.id), Some(&format!("challenge {}", c.id)))
                .await?;
            Ok(back_to(record.id, "challenges"))
        }
        Err(e) => store_refusal(&state, &who, &raw_id, "finding", e).await,
    }
}

/// `POST /manage/assessments/{id}/challenges/{challenge}`: the inspector accepts or rejects it.
pub async fn decide_challenge(
    State(state): State<AppState>,
    who: SignedIn,
    Path((raw_id, challenge)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let (record, _) = load_for(&state, &who, &raw_id, false).await?;
    let challenge: i64 = challenge.parse().map_err(|_| who.not_found())?;
    let form = pairs(&body);
    let status = match value(&form, "decision") {
        "accept" => Some(ChallengeStatus::Accepted),
        "reject" => Some(ChallengeStatus::Rejected),
        _ => None,
    };
    let reason = value(&form, "reason");
    let field = format!("challenge-{challenge}-reason");
    let (Some(status), false) = (status, reason.is_empty()) else {
        let message = "Accept or reject the challenge, and give your reason".to_string();
        return refused(
            &state,
            &who,
            &raw_id,
            StatusCode::BAD_REQUEST,
            vec![ErrorLink { href: format!("#{field}"), message }],
        )
        .await;
    };
    let decision = ChallengeDecision {
        status,
        reason: reason.into(),
        decided_by: who.principal().user_id,
        decided_at: Utc::now(),
    };
    if let Err(e) = state.store.decide_challenge(record.id, challenge, &decision).await {
        return store_refusal(&state, &who, &raw_id, &field, e).await;
    }
    who.caller
        .record(
            &state,
            "decide",
            &format!("assessment:{}", record.id),
            Some(&format!("challenge {challenge} {}", status.code())),
        )
        .await?;
    Ok(back_to(record.id, "challenges"))
}
