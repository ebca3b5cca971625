//! The live monitor against a real SQLite store: new data for one service reaches
//! the monitor through the change journal and shows in its indicators and band once
//! the monitor settles, and what it keeps after reading back one service equals a
//! full recompute from the store.

use std::sync::Arc;

use chrono::{Datelike, NaiveDate, Utc};

use candour_domain::complaints::{
    ComplaintContact, ComplaintPolicy, NewComplaintDetails, ReceivedBy, Relationship, deadlines,
};
use candour_domain::returns::{Month, MonthlyReturn};
use candour_domain::voice::{Channel, Feedback, OUTCOME_QUESTIONS, RawFeedback};
use candour_domain::{Location, LocationId, Provider, ProviderId, Region};
use candour_engine::monitoring::{FlagKind, Indicator, MonitoringPolicy};
use candour_monitor::{Monitor, recompute};
use candour_store::{
    ComplaintStore, ImportPlan, NewComplaint, NewFeedback, Prescreen, RegisterStore, ReturnBatch, ReturnSource,
    ReturnsStore, VoiceStore,
};
use candour_store_sqlite::SqliteStore;

/// Twelve care homes, then six homecare services: two peer groups.
const HOMES: u32 = 12;
const SERVICES: u32 = 18;

fn lid(n: u32) -> LocationId {
    LocationId::parse(&format!("1-{}", 2000 + n)).unwrap()
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// The `back`-th month before this one.
fn month_back(back: i32) -> Month {
    let i = today().year() * 12 + today().month0() as i32 - back;
    Month::new(i.div_euclid(12), i.rem_euclid(12) as u32 + 1).unwrap()
}

fn steady(month: Month) -> MonthlyReturn {
    MonthlyReturn {
        month,
        headcount: 20,
        leavers: 1,
        agency_hours: 150,
        hours_worked: 3000,
        vacancies: 1,
        supervision_pct: 90,
        training_pct: 90,
        registered_manager: true,
        manager_changed: false,
        people_supported: 20,
        incidents: 4,
        restraint: 1,
        seclusion: 0,
        segregation: 0,
        notifications: 2,
        safeguarding_referrals: 0,
        complaints_received: 3,
        complaints_upheld: 1,
        complaints_on_time: 3,
    }
}

async fn send(store: &SqliteStore, returns: Vec<(LocationId, MonthlyReturn)>) {
    let batch = ReturnBatch { returns, sent_by: None, sent_at: Utc::now(), source: ReturnSource::Csv };
    store.save_returns(&batch).await.unwrap();
}

async fn answer(store: &SqliteStore, home: u32, key: &str, overall: &str) {
    answer_at(store, home, key, overall, Utc::now()).await
}

async fn answer_at(store: &SqliteStore, home: u32, key: &str, overall: &str, at: chrono::DateTime<Utc>) {
    let raw = RawFeedback {
        respondent: "family".into(),
        overall: overall.into(),
        answers: OUTCOME_QUESTIONS.iter().map(|q| (q.code.to_string(), "good_enough".to_string())).collect(),
        ..RawFeedback::default()
    };
    let new = NewFeedback {
        location_id: lid(home),
        feedback: Feedback::parse(&raw, Channel::Online).unwrap(),
        key_hash: key.into(),
        reference: key.into(),
        received_at: at,
        entered_by: None,
        prescreen: Prescreen::default(),
        alert: None,
        status: candour_store::FeedbackStatus::Published,
    };
    store.submit_feedback(&new).await.unwrap();
}

/// The services with a year of steady returns and six good answers each this month.
async fn homes() -> (tempfile::TempDir, Arc<SqliteStore>) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("monitor.db")).await.unwrap();
    let provider = ProviderId::parse("1-1").unwrap();
    let locations = (0..SERVICES).map(|n| {
        let mut home = Location::new(lid(n), provider.clone(), format!("Service {n}"));
        if n < HOMES {
            home.service_types = vec!["Care home service without nursing".into()];
            home.care_home = true;
            home.beds = Some(20);
        } else {
            home.service_types = vec!["Domiciliary care service".into()];
        }
        home.region = Some(Region::London);
        home.local_authority = Some("Camden".into());
        home
    });
    let plan = ImportPlan {
        locations: locations.collect(),
        providers: vec![Provider::new(provider, "Alike Homes Ltd")],
        ..Default::default()
    };
    store.apply_import(&plan).await.unwrap();
    let returns = (0..SERVICES).flat_map(|n| (1..13).map(move |back| (lid(n), steady(month_back(back)))));
    send(&store, returns.collect()).await;
    for n in 0..SERVICES {
        for k in 0..6 {
            answer(&store, n, &format!("home-{n}-{k}"), "good").await;
        }
    }
    (dir, Arc::new(store))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_data_for_a_service_shows_once_the_monitor_settles() {
    let (_dir, store) = homes().await;
    let monitor = Monitor::start(store.clone(), MonitoringPolicy::default());
    let first = monitor.settled().await;
    assert_eq!(first.len(), SERVICES as usize);
    let positive = |snapshot: &candour_monitor::Snapshot| {
        let result = snapshot.get(&lid(0)).unwrap().results.indicator(Indicator::PositiveOverall).copied().unwrap();
        (result.n, result.value)
    };
    assert_eq!(positive(&first), (6, Some(1.0)));

    answer(&store, 0, "one-more", "very_poor").await;
    let after = monitor.settled().await;
    assert_eq!(positive(&after), (7, Some(6.0 / 7.0)));

    let mut gone = steady(month_back(1));
    gone.registered_manager = false;
    send(&store, vec![(lid(3), gone)]).await;
    let flagged = monitor.settled().await;
    let home = flagged.get(&lid(3)).unwrap();
    assert!(home.results.flags.iter().any(|f| f.kind == FlagKind::NoRegisteredManager));
    assert!(home.entry.band <= 2, "a serious flag lifts the band to 2 or above (it is {})", home.entry.band);
    assert_eq!(flagged.ranked().next().unwrap().facts.id, lid(3), "it heads the watchlist");

    // Reading back one service at a time (its peer group computed again, the other left
    // as it was) keeps what a full recompute from the store finds.
    let homecare = flagged.get(&lid(HOMES)).unwrap();
    assert_ne!(homecare.service.peer_group, home.service.peer_group);
    let (_, full) = recompute(store.as_ref(), &MonitoringPolicy::default(), today()).await.unwrap();
    assert_eq!(full.results, flagged.results);
    assert_eq!(full.entries, flagged.entries);
    assert_eq!(full.people, flagged.people);
    let order = |s: &candour_monitor::Snapshot| s.ranked().map(|w| w.facts.id.clone()).collect::<Vec<_>>();
    assert_eq!(order(&full), order(&flagged));
}

