//! Notices of every kind so far delivered by a tiny real SMTP server: the
//! managers' new-complaint and deadline notices, the complainant's step and
//! missed-deadline notices, and the daily digest; each as text and HTML with a
//! one-click unsubscribe header, and a step's notice sent exactly once after a
//! crash between its commit and its sending.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Days, TimeZone, Utc};

use candour_app::complaints::{ComplaintSettings, Complaints};
use candour_app::notices::Notices;
use candour_app::{Actor, Gate, accounts::principal};
use candour_domain::complaints::{ComplaintPolicy, RawComplaint, RawStep};
use candour_domain::{Email, Grant, Location, LocationId, Provider, ProviderId, Role, Scope};
use candour_mail::testing::{Received, Sink};
use candour_mail::{MailSettings, Mailer};
use candour_store::{AccountStore, ComplaintStore, ImportPlan, MailChoice, NewUser, NoticeStore, RegisterStore, Store};
use candour_store_sqlite::SqliteStore;

const PUBLIC_URL: &str = "https://candour.example.org";
const MANAGER: &str = "manager@brightwater.example";
const COMPLAINANT: &str = "ann@example.org";
const CHILD_DB: &str = "CANDOUR_NOTICE_CRASH_DB";
const CRASHED: i32 = 43;

/// Willowbrook House, its signed-up manager, and a complaint raised about it.
async fn seeded(path: &Path) -> (Arc<SqliteStore>, i64) {
    let store = Arc::new(SqliteStore::open(path).await.expect("open store"));
    let provider = ProviderId::parse("1-101").expect("id");
    let plan = ImportPlan {
        kind: "test".into(),
        origin: "mail tests".into(),
        providers: vec![Provider::new(provider.clone(), "Brightwater Care Ltd")],
        locations: vec![Location::new(location(), provider, "Willowbrook House")],
        ratings: Vec::new(),
        counts: Default::default(),
    };
    store.apply_import(&plan).await.expect("import");
    let grant = Grant { role: Role::Manager, scope: Scope::Location(location()) };
    let new = NewUser { email: Email::parse(MANAGER).expect("email"), name: "Sam Manager".into(), grants: vec![grant] };
    let user = store.create_user(&new).await.expect("user");
    store.set_password_hash(user.id, "$argon2id$test", Utc::now()).await.expect("password");
    (Arc::clone(&store), raise(&store).await)
}

/// A complaint raised about Willowbrook House by the complainant; its ID.
async fn raise(store: &Arc<SqliteStore>) -> i64 {
    let raw = RawComplaint {
        what_happened: "Tablets were given late.".into(),
        desired_outcome: "An explanation.".into(),
        relationship: "family".into(),
        name: "Ann Example".into(),
        email: COMPLAINANT.into(),
        ..RawComplaint::default()
    };
    let key = candour_app::voice::new_submission_key();
    complaints(store).raise("1-201", &key, &raw, None, async |_| true).await.expect("raised").receipt.id
}

fn location() -> LocationId {
    LocationId::parse("1-201").expect("id")
}

fn complaints(store: &Arc<SqliteStore>) -> Complaints {
    let bundle: Arc<dyn Store> = store.clone();
    let settings = ComplaintSettings { policy: ComplaintPolicy::default(), public_url: PUBLIC_URL.into() };
    Complaints::new(bundle.clone(), Gate::new(bundle.clone()), settings, Notices::new(bundle, PUBLIC_URL))
}

async fn manager(store: &SqliteStore) -> Actor {
    let user = store.users().await.expect("users").into_iter().find(|u| u.email.as_str() == MANAGER).expect("manager");
    Actor::new(principal(&user), None)
}

async fn acknowledge(store: &Arc<SqliteStore>, id: i64) {
    let raw = RawStep { step: "acknowledge".into(), on: Utc::now().date_naive().to_string(), ..RawStep::default() };
    complaints(store).take_step(&manager(store).await, &id.to_string(), &raw).await.expect("acknowledged");
}

async fn deliver(store: &Arc<SqliteStore>, sink: &Sink, at: DateTime<Utc>) -> u32 {
    let settings = MailSettings::parse(
        &format!("smtp://127.0.0.1:{}", sink.addr.port()),
        "Candour <no-reply@candour.example.org>",
    )
    .expect("settings");
    let mailer = Mailer::new(Arc::clone(store) as Arc<dyn Store>, &settings).expect("mailer");
    mailer.send_due(at).await.expect("a pass").sent
}

fn subjects_to(received: &[Received], address: &str) -> Vec<String> {
    received
        .iter()
        .filter(|m| m.to.iter().any(|t| t == address))
        .filter_map(|m| m.data.lines().find_map(|l| l.strip_prefix("Subject: ")).map(str::to_string))
        .collect()
}

