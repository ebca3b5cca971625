//! The private workspaces: a provider's, a location's and a local authority's,
//! in one shape for both the pages and the JSON API. Each call parses the raw
//! identifier, loads the tenancy facts the access policy needs, asks the policy
//! once ([`Gate::require`]), records the read, and only then loads the rest.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use candour_domain::complaints::{ComplaintStatus, Outcome};
use candour_domain::returns::Month;
use candour_domain::voice::Criticality;
use candour_domain::working_days::add_working_days;
use candour_domain::{
    Action, Email, Grant, LocationId, Principal, Provider, ProviderId, Rating, Resource, Role, Scope, UserId, authorize,
};
use candour_store::{
    AccountStore, AlertScope, ComplaintRecord, ComplaintStore, ImprovementStore, LocationDetail, LocationQuery,
    LocationSort, LocationSummary, Plan, RegisterStore, ReturnsStore, Store, StoreError, StoreResult, User, VoiceStore,
};
use chrono::NaiveDate;
use serde::Serialize;

use crate::complaints::today;
use crate::improvement::{Progress, progress};

use crate::{Actor, AreaError, Denied, Failure, Gate};

/// Where a read came from, as the audit log tells them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Page,
    Api,
}

impl Via {
    fn detail(self) -> Option<&'static str> {
        match self {
            Via::Page => None,
            Via::Api => Some("api"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WorkspacesError {
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AreaError for WorkspacesError {
    fn failure(&self) -> Failure<'_> {
        match self {
            WorkspacesError::Denied(denied) => denied.failure(),
            WorkspacesError::Store(err) => err.failure(),
        }
    }
}

/// A record that is not there is refused as one the caller may not see.
fn missing(err: StoreError) -> WorkspacesError {
    match err {
        StoreError::NotFound => WorkspacesError::Denied(Denied::NotFound),
        other => WorkspacesError::Store(other),
    }
}

/// The workspaces service. Cheap to clone.
#[derive(Clone)]
pub struct Workspaces {
    register: Arc<dyn RegisterStore>,
    accounts: Arc<dyn AccountStore>,
    voice: Arc<dyn VoiceStore>,
    complaints: Arc<dyn ComplaintStore>,
    plans: Arc<dyn ImprovementStore>,
    returns: Arc<dyn ReturnsStore>,
    gate: Gate,
}

impl Workspaces {
    pub fn new(store: Arc<dyn Store>, gate: Gate) -> Self {
        Self {
            register: store.clone(),
            accounts: store.clone(),
            voice: store.clone(),
            complaints: store.clone(),
            plans: store.clone(),
            returns: store,
            gate,
        }
    }

    /// What needs doing now at a service the caller may read, each part only if the
    /// caller may see it: open safeguarding alerts, complaints overdue or due by the
    /// next working day, stories without a reply, the last month's missing return,
    /// and improvement actions past their date.
    pub async fn needs_doing(
        &self,
        actor: &Actor,
        detail: &LocationDetail,
        today: NaiveDate,
    ) -> Result<NeedsDoing, WorkspacesError> {
        let p = &actor.principal;
        let l = &detail.location;
        let may = |resource| authorize(p, Action::Read, resource).is_allowed();
        let mut needs = NeedsDoing::default();
        if may(Resource::Location {
            id: &l.id,
            provider: &l.provider_id,
            local_authority: l.local_authority.as_deref(),
        }) {
            let open = self.voice.alerts(&AlertScope::Locations(vec![l.id.clone()]), true, 1000).await?;
            needs.open_alerts = Some(open.len() as u32);
        }
        if may(crate::complaints::location_resource(detail)) {
            let complaints = self.complaints.complaints(std::slice::from_ref(&l.id), None).await?;
            needs.complaints = Some(complaints_due(&complaints, today));
        }
        if may(Resource::LocationVoice { location: &l.id, provider: &l.provider_id }) {
            let stories = self.voice.stories_to_answer(&l.id, 1, STORIES_LOOKED_AT).await?;
            needs.stories_unanswered = Some(stories.items.iter().filter(|s| s.replies.is_empty()).count() as u32);
        }
        if authorize(p, Action::Write, crate::returns::location_resource(detail)).is_allowed() {
            let month = crate::returns::last_complete_month(today);
            let sent = self.returns.returns_of(&l.id, month, month).await?;
            needs.return_missing = Some(sent.is_empty().then_some(month));
        }
        let plans = Resource::ImprovementPlans {
            location: &l.id,
            provider: &l.provider_id,
            local_authority: l.local_authority.as_deref(),
        };
        if may(plans) {
            let plans = self.plans.plans_of(&l.id).await?;
            needs.actions_overdue = Some(plans.iter().map(|plan| progress(plan, today).overdue).sum());
        }
        Ok(needs)
    }

    /// A provider's facts, for an action on it that its own call then decides;
    /// a malformed or unknown ID is `NotFound`. Nothing is audited.
    pub async fn provider_facts(&self, raw_id: &str) -> Result<ProviderFacts, WorkspacesError> {
        let id = ProviderId::parse(raw_id).map_err(|_| Denied::NotFound)?;
        provider_facts(self.register.as_ref(), &id).await.map_err(missing)
    }

    /// A provider's facts once `actor` may read its workspace; the read is audited.
    pub async fn readable_provider(
        &self,
        actor: &Actor,
        raw_id: &str,
        via: Via,
    ) -> Result<ProviderFacts, WorkspacesError> {
        let facts = self.provider_facts(raw_id).await?;
        let resource = Resource::Provider { id: &facts.id, local_authorities: &facts.local_authorities };
        self.gate.require(actor, Action::Read, resource).await?;
        self.gate.record(actor, "read", &format!("provider:{}", facts.id), via.detail()).await?;
        Ok(facts)
    }

    /// A provider's workspace, the read decided and audited.
    pub async fn provider(&self, actor: &Actor, raw_id: &str, via: Via) -> Result<ProviderWorkspace, WorkspacesError> {
        let facts = self.readable_provider(actor, raw_id, via).await?;
        self.provider_workspace(actor, facts).await
    }

    /// The rest of a provider's workspace, from facts a call above has already decided.
    pub async fn provider_workspace(
        &self,
        actor: &Actor,
        facts: ProviderFacts,
    ) -> Result<ProviderWorkspace, WorkspacesError> {
        Ok(provider_workspace(self.accounts.as_ref(), facts, &actor.principal).await?)
    }

    /// A location's detail once `actor` may read its workspace; the read is audited
    /// as `location:{id}`, or as `resource` names it when given.
    pub async fn readable_location(
        &self,
        actor: &Actor,
        raw_id: &str,
        via: Via,
    ) -> Result<LocationDetail, WorkspacesError> {
        let id = LocationId::parse(raw_id).map_err(|_| Denied::NotFound)?;
        let detail = self.register.location(&id).await.map_err(missing)?;
        self.gate.require(actor, Action::Read, location_resource(&detail)).await?;
        self.gate.record(actor, "read", &format!("location:{id}"), via.detail()).await?;
        Ok(detail)
    }

    /// A location's workspace, the read decided and audited.
    pub async fn location(&self, actor: &Actor, raw_id: &str, via: Via) -> Result<LocationWorkspace, WorkspacesError> {
        let detail = self.readable_location(actor, raw_id, via).await?;
        self.location_workspace(actor, detail).await
    }

    /// The rest of a location's workspace, from a detail a call above has already decided.
    pub async fn location_workspace(
        &self,
        actor: &Actor,
        detail: LocationDetail,
    ) -> Result<LocationWorkspace, WorkspacesError> {
        Ok(location_workspace(self.accounts.as_ref(), detail, &actor.principal).await?)
    }

    /// A local authority's workspace. The policy is asked before the authority is
    /// looked up, so one the caller may not read and one with no services give the
    /// same `NotFound`. `band_one` says which services are in band 1 of the latest
    /// watchlist (see [`crate::monitoring::band_one_in`]).
    pub async fn area(
        &self,
        actor: &Actor,
        name: &str,
        band_one: impl FnOnce(&str) -> HashSet<LocationId>,
    ) -> Result<AreaWorkspace, WorkspacesError> {
        self.gate.require(actor, Action::Read, Resource::Area { local_authority: name }).await?;
        let known = known_local_authority(self.register.as_ref(), name).await?.ok_or(Denied::NotFound)?;
        self.gate.record(actor, "read", &format!("area:{known}"), None).await?;
        let band_one = band_one(&known);
        let services = all_locations_in(self.register.as_ref(), &known).await?;
        let ids: Vec<LocationId> = services.iter().map(|s| s.id.clone()).collect();
        let (severe, complaints, plans) = tokio::try_join!(
            open_severe_alerts(self.voice.as_ref(), &known),
            self.complaints.complaints(&ids, None),
            self.plans.plans_in(&ids),
        )?;
        let today = today();
        Ok(AreaWorkspace {
            registered: services.len() as u64,
            by_rating: by_rating(&services),
            needing_attention: needing_attention(&services, &band_one, &severe),
            complaints: area_complaints(&services, &complaints, today),
            plans: area_plans(&services, &plans, today),
            local_authority: known,
        })
    }

    /// The authority's name as the register spells it, if any registered service is there.
    pub async fn known_local_authority(&self, name: &str) -> Result<Option<String>, WorkspacesError> {
        Ok(known_local_authority(self.register.as_ref(), name).await?)
    }
}

/// The access policy's view of a location.
pub fn location_resource(detail: &LocationDetail) -> Resource<'_> {
    let l = &detail.location;
    Resource::Location { id: &l.id, provider: &l.provider_id, local_authority: l.local_authority.as_deref() }
}

/// Someone with an account, as shown in a workspace: no secrets, no sign-in state.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Person {
    pub id: UserId,
    pub email: Email,
    pub name: String,
    pub grants: Vec<Grant>,
    pub disabled: bool,
    /// False while the person has not yet accepted their invitation.
    pub active: bool,
}

impl Person {
    fn of(user: &User) -> Self {
        Person {
            id: user.id,
            email: user.email.clone(),
            name: user.name.clone(),
            grants: user.grants.clone(),
            disabled: user.disabled,
            active: user.has_password,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProviderWorkspace {
    pub provider: Provider,
    pub locations: Vec<LocationSummary>,
    /// Provider administrators, and the managers and staff of its locations: for
    /// those who manage its accounts only (see [`lists_people`]), left out otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub people: Option<Vec<Person>>,
}

impl ProviderWorkspace {
    /// The local authorities its locations are in: who commissions from it.
    pub fn local_authorities(&self) -> Vec<String> {
        local_authorities_of(self.locations.iter())
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LocationWorkspace {
    #[serde(flatten)]
    pub detail: LocationDetail,
    /// Its provider's administrators, and the location's managers and staff: for
    /// those who manage the provider's accounts only, left out otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub people: Option<Vec<Person>>,
}

/// The stories looked at for a missing reply: the newest, as a page of them shows.
const STORIES_LOOKED_AT: u32 = 200;

/// What needs doing at a service; `None` where the caller may not see that part.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NeedsDoing {
    pub open_alerts: Option<u32>,
    pub complaints: Option<ComplaintsDue>,
    /// Among the newest published stories.
    pub stories_unanswered: Option<u32>,
    /// `Some(None)` when the last month's return is in.
    pub return_missing: Option<Option<Month>>,
    pub actions_overdue: Option<u32>,
}

/// Complaints whose acknowledgement or response is late, or due by the next working day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ComplaintsDue {
    pub overdue: u32,
    pub due_soon: u32,
}

fn complaints_due(complaints: &[ComplaintRecord], today: NaiveDate) -> ComplaintsDue {
    let next = add_working_days(today, 1).unwrap_or(today);
    let mut due = ComplaintsDue::default();
    for c in complaints.iter().filter(|c| c.status != ComplaintStatus::Closed) {
        let late = c.overdue(today);
        if late.acknowledgement || late.response {
            due.overdue += 1;
        } else if (c.acknowledged_on.is_none() && c.deadlines.acknowledge_by <= next)
            || (c.response_sent_on.is_none() && c.deadlines.respond_by <= next)
        {
            due.due_soon += 1;
        }
    }
    due
}

/// Whether a workspace lists the people with access (names, emails, roles): only
/// for those the policy lets read the provider's accounts, never merely because
/// they may see the provider or the service.
pub fn lists_people(principal: &Principal, provider: &ProviderId) -> bool {
    authorize(principal, Action::Read, Resource::ProviderAccounts { provider }).is_allowed()
}

/// The facts that decide who may see a provider, loaded before anything else.
pub struct ProviderFacts {
    pub id: ProviderId,
    pub local_authorities: Vec<String>,
    summaries: Vec<LocationSummary>,
    provider: Provider,
}

impl ProviderFacts {
    pub fn name(&self) -> &str {
        &self.provider.name
    }

    pub fn location_count(&self) -> usize {
        self.summaries.len()
    }

    /// Whether the location is one of this provider's registered services.
    pub fn runs(&self, location: &LocationId) -> bool {
        self.summaries.iter().any(|s| &s.id == location && s.registered)
    }
}

async fn provider_facts(store: &dyn RegisterStore, id: &ProviderId) -> StoreResult<ProviderFacts> {
    let detail = store.provider(id).await?;
    Ok(ProviderFacts {
        id: id.clone(),
        local_authorities: local_authorities_of(detail.locations.iter()),
        summaries: detail.locations,
        provider: detail.provider,
    })
}

/// The rest of a provider's workspace, once `principal` may read it.
async fn provider_workspace(
    store: &dyn AccountStore,
    facts: ProviderFacts,
    principal: &Principal,
) -> StoreResult<ProviderWorkspace> {
    let locations = facts.summaries;
    let people = if lists_people(principal, &facts.id) {
        let ids: BTreeSet<&LocationId> = locations.iter().map(|l| &l.id).collect();
        let found = people_where(store, |g| match (&g.role, &g.scope) {
            (Role::ProviderAdmin, Scope::Provider(p)) => p == &facts.id,
            (Role::Manager | Role::Staff, Scope::Location(l)) => ids.contains(l),
            _ => false,
        })
        .await?;
        Some(found)
    } else {
        None
    };
    Ok(ProviderWorkspace { provider: facts.provider, locations, people })
}

/// A location's workspace, once `principal` may read it.
async fn location_workspace(
    store: &dyn AccountStore,
    detail: LocationDetail,
    principal: &Principal,
) -> StoreResult<LocationWorkspace> {
    let (id, provider) = (&detail.location.id, &detail.location.provider_id);
    let people = if lists_people(principal, provider) {
        let found = people_where(store, |g| match (&g.role, &g.scope) {
            (Role::ProviderAdmin, Scope::Provider(p)) => p == provider,
            (Role::Manager | Role::Staff, Scope::Location(l)) => l == id,
            _ => false,
        })
        .await?;
        Some(found)
    } else {
        None
    };
    Ok(LocationWorkspace { detail, people })
}

/// Accounts holding at least one grant that matches, by email.
async fn people_where(store: &dyn AccountStore, relevant: impl Fn(&Grant) -> bool) -> StoreResult<Vec<Person>> {
    let users = store.users().await?;
    Ok(users.iter().filter(|u| u.grants.iter().any(&relevant)).map(Person::of).collect())
}

fn local_authorities_of<'a>(summaries: impl Iterator<Item = &'a LocationSummary>) -> Vec<String> {
    let mut names: Vec<String> = summaries.filter_map(|s| s.local_authority.clone()).collect();
    names.sort_by_key(|n| n.to_lowercase());
    names.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    names
}

/// A local authority's services, for commissioners and inspectors.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AreaWorkspace {
    pub local_authority: String,
    pub registered: u64,
    /// Registered services by current overall rating, best first; `None` is not yet rated.
    pub by_rating: Vec<(Option<Rating>, u64)>,
    /// The urgent services first whatever their rating, then those rated
    /// Inadequate or Requires improvement; worst rating first within each.
    pub needing_attention: Vec<Attention>,
    pub complaints: AreaComplaints,
    /// The services' improvement plans, newest first.
    pub plans: Vec<AreaPlan>,
}

/// The complaints logged about the authority's services, counted: each one in full
/// is on its service's complaints page.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct AreaComplaints {
    /// Received in the last 12 months.
    pub received: u64,
    /// Not yet closed.
    pub open: u64,
    /// Open and unanswered past their response deadline.
    pub overdue: u64,
    /// Closed in the last 12 months upheld or partly upheld, of all closed then.
    pub upheld: u64,
    pub closed: u64,
    /// The services with complaints overdue, most first.
    pub overdue_by_service: Vec<ServiceCount>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ServiceCount {
    pub service: LocationSummary,
    pub count: u64,
}

/// A service's improvement plan, as the authority's list shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AreaPlan {
    pub service: LocationSummary,
    pub plan_id: i64,
    pub title: String,
    pub started_on: NaiveDate,
    pub progress: Progress,
    pub published: bool,
}

/// A service on the area's list of those needing attention, and why it is urgent, if it is.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Attention {
    pub service: LocationSummary,
    pub urgent: Vec<Urgency>,
}

