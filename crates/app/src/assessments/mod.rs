//! The assessment workflow: an inspector opens an assessment of one of a location's
//! service types, records scores, facts and judgements, and sends the draft to the
//! provider; the provider's administrators raise factual-accuracy challenges in the
//! window; the inspector decides each and publishes, and the engine's result
//! becomes the rating. What may change when is the domain's lifecycle rule
//! ([`candour_domain::assessment::Lifecycle`]): each step asks it before writing,
//! and the store asks it again inside its transaction.

pub mod form;
mod notices;
pub mod rating;

use std::collections::HashMap;
use std::sync::Arc;

use candour_domain::assessment::Refusal;
use candour_domain::{Action, KeyQuestion, LocationId, ProviderId, Resource, ServiceKind, UserId, authorize};
use candour_store::{
    AccountStore, AssessmentChange, AssessmentRecord, AssessmentStatus, AssessmentStore, ChallengeDecision,
    ChallengeStatus, LocationDetail, NewAssessment, NewChallenge, Publication, RegisterStore, Store, StoreError,
};
use chrono::{DateTime, Days, NaiveDate, Utc};

use crate::notices::Notices;
use crate::{Actor, AreaError, Denied, Failure, Gate};

/// The challenge window when the inspector does not choose another.
pub const DEFAULT_WINDOW_DAYS: u64 = 14;
/// The longest challenge window.
pub const MAX_WINDOW_DAYS: u64 = 90;

/// A problem with the input, against the field it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: String,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AssessmentsError {
    #[error(transparent)]
    Denied(#[from] Denied),
    /// The form has problems, each against its field.
    #[error("{}", .0.first().map_or("", |p| p.message.as_str()))]
    Invalid(Vec<Problem>),
    /// Refused as asked (a 400), with the field it is about.
    #[error("{message}")]
    Refused { field: String, message: String },
    /// The workflow's order refuses the step now (a 409), with the field it is about.
    #[error("{message}")]
    Conflict { field: String, message: String },
    /// The framework or the stored assessment could not be read.
    #[error("{0}")]
    Internal(String),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for AssessmentsError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AssessmentsError::Denied(Denied::NotFound),
            other => AssessmentsError::Store(other),
        }
    }
}

impl AreaError for AssessmentsError {
    fn failure(&self) -> Failure<'_> {
        match self {
            AssessmentsError::Denied(d) => d.failure(),
            AssessmentsError::Invalid(_) => Failure::Invalid,
            AssessmentsError::Refused { message, .. } => Failure::Refused(message),
            AssessmentsError::Conflict { message, .. } => Failure::Conflict(message),
            AssessmentsError::Internal(_) => Failure::Internal,
            AssessmentsError::Store(e) => e.failure(),
        }
    }
}

type Result<T, E = AssessmentsError> = std::result::Result<T, E>;

/// A refusal for the person: the store's or the rule's words, with a capital.
pub(crate) fn refusal(field: &str, e: StoreError) -> AssessmentsError {
    let capital = |message: String| {
        let mut chars = message.chars();
        chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or(message)
    };
    match e {
        StoreError::Conflict(m) => AssessmentsError::Conflict { field: field.to_string(), message: capital(m) },
        StoreError::Invalid(m) => AssessmentsError::Refused { field: field.to_string(), message: capital(m) },
        other => other.into(),
    }
}

pub(crate) fn refused_by_rule(field: &str, r: Refusal) -> AssessmentsError {
    refusal(field, StoreError::Conflict(r.0))
}

fn invalid(field: impl Into<String>, message: impl Into<String>) -> AssessmentsError {
    AssessmentsError::Invalid(vec![Problem { field: field.into(), message: message.into() }])
}

