//! The live monitor against a real SQLite store: new data for one service shows in
//! its indicators and band once the monitor settles, and what it keeps after
//! touching one service equals a full recompute from the store.

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
    ComplaintStore, ImportPlan, NewComplaint, NewFeedback, Prescreen, ReturnBatch, ReturnSource, ReturnsStore, Store,
    VoiceStore,
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
        received_at: Utc::now(),
        entered_by: None,
        prescreen: Prescreen::default(),
        alert: None,
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
    assert_eq!(positive(&monitor.current().unwrap()), (6, Some(1.0)), "nothing changes before the touch");
    monitor.touch(&lid(0));
    let after = monitor.settled().await;
    assert_eq!(positive(&after), (7, Some(6.0 / 7.0)));

    let mut gone = steady(month_back(1));
    gone.registered_manager = false;
    send(&store, vec![(lid(3), gone)]).await;
    monitor.touch(&lid(3));
    let flagged = monitor.settled().await;
    let home = flagged.get(&lid(3)).unwrap();
    assert!(home.results.flags.iter().any(|f| f.kind == FlagKind::NoRegisteredManager));
    assert!(home.entry.band <= 2, "a serious flag lifts the band to 2 or above (it is {})", home.entry.band);
    assert_eq!(flagged.ranked().next().unwrap().facts.id, lid(3), "it heads the watchlist");

    // Touching one service at a time (its peer group computed again, the other left
    // as it was) keeps what a full recompute from the store finds.
    let homecare = flagged.get(&lid(HOMES)).unwrap();
    assert_ne!(homecare.service.peer_group, home.service.peer_group);
    let (_, full) = recompute(store.as_ref(), &MonitoringPolicy::default(), today()).await.unwrap();
    assert_eq!(full.results, flagged.results);
    assert_eq!(full.entries, flagged.entries);
    let order = |s: &candour_monitor::Snapshot| s.ranked().map(|w| w.facts.id.clone()).collect::<Vec<_>>();
    assert_eq!(order(&full), order(&flagged));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_location_outside_the_register_is_ignored_until_a_reload() {
    let (_dir, store) = homes().await;
    let monitor = Monitor::start(store.clone(), MonitoringPolicy::default());
    monitor.settled().await;
    monitor.touch(&LocationId::parse("1-999999").unwrap());
    assert_eq!(monitor.settled().await.len(), SERVICES as usize);
    monitor.reload();
    assert_eq!(monitor.settled().await.len(), SERVICES as usize);
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
    monitor.touch(&lid(1));
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
