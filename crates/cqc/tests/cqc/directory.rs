use candour_cqc::{ImportError, ImportOptions, NoProgress, SourceKind, read_directory};
use candour_domain::{Postcode, Rating, RatingRecord, Region, RegistrationStatus};
use candour_store::RegisterSnapshot;

use crate::common::{Cell, csv_as_cells, date, fixture, id, location, read, write_ods};

#[test]
fn reads_every_column_after_the_notice_rows() {
    let parsed = read(SourceKind::Directory, "directory.csv");
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    assert_eq!(parsed.produced_on, Some(date(2024, 3, 1)));
    assert_eq!(parsed.locations.len(), 3, "duplicate rows are merged");

    let rose = location(&parsed, "1-1000000001");
    assert_eq!(rose.name, "Rose Court Care Home");
    assert_eq!(rose.provider_id.as_str(), "1-2000000001");
    assert_eq!(rose.address.line1.as_deref(), Some("12 Rose Lane"));
    assert_eq!(rose.address.line2.as_deref(), Some("Didsbury"));
    assert_eq!(rose.address.town.as_deref(), Some("Manchester"));
    assert_eq!(rose.address.postcode, Postcode::parse("M20 2AA").ok());
    assert_eq!(rose.region, Some(Region::NorthWest));
    assert_eq!(rose.local_authority.as_deref(), Some("Manchester"));
    assert_eq!((rose.latitude, rose.longitude), (Some(53.4167), Some(-2.2311)));
    assert!(rose.care_home);
    assert_eq!(rose.beds, Some(40));
    assert_eq!(rose.registered_manager, Some(true));
    assert_eq!(rose.dormant, Some(false));
    assert_eq!(rose.registration.registered_on, Some(date(2012, 1, 5)));
    assert_eq!(rose.registration.status, RegistrationStatus::Registered);
    assert_eq!(rose.service_types, vec!["Care home service with nursing"]);
    assert_eq!(rose.specialisms, vec!["Dementia", "Older people"], "'y' sets a flag too");
    assert_eq!(
        rose.regulated_activities,
        vec![
            "Accommodation for persons who require nursing or personal care",
            "Treatment of disease, disorder or injury"
        ]
    );
    assert_eq!(rose.primary_inspection_category.as_deref(), Some("Residential social care"));
    assert_eq!(rose.phone.as_deref(), Some("0161 496 0001"));
    assert_eq!((rose.brand_id.as_deref(), rose.brand_name.as_deref()), (Some("BD001"), Some("Rose Group")));

    let homecare = location(&parsed, "1-1000000002");
    assert_eq!(homecare.beds, None, "'-' is blank");
    assert!(!homecare.care_home);
    assert_eq!(homecare.registered_manager, Some(false), "no manager named");
    assert_eq!(homecare.region, Some(Region::YorkshireAndTheHumber));
    assert_eq!(homecare.address.line2, None);
    assert_eq!(homecare.phone, None);
    assert_eq!(homecare.brand_id, None);
    assert_eq!(homecare.registration.registered_on, Some(date(2019, 3, 20)));
}

#[test]
fn dual_registered_rows_merge_their_flags_and_keep_the_first_values() {
    let parsed = read(SourceKind::Directory, "directory.csv");
    let meadow = location(&parsed, "1-1000000003");
    // "Older people" is flagged on the first row, the learning disability band on the second.
    assert_eq!(meadow.specialisms, vec!["Learning disabilities or autistic spectrum disorder", "Older people"]);
    assert_eq!(meadow.dormant, Some(true));
    assert_eq!(meadow.region, Some(Region::EastOfEngland));
    let entry = parsed.locations.iter().find(|l| l.id == id("1-1000000003")).expect("read");
    assert!(entry.ratings.is_empty(), "an unrated location has no rating record");
    assert_eq!(entry.line, 8, "the first row's line is kept");
}