/// A decision on a challenge as the form gives it (`accept` or `reject`, with a
/// reason): the challenge's number, the field a problem is shown against, and the
/// decision. Shared with visits, whose challenges follow the same flow.
pub(crate) fn read_decision(
    raw_challenge: &str,
    decision: &str,
    reason: &str,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(i64, String, ChallengeDecision)> {
    let challenge: i64 = raw_challenge.parse().map_err(|_| Denied::NotFound)?;
    let status = match decision.trim() {
        "accept" => Some(ChallengeStatus::Accepted),
        "reject" => Some(ChallengeStatus::Rejected),
        _ => None,
    };
    let (reason, field) = (reason.trim(), format!("challenge-{challenge}-reason"));
    let (Some(status), false) = (status, reason.is_empty()) else {
        return Err(invalid(field, "Accept or reject the challenge, and give your reason"));
    };
    let decision =
        ChallengeDecision { status, reason: reason.into(), decided_by: actor.principal.user_id, decided_at: now };
    Ok((challenge, field, decision))
}

/// The assessment as the access policy sees it.
pub fn resource<'a>(record: &'a AssessmentRecord, provider: &'a ProviderId) -> Resource<'a> {
    let sent = record.status != AssessmentStatus::Draft;
    Resource::Assessment { location: &record.location_id, provider, sent }
}

/// Its challenges as the access policy sees them.
pub fn challenges_resource<'a>(record: &'a AssessmentRecord, provider: &'a ProviderId) -> Resource<'a> {
    let sent = record.status != AssessmentStatus::Draft;
    Resource::AssessmentChallenges { location: &record.location_id, provider, sent }
}

/// What a challenge can be about: each statement recorded, each key question, the
/// overall rating; as (value, label).
pub fn findings(record: &AssessmentRecord) -> Vec<(String, String)> {
    let statements = record.statements.iter().map(|s| (s.statement.clone(), format!("Statement {}", s.statement)));
    let questions =
        KeyQuestion::ALL.into_iter().map(|kq| (rating::key_question_code(kq).to_string(), kq.name().to_string()));
    statements.chain(questions).chain([("overall".to_string(), "Overall rating".to_string())]).collect()
}

/// An assessment opened by someone who may read it.
#[derive(Debug, Clone)]
pub struct Opened {
    pub record: AssessmentRecord,
    pub location: LocationDetail,
    /// The email addresses of the people named on it (corrections, the provider's
    /// "no more challenges"), by user ID.
    pub people: HashMap<UserId, String>,
    /// The actor is an inspector: scores, judgements, sends, decides, publishes.
    pub may_score: bool,
    /// The actor may challenge its findings (the provider's administrators, once sent).
    pub may_challenge: bool,
}

impl Opened {
    /// The email address of a person named on the assessment.
    pub fn name(&self, id: UserId) -> String {
        self.people.get(&id).cloned().unwrap_or_else(|| format!("user {}", id.0))
    }
}

/// A draft report waiting for the provider's review.
#[derive(Debug, Clone)]
pub struct Awaiting {
    pub id: i64,
    /// The last day of the challenge window.
    pub window_ends: NaiveDate,
    pub location_name: String,
    pub service_group: String,
}

/// Which step of the inspector's changes: where the page goes back to after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Saved {
    pub id: i64,
    /// The part of the page the step was on (`safe`, `facts`, `judgements`, `workflow`…).
    pub anchor: &'static str,
}

/// The assessment service. Cheap to clone.
#[derive(Clone)]
pub struct Assessments {
    assessments: Arc<dyn AssessmentStore>,
    register: Arc<dyn RegisterStore>,
    accounts: Arc<dyn AccountStore>,
    gate: Gate,
    notices: Notices,
}

impl Assessments {
    pub fn new(store: Arc<dyn Store>, gate: Gate, notices: Notices) -> Self {
        Self { assessments: store.clone(), register: store.clone(), accounts: store, gate, notices }
    }

    async fn audit(&self, actor: &Actor, action: &str, id: i64, detail: Option<&str>) -> Result<()> {
        self.gate.record(actor, action, &format!("assessment:{id}"), detail).await.map_err(AssessmentsError::Store)
    }

    /// The assessment and its location when the actor may read it, else not found
    /// (an unknown ID and one the actor may not see look the same).
    async fn load(&self, actor: &Actor, raw_id: &str) -> Result<(AssessmentRecord, LocationDetail)> {
        let id: i64 = raw_id.parse().map_err(|_| Denied::NotFound)?;
        let record = self.assessments.assessment(id).await?;
        let location = self.register.location(&record.location_id).await?;
        self.gate.require(actor, Action::Read, resource(&record, &location.location.provider_id)).await?;
        Ok((record, location))
    }

    /// Loads, then asks for a write on the assessment (or on its challenges).
    async fn load_for(
        &self,
        actor: &Actor,
        raw_id: &str,
        challenges: bool,
    ) -> Result<(AssessmentRecord, LocationDetail)> {
        let (record, location) = self.load(actor, raw_id).await?;
        let provider = &location.location.provider_id;
        let resource = if challenges { challenges_resource(&record, provider) } else { resource(&record, provider) };
        self.gate.require(actor, Action::Write, resource).await?;
        Ok((record, location))
    }

