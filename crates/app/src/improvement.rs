//! Improvement plans: actions linked to findings, owners, due dates, evidence,
//! the reflection on the improvement journey, and a summary published on the
//! service's public page.
//!
//! Those who run a service (its provider's administrators and registered
//! managers) build plans; inspectors and the commissioners of its area read them.
//! Every call asks [`Resource::ImprovementPlans`] of the plan's location, so a
//! plan another person may not see is `NotFound`. Reads and writes are audited.

mod findings;
mod notices;
mod progress;

use std::collections::HashMap;
use std::sync::Arc;

use candour_domain::improvement::{
    ActionDetails, ActionStatus, Finding, MAX_TEXT_CHARS, Problem, RawAction, Reflection, check_file,
    check_status_change, parse_date, parse_note, parse_title,
};
use candour_domain::working_days::latest_local_hour;
use candour_domain::{Action, LocationId, Resource, UserId};
use candour_engine::voice::{VoiceSummary, summarise};
use candour_store::{
    AccountStore, AssessmentStore, ComplaintStore, FileMeta, ImprovementStore, LocationDetail, NewEvidence, NewPlan,
    Plan, PlanAction, Publishing, RegisterStore, StatusChange, StoreError, VoiceStore,
};
use chrono::{DateTime, Duration, NaiveTime, Utc};

use crate::notices::{DIGEST_HOUR, Notices};
use crate::{Actor, AreaError, Denied, Failure, Gate};

pub use findings::Offered;
pub use progress::{MonthProgress, Progress, overdue_actions, progress, progress_by_month, statement_name, statements};

/// The access rule for a location's plans.
pub fn plans_resource(detail: &LocationDetail) -> Resource<'_> {
    let l = &detail.location;
    Resource::ImprovementPlans {
        location: &l.id,
        provider: &l.provider_id,
        local_authority: l.local_authority.as_deref(),
    }
}

/// Where a private read or a change came from, as its audit entry says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Page,
    Api,
}

