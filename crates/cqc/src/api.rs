//! Location and provider records as the regulator's API returns them, from the API
//! client or from JSON saved from it (one object, an array, or a folder of files).
//! Ratings come in two shapes, both read: the legacy `currentRatings` /
//! `historicRatings`, and the single assessment framework's `assessment[]`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde_json::Value;

use candour_domain::{
    Address, KeyQuestion, KeyQuestionRatings, Location, LocationId, ParseError, Postcode, Provider, ProviderId, Rating,
    RatingRecord, RatingSource, Region, Registration, RegistrationStatus, Relationship, RelationshipKind,
    normalise_names,
};

use crate::collect::Collector;
use crate::error::{ImportError, RowProblem};
use crate::fields::{Carried, LocationFields, ProviderFields, RatingFields};
use crate::{IncomingLocation, Parsed, Progress, SourceKind, values};

/// A location record read from the API, with every rating it carries.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiRecord {
    pub location: Location,
    pub ratings: Vec<RatingRecord>,
}

/// What API records carry: all of a location and provider, and key question ratings
/// (but neither report types nor whether a rating was inherited).
pub const API_CARRIED: Carried =
    Carried { location: LocationFields::ALL, provider: ProviderFields::ALL, rating: RatingFields::KEY_QUESTIONS };

/// Reads one location record (`GET /locations/{id}`). Problems name the field path,
/// e.g. `currentRatings.overall.keyQuestionRatings[2].name`; their line is 0, for
/// the caller to set.
pub fn parse_location_record(value: &Value) -> Result<ApiRecord, Vec<RowProblem>> {
    let mut cx = Cx::default();
    if !value.is_object() {
        return Err(vec![RowProblem::new(0, None, "is not a JSON object")]);
    }
    let location = read_location(&mut cx, value);
    let ratings = location.as_ref().map(|l| read_ratings(&mut cx, value, l)).unwrap_or_default();
    match location {
        Some(location) if cx.problems.is_empty() => Ok(ApiRecord { location, ratings }),
        _ => Err(cx.problems),
    }
}

/// Reads one provider record (`GET /providers/{id}`).
pub fn parse_provider_record(value: &Value) -> Result<Provider, Vec<RowProblem>> {
    let mut cx = Cx::default();
    if !value.is_object() {
        return Err(vec![RowProblem::new(0, None, "is not a JSON object")]);
    }
    let id = cx.required(value, "", "providerId", ProviderId::parse);
    let name = cx.required_text(value, "", "name");
    let sector = cx.text(value, "", "type");
    let ownership_type = cx.text(value, "", "ownershipType");
    let brand_id = cx.text(value, "", "brandId");
    let brand_name = cx.text(value, "", "brandName");
    let address = read_address(&mut cx, value);
    let registration = read_registration(&mut cx, value);
    match (id, name) {
        (Some(id), Some(name)) if cx.problems.is_empty() => {
            Ok(Provider { id, name, sector, ownership_type, brand_id, brand_name, address, registration })
        }
        _ => Err(cx.problems),
    }
}

/// Reads API records saved as JSON: a file holding one object or an array of
/// objects, or a folder of such `.json` files (read in name order). Objects with a
/// `locationId` are location records; others with a `providerId`, provider records.
pub fn read_api_json(path: &Path, progress: &dyn Progress) -> Result<Parsed, ImportError> {
    let files = json_files(path)?;
    progress.start(files.len() as u64);
    let mut collector = Collector::new();
    let mut records = 0;
    for file in &files {
        let value = read_json_file(file)?;
        let name = file.file_name().map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned());
        match &value {
            Value::Array(items) => {
                records += items.len();
                for (index, item) in items.iter().enumerate() {
                    add_record(&mut collector, item, index, &format!("{name}[{index}]"));
                }
            }
            Value::Object(_) => {
                records += 1;
                add_record(&mut collector, &value, 0, &name);
            }
            _ => return Err(ImportError::invalid(file, "expected a JSON object or an array of objects")),
        }
        progress.advance(1);
    }
    if records == 0 {
        return Err(ImportError::NoRows { path: path.to_path_buf() });
    }
    progress.finish();
    Ok(collector.finish(SourceKind::Api, path.display().to_string(), None, API_CARRIED))
}

