//! Visits by experts by experience. An expert asked to visit a location (or an
//! inspector) opens a visit, writes the report and sends it to the provider; the
//! provider's administrators raise factual-accuracy challenges in the window; the
//! expert or an inspector decides each and publishes. The steps, their order and
//! their refusals are the assessments' ([`candour_domain::assessment::Lifecycle`]),
//! and so is the error type.

use std::collections::HashMap;
use std::sync::Arc;

use candour_domain::visit::{VisitPart, VisitReport};
use candour_domain::{Action, AssessmentStatus, LocationId, ProviderId, Resource, Role, Scope, authorize};
use candour_store::{
    LocationDetail, NewChallenge, NewVisit, RegisterStore, StoreError, VisitRecord, VisitStore, VisitsOf,
};
use chrono::{DateTime, Days, Utc};

use crate::assessments::{
    AssessmentsError, DEFAULT_WINDOW_DAYS, MAX_WINDOW_DAYS, Problem, Saved, read_decision, refusal, refused_by_rule,
};
use crate::{Actor, Denied, Gate};

type Result<T, E = AssessmentsError> = std::result::Result<T, E>;

/// The most visits listed for an inspector, newest first.
const LISTED: u32 = 200;

/// A visit as the access policy sees it.
pub fn resource<'a>(visit: &'a VisitRecord, provider: &'a ProviderId) -> Resource<'a> {
    Resource::Visit { location: &visit.location_id, provider, sent: visit.status != AssessmentStatus::Draft }
}

fn challenges_resource<'a>(visit: &'a VisitRecord, provider: &'a ProviderId) -> Resource<'a> {
    Resource::VisitChallenges { location: &visit.location_id, provider, sent: visit.status != AssessmentStatus::Draft }
}

fn invalid(problems: Vec<candour_domain::visit::Problem>) -> AssessmentsError {
    AssessmentsError::Invalid(problems.into_iter().map(|p| Problem { field: p.field, message: p.message }).collect())
}

/// A visit opened by someone who may read it.
#[derive(Debug, Clone)]
pub struct OpenedVisit {
    pub visit: VisitRecord,
    pub location: LocationDetail,
    /// The actor writes the report, decides challenges and publishes.
    pub may_write: bool,
    /// The actor may challenge its findings (the provider's administrators, once sent).
    pub may_challenge: bool,
}

/// A visit in a list, with where it was.
#[derive(Debug, Clone)]
pub struct VisitLine {
    pub visit: VisitRecord,
    pub location_name: String,
}

/// The visits service. Cheap to clone.
#[derive(Clone)]
pub struct Visits {
    visits: Arc<dyn VisitStore>,
    register: Arc<dyn RegisterStore>,
    gate: Gate,
}

impl Visits {
    pub fn new(visits: Arc<dyn VisitStore>, register: Arc<dyn RegisterStore>, gate: Gate) -> Self {
        Self { visits, register, gate }
    }

    async fn audit(&self, actor: &Actor, action: &str, id: i64, detail: Option<&str>) -> Result<()> {
        self.gate.record(actor, action, &format!("visit:{id}"), detail).await.map_err(AssessmentsError::Store)
    }

    /// The visit and its location when the actor may read it, else not found.
    async fn load(&self, actor: &Actor, raw_id: &str) -> Result<(VisitRecord, LocationDetail)> {
        let id: i64 = raw_id.parse().map_err(|_| Denied::NotFound)?;
        let visit = self.visits.visit(id).await?;
        let location = self.register.location(&visit.location_id).await?;
        self.gate.require(actor, Action::Read, resource(&visit, &location.location.provider_id)).await?;
        Ok((visit, location))
    }

    /// Loads, then asks for a write on the visit (or on its challenges).
    async fn load_for(&self, actor: &Actor, raw_id: &str, challenges: bool) -> Result<(VisitRecord, LocationDetail)> {
        let (visit, location) = self.load(actor, raw_id).await?;
        let provider = &location.location.provider_id;
        let wanted = if challenges { challenges_resource(&visit, provider) } else { resource(&visit, provider) };
        self.gate.require(actor, Action::Write, wanted).await?;
        Ok((visit, location))
    }

    /// A visit, for those who may read it. An audited read.
    pub async fn visit(&self, actor: &Actor, raw_id: &str) -> Result<OpenedVisit> {
        let (visit, location) = self.load(actor, raw_id).await?;
        self.audit(actor, "read", visit.id, None).await?;
        let provider = &location.location.provider_id;
        let may_write = authorize(&actor.principal, Action::Write, resource(&visit, provider)).is_allowed();
        let may_challenge =
            authorize(&actor.principal, Action::Write, challenges_resource(&visit, provider)).is_allowed();
        Ok(OpenedVisit { visit, location, may_write, may_challenge })
    }

