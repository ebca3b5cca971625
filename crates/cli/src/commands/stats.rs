//! `candour stats proportions FILE|-`: compares services' proportions fairly (funnel
//! z-scores allowing for real variation between services, and estimates shrunk towards
//! the peers) from a CSV of `id,x,n`, and prints the figures as JSON.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::io::Write;

use anyhow::Context;
use candour_engine::stats::{DispersionOptions, ProportionComparison, ProportionOptions, compare_proportions};
use serde_json::{Map, Value, json};

use crate::ProportionsArgs;

/// The largest CSV read: a million services fit many times over.
const MAX_INPUT_BYTES: u64 = 256 * 1024 * 1024;

/// The notes advise estimating τ² from no fewer services than this.
const ADVISED_SERVICES: usize = 10;

/// One service's counts, from one row of the CSV.
struct Row {
    id: String,
    x: u32,
    n: u32,
}

pub fn proportions(args: &ProportionsArgs) -> anyhow::Result<()> {
    let (text, source) = super::read_input(&args.file, MAX_INPUT_BYTES)?;
    let rows = parse_rows(&text, &source)?;
    let options = ProportionOptions {
        target: args.target,
        dispersion: DispersionOptions {
            trim: args.trim,
            min_n: args.min_n,
            // Without --min-services τ² is estimated from any number of services (two at
            // least, which the formula needs); a warning says when they are fewer than advised.
            min_services: args.min_services.unwrap_or(2),
            default_tau2: args.default_tau2,
        },
    };
    let counts: Vec<(u32, u32)> = rows.iter().map(|row| (row.x, row.n)).collect();
    let comparison = compare_proportions(&counts, options).context("cannot compare the services")?;
    if args.min_services.is_none() && comparison.tau2_estimated && comparison.services_used < ADVISED_SERVICES {
        eprintln!(
            "warning: τ² was estimated from only {} services; at least {ADVISED_SERVICES} are advised \
             (--min-services {ADVISED_SERVICES} uses --default-tau2 instead)",
            comparison.services_used
        );
    }
    let json = serde_json::to_string_pretty(&report(args, &rows, &comparison)).context("cannot write the JSON")?;
    writeln!(std::io::stdout().lock(), "{json}").context("cannot write the result")?;
    Ok(())
}

/// The JSON: the figures needed to recompute everything, then each service by its id.
fn report(args: &ProportionsArgs, rows: &[Row], comparison: &ProportionComparison) -> Value {
    let services: Map<String, Value> =
        rows.iter().zip(&comparison.services).map(|(row, figures)| (row.id.clone(), json!(figures))).collect();
    json!({
        "theta0": comparison.theta0,
        "phi": comparison.phi,
        "tau2": comparison.tau2,
        "tau2_estimated": comparison.tau2_estimated,
        "trim": args.trim,
        "min_n": args.min_n,
        "min_services": args.min_services,
        "default_tau2": args.default_tau2,
        "target": args.target,
        "services_used": comparison.services_used,
        "prior": comparison.prior,
        "services": services,
    })
}

/// Reads the `id,x,n` rows, listing every bad row with its line before giving up.
fn parse_rows(text: &str, source: &str) -> anyhow::Result<Vec<Row>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut records = reader.records();
    let header =
        records.next().with_context(|| format!("{source} is empty: expected a header id,x,n and a row per service"))?;
    let header = header.with_context(|| format!("{source} is not readable CSV"))?;
    let names: Vec<String> = header.iter().map(|name| name.trim().to_lowercase()).collect();
    if names != ["id", "x", "n"] {
        anyhow::bail!(
            "{source} line 1: the header must be id,x,n (it is {})",
            header.iter().collect::<Vec<_>>().join(",")
        );
    }
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for record in records {
        let record = record.with_context(|| format!("{source} is not readable CSV"))?;
        let line = record.position().map_or(0, |p| p.line());
        match parse_row(&record).and_then(|row| unique(row, line, &mut seen)) {
            Ok(row) => rows.push(row),
            Err(problem) => problems.push(format!("line {line}: {problem}")),
        }
    }
    if !problems.is_empty() {
        anyhow::bail!("{source} has {} invalid rows:\n{}", problems.len(), problems.join("\n"));
    }
    if rows.is_empty() {
        anyhow::bail!("{source} has a header but no services: expected a row id,x,n per service");
    }
    Ok(rows)
}

fn parse_row(record: &csv::StringRecord) -> Result<Row, String> {
    if record.len() != 3 {
        return Err(format!("expected 3 columns id,x,n, found {}", record.len()));
    }
    let id = record[0].trim();
    if id.is_empty() {
        return Err("the id is empty".to_string());
    }
    let count = |name: &str, value: &str| {
        value
            .trim()
            .parse::<u32>()
            .map_err(|_| format!("{name} must be a whole number of at least 0 (it is \"{value}\")"))
    };
    let (x, n) = (count("x", &record[1])?, count("n", &record[2])?);
    if n == 0 {
        return Err(format!("n is 0 for {id}: a service needs at least one answer to compare"));
    }
    if x > n {
        return Err(format!("x ({x}) is more than n ({n}) for {id}"));
    }
    Ok(Row { id: id.to_string(), x, n })
}

/// Refuses an id already seen, naming the line it was first on.
fn unique(row: Row, line: u64, seen: &mut HashMap<String, u64>) -> Result<Row, String> {
    match seen.entry(row.id.clone()) {
        Entry::Occupied(first) => Err(format!("the id {} is already on line {}", row.id, first.get())),
        Entry::Vacant(slot) => {
            slot.insert(line);
            Ok(row)
        }
    }
}
