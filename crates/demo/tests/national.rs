//! The national register has the shape of England's adult social care.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use candour_demo::{REGISTER_DATE, Scale, generate};
use candour_domain::{
    KeyQuestionRatings, Location, LocationId, Postcode, ProviderId, Rating, RatingRecord, Region, RelationshipKind,
    ServiceKind,
};
use candour_store::ImportPlan;
use chrono::NaiveDate;

fn plan() -> &'static ImportPlan {
    static PLAN: OnceLock<ImportPlan> = OnceLock::new();
    PLAN.get_or_init(|| generate(Scale::National, 42))
}

fn registered() -> Vec<&'static Location> {
    plan().locations.iter().filter(|l| l.is_registered()).collect()
}

/// Each location's current overall rating: its latest, own or inherited.
fn current() -> HashMap<&'static LocationId, &'static RatingRecord> {
    let mut latest: HashMap<&LocationId, &RatingRecord> = HashMap::new();
    for r in &plan().ratings {
        let entry = latest.entry(&r.location_id).or_insert(r);
        if r.published > entry.published {
            *entry = r;
        }
    }
    latest
}

fn share(part: usize, whole: usize) -> f64 {
    part as f64 * 100.0 / whole as f64
}

#[test]
fn about_thirty_thousand_services_half_of_them_care_homes() {
    let locations = registered();
    assert!((29_000..=31_000).contains(&locations.len()), "{}", locations.len());
    let kind = |k: ServiceKind| locations.iter().filter(|l| l.service_kinds().contains(&k)).count();
    let care_homes = locations.iter().filter(|l| l.care_home).count();
    assert!((14_000..=16_000).contains(&care_homes), "{care_homes}");
    assert!((3_700..=4_300).contains(&kind(ServiceKind::CareHomeNursing)));
    assert!((10_500..=11_500).contains(&kind(ServiceKind::CareHome)));
    assert!((10_000..=12_500).contains(&kind(ServiceKind::Homecare)), "{}", kind(ServiceKind::Homecare));
    assert!((2_500..=5_000).contains(&kind(ServiceKind::SupportedLiving)), "{}", kind(ServiceKind::SupportedLiving));
    assert!((500..=700).contains(&kind(ServiceKind::ExtraCareHousing)));
    assert!((100..=200).contains(&kind(ServiceKind::SharedLives)));
    assert!((700..=1_100).contains(&kind(ServiceKind::Other)));
    let multi = locations.iter().filter(|l| l.service_types.len() > 1).count();
    assert!(share(multi, locations.len()) < 15.0, "most services offer one type");
}

#[test]
fn regions_have_their_real_shares() {
    let locations = registered();
    let expected = [
        (Region::SouthEast, 16.5),
        (Region::NorthWest, 13.5),
        (Region::London, 12.5),
        (Region::EastOfEngland, 11.5),
        (Region::WestMidlands, 11.0),
        (Region::SouthWest, 11.0),
        (Region::YorkshireAndTheHumber, 9.5),
        (Region::EastMidlands, 9.5),
        (Region::NorthEast, 5.0),
    ];
    for (region, percent) in expected {
        let n = locations.iter().filter(|l| l.region == Some(region)).count();
        let got = share(n, locations.len());
        assert!((got - percent).abs() < 1.5, "{region}: {got:.1} %, expected about {percent} %");
    }
}

#[test]
fn authorities_are_real_places_in_one_region_each() {
    let mut region_of: HashMap<&str, Region> = HashMap::new();
    for l in &plan().locations {
        let authority = l.local_authority.as_deref().expect("every location has an authority");
        let region = l.region.expect("every location has a region");
        assert_eq!(*region_of.entry(authority).or_insert(region), region, "{authority}");
    }
    assert!((140..=155).contains(&region_of.len()), "{}", region_of.len());
    for (authority, region) in
        [("Leeds", Region::YorkshireAndTheHumber), ("Kent", Region::SouthEast), ("Camden", Region::London)]
    {
        assert_eq!(region_of.get(authority), Some(&region));
    }
}

