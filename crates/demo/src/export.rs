//! The register written out as the regulator's "care directory with filters": notice
//! rows, then the header row beginning `Location ID`, then one row per registered
//! location, with one Y/blank column per regulated activity, service type and
//! service user band in use.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use candour_domain::{Location, LocationId, Provider, ProviderId, RatingRecord, RatingSource};
use candour_store::RegisterSnapshot;
use chrono::NaiveDate;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ExportError {
    #[error("could not write the directory: {0}")]
    Io(#[from] std::io::Error),
    #[error("could not write the directory: {0}")]
    Csv(#[from] csv::Error),
    #[error("location {location} belongs to provider {provider}, which is not in the register")]
    UnknownProvider { location: LocationId, provider: ProviderId },
}

/// The register keeps no managers' names (they are personal data), so the column that
/// holds the manager's name in the published file holds this when one is in post.
pub const REGISTERED_MANAGER_IN_POST: &str = "Registered manager in post";

/// The register holds adult social care only, which the regulator files under this sector.
const LOCATION_SECTOR: &str = "Social Care Org";

/// The fixed columns, in the published order.
pub const FIXED_COLUMNS: [&str; 30] = [
    "Location ID",
    "Location Name",
    "Location HSCA start date",
    "Dormant (Y/N)",
    "Care home?",
    "Care homes beds",
    "Registered manager",
    "Location Type/Sector",
    "Location Inspection Directorate",
    "Location Primary Inspection Category",
    "Location Latest Overall Rating",
    "Publication Date",
    "Inherited Rating (Y/N)",
    "Location Region",
    "Location Local Authority",
    "Location Postal Code",
    "Location Latitude",
    "Location Longitude",
    "Brand ID",
    "Brand Name",
    "Provider ID",
    "Provider Name",
    "Provider Type/Sector",
    "Provider Ownership Type",
    "Location Street Address",
    "Location Address Line 2",
    "Location City",
    "Location County",
    "Location Telephone Number",
    "Location Web Address",
];

pub const ACTIVITY_PREFIX: &str = "Regulated activity - ";
pub const SERVICE_TYPE_PREFIX: &str = "Service type - ";
pub const BAND_PREFIX: &str = "Service user band - ";

/// Writes the registered locations of `snapshot` as a care directory with filters
/// and returns how many location rows were written. Rows are ordered by name, then
/// ID, so that the same register always gives the same file.
pub fn export_directory(
    snapshot: &RegisterSnapshot,
    mut out: impl Write,
    produced_on: NaiveDate,
) -> Result<u64, ExportError> {
    for line in directory_notice(produced_on) {
        writeln!(out, "{line}")?;
    }
    let mut csv = csv::WriterBuilder::new().from_writer(out);
    let rows = directory_rows(snapshot, |row| csv.write_record(row).map_err(ExportError::from))?;
    csv.flush()?;
    Ok(rows)
}

/// The lines above the header in the regulator's file (the last one blank).
pub fn directory_notice(produced_on: NaiveDate) -> [String; 3] {
    [
        "Care directory with filters".to_string(),
        format!("This data was produced on {}", produced_on.format("%d/%m/%Y")),
        String::new(),
    ]
}

/// Gives `row` the header, then each registered location's row, in the order of
/// [`export_directory`]; answers how many locations there were. One row at a time,
/// so that a writer of another format (a spreadsheet) never holds the file whole.
pub fn directory_rows(
    snapshot: &RegisterSnapshot,
    mut row: impl FnMut(&[String]) -> Result<(), ExportError>,
) -> Result<u64, ExportError> {
    let mut locations: Vec<&Location> = snapshot.locations.values().filter(|l| l.is_registered()).collect();
    locations.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then_with(|| a.id.cmp(&b.id)));
    let current = current_ratings(snapshot);
    let flags = FlagColumns::of(&locations);
    row(&flags.header())?;
    for location in &locations {
        let provider = snapshot.providers.get(&location.provider_id).ok_or_else(|| ExportError::UnknownProvider {
            location: location.id.clone(),
            provider: location.provider_id.clone(),
        })?;
        let mut cells = fixed_cells(location, provider, current.get(&location.id).copied());
        cells.extend(flags.cells(location));
        row(&cells)?;
    }
    Ok(locations.len() as u64)
}

/// The latest regulator's overall rating of each location. Ratings produced in
/// Candour are not the regulator's and do not appear in its file. Ties (possible
/// only between spellings of the group name) go to a rating the location earned
/// itself, then to the group name that sorts first, never to map order.
fn current_ratings(snapshot: &RegisterSnapshot) -> HashMap<&LocationId, &RatingRecord> {
    let mut current: HashMap<&LocationId, &RatingRecord> = HashMap::new();
    let overall = snapshot.ratings.values().filter(|r| {
        r.source == RatingSource::Cqc && r.service_group.eq_ignore_ascii_case(RatingRecord::LOCATION_GROUP)
    });
    for record in overall {
        let newer = |held: &RatingRecord| rank(record) > rank(held);
        match current.get(&record.location_id) {
            Some(held) if !newer(held) => {}
            _ => {
                current.insert(&record.location_id, record);
            }
        }
    }
    current
}

/// Orders a location's ratings: later first, then own over inherited, then by group name.
fn rank(r: &RatingRecord) -> (NaiveDate, bool, std::cmp::Reverse<&str>) {
    (r.published, !r.inherited, std::cmp::Reverse(r.service_group.as_str()))
}

fn fixed_cells(location: &Location, provider: &Provider, rating: Option<&RatingRecord>) -> Vec<String> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let dash = |v: Option<String>| v.unwrap_or_else(|| "-".to_string());
    let yes_no = |v: bool| if v { "Y" } else { "N" }.to_string();
    let beds = location.beds.filter(|_| location.care_home).map(|b| b.to_string());
    let address = &location.address;
    vec![
        location.id.to_string(),
        location.name.clone(),
        location.registration.registered_on.map(dd_mm_yyyy).unwrap_or_default(),
        location.dormant.map(yes_no).unwrap_or_default(),
        yes_no(location.care_home),
        dash(beds),
        if location.registered_manager == Some(true) { REGISTERED_MANAGER_IN_POST.to_string() } else { String::new() },
        LOCATION_SECTOR.to_string(),
        text(&location.inspection_directorate),
        text(&location.primary_inspection_category),
        dash(rating.and_then(|r| r.overall).map(|r| r.name().to_string())),
        dash(rating.map(|r| dd_mm_yyyy(r.published))),
        dash(rating.map(|r| yes_no(r.inherited))),
        location.region.map(|r| r.name().to_string()).unwrap_or_default(),
        text(&location.local_authority),
        address.postcode.as_ref().map(|p| p.to_string()).unwrap_or_default(),
        location.latitude.map(|v| v.to_string()).unwrap_or_default(),
        location.longitude.map(|v| v.to_string()).unwrap_or_default(),
        dash(location.brand_id.clone()),
        dash(location.brand_name.clone()),
        provider.id.to_string(),
        provider.name.clone(),
        text(&provider.sector),
        text(&provider.ownership_type),
        text(&address.line1),
        text(&address.line2),
        text(&address.town),
        text(&address.county),
        text(&location.phone),
        text(&location.website),
    ]
}

