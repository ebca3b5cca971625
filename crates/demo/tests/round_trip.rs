//! The exported directory, read back by the regulator-file importer, gives back the
//! same locations, providers and current ratings.

use std::collections::HashMap;

use candour_cqc::{NoProgress, read_directory};
use candour_demo::{REGISTER_DATE, Scale, export_directory, generate};
use candour_domain::{Location, LocationId, RatingRecord};
use candour_store::{RatingKey, RegisterSnapshot};

#[test]
fn export_then_import_gives_back_the_register() {
    let plan = generate(Scale::Small, 42);
    let snapshot = RegisterSnapshot {
        providers: plan.providers.iter().map(|p| (p.id.clone(), p.clone())).collect(),
        locations: plan.locations.iter().map(|l| (l.id.clone(), l.clone())).collect(),
        ratings: plan.ratings.iter().map(|r| (RatingKey::of(r), r.clone())).collect(),
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("directory.csv");
    let file = std::fs::File::create(&path).unwrap();
    let rows = export_directory(&snapshot, std::io::BufWriter::new(file), REGISTER_DATE).unwrap();

    let parsed = read_directory(&path, &NoProgress).unwrap();
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    assert_eq!(parsed.produced_on, Some(REGISTER_DATE));
    assert_eq!(parsed.locations.len() as u64, rows);

    let current = current_ratings(&plan.ratings);
    for incoming in &parsed.locations {
        let original = &snapshot.locations[&incoming.id];
        let read = incoming.location.as_ref().expect("the directory describes each location");
        assert_eq!(key_fields(read), key_fields(original), "{}", incoming.id);
        let rating = incoming.ratings.first().map(|r| (r.overall, r.published, r.inherited));
        let expected = current.get(&incoming.id).map(|r| (r.overall, r.published, r.inherited));
        assert_eq!(rating, expected, "{}", incoming.id);
    }
    for provider in &parsed.providers {
        let original = &snapshot.providers[&provider.id];
        assert_eq!(
            (&provider.name, &provider.sector, &provider.ownership_type, &provider.brand_id),
            (&original.name, &original.sector, &original.ownership_type, &original.brand_id)
        );
    }
}

fn current_ratings(ratings: &[RatingRecord]) -> HashMap<&LocationId, &RatingRecord> {
    let mut latest: HashMap<&LocationId, &RatingRecord> = HashMap::new();
    for r in ratings {
        let entry = latest.entry(&r.location_id).or_insert(r);
        if r.published > entry.published {
            *entry = r;
        }
    }
    latest
}

/// Everything the directory carries about a location. Only whether a manager is in
/// post travels, so a missing answer reads back as "no".
fn key_fields(l: &Location) -> impl PartialEq + std::fmt::Debug {
    (
        (&l.id, &l.provider_id, &l.name, l.care_home, l.beds, &l.address, l.region, &l.local_authority),
        (l.latitude, l.longitude, l.registration.registered_on, l.dormant, l.registered_manager.unwrap_or(false)),
        (&l.inspection_directorate, &l.primary_inspection_category, &l.brand_id, &l.brand_name, &l.phone, &l.website),
        (&l.service_types, &l.specialisms, &l.regulated_activities),
    )
}