/// Adds one record of JSON input (a location or a provider) to the collector.
/// `place` names it in problems: a file, `file[index]` within an array, or a request.
pub(crate) fn add_record(collector: &mut Collector, item: &Value, index: usize, place: &str) {
    let file = place;
    let place = |problems: Vec<RowProblem>| -> Vec<RowProblem> {
        problems.into_iter().map(|p| RowProblem { line: index, file: Some(file.to_string()), ..p }).collect()
    };
    if let Some(raw_id) = item.get("locationId").and_then(Value::as_str) {
        let id = collector.mention(raw_id);
        match parse_location_record(item) {
            Ok(record) if collector.get_mut(&record.location.id).is_none() => collector.insert(IncomingLocation {
                id: record.location.id.clone(),
                line: index,
                file: Some(file.to_string()),
                location: Some(record.location),
                ratings: record.ratings,
            }),
            // The same location twice: the first record is kept.
            Ok(_) => {}
            Err(problems) => collector.reject(id, place(problems)),
        }
    } else if item.get("providerId").is_some() {
        match parse_provider_record(item) {
            Ok(provider) => collector.add_provider(provider),
            Err(problems) => collector.reject(None, place(problems)),
        }
    } else {
        let message = "is neither a location record (with locationId) nor a provider record (with providerId)";
        collector.reject(None, place(vec![RowProblem::new(0, None, message)]));
    }
}

fn json_files(path: &Path) -> Result<Vec<PathBuf>, ImportError> {
    let meta = std::fs::metadata(path).map_err(|e| ImportError::open(path, e))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let entries = std::fs::read_dir(path).map_err(|e| ImportError::open(path, e))?;
    let mut files = Vec::new();
    for entry in entries {
        let file = entry.map_err(|e| ImportError::open(path, e))?.path();
        if file.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")) {
            files.push(file);
        }
    }
    if files.is_empty() {
        return Err(ImportError::invalid(path, "the folder holds no .json files"));
    }
    files.sort();
    Ok(files)
}

fn read_json_file(file: &Path) -> Result<Value, ImportError> {
    let bytes = std::fs::read(file).map_err(|e| ImportError::open(file, e))?;
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() as u64 + 1;
        ImportError::InvalidUtf8 { path: file.to_path_buf(), line }
    })?;
    serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| ImportError::Json {
        path: file.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })
}

// ---------------------------------------------------------------- fields

/// Reads fields, collecting a problem (with its field path) for each bad one.
#[derive(Default)]
struct Cx {
    problems: Vec<RowProblem>,
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_string() } else { format!("{path}.{key}") }
}

impl Cx {
    fn problem(&mut self, field: &str, message: impl Into<String>) {
        self.problems.push(RowProblem::new(0, Some(field), message));
    }

    /// A field's text: strings trimmed, numbers as written; blank-ish and null are `None`.
    fn text(&mut self, obj: &Value, path: &str, key: &str) -> Option<String> {
        match obj.get(key)? {
            Value::Null => None,
            Value::String(s) => match candour_domain::check_text(s) {
                Ok(()) => candour_domain::non_blank(s).map(str::to_string),
                Err(problem) => {
                    self.problem(&join(path, key), problem.to_string());
                    None
                }
            },
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Array(_) | Value::Object(_) => {
                self.problem(&join(path, key), "is a list or object; expected a single value");
                None
            }
        }
    }

    fn required_text(&mut self, obj: &Value, path: &str, key: &str) -> Option<String> {
        let text = self.text(obj, path, key);
        if text.is_none() {
            self.problem(&join(path, key), "is missing or blank");
        }
        text
    }

    /// A field parsed with a cell parser; `None` when absent, blank or invalid.
    fn value<T>(
        &mut self,
        obj: &Value,
        path: &str,
        key: &str,
        parser: impl FnOnce(&str) -> Result<Option<T>, String>,
    ) -> Option<T> {
        let text = self.text(obj, path, key)?;
        parser(&text).unwrap_or_else(|message| {
            self.problem(&join(path, key), message);
            None
        })
    }