fn dd_mm_yyyy(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// The flag columns: every name in use among the exported locations, sorted and
/// de-duplicated ignoring case.
struct FlagColumns {
    activities: Vec<String>,
    service_types: Vec<String>,
    bands: Vec<String>,
}

impl FlagColumns {
    fn of(locations: &[&Location]) -> Self {
        Self {
            activities: names_in_use(locations.iter().flat_map(|l| &l.regulated_activities)),
            service_types: names_in_use(locations.iter().flat_map(|l| &l.service_types)),
            bands: names_in_use(locations.iter().flat_map(|l| &l.specialisms)),
        }
    }

    fn header(&self) -> Vec<String> {
        let flags = |prefix: &str, names: &[String]| names.iter().map(|n| format!("{prefix}{n}")).collect::<Vec<_>>();
        FIXED_COLUMNS
            .iter()
            .map(|c| c.to_string())
            .chain(flags(ACTIVITY_PREFIX, &self.activities))
            .chain(flags(SERVICE_TYPE_PREFIX, &self.service_types))
            .chain(flags(BAND_PREFIX, &self.bands))
            .collect()
    }

    fn cells(&self, location: &Location) -> Vec<String> {
        let flags = |columns: &[String], held: &[String]| -> Vec<String> {
            columns
                .iter()
                .map(|c| if held.iter().any(|h| h.eq_ignore_ascii_case(c)) { "Y" } else { "" }.to_string())
                .collect()
        };
        let mut cells = flags(&self.activities, &location.regulated_activities);
        cells.extend(flags(&self.service_types, &location.service_types));
        cells.extend(flags(&self.bands, &location.specialisms));
        cells
    }
}

fn names_in_use<'a>(names: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut by_key: BTreeMap<String, &String> = BTreeMap::new();
    for name in names {
        let kept = by_key.entry(name.to_lowercase()).or_insert(name);
        // Of two spellings keep the one that sorts first, which capitalises: the
        // column never depends on the order of rows.
        if name < *kept {
            *kept = name;
        }
    }
    by_key.into_values().cloned().collect()
}
