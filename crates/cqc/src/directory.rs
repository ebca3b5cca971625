//! The "care directory with filters": one row per active location, wide, with flag
//! columns for service types, service user bands and regulated activities.

use std::path::Path;

use candour_domain::{
    Address, Location, LocationId, Postcode, Provider, ProviderId, RatingRecord, RatingSource, Region, Registration,
    RegistrationStatus, normalise_names,
};

use crate::collect::{Collector, add_rating};
use crate::error::ImportError;
use crate::fields::{Carried, LocationFields, ProviderFields, RatingFields, blank_location};
use crate::sheet::{Col, Columns, FlagColumn, Header, RowReader, Sheet, preamble_date};
use crate::{IncomingLocation, Parsed, Progress, SourceKind, values};

/// Fields the directory always carries; its optional columns add to these.
const CARRIED: LocationFields = LocationFields::PROVIDER_ID
    .with(LocationFields::NAME)
    .with(LocationFields::BRAND)
    .with(LocationFields::CARE_HOME)
    .with(LocationFields::BEDS)
    .with(LocationFields::POSTCODE)
    .with(LocationFields::REGION)
    .with(LocationFields::LOCAL_AUTHORITY)
    .with(LocationFields::COORDINATES)
    .with(LocationFields::REGISTRATION_STATUS)
    .with(LocationFields::REGISTERED_ON)
    .with(LocationFields::DORMANT)
    .with(LocationFields::REGISTERED_MANAGER)
    .with(LocationFields::INSPECTION_DIRECTORATE)
    .with(LocationFields::PRIMARY_INSPECTION_CATEGORY);

const PROVIDER_CARRIED: ProviderFields =
    ProviderFields::NAME.with(ProviderFields::SECTOR).with(ProviderFields::OWNERSHIP_TYPE).with(ProviderFields::BRAND);

/// Reads a care directory (ODS, XLSX or CSV).
pub fn read_directory(path: &Path, progress: &dyn Progress) -> Result<Parsed, ImportError> {
    let mut sheet = Sheet::open(path, "Location ID", progress)?;
    let columns = DirectoryColumns::locate(sheet.header(), path)?;
    let produced_on = preamble_date(sheet.preamble());
    let mut collector = Collector::new();
    while let Some(row) = sheet.next_row()? {
        let mut reader = RowReader::new(&row);
        let id = collector.mention(&reader.raw(columns.location_id));
        match columns.read(&mut reader) {
            Some(parsed) if reader.problems.is_empty() => add_row(&mut collector, parsed, reader.line()),
            _ => collector.reject(id, reader.problems),
        }
    }
    let carried = Carried { location: columns.carried(), provider: PROVIDER_CARRIED, rating: RatingFields::INHERITED };
    Ok(collector.finish(SourceKind::Directory, sheet.path().display().to_string(), produced_on, carried))
}

/// Dual-registered locations appear on two rows. The first row's values are kept
/// for single-valued fields (the rows are the same location, so a difference there
/// is a publishing slip with no better answer), while the flag lists are merged,
/// because each row may list the services registered under it.
fn add_row(collector: &mut Collector, row: DirectoryRow, line: usize) {
    collector.add_provider(row.provider);
    if let Some(existing) = collector.get_mut(&row.location.id) {
        if let Some(kept) = existing.location.as_mut() {
            kept.service_types = merged(&kept.service_types, row.location.service_types);
            kept.specialisms = merged(&kept.specialisms, row.location.specialisms);
            kept.regulated_activities = merged(&kept.regulated_activities, row.location.regulated_activities);
        }
        if let Some(rating) = row.rating {
            add_rating(&mut existing.ratings, rating);
        }
        return;
    }
    collector.insert(IncomingLocation {
        id: row.location.id.clone(),
        line,
        file: None,
        ratings: row.rating.into_iter().collect(),
        location: Some(row.location),
    });
}

fn merged(first: &[String], second: Vec<String>) -> Vec<String> {
    normalise_names(first.iter().cloned().chain(second))
}

struct DirectoryRow {
    location: Location,
    provider: Provider,
    rating: Option<RatingRecord>,
}

