//! Where services are: a region and authority in proportion to the country's
//! shape, then a plausible address, postcode, position and phone number there.

use candour_domain::{Address, Postcode, Region};
use fastrand::Rng;

use crate::data::{self, Authority, INWARD_LETTERS, REGIONS, RegionTable};
use crate::pick::{self, one};

/// A region and one of its authorities.
#[derive(Clone, Copy)]
pub struct Place {
    pub table: &'static RegionTable,
    pub authority: &'static Authority,
}

impl Place {
    pub fn region(&self) -> Region {
        self.table.region
    }

    /// The region's position in [`Region::ALL`], for per-region tables.
    pub fn region_slot(&self) -> usize {
        region_slot(self.table.region)
    }
}

pub fn region_slot(region: Region) -> usize {
    Region::ALL.iter().position(|r| *r == region).unwrap_or(0)
}

/// The authorities a register covers, grouped by region with the region's share.
pub struct Geography {
    regions: Vec<(&'static RegionTable, Vec<&'static Authority>)>,
}

impl Geography {
    pub fn national() -> Self {
        Self::keeping(|_| true)
    }

    pub fn small() -> Self {
        Self::keeping(|a| data::SMALL_AUTHORITIES.contains(&a.name))
    }

    fn keeping(keep: impl Fn(&Authority) -> bool) -> Self {
        let regions = REGIONS
            .iter()
            .map(|table| (table, table.authorities.iter().filter(|a| keep(a)).collect::<Vec<_>>()))
            .filter(|(_, authorities)| !authorities.is_empty())
            .collect();
        Self { regions }
    }

    /// A region by its share of the country, then an authority by population.
    pub fn pick(&self, rng: &mut Rng) -> Place {
        let r = pick::weighted_index(rng, self.regions.iter().map(|(t, _)| u64::from(t.share_per_mille)));
        let (table, authorities) = &self.regions[r];
        let a = pick::weighted_index(rng, authorities.iter().map(|a| u64::from(a.population_k)));
        Place { table, authority: authorities[a] }
    }

    #[cfg(test)]
    pub fn authority_count(&self) -> usize {
        self.regions.iter().map(|(_, a)| a.len()).sum()
    }
}

/// A postcode whose outward code belongs to the authority, with a random inward code.
pub fn postcode(rng: &mut Rng, authority: &Authority) -> Option<Postcode> {
    let (area, low, high) = *one(rng, authority.districts);
    let district = rng.u8(low..=high);
    let sector = rng.u8(0..10);
    let unit: String = (0..2).map(|_| char::from(*one(rng, INWARD_LETTERS))).collect();
    Postcode::parse(&format!("{area}{district} {sector}{unit}")).ok()
}

/// A position inside the authority's box, denser towards its centre, to six
/// decimal places as the regulator publishes them.
pub fn coordinates(rng: &mut Rng, authority: &Authority) -> (f64, f64) {
    let offset = |rng: &mut Rng| rng.f64() + rng.f64() - 1.0;
    // A degree of longitude is about 0.62 of a degree of latitude at England's latitudes.
    let latitude = authority.latitude + offset(rng) * authority.spread;
    let longitude = authority.longitude + offset(rng) * authority.spread * 1.6;
    (round6(latitude), round6(longitude))
}

fn round6(v: f64) -> f64 {
    (v * 1_000_000.0).round() / 1_000_000.0
}

/// A street address in one of the authority's towns. Homecare and community
/// services usually work from an office unit.
pub fn address(rng: &mut Rng, authority: &Authority, office: bool) -> Address {
    let street = format!("{} {}", one(rng, data::STREET_WORDS), one(rng, data::STREET_KINDS));
    let (line1, line2) = if office {
        let building =
            format!("{}{} {}", one(rng, data::PLACE_FIRST), one(rng, data::PLACE_SECOND), one(rng, data::OFFICE_WORDS));
        (format!("Unit {}, {building}", rng.u32(1..=40)), Some(street))
    } else {
        (format!("{} {street}", rng.u32(1..=240)), None)
    };
    Address {
        line1: Some(line1),
        line2,
        town: Some(one(rng, authority.towns).to_string()),
        county: (!authority.county.is_empty()).then(|| authority.county.to_string()),
        postcode: postcode(rng, authority),
    }
}

/// A number from the region's range reserved for drama, so it can never ring anyone.
pub fn phone(rng: &mut Rng, table: &RegionTable) -> String {
    format!("{}{:03}", table.phone_prefix, rng.u32(0..1000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_district_in_the_tables_makes_a_valid_postcode() {
        for table in &REGIONS {
            for authority in table.authorities {
                for &(area, low, high) in authority.districts {
                    assert!(low <= high, "{}", authority.name);
                    for district in [low, high] {
                        let code = format!("{area}{district} 1AB");
                        assert!(Postcode::parse(&code).is_ok(), "{} {code}", authority.name);
                    }
                }
                assert!(!authority.towns.is_empty(), "{}", authority.name);
            }
        }
    }

    #[test]
    fn the_country_has_its_authorities_and_the_shares_add_up() {
        let national = Geography::national();
        assert!((145..=160).contains(&national.authority_count()));
        assert_eq!(REGIONS.iter().map(|t| t.share_per_mille).sum::<u32>(), 1000);
        let small = Geography::small();
        assert_eq!(small.authority_count(), data::SMALL_AUTHORITIES.len());
    }

    #[test]
    fn phone_numbers_are_eleven_digits() {
        let mut rng = Rng::with_seed(9);
        for table in &REGIONS {
            let number = phone(&mut rng, table);
            assert_eq!(number.len(), 11, "{number}");
            assert!(number.starts_with('0') && number.bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn coordinates_stay_near_the_authority() {
        let mut rng = Rng::with_seed(4);
        let leeds = REGIONS.iter().flat_map(|t| t.authorities).find(|a| a.name == "Leeds").unwrap();
        for _ in 0..200 {
            let (lat, lon) = coordinates(&mut rng, leeds);
            assert!((lat - leeds.latitude).abs() <= leeds.spread);
            assert!((lon - leeds.longitude).abs() <= leeds.spread * 1.6);
        }
    }
}
