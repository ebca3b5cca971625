//! The open data files against a real SQLite store holding the small demo register:
//! the register's CSV and spreadsheet read back through the importer as the same
//! locations the register holds, and the people's voice file gives no month or
//! measure from fewer than 5 answers.

use std::sync::Arc;

use candour_app::open_data::{DataFile, Dataset, Format, MIN_ANSWERS, OpenData};
use candour_cqc::{NoProgress, read_directory};
use candour_demo::{VoiceAuthors, VoicePlan};
use candour_domain::Email;
use candour_store::{AccountStore, LocationQuery, NewUser, RegisterStore, Store, VoiceStore, search_all};
use candour_store_sqlite::SqliteStore;
use chrono::NaiveDate;

#[tokio::test]
async fn the_register_reads_back_from_csv_and_ods_and_voice_figures_keep_to_the_minimum() {
    let dir = tempfile::tempdir().expect("a folder");
    let store = Arc::new(SqliteStore::open(&dir.path().join("candour.db")).await.expect("open store"));
    let plan = candour_demo::generate(candour_demo::Scale::Small, 7);
    store.apply_import(&plan).await.expect("the demo register");
    let registered: Vec<String> = search_all(store.as_ref(), &LocationQuery::default())
        .await
        .expect("the register")
        .iter()
        .map(|l| l.id.to_string())
        .collect();
    let open = OpenData::new(store.clone() as Arc<dyn Store>);
    let today = NaiveDate::from_ymd_opt(2026, 12, 7).expect("a day");
    let history = NewUser {
        email: Email::parse("history@example.org").expect("an address"),
        name: "The past".into(),
        grants: vec![],
    };
    let authors = VoiceAuthors { history: store.create_user(&history).await.expect("a user").id, demo_provider: None };
    for batch in VoicePlan::new(&plan, 7, today, authors).into_batches(5_000) {
        store.load_historic_feedback(&batch).await.expect("feedback");
    }

    let mut read_back = Vec::new();
    for format in [Format::Csv, Format::Ods] {
        let file = DataFile { dataset: Dataset::Register, format };
        let path = dir.path().join(file.name());
        let rows = open.write(file, &path, today).await.expect("written");
        assert_eq!(rows as usize, registered.len(), "{}", file.name());
        let parsed = read_directory(&path, &NoProgress).expect("the importer reads it");
        assert!(parsed.problems.is_empty(), "{}: {:?}", file.name(), parsed.problems.first());
        assert_eq!(parsed.produced_on, Some(today));
        let mut ids: Vec<String> = parsed.locations.iter().map(|l| l.id.to_string()).collect();
        ids.sort();
        read_back.push(ids);
    }
    let mut expected = registered.clone();
    expected.sort();
    assert_eq!(read_back[0], expected, "the CSV holds every registered location");
    assert_eq!(read_back[1], expected, "the spreadsheet holds the same");

    let voice = DataFile { dataset: Dataset::Voice, format: Format::Csv };
    let path = dir.path().join(voice.name());
    open.write(voice, &path, today).await.expect("written");
    let mut csv = csv::Reader::from_path(&path).expect("a CSV");
    assert_eq!(csv.headers().expect("a header").get(0), Some("location_id"));
    let records: Vec<csv::StringRecord> = csv.records().map(|r| r.expect("a row")).collect();
    assert!(records.len() > 100, "two years of feedback give many service-months: {}", records.len());
    for record in &records {
        let responses: u32 = record[2].parse().expect("a count");
        assert!(responses >= MIN_ANSWERS, "{record:?}");
        assert!(record[1] < *"2026-12", "complete months only: {record:?}");
    }
    assert!(records.iter().any(|r| !r[3].is_empty()), "the shares are given where the answers allow");
}
