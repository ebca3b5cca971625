//! The CSV template of provider returns (`examples/provider-returns.csv`): a
//! `location_id` column, then one column per field of [`FIELDS`], in any order
//! and any case. The command-line import and the web upload both read files
//! here, so a file is judged the same wherever it is sent.

use std::collections::{BTreeSet, HashMap};
use std::fmt;

use chrono::NaiveDate;

use super::{FIELDS, LoggedComplaints, Month, MonthlyReturn, RawReturn};
use crate::LocationId;
use crate::csv_quotes::{CUT_SHORT, QuoteTracker};

/// The column naming the location; the others are the return's fields.
pub const LOCATION_COLUMN: &str = "location_id";

/// One refused value, or a refused line: where it is and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: u64,
    /// The column, when the problem is one value's.
    pub column: Option<String>,
    pub reason: String,
}

impl Problem {
    pub fn new(line: u64, column: Option<&str>, reason: impl Into<String>) -> Self {
        Problem { line, column: column.map(str::to_string), reason: reason.into() }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(column) => write!(f, "line {}, column {column}: {}", self.line, self.reason),
            None => write!(f, "line {}: {}", self.line, self.reason),
        }
    }
}

/// A row that passed its own checks, with the line it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: u64,
    pub location: LocationId,
    pub figures: MonthlyReturn,
}

/// The template's columns, in its order.
pub fn columns() -> impl Iterator<Item = &'static str> {
    std::iter::once(LOCATION_COLUMN).chain(FIELDS.iter().map(|(field, _)| *field))
}

/// The template for one location: the header, then a row for each month with
/// the location and month filled in and the figures left blank to fill.
pub fn blank(location: &LocationId, months: &[Month]) -> String {
    let mut text = columns().collect::<Vec<_>>().join(",");
    text.push('\n');
    let blanks = ",".repeat(FIELDS.len() - 1);
    for month in months {
        text.push_str(&format!("{location},{month}{blanks}\n"));
    }
    text
}

/// What a location's complaint log counts for a month, where it counts it.
pub type ComplaintLogs<'a> = &'a dyn Fn(&LocationId, Month) -> Option<LoggedComplaints>;

/// No complaint log anywhere: every row gives its complaint figures.
pub fn no_logs(_: &LocationId, _: Month) -> Option<LoggedComplaints> {
    None
}

/// Reads and checks every row; returns the good rows and every problem found,
/// by line. `today` decides which months have begun; blank complaint figures are
/// taken from `logs` where a location's complaint log counts them. Whether each
/// location is in the register (or may be sent for) is for the caller to judge.
pub fn read(bytes: &[u8], today: NaiveDate, logs: ComplaintLogs<'_>) -> (Vec<Row>, Vec<Problem>) {
    if let Some(problem) = cut_short(bytes) {
        return (Vec::new(), vec![problem]);
    }
    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(bytes);
    let header = match reader.headers() {
        Ok(h) if h.iter().any(|c| !c.is_empty()) => h.iter().map(|c| c.to_ascii_lowercase()).collect::<Vec<_>>(),
        Ok(_) => {
            let empty = Problem::new(1, None, "the file is empty: start it with the template's header");
            return (Vec::new(), vec![empty]);
        }
        Err(e) => return (Vec::new(), vec![Problem::new(1, None, format!("the header cannot be read: {e}"))]),
    };
    let mut problems = check_header(&header);
    if !problems.is_empty() {
        return (Vec::new(), problems);
    }
    let mut rows = Vec::new();
    let mut first_seen: HashMap<(LocationId, Month), u64> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                problems.push(Problem::new(line, None, format!("the row cannot be read: {e}")));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != header.len() {
            let reason = format!("has {} values, but the header has {} columns", record.len(), header.len());
            problems.push(Problem::new(line, None, reason));
            continue;
        }
        let values: HashMap<&str, &str> = header.iter().map(String::as_str).zip(record.iter()).collect();
        let Some(row) = check_row(line, &values, today, logs, &mut problems) else { continue };
        match first_seen.get(&(row.location.clone(), row.figures.month)) {
            Some(earlier) => {
                let (month, location) = (row.figures.month, &row.location);
                let reason = format!("{month} for {location} is also on line {earlier}: give each month once");
                problems.push(Problem::new(line, Some("month"), reason));
            }
            None => {
                first_seen.insert((row.location.clone(), row.figures.month), line);
                rows.push(row);
            }
        }
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push(Problem::new(2, None, "the file has a header but no rows: add one row per location and month"));
    }
    (rows, problems)
}

