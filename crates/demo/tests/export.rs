//! The care directory with filters: notice rows, the header, one row per registered
//! location, "-" for missing numbers and ratings, "Y" for flags.

use candour_demo::{
    ExportError, FIXED_COLUMNS, REGISTER_DATE, REGISTERED_MANAGER_IN_POST, Scale, export_directory, generate,
};
use candour_domain::{
    KeyQuestionRatings, Location, LocationId, Postcode, Provider, ProviderId, Rating, RatingRecord, RatingSource,
    Region, RegistrationStatus,
};
use candour_store::{ImportPlan, RatingKey, RegisterSnapshot};
use chrono::NaiveDate;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn snapshot_of(plan: &ImportPlan) -> RegisterSnapshot {
    RegisterSnapshot {
        providers: plan.providers.iter().map(|p| (p.id.clone(), p.clone())).collect(),
        locations: plan.locations.iter().map(|l| (l.id.clone(), l.clone())).collect(),
        ratings: plan.ratings.iter().map(|r| (RatingKey::of(r), r.clone())).collect(),
    }
}

/// The written file as rows of cells, blank lines skipped as a CSV reader does.
fn read(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    reader.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect()
}

fn rating(
    location: &LocationId,
    published: NaiveDate,
    overall: Rating,
    source: RatingSource,
    inherited: bool,
) -> RatingRecord {
    RatingRecord {
        location_id: location.clone(),
        service_group: "Overall".to_string(),
        published,
        source,
        overall: Some(overall),
        key_questions: KeyQuestionRatings::default(),
        report_type: None,
        inherited,
    }
}

/// A care home with an inherited Outstanding, then its own Requires improvement and
/// Good, then a Candour rating that must not show; a homecare agency not yet rated;
/// and a deregistered service.
fn hand_made() -> RegisterSnapshot {
    let provider_id = ProviderId::parse("1-101").unwrap();
    let mut provider = Provider::new(provider_id.clone(), "Quillmere Care Ltd");
    provider.sector = Some("Social Care Org".into());
    provider.ownership_type = Some("Organisation".into());

    let mut home = Location::new(LocationId::parse("1-201").unwrap(), provider_id.clone(), "Willowbrook House");
    home.care_home = true;
    home.beds = Some(42);
    home.service_types = vec!["Care home service with nursing".into()];
    home.specialisms = vec!["Dementia".into(), "Older People".into()];
    home.regulated_activities = vec!["Accommodation for persons who require nursing or personal care".into()];
    home.registration.registered_on = Some(day(2010, 10, 1));
    home.registered_manager = Some(true);
    home.dormant = Some(false);
    home.region = Some(Region::YorkshireAndTheHumber);
    home.local_authority = Some("Leeds".into());
    home.address.postcode = Some(Postcode::parse("LS6 4AB").unwrap());
    home.address.line1 = Some("12 Church Road, Headingley".into());
    home.latitude = Some(53.819_876);
    home.longitude = Some(-1.576_5);

    let mut agency = Location::new(LocationId::parse("1-202").unwrap(), provider_id.clone(), "Brightpath Homecare");
    agency.service_types = vec!["Domiciliary care service".into()];
    agency.specialisms = vec!["dementia".into(), "Younger Adults".into()];
    agency.regulated_activities = vec!["Personal care".into()];
    agency.registered_manager = Some(false);

    let mut closed = Location::new(LocationId::parse("1-203").unwrap(), provider_id.clone(), "Aardvark Lodge");
    closed.registration.status = RegistrationStatus::Deregistered;
    closed.service_types = vec!["Shared Lives".into()];

    let ratings = [
        rating(&home.id, day(2018, 2, 3), Rating::Outstanding, RatingSource::Cqc, true),
        rating(&home.id, day(2019, 5, 1), Rating::RequiresImprovement, RatingSource::Cqc, false),
        rating(&home.id, day(2022, 3, 4), Rating::Good, RatingSource::Cqc, false),
        rating(&home.id, day(2025, 1, 1), Rating::Inadequate, RatingSource::Candour, false),
    ];
    RegisterSnapshot {
        providers: [(provider_id, provider)].into_iter().collect(),
        locations: [home, agency, closed].into_iter().map(|l| (l.id.clone(), l)).collect(),
        ratings: ratings.into_iter().map(|r| (RatingKey::of(&r), r)).collect(),
    }
}

fn cell<'a>(header: &[String], row: &'a [String], column: &str) -> &'a str {
    let i = header.iter().position(|h| h == column).unwrap_or_else(|| panic!("no column {column}"));
    &row[i]
}

#[test]
fn notice_rows_then_the_header_then_registered_locations() {
    let mut out = Vec::new();
    let rows = export_directory(&hand_made(), &mut out, day(2026, 10, 1)).unwrap();
    assert_eq!(rows, 2, "the deregistered service is left out");
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("Care directory with filters\nThis data was produced on 01/10/2026\n\n"), "{text}");
    let table = read(text.as_bytes());
    let header = &table[2];
    assert_eq!(header[..FIXED_COLUMNS.len()], FIXED_COLUMNS.map(String::from));
    assert_eq!(
        header[FIXED_COLUMNS.len()..],
        [
            "Regulated activity - Accommodation for persons who require nursing or personal care",
            "Regulated activity - Personal care",
            "Service type - Care home service with nursing",
            "Service type - Domiciliary care service",
            "Service user band - Dementia",
            "Service user band - Older People",
            "Service user band - Younger Adults",
        ]
    );
    assert_eq!(table.len(), 5);
    assert!(table[3..].iter().all(|row| row.len() == header.len()));
    assert_eq!(table[3][1], "Brightpath Homecare", "rows are sorted by name");
    assert_eq!(table[4][1], "Willowbrook House");
}

