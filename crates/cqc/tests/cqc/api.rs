use candour_cqc::{NoProgress, SourceKind, parse_location_record, read_api_json};
use candour_domain::{Postcode, Rating, RatingRecord, Region, RegistrationStatus, RelationshipKind};
use serde_json::json;

use crate::common::{date, fixture, id, location, read};

fn ratings_of<'p>(parsed: &'p candour_cqc::Parsed, value: &str) -> &'p [RatingRecord] {
    &parsed.locations.iter().find(|l| l.id == id(value)).expect("read").ratings
}

#[test]
fn a_legacy_record_is_read_whole() {
    let parsed = read(SourceKind::Api, "api/01-legacy.json");
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    let rose = location(&parsed, "1-1000000001");
    assert_eq!(rose.registration.status, RegistrationStatus::Registered);
    assert_eq!(rose.registration.registered_on, Some(date(2012, 1, 5)));
    assert_eq!(rose.beds, Some(40));
    assert!(rose.care_home);
    assert_eq!(rose.service_types, vec!["Care home service with nursing"], "the description, not the name");
    assert_eq!(rose.specialisms, vec!["Caring for adults over 65 yrs", "Dementia"]);
    assert_eq!(rose.regulated_activities.len(), 2);
    assert_eq!(rose.registered_manager, Some(true), "a contact has the registered manager's role");
    assert_eq!(rose.address.county.as_deref(), Some("Greater Manchester"));
    assert_eq!(rose.address.postcode, Postcode::parse("M20 2AA").ok());
    assert_eq!(rose.region, Some(Region::NorthWest));
    assert_eq!(rose.constituency.as_deref(), Some("Manchester Withington"));
    assert_eq!((rose.latitude, rose.longitude), (Some(53.4167), Some(-2.2311)));
    assert_eq!(rose.last_inspection, Some(date(2023, 3, 14)));
    assert_eq!(rose.last_report, Some(date(2023, 5, 10)));
    assert_eq!(rose.primary_inspection_category.as_deref(), Some("Residential social care"));
    assert_eq!(rose.relationships.len(), 1);
    assert_eq!(rose.relationships[0].kind, RelationshipKind::Predecessor);
    assert_eq!(rose.relationships[0].related_id, id("1-999999999"));

    let ratings = ratings_of(&parsed, "1-1000000001");
    assert_eq!(ratings.len(), 2, "current and historic");
    let current = ratings.iter().find(|r| r.published == date(2023, 5, 10)).expect("current");
    assert_eq!(current.service_group, RatingRecord::LOCATION_GROUP);
    assert_eq!(current.overall, Some(Rating::Good));
    // Listed Well-led first: matched by name, not position.
    assert_eq!(current.key_questions.well_led, Some(Rating::Good));
    assert_eq!(current.key_questions.safe, Some(Rating::RequiresImprovement));
    assert_eq!(current.key_questions.caring, Some(Rating::Outstanding));
    let historic = ratings.iter().find(|r| r.published == date(2019, 6, 1)).expect("historic");
    assert_eq!(historic.overall, Some(Rating::RequiresImprovement));
    assert_eq!(historic.key_questions.safe, Some(Rating::Inadequate));
    assert_eq!(historic.key_questions.effective, None);
}

