//! Imports at national scale. Ignored by default (they write large files); run with
//! `cargo test -p candour-cqc --release -- --ignored --nocapture` to see the timings.

use std::fmt::Write as _;
use std::time::Instant;

use candour_cqc::{NoProgress, SourceKind};
use candour_store::RegisterSnapshot;

use crate::common::{apply, plan_strict};

const FLAGS: usize = 80;

fn directory_csv(rows: usize) -> String {
    let mut out = String::from("Care directory with filters\n\n");
    out.push_str(
        "Location ID,Location Name,Location HSCA start date,Dormant (Y/N),Care home?,Care homes beds,Registered manager,\
         Location Type/Sector,Location Inspection Directorate,Location Primary Inspection Category,\
         Location Latest Overall Rating,Publication Date,Inherited Rating (Y/N),Location Region,Location Local Authority,\
         Location Postal Code,Location Latitude,Location Longitude,Brand ID,Brand Name,Provider ID,Provider Name,\
         Provider Type/Sector,Provider Ownership Type,Location Street Address,Location City",
    );
    for f in 0..FLAGS {
        write!(out, ",Service user band - Band {f}").expect("write to a string");
    }
    out.push('\n');
    for i in 0..rows {
        write!(
            out,
            "1-{:09},Home {i},01/04/2012,N,Y,{},A Manager,Social Care Org,Adult social care,Residential social care,\
             Good,10/05/2023,N,North West,Manchester,M20 2AA,53.4,-2.2,-,-,1-{:09},Provider {},Social Care Org,Organisation,\
             {i} High Street,Manchester",
            100_000_000 + i,
            i % 90,
            200_000_000 + i / 3,
            i / 3
        )
        .expect("write to a string");
        for f in 0..FLAGS {
            out.push_str(if (i + f) % 7 == 0 { ",Y" } else { "," });
        }
        out.push('\n');
    }
    out
}

fn ratings_csv(locations: usize) -> String {
    let mut out = String::from(
        "Location ID,Location ODS Code,Location Name,Care Home?,Location Type,Location Primary Inspection Category,\
         Location Street Address,Location Address Line 2,Location City,Location Post Code,Location Local Authority,\
         Location Region,Location NHS Region,Location ONSPD CCG Code,Location ONSPD CCG,Location Commissioning CCG Code,\
         Location Commissioning CCG Name,Service / Population Group,Domain,Latest Rating,Publication Date,Report Type,\
         Inherited Rating (Y/N),URL,Provider ID,Provider Name,Brand ID,Brand Name\n",
    );
    let domains = ["Overall", "Safe", "Effective", "Caring", "Responsive", "Well-led"];
    for i in 0..locations {
        for group in ["Overall", "Care home service with nursing"] {
            for domain in domains {
                writeln!(
                    out,
                    "1-{:09},-,Home {i},Y,Social Care Org,Residential social care,{i} High Street,,Manchester,M20 2AA,\
                     Manchester,North West,North West,E38000217,NHS Greater Manchester,E38000217,NHS Greater Manchester,\
                     {group},{domain},Good,10/05/2023,Location,N,https://www.cqc.org.uk/location/1-{:09},1-{:09},Provider {},-,-",
                    100_000_000 + i,
                    100_000_000 + i,
                    200_000_000 + i / 3,
                    i / 3
                )
                .expect("write to a string");
            }
        }
    }
    out
}

#[test]
#[ignore = "writes large files; run for timings"]
fn national_scale_imports() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let directory = dir.path().join("directory.csv");
    std::fs::write(&directory, directory_csv(30_000)).expect("write");
    let ratings = dir.path().join("ratings.csv");
    std::fs::write(&ratings, ratings_csv(25_000)).expect("write");

    let started = Instant::now();
    let parsed = SourceKind::Directory.read(&directory, &NoProgress).expect("reads");
    let read_time = started.elapsed();
    let mut register = RegisterSnapshot::default();
    let plan = plan_strict(parsed, &register).plan;
    println!("directory, 30,000 rows × {} columns: read {read_time:?}, read+plan {:?}", 26 + FLAGS, started.elapsed());
    assert_eq!(plan.counts.added, 30_000);
    apply(&mut register, &plan);

    let started = Instant::now();
    let again = plan_strict(SourceKind::Directory.read(&directory, &NoProgress).expect("reads"), &register).plan;
    println!("directory again, all unchanged: read+plan {:?}", started.elapsed());
    assert_eq!(again.counts.unchanged, 30_000);

    let started = Instant::now();
    let parsed = SourceKind::LatestRatings.read(&ratings, &NoProgress).expect("reads");
    let read_time = started.elapsed();
    let plan = plan_strict(parsed, &register).plan;
    println!("ratings, 300,000 rows: read {read_time:?}, read+plan {:?}", started.elapsed());
    assert_eq!(plan.counts.ratings_added + plan.counts.ratings_changed, 50_000);
}
