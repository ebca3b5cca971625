//! A running server sees what another process writes to its database: `candour
//! import provider-returns` and `candour import cqc-directory`, run beside
//! `candour serve`, show in its monitoring and its directory within 5 seconds, with
//! no restart and nothing said to the server (it follows the change journal). Two
//! servers on one database follow each other and share what they must: lockouts,
//! and the outbox (each email sent once).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use candour_app::accounts::{AccountPolicy, Accounts, principal};
use candour_db::TestDatabase;
use candour_store::Store;

fn candour(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_candour")).args(args).env_remove("CANDOUR_DB").output().expect("run candour")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The server, stopped when the test ends however it ends.
struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `candour serve` on `db` with `args`, once it says where it listens.
fn serve(db: &str, args: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_candour"))
        .args(["serve", "--addr", "127.0.0.1:0", "--db", db])
        .args(args)
        .env_remove("CANDOUR_DB")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the server");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    while !line.contains("Candour is running at") {
        line.clear();
        if stdout.read_line(&mut line).expect("read stdout") == 0 {
            break;
        }
    }
    let addr = line.split("http://").nth(1).and_then(|rest| rest.split('/').next()).map(str::to_string);
    // Keep reading what it prints, so that it never blocks on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    Server { addr: addr.expect("the server printed its address"), child }
}

/// `GET path`, with a bearer token if given: (status line, body).
fn get(addr: &str, path: &str, token: Option<&str>) -> (String, String) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Connection: close\r\n\r\n").expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    let status = answer.lines().next().unwrap_or_default().to_string();
    let body = answer.split_once("\r\n\r\n").map(|(_, body)| body.to_string()).unwrap_or_default();
    (status, body)
}

/// Waits up to 5 seconds for `check` to hold; how long it took.
fn within_5s(what: &str, mut check: impl FnMut() -> bool) -> Duration {
    let started = Instant::now();
    while !check() {
        assert!(started.elapsed() < Duration::from_secs(5), "{what}: not seen within 5 s");
        std::thread::sleep(Duration::from_millis(50));
    }
    started.elapsed()
}

/// An inspector's API token, made through the accounts service on the same database.
async fn inspector_token(db: &str) -> String {
    let store: Arc<dyn Store> = TestDatabase::open_value(db).await.store();
    let users = store.users().await.expect("users");
    let inspector = users.iter().find(|u| u.email.as_str().starts_with("inspector@")).expect("the demo inspector");
    let accounts = Accounts::new(store.clone(), AccountPolicy::default());
    let (_, secret) = accounts.create_api_token(&principal(inspector), "live test", None).await.expect("a token");
    secret.expose().to_string()
}

