use axum::http::StatusCode;

use crate::fixture::*;

/// The names of the results, in order, as they appear on the page.
fn result_names(body: &str) -> Vec<String> {
    body.split(r#"<h3 class="result__title"><a href=""#)
        .skip(1)
        .filter_map(|rest| {
            rest.split_once("\">").and_then(|(_, after)| after.split_once("</a>")).map(|(name, _)| name.to_string())
        })
        .collect()
}

#[tokio::test]
async fn lists_every_registered_location_by_name() {
    let app = TestApp::new().await;
    let reply = app.get("/locations").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(result_names(&reply.body), ["Harbour Home Care", "Harbour Supported Living", "Oak Lodge", "Rose Court"]);
    reply.assert_contains(&[
        "<title>Find care services: 4 locations found – Candour</title>",
        r#"<div role="status">"#,
        "4 locations found",
        "Showing 1 to 4 of 4",
        // Each result carries its place, service, beds, rating in words and provider.
        "Leeds, LS1 4AP",
        "Care home with nursing",
        "40 beds",
        r#"<strong class="rating rating--inadequate">Inadequate</strong>"#,
        &format!(r#"<a href="/providers/{HARBOUR}">Harbour Homes</a>"#),
        // The form offers the register's own local authorities and specialisms.
        r#"<option value="Tower Hamlets">Tower Hamlets</option>"#,
        r#"<option value="Learning disabilities">Learning disabilities</option>"#,
        r#"<label class="label" for="postcode">Postcode</label>"#,
    ]);
}

#[tokio::test]
async fn empty_filters_mean_no_filter() {
    let app = TestApp::new().await;
    let reply = app
        .get("/locations?name=&postcode=&local_authority=&region=&service=&rating=&specialism=&sort=&per_page=")
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(result_names(&reply.body).len(), 4);
}

#[tokio::test]
async fn each_filter_narrows_the_results() {
    let app = TestApp::new().await;
    let cases: [(&str, &[&str]); 11] = [
        ("name=rose", &["Rose Court"]),
        ("name=HARBOUR", &["Harbour Home Care", "Harbour Supported Living"]),
        ("postcode=ls1", &["Rose Court"]),
        ("postcode=ls6+2ab", &["Oak Lodge"]),
        ("local_authority=Camden", &["Harbour Supported Living"]),
        ("region=london", &["Harbour Home Care", "Harbour Supported Living"]),
        ("region=Yorkshire+%26+the+Humber", &["Oak Lodge", "Rose Court"]),
        ("service=homecare", &["Harbour Home Care"]),
        ("rating=not_rated", &["Harbour Supported Living"]),
        ("specialism=Dementia", &["Rose Court"]),
        ("name=rose&include_deregistered=yes", &["Old Rose Court", "Rose Court"]),
    ];
    for (query, expected) in cases {
        let reply = app.get(&format!("/locations?{query}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{query}");
        assert_eq!(result_names(&reply.body), expected, "{query}");
    }
    let reply = app.get("/locations?region=london&rating=good").await;
    reply.assert_contains(&["No locations found", "No services match these filters."]);
}

#[tokio::test]
async fn filters_are_kept_in_the_form() {
    let app = TestApp::new().await;
    let reply = app
        .get("/locations?name=Rose&region=yorkshire_and_the_humber&rating=good&sort=beds&include_deregistered=yes")
        .await;
    reply.assert_contains(&[
        r#"name="name" type="text" value="Rose""#,
        r#"<option value="yorkshire_and_the_humber" selected>"#,
        r#"<option value="good" selected>Good</option>"#,
        r#"<option value="beds" selected>Beds (most first)</option>"#,
        r#"value="yes" checked>"#,
    ]);
}

#[tokio::test]
async fn sorting_orders_the_results() {
    let app = TestApp::new().await;
    let order = |query: &'static str| {
        let app = &app;
        async move { result_names(&app.get(&format!("/locations?{query}")).await.body) }
    };
    assert_eq!(
        order("sort=rating_best").await,
        ["Oak Lodge", "Rose Court", "Harbour Home Care", "Harbour Supported Living"]
    );
    assert_eq!(
        order("sort=rating_worst").await,
        ["Harbour Home Care", "Rose Court", "Oak Lodge", "Harbour Supported Living"]
    );
    assert_eq!(order("sort=beds").await[..2], ["Rose Court", "Oak Lodge"]);
    assert_eq!(order("sort=recently_rated").await[..3], ["Rose Court", "Harbour Home Care", "Oak Lodge"]);
}

#[tokio::test]
async fn pages_link_to_each_other_keeping_the_filters() {
    let app = TestApp::new().await;
    let first = app.get("/locations?per_page=2&sort=name").await;
    assert_eq!(result_names(&first.body), ["Harbour Home Care", "Harbour Supported Living"]);
    first.assert_contains(&[
        "Showing 1 to 2 of 4",
        "(page 1 of 2)",
        r#"<nav class="pagination" aria-label="Results pages">"#,
        r#"aria-current="page">1</a>"#,
        r#"<a class="pagination__next" href="/locations?per_page=2&#38;page=2" rel="next">"#,
    ]);
    first.assert_lacks(&["pagination__prev"]);

    let second = app.get("/locations?per_page=2&page=2").await;
    assert_eq!(result_names(&second.body), ["Oak Lodge", "Rose Court"]);
    second.assert_contains(&[
        "Showing 3 to 4 of 4",
        r#"<a class="pagination__prev" href="/locations?per_page=2" rel="prev">"#,
    ]);
    second.assert_lacks(&["pagination__next"]);

    let filtered = app.get("/locations?region=london&per_page=1").await;
    filtered.assert_contains(&[r#"href="/locations?region=london&#38;per_page=1&#38;page=2""#]);
}

#[tokio::test]
async fn a_page_past_the_end_points_back_to_the_last_page() {
    let app = TestApp::new().await;
    let reply = app.get("/locations?per_page=2&page=7").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(result_names(&reply.body).is_empty());
    reply.assert_contains(&[
        "the last page is page 2",
        r#"<a href="/locations?per_page=2&#38;page=2">Go to page 2</a>"#,
    ]);
}

#[tokio::test]
async fn bad_values_are_400_with_the_error_beside_the_field() {
    let app = TestApp::new().await;
    let cases = [
        ("region=atlantis", "region", r#"Region \"atlantis\" is not valid"#),
        ("page=0", "page", r#"Page \"0\" is not valid: enter a whole number"#),
        ("page=abc", "page", r#"Page \"abc\" is not valid"#),
        ("per_page=1000", "per_page", r#"Results per page \"1000\" is not valid: enter a whole number from 1 to 100"#),
        ("sort=cheapest", "sort", r#"Sort \"cheapest\" is not valid"#),
        ("postcode=LS1+%25%24", "postcode", r#"Postcode \"LS1 %$\" is not valid"#),
        ("rating=fine", "rating", r#"Rating \"fine\" is not valid"#),
        ("service=hospital", "service", r#"Service type \"hospital\" is not valid"#),
    ];
    for (query, field, message) in cases {
        let reply = app.get(&format!("/locations?{query}")).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
        let escaped = message.replace(r#"\""#, "&#34;");
        reply.assert_contains(&[
            "<title>Error: Find care services – Candour</title>",
            r#"<h2 class="error-summary__title" id="error-summary-title">There is a problem</h2>"#,
            &escaped,
        ]);
        assert!(!reply.body.contains(r#"class="results""#), "{query}: no results with errors");
        if field != "page" {
            reply.assert_contains(&[&format!(r##"<a href="#{field}">"##), &format!(r#"id="{field}-error""#)]);
        }
    }
}

#[tokio::test]
async fn every_error_is_listed_and_the_typed_values_kept() {
    let app = TestApp::new().await;
    let reply = app.get("/locations?name=Rose&region=atlantis&per_page=0").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    reply.assert_contains(&[
        r##"<a href="#region">"##,
        r##"<a href="#per_page">"##,
        r#"value="Rose""#,
        r#"aria-describedby="region-error" aria-invalid="true""#,
    ]);
}

#[tokio::test]
async fn an_unreadable_query_string_is_400_not_500() {
    let app = TestApp::new().await;
    let reply = app.get("/locations?name=a&name=b").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    reply.assert_contains(&["The address could not be read"]);
}

#[tokio::test]
async fn unknown_parameters_are_ignored() {
    let app = TestApp::new().await;
    let reply = app.get("/locations?utm_source=newsletter&region=london").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(result_names(&reply.body).len(), 2);
}