struct DirectoryColumns {
    location_id: Col,
    location_name: Col,
    hsca_start: Col,
    dormant: Col,
    care_home: Col,
    beds: Col,
    registered_manager: Col,
    directorate: Col,
    primary_category: Col,
    rating: Col,
    publication_date: Col,
    inherited: Col,
    region: Col,
    local_authority: Col,
    postcode: Col,
    latitude: Col,
    longitude: Col,
    brand_id: Col,
    brand_name: Col,
    provider_id: Col,
    provider_name: Col,
    provider_sector: Col,
    provider_ownership: Col,
    also_known_as: Option<Col>,
    street: Option<Col>,
    line2: Option<Col>,
    city: Option<Col>,
    county: Option<Col>,
    phone: Option<Col>,
    website: Option<Col>,
    constituency: Option<Col>,
    service_types: Vec<FlagColumn>,
    bands: Vec<FlagColumn>,
    activities: Vec<FlagColumn>,
}

impl DirectoryColumns {
    fn locate(header: &Header, path: &Path) -> Result<Self, ImportError> {
        let mut c = Columns::new(header);
        let columns = Self {
            location_id: c.required("Location ID"),
            location_name: c.required("Location Name"),
            hsca_start: c.required("Location HSCA start date"),
            dormant: c.required("Dormant (Y/N)"),
            care_home: c.required("Care home?"),
            beds: c.required("Care homes beds"),
            registered_manager: c.required("Registered manager"),
            directorate: c.required("Location Inspection Directorate"),
            primary_category: c.required("Location Primary Inspection Category"),
            rating: c.required("Location Latest Overall Rating"),
            publication_date: c.required("Publication Date"),
            inherited: c.required("Inherited Rating (Y/N)"),
            region: c.required("Location Region"),
            local_authority: c.required("Location Local Authority"),
            postcode: c.required("Location Postal Code"),
            latitude: c.required("Location Latitude"),
            longitude: c.required("Location Longitude"),
            brand_id: c.required("Brand ID"),
            brand_name: c.required("Brand Name"),
            provider_id: c.required("Provider ID"),
            provider_name: c.required("Provider Name"),
            provider_sector: c.required("Provider Type/Sector"),
            provider_ownership: c.required("Provider Ownership Type"),
            also_known_as: c.optional("Location Also Known As"),
            street: c.optional("Location Street Address"),
            line2: c.optional("Location Address Line 2"),
            city: c.optional("Location City"),
            county: c.optional("Location County"),
            phone: c.optional("Location Telephone Number"),
            website: c.optional("Location Web Address"),
            constituency: c.optional("Location Parliamentary Constituency"),
            service_types: header.flag_columns("Service type - "),
            bands: header.flag_columns("Service user band - "),
            activities: header.flag_columns("Regulated activity - "),
        };
        c.finish(path)?;
        Ok(columns)
    }

    /// The directory carries its fixed columns, plus the optional and flag columns it has.
    fn carried(&self) -> LocationFields {
        CARRIED
            .with_if(LocationFields::ALSO_KNOWN_AS, self.also_known_as.is_some())
            .with_if(LocationFields::ADDRESS_LINE1, self.street.is_some())
            .with_if(LocationFields::ADDRESS_LINE2, self.line2.is_some())
            .with_if(LocationFields::TOWN, self.city.is_some())
            .with_if(LocationFields::COUNTY, self.county.is_some())
            .with_if(LocationFields::PHONE, self.phone.is_some())
            .with_if(LocationFields::WEBSITE, self.website.is_some())
            .with_if(LocationFields::CONSTITUENCY, self.constituency.is_some())
            .with_if(LocationFields::SERVICE_TYPES, !self.service_types.is_empty())
            .with_if(LocationFields::SPECIALISMS, !self.bands.is_empty())
            .with_if(LocationFields::REGULATED_ACTIVITIES, !self.activities.is_empty())
    }

