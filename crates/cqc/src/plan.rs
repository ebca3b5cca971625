//! Works out what an input changes in the register: which locations, providers and
//! ratings to add or replace, and which locations a full listing shows have gone.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, Utc};

use candour_domain::{Location, LocationId, Provider, ProviderId, RatingRecord, RegistrationStatus};
use candour_store::{ImportPlan, RatingKey, RegisterSnapshot};

use crate::error::{ImportRejected, PlanRefused, RowProblem, count_rows};
use crate::fields::{Carried, merge_location, merge_provider, merge_rating};
use crate::{IncomingLocation, Parsed};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Plan the valid rows and skip the invalid ones (still listed and counted),
    /// instead of refusing the whole input.
    pub skip_invalid: bool,
    /// The input is an extract (one council's services, say) rather than the whole
    /// register: locations missing from it are not deregistered.
    pub partial: bool,
    /// How many locations the import may deregister, when more than
    /// [`deregistrations_allowed`] would allow.
    pub allow_deregistering: Option<u64>,
}

/// The share of the registered locations, in per cent, that one import may
/// deregister unless told how many it may. Services close at well under 1 % of
/// the register a month, so even a few months' closures fit; a file cut short,
/// filtered or for the wrong region would deregister far more.
pub const DEREGISTER_PERCENT: u64 = 5;
/// A small register may always lose this many, so that its ordinary closures
/// need no flag.
pub const DEREGISTER_AT_LEAST: u64 = 10;

/// How many of `registered` locations an import may deregister by default.
pub fn deregistrations_allowed(registered: u64) -> u64 {
    (registered * DEREGISTER_PERCENT / 100).max(DEREGISTER_AT_LEAST)
}

/// A plan ready to apply, and the problems of the rows it skipped.
#[derive(Debug, Clone)]
pub struct Planned {
    pub plan: ImportPlan,
    pub problems: Vec<RowProblem>,
    /// The locations the plan deregisters, by ID.
    pub deregistered: Vec<LocationId>,
}

/// Compares `parsed` with the register. Any invalid row refuses the whole input
/// (listing every problem) unless `opts.skip_invalid`; so does deregistering more
/// locations than allowed (see [`deregistrations_allowed`]).
pub fn plan(parsed: Parsed, snapshot: &RegisterSnapshot, opts: &ImportOptions) -> Result<Planned, PlanRefused> {
    let Parsed { kind, origin, produced_on, carried, locations, providers, mut problems, mentioned } = parsed;
    let mut incoming_providers: HashMap<ProviderId, Provider> =
        providers.into_iter().map(|p| (p.id.clone(), p)).collect();
    let accepted = accept(locations, snapshot, carried, &mut problems);
    // A location may arrive before its provider's record: it is imported with the
    // provider's ID, and the provider's details fill in when its record arrives.
    for a in &accepted {
        let id = &a.resolved.provider_id;
        if !snapshot.providers.contains_key(id) && !incoming_providers.contains_key(id) {
            incoming_providers.insert(id.clone(), Provider::awaiting_details(id.clone()));
        }
    }
    if !problems.is_empty() && !opts.skip_invalid {
        return Err(ImportRejected { problems }.into());
    }
    let mut planner =
        Planner { snapshot, carried, plan: ImportPlan { kind: kind.code().to_string(), origin, ..Default::default() } };
    let mut used_providers = HashSet::new();
    for incoming in accepted {
        used_providers.insert(incoming.resolved.provider_id.clone());
        planner.location(incoming);
    }
    planner.providers(incoming_providers, &used_providers);
    let mut deregistered = Vec::new();
    if kind.lists_every_active_location() && !opts.partial {
        let on = produced_on.unwrap_or_else(|| Utc::now().date_naive());
        deregistered = planner.deregister_absent(&mentioned, on);
        check_deregistrations(snapshot, &deregistered, opts.allow_deregistering)?;
    }
    planner.plan.counts.skipped_rows = count_rows(&problems);
    Ok(Planned { plan: planner.plan, problems, deregistered })
}

/// Refuses deregistering more locations than allowed: `allowed`, or by default
/// a share of those registered.
fn check_deregistrations(
    snapshot: &RegisterSnapshot,
    deregistered: &[LocationId],
    allowed: Option<u64>,
) -> Result<(), PlanRefused> {
    let registered = snapshot.locations.values().filter(|l| l.is_registered()).count() as u64;
    let allowed = allowed.unwrap_or_else(|| deregistrations_allowed(registered));
    let would = deregistered.len() as u64;
    if would > allowed {
        return Err(PlanRefused::TooManyDeregistered { would, registered, allowed, ids: deregistered.to_vec() });
    }
    Ok(())
}

