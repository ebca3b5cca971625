use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ParseError;

/// The kinds of adult social care service Candour compares like with like.
/// The regulator's own service type names are kept beside this on each location;
/// this is the classification we filter and group by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    CareHomeNursing,
    CareHome,
    Homecare,
    SupportedLiving,
    ExtraCareHousing,
    SharedLives,
    Other,
}

impl ServiceKind {
    pub const ALL: [ServiceKind; 7] = [
        ServiceKind::CareHomeNursing,
        ServiceKind::CareHome,
        ServiceKind::Homecare,
        ServiceKind::SupportedLiving,
        ServiceKind::ExtraCareHousing,
        ServiceKind::SharedLives,
        ServiceKind::Other,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ServiceKind::CareHomeNursing => "Care home with nursing",
            ServiceKind::CareHome => "Care home without nursing",
            ServiceKind::Homecare => "Homecare",
            ServiceKind::SupportedLiving => "Supported living",
            ServiceKind::ExtraCareHousing => "Extra care housing",
            ServiceKind::SharedLives => "Shared Lives",
            ServiceKind::Other => "Other",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            ServiceKind::CareHomeNursing => "care_home_nursing",
            ServiceKind::CareHome => "care_home",
            ServiceKind::Homecare => "homecare",
            ServiceKind::SupportedLiving => "supported_living",
            ServiceKind::ExtraCareHousing => "extra_care_housing",
            ServiceKind::SharedLives => "shared_lives",
            ServiceKind::Other => "other",
        }
    }

    /// Parses our own code (as used in URLs and the API).
    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let key = value.trim().to_lowercase();
        ServiceKind::ALL
            .into_iter()
            .find(|k| k.code() == key)
            .ok_or_else(|| ParseError::new("service type", value, "expected one of care_home_nursing, care_home, homecare, supported_living, extra_care_housing, shared_lives, other"))
    }

    /// Classifies one of the regulator's service type names or descriptions, e.g.
    /// "Care home service with nursing", "Homecare agencies", "Domiciliary care service".
    pub fn classify(cqc_name: &str) -> Self {
        let n = cqc_name.trim().to_lowercase();
        if n.contains("care home") {
            if n.contains("without nursing") {
                ServiceKind::CareHome
            } else if n.contains("nursing") {
                ServiceKind::CareHomeNursing
            } else {
                ServiceKind::CareHome
            }
        } else if n.contains("homecare") || n.contains("domiciliary") || n.contains("home care") {
            ServiceKind::Homecare
        } else if n.contains("supported living") {
            ServiceKind::SupportedLiving
        } else if n.contains("extra care") {
            ServiceKind::ExtraCareHousing
        } else if n.contains("shared lives") {
            ServiceKind::SharedLives
        } else {
            ServiceKind::Other
        }
    }
}

impl fmt::Display for ServiceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_the_regulators_names() {
        assert_eq!(ServiceKind::classify("Care home service with nursing"), ServiceKind::CareHomeNursing);
        assert_eq!(ServiceKind::classify("CARE HOME SERVICE WITHOUT NURSING"), ServiceKind::CareHome);
        assert_eq!(ServiceKind::classify("Homecare agencies"), ServiceKind::Homecare);
        assert_eq!(ServiceKind::classify("Domiciliary care service"), ServiceKind::Homecare);
        assert_eq!(ServiceKind::classify("Supported living service"), ServiceKind::SupportedLiving);
        assert_eq!(ServiceKind::classify("Extra Care housing services"), ServiceKind::ExtraCareHousing);
        assert_eq!(ServiceKind::classify("Shared Lives"), ServiceKind::SharedLives);
        assert_eq!(ServiceKind::classify("Community health care services"), ServiceKind::Other);
    }

    #[test]
    fn codes_round_trip() {
        for k in ServiceKind::ALL {
            assert_eq!(ServiceKind::parse(k.code()).unwrap(), k);
        }
        assert!(ServiceKind::parse("hospital").is_err());
    }
}
