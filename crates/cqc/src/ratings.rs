//! The "latest ratings" file: long, one row per location × service group × key
//! question, pivoted here into one rating record per location, service group and
//! publication date. About 300,000 rows nationally, so each row is read without
//! copying its cells, and a location's identity columns are read once, from its first row.

use std::path::Path;

use chrono::NaiveDate;

use candour_domain::{
    Address, KeyQuestion, Location, LocationId, Postcode, Provider, ProviderId, Rating, RatingRecord, RatingSource,
    Region, non_blank,
};

use crate::collect::Collector;
use crate::error::ImportError;
use crate::fields::{Carried, LocationFields, ProviderFields, RatingFields, blank_location};
use crate::sheet::{Col, Columns, Header, RowReader, Sheet, preamble_date};
use crate::{IncomingLocation, Parsed, Progress, SourceKind, values};

/// What the file says about a location it names: used to create locations the
/// register does not know, and to refresh these fields of those it does.
const CARRIED: LocationFields = LocationFields::NAME
    .with(LocationFields::BRAND)
    .with(LocationFields::CARE_HOME)
    .with(LocationFields::ADDRESS_LINE1)
    .with(LocationFields::ADDRESS_LINE2)
    .with(LocationFields::TOWN)
    .with(LocationFields::POSTCODE)
    .with(LocationFields::REGION)
    .with(LocationFields::LOCAL_AUTHORITY)
    .with(LocationFields::PRIMARY_INSPECTION_CATEGORY);

/// Reads a latest-ratings file (ODS, XLSX or CSV).
pub fn read_latest_ratings(path: &Path, progress: &dyn Progress) -> Result<Parsed, ImportError> {
    let mut sheet = Sheet::open(path, "Location ID", progress)?;
    let columns = RatingsColumns::locate(sheet.header(), path)?;
    let produced_on = preamble_date(sheet.preamble());
    let mut collector = Collector::new();
    // Rows of one location are usually together: remember the last ID read.
    let mut last_id: Option<(String, LocationId)> = None;
    while let Some(row) = sheet.next_row()? {
        let mut reader = RowReader::new(&row);
        let raw_id = reader.raw(columns.location_id);
        let id = match &last_id {
            Some((raw, id)) if *raw == raw_id.trim() => Some(id.clone()),
            _ => collector.mention(&raw_id),
        };
        let Some(id) = id else {
            reader.required_domain(columns.location_id, "a location ID", LocationId::parse);
            collector.reject(None, reader.problems);
            continue;
        };
        if last_id.as_ref().is_none_or(|(_, last)| *last != id) {
            last_id = Some((raw_id.trim().to_string(), id.clone()));
        }
        read_row(&columns, &mut reader, &id, &mut collector);
        if !reader.problems.is_empty() {
            collector.reject(Some(id), reader.problems);
        }
    }
    let carried = Carried {
        location: CARRIED,
        provider: ProviderFields::NAME.with(ProviderFields::BRAND),
        rating: RatingFields::KEY_QUESTIONS.with(RatingFields::REPORT_TYPE).with(RatingFields::INHERITED),
    };
    Ok(collector.finish(SourceKind::LatestRatings, sheet.path().display().to_string(), produced_on, carried))
}

/// Reads one row into the location's entry, creating the entry from its first row.
fn read_row(columns: &RatingsColumns, r: &mut RowReader, id: &LocationId, collector: &mut Collector) {
    let Some(cell) = columns.rating_cell(r) else { return };
    if collector.is_rejected(id) {
        return;
    }
    if collector.get_mut(id).is_none() {
        let (location, provider) = columns.identity(r, id);
        if !r.problems.is_empty() {
            return;
        }
        if let Some(provider) = provider {
            collector.add_provider(provider);
        }
        collector.insert(IncomingLocation {
            id: id.clone(),
            line: r.line(),
            file: None,
            location,
            ratings: Vec::new(),
        });
    }
    if let Some(entry) = collector.get_mut(id) {
        cell.apply_to(id, &mut entry.ratings);
    }
}

/// One row's rating: which service group, which domain, what rating, when.
struct RatingCell {
    service_group: String,
    /// `None` for the "Overall" domain.
    key_question: Option<KeyQuestion>,
    rating: Option<Rating>,
    published: NaiveDate,
    report_type: Option<String>,
    inherited: bool,
}

impl RatingCell {
    /// Sets this cell on the record for its service group and date, creating it.
    fn apply_to(self, id: &LocationId, ratings: &mut Vec<RatingRecord>) {
        let found = ratings.iter().position(|r| r.published == self.published && r.service_group == self.service_group);
        let index = found.unwrap_or_else(|| {
            ratings.push(RatingRecord {
                location_id: id.clone(),
                service_group: self.service_group.clone(),
                published: self.published,
                source: RatingSource::Cqc,
                overall: None,
                key_questions: Default::default(),
                report_type: self.report_type.clone(),
                inherited: self.inherited,
            });
            ratings.len() - 1
        });
        let record = &mut ratings[index];
        match self.key_question {
            None => {
                record.overall = self.rating;
                // The overall row speaks for the record as a whole.
                record.report_type = self.report_type.or(record.report_type.take());
                record.inherited = self.inherited;
            }
            Some(kq) => record.key_questions.set(kq, self.rating),
        }
    }
}

