//! Which fields a source carries, and merging what it carries into what the register
//! already holds. A source never blanks a field it does not carry: the latest-ratings
//! file says nothing about service types, so it leaves them as they are.

use std::ops::BitOr;

use candour_domain::{Location, LocationId, Provider, ProviderId, RatingRecord};

macro_rules! field_set {
    ($(#[$doc:meta])* $name:ident { $($(#[$flag_doc:meta])* $flag:ident = $bit:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
        pub struct $name(u32);

        impl $name {
            pub const NONE: Self = Self(0);
            pub const ALL: Self = Self(0 $(| (1 << $bit))*);
            $($(#[$flag_doc])* pub const $flag: Self = Self(1 << $bit);)*

            pub const fn with(self, other: Self) -> Self {
                Self(self.0 | other.0)
            }

            pub const fn contains(self, other: Self) -> bool {
                self.0 & other.0 == other.0
            }

            /// Adds `other` when `present`, e.g. for a column the file may or may not have.
            pub const fn with_if(self, other: Self, present: bool) -> Self {
                if present { self.with(other) } else { self }
            }
        }

        impl BitOr for $name {
            type Output = Self;
            fn bitor(self, other: Self) -> Self {
                self.with(other)
            }
        }
    };
}

field_set!(
    /// Location fields a source carries.
    LocationFields {
        PROVIDER_ID = 0,
        NAME = 1,
        ALSO_KNOWN_AS = 2,
        /// Brand ID and name.
        BRAND = 3,
        CARE_HOME = 4,
        BEDS = 5,
        SERVICE_TYPES = 6,
        SPECIALISMS = 7,
        REGULATED_ACTIVITIES = 8,
        ADDRESS_LINE1 = 9,
        ADDRESS_LINE2 = 10,
        TOWN = 11,
        COUNTY = 12,
        POSTCODE = 13,
        REGION = 14,
        LOCAL_AUTHORITY = 15,
        CONSTITUENCY = 16,
        /// Latitude and longitude.
        COORDINATES = 17,
        PHONE = 18,
        WEBSITE = 19,
        /// Registration status and deregistration date.
        REGISTRATION_STATUS = 20,
        REGISTERED_ON = 21,
        DORMANT = 22,
        REGISTERED_MANAGER = 23,
        MANAGER_ABSENT_SINCE = 24,
        INSPECTION_DIRECTORATE = 25,
        PRIMARY_INSPECTION_CATEGORY = 26,
        LAST_INSPECTION = 27,
        LAST_REPORT = 28,
        RELATIONSHIPS = 29,
    }
);

field_set!(
    /// Provider fields a source carries.
    ProviderFields {
        NAME = 0,
        SECTOR = 1,
        OWNERSHIP_TYPE = 2,
        BRAND = 3,
        ADDRESS = 4,
        REGISTRATION = 5,
    }
);

field_set!(
    /// Rating fields a source carries besides the overall rating, which every source has.
    RatingFields {
        KEY_QUESTIONS = 0,
        REPORT_TYPE = 1,
        INHERITED = 2,
    }
);

/// What a source carries of each kind of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Carried {
    pub location: LocationFields,
    pub provider: ProviderFields,
    pub rating: RatingFields,
}

/// `existing` with the carried fields taken from `incoming`.
pub(crate) fn merge_location(existing: &Location, incoming: Location, fields: LocationFields) -> Location {
    let mut out = existing.clone();
    let has = |flag| fields.contains(flag);
    let i = incoming;
    if has(LocationFields::PROVIDER_ID) {
        out.provider_id = i.provider_id;
    }
    if has(LocationFields::NAME) {
        out.name = i.name;
    }
    if has(LocationFields::ALSO_KNOWN_AS) {
        out.also_known_as = i.also_known_as;
    }
    if has(LocationFields::BRAND) {
        out.brand_id = i.brand_id;
        out.brand_name = i.brand_name;
    }
    if has(LocationFields::CARE_HOME) {
        out.care_home = i.care_home;
    }
    if has(LocationFields::BEDS) {
        out.beds = i.beds;
    }
    if has(LocationFields::SERVICE_TYPES) {
        out.service_types = i.service_types;
    }
    if has(LocationFields::SPECIALISMS) {
        out.specialisms = i.specialisms;
    }
    if has(LocationFields::REGULATED_ACTIVITIES) {
        out.regulated_activities = i.regulated_activities;
    }
    merge_place(&mut out, i.address, i.region, i.local_authority, i.constituency, fields);
    if has(LocationFields::COORDINATES) {
        out.latitude = i.latitude;
        out.longitude = i.longitude;
    }
    if has(LocationFields::PHONE) {
        out.phone = i.phone;
    }
    if has(LocationFields::WEBSITE) {
        out.website = i.website;
    }
    if has(LocationFields::REGISTRATION_STATUS) {
        out.registration.status = i.registration.status;
        out.registration.deregistered_on = i.registration.deregistered_on;
    }
    if has(LocationFields::REGISTERED_ON) {
        out.registration.registered_on = i.registration.registered_on;
    }
    if has(LocationFields::DORMANT) {
        out.dormant = i.dormant;
    }
    if has(LocationFields::REGISTERED_MANAGER) {
        out.registered_manager = i.registered_manager;
    }
    if has(LocationFields::MANAGER_ABSENT_SINCE) {
        out.registered_manager_absent_since = i.registered_manager_absent_since;
    }
    if has(LocationFields::INSPECTION_DIRECTORATE) {
        out.inspection_directorate = i.inspection_directorate;
    }
    if has(LocationFields::PRIMARY_INSPECTION_CATEGORY) {
        out.primary_inspection_category = i.primary_inspection_category;
    }
    if has(LocationFields::LAST_INSPECTION) {
        out.last_inspection = i.last_inspection;
    }
    if has(LocationFields::LAST_REPORT) {
        out.last_report = i.last_report;
    }
    if has(LocationFields::RELATIONSHIPS) {
        out.relationships = i.relationships;
    }
    out
}

fn merge_place(
    out: &mut Location,
    address: candour_domain::Address,
    region: Option<candour_domain::Region>,
    local_authority: Option<String>,
    constituency: Option<String>,
    fields: LocationFields,
) {
    let has = |flag| fields.contains(flag);
    if has(LocationFields::ADDRESS_LINE1) {
        out.address.line1 = address.line1;
    }
    if has(LocationFields::ADDRESS_LINE2) {
        out.address.line2 = address.line2;
    }
    if has(LocationFields::TOWN) {
        out.address.town = address.town;
    }
    if has(LocationFields::COUNTY) {
        out.address.county = address.county;
    }
    if has(LocationFields::POSTCODE) {
        out.address.postcode = address.postcode;
    }
    if has(LocationFields::REGION) {
        out.region = region;
    }
    if has(LocationFields::LOCAL_AUTHORITY) {
        out.local_authority = local_authority;
    }
    if has(LocationFields::CONSTITUENCY) {
        out.constituency = constituency;
    }
}

pub(crate) fn merge_provider(existing: &Provider, incoming: Provider, fields: ProviderFields) -> Provider {
    let mut out = existing.clone();
    let has = |flag| fields.contains(flag);
    if has(ProviderFields::NAME) {
        out.name = incoming.name;
    }
    if has(ProviderFields::SECTOR) {
        out.sector = incoming.sector;
    }
    if has(ProviderFields::OWNERSHIP_TYPE) {
        out.ownership_type = incoming.ownership_type;
    }
    if has(ProviderFields::BRAND) {
        out.brand_id = incoming.brand_id;
        out.brand_name = incoming.brand_name;
    }
    if has(ProviderFields::ADDRESS) {
        out.address = incoming.address;
    }
    if has(ProviderFields::REGISTRATION) {
        out.registration = incoming.registration;
    }
    out
}

/// The overall rating always comes from `incoming`; the rest only where carried, so an
/// "overall only" record does not erase key question ratings already known.
pub(crate) fn merge_rating(existing: &RatingRecord, incoming: RatingRecord, fields: RatingFields) -> RatingRecord {
    let mut out = existing.clone();
    out.overall = incoming.overall;
    if fields.contains(RatingFields::KEY_QUESTIONS) {
        out.key_questions = incoming.key_questions;
    }
    if fields.contains(RatingFields::REPORT_TYPE) {
        out.report_type = incoming.report_type;
    }
    if fields.contains(RatingFields::INHERITED) {
        out.inherited = incoming.inherited;
    }
    out
}

/// A location to fill from a row before its identity is known to be valid.
pub(crate) fn blank_location() -> Location {
    let id = LocationId::parse("1-0").expect("a constant, valid location ID");
    let provider_id = ProviderId::parse("1-0").expect("a constant, valid provider ID");
    Location::new(id, provider_id, String::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use candour_domain::{LocationId, ProviderId};

    fn location(name: &str) -> Location {
        Location::new(LocationId::parse("1-1").unwrap(), ProviderId::parse("1-2").unwrap(), name)
    }

    #[test]
    fn only_carried_fields_are_taken() {
        let mut existing = location("Old name");
        existing.service_types = vec!["Homecare agencies".into()];
        existing.address.line1 = Some("1 High Street".into());
        let incoming = location("New name");
        let merged = merge_location(&existing, incoming, LocationFields::NAME | LocationFields::CARE_HOME);
        assert_eq!(merged.name, "New name");
        assert_eq!(merged.service_types, vec!["Homecare agencies".to_string()]);
        assert_eq!(merged.address.line1.as_deref(), Some("1 High Street"));
    }

    #[test]
    fn all_fields_replace_everything() {
        let mut existing = location("Old");
        existing.beds = Some(3);
        let merged = merge_location(&existing, location("New"), LocationFields::ALL);
        assert_eq!(merged, location("New"));
    }

    #[test]
    fn set_operations() {
        let set = LocationFields::NAME.with(LocationFields::BEDS);
        assert!(set.contains(LocationFields::BEDS));
        assert!(!set.contains(LocationFields::PHONE));
        assert!(set.with_if(LocationFields::PHONE, true).contains(LocationFields::PHONE));
        assert!(!set.with_if(LocationFields::PHONE, false).contains(LocationFields::PHONE));
        assert!(LocationFields::ALL.contains(LocationFields::RELATIONSHIPS));
    }
}
