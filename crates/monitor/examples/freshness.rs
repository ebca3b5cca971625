//! How long one new response takes to show in its service's indicators and band on
//! a real database: `cargo run --release -p candour-monitor --example freshness -- DB [ROUNDS]`.
//! Each round submits one response to a service (the store journals it) and waits for the
//! monitor to settle; prints the first full computation and each round's time.

use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;

use candour_domain::voice::{Channel, Feedback, OUTCOME_QUESTIONS, RawFeedback};
use candour_engine::monitoring::{Indicator, MonitoringPolicy};
use candour_monitor::Monitor;
use candour_store::{NewFeedback, Prescreen, VoiceStore};
use candour_store_sqlite::SqliteStore;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: freshness DB [ROUNDS]");
    let rounds: usize = args.next().map_or(20, |r| r.parse().expect("a number of rounds"));
    let store = Arc::new(SqliteStore::open(path.as_ref()).await.expect("open the database"));
    let started = Instant::now();
    let monitor = Monitor::start(store.clone(), MonitoringPolicy::default());
    let first = monitor.settled().await;
    println!(
        "first snapshot: {} services in {:.2} s (load {:.2} s, compute {:.2} s)",
        first.len(),
        started.elapsed().as_secs_f64(),
        first.timings.load.as_secs_f64(),
        first.timings.compute.as_secs_f64()
    );
    let mut times = Vec::new();
    for round in 0..rounds {
        let id = first.facts[(round * 7919) % first.len()].id.clone();
        let before =
            monitor.current().unwrap().get(&id).unwrap().results.indicator(Indicator::PositiveOverall).unwrap().n;
        let raw = RawFeedback {
            respondent: "family".into(),
            overall: "very_poor".into(),
            answers: OUTCOME_QUESTIONS.iter().map(|q| (q.code.to_string(), "not_at_all".to_string())).collect(),
            ..RawFeedback::default()
        };
        let key = format!("freshness-{}-{round}", Utc::now().timestamp_nanos_opt().unwrap_or_default());
        let new = NewFeedback {
            location_id: id.clone(),
            feedback: Feedback::parse(&raw, Channel::Online).expect("valid feedback"),
            key_hash: key.clone(),
            reference: key,
            received_at: Utc::now(),
            entered_by: None,
            prescreen: Prescreen::default(),
            alert: None,
            // No text to read: published at once.
            status: candour_store::FeedbackStatus::Published,
        };
        let sent = Instant::now();
        store.submit_feedback(&new).await.expect("submit");
        let after = monitor.settled().await;
        let took = sent.elapsed();
        let now = after.get(&id).unwrap();
        let n = now.results.indicator(Indicator::PositiveOverall).unwrap().n;
        println!(
            "round {round}: {id} answers {before} -> {n}, band {}, {:.0} ms (read back {:.0} ms, computed {:.0} ms)",
            now.entry.band,
            took.as_secs_f64() * 1e3,
            after.timings.load.as_secs_f64() * 1e3,
            after.timings.compute.as_secs_f64() * 1e3
        );
        times.push(took.as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    if !times.is_empty() {
        println!(
            "reflected after: median {:.0} ms, worst {:.0} ms over {} rounds",
            times[times.len() / 2] * 1e3,
            times[times.len() - 1] * 1e3,
            times.len()
        );
    }
}
