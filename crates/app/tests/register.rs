//! The register service against a real SQLite store: an import is reviewed
//! under the guard rules before anything is written, and applied whole.

mod common;

use common::import;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use candour_app::register::{Register, RegisterError};
use candour_cqc::{ImportOptions, NoProgress, PlanRefused, SourceKind};
use candour_domain::{Location, LocationId, Provider, ProviderId};
use candour_store::RegisterStore;
use candour_store_sqlite::SqliteStore;
use chrono::NaiveDate;

const LOCATIONS: usize = 30;

async fn register(dir: &Path) -> (Register, Arc<SqliteStore>) {
    let store = Arc::new(SqliteStore::open(&dir.join("candour.db")).await.expect("open store"));
    let provider = ProviderId::parse("1-101").unwrap();
    let locations = (0..LOCATIONS)
        .map(|i| {
            let mut l = Location::new(LocationId::parse(&format!("1-2{i:02}")).unwrap(), provider.clone(), "");
            l.name = format!("Home {i:02}");
            l.local_authority = Some("Leeds".into());
            l
        })
        .collect();
    import(&store, vec![Provider::new(provider, "Sunrise Care")], locations).await;
    (Register::new(store.clone()), store)
}

/// The register exported as a directory file, its lines.
async fn exported(register: &Register) -> Vec<String> {
    let export = register.export_directory().await.expect("the register");
    let mut bytes = Vec::new();
    let today = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    assert_eq!(export.write(&mut bytes, today).expect("written"), LOCATIONS as u64);
    String::from_utf8(bytes).expect("text").lines().map(str::to_string).collect()
}

fn write(dir: &Path, name: &str, lines: &[String]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("{}\n", lines.join("\n"))).expect("write");
    path
}

async fn registered(store: &SqliteStore) -> u64 {
    store.register_stats().await.expect("stats").registered_locations
}

#[tokio::test]
async fn an_import_is_reviewed_under_the_guard_rules_and_applied_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (register, store) = register(dir.path()).await;
    let lines = exported(&register).await;
    let header = lines.iter().position(|l| l.starts_with("Location ID")).expect("the header");
    let options = ImportOptions::default();

    let whole = write(dir.path(), "whole.csv", &lines);
    let review = register.review_import(SourceKind::Directory, &whole, &options, NoProgress).await.expect("review");
    let counts = &review.planned.plan.counts;
    assert_eq!((counts.added, counts.changed + counts.unchanged, counts.deregistered), (0, LOCATIONS as u64, 0));
    assert!(review.deregistering.is_empty());

    // A file holding a third of the register would deregister the rest.
    let third = write(dir.path(), "third.csv", &lines[..=header + LOCATIONS / 3]);
    let refused = register.review_import(SourceKind::Directory, &third, &options, NoProgress).await;
    let Err(RegisterError::Refused(PlanRefused::TooManyDeregistered { would, allowed, .. })) = refused else {
        panic!("refused: {refused:?}")
    };
    assert_eq!((would, allowed), (20, 10));

    let allow = ImportOptions { allow_deregistering: Some(20), ..ImportOptions::default() };
    let review = register.review_import(SourceKind::Directory, &third, &allow, NoProgress).await.expect("allowed");
    assert_eq!(review.deregistering.len(), 20);
    assert!(review.deregistering.iter().all(|(_, name)| name.starts_with("Home ")), "named from the register");
    assert_eq!(registered(&store).await, LOCATIONS as u64, "a review writes nothing");
    register.apply_import(&review).await.expect("applied");
    assert_eq!(registered(&store).await, 10);
}

#[tokio::test]
async fn a_file_cut_short_or_holding_no_rows_is_refused_as_it_is_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (register, store) = register(dir.path()).await;
    let lines = exported(&register).await;
    let header = lines.iter().position(|l| l.starts_with("Location ID")).expect("the header");

    let mut cut = lines[..header + 5].to_vec();
    cut.push(format!("{},\"Unit", &lines[header + 5][..20]));
    let cut = write(dir.path(), "cut.csv", &cut);
    let refused = register.review_import(SourceKind::Directory, &cut, &ImportOptions::default(), NoProgress).await;
    assert!(matches!(refused, Err(RegisterError::Read(_))), "{refused:?}");

    let empty = write(dir.path(), "header.csv", &lines[..=header]);
    let refused = register.review_import(SourceKind::Directory, &empty, &ImportOptions::default(), NoProgress).await;
    assert!(refused.as_ref().is_err_and(|e| e.to_string().contains("no rows")), "{refused:?}");
    assert_eq!(registered(&store).await, LOCATIONS as u64);
}