    fn date(&mut self, obj: &Value, path: &str, key: &str) -> Option<NaiveDate> {
        self.value(obj, path, key, values::date)
    }

    /// A field parsed with a domain parser; `None` when absent, blank or invalid.
    fn domain<T>(
        &mut self,
        obj: &Value,
        path: &str,
        key: &str,
        parser: impl FnOnce(&str) -> Result<T, ParseError>,
    ) -> Option<T> {
        self.value(obj, path, key, |v| parser(v).map(Some).map_err(|e| e.to_string()))
    }

    fn required<T>(
        &mut self,
        obj: &Value,
        path: &str,
        key: &str,
        parser: impl FnOnce(&str) -> Result<T, ParseError>,
    ) -> Option<T> {
        let text = self.required_text(obj, path, key)?;
        parser(&text).map_err(|e| self.problem(&join(path, key), e.to_string())).ok()
    }

    /// A list field; absent or null is empty.
    fn list<'v>(&mut self, obj: &'v Value, path: &str, key: &str) -> &'v [Value] {
        match obj.get(key) {
            None | Some(Value::Null) => &[],
            Some(Value::Array(items)) => items,
            Some(_) => {
                self.problem(&join(path, key), "is not a list");
                &[]
            }
        }
    }
}

// ---------------------------------------------------------------- locations

fn read_location(cx: &mut Cx, v: &Value) -> Option<Location> {
    let id = cx.required(v, "", "locationId", LocationId::parse);
    let provider_id = cx.required(v, "", "providerId", ProviderId::parse);
    let name = cx.required_text(v, "", "name");
    let mut l = Location::new(id?, provider_id?, name?);
    l.also_known_as = cx.text(v, "", "alsoKnownAs");
    l.brand_id = cx.text(v, "", "brandId");
    l.brand_name = cx.text(v, "", "brandName");
    l.registration = read_registration(cx, v);
    l.dormant = cx.value(v, "", "dormancy", values::yes_no);
    l.registered_manager_absent_since = cx.date(v, "", "registeredManagerAbsentDate");
    l.care_home = cx.value(v, "", "careHome", values::yes_no).unwrap_or(false);
    l.beds = cx.value(v, "", "numberOfBeds", values::beds);
    l.inspection_directorate = cx.text(v, "", "inspectionDirectorate");
    l.primary_inspection_category = primary_category(cx, v);
    read_services(cx, v, &mut l);
    l.address = read_address(cx, v);
    l.region = cx.domain(v, "", "region", Region::parse);
    l.local_authority = cx.text(v, "", "localAuthority");
    l.constituency = cx.text(v, "", "constituency");
    l.latitude = cx.value(v, "", "onspdLatitude", values::latitude);
    l.longitude = cx.value(v, "", "onspdLongitude", values::longitude);
    l.phone = cx.text(v, "", "mainPhoneNumber");
    l.website = cx.text(v, "", "website");
    l.last_inspection = v.get("lastInspection").and_then(|o| cx.date(o, "lastInspection", "date"));
    l.last_report = last_report_date(cx, v);
    l.relationships = read_relationships(cx, v);
    Some(l)
}

fn last_report_date(cx: &mut Cx, v: &Value) -> Option<NaiveDate> {
    v.get("lastReport").and_then(|o| cx.date(o, "lastReport", "publicationDate"))
}

fn read_registration(cx: &mut Cx, v: &Value) -> Registration {
    Registration {
        status: cx
            .required(v, "", "registrationStatus", RegistrationStatus::parse)
            .unwrap_or(RegistrationStatus::Registered),
        registered_on: cx.date(v, "", "registrationDate"),
        deregistered_on: cx.date(v, "", "deregistrationDate"),
    }
}

fn read_address(cx: &mut Cx, v: &Value) -> Address {
    Address {
        line1: cx.text(v, "", "postalAddressLine1"),
        line2: cx.text(v, "", "postalAddressLine2"),
        town: cx.text(v, "", "postalAddressTownCity"),
        county: cx.text(v, "", "postalAddressCounty"),
        postcode: cx.domain(v, "", "postalCode", Postcode::parse),
    }
}

