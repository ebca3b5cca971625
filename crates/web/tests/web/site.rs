//! What every public website has: robots.txt keeps crawlers out of the private
//! areas and return links; the sitemap lists the public pages and every registered
//! service; the accessibility statement and privacy notice are linked from every page.

use axum::http::{StatusCode, header};

use crate::fixture::*;

#[tokio::test]
async fn robots_keep_crawlers_out_of_private_pages_and_the_sitemap_lists_the_register() {
    let app = TestApp::new().await;
    let robots = app.get("/robots.txt").await;
    assert_eq!(robots.status, StatusCode::OK);
    assert!(robots.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/plain"));
    robots.assert_contains(&["Disallow: /manage", "Disallow: /feedback/", "Disallow: /complaints/", "Sitemap: "]);

    let sitemap = app.get("/sitemap.xml").await;
    assert_eq!(sitemap.status, StatusCode::OK);
    sitemap.assert_contains(&["<urlset", &format!("/locations/{ROSE_COURT}</loc>"), "/privacy</loc>"]);
    // Deregistered services are not listed.
    sitemap.assert_lacks(&[&format!("/locations/{OLD_ROSE_COURT}</loc>")]);
}

#[tokio::test]
async fn every_page_links_the_accessibility_statement_and_the_privacy_notice() {
    let app = TestApp::new().await;
    for path in ["/", "/locations", &format!("/locations/{ROSE_COURT}")] {
        app.get(path).await.assert_contains(&[r#"href="/privacy""#, r#"href="/accessibility""#]);
    }
    let privacy = app.get("/privacy").await;
    assert_eq!(privacy.status, StatusCode::OK);
    privacy.assert_contains(&["The provider never sees them", "does not yet delete"]);
    let statement = app.get("/accessibility").await;
    assert_eq!(statement.status, StatusCode::OK);
    statement.assert_contains(&["WCAG", "What is not yet accessible"]);
}
