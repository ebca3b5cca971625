use candour_cqc::{ImportOptions, LocationFields, PlanRefused, SourceKind};
use candour_domain::{Location, Provider, ProviderId, RegistrationStatus};
use candour_store::RegisterSnapshot;

use crate::common::{date, id, import, plan_strict, read};

#[test]
fn a_first_import_adds_everything() {
    let mut register = RegisterSnapshot::default();
    let plan = import(&mut register, SourceKind::Directory, "directory.csv");
    assert_eq!(plan.kind, "cqc-directory");
    assert!(plan.origin.ends_with("directory.csv"));
    let c = &plan.counts;
    assert_eq!((c.added, c.changed, c.unchanged, c.deregistered), (3, 0, 0, 0));
    assert_eq!((c.providers_added, c.providers_changed), (3, 0));
    assert_eq!((c.ratings_added, c.ratings_changed, c.ratings_unchanged), (2, 0, 0));
    assert_eq!(c.skipped_rows, 0);
    assert_eq!((plan.locations.len(), plan.providers.len(), plan.ratings.len()), (3, 3, 2));
}

#[test]
fn re_planning_the_same_file_changes_nothing() {
    let mut register = RegisterSnapshot::default();
    import(&mut register, SourceKind::Directory, "directory.csv");
    let again = plan_strict(read(SourceKind::Directory, "directory.csv"), &register).plan;
    let c = &again.counts;
    assert_eq!((c.added, c.changed, c.unchanged, c.deregistered), (0, 0, 3, 0));
    assert_eq!((c.providers_added, c.providers_changed, c.ratings_unchanged), (0, 0, 2));
    assert!(again.locations.is_empty() && again.providers.is_empty() && again.ratings.is_empty());

    import(&mut register, SourceKind::LatestRatings, "ratings.csv");
    let again = plan_strict(read(SourceKind::LatestRatings, "ratings.csv"), &register).plan;
    assert_eq!((again.counts.unchanged, again.counts.ratings_unchanged), (2, 2));
    assert!(again.locations.is_empty() && again.providers.is_empty() && again.ratings.is_empty());
}

#[test]
fn changes_and_deregistrations_are_counted() {
    let mut register = RegisterSnapshot::default();
    import(&mut register, SourceKind::Directory, "directory.csv");
    let rose = id("1-1000000001");
    register.locations.get_mut(&rose).expect("imported").beds = Some(39);
    let provider_id = ProviderId::parse("1-2000000001").expect("valid");
    register.providers.get_mut(&provider_id).expect("imported").name = "Rose Care Limited".into();
    let gone = Location::new(id("1-1000000077"), provider_id.clone(), "Closed Home");
    register.locations.insert(gone.id.clone(), gone);
    let mut already_gone = Location::new(id("1-1000000078"), provider_id, "Closed Long Ago");
    already_gone.registration.status = RegistrationStatus::Deregistered;
    register.locations.insert(already_gone.id.clone(), already_gone);

    let plan = import(&mut register, SourceKind::Directory, "directory.csv");
    let c = &plan.counts;
    assert_eq!((c.added, c.changed, c.unchanged, c.deregistered), (0, 1, 2, 1));
    assert_eq!(c.providers_changed, 1);
    assert_eq!(register.locations[&rose].beds, Some(40));
    let closed = &register.locations[&id("1-1000000077")];
    assert_eq!(closed.registration.status, RegistrationStatus::Deregistered);
    assert_eq!(closed.registration.deregistered_on, Some(date(2024, 3, 1)), "the file's own date");
    assert_eq!(plan.locations.len(), 2, "the changed one and the deregistered one");
}

#[test]
fn a_directory_without_address_columns_keeps_the_address() {
    let mut register = RegisterSnapshot::default();
    import(&mut register, SourceKind::Directory, "directory.csv");
    let parsed = read(SourceKind::Directory, "directory_no_address.csv");
    assert!(!parsed.carried.location.contains(LocationFields::ADDRESS_LINE1));
    assert!(parsed.carried.location.contains(LocationFields::POSTCODE));
    assert_eq!(parsed.produced_on, None);
    let plan = plan_strict(parsed, &register).plan;
    assert_eq!((plan.counts.changed, plan.counts.unchanged), (0, 3), "{:?}", plan.locations);
    let rose = &register.locations[&id("1-1000000001")];
    assert_eq!(rose.address.line1.as_deref(), Some("12 Rose Lane"));
    assert_eq!(rose.phone.as_deref(), Some("0161 496 0001"));
}

