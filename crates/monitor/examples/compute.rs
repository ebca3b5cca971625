//! The monitoring computation alone, from data already in memory:
//! `cargo run --release -p candour-monitor --example compute -- DB [RUNS] [--today YYYY-MM-DD] [--dump DIR]`.
//!
//! Loads the monitor's inputs once (untimed, as the monitor holds them), then times
//! `Snapshot::compute` (indicators, comparisons, CUSUM, flags and watchlist) RUNS times
//! (default 5) and prints the median and the fastest as JSON. With `--dump DIR` it also
//! writes what it computed from, and what it computed, as CSV files in DIR, for
//! bench/duckdb_compare.py to load into DuckDB and check its SQL against:
//!
//! - `services.csv`, `voice_months.csv`, `provider_returns.csv`: the inputs, row for row
//!   as they are in memory (a month the monitor holds without voice has zero counts;
//!   returns carry the complaint log's figures where the monitor put them);
//! - `figures.csv`: each service's indicators for the latest window;
//! - `watchlist.csv`: each service's counts, score, band and flags.
//!
//! `SqliteStore::open` brings the schema up to date, so give it a copy of a database
//! that must not be written.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::NaiveDate;

use candour_engine::monitoring::{MonitoringPolicy, Status};
use candour_monitor::{Inputs, Snapshot};
use candour_store_sqlite::SqliteStore;

struct Args {
    db: PathBuf,
    runs: usize,
    today: NaiveDate,
    dump: Option<PathBuf>,
}

const USAGE: &str = "usage: compute DB [RUNS] [--today YYYY-MM-DD] [--dump DIR]";

fn args() -> Args {
    let mut args = std::env::args().skip(1);
    let (mut db, mut runs, mut today, mut dump) = (None, 5, chrono::Utc::now().date_naive(), None);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--today" => today = args.next().and_then(|d| d.parse().ok()).expect(USAGE),
            "--dump" => dump = Some(PathBuf::from(args.next().expect(USAGE))),
            _ if db.is_none() => db = Some(PathBuf::from(arg)),
            _ => runs = arg.parse().expect(USAGE),
        }
    }
    Args { db: db.expect(USAGE), runs: runs.max(1), today, dump }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let Args { db, runs, today, dump } = args();
    let policy = MonitoringPolicy::default();
    let store = SqliteStore::open(&db).await.expect("open the database");
    let started = Instant::now();
    let inputs = Inputs::load(&store, &policy, today).await.expect("load the monitor's inputs");
    let load = started.elapsed();
    let mut times = Vec::with_capacity(runs);
    let mut snapshot = None;
    for _ in 0..runs {
        let computed = Snapshot::compute(&inputs, &policy, today, load).expect("compute");
        times.push(computed.timings.compute);
        snapshot = Some(computed);
    }
    let snapshot = snapshot.expect("at least one run");
    if let Some(dir) = &dump {
        std::fs::create_dir_all(dir)?;
        dump_inputs(&inputs, dir)?;
        dump_results(&snapshot, dir)?;
    }
    times.sort();
    let seconds = |d: Duration| d.as_secs_f64();
    println!(
        "{{\"month\": \"{}\", \"from\": \"{}\", \"today\": \"{today}\", \"services\": {}, \"not_computed\": {}, \
         \"load_seconds\": {:.4}, \"runs\": {runs}, \"compute_median_seconds\": {:.4}, \
         \"compute_min_seconds\": {:.4}, \"compute_seconds\": [{}]}}",
        inputs.month,
        inputs.from,
        snapshot.len(),
        inputs.not_computed.len(),
        seconds(load),
        seconds(times[times.len() / 2]),
        seconds(times[0]),
        times.iter().map(|t| format!("{:.4}", seconds(*t))).collect::<Vec<_>>().join(", ")
    );
    Ok(())
}

fn create(dir: &Path, name: &str) -> std::io::Result<BufWriter<File>> {
    Ok(BufWriter::new(File::create(dir.join(name))?))
}

fn optional<T: ToString>(value: Option<T>) -> String {
    value.map_or(String::new(), |v| v.to_string())
}

