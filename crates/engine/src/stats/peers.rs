//! Peer groups (fair-comparison notes §5): like is compared with like, the same kind
//! of service of a similar size, within the scope the user picks.

use candour_domain::{Region, ServiceKind};

/// Size by registered beds: small 1–10, medium 11–49, large 50 or more; unknown for
/// services without beds (homecare, supported living) or whose beds are not known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SizeBand {
    Small,
    Medium,
    Large,
    Unknown,
}

impl SizeBand {
    pub fn of(beds: Option<u32>) -> SizeBand {
        match beds {
            Some(1..=10) => SizeBand::Small,
            Some(11..=49) => SizeBand::Medium,
            Some(50..) => SizeBand::Large,
            _ => SizeBand::Unknown,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            SizeBand::Small => "small",
            SizeBand::Medium => "medium",
            SizeBand::Large => "large",
            SizeBand::Unknown => "unknown",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            SizeBand::Small => "1–10 beds",
            SizeBand::Medium => "11–49 beds",
            SizeBand::Large => "50 beds or more",
            SizeBand::Unknown => "beds not known",
        }
    }
}

/// How far afield the peers are drawn from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PeerScope {
    England,
    Region(Region),
    /// A local authority, by the regulator's name for it.
    LocalAuthority(String),
}

/// The services one is compared with: a kind, optionally a size band, and a scope.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PeerGroup {
    pub kind: ServiceKind,
    /// `None` compares services of every size.
    pub size: Option<SizeBand>,
    pub scope: PeerScope,
}

impl PeerGroup {
    /// A stable text key, e.g. `care_home_nursing/medium/region:london` or
    /// `homecare/any/la:bristol-city-of`; the same group always gives the same key.
    pub fn key(&self) -> String {
        let size = self.size.map_or("any", SizeBand::code);
        let scope = match &self.scope {
            PeerScope::England => "england".to_string(),
            PeerScope::Region(region) => format!("region:{}", region.code()),
            PeerScope::LocalAuthority(name) => format!("la:{}", slug(name)),
        };
        format!("{}/{size}/{scope}", self.kind.code())
    }

    /// The group in plain words, e.g. "Care home with nursing, 11–49 beds, in London".
    pub fn label(&self) -> String {
        let size = self.size.map_or("any size", SizeBand::name);
        let scope = match &self.scope {
            PeerScope::England => "England",
            PeerScope::Region(region) => region.name(),
            PeerScope::LocalAuthority(name) => name.trim(),
        };
        format!("{}, {size}, in {scope}", self.kind.name())
    }

    /// Whether a service of this kind, beds, region and local authority is in the group.
    /// Local authorities match whatever their case and punctuation.
    pub fn contains(&self, kind: ServiceKind, beds: Option<u32>, region: Option<Region>, la: Option<&str>) -> bool {
        let in_scope = match &self.scope {
            PeerScope::England => true,
            PeerScope::Region(wanted) => region == Some(*wanted),
            PeerScope::LocalAuthority(wanted) => la.is_some_and(|la| slug(la) == slug(wanted)),
        };
        kind == self.kind && self.size.is_none_or(|size| size == SizeBand::of(beds)) && in_scope
    }
}

/// Lower case, every run of other characters than letters and digits one `-`.
fn slug(name: &str) -> String {
    let lower = name.to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    words.join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_bands_cover_every_bed_count() {
        assert_eq!(SizeBand::of(Some(10)), SizeBand::Small);
        assert_eq!(SizeBand::of(Some(11)), SizeBand::Medium);
        assert_eq!(SizeBand::of(Some(49)), SizeBand::Medium);
        assert_eq!(SizeBand::of(Some(50)), SizeBand::Large);
        assert_eq!(SizeBand::of(Some(0)), SizeBand::Unknown);
        assert_eq!(SizeBand::of(None), SizeBand::Unknown);
    }

    #[test]
    fn keys_are_stable_text() {
        let group = PeerGroup {
            kind: ServiceKind::CareHomeNursing,
            size: Some(SizeBand::Medium),
            scope: PeerScope::Region(Region::London),
        };
        assert_eq!(group.key(), "care_home_nursing/medium/region:london");
        assert_eq!(group.label(), "Care home with nursing, 11–49 beds, in London");
        let council = PeerGroup {
            kind: ServiceKind::Homecare,
            size: None,
            scope: PeerScope::LocalAuthority("Bristol, City of".into()),
        };
        assert_eq!(council.key(), "homecare/any/la:bristol-city-of");
        let england = PeerGroup { kind: ServiceKind::SharedLives, size: None, scope: PeerScope::England };
        assert_eq!(england.key(), "shared_lives/any/england");
    }

    #[test]
    fn membership_follows_kind_size_and_scope() {
        let group = PeerGroup {
            kind: ServiceKind::CareHome,
            size: Some(SizeBand::Small),
            scope: PeerScope::LocalAuthority("Bristol, City of".into()),
        };
        assert!(group.contains(ServiceKind::CareHome, Some(8), Some(Region::SouthWest), Some("BRISTOL CITY OF")));
        assert!(!group.contains(ServiceKind::CareHome, Some(20), Some(Region::SouthWest), Some("Bristol, City of")));
        assert!(!group.contains(ServiceKind::CareHomeNursing, Some(8), None, Some("Bristol, City of")));
        assert!(!group.contains(ServiceKind::CareHome, Some(8), None, None));
        let region = PeerGroup { kind: ServiceKind::Homecare, size: None, scope: PeerScope::Region(Region::London) };
        assert!(region.contains(ServiceKind::Homecare, None, Some(Region::London), None));
        assert!(!region.contains(ServiceKind::Homecare, None, Some(Region::NorthEast), None));
    }
}
