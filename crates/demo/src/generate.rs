//! The register, built in passes: services are drafted (kind, place, registration),
//! some are marked as changes of owner, drafts are shared among providers of
//! heavy-tailed sizes, then each provider and its services are written out with
//! their rating histories.

use std::collections::HashSet;

use candour_domain::{
    Location, LocationId, Provider, ProviderId, RatingRecord, Registration, RegistrationStatus, Relationship,
    RelationshipKind, normalise_names,
};
use candour_store::{ImportCounts, ImportPlan};
use chrono::{Datelike, NaiveDate};
use fastrand::Rng;

use crate::Scale;
use crate::data::{self, OtherService};
use crate::names::{self, Family, Ownership, ProviderName, ProviderNamer};
use crate::pick::{self, chance, chance_per_mille, date_between, days_after, days_before};
use crate::places::{self, Geography, Place};
use crate::ratings::{self, RATINGS_BEGAN, Tilt};

/// The day the demo register describes. Fixed, so that the output never depends on the clock.
pub const REGISTER_DATE: NaiveDate = date(2026, 10, 1);
/// Registration under the Health and Social Care Act 2008 began on this day.
const HSCA_START: NaiveDate = date(2010, 10, 1);
/// Changes of owner are drawn from this day on, so that most predecessors were rated.
const CHANGES_FROM: NaiveDate = date(2015, 4, 1);
/// Providers with at least this many services trade under a brand.
const BRAND_FROM: usize = 12;

const fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(d) => d,
        None => panic!("valid date"),
    }
}

// ---------------------------------------------------------------- the shape of a register

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    NursingHome,
    CareHome,
    Homecare,
    SupportedLiving,
    ExtraCare,
    SharedLives,
    Other,
}

impl Kind {
    fn is_care_home(self) -> bool {
        matches!(self, Kind::NursingHome | Kind::CareHome)
    }

    /// Care homes are slot 0 and community services slot 1 of the provider pools.
    fn slot(self) -> usize {
        usize::from(!self.is_care_home())
    }

    fn rating_mix(self) -> [u32; 4] {
        match self {
            Kind::NursingHome => data::NURSING_RATING_MIX,
            Kind::CareHome => data::CARE_HOME_RATING_MIX,
            _ => data::COMMUNITY_RATING_MIX,
        }
    }
}

/// Who lives in a care home without nursing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Residents {
    OlderPeople,
    LearningDisability,
    MentalHealth,
}

struct Shape {
    kinds: [(Kind, u32); 7],
    changes_of_owner: u32,
    large_groups: u32,
    large_group_sizes: (u32, u32),
    /// The most services any other provider runs.
    largest_other: u32,
}

impl Shape {
    fn of(scale: Scale) -> Self {
        match scale {
            Scale::National => Shape {
                kinds: [
                    (Kind::NursingHome, 4_000),
                    (Kind::CareHome, 11_000),
                    (Kind::Homecare, 10_500),
                    (Kind::SupportedLiving, 2_800),
                    (Kind::ExtraCare, 600),
                    (Kind::SharedLives, 150),
                    (Kind::Other, 900),
                ],
                changes_of_owner: 400,
                large_groups: 6,
                large_group_sizes: (100, 300),
                largest_other: 99,
            },
            Scale::Small => Shape {
                kinds: [
                    (Kind::NursingHome, 40),
                    (Kind::CareHome, 110),
                    (Kind::Homecare, 105),
                    (Kind::SupportedLiving, 28),
                    (Kind::ExtraCare, 6),
                    (Kind::SharedLives, 2),
                    (Kind::Other, 9),
                ],
                changes_of_owner: 6,
                large_groups: 1,
                large_group_sizes: (12, 20),
                largest_other: 8,
            },
        }
    }
}

// ---------------------------------------------------------------- drafts