#[test]
fn a_location_whose_provider_has_not_arrived_is_imported_and_the_provider_fills_in_later() {
    let parsed = read(SourceKind::Api, "api/01-legacy.json");
    let mut register = RegisterSnapshot::default();
    let plan = plan_strict(parsed.clone(), &register).plan;
    assert_eq!((plan.counts.added, plan.counts.providers_added), (1, 1));
    let stand_in = &plan.providers[0];
    assert_eq!(stand_in.name, "Provider 1-2000000001");
    assert!(stand_in.is_awaiting_details());
    register.providers.insert(stand_in.id.clone(), stand_in.clone());
    register.locations.extend(plan.locations.iter().map(|l| (l.id.clone(), l.clone())));

    // The provider's record arrives: its details replace the stand-in's.
    let mut described = parsed;
    let provider = Provider::new(ProviderId::parse("1-2000000001").expect("valid"), "Rose Care Ltd");
    described.providers.push(provider);
    let plan = plan_strict(described, &register).plan;
    assert_eq!(plan.counts.providers_changed, 1);
    assert_eq!(plan.providers[0].name, "Rose Care Ltd");
    assert!(!plan.providers[0].is_awaiting_details());
}

#[test]
fn a_partial_extract_deregisters_nothing() {
    let mut register = RegisterSnapshot::default();
    import(&mut register, SourceKind::Directory, "directory.csv");
    let elsewhere =
        Location::new(id("1-1000000077"), ProviderId::parse("1-2000000001").expect("valid"), "Elsewhere House");
    register.locations.insert(elsewhere.id.clone(), elsewhere);
    let options = candour_cqc::ImportOptions { partial: true, ..Default::default() };
    let planned =
        candour_cqc::plan(read(SourceKind::Directory, "directory.csv"), &register, &options).expect("planned");
    assert_eq!(planned.plan.counts.deregistered, 0);
    assert!(planned.plan.locations.is_empty(), "nothing to write: {:?}", planned.plan.locations);

    let whole = candour_cqc::plan(read(SourceKind::Directory, "directory.csv"), &register, &Default::default())
        .expect("planned");
    assert_eq!(whole.plan.counts.deregistered, 1, "without --partial the missing location is deregistered");
}

/// The three locations of `directory.csv`, and `others` more registered locations the file leaves out.
fn register_with_others(others: u64) -> RegisterSnapshot {
    let mut register = RegisterSnapshot::default();
    import(&mut register, SourceKind::Directory, "directory.csv");
    let provider = ProviderId::parse("1-2000000001").expect("valid");
    for n in 0..others {
        let other = Location::new(id(&format!("1-30000{n:05}")), provider.clone(), format!("Other House {n}"));
        register.locations.insert(other.id.clone(), other);
    }
    register
}

#[test]
fn deregistering_more_than_the_allowed_share_is_refused() {
    // 300 registered; the file lists 3: a file cut short, or the wrong one.
    let register = register_with_others(297);
    let err = candour_cqc::plan(read(SourceKind::Directory, "directory.csv"), &register, &Default::default())
        .expect_err("refused");
    let PlanRefused::TooManyDeregistered { would, registered, allowed, ids } = &err else { panic!("{err}") };
    assert_eq!((*would, *registered, *allowed), (297, 300, 15), "5 % of 300");
    assert_eq!(ids.len(), 297);
    assert!(err.to_string().contains("--allow-deregistering 297"), "{err}");

    let too_few = ImportOptions { allow_deregistering: Some(296), ..Default::default() };
    assert!(candour_cqc::plan(read(SourceKind::Directory, "directory.csv"), &register, &too_few).is_err());
    let allowed = ImportOptions { allow_deregistering: Some(297), ..Default::default() };
    let planned =
        candour_cqc::plan(read(SourceKind::Directory, "directory.csv"), &register, &allowed).expect("allowed");
    assert_eq!(planned.plan.counts.deregistered, 297);
    assert_eq!(planned.deregistered.len(), 297);
}

#[test]
fn ordinary_closures_need_no_flag() {
    assert_eq!(candour_cqc::deregistrations_allowed(300), 15);
    assert_eq!(candour_cqc::deregistrations_allowed(30_000), 1_500);
    assert_eq!(candour_cqc::deregistrations_allowed(40), candour_cqc::DEREGISTER_AT_LEAST, "a small register");
    let planned = plan_strict(read(SourceKind::Directory, "directory.csv"), &register_with_others(10));
    assert_eq!(planned.plan.counts.deregistered, 10);
    assert!(
        candour_cqc::plan(read(SourceKind::Directory, "directory.csv"), &register_with_others(11), &Default::default())
            .is_err()
    );
}
