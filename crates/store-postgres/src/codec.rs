//! Converting between domain values and their stored form.

use candour_domain::{
    Address, Location, LocationId, Postcode, Provider, ProviderId, Rating, RatingRecord, RatingSource, Region,
    Registration, RegistrationStatus, ServiceKind,
};
use candour_store::{LocationSummary, StoreResult};
use chrono::NaiveDate;
use sqlx::Row;
use sqlx::postgres::PgRow;

pub(crate) use crate::corrupt;

/// The columns of `locations` read into a [`Location`], in the order [`location`] expects.
macro_rules! location_columns {
    () => {
        "l.id, l.provider_id, l.name, l.also_known_as, l.brand_id, l.brand_name, \
    l.care_home, l.beds, l.service_types, l.specialisms, l.regulated_activities, l.relationships, \
    l.address_line1, l.address_line2, l.town, l.county, l.postcode, l.region, l.local_authority, l.constituency, \
    l.latitude, l.longitude, l.phone, l.website, l.registration_status, l.registered_on, l.deregistered_on, \
    l.dormant, l.registered_manager, l.registered_manager_absent_since, l.inspection_directorate, \
    l.primary_inspection_category, l.last_inspection, l.last_report"
    };
}

macro_rules! provider_columns {
    () => {
        "p.id, p.name, p.sector, p.ownership_type, p.brand_id, p.brand_name, \
    p.address_line1, p.address_line2, p.town, p.county, p.postcode, p.registration_status, p.registered_on, \
    p.deregistered_on"
    };
}

macro_rules! rating_columns {
    () => {
        "r.location_id, r.service_group, r.published, r.source, r.overall, r.safe, \
    r.effective, r.caring, r.responsive, r.well_led, r.report_type, r.inherited"
    };
}

macro_rules! summary_columns {
    () => {
        "l.id, l.name, l.provider_id, p.name, l.town, l.postcode, l.local_authority, \
    l.region, l.service_kinds, l.care_home, l.beds, l.current_overall, l.current_rated_on, l.registration_status, \
    l.registered_manager, l.registered_manager_absent_since"
    };
}

pub(crate) fn get<'r, T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>>(
    row: &'r PgRow,
    i: usize,
) -> StoreResult<T> {
    row.try_get(i).map_err(crate::other)
}

fn json_list<T: serde::de::DeserializeOwned>(row: &PgRow, i: usize) -> StoreResult<Vec<T>> {
    let text: String = get(row, i)?;
    serde_json::from_str(&text).map_err(|e| corrupt("list", e))
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("lists of plain values always serialise")
}

fn location_id(row: &PgRow, i: usize) -> StoreResult<LocationId> {
    LocationId::parse(&get::<String>(row, i)?).map_err(|e| corrupt("location ID", e))
}

fn provider_id(row: &PgRow, i: usize) -> StoreResult<ProviderId> {
    ProviderId::parse(&get::<String>(row, i)?).map_err(|e| corrupt("provider ID", e))
}

fn postcode(row: &PgRow, i: usize) -> StoreResult<Option<Postcode>> {
    get::<Option<String>>(row, i)?.map(|p| Postcode::parse(&p).map_err(|e| corrupt("postcode", e))).transpose()
}

fn region(row: &PgRow, i: usize) -> StoreResult<Option<Region>> {
    get::<Option<String>>(row, i)?.map(|r| Region::parse(&r).map_err(|e| corrupt("region", e))).transpose()
}

pub(crate) fn rating(row: &PgRow, i: usize) -> StoreResult<Option<Rating>> {
    get::<Option<String>>(row, i)?.map(|r| Rating::parse(&r).map_err(|e| corrupt("rating", e))).transpose()
}

/// Counts are BIGINT in the database and `u32` in the domain.
fn beds(row: &PgRow, i: usize) -> StoreResult<Option<u32>> {
    get::<Option<i64>>(row, i)?.map(|n| u32::try_from(n).map_err(|e| corrupt("number of beds", e))).transpose()
}

fn status(row: &PgRow, i: usize) -> StoreResult<RegistrationStatus> {
    RegistrationStatus::parse(&get::<String>(row, i)?).map_err(|e| corrupt("registration status", e))
}

fn date(row: &PgRow, i: usize) -> StoreResult<Option<NaiveDate>> {
    get(row, i)
}