/// A service before it has an owner.
struct Draft {
    kind: Kind,
    residents: Residents,
    other: Option<&'static OtherService>,
    place: Place,
    /// For a change of owner, this is when the predecessor was registered.
    registered_on: NaiveDate,
    /// Registered recently and not yet rated.
    is_new: bool,
    /// When the service changed owner: the successor is registered on this day.
    change_of_owner: Option<NaiveDate>,
}

fn draft_all(rng: &mut Rng, shape: &Shape, geography: &Geography) -> Vec<Draft> {
    let mut kinds: Vec<Kind> =
        shape.kinds.iter().flat_map(|&(kind, count)| std::iter::repeat_n(kind, count as usize)).collect();
    rng.shuffle(&mut kinds);
    kinds.into_iter().map(|kind| draft(rng, kind, geography)).collect()
}

fn draft(rng: &mut Rng, kind: Kind, geography: &Geography) -> Draft {
    let place = geography.pick(rng);
    let residents = *pick::weighted(
        rng,
        &[(Residents::OlderPeople, 75), (Residents::LearningDisability, 18), (Residents::MentalHealth, 7)],
    );
    let other = (kind == Kind::Other).then(|| pick_other(rng));
    let is_new = chance_per_mille(rng, 95);
    let registered_on = if is_new {
        date_between(rng, days_before(REGISTER_DATE, 600), days_before(REGISTER_DATE, 14))
    } else if chance(rng, 22) {
        HSCA_START
    } else {
        date_between(rng, days_after(HSCA_START, 1), days_before(REGISTER_DATE, 610))
    };
    Draft { kind, residents, other, place, registered_on, is_new, change_of_owner: None }
}

fn pick_other(rng: &mut Rng) -> &'static OtherService {
    let i = pick::weighted_index(rng, data::OTHER_SERVICES.iter().map(|s| u64::from(s.weight)));
    &data::OTHER_SERVICES[i]
}

/// Marks some established services as having changed owner. The predecessor keeps
/// the first registration date; one registered too close to the change is moved back
/// to the start of registration.
fn mark_changes_of_owner(rng: &mut Rng, drafts: &mut [Draft], count: u32) {
    let mut established: Vec<usize> = (0..drafts.len()).filter(|&i| !drafts[i].is_new).collect();
    rng.shuffle(&mut established);
    for &i in established.iter().take(count as usize) {
        let change = date_between(rng, CHANGES_FROM, days_before(REGISTER_DATE, 90));
        let d = &mut drafts[i];
        if d.registered_on > days_before(change, 400) {
            d.registered_on = HSCA_START;
        }
        d.change_of_owner = Some(change);
    }
}

// ---------------------------------------------------------------- owners

/// A provider before it is named: what it runs and which drafts are its services.
struct Owner {
    family: Family,
    ownership: Ownership,
    tilt: Tilt,
    drafts: Vec<usize>,
}

/// Services not yet given an owner, by pool (care homes, community) and region.
struct Pools {
    slots: [[Vec<usize>; 9]; 2],
}

impl Pools {
    fn new(drafts: &[Draft]) -> Self {
        let mut slots: [[Vec<usize>; 9]; 2] = Default::default();
        for (i, d) in drafts.iter().enumerate() {
            slots[d.kind.slot()][d.place.region_slot()].push(i);
        }
        Self { slots }
    }

    fn remaining(&self, slot: usize) -> usize {
        self.slots[slot].iter().map(Vec::len).sum()
    }

    /// A pool slot in proportion to what is left in each.
    fn weighted_slot(&self, rng: &mut Rng) -> usize {
        pick::weighted_index(rng, [self.remaining(0) as u64, self.remaining(1) as u64])
    }

    fn region_in(&self, rng: &mut Rng, slots: &[usize]) -> usize {
        let weight = |r: usize| slots.iter().map(|&s| self.slots[s][r].len() as u64).sum::<u64>();
        pick::weighted_index(rng, (0..9).map(weight))
    }

