//! Moderation: the queue of responses, publishing or rejecting one, checking
//! held replies, safeguarding alerts and their acknowledgement, and the
//! safeguarding contacts alerts are emailed to. Each call makes the one access
//! decision and writes the audit entry itself; the rules of each action are
//! the voice service's.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use candour_domain::returns::Month;
use candour_domain::voice::{Criticality, FeedbackError};
use candour_domain::{Action, Email, LocationId, Principal, Resource, Role, Scope, UserId, authorize};
use candour_store::{
    AccountStore, Alert, AlertScope, BurstReview, ContactScope, FeedbackRecord, FeedbackStatus, Locations,
    ModerationDecision, ModerationQuery, Page, ReplyToCheck, SafeguardingContact, Store, StoreError,
};

use crate::voice::{Voice, VoiceError};
use crate::{Actor, Gate};

/// At most this many alerts are read per scope; open ones come first.
const ALERT_LIMIT: u32 = 500;

/// The moderation service. Cheap to clone.
#[derive(Clone)]
pub struct Moderation {
    voice: Voice,
    store: Arc<dyn Store>,
    accounts: Arc<dyn AccountStore>,
    gate: Gate,
}

/// A moderator's decision on a burst of answers, as the form sends it.
#[derive(Debug, Clone, Default)]
pub struct RawBurstReview {
    /// `YYYY-MM`.
    pub month: String,
    /// `count` or `keep_out`.
    pub decision: String,
}

/// A moderator's decision as the form or a client sends it.
#[derive(Debug, Clone, Default)]
pub struct RawDecision {
    /// `publish` or `reject`.
    pub decision: String,
    /// 0 to 5.
    pub criticality: String,
    /// The de-identified copy to publish.
    pub published_text: String,
    /// Why it is rejected.
    pub reason: String,
}

/// A reply check as the form sends it.
#[derive(Debug, Clone, Default)]
pub struct RawCheck {
    /// `publish` or `reject`.
    pub decision: String,
    pub reason: String,
}

/// An alert the actor may see, with the contacts now set for its service and
/// whether the actor may read what is alleged and acknowledge it.
#[derive(Debug, Clone)]
pub struct SeenAlert {
    pub alert: Alert,
    pub contacts: Vec<SafeguardingContact>,
    pub detail: bool,
    pub may_acknowledge: bool,
}

impl SeenAlert {
    fn of(p: &Principal, alert: Alert, contacts: Vec<SafeguardingContact>) -> Self {
        let emails: Vec<Email> = contacts.iter().map(|c| c.email.clone()).collect();
        let decide = |action| authorize(p, action, detail_resource(&alert, &emails)).is_allowed();
        let (detail, may_acknowledge) = (decide(Action::Read), decide(Action::Write));
        SeenAlert { alert, contacts, detail, may_acknowledge }
    }
}

/// A safeguarding contact as a page shows it: the one set, and whether the actor may change it.
#[derive(Debug, Clone)]
pub struct ContactView {
    pub current: Option<SafeguardingContact>,
    pub may_change: bool,
}

fn alert_resource(a: &Alert) -> Resource<'_> {
    Resource::SafeguardingAlert {
        location: &a.location_id,
        provider: &a.provider_id,
        local_authority: a.local_authority.as_deref(),
    }
}

fn detail_resource<'a>(a: &'a Alert, contacts: &'a [Email]) -> Resource<'a> {
    Resource::SafeguardingAlertDetail {
        location: &a.location_id,
        provider: &a.provider_id,
        local_authority: a.local_authority.as_deref(),
        contacts,
    }
}

fn contact_resource(scope: &ContactScope) -> Resource<'_> {
    match scope {
        ContactScope::Provider(provider) => Resource::ProviderSafeguardingLead { provider },
        ContactScope::LocalAuthority(local_authority) => Resource::AreaSafeguardingTeam { local_authority },
    }
}