/// An incoming location that can be imported.
struct Accepted {
    /// The location as it will stand after the import: new, or the register's entry
    /// with what the input carries merged in.
    resolved: Location,
    ratings: Vec<RatingRecord>,
}

/// Resolves each incoming location against the register, adding a problem for
/// those that cannot be imported: unknown to the register with too little to create them.
fn accept(
    locations: Vec<IncomingLocation>,
    snapshot: &RegisterSnapshot,
    carried: Carried,
    problems: &mut Vec<RowProblem>,
) -> Vec<Accepted> {
    let mut accepted = Vec::with_capacity(locations.len());
    for incoming in locations {
        let problem =
            |message: String| RowProblem { line: incoming.line, column: None, message, file: incoming.file.clone() };
        let existing = snapshot.locations.get(&incoming.id);
        let resolved = match (existing, incoming.location) {
            (Some(current), Some(new)) => Some(merge_location(current, new, carried.location)),
            (Some(current), None) => Some(current.clone()),
            (None, Some(new)) => Some(new),
            (None, None) => {
                problems.push(problem(format!(
                    "location {} is not in the register, and the row lacks the location's name or provider ID needed to add it",
                    incoming.id
                )));
                None
            }
        };
        let Some(resolved) = resolved else { continue };
        accepted.push(Accepted { resolved, ratings: incoming.ratings });
    }
    accepted
}

struct Planner<'s> {
    snapshot: &'s RegisterSnapshot,
    carried: Carried,
    plan: ImportPlan,
}

impl Planner<'_> {
    fn location(&mut self, incoming: Accepted) {
        let Accepted { resolved, ratings } = incoming;
        match self.snapshot.locations.get(&resolved.id) {
            None => {
                self.plan.counts.added += 1;
                self.plan.locations.push(resolved);
            }
            Some(current) if *current == resolved => self.plan.counts.unchanged += 1,
            Some(_) => {
                self.plan.counts.changed += 1;
                self.plan.locations.push(resolved);
            }
        }
        for rating in ratings {
            self.rating(rating);
        }
    }

    fn rating(&mut self, incoming: RatingRecord) {
        let counts = &mut self.plan.counts;
        match self.snapshot.ratings.get(&RatingKey::of(&incoming)) {
            None => {
                counts.ratings_added += 1;
                self.plan.ratings.push(incoming);
            }
            Some(current) => {
                let merged = merge_rating(current, incoming, self.carried.rating);
                if merged == *current {
                    counts.ratings_unchanged += 1;
                } else {
                    counts.ratings_changed += 1;
                    self.plan.ratings.push(merged);
                }
            }
        }
    }

    /// Providers the input describes and its accepted locations use.
    fn providers(&mut self, incoming: HashMap<ProviderId, Provider>, used: &HashSet<ProviderId>) {
        let mut providers: Vec<Provider> = incoming.into_values().filter(|p| used.contains(&p.id)).collect();
        providers.sort_by(|a, b| a.id.cmp(&b.id));
        for provider in providers {
            match self.snapshot.providers.get(&provider.id) {
                None => {
                    self.plan.counts.providers_added += 1;
                    self.plan.providers.push(provider);
                }
                Some(current) => {
                    let merged = merge_provider(current, provider, self.carried.provider);
                    if merged != *current {
                        self.plan.counts.providers_changed += 1;
                        self.plan.providers.push(merged);
                    }
                }
            }
        }
    }

    /// A full listing of active locations that lacks a registered location means it
    /// has been deregistered. Returns those deregistered.
    fn deregister_absent(&mut self, mentioned: &HashSet<LocationId>, on: NaiveDate) -> Vec<LocationId> {
        let mut gone: Vec<Location> = self
            .snapshot
            .locations
            .values()
            .filter(|l| l.is_registered() && !mentioned.contains(&l.id))
            .cloned()
            .collect();
        gone.sort_by(|a, b| a.id.cmp(&b.id));
        let ids = gone.iter().map(|l| l.id.clone()).collect();
        for mut location in gone {
            location.registration.status = RegistrationStatus::Deregistered;
            location.registration.deregistered_on = Some(on);
            self.plan.counts.deregistered += 1;
            self.plan.locations.push(location);
        }
        ids
    }
}

/// Brings an in-memory snapshot up to date with a plan that has been applied, so
/// that a caller importing in batches (as the API sync does) need not re-read the
/// register between batches.
pub fn update_snapshot(snapshot: &mut RegisterSnapshot, plan: &ImportPlan) {
    for provider in &plan.providers {
        snapshot.providers.insert(provider.id.clone(), provider.clone());
    }
    for location in &plan.locations {
        snapshot.locations.insert(location.id.clone(), location.clone());
    }
    for rating in &plan.ratings {
        snapshot.ratings.insert(RatingKey::of(rating), rating.clone());
    }
}
