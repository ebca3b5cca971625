//! The people's rating in the public register: a service whose people answer far
//! better or worse than similar services' is shown so on its page, in the API and in
//! the directory (filter and sort); too few answers give no figures at all; and
//! answers given this month change nothing until the month is complete; a burst of
//! answers waits out of the rating for a moderator's decision.

use axum::http::StatusCode;
use candour_domain::returns::Month;
use candour_domain::voice::{Channel, Feedback, OUTCOME_QUESTIONS, RawFeedback};
use candour_domain::{
    Location, LocationId, Provider, ProviderId, Region, Registration, RegistrationStatus, Role, Scope,
};
use candour_store::{FeedbackStatus, ImportPlan, NewFeedback, Prescreen};
use chrono::{DateTime, Datelike, NaiveDate, Utc};

use crate::browser::*;
use crate::fixture::*;

const PROVIDER: &str = "1-100000077";
/// Twelve ordinary homecare agencies, then one far better, one far worse and one with few answers.
const ORDINARY: usize = 12;
const BETTER: &str = "1-300000101";
const WORSE: &str = "1-300000102";
const FEW: &str = "1-300000103";
/// Two answers a month, then 30 glowing ones in a single month.
const BURSTING: &str = "1-300000104";

fn ordinary_id(i: usize) -> String {
    format!("1-3000000{:02}", i + 1)
}

fn agencies() -> Vec<String> {
    (0..ORDINARY).map(ordinary_id).chain([BETTER, WORSE, FEW, BURSTING].map(String::from)).collect()
}