/// A file that ends inside a quoted value has lost its end: refused whole.
fn cut_short(bytes: &[u8]) -> Option<Problem> {
    let mut quotes = QuoteTracker::new();
    quotes.feed(bytes);
    let opened_at = quotes.unclosed_quote()? as usize;
    let line = 1 + bytes[..opened_at].iter().filter(|b| **b == b'\n').count() as u64;
    Some(Problem::new(line, None, format!("{CUT_SHORT}; send the whole file again")))
}

/// Every column of the template, each once, and nothing else.
fn check_header(header: &[String]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for column in header {
        if !columns().any(|c| c == column) {
            let reason = "is not a column of the template: remove it or correct its name";
            problems.push(Problem::new(1, Some(column), reason));
        } else if !seen.insert(column.as_str()) {
            problems.push(Problem::new(1, Some(column), "appears twice: keep one"));
        }
    }
    for column in columns() {
        if !seen.contains(column) {
            problems.push(Problem::new(1, Some(column), "is missing: add it (the template lists every column)"));
        }
    }
    problems
}

fn check_row(
    line: u64,
    values: &HashMap<&str, &str>,
    today: NaiveDate,
    logs: ComplaintLogs<'_>,
    problems: &mut Vec<Problem>,
) -> Option<Row> {
    let location = LocationId::parse(values[LOCATION_COLUMN]).map_err(|e| {
        problems.push(Problem::new(line, Some(LOCATION_COLUMN), e.to_string()));
    });
    let mut raw = RawReturn::default();
    for (field, _) in FIELDS {
        raw.set(field, values[field]);
    }
    if let (Ok(id), Ok(month)) = (&location, Month::parse(&raw.month))
        && let Some(logged) = logs(id, month)
    {
        raw.fill_complaints_from(logged);
    }
    let figures = MonthlyReturn::parse(&raw, today).map_err(|errors| {
        problems.extend(errors.into_iter().map(|e| Problem::new(line, Some(e.field), e.message)));
    });
    Some(Row { line, location: location.ok()?, figures: figures.ok()? })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "location_id,month,headcount,leavers,agency_hours,hours_worked,vacancies,supervision_pct,\
training_pct,registered_manager,manager_changed,people_supported,incidents,restraint,seclusion,segregation,\
notifications,safeguarding_referrals,complaints_received,complaints_upheld,complaints_on_time";

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 15).unwrap()
    }

    fn lines(problems: &[Problem]) -> Vec<String> {
        problems.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn good_rows_are_read_with_any_column_order_and_case() {
        let file = "Month,LOCATION_ID,headcount,leavers,agency_hours,hours_worked,vacancies,supervision_pct,\
training_pct,registered_manager,manager_changed,people_supported,incidents,restraint,seclusion,segregation,\
notifications,safeguarding_referrals,complaints_received,complaints_upheld,complaints_on_time\n\
2025-01, 1-101 ,40,2,300,6000,3,85,92,yes,no,38,5,1,0,0,2,1,3,1,3\n";
        let (rows, problems) = read(file.as_bytes(), today(), &no_logs);
        assert!(problems.is_empty(), "{:?}", lines(&problems));
        assert_eq!((rows[0].line, rows[0].location.as_str(), rows[0].figures.headcount), (2, "1-101", 40));
    }

    #[test]
    fn a_spreadsheet_export_with_a_byte_order_mark_and_crlf_is_read() {
        let file = format!("\u{feff}{HEADER}\r\n1-101,2025-01,40,2,300,6000,3,85,92,yes,no,38,5,1,0,0,2,1,3,1,3\r\n");
        let (rows, problems) = read(file.as_bytes(), today(), &no_logs);
        assert!(problems.is_empty(), "{:?}", lines(&problems));
        assert_eq!(rows.len(), 1);
    }

    #[test]
    fn header_problems_name_each_column() {
        let (_, problems) = read(b"location_id,month,headcont\n1-1,2025-01,4\n", today(), &no_logs);
        let text = lines(&problems).join("\n");
        assert!(text.contains("line 1, column headcont: is not a column of the template"), "{text}");
        assert!(text.contains("line 1, column headcount: is missing"), "{text}");
        assert!(text.contains("column complaints_on_time: is missing"), "{text}");
        assert_eq!(
            lines(&read(b"", today(), &no_logs).1),
            ["line 1: the file is empty: start it with the template's header"]
        );
        let header_only = format!("{HEADER}\n");
        let (_, problems) = read(header_only.as_bytes(), today(), &no_logs);
        assert_eq!(lines(&problems), ["line 2: the file has a header but no rows: add one row per location and month"]);
    }

    #[test]
    fn a_file_cut_inside_a_quoted_value_is_refused_whole() {
        let good = "1-101,2025-01,40,2,300,6000,3,85,92,yes,no,38,5,1,0,0,2,1,3,1,3";
        let cut = format!("{HEADER}\n{good}\n\"1-101\",\"2025-02");
        let (rows, problems) = read(cut.as_bytes(), today(), &no_logs);
        assert!(rows.is_empty(), "nothing is read from a file cut short");
        assert_eq!(lines(&problems), [format!("line 3: {CUT_SHORT}; send the whole file again")]);
    }

    #[test]
    fn every_bad_value_short_row_and_repeat_is_named_with_its_line() {
        let good = "1-101,2025-01,40,2,300,6000,3,85,92,yes,no,38,5,1,0,0,2,1,3,1,3";
        let file = format!(
            "{HEADER}\n{good}\nX-1,2025-13,40,2,300,6000,3,85,92,yes,no,38,5,1,0,0,2,1,3,1,3\n1-101,2025-02\n{good}\n"
        );
        let (rows, problems) = read(file.as_bytes(), today(), &no_logs);
        assert_eq!(rows.len(), 1);
        assert_eq!(
            lines(&problems),
            [
                "line 3, column location_id: location ID \"X-1\" is not valid: expected 1- followed by digits, like 1-545611283",
                "line 3, column month: \"2025-13\" is not a month: write it as YYYY-MM, like 2026-01",
                "line 4: has 2 values, but the header has 21 columns",
                "line 5, column month: 2025-01 for 1-101 is also on line 2: give each month once",
            ]
        );
    }

    #[test]
    fn complaint_figures_a_log_counts_may_be_left_blank() {
        let file = format!("{HEADER}\n1-101,2025-01,40,2,300,6000,3,85,92,yes,no,38,5,1,0,0,2,1,,,\n");
        let (_, problems) = read(file.as_bytes(), today(), &no_logs);
        assert_eq!(problems.len(), 3, "without a log they are required: {:?}", lines(&problems));
        let logs = |id: &LocationId, month: Month| {
            (id.as_str() == "1-101" && month >= Month::new(2025, 1).unwrap()).then_some(LoggedComplaints {
                received: 2,
                upheld: 1,
                on_time: 2,
            })
        };
        let (rows, problems) = read(file.as_bytes(), today(), &logs);
        assert!(problems.is_empty(), "{:?}", lines(&problems));
        assert_eq!(rows[0].figures.complaints_received, 2);
    }

    #[test]
    fn a_blank_template_reads_back_wanting_only_its_figures() {
        let location = LocationId::parse("1-101").unwrap();
        let months = [Month::new(2026, 1).unwrap(), Month::new(2026, 2).unwrap()];
        let text = blank(&location, &months);
        assert!(text.starts_with(&format!("{HEADER}\n1-101,2026-01,,")), "{text}");
        let (rows, problems) = read(text.as_bytes(), today(), &no_logs);
        assert!(rows.is_empty());
        assert!(problems.iter().all(|p| !matches!(p.column.as_deref(), Some("location_id" | "month"))), "{problems:?}");
        assert_eq!(problems.iter().filter(|p| p.line == 3).count(), FIELDS.len() - 1, "each figure is asked for");
    }
}
