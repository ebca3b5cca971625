//! `candour import provider-returns` as a person runs it: the template in
//! `examples/`, a real database (SQLite, or PostgreSQL when CANDOUR_TEST_POSTGRES is
//! set), bad files refused whole.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use candour_db::TestDatabase;
use candour_domain::LocationId;
use candour_domain::returns::Month;

fn candour(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_candour")).args(args).env_remove("CANDOUR_DB").output().expect("run candour")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn template() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/provider-returns.csv")
}

/// A database holding the register fixture, whose first location the template names.
fn register(database: &TestDatabase) -> String {
    let db = database.value();
    let directory = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cqc/tests/fixtures/directory.csv");
    let out = candour(&["import", "cqc-directory", &directory.display().to_string(), "--db", &db]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    db
}

fn import(file: &Path, db: &str) -> Output {
    candour(&["import", "provider-returns", &file.display().to_string(), "--db", db])
}

async fn months_kept(db: &str) -> Vec<String> {
    let opened = TestDatabase::open_value(db).await;
    let id = LocationId::parse("1-1000000001").expect("valid id");
    let (from, to) = (Month::parse("2000-01").expect("month"), Month::new(2099, 12).expect("month"));
    let kept = opened.store().returns_of(&id, from, to).await.expect("returns");
    opened.close().await;
    kept.iter().map(|r| format!("{} {}", r.figures.month, r.figures.incidents)).collect()
}

#[tokio::test]
async fn the_template_imports_then_reimports_unchanged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let database = TestDatabase::fresh().await;
    let db = register(&database);
    let out = import(&template(), &db);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("2 added, 0 replaced, 0 unchanged"), "{}", text(&out.stdout));
    let again = import(&template(), &db);
    assert!(text(&again.stdout).contains("0 added, 0 replaced, 2 unchanged"), "{}", text(&again.stdout));
    assert_eq!(months_kept(&db).await, ["2025-01 6", "2025-02 4"]);

    // A corrected month replaces the one kept.
    let corrected = dir.path().join("corrected.csv");
    let template = std::fs::read_to_string(template()).expect("template");
    std::fs::write(&corrected, template.replace(",38,6,1,", ",38,7,1,")).expect("write");
    let out = import(&corrected, &db);
    assert!(text(&out.stdout).contains("0 added, 1 replaced, 1 unchanged"), "{}", text(&out.stdout));
    assert_eq!(months_kept(&db).await, ["2025-01 7", "2025-02 4"]);
}

#[tokio::test]
async fn a_file_with_bad_rows_is_refused_whole_with_each_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let database = TestDatabase::fresh().await;
    let db = register(&database);
    let template = std::fs::read_to_string(template()).expect("template");
    let bad = dir.path().join("bad.csv");
    let mut lines: Vec<String> = template.lines().map(str::to_string).collect();
    lines[2] = lines[2].replace(",280,5890,", ",6000,5890,").replace(",95,yes,", ",95,perhaps,");
    lines.push(lines[1].replace("1-1000000001", "1-999").replace("2025-01", "2025-03"));
    std::fs::write(&bad, lines.join("\n")).expect("write");
    let out = import(&bad, &db);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    for expected in [
        "has 3 problem(s); nothing was imported",
        "line 3, column agency_hours: 6000 is more than the hours worked by all staff (5890)",
        "line 3, column registered_manager: \"perhaps\" is not an answer: give yes or no",
        "line 4, column location_id: there is no location with ID 1-999 in the register",
    ] {
        assert!(stderr.contains(expected), "{expected:?} missing from:\n{stderr}");
    }
    assert!(months_kept(&db).await.is_empty(), "the good row was not written either");
}

#[test]
fn a_missing_file_is_a_clear_error() {
    let database = TestDatabase::fresh_blocking();
    let out = candour(&["import", "provider-returns", "/nonexistent/returns.csv", "--db", &database.value()]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("cannot read /nonexistent/returns.csv"), "{}", text(&out.stderr));
}

/// `candour recompute` over the imported returns: the summary with the policy that
/// produced it, the watchlist as CSV, and a policy out of bounds refused.
#[tokio::test]
async fn recompute_reads_the_returns_and_states_its_policy() {
    let dir = tempfile::tempdir().expect("tempdir");
    let database = TestDatabase::fresh().await;
    let db = register(&database);
    assert!(import(&template(), &db).status.success());
    let csv = dir.path().join("watchlist.csv").display().to_string();
    let out = candour(&["recompute", "--db", &db, "--today", "2025-02-28", "--csv", &csv, "--min-n", "3"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(summary["month"], "2025-02");
    assert_eq!(summary["policy"]["dispersion"]["min_n"], 3);
    assert_eq!(summary["policy"]["cusum_h"], 4.0);
    let services = summary["services"].as_u64().expect("a count");
    let bands: u64 = summary["bands_1_to_6"].as_array().expect("bands").iter().map(|b| b.as_u64().unwrap()).sum();
    assert!(services > 0 && bands == services, "{summary}");
    let written = std::fs::read_to_string(&csv).expect("the CSV");
    assert!(written.starts_with("band,score,location_id,name,"), "{written}");
    assert!(written.contains("1-1000000001"), "the location with returns is listed");
    assert_eq!(written.lines().count() as u64, services + 1);

    for (flag, value, said) in
        [("--min-n", "2", "the minimum n must be at least 3"), ("--cusum-h", "0", "the threshold h")]
    {
        let out = candour(&["recompute", "--db", &db, flag, value]);
        assert!(!out.status.success() && out.stdout.is_empty());
        assert!(text(&out.stderr).contains(said), "{flag}: {}", text(&out.stderr));
    }
}

/// A service whose stored data cannot be read (a month no form accepts, as old data
/// or another writer could leave) is listed and the command fails, while every other
/// service is still computed and written.
#[tokio::test]
async fn recompute_lists_a_service_it_could_not_compute_and_exits_non_zero() {
    // On SQLite only: a month is text there, so a month that is none can be stored.
    let dir = tempfile::tempdir().expect("tempdir");
    let database = TestDatabase::sqlite();
    let db = register(&database);
    assert!(import(&template(), &db).status.success());
    database
        .execute(
            "UPDATE provider_returns SET month = '2025-19' WHERE location_id = '1-1000000001' AND month = '2025-01'",
        )
        .await;

    let csv = dir.path().join("watchlist.csv").display().to_string();
    let out = candour(&["recompute", "--db", &db, "--today", "2025-02-28", "--csv", &csv, "--min-n", "3"]);
    assert!(!out.status.success(), "a service left out is a failure");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("1 service could not be computed: 1-1000000001: stored month is not valid"), "{stderr}");
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).expect("the summary is still printed");
    assert_eq!(summary["not_computed"][0]["location"], "1-1000000001");
    let services = summary["services"].as_u64().expect("a count");
    assert!(services > 0, "the others are computed");
    let written = std::fs::read_to_string(&csv).expect("the CSV is still written");
    assert_eq!(written.lines().count() as u64, services + 1);
    assert!(!written.contains("1-1000000001"));

    let out = candour(&["recompute", "--db", &db, "--today", "0001-01-01"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("Enter a date between 1 January 1990"), "{}", text(&out.stderr));
}