    /// A service from the slot, in the region if it has one left there, else from
    /// anywhere; from the other slot only when this one is empty.
    fn take(&mut self, rng: &mut Rng, slot: usize, region: Option<usize>) -> Option<usize> {
        for s in [slot, 1 - slot] {
            if self.remaining(s) == 0 {
                continue;
            }
            let r = match region {
                Some(r) if !self.slots[s][r].is_empty() => r,
                _ => self.region_in(rng, &[s]),
            };
            let pool = &mut self.slots[s][r];
            return Some(pool.swap_remove(rng.usize(0..pool.len())));
        }
        None
    }
}

/// Heavy-tailed provider sizes adding up to `total`, largest first so that the
/// big groups are served while every pool is still full.
fn provider_sizes(rng: &mut Rng, total: u32, shape: &Shape) -> Vec<u32> {
    let mut sizes = Vec::new();
    let mut left = total;
    let (low, high) = shape.large_group_sizes;
    for _ in 0..shape.large_groups {
        let size = rng.u32(low..=high).min(left);
        if size > 0 {
            sizes.push(size);
            left -= size;
        }
    }
    while left > 0 {
        let size = pick::from_buckets(rng, data::PROVIDER_SIZES).min(shape.largest_other).min(left);
        sizes.push(size);
        left -= size;
    }
    sizes.sort_unstable_by(|a, b| b.cmp(a));
    sizes
}

fn assign_owners(rng: &mut Rng, drafts: &[Draft], shape: &Shape) -> Vec<Owner> {
    let mut pools = Pools::new(drafts);
    let sizes = provider_sizes(rng, drafts.len() as u32, shape);
    sizes.into_iter().map(|size| owner(rng, &mut pools, size as usize)).collect()
}

fn owner(rng: &mut Rng, pools: &mut Pools, size: usize) -> Owner {
    let family = if size >= 2 && chance(rng, 10) {
        Family::Mixed
    } else if pools.weighted_slot(rng) == 0 {
        Family::CareHomes
    } else {
        Family::Community
    };
    let slots: &[usize] = match family {
        Family::CareHomes => &[0],
        Family::Community => &[1],
        Family::Mixed => &[0, 1],
    };
    // Small providers work in one region; the large groups nationally.
    let home = (size <= 20).then(|| pools.region_in(rng, slots));
    let drafts = (0..size)
        .filter_map(|_| {
            let slot = if family == Family::Mixed { pools.weighted_slot(rng) } else { slots[0] };
            pools.take(rng, slot, home)
        })
        .collect();
    Owner { family, ownership: ownership(rng, size, family), tilt: ratings::draw_tilt(rng), drafts }
}

fn ownership(rng: &mut Rng, size: usize, family: Family) -> Ownership {
    if size == 1 {
        *pick::weighted(
            rng,
            &[
                (Ownership::Company, 86),
                (Ownership::Individual, 7),
                (Ownership::Partnership, 3),
                (Ownership::Charity, 4),
            ],
        )
    } else if size <= 15 && family != Family::CareHomes && chance(rng, 3) {
        Ownership::LocalAuthority
    } else if chance(rng, 8) {
        Ownership::Charity
    } else {
        Ownership::Company
    }
}

// ---------------------------------------------------------------- identifiers

/// Hands out the regulator's identifiers, never the same number twice. Older
/// registrations have shorter numbers, as in the published register.
#[derive(Default)]
struct Ids {
    used: HashSet<u64>,
}

impl Ids {
    fn number(&mut self, rng: &mut Rng, registered_on: NaiveDate) -> String {
        let range = match registered_on.year() {
            ..2014 => 100_000_000..=199_999_999,
            2014..2019 => 1_000_000_000..=9_999_999_999,
            _ => 10_000_000_000..=19_999_999_999,
        };
        loop {
            let n = rng.u64(range.clone());
            if self.used.insert(n) {
                return format!("1-{n}");
            }
        }
    }

