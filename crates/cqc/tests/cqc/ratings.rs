use candour_cqc::{ImportOptions, SourceKind};
use candour_domain::{Rating, RatingRecord};
use candour_store::{RatingKey, RegisterSnapshot};

use crate::common::{date, id, import, location, read};

#[test]
fn rows_pivot_into_one_record_per_group_and_date() {
    let parsed = read(SourceKind::LatestRatings, "ratings.csv");
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    assert_eq!(parsed.produced_on, Some(date(2024, 3, 1)));
    assert_eq!(parsed.locations.len(), 2);

    let rose = parsed.locations.iter().find(|l| l.id == id("1-1000000001")).expect("read");
    assert_eq!(rose.ratings.len(), 1, "six rows, one record");
    let r = &rose.ratings[0];
    assert_eq!(r.service_group, RatingRecord::LOCATION_GROUP);
    assert_eq!(r.published, date(2023, 5, 10));
    assert_eq!(r.overall, Some(Rating::Good));
    assert_eq!(r.key_questions.safe, Some(Rating::RequiresImprovement));
    assert_eq!(r.key_questions.effective, Some(Rating::Good));
    assert_eq!(r.key_questions.caring, Some(Rating::Outstanding), "upper case is read");
    assert_eq!(r.key_questions.responsive, Some(Rating::Good), "lower case is read");
    assert_eq!(r.key_questions.well_led, Some(Rating::Good));
    assert_eq!(r.report_type.as_deref(), Some("Location"));
    assert!(!r.inherited);

    let willow = parsed.locations.iter().find(|l| l.id == id("1-1000000009")).expect("read");
    let w = &willow.ratings[0];
    assert_eq!(
        (w.overall, w.key_questions.safe, w.key_questions.well_led),
        (Some(Rating::Outstanding), Some(Rating::Good), Some(Rating::Outstanding))
    );
    assert_eq!(w.key_questions.caring, None);
    assert!(w.inherited);
    assert_eq!(w.published, date(2022, 8, 1));
    let house = location(&parsed, "1-1000000009");
    assert_eq!(house.name, "Willow House");
    assert!(house.care_home);
    assert_eq!(house.address.town.as_deref(), Some("York"));
}

#[test]
fn a_ratings_file_adds_ratings_without_blanking_the_directory() {
    let mut register = RegisterSnapshot::default();
    import(&mut register, SourceKind::Directory, "directory.csv");
    let plan = import(&mut register, SourceKind::LatestRatings, "ratings.csv");
    assert_eq!((plan.counts.added, plan.counts.changed, plan.counts.unchanged), (1, 0, 1));
    assert_eq!((plan.counts.ratings_added, plan.counts.ratings_changed), (1, 1));
    assert_eq!(plan.counts.providers_added, 1, "Willow Care");
    assert_eq!(plan.counts.deregistered, 0, "a ratings file never deregisters");

    let rose = &register.locations[&id("1-1000000001")];
    assert_eq!(rose.service_types, vec!["Care home service with nursing"]);
    assert_eq!(rose.beds, Some(40));
    assert_eq!(rose.registered_manager, Some(true));

    // The directory's "overall only" record does not erase the key questions.
    let again = import(&mut register, SourceKind::Directory, "directory.csv");
    assert_eq!(again.counts.ratings_unchanged, 2);
    assert!(again.ratings.is_empty());
    let key =
        RatingKey::of(&plan.ratings.iter().find(|r| r.location_id == id("1-1000000001")).expect("planned").clone());
    assert_eq!(register.ratings[&key].key_questions.caring, Some(Rating::Outstanding));
}

#[test]
fn an_unknown_location_without_a_name_cannot_be_added() {
    let parsed = read(SourceKind::LatestRatings, "ratings_unknown_location.csv");
    assert!(parsed.problems.is_empty(), "the rows themselves are valid");
    let mut register = RegisterSnapshot::default();
    import(&mut register, SourceKind::Directory, "directory.csv");

    let err = candour_cqc::plan(parsed.clone(), &register, &ImportOptions::default()).expect_err("refused");
    assert_eq!(err.problems().len(), 1);
    assert_eq!(
        err.problems()[0].to_string(),
        "line 3: location 1-1000000010 is not in the register, and the row lacks the location's name or provider ID needed to add it"
    );

    let planned =
        candour_cqc::plan(parsed, &register, &ImportOptions { skip_invalid: true, ..ImportOptions::default() })
            .expect("planned");
    assert_eq!(planned.plan.counts.skipped_rows, 1);
    assert_eq!(planned.plan.counts.unchanged, 1);
    assert_eq!(planned.plan.counts.ratings_changed, 1, "the file adds the report type");
    assert_eq!(planned.plan.ratings[0].report_type.as_deref(), Some("Location"));
    assert!(planned.plan.locations.is_empty());
}