    /// Reads one row; `None` or problems in `r` when it is invalid. Every cell is
    /// checked even after one fails, so that all of a row's problems are reported.
    fn read(&self, r: &mut RowReader) -> Option<DirectoryRow> {
        let id = r.required_domain(self.location_id, "a location ID", LocationId::parse);
        let name = r.required_text(self.location_name, "a location name");
        let provider = self.provider(r);
        let rating = self.rating(r, id.as_ref());
        let mut location = blank_location();
        self.fill_details(r, &mut location);
        self.fill_place(r, &mut location);
        location.service_types = flags(r, &self.service_types);
        location.specialisms = flags(r, &self.bands);
        location.regulated_activities = flags(r, &self.activities);
        let provider = provider?;
        location.id = id?;
        location.provider_id = provider.id.clone();
        location.name = name?;
        Some(DirectoryRow { location, provider, rating: rating? })
    }

    fn provider(&self, r: &mut RowReader) -> Option<Provider> {
        let id = r.required_domain(self.provider_id, "a provider ID", ProviderId::parse);
        let name = r.required_text(self.provider_name, "a provider name");
        let mut provider = Provider::new(id?, name?);
        provider.sector = r.text(self.provider_sector);
        provider.ownership_type = r.text(self.provider_ownership);
        provider.brand_id = r.text(self.brand_id);
        provider.brand_name = r.text(self.brand_name);
        Some(provider)
    }

    fn fill_details(&self, r: &mut RowReader, l: &mut Location) {
        l.also_known_as = r.text_if(self.also_known_as);
        l.brand_id = r.text(self.brand_id);
        l.brand_name = r.text(self.brand_name);
        l.care_home = r.parse(self.care_home, values::yes_no).flatten().unwrap_or(false);
        l.beds = r.parse(self.beds, values::beds).flatten();
        l.registration = Registration {
            status: RegistrationStatus::Registered,
            registered_on: r.parse(self.hsca_start, values::date).flatten(),
            deregistered_on: None,
        };
        l.dormant = r.parse(self.dormant, values::yes_no).flatten();
        // The column holds the manager's name: only whether there is one is kept.
        l.registered_manager = Some(r.text(self.registered_manager).is_some());
        l.inspection_directorate = r.text(self.directorate);
        l.primary_inspection_category = r.text(self.primary_category);
        l.phone = r.text_if(self.phone);
        l.website = r.text_if(self.website);
    }

    fn fill_place(&self, r: &mut RowReader, l: &mut Location) {
        l.address = Address {
            line1: r.text_if(self.street),
            line2: r.text_if(self.line2),
            town: r.text_if(self.city),
            county: r.text_if(self.county),
            postcode: r.parse_domain(self.postcode, Postcode::parse).flatten(),
        };
        l.region = r.parse_domain(self.region, Region::parse).flatten();
        l.local_authority = r.text(self.local_authority);
        l.constituency = r.text_if(self.constituency);
        l.latitude = r.parse(self.latitude, values::latitude).flatten();
        l.longitude = r.parse(self.longitude, values::longitude).flatten();
    }

    /// The latest overall rating, as an "Overall" record without key questions.
    /// `None` when the row's rating columns are invalid; `Some(None)` when unrated.
    fn rating(&self, r: &mut RowReader, id: Option<&LocationId>) -> Option<Option<RatingRecord>> {
        let rating = r.parse(self.rating, values::rating)?;
        let published = r.parse(self.publication_date, values::date)?;
        let inherited = r.parse(self.inherited, values::yes_no)?.unwrap_or(false);
        let Some(rating) = rating else { return Some(None) };
        let Some(published) = published else {
            r.problem(self.publication_date.name, "is blank; a rating needs the date it was published");
            return None;
        };
        Some(Some(RatingRecord {
            location_id: id?.clone(),
            service_group: RatingRecord::LOCATION_GROUP.to_string(),
            published,
            source: RatingSource::Cqc,
            overall: Some(rating),
            key_questions: Default::default(),
            report_type: None,
            inherited,
        }))
    }
}

/// The names of the flag columns set to "Y" on this row.
fn flags(r: &mut RowReader, columns: &[FlagColumn]) -> Vec<String> {
    let set: Vec<String> = columns.iter().filter(|c| r.flag(c.index, &c.header)).map(|c| c.name.clone()).collect();
    normalise_names(set)
}