/// The text with runs of whitespace made single spaces (copied as is when already so).
fn single_spaced(text: &str) -> String {
    let tidy = !text.contains("  ") && !text.contains(['\t', '\n', '\r']);
    if tidy { text.to_string() } else { text.split_whitespace().collect::<Vec<_>>().join(" ") }
}

struct RatingsColumns {
    location_id: Col,
    name: Col,
    care_home: Col,
    primary_category: Col,
    street: Col,
    line2: Col,
    city: Col,
    postcode: Col,
    local_authority: Col,
    region: Col,
    service_group: Col,
    domain: Col,
    rating: Col,
    publication_date: Col,
    report_type: Col,
    inherited: Col,
    provider_id: Col,
    provider_name: Col,
    brand_id: Col,
    brand_name: Col,
}

impl RatingsColumns {
    fn locate(header: &Header, path: &Path) -> Result<Self, ImportError> {
        let mut c = Columns::new(header);
        let columns = Self {
            location_id: c.required("Location ID"),
            name: c.required("Location Name"),
            care_home: c.required("Care Home?"),
            primary_category: c.required("Location Primary Inspection Category"),
            street: c.required("Location Street Address"),
            line2: c.required("Location Address Line 2"),
            city: c.required("Location City"),
            postcode: c.required("Location Post Code"),
            local_authority: c.required("Location Local Authority"),
            region: c.required("Location Region"),
            service_group: c.required("Service / Population Group"),
            domain: c.required("Domain"),
            rating: c.required("Latest Rating"),
            publication_date: c.required("Publication Date"),
            report_type: c.required("Report Type"),
            inherited: c.required("Inherited Rating (Y/N)"),
            provider_id: c.required("Provider ID"),
            provider_name: c.required("Provider Name"),
            brand_id: c.required("Brand ID"),
            brand_name: c.required("Brand Name"),
        };
        c.finish(path)?;
        Ok(columns)
    }

    /// The row's rating; `None` when invalid (problems recorded) or when the row
    /// has neither a rating nor a date, so says nothing.
    fn rating_cell(&self, r: &mut RowReader) -> Option<RatingCell> {
        let group_raw = r.raw(self.service_group);
        let service_group = match non_blank(&group_raw) {
            None => {
                r.problem(self.service_group.name, "is blank; every row needs a service or population group");
                None
            }
            Some(g) if g.eq_ignore_ascii_case(RatingRecord::LOCATION_GROUP) => {
                Some(RatingRecord::LOCATION_GROUP.to_string())
            }
            Some(g) => Some(single_spaced(g)),
        };
        let domain_raw = r.raw(self.domain);
        let key_question = match domain_raw.trim() {
            d if d.eq_ignore_ascii_case("overall") => Some(None),
            d => match KeyQuestion::ALL.into_iter().find(|kq| kq.name().eq_ignore_ascii_case(d)) {
                Some(kq) => Some(Some(kq)),
                None => {
                    r.required_domain(self.domain, "a domain (Overall or a key question)", KeyQuestion::parse).map(Some)
                }
            },
        };
        let rating = r.parse(self.rating, crate::values::rating);
        let published = r.parse(self.publication_date, values::date);
        let inherited = r.parse(self.inherited, values::yes_no);
        let (service_group, key_question, rating, published, inherited) =
            (service_group?, key_question?, rating?, published?, inherited?);
        let Some(published) = published else {
            if rating.is_some() {
                r.problem(self.publication_date.name, "is blank; a rating needs the date it was published");
            }
            return None;
        };
        let report_type = r.text(self.report_type);
        Some(RatingCell {
            service_group,
            key_question,
            rating,
            published,
            report_type,
            inherited: inherited.unwrap_or(false),
        })
    }

    /// The location and provider as this row describes them. The location is `None`
    /// when the row lacks its name or provider ID (enough only for a known location).
    fn identity(&self, r: &mut RowReader, id: &LocationId) -> (Option<Location>, Option<Provider>) {
        let name = r.text(self.name);
        let provider_id = r.parse_domain(self.provider_id, ProviderId::parse).flatten();
        let provider = match (&provider_id, r.text(self.provider_name)) {
            (Some(pid), Some(name)) => {
                let mut p = Provider::new(pid.clone(), name);
                p.brand_id = r.text(self.brand_id);
                p.brand_name = r.text(self.brand_name);
                Some(p)
            }
            _ => None,
        };
        let mut l = blank_location();
        l.care_home = r.parse(self.care_home, values::yes_no).flatten().unwrap_or(false);
        l.address = Address {
            line1: r.text(self.street),
            line2: r.text(self.line2),
            town: r.text(self.city),
            county: None,
            postcode: r.parse_domain(self.postcode, Postcode::parse).flatten(),
        };
        l.local_authority = r.text(self.local_authority);
        l.region = r.parse_domain(self.region, Region::parse).flatten();
        l.primary_inspection_category = r.text(self.primary_category);
        l.brand_id = r.text(self.brand_id);
        l.brand_name = r.text(self.brand_name);
        let location = match (name, provider_id) {
            (Some(name), Some(provider_id)) => {
                l.id = id.clone();
                l.provider_id = provider_id;
                l.name = name;
                Some(l)
            }
            _ => None,
        };
        (location, provider)
    }
}