#[test]
fn the_latest_overall_rating_becomes_an_overall_record() {
    let parsed = read(SourceKind::Directory, "directory.csv");
    let rose = parsed.locations.iter().find(|l| l.id == id("1-1000000001")).expect("read");
    assert_eq!(rose.ratings.len(), 1, "the identical duplicate adds no second record");
    let rating = &rose.ratings[0];
    assert_eq!(rating.service_group, RatingRecord::LOCATION_GROUP);
    assert_eq!(rating.overall, Some(Rating::Good));
    assert_eq!(rating.published, date(2023, 5, 10));
    assert!(rating.key_questions.is_empty());
    assert!(!rating.inherited);

    let homecare = parsed.locations.iter().find(|l| l.id == id("1-1000000002")).expect("read");
    assert_eq!(homecare.ratings[0].overall, Some(Rating::RequiresImprovement), "upper case is read");
    assert_eq!(homecare.ratings[0].published, date(2023, 11, 2));
    assert!(homecare.ratings[0].inherited);
    assert_eq!(parsed.providers.len(), 3);
    let partnership = parsed.providers.iter().find(|p| p.name == "Helping Hands Homecare").expect("provider");
    assert_eq!(partnership.ownership_type.as_deref(), Some("Partnership"));
}

#[test]
fn ods_and_csv_of_the_same_sheet_read_the_same() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let ods = dir.path().join("directory.ods");
    let notes: Vec<Vec<Cell>> = vec![vec![Cell::Text("About this file".into())]];
    let cells = csv_as_cells(&fixture("directory.csv"));
    write_ods(&ods, &[("Notes", &notes), ("Care directory", &cells)]);
    let from_ods = read_directory(&ods, &NoProgress).expect("the ODS reads");
    let from_csv = read(SourceKind::Directory, "directory.csv");
    assert!(from_ods.problems.is_empty(), "{:?}", from_ods.problems);
    assert_eq!(from_ods.locations.len(), 3);
    for (a, b) in from_ods.locations.iter().zip(&from_csv.locations) {
        assert_eq!(a.location, b.location);
        assert_eq!(a.ratings, b.ratings);
    }
    assert_eq!(from_ods.providers, from_csv.providers);
    assert_eq!(from_ods.produced_on, from_csv.produced_on);
    assert_eq!(from_ods.carried, from_csv.carried);
}

#[test]
fn every_bad_row_is_listed_and_nothing_is_planned() {
    let parsed = read(SourceKind::Directory, "directory_bad.csv");
    let listed: Vec<String> = parsed.problems.iter().map(ToString::to_string).collect();
    let expected = [
        r#"line 4, column "Care homes beds": "twelve" is not a whole number"#,
        r#"line 5, column "Location ID": location ID "ABC-1" is not valid: expected 1- followed by digits, like 1-545611283"#,
        r#"line 5, column "Location Postal Code": postcode "nowhere" is not valid: expected a UK postcode like "LS1 4AP""#,
        r#"line 7, column "Location Latest Overall Rating": rating "Fine" is not valid: expected Outstanding, Good, Requires improvement or Inadequate"#,
        r#"line 7, column "Dormant (Y/N)": "maybe" is not Y or N"#,
        r#"line 7, column "Service user band - Dementia": "X" is not Y or blank"#,
    ];
    assert_eq!(listed, expected);
    let rejected = candour_cqc::plan(parsed, &RegisterSnapshot::default(), &ImportOptions::default())
        .expect_err("bad rows refuse the whole file");
    assert_eq!(rejected.problems().len(), 6);
    assert!(rejected.to_string().starts_with("3 invalid rows; nothing was imported"), "{rejected}");
}

#[test]
fn skipping_invalid_rows_plans_the_rest_and_counts_them() {
    let parsed = read(SourceKind::Directory, "directory_bad.csv");
    let planned = candour_cqc::plan(
        parsed,
        &RegisterSnapshot::default(),
        &ImportOptions { skip_invalid: true, ..ImportOptions::default() },
    )
    .expect("the valid rows are planned");
    assert_eq!(planned.problems.len(), 6);
    assert_eq!(planned.plan.counts.skipped_rows, 3);
    assert_eq!(planned.plan.counts.added, 1);
    assert_eq!(planned.plan.locations[0].id, id("1-1000000003"));
    assert_eq!(planned.plan.providers.len(), 1, "only providers of planned locations");
}

