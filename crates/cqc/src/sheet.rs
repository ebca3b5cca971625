//! Reads one sheet of the regulator's files as rows of text, whatever the format
//! (CSV, ODS, XLSX), after finding its header row. Rows are lent one at a time so a
//! large CSV is read without copying its cells.

use std::borrow::Cow;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use calamine::{Data, Range, Reader};
use chrono::NaiveDate;
use csv::StringRecord;

use candour_domain::csv_quotes::{self, QuoteTracker};
use candour_domain::{ParseError, check_text, non_blank};

use crate::error::{ImportError, RowProblem};
use crate::{Progress, values};

/// The header must be within this many rows of the top; files open with a few notices.
const HEADER_SEARCH_ROWS: usize = 100;
/// The most a spreadsheet may expand to when unzipped. The whole national register
/// (about 30,000 rows of 106 columns) is a few hundred megabytes of spreadsheet XML
/// even with every cell written out; a file expanding beyond this is not one of the
/// regulator's, and reading it would take several times as much memory.
pub(crate) const MAX_EXPANDED_BYTES: u64 = 512 * 1024 * 1024;
/// Rows between progress reports.
const PROGRESS_EVERY: usize = 1024;

/// Header names compared ignoring case, surrounding space, runs of spaces and a BOM.
fn normalise_header(name: &str) -> String {
    name.trim_start_matches('\u{feff}').split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// The header row: where each column is, found by name.
pub(crate) struct Header {
    normalised: Vec<String>,
    original: Vec<String>,
}

impl Header {
    fn new(cells: Vec<String>) -> Self {
        let normalised = cells.iter().map(|c| normalise_header(c)).collect();
        let original = cells.into_iter().map(|c| c.trim_start_matches('\u{feff}').trim().to_string()).collect();
        Self { normalised, original }
    }

    fn position(&self, name: &str) -> Option<usize> {
        let wanted = normalise_header(name);
        self.normalised.iter().position(|n| *n == wanted)
    }

    /// Columns whose header starts with `prefix` (e.g. "Service type - "); the rest
    /// of the header names the flag the column holds.
    pub fn flag_columns(&self, prefix: &str) -> Vec<FlagColumn> {
        let wanted = normalise_header(prefix);
        let prefix_words = prefix.split_whitespace().count();
        self.normalised
            .iter()
            .enumerate()
            .filter(|(_, n)| n.starts_with(&wanted) && n.len() > wanted.len())
            .map(|(index, _)| {
                let header = self.original[index].clone();
                let name = header.split_whitespace().skip(prefix_words).collect::<Vec<_>>().join(" ");
                FlagColumn { index, header, name }
            })
            .collect()
    }
}

/// A column of Y/blank flags, such as "Service user band - Dementia".
#[derive(Debug, Clone)]
pub(crate) struct FlagColumn {
    pub index: usize,
    /// The header as written, for problems.
    pub header: String,
    /// The flag's name, e.g. "Dementia".
    pub name: String,
}

/// A column found in the header.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Col {
    pub index: usize,
    pub name: &'static str,
}

/// Looks columns up by name, collecting every missing required one before failing.
pub(crate) struct Columns<'h> {
    header: &'h Header,
    missing: Vec<String>,
}

impl<'h> Columns<'h> {
    pub fn new(header: &'h Header) -> Self {
        Self { header, missing: Vec::new() }
    }

    pub fn required(&mut self, name: &'static str) -> Col {
        match self.header.position(name) {
            Some(index) => Col { index, name },
            None => {
                self.missing.push(name.to_string());
                Col { index: usize::MAX, name }
            }
        }
    }

    pub fn optional(&self, name: &'static str) -> Option<Col> {
        self.header.position(name).map(|index| Col { index, name })
    }

    pub fn finish(self, path: &Path) -> Result<(), ImportError> {
        if self.missing.is_empty() {
            Ok(())
        } else {
            Err(ImportError::MissingColumns { path: path.to_path_buf(), columns: self.missing })
        }
    }
}