#[test]
fn addresses_postcodes_and_positions_are_plausible() {
    for l in &plan().locations {
        let postcode = l.address.postcode.as_ref().expect("postcode");
        assert_eq!(Postcode::parse(postcode.as_str()).as_ref(), Ok(postcode));
        let (lat, lon) = (l.latitude.expect("latitude"), l.longitude.expect("longitude"));
        assert!((49.8..=55.9).contains(&lat) && (-6.6..=1.9).contains(&lon), "{} {lat} {lon}", l.id);
        assert!(l.address.line1.is_some() && l.address.town.is_some());
    }
    let leeds: Vec<_> = plan().locations.iter().filter(|l| l.local_authority.as_deref() == Some("Leeds")).collect();
    assert!(!leeds.is_empty());
    assert!(leeds.iter().all(|l| l.address.postcode.as_ref().unwrap().as_str().starts_with("LS")));
}

#[test]
fn ids_are_valid_and_unique_and_every_reference_resolves() {
    let plan = plan();
    let mut ids = HashSet::new();
    for l in &plan.locations {
        assert_eq!(LocationId::parse(l.id.as_str()).as_ref(), Ok(&l.id));
        assert!(ids.insert(l.id.as_str()), "duplicate {}", l.id);
    }
    for p in &plan.providers {
        assert_eq!(ProviderId::parse(p.id.as_str()).as_ref(), Ok(&p.id));
        assert!(ids.insert(p.id.as_str()), "duplicate {}", p.id);
    }
    let providers: HashSet<_> = plan.providers.iter().map(|p| &p.id).collect();
    assert!(plan.locations.iter().all(|l| providers.contains(&l.provider_id)));
    let locations: HashSet<_> = plan.locations.iter().map(|l| &l.id).collect();
    assert!(plan.ratings.iter().all(|r| locations.contains(&r.location_id)));
    let keys: HashSet<_> = plan.ratings.iter().map(candour_store::RatingKey::of).collect();
    assert_eq!(keys.len(), plan.ratings.len(), "rating keys are unique");
}

#[test]
fn providers_are_many_and_mostly_small_with_a_few_large_groups() {
    let plan = plan();
    let registered = plan.providers.iter().filter(|p| p.registration.registered_on.is_some()).count();
    assert_eq!(registered, plan.providers.len(), "every provider has a registration date");
    assert!((15_000..=17_000).contains(&plan.providers.len()), "{}", plan.providers.len());
    let mut sizes: HashMap<&ProviderId, usize> = HashMap::new();
    for l in &plan.locations {
        *sizes.entry(&l.provider_id).or_default() += 1;
    }
    assert_eq!(sizes.len(), plan.providers.len(), "every provider runs something");
    assert!(sizes.values().all(|&n| (1..=300).contains(&n)));
    let single = sizes.values().filter(|&&n| n == 1).count();
    assert!(share(single, sizes.len()) > 65.0);
    let large: Vec<_> = sizes.iter().filter(|(_, n)| **n >= 100).map(|(id, _)| *id).collect();
    assert!((3..=12).contains(&large.len()), "{}", large.len());
    for id in large {
        let p = plan.providers.iter().find(|p| &p.id == id).unwrap();
        assert!(p.brand_id.as_deref().is_some_and(|b| b.starts_with("BD")), "{} has a brand", p.name);
    }
    let names: HashSet<_> = plan.providers.iter().map(|p| &p.name).collect();
    assert_eq!(names.len(), plan.providers.len(), "provider names are unique");
    let kinds = |sector: &str| plan.providers.iter().filter(|p| p.sector.as_deref() == Some(sector)).count();
    assert!(kinds("Local Authority") > 10 && kinds("Local Authority") < 500);
    let owned = |t: &str| plan.providers.iter().filter(|p| p.ownership_type.as_deref() == Some(t)).count();
    assert!(share(owned("Organisation"), plan.providers.len()) > 80.0);
    assert!(owned("Individual") > 0 && owned("Partnership") > 0);
}

