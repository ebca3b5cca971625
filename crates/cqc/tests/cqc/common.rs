//! Shared helpers: fixture paths, an in-memory register, and an ODS writer.

use std::io::Write;
use std::path::{Path, PathBuf};

use candour_cqc::{ImportOptions, NoProgress, Parsed, Planned, SourceKind};
use candour_domain::{Location, LocationId};
use candour_store::{ImportPlan, RegisterSnapshot};
use chrono::NaiveDate;

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

pub fn read(kind: SourceKind, name: &str) -> Parsed {
    kind.read(&fixture(name), &NoProgress).unwrap_or_else(|e| panic!("{name}: {e}"))
}

pub fn plan_strict(parsed: Parsed, snapshot: &RegisterSnapshot) -> Planned {
    candour_cqc::plan(parsed, snapshot, &ImportOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a real date")
}

pub fn id(value: &str) -> LocationId {
    LocationId::parse(value).expect("a valid location ID")
}

pub fn location<'p>(parsed: &'p Parsed, value: &str) -> &'p Location {
    let wanted = id(value);
    let incoming = parsed.locations.iter().find(|l| l.id == wanted).unwrap_or_else(|| panic!("{value} not read"));
    incoming.location.as_ref().expect("the location's details")
}

/// Applies a plan to an in-memory register, as a store would.
pub fn apply(snapshot: &mut RegisterSnapshot, plan: &ImportPlan) {
    candour_cqc::update_snapshot(snapshot, plan);
}

/// Reads, plans and applies an input to the register, returning the plan.
pub fn import(snapshot: &mut RegisterSnapshot, kind: SourceKind, name: &str) -> ImportPlan {
    let planned = plan_strict(read(kind, name), snapshot);
    apply(snapshot, &planned.plan);
    planned.plan
}

/// A spreadsheet cell for [`write_ods`].
pub enum Cell {
    Empty,
    Text(String),
    Float(f64),
    Date(NaiveDate),
}

/// Converts a CSV fixture to the cells a spreadsheet of the same sheet holds:
/// numbers as numbers and dates (in columns named "... date") as dates.
pub fn csv_as_cells(path: &Path) -> Vec<Vec<Cell>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_path(path).expect("fixture");
    let rows: Vec<Vec<String>> =
        reader.records().map(|r| r.expect("a CSV record").iter().map(str::to_string).collect()).collect();
    let header = rows.iter().find(|r| r.first().is_some_and(|c| c == "Location ID")).cloned().unwrap_or_default();
    rows.iter()
        .map(|row| {
            row.iter()
                .enumerate()
                .map(|(i, v)| {
                    let is_date_column = header.get(i).is_some_and(|h| h.to_lowercase().contains("date"));
                    let as_date =
                        NaiveDate::parse_from_str(v, "%d/%m/%Y").or_else(|_| NaiveDate::parse_from_str(v, "%Y-%m-%d"));
                    match (v.as_str(), v.parse::<f64>(), as_date) {
                        ("", _, _) => Cell::Empty,
                        (_, _, Ok(d)) if is_date_column => Cell::Date(d),
                        (_, Ok(f), _) => Cell::Float(f),
                        _ => Cell::Text(v.clone()),
                    }
                })
                .collect()
        })
        .collect()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn cell_xml(cell: &Cell) -> String {
    match cell {
        Cell::Empty => "<table:table-cell/>".to_string(),
        Cell::Text(t) => {
            format!("<table:table-cell office:value-type=\"string\"><text:p>{}</text:p></table:table-cell>", escape(t))
        }
        Cell::Float(f) => format!(
            "<table:table-cell office:value-type=\"float\" office:value=\"{f}\"><text:p>{f}</text:p></table:table-cell>"
        ),
        Cell::Date(d) => format!(
            "<table:table-cell office:value-type=\"date\" office:date-value=\"{}\"><text:p>{}</text:p></table:table-cell>",
            d.format("%Y-%m-%d"),
            d.format("%d/%m/%Y")
        ),
    }
}

/// Writes a real (minimal) OpenDocument spreadsheet: a zip holding the mimetype
/// (first, uncompressed), the manifest and the content.
pub fn write_ods(path: &Path, sheets: &[(&str, &[Vec<Cell>])]) {
    let mut content = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
         xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" \
         xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" office:version=\"1.2\">\
         <office:body><office:spreadsheet>",
    );
    for (name, rows) in sheets {
        content.push_str(&format!("<table:table table:name=\"{}\">", escape(name)));
        for row in rows.iter() {
            content.push_str("<table:table-row>");
            for cell in row {
                content.push_str(&cell_xml(cell));
            }
            content.push_str("</table:table-row>");
        }
        content.push_str("</table:table>");
    }
    content.push_str("</office:spreadsheet></office:body></office:document-content>");
    let manifest = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
        <manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" manifest:version=\"1.2\">\
        <manifest:file-entry manifest:full-path=\"/\" manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/>\
        <manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/>\
        </manifest:manifest>";
    let file = std::fs::File::create(path).expect("create the ODS file");
    let mut zip = zip::ZipWriter::new(file);
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, body) in [
        ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
        ("META-INF/manifest.xml", manifest),
        ("content.xml", content.as_str()),
    ] {
        zip.start_file(name, stored).expect("start a zip entry");
        zip.write_all(body.as_bytes()).expect("write a zip entry");
    }
    zip.finish().expect("finish the zip");
}