/// What makes a service urgent whatever its rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub enum Urgency {
    /// Band 1 of the watchlist: a flag that overrides the score, or the highest score.
    WatchlistBandOne,
    /// A safeguarding alert at level 5 that no one has acknowledged yet.
    OpenSevereAlert,
}

/// More open alerts than any one authority should ever have; the list is oldest first.
const OPEN_ALERTS_READ: u32 = 10_000;

/// The authority's name as the register spells it, if any registered service is there.
async fn known_local_authority(store: &dyn RegisterStore, name: &str) -> StoreResult<Option<String>> {
    let areas = store.local_authorities().await?;
    Ok(areas.into_iter().find(|a| a.local_authority.eq_ignore_ascii_case(name.trim())).map(|a| a.local_authority))
}

/// Registered services by current overall rating, best first, then those not yet rated.
fn by_rating(services: &[LocationSummary]) -> Vec<(Option<Rating>, u64)> {
    let count = |rating: Option<Rating>| services.iter().filter(|s| s.overall == rating).count() as u64;
    Rating::ALL.into_iter().map(Some).chain(std::iter::once(None)).map(|r| (r, count(r))).collect()
}

/// `band_one` names the services in band 1 of the latest watchlist (none before the
/// first snapshot); `severe`, those with an open level 5 alert.
fn needing_attention(
    services: &[LocationSummary],
    band_one: &HashSet<LocationId>,
    severe: &HashSet<LocationId>,
) -> Vec<Attention> {
    let mut needing_attention: Vec<Attention> = services
        .iter()
        .map(|s| {
            let urgent = [
                (band_one.contains(&s.id), Urgency::WatchlistBandOne),
                (severe.contains(&s.id), Urgency::OpenSevereAlert),
            ];
            Attention { service: s.clone(), urgent: urgent.into_iter().filter(|(is, _)| *is).map(|(_, u)| u).collect() }
        })
        .filter(|a| {
            !a.urgent.is_empty() || matches!(a.service.overall, Some(Rating::Inadequate | Rating::RequiresImprovement))
        })
        .collect();
    // Stable, so each group keeps the worst-rating-first order of the search.
    needing_attention.sort_by_key(|a| a.urgent.is_empty());
    needing_attention
}