impl Via {
    /// The audit detail, marked when it came through the API.
    fn detail(self, text: &str) -> String {
        match self {
            Via::Page => text.to_string(),
            Via::Api => format!("api: {text}"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImprovementError {
    #[error(transparent)]
    Denied(#[from] Denied),
    /// The plan has no such action (or it is not the caller's to see).
    #[error("no such action")]
    NoSuchAction,
    /// Each field's problem.
    #[error("{} problem(s) to put right", .0.len())]
    Invalid(Vec<(&'static str, String)>),
    /// The status sent is not one of the list (the parser's words).
    #[error("{0}")]
    UnknownStatus(String),
    /// The change is refused by the record as it now stands.
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for ImprovementError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ImprovementError::Denied(Denied::NotFound),
            other => ImprovementError::Store(other),
        }
    }
}

impl AreaError for ImprovementError {
    fn failure(&self) -> Failure<'_> {
        match self {
            ImprovementError::Denied(d) => d.failure(),
            ImprovementError::NoSuchAction => Failure::NotFound,
            ImprovementError::Invalid(_) | ImprovementError::UnknownStatus(_) => Failure::Invalid,
            ImprovementError::Conflict(message) => Failure::Refused(message),
            ImprovementError::Store(e) => e.failure(),
        }
    }
}

fn problems(ps: Vec<Problem>) -> ImprovementError {
    ImprovementError::Invalid(ps.into_iter().map(|p| (p.field, p.message)).collect())
}

/// A location's plans, with whether the caller may build them.
#[derive(Debug, Clone)]
pub struct LocationPlans {
    pub detail: LocationDetail,
    pub plans: Vec<Plan>,
    pub writable: bool,
}

/// A plan with its location, and whether the caller may change it.
#[derive(Debug, Clone)]
pub struct PlanView {
    pub plan: Plan,
    pub detail: LocationDetail,
    pub writable: bool,
}

/// One action of a plan, with the names of those who changed it or added evidence.
#[derive(Debug, Clone)]
pub struct ActionView {
    pub plan: PlanView,
    pub action: i64,
    pub names: HashMap<UserId, String>,
}

impl ActionView {
    pub fn action(&self) -> &PlanAction {
        self.plan.plan.action(self.action).expect("the action was found in the plan")
    }
}

/// What the new plan form sent.
#[derive(Debug, Clone, Default)]
pub struct RawPlan {
    pub title: String,
    pub started_on: String,
    /// The keys of the offered findings chosen.
    pub findings: Vec<String>,
    pub complaint_reference: String,
    pub complaint_text: String,
    pub other_text: String,
}

/// What the publish form sent: the summary and the ids of the actions and notes to show.
#[derive(Debug, Clone, Default)]
pub struct RawPublishing {
    pub summary: String,
    pub actions: Vec<String>,
    pub evidence: Vec<String>,
}

/// Evidence as sent: a note, a file (its name and bytes), or why the upload could not be read.
#[derive(Debug, Clone, Default)]
pub struct RawEvidence {
    pub note: String,
    pub file: Option<(String, Vec<u8>)>,
    pub unreadable: Option<String>,
}

/// A published plan with what people said before it began and since.
#[derive(Debug, Clone)]
pub struct PublishedPlan {
    pub plan: Plan,
    pub before: VoiceSummary,
    pub since: VoiceSummary,
    pub start: DateTime<Utc>,
    pub now: DateTime<Utc>,
}

/// How far back "before the plan" looks.
pub const BEFORE_DAYS: i64 = 365;

const CHOOSE_EVIDENCE: &str = "Write an evidence note, or choose a file, or both";

#[derive(Clone)]
pub struct Improvement {
    plans: Arc<dyn ImprovementStore>,
    register: Arc<dyn RegisterStore>,
    assessments: Arc<dyn AssessmentStore>,
    complaints: Arc<dyn ComplaintStore>,
    voice: Arc<dyn VoiceStore>,
    accounts: Arc<dyn AccountStore>,
    gate: Gate,
    notices: Notices,
}

impl Improvement {
    pub fn new(store: Arc<dyn candour_store::Store>, gate: Gate, notices: Notices) -> Self {
        Improvement {
            plans: store.clone(),
            register: store.clone(),
            assessments: store.clone(),
            complaints: store.clone(),
            voice: store.clone(),
            accounts: store,
            gate,
            notices,
        }
    }

    /// Queues the notices of improvement actions due at `now`, each once: to the
    /// service's managers the working day before an open action is due, and after
    /// it is missed. Counted from 07:00 in England, like the complaint deadlines.
    pub async fn queue_action_notices(&self, now: DateTime<Utc>) -> Result<u32, StoreError> {
        let today = latest_local_hour(now, DIGEST_HOUR).date_naive();
        let plans = self.plans.plans_with_open_actions().await?;
        let due: Vec<_> =
            plans.iter().flat_map(|plan| notices::due(plan, today).into_iter().map(move |d| (plan, d))).collect();
        let keys: Vec<String> = due.iter().map(|(_, (key, ..))| key.clone()).collect();
        let sent = self.notices.sent(&keys).await?;
        let mut queued = 0;
        for (plan, (key, action, when)) in due.into_iter().filter(|(_, (key, ..))| !sent.contains(key)) {
            let service = self.register.location(&plan.location_id).await?.location.name;
            let notice = notices::notice(self.notices.public_url(), plan, &service, action, when);
            let managers = self.notices.managers_of(&plan.location_id).await?;
            let emails = self.notices.emails(&notice, &managers, now).await?;
            queued += u32::from(self.notices.queue_once(&key, &emails, now).await?);
        }
        Ok(queued)
    }

    // ------------------------------------------------------------ reads

    /// A location's plans, the read audited.
    pub async fn plans_of(
        &self,
        actor: &Actor,
        raw_location: &str,
        via: Via,
    ) -> Result<LocationPlans, ImprovementError> {
        let detail = self.location_for(actor, raw_location, Action::Read).await?;
        let plans = self.plans.plans_of(&detail.location.id).await.map_err(ImprovementError::Store)?;
        let resource = format!("improvement_plans:location:{}", detail.location.id);
        self.record(actor, "read", &resource, via_only(via)).await?;
        let writable = may_write(actor, &detail);
        Ok(LocationPlans { detail, plans, writable })
    }

    /// One plan in full, the read audited.
    pub async fn plan(&self, actor: &Actor, raw_id: &str, via: Via) -> Result<PlanView, ImprovementError> {
        let view = self.plan_for(actor, raw_id, Action::Read).await?;
        self.record(actor, "read", &plan_resource(view.plan.id), via_only(via)).await?;
        Ok(view)
    }

    /// A plan for its actions' export, audited as one.
    pub async fn export(&self, actor: &Actor, raw_id: &str, via: Via) -> Result<Plan, ImprovementError> {
        let view = self.plan_for(actor, raw_id, Action::Read).await?;
        self.record(actor, "export", &plan_resource(view.plan.id), Some(&via.detail("actions.csv"))).await?;
        Ok(view.plan)
    }

    /// A plan the caller may change, without a read entry: for its forms.
    pub async fn writable(&self, actor: &Actor, raw_id: &str) -> Result<PlanView, ImprovementError> {
        self.plan_for(actor, raw_id, Action::Write).await
    }

    /// One action with its history and evidence, the read audited.
    pub async fn action(&self, actor: &Actor, raw_id: &str, raw_action: &str) -> Result<ActionView, ImprovementError> {
        let plan = self.plan_for(actor, raw_id, Action::Read).await?;
        let action = find_action(&plan.plan, raw_action)?.id;
        let text = format!("action {action}");
        self.record(actor, "read", &plan_resource(plan.plan.id), Some(&text)).await?;
        self.action_view(plan, action).await
    }

    /// One action the caller may change, without a read entry: for its forms.
    pub async fn writable_action(
        &self,
        actor: &Actor,
        raw_id: &str,
        raw_action: &str,
    ) -> Result<ActionView, ImprovementError> {
        let plan = self.plan_for(actor, raw_id, Action::Write).await?;
        let action = find_action(&plan.plan, raw_action)?.id;
        self.action_view(plan, action).await
    }

    /// An evidence file, for those who may read the plan, its download audited.
    pub async fn evidence_file(
        &self,
        actor: &Actor,
        raw_id: &str,
        raw_evidence: &str,
    ) -> Result<(FileMeta, Vec<u8>), ImprovementError> {
        let plan = self.plan_for(actor, raw_id, Action::Read).await?.plan;
        let id = raw_evidence.trim().parse::<i64>().map_err(|_| Denied::NotFound)?;
        let file = self.plans.evidence_file(plan.id, id).await?;
        self.record(actor, "download", &plan_resource(plan.id), Some(&format!("evidence {id}"))).await?;
        Ok(file)
    }

    /// The location's published plans, newest first, with people's voice before and since.
    pub async fn published(&self, id: &LocationId) -> Result<Vec<PublishedPlan>, ImprovementError> {
        let plans = self.plans.plans_of(id).await.map_err(ImprovementError::Store)?;
        let now = Utc::now();
        let mut shown = Vec::new();
        for plan in plans.into_iter().filter(|p| p.publication.is_some()) {
            let start = plan.started_on.and_time(NaiveTime::MIN).and_utc();
            let from = start - Duration::days(BEFORE_DAYS);
            let facts = self.voice.voice_facts(id, from).await.map_err(ImprovementError::Store)?;
            let before = summarise(&facts, from, start - Duration::seconds(1));
            let since = summarise(&facts, start, now);
            shown.push(PublishedPlan { plan, before, since, start, now });
        }
        Ok(shown)
    }

    // ------------------------------------------------------------ a new plan

    /// A location where the caller may start a plan, with the findings on offer.
    /// `watchlist` gives the location's watchlist reasons (code, text).
    pub async fn new_plan(
        &self,
        actor: &Actor,
        raw_location: &str,
        watchlist: impl FnOnce(&LocationId) -> Vec<(String, String)>,
    ) -> Result<(LocationDetail, Vec<Offered>), ImprovementError> {
        let detail = self.location_for(actor, raw_location, Action::Write).await?;
        let watched = watchlist(&detail.location.id);
        let offered = findings::current_findings(self.assessments.as_ref(), self.complaints.as_ref(), &detail, watched)
            .await
            .map_err(ImprovementError::Store)?;
        Ok((detail, offered))
    }

    /// Starts a plan from the findings chosen and described, audited.
    pub async fn create(
        &self,
        actor: &Actor,
        raw_location: &str,
        raw: &RawPlan,
        watchlist: impl FnOnce(&LocationId) -> Vec<(String, String)>,
    ) -> Result<Plan, ImprovementError> {
        let (detail, offered) = self.new_plan(actor, raw_location, watchlist).await?;
        let mut errors: Vec<Problem> = Vec::new();
        let title = parse_title(&raw.title).map_err(|p| errors.push(p)).ok();
        let started_on =
            parse_date("started_on", "date the plan began", &raw.started_on).map_err(|p| errors.push(p)).ok();
        let mut chosen: Vec<Finding> = raw
            .findings
            .iter()
            .filter_map(|key| offered.iter().find(|o| &o.key == key))
            .map(|o| o.finding.clone())
            .collect();
        chosen.dedup();
        if !raw.complaint_reference.is_empty() || !raw.complaint_text.is_empty() {
            match Finding::parse("complaint", &raw.complaint_reference, &raw.complaint_text) {
                Ok(f) => chosen.push(f),
                Err(p) => errors.push(p),
            }
        }
        if !raw.other_text.is_empty() {
            match Finding::parse("other", "", &raw.other_text) {
                Ok(f) => chosen.push(f),
                Err(p) => errors.push(p),
            }
        }
        if chosen.is_empty() && errors.is_empty() {
            let first = if offered.is_empty() { "complaint_reference" } else { "finding-1" };
            errors.push(Problem::new(first, "Choose at least one finding, or describe one, for the plan to answer"));
        }
        let (Some(title), Some(started_on), true) = (title, started_on, errors.is_empty()) else {
            return Err(problems(errors));
        };
        let new = NewPlan {
            location_id: detail.location.id.clone(),
            title,
            started_on,
            findings: chosen,
            created_by: actor.principal.user_id,
            created_at: Utc::now(),
        };
        let plan = self.plans.create_plan(&new).await.map_err(ImprovementError::Store)?;
        let text = format!("location {}: {} finding(s)", detail.location.id, plan.findings.len());
        self.record(actor, "plan_create", &plan_resource(plan.id), Some(&text)).await?;
        Ok(plan)
    }

    // ------------------------------------------------------------ actions

    /// Adds an action to the plan, audited; answers the plan's id and the action.
    pub async fn add_action(
        &self,
        actor: &Actor,
        raw_id: &str,
        raw: &RawAction,
        via: Via,
    ) -> Result<(i64, PlanAction), ImprovementError> {
        let plan = self.plan_for(actor, raw_id, Action::Write).await?.plan;
        let details = check_action(raw, &plan)?;
        let action = self
            .plans
            .add_action(plan.id, &details, actor.principal.user_id, Utc::now())
            .await
            .map_err(ImprovementError::Store)?;
        let text = via.detail(&format!("action {}: {}", action.id, details.statement));
        self.record(actor, "plan_action_add", &plan_resource(plan.id), Some(&text)).await?;
        Ok((plan.id, action))
    }

    /// Changes an action's details (not its status), audited.
    pub async fn edit_action(
        &self,
        actor: &Actor,
        raw_id: &str,
        raw_action: &str,
        raw: &RawAction,
    ) -> Result<(i64, i64), ImprovementError> {
        let plan = self.plan_for(actor, raw_id, Action::Write).await?.plan;
        let action = find_action(&plan, raw_action)?.id;
        let details = check_action(raw, &plan)?;
        self.plans.update_action(plan.id, action, &details, Utc::now()).await?;
        self.record(actor, "plan_action_edit", &plan_resource(plan.id), Some(&format!("action {action}"))).await?;
        Ok((plan.id, action))
    }

    /// Gives an action a new status: done needs evidence, dropped a reason. Audited;
    /// answers the plan's id and the action as it now stands.
    pub async fn set_status(
        &self,
        actor: &Actor,
        raw_id: &str,
        raw_action: &str,
        raw_status: &str,
        reason: &str,
        via: Via,
    ) -> Result<(i64, PlanAction), ImprovementError> {
        let plan = self.plan_for(actor, raw_id, Action::Write).await?.plan;
        let action = find_action(&plan, raw_action)?;
        let to = ActionStatus::parse(raw_status).map_err(|e| ImprovementError::UnknownStatus(e.to_string()))?;
        let reason = reason.trim();
        check_status_change(action.status, to, action.evidence.len(), reason).map_err(|p| problems(vec![p]))?;
        let change = StatusChange {
            status: to,
            reason: (!reason.is_empty()).then(|| reason.to_string()),
            by: actor.principal.user_id,
            at: Utc::now(),
        };
        self.plans.set_action_status(plan.id, action.id, &change).await.map_err(|e| match e {
            StoreError::Conflict(message) => ImprovementError::Conflict(message),
            other => other.into(),
        })?;
        let text = via.detail(&format!("action {}: {} → {}", action.id, action.status.code(), to.code()));
        self.record(actor, "plan_action_status", &plan_resource(plan.id), Some(&text)).await?;
        let plan = self.plans.plan(plan.id).await.map_err(ImprovementError::Store)?;
        let updated = plan.action(action.id).cloned().ok_or(ImprovementError::Store(StoreError::NotFound))?;
        Ok((plan.id, updated))
    }

    /// Adds evidence of completion: a note, a file, or both. A file is checked by
    /// its content before anything is saved; a refused file saves nothing, not even
    /// the note. Audited.
    pub async fn add_evidence(
        &self,
        actor: &Actor,
        raw_id: &str,
        raw_action: &str,
        sent: &RawEvidence,
    ) -> Result<(i64, i64), ImprovementError> {
        let plan = self.plan_for(actor, raw_id, Action::Write).await?.plan;
        let action = find_action(&plan, raw_action)?.id;
        let mut errors: Vec<(&'static str, String)> = Vec::new();
        if let Some(message) = &sent.unreadable {
            errors.push(("file", message.clone()));
        }
        let note = parse_note("note", &sent.note, false).map_err(|p| errors.push((p.field, p.message))).ok();
        let file = match &sent.file {
            Some((name, bytes)) => match check_file(name, bytes) {
                Ok(checked) => Some((
                    FileMeta { name: checked.name, kind: checked.kind, size: checked.size, sha256: checked.sha256 },
                    bytes.clone(),
                )),
                Err(message) => {
                    errors.push(("file", message.to_string()));
                    None
                }
            },
            None => None,
        };
        if errors.is_empty() && file.is_none() && note.as_deref().is_none_or(str::is_empty) {
            errors.push(("note", CHOOSE_EVIDENCE.to_string()));
        }
        if !errors.is_empty() {
            return Err(ImprovementError::Invalid(errors));
        }
        let text = match &file {
            Some((meta, _)) => {
                format!("action {action}: file {} ({} bytes, sha256 {})", meta.name, meta.size, meta.sha256)
            }
            None => format!("action {action}: note"),
        };
        let evidence = NewEvidence {
            note: note.unwrap_or_default(),
            file,
            added_by: actor.principal.user_id,
            added_at: Utc::now(),
        };
        self.plans.add_evidence(plan.id, action, &evidence).await?;
        self.record(actor, "plan_evidence_add", &plan_resource(plan.id), Some(&text)).await?;
        Ok((plan.id, action))
    }

    // ------------------------------------------------------------ reflection and publishing

    /// Saves the reflection on the improvement journey, audited.
    pub async fn save_reflection(
        &self,
        actor: &Actor,
        raw_id: &str,
        section: impl Fn(&str) -> String,
    ) -> Result<i64, ImprovementError> {
        let plan = self.plan_for(actor, raw_id, Action::Write).await?.plan;
        let reflection = Reflection::parse(section).map_err(problems)?;
        self.plans.save_reflection(plan.id, &reflection, Utc::now()).await?;
        let text = format!("{} section(s)", reflection.0.len());
        self.record(actor, "plan_reflection", &plan_resource(plan.id), Some(&text)).await?;
        Ok(plan.id)
    }

    /// Publishes the plan's summary with the actions and evidence notes chosen
    /// (only the plan's own, and evidence only as notes: a file never becomes public). Audited.
    pub async fn publish(&self, actor: &Actor, raw_id: &str, raw: &RawPublishing) -> Result<i64, ImprovementError> {
        let plan = self.plan_for(actor, raw_id, Action::Write).await?.plan;
        let summary = raw.summary.as_str();
        if summary.is_empty() {
            return Err(ImprovementError::Invalid(vec![("summary", "Write the summary the public will read".into())]));
        } else if summary.chars().count() > MAX_TEXT_CHARS {
            let message = format!("Keep the summary under {MAX_TEXT_CHARS} characters");
            return Err(ImprovementError::Invalid(vec![("summary", message)]));
        }
        let ids = |raw: &[String]| -> Vec<i64> { raw.iter().filter_map(|v| v.parse().ok()).collect() };
        let actions: Vec<i64> = ids(&raw.actions).into_iter().filter(|id| plan.action(*id).is_some()).collect();
        let evidence: Vec<i64> = ids(&raw.evidence)
            .into_iter()
            .filter(|id| plan.evidence(*id).is_some_and(|(_, e)| !e.note.is_empty() && e.file.is_none()))
            .collect();
        let publishing =
            Publishing { summary: summary.to_string(), actions, evidence, by: actor.principal.user_id, at: Utc::now() };
        self.plans.publish_plan(plan.id, &publishing).await?;
        let text = format!("{} action(s), {} note(s)", publishing.actions.len(), publishing.evidence.len());
        self.record(actor, "plan_publish", &plan_resource(plan.id), Some(&text)).await?;
        Ok(plan.id)
    }

    /// Takes the plan's summary off the public page, audited.
    pub async fn unpublish(&self, actor: &Actor, raw_id: &str) -> Result<i64, ImprovementError> {
        let plan = self.plan_for(actor, raw_id, Action::Write).await?.plan;
        self.plans.unpublish_plan(plan.id, Utc::now()).await?;
        self.record(actor, "plan_unpublish", &plan_resource(plan.id), None).await?;
        Ok(plan.id)
    }

    // ------------------------------------------------------------ the loaders

    /// The location, when the caller may `action` its plans.
    async fn location_for(
        &self,
        actor: &Actor,
        raw_location: &str,
        action: Action,
    ) -> Result<LocationDetail, ImprovementError> {
        let id = LocationId::parse(raw_location).map_err(|_| Denied::NotFound)?;
        let detail = self.register.location(&id).await?;
        self.gate.require(actor, action, plans_resource(&detail)).await?;
        Ok(detail)
    }

    /// The plan with its location, when the caller may `action` it.
    async fn plan_for(&self, actor: &Actor, raw_id: &str, action: Action) -> Result<PlanView, ImprovementError> {
        let id: i64 = raw_id.trim().parse().map_err(|_| Denied::NotFound)?;
        let plan = self.plans.plan(id).await?;
        let detail = self.register.location(&plan.location_id).await?;
        self.gate.require(actor, action, plans_resource(&detail)).await?;
        let writable = may_write(actor, &detail);
        Ok(PlanView { plan, detail, writable })
    }

    async fn action_view(&self, plan: PlanView, action: i64) -> Result<ActionView, ImprovementError> {
        let mut names = HashMap::new();
        if let Some(a) = plan.plan.action(action) {
            for id in a.history.iter().map(|h| h.by).chain(a.evidence.iter().map(|e| e.added_by)) {
                if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(id) {
                    slot.insert(self.user_name(id).await?);
                }
            }
        }
        Ok(ActionView { plan, action, names })
    }

    async fn user_name(&self, id: UserId) -> Result<String, ImprovementError> {
        match self.accounts.user(id).await {
            Ok(user) => Ok(user.name),
            Err(StoreError::NotFound) => Ok(format!("account {id}, since removed")),
            Err(err) => Err(ImprovementError::Store(err)),
        }
    }

    async fn record(
        &self,
        actor: &Actor,
        action: &str,
        resource: &str,
        detail: Option<&str>,
    ) -> Result<(), ImprovementError> {
        self.gate.record(actor, action, resource, detail).await.map_err(|_| Denied::Unaudited.into())
    }
}

/// "api" for a read through the API; nothing for a page.
fn via_only(via: Via) -> Option<&'static str> {
    match via {
        Via::Page => None,
        Via::Api => Some("api"),
    }
}

fn plan_resource(id: i64) -> String {
    format!("improvement_plan:{id}")
}

/// Whether the actor may build this location's plans.
fn may_write(actor: &Actor, detail: &LocationDetail) -> bool {
    candour_domain::authorize(&actor.principal, Action::Write, plans_resource(detail)).is_allowed()
}

fn find_action<'a>(plan: &'a Plan, raw: &str) -> Result<&'a PlanAction, ImprovementError> {
    raw.trim().parse::<i64>().ok().and_then(|id| plan.action(id)).ok_or(ImprovementError::NoSuchAction)
}

/// Checks an action against the plan: its fields, its finding, and that its statement is the framework's.
fn check_action(raw: &RawAction, plan: &Plan) -> Result<ActionDetails, ImprovementError> {
    let details = ActionDetails::parse(raw, &plan.finding_ids()).map_err(problems)?;
    if !statements().iter().any(|(code, _)| *code == details.statement) {
        let message = "Choose the quality statement this action improves".to_string();
        return Err(ImprovementError::Invalid(vec![("statement", message)]));
    }
    Ok(details)
}