/// One data row, lent by [`Sheet::next_row`].
pub(crate) struct Row<'a> {
    /// 1-based line (CSV) or row number (spreadsheet).
    pub line: usize,
    cells: Cells<'a>,
    /// Its cells holding a control character, which refuse the row whatever column they are in.
    refused: Vec<RowProblem>,
}

enum Cells<'a> {
    Csv(&'a StringRecord),
    /// A row of a spreadsheet range, relative to the range's start.
    Spreadsheet(&'a Range<Data>, usize),
}

impl<'a> Row<'a> {
    /// The cell's text, "" when the row is shorter than the header.
    pub fn get(&self, index: usize) -> Cow<'a, str> {
        match self.cells {
            Cells::Csv(record) => Cow::Borrowed(record.get(index).unwrap_or("")),
            Cells::Spreadsheet(range, row) => range.get((row, index)).map(cell_text).unwrap_or(Cow::Borrowed("")),
        }
    }
}

impl Row<'_> {
    /// A problem for each cell holding a control character, by line and column.
    fn control_characters(&self, header: &Header) -> Vec<RowProblem> {
        let width = match self.cells {
            Cells::Csv(record) => record.len(),
            Cells::Spreadsheet(range, _) => range.width(),
        };
        (0..width)
            .filter_map(|index| {
                let problem = check_text(&self.get(index)).err()?;
                let column = header.original.get(index).cloned().unwrap_or_else(|| format!("column {}", index + 1));
                Some(RowProblem::new(self.line, Some(&column), problem.to_string()))
            })
            .collect()
    }
}

fn spreadsheet_row_is_blank(range: &Range<Data>, row: usize) -> bool {
    (0..range.width()).all(|col| range.get((row, col)).is_none_or(|c| cell_text(c).trim().is_empty()))
}

/// A spreadsheet cell as the text the same sheet saved as CSV would hold.
fn cell_text(cell: &Data) -> Cow<'_, str> {
    match cell {
        Data::Empty => Cow::Borrowed(""),
        Data::String(s) => Cow::Borrowed(s.as_str()),
        Data::Int(i) => Cow::Owned(i.to_string()),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => Cow::Owned(format!("{}", *f as i64)),
        Data::Float(f) => Cow::Owned(f.to_string()),
        Data::Bool(b) => Cow::Borrowed(if *b { "TRUE" } else { "FALSE" }),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(d) => Cow::Owned(d.date().format("%Y-%m-%d").to_string()),
            None => Cow::Owned(dt.as_f64().to_string()),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cow::Borrowed(s.as_str()),
        Data::Error(e) => Cow::Owned(format!("#{e:?}")),
    }
}

enum Body {
    Csv { reader: CsvReader, record: StringRecord, widths: RowWidths },
    Spreadsheet { range: Range<Data>, next: usize },
}

/// How many values the data rows of a CSV have had, to tell a last row cut short
/// between values (the file's rows are all as wide in a whole download).
#[derive(Default)]
struct RowWidths {
    widest_before_last: usize,
    last: usize,
}

impl RowWidths {
    fn note(&mut self, width: usize) {
        self.widest_before_last = self.widest_before_last.max(self.last);
        self.last = width;
    }

    fn last_is_short(&self) -> bool {
        self.last < self.widest_before_last
    }
}

const SHORT_LAST_ROW: &str = "the last row has fewer values than the rows before it and no line end: \
     the file ends part-way through, so it is probably cut short";

/// A sheet positioned just after its header row.
pub(crate) struct Sheet<'p> {
    path: PathBuf,
    header: Header,
    /// The rows above the header (titles, notices, the date the data was produced).
    preamble: Vec<Vec<String>>,
    body: Body,
    progress: &'p dyn Progress,
    rows_since_report: usize,
    last_reported_byte: u64,
    rows_read: usize,
}