fn area_complaints(services: &[LocationSummary], complaints: &[ComplaintRecord], today: NaiveDate) -> AreaComplaints {
    let year_ago = today - chrono::Months::new(12);
    let mut counts = AreaComplaints::default();
    let mut overdue: HashMap<&LocationId, u64> = HashMap::new();
    for c in complaints {
        counts.received += u64::from(c.received_on > year_ago);
        match c.closed_on {
            None => {
                counts.open += 1;
                if c.overdue(today).response {
                    counts.overdue += 1;
                    *overdue.entry(&c.location_id).or_default() += 1;
                }
            }
            Some(closed) if closed > year_ago => {
                counts.closed += 1;
                counts.upheld += u64::from(matches!(c.outcome, Some(Outcome::Upheld | Outcome::PartlyUpheld)));
            }
            Some(_) => {}
        }
    }
    counts.overdue_by_service = services
        .iter()
        .filter_map(|s| overdue.get(&s.id).map(|&count| ServiceCount { service: s.clone(), count }))
        .collect();
    counts.overdue_by_service.sort_by_key(|s| std::cmp::Reverse(s.count));
    counts
}

fn area_plans(services: &[LocationSummary], plans: &[Plan], today: NaiveDate) -> Vec<AreaPlan> {
    let by_id: HashMap<&LocationId, &LocationSummary> = services.iter().map(|s| (&s.id, s)).collect();
    plans
        .iter()
        .filter_map(|p| {
            Some(AreaPlan {
                service: (*by_id.get(&p.location_id)?).clone(),
                plan_id: p.id,
                title: p.title.clone(),
                started_on: p.started_on,
                progress: progress(p, today),
                published: p.publication.is_some(),
            })
        })
        .collect()
}

/// The services in the authority with an open safeguarding alert at level 5.
async fn open_severe_alerts(store: &dyn VoiceStore, local_authority: &str) -> StoreResult<HashSet<LocationId>> {
    let scope = AlertScope::LocalAuthorities(vec![local_authority.to_string()]);
    let open = store.alerts(&scope, true, OPEN_ALERTS_READ).await?;
    Ok(open.into_iter().filter(|a| a.level >= Criticality::SEVERE).map(|a| a.location_id).collect())
}

/// Every registered location in the authority, worst rating first.
async fn all_locations_in(store: &dyn RegisterStore, local_authority: &str) -> StoreResult<Vec<LocationSummary>> {
    let query = LocationQuery {
        local_authority: Some(local_authority.to_string()),
        sort: LocationSort::RatingWorst,
        ..LocationQuery::default()
    };
    candour_store::search_all(store, &query).await
}
