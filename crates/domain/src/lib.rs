//! Candour's domain: the words the rest of the system speaks, each with a `parse`
//! that turns outside text into a value we can trust. No I/O lives here.

mod access;
mod account;
pub mod assessment;
pub mod csv_quotes;
mod error;
mod ids;
pub mod markup;
pub mod people;
pub mod percent;
mod place;
mod rating;
mod register;
pub mod returns;
mod service;
mod text;
#[macro_use]
pub mod voice;
pub mod dates;
pub mod voice_month;
pub mod working_days;
// After `voice`, whose coded enums it uses.
pub mod complaints;
pub mod policies;
// After `policies`, whose field errors and text blocks it shares.
pub mod improvement;
pub mod practice;
pub mod visit;

pub use access::{Action, Decision, Resource, authorize};
pub use account::{Email, Grant, Password, Principal, Role, Scope, ScopeKind, UserId, describe_grants};
pub use assessment::{AssessmentStatus, ChallengeStatus};
pub use dates::{DateError, PlausibleDate};
pub use error::ParseError;
pub use ids::{LocationId, ProviderId};
pub use place::{Postcode, Region};
pub use rating::{KeyQuestion, KeyQuestionRatings, Rating, RatingRecord, RatingSource};
pub use register::{
    Address, Location, Provider, Registration, RegistrationStatus, Relationship, RelationshipKind, normalise_names,
};
pub use service::ServiceKind;
pub use text::{ControlCharacter, check_text};

/// Blank-ish cell values in the regulator's files: empty, whitespace or a lone dash.
pub fn is_blank(value: &str) -> bool {
    let v = value.trim();
    v.is_empty() || v == "-"
}

/// `Some(trimmed)` unless the value is blank-ish.
pub fn non_blank(value: &str) -> Option<&str> {
    (!is_blank(value)).then(|| value.trim())
}

/// Describes, for the API's OpenAPI document, a type that serialises itself as text
/// (a code or a date of our own format): a string with what it is and an example.
#[macro_export]
macro_rules! text_schema {
    ($type:ty, $description:literal, $example:literal) => {
        impl utoipa::PartialSchema for $type {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .description(Some($description))
                    .examples([$example])
                    .into()
            }
        }

        impl utoipa::ToSchema for $type {}
    };
}
