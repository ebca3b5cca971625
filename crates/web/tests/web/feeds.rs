//! Following a local care market in public: the Atom feeds of a service and of a local
//! authority (newest first, stable IDs, escaped text), and an authority's market page.

use axum::http::{StatusCode, header};

use candour_domain::Role;

use crate::browser::*;
use crate::fixture::*;

#[tokio::test]
async fn a_service_and_an_area_can_be_followed_in_a_feed_reader() {
    let app = TestApp::new().await;
    let feed = app.get(&format!("/locations/{ROSE_COURT}/feed.atom")).await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(feed.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("application/atom+xml"));
    feed.assert_contains(&[
        r#"<feed xmlns="http://www.w3.org/2005/Atom">"#,
        "<title>Rose Court rated Good</title>",
        &format!(r#"<link rel="alternate" type="text/html" href="http://candour.test/locations/{ROSE_COURT}"/>"#),
        "by the Care Quality Commission (CQC)",
    ]);
    assert_eq!(feed.body.matches("<entry>").count(), feed.body.matches("</entry>").count());
    app.get(&format!("/locations/{ROSE_COURT}"))
        .await
        .assert_contains(&[&format!("/locations/{ROSE_COURT}/feed.atom")]);

    // A plan Rose Court's provider publishes reaches the area's feed; one kept private does not.
    let mut admin =
        signed_in(&app, "admin@sunrise.example", vec![grant(Role::ProviderAdmin, provider_scope(SUNRISE))]).await;
    let mut plans = Vec::new();
    for title in ["After the inspection", "Private thoughts"] {
        let uri = format!("/manage/locations/{ROSE_COURT}/plans/new");
        let made =
            admin.post(&app, &uri, &[("title", title), ("started_on", "2026-02-02"), ("finding", "rating:safe")]).await;
        assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
        plans.push(location(&made).split('?').next().unwrap().to_string());
    }
    let summary = [("summary", "We changed how evening medicines are checked.")];
    let published = admin.post(&app, &format!("{}/publish", plans[0]), &summary).await;
    assert_eq!(published.status, StatusCode::SEE_OTHER, "{}", published.body);

    let area = app.get("/areas/leeds/feed.atom").await;
    assert_eq!(area.status, StatusCode::OK);
    area.assert_contains(&[
        "Care services in Leeds: ratings, what people say and improvement",
        "Rose Court rated Good",
        "<title>Rose Court published its improvement plan: After the inspection</title>",
        "We changed how evening medicines are checked.",
    ]);
    area.assert_lacks(&["Harbour Supported Living", "Private thoughts"]);

    assert_eq!(app.get("/areas/Atlantis/feed.atom").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("/locations/{NOT_IN_REGISTER}/feed.atom")).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_area_has_a_public_page_of_its_care_market() {
    let app = TestApp::new().await;
    let page = app.get("/areas/leeds").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains(&[
        "The local care market",
        "<h1 class=\"heading-xl\">Leeds</h1>",
        "Services by type and current rating",
        "Care home with nursing",
        "Against the region and England",
        "Ratings over the last five years",
        r#"<th scope="row"><a href="/areas/Yorkshire%20and%20The%20Humber">Yorkshire and The Humber</a></th>"#,
        r#"<th scope="row"><a href="/areas/England">England</a></th>"#,
        "/manage/areas/Leeds",
        "/areas/Leeds/feed.atom",
    ]);
    page.assert_lacks(&["Harbour Supported Living"]);
    assert_eq!(app.get("/areas/Atlantis").await.status, StatusCode::NOT_FOUND);

    // The same as a PDF: its text is real text (the browser tests read it back with pdftotext).
    let pdf = app.get("/areas/Leeds/report.pdf").await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers[header::CONTENT_TYPE], "application/pdf");
    assert!(pdf.body.starts_with("%PDF-"));
    for shown in ["(Leeds: the care market) Tj", "(Services by type and current rating) Tj", "(England) Tj"] {
        assert!(pdf.body.contains(shown), "{shown}");
    }
    assert_eq!(app.get("/areas/Atlantis/report.pdf").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_region_and_england_have_a_market_page_and_report_too() {
    let app = TestApp::new().await;
    // By its name or its code, in any case.
    for path in ["/areas/London", "/areas/london"] {
        let page = app.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        page.assert_contains(&[
            "The care market in a region",
            "<h1 class=\"heading-xl\">London</h1>",
            "Against the region and England",
            r#"href="/locations?region=london""#,
        ]);
        // A region has no commissioners' view and no feed of its own.
        page.assert_lacks(&["/manage/areas/", "feed.atom"]);
    }
    let england = app.get("/areas/england").await;
    assert_eq!(england.status, StatusCode::OK);
    england.assert_contains(&[
        "The care market in England",
        "Each region against England",
        r#"<a href="/areas/London">London</a>"#,
        r#"<a href="/areas/Yorkshire%20and%20The%20Humber">Yorkshire and The Humber</a>"#,
        r#"href="/locations""#,
    ]);
    // Regions with no services are left out.
    england.assert_lacks(&["/areas/North%20East"]);
    // Every registered service in the fixture is counted in England's lead.
    let registered = app.store.register_stats().await.expect("stats").registered_locations;
    england.assert_contains(&[&format!("{registered} registered adult social care services")]);
    let pdf = app.get("/areas/England/report.pdf").await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.body.contains("(England: the care market) Tj"));
    assert!(pdf.body.contains("(Each region against England) Tj"));
}