/// The inputs as the monitor holds them; free text (specialisms) quoted for CSV.
fn dump_inputs(inputs: &Inputs, dir: &Path) -> std::io::Result<()> {
    let mut services = create(dir, "services.csv")?;
    let mut voice = create(dir, "voice_months.csv")?;
    let mut returns = create(dir, "provider_returns.csv")?;
    for (facts, service) in inputs.facts.iter().zip(&inputs.services) {
        let overdue = service.overdue_complaints;
        let reads = service.policy_reads;
        writeln!(
            services,
            "{},{},{},\"{}\",{},{},{},{},{},{},{},{}",
            facts.id,
            facts.kind.code(),
            optional(facts.beds),
            facts.specialisms.join("|").replace('"', "\"\""),
            optional(service.last_severe_alert),
            optional(overdue.map(|o| o.count)),
            optional(overdue.map(|o| o.oldest_due)),
            optional(service.complaint_log_since),
            optional(reads.map(|r| r.month)),
            optional(reads.map(|r| r.confirmed)),
            optional(reads.map(|r| r.expected)),
            service.peer_group,
        )?;
        for month in &service.months {
            let v = &month.voice;
            writeln!(
                voice,
                "{},{},{},{},{},{},{:?},{:?},{},{},{},{:?},{:?},{},{:?},{:?},{},{}",
                facts.id,
                month.month,
                v.responses,
                v.positive,
                v.rated,
                v.outcome_n,
                v.outcome_sum,
                v.outcome_sum_sq,
                v.stories,
                v.critical_stories,
                v.speak_up_n,
                v.speak_up_sum,
                v.speak_up_sum_sq,
                v.enough_staff_n,
                v.enough_staff_sum,
                v.enough_staff_sum_sq,
                v.partner_responses,
                v.partner_concerns
            )?;
            let Some(r) = &month.return_ else { continue };
            writeln!(
                returns,
                "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                facts.id,
                r.month,
                r.headcount,
                r.leavers,
                r.agency_hours,
                r.hours_worked,
                r.vacancies,
                r.supervision_pct,
                r.training_pct,
                r.registered_manager,
                r.manager_changed,
                r.people_supported,
                r.incidents,
                r.restraint,
                r.seclusion,
                r.segregation,
                r.notifications,
                r.safeguarding_referrals,
                r.complaints_received,
                r.complaints_upheld,
                r.complaints_on_time
            )?;
        }
    }
    services.flush()?;
    voice.flush()?;
    returns.flush()
}

fn status_code(status: Status) -> &'static str {
    match status {
        Status::NotEnoughData => "not_enough_data",
        Status::NoEvidenceOfRisk => "no_evidence_of_risk",
        Status::Risk => "risk",
        Status::Elevated => "elevated",
    }
}

/// The engine's figures for the latest window, and each service's watchlist entry.
/// Floats are written in full (`{:?}` round-trips), so differences are the engine's.
fn dump_results(snapshot: &Snapshot, dir: &Path) -> std::io::Result<()> {
    let mut figures = create(dir, "figures.csv")?;
    let mut watchlist = create(dir, "watchlist.csv")?;
    for (result, entry) in snapshot.results.iter().zip(&snapshot.entries) {
        for r in &result.indicators {
            let c = r.comparison;
            writeln!(
                figures,
                "{},{},{},{},{},{},{},{},{},{},{},{},{}",
                result.service_id,
                r.indicator.info().code,
                r.n,
                optional(r.value.map(|v| format!("{v:?}"))),
                optional(c.map(|c| format!("{:?}", c.theta0))),
                optional(c.map(|c| format!("{:?}", c.tau2))),
                optional(c.map(|c| format!("{:?}", c.z))),
                optional(c.map(|c| format!("{:?}", c.lo95))),
                optional(c.map(|c| format!("{:?}", c.hi95))),
                optional(c.map(|c| format!("{:?}", c.lo998))),
                optional(c.map(|c| format!("{:?}", c.hi998))),
                r.cusum_signal,
                status_code(r.status)
            )?;
        }
        let mut flags: Vec<&str> = result.flags.iter().map(|f| f.kind.code()).collect();
        flags.sort_unstable();
        writeln!(
            watchlist,
            "{},{},{},{},{},{},{},{}",
            entry.service_id,
            entry.risk,
            entry.elevated,
            entry.with_data,
            optional(entry.score.map(|s| format!("{s:?}"))),
            entry.score_band,
            entry.band,
            flags.join("|")
        )?;
    }
    figures.flush()?;
    watchlist.flush()
}
