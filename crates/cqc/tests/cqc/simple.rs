use candour_cqc::{ImportOptions, SourceKind};
use candour_domain::{Postcode, Region, RegistrationStatus};
use candour_store::RegisterSnapshot;

use crate::common::{apply, date, id, import, location, read};

#[test]
fn reads_the_preamble_date_lists_and_address() {
    let parsed = read(SourceKind::SimpleDirectory, "simple.csv");
    assert_eq!(parsed.produced_on, Some(date(2024, 3, 1)));
    let rose = location(&parsed, "1-1000000001");
    assert_eq!(rose.service_types, vec!["Care home service with nursing", "Care home service without nursing"]);
    assert_eq!(rose.specialisms, vec!["Dementia", "Older people"]);
    assert!(rose.care_home);
    assert_eq!(rose.also_known_as, None);
    assert_eq!(rose.address.line1.as_deref(), Some("12 Rose Lane"));
    assert_eq!(rose.address.line2.as_deref(), Some("Didsbury"));
    assert_eq!(rose.address.town.as_deref(), Some("Manchester"));
    assert_eq!(rose.last_inspection, Some(date(2023, 5, 10)));
    assert_eq!(rose.website.as_deref(), Some("www.rosecourt.example"));

    let homecare = location(&parsed, "1-1000000002");
    assert_eq!(homecare.also_known_as.as_deref(), Some("HH Leeds"));
    assert_eq!(homecare.address.postcode, Postcode::parse("LS1 4AP").ok());
    assert_eq!(homecare.region, Some(Region::YorkshireAndTheHumber));
    assert!(!homecare.care_home);

    let listed: Vec<String> = parsed.problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        listed,
        [r#"line 8, column "Date of latest check": "yesterday" is not a date (expected dd/mm/yyyy or yyyy-mm-dd)"#]
    );
    assert!(parsed.mentioned.contains(&id("1-1000000005")), "a bad row still counts as listed");
}

#[test]
fn locations_missing_from_a_full_listing_are_deregistered_on_its_date() {
    let mut register = RegisterSnapshot::default();
    import(&mut register, SourceKind::Directory, "directory.csv");
    let parsed = read(SourceKind::SimpleDirectory, "simple.csv");
    let planned =
        candour_cqc::plan(parsed, &register, &ImportOptions { skip_invalid: true, ..ImportOptions::default() })
            .expect("planned");
    apply(&mut register, &planned.plan);
    assert_eq!(planned.plan.counts.deregistered, 1);
    assert_eq!(planned.plan.counts.changed, 2);
    let meadow = &register.locations[&id("1-1000000003")];
    assert_eq!(meadow.registration.status, RegistrationStatus::Deregistered);
    assert_eq!(meadow.registration.deregistered_on, Some(date(2024, 3, 1)));
    let rose = &register.locations[&id("1-1000000001")];
    assert_eq!(rose.beds, Some(40), "the simple directory does not carry beds");
    assert_eq!(rose.service_types.len(), 2);
}