#[test]
fn the_current_rating_mix_matches_the_published_register() {
    let locations = registered();
    let current = current();
    let rated: Vec<Rating> = locations.iter().filter_map(|l| current.get(&l.id)).filter_map(|r| r.overall).collect();
    let not_rated = share(locations.len() - rated.len(), locations.len());
    assert!((8.0..=12.0).contains(&not_rated), "not rated {not_rated:.1} %");
    let mix = |r: Rating| share(rated.iter().filter(|x| **x == r).count(), rated.len());
    assert!((3.5..=7.0).contains(&mix(Rating::Outstanding)), "{}", mix(Rating::Outstanding));
    assert!((74.0..=81.0).contains(&mix(Rating::Good)), "{}", mix(Rating::Good));
    assert!((13.0..=18.0).contains(&mix(Rating::RequiresImprovement)), "{}", mix(Rating::RequiresImprovement));
    assert!((1.0..=2.5).contains(&mix(Rating::Inadequate)), "{}", mix(Rating::Inadequate));
}

fn count(kq: &KeyQuestionRatings, rating: Rating) -> usize {
    kq.iter().filter(|(_, r)| *r == Some(rating)).count()
}

#[test]
fn key_question_ratings_agree_with_the_overall() {
    for r in &plan().ratings {
        let kq = &r.key_questions;
        assert!(kq.iter().all(|(_, r)| r.is_some()));
        let agrees = match r.overall.expect("every demo record has an overall rating") {
            Rating::Outstanding => {
                count(kq, Rating::Outstanding) >= 2 && count(kq, Rating::Good) + count(kq, Rating::Outstanding) == 5
            }
            Rating::Good => {
                count(kq, Rating::Inadequate) == 0
                    && count(kq, Rating::RequiresImprovement) <= 1
                    && count(kq, Rating::Outstanding) <= 1
            }
            Rating::RequiresImprovement => {
                count(kq, Rating::Inadequate) <= 1
                    && (count(kq, Rating::RequiresImprovement) >= 2 || count(kq, Rating::Inadequate) == 1)
            }
            Rating::Inadequate => count(kq, Rating::Inadequate) >= 2,
        };
        assert!(agrees, "{r:?}");
        assert_eq!(r.service_group, "Overall");
    }
}

#[test]
fn histories_go_back_in_time_and_both_improve_and_decline() {
    let began = NaiveDate::from_ymd_opt(2014, 10, 1).unwrap();
    let mut by_location: HashMap<&LocationId, Vec<&RatingRecord>> = HashMap::new();
    for r in plan().ratings.iter().filter(|r| !r.inherited) {
        by_location.entry(&r.location_id).or_default().push(r);
        assert!(r.published >= began && r.published <= REGISTER_DATE, "{r:?}");
    }
    let (mut improved, mut declined, mut with_history) = (0, 0, 0);
    for history in by_location.values_mut() {
        history.sort_by_key(|r| r.published);
        assert!(history.len() <= 5);
        assert!(history.windows(2).all(|w| w[0].published < w[1].published));
        with_history += usize::from(history.len() > 1);
        let (first, last) = (history[0].overall, history[history.len() - 1].overall);
        improved += usize::from(last < first);
        declined += usize::from(last > first);
    }
    assert!(share(with_history, by_location.len()) > 60.0, "{with_history} of {}", by_location.len());
    assert!(improved > 1000 && declined > 500, "improved {improved}, declined {declined}");
    let first_ever = plan().ratings.iter().map(|r| r.published).min().unwrap();
    assert!(first_ever < NaiveDate::from_ymd_opt(2015, 6, 1).unwrap(), "{first_ever}");
}

#[test]
fn no_service_is_rated_before_it_was_registered() {
    let registered_on: HashMap<_, _> =
        plan().locations.iter().map(|l| (&l.id, l.registration.registered_on.unwrap())).collect();
    for r in plan().ratings.iter().filter(|r| !r.inherited) {
        assert!(r.published > registered_on[&r.location_id], "{r:?}");
    }
}