/// Service types, specialisms and regulated activities. Regulated activities carry
/// named contacts, which are personal data: only whether one of them is the
/// registered manager is kept.
fn read_services(cx: &mut Cx, v: &Value, l: &mut Location) {
    let mut service_types = Vec::new();
    for (i, item) in cx.list(v, "", "gacServiceTypes").iter().enumerate() {
        let path = format!("gacServiceTypes[{i}]");
        let name = cx.text(item, &path, "description").or_else(|| cx.text(item, &path, "name"));
        service_types.extend(name);
    }
    l.service_types = normalise_names(service_types);
    let specialisms = names(cx, v, "specialisms");
    l.specialisms = normalise_names(specialisms);
    let activities = cx.list(v, "", "regulatedActivities");
    l.regulated_activities = normalise_names(names(cx, v, "regulatedActivities"));
    let has_contacts = activities.iter().any(|a| a.get("contacts").is_some_and(Value::is_array));
    let has_manager = activities.iter().flat_map(contacts).any(is_registered_manager);
    l.registered_manager = if has_contacts {
        Some(has_manager)
    } else if l.registered_manager_absent_since.is_some() {
        Some(false)
    } else {
        None
    };
}

fn names(cx: &mut Cx, v: &Value, key: &str) -> Vec<String> {
    let items = cx.list(v, "", key);
    items.iter().enumerate().filter_map(|(i, item)| cx.text(item, &format!("{key}[{i}]"), "name")).collect()
}

fn contacts(activity: &Value) -> impl Iterator<Item = &Value> {
    activity.get("contacts").and_then(Value::as_array).into_iter().flatten()
}

fn is_registered_manager(contact: &Value) -> bool {
    let roles = contact.get("personRoles").and_then(Value::as_array).into_iter().flatten();
    roles.filter_map(Value::as_str).any(|r| r.trim().eq_ignore_ascii_case("registered manager"))
}

/// The name of the inspection category marked primary (`"primary": "true"`).
fn primary_category(cx: &mut Cx, v: &Value) -> Option<String> {
    let categories = cx.list(v, "", "inspectionCategories");
    let is_primary = |c: &&Value| match c.get("primary") {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.trim().eq_ignore_ascii_case("true"),
        _ => false,
    };
    let (i, primary) = categories.iter().enumerate().find(|(_, c)| is_primary(c))?;
    cx.text(primary, &format!("inspectionCategories[{i}]"), "name")
}

fn read_relationships(cx: &mut Cx, v: &Value) -> Vec<Relationship> {
    let items = cx.list(v, "", "relationships");
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = format!("relationships[{i}]");
        let related_id = cx.required(item, &path, "relatedLocationId", LocationId::parse);
        let kind = cx.required(item, &path, "type", RelationshipKind::parse);
        let related_name = cx.text(item, &path, "relatedLocationName");
        let reason = cx.text(item, &path, "reason");
        if let (Some(related_id), Some(kind)) = (related_id, kind) {
            out.push(Relationship { kind, related_id, related_name, reason });
        }
    }
    out
}

// ---------------------------------------------------------------- ratings

/// Both rating shapes. Where both give a rating for the same service group and date,
/// the assessment framework's (the newer) wins.
fn read_ratings(cx: &mut Cx, v: &Value, location: &Location) -> Vec<RatingRecord> {
    let fallback = last_report_date(cx, v);
    let mut ratings = legacy_ratings(cx, v, &location.id, fallback);
    for record in assessment_ratings(cx, v, &location.id, fallback) {
        match ratings.iter_mut().find(|r| r.service_group == record.service_group && r.published == record.published) {
            Some(existing) => *existing = record,
            None => ratings.push(record),
        }
    }
    ratings
}

fn new_record(id: &LocationId, group: &str, published: NaiveDate) -> RatingRecord {
    RatingRecord {
        location_id: id.clone(),
        service_group: group.to_string(),
        published,
        source: RatingSource::Cqc,
        overall: None,
        key_questions: KeyQuestionRatings::default(),
        report_type: None,
        inherited: false,
    }
}