    /// The visits the actor may read, newest first: every one for an inspector (the
    /// newest [`LISTED`]); those at the locations an expert visits or a manager runs,
    /// and at a provider administrator's locations.
    pub async fn list(&self, actor: &Actor) -> Result<Vec<VisitLine>, StoreError> {
        let principal = &actor.principal;
        let wanted: Vec<VisitsOf> = if principal.has_role(Role::Inspector) || principal.has_role(Role::Admin) {
            vec![VisitsOf::Anywhere(LISTED)]
        } else {
            principal
                .grants
                .iter()
                .filter_map(|g| match (&g.role, &g.scope) {
                    (Role::Expert | Role::Manager, Scope::Location(id)) => Some(VisitsOf::Location(id.clone())),
                    (Role::ProviderAdmin, Scope::Provider(id)) => Some(VisitsOf::Provider(id.clone())),
                    _ => None,
                })
                .collect()
        };
        let mut names: HashMap<LocationId, (String, ProviderId)> = HashMap::new();
        let mut lines: Vec<VisitLine> = Vec::new();
        for of in &wanted {
            for visit in self.visits.visits(of).await? {
                if lines.iter().any(|l| l.visit.id == visit.id) {
                    continue;
                }
                if !names.contains_key(&visit.location_id) {
                    let detail = self.register.location(&visit.location_id).await?;
                    names.insert(visit.location_id.clone(), (detail.location.name, detail.location.provider_id));
                }
                let (name, provider) = &names[&visit.location_id];
                if authorize(principal, Action::Read, resource(&visit, provider)).is_allowed() {
                    lines.push(VisitLine { location_name: name.clone(), visit });
                }
            }
        }
        lines.sort_by_key(|l| std::cmp::Reverse(l.visit.id));
        Ok(lines)
    }

    /// The sent reports whose challenge window is open on `today` and whose facts
    /// the actor may challenge (a provider's administrators): waiting for their review.
    pub async fn awaiting_review(&self, actor: &Actor, today: chrono::NaiveDate) -> Result<Vec<VisitLine>, StoreError> {
        let mut waiting = Vec::new();
        for line in self.list(actor).await? {
            if !line.visit.lifecycle().window_open(today) {
                continue;
            }
            let detail = self.register.location(&line.visit.location_id).await?;
            let wanted = challenges_resource(&line.visit, &detail.location.provider_id);
            if authorize(&actor.principal, Action::Write, wanted).is_allowed() {
                waiting.push(line);
            }
        }
        Ok(waiting)
    }

