//! The returns service against a real SQLite store in a temporary directory:
//! who may send a location's returns (everyone else finds nothing), what is
//! audited, and that a refused return or file keeps nothing.

mod common;

use common::{actor, import, now, open_store};

use std::sync::Arc;

use tempfile::TempDir;

use candour_app::returns::{ApiMonths, FileRefusal, Returns, ReturnsError, UploadedFile};
use candour_app::{Actor, Denied, Gate};
use candour_domain::returns::{Month, RawReturn};
use candour_domain::{Location, LocationId, Provider, ProviderId, Role, Scope};
use candour_store::{AccountStore, AuditQuery, ReturnsStore, Store};
use candour_store_sqlite::SqliteStore;

const ROSE: &str = "1-201";
const OAK: &str = "1-202";
const HARBOUR: &str = "1-301";

struct Harness {
    returns: Returns,
    store: Arc<SqliteStore>,
    admin: Actor,
    manager: Actor,
    staff: Actor,
    other_admin: Actor,
    _dir: TempDir,
}

async fn harness() -> Harness {
    let (store, dir) = open_store().await;
    let (sunrise, harbour) = (ProviderId::parse("1-101").unwrap(), ProviderId::parse("1-102").unwrap());
    let at = |id: &str, provider: &ProviderId, name: &str| {
        let mut l = Location::new(LocationId::parse(id).unwrap(), provider.clone(), name);
        l.local_authority = Some("Leeds".into());
        l
    };
    let providers = vec![Provider::new(sunrise.clone(), "Sunrise Care"), Provider::new(harbour.clone(), "Harbour")];
    let locations =
        vec![at(ROSE, &sunrise, "Rose Court"), at(OAK, &sunrise, "Oak Lodge"), at(HARBOUR, &harbour, "Harbour Home")];
    import(&store, providers, locations).await;
    let admin = actor(&store, "admin@sunrise.example", Role::ProviderAdmin, Scope::Provider(sunrise)).await;
    let manager = actor(&store, "manager@sunrise.example", Role::Manager, Scope::Location(id(ROSE))).await;
    let staff = actor(&store, "staff@sunrise.example", Role::Staff, Scope::Location(id(ROSE))).await;
    let other_admin = actor(&store, "admin@harbour.example", Role::ProviderAdmin, Scope::Provider(harbour)).await;
    let shared: Arc<dyn Store> = store.clone();
    let returns = Returns::new(shared.clone(), Gate::new(shared));
    Harness { returns, store, admin, manager, staff, other_admin, _dir: dir }
}

fn id(value: &str) -> LocationId {
    LocationId::parse(value).expect("a valid ID")
}

/// A complete, valid return for `month`.
fn month(at: &str, incidents: u32) -> RawReturn {
    let mut raw = RawReturn::default();
    for (field, value) in [
        ("month", at),
        ("headcount", "40"),
        ("leavers", "2"),
        ("agency_hours", "300"),
        ("hours_worked", "6000"),
        ("vacancies", "3"),
        ("supervision_pct", "85"),
        ("training_pct", "92"),
        ("registered_manager", "yes"),
        ("manager_changed", "no"),
        ("people_supported", "38"),
        ("restraint", "1"),
        ("seclusion", "0"),
        ("segregation", "0"),
        ("notifications", "2"),
        ("safeguarding_referrals", "1"),
        ("complaints_received", "3"),
        ("complaints_upheld", "1"),
        ("complaints_on_time", "3"),
    ] {
        raw.set(field, value);
    }
    raw.set("incidents", &incidents.to_string());
    raw
}

const HEADER: &str = "location_id,month,headcount,leavers,agency_hours,hours_worked,vacancies,supervision_pct,\
training_pct,registered_manager,manager_changed,people_supported,incidents,restraint,seclusion,segregation,\
notifications,safeguarding_referrals,complaints_received,complaints_upheld,complaints_on_time";

fn csv(rows: &[(&str, &str)]) -> Vec<u8> {
    let mut text = format!("{HEADER}\n");
    for (location, month) in rows {
        text.push_str(&format!("{location},{month},40,2,300,6000,3,85,92,yes,no,38,5,1,0,0,2,1,3,1,3\n"));
    }
    text.into_bytes()
}

impl Harness {
    /// (month, incidents, sent by someone) of every return kept for `location`.
    async fn kept(&self, location: &str) -> Vec<(String, u32, bool)> {
        let (from, to) = (Month::parse("2000-01").unwrap(), Month::new(2099, 12).unwrap());
        let kept = self.store.returns_of(&id(location), from, to).await.expect("returns");
        kept.into_iter().map(|r| (r.figures.month.to_string(), r.figures.incidents, r.sent_by.is_some())).collect()
    }

