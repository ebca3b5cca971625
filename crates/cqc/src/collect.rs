//! Gathers the rows of one input into [`Parsed`]: one entry per location, one per
//! provider, with every problem kept.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use candour_domain::{LocationId, Provider, ProviderId, RatingRecord};

use crate::error::RowProblem;
use crate::{Carried, IncomingLocation, Parsed, SourceKind};

#[derive(Default)]
pub(crate) struct Collector {
    locations: Vec<IncomingLocation>,
    index: HashMap<LocationId, usize>,
    providers: Vec<Provider>,
    provider_index: HashMap<ProviderId, usize>,
    problems: Vec<RowProblem>,
    mentioned: HashSet<LocationId>,
    /// Locations with at least one invalid row: left out whole, so that nothing
    /// partial about them is written.
    rejected: HashSet<LocationId>,
}

impl Collector {
    pub fn new() -> Self {
        Self::default()
    }

    /// Notes that the input names this location, whether or not its row is valid.
    pub fn mention(&mut self, raw_id: &str) -> Option<LocationId> {
        let id = LocationId::parse(raw_id).ok()?;
        if !self.mentioned.contains(&id) {
            self.mentioned.insert(id.clone());
        }
        Some(id)
    }

    /// Records a row's problems; its location (if its ID could be read) is left out.
    pub fn reject(&mut self, id: Option<LocationId>, problems: Vec<RowProblem>) {
        if let Some(id) = id {
            self.rejected.insert(id);
        }
        self.problems.extend(problems);
    }

    pub fn is_rejected(&self, id: &LocationId) -> bool {
        self.rejected.contains(id)
    }

    pub fn get_mut(&mut self, id: &LocationId) -> Option<&mut IncomingLocation> {
        let i = *self.index.get(id)?;
        self.locations.get_mut(i)
    }

    /// Adds a location not seen before; the caller merges duplicates via [`Self::get_mut`].
    pub fn insert(&mut self, incoming: IncomingLocation) {
        self.index.insert(incoming.id.clone(), self.locations.len());
        self.locations.push(incoming);
    }

    /// Keeps the first description of each provider.
    pub fn add_provider(&mut self, provider: Provider) {
        if !self.provider_index.contains_key(&provider.id) {
            self.provider_index.insert(provider.id.clone(), self.providers.len());
            self.providers.push(provider);
        }
    }

    pub fn finish(self, kind: SourceKind, origin: String, produced_on: Option<NaiveDate>, carried: Carried) -> Parsed {
        let rejected = self.rejected;
        let locations = self.locations.into_iter().filter(|l| !rejected.contains(&l.id)).collect();
        Parsed {
            kind,
            origin,
            produced_on,
            carried,
            locations,
            providers: self.providers,
            problems: self.problems,
            mentioned: self.mentioned,
        }
    }
}

/// Adds `rating` to `ratings` unless one with the same service group and date is
/// there already: the first one seen is kept.
pub(crate) fn add_rating(ratings: &mut Vec<RatingRecord>, rating: RatingRecord) {
    let same = |r: &&RatingRecord| r.service_group == rating.service_group && r.published == rating.published;
    if !ratings.iter().any(|r| same(&r)) {
        ratings.push(rating);
    }
}