impl<'p> Sheet<'p> {
    /// Opens `path` and finds the header: the first row with a cell reading `header_cell`.
    pub fn open(path: &Path, header_cell: &str, progress: &'p dyn Progress) -> Result<Self, ImportError> {
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_lowercase();
        let (header, preamble, body) = match extension.as_str() {
            "csv" => open_csv(path, header_cell)?,
            "ods" | "xlsx" | "xlsm" | "xlsb" | "xls" => open_spreadsheet(path, header_cell)?,
            _ => return Err(ImportError::UnknownFormat { path: path.to_path_buf() }),
        };
        let total = match &body {
            Body::Csv { .. } => std::fs::metadata(path).map(|m| m.len()).unwrap_or(0),
            Body::Spreadsheet { range, next } => range.height().saturating_sub(*next) as u64,
        };
        progress.start(total);
        Ok(Self {
            path: path.to_path_buf(),
            header,
            preamble,
            body,
            progress,
            rows_since_report: 0,
            last_reported_byte: 0,
            rows_read: 0,
        })
    }

    pub fn header(&self) -> &Header {
        &self.header
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn preamble(&self) -> &[Vec<String>] {
        &self.preamble
    }

    /// The next data row, skipping rows that are entirely blank. A sheet with no
    /// data rows is refused: an empty download is never the whole register.
    pub fn next_row(&mut self) -> Result<Option<Row<'_>>, ImportError> {
        self.report_progress();
        if !self.advance()? {
            if self.rows_read == 0 {
                return Err(ImportError::NoRows { path: self.path.clone() });
            }
            self.progress.finish();
            return Ok(None);
        }
        self.rows_read += 1;
        let (line, cells) = match &self.body {
            Body::Csv { reader, record, .. } => (first_line(reader, record), Cells::Csv(record)),
            Body::Spreadsheet { range, next } => {
                let row = next - 1;
                (range.start().map_or(0, |(r, _)| r as usize) + row + 1, Cells::Spreadsheet(range, row))
            }
        };
        let mut row = Row { line, cells, refused: Vec::new() };
        row.refused = row.control_characters(&self.header);
        Ok(Some(row))
    }

    /// Moves to the next row that is not entirely blank; false at the end.
    fn advance(&mut self) -> Result<bool, ImportError> {
        match &mut self.body {
            Body::Csv { reader, record, widths } => loop {
                if !read_csv_record(reader, record, &self.path)? {
                    let counter = reader.get_ref();
                    if counter.quotes.ends_mid_line() && widths.last_is_short() {
                        let line = counter.line_before(counter.offset + 1);
                        return Err(cut_short(&self.path, line, SHORT_LAST_ROW));
                    }
                    return Ok(false);
                }
                if !record.iter().all(|c| c.trim().is_empty()) {
                    widths.note(record.len());
                    return Ok(true);
                }
            },
            Body::Spreadsheet { range, next } => loop {
                if *next >= range.height() {
                    return Ok(false);
                }
                *next += 1;
                if !spreadsheet_row_is_blank(range, *next - 1) {
                    return Ok(true);
                }
            },
        }
    }

    fn report_progress(&mut self) {
        self.rows_since_report += 1;
        if self.rows_since_report < PROGRESS_EVERY {
            return;
        }
        self.rows_since_report = 0;
        match &self.body {
            Body::Csv { reader, .. } => {
                let byte = reader.position().byte();
                self.progress.advance(byte.saturating_sub(self.last_reported_byte));
                self.last_reported_byte = byte;
            }
            Body::Spreadsheet { .. } => self.progress.advance(PROGRESS_EVERY as u64),
        }
    }
}

fn open_csv(path: &Path, header_cell: &str) -> Result<(Header, Vec<Vec<String>>, Body), ImportError> {
    let file = File::open(path).map_err(|e| ImportError::open(path, e))?;
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(LineCounter::new(file));
    let mut record = StringRecord::new();
    let wanted = normalise_header(header_cell);
    let mut preamble = Vec::new();
    for _ in 0..HEADER_SEARCH_ROWS {
        if !read_csv_record(&mut reader, &mut record, path)? {
            break;
        }
        let cells: Vec<String> = record.iter().map(str::to_string).collect();
        if cells.iter().any(|c| normalise_header(c) == wanted) {
            return Ok((Header::new(cells), preamble, Body::Csv { reader, record, widths: RowWidths::default() }));
        }
        preamble.push(cells);
    }
    Err(ImportError::HeaderNotFound { path: path.to_path_buf(), header: header_cell.to_string() })
}