    async fn opened(&self, actor: &Actor, record: AssessmentRecord, location: LocationDetail) -> Result<Opened> {
        let provider = &location.location.provider_id;
        let may_score = authorize(&actor.principal, Action::Write, resource(&record, provider)).is_allowed();
        let may_challenge =
            authorize(&actor.principal, Action::Write, challenges_resource(&record, provider)).is_allowed();
        let mut people = HashMap::new();
        let ids = record.corrections.iter().map(|c| c.corrected_by).chain(record.challenges_finished_by);
        for id in ids {
            if let std::collections::hash_map::Entry::Vacant(slot) = people.entry(id) {
                slot.insert(self.accounts.user(id).await.map_err(AssessmentsError::Store)?.email.to_string());
            }
        }
        Ok(Opened { record, location, people, may_score, may_challenge })
    }

    // ---------------------------------------------------------------- reading

    /// An assessment, for those who may read it. An audited read; `note` is the
    /// audit entry's detail (`api` from the API).
    pub async fn assessment(&self, actor: &Actor, raw_id: &str, note: Option<&str>) -> Result<Opened> {
        let (record, location) = self.load(actor, raw_id).await?;
        self.audit(actor, "read", record.id, note).await?;
        self.opened(actor, record, location).await
    }

    /// The assessment shown again after a refused step: the access is checked, no
    /// read is recorded.
    pub async fn again(&self, actor: &Actor, raw_id: &str) -> Result<Opened> {
        let (record, location) = self.load(actor, raw_id).await?;
        self.opened(actor, record, location).await
    }

    /// A location's assessments the actor may read, newest first, when the actor
    /// may read the location. An audited read.
    pub async fn of_location(
        &self,
        actor: &Actor,
        raw_location: &str,
        note: Option<&str>,
    ) -> Result<Vec<AssessmentRecord>> {
        let id = LocationId::parse(raw_location).map_err(|_| Denied::NotFound)?;
        let detail = self.register.location(&id).await?;
        let l = &detail.location;
        let location =
            Resource::Location { id: &l.id, provider: &l.provider_id, local_authority: l.local_authority.as_deref() };
        self.gate.require(actor, Action::Read, location).await?;
        let what = format!("assessments:location:{id}");
        self.gate.record(actor, "read", &what, note).await.map_err(AssessmentsError::Store)?;
        let all = self.assessments.assessments_of(&id).await.map_err(AssessmentsError::Store)?;
        Ok(all
            .into_iter()
            .filter(|a| authorize(&actor.principal, Action::Read, resource(a, &l.provider_id)).is_allowed())
            .collect())
    }

    /// The draft reports at the provider's services (or at one of them) whose window
    /// is open on `today` and which the actor may challenge.
    pub async fn awaiting_review(
        &self,
        actor: &Actor,
        provider: &ProviderId,
        location: Option<&LocationId>,
        today: NaiveDate,
    ) -> Result<Vec<Awaiting>, StoreError> {
        let sent = self.assessments.assessments_awaiting_review(provider).await?;
        let mut lines = Vec::new();
        for a in sent.iter().filter(|a| location.is_none_or(|l| *l == a.location_id)) {
            let Some(window_ends) = a.window_ends.filter(|_| a.window_open(today)) else { continue };
            if !authorize(&actor.principal, Action::Write, challenges_resource(a, provider)).is_allowed() {
                continue;
            }
            let detail = self.register.location(&a.location_id).await?;
            lines.push(Awaiting {
                id: a.id,
                window_ends,
                location_name: detail.location.name,
                service_group: a.service_group.clone(),
            });
        }
        Ok(lines)
    }

    // ---------------------------------------------------------------- opening

    /// An inspector opens an assessment of one of the location's service types; its ID.
    pub async fn open(
        &self,
        actor: &Actor,
        raw_location: &str,
        service_group: &str,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let id = LocationId::parse(raw_location).map_err(|_| Denied::NotFound)?;
        let detail = self.register.location(&id).await?;
        let provider = &detail.location.provider_id;
        self.gate.require(actor, Action::Write, Resource::Assessment { location: &id, provider, sent: false }).await?;
        if !detail.location.service_types.iter().any(|s| s == service_group) {
            return Err(AssessmentsError::Refused {
                field: "service_group".into(),
                message: "Choose one of this location's service types to assess".into(),
            });
        }
        let policy = serde_json::to_string(&candour_engine::Policy::default())
            .map_err(|e| AssessmentsError::Internal(e.to_string()))?;
        let new = NewAssessment {
            location_id: id.clone(),
            service_group: service_group.to_string(),
            service_kind: ServiceKind::classify(service_group),
            policy,
            created_by: actor.principal.user_id,
            created_at: now,
        };
        let record = self.assessments.create_assessment(&new).await?;
        self.audit(actor, "create", record.id, Some(&format!("location:{id}"))).await?;
        Ok(record.id)
    }