#[tokio::test]
async fn every_kind_of_notice_arrives_as_text_and_html_with_a_one_click_unsubscribe() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (store, id) = seeded(&dir.path().join("candour.db")).await;
    let sink = Sink::start(None).await;
    let now = Utc::now();
    assert_eq!(deliver(&store, &sink, now).await, 2, "the complainant's follow link and the manager's notice");
    let notice = sink.received().into_iter().find(|m| m.to == [MANAGER]).expect("the manager's notice");
    assert!(notice.data.contains("Content-Type: multipart/alternative"), "{}", notice.data);
    assert!(notice.data.contains("Content-Type: text/plain") && notice.data.contains("Content-Type: text/html"));
    assert!(notice.data.contains("List-Unsubscribe: <https://candour.example.org/unsubscribe/"), "{}", notice.data);
    assert!(notice.data.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    assert!(!notice.data.contains("Tablets were given late"));

    // The acknowledgement is missed: the manager and the complainant hear of it.
    let record = store.complaint(id).await.expect("complaint");
    let late =
        Utc.from_utc_datetime(&(record.deadlines.acknowledge_by + Days::new(1)).and_hms_opt(8, 0, 0).expect("time"));
    assert_eq!(complaints(&store).queue_deadline_notices(late).await.expect("pass"), 1);
    // A step, told to the complainant.
    acknowledge(&store, id).await;
    assert_eq!(deliver(&store, &sink, late).await, 3);

    // The manager switches to a digest: the next notice is held, then gathered at 07:00.
    let email = Email::parse(MANAGER).expect("email");
    store.set_mail_choice(&email, "complaint_received", MailChoice::Digest, now).await.expect("digest chosen");
    raise(&store).await;
    assert_eq!(deliver(&store, &sink, late).await, 1, "only the new complainant's follow link goes now");
    let next_morning = late + chrono::Duration::days(1);
    Notices::new(Arc::clone(&store) as Arc<dyn Store>, PUBLIC_URL).queue_digests(next_morning).await.expect("digest");
    assert_eq!(deliver(&store, &sink, next_morning).await, 1);

    let received = sink.received();
    let to_manager = subjects_to(&received, MANAGER);
    assert_eq!(to_manager.len(), 3, "{to_manager:?}");
    assert!(to_manager[0].starts_with("New complaint about Willowbrook House"));
    assert!(to_manager[1].contains("Willowbrook House: acknowledgement"), "{to_manager:?}");
    assert_eq!(to_manager[2], "Candour: 1 thing since yesterday");
    let to_complainant = subjects_to(&received, COMPLAINANT);
    assert_eq!(to_complainant.len(), 4, "follow link, missed deadline, acknowledged; then the second complaint's link");
    assert!(received.iter().all(|m| !m.data.contains("Tablets were given late")), "never what was written");
}

/// Run as a child process by the crash test: takes the step, then stops dead.
#[tokio::test]
#[ignore = "the child process of a_step_notice_survives_a_crash_between_commit_and_email"]
async fn child_takes_a_step_then_crashes() {
    let path = std::env::var(CHILD_DB).expect("run by the crash test");
    let store = Arc::new(SqliteStore::open(Path::new(&path)).await.expect("open store"));
    let id = store.open_complaints().await.expect("open")[0].id;
    acknowledge(&store, id).await;
    std::process::exit(CRASHED);
}

#[tokio::test]
async fn a_step_notice_survives_a_crash_between_commit_and_email_and_goes_once() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("candour.db");
    let (store, _) = seeded(&db).await;
    let sink = Sink::start(None).await;
    assert_eq!(deliver(&store, &sink, Utc::now()).await, 2);
    store.close().await;

    let child = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args(["child_takes_a_step_then_crashes", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env(CHILD_DB, &db)
        .output()
        .expect("run the child");
    assert_eq!(child.status.code(), Some(CRASHED), "{}", String::from_utf8_lossy(&child.stdout));

    let store = Arc::new(SqliteStore::open(&db).await.expect("reopen"));
    assert_eq!(deliver(&store, &sink, Utc::now()).await, 1, "the step's notice, after the restart");
    assert_eq!(deliver(&store, &sink, Utc::now()).await, 0, "and only once");
    let to_complainant = subjects_to(&sink.received(), COMPLAINANT);
    assert_eq!(to_complainant.len(), 2);
}

#[tokio::test]
async fn a_notice_of_every_kind_goes_by_smtp_as_text_and_html_with_its_unsubscribe_header() {
    use candour_app::notices::{Link, Notice, NoticeKind};
    use candour_store::{AccountStore, Recipient};
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = Arc::new(SqliteStore::open(&dir.path().join("candour.db")).await.expect("open store"));
    let notices = Notices::new(Arc::clone(&store) as Arc<dyn Store>, PUBLIC_URL);
    let now = Utc::now();
    for kind in NoticeKind::ALL {
        let notice = Notice {
            kind,
            subject: format!("About {}", kind.code()),
            name: None,
            paragraphs: vec!["Something happened.".into()],
            link: Link { label: "See it".into(), url: format!("{PUBLIC_URL}/{}", kind.code()) },
        };
        let to =
            [Recipient { email: Email::parse(&format!("{}@example.org", kind.code())).unwrap(), name: "Jo".into() }];
        for email in notices.emails(&notice, &to, now).await.expect("addressed") {
            store.queue_email(&email).await.expect("queued");
        }
    }
    let sink = Sink::start(None).await;
    assert_eq!(deliver(&store, &sink, now).await as usize, NoticeKind::ALL.len());
    for kind in NoticeKind::ALL {
        let address = format!("{}@example.org", kind.code());
        let message = sink.received().into_iter().find(|m| m.to == [address.clone()]).expect("delivered");
        for part in ["multipart/alternative", "text/plain", "text/html", "List-Unsubscribe: <", "List-Unsubscribe-Post"]
        {
            assert!(message.data.contains(part), "{}: {part}", kind.code());
        }
    }
}