    /// (action, resource, detail) of every audit entry, oldest first.
    async fn audit(&self) -> Vec<(String, String, Option<String>)> {
        let log = self.store.audit_log(&AuditQuery::default()).await.expect("the audit log");
        log.items.into_iter().rev().map(|e| (e.action, e.resource, e.detail)).collect()
    }
}

fn not_found<T: std::fmt::Debug>(result: Result<T, ReturnsError>) -> bool {
    matches!(result, Err(ReturnsError::Denied(Denied::NotFound)))
}

#[tokio::test]
async fn those_who_run_the_location_send_returns_and_everyone_else_finds_nothing() {
    let h = harness().await;
    let saved = h.returns.send_form(&h.manager, ROSE, &month("2025-01", 4), now()).await.expect("the manager sends");
    assert_eq!((saved.location, saved.month.to_string(), saved.counts.added), (id(ROSE), "2025-01".into(), 1));
    let counts = h.returns.send_form(&h.admin, ROSE, &month("2025-01", 5), now()).await.expect("the admin corrects");
    assert_eq!(counts.counts.replaced, 1);

    for (who, actor) in [("staff", &h.staff), ("another provider", &h.other_admin)] {
        assert!(not_found(h.returns.send_form(actor, ROSE, &month("2025-02", 1), now()).await), "{who}");
        assert!(not_found(h.returns.overview(actor, ROSE, now().date_naive()).await), "{who}");
    }
    assert!(not_found(h.returns.send_form(&h.manager, OAK, &month("2025-02", 1), now()).await), "not their location");
    for unknown in ["1-999999999", "not an id"] {
        assert!(not_found(h.returns.send_form(&h.admin, unknown, &month("2025-02", 1), now()).await), "{unknown}");
    }
    assert_eq!(h.kept(ROSE).await, [("2025-01".into(), 5, true)]);

    let audit = h.audit().await;
    let refused: Vec<_> = audit.iter().filter(|(action, ..)| action == "access_denied").collect();
    assert_eq!(refused.len(), 5, "each refusal of a location that exists is audited, unknown IDs are not: {audit:?}");
    assert!(refused.iter().all(|(_, resource, _)| resource.starts_with("location:")), "{refused:?}");
    let sent: Vec<_> = audit.iter().filter(|(action, ..)| action == "returns").collect();
    assert_eq!(sent.len(), 2);
    assert_eq!(
        (sent[0].1.as_str(), sent[0].2.as_deref()),
        (format!("location:{ROSE}").as_str(), Some("form: 2025-01"))
    );
}

#[tokio::test]
async fn reading_the_returns_is_audited_and_shows_what_was_sent_and_what_is_missing() {
    let h = harness().await;
    let today = now().date_naive();
    let last = candour_app::returns::last_complete_month(today);
    h.returns.send_form(&h.manager, ROSE, &month(&last.to_string(), 4), now()).await.expect("sent");

    let overview = h.returns.overview(&h.admin, ROSE, today).await.expect("the overview");
    assert_eq!(overview.sent.len(), 1);
    assert_eq!(overview.senders.values().collect::<Vec<_>>(), ["Jo Bloggs"]);
    assert_eq!(overview.missing.len(), 11, "the last twelve complete months but the one sent");
    assert!(!overview.missing.contains(&last));

    let (location, template) = h.returns.template(&h.admin, ROSE, today).await.expect("the template");
    assert_eq!(location, id(ROSE));
    assert_eq!(template.lines().count(), 1 + 11);

    let form = h.returns.month_form(&h.admin, ROSE, None, today).await.expect("the form");
    assert_eq!(form.context.month, Some(last));
    assert!(form.context.sent.is_some(), "the month sent is corrected");
    assert_eq!(form.figures.incidents, "4");
    let refused = h.returns.month_form(&h.admin, ROSE, Some("2999-01"), today).await;
    assert!(matches!(refused, Err(ReturnsError::Refused(_))), "{refused:?}");

    let reads: Vec<_> = h.audit().await.into_iter().filter(|(action, ..)| action == "read").collect();
    assert_eq!(reads.len(), 4, "the overview, the template and both forms: {reads:?}");
    assert!(reads.iter().all(|(_, r, d)| r == &format!("location:{ROSE}") && d.as_deref() == Some("returns")));
}

#[tokio::test]
async fn a_refused_form_names_each_field_and_keeps_nothing() {
    let h = harness().await;
    let mut raw = month("2025-01", 4);
    raw.set("supervision_pct", "101");
    raw.set("headcount", "");
    let Err(ReturnsError::Invalid { problems, form }) = h.returns.send_form(&h.admin, ROSE, &raw, now()).await else {
        panic!("refused")
    };
    let fields: Vec<&str> = problems.iter().map(|p| p.field).collect();
    assert_eq!(fields, ["headcount", "supervision_pct"]);
    assert_eq!(form.month.map(|m| m.to_string()).as_deref(), Some("2025-01"));
    assert!(h.kept(ROSE).await.is_empty());
    assert!(h.audit().await.iter().all(|(action, ..)| action != "returns"), "nothing saved, nothing audited");
}

