//! The watchlist (`/monitoring/watchlist` and its CSV) and a provider's warning
//! signs: who sees which services, how the filters, sort and pages narrow and
//! order them, and how refused values are answered.
//!
//! Oak Lodge is made to stand out by three months of returns without a
//! registered manager, which lifts it to band 2; every other fixture service has
//! no data yet and sits in band 6.

use axum::http::{StatusCode, header};
use candour_domain::returns::{Month, MonthlyReturn};
use candour_domain::{Location, LocationId, ProviderId, Region, Role, Scope};
use candour_store::{AuditQuery, ImportPlan, ReturnBatch, ReturnSource};
use chrono::NaiveDate;

use crate::browser::*;
use crate::fixture::*;

const WATCHLIST: &str = "/monitoring/watchlist";

fn lid(id: &str) -> LocationId {
    LocationId::parse(id).expect("a location ID")
}

/// A month's figures; `registered_manager` is the only one that matters here.
fn figures(month: Month, registered_manager: bool) -> MonthlyReturn {
    MonthlyReturn {
        month,
        headcount: 20,
        leavers: 1,
        agency_hours: 100,
        hours_worked: 3000,
        vacancies: 1,
        supervision_pct: 90,
        training_pct: 90,
        registered_manager,
        manager_changed: false,
        people_supported: 11,
        incidents: 1,
        restraint: 0,
        seclusion: 0,
        segregation: 0,
        notifications: 1,
        safeguarding_referrals: 0,
        complaints_received: 1,
        complaints_upheld: 0,
        complaints_on_time: 1,
    }
}

/// Three past months of returns from Oak Lodge with no registered manager, then
/// waits until monitoring reflects them.
async fn oak_lodge_without_a_manager(app: &TestApp) {
    let mut month = Month::of(chrono::Utc::now().date_naive());
    let mut returns = Vec::new();
    for _ in 0..3 {
        month = month.previous().expect("a month before");
        returns.push((lid(OAK_LODGE), figures(month, false)));
    }
    let batch = ReturnBatch { returns, sent_by: None, sent_at: chrono::Utc::now(), source: ReturnSource::Csv };
    app.store.save_returns(&batch).await.expect("the returns are kept");
    app.settled().await;
}

/// More homecare services for Sunrise in Leeds, each last inspected on the given date.
async fn add_leeds_services(app: &TestApp, services: &[(&str, &str, Option<NaiveDate>)]) {
    let locations = services
        .iter()
        .map(|(id, name, inspected)| {
            let mut l = Location::new(lid(id), ProviderId::parse(SUNRISE).expect("an ID"), *name);
            l.service_types = vec!["Homecare agencies".to_string()];
            l.local_authority = Some("Leeds".to_string());
            l.region = Some(Region::YorkshireAndTheHumber);
            l.last_inspection = *inspected;
            l
        })
        .collect();
    let plan = ImportPlan {
        kind: "test-fixture".into(),
        origin: "watchlist tests".into(),
        locations,
        ..ImportPlan::default()
    };
    app.store.apply_import(&plan).await.expect("the services are imported");
    app.settled().await;
}

/// The services listed in the watchlist's table (or the warning signs), in order.
fn listed(reply: &Reply) -> Vec<String> {
    let marker = "href=\"/monitoring/locations/";
    let mut ids: Vec<String> = Vec::new();
    for part in reply.body.split(marker).skip(1) {
        let id = part.split('"').next().unwrap_or_default().to_string();
        if ids.last() != Some(&id) {
            ids.push(id);
        }
    }
    ids
}

/// The location IDs of a watchlist CSV, in order, and its header line.
fn csv_ids(body: &str) -> (String, Vec<String>) {
    let header = body.lines().next().unwrap_or_default().to_string();
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let ids = reader.records().map(|r| r.expect("a CSV record")[2].to_string()).collect();
    (header, ids)
}

/// The month monitoring works out, as the page names it: "November 2026".
fn month_name() -> String {
    chrono::Utc::now().date_naive().format("%B %Y").to_string()
}

