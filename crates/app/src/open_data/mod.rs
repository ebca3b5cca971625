//! Open data: what anyone may download in bulk, each file with its data dictionary
//! and licence. The register in the regulator's directory layout (CSV and ODS), the
//! people's voice figures per service per month (no month with fewer than 5
//! answers, no measure from fewer than 5), and the published good practice. Each
//! file is written a row at a time to a file on disk, never held whole in memory.

mod ods;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;

use candour_domain::returns::Month;
use candour_store::{Locations, PracticeQuery, Store, StoreError};
use chrono::NaiveDate;

pub use ods::OdsWriter;

/// The fewest answers behind any figure published.
pub const MIN_ANSWERS: u32 = 5;
/// How many complete months of the people's voice the file holds.
pub const VOICE_MONTHS: u32 = 24;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dataset {
    Register,
    Voice,
    Practice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Ods,
}

/// A file to download: a dataset in a format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataFile {
    pub dataset: Dataset,
    pub format: Format,
}

impl DataFile {
    pub const ALL: [DataFile; 4] = [
        DataFile { dataset: Dataset::Register, format: Format::Csv },
        DataFile { dataset: Dataset::Register, format: Format::Ods },
        DataFile { dataset: Dataset::Voice, format: Format::Csv },
        DataFile { dataset: Dataset::Practice, format: Format::Csv },
    ];

    /// `register.csv`, `voice-by-month.csv`…
    pub fn name(self) -> String {
        let stem = match self.dataset {
            Dataset::Register => "register",
            Dataset::Voice => "voice-by-month",
            Dataset::Practice => "good-practice",
        };
        let extension = match self.format {
            Format::Csv => "csv",
            Format::Ods => "ods",
        };
        format!("{stem}.{extension}")
    }

    pub fn parse(name: &str) -> Option<DataFile> {
        DataFile::ALL.into_iter().find(|f| f.name() == name)
    }

    pub fn media_type(self) -> &'static str {
        match self.format {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Ods => "application/vnd.oasis.opendocument.spreadsheet",
        }
    }
}

/// What a dataset is, for the open data page: its title, what it holds, its
/// licence and its data dictionary (each column with what it means).
pub struct Description {
    pub dataset: Dataset,
    pub title: &'static str,
    pub about: &'static str,
    pub licence: &'static str,
    pub columns: &'static [(&'static str, &'static str)],
}

const OGL: &str = "Open Government Licence v3.0";

pub const DATASETS: [Description; 3] = [
    Description {
        dataset: Dataset::Register,
        title: "The register of care services, with current ratings",
        about: "Every registered adult social care location, in the layout of the regulator's \"care directory with filters\": three notice lines, then a header row, then one row per location, ordered by name. The rating is the regulator's latest overall rating of the location; ratings made in Candour are not the regulator's and are not in this file.",
        licence: "Contains public sector information licensed under the Open Government Licence v3.0 (the Care Quality Commission's register).",
        columns: &[
            ("Location ID, Provider ID", "The regulator's identifiers"),
            ("Location Name, Provider Name, Brand ID, Brand Name", "Names as registered"),
            ("Location HSCA start date", "The day the location was registered, DD/MM/YYYY"),
            ("Care home?, Care homes beds", "Y or N, and the beds of a care home"),
            ("Registered manager", "\"Registered manager in post\" when one is (no names are kept)"),
            (
                "Location Latest Overall Rating, Publication Date, Inherited Rating (Y/N)",
                "The regulator's latest overall rating and when it was published",
            ),
            (
                "Location Region, Location Local Authority, Location Postal Code, Location Latitude, Location Longitude",
                "Where it is",
            ),
            (
                "Regulated activity - …, Service type - …, Service user band - …",
                "Y when the location has it, blank otherwise: one column for each in use",
            ),
        ],
    },
    Description {
        dataset: Dataset::Voice,
        title: "What people say, per service per month",
        about: "The answers of people who use each service, their families and advocates (staff and partners apart), by calendar month, for the last 24 complete months. A month with fewer than 5 answers is left out, and a measure with fewer than 5 answers is left blank, so that no one can be picked out.",
        licence: OGL,
        columns: &[
            ("location_id", "The regulator's location ID"),
            ("month", "The calendar month, YYYY-MM"),
            ("responses", "Answers that month"),
            (
                "positive_overall_percent",
                "Of those who rated their experience overall, the share who said good or very good",
            ),
            (
                "outcome_score_mean",
                "The mean outcome score, 0 (not at all) to 3 (just as they want), over the eight outcome questions",
            ),
            (
                "dignity_percent",
                "Of those who answered, the share treated with dignity and respect just as they want or well enough",
            ),
            ("safe_percent", "Of those who answered, the share who feel safe just as they want or well enough"),
            ("typed_in_by_staff", "Answers given on paper or with a member of staff's help, typed in by the service"),
        ],
    },
    Description {
        dataset: Dataset::Practice,
        title: "Good practice",
        about: "Every published account of good practice: what a service did that works well, filed under a theme and the quality statements it shows.",
        licence: OGL,
        columns: &[
            ("id", "The account's number: its page is /good-practice/{id}"),
            ("location_id, location_name, provider_id, provider_name", "The service and who runs it"),
            ("title, summary", "The account's title and summary"),
            ("theme", "Its theme, from a fixed list"),
            ("statements", "The quality statements it shows, like S3 R1"),
            ("published_at", "When it was published, in UTC"),
        ],
    },
];

