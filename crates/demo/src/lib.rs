//! Demo data for Candour: a synthetic, deterministic register of England's adult
//! social care at national or small scale, the feedback people gave its services,
//! the monthly returns its services sent, and the export of any register as the
//! regulator's "care directory with filters" file.
//!
//! Every service and provider is invented: names are composed from word lists,
//! phone numbers come from ranges reserved for drama and web addresses use the
//! reserved `.example` domain. Places (regions, local authorities, postcode areas)
//! are real, so that the data behaves like the real register.

pub mod complaints;
mod data;
mod export;
mod generate;
mod improvement;
mod names;
mod pick;
mod places;
mod policies;
mod practice;
mod ratings;
mod returns;
mod stories;
mod visits;
mod voice;

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

pub use export::{
    ACTIVITY_PREFIX, BAND_PREFIX, ExportError, FIXED_COLUMNS, REGISTERED_MANAGER_IN_POST, SERVICE_TYPE_PREFIX,
    directory_notice, directory_rows, export_directory,
};
pub use generate::{REGISTER_DATE, generate};
pub use improvement::load_improvement;
pub use policies::load_policies;
pub use practice::load_practice;
pub use returns::{RETURN_MONTHS, ReturnsPlan};
pub use visits::load_visits;
pub use voice::{SILENT_DAYS, ServiceVoice, Trend, VoiceAuthors, VoicePlan};

/// How big a register to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scale {
    /// About 300 locations in a few authorities of four regions.
    Small,
    /// About 30,000 locations across England, the size of the real register.
    National,
}

impl Scale {
    pub const ALL: [Scale; 2] = [Scale::Small, Scale::National];

    pub fn name(self) -> &'static str {
        match self {
            Scale::Small => "small",
            Scale::National => "national",
        }
    }

    /// Accepts "small" or "national" in any capitalisation.
    pub fn parse(value: &str) -> Result<Self, UnknownScale> {
        let key = value.trim().to_lowercase();
        Scale::ALL.into_iter().find(|s| s.name() == key).ok_or_else(|| UnknownScale(value.to_string()))
    }
}

impl fmt::Display for Scale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Scale {
    type Err = UnknownScale;
    fn from_str(s: &str) -> Result<Self, UnknownScale> {
        Scale::parse(s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("scale {0:?} is not known: expected \"small\" or \"national\"")]
pub struct UnknownScale(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_parse_by_name() {
        assert_eq!("national".parse::<Scale>().unwrap(), Scale::National);
        assert_eq!(Scale::parse(" Small ").unwrap(), Scale::Small);
        let err = Scale::parse("huge").unwrap_err();
        assert!(err.to_string().contains("\"small\" or \"national\""), "{err}");
        for scale in Scale::ALL {
            assert_eq!(Scale::parse(&scale.to_string()).unwrap(), scale);
        }
    }
}
