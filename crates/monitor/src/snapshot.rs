//! One computation of monitoring: every service's indicators and flags for the
//! month, and the watchlist, with the policy and data that produced them.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use candour_domain::LocationId;
use candour_domain::returns::Month;
use candour_engine::monitoring::{
    MonitoringError, MonitoringPolicy, Service, ServiceIndicators, WatchEntry, compute, recompute, watch_entry,
    watch_order,
};

use candour_domain::people::{Standings, Verdict};
use candour_engine::people::{PeopleRating, rate_people, rating_may_change};
use candour_store::ServiceFacts;

use crate::inputs::{Inputs, NotComputed};

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Timings {
    /// Reading what was needed from the store (everything, or the services that changed).
    pub load: Duration,
    /// Indicators, comparisons, flags and watchlist, in memory.
    pub compute: Duration,
    /// Of `compute`, the people's ratings.
    pub people: Duration,
}

#[derive(Debug, Clone)]
pub struct Snapshot {
    pub month: Month,
    /// The first month of data read.
    pub from: Month,
    pub today: NaiveDate,
    pub computed_at: DateTime<Utc>,
    pub policy: MonitoringPolicy,
    pub facts: Arc<Vec<ServiceFacts>>,
    pub services: Vec<Arc<Service>>,
    /// In the order of `facts`.
    pub results: Vec<ServiceIndicators>,
    /// In the order of `facts`.
    pub entries: Vec<WatchEntry>,
    /// The people's own rating of each service, in the order of `facts`.
    pub people: Vec<PeopleRating>,
    /// The same in brief by location, for the directory to filter and sort by.
    pub standings: Arc<Standings>,
    /// Positions in `facts`, in watchlist order (band 1 first, then by score).
    order: Vec<usize>,
    index: Arc<HashMap<LocationId, usize>>,
    areas: Arc<HashMap<String, Vec<usize>>>,
    /// Registered services whose stored data could not be read, left out of the rest.
    pub not_computed: Arc<Vec<NotComputed>>,
    pub timings: Timings,
}

/// One service's part of a snapshot.
#[derive(Debug, Clone, Copy)]
pub struct Watched<'a> {
    pub facts: &'a ServiceFacts,
    pub service: &'a Service,
    pub results: &'a ServiceIndicators,
    pub entry: &'a WatchEntry,
    pub people: &'a PeopleRating,
}

impl Snapshot {
    /// Everything computed afresh.
    pub fn compute(
        inputs: &Inputs,
        policy: &MonitoringPolicy,
        today: NaiveDate,
        load: Duration,
    ) -> Result<Snapshot, MonitoringError> {
        let started = Instant::now();
        let results = compute(&inputs.services, inputs.month, today, policy)?;
        let entries = watchlist_entries(&results, policy)?;
        let rating = Instant::now();
        let people = rate_people(&inputs.services, inputs.month, &policy.people)?;
        let timings = Timings { load, compute: started.elapsed(), people: rating.elapsed() };
        Ok(Snapshot::of(inputs, policy, today, Computed { results, entries, people }, timings))
    }

    /// `previous` with the peer groups of the services at `changed` computed again:
    /// comparisons and CUSUM charts run within a peer group, so the others stand, as
    /// do the people's ratings when no change reaches the months they are drawn from.
    /// The same result as [`Snapshot::compute`] as long as the month and day are the same.
    pub fn update(
        previous: &Snapshot,
        inputs: &Inputs,
        changed: &[usize],
        load: Duration,
    ) -> Result<Snapshot, MonitoringError> {
        let started = Instant::now();
        let groups: HashSet<&str> = changed.iter().map(|&i| inputs.services[i].peer_group.as_str()).collect();
        let members: Vec<usize> =
            (0..inputs.services.len()).filter(|&i| groups.contains(inputs.services[i].peer_group.as_str())).collect();
        let group: Vec<Arc<Service>> = members.iter().map(|&i| inputs.services[i].clone()).collect();
        let policy = &previous.policy;
        let before: Vec<&ServiceIndicators> = members.iter().map(|&i| &previous.results[i]).collect();
        // Members are in order of position, so each changed service is found by halving.
        let changed: Vec<(usize, &Service)> = changed
            .iter()
            .filter_map(|&i| Some((members.binary_search(&i).ok()?, previous.services[i].as_ref())))
            .collect();
        let fresh = recompute(&group, &before, &changed, inputs.month, previous.today, policy)?;
        let rating = Instant::now();
        let rerate =
            changed.iter().any(|&(at, before)| rating_may_change(before, &group[at], inputs.month, &policy.people));
        let fresh_people = if rerate { Some(rate_people(&group, inputs.month, &policy.people)?) } else { None };
        let people = rating.elapsed();
        // Fresh figures for the members, in order; the others' kept.
        let mut fresh = members.iter().copied().zip(fresh).peekable();
        let mut fresh_people = fresh_people.map(|ratings| members.iter().copied().zip(ratings).peekable());
        let mut computed = Computed::with_capacity(previous.results.len());
        for i in 0..previous.results.len() {
            match fresh.next_if(|&(at, _)| at == i) {
                Some((_, result)) => {
                    computed.entries.push(watch_entry(&result, &policy.bands));
                    computed.results.push(result);
                }
                None => {
                    computed.entries.push(previous.entries[i].clone());
                    computed.results.push(previous.results[i].clone());
                }
            }
            let rated = fresh_people.as_mut().and_then(|ratings| ratings.next_if(|&(at, _)| at == i));
            computed.people.push(rated.map_or_else(|| previous.people[i].clone(), |(_, rating)| rating));
        }
        let timings = Timings { load, compute: started.elapsed(), people };
        Ok(Snapshot::of(inputs, policy, previous.today, computed, timings))
    }

