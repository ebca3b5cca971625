use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use candour_domain::people::{PeopleStanding, Standings, Verdict};
use candour_domain::{
    Location, LocationId, Provider, ProviderId, Rating, RatingRecord, RatingSource, Region, RelationshipKind,
    ServiceKind,
};

// ---------------------------------------------------------------- directory

/// Which ratings to show: a given overall rating, or locations not yet rated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RatingFilter {
    Rated(Rating),
    NotRated,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LocationSort {
    #[default]
    Name,
    /// Best current overall rating first; unrated last.
    RatingBest,
    /// Worst current overall rating first; unrated last.
    RatingWorst,
    /// Most beds first.
    Beds,
    /// Most recently published rating first.
    RecentlyRated,
    /// What people say, best first: better, about the same, worse, then not enough
    /// responses; within each, by the outcome score shrunk towards similar services.
    PeopleRating,
    /// Nearest first to the query's place; those without coordinates last.
    Distance,
}

impl LocationSort {
    pub const ALL: [LocationSort; 7] = [
        LocationSort::Name,
        LocationSort::RatingBest,
        LocationSort::RatingWorst,
        LocationSort::Beds,
        LocationSort::RecentlyRated,
        LocationSort::PeopleRating,
        LocationSort::Distance,
    ];

    pub fn code(self) -> &'static str {
        match self {
            LocationSort::Name => "name",
            LocationSort::RatingBest => "rating_best",
            LocationSort::RatingWorst => "rating_worst",
            LocationSort::Beds => "beds",
            LocationSort::RecentlyRated => "recently_rated",
            LocationSort::PeopleRating => "people_rating",
            LocationSort::Distance => "distance",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            LocationSort::Name => "Name (A to Z)",
            LocationSort::RatingBest => "Rating (best first)",
            LocationSort::RatingWorst => "Rating (worst first)",
            LocationSort::Beds => "Beds (most first)",
            LocationSort::RecentlyRated => "Most recently rated",
            LocationSort::PeopleRating => "What people say (best first)",
            LocationSort::Distance => "Distance (nearest first)",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        LocationSort::ALL.into_iter().find(|s| s.code() == value.trim())
    }
}

/// A directory query. Text filters are already validated and normalised by the
/// caller (see `candour_domain::Postcode::normalise_prefix`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LocationQuery {
    /// Matches the location's name or "also known as", ignoring case.
    pub name: Option<String>,
    /// A normalised postcode or the start of one, e.g. "LS1" or "LS1 4AP".
    pub postcode: Option<String>,
    pub local_authority: Option<String>,
    pub region: Option<Region>,
    pub service: Option<ServiceKind>,
    pub rating: Option<RatingFilter>,
    pub specialism: Option<String>,
    pub provider: Option<ProviderId>,
    /// Only services whose people's verdict is this (a service without a standing has
    /// not enough responses); needs `standings`.
    pub people_verdict: Option<Verdict>,
    /// The people's standing of each service, from the latest monitoring snapshot: set
    /// by the caller, never from the address. Listed services carry theirs.
    #[serde(skip)]
    pub standings: Option<Arc<Standings>>,
    /// Where distances are measured from (a place the directory found); listed
    /// services carry theirs.
    pub near: Option<Place>,
    pub include_deregistered: bool,
    pub sort: LocationSort,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

impl LocationQuery {
    pub const MAX_PER_PAGE: u32 = 100;
}

