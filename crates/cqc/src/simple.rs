//! The simple care directory: a 15-column CSV after a short preamble (a title, a
//! blank line, "This data was produced on `<date>`", a blank line).

use std::path::Path;

use candour_domain::{
    Address, Location, LocationId, Postcode, Provider, ProviderId, Region, Registration, ServiceKind, normalise_names,
};

use crate::collect::Collector;
use crate::error::ImportError;
use crate::fields::{Carried, LocationFields, ProviderFields, RatingFields, blank_location};
use crate::sheet::{Col, Columns, Header, RowReader, Sheet, preamble_date};
use crate::{IncomingLocation, Parsed, Progress, SourceKind, values};

const CARRIED: LocationFields = LocationFields::PROVIDER_ID
    .with(LocationFields::NAME)
    .with(LocationFields::ALSO_KNOWN_AS)
    .with(LocationFields::CARE_HOME)
    .with(LocationFields::SERVICE_TYPES)
    .with(LocationFields::SPECIALISMS)
    .with(LocationFields::ADDRESS_LINE1)
    .with(LocationFields::ADDRESS_LINE2)
    .with(LocationFields::TOWN)
    .with(LocationFields::COUNTY)
    .with(LocationFields::POSTCODE)
    .with(LocationFields::REGION)
    .with(LocationFields::LOCAL_AUTHORITY)
    .with(LocationFields::PHONE)
    .with(LocationFields::WEBSITE)
    .with(LocationFields::REGISTRATION_STATUS)
    .with(LocationFields::LAST_INSPECTION);

/// Reads the simple care directory (CSV, or the same sheet as ODS/XLSX).
pub fn read_simple_directory(path: &Path, progress: &dyn Progress) -> Result<Parsed, ImportError> {
    let mut sheet = Sheet::open(path, "CQC Location ID (for office use only)", progress)?;
    let columns = SimpleColumns::locate(sheet.header(), path)?;
    let produced_on = preamble_date(sheet.preamble());
    let mut collector = Collector::new();
    while let Some(row) = sheet.next_row()? {
        let mut reader = RowReader::new(&row);
        let id = collector.mention(&reader.raw(columns.location_id));
        match columns.read(&mut reader) {
            Some((location, provider)) if reader.problems.is_empty() => {
                collector.add_provider(provider);
                // A repeated row adds nothing: the first is kept.
                if collector.get_mut(&location.id).is_none() {
                    let line = reader.line();
                    collector.insert(IncomingLocation {
                        id: location.id.clone(),
                        line,
                        file: None,
                        location: Some(location),
                        ratings: Vec::new(),
                    });
                }
            }
            _ => collector.reject(id, reader.problems),
        }
    }
    let carried = Carried { location: CARRIED, provider: ProviderFields::NAME, rating: RatingFields::NONE };
    Ok(collector.finish(SourceKind::SimpleDirectory, sheet.path().display().to_string(), produced_on, carried))
}

struct SimpleColumns {
    name: Col,
    also_known_as: Col,
    address: Col,
    postcode: Col,
    phone: Col,
    website: Col,
    service_types: Col,
    latest_check: Col,
    specialisms: Col,
    provider_name: Col,
    local_authority: Col,
    region: Col,
    location_id: Col,
    provider_id: Col,
}

impl SimpleColumns {
    fn locate(header: &Header, path: &Path) -> Result<Self, ImportError> {
        let mut c = Columns::new(header);
        let columns = Self {
            name: c.required("Name"),
            also_known_as: c.required("Also known as"),
            address: c.required("Address"),
            postcode: c.required("Postcode"),
            phone: c.required("Phone number"),
            website: c.required("Service's website (if available)"),
            service_types: c.required("Service types"),
            latest_check: c.required("Date of latest check"),
            specialisms: c.required("Specialisms/services"),
            provider_name: c.required("Provider name"),
            local_authority: c.required("Local authority"),
            region: c.required("Region"),
            location_id: c.required("CQC Location ID (for office use only)"),
            provider_id: c.required("CQC Provider ID (for office use only)"),
        };
        // "Location URL" is part of the format but points at the regulator's own page,
        // which is derived from the ID; it is not required to import.
        c.finish(path)?;
        Ok(columns)
    }

    fn read(&self, r: &mut RowReader) -> Option<(Location, Provider)> {
        let id = r.required_domain(self.location_id, "a location ID", LocationId::parse);
        let name = r.required_text(self.name, "a name");
        let provider_id = r.required_domain(self.provider_id, "a provider ID", ProviderId::parse);
        let provider_name = r.required_text(self.provider_name, "a provider name");
        let mut l = blank_location();
        l.also_known_as = r.text(self.also_known_as);
        let postcode = r.parse_domain(self.postcode, Postcode::parse).flatten();
        l.address = split_address(&r.raw(self.address), postcode);
        l.phone = r.text(self.phone);
        l.website = r.text(self.website);
        l.service_types = normalise_names(values::pipe_list(&r.raw(self.service_types)));
        l.care_home = l.service_types.iter().any(|s| is_care_home(s));
        l.specialisms = normalise_names(values::pipe_list(&r.raw(self.specialisms)));
        l.last_inspection = r.parse(self.latest_check, values::date).flatten();
        l.local_authority = r.text(self.local_authority);
        l.region = r.parse_domain(self.region, Region::parse).flatten();
        l.registration = Registration::default();
        let provider = Provider::new(provider_id?, provider_name?);
        l.id = id?;
        l.provider_id = provider.id.clone();
        l.name = name?;
        Some((l, provider))
    }
}

fn is_care_home(service_type: &str) -> bool {
    matches!(ServiceKind::classify(service_type), ServiceKind::CareHome | ServiceKind::CareHomeNursing)
}

/// The one-cell address split at its commas: the first part is the street, the last
/// the town, anything between the second line. A trailing postcode is dropped, as
/// it has its own column.
fn split_address(address: &str, postcode: Option<Postcode>) -> Address {
    let mut parts: Vec<&str> = address.split(',').map(str::trim).filter(|p| !candour_domain::is_blank(p)).collect();
    if let Some(last) = parts.last()
        && Postcode::parse(last).ok().is_some_and(|p| Some(&p) == postcode.as_ref())
    {
        parts.pop();
    }
    let owned = |s: &&str| s.to_string();
    let (line1, line2, town) = match parts.as_slice() {
        [] => (None, None, None),
        [one] => (Some(one.to_string()), None, None),
        [first, last] => (Some(first.to_string()), None, Some(last.to_string())),
        [first, middle @ .., last] => (Some(first.to_string()), Some(middle.join(", ")), Some(owned(last))),
    };
    Address { line1, line2, town, county: None, postcode }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_split_at_commas() {
        let pc = Postcode::parse("LS1 4AP").ok();
        let a = split_address("Flat 2, 10 High Street, Leeds, LS1 4AP", pc.clone());
        assert_eq!(a.line1.as_deref(), Some("Flat 2"));
        assert_eq!(a.line2.as_deref(), Some("10 High Street"));
        assert_eq!(a.town.as_deref(), Some("Leeds"));
        assert_eq!(a.postcode, pc);
        let b = split_address("1 Mill Lane", None);
        assert_eq!((b.line1.as_deref(), b.town), (Some("1 Mill Lane"), None));
    }
}
