//! How one service compares with similar services (`/monitoring/locations/{id}`):
//! every indicator with its status, a service that stands out shown at risk and
//! marked on its funnel plot, the peer group chosen by scope, choices refused
//! with a message, other tenants answered 404, and the minimum n respected.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use candour_domain::returns::{Month, MonthlyReturn};
use candour_domain::voice::OUTCOME_QUESTIONS;
use candour_domain::{
    Location, LocationId, Provider, ProviderId, Region, Registration, RegistrationStatus, Role, Scope,
};
use candour_engine::monitoring::{CATALOGUE, Indicator, Status};
use candour_store::{ImportPlan, ReturnBatch, ReturnSource};
use chrono::{NaiveDate, Utc};

use crate::browser::*;
use crate::fixture::*;

const PEER_PROVIDER: &str = "1-100000009";

/// Homecare agencies like Harbour Home Care (Tower Hamlets, London): six more in
/// Tower Hamlets, four in Camden and six in Leeds. With it: 17 in England, 11 in
/// London, 7 in Tower Hamlets.
fn peers() -> Vec<(String, &'static str, Region)> {
    let places = [("Tower Hamlets", Region::London, 6), ("Camden", Region::London, 4)];
    let leeds = [("Leeds", Region::YorkshireAndTheHumber, 6)];
    places
        .into_iter()
        .chain(leeds)
        .flat_map(|(la, region, count)| (0..count).map(move |_| (la, region)))
        .enumerate()
        .map(|(i, (la, region))| (format!("1-2000000{:02}", i + 1), la, region))
        .collect()
}

fn peer_plan() -> ImportPlan {
    let provider = ProviderId::parse(PEER_PROVIDER).expect("an ID");
    let locations = peers()
        .into_iter()
        .map(|(id, la, region)| {
            let mut l =
                Location::new(LocationId::parse(&id).expect("an ID"), provider.clone(), format!("Peer Care {id}"));
            l.service_types = vec!["Homecare agencies".to_string()];
            l.local_authority = Some(la.to_string());
            l.region = Some(region);
            l.registration = Registration {
                status: RegistrationStatus::Registered,
                registered_on: NaiveDate::from_ymd_opt(2018, 1, 1),
                deregistered_on: None,
            };
            l
        })
        .collect();
    ImportPlan {
        kind: "test-fixture".to_string(),
        origin: "benchmark peers".to_string(),
        providers: vec![Provider::new(provider, "Peer Care Ltd")],
        locations,
        ..ImportPlan::default()
    }
}

/// A month of an ordinary homecare agency, varied a little by `seed`.
fn ordinary(month: Month, seed: u32) -> MonthlyReturn {
    MonthlyReturn {
        month,
        headcount: 40 + seed % 7,
        leavers: seed % 2,
        agency_hours: 250 + 20 * (seed % 5),
        hours_worked: 6000 + 100 * (seed % 4),
        vacancies: 2 + seed % 3,
        supervision_pct: 85 + (seed % 6) as u8,
        training_pct: 88 + (seed % 5) as u8,
        registered_manager: true,
        manager_changed: false,
        people_supported: 38 + seed % 5,
        incidents: 3 + seed % 3,
        restraint: seed % 2,
        seclusion: 0,
        segregation: 0,
        notifications: 2 + seed % 2,
        safeguarding_referrals: seed % 2,
        complaints_received: 2 + seed % 2,
        complaints_upheld: seed % 2,
        complaints_on_time: 2,
    }
}

/// The last three months, this one included.
fn recent_months() -> Vec<Month> {
    let now = Month::of(Utc::now().date_naive());
    let before = now.previous().expect("a month before");
    vec![before.previous().expect("a month before"), before, now]
}

/// The fixture with the peers, every agency's last three months returned, and
/// Harbour Home Care standing out: half its hours from agencies and restraint
/// every few days.
async fn app_with_peers() -> TestApp {
    let app = TestApp::new().await;
    app.store.apply_import(&peer_plan()).await.expect("the peers import");
    let mut returns = Vec::new();
    for (seed, month) in recent_months().into_iter().enumerate() {
        for (i, (id, _, _)) in peers().iter().enumerate() {
            returns.push((LocationId::parse(id).expect("an ID"), ordinary(month, (i + seed) as u32)));
        }
        let standout = MonthlyReturn { agency_hours: 3000, restraint: 12, ..ordinary(month, 1) };
        returns.push((LocationId::parse(HARBOUR_HOME_CARE).expect("an ID"), standout));
    }
    let batch = ReturnBatch { returns, sent_by: None, sent_at: Utc::now(), source: ReturnSource::Csv };
    app.store.save_returns(&batch).await.expect("the returns are saved");
    app.settled().await;
    app
}

fn page_of(id: &str) -> String {
    format!("/monitoring/locations/{id}")
}

