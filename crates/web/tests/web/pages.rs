use axum::http::StatusCode;

use crate::fixture::*;

#[tokio::test]
async fn home_explains_searches_and_counts() {
    let app = TestApp::new().await;
    let reply = app.get("/").await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.assert_contains(&[
        "<title>Find and compare adult social care in England – Candour</title>",
        r#"action="/locations""#,
        r#"name="postcode""#,
        // Four registered locations, two of them care homes, two providers, five ratings.
        r#"<span class="stats__value">4</span> <span class="stats__label">registered care services</span>"#,
        r#"<span class="stats__value">2</span> <span class="stats__label">of them care homes</span>"#,
        r#"<span class="stats__value">5</span> <span class="stats__label">published ratings</span>"#,
        r#"<a href="/locations?region=london">London</a> <span class="secondary-text">2 services</span>"#,
        r#"<a href="/locations?region=north_east">North East</a> <span class="secondary-text">0 services</span>"#,
        r#"href="/locations?rating=outstanding""#,
    ]);
}

#[tokio::test]
async fn counts_and_choice_lists_show_an_import_at_once() {
    let app = TestApp::new().await;
    let bristol_option = r#"<option value="Bristol">Bristol</option>"#;
    let south_west = |count: &str| {
        format!(r#"<a href="/locations?region=south_west">South West</a> <span class="secondary-text">{count}</span>"#)
    };
    app.get("/").await.assert_contains(&[
        r#"<span class="stats__value">4</span> <span class="stats__label">registered care services</span>"#,
        &south_west("0 services"),
    ]);
    app.get("/locations").await.assert_lacks(&[bristol_option]);

    app.store.apply_import(&later_plan()).await.expect("the later import applies");

    app.get("/").await.assert_contains(&[
        r#"<span class="stats__value">5</span> <span class="stats__label">registered care services</span>"#,
        r#"<span class="stats__value">3</span> <span class="stats__label">of them care homes</span>"#,
        r#"<span class="stats__value">6</span> <span class="stats__label">published ratings</span>"#,
        &south_west("1 service"),
    ]);
    app.get("/locations").await.assert_contains(&[bristol_option]);
}

#[tokio::test]
async fn every_page_shares_the_accessible_layout() {
    let app = TestApp::new().await;
    let uris = ["/", "/locations", &format!("/locations/{ROSE_COURT}"), &format!("/providers/{SUNRISE}"), "/nowhere"];
    for uri in uris {
        let reply = app.get(uri).await;
        reply.assert_contains(&[
            r#"<html lang="en-GB">"#,
            r##"<a href="#main-content" class="skip-link">Skip to main content</a>"##,
            r#"<main id="main-content""#,
            r#"<nav class="site-header__nav" aria-label="Main">"#,
            r#"<link rel="stylesheet" href="/assets/candour.css?v="#,
        ]);
        // The CSP forbids inline style and script, so there must be none.
        reply.assert_lacks(&["style=", "<style", "<script"]);
    }
}

#[tokio::test]
async fn location_page_shows_details_ratings_and_history() {
    let app = TestApp::new().await;
    let reply = app.get(&format!("/locations/{ROSE_COURT}")).await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.assert_contains(&[
        "<title>Rose Court – Candour</title>",
        "Rose Court Nursing Home",
        "2 Rose Lane, Leeds, LS1 4AP",
        r#"<a href="tel:01134960000">0113 496 0000</a>"#,
        r#"<a href="https://www.rosecourt.example">www.rosecourt.example</a>"#,
        "Yes, 40 beds",
        "Dementia, Older people",
        "Care home with nursing",
        "Yorkshire and The Humber",
        "1 April 2015",
        r#"<dt class="summary-list__key">Registered manager in post</dt>"#,
        // The headline rating, then the current ratings table with its caption and headers.
        r#"<strong class="rating rating--large rating--good">Good</strong>"#,
        "Published 1 March 2024",
        "<caption",
        r#"<th scope="row">Safe</th>"#,
        r#"<td><strong class="rating rating--requires_improvement">Requires improvement</strong></td>"#,
        r#"<th scope="row">Well-led</th>"#,
        // The provider, linked.
        &format!(r#"<a href="/providers/{SUNRISE}">Sunrise Care Ltd</a>"#),
        "which has 1 other location in the register",
        // The predecessor, linked because it is in the register.
        "<strong>Predecessor:</strong>",
        &format!(r#"<a href="/locations/{OLD_ROSE_COURT}">Old Rose Court</a>"#),
        "Change of provider",
    ]);
    reply.assert_lacks(&["This location is deregistered"]);
    // History is newest first, with its source.
    let newer = reply.body.find(r#"<span class="nowrap">1 March 2024</span>"#).expect("the 2024 rating in the history");
    let older = reply.body.find(r#"<span class="nowrap">10 May 2021</span>"#).expect("the 2021 rating in the history");
    assert!(newer < older, "history must be newest first");
    assert!(reply.body.contains(r#"<span class="table__subhead">by CQC</span>"#));
}

#[tokio::test]
async fn deregistered_location_is_clearly_marked_and_links_its_successor() {
    let app = TestApp::new().await;
    let reply = app.get(&format!("/locations/{OLD_ROSE_COURT}")).await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.assert_contains(&[
        r#"<strong class="tag tag--deregistered">Deregistered</strong>"#,
        "This location is deregistered: it stopped providing this service on 31 December 2020.",
        "Deregistered on 31 December 2020",
        "<strong>Successor:</strong>",
        &format!(r#"<a href="/locations/{ROSE_COURT}">Rose Court</a>"#),
    ]);
}

#[tokio::test]
async fn unrated_location_says_so_in_words() {
    let app = TestApp::new().await;
    let reply = app.get(&format!("/locations/{HARBOUR_LIVING}")).await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.assert_contains(&[
        r#"<strong class="rating rating--large rating--not_rated">Not yet rated</strong>"#,
        "This service has not been rated yet.",
        "There are no published ratings for this service.",
        "Supported living",
    ]);
}

#[tokio::test]
async fn provider_page_lists_its_locations_in_a_table() {
    let app = TestApp::new().await;
    let reply = app.get(&format!("/providers/{SUNRISE}")).await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.assert_contains(&[
        "<title>Sunrise Care Ltd – Candour</title>",
        "Social Care Org",
        "1 Park Row, Leeds, LS1 5AB",
        "3 locations run by Sunrise Care Ltd</caption>",
        r#"<th scope="col">Overall rating</th>"#,
        &format!(r#"<a href="/locations/{ROSE_COURT}">Rose Court</a>"#),
        &format!(r#"<a href="/locations/{OAK_LODGE}">Oak Lodge</a>"#),
        &format!(r#"<a href="/locations/{OLD_ROSE_COURT}">Old Rose Court</a> <strong class="tag tag--deregistered">Deregistered</strong>"#),
        &format!("/locations?provider={SUNRISE}&#38;include_deregistered=yes"),
    ]);
    reply.assert_lacks(&["Harbour"]);
}

#[tokio::test]
async fn unknown_ids_are_404_and_malformed_ids_400() {
    let app = TestApp::new().await;
    let missing = app.get("/locations/1-999999999").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    missing.assert_contains(&["Page not found", "There is no location with ID 1-999999999 in the register."]);

    let malformed = app.get("/locations/abc").await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    malformed.assert_contains(&["abc is not a valid location ID: expected 1- followed by digits, like 1-545611283"]);

    let provider_missing = app.get("/providers/1-999999999").await;
    assert_eq!(provider_missing.status, StatusCode::NOT_FOUND);
    provider_missing.assert_contains(&["There is no provider with ID 1-999999999 in the register."]);

    let provider_malformed = app.get("/providers/x-1").await;
    assert_eq!(provider_malformed.status, StatusCode::BAD_REQUEST);
    provider_malformed.assert_contains(&["x-1 is not a valid provider ID"]);
}

#[tokio::test]
async fn unknown_paths_get_the_404_page() {
    let app = TestApp::new().await;
    let reply = app.get("/no/such/page").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    reply.assert_contains(&["Page not found", "There is no page at /no/such/page.", r#"<a href="/locations">"#]);
}

#[tokio::test]
async fn markup_in_data_and_paths_is_escaped() {
    let app = TestApp::new().await;
    let reply = app.get("/locations/%3Cscript%3E").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    reply.assert_contains(&["&#60;script&#62; is not a valid location ID"]);
    reply.assert_lacks(&["<script>"]);
}

#[tokio::test]
async fn a_related_location_outside_the_register_is_named_but_not_linked() {
    let app = TestApp::new().await;
    let reply = app.get(&format!("/locations/{HARBOUR_HOME_CARE}")).await;
    reply.assert_contains(&["<strong>Predecessor:</strong>", "Dock House Care", &format!("({NOT_IN_REGISTER})")]);
    reply.assert_lacks(&[&format!("/locations/{NOT_IN_REGISTER}")]);
}
