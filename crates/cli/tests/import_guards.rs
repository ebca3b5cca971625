//! `candour import` refusing what would empty or damage the register: a download
//! cut short, one holding no rows, and an import deregistering far more than
//! services close; `--dry-run` showing what would change without writing it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use candour_db::TestDatabase;

fn candour(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_candour")).args(args).env_remove("CANDOUR_DB").output().expect("run candour")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// (registered, deregistered) locations.
async fn counts(db: &str) -> (u64, u64) {
    let opened = TestDatabase::open_value(db).await;
    let stats = opened.store().register_stats().await.expect("stats");
    opened.close().await;
    (stats.registered_locations, stats.deregistered_locations)
}

/// The small demo register (300 services) in `database` and its directory exported as CSV.
fn demo_and_export(dir: &Path, database: &TestDatabase) -> (String, Vec<String>) {
    let db = database.value();
    let out = candour(&["demo", "--scale", "small", "--seed", "7", "--db", &db]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = dir.join("export.csv");
    let out = candour(&["export", "cqc-directory", csv.to_str().expect("utf-8 path"), "--db", &db]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines = std::fs::read_to_string(&csv).expect("the export").lines().map(str::to_string).collect();
    (db, lines)
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

fn import(file: &Path, db: &str, extra: &[&str]) -> Output {
    let mut args = vec!["import", "cqc-directory", file.to_str().expect("utf-8 path"), "--db", db];
    args.extend_from_slice(extra);
    candour(&args)
}

#[tokio::test]
async fn a_download_cut_short_or_empty_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let database = TestDatabase::fresh().await;
    let (db, lines) = demo_and_export(dir.path(), &database);
    let before = counts(&db).await;
    let header = lines.iter().position(|l| l.starts_with("Location ID")).expect("the header");

    // Half the rows, then a row cut inside a quoted address.
    let half = header + (lines.len() - header) / 2;
    let row = &lines[half];
    let eighth_comma = row.match_indices(',').nth(7).expect("a wide row").0;
    let cut = format!("{}\n{},\"Unit", lines[..half].join("\n"), &row[..eighth_comma]);
    let out = import(&write(dir.path(), "cut.csv", &cut), &db, &[]);
    assert!(!out.status.success(), "{}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(stderr.contains(&format!("line {}", half + 1)) && stderr.contains("never closed"), "{stderr}");
    assert_eq!(counts(&db).await, before, "nothing deregistered, nothing overwritten");

    let header_only = format!("{}\n", lines[..=header].join("\n"));
    let out = import(&write(dir.path(), "header.csv", &header_only), &db, &[]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("no rows"), "{}", text(&out.stderr));
    assert_eq!(counts(&db).await, before);
}

#[tokio::test]
async fn mass_deregistration_needs_saying_and_a_dry_run_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let database = TestDatabase::fresh().await;
    let (db, lines) = demo_and_export(dir.path(), &database);
    let (registered, deregistered) = counts(&db).await;
    let header = lines.iter().position(|l| l.starts_with("Location ID")).expect("the header");
    let keep = header + 1 + 100;
    let partial = write(dir.path(), "first-100.csv", &format!("{}\n", lines[..keep].join("\n")));
    let gone = registered - 100;

    let out = import(&partial, &db, &[]);
    assert!(!out.status.success(), "{}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("would deregister {gone} of the {registered} registered locations"))
            && stderr.contains(&format!("--allow-deregistering {gone}")),
        "{stderr}"
    );
    assert_eq!(counts(&db).await, (registered, deregistered));

    let allow = gone.to_string();
    let out = import(&partial, &db, &["--allow-deregistering", &allow, "--dry-run"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("Dry run") && stdout.contains(&format!("{gone} deregistered")), "{stdout}");
    assert_eq!(stdout.matches("Would deregister 1-").count() as u64, gone, "{stdout}");
    assert_eq!(counts(&db).await, (registered, deregistered), "a dry run writes nothing");

    let out = import(&partial, &db, &["--allow-deregistering", &allow]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(counts(&db).await, (100, deregistered + gone));
}
