//! The `candour` binary driven as a person would: real files, a real database (a
//! SQLite file, or PostgreSQL when CANDOUR_TEST_POSTGRES is set), a real server on a real socket.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use candour_db::TestDatabase;

fn candour(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_candour")).args(args).env_remove("CANDOUR_DB").output().expect("run candour")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../cqc/tests/fixtures").join(name)
}

async fn location_count(db: &str) -> u64 {
    let opened = TestDatabase::open_value(db).await;
    let stats = opened.store().register_stats().await.expect("stats");
    opened.close().await;
    stats.registered_locations + stats.deregistered_locations
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["demo", "--help"],
        vec!["import", "--help"],
        vec!["import", "cqc-directory", "--help"],
        vec!["import", "cqc-ratings", "--help"],
        vec!["import", "cqc-simple", "--help"],
        vec!["import", "cqc-api", "--help"],
        vec!["import", "provider-returns", "--help"],
        vec!["export", "cqc-directory", "--help"],
        vec!["sync", "cqc", "--help"],
        vec!["user", "add", "--help"],
        vec!["user", "list", "--help"],
        vec!["mail", "send-due", "--help"],
        vec!["copy", "--help"],
    ] {
        let out = candour(&args);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        assert!(text(&out.stdout).contains("Usage:"), "{args:?}");
    }
}