type CsvReader = csv::Reader<LineCounter<File>>;

/// Notes where each newline is as the CSV parser reads, so that each record's line
/// number is exact (the parser's own count is thrown off by CRLF and blank lines),
/// and follows the quoting, to refuse a file that ends inside a quoted value.
struct LineCounter<R> {
    inner: R,
    offset: u64,
    newlines: Vec<u64>,
    quotes: QuoteTracker,
}

impl<R> LineCounter<R> {
    fn new(inner: R) -> Self {
        Self { inner, offset: 0, newlines: Vec::new(), quotes: QuoteTracker::new() }
    }

    /// The 1-based line holding the byte just before `end`.
    fn line_before(&self, end: u64) -> usize {
        1 + self.newlines.partition_point(|&at| at + 1 < end)
    }
}

impl<R: Read> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let start = self.offset;
        self.newlines.extend(buf[..n].iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| start + i as u64));
        self.quotes.feed(&buf[..n]);
        self.offset += n as u64;
        Ok(n)
    }
}

/// The line a record starts on: the line it ends on, less the newlines inside its
/// (quoted) fields.
fn first_line(reader: &CsvReader, record: &StringRecord) -> usize {
    let last = reader.get_ref().line_before(reader.position().byte());
    let inside: usize = record.iter().map(|field| field.bytes().filter(|b| *b == b'\n').count()).sum();
    last.saturating_sub(inside)
}

/// Reads the next record; false at the end of the file, which must not fall
/// inside a quoted value.
fn read_csv_record(reader: &mut CsvReader, record: &mut StringRecord, path: &Path) -> Result<bool, ImportError> {
    let more = reader.read_record(record).map_err(|e| {
        let line = reader.get_ref().line_before(reader.position().byte()) as u64;
        csv_error(path, e, line)
    })?;
    let counter = reader.get_ref();
    if !more && let Some(opened_at) = counter.quotes.unclosed_quote() {
        return Err(cut_short(path, counter.line_before(opened_at + 1), csv_quotes::CUT_SHORT));
    }
    Ok(more)
}

/// A file that ends part-way through: reading what is there would import half a
/// row, and a full listing would deregister every location after the cut.
fn cut_short(path: &Path, line: usize, what: &str) -> ImportError {
    let message = format!("{what}; download it again");
    ImportError::Csv { path: path.to_path_buf(), line: line as u64, message }
}

fn csv_error(path: &Path, error: csv::Error, line: u64) -> ImportError {
    match error.kind() {
        csv::ErrorKind::Utf8 { .. } => ImportError::InvalidUtf8 { path: path.to_path_buf(), line },
        csv::ErrorKind::Io(e) => {
            ImportError::Open { path: path.to_path_buf(), source: std::io::Error::new(e.kind(), e.to_string()) }
        }
        _ => ImportError::Csv { path: path.to_path_buf(), line, message: error.to_string() },
    }
}

