//! Invented names for providers and their services, composed from the word lists
//! in `data`, unique where the regulator's register would make them unique.

use std::collections::HashSet;

use fastrand::Rng;

use crate::data;
use crate::pick::{chance, one};

/// What a provider mostly runs, which shapes its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    CareHomes,
    Community,
    Mixed,
}

/// The legal form of a provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ownership {
    Company,
    Charity,
    Individual,
    Partnership,
    LocalAuthority,
}

impl Ownership {
    /// The regulator's "Provider Ownership Type".
    pub fn ownership_type(self) -> &'static str {
        match self {
            Ownership::Individual => "Individual",
            Ownership::Partnership => "Partnership",
            _ => "Organisation",
        }
    }

    /// The regulator's "Provider Type/Sector".
    pub fn sector(self) -> &'static str {
        match self {
            Ownership::LocalAuthority => "Local Authority",
            _ => "Social Care Org",
        }
    }
}

/// A provider's names: the invented stem ("Tumblewhistle"), the name it trades
/// under ("Tumblewhistle Homecare") and its legal name ("Tumblewhistle Homecare Ltd").
#[derive(Debug, Clone)]
pub struct ProviderName {
    pub stem: String,
    pub trading: String,
    pub legal: String,
}

impl ProviderName {
    /// A made-up web domain under `.example`, a name reserved so that it can never
    /// belong to anyone.
    pub fn website(&self) -> String {
        let slug: String = self.trading.chars().filter(char::is_ascii_alphanumeric).collect();
        format!("www.{}.example", slug.to_lowercase())
    }
}

/// Hands out provider names, never the same legal name twice.
#[derive(Default)]
pub struct ProviderNamer {
    used: HashSet<String>,
}

impl ProviderNamer {
    pub fn name(&mut self, rng: &mut Rng, family: Family, ownership: Ownership) -> ProviderName {
        let mut attempt = 0u32;
        loop {
            let stem = provider_stem(rng);
            // After a few clashes, qualify the name; after many, number it, which always succeeds.
            let qualifier = match attempt {
                0..8 => None,
                8..24 => Some(one(rng, data::PROVIDER_QUALIFIERS).to_string()),
                _ => Some(format!("No. {attempt}")),
            };
            let name = compose(rng, stem, family, ownership, qualifier.as_deref());
            if self.used.insert(name.legal.clone()) {
                return name;
            }
            attempt += 1;
        }
    }
}

fn provider_stem(rng: &mut Rng) -> String {
    format!("{}{}", one(rng, data::PROVIDER_FIRST), one(rng, data::PROVIDER_SECOND))
}

fn compose(rng: &mut Rng, stem: String, family: Family, ownership: Ownership, qualifier: Option<&str>) -> ProviderName {
    let words = match family {
        Family::CareHomes => data::CARE_HOME_GROUP_WORDS,
        Family::Community => data::COMMUNITY_GROUP_WORDS,
        Family::Mixed => data::MIXED_GROUP_WORDS,
    };
    let base = match qualifier {
        Some(q) => format!("{stem} {} ({q})", one(rng, words)),
        None => format!("{stem} {}", one(rng, words)),
    };
    let (trading, legal) = match ownership {
        Ownership::Company => (base.clone(), format!("{base} {}", one(rng, data::LEGAL_SUFFIXES))),
        Ownership::Charity => {
            let legal = format!("{base} {}", one(rng, data::CHARITY_WORDS));
            (legal.clone(), legal)
        }
        Ownership::Individual => (base.clone(), base),
        Ownership::Partnership => (base.clone(), format!("{base} Partnership")),
        Ownership::LocalAuthority => {
            let council = format!("{stem} Borough Council");
            (format!("{stem} Council Adult Care"), qualifier.map_or(council.clone(), |q| format!("{council} ({q})")))
        }
    };
    ProviderName { stem, trading, legal }
}

/// An invented place-like word, "Willowbrook", "Hazelmead".
pub fn place_stem(rng: &mut Rng) -> String {
    format!("{}{}", one(rng, data::PLACE_FIRST), one(rng, data::PLACE_SECOND))
}

/// "Willowbrook House", or the shorter "Rowan Lodge".
pub fn care_home(rng: &mut Rng, nursing: bool) -> String {
    let words = if nursing { data::NURSING_HOME_WORDS } else { data::CARE_HOME_WORDS };
    let stem = if chance(rng, 75) { place_stem(rng) } else { one(rng, data::PLACE_FIRST).to_string() };
    format!("{stem} {}", one(rng, words))
}

/// Small homes for people with a learning disability are often known by their address.
pub fn small_home(rng: &mut Rng) -> String {
    if chance(rng, 35) {
        format!("{} {} {}", rng.u32(1..=120), one(rng, data::STREET_WORDS), one(rng, data::STREET_KINDS))
    } else {
        care_home(rng, false)
    }
}

pub fn extra_care(rng: &mut Rng) -> String {
    format!("{} {}", place_stem(rng), one(rng, data::EXTRA_CARE_WORDS))
}

/// A service named by a place-like word and what it does: "Hazelmead Recovery Centre".
pub fn with_words(rng: &mut Rng, words: &[&str]) -> String {
    format!("{} {}", place_stem(rng), one(rng, words))
}

/// A branch of a provider in a town: "Tumblewhistle Homecare - Leeds", then
/// "... - Leeds North" and so on when the provider already has one there.
pub fn branch(rng: &mut Rng, trading: &str, town: &str, what: &str, taken: &HashSet<String>) -> String {
    let plain = format!("{trading} - {town}{what}");
    if !taken.contains(&plain) {
        return plain;
    }
    for _ in 0..8 {
        let name = format!("{trading} - {town} {}{what}", one(rng, data::BRANCH_QUALIFIERS));
        if !taken.contains(&name) {
            return name;
        }
    }
    (2u32..).map(|n| format!("{trading} - {town}{what} {n}")).find(|name| !taken.contains(name)).unwrap_or(plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_names_are_unique_even_when_stems_run_out() {
        let mut rng = Rng::with_seed(5);
        let mut namer = ProviderNamer::default();
        let mut seen = HashSet::new();
        for _ in 0..25_000 {
            let name = namer.name(&mut rng, Family::Community, Ownership::Company);
            assert!(seen.insert(name.legal.clone()), "{}", name.legal);
        }
    }

    #[test]
    fn websites_use_the_reserved_domain() {
        let mut rng = Rng::with_seed(6);
        let name = ProviderNamer::default().name(&mut rng, Family::CareHomes, Ownership::Company);
        let site = name.website();
        assert!(site.starts_with("www.") && site.ends_with(".example"), "{site}");
        assert!(!site[4..site.len() - 8].contains(|c: char| !c.is_ascii_alphanumeric()), "{site}");
    }

    #[test]
    fn branches_get_distinct_names() {
        let mut rng = Rng::with_seed(7);
        let mut taken = HashSet::new();
        for _ in 0..20 {
            let name = branch(&mut rng, "Quillmere Homecare", "Leeds", "", &taken);
            assert!(taken.insert(name));
        }
    }
}
