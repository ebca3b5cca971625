//! The long pages (an assessment, how a service compares, a provider's warning
//! signs) open with their result in a sentence or two and an "On this page" list
//! whose every link lands on a section of the page.

use axum::http::StatusCode;
use candour_domain::{Role, Scope};

use crate::browser::*;
use crate::fixture::*;

/// The page's summary and the anchors its "On this page" list links to, each
/// checked to be the id of an element on the page.
fn jump_links(body: &str) -> (String, Vec<String>) {
    let summary = between(body, r#"<p class="lead" id=""#, "</p>").expect("a summary").to_string();
    let nav = between(body, r#"<nav class="contents""#, "</nav>").expect("an On this page list");
    assert!(nav.contains("On this page"), "{nav}");
    let anchors: Vec<String> =
        nav.split("href=\"#").skip(1).map(|part| part.split('"').next().unwrap_or_default().to_string()).collect();
    assert!(!anchors.is_empty(), "{nav}");
    for anchor in &anchors {
        assert_eq!(body.matches(&format!(r#"id="{anchor}""#)).count(), 1, "#{anchor} is one element on the page");
    }
    (summary, anchors)
}

#[tokio::test]
async fn the_benchmark_page_summarises_and_links_to_every_indicator() {
    let app = TestApp::new().await;
    app.settled().await;
    let mut inspector = signed_in(&app, "inspector@example.org", vec![grant(Role::Inspector, Scope::All)]).await;
    let page = inspector.get(&app, &format!("/monitoring/locations/{ROSE_COURT}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let (summary, anchors) = jump_links(&page.body);
    assert!(summary.contains("Band 6 of 6 on the watchlist"), "{summary}");
    assert!(summary.contains("indicators at risk"), "{summary}");
    for anchor in ["watchlist-heading", "peers-heading", "summary-caption", "agency_share", "method"] {
        assert!(anchors.iter().any(|a| a == anchor), "{anchor} in {anchors:?}");
    }
    let indicators = candour_engine::monitoring::CATALOGUE.len();
    assert_eq!(anchors.len(), 4 + indicators, "every indicator is listed: {anchors:?}");
}

#[tokio::test]
async fn the_warning_signs_page_summarises_and_links_to_each_service() {
    let app = TestApp::new().await;
    app.settled().await;
    let mut sunrise =
        signed_in(&app, "pa@example.org", vec![grant(Role::ProviderAdmin, provider_scope(SUNRISE))]).await;
    let page = sunrise.get(&app, &format!("/manage/providers/{SUNRISE}/warning-signs")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let (summary, mut anchors) = jump_links(&page.body);
    assert!(summary.contains("2 services watched; 0 with a warning flag; none in band 1 or 2"), "{summary}");
    anchors.sort();
    assert_eq!(anchors, [format!("service-{ROSE_COURT}"), format!("service-{OAK_LODGE}")]);
}

#[tokio::test]
async fn the_assessment_page_summarises_and_links_to_each_section() {
    let app = TestApp::new().await;
    let mut inspector = signed_in(&app, "inspector@example.org", vec![grant(Role::Inspector, Scope::All)]).await;
    let path = crate::assessments::open_assessment(&app, &mut inspector).await;
    let reply = inspector.post(&app, &format!("{path}/key-questions/responsive"), &[("R1-score", "3")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);

    let page = inspector.get(&app, &path).await;
    assert_eq!(page.status, StatusCode::OK);
    let (summary, anchors) = jump_links(&page.body);
    assert!(summary.contains("Responsive: "), "{summary}");
    for anchor in ["computation", "facts", "scores", "safe", "well_led", "judgements", "challenges"] {
        assert!(anchors.iter().any(|a| a == anchor), "{anchor} in {anchors:?}");
    }
}