fn plan() -> ImportPlan {
    let provider = ProviderId::parse(PROVIDER).expect("an ID");
    let locations = agencies()
        .into_iter()
        .map(|id| {
            let mut l = Location::new(LocationId::parse(&id).expect("an ID"), provider.clone(), format!("Agency {id}"));
            l.service_types = vec!["Homecare agencies".to_string()];
            l.local_authority = Some("Leeds".to_string());
            l.region = Some(Region::YorkshireAndTheHumber);
            // In Leeds, a little apart; the worse one in York, 22 miles away.
            let (town, postcode, at) = match id.as_str() {
                WORSE => ("York", "YO1 7HH", (53.96, -1.08)),
                BETTER => ("Leeds", "LS1 4AP", (53.80, -1.55)),
                _ => ("Leeds", "LS6 2AA", (53.82, -1.57)),
            };
            l.address.town = Some(town.to_string());
            l.address.postcode = Some(candour_domain::Postcode::parse(postcode).expect("a postcode"));
            (l.latitude, l.longitude) = (Some(at.0), Some(at.1));
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
        origin: "people's rating".to_string(),
        providers: vec![Provider::new(provider, "Agencies Ltd")],
        locations,
        ..ImportPlan::default()
    }
}

/// Noon on the 10th of the month `back` months before this one.
fn months_ago(back: u32) -> DateTime<Utc> {
    let month = Month::of(Utc::now().date_naive()).minus(back).expect("a month");
    month.first_day().with_day(10).expect("a day").and_hms_opt(12, 0, 0).expect("noon").and_utc()
}

async fn answer(app: &TestApp, location: &str, key: &str, level: &str, overall: &str, at: DateTime<Utc>) {
    let raw = RawFeedback {
        respondent: "family".into(),
        overall: overall.into(),
        answers: OUTCOME_QUESTIONS.iter().map(|q| (q.code.to_string(), level.to_string())).collect(),
        ..RawFeedback::default()
    };
    let feedback = Feedback::parse(&raw, Channel::Online).expect("valid feedback");
    let new = NewFeedback {
        location_id: LocationId::parse(location).expect("an ID"),
        status: FeedbackStatus::on_arrival(&feedback),
        feedback,
        key_hash: format!("{key:0>64}"),
        reference: key.to_string(),
        received_at: at,
        entered_by: None,
        prescreen: Prescreen::default(),
        alert: None,
    };
    app.store.submit_feedback(&new).await.expect("stored");
}

/// The agencies with their answers over the last year: the ordinary ones mostly
/// "good enough" with a little real difference between them, the better one "just as
/// I want", the worse one "not at all", and the last only four answers.
async fn app_with_answers() -> TestApp {
    let app = TestApp::new().await;
    app.store.apply_import(&plan()).await.expect("the agencies import");
    let levels = ["some_not_enough", "good_enough", "just_as_i_want"];
    for i in 0..ORDINARY {
        for k in 0..8 {
            let level = if k < 6 { "good_enough" } else { levels[(i + k) % levels.len()] };
            answer(&app, &ordinary_id(i), &format!("o{i}k{k}"), level, "good", months_ago(1 + (k as u32) % 6)).await;
        }
    }
    for k in 0..30 {
        answer(&app, BETTER, &format!("b{k}"), "just_as_i_want", "very_good", months_ago(1 + k % 11)).await;
        answer(&app, WORSE, &format!("w{k}"), "not_at_all", "very_poor", months_ago(1 + k % 11)).await;
    }
    for k in 0..4 {
        answer(&app, FEW, &format!("f{k}"), "just_as_i_want", "very_good", months_ago(2)).await;
    }
    for k in 0..20 {
        answer(&app, BURSTING, &format!("u{k}"), "some_not_enough", "poor", months_ago(1 + k % 10)).await;
    }
    for k in 0..30 {
        answer(&app, BURSTING, &format!("g{k}"), "just_as_i_want", "very_good", months_ago(3)).await;
    }
    app.settled().await;
    app
}

#[tokio::test]
async fn the_api_gives_each_service_its_verdict_with_every_figure() {
    let app = app_with_answers().await;
    let better = app.get(&format!("/api/v1/locations/{BETTER}")).await;
    assert_eq!(better.status, StatusCode::OK, "{}", better.body);
    let rating = &better.json()["people_rating"];
    assert_eq!(rating["verdict"], "better", "{rating}");
    assert_eq!(rating["n"], 30);
    let now = Month::of(Utc::now().date_naive());
    assert_eq!(rating["to"], now.previous().unwrap().to_string());
    assert_eq!(rating["from"], now.minus(12).unwrap().to_string());
    let codes: Vec<&str> = rating["measures"].as_array().unwrap().iter().map(|m| m["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["outcome_score", "positive_overall", "dignity", "safe", "outcomes_better"]);
    let outcome = &rating["measures"][0];
    assert_eq!(outcome["value"], 3.0);
    assert!(outcome["z_adj"].as_f64().unwrap() > 1.96, "{outcome}");
    let (shrunk, peers) = (outcome["shrunk"].as_f64().unwrap(), outcome["peer_mean"].as_f64().unwrap());
    assert!(peers < shrunk && shrunk < 3.0, "pulled a little towards similar services: {outcome}");
    assert!(outcome["lo95"].as_f64().unwrap() <= 3.0 && outcome["hi95"].as_f64().unwrap() <= 3.0);
    assert!(rating["measures"][4]["value"].is_null(), "no progress rated: no figures");
    assert_eq!(rating["similar_services"], "Homecare, beds not known, in England");

    let worse = app.get(&format!("/api/v1/locations/{WORSE}")).await.json();
    assert_eq!(worse["people_rating"]["verdict"], "worse");
    let few = app.get(&format!("/api/v1/locations/{FEW}")).await.json();
    assert_eq!(few["people_rating"]["verdict"], "not_enough_responses");
    assert!(few["people_rating"]["n"].is_null() && few["people_rating"]["measures"].as_array().unwrap().is_empty());
    assert!(few["people_rating"]["responses"].is_null(), "not even a count under five");
}

#[tokio::test]
async fn the_directory_filters_and_sorts_by_what_people_say() {
    let app = app_with_answers().await;
    let ids = |body: serde_json::Value| -> Vec<String> {
        body["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_string()).collect()
    };
    let worse = app.get(&format!("/api/v1/locations?provider={PROVIDER}&people_verdict=worse")).await;
    assert_eq!(ids(worse.json()), [WORSE, BURSTING]);
    let better = app.get(&format!("/api/v1/locations?provider={PROVIDER}&people_verdict=better")).await.json();
    assert_eq!(ids(better.clone()), [BETTER]);
    assert_eq!(better["items"][0]["people_rating"]["verdict"], "better");
    let few = app.get(&format!("/api/v1/locations?provider={PROVIDER}&people_verdict=not_enough_responses")).await;
    assert_eq!(ids(few.json()), [FEW]);
    let sorted =
        ids(app.get(&format!("/api/v1/locations?provider={PROVIDER}&sort=people_rating&per_page=100")).await.json());
    assert_eq!((sorted.first().map(String::as_str), sorted.last().map(String::as_str)), (Some(BETTER), Some(FEW)));
    assert_eq!(sorted[sorted.len() - 2], WORSE);

    let near = app.get(&format!("/api/v1/locations?provider={PROVIDER}&near=yo17hh&sort=distance")).await.json();
    assert_eq!(near["items"][0]["id"], WORSE, "nearest first");
    assert_eq!(near["items"][0]["miles"], 0.0);
    let next = near["items"][1]["miles"].as_f64().unwrap();
    assert!((21.0..23.0).contains(&next), "York to Leeds: {next}");
    for bad in ["near=Atlantis", "sort=distance"] {
        let refused = app.get(&format!("/api/v1/locations?{bad}")).await;
        assert_eq!((refused.status, &refused.json()["error"]["field"]), (StatusCode::BAD_REQUEST, &"near".into()));
    }
    let page = app.get("/locations?near=Atlantis").await;
    page.assert_contains(&["We could not find &#34;Atlantis&#34;", "href=\"#near\""]);
    app.get(&format!("/locations?provider={PROVIDER}&near=York&sort=distance"))
        .await
        .assert_contains(&["(0.0 miles away)"]);

    let refused = app.get("/api/v1/locations?people_verdict=splendid").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(refused.json()["error"]["field"], "people_verdict");
    let page = app.get("/locations?people_verdict=splendid").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    page.assert_contains(&["What people say &#34;splendid&#34; is not valid", "href=\"#people_verdict\""]);

    let page = app.get(&format!("/locations?provider={PROVIDER}&people_verdict=better")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.assert_contains(&[&format!("Agency {BETTER}"), "people people--better", "n = 30"]);
    page.assert_lacks(&[&format!("Agency {WORSE}")]);

    let area = app.get("/locations?local_authority=leeds").await;
    area.assert_contains(&[
        "What people say about services in leeds",
        "href=\"/locations?local_authority=leeds&#38;people_verdict=better\">1 service</a>",
        "people_verdict=worse\">2 services</a>",
    ]);
}

#[tokio::test]
async fn the_service_page_shows_the_verdict_apart_from_the_regulators_rating() {
    let app = app_with_answers().await;
    let page = app.get(&format!("/locations/{WORSE}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.assert_contains(&[
        "What people say: worse than similar services (n = 30,",
        "This is not the regulator's rating",
        "How this was worked out",
        "Likely range (95%)",
        "Treated with dignity and respect",
    ]);
    let few = app.get(&format!("/locations/{FEW}")).await;
    few.assert_contains(&["What people say: not enough responses yet", "Fewer than 5 people answered"]);
    few.assert_lacks(&["Likely range (95%)"]);

    let provider = app.get(&format!("/providers/{PROVIDER}")).await;
    provider.assert_contains(&["What people say about its services", "people_verdict=better", "1 service</a>"]);
}

#[tokio::test]
async fn answers_this_month_change_nothing_until_the_month_is_over() {
    let app = app_with_answers().await;
    let before = app.get(&format!("/api/v1/locations/{FEW}")).await.json()["people_rating"].clone();
    answer(&app, FEW, "today", "not_at_all", "very_poor", Utc::now()).await;
    answer(&app, BETTER, "today-2", "not_at_all", "very_poor", Utc::now()).await;
    app.settled().await;
    let after = app.get(&format!("/api/v1/locations/{FEW}")).await.json()["people_rating"].clone();
    assert_eq!(before, after, "a fifth answer this month does not yet make a rating");
    let better = app.get(&format!("/api/v1/locations/{BETTER}")).await.json();
    assert_eq!(better["people_rating"]["n"], 30);
}

#[tokio::test]
async fn a_burst_is_held_out_until_a_moderator_decides_it_counts() {
    let app = app_with_answers().await;
    let rating = || async { app.get(&format!("/api/v1/locations/{BURSTING}")).await.json()["people_rating"].clone() };
    let held = rating().await;
    assert_eq!(held["n"], 18, "the month of 32 (two of them ordinary) is held out: {held}");
    assert_eq!(held["bursts"][0]["responses"], 32);
    assert!(held["bursts"][0]["review"].is_null());
    app.get(&format!("/locations/{BURSTING}"))
        .await
        .assert_contains(&["far more than usual, are left out while a moderator checks them"]);
    assert_eq!(held["verdict"], "worse");

    let mut public = crate::browser::Browser::new();
    assert_ne!(public.get(&app, "/moderation/bursts").await.status, StatusCode::OK, "moderators only");
    let mut moderator = signed_in(&app, "moderator@example.org", vec![grant(Role::Moderator, Scope::All)]).await;
    let queue = moderator.get(&app, "/moderation").await;
    queue.assert_contains(&["1 burst of answers</a> is held out of a people"]);
    let page = moderator.get(&app, "/moderation/bursts").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.assert_contains(&[
        "1 burst waiting for a decision",
        &format!("Agency {BURSTING}"),
        "32 answers in",
        "where it usually gets 2 a month",
        "Held out of the rating until you decide",
    ]);

    let month = Month::of(months_ago(3).date_naive()).to_string();
    let action = format!("/moderation/bursts/{BURSTING}");
    let refused = moderator.post(&app, &action, &[("month", &month), ("decision", "maybe")]).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    refused.assert_contains(&["Choose whether these answers count or stay out of the rating"]);
    let saved = moderator.post(&app, &action, &[("month", &month), ("decision", "count")]).await;
    assert_eq!((saved.status, location(&saved)), (StatusCode::SEE_OTHER, "/moderation/bursts?saved=1"));
    let page = moderator.get(&app, "/moderation/bursts?saved=1").await;
    page.assert_contains(&["0 bursts waiting for a decision", "Counted in the rating"]);

    app.settled().await;
    let counted = rating().await;
    assert_eq!(counted["n"], 50, "counted once decided: {counted}");
    assert_eq!(counted["bursts"][0]["review"], true);
    let unknown =
        moderator.post(&app, "/moderation/bursts/1-999999999", &[("month", &month), ("decision", "count")]).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn anyone_compares_up_to_four_services_side_by_side() {
    let app = app_with_answers().await;
    let page = app.get(&format!("/compare?ids={BETTER}&ids={WORSE}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.assert_contains(&[
        &format!("Agency {BETTER}"),
        &format!("Agency {WORSE}"),
        "What people say",
        "better than similar services (n = 30,",
        "worse than similar services (n = 30,",
        "100% (30 answers)",
        "Homecare",
        &format!("href=\"/compare?ids={WORSE}\">Remove"),
        "Add a service",
    ]);
    let added =
        app.get(&format!("/compare?ids={BETTER}%2C{WORSE}&add=http%3A%2F%2Fcandour.test%2Flocations%2F{FEW}")).await;
    added.assert_contains(&[&format!("Agency {FEW}"), "3 services side by side"]);
    let five = [ordinary_id(0), ordinary_id(1), BETTER.into(), WORSE.into(), FEW.into()].join(",");
    let refused = app.get(&format!("/compare?ids={five}")).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    refused.assert_contains(&["Compare up to 4 services at once"]);
    assert_eq!(app.get("/compare?ids=1-999999999").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/compare?ids=rose-court").await.status, StatusCode::BAD_REQUEST);
    app.get("/compare").await.assert_contains(&["Choose up to four services"]);
    let from_york = app.get(&format!("/compare?ids={BETTER},{WORSE}&from=York")).await;
    from_york.assert_contains(&["From York", "22 miles away", "0.0 miles away"]);
    assert_eq!(app.get(&format!("/compare?ids={BETTER}&from=Atlantis")).await.status, StatusCode::BAD_REQUEST);
    let directory = app.get(&format!("/locations?provider={PROVIDER}")).await;
    directory.assert_contains(&["action=\"/compare\"", &format!("name=\"ids\" value=\"{BETTER}\"")]);
    app.get(&format!("/locations/{BETTER}")).await.assert_contains(&[&format!("href=\"/compare?ids={BETTER}\"")]);
}