async fn inspector(app: &TestApp) -> Browser {
    signed_in(app, "inspector@example.org", vec![grant(Role::Inspector, Scope::All)]).await
}

async fn leeds_commissioner(app: &TestApp) -> Browser {
    signed_in(app, "commissioner@example.org", vec![grant(Role::Commissioner, Scope::LocalAuthority("Leeds".into()))])
        .await
}

fn ok(reply: &Reply) {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

#[tokio::test]
async fn an_inspector_sees_every_registered_service_with_its_band_and_the_policy() {
    let app = TestApp::new().await;
    oak_lodge_without_a_manager(&app).await;
    let mut browser = inspector(&app).await;
    let page = browser.get(&app, WATCHLIST).await;
    ok(&page);
    assert_eq!(listed(&page), [OAK_LODGE, ROSE_COURT, HARBOUR_HOME_CARE, HARBOUR_LIVING]);
    page.assert_lacks(&["Old Rose Court"]);
    page.assert_contains(&[
        "4 services you can see",
        &format!("<h1 class=\"heading-xl\">Watchlist for {}</h1>", month_name()),
        "<summary>How the watchlist is worked out</summary>",
        "Band 1: 0.50 or more",
        "threshold h = 4.0",
        r#"<strong class="band band--2">Band 2</strong> <span class="band-counts__number">1 service</span>"#,
        r#"<strong class="band band--6">Band 6</strong> <span class="band-counts__number">3 services</span>"#,
        "No registered manager was in post in the latest return",
        "Registered manager in post: no",
        "Harbour Homes",
        "Tower Hamlets · Homecare",
        r#"aria-sort="ascending""#,
        "Download as CSV",
    ]);
    // Oak Lodge has no rating and was never inspected; Rose Court's rating shows.
    page.assert_contains(&["Never", "rating--good"]);

    let audit = AuditQuery { resource: Some("watchlist".into()), ..AuditQuery::default() };
    let entries = app.store.audit_log(&audit).await.expect("the audit log");
    assert_eq!(entries.items.first().map(|e| e.action.as_str()), Some("read"));
}

#[tokio::test]
async fn a_commissioner_sees_only_their_authority_in_the_page_its_choices_and_the_csv() {
    let app = TestApp::new().await;
    oak_lodge_without_a_manager(&app).await;
    let mut browser = leeds_commissioner(&app).await;
    let page = browser.get(&app, WATCHLIST).await;
    ok(&page);
    assert_eq!(listed(&page), [OAK_LODGE, ROSE_COURT]);
    page.assert_contains(&["2 services you can see", r#"<option value="Leeds">Leeds</option>"#]);
    page.assert_lacks(&["Harbour", "Tower Hamlets", "Camden", "3 services"]);

    let csv = browser.get(&app, &format!("{WATCHLIST}.csv")).await;
    ok(&csv);
    assert_eq!(csv_ids(&csv.body).1, [OAK_LODGE, ROSE_COURT]);
    assert!(!csv.body.contains("Harbour"));

    // Another authority's name is refused as a filter, not answered with its services.
    let other = browser.get(&app, &format!("{WATCHLIST}?local_authority=Camden")).await;
    assert_eq!(other.status, StatusCode::BAD_REQUEST);
    other.assert_lacks(&["Harbour"]);
    let other_csv = browser.get(&app, &format!("{WATCHLIST}.csv?local_authority=Camden")).await;
    assert_eq!(other_csv.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_provider_sees_only_its_own_services() {
    let app = TestApp::new().await;
    app.settled().await;
    let mut browser =
        signed_in(&app, "pa@example.org", vec![grant(Role::ProviderAdmin, provider_scope(HARBOUR))]).await;
    let page = browser.get(&app, WATCHLIST).await;
    ok(&page);
    assert_eq!(listed(&page), [HARBOUR_HOME_CARE, HARBOUR_LIVING]);
    page.assert_lacks(&["Rose Court", "Oak Lodge", "Leeds"]);
    let csv = browser.get(&app, &format!("{WATCHLIST}.csv")).await;
    assert_eq!(csv_ids(&csv.body).1, [HARBOUR_HOME_CARE, HARBOUR_LIVING]);
}

#[tokio::test]
async fn accounts_that_may_see_no_service_are_told_so() {
    let app = TestApp::new().await;
    app.settled().await;
    let mut moderator = signed_in(&app, "mod@example.org", vec![grant(Role::Moderator, Scope::All)]).await;
    let mut nobody = signed_in(&app, "none@example.org", vec![]).await;
    // Care staff read their service's workspace but not its monitoring.
    let mut staff = signed_in(&app, "staff@example.org", vec![grant(Role::Staff, location_scope(ROSE_COURT))]).await;
    for browser in [&mut moderator, &mut nobody, &mut staff] {
        for path in [WATCHLIST.to_string(), format!("{WATCHLIST}.csv")] {
            let reply = browser.get(&app, &path).await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{path}: {}", reply.body);
            reply.assert_contains(&["This account has no services to watch"]);
            reply.assert_lacks(&["Rose Court", "Harbour"]);
        }
        let home = browser.get(&app, "/manage").await;
        home.assert_lacks(&[WATCHLIST]);
    }
    let mut manager =
        signed_in(&app, "manager@example.org", vec![grant(Role::Manager, location_scope(ROSE_COURT))]).await;
    assert_eq!(listed(&manager.get(&app, WATCHLIST).await), [ROSE_COURT], "a registered manager sees their own");
    let mut commissioner = leeds_commissioner(&app).await;
    commissioner.get(&app, "/manage").await.assert_contains(&[r#"<a href="/monitoring/watchlist">Watchlist</a>"#]);
}

#[tokio::test]
async fn each_filter_narrows_the_list() {
    let app = TestApp::new().await;
    oak_lodge_without_a_manager(&app).await;
    let mut browser = inspector(&app).await;
    let cases: [(&str, &[&str]); 9] = [
        ("band=2", &[OAK_LODGE]),
        ("band=6", &[ROSE_COURT, HARBOUR_HOME_CARE, HARBOUR_LIVING]),
        ("band=1&band=2", &[OAK_LODGE]),
        ("local_authority=tower+hamlets", &[HARBOUR_HOME_CARE]),
        ("region=London", &[HARBOUR_HOME_CARE, HARBOUR_LIVING]),
        ("service=care_home", &[OAK_LODGE]),
        ("specialism=Dementia", &[ROSE_COURT]),
        ("name=harbour", &[HARBOUR_HOME_CARE, HARBOUR_LIVING]),
        ("region=london&band=6&service=supported_living", &[HARBOUR_LIVING]),
    ];
    for (query, expected) in cases {
        let page = browser.get(&app, &format!("{WATCHLIST}?{query}")).await;
        assert_eq!(page.status, StatusCode::OK, "{query}: {}", page.body);
        assert_eq!(listed(&page), expected, "{query}");
    }
    let none = browser.get(&app, &format!("{WATCHLIST}?band=1")).await;
    ok(&none);
    none.assert_contains(&["No services match", "No services you can see match these filters"]);
    // The form shows back what was chosen, and the counts stay those of every visible service.
    let page = browser.get(&app, &format!("{WATCHLIST}?band=2&region=london&name=oak")).await;
    page.assert_contains(&[
        r#"id="band-2" name="band" type="checkbox" value="2" checked"#,
        r#"<option value="london" selected>London</option>"#,
        r#"value="oak""#,
        r#"<span class="band-counts__number">3 services</span>"#,
    ]);
}

#[tokio::test]
async fn the_list_sorts_by_band_score_name_and_last_inspection() {
    let app = TestApp::new().await;
    let today = chrono::Utc::now().date_naive();
    let months_ago = |n| today.checked_sub_months(chrono::Months::new(n));
    add_leeds_services(
        &app,
        &[("1-200000001", "Aire Homecare", months_ago(38)), ("1-200000002", "Wharfe Homecare", months_ago(5))],
    )
    .await;
    oak_lodge_without_a_manager(&app).await;
    let mut browser = inspector(&app).await;

    let by_band = browser.get(&app, WATCHLIST).await;
    assert_eq!(listed(&by_band)[0], OAK_LODGE, "band 2 before band 6");
    let by_name = browser.get(&app, &format!("{WATCHLIST}?sort=name")).await;
    assert_eq!(
        listed(&by_name),
        ["1-200000001", HARBOUR_HOME_CARE, HARBOUR_LIVING, OAK_LODGE, ROSE_COURT, "1-200000002"]
    );
    let sorted = between(&by_name.body, r#"aria-sort="ascending">"#, "</th>").expect("a sorted column");
    assert!(sorted.contains(r#"href="/monitoring/watchlist?sort=name">Service"#), "{sorted}");
    assert_eq!(by_name.body.matches("aria-sort=").count(), 1, "only the sorted column says so");
    let by_inspection = browser.get(&app, &format!("{WATCHLIST}?sort=inspection&service=homecare")).await;
    assert_eq!(listed(&by_inspection), [HARBOUR_HOME_CARE, "1-200000001", "1-200000002"], "never, then oldest");
    by_inspection.assert_contains(&["3 years 2 months ago", "5 months ago", "Never"]);
    let by_score = browser.get(&app, &format!("{WATCHLIST}?sort=score")).await;
    assert_eq!(listed(&by_score)[0], OAK_LODGE, "the only service with a score");
    by_score.assert_contains(&[r#"aria-sort="descending""#]);
    // Sort links keep the filters and start again at page 1.
    let filtered = browser.get(&app, &format!("{WATCHLIST}?region=london&sort=name")).await;
    filtered.assert_contains(&[r#"href="/monitoring/watchlist?region=london&#38;sort=score""#]);
}

#[tokio::test]
async fn bad_filter_values_are_refused_beside_their_fields() {
    let app = TestApp::new().await;
    app.settled().await;
    let mut browser = inspector(&app).await;
    let page = browser.get(&app, &format!("{WATCHLIST}?band=9&region=wales&sort=cheapest&page=0&service=x")).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    page.assert_contains(&[
        "<title>Error: Watchlist – Candour</title>",
        "There is a problem",
        r##"<a href="#band">Band &#34;9&#34; is not valid: choose bands from 1 to 6</a>"##,
        r##"<a href="#region">Region &#34;wales&#34; is not valid"##,
        r##"<a href="#sort">Sort &#34;cheapest&#34; is not valid"##,
        r##"<a href="#filters-heading">Page &#34;0&#34; is not valid"##,
        r#"id="band-error""#,
        r#"id="region-error""#,
        r#"aria-invalid="true""#,
    ]);
    page.assert_lacks(&["Download as CSV", "Rose Court"]);
    let long = browser.get(&app, &format!("{WATCHLIST}?name={}", "a".repeat(101))).await;
    assert_eq!(long.status, StatusCode::BAD_REQUEST);
    long.assert_contains(&["Name must be 100 characters or fewer"]);
    let csv = browser.get(&app, &format!("{WATCHLIST}.csv?band=0")).await;
    assert_eq!(csv.status, StatusCode::BAD_REQUEST);
    csv.assert_contains(&["Band &#34;0&#34; is not valid"]);
}

#[tokio::test]
async fn the_list_is_paged_fifty_at_a_time_keeping_the_query() {
    let app = TestApp::new().await;
    let ids: Vec<(String, String)> =
        (1..=60).map(|n| (format!("1-3000000{n:02}"), format!("Bulk Homecare {n:02}"))).collect();
    let services: Vec<(&str, &str, Option<NaiveDate>)> =
        ids.iter().map(|(id, name)| (id.as_str(), name.as_str(), None)).collect();
    add_leeds_services(&app, &services).await;
    let mut browser = inspector(&app).await;

    let first = browser.get(&app, &format!("{WATCHLIST}?local_authority=Leeds&sort=name")).await;
    ok(&first);
    assert_eq!(listed(&first).len(), 50);
    first.assert_contains(&[
        "62 services match",
        "Showing 1 to 50 of 62",
        "<title>Watchlist (page 1 of 2) – Candour</title>",
        r#"href="/monitoring/watchlist?local_authority=Leeds&#38;sort=name&#38;page=2""#,
    ]);
    let second = browser.get(&app, &format!("{WATCHLIST}?local_authority=Leeds&sort=name&page=2")).await;
    ok(&second);
    let rest: Vec<String> =
        ids[50..].iter().map(|(id, _)| id.clone()).chain([OAK_LODGE.to_string(), ROSE_COURT.to_string()]).collect();
    assert_eq!(listed(&second), rest);
    assert_eq!(listed(&second).len(), 12);
    second.assert_contains(&["Showing 51 to 62 of 62", r#"aria-current="page">2</a>"#]);
    let beyond = browser.get(&app, &format!("{WATCHLIST}?local_authority=Leeds&page=5")).await;
    ok(&beyond);
    beyond.assert_contains(&["the last page is page 2"]);
    assert!(listed(&beyond).is_empty());
}

#[tokio::test]
async fn the_csv_holds_the_whole_filtered_list_in_the_pages_order_and_is_audited() {
    let app = TestApp::new().await;
    oak_lodge_without_a_manager(&app).await;
    let mut browser = inspector(&app).await;
    let query = "region=yorkshire_and_the_humber&sort=name";
    let page = browser.get(&app, &format!("{WATCHLIST}?{query}")).await;
    page.assert_contains(&[&format!(r#"href="/monitoring/watchlist.csv?{}""#, query.replace('&', "&#38;"))]);
    let csv = browser.get(&app, &format!("{WATCHLIST}.csv?{query}")).await;
    ok(&csv);
    assert_eq!(csv.headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    let month = Month::of(chrono::Utc::now().date_naive());
    assert_eq!(
        csv.headers[header::CONTENT_DISPOSITION].to_str().unwrap(),
        format!("attachment; filename=\"watchlist-{month}.csv\"")
    );
    let (header_line, ids) = csv_ids(&csv.body);
    assert_eq!(
        header_line,
        "band,score,location_id,name,provider_id,provider,local_authority,region,service_type,beds,peer_group,risk,\
         elevated,indicators_with_data,last_inspection,rating,reasons"
    );
    assert_eq!(ids, listed(&page));
    assert_eq!(ids, [OAK_LODGE, ROSE_COURT]);
    assert!(csv.body.contains("No registered manager was in post"), "{}", csv.body);

    let audit = AuditQuery { action: Some("export".into()), ..AuditQuery::default() };
    let entries = app.store.audit_log(&audit).await.expect("the audit log");
    assert_eq!(entries.total, 1);
    assert_eq!(entries.items[0].resource, "watchlist");
    assert_eq!(entries.items[0].detail.as_deref(), Some(query));
    assert_eq!(entries.items[0].actor_email.as_deref(), Some("inspector@example.org"));
}

#[tokio::test]
async fn a_provider_reads_its_own_warning_signs_and_nobody_elses() {
    let app = TestApp::new().await;
    app.store.apply_import(&later_plan()).await.expect("Clifton House is imported");
    oak_lodge_without_a_manager(&app).await;
    let mut sunrise =
        signed_in(&app, "pa@example.org", vec![grant(Role::ProviderAdmin, provider_scope(SUNRISE))]).await;
    let own = format!("/manage/providers/{SUNRISE}/warning-signs");

    let manage = sunrise.get(&app, &format!("/manage/providers/{SUNRISE}")).await;
    manage.assert_contains(&[&format!(r#"<a href="{own}">Warning signs for each service</a>"#)]);
    let page = sunrise.get(&app, &own).await;
    ok(&page);
    assert_eq!(listed(&page), [OAK_LODGE, ROSE_COURT, CLIFTON_HOUSE], "every service, the most serious first");
    page.assert_contains(&[
        "<title>Warning signs: Sunrise Care Ltd – Candour</title>",
        "3 services watched; 1 with a warning flag; in band 1 or 2, where an inspector would look first: Oak Lodge.",
        r#"<strong class="band band--2">Band 2</strong>"#,
        r#"<strong class="tag tag--flag">No registered manager</strong>"#,
        "No registered manager was in post in the latest return",
        "Care home without nursing, 11–49 beds, in England",
    ]);
    page.assert_lacks(&["Harbour"]);

    // Another provider's page is the normal 404, exactly as an unknown provider's.
    let theirs = sunrise.get(&app, &format!("/manage/providers/{HARBOUR}/warning-signs")).await;
    let nobodys = sunrise.get(&app, "/manage/providers/1-999999998/warning-signs").await;
    assert_eq!((theirs.status, nobodys.status), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
    assert_eq!(theirs.body.replace(HARBOUR, "ID"), nobodys.body.replace("1-999999998", "ID"));

    // A commissioner may read the provider, but sees only the services in their authority.
    let mut leeds = leeds_commissioner(&app).await;
    let narrowed = leeds.get(&app, &own).await;
    ok(&narrowed);
    assert_eq!(listed(&narrowed), [OAK_LODGE, ROSE_COURT]);
    narrowed.assert_lacks(&["Clifton House"]);
}

/// A service whose stored data cannot be read (a month that is not one) is listed as
/// not computed, with why, and every other service is still on the watchlist.
#[tokio::test]
async fn a_service_that_could_not_be_computed_is_listed_with_why_and_the_rest_are_watched() {
    // A month that is none can be stored only where months are text.
    let app = TestApp::on_sqlite().await;
    app.settled().await;
    let spoilt = "INSERT INTO voice_months (location_id, month, responses, positive, rated, outcome_n, outcome_sum, \
         outcome_sum_sq, stories, critical_stories, speak_up_n, speak_up_sum, speak_up_sum_sq, enough_staff_n, \
         enough_staff_sum, enough_staff_sum_sq, partner_responses, partner_concerns) \
         VALUES ('{id}', '{month}', 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)";
    let next_year = chrono::Utc::now().date_naive().format("%Y").to_string().parse::<i32>().unwrap() + 1;
    app.write_directly(&spoilt.replace("{id}", ROSE_COURT).replace("{month}", &format!("{next_year}-13"))).await;
    // Written behind the store's back: journaled by hand, as a change of no one location.
    app.write_directly("INSERT INTO changes (location_id, kind, at) VALUES (NULL, 'register', '2026-01-01T00:00:00Z')")
        .await;
    let snapshot = app.settled().await;
    assert!(snapshot.get(&candour_domain::LocationId::parse(ROSE_COURT).unwrap()).is_none());

    let mut browser = inspector(&app).await;
    let page = browser.get(&app, WATCHLIST).await;
    ok(&page);
    let mut watched = listed(&page);
    watched.sort();
    let mut others = [HARBOUR_HOME_CARE, HARBOUR_LIVING, OAK_LODGE];
    others.sort();
    assert_eq!(watched, others);
    page.assert_contains(&[
        "Not on the watchlist: could not be computed",
        &format!("Rose Court ({ROSE_COURT}): could not be computed: stored month is not valid: month &#34;"),
        "-13&#34; is not valid",
    ]);
    let compared = browser.get(&app, &format!("/monitoring/locations/{ROSE_COURT}")).await;
    ok(&compared);
    compared.assert_contains(&[&format!("Rose Court ({ROSE_COURT}) could not be computed: stored month is not valid")]);
    // Those who may not see the service are not told of it.
    let tower_hamlets = vec![grant(Role::Commissioner, Scope::LocalAuthority("Tower Hamlets".into()))];
    let mut elsewhere = signed_in(&app, "elsewhere@example.org", tower_hamlets).await;
    let theirs = elsewhere.get(&app, WATCHLIST).await;
    ok(&theirs);
    theirs.assert_lacks(&["could not be computed", "Rose Court"]);
    let hidden = elsewhere.get(&app, &format!("/monitoring/locations/{ROSE_COURT}")).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let health = app.get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.json()["monitoring"]["services_not_computed"], 1);
}