/// Reads the first sheet that has the header row; workbooks may open with a notes sheet.
fn open_spreadsheet(path: &Path, header_cell: &str) -> Result<(Header, Vec<Vec<String>>, Body), ImportError> {
    let file = File::open(path).map_err(|e| ImportError::open(path, e))?;
    check_expansion(file, MAX_EXPANDED_BYTES, path)?;
    let spreadsheet_error =
        |e: calamine::Error| ImportError::Spreadsheet { path: path.to_path_buf(), message: e.to_string() };
    let mut workbook = calamine::open_workbook_auto(path).map_err(spreadsheet_error)?;
    let wanted = normalise_header(header_cell);
    for name in workbook.sheet_names() {
        let range = workbook.worksheet_range(&name).map_err(spreadsheet_error)?;
        let found = range
            .rows()
            .take(HEADER_SEARCH_ROWS)
            .position(|row| row.iter().any(|c| normalise_header(&cell_text(c)) == wanted));
        if let Some(header_index) = found {
            let texts = |row: &[Data]| row.iter().map(|c| cell_text(c).into_owned()).collect::<Vec<String>>();
            let preamble = range.rows().take(header_index).map(texts).collect();
            let header = Header::new(range.rows().nth(header_index).map(texts).unwrap_or_default());
            return Ok((header, preamble, Body::Spreadsheet { range, next: header_index + 1 }));
        }
    }
    Err(ImportError::HeaderNotFound { path: path.to_path_buf(), header: header_cell.to_string() })
}

/// Refuses a zipped spreadsheet (ODS, XLSX) that expands beyond `cap`, before the
/// spreadsheet reader unzips it into memory. The sizes the zip declares are
/// checked first, then (as they can lie) each part is unzipped and counted,
/// stopping at the cap. A file that is not a zip (XLS) is left to the reader.
fn check_expansion(file: File, cap: u64, path: &Path) -> Result<(), ImportError> {
    let Ok(mut archive) = zip::ZipArchive::new(std::io::BufReader::new(file)) else { return Ok(()) };
    let refuse = |message: String| ImportError::Spreadsheet { path: path.to_path_buf(), message };
    let within = declared_size(&mut archive).map_err(|e| refuse(e.to_string()))? <= cap
        && expanded_size(&mut archive, cap).map_err(|e| refuse(e.to_string()))? <= cap;
    if within {
        return Ok(());
    }
    Err(refuse(format!(
        "it expands to more than {} MB when unzipped, more than any register file, so it was not read \
         (if it is genuine, save the sheet as CSV and import that)",
        cap / (1024 * 1024)
    )))
}

type Archive = zip::ZipArchive<std::io::BufReader<File>>;

/// The total size the zip's directory declares for its parts.
fn declared_size(archive: &mut Archive) -> zip::result::ZipResult<u64> {
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        total = total.saturating_add(archive.by_index_raw(index)?.size());
    }
    Ok(total)
}

/// What the parts really expand to, counted up to just past `cap`.
fn expanded_size(archive: &mut Archive, cap: u64) -> std::io::Result<u64> {
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let part = archive.by_index(index)?;
        total += std::io::copy(&mut part.take(cap - total + 1), &mut std::io::sink())?;
        if total > cap {
            break;
        }
    }
    Ok(total)
}

/// Reads the cells of one row, recording a problem for each bad value instead of
/// stopping at the first, so that a person can fix a file in one pass.
pub(crate) struct RowReader<'r, 'a> {
    row: &'r Row<'a>,
    pub problems: Vec<RowProblem>,
}

impl<'r, 'a> RowReader<'r, 'a> {
    pub fn new(row: &'r Row<'a>) -> Self {
        Self { row, problems: row.refused.clone() }
    }

    pub fn line(&self) -> usize {
        self.row.line
    }

