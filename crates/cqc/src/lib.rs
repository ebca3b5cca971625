//! Importers for the regulator's published register (the care directory, the latest
//! ratings, the simple care directory, API location records) and its API client.
//!
//! Every import has two steps: `read_*` turns a file into [`Parsed`] records (every
//! bad row is listed, none stops the reading), then [`plan`] works out against a
//! [`RegisterSnapshot`](candour_store::RegisterSnapshot) exactly what the import adds
//! and changes, as an [`ImportPlan`](candour_store::ImportPlan) to apply in one go.

pub mod api;
pub mod client;
mod collect;
mod directory;
mod error;
mod fields;
mod plan;
mod ratings;
mod sheet;
mod simple;
pub mod values;

use std::collections::HashSet;
use std::path::Path;

use chrono::NaiveDate;

use candour_domain::{Location, LocationId, Provider, RatingRecord};

pub use api::{ApiRecord, parse_location_record, parse_provider_record, read_api_json};
pub use directory::read_directory;
pub use error::{ImportError, ImportRejected, PlanRefused, RowProblem};
pub use fields::{Carried, LocationFields, ProviderFields, RatingFields};
pub use plan::{
    DEREGISTER_AT_LEAST, DEREGISTER_PERCENT, ImportOptions, Planned, deregistrations_allowed, plan, update_snapshot,
};
pub use ratings::read_latest_ratings;
pub use simple::read_simple_directory;

/// Reports how far a long read has got, e.g. to draw a progress bar. Units are the
/// reader's own (bytes of a CSV, rows of a spreadsheet, records of JSON): only the
/// proportion matters.
pub trait Progress {
    fn start(&self, total: u64);
    fn advance(&self, done: u64);
    fn finish(&self);
}

/// Progress that nobody watches.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _total: u64) {}
    fn advance(&self, _done: u64) {}
    fn finish(&self) {}
}

/// The kinds of published data Candour imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceKind {
    /// "Care directory with filters": one row per active location.
    Directory,
    /// "Latest ratings": one row per location, service group and key question.
    LatestRatings,
    /// The 15-column simple care directory CSV.
    SimpleDirectory,
    /// Location (and provider) records from the API, or saved from it as JSON.
    Api,
}

impl SourceKind {
    pub const ALL: [SourceKind; 4] =
        [SourceKind::Directory, SourceKind::LatestRatings, SourceKind::SimpleDirectory, SourceKind::Api];

    /// The name recorded with each import run.
    pub fn code(self) -> &'static str {
        match self {
            SourceKind::Directory => "cqc-directory",
            SourceKind::LatestRatings => "cqc-ratings",
            SourceKind::SimpleDirectory => "cqc-simple-directory",
            SourceKind::Api => "cqc-api",
        }
    }

    /// Reads a kind by its code ("cqc-directory") or short name ("directory",
    /// "ratings", "simple-directory", "api"), in any case.
    pub fn parse(value: &str) -> Option<Self> {
        let v = value.trim().to_lowercase();
        let short = v.strip_prefix("cqc-").unwrap_or(&v);
        SourceKind::ALL.into_iter().find(|k| k.code().strip_prefix("cqc-") == Some(short))
    }

    /// Whether the source lists every active location, so that a registered location
    /// missing from it has been deregistered.
    pub fn lists_every_active_location(self) -> bool {
        matches!(self, SourceKind::Directory | SourceKind::SimpleDirectory)
    }

    /// Reads a file (or, for API records, a file or folder) of this kind.
    pub fn read(self, path: &Path, progress: &dyn Progress) -> Result<Parsed, ImportError> {
        match self {
            SourceKind::Directory => read_directory(path, progress),
            SourceKind::LatestRatings => read_latest_ratings(path, progress),
            SourceKind::SimpleDirectory => read_simple_directory(path, progress),
            SourceKind::Api => read_api_json(path, progress),
        }
    }
}

/// What a file says, read and validated but not yet compared with the register.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub kind: SourceKind,
    /// The file, folder or URL it came from.
    pub origin: String,
    /// The date the data was produced, when the input says.
    pub produced_on: Option<NaiveDate>,
    /// Which fields this input carries (see [`LocationFields`]).
    pub carried: Carried,
    /// One entry per location, duplicates merged, in the order first seen. Locations
    /// with any invalid row are left out (and their rows listed in `problems`).
    pub locations: Vec<IncomingLocation>,
    /// Providers the input describes, one per ID, first description kept.
    pub providers: Vec<Provider>,
    pub problems: Vec<RowProblem>,
    /// Every location ID the input names, in valid rows or not: a snapshot import
    /// never deregisters a location only because its row was invalid.
    pub mentioned: HashSet<LocationId>,
}

/// One location as an input describes it, with its ratings.
#[derive(Debug, Clone, PartialEq)]
pub struct IncomingLocation {
    pub id: LocationId,
    /// Where its first row or record is, for problems found while planning.
    pub line: usize,
    /// For JSON: the file or request it came from.
    pub file: Option<String>,
    /// The location's details; `None` when the input cannot describe a new location
    /// (a ratings row without the location's name or provider ID).
    pub location: Option<Location>,
    pub ratings: Vec<RatingRecord>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_by_code_or_short_name() {
        for kind in SourceKind::ALL {
            assert_eq!(SourceKind::parse(kind.code()), Some(kind));
        }
        assert_eq!(SourceKind::parse(" Ratings "), Some(SourceKind::LatestRatings));
        assert_eq!(SourceKind::parse("simple-directory"), Some(SourceKind::SimpleDirectory));
        assert_eq!(SourceKind::parse("spreadsheet"), None);
    }
}