async fn inspector(app: &TestApp) -> Browser {
    signed_in(app, "inspector@example.org", vec![grant(Role::Inspector, Scope::All)]).await
}

/// The summary table's row for an indicator, from its name to the end of the row.
fn summary_row<'a>(body: &'a str, code: &str) -> &'a str {
    between(body, &format!("<th scope=\"row\"><a href=\"#{code}\">"), "</tr>")
        .unwrap_or_else(|| panic!("a row for {code}"))
}

/// The indicator's section, up to the next one.
fn section<'a>(body: &'a str, code: &str) -> &'a str {
    between(body, &format!("<h2 class=\"heading-l\" id=\"{code}\">"), "</section>")
        .unwrap_or_else(|| panic!("a section for {code}"))
}

/// The peers' dots on a funnel plot.
fn dots(funnel: &str) -> usize {
    between(funnel, "class=\"chart__peers\">", "</g>").map_or(0, |group| group.matches("<circle").count())
}

#[tokio::test]
async fn the_page_shows_every_indicator_with_its_status() {
    let app = app_with_peers().await;
    let mut browser = inspector(&app).await;
    let reply = browser.get(&app, &page_of(HARBOUR_HOME_CARE)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.assert_contains(&[
        "Harbour Home Care",
        "Harbour Homes",
        "Tower Hamlets",
        "On the watchlist",
        "Compared with <strong>Homecare, beds not known, in England</strong>: 17 services, this one included.",
        "How this is worked out",
        "homecare/unknown/england",
    ]);
    let snapshot = app.settled().await;
    let watched = snapshot.get(&LocationId::parse(HARBOUR_HOME_CARE).unwrap()).expect("watched");
    for info in &CATALOGUE {
        let row = summary_row(&reply.body, info.code);
        let expected = match watched.results.status(info.indicator) {
            Status::NotEnoughData => "Not enough data",
            Status::NoEvidenceOfRisk => "No evidence of risk",
            Status::Risk => ">Risk<",
            Status::Elevated => "Elevated risk",
        };
        assert!(row.contains(info.name) && row.contains(expected), "{}: {expected} in {row}", info.code);
        assert!(section(&reply.body, info.code).contains(&format!("id=\"trend-{}-title\"", info.code)));
    }
    // People's voice has no answers at all here: nothing to show, nothing compared.
    assert!(summary_row(&reply.body, "positive_overall").contains("Not enough data"));
}

#[tokio::test]
async fn a_service_that_stands_out_is_at_risk_and_marked_on_its_funnel() {
    let app = app_with_peers().await;
    let mut browser = inspector(&app).await;
    let reply = browser.get(&app, &page_of(HARBOUR_HOME_CARE)).await;
    assert!(summary_row(&reply.body, "agency_share").contains("Elevated risk"));
    let restrictive = summary_row(&reply.body, "restrictive_practice");
    assert!(restrictive.contains("Elevated risk") || restrictive.contains(">Risk<"), "{restrictive}");
    // The watchlist says why, and the summary links to the figures.
    reply.assert_contains(&["Agency share of hours is high against similar services", "href=\"#agency_share\""]);
    // Without a choice, the funnel drawn is a most serious indicator's, with the service on it.
    let code = between(&reply.body, "aria-labelledby=\"funnel-", "-title\"").expect("a funnel");
    assert!(summary_row(&reply.body, code).contains("Elevated risk"), "{code}");
    assert!(between(section(&reply.body, code), "<svg", "</svg>").unwrap().contains("class=\"chart__service\""));

    let reply = browser.get(&app, &format!("{}?indicator=agency_share", page_of(HARBOUR_HOME_CARE))).await;
    assert_eq!(reply.status, StatusCode::OK);
    let agency = section(&reply.body, "agency_share");
    let funnel = between(agency, "<svg", "</svg>").expect("the funnel of agency share");
    assert!(funnel.contains("id=\"funnel-agency_share-title\""));
    assert!(funnel.contains("class=\"chart__service\"") && funnel.contains("This service: 49%"), "{funnel}");
    assert!(funnel.contains("above the 99.8% limit"), "the description says where it lies: {funnel}");
    assert_eq!(dots(funnel), 16, "one dot per peer");
    // Other indicators offer their funnel instead of drawing it.
    assert!(section(&reply.body, "incidents").contains("indicator=incidents#incidents"));
    assert_eq!(reply.body.matches("class=\"chart__peers\"").count(), 1);
}

#[tokio::test]
async fn the_scope_changes_the_group() {
    let app = app_with_peers().await;
    let mut browser = inspector(&app).await;
    let base = page_of(HARBOUR_HOME_CARE);
    for (scope, label, count) in [
        ("england", "Homecare, beds not known, in England", "17 services"),
        ("region", "Homecare, beds not known, in London", "11 services"),
        ("local_authority", "Homecare, beds not known, in Tower Hamlets", "7 services"),
    ] {
        let reply = browser.get(&app, &format!("{base}?scope={scope}&indicator=agency_share")).await;
        assert_eq!(reply.status, StatusCode::OK, "{scope}: {}", reply.body);
        reply.assert_contains(&[&format!("Compared with <strong>{label}</strong>: {count}, this one included.")]);
        assert!(reply.body.contains(&format!("value=\"{scope}\" checked")), "{scope} is the choice shown");
        let funnel = between(section(&reply.body, "agency_share"), "<svg", "</svg>").expect("a funnel");
        let peers = count.split(' ').next().unwrap().parse::<usize>().unwrap() - 1;
        assert_eq!(dots(funnel), peers, "{scope}: the funnel's dots are the group's");
        let incidents = section(&reply.body, "incidents");
        assert!(incidents.contains(&format!("scope={scope}&#38;indicator=incidents")), "{incidents}");
    }
}

#[tokio::test]
async fn bad_choices_are_refused_with_a_message() {
    let app = app_with_peers().await;
    let mut browser = inspector(&app).await;
    let base = page_of(HARBOUR_HOME_CARE);
    for (query, field, message) in [
        ("scope=wales", "scope", "region or its local authority"),
        ("indicator=happiness", "indicator", "Choose an indicator from the list"),
        ("scope=region&scope=england", "scope", "The choices in the address could not be read"),
    ] {
        let reply = browser.get(&app, &format!("{base}?{query}")).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
        reply.assert_contains(&[
            "There is a problem",
            &format!("<a href=\"#{field}\">"),
            &format!("id=\"{field}-error\""),
            message,
            "Correct the choice above",
        ]);
        reply.assert_lacks(&["Compared with <strong>"]);
    }
}

#[tokio::test]
async fn other_tenants_find_nothing() {
    let app = app_with_peers().await;
    let mut sunrise =
        signed_in(&app, "admin@sunrise.example", vec![grant(Role::ProviderAdmin, provider_scope(SUNRISE))]).await;
    let mut harbour =
        signed_in(&app, "admin@harbour.example", vec![grant(Role::ProviderAdmin, provider_scope(HARBOUR))]).await;
    let mut leeds = signed_in(
        &app,
        "commissioner@leeds.example",
        vec![grant(Role::Commissioner, Scope::LocalAuthority("Leeds".into()))],
    )
    .await;
    let unknown = sunrise.get(&app, &page_of("1-999999999")).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    for browser in [&mut sunrise, &mut leeds] {
        let reply = browser.get(&app, &page_of(HARBOUR_HOME_CARE)).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        assert_eq!(reply.body.replace(HARBOUR_HOME_CARE, "1-999999999"), unknown.body, "the same as an unknown ID");
    }
    // Their own services they see, compared with services they may not open.
    assert_eq!(harbour.get(&app, &page_of(HARBOUR_HOME_CARE)).await.status, StatusCode::OK);
    let reply = sunrise.get(&app, &page_of(ROSE_COURT)).await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.assert_lacks(&["Harbour", "Peer Care"]);
    assert_eq!(leeds.get(&app, &page_of(OAK_LODGE)).await.status, StatusCode::OK);
    // Signed out: to the sign-in page.
    let reply = app.get(&page_of(HARBOUR_HOME_CARE)).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
}

fn person(overall: &str) -> String {
    let answers: serde_json::Map<String, serde_json::Value> =
        OUTCOME_QUESTIONS.iter().map(|q| (q.code.to_string(), "just_as_i_want".into())).collect();
    serde_json::json!({ "respondent": "person", "overall": overall, "answers": answers }).to_string()
}

#[tokio::test]
async fn three_answers_are_not_enough_data() {
    let app = TestApp::new().await;
    for _ in 0..3 {
        let request = Request::post(format!("/api/v1/locations/{OAK_LODGE}/feedback"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(person("very_good")))
            .expect("a request");
        assert_eq!(app.request(request).await.status, StatusCode::CREATED);
    }
    let snapshot = app.settled().await;
    let oak = snapshot.get(&LocationId::parse(OAK_LODGE).unwrap()).expect("watched");
    let positive = oak.results.indicator(Indicator::PositiveOverall).expect("the indicator");
    assert_eq!(positive.n, 3, "the answers reached monitoring");

    let mut browser = inspector(&app).await;
    let reply = browser.get(&app, &format!("{}?indicator=positive_overall", page_of(OAK_LODGE))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let row = summary_row(&reply.body, "positive_overall");
    assert!(row.contains("Not enough data") && row.contains("Fewer than 5 answers"), "{row}");
    let section = section(&reply.body, "positive_overall");
    assert!(!section.contains("100%") && !section.contains("3 answers"), "no figure and no exact n: {section}");
    let funnel = between(section, "<svg", "</svg>").expect("the funnel");
    assert!(funnel.contains("No figure for this service"), "{funnel}");
    assert!(!funnel.contains("class=\"chart__service\""), "no dot for the service");
}