    fn location(&mut self, rng: &mut Rng, registered_on: NaiveDate) -> LocationId {
        LocationId::parse(&self.number(rng, registered_on)).expect("1- and digits is a valid location ID")
    }

    fn provider(&mut self, rng: &mut Rng, registered_on: NaiveDate) -> ProviderId {
        ProviderId::parse(&self.number(rng, registered_on)).expect("1- and digits is a valid provider ID")
    }
}

// ---------------------------------------------------------------- the register

/// The register as it is written out.
#[derive(Default)]
struct Register {
    ids: Ids,
    namer: ProviderNamer,
    brands: u32,
    providers: Vec<Provider>,
    tilts: Vec<Tilt>,
    /// For each location, the index of its provider.
    owners: Vec<usize>,
    /// For each provider, how many locations it has so far.
    location_counts: Vec<u32>,
    locations: Vec<Location>,
    ratings: Vec<RatingRecord>,
}

/// What building a service needs to know about its provider.
struct ProviderContext<'a> {
    index: usize,
    id: ProviderId,
    name: &'a ProviderName,
    multi_site: bool,
    brand: Option<(String, String)>,
}

impl Register {
    fn add_owner(&mut self, rng: &mut Rng, owner: &Owner, drafts: &[Draft]) {
        let name = self.namer.name(rng, owner.family, owner.ownership);
        let first_registered =
            owner.drafts.iter().map(|&i| drafts[i].change_of_owner.unwrap_or(drafts[i].registered_on)).min();
        let mut provider = Provider::new(self.ids.provider(rng, first_registered.unwrap_or(HSCA_START)), &name.legal);
        provider.sector = Some(owner.ownership.sector().to_string());
        provider.ownership_type = Some(owner.ownership.ownership_type().to_string());
        if owner.drafts.len() >= BRAND_FROM {
            self.brands += 1;
            provider.brand_id = Some(format!("BD{}", 100 + self.brands));
            provider.brand_name = Some(format!("BRAND {}", name.trading));
        }
        let context = ProviderContext {
            index: self.providers.len(),
            id: provider.id.clone(),
            name: &name,
            multi_site: owner.drafts.len() > 1,
            brand: provider.brand_id.clone().zip(provider.brand_name.clone()),
        };
        self.push_provider(provider, owner.tilt);
        let mut taken = HashSet::new();
        for (n, &i) in owner.drafts.iter().enumerate() {
            let location = build_location(rng, &mut self.ids, &drafts[i], &context, &mut taken);
            // The provider's own address is that of its first service, its head office.
            if n == 0 {
                self.providers[context.index].address = location.address.clone();
            }
            self.add_service(rng, &drafts[i], location, context.index, owner.family);
        }
    }

    /// Adds a service with its ratings; for a change of owner, its predecessor too.
    fn add_service(&mut self, rng: &mut Rng, draft: &Draft, mut location: Location, provider: usize, family: Family) {
        let tilt = self.tilts[provider];
        let mix = draft.kind.rating_mix();
        let mut ratings = Vec::new();
        match draft.change_of_owner {
            _ if draft.is_new => {}
            None => {
                let earliest = days_after(draft.registered_on, 200).max(RATINGS_BEGAN);
                let history = ratings::history(rng, mix, tilt, earliest, REGISTER_DATE);
                ratings = ratings::records(rng, &location.id, &history);
            }
            Some(change) => {
                let inherited = self.add_predecessor(rng, draft, &mut location, change, provider, family);
                if let Some(latest) = inherited {
                    ratings.push(RatingRecord { location_id: location.id.clone(), inherited: true, ..latest });
                }
                // About half have since been inspected under their new owner.
                if chance(rng, 55) {
                    let history = ratings::history(rng, mix, tilt, days_after(change, 200), REGISTER_DATE);
                    ratings.extend(ratings::records(rng, &location.id, &history));
                }
            }
        }
        note_inspections(rng, &mut location, &ratings);
        self.push_location(location, provider);
        self.ratings.extend(ratings);
    }

