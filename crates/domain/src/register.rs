use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{LocationId, ParseError, Postcode, ProviderId, Region, ServiceKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationStatus {
    Registered,
    Deregistered,
}

impl RegistrationStatus {
    pub fn code(self) -> &'static str {
        match self {
            RegistrationStatus::Registered => "registered",
            RegistrationStatus::Deregistered => "deregistered",
        }
    }

    pub fn parse(value: &str) -> Result<Self, ParseError> {
        match value.trim().to_lowercase().as_str() {
            "registered" => Ok(RegistrationStatus::Registered),
            "deregistered" => Ok(RegistrationStatus::Deregistered),
            _ => Err(ParseError::new("registration status", value, "expected Registered or Deregistered")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Registration {
    pub status: RegistrationStatus,
    pub registered_on: Option<NaiveDate>,
    pub deregistered_on: Option<NaiveDate>,
}

impl Default for Registration {
    fn default() -> Self {
        Self { status: RegistrationStatus::Registered, registered_on: None, deregistered_on: None }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Address {
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub town: Option<String>,
    pub county: Option<String>,
    pub postcode: Option<Postcode>,
}

impl Address {
    /// The address on one line, skipping empty parts.
    pub fn one_line(&self) -> String {
        [&self.line1, &self.line2, &self.town, &self.county]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .chain(self.postcode.as_ref().map(Postcode::as_str))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A registered provider: the organisation (or person) legally responsible for
/// one or more locations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Provider {
    pub id: ProviderId,
    pub name: String,
    /// e.g. "Independent Healthcare Org", "Social Care Org", "Local Authority".
    pub sector: Option<String>,
    /// e.g. "Organisation", "Individual", "Partnership".
    pub ownership_type: Option<String>,
    pub brand_id: Option<String>,
    pub brand_name: Option<String>,
    pub address: Address,
    pub registration: Registration,
}

impl Provider {
    /// A provider known so far only by its ID: the regulator sends locations and
    /// providers as separate records, so a location may arrive before its provider.
    /// Its details fill in when the provider's record arrives.
    pub fn awaiting_details(id: ProviderId) -> Self {
        let name = format!("Provider {id}");
        Self::new(id, name)
    }

    /// Whether this is [`Provider::awaiting_details`]'s stand-in.
    pub fn is_awaiting_details(&self) -> bool {
        self.name == format!("Provider {}", self.id) && self.sector.is_none() && self.brand_id.is_none()
    }

    pub fn new(id: ProviderId, name: impl Into<String>) -> Self {
        Self {
            id,
            name: name.into(),
            sector: None,
            ownership_type: None,
            brand_id: None,
            brand_name: None,
            address: Address::default(),
            registration: Registration::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RelationshipKind {
    /// The related location is this one's predecessor (e.g. before a change of owner).
    Predecessor,
    /// The related location is this one's successor.
    Successor,
}

impl RelationshipKind {
    pub fn code(self) -> &'static str {
        match self {
            RelationshipKind::Predecessor => "predecessor",
            RelationshipKind::Successor => "successor",
        }
    }

    /// Reads the regulator's "HSCA Predecessor" / "HSCA Successor", or our code.
    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let v = value.trim().to_lowercase();
        if v.ends_with("predecessor") {
            Ok(RelationshipKind::Predecessor)
        } else if v.ends_with("successor") {
            Ok(RelationshipKind::Successor)
        } else {
            Err(ParseError::new("relationship type", value, "expected HSCA Predecessor or HSCA Successor"))
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = RegisterRelationship)]
pub struct Relationship {
    pub kind: RelationshipKind,
    pub related_id: LocationId,
    pub related_name: Option<String>,
    pub reason: Option<String>,
}

/// A location: the place (or office, for homecare) where a regulated service is
/// provided. This is the unit that is rated and compared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Location {
    pub id: LocationId,
    pub provider_id: ProviderId,
    pub name: String,
    pub also_known_as: Option<String>,
    pub brand_id: Option<String>,
    pub brand_name: Option<String>,
    pub care_home: bool,
    pub beds: Option<u32>,
    /// The regulator's service type names, e.g. "Care home service with nursing",
    /// sorted and without duplicates. Classify with [`ServiceKind::classify`].
    pub service_types: Vec<String>,
    /// Service user bands and specialisms, e.g. "Dementia", sorted, no duplicates.
    pub specialisms: Vec<String>,
    pub regulated_activities: Vec<String>,
    pub address: Address,
    pub region: Option<Region>,
    pub local_authority: Option<String>,
    pub constituency: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub registration: Registration,
    pub dormant: Option<bool>,
    /// Whether a registered manager is in post, where known. Managers' names are
    /// personal data and are not kept.
    pub registered_manager: Option<bool>,
    pub registered_manager_absent_since: Option<NaiveDate>,
    pub inspection_directorate: Option<String>,
    pub primary_inspection_category: Option<String>,
    pub last_inspection: Option<NaiveDate>,
    pub last_report: Option<NaiveDate>,
    pub relationships: Vec<Relationship>,
}

impl Location {
    /// A location with only the fields every source carries; the rest empty.
    pub fn new(id: LocationId, provider_id: ProviderId, name: impl Into<String>) -> Self {
        Self {
            id,
            provider_id,
            name: name.into(),
            also_known_as: None,
            brand_id: None,
            brand_name: None,
            care_home: false,
            beds: None,
            service_types: Vec::new(),
            specialisms: Vec::new(),
            regulated_activities: Vec::new(),
            address: Address::default(),
            region: None,
            local_authority: None,
            constituency: None,
            latitude: None,
            longitude: None,
            phone: None,
            website: None,
            registration: Registration::default(),
            dormant: None,
            registered_manager: None,
            registered_manager_absent_since: None,
            inspection_directorate: None,
            primary_inspection_category: None,
            last_inspection: None,
            last_report: None,
            relationships: Vec::new(),
        }
    }

    /// Our classification of the location's services, without duplicates.
    pub fn service_kinds(&self) -> Vec<ServiceKind> {
        let mut kinds: Vec<ServiceKind> = self.service_types.iter().map(|s| ServiceKind::classify(s)).collect();
        if kinds.is_empty() && self.care_home {
            kinds.push(ServiceKind::CareHome);
        }
        kinds.sort();
        kinds.dedup();
        kinds
    }

    pub fn is_registered(&self) -> bool {
        self.registration.status == RegistrationStatus::Registered
    }
}

/// Sorts and de-duplicates a list of names case-insensitively, keeping the first
/// spelling seen. Used for service types and specialisms, which arrive in mixed
/// capitalisation.
pub fn normalise_names(names: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for name in names {
        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() || name == "-" {
            continue;
        }
        if !out.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
            out.push(name);
        }
    }
    out.sort_by_key(|n| n.to_lowercase());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_deduplicated_ignoring_case() {
        let names = normalise_names(["Dementia", "DEMENTIA", " Older  people ", "-", ""].map(String::from));
        assert_eq!(names, vec!["Dementia".to_string(), "Older people".to_string()]);
    }

    #[test]
    fn a_care_home_without_service_types_is_still_a_care_home() {
        let mut l = Location::new(LocationId::parse("1-1").unwrap(), ProviderId::parse("1-2").unwrap(), "X");
        l.care_home = true;
        assert_eq!(l.service_kinds(), vec![ServiceKind::CareHome]);
    }
}
