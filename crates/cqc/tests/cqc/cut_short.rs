//! Files that are not the whole of what they claim: cut short part-way through,
//! holding no rows, or a spreadsheet that expands far beyond any register file.

use std::io::Write;
use std::time::{Duration, Instant};

use candour_cqc::{ImportError, NoProgress, SourceKind, read_api_json};

use crate::common::{csv_as_cells, fixture, write_ods};

/// The fixture's bytes up to (not including) the first `marker` after `start`.
fn cut_before(name: &str, marker: &str) -> Vec<u8> {
    let text = std::fs::read_to_string(fixture(name)).expect("fixture");
    let at = text.find(marker).unwrap_or_else(|| panic!("{marker} not in {name}"));
    text.as_bytes()[..at].to_vec()
}

fn read_bytes(kind: SourceKind, bytes: &[u8], extension: &str) -> Result<candour_cqc::Parsed, ImportError> {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join(format!("input.{extension}"));
    std::fs::write(&path, bytes).expect("write");
    kind.read(&path, &NoProgress)
}

#[test]
fn a_directory_cut_inside_a_quoted_value_is_refused() {
    // Cut in "Unit 3, Park Row": before, the last row read as an address of "Unit".
    let cut = cut_before("directory.csv", ", Park Row");
    let err = read_bytes(SourceKind::Directory, &cut, "csv").expect_err("cut short");
    let ImportError::Csv { line, message, .. } = &err else { panic!("{err}") };
    assert_eq!(*line, 6, "the line the quoted value opens on");
    assert!(message.contains("never closed") && message.contains("cut short"), "{err}");
}

#[test]
fn a_simple_directory_cut_inside_a_quoted_value_is_refused() {
    let cut = cut_before("simple.csv", ", Park Row, Leeds");
    let err = read_bytes(SourceKind::SimpleDirectory, &cut, "csv").expect_err("cut short");
    let ImportError::Csv { line, message, .. } = &err else { panic!("{err}") };
    assert_eq!(*line, 7);
    assert!(message.contains("never closed"), "{err}");
}

#[test]
fn a_last_row_cut_between_values_is_refused() {
    let cut = cut_before("directory.csv", ",Meadow Homes,Social Care Org,Individual,Y,,,,Y,,,,Y");
    let err = read_bytes(SourceKind::Directory, &cut, "csv").expect_err("cut short");
    assert!(err.to_string().contains("fewer values than the rows before it"), "{err}");
    // The same row whole, without a final line end, is read.
    let whole = std::fs::read_to_string(fixture("directory.csv")).expect("fixture");
    assert!(read_bytes(SourceKind::Directory, whole.trim_end().as_bytes(), "csv").is_ok());
}

#[test]
fn a_file_with_a_header_and_no_rows_is_refused() {
    let header_only = cut_before("directory.csv", "1-1000000001");
    let err = read_bytes(SourceKind::Directory, &header_only, "csv").expect_err("no rows");
    assert!(matches!(err, ImportError::NoRows { .. }), "{err}");
    assert!(err.to_string().contains("no rows"), "{err}");

    let header_only = cut_before("simple.csv", "Rose Court Care Home,");
    let err = read_bytes(SourceKind::SimpleDirectory, &header_only, "csv").expect_err("no rows");
    assert!(matches!(err, ImportError::NoRows { .. }), "{err}");

    let header_only = cut_before("ratings.csv", "1-1000000001");
    let err = read_bytes(SourceKind::LatestRatings, &header_only, "csv").expect_err("no rows");
    assert!(matches!(err, ImportError::NoRows { .. }), "{err}");

    let dir = tempfile::tempdir().expect("a temporary folder");
    let empty = dir.path().join("empty.json");
    std::fs::write(&empty, "[]").expect("write");
    let err = read_api_json(&empty, &NoProgress).expect_err("no records");
    assert!(matches!(err, ImportError::NoRows { .. }), "{err}");
}

#[test]
fn a_spreadsheet_expanding_beyond_the_cap_is_refused_unread() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let bomb = dir.path().join("directory.ods");
    write_ods(&bomb, &[("Sheet1", &csv_as_cells(&fixture("directory.csv")))]);
    // Beside the real sheet, 600 parts of a mebibyte of zeros each: under a
    // megabyte on disk, 600 MiB unzipped.
    let file = std::fs::OpenOptions::new().read(true).write(true).open(&bomb).expect("open");
    let mut zip = zip::ZipWriter::new_append(file).expect("append to the zip");
    let deflated = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("Thumbnails/pad-0", deflated).expect("start a part");
    zip.write_all(&vec![0; 1024 * 1024]).expect("write a part");
    for n in 1..600 {
        zip.deep_copy_file("Thumbnails/pad-0", &format!("Thumbnails/pad-{n}")).expect("copy a part");
    }
    zip.finish().expect("finish the zip");
    assert!(std::fs::metadata(&bomb).expect("size").len() < 2 * 1024 * 1024);

    let started = Instant::now();
    let err = SourceKind::Directory.read(&bomb, &NoProgress).expect_err("refused");
    assert!(started.elapsed() < Duration::from_secs(5), "refused from the zip's directory, not by unzipping");
    assert!(err.to_string().contains("expands to more than 512 MB when unzipped"), "{err}");
}
