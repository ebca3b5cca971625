//! Load on the feedback path of the store alone: many people submitting at once
//! through `submit_feedback` (group commit), reporting throughput and latency.
//!
//! cargo run --release -p candour-store-sqlite --example submit_load -- [clients] [seconds]

use std::sync::Arc;
use std::time::{Duration, Instant};

use candour_domain::voice::{Channel, Feedback, OUTCOME_QUESTIONS, RawFeedback};
use candour_domain::{Location, LocationId, Provider, ProviderId};
use candour_store::{ImportPlan, NewFeedback, Prescreen, RegisterStore, VoiceStore};
use candour_store_sqlite::SqliteStore;

const LOCATIONS: u32 = 100;

fn feedback(n: u64) -> Feedback {
    let raw = RawFeedback {
        respondent: "person".into(),
        overall: ["very_good", "good", "poor"][n as usize % 3].into(),
        answers: OUTCOME_QUESTIONS.iter().map(|q| (q.code.to_string(), "good_enough".to_string())).collect(),
        story: if n.is_multiple_of(3) {
            "The staff were kind and the food was good. ".repeat(5)
        } else {
            String::new()
        },
        ..RawFeedback::default()
    };
    Feedback::parse(&raw, Channel::Online).expect("valid feedback")
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<u64>().expect("a number"));
    let clients = args.next().unwrap_or(64);
    let seconds = args.next().unwrap_or(10);
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = Arc::new(SqliteStore::open(&dir.path().join("load.db")).await.expect("open"));
    let provider = ProviderId::parse("1-1").expect("id");
    let plan = ImportPlan {
        providers: vec![Provider::new(provider.clone(), "Load Ltd")],
        locations: (0..LOCATIONS)
            .map(|n| {
                Location::new(LocationId::parse(&format!("1-{}", 1000 + n)).expect("id"), provider.clone(), "Home")
            })
            .collect(),
        ..Default::default()
    };
    store.apply_import(&plan).await.expect("import");
    let until = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = tokio::task::JoinSet::new();
    for client in 0..clients {
        let store = Arc::clone(&store);
        tasks.spawn(async move {
            let mut latencies = Vec::new();
            let mut n = client;
            while Instant::now() < until {
                let feedback = feedback(n);
                let new = NewFeedback {
                    location_id: LocationId::parse(&format!("1-{}", 1000 + n % u64::from(LOCATIONS))).expect("id"),
                    status: candour_store::FeedbackStatus::on_arrival(&feedback),
                    feedback,
                    key_hash: format!("{n:064x}"),
                    reference: format!("R{n:010}"),
                    received_at: chrono::Utc::now(),
                    entered_by: None,
                    prescreen: Prescreen::default(),
                    alert: None,
                };
                let started = Instant::now();
                store.submit_feedback(&new).await.expect("submit");
                latencies.push(started.elapsed());
                n += clients;
            }
            latencies
        });
    }
    let mut latencies: Vec<Duration> = Vec::new();
    while let Some(done) = tasks.join_next().await {
        latencies.extend(done.expect("client"));
    }
    latencies.sort();
    let at = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    println!(
        "{} submissions in {seconds} s by {clients} clients: {:.0}/s; latency p50 {:?}, p99 {:?}, max {:?}",
        latencies.len(),
        latencies.len() as f64 / seconds as f64,
        at(0.5),
        at(0.99),
        latencies[latencies.len() - 1]
    );
}