    /// Writes the deregistered predecessor of a service that changed owner, links the
    /// two both ways, and returns the predecessor's latest rating for the successor
    /// to inherit.
    fn add_predecessor(
        &mut self,
        rng: &mut Rng,
        draft: &Draft,
        successor: &mut Location,
        change: NaiveDate,
        new_owner: usize,
        family: Family,
    ) -> Option<RatingRecord> {
        let provider = self.previous_owner(rng, draft, new_owner, family);
        let mut old = successor.clone();
        old.id = self.ids.location(rng, draft.registered_on);
        old.provider_id = self.providers[provider].id.clone();
        old.brand_id = self.providers[provider].brand_id.clone();
        old.brand_name = self.providers[provider].brand_name.clone();
        if draft.kind.is_care_home() && chance(rng, 30) {
            old.name = names::care_home(rng, draft.kind == Kind::NursingHome);
        }
        old.registration = Registration {
            status: RegistrationStatus::Deregistered,
            registered_on: Some(draft.registered_on),
            deregistered_on: Some(days_before(change, 1)),
        };
        old.dormant = None;
        old.registered_manager = None;
        old.registered_manager_absent_since = None;
        link(&mut old, successor);

        let earliest = days_after(draft.registered_on, 200).max(RATINGS_BEGAN);
        let mix = draft.kind.rating_mix();
        let history = ratings::history(rng, mix, self.tilts[provider], earliest, days_before(change, 30));
        let records = ratings::records(rng, &old.id, &history);
        note_inspections(rng, &mut old, &records);
        let latest = records.last().cloned();
        self.push_location(old, provider);
        self.ratings.extend(records);
        latest
    }

    /// Most services that change hands come from an owner who then leaves the
    /// register; some from another organisation already in it.
    fn previous_owner(&mut self, rng: &mut Rng, draft: &Draft, new_owner: usize, family: Family) -> usize {
        if new_owner > 0 && chance(rng, 30) {
            for _ in 0..10 {
                let candidate = rng.usize(0..new_owner);
                // A provider near the size of the largest groups does not grow further.
                if self.location_counts[candidate] < 250 && is_registered_organisation(&self.providers[candidate]) {
                    return candidate;
                }
            }
        }
        let ownership = *pick::weighted(rng, &[(Ownership::Company, 80), (Ownership::Individual, 20)]);
        let name = self.namer.name(rng, family, ownership);
        let mut provider = Provider::new(self.ids.provider(rng, draft.registered_on), name.legal);
        provider.sector = Some(ownership.sector().to_string());
        provider.ownership_type = Some(ownership.ownership_type().to_string());
        // Its registration follows from its one service, in `settle_providers`.
        provider.address = places::address(rng, draft.place.authority, true);
        let tilt = ratings::draw_tilt(rng);
        self.push_provider(provider, tilt)
    }

    fn push_provider(&mut self, provider: Provider, tilt: Tilt) -> usize {
        self.providers.push(provider);
        self.tilts.push(tilt);
        self.location_counts.push(0);
        self.providers.len() - 1
    }

    fn push_location(&mut self, location: Location, provider: usize) {
        self.location_counts[provider] += 1;
        self.owners.push(provider);
        self.locations.push(location);
    }

    /// Sets each provider's registration from its services: registered while any
    /// service is, from the first service's registration.
    fn settle_providers(&mut self) {
        let count = self.providers.len();
        let mut first: Vec<Option<NaiveDate>> = vec![None; count];
        let mut any_registered = vec![false; count];
        let mut last_closed: Vec<Option<NaiveDate>> = vec![None; count];
        for (location, &p) in self.locations.iter().zip(&self.owners) {
            let r = &location.registration;
            first[p] = min_date(first[p], r.registered_on);
            any_registered[p] |= location.is_registered();
            last_closed[p] = last_closed[p].max(r.deregistered_on);
        }
        for (p, provider) in self.providers.iter_mut().enumerate() {
            let registered = any_registered[p];
            provider.registration = Registration {
                status: if registered { RegistrationStatus::Registered } else { RegistrationStatus::Deregistered },
                registered_on: first[p],
                deregistered_on: if registered { None } else { last_closed[p] },
            };
        }
    }

