//! `candour demo` loads feedback and provider returns as well as a register: the
//! mixes people give, services that fall silent or deteriorate, fresh stories
//! waiting for a moderator with one safeguarding alert, the same for the same seed.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};

use candour_db::TestDatabase;
use candour_domain::returns::{Month, MonthlyReturn};
use candour_domain::voice::{Respondent, ResponseFacts};
use candour_domain::{Email, LocationId};
use candour_store::Store;
use candour_store::{AlertScope, ContactScope, FeedbackStatus, LocationQuery, ModerationQuery, search_all};
use candour_store::{ReturnRecord, ReturnSource};
use chrono::{DateTime, TimeDelta, Utc};

fn candour(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_candour"))
        .args(args)
        .env_remove("CANDOUR_DB")
        .env_remove("CANDOUR_PUBLIC_URL")
        .output()
        .expect("run candour")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A fresh database with the small demo of this seed, and what the command printed.
async fn demo(seed: &str) -> (TestDatabase, String) {
    let database = TestDatabase::fresh().await;
    let out = candour(&["demo", "--scale", "small", "--seed", seed, "--db", &database.value()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    (database, text(&out.stdout))
}

async fn open(database: &TestDatabase) -> std::sync::Arc<dyn Store> {
    database.open().await.store()
}

/// Every response counted for each location, as the published aggregates see them (published ones only).
async fn responses(store: &dyn Store) -> HashMap<LocationId, Vec<ResponseFacts>> {
    let since = Utc::now() - TimeDelta::days(800);
    let mut all = HashMap::new();
    for location in search_all(store, &LocationQuery::default()).await.expect("locations") {
        let facts = store.voice_facts(&location.id, since).await.expect("facts");
        all.insert(location.id, facts.responses);
    }
    all
}

fn percent(part: usize, whole: usize) -> f64 {
    part as f64 * 100.0 / whole as f64
}

#[tokio::test]
async fn the_small_demo_loads_two_years_of_feedback_in_realistic_mixes() {
    let (db, stdout) = demo("7").await;
    for table in ["feedback", "voice_months", "provider_returns", "locations"] {
        assert_ne!(db.analyzed(table).await, Some(false), "PostgreSQL plans from statistics of {table}");
    }
    let store = open(&db).await;
    let by_location = responses(store.as_ref()).await;
    let all: Vec<&ResponseFacts> = by_location.values().flatten().collect();
    assert!(stdout.contains(" feedback responses, "), "{stdout}");
    assert!((27_000..=33_000).contains(&all.len()), "{} responses", all.len());

    let share = |r: Respondent| percent(all.iter().filter(|f| f.respondent == r).count(), all.len());
    for (respondent, low, high) in [
        (Respondent::Person, 52.0, 58.0),
        (Respondent::Family, 22.0, 28.0),
        (Respondent::Advocate, 3.5, 6.5),
        (Respondent::Staff, 8.0, 12.0),
        (Respondent::Partner, 3.5, 6.5),
    ] {
        let s = share(respondent);
        assert!((low..=high).contains(&s), "{respondent:?}: {s:.1}%");
    }
    let oldest = all.iter().map(|f| f.received_at).min().expect("responses");
    assert!(oldest < Utc::now() - TimeDelta::days(700) && oldest > Utc::now() - TimeDelta::days(732));

    // Silent: plenty of feedback once, none for six months.
    let half_year_ago = Utc::now() - TimeDelta::days(183);
    let silent = by_location
        .values()
        .filter(|facts| facts.len() >= 20 && facts.iter().all(|f| f.received_at < half_year_ago))
        .count();
    assert!((2..=6).contains(&silent), "{silent} silent services");
    // Deteriorating: much less positive in the last three months than in the year before.
    let positive = |facts: &[ResponseFacts], from: DateTime<Utc>, to: DateTime<Utc>| {
        let answers: Vec<bool> = facts
            .iter()
            .filter(|f| f.received_at >= from && f.received_at < to)
            .filter_map(|f| f.overall.positive())
            .collect();
        (answers.len() >= 5).then(|| percent(answers.iter().filter(|p| **p).count(), answers.len()))
    };
    let now = Utc::now();
    let falling = by_location
        .values()
        .filter(|facts| {
            let before = positive(facts, now - TimeDelta::days(640), now - TimeDelta::days(280));
            let lately = positive(facts, now - TimeDelta::days(90), now);
            matches!((before, lately), (Some(b), Some(l)) if l < b - 35.0)
        })
        .count();
    assert!((1..=10).contains(&falling), "{falling} services whose people grew unhappy");
}

#[tokio::test]
async fn the_demo_loads_24_months_of_returns_and_a_few_services_stop_sending_them() {
    let (db, stdout) = demo("7").await;
    let store = open(&db).await;
    let this_month = Month::of(Utc::now().date_naive());
    let last_month = Month::of(this_month.first_day() - TimeDelta::days(1));
    let latest = store.latest_return_months().await.expect("latest months");
    let current = latest.iter().filter(|(_, m)| *m == last_month).count();
    let silent: Vec<&LocationId> = latest
        .iter()
        .filter(|(_, m)| *m <= Month::of(Utc::now().date_naive() - TimeDelta::days(150)))
        .map(|(id, _)| id)
        .collect();
    assert!(current > 250 && current + silent.len() == latest.len(), "{current} up to date of {}", latest.len());
    assert!((2..=6).contains(&silent.len()), "{} services stopped sending returns", silent.len());

    let first = Month::of(last_month.first_day() - TimeDelta::days(700));
    let (mut total, mut drifting) = (0, 0);
    for (id, _) in &latest {
        let kept = store.returns_of(id, first, last_month).await.expect("returns");
        assert!(kept.len() <= 24 && kept.iter().all(|r| r.source == ReturnSource::Csv && r.sent_by.is_none()));
        total += kept.len();
        // A closed culture forming: far more restraint and agency work in the last six
        // months than in the first six, and no registered manager at the end.
        if kept.len() < 12 {
            continue;
        }
        let (start, end) = (&kept[..6], &kept[kept.len() - 6..]);
        let rate = |rs: &[ReturnRecord], part: fn(&MonthlyReturn) -> u32, whole: fn(&MonthlyReturn) -> u32| {
            let total = |f: fn(&MonthlyReturn) -> u32| rs.iter().map(|r| f64::from(f(&r.figures))).sum::<f64>();
            total(part) / total(whole).max(1.0)
        };
        let restraint =
            (rate(start, |r| r.restraint, |r| r.people_supported), rate(end, |r| r.restraint, |r| r.people_supported));
        let agency =
            (rate(start, |r| r.agency_hours, |r| r.hours_worked), rate(end, |r| r.agency_hours, |r| r.hours_worked));
        let no_manager = !end[5].figures.registered_manager;
        drifting += usize::from(restraint.1 > restraint.0 + 0.04 && agency.1 > agency.0 + 0.08 && no_manager);
    }
    assert!(stdout.contains(&format!(" feedback responses, {total} monthly returns.")), "{stdout}");
    assert!((1..=6).contains(&drifting), "{drifting} services drifting into a closed culture");
}

#[tokio::test]
async fn fresh_stories_wait_for_moderation_and_one_raised_an_alert_with_its_emails() {
    let (db, _) = demo("7").await;
    let store = open(&db).await;

    let query = ModerationQuery { status: FeedbackStatus::Pending, page: 1, per_page: 20 };
    let queue = store.moderation_queue(&query).await.expect("queue");
    let first = &queue.items[0];
    assert_eq!(first.prescreen.suggested.map(|c| c.level()), Some(5), "the severe story comes first");
    assert!(queue.total > 3, "recent past stories wait too: {}", queue.total);

    let alerts = store.alerts(&AlertScope::All, true, 10).await.expect("alerts");
    assert_eq!(alerts.len(), 1);
    let alert = &alerts[0];
    assert_eq!((alert.feedback_id, alert.location_id.clone()), (first.id, first.location_id.clone()));
    let recipients: Vec<String> = alert.deliveries.iter().map(|d| d.to.to_string()).collect();
    assert_eq!(recipients.len(), 2, "{recipients:?}");
    assert!(recipients.iter().all(|r| r.ends_with("@example.com")), "{recipients:?}");

    let authority = alert.local_authority.clone().expect("the location's local authority");
    let team = store.safeguarding_contact(&ContactScope::LocalAuthority(authority)).await.expect("contact");
    assert!(team.is_some_and(|t| recipients.contains(&t.email.to_string())));
    let lead = store.safeguarding_contact(&ContactScope::Provider(alert.provider_id.clone())).await.expect("lead");
    assert!(lead.is_some());
}

#[tokio::test]
async fn the_same_seed_gives_the_same_feedback() {
    // The fresh stories are stamped up to three hours before the demo runs (so
    // across midnight they fall on the day before); the past is drawn from the seed.
    let fresh_from = Utc::now() - TimeDelta::hours(4);
    let (a, _) = demo("7").await;
    let (b, _) = demo("7").await;
    let (c, _) = demo("8").await;
    let past = |mut all: HashMap<LocationId, Vec<ResponseFacts>>| {
        all.values_mut().for_each(|facts| facts.retain(|f| f.received_at < fresh_from));
        all
    };
    let a = past(responses(open(&a).await.as_ref()).await);
    let b = past(responses(open(&b).await.as_ref()).await);
    let c = past(responses(open(&c).await.as_ref()).await);
    assert!(a == b, "the same seed, the same feedback");
    assert!(a != c, "another seed, other feedback");
}

async fn sign_in(store: &dyn Store, email: &str) -> candour_store::User {
    let email = Email::parse(email).expect("email");
    store.sign_in_record(&email).await.expect("read").expect("the account exists").user
}

/// `candour demo` makes the demo accounts without passwords; `serve --demo` on
/// that database gives them the demo password. The account that signs the past
/// stays disabled.
#[tokio::test]
async fn serve_demo_completes_the_accounts_of_a_demo_database() {
    let (database, _) = demo("7").await;
    let db = database.value();
    {
        let opened = database.open().await;
        let store = opened.store();
        assert!(!sign_in(store.as_ref(), "provider@demo.candour.example").await.has_password);
        let history = sign_in(store.as_ref(), "history@demo.candour.example").await;
        assert!(history.disabled && !history.has_password);
        opened.close().await;
    }

    let mut child = Command::new(env!("CARGO_BIN_EXE_candour"))
        .args(["serve", "--demo", "--addr", "127.0.0.1:0", "--db", &db])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start server");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut printed = String::new();
    let mut line = String::new();
    while !line.contains("is running at") {
        line.clear();
        if stdout.read_line(&mut line).expect("read stdout") == 0 {
            break;
        }
        printed.push_str(&line);
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(printed.contains("provider@demo.candour.example"), "{printed}");
    assert!(!printed.contains("history@"), "the past is not a sign-in: {printed}");

    let store = open(&database).await;
    assert!(sign_in(store.as_ref(), "provider@demo.candour.example").await.has_password);
    let history = sign_in(store.as_ref(), "history@demo.candour.example").await;
    assert!(history.disabled && !history.has_password);
}