/// After rounds of new responses only (each reading back just the months from the
/// earliest response's on, and the alerts), the snapshot is what a full recompute finds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rounds_of_new_responses_alone_keep_what_a_full_recompute_finds() {
    use candour_domain::voice::Criticality;
    use candour_store::NewAlert;
    let (_dir, store) = homes().await;
    let monitor = Monitor::start(store.clone(), MonitoringPolicy::default());
    monitor.settled().await;
    let severe = |s: &candour_monitor::Snapshot| {
        s.get(&lid(1)).unwrap().results.flags.iter().any(|f| f.kind == FlagKind::SevereSafeguardingAlert)
    };
    assert!(!severe(&*monitor.settled().await));

    // A response that raises a severe alert, then one dated three months back.
    let raw = RawFeedback {
        respondent: "family".into(),
        overall: "very_poor".into(),
        answers: OUTCOME_QUESTIONS.iter().map(|q| (q.code.to_string(), "good_enough".to_string())).collect(),
        ..RawFeedback::default()
    };
    let alert = NewAlert { level: Criticality::new(5).unwrap(), reason: "Pre-screen".into(), emails: Vec::new() };
    let new = NewFeedback {
        location_id: lid(1),
        feedback: Feedback::parse(&raw, Channel::Online).unwrap(),
        key_hash: "alerting".into(),
        reference: "alerting".into(),
        received_at: Utc::now(),
        entered_by: None,
        prescreen: Prescreen::default(),
        alert: Some(alert),
        status: candour_store::FeedbackStatus::Pending,
    };
    store.submit_feedback(&new).await.unwrap();
    assert!(severe(&*monitor.settled().await), "the alert is read back with the response");
    let three_back = month_back(3).first_day().and_hms_opt(12, 0, 0).unwrap().and_utc();
    answer_at(&store, 2, "from-the-spring", "very_poor", three_back).await;
    answer(&store, 2, "today", "good").await;
    let followed = monitor.settled().await;

    let (_, full) = recompute(store.as_ref(), &MonitoringPolicy::default(), today()).await.unwrap();
    assert_eq!(full.services, followed.services, "the same months, alerts and figures");
    assert_eq!(full.results, followed.results);
    assert_eq!(full.entries, followed.entries);
    assert_eq!(full.people, followed.people);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_location_outside_the_register_is_ignored_until_a_reload() {
    let (dir, store) = homes().await;
    let monitor = Monitor::start(store.clone(), MonitoringPolicy::default());
    monitor.settled().await;
    journal(&dir, Some("1-999999"), "feedback").await;
    assert_eq!(monitor.settled().await.len(), SERVICES as usize);
    journal(&dir, None, "feedback").await;
    assert_eq!(monitor.settled().await.len(), SERVICES as usize, "an entry without a location: a full reload");
}