#[test]
fn unknown_flags_and_bad_values_are_refused_clearly() {
    let out = candour(&["demo", "--scale", "huge"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("possible values: small, national"), "{}", text(&out.stderr));
    let out = candour(&["serve", "--addr", "not-an-address"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("invalid socket address"), "{}", text(&out.stderr));
    for (flag, value, said) in [
        ("--complaint-acknowledge-days", "0", "The days to acknowledge in must be from 1 to 260 working days, not 0."),
        (
            "--complaint-respond-days",
            "2",
            "The days to respond in (2) cannot be fewer than the days to acknowledge in (3).",
        ),
    ] {
        let out = candour(&["serve", "--addr", "127.0.0.1:0", flag, value]);
        assert!(!out.status.success(), "{flag} {value} is refused before the server starts");
        assert!(text(&out.stderr).contains(said), "{flag}: {}", text(&out.stderr));
    }
}

#[test]
fn mail_settings_are_checked_before_anything_starts() {
    let database = TestDatabase::fresh_blocking();
    let db = database.value();
    let from = "Candour <alerts@example.org>";
    for (args, expected) in [
        (vec!["mail", "send-due", "--db", &db], "give the SMTP server with --smtp-url"),
        (vec!["mail", "send-due", "--db", &db, "--smtp-url", "smtp://localhost"], "--mail-from"),
        (vec!["mail", "send-due", "--db", &db, "--smtp-url", "http://x", "--mail-from", from], "smtp:// or smtps://"),
        (
            vec!["serve", "--db", &db, "--addr", "127.0.0.1:0", "--smtp-url", "smtp://u:pw@smtp.example.org"],
            "--mail-from",
        ),
        (
            vec![
                "serve",
                "--db",
                &db,
                "--addr",
                "127.0.0.1:0",
                "--smtp-url",
                "smtp://u:pw@smtp.example.org",
                "--mail-from",
                from,
            ],
            "password unencrypted",
        ),
    ] {
        let out = candour(&args);
        assert!(!out.status.success(), "{args:?}");
        assert!(text(&out.stderr).contains(expected), "{args:?}: {}", text(&out.stderr));
    }
}

#[test]
fn mail_send_due_with_nothing_due_sends_nothing() {
    let database = TestDatabase::fresh_blocking();
    // Nothing is due, so the server (here none at all) is never contacted.
    let args = [
        "mail",
        "send-due",
        "--db",
        &database.value(),
        "--smtp-url",
        "smtp://127.0.0.1:9",
        "--mail-from",
        "a@example.org",
    ];
    let out = candour(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Sent 0 emails."), "{}", text(&out.stdout));
}

#[tokio::test]
async fn a_directory_imports_then_reimports_unchanged() {
    let database = TestDatabase::fresh().await;
    let db = database.value();
    let file = fixture("directory.csv");
    let first = candour(&["import", "cqc-directory", file.to_str().expect("utf-8 path"), "--db", &db]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    let added = location_count(&db).await;
    assert!(added > 0);
    assert!(
        text(&first.stdout).contains(&format!("Locations: {added} added, 0 changed, 0 unchanged")),
        "{}",
        text(&first.stdout)
    );

    let again = candour(&["import", "cqc-directory", file.to_str().expect("utf-8 path"), "--db", &db]);
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert!(
        text(&again.stdout).contains(&format!("Locations: 0 added, 0 changed, {added} unchanged, 0 deregistered")),
        "{}",
        text(&again.stdout)
    );
}

#[tokio::test]
async fn a_bad_file_is_refused_whole_with_every_problem_listed() {
    let database = TestDatabase::fresh().await;
    let db = database.value();
    let bad = fixture("directory_bad.csv");
    let out = candour(&["import", "cqc-directory", bad.to_str().expect("utf-8 path"), "--db", &db]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("nothing was imported") && stderr.contains("--skip-invalid"), "{stderr}");
    assert!(stderr.matches("line ").count() >= 2, "every bad row listed: {stderr}");
    assert_eq!(location_count(&db).await, 0, "nothing written");

    let out = candour(&["import", "cqc-directory", bad.to_str().expect("utf-8 path"), "--skip-invalid", "--db", &db]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("skipped: line "), "{}", text(&out.stderr));
    assert!(location_count(&db).await > 0, "the valid rows were imported");
}

#[test]
fn a_missing_file_is_a_clear_error() {
    let database = TestDatabase::fresh_blocking();
    let out = candour(&["import", "cqc-ratings", "/no/such/file.csv", "--db", &database.value()]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("/no/such/file.csv"), "{}", text(&out.stderr));
}

#[tokio::test]
async fn demo_export_and_reimport_round_trip() {
    let dir = tempfile::tempdir().expect("tempdir");
    let database = TestDatabase::fresh().await;
    let db = database.value();
    let out = candour(&["demo", "--scale", "small", "--seed", "7", "--db", &db]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let registered = {
        let opened = TestDatabase::open_value(&db).await;
        let registered = opened.store().register_stats().await.expect("stats").registered_locations;
        opened.close().await;
        registered
    };

    let again = candour(&["demo", "--db", &db]);
    assert!(!again.status.success(), "the demo is only added to an empty database");
    assert!(text(&again.stderr).contains("already holds a register"));

    let csv = dir.path().join("directory.csv");
    let out = candour(&["export", "cqc-directory", csv.to_str().expect("utf-8 path"), "--db", &db]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    // Into a fresh database, every registered location comes back.
    let other_database = database.another().await;
    let other = other_database.value();
    let out = candour(&["import", "cqc-directory", csv.to_str().expect("utf-8 path"), "--db", &other]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(location_count(&other).await, registered);

    // Into the database it came from, nothing changes.
    let out = candour(&["import", "cqc-directory", csv.to_str().expect("utf-8 path"), "--db", &db]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains(&format!("0 added, 0 changed, {registered} unchanged, 0 deregistered")),
        "{}",
        text(&out.stdout)
    );
}

/// `serve --demo` on a real socket: seeds an empty database, prints its address, answers.
#[test]
fn serve_demo_prints_its_address_and_answers() {
    let database = TestDatabase::fresh_blocking();
    let mut child = Command::new(env!("CARGO_BIN_EXE_candour"))
        .args(["serve", "--demo", "--addr", "127.0.0.1:0", "--db", &database.value()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start server");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    while !line.contains("http://") {
        line.clear();
        if stdout.read_line(&mut line).expect("read stdout") == 0 {
            break;
        }
    }
    let addr = line.split("http://").nth(1).and_then(|rest| rest.split('/').next()).map(str::to_string);
    let answer = addr.as_deref().map(|addr| http_get(addr, "/healthz"));
    let _ = child.kill();
    let _ = child.wait();
    let answer = answer.expect("the server printed its address");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

fn http_get(addr: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).expect("connect");
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    answer
}

#[test]
fn user_add_prints_an_invitation_and_list_shows_it() {
    let database = TestDatabase::fresh_blocking();
    let db = database.value();
    let out = candour(&[
        "user",
        "add",
        "--email",
        "Jo@Example.org",
        "--role",
        "commissioner",
        "--scope",
        "Leeds",
        "--scope",
        "Kent",
        "--public-url",
        "https://candour.example.org",
        "--db",
        &db,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("Added jo@example.org as Commissioner (Kent), Commissioner (Leeds)"), "{stdout}");
    assert!(stdout.contains("https://candour.example.org/invitations/"), "{stdout}");

    let again = candour(&["user", "add", "--email", "jo@example.org", "--role", "admin", "--db", &db]);
    assert!(!again.status.success());
    assert!(text(&again.stderr).contains("already exists"), "{}", text(&again.stderr));

    let list = candour(&["user", "list", "--db", &db]);
    assert!(list.status.success(), "{}", text(&list.stderr));
    assert!(
        text(&list.stdout).contains("jo@example.org") && text(&list.stdout).contains("invited"),
        "{}",
        text(&list.stdout)
    );
}

#[test]
fn user_add_refuses_bad_roles_and_scopes() {
    let database = TestDatabase::fresh_blocking();
    let db = database.value();
    for (args, expected) in [
        (vec!["--email", "jo@example.org", "--role", "chief"], "expected admin, inspector"),
        (vec!["--email", "not-an-email", "--role", "admin"], "email address"),
        (vec!["--email", "jo@example.org", "--role", "manager"], "location IDs"),
        (vec!["--email", "jo@example.org", "--role", "provider_admin", "--scope", "Leeds"], "provider ID"),
        (vec!["--email", "jo@example.org", "--role", "inspector", "--scope", "Leeds"], "give no scope"),
        // A control character in any argument: a commissioner's scope that matches no authority.
        (vec!["--email", "jo@example.org", "--role", "commissioner", "--scope", "Leeds\u{1b}"], "U+001B"),
        (vec!["--email", "jo@example.org", "--name", "Jo\u{7f}", "--role", "admin"], "control character"),
    ] {
        let mut all = vec!["user", "add"];
        all.extend(args);
        all.extend(["--db", db.as_str()]);
        let out = candour(&all);
        assert!(!out.status.success(), "{all:?}");
        assert!(text(&out.stderr).contains(expected), "{all:?}: {}", text(&out.stderr));
    }
    let list = candour(&["user", "list", "--db", &db]);
    assert!(text(&list.stdout).contains("No accounts yet"), "nothing was created");
}
