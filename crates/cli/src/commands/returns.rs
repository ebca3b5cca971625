//! `candour import provider-returns FILE`: providers' monthly figures from the CSV
//! template (`examples/provider-returns.csv`). Every row is checked first; one bad
//! row, or one location not in the register, and nothing is written.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::path::Path;

use anyhow::Context;
use candour_domain::LocationId;
use candour_domain::returns::{FIELDS, MonthlyReturn, RawReturn};
use candour_store::{ReturnBatch, ReturnSource, ReturnsStore, Store, StoreError};
use chrono::Utc;

use crate::ReturnsArgs;

/// The column naming the location; the others are the return's fields.
const LOCATION_COLUMN: &str = "location_id";

/// One refused value: where it is and why.
#[derive(Debug)]
struct Problem {
    line: u64,
    column: Option<String>,
    reason: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(column) => write!(f, "line {}, column {column}: {}", self.line, self.reason),
            None => write!(f, "line {}: {}", self.line, self.reason),
        }
    }
}

fn problem(line: u64, column: Option<&str>, reason: impl Into<String>) -> Problem {
    Problem { line, column: column.map(str::to_string), reason: reason.into() }
}

/// A row that passed its own checks, with the line it came from.
struct Row {
    line: u64,
    location: LocationId,
    figures: MonthlyReturn,
}

pub async fn import(args: &ReturnsArgs) -> anyhow::Result<()> {
    let text = std::fs::read(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?;
    let (rows, mut problems) = read(&text);
    let store = super::open_store(&args.db).await?;
    problems.extend(unknown_locations(&store, &rows).await?);
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.line);
        let list: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
        anyhow::bail!(
            "{} has {} problem(s); nothing was imported:\n{}",
            args.file.display(),
            problems.len(),
            list.join("\n")
        );
    }
    let batch = ReturnBatch {
        returns: rows.into_iter().map(|r| (r.location, r.figures)).collect(),
        sent_by: None,
        sent_at: Utc::now(),
        source: ReturnSource::Csv,
    };
    let counts = store
        .save_returns(&batch)
        .await
        .with_context(|| format!("the returns in {} were not saved; nothing was imported", display(&args.file)))?;
    println!(
        "Provider returns from {}: {} added, {} replaced, {} unchanged.",
        display(&args.file),
        counts.added,
        counts.replaced,
        counts.unchanged
    );
    Ok(())
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

/// Reads and checks every row; returns the good rows and every problem found.
fn read(bytes: &[u8]) -> (Vec<Row>, Vec<Problem>) {
    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(bytes);
    let header = match reader.headers() {
        Ok(h) if h.iter().any(|c| !c.is_empty()) => h.iter().map(|c| c.to_ascii_lowercase()).collect::<Vec<_>>(),
        Ok(_) => return (Vec::new(), vec![problem(1, None, "the file is empty: start it with the template's header")]),
        Err(e) => return (Vec::new(), vec![problem(1, None, format!("the header cannot be read: {e}"))]),
    };
    let mut problems = check_header(&header);
    if !problems.is_empty() {
        return (Vec::new(), problems);
    }
    let today = Utc::now().date_naive();
    let mut rows = Vec::new();
    let mut first_seen: HashMap<(LocationId, String), u64> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                problems.push(problem(line, None, format!("the row cannot be read: {e}")));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != header.len() {
            let reason = format!("has {} values, but the header has {} columns", record.len(), header.len());
            problems.push(problem(line, None, reason));
            continue;
        }
        let values: HashMap<&str, &str> = header.iter().map(String::as_str).zip(record.iter()).collect();
        if let Some(row) = check_row(line, &values, today, &mut problems) {
            match first_seen.get(&(row.location.clone(), row.figures.month.to_string())) {
                Some(earlier) => problems.push(problem(
                    line,
                    Some("month"),
                    format!(
                        "{} for {} is also on line {earlier}: give each month once",
                        row.figures.month, row.location
                    ),
                )),
                None => {
                    first_seen.insert((row.location.clone(), row.figures.month.to_string()), line);
                    rows.push(row);
                }
            }
        }
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push(problem(2, None, "the file has a header but no rows: add one row per location and month"));
    }
    (rows, problems)
}