fn rating(cx: &mut Cx, obj: &Value, path: &str) -> Option<Rating> {
    cx.value(obj, path, "rating", values::rating)
}

/// `keyQuestionRatings[] {name, rating}`, matched by name.
fn key_questions(cx: &mut Cx, obj: &Value, path: &str) -> KeyQuestionRatings {
    let mut out = KeyQuestionRatings::default();
    for (i, item) in cx.list(obj, path, "keyQuestionRatings").iter().enumerate() {
        let item_path = format!("{}[{i}]", join(path, "keyQuestionRatings"));
        let kq = cx.required(item, &item_path, "name", KeyQuestion::parse);
        let value = rating(cx, item, &item_path);
        if let Some(kq) = kq {
            out.set(kq, value);
        }
    }
    out
}

/// `currentRatings` (its overall and service ratings) and `historicRatings[]`.
fn legacy_ratings(cx: &mut Cx, v: &Value, id: &LocationId, fallback: Option<NaiveDate>) -> Vec<RatingRecord> {
    let mut out = Vec::new();
    if let Some(current) = v.get("currentRatings").filter(|c| !c.is_null()) {
        let shared_date = cx.date(current, "currentRatings", "reportDate").or(fallback);
        let overall_date = legacy_group(cx, current, "currentRatings", "overall", id, shared_date, &mut out);
        service_ratings(cx, current, "currentRatings", id, overall_date.or(shared_date), &mut out);
    }
    for (i, historic) in cx.list(v, "", "historicRatings").iter().enumerate() {
        let path = format!("historicRatings[{i}]");
        let date = cx.date(historic, &path, "reportDate");
        legacy_group(cx, historic, &path, "overall", id, date, &mut out);
        service_ratings(cx, historic, &path, id, date, &mut out);
    }
    out
}

/// Reads `{rating, reportDate, keyQuestionRatings[]}` at `parent.key` as the
/// location's overall record; returns the date used.
fn legacy_group(
    cx: &mut Cx,
    parent: &Value,
    parent_path: &str,
    key: &str,
    id: &LocationId,
    default_date: Option<NaiveDate>,
    out: &mut Vec<RatingRecord>,
) -> Option<NaiveDate> {
    let obj = parent.get(key).filter(|o| o.is_object())?;
    let path = join(parent_path, key);
    let date = cx.date(obj, &path, "reportDate").or(default_date);
    push_rated(cx, obj, &path, id, RatingRecord::LOCATION_GROUP, date, out);
    date
}

fn service_ratings(
    cx: &mut Cx,
    parent: &Value,
    parent_path: &str,
    id: &LocationId,
    date: Option<NaiveDate>,
    out: &mut Vec<RatingRecord>,
) {
    for (i, item) in cx.list(parent, parent_path, "serviceRatings").iter().enumerate() {
        let path = format!("{}[{i}]", join(parent_path, "serviceRatings"));
        let Some(name) = cx.required_text(item, &path, "name") else { continue };
        let item_date = cx.date(item, &path, "reportDate").or(date);
        push_rated(cx, item, &path, id, &name, item_date, out);
    }
}

/// Adds the record `obj` describes, if it rates anything; a rating needs a date.
fn push_rated(
    cx: &mut Cx,
    obj: &Value,
    path: &str,
    id: &LocationId,
    group: &str,
    date: Option<NaiveDate>,
    out: &mut Vec<RatingRecord>,
) {
    let overall = rating(cx, obj, path);
    let kqs = key_questions(cx, obj, path);
    if overall.is_none() && kqs.is_empty() {
        return;
    }
    let Some(published) = date else {
        cx.problem(&join(path, "reportDate"), "is missing; a rating needs the date it was published");
        return;
    };
    if !out.iter().any(|r| r.service_group == group && r.published == published) {
        out.push(RatingRecord { overall, key_questions: kqs, ..new_record(id, group, published) });
    }
}

/// A rating from the assessment framework, before choosing among duplicates.
struct Assessed {
    record: RatingRecord,
    current: bool,
}

