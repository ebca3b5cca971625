//! What every public website has: `robots.txt`, a sitemap of the public pages, an
//! accessibility statement and a privacy notice.

use std::fmt::Write;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use candour_store::LocationQuery;

use crate::error::{PageError, WebError, render};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/robots.txt", get(robots))
        .route("/sitemap.xml", get(sitemap))
        .route("/accessibility", get(accessibility))
        .route("/privacy", get(privacy))
}

/// The private areas, and the private return links people keep, are not for crawlers.
const DISALLOWED: [&str; 8] =
    ["/manage", "/admin", "/moderation", "/visits", "/account", "/feedback/", "/complaints/", "/sign-in"];

/// `GET /robots.txt`
async fn robots(State(state): State<AppState>) -> Response {
    let mut text = String::from("User-agent: *\n");
    for path in DISALLOWED {
        let _ = writeln!(text, "Disallow: {path}");
    }
    let _ = writeln!(text, "Sitemap: {}/sitemap.xml", state.config.public_url());
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response()
}

/// The pages anyone may read that are not reached from the register.
const PUBLIC_PAGES: [&str; 7] =
    ["/", "/locations", "/good-practice", "/open-data", "/developers", "/accessibility", "/privacy"];

/// `GET /sitemap.xml`: the public pages and every registered service's page (the
/// register has about 30,000: within a sitemap's 50,000).
async fn sitemap(State(state): State<AppState>) -> Result<Response, PageError> {
    let base = state.config.public_url();
    let mut xml = String::from(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    xml.push_str("\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for path in PUBLIC_PAGES {
        let _ = writeln!(xml, "<url><loc>{base}{path}</loc></url>");
    }
    let mut query = LocationQuery { per_page: LocationQuery::MAX_PER_PAGE, ..LocationQuery::default() };
    loop {
        let page = state.store.search_locations(&query).await.map_err(|e| WebError::from_store(e, String::new))?;
        for l in &page.items {
            // IDs are digits and a dash: nothing in them needs escaping.
            let _ = writeln!(xml, "<url><loc>{base}/locations/{}</loc></url>", l.id);
        }
        if page.page >= page.pages() {
            break;
        }
        query.page += 1;
    }
    xml.push_str("</urlset>\n");
    Ok(([(header::CONTENT_TYPE, "application/xml; charset=utf-8")], xml).into_response())
}

#[derive(Template)]
#[template(path = "site/accessibility.html")]
struct AccessibilityPage {
    title: &'static str,
}

/// `GET /accessibility`
async fn accessibility() -> Response {
    render(StatusCode::OK, &AccessibilityPage { title: "Accessibility statement" })
}

#[derive(Template)]
#[template(path = "site/privacy.html")]
struct PrivacyPage {
    title: &'static str,
}

/// `GET /privacy`
async fn privacy() -> Response {
    render(StatusCode::OK, &PrivacyPage { title: "Privacy notice" })
}