fn registration(row: &PgRow, i: usize) -> StoreResult<Registration> {
    Ok(Registration { status: status(row, i)?, registered_on: date(row, i + 1)?, deregistered_on: date(row, i + 2)? })
}

fn address(row: &PgRow, i: usize) -> StoreResult<Address> {
    Ok(Address {
        line1: get(row, i)?,
        line2: get(row, i + 1)?,
        town: get(row, i + 2)?,
        county: get(row, i + 3)?,
        postcode: postcode(row, i + 4)?,
    })
}

/// Reads [`location_columns!`].
pub(crate) fn location(row: &PgRow) -> StoreResult<Location> {
    Ok(Location {
        id: location_id(row, 0)?,
        provider_id: provider_id(row, 1)?,
        name: get(row, 2)?,
        also_known_as: get(row, 3)?,
        brand_id: get(row, 4)?,
        brand_name: get(row, 5)?,
        care_home: get(row, 6)?,
        beds: beds(row, 7)?,
        service_types: json_list(row, 8)?,
        specialisms: json_list(row, 9)?,
        regulated_activities: json_list(row, 10)?,
        relationships: json_list(row, 11)?,
        address: address(row, 12)?,
        region: region(row, 17)?,
        local_authority: get(row, 18)?,
        constituency: get(row, 19)?,
        latitude: get(row, 20)?,
        longitude: get(row, 21)?,
        phone: get(row, 22)?,
        website: get(row, 23)?,
        registration: registration(row, 24)?,
        dormant: get(row, 27)?,
        registered_manager: get(row, 28)?,
        registered_manager_absent_since: date(row, 29)?,
        inspection_directorate: get(row, 30)?,
        primary_inspection_category: get(row, 31)?,
        last_inspection: date(row, 32)?,
        last_report: date(row, 33)?,
    })
}

/// Reads [`provider_columns!`].
pub(crate) fn provider(row: &PgRow) -> StoreResult<Provider> {
    Ok(Provider {
        id: provider_id(row, 0)?,
        name: get(row, 1)?,
        sector: get(row, 2)?,
        ownership_type: get(row, 3)?,
        brand_id: get(row, 4)?,
        brand_name: get(row, 5)?,
        address: address(row, 6)?,
        registration: registration(row, 11)?,
    })
}

/// Reads [`rating_columns!`].
pub(crate) fn rating_record(row: &PgRow) -> StoreResult<RatingRecord> {
    let mut key_questions = candour_domain::KeyQuestionRatings::default();
    for (i, kq) in candour_domain::KeyQuestion::ALL.into_iter().enumerate() {
        key_questions.set(kq, rating(row, 5 + i)?);
    }
    Ok(RatingRecord {
        location_id: location_id(row, 0)?,
        service_group: get(row, 1)?,
        published: get(row, 2)?,
        source: RatingSource::parse(&get::<String>(row, 3)?).map_err(|e| corrupt("rating source", e))?,
        overall: rating(row, 4)?,
        key_questions,
        report_type: get(row, 10)?,
        inherited: get(row, 11)?,
    })
}

/// Reads [`summary_columns!`].
pub(crate) fn summary(row: &PgRow) -> StoreResult<LocationSummary> {
    let kinds: String = get(row, 8)?;
    let service_kinds = kinds
        .split(',')
        .filter(|k| !k.is_empty())
        .map(|k| ServiceKind::parse(k).map_err(|e| corrupt("service kind", e)))
        .collect::<StoreResult<_>>()?;
    Ok(LocationSummary {
        id: location_id(row, 0)?,
        name: get(row, 1)?,
        provider_id: provider_id(row, 2)?,
        provider_name: get(row, 3)?,
        town: get(row, 4)?,
        postcode: get(row, 5)?,
        local_authority: get(row, 6)?,
        region: region(row, 7)?,
        service_kinds,
        care_home: get(row, 9)?,
        beds: beds(row, 10)?,
        overall: rating(row, 11)?,
        rated_on: date(row, 12)?,
        registered: status(row, 13)? == RegistrationStatus::Registered,
        registered_manager: get(row, 14)?,
        registered_manager_absent_since: date(row, 15)?,
        people: None,
        miles: None,
    })
}

pub(crate) fn service_kinds_text(location: &Location) -> String {
    location.service_kinds().iter().map(|k| k.code()).collect::<Vec<_>>().join(",")
}