/// Every column of the template, each once, and nothing else.
fn check_header(header: &[String]) -> Vec<Problem> {
    let expected: Vec<&str> = std::iter::once(LOCATION_COLUMN).chain(FIELDS.iter().map(|(f, _)| *f)).collect();
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for column in header {
        if !expected.contains(&column.as_str()) {
            problems.push(problem(1, Some(column), "is not a column of the template: remove it or correct its name"));
        } else if !seen.insert(column.as_str()) {
            problems.push(problem(1, Some(column), "appears twice: keep one"));
        }
    }
    for column in expected {
        if !seen.contains(column) {
            problems.push(problem(1, Some(column), "is missing: add it (the template lists every column)"));
        }
    }
    problems
}

fn check_row(
    line: u64,
    values: &HashMap<&str, &str>,
    today: chrono::NaiveDate,
    problems: &mut Vec<Problem>,
) -> Option<Row> {
    let location = LocationId::parse(values[LOCATION_COLUMN]).map_err(|e| {
        problems.push(problem(line, Some(LOCATION_COLUMN), e.to_string()));
    });
    let mut raw = RawReturn::default();
    for (field, _) in FIELDS {
        raw.set(field, values[field]);
    }
    let figures = MonthlyReturn::parse(&raw, today).map_err(|errors| {
        problems.extend(errors.into_iter().map(|e| problem(line, Some(e.field), e.message)));
    });
    Some(Row { line, location: location.ok()?, figures: figures.ok()? })
}

/// Rows naming a location that is not in the register, each named.
async fn unknown_locations(store: &dyn Store, rows: &[Row]) -> anyhow::Result<Vec<Problem>> {
    let mut known: HashMap<&LocationId, bool> = HashMap::new();
    let mut problems = Vec::new();
    for row in rows {
        if !known.contains_key(&row.location) {
            let found = match store.location(&row.location).await {
                Ok(_) => true,
                Err(StoreError::NotFound) => false,
                Err(e) => return Err(e).context("the register could not be read"),
            };
            known.insert(&row.location, found);
        }
        if !known[&row.location] {
            let reason = format!("there is no location with ID {} in the register", row.location);
            problems.push(problem(row.line, Some(LOCATION_COLUMN), reason));
        }
    }
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "location_id,month,headcount,leavers,agency_hours,hours_worked,vacancies,supervision_pct,\
training_pct,registered_manager,manager_changed,people_supported,incidents,restraint,seclusion,segregation,\
notifications,safeguarding_referrals,complaints_received,complaints_upheld,complaints_on_time";

    fn lines(problems: &[Problem]) -> Vec<String> {
        problems.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn good_rows_are_read_with_any_column_order_and_case() {
        let file = "Month,LOCATION_ID,headcount,leavers,agency_hours,hours_worked,vacancies,supervision_pct,\
training_pct,registered_manager,manager_changed,people_supported,incidents,restraint,seclusion,segregation,\
notifications,safeguarding_referrals,complaints_received,complaints_upheld,complaints_on_time\n\
2025-01, 1-101 ,40,2,300,6000,3,85,92,yes,no,38,5,1,0,0,2,1,3,1,3\n";
        let (rows, problems) = read(file.as_bytes());
        assert!(problems.is_empty(), "{:?}", lines(&problems));
        assert_eq!((rows[0].line, rows[0].location.as_str(), rows[0].figures.headcount), (2, "1-101", 40));
    }

    #[test]
    fn header_problems_name_each_column() {
        let (_, problems) = read(b"location_id,month,headcont\n1-1,2025-01,4\n");
        let text = lines(&problems).join("\n");
        assert!(text.contains("line 1, column headcont: is not a column of the template"), "{text}");
        assert!(text.contains("line 1, column headcount: is missing"), "{text}");
        assert!(text.contains("column complaints_on_time: is missing"), "{text}");
        assert_eq!(lines(&read(b"").1), ["line 1: the file is empty: start it with the template's header"]);
    }

    #[test]
    fn every_bad_value_short_row_and_repeat_is_named_with_its_line() {
        let good = "1-101,2025-01,40,2,300,6000,3,85,92,yes,no,38,5,1,0,0,2,1,3,1,3";
        let file = format!(
            "{HEADER}\n{good}\nX-1,2025-13,40,2,300,6000,3,85,92,yes,no,38,5,1,0,0,2,1,3,1,3\n1-101,2025-02\n{good}\n"
        );
        let (rows, problems) = read(file.as_bytes());
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
}