impl Default for LocationQuery {
    fn default() -> Self {
        Self {
            name: None,
            postcode: None,
            local_authority: None,
            region: None,
            service: None,
            rating: None,
            specialism: None,
            provider: None,
            people_verdict: None,
            standings: None,
            near: None,
            include_deregistered: false,
            sort: LocationSort::Name,
            page: 1,
            per_page: 20,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

impl<T> Page<T> {
    pub fn pages(&self) -> u32 {
        (self.total.div_ceil(u64::from(self.per_page.max(1)))).max(1) as u32
    }
}

/// A line in the directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LocationSummary {
    pub id: LocationId,
    pub name: String,
    pub provider_id: ProviderId,
    pub provider_name: String,
    pub town: Option<String>,
    pub postcode: Option<String>,
    pub local_authority: Option<String>,
    pub region: Option<Region>,
    pub service_kinds: Vec<ServiceKind>,
    pub care_home: bool,
    pub beds: Option<u32>,
    pub overall: Option<Rating>,
    pub rated_on: Option<NaiveDate>,
    pub registered: bool,
    /// Whether a registered manager is in post, where known, and since when not.
    pub registered_manager: Option<bool>,
    pub registered_manager_absent_since: Option<NaiveDate>,
    /// What people say of it against similar services, when the search had standings.
    #[serde(default, rename = "people_rating", skip_serializing_if = "Option::is_none")]
    pub people: Option<PeopleStanding>,
    /// Miles from the search's place, when it had one and the service has coordinates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub miles: Option<f64>,
}

/// A place a person typed (a postcode, the start of one or a town), where it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Place {
    /// As typed, tidied: a postcode in its usual form.
    pub name: String,
    pub latitude: f64,
    pub longitude: f64,
}

impl Place {
    /// Miles, as the crow flies, to a point (haversine, mean Earth radius 3,958.8 miles).
    pub fn miles_to(&self, point: Option<(f64, f64)>) -> Option<f64> {
        let (lat, lon) = point?;
        let (p1, p2) = (self.latitude.to_radians(), lat.to_radians());
        let (dp, dl) = ((lat - self.latitude).to_radians(), (lon - self.longitude).to_radians());
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        Some(2.0 * 3958.8 * a.sqrt().asin())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RelatedLocation {
    pub kind: RelationshipKind,
    pub id: LocationId,
    pub name: Option<String>,
    pub reason: Option<String>,
    /// Whether the related location is in our register (so it can be linked).
    pub known: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LocationDetail {
    pub location: Location,
    pub provider: Provider,
    /// The latest rating of each service group ("Overall" first).
    pub current_ratings: Vec<RatingRecord>,
    /// The headline rating: the most recently published of the current ratings,
    /// whoever made it ([`RatingRecord::headline`]); the directory's current rating.
    pub headline_rating: Option<RatingRecord>,
    /// Every rating ever recorded, newest first.
    pub rating_history: Vec<RatingRecord>,
    pub related: Vec<RelatedLocation>,
    /// How many other locations the same provider runs.
    pub provider_location_count: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProviderDetail {
    pub provider: Provider,
    pub locations: Vec<LocationSummary>,
}

/// The services a care market report covers: a local authority's (named ignoring
/// case), a region's, or England's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MarketScope {
    LocalAuthority(String),
    Region(Region),
    England,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AreaCount {
    pub local_authority: String,
    pub region: Option<Region>,
    pub locations: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NameCount {
    pub name: String,
    pub locations: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RegisterStats {
    pub registered_locations: u64,
    pub deregistered_locations: u64,
    pub providers: u64,
    pub care_homes: u64,
    pub rating_records: u64,
    /// Registered locations by current overall rating (unrated not counted).
    pub by_rating: Vec<(Rating, u64)>,
}

// ---------------------------------------------------------------- imports

/// Identifies one rating record: a service group's rating published on a date by a source.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RatingKey {
    pub location_id: LocationId,
    pub service_group: String,
    pub published: NaiveDate,
    pub source: RatingSource,
}

impl RatingKey {
    pub fn of(r: &RatingRecord) -> Self {
        Self {
            location_id: r.location_id.clone(),
            service_group: r.service_group.clone(),
            published: r.published,
            source: r.source,
        }
    }
}

/// The register as it stands, for an importer to diff a file against.
#[derive(Debug, Clone, Default)]
pub struct RegisterSnapshot {
    pub providers: HashMap<ProviderId, Provider>,
    pub locations: HashMap<LocationId, Location>,
    pub ratings: HashMap<RatingKey, RatingRecord>,
}

/// Counts an import reports. Rows that were skipped as invalid are counted by the importer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportCounts {
    pub added: u64,
    pub changed: u64,
    pub unchanged: u64,
    pub deregistered: u64,
    pub providers_added: u64,
    pub providers_changed: u64,
    pub ratings_added: u64,
    pub ratings_changed: u64,
    pub ratings_unchanged: u64,
    pub skipped_rows: u64,
}

/// The writes one import makes, worked out in full before anything is written.
#[derive(Debug, Clone, Default)]
pub struct ImportPlan {
    /// What was imported, e.g. "cqc-directory".
    pub kind: String,
    /// The file, folder or URL it came from.
    pub origin: String,
    /// Providers to insert or replace.
    pub providers: Vec<Provider>,
    /// Locations to insert or replace (deregistrations included, with their new status).
    pub locations: Vec<Location>,
    /// Rating records to insert or replace.
    pub ratings: Vec<RatingRecord>,
    pub counts: ImportCounts,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportRun {
    pub id: i64,
    pub kind: String,
    pub origin: String,
    pub finished_at: DateTime<Utc>,
    pub counts: ImportCounts,
}
