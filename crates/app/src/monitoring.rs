//! Who may see which services' monitoring, and how. Everyone sees the same computation, narrowed to the
//! services they run or oversee (a provider its own, a commissioner its authorities,
//! an inspector England); care staff see none. Those who run a service see it
//! without its voice indicators ([`sees_voice`]).

use std::borrow::Cow;
use std::collections::HashSet;

use candour_domain::{Action, LocationId, Principal, Resource, Role, Scope, authorize};
use candour_engine::monitoring::{
    CATALOGUE, Indicator, MonitoringPolicy, ServiceIndicators, Source, WatchEntry, watch_entry, watch_order,
};
use candour_monitor::{ServiceFacts, Snapshot, Watched};

/// Whether `principal` may see this service's monitoring (the domain's access rule).
pub fn may_see(principal: &Principal, facts: &ServiceFacts) -> bool {
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
pub fn sees_voice(principal: &Principal, facts: &ServiceFacts) -> bool {
    let commissions = |authority: &str| {
        principal.grants.iter().any(|g| {
            g.role == Role::Commissioner
                && matches!(&g.scope, Scope::LocalAuthority(la) if la.eq_ignore_ascii_case(authority))
        })
    };
    principal.has_role(Role::Inspector) || facts.local_authority.as_deref().is_some_and(commissions)
}

/// Whether the indicator comes from people's, staff or partners' voice.
pub fn is_voice(indicator: Indicator) -> bool {
    matches!(indicator.info().source, Source::PeoplesVoice | Source::StaffVoice | Source::PartnersVoice)
}

/// The indicators someone may see, in catalogue order.
pub fn indicators_seen(voice: bool) -> impl Iterator<Item = Indicator> {
    CATALOGUE.iter().map(|info| info.indicator).filter(move |&i| voice || !is_voice(i))
}

/// One service's monitoring as someone may read it: as computed, or, without its
/// voice indicators, with its score, band and reasons worked out again from the rest.
pub struct Seen<'a> {
    watched: Watched<'a>,
    results: Cow<'a, ServiceIndicators>,
    entry: Cow<'a, WatchEntry>,
}

impl<'a> Seen<'a> {
    pub fn of(watched: Watched<'a>, voice: bool, policy: &MonitoringPolicy) -> Self {
        if voice {
            return Seen { watched, results: Cow::Borrowed(watched.results), entry: Cow::Borrowed(watched.entry) };
        }
        let mut results = watched.results.clone();
        results.indicators.retain(|r| !is_voice(r.indicator));
        let entry = watch_entry(&results, &policy.bands);
        Seen { watched, results: Cow::Owned(results), entry: Cow::Owned(entry) }
    }

    pub fn watched(&self) -> Watched<'_> {
        Watched { results: &self.results, entry: &self.entry, ..self.watched }
    }
}

/// The services `principal` may see, as they may see them, in watchlist order.
pub fn visible<'a>(snapshot: &'a Snapshot, principal: &Principal) -> Vec<Seen<'a>> {
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

/// The warning signs in an authority as `principal` may see them: how many of its
/// services are in each watchlist band, and those in the two highest bands, in
/// watchlist order, with why.
pub struct AreaWarnings<'a> {
    pub by_band: [u64; 6],
    pub highest: Vec<Seen<'a>>,
}

pub fn warnings_in<'a>(snapshot: &'a Snapshot, principal: &Principal, local_authority: &str) -> AreaWarnings<'a> {
    let mut warnings = AreaWarnings { by_band: [0; 6], highest: Vec::new() };
    let in_area = visible(snapshot, principal).into_iter().filter(|s| {
        s.watched.facts.local_authority.as_deref().is_some_and(|la| la.eq_ignore_ascii_case(local_authority))
    });
    for seen in in_area {
        let band = seen.entry.band;
        if let Some(count) = warnings.by_band.get_mut(usize::from(band).saturating_sub(1)) {
            *count += 1;
        }
        if band <= 2 {
            warnings.highest.push(seen);
        }
    }
    warnings
}

/// The authority's services in band 1 of the latest watchlist that `principal` may watch.
pub fn band_one_in(snapshot: Option<&Snapshot>, principal: &Principal, local_authority: &str) -> HashSet<LocationId> {
    let Some(snapshot) = snapshot else { return HashSet::new() };
    snapshot
        .ranked()
        .filter(|w| w.entry.band == 1 && w.facts.local_authority.as_deref() == Some(local_authority))
        .filter(|w| may_see(principal, w.facts))
        .map(|w| w.facts.id.clone())
        .collect()
}