#[test]
fn cells_follow_the_published_conventions() {
    let mut out = Vec::new();
    export_directory(&hand_made(), &mut out, day(2026, 10, 1)).unwrap();
    let table = read(&out);
    let (header, agency, home) = (&table[2], &table[3], &table[4]);
    let at = |row: &[String], column: &str| cell(header, row, column).to_string();

    assert_eq!(at(home, "Location ID"), "1-201");
    assert_eq!(at(home, "Location HSCA start date"), "01/10/2010");
    assert_eq!(at(home, "Care home?"), "Y");
    assert_eq!(at(home, "Care homes beds"), "42");
    assert_eq!(at(home, "Dormant (Y/N)"), "N");
    assert_eq!(at(home, "Registered manager"), REGISTERED_MANAGER_IN_POST);
    // The latest of the regulator's ratings, not the later one made in Candour.
    assert_eq!(at(home, "Location Latest Overall Rating"), "Good");
    assert_eq!(at(home, "Publication Date"), "04/03/2022");
    assert_eq!(at(home, "Inherited Rating (Y/N)"), "N");
    assert_eq!(at(home, "Location Region"), "Yorkshire and The Humber");
    assert_eq!(at(home, "Location Postal Code"), "LS6 4AB");
    assert_eq!(at(home, "Location Latitude"), "53.819876");
    assert_eq!(at(home, "Location Longitude"), "-1.5765");
    assert_eq!(at(home, "Location Street Address"), "12 Church Road, Headingley");
    assert_eq!(at(home, "Brand ID"), "-");
    assert_eq!(at(home, "Provider Name"), "Quillmere Care Ltd");
    assert_eq!(at(home, "Service type - Care home service with nursing"), "Y");
    assert_eq!(at(home, "Service type - Domiciliary care service"), "");

    assert_eq!(at(agency, "Care home?"), "N");
    assert_eq!(at(agency, "Care homes beds"), "-");
    assert_eq!(at(agency, "Location Latest Overall Rating"), "-");
    assert_eq!(at(agency, "Publication Date"), "-");
    assert_eq!(at(agency, "Inherited Rating (Y/N)"), "-");
    assert_eq!(at(agency, "Registered manager"), "");
    assert_eq!(at(agency, "Location HSCA start date"), "");
    assert_eq!(at(agency, "Service user band - Dementia"), "Y", "flags match ignoring case");
    assert_eq!(at(agency, "Service user band - Older People"), "");
}

#[test]
fn an_inherited_rating_is_marked() {
    let mut snapshot = hand_made();
    snapshot.ratings.retain(|_, r| r.inherited || r.source == RatingSource::Candour);
    let mut out = Vec::new();
    export_directory(&snapshot, &mut out, day(2026, 10, 1)).unwrap();
    let table = read(&out);
    assert_eq!(cell(&table[2], &table[4], "Location Latest Overall Rating"), "Outstanding");
    assert_eq!(cell(&table[2], &table[4], "Publication Date"), "03/02/2018");
    assert_eq!(cell(&table[2], &table[4], "Inherited Rating (Y/N)"), "Y");
}

#[test]
fn a_location_without_its_provider_is_refused_by_name() {
    let mut snapshot = hand_made();
    snapshot.providers.clear();
    let err = export_directory(&snapshot, Vec::new(), day(2026, 10, 1)).unwrap_err();
    assert!(matches!(err, ExportError::UnknownProvider { .. }));
    assert!(err.to_string().contains("1-101"), "{err}");
}

#[test]
fn the_demo_register_exports_whole() {
    let plan = generate(Scale::Small, 42);
    let snapshot = snapshot_of(&plan);
    let mut out = Vec::new();
    let rows = export_directory(&snapshot, &mut out, REGISTER_DATE).unwrap();
    let registered: Vec<_> = plan.locations.iter().filter(|l| l.is_registered()).collect();
    assert_eq!(rows, registered.len() as u64);
    let table = read(&out);
    let header = &table[2];
    assert_eq!(header[0], "Location ID");
    assert_eq!(table.len() - 3, registered.len());
    for row in &table[3..] {
        assert_eq!(row.len(), header.len());
        let location = &snapshot.locations[&LocationId::parse(&row[0]).unwrap()];
        assert_eq!(cell(header, row, "Location Name"), location.name);
        assert_eq!(cell(header, row, "Location Local Authority"), location.local_authority.as_deref().unwrap());
        let flags = header.iter().zip(row).filter(|(h, _)| h.starts_with("Service type - "));
        let offered: Vec<_> = flags.filter(|(_, v)| *v == "Y").map(|(h, _)| &h["Service type - ".len()..]).collect();
        assert_eq!(offered, location.service_types);
        assert!(
            row.iter().zip(header).all(|(v, h)| !h.contains(" - ") || v == "Y" || v.is_empty()),
            "{h:?}",
            h = header
        );
    }
}

#[test]
fn the_same_register_gives_the_same_file() {
    let snapshot = snapshot_of(&generate(Scale::Small, 3));
    let (mut a, mut b) = (Vec::new(), Vec::new());
    export_directory(&snapshot, &mut a, REGISTER_DATE).unwrap();
    export_directory(&snapshot.clone(), &mut b, REGISTER_DATE).unwrap();
    assert_eq!(a, b);
}