    // ---------------------------------------------------------------- the inspector's changes

    /// Asks the lifecycle rule for each change, then writes them and records the step.
    async fn change(
        &self,
        actor: &Actor,
        record: &AssessmentRecord,
        changes: Vec<AssessmentChange>,
        what: &str,
        anchor: &'static str,
        now: DateTime<Utc>,
    ) -> Result<Saved> {
        let lifecycle = record.lifecycle();
        for change in &changes {
            lifecycle.may_change(&change.part()).map_err(|r| refused_by_rule(anchor, r))?;
        }
        for change in &changes {
            self.assessments
                .update_assessment(record.id, change, actor.principal.user_id, now)
                .await
                .map_err(|e| refusal(anchor, e))?;
        }
        self.audit(actor, "update", record.id, Some(what)).await?;
        Ok(Saved { id: record.id, anchor })
    }

    /// One key question's form (`kq`: `safe`, `well_led`…): standing rating, or statement scores.
    pub async fn save_key_question(
        &self,
        actor: &Actor,
        raw_id: &str,
        kq: &str,
        form: &[(String, String)],
        now: DateTime<Utc>,
    ) -> Result<Saved> {
        let (record, _) = self.load_for(actor, raw_id, false).await?;
        let Some(Some(kq)) = rating::parse_finding(kq) else { return Err(Denied::NotFound.into()) };
        let framework = rating::framework().map_err(AssessmentsError::Internal)?;
        let changes = form::read_key_question(framework, &record, kq, form).map_err(AssessmentsError::Invalid)?;
        let what = format!("scores {}", kq.name());
        self.change(actor, &record, changes, &what, rating::key_question_code(kq), now).await
    }

    /// The facts about the service (breach, registered manager…).
    pub async fn save_facts(
        &self,
        actor: &Actor,
        raw_id: &str,
        form: &[(String, String)],
        now: DateTime<Utc>,
    ) -> Result<Saved> {
        let (record, _) = self.load_for(actor, raw_id, false).await?;
        let facts = form::read_facts(form);
        self.change(actor, &record, vec![AssessmentChange::Facts(facts)], "facts", "facts", now).await
    }

    /// A judgement on a finding (`safe`… or `overall`): a rating with its reason, or none.
    pub async fn save_judgement(
        &self,
        actor: &Actor,
        raw_id: &str,
        finding: &str,
        form: &[(String, String)],
        now: DateTime<Utc>,
    ) -> Result<Saved> {
        let (record, _) = self.load_for(actor, raw_id, false).await?;
        let Some(finding) = rating::parse_finding(finding) else { return Err(Denied::NotFound.into()) };
        let judgement = form::read_judgement(&record, finding, form).map_err(AssessmentsError::Invalid)?;
        self.change(actor, &record, vec![judgement], "judgement", "judgements", now).await
    }

    /// Sends the draft to the provider with a challenge window of `window_days`
    /// (empty: [`DEFAULT_WINDOW_DAYS`]).
    pub async fn send(&self, actor: &Actor, raw_id: &str, window_days: &str, now: DateTime<Utc>) -> Result<Saved> {
        let (record, location) = self.load_for(actor, raw_id, false).await?;
        let days = match window_days.trim() {
            "" => Some(DEFAULT_WINDOW_DAYS),
            text => text.parse::<u64>().ok().filter(|d| (1..=MAX_WINDOW_DAYS).contains(d)),
        };
        let Some(days) = days else {
            let message = format!("Enter the challenge window as a whole number of days from 1 to {MAX_WINDOW_DAYS}");
            return Err(invalid("window_days", message));
        };
        let ends = now
            .date_naive()
            .checked_add_days(Days::new(days))
            .ok_or_else(|| AssessmentsError::Internal("the window ends beyond the calendar".into()))?;
        record.lifecycle().may_send().map_err(|r| refused_by_rule("send", r))?;
        let notice = notices::sent(self.notices.public_url(), &record, &location, ends);
        let emails = self.managers_told(&notice, &location, now).await?;
        self.assessments.send_assessment(record.id, ends, now, &emails).await.map_err(|e| refusal("send", e))?;
        self.audit(actor, "send", record.id, Some(&format!("window ends {ends}"))).await?;
        Ok(Saved { id: record.id, anchor: "workflow" })
    }

