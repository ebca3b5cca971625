//! What the monitoring pages share: the latest snapshot, and which of its services
//! a signed-in person may see. Everyone sees the same computation, narrowed to the
//! services they run or oversee (a provider its own, a commissioner its authorities,
//! an inspector England); care staff see none. Those who run a service see it
//! without its voice indicators ([`sees_voice`]).

use std::borrow::Cow;
use std::sync::Arc;

use candour_domain::{Action, Principal, Resource, Role, Scope, authorize};
use candour_engine::monitoring::{
    CATALOGUE, Indicator, MonitoringPolicy, ServiceIndicators, Source, WatchEntry, watch_entry, watch_order,
};
use candour_monitor::{ServiceFacts, Snapshot, Watched};

use crate::error::WebError;
use crate::state::AppState;

/// The latest snapshot, or a 503 asking to retry while the first is computed.
pub(crate) fn snapshot(state: &AppState) -> Result<Arc<Snapshot>, WebError> {
    state.monitor.current().ok_or(WebError::NotReady)
}

/// Whether `principal` may see this service's monitoring (the domain's access rule).
pub(crate) fn may_see(principal: &Principal, facts: &ServiceFacts) -> bool {
    let resource = Resource::LocationMonitoring {
        location: &facts.id,
        provider: &facts.provider_id,
        local_authority: facts.local_authority.as_deref(),
    };
    authorize(principal, Action::Read, resource).is_allowed()
}

/// Whether `principal` sees this service's voice indicators. Monitoring counts
/// feedback as it arrives, so they move with every response: reading them before
/// and after one would tell those who run the service what that person, or that
/// member of staff, answered. So only those who oversee it (inspectors, its
/// authority's commissioners) see them; those who run it read their published
/// voice figures, which move in batches, on the service's voice page.
pub(crate) fn sees_voice(principal: &Principal, facts: &ServiceFacts) -> bool {
    let commissions = |authority: &str| {
        principal.grants.iter().any(|g| {
            g.role == Role::Commissioner
                && matches!(&g.scope, Scope::LocalAuthority(la) if la.eq_ignore_ascii_case(authority))
        })
    };
    principal.has_role(Role::Inspector) || facts.local_authority.as_deref().is_some_and(commissions)
}

/// Said wherever the voice indicators are left out.
pub(crate) const VOICE_LEFT_OUT: &str = "People's, staff and partners' voice is left out here, and the score and \
     band are worked out without it: monitoring counts each response as it arrives, so these figures could show what \
     one person said. Your published voice figures, which move in batches, are on each service's voice page.";

/// Whether the indicator comes from people's, staff or partners' voice.
pub(crate) fn is_voice(indicator: Indicator) -> bool {
    matches!(indicator.info().source, Source::PeoplesVoice | Source::StaffVoice | Source::PartnersVoice)
}

/// The indicators someone may see, in catalogue order.
pub(crate) fn indicators_seen(voice: bool) -> impl Iterator<Item = Indicator> {
    CATALOGUE.iter().map(|info| info.indicator).filter(move |&i| voice || !is_voice(i))
}

/// One service's monitoring as someone may read it: as computed, or, without its
/// voice indicators, with its score, band and reasons worked out again from the rest.
pub(crate) struct Seen<'a> {
    watched: Watched<'a>,
    results: Cow<'a, ServiceIndicators>,
    entry: Cow<'a, WatchEntry>,
}

impl<'a> Seen<'a> {
    pub(crate) fn of(watched: Watched<'a>, voice: bool, policy: &MonitoringPolicy) -> Self {
        if voice {
            return Seen { watched, results: Cow::Borrowed(watched.results), entry: Cow::Borrowed(watched.entry) };
        }
        let mut results = watched.results.clone();
        results.indicators.retain(|r| !is_voice(r.indicator));
        let entry = watch_entry(&results, &policy.bands);
        Seen { watched, results: Cow::Owned(results), entry: Cow::Owned(entry) }
    }

    pub(crate) fn watched(&self) -> Watched<'_> {
        Watched { facts: self.watched.facts, service: self.watched.service, results: &self.results, entry: &self.entry }
    }
}

/// The services `principal` may see, as they may see them, in watchlist order.
pub(crate) fn visible<'a>(snapshot: &'a Snapshot, principal: &Principal) -> Vec<Seen<'a>> {
    let mut seen: Vec<Seen<'a>> = snapshot
        .ranked()
        .filter(|row| may_see(principal, row.facts))
        .map(|row| Seen::of(row, sees_voice(principal, row.facts), &snapshot.policy))
        .collect();
    // Entries worked out again may move in the order; the snapshot's own are in it already.
    if seen.iter().any(|s| matches!(s.entry, Cow::Owned(_))) {
        seen.sort_by(|a, b| watch_order(&a.entry, &b.entry));
    }
    seen
}