#[test]
fn changes_of_owner_link_both_ways_and_carry_the_rating_over() {
    let plan = plan();
    let by_id: HashMap<_, _> = plan.locations.iter().map(|l| (&l.id, l)).collect();
    let predecessors: Vec<_> = plan.locations.iter().filter(|l| !l.is_registered()).collect();
    assert!((300..=500).contains(&predecessors.len()), "{}", predecessors.len());
    for old in &predecessors {
        let [link] = old.relationships.as_slice() else { panic!("{} has one successor", old.id) };
        assert_eq!(link.kind, RelationshipKind::Successor);
        let new = by_id[&link.related_id];
        assert!(new.is_registered());
        assert!(new.relationships.iter().any(|r| r.kind == RelationshipKind::Predecessor && r.related_id == old.id));
        assert_ne!(new.provider_id, old.provider_id);
        assert_eq!(new.address, old.address);
        let closed = old.registration.deregistered_on.expect("deregistration date");
        assert_eq!(closed.succ_opt(), new.registration.registered_on);
    }
    let inherited: Vec<_> = plan.ratings.iter().filter(|r| r.inherited).collect();
    assert!(inherited.len() > predecessors.len() / 2, "{}", inherited.len());
    for r in inherited {
        let successor = by_id[&r.location_id];
        let [.., link] = successor.relationships.as_slice() else { panic!("an inherited rating has a predecessor") };
        let original = plan.ratings.iter().find(|o| o.location_id == link.related_id && o.published == r.published);
        assert_eq!(original.map(|o| (o.overall, o.key_questions)), Some((r.overall, r.key_questions)));
    }
}

#[test]
fn care_homes_have_beds_and_realistic_residents() {
    let locations = registered();
    let mut beds: Vec<u32> = Vec::new();
    for l in &locations {
        if l.care_home {
            let b = l.beds.expect("a care home has beds");
            assert!((1..=200).contains(&b));
            beds.push(b);
        } else {
            assert_eq!(l.beds, None, "{}", l.name);
        }
        assert!(!l.service_types.is_empty() && !l.specialisms.is_empty() && !l.regulated_activities.is_empty());
    }
    beds.sort_unstable();
    let median = beds[beds.len() / 2];
    assert!((25..=45).contains(&median), "median beds {median}");
    let most = beds.iter().filter(|b| (10..=120).contains(*b)).count();
    assert!(share(most, beds.len()) > 75.0);
    let older_homes: Vec<_> =
        locations.iter().filter(|l| l.care_home && l.specialisms.iter().any(|s| s == "Older People")).collect();
    let dementia = older_homes.iter().filter(|l| l.specialisms.iter().any(|s| s == "Dementia")).count();
    assert!(share(dementia, older_homes.len()) > 60.0);
}

#[test]
fn registrations_managers_and_dormancy_look_like_the_register() {
    let locations = registered();
    let hsca = NaiveDate::from_ymd_opt(2010, 10, 1).unwrap();
    for l in &locations {
        let on = l.registration.registered_on.expect("registration date");
        assert!(on >= hsca && on <= REGISTER_DATE, "{on}");
    }
    let managed = locations.iter().filter(|l| l.registered_manager == Some(true)).count();
    assert!((80.0..=90.0).contains(&share(managed, locations.len())));
    let dormant = locations.iter().filter(|l| l.dormant == Some(true)).count();
    assert!(dormant > 0 && share(dormant, locations.len()) < 3.0);
    let recent =
        locations.iter().filter(|l| l.registration.registered_on.unwrap().format("%Y").to_string() == "2026").count();
    assert!(recent > 0);
}

/// Ofcom's number ranges kept for drama, never given to a real line.
const DRAMA_RANGES: [&str; 9] =
    ["01134960", "01154960", "01174960", "01184960", "01214960", "01614960", "01914980", "02079460", "01632960"];

#[test]
fn names_are_invented_and_never_marked() {
    for l in &plan().locations {
        assert!(!l.name.is_empty() && !l.name.contains("demo"), "{}", l.name);
        assert!(l.website.as_deref().is_none_or(|w| w.ends_with(".example")));
        let reserved = |p: &str| p.len() == 11 && DRAMA_RANGES.iter().any(|r| p.starts_with(r));
        assert!(l.phone.as_deref().is_none_or(reserved), "{:?}", l.phone);
    }
}