    /// The provider's administrator says it has no more challenges, so publishing
    /// need not wait for the window to end.
    pub async fn finish_challenges(&self, actor: &Actor, raw_id: &str, now: DateTime<Utc>) -> Result<Saved> {
        let (record, _) = self.load_for(actor, raw_id, true).await?;
        let field = "no-more-challenges";
        record.lifecycle().may_finish_challenges(now.date_naive()).map_err(|r| refused_by_rule(field, r))?;
        self.assessments
            .finish_challenges(record.id, actor.principal.user_id, now)
            .await
            .map_err(|e| refusal(field, e))?;
        self.audit(actor, "finish challenges", record.id, None).await?;
        Ok(Saved { id: record.id, anchor: "workflow" })
    }

    /// Publishes: the engine's result becomes the rating of the service group (and
    /// of the location, when it is its only service).
    pub async fn publish(&self, actor: &Actor, raw_id: &str, now: DateTime<Utc>) -> Result<Saved> {
        let (record, location) = self.load_for(actor, raw_id, false).await?;
        let conflict = |message: String| AssessmentsError::Conflict { field: "publish".into(), message };
        let today = now.date_naive();
        record.lifecycle().may_publish(today).map_err(|r| refused_by_rule("publish", r))?;
        let result = rating::compute(&record).map_err(conflict)?;
        let only_service = location.location.service_types.len() <= 1;
        let ratings = rating::rating_records(&record, &result, today, only_service)
            .map_err(|m| conflict(format!("It cannot be published yet: {m}")))?;
        let publication = Publication {
            published_on: today,
            published_at: now,
            published_by: actor.principal.user_id,
            ratings,
            result: serde_json::to_string(&result).map_err(|e| AssessmentsError::Internal(e.to_string()))?,
        };
        self.assessments.publish_assessment(record.id, &publication).await.map_err(|e| refusal("publish", e))?;
        self.audit(actor, "publish", record.id, None).await?;
        Ok(Saved { id: record.id, anchor: "workflow" })
    }

    /// A notice's emails to the service's managers, as each has chosen.
    async fn managers_told(
        &self,
        notice: &crate::notices::Notice,
        location: &LocationDetail,
        now: DateTime<Utc>,
    ) -> Result<Vec<candour_store::OutgoingEmail>> {
        let managers = self.notices.managers_of(&location.location.id).await.map_err(AssessmentsError::Store)?;
        self.notices.emails(notice, &managers, now).await.map_err(AssessmentsError::Store)
    }

    // ---------------------------------------------------------------- challenges

    /// The provider challenges a finding (one of [`findings`]) with its reason.
    pub async fn raise_challenge(
        &self,
        actor: &Actor,
        raw_id: &str,
        finding: &str,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<Saved> {
        let (record, _) = self.load_for(actor, raw_id, true).await?;
        let (finding, text) = (finding.trim(), text.trim());
        let mut problems = Vec::new();
        if !findings(&record).iter().any(|(value, _)| value == finding) {
            problems
                .push(Problem { field: "finding".into(), message: "Choose the finding you are challenging".into() });
        }
        if text.is_empty() {
            problems
                .push(Problem { field: "text".into(), message: "Say what is factually inaccurate, and why".into() });
        }
        if !problems.is_empty() {
            return Err(AssessmentsError::Invalid(problems));
        }
        record.lifecycle().may_challenge(now.date_naive()).map_err(|r| refused_by_rule("finding", r))?;
        let new = NewChallenge {
            finding: finding.into(),
            text: text.into(),
            raised_by: actor.principal.user_id,
            raised_at: now,
        };
        let challenge = self.assessments.raise_challenge(record.id, &new).await.map_err(|e| refusal("finding", e))?;
        self.audit(actor, "challenge", record.id, Some(&format!("challenge {}", challenge.id))).await?;
        Ok(Saved { id: record.id, anchor: "challenges" })
    }

    /// The inspector accepts (`accept`) or rejects (`reject`) a challenge, with a reason.
    pub async fn decide_challenge(
        &self,
        actor: &Actor,
        raw_id: &str,
        raw_challenge: &str,
        decision: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Saved> {
        let (record, location) = self.load_for(actor, raw_id, false).await?;
        let (challenge, field, decision) = read_decision(raw_challenge, decision, reason, actor, now)?;
        record.lifecycle().may_decide().map_err(|r| refused_by_rule(&field, r))?;
        let notice = notices::decided(self.notices.public_url(), &record, &location, decision.status);
        let emails = self.managers_told(&notice, &location, now).await?;
        self.assessments
            .decide_challenge(record.id, challenge, &decision, &emails)
            .await
            .map_err(|e| refusal(&field, e))?;
        let detail = format!("challenge {challenge} {}", decision.status.code());
        self.audit(actor, "decide", record.id, Some(&detail)).await?;
        Ok(Saved { id: record.id, anchor: "challenges" })
    }
}