    fn into_plan(mut self, scale: Scale, seed: u64) -> ImportPlan {
        self.settle_providers();
        let counts = ImportCounts {
            added: self.locations.len() as u64,
            providers_added: self.providers.len() as u64,
            ratings_added: self.ratings.len() as u64,
            ..ImportCounts::default()
        };
        ImportPlan {
            kind: "demo".to_string(),
            origin: format!("demo:{}:seed={seed}", scale.name()),
            providers: self.providers,
            locations: self.locations,
            ratings: self.ratings,
            counts,
        }
    }
}

fn is_registered_organisation(provider: &Provider) -> bool {
    provider.registration.status == RegistrationStatus::Registered
        && provider.ownership_type.as_deref() == Some("Organisation")
}

fn min_date(a: Option<NaiveDate>, b: Option<NaiveDate>) -> Option<NaiveDate> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn link(predecessor: &mut Location, successor: &mut Location) {
    let reason = Some(data::RELATIONSHIP_REASON.to_string());
    successor.relationships.push(Relationship {
        kind: RelationshipKind::Predecessor,
        related_id: predecessor.id.clone(),
        related_name: Some(predecessor.name.clone()),
        reason: reason.clone(),
    });
    predecessor.relationships.push(Relationship {
        kind: RelationshipKind::Successor,
        related_id: successor.id.clone(),
        related_name: Some(successor.name.clone()),
        reason,
    });
}

/// The latest report is the latest rating the service earned itself; the visit
/// came a month or three before it.
fn note_inspections(rng: &mut Rng, location: &mut Location, ratings: &[RatingRecord]) {
    let own_latest = ratings.iter().filter(|r| !r.inherited).map(|r| r.published).max();
    location.last_report = own_latest;
    location.last_inspection = own_latest.map(|d| days_before(d, rng.u64(30..=90)));
}

// ---------------------------------------------------------------- one service

fn build_location(
    rng: &mut Rng,
    ids: &mut Ids,
    draft: &Draft,
    provider: &ProviderContext,
    taken: &mut HashSet<String>,
) -> Location {
    let registered_on = draft.change_of_owner.unwrap_or(draft.registered_on);
    let id = ids.location(rng, registered_on);
    let authority = draft.place.authority;
    let address = places::address(rng, authority, works_from_office(draft));
    let town = address.town.clone().unwrap_or_default();
    let name = unique_name(rng, draft, provider, &town, taken);
    let mut location = Location::new(id, provider.id.clone(), name);
    location.care_home = draft.kind.is_care_home();
    location.beds = beds(rng, draft);
    location.service_types = normalise_names(service_types(rng, draft).into_iter().map(String::from));
    location.specialisms = normalise_names(bands(rng, draft).into_iter().map(String::from));
    location.regulated_activities = normalise_names(activities(rng, draft).into_iter().map(String::from));
    let (latitude, longitude) = places::coordinates(rng, authority);
    location.latitude = Some(latitude);
    location.longitude = Some(longitude);
    location.address = address;
    location.region = Some(draft.place.region());
    location.local_authority = Some(authority.name.to_string());
    location.phone = chance(rng, 95).then(|| places::phone(rng, draft.place.table));
    location.website = chance(rng, 60).then(|| provider.name.website());
    location.registration = Registration {
        status: RegistrationStatus::Registered,
        registered_on: Some(registered_on),
        deregistered_on: None,
    };
    let dormant_per_mille = if draft.kind.is_care_home() { 3 } else { 20 };
    location.dormant = Some(chance_per_mille(rng, dormant_per_mille));
    set_manager(rng, &mut location, registered_on);
    location.inspection_directorate = Some(data::DIRECTORATE.to_string());
    let category = if is_residential(draft) { data::RESIDENTIAL_CATEGORY } else { data::COMMUNITY_CATEGORY };
    location.primary_inspection_category = Some(category.to_string());
    if let Some((brand_id, brand_name)) = &provider.brand {
        location.brand_id = Some(brand_id.clone());
        location.brand_name = Some(brand_name.clone());
    }
    location
}

