//! One computation of monitoring: every service's indicators and flags for the
//! month, and the watchlist, with the policy and data that produced them.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use candour_domain::LocationId;
use candour_domain::returns::Month;
use candour_engine::monitoring::{
    MonitoringError, MonitoringPolicy, Service, ServiceIndicators, WatchEntry, compute, watchlist,
};

use candour_store::ServiceFacts;

use crate::inputs::Inputs;

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Timings {
    /// Reading what was needed from the store (everything, or the services that changed).
    pub load: Duration,
    /// Indicators, comparisons, flags and watchlist, in memory.
    pub compute: Duration,
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
    /// Band 1 first; `entry_of[i]` is the position of `facts[i]`'s entry.
    pub watchlist: Vec<WatchEntry>,
    entry_of: Vec<usize>,
    index: Arc<HashMap<LocationId, usize>>,
    pub timings: Timings,
}

/// One service's part of a snapshot.
#[derive(Debug, Clone, Copy)]
pub struct Watched<'a> {
    pub facts: &'a ServiceFacts,
    pub service: &'a Service,
    pub results: &'a ServiceIndicators,
    pub entry: &'a WatchEntry,
}

impl Snapshot {
    pub fn compute(
        inputs: &Inputs,
        policy: &MonitoringPolicy,
        today: NaiveDate,
        load: Duration,
    ) -> Result<Snapshot, MonitoringError> {
        let started = Instant::now();
        let results = compute(&inputs.services, inputs.month, today, policy)?;
        let watchlist = watchlist(&results, &policy.bands)?;
        let mut entry_of = vec![0; results.len()];
        for (position, entry) in watchlist.iter().enumerate() {
            if let Some(&i) = inputs.index.get(entry.service_id.as_str()) {
                entry_of[i] = position;
            }
        }
        Ok(Snapshot {
            month: inputs.month,
            from: inputs.from,
            today,
            computed_at: Utc::now(),
            policy: *policy,
            facts: inputs.facts.clone(),
            services: inputs.services.clone(),
            results,
            watchlist,
            entry_of,
            index: inputs.index.clone(),
            timings: Timings { load, compute: started.elapsed() },
        })
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

    /// The service at `i` in the order of `facts`.
    pub fn at(&self, i: usize) -> Watched<'_> {
        Watched {
            facts: &self.facts[i],
            service: &self.services[i],
            results: &self.results[i],
            entry: &self.watchlist[self.entry_of[i]],
        }
    }

    /// The watchlist in order, each entry with its service.
    pub fn ranked(&self) -> impl Iterator<Item = Watched<'_>> {
        self.watchlist.iter().filter_map(|entry| self.index.get(entry.service_id.as_str()).map(|&i| self.at(i)))
    }

    /// How many services are in each band, 1 to 6.
    pub fn band_counts(&self) -> [usize; 6] {
        let mut counts = [0; 6];
        for entry in &self.watchlist {
            counts[usize::from(entry.band.clamp(1, 6)) - 1] += 1;
        }
        counts
    }
}
