//! Feedback submitted by many people at once to two instances on one database:
//! durable submissions per second, each answered only once committed.
//!
//! cargo run -p candour-store-postgres --example submissions -- postgres://… [seconds] [people] [locations]
//!
//! Makes a schema of its own in the database the URL names, and drops it at the end.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use candour_domain::voice::{Channel, Feedback, OUTCOME_QUESTIONS, RawFeedback};
use candour_domain::{Location, LocationId, Provider, ProviderId};
use candour_store::*;
use candour_store_postgres::{PoolSize, PostgresStore};
use chrono::Utc;

fn raw(n: u64) -> RawFeedback {
    RawFeedback {
        respondent: "person".into(),
        overall: ["very_good", "good", "neither", "poor"][n as usize % 4].into(),
        answers: OUTCOME_QUESTIONS.iter().map(|q| (q.code.to_string(), "good_enough".to_string())).collect(),
        // One in four writes a story, which waits for moderation.
        story: if n.is_multiple_of(4) { "The staff are kind.".into() } else { String::new() },
        ..RawFeedback::default()
    }
}

fn submission(n: u64, locations: u64) -> NewFeedback {
    let feedback = Feedback::parse(&raw(n), Channel::Online).expect("valid");
    NewFeedback {
        location_id: LocationId::parse(&format!("1-{}", 10_000 + n % locations)).expect("id"),
        status: FeedbackStatus::on_arrival(&feedback),
        feedback,
        key_hash: format!("{:064x}", u128::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835)),
        reference: format!("R{n:09}"),
        received_at: Utc::now(),
        entered_by: None,
        prescreen: Prescreen::default(),
        alert: None,
    }
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let url = args.next().expect("a postgres:// URL");
    let mut numbers = args.map(|a| a.parse::<u64>().expect("a number"));
    let seconds = numbers.next().unwrap_or(10);
    let people = numbers.next().unwrap_or(800);
    let locations = numbers.next().unwrap_or(1_000);

    let schema = format!("submissions_{:08x}", std::process::id());
    let admin = sqlx::PgPool::connect(&url).await.expect("connect");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}"))).execute(&admin).await.expect("schema");
    let separator = if url.contains('?') { '&' } else { '?' };
    let in_schema = format!("{url}{separator}options[search_path]={schema}");
    let first = Arc::new(PostgresStore::open(&in_schema, PoolSize(8)).await.expect("open"));
    let second = Arc::new(PostgresStore::open(&in_schema, PoolSize(8)).await.expect("open"));

    let provider = ProviderId::parse("1-1").expect("id");
    let plan = ImportPlan {
        providers: vec![Provider::new(provider.clone(), "Load Ltd")],
        locations: (0..locations)
            .map(|n| {
                Location::new(LocationId::parse(&format!("1-{}", 10_000 + n)).expect("id"), provider.clone(), "Home")
            })
            .collect(),
        ..Default::default()
    };
    first.apply_import(&plan).await.expect("import");

    let next = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for person in 0..people {
        let store = Arc::clone(if person % 2 == 0 { &first } else { &second });
        let next = Arc::clone(&next);
        tasks.spawn(async move {
            let mut done = 0u64;
            while Instant::now() < deadline {
                let n = next.fetch_add(1, Ordering::Relaxed);
                store.submit_feedback(&submission(n, locations)).await.expect("submitted");
                done += 1;
            }
            done
        });
    }
    let committed: u64 = tasks.join_all().await.into_iter().sum();
    let elapsed = started.elapsed();
    println!(
        "{committed} submissions by {people} people to two instances in {elapsed:?}: {:.0} per second",
        committed as f64 / elapsed.as_secs_f64()
    );
    let journal = first.last_change().await.expect("journal");
    println!("journal entries: {journal}");

    first.close().await;
    second.close().await;
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE"))).execute(&admin).await.expect("drop");
}
