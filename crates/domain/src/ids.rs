use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use crate::ParseError;

/// CQC identifiers look like `1-545611283`: `1-` then digits. The digit count varies,
/// so only the shape is checked.
fn parse_cqc_id(what: &'static str, value: &str) -> Result<String, ParseError> {
    let v = value.trim();
    let valid = v
        .strip_prefix("1-")
        .is_some_and(|digits| (1..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()));
    if valid {
        Ok(v.to_string())
    } else {
        Err(ParseError::new(what, value, "expected 1- followed by digits, like 1-545611283"))
    }
}

macro_rules! cqc_id {
    ($name:ident, $what:literal) => {
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn parse(value: &str) -> Result<Self, ParseError> {
                parse_cqc_id($what, value).map(Self)
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }

        /// Hashes and compares as its text, so maps keyed by it can be searched by text.
        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = ParseError;
            fn from_str(s: &str) -> Result<Self, ParseError> {
                Self::parse(s)
            }
        }
    };
}

cqc_id!(LocationId, "location ID");
cqc_id!(ProviderId, "provider ID");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_varied_lengths_and_trims() {
        assert_eq!(LocationId::parse(" 1-545611283 ").unwrap().as_str(), "1-545611283");
        assert!(LocationId::parse("1-10000812939").is_ok());
        assert!(ProviderId::parse("1-101").is_ok());
    }

    #[test]
    fn rejects_wrong_shapes_with_a_reason() {
        for bad in ["", "1-", "2-123", "1-12a", "RXX", "1--12", "1-545611283x"] {
            let err = LocationId::parse(bad).unwrap_err();
            assert!(err.to_string().contains("1- followed by digits"), "{bad}: {err}");
        }
    }
}