/// `assessment[].ratings.overall[]` and `.asgRatings[]`. For each service group and
/// date the "Current" entry wins. Adult social care is rated per service group with
/// `overall` often empty: a location with a single service group then takes that
/// group's rating as its own overall rating, as the regulator shows it.
fn assessment_ratings(cx: &mut Cx, v: &Value, id: &LocationId, fallback: Option<NaiveDate>) -> Vec<RatingRecord> {
    let mut found: Vec<Assessed> = Vec::new();
    for (i, assessment) in cx.list(v, "", "assessment").iter().enumerate() {
        let path = format!("assessment[{i}]");
        let default_date = cx.date(assessment, &path, "assessmentDate").or(fallback);
        let Some(ratings) = assessment.get("ratings").filter(|r| r.is_object()) else { continue };
        let ratings_path = join(&path, "ratings");
        for (j, entry) in cx.list(ratings, &ratings_path, "overall").iter().enumerate() {
            let entry_path = format!("{ratings_path}.overall[{j}]");
            assessed(cx, entry, &entry_path, id, Some(RatingRecord::LOCATION_GROUP), default_date, &mut found);
        }
        for (j, entry) in cx.list(ratings, &ratings_path, "asgRatings").iter().enumerate() {
            let entry_path = format!("{ratings_path}.asgRatings[{j}]");
            assessed(cx, entry, &entry_path, id, None, default_date, &mut found);
        }
    }
    drop_superseded(&mut found);
    let mut out: Vec<RatingRecord> = found.into_iter().map(|a| a.record).collect();
    add_single_group_overall(&mut out);
    out
}

/// A non-current entry dated on or after its group's current one would pass for the
/// latest rating: the current one wins, and only older entries stay, as history.
fn drop_superseded(found: &mut Vec<Assessed>) {
    let current: Vec<(String, NaiveDate)> =
        found.iter().filter(|a| a.current).map(|a| (a.record.service_group.clone(), a.record.published)).collect();
    found.retain(|a| {
        a.current
            || !current.iter().any(|(group, date)| *group == a.record.service_group && a.record.published >= *date)
    });
}

fn assessed(
    cx: &mut Cx,
    entry: &Value,
    path: &str,
    id: &LocationId,
    group: Option<&str>,
    default_date: Option<NaiveDate>,
    found: &mut Vec<Assessed>,
) {
    let group = match group {
        Some(g) => Some(g.to_string()),
        None => cx.required_text(entry, path, "name"),
    };
    let current = cx.text(entry, path, "status").is_some_and(|s| s.eq_ignore_ascii_case("current"));
    let date = cx.date(entry, path, "assessmentDate").or(default_date);
    let overall = rating(cx, entry, path);
    let kqs = key_questions(cx, entry, path);
    let Some(group) = group else { return };
    if overall.is_none() && kqs.is_empty() {
        return;
    }
    let Some(published) = date else {
        cx.problem(
            &join(path, "assessmentDate"),
            "is missing (and so is lastReport.publicationDate); a rating needs a date",
        );
        return;
    };
    let record = RatingRecord { overall, key_questions: kqs, ..new_record(id, &group, published) };
    match found.iter_mut().find(|a| a.record.service_group == group && a.record.published == published) {
        Some(existing) if current && !existing.current => *existing = Assessed { record, current },
        Some(_) => {}
        None => found.push(Assessed { record, current }),
    }
}

/// When the assessment gives no overall rating and rates exactly one service group,
/// that group's ratings are the location's overall ratings.
fn add_single_group_overall(ratings: &mut Vec<RatingRecord>) {
    if ratings.iter().any(|r| r.service_group == RatingRecord::LOCATION_GROUP) {
        return;
    }
    let groups: HashSet<&str> = ratings.iter().map(|r| r.service_group.as_str()).collect();
    if groups.len() != 1 {
        return;
    }
    let overall: Vec<RatingRecord> = ratings
        .iter()
        .map(|r| RatingRecord { service_group: RatingRecord::LOCATION_GROUP.to_string(), ..r.clone() })
        .collect();
    ratings.extend(overall);
}