/// The location IDs a JSON body names, in order.
fn ids(body: &str) -> Vec<String> {
    body.split("\"id\":\"").skip(1).filter_map(|rest| rest.split('"').next()).map(str::to_string).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imports_by_another_process_reach_a_running_servers_monitoring_and_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let database = TestDatabase::fresh().await;
    let db = database.value();
    let server = serve(&db, &["--demo"]);
    let token = inspector_token(&db).await;
    let addr = server.addr.clone();

    // A service the monitor watches with a registered manager.
    let (_, page) = get(&addr, "/api/v1/locations?per_page=50", None);
    let monitoring = |id: &str| get(&addr, &format!("/api/v1/monitoring/locations/{id}"), Some(&token));
    let mut watched = None;
    for id in ids(&page) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let (status, body) = loop {
            let (status, body) = monitoring(&id);
            if !status.contains(" 503") || Instant::now() > deadline {
                break (status, body);
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        if status.contains(" 200") && !body.contains("no_registered_manager") {
            watched = Some(id);
            break;
        }
    }
    let id = watched.expect("a watched service with a manager");

    // Last month's return says the manager has gone: written by another process.
    let month = chrono::Utc::now().date_naive().format("%Y-%m-01").to_string();
    let month = chrono::NaiveDate::parse_from_str(&month, "%Y-%m-%d").expect("a date") - chrono::Days::new(1);
    let returns = dir.path().join("returns.csv");
    let header =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/provider-returns.csv"))
            .expect("the template");
    let header = header.lines().next().expect("the header");
    let row = format!("{id},{},42,2,310,6120,3,88,94,no,no,38,6,1,0,0,2,1,2,1,2", month.format("%Y-%m"));
    std::fs::write(&returns, format!("{header}\n{row}\n")).expect("write");
    let out = candour(&["import", "provider-returns", returns.to_str().expect("utf-8"), "--db", &db]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let took = within_5s("the return in the monitoring", || monitoring(&id).1.contains("no_registered_manager"));
    println!("the return reached the monitoring in {took:?}");

    let renamed_id = import_renamed_and_added(dir.path(), &db);
    let found = |name: &str| get(&addr, &format!("/api/v1/locations?name={name}"), None).1;
    let took = within_5s("the import in the directory", || {
        ids(&found("Journalled+New")) == ["1-987654321"] && ids(&found("Journalled+Renamed")) == [renamed_id.as_str()]
    });
    println!("the import reached the directory in {took:?}");
    within_5s("the new service in the monitoring", || monitoring("1-987654321").0.contains(" 200"));
}

/// The register, exported, with one service renamed ("Journalled Renamed House")
/// and one added ("Journalled New House", 1-987654321), imported by another
/// process; the renamed service's ID.
fn import_renamed_and_added(dir: &Path, db: &str) -> String {
    let csv = dir.join("directory.csv");
    let out = candour(&["export", "cqc-directory", csv.to_str().expect("utf-8"), "--db", db]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let exported = std::fs::read_to_string(&csv).expect("the export");
    let mut rows = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(exported.as_bytes());
    let mut records: Vec<csv::StringRecord> = rows.records().map(|r| r.expect("a row")).collect();
    let header = records.iter().position(|r| r.get(0) == Some("Location ID")).expect("the header");
    let name = records[header].iter().position(|c| c == "Location Name").expect("the name column");
    let renamed_id = records[header + 1].get(0).expect("an ID").to_string();
    let with = |record: &csv::StringRecord, column: usize, value: &str| -> csv::StringRecord {
        record.iter().enumerate().map(|(i, c)| if i == column { value } else { c }).collect()
    };
    records[header + 1] = with(&records[header + 1], name, "Journalled Renamed House");
    let added = with(&with(&records[header + 2], 0, "1-987654321"), name, "Journalled New House");
    records.push(added);
    let mut out = csv::WriterBuilder::new().flexible(true).from_path(&csv).expect("write");
    for record in &records {
        out.write_record(record).expect("write");
    }
    out.flush().expect("write");
    drop(out);
    let out = candour(&["import", "cqc-directory", csv.to_str().expect("utf-8"), "--db", db]);
    assert!(out.status.success(), "{}\n{}", text(&out.stdout), text(&out.stderr));
    renamed_id
}

/// Sends `request` (the head of an HTTP/1.1 request without Host and Connection)
/// with `body`: the whole answer.
fn send(addr: &str, request: &str, body: &str) -> String {
    let mut stream = TcpStream::connect(addr).expect("connect");
    write!(stream, "{request}Host: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}", body.len())
        .expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    answer
}

/// Signs in through the form, as a browser would: whether it let the person in.
fn signs_in(addr: &str, email: &str, password: &str) -> bool {
    let form = send(addr, "GET /sign-in HTTP/1.1\r\n", "");
    let token = form
        .split("candour_csrf=")
        .nth(1)
        .and_then(|rest| rest.split(';').next())
        .expect("the sign-in form sets a CSRF cookie")
        .to_string();
    let body = format!("email={}&password={}&next=", urlencoding::encode(email), urlencoding::encode(password));
    let answer = send(
        addr,
        &format!(
            "POST /sign-in HTTP/1.1\r\nCookie: candour_csrf={token}\r\nX-CSRF-Token: {token}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\n"
        ),
        &body,
    );
    answer.contains("candour_session=") && answer.starts_with("HTTP/1.1 303")
}

/// The journal entry a server's monitor reflects, from `/healthz`.
fn reflected(addr: &str) -> i64 {
    let (_, body) = get(addr, "/healthz", None);
    let health: serde_json::Value = serde_json::from_str(&body).expect("health is JSON");
    health["monitoring"]["reflected_change"].as_i64().expect("a journal position")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_database_follow_each_other_and_share_lockouts_and_the_outbox() {
    let dir = tempfile::tempdir().expect("tempdir");
    let database = TestDatabase::fresh().await;
    let db = database.value();
    let sink = candour_mail::testing::Sink::start(None).await;
    let smtp = format!("smtp://127.0.0.1:{}", sink.addr.port());
    let mail = ["--smtp-url", smtp.as_str(), "--mail-from", "Candour <alerts@candour.example.org>"];
    let first = serve(&db, &[&["--demo"][..], &mail].concat());
    let second = serve(&db, &mail);

    // Feedback taken by the first is followed by the second's monitor.
    within_5s("the second monitor's first round", || reflected(&second.addr) >= 0);
    let before = reflected(&second.addr);
    let (_, page) = get(&first.addr, "/api/v1/locations?per_page=1", None);
    let id = ids(&page).into_iter().next().expect("a location");
    let answers = ["choice", "safe", "dignity", "listened", "matters", "in_touch", "reliable", "information"];
    let answers: serde_json::Map<String, serde_json::Value> =
        answers.iter().map(|q| (q.to_string(), "just_as_i_want".into())).collect();
    let feedback = serde_json::json!({ "respondent": "person", "overall": "good", "answers": answers }).to_string();
    let answer = send(
        &first.addr,
        &format!("POST /api/v1/locations/{id}/feedback HTTP/1.1\r\nContent-Type: application/json\r\n"),
        &feedback,
    );
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    let took = within_5s("the feedback in the second monitor", || reflected(&second.addr) > before);
    println!("the second server's monitor followed the feedback in {took:?}");

    // A command's import is seen by both.
    let renamed_id = import_renamed_and_added(dir.path(), &db);
    for server in [&first, &second] {
        let found = |name: &str| get(&server.addr, &format!("/api/v1/locations?name={name}"), None).1;
        within_5s("the import in the directory", || ids(&found("Journalled+Renamed")) == [renamed_id.as_str()]);
    }

    // A lockout earned on the first holds on the second.
    let email = "inspector@demo.candour.example";
    assert!(signs_in(&second.addr, email, "demo-password-1234"), "the demo inspector can sign in");
    for _ in 0..5 {
        assert!(!signs_in(&first.addr, email, "not-the-password"));
    }
    assert!(!signs_in(&second.addr, email, "demo-password-1234"), "locked on the other server too");

    // Both send the outbox; each email goes once.
    let store = TestDatabase::open_value(&db).await.store();
    let all_sent = || async {
        let outbox = store.outbox(1000).await.expect("the outbox");
        (!outbox.is_empty() && outbox.iter().all(|e| e.sent_at.is_some())).then_some(outbox.len())
    };
    let started = Instant::now();
    let sent = loop {
        if let Some(n) = all_sent().await {
            break n;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the outbox was not sent");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(sink.received().len(), sent, "each email sent once, by one server");
}