fn problem(field: &str, message: &str) -> FeedbackError {
    FeedbackError { field: field.into(), message: message.into() }
}

/// A numeric id from the address; anything else is not there.
fn record_id(raw: &str) -> Result<i64, VoiceError> {
    raw.trim().parse().map_err(|_| VoiceError::NotFound)
}

impl Moderation {
    pub fn new(store: Arc<dyn Store>, voice: Voice) -> Self {
        Self { gate: voice.gate.clone(), voice, accounts: store.clone(), store }
    }

    // ------------------------------------------------------------ the queue

    /// The access decision for reading the queue, before its parameters are read.
    pub async fn open_queue(&self, actor: &Actor) -> Result<(), VoiceError> {
        Ok(self.gate.require(actor, Action::Read, Resource::ModerationQueue).await?)
    }

    /// The response with this reference (one a person quotes on the phone), if any.
    pub async fn find_reference(&self, actor: &Actor, reference: &str) -> Result<Option<i64>, VoiceError> {
        self.open_queue(actor).await?;
        match self.store.feedback_by_reference(reference).await {
            Ok(record) => Ok(Some(record.id)),
            Err(StoreError::NotFound) => Ok(None),
            Err(e) => Err(VoiceError::Store(e)),
        }
    }

    /// One page of the queue: waiting responses with the strongest pre-screen
    /// first, or those already decided, newest first. The read is audited.
    pub async fn queue(
        &self,
        actor: &Actor,
        status: FeedbackStatus,
        page: u32,
        per_page: u32,
    ) -> Result<Page<FeedbackRecord>, VoiceError> {
        self.open_queue(actor).await?;
        let found = self
            .store
            .moderation_queue(&ModerationQuery { status, page, per_page })
            .await
            .map_err(VoiceError::Store)?;
        self.gate.record(actor, "read", "moderation_queue", Some(status.code())).await?;
        Ok(found)
    }

    /// One response in full, for those who moderate (refused whether or not it
    /// exists); the read is audited.
    pub async fn response(&self, actor: &Actor, raw_id: &str) -> Result<FeedbackRecord, VoiceError> {
        self.open_queue(actor).await?;
        let id = record_id(raw_id)?;
        let record = self.store.feedback_record(id).await?;
        self.gate.record(actor, "read", &format!("feedback:{id}"), None).await?;
        Ok(record)
    }

    /// The response, for a moderator about to decide on it.
    pub async fn to_decide(&self, actor: &Actor, raw_id: &str) -> Result<FeedbackRecord, VoiceError> {
        self.gate.require(actor, Action::Write, Resource::ModerationQueue).await?;
        self.response(actor, raw_id).await
    }

    /// Whether the respondent's contact details may be shown with the response;
    /// each showing is audited.
    pub async fn show_contact(&self, actor: &Actor, record: &FeedbackRecord) -> Result<bool, VoiceError> {
        if record.contact.is_empty()
            || !authorize(&actor.principal, Action::Read, Resource::RespondentContact).is_allowed()
        {
            return Ok(false);
        }
        self.gate.record(actor, "read_contact", &format!("feedback:{}", record.id), None).await?;
        Ok(true)
    }

    /// The name of an account, for "moderated by" and the like; one since removed
    /// is named by its number.
    pub async fn user_name(&self, id: Option<UserId>) -> Result<Option<String>, VoiceError> {
        let Some(id) = id else { return Ok(None) };
        match self.accounts.user(id).await {
            Ok(user) => Ok(Some(user.name)),
            Err(StoreError::NotFound) => Ok(Some(format!("User {id}"))),
            Err(e) => Err(VoiceError::Store(e)),
        }
    }