#[test]
fn missing_columns_are_all_named() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("short.csv");
    std::fs::write(&path, "Location ID,Location Name,Provider ID\n1-1,A,1-2\n").expect("write");
    let err = read_directory(&path, &NoProgress).expect_err("columns are missing");
    let ImportError::MissingColumns { columns, .. } = &err else { panic!("{err}") };
    assert_eq!(columns.len(), 20);
    assert!(columns.contains(&"Care homes beds".to_string()));
    assert!(columns.contains(&"Provider Name".to_string()));
    assert!(err.to_string().contains(r#""Location HSCA start date", "Dormant (Y/N)""#), "{err}");
}

#[test]
fn file_level_problems_are_clear_errors() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let no_header = dir.path().join("no_header.csv");
    std::fs::write(&no_header, "Name,Town\nA,B\n").expect("write");
    let err = read_directory(&no_header, &NoProgress).expect_err("no header");
    assert!(matches!(err, ImportError::HeaderNotFound { .. }), "{err}");
    assert!(err.to_string().contains(r#"looked for a cell reading "Location ID""#));

    let text = dir.path().join("directory.txt");
    std::fs::write(&text, "Location ID\n").expect("write");
    assert!(matches!(read_directory(&text, &NoProgress), Err(ImportError::UnknownFormat { .. })));

    let latin1 = dir.path().join("latin1.csv");
    let header = std::fs::read(fixture("directory.csv")).expect("fixture");
    let mut bytes: Vec<u8> = header.split(|b| *b == b'\n').take(4).collect::<Vec<_>>().join(&b'\n');
    bytes.extend_from_slice(b"\n1-1,Caf\xe9 Court\n");
    std::fs::write(&latin1, bytes).expect("write");
    let err = read_directory(&latin1, &NoProgress).expect_err("not UTF-8");
    assert_eq!(err.to_string(), format!("{}: line 5 is not valid UTF-8; save the file as UTF-8 CSV", latin1.display()));

    let missing = dir.path().join("missing.csv");
    assert!(matches!(read_directory(&missing, &NoProgress), Err(ImportError::Open { .. })));
    assert!(matches!(read_directory(&dir.path().join("missing.ods"), &NoProgress), Err(ImportError::Open { .. })));

    let not_ods = dir.path().join("broken.ods");
    std::fs::write(&not_ods, "this is not a zip").expect("write");
    assert!(matches!(read_directory(&not_ods, &NoProgress), Err(ImportError::Spreadsheet { .. })));
}

#[derive(Default)]
struct Recorder {
    total: std::cell::Cell<u64>,
    finished: std::cell::Cell<u32>,
}

impl candour_cqc::Progress for Recorder {
    fn start(&self, total: u64) {
        self.total.set(total);
    }
    fn advance(&self, _done: u64) {}
    fn finish(&self) {
        self.finished.set(self.finished.get() + 1);
    }
}

#[test]
fn progress_is_reported_in_bytes_for_csv_and_rows_for_spreadsheets() {
    let recorder = Recorder::default();
    read_directory(&fixture("directory.csv"), &recorder).expect("reads");
    let size = std::fs::metadata(fixture("directory.csv")).expect("fixture").len();
    assert_eq!((recorder.total.get(), recorder.finished.get()), (size, 1));

    let dir = tempfile::tempdir().expect("a temporary folder");
    let ods = dir.path().join("directory.ods");
    write_ods(&ods, &[("Sheet1", &csv_as_cells(&fixture("directory.csv")))]);
    let recorder = Recorder::default();
    read_directory(&ods, &recorder).expect("reads");
    assert_eq!(recorder.total.get(), 5, "the rows below the header");
}

#[test]
fn a_control_character_in_any_cell_refuses_its_row_by_line_and_column() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("nul.csv");
    let text = std::fs::read_to_string(fixture("directory.csv")).expect("fixture");
    let poisoned = text.replacen(",Leeds,NHS West Yorkshire,", ",Leeds\0,NHS West Yorkshire,", 1);
    assert_ne!(poisoned, text, "the fixture names Leeds as an authority");
    std::fs::write(&path, poisoned).expect("write");
    let parsed = read_directory(&path, &NoProgress).expect("the file is read; the row is refused");
    let problem = parsed.problems.iter().find(|p| p.message.contains("U+0000")).expect("the NUL is refused");
    assert_eq!((problem.line, problem.column.as_deref()), (6, Some("Location Local Authority")), "{problem}");
    assert!(parsed.locations.iter().all(|l| l.id.as_str() != "1-1000000002"), "the row is left out");
}