/// People live there: care homes and residential rehabilitation.
fn is_residential(draft: &Draft) -> bool {
    draft.kind.is_care_home() || draft.other.is_some_and(|o| o.residential)
}

/// Services that visit people where they live are registered at an office.
fn works_from_office(draft: &Draft) -> bool {
    matches!(draft.kind, Kind::Homecare | Kind::SupportedLiving | Kind::SharedLives)
        || (draft.kind == Kind::Other && !is_residential(draft))
}

fn set_manager(rng: &mut Rng, location: &mut Location, registered_on: NaiveDate) {
    let in_post = chance(rng, 85);
    location.registered_manager = Some(in_post);
    if !in_post {
        let from = registered_on.max(days_before(REGISTER_DATE, 730));
        location.registered_manager_absent_since = Some(date_between(rng, from, REGISTER_DATE));
    }
}

/// A name not yet used by the same provider, where a few tries can find one.
fn unique_name(
    rng: &mut Rng,
    draft: &Draft,
    provider: &ProviderContext,
    town: &str,
    taken: &mut HashSet<String>,
) -> String {
    let mut name = service_name(rng, draft, provider, town, taken);
    for _ in 0..5 {
        if !taken.contains(&name) {
            break;
        }
        name = service_name(rng, draft, provider, town, taken);
    }
    taken.insert(name.clone());
    name
}

fn service_name(
    rng: &mut Rng,
    draft: &Draft,
    provider: &ProviderContext,
    town: &str,
    taken: &HashSet<String>,
) -> String {
    let trading = &provider.name.trading;
    match draft.kind {
        Kind::NursingHome => names::care_home(rng, true),
        Kind::CareHome if draft.residents == Residents::OlderPeople => names::care_home(rng, false),
        Kind::CareHome => names::small_home(rng),
        Kind::Homecare if provider.multi_site => names::branch(rng, trading, town, "", taken),
        Kind::Homecare if chance(rng, 70) => trading.clone(),
        Kind::Homecare => names::with_words(rng, &["Home Care", "Homecare", "Care at Home"]),
        Kind::SupportedLiving if provider.multi_site && chance(rng, 50) => {
            names::branch(rng, trading, town, " Supported Living", taken)
        }
        Kind::SupportedLiving => names::with_words(rng, &["Supported Living", "Supported Living Service", "House"]),
        Kind::ExtraCare => names::extra_care(rng),
        Kind::SharedLives if provider.multi_site => names::branch(rng, trading, town, " Shared Lives", taken),
        Kind::SharedLives => format!("{} Shared Lives Scheme", provider.name.stem),
        Kind::Other => names::with_words(rng, draft.other.map_or(&["Support"][..], |o| o.name_words)),
    }
}