    pub fn raw(&self, col: Col) -> Cow<'a, str> {
        self.row.get(col.index)
    }

    /// The trimmed text, or `None` when blank-ish.
    pub fn text(&self, col: Col) -> Option<String> {
        non_blank(&self.raw(col)).map(str::to_string)
    }

    pub fn text_if(&self, col: Option<Col>) -> Option<String> {
        col.and_then(|c| self.text(c))
    }

    /// Text that must be present; records a problem when blank.
    pub fn required_text(&mut self, col: Col, what: &str) -> Option<String> {
        let text = self.text(col);
        if text.is_none() {
            self.problem(col.name, format!("is blank; every row needs {what}"));
        }
        text
    }

    /// Parses with a cell parser; `None` (with a problem recorded) when it fails.
    pub fn parse<T>(&mut self, col: Col, parser: impl FnOnce(&str) -> Result<T, String>) -> Option<T> {
        let raw = self.raw(col);
        match parser(&raw) {
            Ok(value) => Some(value),
            Err(message) => {
                self.problem(col.name, message);
                None
            }
        }
    }

    /// Parses a non-blank value with a domain parser; blank-ish gives `Some(None)`.
    pub fn parse_domain<T>(
        &mut self,
        col: Col,
        parser: impl FnOnce(&str) -> Result<T, ParseError>,
    ) -> Option<Option<T>> {
        let raw = self.raw(col);
        match non_blank(&raw) {
            None => Some(None),
            Some(text) => match parser(text) {
                Ok(value) => Some(Some(value)),
                Err(e) => {
                    self.problem(col.name, e.to_string());
                    None
                }
            },
        }
    }

    /// A value that must be present, parsed with a domain parser.
    pub fn required_domain<T>(
        &mut self,
        col: Col,
        what: &str,
        parser: impl FnOnce(&str) -> Result<T, ParseError>,
    ) -> Option<T> {
        match self.parse_domain(col, parser) {
            Some(Some(value)) => Some(value),
            Some(None) => {
                self.problem(col.name, format!("is blank; every row needs {what}"));
                None
            }
            None => None,
        }
    }

    /// Reads a flag column (whose header names the flag): true when the cell is "Y".
    pub fn flag(&mut self, index: usize, header: &str) -> bool {
        match values::flag(&self.row.get(index)) {
            Ok(set) => set,
            Err(message) => {
                self.problem(header, message);
                false
            }
        }
    }

    pub fn problem(&mut self, column: &str, message: impl Into<String>) {
        self.problems.push(RowProblem::new(self.row.line, Some(column), message));
    }
}

/// The date in a preamble line such as "This data was produced on 01 March 2024".
pub(crate) fn preamble_date(preamble: &[Vec<String>]) -> Option<NaiveDate> {
    const MARKERS: [&str; 3] = ["produced on", "as at", "data as of"];
    preamble.iter().flatten().find_map(|cell| {
        let lower = cell.to_lowercase();
        MARKERS.iter().find_map(|marker| {
            let start = lower.find(marker)? + marker.len();
            let rest = cell.get(start..)?.trim().trim_end_matches('.');
            values::date(rest).ok().flatten()
        })
    })
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn preamble_gives_the_date() {
        let rows =
            vec![vec!["Care directory".to_string()], vec!["This data was produced on 01 March 2024".to_string()]];
        assert_eq!(preamble_date(&rows), NaiveDate::from_ymd_opt(2024, 3, 1));
        assert_eq!(preamble_date(&[vec!["nothing here".to_string()]]), None);
    }

    /// A zip of one deflated part holding `size` zero bytes.
    fn zip_of_zeros(size: usize) -> tempfile::NamedTempFile {
        let file = tempfile::NamedTempFile::new().expect("a temporary file");
        let mut zip = zip::ZipWriter::new(file.reopen().expect("reopen"));
        let deflated = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("content.xml", deflated).expect("start a part");
        zip.write_all(&vec![0; size]).expect("write a part");
        zip.finish().expect("finish the zip");
        file
    }

    #[test]
    fn what_a_part_really_expands_to_is_counted_up_to_the_cap() {
        let zip = zip_of_zeros(5000);
        let mut archive = zip::ZipArchive::new(std::io::BufReader::new(zip.reopen().expect("open"))).expect("a zip");
        assert_eq!(expanded_size(&mut archive, 1000).expect("read"), 1001, "counting stops just past the cap");
        assert_eq!(expanded_size(&mut archive, 10_000).expect("read"), 5000);
        assert!(check_expansion(zip.reopen().expect("open"), 10_000, zip.path()).is_ok());
        let err = check_expansion(zip.reopen().expect("open"), 1000, zip.path()).expect_err("over the cap");
        assert!(err.to_string().contains("expands to more than 0 MB when unzipped"), "{err}");
    }
}
