//! Bulk loading of past responses (the demo's path): rows per second as the
//! database grows, with a realistic share of stories, outcomes and replies.
//!
//! cargo run --release -p candour-store-postgres --example historic_load_postgres -- postgres://… [responses] [batch] [locations]
//!
//! The same responses as store-sqlite's historic_load example, to compare the
//! two. Makes a schema of its own in the database the URL names, and drops it at the end.

use std::time::Instant;

use candour_domain::voice::{ChangeClaim, Channel, Feedback, OUTCOME_QUESTIONS, Progress, RawFeedback};
use candour_domain::{Email, Location, LocationId, Provider, ProviderId};
use candour_store::*;
use candour_store_postgres::{PoolSize, PostgresStore};
use chrono::{Duration, Utc};

/// Well-mixed 64-bit values, so keys and references land all over their indexes like real ones.
fn mix(n: u64) -> u64 {
    let mut z = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn response(n: u64, locations: u64, author: candour_domain::UserId) -> HistoricFeedback {
    let r = mix(n);
    let story = r.is_multiple_of(4);
    let outcomes =
        if r % 10 == 1 { vec!["Walk to the shop".to_string(), "See my grandchildren".to_string()] } else { vec![] };
    let raw = RawFeedback {
        respondent: "person".into(),
        overall: ["very_good", "good", "neither", "poor"][(r >> 8) as usize % 4].into(),
        answers: OUTCOME_QUESTIONS
            .iter()
            .enumerate()
            .map(|(i, q)| {
                (
                    q.code.to_string(),
                    ["just_as_i_want", "good_enough", "not_applicable"][(r >> (12 + i)) as usize % 3].to_string(),
                )
            })
            .collect(),
        personal_outcomes: outcomes.clone(),
        story: if story {
            "The staff are kind, but the evenings are long and there is not much to do.".into()
        } else {
            String::new()
        },
        ..RawFeedback::default()
    };
    let received_at = Utc::now() - Duration::minutes((r % (730 * 24 * 60)) as i64);
    // Like the demo: a batch holds whole services, about a hundred responses each.
    let location = LocationId::parse(&format!("1-{}", 10_000 + (n / 100) % locations)).expect("id");
    let moderated = story || !outcomes.is_empty();
    HistoricFeedback {
        new: NewFeedback {
            location_id: location,
            feedback: Feedback::parse(&raw, Channel::Online).expect("valid"),
            key_hash: format!("{:016x}{:016x}{:016x}{:016x}", mix(r), mix(r + 1), mix(r + 2), mix(r + 3)),
            // Scattered like live references (a one-to-one multiplication).
            reference: format!("{:010}", (u128::from(n) * 305_175_781 % 500_246_412_961) as u64),
            received_at,
            entered_by: None,
            prescreen: Prescreen::default(),
            alert: None,
            status: FeedbackStatus::Published,
        },
        status: FeedbackStatus::Published,
        published_text: story.then(|| "The staff are kind, but the evenings are long.".to_string()),
        criticality: moderated.then(|| candour_domain::voice::Criticality::new(1).expect("level")),
        moderated_by: moderated.then_some(author),
        moderated_at: moderated.then_some(received_at + Duration::hours(20)),
        replies: if story && r.is_multiple_of(8) {
            vec![NewReply {
                feedback_id: 0,
                author,
                text: "Thank you: we have started an evening club.".into(),
                change: ChangeClaim::Made,
                change_what: "An evening club".into(),
                at: received_at + Duration::days(3),
                status: ReplyStatus::Published,
            }]
        } else {
            vec![]
        },
        progress: if outcomes.is_empty() {
            vec![]
        } else {
            vec![(0, received_at + Duration::days(30), Progress::Better)]
        },
    }
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let url = args.next().expect("a postgres:// URL");
    let mut args = args.map(|a| a.parse::<u64>().expect("a number"));
    let total = args.next().unwrap_or(1_000_000);
    let batch = args.next().unwrap_or(10_000);
    let locations = args.next().unwrap_or(30_000);
    let schema = format!("historic_{:08x}", std::process::id());
    let admin = sqlx::PgPool::connect(&url).await.expect("connect");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}"))).execute(&admin).await.expect("schema");
    let separator = if url.contains('?') { '&' } else { '?' };
    let store = PostgresStore::open(&format!("{url}{separator}options[search_path]={schema}"), PoolSize(4))
        .await
        .expect("open");

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
    store.apply_import(&plan).await.expect("import");
    let new = NewUser { email: Email::parse("mod@example.org").expect("email"), name: "Mod".into(), grants: vec![] };
    let author = store.create_user(&new).await.expect("user").id;
    let started = Instant::now();
    let mut last = Instant::now();
    let mut loaded = 0;
    while loaded < total {
        let rows: Vec<_> = (loaded..(loaded + batch).min(total)).map(|n| response(n, locations, author)).collect();
        let built = Instant::now();
        store.load_historic_feedback(&rows).await.expect("load");
        loaded += rows.len() as u64;
        if loaded % (batch * 5) == 0 || loaded == total {
            println!(
                "{loaded:>9} loaded: last batch {:.0} rows/s in the store ({:?} to build), overall {:.0} rows/s",
                rows.len() as f64 / built.elapsed().as_secs_f64(),
                built - last,
                loaded as f64 / started.elapsed().as_secs_f64()
            );
        }
        last = Instant::now();
    }
    let size: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT SUM(pg_total_relation_size(c.oid))::bigint FROM pg_class c \
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '{schema}' AND c.relkind = 'r'"
    )))
    .fetch_one(&admin)
    .await
    .expect("size");
    println!("{total} responses in {:?}; schema {} MB", started.elapsed(), size / 1_000_000);
    let id = LocationId::parse("1-10007").expect("id");
    for _ in 0..3 {
        let t = Instant::now();
        let facts = store.voice_facts(&id, Utc::now() - Duration::days(365)).await.expect("facts");
        let stories = store.published_stories(&id, 1, 10).await.expect("stories");
        println!(
            "voice_facts ({} responses) + a page of stories ({} in all): {:?}",
            facts.responses.len(),
            stories.total,
            t.elapsed()
        );
    }
    store.close().await;
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE"))).execute(&admin).await.expect("drop");
}
