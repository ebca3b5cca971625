//! The register's IDs read from a path, for its pages and its API alike: a
//! malformed one is a 400 that says why.

use candour_domain::{LocationId, ProviderId};

use crate::error::WebError;

/// Reads a location ID from a path, with the reason when it is malformed.
pub fn parse_location_id(raw: &str) -> Result<LocationId, WebError> {
    LocationId::parse(raw)
        .map_err(|e| WebError::bad_request(format!("{} is not a valid location ID: {}", e.value, e.expected)))
}

pub fn parse_provider_id(raw: &str) -> Result<ProviderId, WebError> {
    ProviderId::parse(raw)
        .map_err(|e| WebError::bad_request(format!("{} is not a valid provider ID: {}", e.value, e.expected)))
}
