use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

use candour_domain::LocationId;
use thiserror::Error;

/// One problem with one row of a sheet or one record of JSON input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    /// For sheets, the 1-based line in the file. For JSON, the index in its array
    /// (0 for a file holding a single object).
    pub line: usize,
    /// The column (sheets) or field path (JSON) at fault, when one is.
    pub column: Option<String>,
    pub message: String,
    /// For JSON input, where the record is: `file.json`, `file.json[3]` for the
    /// fourth item of an array, or the request that returned it.
    pub file: Option<String>,
}

impl RowProblem {
    pub fn new(line: usize, column: Option<&str>, message: impl Into<String>) -> Self {
        Self { line, column: column.map(str::to_string), message: message.into(), file: None }
    }

    pub fn in_file(mut self, file: &str) -> Self {
        self.file = Some(file.to_string());
        self
    }

    /// Identifies the row or record, so that several problems in one row count once.
    pub(crate) fn row_key(&self) -> (Option<&str>, usize) {
        (self.file.as_deref(), self.line)
    }
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, &self.column) {
            (Some(file), Some(field)) => write!(f, "{file}, field \"{field}\": {}", self.message),
            (Some(file), None) => write!(f, "{file}: {}", self.message),
            (None, Some(column)) => write!(f, "line {}, column \"{column}\": {}", self.line, self.message),
            (None, None) => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// How many distinct rows or records the problems concern.
pub(crate) fn count_rows(problems: &[RowProblem]) -> u64 {
    problems.iter().map(RowProblem::row_key).collect::<HashSet<_>>().len() as u64
}

/// Why a whole file (or folder) cannot be read.
#[derive(Debug, Error)]
pub enum ImportError {
    #[error("cannot open {path}: {source}")]
    Open { path: PathBuf, source: std::io::Error },
    #[error("{path}: unknown format; expected a .ods, .xlsx, .xls or .csv file")]
    UnknownFormat { path: PathBuf },
    #[error("{path}: no header row found (looked for a cell reading \"{header}\")")]
    HeaderNotFound { path: PathBuf, header: String },
    #[error("{path}: missing required column{}: {}", if columns.len() == 1 { "" } else { "s" }, quoted_list(columns))]
    MissingColumns { path: PathBuf, columns: Vec<String> },
    #[error("{path}: line {line} is not valid UTF-8; save the file as UTF-8 CSV")]
    InvalidUtf8 { path: PathBuf, line: u64 },
    #[error("{path}: line {line}: {message}")]
    Csv { path: PathBuf, line: u64, message: String },
    #[error("{path}: cannot read the spreadsheet: {message}")]
    Spreadsheet { path: PathBuf, message: String },
    #[error("{path}: invalid JSON at line {line}, column {column}: {message}")]
    Json { path: PathBuf, line: usize, column: usize, message: String },
    #[error("{path}: the file holds no rows or records, so nothing was imported; is the download complete?")]
    NoRows { path: PathBuf },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

impl ImportError {
    pub(crate) fn open(path: &Path, source: std::io::Error) -> Self {
        ImportError::Open { path: path.to_path_buf(), source }
    }

    pub(crate) fn invalid(path: &Path, message: impl Into<String>) -> Self {
        ImportError::Invalid { path: path.to_path_buf(), message: message.into() }
    }
}

fn quoted_list(items: &[String]) -> String {
    items.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ")
}

/// Input with invalid rows, refused whole: nothing was planned. Carries every problem found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRejected {
    pub problems: Vec<RowProblem>,
}

impl ImportRejected {
    /// How many rows or records are invalid (a row can have several problems).
    pub fn rows(&self) -> u64 {
        count_rows(&self.problems)
    }
}

impl fmt::Display for ImportRejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows = self.rows();
        let plural = if rows == 1 { "" } else { "s" };
        write!(f, "{rows} invalid row{plural}; nothing was imported")?;
        for problem in &self.problems {
            write!(f, "\n  {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ImportRejected {}

/// Why an import was not planned: nothing was written.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PlanRefused {
    #[error(transparent)]
    InvalidRows(#[from] ImportRejected),
    #[error(
        "the import would deregister {would} of the {registered} registered locations, more than the {allowed} allowed; \
         nothing was imported. If the file is complete and they have all closed, run again with \
         --allow-deregistering {would} (--dry-run lists them)"
    )]
    TooManyDeregistered { would: u64, registered: u64, allowed: u64, ids: Vec<LocationId> },
}

impl PlanRefused {
    /// The invalid rows, if that is why.
    pub fn problems(&self) -> &[RowProblem] {
        match self {
            PlanRefused::InvalidRows(rejected) => &rejected.problems,
            PlanRefused::TooManyDeregistered { .. } => &[],
        }
    }
}