    fn of(
        inputs: &Inputs,
        policy: &MonitoringPolicy,
        today: NaiveDate,
        computed: Computed,
        timings: Timings,
    ) -> Snapshot {
        let Computed { results, entries, people } = computed;
        let standings = standings_of(&inputs.facts, &people);
        let mut order: Vec<usize> = (0..entries.len()).collect();
        order.sort_by(|&a, &b| watch_order(&entries[a], &entries[b]));
        Snapshot {
            month: inputs.month,
            from: inputs.from,
            today,
            computed_at: Utc::now(),
            policy: *policy,
            facts: inputs.facts.clone(),
            services: inputs.services.clone(),
            results,
            entries,
            people,
            standings: Arc::new(standings),
            order,
            index: inputs.index.clone(),
            areas: inputs.areas.clone(),
            not_computed: inputs.not_computed.clone(),
            timings,
        }
    }

    pub fn len(&self) -> usize {
        self.facts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.facts.is_empty()
    }

    pub fn get(&self, id: &LocationId) -> Option<Watched<'_>> {
        self.index.get(id).map(|&i| self.at(i))
    }

    /// The positions of a local authority's services (its name compared ignoring case).
    pub fn in_area(&self, local_authority: &str) -> &[usize] {
        self.areas.get(&local_authority.trim().to_lowercase()).map_or(&[], Vec::as_slice)
    }

    /// Why a registered service was left out, if it was.
    pub fn not_computed(&self, id: &LocationId) -> Option<&NotComputed> {
        self.not_computed.iter().find(|n| n.location == id.as_str())
    }

    /// The service at `i` in the order of `facts`.
    pub fn at(&self, i: usize) -> Watched<'_> {
        Watched {
            facts: &self.facts[i],
            service: &self.services[i],
            results: &self.results[i],
            entry: &self.entries[i],
            people: &self.people[i],
        }
    }

    /// The watchlist in order, each entry with its service.
    pub fn ranked(&self) -> impl Iterator<Item = Watched<'_>> {
        self.order.iter().map(|&i| self.at(i))
    }

    /// How many services have each people's verdict, in the order of [`Verdict::ALL`].
    pub fn verdict_counts(&self) -> [usize; 4] {
        let mut counts = [0; 4];
        for rating in &self.people {
            counts[Verdict::ALL.iter().position(|v| *v == rating.verdict).unwrap_or(3)] += 1;
        }
        counts
    }

    /// How many services are in each band, 1 to 6.
    pub fn band_counts(&self) -> [usize; 6] {
        let mut counts = [0; 6];
        for entry in &self.entries {
            counts[usize::from(entry.band.clamp(1, 6)) - 1] += 1;
        }
        counts
    }
}

fn standings_of(facts: &[ServiceFacts], people: &[PeopleRating]) -> Standings {
    facts.iter().zip(people).map(|(f, p)| (f.id.clone(), p.standing())).collect()
}

/// What a computation gives each service, in the order of `facts`.
struct Computed {
    results: Vec<ServiceIndicators>,
    entries: Vec<WatchEntry>,
    people: Vec<PeopleRating>,
}

impl Computed {
    fn with_capacity(services: usize) -> Computed {
        Computed {
            results: Vec::with_capacity(services),
            entries: Vec::with_capacity(services),
            people: Vec::with_capacity(services),
        }
    }
}

/// Each service's watchlist entry, in the services' order.
fn watchlist_entries(
    results: &[ServiceIndicators],
    policy: &MonitoringPolicy,
) -> Result<Vec<WatchEntry>, MonitoringError> {
    policy.bands.validate()?;
    Ok(results.iter().map(|r| watch_entry(r, &policy.bands)).collect())
}