#[derive(Debug, thiserror::Error)]
pub enum OpenDataError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("could not write the file: {0}")]
    Write(String),
}

fn write_error(e: impl std::fmt::Display) -> OpenDataError {
    OpenDataError::Write(e.to_string())
}

/// The open data service. Cheap to clone.
#[derive(Clone)]
pub struct OpenData {
    store: Arc<dyn Store>,
}

impl OpenData {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// Writes `file` as made on `today` to `to` (created or replaced); answers its rows.
    pub async fn write(&self, file: DataFile, to: &Path, today: NaiveDate) -> Result<u64, OpenDataError> {
        let out = BufWriter::new(File::create(to).map_err(write_error)?);
        match file.dataset {
            Dataset::Register => {
                let snapshot = self.store.register_snapshot().await?;
                let format = file.format;
                let rows = tokio::task::spawn_blocking(move || write_register(&snapshot, format, out, today));
                rows.await.map_err(write_error)?
            }
            Dataset::Voice => self.write_voice(out, today).await,
            Dataset::Practice => self.write_practice(out).await,
        }
    }

    async fn write_voice(&self, out: impl Write, today: NaiveDate) -> Result<u64, OpenDataError> {
        let this_month = Month::of(today);
        let from = this_month.minus(VOICE_MONTHS).ok_or_else(|| write_error("the months before the calendar began"))?;
        let mut readings = self.store.voice_months(Locations::All, from).await?.rows;
        readings.retain(|(_, month, v)| *month < this_month && v.responses >= MIN_ANSWERS);
        readings.sort_by(|a, b| (a.0.as_str(), a.1).cmp(&(b.0.as_str(), b.1)));
        let mut csv = csv::Writer::from_writer(out);
        let header = DATASETS[1].columns.iter().map(|(name, _)| *name);
        csv.write_record(header).map_err(write_error)?;
        let share = |n: u32, of: u32| {
            if of >= MIN_ANSWERS { format!("{:.1}", 100.0 * f64::from(n) / f64::from(of)) } else { String::new() }
        };
        for (id, month, v) in &readings {
            let mean = if v.outcome_n >= MIN_ANSWERS {
                format!("{:.2}", v.outcome_sum / f64::from(v.outcome_n))
            } else {
                String::new()
            };
            csv.write_record([
                id.to_string(),
                month.to_string(),
                v.responses.to_string(),
                share(v.positive, v.rated),
                mean,
                share(v.dignity_positive, v.dignity_n),
                share(v.safe_positive, v.safe_n),
                v.entered.to_string(),
            ])
            .map_err(write_error)?;
        }
        csv.flush().map_err(write_error)?;
        Ok(readings.len() as u64)
    }

    async fn write_practice(&self, out: impl Write) -> Result<u64, OpenDataError> {
        let mut csv = csv::Writer::from_writer(out);
        csv.write_record([
            "id",
            "location_id",
            "location_name",
            "provider_id",
            "provider_name",
            "title",
            "summary",
            "theme",
            "statements",
            "published_at",
        ])
        .map_err(write_error)?;
        let mut query = PracticeQuery { page: 1, per_page: PracticeQuery::MAX_PER_PAGE, ..PracticeQuery::default() };
        let mut rows = 0;
        loop {
            let page = self.store.search_practice(&query).await?;
            for p in &page.items {
                let statements: Vec<&str> = p.statements.iter().map(|s| s.code()).collect();
                csv.write_record([
                    p.id.to_string(),
                    p.location_id.to_string(),
                    p.location_name.clone(),
                    p.provider_id.to_string(),
                    p.provider_name.clone(),
                    p.title.clone(),
                    p.summary.clone(),
                    p.theme.label().to_string(),
                    statements.join(" "),
                    p.published_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
                ])
                .map_err(write_error)?;
                rows += 1;
            }
            if page.page >= page.pages() {
                break;
            }
            query.page += 1;
        }
        csv.flush().map_err(write_error)?;
        Ok(rows)
    }
}

/// The register in the regulator's directory layout, as CSV or as a spreadsheet.
fn write_register(
    snapshot: &candour_store::RegisterSnapshot,
    format: Format,
    out: BufWriter<File>,
    today: NaiveDate,
) -> Result<u64, OpenDataError> {
    match format {
        Format::Csv => candour_demo::export_directory(snapshot, out, today).map_err(write_error),
        Format::Ods => {
            let file = out.into_inner().map_err(write_error)?;
            let mut sheet = OdsWriter::new(file, "Care directory with filters").map_err(write_error)?;
            for line in candour_demo::directory_notice(today) {
                sheet.row(&[line]).map_err(write_error)?;
            }
            let rows = candour_demo::directory_rows(snapshot, |row| sheet.row(row).map_err(Into::into))
                .map_err(write_error)?;
            sheet.finish().map_err(write_error)?.sync_all().map_err(write_error)?;
            Ok(rows)
        }
    }
}