fn service_types(rng: &mut Rng, draft: &Draft) -> Vec<&'static str> {
    let mut types = Vec::with_capacity(2);
    match draft.kind {
        Kind::NursingHome => types.push(data::NURSING_HOME_SERVICE),
        Kind::CareHome => types.push(data::CARE_HOME_SERVICE),
        Kind::Homecare => {
            types.push(data::HOMECARE_SERVICE);
            if chance(rng, 12) {
                types.push(data::SUPPORTED_LIVING_SERVICE);
            }
        }
        Kind::SupportedLiving => {
            types.push(data::SUPPORTED_LIVING_SERVICE);
            if chance(rng, 35) {
                types.push(data::HOMECARE_SERVICE);
            }
        }
        Kind::ExtraCare => {
            types.push(data::EXTRA_CARE_SERVICE);
            if chance(rng, 50) {
                types.push(data::HOMECARE_SERVICE);
            }
        }
        Kind::SharedLives => types.push(data::SHARED_LIVES_SERVICE),
        Kind::Other => {
            if let Some(other) = draft.other {
                types.push(other.service_type);
                if !other.residential && chance(rng, 15) {
                    types.push(data::HOMECARE_SERVICE);
                }
            }
        }
    }
    types
}

fn band_table(draft: &Draft) -> &'static [(&'static str, u32)] {
    match draft.kind {
        Kind::NursingHome => data::NURSING_BANDS,
        Kind::CareHome => match draft.residents {
            Residents::OlderPeople => data::OLDER_HOME_BANDS,
            Residents::LearningDisability => data::LEARNING_DISABILITY_HOME_BANDS,
            Residents::MentalHealth => data::MENTAL_HEALTH_HOME_BANDS,
        },
        Kind::Homecare => data::HOMECARE_BANDS,
        Kind::SupportedLiving => data::SUPPORTED_LIVING_BANDS,
        Kind::ExtraCare => data::EXTRA_CARE_BANDS,
        Kind::SharedLives => data::SHARED_LIVES_BANDS,
        Kind::Other => draft.other.map_or(data::HOMECARE_BANDS, |o| o.bands),
    }
}

/// Service user bands, each by its own chance; never none, since every service
/// serves someone.
fn bands(rng: &mut Rng, draft: &Draft) -> Vec<&'static str> {
    let table = band_table(draft);
    let mut chosen: Vec<&str> = table.iter().filter(|(_, percent)| chance(rng, *percent)).map(|(b, _)| *b).collect();
    if chosen.is_empty() {
        chosen.push(table[0].0);
    }
    chosen
}

fn activities(rng: &mut Rng, draft: &Draft) -> Vec<&'static str> {
    let (main, treatment_percent) = match draft.kind {
        Kind::NursingHome => (data::ACCOMMODATION, 100),
        Kind::CareHome => (data::ACCOMMODATION, 5),
        Kind::Other if is_residential(draft) => (data::SUBSTANCE_ACCOMMODATION, 30),
        _ => (data::PERSONAL_CARE, 5),
    };
    let mut chosen = vec![main];
    if chance(rng, treatment_percent) {
        chosen.push(data::TREATMENT);
    }
    if draft.kind == Kind::NursingHome && chance(rng, 50) {
        chosen.push(data::DIAGNOSTIC);
    }
    chosen
}

fn beds(rng: &mut Rng, draft: &Draft) -> Option<u32> {
    let buckets = match (draft.kind, draft.residents) {
        (Kind::NursingHome, _) => data::NURSING_HOME_BEDS,
        (Kind::CareHome, Residents::OlderPeople) => data::OLDER_HOME_BEDS,
        (Kind::CareHome, _) => data::SMALL_HOME_BEDS,
        _ => return None,
    };
    Some(pick::from_buckets(rng, buckets))
}

// ---------------------------------------------------------------- entry point

pub fn generate(scale: Scale, seed: u64) -> ImportPlan {
    let mut rng = Rng::with_seed(seed);
    let shape = Shape::of(scale);
    let geography = match scale {
        Scale::National => Geography::national(),
        Scale::Small => Geography::small(),
    };
    let mut drafts = draft_all(&mut rng, &shape, &geography);
    mark_changes_of_owner(&mut rng, &mut drafts, shape.changes_of_owner);
    let owners = assign_owners(&mut rng, &drafts, &shape);
    let mut register = Register::default();
    for owner in &owners {
        register.add_owner(&mut rng, owner, &drafts);
    }
    register.into_plan(scale, seed)
}