    /// Publishes or rejects a waiting response, with its criticality; a level of 4
    /// or 5 raises a safeguarding alert. Problems with the decision come back
    /// against the fields of [`RawDecision`]. Returns the new alert's id.
    pub async fn moderate(
        &self,
        actor: &Actor,
        raw_id: &str,
        raw: &RawDecision,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>, VoiceError> {
        self.gate.require(actor, Action::Write, Resource::ModerationQueue).await?;
        let id = record_id(raw_id)?;
        let (decision, criticality) = read_decision(raw)?;
        let publishing = matches!(decision, ModerationDecision::Publish { .. });
        let alert = self.voice.moderate(id, decision, criticality, &actor.principal, now).await?;
        let what = if publishing { "published" } else { "rejected" };
        let raised = alert.map(|id| format!("; alert {id} raised")).unwrap_or_default();
        let detail = format!("{what} at criticality {}{raised}", criticality.level());
        self.gate.record(actor, "moderate", &format!("feedback:{id}"), Some(&detail)).await?;
        Ok(alert)
    }

    // ------------------------------------------------------------ bursts of answers

    /// Moderators' decisions on bursts of answers at `locations`, months from `from` on;
    /// the read is audited.
    pub async fn burst_reviews(
        &self,
        actor: &Actor,
        locations: &[LocationId],
        from: Month,
    ) -> Result<Vec<(LocationId, Month, bool)>, VoiceError> {
        self.open_queue(actor).await?;
        let found = self.store.burst_reviews(Locations::These(locations), from).await.map_err(VoiceError::Store)?;
        self.gate.record(actor, "read", "burst_reviews", None).await?;
        Ok(found.rows)
    }

    /// Decides whether a month of unusually many answers at a location counts towards
    /// its people's rating (`count`) or stays out (`keep_out`); a later decision
    /// replaces an earlier one. Problems come back against `decision` and `month`.
    pub async fn review_burst(
        &self,
        actor: &Actor,
        raw_location: &str,
        raw: &RawBurstReview,
        now: DateTime<Utc>,
    ) -> Result<(), VoiceError> {
        self.gate.require(actor, Action::Write, Resource::ModerationQueue).await?;
        let location_id = LocationId::parse(raw_location).map_err(|_| VoiceError::NotFound)?;
        let month = Month::parse(&raw.month)
            .map_err(|_| VoiceError::Invalid(vec![problem("month", "Give the month as 2026-01")]))?;
        let counted = match raw.decision.trim() {
            "count" => true,
            "keep_out" => false,
            _ => {
                let message = "Choose whether these answers count or stay out of the rating";
                return Err(VoiceError::Invalid(vec![problem("decision", message)]));
            }
        };
        let review = BurstReview { location_id, month, counted, by: actor.principal.user_id, at: now };
        self.store.review_burst(&review).await.map_err(|e| match e {
            StoreError::NotFound => VoiceError::NotFound,
            e => VoiceError::Store(e),
        })?;
        let detail = format!("{month}: {}", if counted { "counted" } else { "kept out" });
        self.gate.record(actor, "review_burst", &format!("location:{}", review.location_id), Some(&detail)).await?;
        Ok(())
    }

    // ------------------------------------------------------------ replies

    /// The oldest replies waiting for a check; the read is audited.
    pub async fn replies_to_check(&self, actor: &Actor, limit: u32) -> Result<Vec<ReplyToCheck>, VoiceError> {
        self.open_queue(actor).await?;
        let waiting = self.store.replies_to_check(limit).await.map_err(VoiceError::Store)?;
        self.gate.record(actor, "read", "reply_checks", None).await?;
        Ok(waiting)
    }

    /// Publishes a held reply, or rejects it with a reason. Problems come back
    /// against the fields `decision` and `reason`.
    pub async fn check_reply(
        &self,
        actor: &Actor,
        raw_id: &str,
        raw: &RawCheck,
        now: DateTime<Utc>,
    ) -> Result<(), VoiceError> {
        self.gate.require(actor, Action::Write, Resource::ModerationQueue).await?;
        let id = record_id(raw_id)?;
        let reject = match raw.decision.trim() {
            "publish" => false,
            "reject" => true,
            _ => {
                return Err(VoiceError::Invalid(vec![problem(
                    "decision",
                    "Choose whether to publish or reject the reply",
                )]));
            }
        };
        if reject && raw.reason.trim().is_empty() {
            return Err(VoiceError::Invalid(vec![problem("reason", "Give the reason for rejecting the reply")]));
        }
        let reason = reject.then_some(raw.reason.as_str());
        self.voice.check_reply(id, reason, &actor.principal, now).await?;
        let detail = if reject { "rejected" } else { "published" };
        self.gate.record(actor, "check", &format!("reply:{id}"), Some(detail)).await?;
        Ok(())
    }

    // ------------------------------------------------------------ alerts

    /// Every alert the actor may see: open ones first (oldest first), then
    /// acknowledged ones (newest first). The read is audited.
    pub async fn alerts(&self, actor: &Actor) -> Result<Vec<SeenAlert>, VoiceError> {
        self.gate.require(actor, Action::Read, Resource::SafeguardingAlerts).await?;
        let alerts = self.visible_alerts(&actor.principal, false).await?;
        let seen = self.seen(&actor.principal, alerts).await?;
        self.gate.record(actor, "read", "safeguarding_alerts", None).await?;
        Ok(seen)
    }

    /// How many open alerts the actor may see, for the private home; `None` when
    /// they may not see alerts at all. Not audited: it shows no alert.
    pub async fn open_alert_count(&self, actor: &Actor) -> Result<Option<usize>, VoiceError> {
        if !authorize(&actor.principal, Action::Read, Resource::SafeguardingAlerts).is_allowed() {
            return Ok(None);
        }
        Ok(Some(self.visible_alerts(&actor.principal, true).await?.len()))
    }

    /// One alert, after asking the policy; the read (of what is alleged, when the
    /// actor is told it) is audited.
    pub async fn alert(&self, actor: &Actor, raw_id: &str) -> Result<SeenAlert, VoiceError> {
        let id = record_id(raw_id)?;
        let alert = self.store.alert(id).await?;
        self.gate.require(actor, Action::Read, alert_resource(&alert)).await?;
        let seen = self.seen(&actor.principal, vec![alert]).await?.remove(0);
        let detail = seen.detail.then_some("what is alleged");
        self.gate.record(actor, "read", &format!("alert:{id}"), detail).await?;
        Ok(seen)
    }

    /// Records that the alert has been acted on, with a note of what was done.
    /// Returns the alert as it now stands.
    pub async fn acknowledge(
        &self,
        actor: &Actor,
        raw_id: &str,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<(), VoiceError> {
        let id = record_id(raw_id)?;
        let alert = self.store.alert(id).await?;
        self.gate.require(actor, Action::Read, alert_resource(&alert)).await?;
        let contacts = self.store.safeguarding_contacts_for(&alert.location_id).await?;
        let emails: Vec<Email> = contacts.iter().map(|c| c.email.clone()).collect();
        self.gate.require(actor, Action::Write, detail_resource(&alert, &emails)).await?;
        self.voice.acknowledge_alert(id, &actor.principal, note, now).await?;
        self.gate.record(actor, "acknowledge", &format!("alert:{id}"), None).await?;
        Ok(())
    }

    /// The alert as it now stands, for the actor who has just read it.
    pub async fn current_alert(&self, seen: &SeenAlert) -> Result<SeenAlert, VoiceError> {
        let alert = self.store.alert(seen.alert.id).await?;
        Ok(SeenAlert { alert, ..seen.clone() })
    }

    /// Puts each alert to the policy, reading each service's contacts once.
    async fn seen(&self, p: &Principal, alerts: Vec<Alert>) -> Result<Vec<SeenAlert>, VoiceError> {
        let mut contacts: BTreeMap<String, Vec<SafeguardingContact>> = BTreeMap::new();
        let mut seen = Vec::with_capacity(alerts.len());
        for alert in alerts {
            let key = alert.location_id.to_string();
            if !contacts.contains_key(&key) {
                let found =
                    self.store.safeguarding_contacts_for(&alert.location_id).await.map_err(VoiceError::Store)?;
                contacts.insert(key.clone(), found);
            }
            seen.push(SeenAlert::of(p, alert, contacts[&key].clone()));
        }
        Ok(seen)
    }

    /// The alerts the principal may read: open ones first (oldest first), then
    /// acknowledged ones (newest first).
    async fn visible_alerts(&self, p: &Principal, open_only: bool) -> Result<Vec<Alert>, VoiceError> {
        let mut found = BTreeMap::new();
        for scope in alert_scopes(p) {
            let alerts = self.store.alerts(&scope, open_only, ALERT_LIMIT).await.map_err(VoiceError::Store)?;
            for a in alerts {
                if authorize(p, Action::Read, alert_resource(&a)).is_allowed() {
                    found.insert(a.id, a);
                }
            }
        }
        let mut alerts: Vec<Alert> = found.into_values().collect();
        alerts.sort_by(|a, b| match (a.acknowledged_at, b.acknowledged_at) {
            (None, None) => a.raised_at.cmp(&b.raised_at),
            (None, Some(_)) => std::cmp::Ordering::Less,
            (Some(_), None) => std::cmp::Ordering::Greater,
            (Some(x), Some(y)) => y.cmp(&x),
        });
        Ok(alerts)
    }

    // ------------------------------------------------------------ contacts

    /// The safeguarding contact of a provider or an area, and whether the actor
    /// may change it. The page it is shown on has already been read by the actor.
    pub async fn contact(&self, actor: &Actor, scope: &ContactScope) -> Result<ContactView, VoiceError> {
        let may_change = authorize(&actor.principal, Action::Write, contact_resource(scope)).is_allowed();
        let current = self.store.safeguarding_contact(scope).await.map_err(VoiceError::Store)?;
        Ok(ContactView { current, may_change })
    }

    /// Sets a provider's safeguarding lead or an area's team; both fields empty
    /// removes it. Problems come back against the fields `name` and `email`.
    pub async fn set_contact(
        &self,
        actor: &Actor,
        scope: &ContactScope,
        name: &str,
        email: &str,
        now: DateTime<Utc>,
    ) -> Result<(), VoiceError> {
        self.gate.require(actor, Action::Write, contact_resource(scope)).await?;
        self.voice.set_safeguarding_contact(scope, name, email, &actor.principal, now).await?;
        let resource = match scope {
            ContactScope::Provider(id) => format!("safeguarding_contact:provider:{id}"),
            ContactScope::LocalAuthority(la) => format!("safeguarding_contact:area:{la}"),
        };
        let detail = if name.is_empty() && email.is_empty() { "removed" } else { "set" };
        self.gate.record(actor, "update", &resource, Some(detail)).await?;
        Ok(())
    }
}

/// What the moderator chose, or the problems with it, each against its field.
fn read_decision(raw: &RawDecision) -> Result<(ModerationDecision, Criticality), VoiceError> {
    let mut errors = Vec::new();
    let text = raw.published_text.trim();
    let reason = raw.reason.trim();
    let criticality = Criticality::parse(raw.criticality.trim()).ok();
    let decision = match raw.decision.trim() {
        "publish" => Some(ModerationDecision::Publish { text: text.to_string() }),
        "reject" => Some(ModerationDecision::Reject { reason: reason.to_string() }),
        _ => None,
    };
    if matches!(decision, Some(ModerationDecision::Publish { .. })) && text.is_empty() {
        errors.push(problem("published_text", "Write the copy to publish, with names of people and staff removed"));
    }
    if criticality.is_none() {
        errors.push(problem("criticality", "Choose how serious the most serious thing said is, from 0 to 5"));
    }
    if decision.is_none() {
        errors.push(problem("decision", "Choose whether to publish or reject this response"));
    }
    if matches!(decision, Some(ModerationDecision::Reject { .. })) && reason.is_empty() {
        errors.push(problem("reason", "Give the reason for rejecting it"));
    }
    match (decision, criticality) {
        (Some(decision), Some(criticality)) if errors.is_empty() => Ok((decision, criticality)),
        _ => Err(VoiceError::Invalid(errors)),
    }
}

/// Where the store should look for the principal's alerts. Each alert found is
/// still put to the policy before it is shown.
fn alert_scopes(p: &Principal) -> Vec<AlertScope> {
    if [Role::Admin, Role::Moderator, Role::Inspector].into_iter().any(|r| p.has_role(r)) {
        return vec![AlertScope::All];
    }
    let mut scopes: Vec<AlertScope> = p
        .scopes(Role::ProviderAdmin)
        .filter_map(|s| match s {
            Scope::Provider(id) => Some(AlertScope::Provider(id.clone())),
            _ => None,
        })
        .collect();
    let locations: Vec<_> = [Role::Manager, Role::Staff]
        .into_iter()
        .flat_map(|r| p.scopes(r))
        .filter_map(|s| match s {
            Scope::Location(id) => Some(id.clone()),
            _ => None,
        })
        .collect();
    let authorities: Vec<String> = p
        .scopes(Role::Commissioner)
        .filter_map(|s| match s {
            Scope::LocalAuthority(la) => Some(la.clone()),
            _ => None,
        })
        .collect();
    if !locations.is_empty() {
        scopes.push(AlertScope::Locations(locations));
    }
    if !authorities.is_empty() {
        scopes.push(AlertScope::LocalAuthorities(authorities));
    }
    scopes
}

#[cfg(test)]
mod tests {
    use super::*;
    use candour_domain::{Grant, LocationId, ProviderId};

    fn principal(grants: Vec<Grant>) -> Principal {
        Principal { user_id: UserId(1), email: Email::parse("a@example.org").unwrap(), grants }
    }

    #[test]
    fn each_role_looks_for_alerts_in_its_own_scope() {
        let inspector = principal(vec![Grant { role: Role::Inspector, scope: Scope::All }]);
        assert_eq!(alert_scopes(&inspector), [AlertScope::All]);
        let provider = ProviderId::parse("1-1").unwrap();
        let location = LocationId::parse("1-10").unwrap();
        let mixed = principal(vec![
            Grant { role: Role::ProviderAdmin, scope: Scope::Provider(provider.clone()) },
            Grant { role: Role::Staff, scope: Scope::Location(location.clone()) },
            Grant { role: Role::Commissioner, scope: Scope::LocalAuthority("Leeds".into()) },
        ]);
        assert_eq!(
            alert_scopes(&mixed),
            [
                AlertScope::Provider(provider),
                AlertScope::Locations(vec![location]),
                AlertScope::LocalAuthorities(vec!["Leeds".into()])
            ]
        );
        assert!(alert_scopes(&principal(vec![])).is_empty());
    }

    #[test]
    fn a_decision_needs_its_text_level_and_reason() {
        let raw = |decision: &str, criticality: &str, text: &str, reason: &str| RawDecision {
            decision: decision.into(),
            criticality: criticality.into(),
            published_text: text.into(),
            reason: reason.into(),
        };
        let fields = |result: Result<_, VoiceError>| match result {
            Err(VoiceError::Invalid(problems)) => problems.into_iter().map(|p| p.field).collect::<Vec<_>>(),
            other => panic!("expected problems, got {other:?}"),
        };
        assert_eq!(fields(read_decision(&RawDecision::default())), ["criticality", "decision"]);
        assert_eq!(fields(read_decision(&raw("publish", "2", " ", ""))), ["published_text"]);
        assert_eq!(fields(read_decision(&raw("reject", "9", "", ""))), ["criticality", "reason"]);
        let ok = read_decision(&raw("reject", "4", "", "Advert")).unwrap();
        assert_eq!(ok, (ModerationDecision::Reject { reason: "Advert".into() }, Criticality::STRONG));
    }
}