    /// The locations an expert has been asked to visit, with their names.
    pub async fn locations_to_visit(&self, actor: &Actor) -> Result<Vec<(LocationId, String)>, StoreError> {
        let mut list = Vec::new();
        for scope in actor.principal.scopes(Role::Expert) {
            if let Scope::Location(id) = scope {
                match self.register.location(id).await {
                    Ok(detail) => list.push((id.clone(), detail.location.name)),
                    Err(StoreError::NotFound) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(list)
    }

    /// The published visits to a location, newest first: public.
    pub async fn published(&self, location: &LocationId) -> Result<Vec<VisitRecord>, StoreError> {
        let all = self.visits.visits(&VisitsOf::Location(location.clone())).await?;
        Ok(all.into_iter().filter(|v| v.status == AssessmentStatus::Published).collect())
    }

    /// One published visit to a location: public. Anything else is not found.
    pub async fn published_visit(&self, location: &str, raw_id: &str) -> Result<(VisitRecord, LocationDetail)> {
        let id: i64 = raw_id.parse().map_err(|_| Denied::NotFound)?;
        let visit = self.visits.visit(id).await?;
        if visit.status != AssessmentStatus::Published || visit.location_id.as_str() != location {
            return Err(Denied::NotFound.into());
        }
        let detail = self.register.location(&visit.location_id).await?;
        Ok((visit, detail))
    }

    /// An expert asked to visit the location (or an inspector) opens a visit; its ID.
    pub async fn open(&self, actor: &Actor, raw_location: &str, now: DateTime<Utc>) -> Result<i64> {
        let id = LocationId::parse(raw_location).map_err(|_| Denied::NotFound)?;
        let detail = self.register.location(&id).await?;
        let provider = &detail.location.provider_id;
        self.gate.require(actor, Action::Write, Resource::Visit { location: &id, provider, sent: false }).await?;
        let new = NewVisit { location_id: id.clone(), created_by: actor.principal.user_id, created_at: now };
        let visit = self.visits.create_visit(&new).await?;
        self.audit(actor, "create", visit.id, Some(&format!("location:{id}"))).await?;
        Ok(visit.id)
    }

    /// Saves the report's form: the whole report while a draft; once sent, only the
    /// part named by the form's `part` field, which an accepted challenge must have reopened.
    pub async fn save(
        &self,
        actor: &Actor,
        raw_id: &str,
        form: &[(String, String)],
        now: DateTime<Utc>,
    ) -> Result<Saved> {
        let (visit, _) = self.load_for(actor, raw_id, false).await?;
        let report = VisitReport::from_form(form).map_err(invalid)?;
        let part = form.iter().find(|(k, _)| k == "part").map(|(_, v)| v.trim());
        let mut changes = visit.report.changes_to(&report);
        if let Some(part) = part {
            changes.retain(|c| c.part().code() == part);
        }
        let lifecycle = visit.lifecycle();
        for change in &changes {
            lifecycle.may_change(&change.part()).map_err(|r| refused_by_rule("report", r))?;
        }
        for change in &changes {
            self.visits
                .update_visit(visit.id, change, actor.principal.user_id, now)
                .await
                .map_err(|e| refusal("report", e))?;
        }
        let what: Vec<String> = changes.iter().map(|c| c.part().code()).collect();
        self.audit(actor, "update", visit.id, Some(&what.join(", "))).await?;
        Ok(Saved { id: visit.id, anchor: if part.is_some() { "challenges" } else { "report" } })
    }

    /// Sends the report to the provider with a challenge window of `window_days`
    /// (empty: the assessments' default).
    pub async fn send(&self, actor: &Actor, raw_id: &str, window_days: &str, now: DateTime<Utc>) -> Result<Saved> {
        let (visit, _) = self.load_for(actor, raw_id, false).await?;
        let days = match window_days.trim() {
            "" => Some(DEFAULT_WINDOW_DAYS),
            text => text.parse::<u64>().ok().filter(|d| (1..=MAX_WINDOW_DAYS).contains(d)),
        };
        let Some(days) = days else {
            let message = format!("Enter the challenge window as a whole number of days from 1 to {MAX_WINDOW_DAYS}");
            return Err(AssessmentsError::Invalid(vec![Problem { field: "window_days".into(), message }]));
        };
        visit.lifecycle().may_send().map_err(|r| refused_by_rule("send", r))?;
        visit.report.ready(now.date_naive()).map_err(invalid)?;
        let ends = now
            .date_naive()
            .checked_add_days(Days::new(days))
            .ok_or_else(|| AssessmentsError::Internal("the window ends beyond the calendar".into()))?;
        self.visits.send_visit(visit.id, ends, now).await.map_err(|e| refusal("send", e))?;
        self.audit(actor, "send", visit.id, Some(&format!("window ends {ends}"))).await?;
        Ok(Saved { id: visit.id, anchor: "workflow" })
    }

    /// The provider challenges a part of the report, saying what is inaccurate.
    pub async fn raise_challenge(
        &self,
        actor: &Actor,
        raw_id: &str,
        part: &str,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<Saved> {
        let (visit, _) = self.load_for(actor, raw_id, true).await?;
        let mut problems = Vec::new();
        if VisitPart::parse(part).is_none() {
            problems.push(Problem {
                field: "part".into(),
                message: "Choose the part of the report you are challenging".into(),
            });
        }
        if text.trim().is_empty() {
            problems
                .push(Problem { field: "text".into(), message: "Say what is factually inaccurate, and why".into() });
        }
        if !problems.is_empty() {
            return Err(AssessmentsError::Invalid(problems));
        }
        visit.lifecycle().may_challenge(now.date_naive()).map_err(|r| refused_by_rule("part", r))?;
        let new = NewChallenge {
            finding: part.trim().into(),
            text: text.trim().into(),
            raised_by: actor.principal.user_id,
            raised_at: now,
        };
        let challenge = self.visits.raise_visit_challenge(visit.id, &new).await.map_err(|e| refusal("part", e))?;
        self.audit(actor, "challenge", visit.id, Some(&format!("challenge {}", challenge.id))).await?;
        Ok(Saved { id: visit.id, anchor: "challenges" })
    }

    /// The expert or an inspector accepts (`accept`) or rejects (`reject`) a challenge, with a reason.
    pub async fn decide_challenge(
        &self,
        actor: &Actor,
        raw_id: &str,
        raw_challenge: &str,
        decision: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Saved> {
        let (visit, _) = self.load_for(actor, raw_id, false).await?;
        let (challenge, field, decision) = read_decision(raw_challenge, decision, reason, actor, now)?;
        self.visits.decide_visit_challenge(visit.id, challenge, &decision).await.map_err(|e| refusal(&field, e))?;
        self.audit(actor, "decide", visit.id, Some(&format!("challenge {challenge} {}", decision.status.code())))
            .await?;
        Ok(Saved { id: visit.id, anchor: "challenges" })
    }

    /// The provider's administrator says it has no more challenges.
    pub async fn finish_challenges(&self, actor: &Actor, raw_id: &str, now: DateTime<Utc>) -> Result<Saved> {
        let (visit, _) = self.load_for(actor, raw_id, true).await?;
        let field = "no-more-challenges";
        self.visits
            .finish_visit_challenges(visit.id, actor.principal.user_id, now)
            .await
            .map_err(|e| refusal(field, e))?;
        self.audit(actor, "finish challenges", visit.id, None).await?;
        Ok(Saved { id: visit.id, anchor: "workflow" })
    }

    /// Publishes the report on the service's public page.
    pub async fn publish(&self, actor: &Actor, raw_id: &str, now: DateTime<Utc>) -> Result<Saved> {
        let (visit, _) = self.load_for(actor, raw_id, false).await?;
        self.visits.publish_visit(visit.id, actor.principal.user_id, now).await.map_err(|e| refusal("publish", e))?;
        self.audit(actor, "publish", visit.id, None).await?;
        Ok(Saved { id: visit.id, anchor: "workflow" })
    }
}
