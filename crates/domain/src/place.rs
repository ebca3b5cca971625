use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ParseError;

/// The nine regions of England, as the regulator names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Region {
    EastMidlands,
    EastOfEngland,
    London,
    NorthEast,
    NorthWest,
    SouthEast,
    SouthWest,
    WestMidlands,
    YorkshireAndTheHumber,
}

impl Region {
    pub const ALL: [Region; 9] = [
        Region::EastMidlands,
        Region::EastOfEngland,
        Region::London,
        Region::NorthEast,
        Region::NorthWest,
        Region::SouthEast,
        Region::SouthWest,
        Region::WestMidlands,
        Region::YorkshireAndTheHumber,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Region::EastMidlands => "East Midlands",
            Region::EastOfEngland => "East of England",
            Region::London => "London",
            Region::NorthEast => "North East",
            Region::NorthWest => "North West",
            Region::SouthEast => "South East",
            Region::SouthWest => "South West",
            Region::WestMidlands => "West Midlands",
            Region::YorkshireAndTheHumber => "Yorkshire and The Humber",
        }
    }

    /// Stable code used in URLs and the database.
    pub fn code(self) -> &'static str {
        match self {
            Region::EastMidlands => "east_midlands",
            Region::EastOfEngland => "east_of_england",
            Region::London => "london",
            Region::NorthEast => "north_east",
            Region::NorthWest => "north_west",
            Region::SouthEast => "south_east",
            Region::SouthWest => "south_west",
            Region::WestMidlands => "west_midlands",
            Region::YorkshireAndTheHumber => "yorkshire_and_the_humber",
        }
    }

    /// Accepts the regulator's name in any capitalisation, `&` for "and", or our code.
    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let key: String = value
            .trim()
            .to_lowercase()
            .replace('&', "and")
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { '_' })
            .collect::<String>()
            .split('_')
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("_");
        // The regulator's short and older forms of two regions' names.
        let key = match key.as_str() {
            "east" | "eastern" => "east_of_england".to_string(),
            "yorkshire_and_humber" | "yorkshire_and_humberside" | "yorkshire_humber" => {
                "yorkshire_and_the_humber".to_string()
            }
            _ => key,
        };
        Region::ALL.into_iter().find(|r| r.code() == key).ok_or_else(|| {
            ParseError::new("region", value, "expected one of England's nine regions, like \"North West\"")
        })
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A UK postcode, upper-cased with one space before the inward code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(transparent)]
pub struct Postcode(String);

impl Postcode {
    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
        let bytes = compact.as_bytes();
        let shape_ok = (5..=7).contains(&bytes.len())
            && bytes[0].is_ascii_alphabetic()
            && bytes.iter().all(u8::is_ascii_alphanumeric)
            && bytes[bytes.len() - 3].is_ascii_digit()
            && bytes[bytes.len() - 2..].iter().all(u8::is_ascii_alphabetic);
        if !shape_ok {
            return Err(ParseError::new("postcode", value, "expected a UK postcode like \"LS1 4AP\""));
        }
        let (outward, inward) = compact.split_at(compact.len() - 3);
        Ok(Self(format!("{outward} {inward}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Normalises the start of a postcode typed into a search box ("ls1" → "LS1").
    pub fn normalise_prefix(value: &str) -> Option<String> {
        let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
        if compact.is_empty() || compact.len() > 7 || !compact.chars().all(|c| c.is_ascii_alphanumeric()) {
            return None;
        }
        if !compact.as_bytes()[0].is_ascii_alphabetic() {
            return None;
        }
        // A full postcode is matched exactly, with its canonical space.
        Some(Postcode::parse(&compact).map(|p| p.0).unwrap_or(compact))
    }
}

impl fmt::Display for Postcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_parse_in_any_capitalisation() {
        assert_eq!(Region::parse("YORKSHIRE & THE HUMBER").unwrap(), Region::YorkshireAndTheHumber);
        assert_eq!(Region::parse("east of england").unwrap(), Region::EastOfEngland);
        assert_eq!(Region::parse("north_west").unwrap(), Region::NorthWest);
        assert!(Region::parse("Wales").is_err());
        assert_eq!(Region::parse("East").unwrap(), Region::EastOfEngland, "the regulator's short form");
        assert_eq!(Region::parse("Yorkshire & Humberside").unwrap(), Region::YorkshireAndTheHumber);
        assert!(Region::parse("North").is_err(), "not a region");
    }

    #[test]
    fn postcodes_are_normalised() {
        assert_eq!(Postcode::parse("ls14ap").unwrap().as_str(), "LS1 4AP");
        assert_eq!(Postcode::parse(" SW1A  1AA ").unwrap().as_str(), "SW1A 1AA");
        assert!(Postcode::parse("12345").is_err());
        assert!(Postcode::parse("LS1").is_err());
        assert_eq!(Postcode::normalise_prefix("ls1").as_deref(), Some("LS1"));
        assert_eq!(Postcode::normalise_prefix("ls14ap").as_deref(), Some("LS1 4AP"));
        assert_eq!(Postcode::normalise_prefix("l%"), None);
    }
}