#[tokio::test]
async fn an_uploaded_file_is_kept_whole_or_refused_with_every_problem() {
    let h = harness().await;
    let file = |rows: &[(&str, &str)]| Ok(UploadedFile { name: "returns.csv".into(), bytes: csv(rows) });

    let mixed = h.returns.upload(&h.admin, ROSE, file(&[(ROSE, "2025-01"), (OAK, "2025-01")]), now()).await;
    let Err(ReturnsError::FileRefused(refused)) = mixed else { panic!("refused: {mixed:?}") };
    let FileRefusal::Problems { name, problems } = &refused.refusal else { panic!("problems") };
    assert_eq!((name.as_str(), problems.len(), problems[0].line), ("returns.csv", 1, 3));
    assert_eq!(refused.overview.detail.location.id, id(ROSE), "with the page to show again");

    let none = h.returns.upload(&h.admin, ROSE, Err("Choose a CSV file to upload".into()), now()).await;
    assert!(matches!(none, Err(ReturnsError::FileRefused(r)) if matches!(r.refusal, FileRefusal::NoFile(_))));
    let stranger = h.returns.upload(&h.other_admin, ROSE, file(&[(ROSE, "2025-01")]), now()).await;
    assert!(not_found(stranger));
    assert!(h.kept(ROSE).await.is_empty() && h.kept(OAK).await.is_empty());

    let (location, counts) =
        h.returns.upload(&h.admin, ROSE, file(&[(ROSE, "2025-01"), (ROSE, "2025-02")]), now()).await.expect("kept");
    assert_eq!((location, counts.added), (id(ROSE), 2));
    assert!(h.kept(ROSE).await.iter().all(|(_, _, by)| *by), "the sender is kept");
    let audit = h.audit().await;
    let sent = audit.iter().find(|(action, ..)| action == "returns").expect("audited");
    assert_eq!(sent.2.as_deref(), Some("csv: 2 month(s) from returns.csv"));
}

#[tokio::test]
async fn months_sent_through_the_api_are_checked_together_after_the_access_decision() {
    let h = harness().await;
    let several = |raws: Vec<RawReturn>| ApiMonths::several(raws.into_iter().map(Ok).collect());

    let duplicate = several(vec![month("2025-01", 1), month("2025-01", 2)]);
    let Err(ReturnsError::Problems(problems)) = h.returns.submit_api(&h.admin, ROSE, duplicate, now()).await else {
        panic!("refused")
    };
    assert_eq!(problems, [("[1].month".to_string(), "2025-01 is also given at [0]".to_string())]);
    assert!(h.kept(ROSE).await.is_empty());

    // Who may not send finds nothing, whatever the body.
    assert!(not_found(h.returns.submit_api(&h.staff, ROSE, ApiMonths::NotJson, now()).await));
    let not_json = h.returns.submit_api(&h.admin, ROSE, ApiMonths::NotJson, now()).await;
    assert!(matches!(not_json, Err(ReturnsError::NotJson)));
    let empty = h.returns.submit_api(&h.admin, ROSE, ApiMonths::several(Vec::new()), now()).await;
    assert!(matches!(empty, Err(ReturnsError::Refused(_))));

    let counts = h.returns.submit_api(&h.manager, ROSE, ApiMonths::one(Ok(month("2025-01", 3))), now()).await;
    assert_eq!(counts.expect("kept").added, 1);
    let audit = h.audit().await;
    let sent = audit.iter().find(|(action, ..)| action == "returns").expect("audited");
    assert_eq!(sent.2.as_deref(), Some("api: 1 month(s)"));
}

#[tokio::test]
async fn a_file_imported_on_the_server_has_no_sender_and_no_audit_entry() {
    let h = harness().await;
    let today = now().date_naive();
    let unknown = h.returns.check_server_file(&csv(&[(ROSE, "2025-01"), ("1-999", "2025-01")]), today).await;
    let Err(ReturnsError::FileProblems(problems)) = unknown else { panic!("refused: {unknown:?}") };
    assert_eq!(problems.len(), 1);
    assert_eq!(
        problems[0].to_string(),
        "line 3, column location_id: there is no location with ID 1-999 in the register"
    );

    let file = h.returns.check_server_file(&csv(&[(ROSE, "2025-01"), (HARBOUR, "2025-01")]), today).await;
    let file = file.expect("checked");
    assert!(h.kept(ROSE).await.is_empty(), "checking writes nothing");
    let counts = h.returns.save_on_server(file, now()).await.expect("saved");
    assert_eq!(counts.added, 2);
    assert_eq!(h.kept(HARBOUR).await, [("2025-01".into(), 5, false)], "kept as imported on the server");
    assert!(h.audit().await.is_empty(), "the server's operator is not audited, as before");
}
