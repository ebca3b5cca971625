//! The small register: a few hundred services in a few authorities, with the same
//! realism as the national one.

use std::collections::HashSet;

use candour_demo::{Scale, generate};

#[test]
fn a_few_hundred_services_in_a_few_places() {
    let plan = generate(Scale::Small, 42);
    let registered: Vec<_> = plan.locations.iter().filter(|l| l.is_registered()).collect();
    assert!((280..=320).contains(&registered.len()), "{}", registered.len());
    let regions: HashSet<_> = registered.iter().filter_map(|l| l.region).collect();
    assert!((3..=4).contains(&regions.len()), "{regions:?}");
    let authorities: HashSet<_> = registered.iter().filter_map(|l| l.local_authority.as_deref()).collect();
    assert!((4..=10).contains(&authorities.len()), "{authorities:?}");
    assert!(authorities.contains("Leeds"));
}

#[test]
fn it_has_everything_the_pages_show() {
    let plan = generate(Scale::Small, 42);
    let registered: Vec<_> = plan.locations.iter().filter(|l| l.is_registered()).collect();
    assert!(registered.iter().any(|l| l.care_home) && registered.iter().any(|l| !l.care_home));
    assert!(plan.locations.iter().any(|l| !l.is_registered()), "a change of owner");
    assert!(plan.ratings.iter().any(|r| r.inherited));
    let rated: HashSet<_> = plan.ratings.iter().map(|r| &r.location_id).collect();
    let unrated = registered.iter().filter(|l| !rated.contains(&l.id)).count();
    assert!((10..=60).contains(&unrated), "{unrated} not yet rated");
    assert!(plan.providers.len() > 100 && plan.providers.len() < registered.len());
    assert!(plan.providers.iter().any(|p| p.brand_id.is_some()), "one group trades under a brand");
    let providers: HashSet<_> = plan.providers.iter().map(|p| &p.id).collect();
    assert!(plan.locations.iter().all(|l| providers.contains(&l.provider_id)));
}
