//! Works out what an input changes in the register: which locations, providers and
//! ratings to add or replace, and which locations a full listing shows have gone.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, Utc};

use candour_domain::{Location, LocationId, Provider, ProviderId, RatingRecord, RegistrationStatus};
use candour_store::{ImportPlan, RatingKey, RegisterSnapshot};

use crate::error::{ImportRejected, RowProblem, count_rows};
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
}

/// A plan ready to apply, and the problems of the rows it skipped.
#[derive(Debug, Clone)]
pub struct Planned {
    pub plan: ImportPlan,
    pub problems: Vec<RowProblem>,
}

/// Compares `parsed` with the register. Any invalid row refuses the whole input
/// (listing every problem) unless `opts.skip_invalid`.
pub fn plan(parsed: Parsed, snapshot: &RegisterSnapshot, opts: &ImportOptions) -> Result<Planned, ImportRejected> {
    let Parsed { kind, origin, produced_on, carried, locations, providers, mut problems, mentioned } = parsed;
    let incoming_providers: HashMap<ProviderId, Provider> = providers.into_iter().map(|p| (p.id.clone(), p)).collect();
    let accepted = accept(locations, snapshot, carried, &incoming_providers, &mut problems);
    if !problems.is_empty() && !opts.skip_invalid {
        return Err(ImportRejected { problems });
    }
    let mut planner =
        Planner { snapshot, carried, plan: ImportPlan { kind: kind.code().to_string(), origin, ..Default::default() } };
    let mut used_providers = HashSet::new();
    for incoming in accepted {
        used_providers.insert(incoming.resolved.provider_id.clone());
        planner.location(incoming);
    }
    planner.providers(incoming_providers, &used_providers);
    if kind.lists_every_active_location() && !opts.partial {
        planner.deregister_absent(&mentioned, produced_on.unwrap_or_else(|| Utc::now().date_naive()));
    }
    planner.plan.counts.skipped_rows = count_rows(&problems);
    Ok(Planned { plan: planner.plan, problems })
}

/// An incoming location that can be imported.
struct Accepted {
    /// The location as it will stand after the import: new, or the register's entry
    /// with what the input carries merged in.
    resolved: Location,
    ratings: Vec<RatingRecord>,
}

/// Resolves each incoming location against the register, adding a problem for
/// those that cannot be imported: unknown to the register with too little to
/// create them, or run by a provider nobody describes.
fn accept(
    locations: Vec<IncomingLocation>,
    snapshot: &RegisterSnapshot,
    carried: Carried,
    incoming_providers: &HashMap<ProviderId, Provider>,
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
        if !snapshot.providers.contains_key(&resolved.provider_id)
            && !incoming_providers.contains_key(&resolved.provider_id)
        {
            problems.push(problem(format!(
                "location {} is run by provider {}, which is neither in the register nor described in the input",
                incoming.id, resolved.provider_id
            )));
            continue;
        }
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
    /// has been deregistered.
    fn deregister_absent(&mut self, mentioned: &HashSet<LocationId>, on: NaiveDate) {
        let mut gone: Vec<Location> = self
            .snapshot
            .locations
            .values()
            .filter(|l| l.is_registered() && !mentioned.contains(&l.id))
            .cloned()
            .collect();
        gone.sort_by(|a, b| a.id.cmp(&b.id));
        for mut location in gone {
            location.registration.status = RegistrationStatus::Deregistered;
            location.registration.deregistered_on = Some(on);
            self.plan.counts.deregistered += 1;
            self.plan.locations.push(location);
        }
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
