//! `candour copy`: a demo deployment into another SQLite file, and, when
//! CANDOUR_TEST_POSTGRES is set, into PostgreSQL and back, with the same rows, the
//! same checksums and the same pages on every side.

use std::process::{Command, Output};

use candour_db::TestDatabase;
use candour_store::{LocationQuery, search_all};

fn candour(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_candour")).args(args).env_remove("CANDOUR_DB").output().expect("run candour")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn copy(from: &TestDatabase, to: &TestDatabase) -> String {
    let out = candour(&["copy", "--from", &from.value(), "--to", &to.value()]);
    assert!(out.status.success(), "{}\n{}", text(&out.stdout), text(&out.stderr));
    text(&out.stdout)
}

/// Each table's (rows, checksum) on one side of a copy's report: `from` or `to`.
fn checksums(report: &str, side: &str) -> Vec<(String, String, String)> {
    report
        .lines()
        .skip(1)
        .filter_map(|line| {
            let cells: Vec<&str> = line.split_whitespace().collect();
            let (rows, sum) = match (cells.as_slice(), side) {
                ([_, from, _, sum, _], "from") => (from, sum),
                ([_, _, to, _, sum], "to") => (to, sum),
                _ => return None,
            };
            Some((cells[0].to_string(), rows.to_string(), sum.to_string()))
        })
        .collect()
}

/// What a visitor sees: the register's figures, the directory, and every location's page.
async fn pages(database: &TestDatabase) -> String {
    let opened = database.open().await;
    let store = opened.store();
    let stats = store.register_stats().await.expect("stats");
    let all = search_all(store.as_ref(), &LocationQuery::default()).await.expect("the directory");
    let mut seen = format!("{stats:?}\n{all:?}\n");
    for location in all.iter().take(25) {
        seen.push_str(&format!("{:?}\n", store.location(&location.id).await.expect("a location")));
    }
    seen.push_str(&format!("{:?}\n", store.users().await.expect("users")));
    opened.close().await;
    seen
}

/// The small demo, its journal then pruned to nothing: only the numbering
/// remembers how far it went. Returns the last journal number.
async fn demo(database: &TestDatabase) -> i64 {
    let out = candour(&["demo", "--scale", "small", "--seed", "7", "--db", &database.value()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let opened = database.open().await;
    let store = opened.store();
    let last = store.last_change().await.expect("the journal");
    store.prune_changes(last + 1, chrono::Utc::now() + chrono::TimeDelta::days(1)).await.expect("pruned");
    assert_eq!(store.last_change().await.expect("the journal"), last);
    opened.close().await;
    last
}

/// The journal's last number, as a new entry would follow it.
async fn last_change(database: &TestDatabase) -> i64 {
    let opened = database.open().await;
    let last = opened.store().last_change().await.expect("the journal");
    opened.close().await;
    last
}

#[tokio::test]
async fn a_demo_copied_into_another_sqlite_file_is_the_same_and_the_copy_is_refused_twice() {
    let source = TestDatabase::sqlite();
    let last = demo(&source).await;
    let target = TestDatabase::sqlite();
    let report = copy(&source, &target);
    assert_eq!(last_change(&target).await, last, "journal numbers are never given twice");
    assert!(report.contains("every table has the same rows"), "{report}");
    let to = checksums(&report, "to");
    assert_eq!(checksums(&report, "from"), to);
    assert!(to.iter().any(|(table, rows, _)| table == "feedback" && rows.parse::<u64>().unwrap() > 1000), "{report}");
    assert!(to.iter().all(|(table, _, _)| table != "_sqlx_migrations"), "{report}");
    assert_eq!(pages(&source).await, pages(&target).await);

    let again = candour(&["copy", "--from", &source.value(), "--to", &target.value()]);
    assert!(!again.status.success());
    let stderr = text(&again.stderr);
    assert!(stderr.contains("already holds rows (in table ") && stderr.contains("empty database"), "{stderr}");

    let same = candour(&["copy", "--from", &source.value(), "--to", &source.value()]);
    assert!(!same.status.success() && text(&same.stderr).contains("the same database"), "{}", text(&same.stderr));
}

#[tokio::test]
async fn a_bad_address_is_refused_without_its_password() {
    let out = candour(&["copy", "--from", "postgres://jo:secret@db.example.org:nope/x", "--to", "b.db"]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("--from") && !stderr.contains("secret"), "{stderr}");
}

/// SQLite to PostgreSQL and back: the same checksums at both ends, the same pages on all three.
#[tokio::test]
async fn a_demo_copied_to_postgres_and_back_is_the_same() {
    let Ok(server) = std::env::var("CANDOUR_TEST_POSTGRES") else {
        eprintln!("CANDOUR_TEST_POSTGRES is not set: the PostgreSQL round trip is not tested");
        return;
    };
    let source = TestDatabase::sqlite();
    let last = demo(&source).await;
    let postgres = TestDatabase::postgres(&server).await;
    let there = copy(&source, &postgres);
    assert_eq!(postgres.analyzed("feedback").await, Some(true), "PostgreSQL plans from statistics of what came");
    assert_eq!(last_change(&postgres).await, last, "journal numbers are never given twice");
    let back_again = TestDatabase::sqlite();
    let back = copy(&postgres, &back_again);
    assert_eq!(last_change(&back_again).await, last);
    assert_eq!(checksums(&there, "from"), checksums(&back, "to"), "{there}\n{back}");
    let seen = pages(&source).await;
    assert_eq!(seen, pages(&postgres).await);
    assert_eq!(seen, pages(&back_again).await);
}