/// A journal entry written straight into the table, as another writer could.
async fn journal(dir: &tempfile::TempDir, location: Option<&str>, kind: &str) {
    let location = location.map_or("NULL".to_string(), |l| format!("'{l}'"));
    let at = Utc::now().to_rfc3339();
    let insert = format!("INSERT INTO changes (location_id, kind, at) VALUES ({location}, '{kind}', '{at}')");
    execute(&dir.path().join("monitor.db"), &[insert]).await;
}

/// A complaint received on `on` at a service, unanswered.
fn complaint(home: u32, key: &str, on: NaiveDate) -> NewComplaint {
    let policy = ComplaintPolicy::default();
    NewComplaint {
        location_id: lid(home),
        details: NewComplaintDetails {
            what_happened: "My father's medicines were missed twice.".into(),
            desired_outcome: String::new(),
            relationship: Relationship::Family,
            contact: ComplaintContact { name: "A relative".into(), email: None, phone: None },
            channel: ReceivedBy::Letter,
            received_on: on,
        },
        reference: format!("REF-{key}"),
        follow_hash: format!("hash-{key}"),
        policy,
        deadlines: deadlines(on, None, policy).unwrap(),
        logged_by: None,
        created_at: Utc::now(),
        alert: None,
        emails: vec![],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_keeping_its_complaints_in_candour_is_counted_from_its_log() {
    let (_dir, store) = homes().await;
    let monitor = Monitor::start(store.clone(), MonitoringPolicy::default());
    monitor.settled().await;
    let logged = month_back(2).first_day();
    for key in ["a", "b"] {
        store.add_complaint(&complaint(1, key, logged)).await.unwrap();
    }
    let after = monitor.settled().await;
    let home = after.get(&lid(1)).unwrap();
    let received = |back: i32| {
        let month = home.service.months.iter().find(|m| m.month == month_back(back)).unwrap();
        month.return_.as_ref().map(|r| (r.complaints_received, r.complaints_upheld, r.complaints_on_time))
    };
    assert_eq!(received(3), Some((3, 1, 3)), "before the first logged complaint, the return's figures");
    assert_eq!(received(2), Some((2, 0, 0)), "the log's: two received, neither answered");
    assert_eq!(received(1), Some((0, 0, 0)), "the log holds none for last month");

    let overdue = home.results.flags.iter().find(|f| f.kind == FlagKind::OverdueComplaints).expect("flagged");
    assert!(overdue.reason.starts_with("2 complaints have not been answered by the deadline"), "{}", overdue.reason);
    assert!(home.entry.band <= MonitoringPolicy::default().bands.concern_band);
    let untouched = after.get(&lid(2)).unwrap();
    assert!(untouched.results.flags.iter().all(|f| f.kind != FlagKind::OverdueComplaints));
}

/// The service whose stored data is spoiled: a homecare service made the only one
/// of its kind, so that nothing it holds can change another's comparisons.
const SPOILT: u32 = HOMES;
/// A care home with a level-5 safeguarding alert raised today.
const ALERTED: u32 = 2;

/// A value as SQLite may hold it, written as an SQL literal.
#[derive(Debug, Clone)]
enum Stored {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl Stored {
    fn sql(&self) -> String {
        match self {
            Stored::Null => "NULL".into(),
            Stored::Int(n) => n.to_string(),
            Stored::Real(x) if x.is_nan() => "(0.0 / 0.0)".into(),
            Stored::Real(x) if x.is_infinite() => if *x > 0.0 { "9e999" } else { "-9e999" }.into(),
            Stored::Real(x) => format!("{x:e}"),
            Stored::Text(t) => format!("'{}'", t.replace('\0', "").replace('\'', "''")),
            Stored::Blob(b) => format!("X'{}'", b.iter().map(|byte| format!("{byte:02x}")).collect::<String>()),
        }
    }
}

/// One piece of garbage for the spoilt service, as an SQL statement.
#[derive(Debug, Clone)]
enum Garbage {
    VoiceMonth(Stored, Vec<Stored>),
    Update { table: &'static str, key: &'static str, column: &'static str, value: Stored },
    Complaint { received_on: Stored, respond_by: Stored, sent_on: Stored, created_at: Stored, alert: Stored },
}

const VOICE_COLUMNS: [&str; 17] = [
    "month",
    "responses",
    "positive",
    "rated",
    "outcome_n",
    "outcome_sum",
    "outcome_sum_sq",
    "stories",
    "critical_stories",
    "speak_up_n",
    "speak_up_sum",
    "speak_up_sum_sq",
    "enough_staff_n",
    "enough_staff_sum",
    "enough_staff_sum_sq",
    "partner_responses",
    "partner_concerns",
];
const RETURN_COLUMNS: [&str; 10] = [
    "month",
    "headcount",
    "hours_worked",
    "supervision_pct",
    "registered_manager",
    "people_supported",
    "incidents",
    "complaints_received",
    "complaints_upheld",
    "complaints_on_time",
];
const LOCATION_COLUMNS: [&str; 9] = [
    "name",
    "beds",
    "region",
    "local_authority",
    "specialisms",
    "last_inspection",
    "current_overall",
    "current_rated_on",
    "provider_id",
];
const COMPLAINT_COLUMNS: [&str; 5] = ["received_on", "respond_by", "response_sent_on", "created_at", "alert_level"];

impl Garbage {
    fn sql(&self) -> String {
        let id = lid(SPOILT);
        match self {
            Garbage::VoiceMonth(month, values) => {
                let values: Vec<String> = values.iter().map(Stored::sql).collect();
                format!("INSERT OR IGNORE INTO voice_months VALUES ('{id}', {}, {})", month.sql(), values.join(", "))
            }
            Garbage::Update { table, key, column, value } => {
                format!("UPDATE OR IGNORE {table} SET {column} = {} WHERE {key} = '{id}'", value.sql())
            }
            Garbage::Complaint { received_on, respond_by, sent_on, created_at, alert } => format!(
                "INSERT OR IGNORE INTO complaints (location_id, reference, follow_hash, status, channel, relationship, \
                 received_on, what_happened, desired_outcome, contact_name, acknowledge_within, respond_within, \
                 acknowledge_by, respond_by, response_sent_on, alert_level, created_at) \
                 VALUES ('{id}', hex(randomblob(8)), hex(randomblob(8)), 'received', 'letter', 'family', {}, 'x', '', \
                 'y', 3, 20, {}, {}, {}, {}, {})",
                received_on.sql(),
                respond_by.sql(),
                respond_by.sql(),
                sent_on.sql(),
                alert.sql(),
                created_at.sql()
            ),
        }
    }
}

mod garbage {
    use super::*;
    use proptest::prelude::*;

    pub fn stored() -> impl Strategy<Value = Stored> {
        let text = prop_oneof![
            Just("0001-01-01".to_string()),
            Just("1/1/1".to_string()),
            Just("0001-01".to_string()),
            Just("1900-01".to_string()),
            Just("2026-13".to_string()),
            Just(String::new()),
            Just("9999-12-31T00:00:00Z".to_string()),
            Just("[\"unclosed".to_string()),
            Just(month_back(1).to_string()),
            Just(today().to_string()),
            proptest::collection::vec(any::<char>(), 0..12).prop_map(String::from_iter),
        ];
        let real = prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(-1.5), Just(1e300), any::<f64>()];
        prop_oneof![
            Just(Stored::Null),
            any::<i64>().prop_map(Stored::Int),
            (-3i64..30).prop_map(Stored::Int),
            Just(Stored::Int(i64::from(u32::MAX))),
            real.prop_map(Stored::Real),
            text.prop_map(Stored::Text),
            proptest::collection::vec(any::<u8>(), 0..6).prop_map(Stored::Blob),
        ]
    }

    fn update(table: &'static str, key: &'static str, columns: &'static [&'static str]) -> BoxedStrategy<Garbage> {
        (proptest::sample::select(columns), stored())
            .prop_map(move |(column, value)| Garbage::Update { table, key, column, value })
            .boxed()
    }

    pub fn garbage() -> impl Strategy<Value = Garbage> {
        prop_oneof![
            (stored(), proptest::collection::vec(stored(), 16)).prop_map(|(m, v)| Garbage::VoiceMonth(m, v)),
            update("voice_months", "location_id", &VOICE_COLUMNS),
            update("provider_returns", "location_id", &RETURN_COLUMNS),
            update("locations", "id", &LOCATION_COLUMNS),
            update("complaints", "location_id", &COMPLAINT_COLUMNS),
            (stored(), stored(), stored(), stored(), stored()).prop_map(|(r, b, s, c, a)| Garbage::Complaint {
                received_on: r,
                respond_by: b,
                sent_on: s,
                created_at: c,
                alert: a
            }),
        ]
    }
}

/// Runs each statement as a writer that checks no foreign keys would.
async fn written(db: &std::path::Path, statements: &[String]) -> Vec<Result<(), sqlx::Error>> {
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(db).foreign_keys(false);
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
    let mut results = Vec::new();
    for sql in statements {
        results.push(sqlx::raw_sql(sqlx::AssertSqlSafe(sql.clone())).execute(&pool).await.map(|_| ()));
    }
    pool.close().await;
    results
}

async fn execute(db: &std::path::Path, statements: &[String]) {
    for result in written(db, statements).await {
        result.unwrap();
    }
}

/// The fixture for the isolation tests, written to `path` and closed: the homes and
/// homecare services, the spoilt service the only one of its kind, with a complaint
/// logged, and a level-5 safeguarding alert at another.
async fn spoilable(path: &std::path::Path) {
    let (dir, store) = homes().await;
    store.add_complaint(&complaint(SPOILT, "spoilt", month_back(1).first_day())).await.unwrap();
    store.add_complaint(&complaint(ALERTED, "alerted", today())).await.unwrap();
    store.close().await;
    let db = dir.path().join("monitor.db");
    execute(
        &db,
        &[
            format!("UPDATE locations SET service_kinds = 'shared_lives' WHERE id = '{}'", lid(SPOILT)),
            format!("UPDATE complaints SET alert_level = 5 WHERE location_id = '{}'", lid(ALERTED)),
            // A copy in one file, the write-ahead log included.
            format!("VACUUM INTO '{}'", path.display()),
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_peoples_rating_counts_last_months_answers_and_not_this_months() {
    let (_dir, store) = homes().await;
    let last_month = month_back(1).first_day().and_hms_opt(12, 0, 0).unwrap().and_utc();
    for k in 0..4 {
        answer_at(&store, 0, &format!("last-month-{k}"), "good", last_month).await;
    }
    let monitor = Monitor::start(store.clone(), MonitoringPolicy::default());
    let rating = |snapshot: &candour_monitor::Snapshot| snapshot.get(&lid(0)).unwrap().people.clone();
    let four = rating(&*monitor.settled().await);
    assert_eq!((four.verdict.code(), four.n), ("not_enough_responses", None), "four answers, and six this month");
    assert_eq!((four.from, four.to), (month_back(12), month_back(1)));

    answer_at(&store, 0, "the-fifth", "very_poor", last_month).await;
    let five = rating(&*monitor.settled().await);
    assert_eq!((five.verdict.code(), five.n, five.measures.len()), ("about_the_same", Some(5), 5));
    let positive = five.measures.iter().find(|m| m.kind.code() == "positive_overall").unwrap();
    assert_eq!((positive.n, positive.value), (5, Some(0.8)));
}

/// Every service's results and watchlist entry but the spoilt one's, by ID.
fn others(snapshot: &candour_monitor::Snapshot) -> Vec<(LocationId, String)> {
    let spoilt = lid(SPOILT);
    let all = (0..snapshot.len()).map(|i| snapshot.at(i)).filter(|w| w.facts.id != spoilt);
    all.map(|w| (w.facts.id.clone(), format!("{:?} {:?} {:?}", w.results, w.entry, w.people))).collect()
}

async fn computed(db: &std::path::Path) -> candour_monitor::Snapshot {
    let store = SqliteStore::open(db).await.unwrap();
    let (_, snapshot) = recompute(&store, &MonitoringPolicy::default(), today()).await.expect("a round never fails");
    store.close().await;
    snapshot
}

#[test]
fn whatever_one_service_holds_every_other_service_is_computed_alike() {
    use proptest::test_runner::{Config, TestRunner};
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let fixture = dir.path().join("fixture.db");
    runtime.block_on(spoilable(&fixture));
    let clean = runtime.block_on(computed(&fixture));
    assert!(clean.not_computed.is_empty());
    assert_eq!(clean.len(), SERVICES as usize);
    let expected = others(&clean);
    assert_eq!(clean.get(&lid(ALERTED)).unwrap().entry.band, 1, "a level-5 safeguarding alert puts it in band 1");

    let (case, left_out_cases) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let mut runner = TestRunner::new(Config { cases: 64, failure_persistence: None, ..Config::default() });
    let strategy = proptest::collection::vec(garbage::garbage(), 1..5);
    runner
        .run(&strategy, |garbage| {
            let db = dir.path().join(format!("case-{}.db", case.fetch_add(1, Relaxed)));
            std::fs::copy(&fixture, &db).unwrap();
            let statements: Vec<String> = garbage.iter().map(Garbage::sql).collect();
            let spoilt = runtime.block_on(async {
                // What even SQLite refuses (a NULL where none may be) is simply not written.
                let _ = written(&db, &statements).await;
                computed(&db).await
            });
            let left_out = spoilt.not_computed(&lid(SPOILT)).is_some();
            left_out_cases.fetch_add(usize::from(left_out), Relaxed);
            assert_eq!(spoilt.len(), SERVICES as usize - usize::from(left_out), "only the spoilt service is left out");
            assert!(spoilt.not_computed.len() <= 1, "{:?}", spoilt.not_computed);
            assert_eq!(others(&spoilt), expected, "{statements:#?}");
            let _ = std::fs::remove_file(&db);
            Ok(())
        })
        .unwrap();
    assert!(left_out_cases.into_inner() > 0, "some garbage leaves the spoilt service out");
}

/// The issue's own case: a month no form accepts, stored for one service.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_stored_month_leaves_out_its_service_and_the_monitor_computes_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("spoilt.db");
    spoilable(&db).await;
    let received = format!("UPDATE complaints SET received_on = '0001-01-01' WHERE location_id = '{}'", lid(SPOILT));
    execute(&db, &[received]).await;

    let (_, snapshot) = {
        let store = SqliteStore::open(&db).await.unwrap();
        recompute(&store, &MonitoringPolicy::default(), today()).await.expect("the round succeeds")
    };
    let left_out = snapshot.not_computed(&lid(SPOILT)).expect("reported");
    assert_eq!(left_out.name.as_deref(), Some(format!("Service {SPOILT}").as_str()));
    assert!(left_out.reason.contains("stored month is not valid"), "{}", left_out.reason);
    assert!(snapshot.get(&lid(SPOILT)).is_none());
    assert_eq!(snapshot.len(), SERVICES as usize - 1);
    assert_eq!(snapshot.get(&lid(ALERTED)).unwrap().entry.band, 1, "the alert still puts its service in band 1");

    // The live monitor, started afresh on the same data, computes everyone else and says it is well.
    let store = Arc::new(SqliteStore::open(&db).await.unwrap());
    let monitor = Monitor::start(store.clone(), MonitoringPolicy::default());
    let live = monitor.settled().await;
    assert_eq!(live.len(), SERVICES as usize - 1);
    assert_eq!(monitor.health().state, candour_monitor::HealthState::Ok);
    assert_eq!(monitor.health().services_not_computed, 1);

    // New data for the spoilt service is read back without failing the round.
    answer(&store, SPOILT, "after", "good").await;
    assert_eq!(monitor.settled().await.len(), SERVICES as usize - 1);
    assert_eq!(monitor.health().state, candour_monitor::HealthState::Ok);
}

/// A value SQLite's own JSON functions refuse (a blob that is not JSON) fails the
/// national query: each location is then read alone, and only the one holding it is left out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_value_sqlite_refuses_leaves_out_only_its_service() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("spoilt.db");
    spoilable(&db).await;
    execute(&db, &[format!("UPDATE voice_months SET responses = X'FF7F0A' WHERE location_id = '{}'", lid(SPOILT))])
        .await;
    let store = SqliteStore::open(&db).await.unwrap();
    let (_, snapshot) = recompute(&store, &MonitoringPolicy::default(), today()).await.expect("the round succeeds");
    let left_out = snapshot.not_computed(&lid(SPOILT)).expect("reported");
    assert!(left_out.reason.contains("BLOB"), "{}", left_out.reason);
    assert_eq!(snapshot.len(), SERVICES as usize - 1);
    assert_eq!(snapshot.get(&lid(ALERTED)).unwrap().entry.band, 1);
}

// ---- each kind of write reaches the monitor through the change journal, with no call to it ----

async fn user(store: &SqliteStore, address: &str, grants: Vec<candour_domain::Grant>) -> candour_domain::UserId {
    use candour_store::AccountStore;
    let new =
        candour_store::NewUser { email: candour_domain::Email::parse(address).unwrap(), name: address.into(), grants };
    store.create_user(&new).await.unwrap().id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_moderation_decision_reaches_the_monitor_through_the_journal() {
    use candour_domain::voice::Criticality;
    use candour_store::{Moderation, ModerationDecision};
    let (_dir, store) = homes().await;
    let monitor = Monitor::start(store.clone(), MonitoringPolicy::default());
    let responses = |s: &candour_monitor::Snapshot| {
        s.get(&lid(0)).unwrap().results.indicator(Indicator::PositiveOverall).copied().unwrap().n
    };
    assert_eq!(responses(&*monitor.settled().await), 6);
    let raw = RawFeedback {
        respondent: "family".into(),
        overall: "very_poor".into(),
        answers: OUTCOME_QUESTIONS.iter().map(|q| (q.code.to_string(), "good_enough".to_string())).collect(),
        story: "Nobody came when I rang.".into(),
        ..RawFeedback::default()
    };
    let new = NewFeedback {
        location_id: lid(0),
        feedback: Feedback::parse(&raw, Channel::Online).unwrap(),
        key_hash: "with-a-story".into(),
        reference: "with-a-story".into(),
        received_at: Utc::now(),
        entered_by: None,
        prescreen: Prescreen::default(),
        alert: None,
        status: candour_store::FeedbackStatus::Pending,
    };
    let receipt = store.submit_feedback(&new).await.unwrap();
    assert_eq!(responses(&*monitor.settled().await), 7, "a response waiting for moderation counts");
    let moderator = user(&store, "moderator@example.org", vec![]).await;
    let decision = Moderation {
        decision: ModerationDecision::Reject { reason: "Not about this service".into() },
        criticality: Criticality::new(1).unwrap(),
        by: moderator,
        at: Utc::now(),
        alert: None,
        emails: Vec::new(),
    };
    store.moderate(receipt.feedback_id, &decision).await.unwrap();
    assert_eq!(responses(&*monitor.settled().await), 6, "a rejected one no longer counts");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_complaint_step_reaches_the_monitor_through_the_journal() {
    use candour_domain::complaints::ComplaintStep;
    let (_dir, store) = homes().await;
    let monitor = Monitor::start(store.clone(), MonitoringPolicy::default());
    monitor.settled().await;
    let receipt = store.add_complaint(&complaint(1, "late", month_back(2).first_day())).await.unwrap();
    let overdue = |s: &candour_monitor::Snapshot| {
        s.get(&lid(1)).unwrap().results.flags.iter().any(|f| f.kind == FlagKind::OverdueComplaints)
    };
    assert!(overdue(&*monitor.settled().await), "a complaint logged: unanswered past its deadline");
    for step in [
        ComplaintStep::Acknowledge { on: today() },
        ComplaintStep::Investigate { on: today() },
        ComplaintStep::SendResponse { on: today(), response: "We are sorry: this is what we changed.".into() },
    ] {
        store.take_complaint_step(receipt.id, &step, None, Utc::now(), &[]).await.unwrap();
    }
    assert!(!overdue(&*monitor.settled().await), "answered: no longer overdue");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_policy_confirmation_reaches_the_monitor_through_the_journal() {
    use candour_domain::policies::{PolicyDraft, PolicyKind, Version};
    use candour_domain::{Grant, Role, Scope};
    use candour_store::{NewPolicyVersion, PolicyStore};
    let (_dir, store) = homes().await;
    let staff =
        user(&store, "staff@example.org", vec![Grant { role: Role::Staff, scope: Scope::Location(lid(0)) }]).await;
    let monitor = Monitor::start(store.clone(), MonitoringPolicy::default());
    monitor.settled().await;
    let draft = PolicyDraft {
        title: "Fire safety".into(),
        kind: PolicyKind::Policy,
        body: "Leave by the nearest door.".into(),
        changes: "First.".into(),
        requires_confirmation: true,
    };
    let new = NewPolicyVersion {
        provider: ProviderId::parse("1-1").unwrap(),
        policy: None,
        draft,
        published_by: None,
        published_at: Utc::now(),
    };
    let policy = store.publish_policy(&new).await.unwrap().policy_id;
    let reads =
        |s: &candour_monitor::Snapshot| s.get(&lid(0)).unwrap().service.policy_reads.map(|r| (r.confirmed, r.expected));
    assert_eq!(reads(&*monitor.settled().await), Some((0, 1)), "a policy to read, read by nobody yet");
    store.confirm_policy_read(policy, Version(1), staff, Utc::now()).await.unwrap();
    assert_eq!(reads(&*monitor.settled().await), Some((1, 1)), "confirmed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_published_assessment_reaches_the_monitor_through_the_journal() {
    use candour_domain::{Grant, KeyQuestionRatings, Rating, RatingRecord, RatingSource, Role, Scope, ServiceKind};
    use candour_store::{AssessmentStore, NewAssessment, Publication};
    let (_dir, store) = homes().await;
    let inspector =
        user(&store, "inspector@example.org", vec![Grant { role: Role::Inspector, scope: Scope::All }]).await;
    let monitor = Monitor::start(store.clone(), MonitoringPolicy::default());
    let rating = |s: &candour_monitor::Snapshot| s.get(&lid(0)).unwrap().facts.rating;
    assert_eq!(rating(&*monitor.settled().await), None);
    let group = "Care home service without nursing";
    let new = NewAssessment {
        location_id: lid(0),
        service_group: group.into(),
        service_kind: ServiceKind::CareHome,
        policy: "{}".into(),
        created_by: inspector,
        created_at: Utc::now(),
    };
    let id = store.create_assessment(&new).await.unwrap().id;
    store.send_assessment(id, today() + chrono::Days::new(14), Utc::now(), &[]).await.unwrap();
    store.finish_challenges(id, inspector, Utc::now()).await.unwrap();
    let publication = Publication {
        published_on: today(),
        published_at: Utc::now(),
        published_by: inspector,
        ratings: vec![RatingRecord {
            location_id: lid(0),
            service_group: group.into(),
            published: today(),
            source: RatingSource::Candour,
            overall: Some(Rating::Good),
            key_questions: KeyQuestionRatings::default(),
            report_type: Some("Candour assessment".into()),
            inherited: false,
        }],
        result: r#"{"service_groups": []}"#.into(),
    };
    store.publish_assessment(id, &publication).await.unwrap();
    assert_eq!(rating(&*monitor.settled().await), Some((Rating::Good, today())));
}