#[test]
fn assessment_ratings_prefer_the_current_entry() {
    let parsed = read(SourceKind::Api, "api/02-saf.json");
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    let homecare = location(&parsed, "1-1000000002");
    assert_eq!(homecare.registered_manager, Some(false), "contacts listed, none a registered manager");
    assert_eq!(homecare.registered_manager_absent_since, Some(date(2024, 1, 15)));
    assert_eq!(homecare.service_types, vec!["Domiciliary care service"]);
    assert_eq!(homecare.primary_inspection_category.as_deref(), Some("Community based adult social care services"));

    let ratings = ratings_of(&parsed, "1-1000000002");
    let group = |name: &str, d| ratings.iter().find(|r| r.service_group == name && r.published == d);
    let current = group("Homecare", date(2024, 6, 1)).expect("the current assessment");
    assert_eq!(current.overall, Some(Rating::Good), "the Current entry wins over the undated Previous one");
    assert_eq!(current.key_questions.safe, Some(Rating::Good));
    assert_eq!(current.key_questions.well_led, Some(Rating::Good));
    assert_eq!(current.key_questions.effective, None);
    let previous = group("Homecare", date(2023, 11, 2)).expect("kept as history");
    assert_eq!(previous.overall, Some(Rating::RequiresImprovement));
    let overall = group(RatingRecord::LOCATION_GROUP, date(2024, 6, 1)).expect("single group stands for the location");
    assert_eq!(overall.overall, Some(Rating::Good));
    assert_eq!(ratings.len(), 4);

    assert_eq!(parsed.providers.len(), 1);
    let provider = &parsed.providers[0];
    assert_eq!(provider.name, "Helping Hands Homecare");
    assert_eq!(provider.ownership_type.as_deref(), Some("Partnership"));
    assert_eq!(provider.brand_id.as_deref(), Some("BD077"));
    assert_eq!(provider.address.postcode, Postcode::parse("LS2 7UE").ok());
}

#[test]
fn a_folder_of_json_files_reads_every_record() {
    let parsed = read_api_json(&fixture("api"), &NoProgress).expect("the folder reads");
    assert_eq!(parsed.kind, SourceKind::Api);
    assert_eq!(parsed.locations.len(), 2);
    assert_eq!(parsed.locations[0].file.as_deref(), Some("01-legacy.json"));
    assert_eq!(parsed.locations[1].file.as_deref(), Some("02-saf.json[0]"));
    assert_eq!(parsed.providers.len(), 1);
}

#[test]
fn bad_records_name_the_file_index_and_field() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let good = std::fs::read_to_string(fixture("api/01-legacy.json")).expect("fixture");
    let mut bad: serde_json::Value = serde_json::from_str(&good).expect("JSON");
    bad["numberOfBeds"] = json!("lots");
    bad["currentRatings"]["overall"]["keyQuestionRatings"][1]["name"] = json!("Kind");
    bad["region"] = json!("Wales");
    let array = json!([serde_json::from_str::<serde_json::Value>(&good).expect("JSON"), bad, 42]);
    std::fs::write(dir.path().join("batch.json"), array.to_string()).expect("write");

    let parsed = read_api_json(dir.path(), &NoProgress).expect("the folder reads");
    let listed: Vec<String> = parsed.problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        listed,
        [
            r#"batch.json[1], field "numberOfBeds": "lots" is not a whole number"#,
            r#"batch.json[1], field "region": region "Wales" is not valid: expected one of England's nine regions, like "North West""#,
            r#"batch.json[1], field "currentRatings.overall.keyQuestionRatings[1].name": key question "Kind" is not valid: expected Safe, Effective, Caring, Responsive or Well-led"#,
            "batch.json[2]: is neither a location record (with locationId) nor a provider record (with providerId)",
        ]
    );
    assert!(parsed.locations.is_empty(), "the same location's bad record keeps its good twin out too");
}

#[test]
fn broken_json_says_where() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("broken.json");
    std::fs::write(&path, "[\n  {\"locationId\": \"1-1\",\n  }\n]").expect("write");
    let err = read_api_json(&path, &NoProgress).expect_err("not JSON");
    assert!(err.to_string().contains("invalid JSON at line 3, column 3"), "{err}");
    let empty = tempfile::tempdir().expect("a temporary folder");
    let err = read_api_json(empty.path(), &NoProgress).expect_err("no files");
    assert!(err.to_string().ends_with("the folder holds no .json files"), "{err}");
}

#[test]
fn the_record_parser_reports_missing_identity() {
    let problems =
        parse_location_record(&json!({"name": "Somewhere", "registrationStatus": "Registered"})).expect_err("no IDs");
    let fields: Vec<_> = problems.iter().filter_map(|p| p.column.as_deref()).collect();
    assert_eq!(fields, ["locationId", "providerId"]);
    assert!(parse_location_record(&json!([1, 2])).is_err());
}
